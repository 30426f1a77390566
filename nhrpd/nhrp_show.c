// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: show and clear commands.  The ones FRR 8.4's nhrpd has keep its
 * grammar and JSON keys (scripts written for FRR keep working); Cisco-like
 * `show dmvpn` and `show ip nhrp traffic` add what an IOS user looks for.
 */
#include "nhrpd/nhrpd.h"

#include "command.h"
#include "json.h"
#include "prefix.h"
#include "vrf.h"
#include "vty.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_ipsec.h"
#include "nhrpd/nhrp_reg_client.h"
#include "nhrpd/nhrp_shortcut.h"
#include "nhrpd/nhrp_ui.h"

#include "nhrpd/nhrp_show_clippy.c"

static const char *uptime_str(uint32_t since, char *buf, size_t len)
{
	time_t t = nhrp_now() - since;

	if (t >= 86400)
		snprintf(buf, len, "%lldd%02lldh", (long long)t / 86400,
			 (long long)(t % 86400) / 3600);
	else
		snprintf(buf, len, "%02lld:%02lld:%02lld", (long long)t / 3600,
			 (long long)(t % 3600) / 60, (long long)t % 60);
	return buf;
}

static int afi_of(const char *word)
{
	return strcmp(word, "ip") == 0 ? NHRP_AFI_IP : NHRP_AFI_IP6;
}

static json_object *ipsec_json(const struct nhrp_ipsec_info *in);

/* on a protected interface: the IKE identity of the peer at nbma (the one
 * it registered under, else that of its SA), "-" when none; in: its SAs */
static const char *peer_identity(struct interface *ifp,
				 const struct ipaddr *nbma,
				 struct nhrp_ipsec_info *in)
{
	struct nhrp_peer *p = nhrp_peer_find(ifp, nbma);
	const char *id = NULL;

	memset(in, 0, sizeof(*in));
	in->identity = in->conn = "";
	if (p) {
		nhrp_ipsec_info(p, in);
		id = nhrp_ipsec_bound(p);
	}
	if (!id || !id[0])
		id = in->identity;
	return id && id[0] ? id : "-";
}

static bool cache_in_afi(const struct nhrp_cache *c, int afi)
{
	return IS_IPADDR_V6(&c->proto) == (afi == NHRP_AFI_IP6);
}

struct cache_show {
	struct vty *vty;
	json_object *table;
	int afi;
	unsigned int count;
};

static void cache_show_one(struct nhrp_cache *c, void *arg)
{
	struct cache_show *cs = arg;
	uint32_t left = nhrp_cache_left(c);
	char nbma[INET6_ADDRSTRLEN] = "-", claimed[INET6_ADDRSTRLEN] = "-";
	bool protected = c->peer && nhrp_ipsec_protected(c->ifp);
	struct nhrp_ipsec_info in;
	const char *identity = "-";

	if (!cache_in_afi(c, cs->afi))
		return;
	cs->count++;
	if (protected)
		identity = peer_identity(c->ifp, &c->peer->nbma, &in);
	if (c->peer) {
		ipaddr2str(&c->peer->nbma, nbma, sizeof(nbma));
		ipaddr2str(&c->peer->claimed, claimed, sizeof(claimed));
	} else if (c->type == NHRP_CACHE_LOCAL) {
		/* our own: the NBMA address we have (as FRR shows it) */
		struct nhrp_interface *nifp = nhrp_if(c->ifp);

		if (!IS_IPADDR_NONE(&nifp->nbma)) {
			ipaddr2str(&nifp->nbma, nbma, sizeof(nbma));
			ipaddr2str(&nifp->nbma, claimed, sizeof(claimed));
		}
	}
	if (cs->table) {
		json_object *e = json_object_new_object();

		/* FRR 8.4's keys, then ours */
		json_object_string_add(e, "interface", c->ifp->name);
		json_object_string_add(e, "type", nhrp_cache_type_str(c->type));
		json_object_string_addf(e, "protocol", "%pIA", &c->proto);
		json_object_string_add(e, "nbma", nbma);
		json_object_string_add(e, "claimed_nbma", claimed);
		json_object_boolean_add(e, "used", c->used);
		json_object_boolean_add(e, "timeout", c->expires != 0);
		json_object_boolean_add(e, "auth", false);
		json_object_string_add(e, "identity", identity);
		json_object_int_add(e, "prefixLength", c->prefixlen);
		json_object_int_add(e, "holdtime", c->holdtime);
		json_object_int_add(e, "expiresIn", left);
		json_object_boolean_add(e, "unique", c->unique);
		json_object_boolean_add(e, "installed", c->in_kernel);
		json_object_int_add(e, "created", c->created);
		if (protected)
			json_object_object_add(e, "ipsec", ipsec_json(&in));
		json_object_array_add(cs->table, e);
		return;
	}
	vty_out(cs->vty, "%-8s %-10s %-24pIA %-24s %-24s %c%c%c    %s\n",
		c->ifp->name, nhrp_cache_type_str(c->type), &c->proto, nbma,
		claimed, c->used ? 'U' : ' ', c->expires ? 'T' : ' ', ' ',
		identity);
}

/* opennhrpctl's `show`, in the form FRR 8.4's nhrpd prints it (scripts
 * written for either parse it): one block per entry */
static void opennhrp_show_one(struct nhrp_cache *c, void *arg)
{
	struct cache_show *cs = arg;
	bool up = c->peer && if_is_operative(c->ifp);
	bool natoa = c->peer && nhrp_peer_natted(c->peer);
	int bits = IS_IPADDR_V6(&c->proto) ? 128 : 32;

	if (!cache_in_afi(c, cs->afi))
		return;
	cs->count++;
	if (cs->table) {
		json_object *e = json_object_new_object();

		json_object_string_add(e, "type", nhrp_cache_type_str(c->type));
		json_object_boolean_add(e, "up", up);
		json_object_boolean_add(e, "used", c->used);
		json_object_string_addf(e, "protocolAddress", "%pIA", &c->proto);
		json_object_int_add(e, "protocolAddressSize", bits);
		if (c->peer)
			json_object_string_addf(e, "nbmaAddress", "%pIA",
						&c->peer->nbma);
		if (natoa)
			json_object_string_addf(e, "nbmaNatOaAddress", "%pIA",
						&c->peer->claimed);
		json_object_array_add(cs->table, e);
		return;
	}
	vty_out(cs->vty, "Type: %s\nFlags:%s%s\nProtocol-Address: %pIA/%d\n",
		nhrp_cache_type_str(c->type), up ? " up" : "",
		c->used ? " used" : "", &c->proto, bits);
	if (c->peer)
		vty_out(cs->vty, "NBMA-Address: %pIA\n", &c->peer->nbma);
	if (natoa)
		vty_out(cs->vty, "NBMA-NAT-OA-Address: %pIA\n",
			&c->peer->claimed);
	vty_out(cs->vty, "\n\n");
}

struct nhs_show {
	struct vty *vty;
	json_object *table;
	int afi;
	unsigned int count;
};

static void nhs_show_one(struct nhrp_nhs *nhs, void *arg)
{
	struct nhs_show *ns = arg;
	char nbma[INET6_ADDRSTRLEN] = "-", proto[INET6_ADDRSTRLEN] = "(unspec)";
	char up[32] = "-";

	if (nhs->afi != ns->afi)
		return;
	ns->count++;
	if (!IS_IPADDR_NONE(&nhs->nbma))
		ipaddr2str(&nhs->nbma, nbma, sizeof(nbma));
	if (!IS_IPADDR_NONE(&nhs->proto))
		ipaddr2str(&nhs->proto, proto, sizeof(proto));
	if (nhs->status == NHS_UP)
		uptime_str(nhs->up_since, up, sizeof(up));
	if (ns->table) {
		json_object *e = json_object_new_object();

		json_object_string_add(e, "interface", nhs->ifp->name);
		json_object_string_add(e, "fqdn", nhs->name);
		json_object_string_add(e, "nbma", nbma);
		json_object_string_add(e, "protocol", proto);
		json_object_string_add(e, "status",
				       nhrp_nhs_status_str(nhs->status));
		json_object_int_add(e, "priority", nhs->priority);
		json_object_int_add(e, "cluster", nhs->cluster);
		json_object_boolean_add(e, "reachable",
					nhrp_nhs_reachable(nhs));
		json_object_boolean_add(e, "fromMap", nhs->from_map);
		json_object_int_add(e, "requestId", nhs->rid.id);
		json_object_int_add(e, "requestsSent", nhs->req_sent);
		json_object_int_add(e, "retransmissions", nhs->req_failed);
		json_object_int_add(e, "repliesReceived", nhs->replies);
		json_object_int_add(e, "lastCode", nhs->last_code);
		json_object_string_add(e, "upTime", up);
		if (!IS_IPADDR_NONE(&nhs->nat_nbma))
			json_object_string_addf(e, "natNbma", "%pIA",
						&nhs->nat_nbma);
		if (nhrp_ipsec_protected(nhs->ifp)) {
			struct nhrp_ipsec_info in;
			const char *id = "-";

			if (!IS_IPADDR_NONE(&nhs->nbma))
				id = peer_identity(nhs->ifp, &nhs->nbma, &in);
			else {
				memset(&in, 0, sizeof(in));
				in.identity = in.conn = "";
			}
			json_object_string_add(e, "identity", id);
			json_object_object_add(e, "ipsec", ipsec_json(&in));
		}
		json_object_array_add(ns->table, e);
		return;
	}
	vty_out(ns->vty, "%-8s %-24s %-16s %-16s %3u %7u %-12s %-9s %s\n",
		nhs->ifp->name, nhs->name, nbma, proto, nhs->priority,
		nhs->cluster, nhrp_nhs_status_str(nhs->status),
		nhrp_nhs_reachable(nhs) ? "yes" : "no", up);
}

static json_object *table_json(json_object *table, unsigned int count)
{
	json_object *js = json_object_new_object();
	json_object *attr = json_object_new_object();

	json_object_int_add(attr, "entriesCount", count);
	json_object_object_add(js, "attr", attr);
	json_object_object_add(js, "table", table);
	return js;
}

struct sc_show {
	struct vty *vty;
	json_object *table;
	int afi;
	unsigned int count;
};

static void shortcut_show_one(struct nhrp_shortcut *s, void *arg)
{
	struct sc_show *ss = arg;
	long left = (long)s->expires - (long)nhrp_now();

	if ((s->prefix.family == AF_INET6) != (ss->afi == NHRP_AFI_IP6))
		return;
	ss->count++;
	if (ss->table) {
		json_object *e = json_object_new_object();

		json_object_string_add(e, "type", "shortcut");
		json_object_string_addf(e, "prefix", "%pFX", &s->prefix);
		json_object_string_addf(e, "via", "%pIA", &s->via);
		json_object_string_add(e, "identity", "");
		json_object_string_add(e, "interface", s->ifp->name);
		json_object_string_addf(e, "nbma", "%pIA", &s->nbma);
		json_object_int_add(e, "expiresIn", left > 0 ? left : 0);
		json_object_array_add(ss->table, e);
		return;
	}
	vty_out(ss->vty, "%-8s %-24pFX %-24pIA %s\n", "shortcut", &s->prefix,
		&s->via, "");
}

DEFPY(show_nhrp, show_nhrp_cmd,
      "show <ip|ipv6>$afi nhrp [cache$cache|nhs$nhs|shortcut$shortcut|opennhrp$opennhrp] [json$json]",
      SHOW_STR IP_STR IPV6_STR
      "NHRP information\n"
      "Forwarding cache information\n"
      "Next hop server information\n"
      "Shortcut information\n"
      "opennhrpctl style cache dump\n" JSON_STR)
{
	json_object *table = json ? json_object_new_array() : NULL;
	unsigned int count;

	if (opennhrp) {
		struct cache_show cs = {vty, table, afi_of(afi), 0};
		struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
		struct interface *ifp;

		if (!json)
			vty_out(vty, "Status: ok\n\n");
		FOR_ALL_INTERFACES (vrf, ifp)
			nhrp_cache_walk(ifp, opennhrp_show_one, &cs);
		if (json) {
			json_object *js = table_json(table, cs.count), *attr;

			if (json_object_object_get_ex(js, "attr", &attr))
				json_object_string_add(attr, "status", "ok");
			vty_json(vty, js);
		}
		return CMD_SUCCESS;
	}
	if (shortcut) {
		struct sc_show ss = {vty, table, afi_of(afi), 0};

		if (!json)
			vty_out(vty, "%-8s %-24s %-24s %s\n", "Type", "Prefix",
				"Via", "Identity");
		nhrp_shortcut_walk(shortcut_show_one, &ss);
		count = ss.count;
	} else if (nhs) {
		struct nhs_show ns = {vty, table, afi_of(afi), 0};

		if (!json)
			vty_out(vty, "%-8s %-24s %-16s %-16s %3s %7s %-12s %-9s %s\n",
				"Iface", "FQDN", "NBMA", "Protocol", "Pri",
				"Cluster", "Status", "Reachable", "Up");
		nhrp_nhs_walk(nhs_show_one, &ns);
		count = ns.count;
	} else {
		struct cache_show cs = {vty, table, afi_of(afi), 0};

		if (!json)
			vty_out(vty, "%-8s %-10s %-24s %-24s %-24s %-6s %s\n",
				"Iface", "Type", "Protocol", "NBMA",
				"Claimed NBMA", "Flags", "Identity");
		struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
		struct interface *ifp;

		FOR_ALL_INTERFACES (vrf, ifp)
			nhrp_cache_walk(ifp, cache_show_one, &cs);
		count = cs.count;
	}
	if (json)
		vty_json(vty, table_json(table, count));
	else if (!count)
		vty_out(vty, "%% No entries\n");
	return CMD_SUCCESS;
}

/* Cisco's `show dmvpn`: one row per peer, with the tunnel addresses it
 * is bound to */
struct dmvpn_show {
	struct vty *vty;
	json_object *arr;
	int afi;		/* a section per family, as IOS shows it */
	bool detail;		/* each peer's IPsec SAs too */
};

/* a peer's SAs, in the JSON of show dmvpn */
static json_object *ipsec_json(const struct nhrp_ipsec_info *in)
{
	json_object *j = json_object_new_object();

	json_object_string_add(j, "state", nhrp_ipsec_state(in));
	json_object_int_add(j, "ikeSas", in->sas);
	json_object_int_add(j, "connecting", in->connecting);
	if (in->sas) {
		json_object_int_add(j, "ikeSaId", in->id);
		json_object_int_add(j, "ikeVersion", in->version);
		json_object_boolean_add(j, "initiator", in->initiator);
		json_object_int_add(j, "childSas", in->children);
		json_object_int_add(j, "reqid", in->reqid);
		json_object_string_add(j, "connection", in->conn);
	}
	json_object_string_add(j, "identity", in->identity);
	return j;
}

/* the same in text (show dmvpn detail) */
static void ipsec_text(struct vty *vty, const struct nhrp_ipsec_info *in)
{
	if (!in->sas) {
		vty_out(vty, "      IPsec: %s, no IKE SA%s\n",
			nhrp_ipsec_state(in),
			in->connecting ? " established (one being set up)" : "");
		return;
	}
	vty_out(vty,
		"      IPsec: %s, IKEv%u SA %u (%s)%s, child SAs %u (reqid %u), connection %s\n",
		nhrp_ipsec_state(in), in->version, in->id,
		in->initiator ? "initiator" : "responder",
		in->sas > 1 ? ", more than one" : "", in->children,
		in->reqid, in->conn);
	vty_out(vty, "      IKE identity: %s\n", in->identity);
}

static bool dmvpn_entry(const struct nhrp_cache *c, int afi)
{
	return nhrp_cache_type_binds(c->type) && cache_in_afi(c, afi);
}

static unsigned int dmvpn_entries(struct nhrp_peer *peer, int afi)
{
	struct nhrp_cache *c;
	unsigned int n = 0;

	frr_each (nhrp_peer_cache_list, &peer->caches, c)
		if (dmvpn_entry(c, afi))
			n++;
	return n;
}

static const char *dmvpn_state(const struct nhrp_cache *c)
{
	struct nhrp_nhs_list_rt_head *list;
	struct nhrp_nhs *nhs;

	if (c->type != NHRP_CACHE_NHS)
		return "UP";
	/* a server is up once it has answered our registration */
	list = nhrp_nhs_of(c->ifp);
	if (list)
		frr_each (nhrp_nhs_list_rt, list, nhs)
			if ((ipaddr_cmp(&nhs->proto, &c->proto) == 0 ||
			     ipaddr_cmp(&nhs->linklocal, &c->proto) == 0) &&
			    nhs->status == NHS_UP)
				return "UP";
	return "NHRP";
}

static void dmvpn_attr(struct nhrp_peer *peer, char *buf, size_t len)
{
	struct nhrp_cache *c;
	bool stat = false;

	frr_each (nhrp_peer_cache_list, &peer->caches, c)
		if (c->type == NHRP_CACHE_STATIC || c->type == NHRP_CACHE_NHS)
			stat = true;
	snprintf(buf, len, "%s%s", stat ? "S" : "D",
		 nhrp_peer_natted(peer) ? "N" : "");
}

static void dmvpn_one(struct dmvpn_show *ds, struct nhrp_peer *peer)
{
	struct nhrp_interface *nifp = nhrp_if(peer->ifp);
	unsigned int n = dmvpn_entries(peer, ds->afi), i = 0;
	struct nhrp_cache *c;
	json_object *addrs = NULL;
	char up[32], attr[8];
	bool protected = nhrp_ipsec_protected(peer->ifp);
	struct nhrp_ipsec_info in;

	if (!n)
		return;
	nhrp_ipsec_info(peer, &in);
	uptime_str(peer->created, up, sizeof(up));
	dmvpn_attr(peer, attr, sizeof(attr));
	if (ds->arr)
		addrs = json_object_new_array();
	frr_each (nhrp_peer_cache_list, &peer->caches, c) {
		if (!dmvpn_entry(c, ds->afi))
			continue;
		if (addrs) {
			json_object_array_add(addrs, json_object_new_stringf(
							     "%pIA", &c->proto));
			if (i++)
				continue;
			json_object *e = json_object_new_object();

			/* FRR 8.4's keys first */
			json_object_string_addf(e, "src", "%pIA", &nifp->nbma);
			json_object_string_addf(e, "dst", "%pIA", &peer->nbma);
			json_object_boolean_add(e, "notifierActive", false);
			json_object_int_add(e, "sas", in.sas);
			json_object_string_add(e, "identity", in.identity);
			json_object_string_add(e, "interface", peer->ifp->name);
			json_object_string_addf(e, "peerNbma", "%pIA",
						&peer->nbma);
			json_object_string_addf(e, "peerClaimedNbma", "%pIA",
						&peer->claimed);
			json_object_string_addf(e, "peerTunnel", "%pIA",
						&c->proto);
			json_object_int_add(e, "entries", n);
			json_object_object_add(e, "tunnelAddresses", addrs);
			json_object_string_add(e, "state", dmvpn_state(c));
			json_object_string_add(e, "upDownTime", up);
			json_object_string_add(e, "attributes", attr);
			json_object_string_add(e, "type",
					       nhrp_cache_type_str(c->type));
			if (protected)
				json_object_object_add(e, "ipsec",
						       ipsec_json(&in));
			json_object_array_add(ds->arr, e);
			continue;
		}
		if (i++ == 0)
			vty_out(ds->vty, "%5u %15pIA %15pIA %5s %9s %5s\n", n,
				&peer->nbma, &c->proto, dmvpn_state(c), up,
				attr);
		else
			vty_out(ds->vty, "%5s %15s %15pIA %5s %9s %5s\n", "", "",
				&c->proto, dmvpn_state(c), up, attr);
	}
	if (ds->detail && !ds->arr && protected)
		ipsec_text(ds->vty, &in);
}

/* one interface's peers of one family (IOS: "IPv4 NHRP Details") */
static void dmvpn_section(struct dmvpn_show *ds, struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_peer *peer;
	unsigned int peers = 0;

	if (!nifp || !nifp->enabled[ds->afi])
		return;
	if (!ds->arr) {
		nhrp_peer_foreach (nifp, peer)
			if (dmvpn_entries(peer, ds->afi))
				peers++;
		vty_out(ds->vty,
			"Interface: %s, %s NHRP Details\nType:%s, NHRP Peers:%u,\n\n",
			ifp->name, ds->afi == NHRP_AFI_IP ? "IPv4" : "IPv6",
			nhrp_nhs_list_count(&nifp->afi[ds->afi].nhs) ? "Spoke"
								     : "Hub",
			peers);
		vty_out(ds->vty, "%5s %15s %15s %5s %9s %5s\n", "# Ent",
			"Peer NBMA Addr", "Peer Tunnel Add", "State", "UpDn Tm",
			"Attrb");
	}
	nhrp_peer_foreach (nifp, peer)
		dmvpn_one(ds, peer);
	if (!ds->arr)
		vty_out(ds->vty, "\n");
}

DEFPY(show_dmvpn, show_dmvpn_cmd, "show dmvpn [detail$detail] [json$json]",
      SHOW_STR "DMVPN information\n"
      "With each peer's IPsec SAs\n" JSON_STR)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct dmvpn_show ds = {vty, json ? json_object_new_array() : NULL};
	struct interface *ifp;

	ds.detail = !!detail;
	if (!json)
		vty_out(vty,
			"Legend: Attrb --> S - Static, D - Dynamic, N - NATed\n\n");
	FOR_ALL_INTERFACES (vrf, ifp)
		for (ds.afi = 0; ds.afi < NHRP_AFI_MAX; ds.afi++)
			dmvpn_section(&ds, ifp);
	if (json)
		vty_json(vty, ds.arr);
	return CMD_SUCCESS;
}

static const char *const op_names[] = {
	NULL,
	"Resolution Request",
	"Resolution Reply",
	"Registration Request",
	"Registration Reply",
	"Purge Request",
	"Purge Reply",
	"Error Indication",
	"Traffic Indication",
};
static const char *const op_keys[] = {
	NULL,	      "resolutionRequest", "resolutionReply",
	"registrationRequest", "registrationReply", "purgeRequest",
	"purgeReply", "errorIndication",   "trafficIndication",
};

/* the one packet socket of all interfaces: what the kernel dropped before
 * we could read it (a full receive buffer) */
static void show_packet_socket(struct vty *vty, json_object *js)
{
	struct nhrp_packet_stats ps;

	if (nhrp_sys->packet_stats(&ps) < 0)
		return;
	if (js) {
		json_object *e = json_object_new_object();

		json_object_int_add(e, "received", ps.received);
		json_object_int_add(e, "dropped", ps.dropped);
		json_object_int_add(e, "bufferBytes", ps.buffer);
		json_object_int_add(e, "sendErrors", ps.send_errors);
		json_object_object_add(js, "packetSocket", e);
		return;
	}
	vty_out(vty,
		"Packet socket: received %" PRIu64 ", dropped %" PRIu64
		" (receive buffer full; buffer %u bytes), send errors %" PRIu64
		"\n",
		ps.received, ps.dropped, ps.buffer, ps.send_errors);
}

/* IPsec counters (of all interfaces) */
static json_object *ipsec_stats_json(const struct interface *ifp)
{
	const struct nhrp_ipsec_stats *is = nhrp_ipsec_stats();
	const struct nhrp_interface *nifp = nhrp_if(ifp);
	json_object *j = json_object_new_object();

	/* the connections whose SAs protect this interface */
	json_object_string_add(j, "profile", nifp->ipsec_profile);
	if (nifp->ipsec_fallback[0])
		json_object_string_add(j, "fallbackProfile",
				       nifp->ipsec_fallback);
	json_object_boolean_add(j, "connected", nhrp_ipsec_connected());
	json_object_int_add(j, "held", is->held);
	json_object_int_add(j, "droppedNoSa", is->dropped);
	json_object_int_add(j, "peersPurged", is->purged);
	json_object_int_add(j, "sasDeleted", is->terminated);
	json_object_int_add(j, "duplicatesDeleted", is->duplicates);
	return j;
}

DEFPY(show_nhrp_traffic, show_nhrp_traffic_cmd,
      "show ip nhrp traffic [json$json]",
      SHOW_STR IP_STR
      "NHRP information\n"
      "Packets sent and received, errors\n" JSON_STR)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	json_object *js = json ? json_object_new_object() : NULL;
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp) {
		struct nhrp_interface *nifp = nhrp_if(ifp);
		struct nhrp_stats *st;

		if (!nifp || (!nifp->enabled[NHRP_AFI_IP] &&
			      !nifp->enabled[NHRP_AFI_IP6]))
			continue;
		st = &nifp->stats;
		if (js) {
			json_object *e = json_object_new_object();
			json_object *tx = json_object_new_object();
			json_object *rx = json_object_new_object();

			for (int i = 1; i <= 8; i++) {
				json_object_int_add(tx, op_keys[i], st->tx[i]);
				json_object_int_add(rx, op_keys[i], st->rx[i]);
			}
			json_object_object_add(e, "sent", tx);
			json_object_object_add(e, "received", rx);
			json_object_int_add(e, "dropped", st->rx_dropped);
			json_object_int_add(e, "malformed", st->rx_malformed);
			json_object_int_add(e, "badChecksum",
					    st->rx_bad_checksum);
			json_object_int_add(e, "authFailures", st->rx_auth_fail);
			json_object_int_add(e, "sendErrors", st->tx_errors);
			if (nhrp_ipsec_protected(ifp))
				json_object_object_add(e, "ipsec",
						       ipsec_stats_json(ifp));
			json_object_object_add(js, ifp->name, e);
			continue;
		}
		vty_out(vty, "%s:\n", ifp->name);
		vty_out(vty, "  %-22s %10s %10s\n", "", "Sent", "Rcvd");
		for (int i = 1; i <= 8; i++)
			vty_out(vty, "  %-22s %10" PRIu64 " %10" PRIu64 "\n",
				op_names[i], st->tx[i], st->rx[i]);
		vty_out(vty,
			"  Dropped %" PRIu64 " (malformed %" PRIu64
			", bad checksum %" PRIu64 ", authentication %" PRIu64
			"), send errors %" PRIu64 "\n",
			st->rx_dropped, st->rx_malformed, st->rx_bad_checksum,
			st->rx_auth_fail, st->tx_errors);
		if (nhrp_ipsec_protected(ifp)) {
			const struct nhrp_ipsec_stats *is = nhrp_ipsec_stats();

			vty_out(vty, "  IPsec profile %s%s%s\n",
				nifp->ipsec_profile,
				nifp->ipsec_fallback[0] ? ", fallback " : "",
				nifp->ipsec_fallback);
			vty_out(vty,
				"  IPsec (all interfaces): charon %s; without SA: %" PRIu64
				" waited, %" PRIu64 " dropped; %" PRIu64
				" peers purged, %" PRIu64 " SAs deleted (%" PRIu64
				" duplicates)\n",
				nhrp_ipsec_connected() ? "connected"
						       : "not connected",
				is->held, is->dropped, is->purged,
				is->terminated, is->duplicates);
		}
	}
	show_packet_socket(vty, js);
	if (js)
		vty_json(vty, js);
	return CMD_SUCCESS;
}

struct clear_walk {
	int afi;
	enum nhrp_cache_type max_type;
	unsigned int n;
};

static void clear_one(struct nhrp_cache *c, void *arg)
{
	struct clear_walk *cw = arg;

	if (c->type > cw->max_type || !cache_in_afi(c, cw->afi))
		return;
	nhrp_cache_del(c);
	cw->n++;
}

DEFPY(clear_nhrp_cache, clear_nhrp_cache_cmd,
      "clear <ip|ipv6>$afi nhrp <cache$cache|shortcut$shortcut>",
      CLEAR_STR IP_STR IPV6_STR
      "NHRP information\n"
      "Dynamic cache entries\n"
      "Shortcut entries\n")
{
	/* dynamic and learnt entries only, as FRR and IOS do, of the
	 * family of the command */
	struct clear_walk cw = {
		.afi = afi_of(afi),
		.max_type = shortcut ? NHRP_CACHE_CACHED : NHRP_CACHE_DYNAMIC,
	};
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	(void)cache;
	if (shortcut)
		nhrp_shortcut_flush_afi(cw.afi);
	FOR_ALL_INTERFACES (vrf, ifp)
		nhrp_cache_walk(ifp, clear_one, &cw);
	if (!cw.n)
		vty_out(vty, "%% No entries\n");
	else
		vty_out(vty, "%% %u entries cleared\n", cw.n);
	return CMD_SUCCESS;
}

static json_object *if_json(struct interface *ifp, int afi)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	json_object *js = json_object_new_object();
	json_object *addrs = json_object_new_array();
	struct connected *ifc;
	struct listnode *node;

	json_object_string_add(js, "interface", ifp->name);
	json_object_int_add(js, "ifindex", ifp->ifindex);
	json_object_boolean_add(js, "up", if_is_up(ifp));
	json_object_int_add(js, "mtu", ifp->mtu);
	for (ALL_LIST_ELEMENTS_RO(ifp->connected, node, ifc))
		json_object_array_add(
			addrs, json_object_new_stringf("%pFX", ifc->address));
	json_object_object_add(js, "addresses", addrs);
	json_object_int_add(js, "networkId", nifp->afi[NHRP_AFI_IP].network_id);
	json_object_int_add(js, "networkIdIpv6",
			    nifp->afi[NHRP_AFI_IP6].network_id);
	/* the family of the command (`show ipv6 nhrp interface`) */
	json_object_boolean_add(js, "enabled", nifp->enabled[afi]);
	json_object_int_add(js, "holdtime", nifp->afi[afi].holdtime);
	json_object_string_addf(js, "nbma", "%pIA", &nifp->nbma);
	json_object_string_addf(js, "protocol", "%pIA", &nifp->proto[afi]);
	/* the link-local address we register beside it (IPv6, as IOS) */
	if (afi == NHRP_AFI_IP6)
		json_object_string_addf(js, "linkLocal", "%pIA",
					&nifp->linklocal);
	json_object_int_add(js, "greKey", nifp->gre_key);
	/* our address as our servers see it, behind NAT */
	if (!IS_IPADDR_NONE(&nifp->nat_nbma))
		json_object_string_addf(js, "natNbma", "%pIA", &nifp->nat_nbma);
	if (nifp->tunnel_source[0])
		json_object_string_add(js, "tunnelSource", nifp->tunnel_source);
	json_object_boolean_add(js, "authentication", nifp->auth[0] != 0);
	json_object_int_add(js, "nhsCount",
			    nhrp_nhs_list_count(&nifp->afi[afi].nhs));
	json_object_int_add(js, "mapCount",
			    nhrp_map_list_count(&nifp->afi[afi].maps));
	/* the limits in force, configured or not */
	json_object_int_add(js, "shortcutMinimumPrefix",
			    nifp->afi[afi].shortcut_min_prefix);
	json_object_int_add(js, "registrationMaximumHoldtime",
			    nifp->afi[afi].max_holdtime);
	/* 0: a third of the holding time */
	json_object_int_add(js, "registrationTimeout",
			    nifp->afi[afi].reg_timeout);
	json_object_int_add(js, "registrationMaximumPerNbma",
			    nifp->afi[afi].max_per_nbma);
	json_object_int_add(js, "cacheMaximumEntries",
			    nifp->afi[afi].cache_max);
	return js;
}

DEFPY(show_nhrp_interface, show_nhrp_interface_cmd,
      "show <ip|ipv6>$afi nhrp interface [IFNAME$ifname] [json$json]",
      SHOW_STR IP_STR IPV6_STR
      "NHRP information\n"
      "Interfaces as nhrpd sees them\n"
      "Interface name\n" JSON_STR)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	int a = afi_of(afi);

	if (json) {
		json_object *js = json_object_new_array();

		FOR_ALL_INTERFACES (vrf, ifp)
			if (!ifname || strcmp(ifname, ifp->name) == 0)
				json_object_array_add(js, if_json(ifp, a));
		vty_json(vty, js);
		return CMD_SUCCESS;
	}
	vty_out(vty, "%-16s %-8s %-5s %-10s %-16s %s\n", "Interface", "Index",
		"Up", "NetworkId", "NBMA", "Addresses");
	FOR_ALL_INTERFACES (vrf, ifp) {
		struct nhrp_interface *nifp = nhrp_if(ifp);
		struct connected *ifc;
		struct listnode *node;
		const char *sep = "";

		if (ifname && strcmp(ifname, ifp->name) != 0)
			continue;
		vty_out(vty, "%-16s %-8d %-5s %-10u %-16pIA ", ifp->name,
			ifp->ifindex, if_is_up(ifp) ? "yes" : "no",
			nifp->afi[a].network_id, &nifp->nbma);
		for (ALL_LIST_ELEMENTS_RO(ifp->connected, node, ifc)) {
			vty_out(vty, "%s%pFX", sep, ifc->address);
			sep = ",";
		}
		vty_out(vty, "\n");
	}
	return CMD_SUCCESS;
}

void nhrp_show_init(void)
{
	install_element(VIEW_NODE, &show_nhrp_cmd);
	install_element(VIEW_NODE, &show_dmvpn_cmd);
	install_element(VIEW_NODE, &show_nhrp_traffic_cmd);
	install_element(VIEW_NODE, &show_nhrp_interface_cmd);
	install_element(ENABLE_NODE, &clear_nhrp_cache_cmd);
}
