// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: registration with next hop servers (see nhrp_reg_client.h).
 *
 * Timing, as Cisco IOS and RFC 2332 do it: register at start and then
 * every holdtime/3 (or every `ip nhrp registration timeout` seconds,
 * when that is sooner); an unanswered request is retransmitted with the SAME
 * request id after 1, 2, 4 ... 64 seconds (at most a refresh interval
 * apart, so a server that comes back is registered with that soon); a
 * server that has not answered for a whole holding time is down (we keep
 * trying).  A new holding time or a new NBMA address of ours is
 * registered at once.
 *
 * Which servers we register with (nhs_select): per cluster, the servers
 * in order of priority (then of configuration; at equal priority one that
 * is up goes before one that is not, so that a recovered server does not
 * push an equal one out); a server is used while fewer than the cluster's
 * max-connections servers before it are usable (up or still trying, and
 * answering); the others stand by.  A server that stops answering
 * (NHS_UNREACHABLE requests in a row) is no longer usable, so the next
 * one is used; it is still asked (Cisco's PROBE), and once it answers
 * again the last server after it is let go, with a Purge Request.
 */
#include "nhrpd/nhrpd.h"

#include "log.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_ipsec.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_reg_client.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_NHS, "NHRP next hop server");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_NHS_STATE, "NHRP NHS list");

DEFINE_HOOK(nhrp_nhs_change, (struct nhrp_nhs *nhs), (nhs));

#define NHS_BACKOFF_MAX 64
#define DNS_REFRESH 300
#define DNS_RETRY 30

struct nhrp_nhs_state {
	struct nhrp_nhs_list_rt_head list; /* in configuration order */
	struct ipaddr nbma;	/* ours, when we last registered */
	struct interface *ifp;
	struct thread *t_select;
	struct ipaddr linklocal; /* the same for our IPv6 link-local */
};

static const char *const status_names[] = {
	[NHS_RESOLVING] = "resolving", [NHS_REGISTERING] = "registering",
	[NHS_UP] = "up",	       [NHS_REJECTED] = "rejected",
	[NHS_DOWN] = "down",	       [NHS_STANDBY] = "standby",
};

const char *nhrp_nhs_status_str(enum nhrp_nhs_status s)
{
	return status_names[s];
}

static struct nhrp_nhs_state *nhs_state(struct interface *ifp, bool create)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);

	if (!nifp->nhs_state && create) {
		nifp->nhs_state = XCALLOC(MTYPE_NHRP_NHS_STATE,
					  sizeof(*nifp->nhs_state));
		nhrp_nhs_list_rt_init(&nifp->nhs_state->list);
		nifp->nhs_state->ifp = ifp;
	}
	return nifp->nhs_state;
}

struct nhrp_nhs_list_rt_head *nhrp_nhs_of(struct interface *ifp)
{
	struct nhrp_nhs_state *st = ifp->info ? nhs_state(ifp, false) : NULL;

	return st ? &st->list : NULL;
}

static uint16_t nhs_holdtime(struct nhrp_nhs *nhs)
{
	return nhrp_if(nhs->ifp)->afi[nhs->afi].holdtime;
}

bool nhrp_nhs_reachable(const struct nhrp_nhs *nhs)
{
	return nhs->unanswered < NHS_UNREACHABLE;
}

/* the servers to use may have changed: choose again, once the event loop
 * comes back (never from inside a state change) */
static void nhs_select_ev(struct thread *t);

static void nhs_reselect(struct interface *ifp)
{
	struct nhrp_nhs_state *st = nhs_state(ifp, false);

	if (st)
		thread_add_event(master, nhs_select_ev, st, 0, &st->t_select);
}

static void nhs_set_status(struct nhrp_nhs *nhs, enum nhrp_nhs_status s)
{
	bool was_up = nhs->status == NHS_UP;

	if (nhs->status == s)
		return;
	nhs->status = s;
	if (was_up != (s == NHS_UP)) {
		if (s == NHS_UP)
			nhrp_if(nhs->ifp)->nhs_up++;
		else
			nhrp_if(nhs->ifp)->nhs_up--;
		hook_call(nhrp_nhs_change, nhs);
	}
	nhs_reselect(nhs->ifp);
}

static void nhs_send(struct thread *t);

static void nhs_schedule(struct nhrp_nhs *nhs, unsigned int secs)
{
	THREAD_OFF(nhs->t_timer);
	thread_add_timer(master, nhs_send, nhs, secs, &nhs->t_timer);
}

/* the NHS binding in the cache: how traffic to the server is sent */
static void nhs_cache_sync(struct nhrp_nhs *nhs)
{
	struct nhrp_cache *c;

	if (IS_IPADDR_NONE(&nhs->proto) || IS_IPADDR_NONE(&nhs->nbma))
		return;
	c = nhrp_cache_get(nhs->ifp, &nhs->proto);
	if (c->type <= NHRP_CACHE_NHS)
		nhrp_cache_set(c, NHRP_CACHE_NHS, &nhs->nbma, NULL, 0);
}

static void nhs_cache_drop_one(struct nhrp_nhs *nhs, const struct ipaddr *a)
{
	struct nhrp_cache *c;

	if (IS_IPADDR_NONE(a))
		return;
	c = nhrp_cache_find(nhs->ifp, a);
	if (c && c->type == NHRP_CACHE_NHS)
		nhrp_cache_del(c);
}

static void nhs_cache_drop(struct nhrp_nhs *nhs)
{
	nhs_cache_drop_one(nhs, &nhs->proto);
	nhs_cache_drop_one(nhs, &nhs->linklocal);
	memset(&nhs->linklocal, 0, sizeof(nhs->linklocal));
}

/* IPv6 as IOS: the reply's CIE with the server's link-local address (the
 * next hop of its routing protocol's routes), bound to the server */
static void nhs_linklocal(struct nhrp_nhs *nhs, struct nhrp_pkt *p)
{
	struct nhrp_interface *nifp = nhrp_if(nhs->ifp);
	struct ipaddr ll = {}, a;
	struct nhrp_cache *c;

	for (unsigned int n = 0; n < p->cie.count; n++) {
		struct nhrp_cie *cie = NHRP_CIE(p, p->cie, n);

		if (cie->code == NHRP_CODE_SUCCESS &&
		    nhrp_addr_to_ip(&cie->proto, &a) && nhrp_ip_linklocal(&a) &&
		    ipaddr_cmp(&a, &nifp->linklocal) != 0) {
			ll = a;
			break;
		}
	}
	if (ipaddr_cmp(&ll, &nhs->linklocal) != 0) {
		nhs_cache_drop_one(nhs, &nhs->linklocal);
		nhs->linklocal = ll;
	}
	if (IS_IPADDR_NONE(&ll))
		return;
	c = nhrp_cache_get(nhs->ifp, &ll);
	if (c->type <= NHRP_CACHE_NHS)
		nhrp_cache_set(c, NHRP_CACHE_NHS, &nhs->nbma, NULL, 0);
}

static void nhs_set_nbma(struct nhrp_nhs *nhs, const struct ipaddr *nbma)
{
	nhs_cache_drop(nhs);
	nhrp_peer_unref(&nhs->peer);
	nhs->nbma = *nbma;
	if (!IS_IPADDR_NONE(nbma))
		nhs->peer = nhrp_peer_get(nhs->ifp, nbma);
	nhs_cache_sync(nhs);
}

/* ---- the Registration Request ------------------------------------------------- */

static void nhs_reply(struct nhrp_reqid *r, struct nhrp_rx *rx);

static int send_request(struct nhrp_nhs *nhs)
{
	struct interface *ifp = nhs->ifp;
	struct nhrp_afi_conf *ac = &nhrp_if(ifp)->afi[nhs->afi];
	bool unique = !ac->no_unique;
	struct nhrp_pkt p;
	struct nhrp_cie *cie;
	struct nhrp_ext *e;

	if (!nhrp_pdu_init(&p, NHRP_PKT_REG_REQ, ifp, nhs->afi))
		return -1;
	p.flags = NHRP_FLAG_NAT | (unique ? NHRP_FLAG_REG_UNIQUE : 0);
	p.reqid = nhs->rid.id;
	/* to the server's protocol address, or ours while it is unknown */
	if (!IS_IPADDR_NONE(&nhs->proto))
		nhrp_ip_to_addr(&p.dst_proto, &nhs->proto);
	else
		p.dst_proto = p.src_proto;

	cie = nhrp_cie_add(&p, &p.cie);
	/* RFC 2332 5.2.3: with the unique bit the prefix length is 0xff */
	cie->prefix_len = unique ? 0xff : p.src_proto.len * 8;
	cie->mtu = nhrp_if_mtu(ifp, nhs->afi);
	cie->holdtime = nhs->holdtime = ac->holdtime;
	cie->pref = NHRP_PREF_DEFAULT;
	cie->nbma = p.src_nbma;
	cie->proto = p.src_proto;
	/* IPv6 as IOS: our link-local address in the CIE, our address in
	 * the network as the source; the server binds both */
	if (nhs->afi == NHRP_AFI_IP6 &&
	    !IS_IPADDR_NONE(&nhrp_if(ifp)->linklocal))
		nhrp_ip_to_addr(&cie->proto, &nhrp_if(ifp)->linklocal);

	nhrp_ext_request(ifp, &p, true);
	/* Cisco NAT extension: the server as we see it; it answers with the
	 * address our packets really came from */
	e = nhrp_ext_add(&p, NHRP_EXT_NAT_ADDRESS);
	if (e && (cie = nhrp_cie_add(&p, &e->cie))) {
		nhrp_ip_to_addr(&cie->nbma, &nhs->nbma);
		if (!IS_IPADDR_NONE(&nhs->proto))
			nhrp_ip_to_addr(&cie->proto, &nhs->proto);
		cie->prefix_len = cie->nbma.len * 8;
	}
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return nhrp_pdu_send(ifp, &nhs->nbma, &p);
}

/* how often a registration is refreshed: a third of the holding time
 * (RFC 2332 5.2.3), or sooner with `ip nhrp registration timeout` */
static unsigned int nhs_refresh(struct nhrp_nhs *nhs)
{
	const struct nhrp_afi_conf *ac = &nhrp_if(nhs->ifp)->afi[nhs->afi];
	unsigned int secs = ac->holdtime / 3;

	if (ac->reg_timeout && ac->reg_timeout < secs)
		secs = ac->reg_timeout;
	return MAX(secs, 1);
}

/* the longest wait between retransmissions: 64 s, as IOS, but no longer
 * than the refresh interval, so a server that comes back is found soon */
static unsigned int nhs_backoff_max(struct nhrp_nhs *nhs)
{
	return MIN(NHS_BACKOFF_MAX, nhs_refresh(nhs));
}

static void nhs_send(struct thread *t)
{
	struct nhrp_nhs *nhs = THREAD_ARG(t);
	struct nhrp_interface *nifp = nhrp_if(nhs->ifp);
	uint32_t now = nhrp_now();
	uint16_t holdtime = nhs_holdtime(nhs);

	if (IS_IPADDR_NONE(&nhs->nbma) || nhs->status == NHS_STANDBY)
		return; /* the resolver or nhs_select calls us back */
	if (IS_IPADDR_NONE(&nifp->proto[nhs->afi]) ||
	    IS_IPADDR_NONE(&nifp->nbma)) {
		/* no address yet: an address event updates us */
		nhrp_debug(COMMON, "nhs %s: waiting for our addresses",
			   nhs->name);
		return;
	}

	if (nhs->backoff == 0) {
		/* a new registration (at start, to refresh one, after a
		 * refusal or a change): a new request id */
		nhrp_reqid_new(&nhs->rid, NHRP_PKT_REG_REPLY, nhs_reply);
		nhs->backoff = 1;
		nhs->first_sent = now;
		if (nhs->status == NHS_RESOLVING)
			nhs_set_status(nhs, NHS_REGISTERING);
	} else {
		/* retransmission: same request id, longer wait */
		nhs->req_failed++;
		if (++nhs->unanswered == NHS_UNREACHABLE) {
			zlog_info("nhs %s (%pIA): no reply to %u requests: unreachable",
				  nhs->name, &nhs->nbma, NHS_UNREACHABLE);
			nhs_reselect(nhs->ifp);
		}
		if (now - nhs->first_sent >= holdtime &&
		    nhs->status != NHS_DOWN) {
			zlog_info("nhs %s (%pIA): no reply for %us: down",
				  nhs->name, &nhs->nbma, holdtime);
			nhs_set_status(nhs, NHS_DOWN);
		}
		nhs->backoff = MIN(nhs->backoff * 2, nhs_backoff_max(nhs));
	}
	nhs->req_sent++;
	send_request(nhs);
	nhs_schedule(nhs, nhs->backoff);
}

/* ---- the Registration Reply --------------------------------------------------- */

static void nhs_reply(struct nhrp_reqid *r, struct nhrp_rx *rx)
{
	struct nhrp_nhs *nhs = container_of(r, struct nhrp_nhs, rid);
	struct nhrp_pkt *p = rx->p;
	struct ipaddr proto = {}, nat = {};
	bool nat_ext = false, have_nat = false;
	uint8_t code = NHRP_CODE_SUCCESS;
	int i;

	if (rx->ifp != nhs->ifp || ipaddr_cmp(&rx->from, &nhs->nbma) != 0) {
		nhrp_debug(COMMON, "%s: registration reply id %u from %pIA: not from %pIA",
			   rx->ifp->name, p->reqid, &rx->from, &nhs->nbma);
		nhrp_if(rx->ifp)->stats.rx_dropped++;
		return;
	}
	if (p->cie.count)
		code = NHRP_CIE(p, p->cie, 0)->code;
	/* the server's protocol address: its responder record */
	i = nhrp_ext_find(p, NHRP_EXT_RESPONDER);
	if (i >= 0 && p->ext[i].cie.count)
		nhrp_addr_to_ip(&NHRP_CIE(p, p->ext[i].cie, 0)->proto, &proto);
	if (IS_IPADDR_NONE(&proto))
		nhrp_addr_to_ip(&p->dst_proto, &proto);
	/* Cisco NAT: a second entry is our address as the server saw it */
	i = nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS);
	nat_ext = i >= 0 && !p->ext[i].raw;
	if (nat_ext && p->ext[i].cie.count >= 2)
		have_nat = nhrp_addr_to_ip(&NHRP_CIE(p, p->ext[i].cie, 1)->nbma,
					   &nat);

	nhs->replies++;
	nhs->last_reply = nhrp_now();
	nhs->last_code = code;
	nhs->backoff = 0;
	if (!nhrp_nhs_reachable(nhs)) {
		zlog_info("nhs %s (%pIA): answers again", nhs->name,
			  &nhs->nbma);
		/* up (and answering) since now: an equal server that took
		 * over meanwhile keeps its place */
		nhs->up_since = nhrp_now();
		nhs_reselect(nhs->ifp);
	}
	nhs->unanswered = 0;
	if (code != NHRP_CODE_SUCCESS) {
		flog_warn(EC_NHRP_NHS, "nhs %s (%pIA): registration refused: %s",
			  nhs->name, &nhs->nbma, nhrp_cie_code_name(code));
		nhs_set_status(nhs, NHS_REJECTED);
		/* try again later: the binding may expire on the server */
		nhs_schedule(nhs, nhs_refresh(nhs));
		return;
	}
	if (nhs->dynamic && !IS_IPADDR_NONE(&proto) &&
	    ipaddr_cmp(&proto, &nhs->proto) != 0) {
		nhs_cache_drop(nhs);
		nhs->proto = proto;
	}
	/* behind NAT: our real address, for our resolutions' NAT extension
	 * (a NAT extension without it: no NAT, or no more) */
	if (nat_ext) {
		struct nhrp_interface *nifp = nhrp_if(nhs->ifp);

		nhs->nat_nbma = nat;
		if (have_nat && ipaddr_cmp(&nat, &nifp->nbma) != 0) {
			if (ipaddr_cmp(&nat, &nifp->nat_nbma) != 0)
				zlog_info("%s: behind NAT, seen as %pIA by %s",
					  nhs->ifp->name, &nat, nhs->name);
			nifp->nat_nbma = nat;
		} else
			memset(&nifp->nat_nbma, 0, sizeof(nifp->nat_nbma));
	}
	if (nhs->status != NHS_UP) {
		zlog_info("nhs %s (%pIA): registered, protocol address %pIA",
			  nhs->name, &nhs->nbma, &nhs->proto);
		nhs->up_since = nhrp_now();
	}
	nhs_set_status(nhs, NHS_UP);
	nhs_cache_sync(nhs);
	if (nhs->afi == NHRP_AFI_IP6)
		nhs_linklocal(nhs, p);
	nhs->refresh = nhs_refresh(nhs);
	nhs_schedule(nhs, nhs->refresh);
}

/* ---- NBMA names ---------------------------------------------------------------- */

static void nhs_resolve(struct thread *t);

static void nhs_resolved(struct nhrp_resolve *q, const struct ipaddr *addr,
			 const char *err)
{
	struct nhrp_nhs *nhs = container_of(q, struct nhrp_nhs, dns);

	nhs->dns_pending = false;
	if (!addr) {
		flog_warn(EC_NHRP_RESOLVER, "nhs %s: cannot resolve: %s",
			  nhs->name, err ? err : "no address");
		if (!nhs->dns_failed && IS_IPADDR_NONE(&nhs->nbma)) {
			/* no address at all: not usable for its cluster */
			nhs->dns_failed = true;
			nhs_reselect(nhs->ifp);
		}
		THREAD_OFF(nhs->t_dns);
		thread_add_timer(master, nhs_resolve, nhs, DNS_RETRY,
				 &nhs->t_dns);
		return;
	}
	nhs->dns_failed = false;
	if (ipaddr_cmp(addr, &nhs->nbma) != 0) {
		nhrp_debug(COMMON, "nhs %s resolved to %pIA", nhs->name, addr);
		nhs_set_nbma(nhs, addr);
		nhs->backoff = 0;
		nhs->unanswered = 0;
		if (nhs->status != NHS_STANDBY) {
			nhs_set_status(nhs, NHS_RESOLVING);
			nhs_schedule(nhs, 0);
		}
	}
}

static void nhs_resolve(struct thread *t)
{
	struct nhrp_nhs *nhs = THREAD_ARG(t);

	/* names are looked up again now and then: the server may move */
	thread_add_timer(master, nhs_resolve, nhs, DNS_REFRESH, &nhs->t_dns);
	if (nhs->dns_pending)
		return;
	nhs->dns_pending = true;
	nhrp_sys->resolve(&nhs->dns, nhs->name, nhs_resolved);
}

/* ---- the list of servers ------------------------------------------------------ */

/* the NBMA address `ip nhrp map` gives proto (none: unset) */
static struct ipaddr map_nbma(struct interface *ifp, int afi,
			      const struct ipaddr *proto)
{
	struct nhrp_map_conf *m;
	struct ipaddr none = {};

	frr_each (nhrp_map_list, &nhrp_if(ifp)->afi[afi].maps, m)
		if (!m->local && ipaddr_cmp(&m->proto, proto) == 0)
			return m->nbma;
	return none;
}

/* the NBMA address of a server that has none configured, from the map */
static void nhs_sync_map(struct nhrp_nhs *nhs)
{
	struct ipaddr nbma = map_nbma(nhs->ifp, nhs->afi, &nhs->proto);

	if (ipaddr_cmp(&nbma, &nhs->nbma) == 0)
		return;
	if (IS_IPADDR_NONE(&nbma))
		flog_warn(EC_NHRP_NHS,
			  "nhs %pIA: no `ip nhrp map` gives its NBMA address",
			  &nhs->proto);
	nhs_set_nbma(nhs, &nbma);
	if (IS_IPADDR_NONE(&nbma))
		strlcpy(nhs->name, "-", sizeof(nhs->name));
	else
		ipaddr2str(&nbma, nhs->name, sizeof(nhs->name));
	nhs->backoff = 0;
	nhs->unanswered = 0;
	THREAD_OFF(nhs->t_timer);
	if (nhs->status != NHS_STANDBY) {
		nhs_set_status(nhs, NHS_RESOLVING);
		if (!IS_IPADDR_NONE(&nbma))
			nhs_schedule(nhs, 0);
	}
}

/* a new server stands by until nhs_select wants it */
static struct nhrp_nhs *nhs_new(struct interface *ifp, int afi,
				const struct nhrp_nhs_conf *conf)
{
	struct nhrp_nhs *nhs = XCALLOC(MTYPE_NHRP_NHS, sizeof(*nhs));
	struct ipaddr nbma = {};

	nhs->ifp = ifp;
	nhs->afi = afi;
	nhs->dynamic = conf->dynamic;
	nhs->from_map = conf->from_map;
	nhs->priority = conf->priority;
	nhs->cluster = conf->cluster;
	if (!conf->dynamic)
		nhs->proto = conf->proto;
	nhs->status = NHS_STANDBY;
	if (conf->from_map) {
		strlcpy(nhs->name, "-", sizeof(nhs->name));
		nhs_sync_map(nhs);
		return nhs;
	}
	strlcpy(nhs->name, conf->nbma, sizeof(nhs->name));
	if (inet_pton(AF_INET, nhs->name, &nbma.ipaddr_v4) == 1) {
		SET_IPADDR_V4(&nbma);
		nhs_set_nbma(nhs, &nbma);
	} else
		thread_add_timer(master, nhs_resolve, nhs, 0, &nhs->t_dns);
	return nhs;
}

/* a Purge Request for our registration: we are leaving */
static void nhs_purge(struct nhrp_nhs *nhs)
{
	struct nhrp_interface *nifp = nhrp_if(nhs->ifp);

	if (IS_IPADDR_NONE(&nhs->proto) || IS_IPADDR_NONE(&nhs->nbma))
		return;
	/* no reply wanted; the request id of the registration, as IOS
	 * expects */
	nhrp_purge_send(nhs->ifp, nhs->afi, &nhs->nbma, &nhs->proto,
			nhs->rid.id, &nifp->proto[nhs->afi], true);
}

static void nhs_free(struct nhrp_nhs *nhs, bool purge)
{
	if (purge && nhs->status == NHS_UP)
		nhs_purge(nhs);
	if (nhs->status == NHS_UP) {
		nhs->status = NHS_DOWN;
		hook_call(nhrp_nhs_change, nhs);
	}
	if (nhs->dns_pending)
		nhrp_sys->resolve_cancel(&nhs->dns);
	nhrp_reqid_release(&nhs->rid);
	THREAD_OFF(nhs->t_timer);
	THREAD_OFF(nhs->t_dns);
	nhs_cache_drop(nhs);
	nhrp_peer_unref(&nhs->peer);
	XFREE(MTYPE_NHRP_NHS, nhs);
}

static bool nhs_matches(const struct nhrp_nhs *nhs, int afi,
			const struct nhrp_nhs_conf *conf)
{
	if (nhs->afi != afi || nhs->dynamic != conf->dynamic ||
	    nhs->from_map != conf->from_map)
		return false;
	if (conf->from_map)
		return ipaddr_cmp(&nhs->proto, &conf->proto) == 0;
	if (strcmp(nhs->name, conf->nbma) != 0)
		return false;
	return conf->dynamic || ipaddr_cmp(&nhs->proto, &conf->proto) == 0;
}

/* register again now, with a new request id */
static void nhs_reregister(struct nhrp_nhs *nhs)
{
	if (IS_IPADDR_NONE(&nhs->nbma) || nhs->status == NHS_STANDBY)
		return;
	nhs->backoff = 0;
	nhs_schedule(nhs, 0);
}

/* ---- which servers we use ------------------------------------------------------- */

/* usable for its cluster: up or still trying, and answering */
static bool nhs_usable(const struct nhrp_nhs *nhs)
{
	switch (nhs->status) {
	case NHS_RESOLVING:
		return !nhs->dns_failed;
	case NHS_REGISTERING:
	case NHS_UP:
		return nhrp_nhs_reachable(nhs);
	case NHS_REJECTED:
	case NHS_DOWN:
	case NHS_STANDBY:
		break;
	}
	return false;
}

/* order of preference within a cluster: priority, then (at equal
 * priority) a server that is up and answers before one that is not, the
 * longest up first, then configuration order */
static bool nhs_before(const struct nhrp_nhs *a, unsigned int apos,
		       const struct nhrp_nhs *b, unsigned int bpos)
{
	bool aup = a->status == NHS_UP && nhrp_nhs_reachable(a);
	bool bup = b->status == NHS_UP && nhrp_nhs_reachable(b);

	if (a->priority != b->priority)
		return a->priority < b->priority;
	if (aup != bup)
		return aup;
	if (aup && a->up_since != b->up_since)
		return a->up_since < b->up_since;
	return apos < bpos;
}

/* start using a server that stood by */
static void nhs_activate(struct nhrp_nhs *nhs)
{
	nhrp_debug(COMMON, "nhs %s: used (priority %u, cluster %u)",
		   nhs->name, nhs->priority, nhs->cluster);
	nhs->backoff = 0;
	nhs->unanswered = 0;
	nhs->status = NHS_RESOLVING;
	if (!IS_IPADDR_NONE(&nhs->nbma))
		nhs_schedule(nhs, 0);
}

/* let a server go: enough better ones answer */
static void nhs_release(struct nhrp_nhs *nhs)
{
	zlog_info("nhs %s (%pIA): standing by (priority %u, cluster %u)",
		  nhs->name, &nhs->nbma, nhs->priority, nhs->cluster);
	if (nhs->status == NHS_UP) {
		nhs_purge(nhs);
		nhs->status = NHS_STANDBY;
		hook_call(nhrp_nhs_change, nhs);
	}
	nhs->status = NHS_STANDBY;
	nhrp_reqid_release(&nhs->rid);
	THREAD_OFF(nhs->t_timer);
	nhs->backoff = 0;
	nhs->unanswered = 0;
}

static void nhs_select_cluster(struct nhrp_nhs_state *st, int afi,
			       uint8_t cluster)
{
	struct nhrp_afi_conf *ac = &nhrp_if(st->ifp)->afi[afi];
	unsigned int want = ac->nhs_max_set[cluster] ? ac->nhs_max[cluster]
						     : UINT_MAX;
	unsigned int n = 0, pos = 0, usable = 0;
	struct nhrp_nhs *nhs, **v;
	unsigned int *at;

	frr_each (nhrp_nhs_list_rt, &st->list, nhs)
		if (nhs->afi == afi && nhs->cluster == cluster)
			n++;
	if (!n)
		return;
	v = XCALLOC(MTYPE_TMP, n * sizeof(*v));
	at = XCALLOC(MTYPE_TMP, n * sizeof(*at));
	n = 0;
	/* insertion sort: a handful of servers */
	frr_each (nhrp_nhs_list_rt, &st->list, nhs) {
		unsigned int i;

		pos++;
		if (nhs->afi != afi || nhs->cluster != cluster)
			continue;
		for (i = n; i > 0 && nhs_before(nhs, pos, v[i - 1], at[i - 1]);
		     i--) {
			v[i] = v[i - 1];
			at[i] = at[i - 1];
		}
		v[i] = nhs;
		at[i] = pos;
		n++;
	}
	for (unsigned int i = 0; i < n; i++) {
		nhs = v[i];
		if (usable < want) {
			if (nhs->status == NHS_STANDBY)
				nhs_activate(nhs);
			if (nhs_usable(nhs))
				usable++;
		} else if (nhs->status != NHS_STANDBY)
			nhs_release(nhs);
	}
	XFREE(MTYPE_TMP, v);
	XFREE(MTYPE_TMP, at);
}

static void nhs_select(struct nhrp_nhs_state *st)
{
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++)
		for (uint8_t c = 0; c < NHRP_NHS_CLUSTERS; c++)
			nhs_select_cluster(st, afi, c);
}

static void nhs_select_ev(struct thread *t)
{
	nhs_select(THREAD_ARG(t));
}

/* the configuration or our addresses changed */
static int nhs_update(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_nhs_state *st;
	struct nhrp_nhs *nhs;
	bool nbma_changed, ll_changed;

	if (!nifp)
		return 0;
	st = nhs_state(ifp, true);
	nbma_changed = ipaddr_cmp(&st->nbma, &nifp->nbma) != 0;
	st->nbma = nifp->nbma;
	/* a new link-local address is registered at once, over IPv6 */
	ll_changed = ipaddr_cmp(&st->linklocal, &nifp->linklocal) != 0;
	st->linklocal = nifp->linklocal;

	/* drop servers no longer configured (or NHRP switched off) */
	frr_each_safe (nhrp_nhs_list_rt, &st->list, nhs) {
		struct nhrp_nhs_conf *conf;
		bool keep = false;

		if (nifp->enabled[nhs->afi])
			frr_each (nhrp_nhs_list, &nifp->afi[nhs->afi].nhs, conf)
				if (nhs_matches(nhs, nhs->afi, conf))
					keep = true;
		if (!keep) {
			nhrp_nhs_list_rt_del(&st->list, nhs);
			nhs_free(nhs, true);
		}
	}
	/* add new ones, all in configuration order; kick those that wait
	 * for our addresses, and those whose registration no longer says
	 * what it should */
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
		struct nhrp_nhs_conf *conf;

		if (!nifp->enabled[afi])
			continue;
		frr_each (nhrp_nhs_list, &nifp->afi[afi].nhs, conf) {
			struct nhrp_nhs *found = NULL;

			frr_each (nhrp_nhs_list_rt, &st->list, nhs)
				if (!found && nhs_matches(nhs, afi, conf))
					found = nhs;
			if (!found) {
				nhrp_nhs_list_rt_add_tail(
					&st->list, nhs_new(ifp, afi, conf));
				continue;
			}
			nhs = found;
			nhrp_nhs_list_rt_del(&st->list, nhs);
			nhrp_nhs_list_rt_add_tail(&st->list, nhs);
			nhs->priority = conf->priority;
			nhs->cluster = conf->cluster;
			if (nhs->from_map)
				nhs_sync_map(nhs);
			if (nhs->status == NHS_STANDBY)
				continue;
			if (nbma_changed ||
			    (ll_changed && afi == NHRP_AFI_IP6) ||
			    (nhs->status == NHS_UP &&
			     nhs->holdtime != nhs_holdtime(nhs)))
				nhs_reregister(nhs);
			else if (nhs->status == NHS_UP &&
				 nhs->refresh != nhs_refresh(nhs)) {
				/* a new refresh interval, from now */
				nhs->refresh = nhs_refresh(nhs);
				nhs_schedule(nhs, nhs->refresh);
			}
			else if (!nhs->t_timer && !IS_IPADDR_NONE(&nhs->nbma))
				nhs_schedule(nhs, 0);
		}
	}
	/* at once: the configuration may have made room for a server */
	THREAD_OFF(st->t_select);
	nhs_select(st);
	return 0;
}

static void nhs_stop(struct interface *ifp, bool purge)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_nhs *nhs;

	if (!nifp || !nifp->nhs_state)
		return;
	THREAD_OFF(nifp->nhs_state->t_select);
	while ((nhs = nhrp_nhs_list_rt_pop(&nifp->nhs_state->list)))
		nhs_free(nhs, purge);
	nhrp_nhs_list_rt_fini(&nifp->nhs_state->list);
	XFREE(MTYPE_NHRP_NHS_STATE, nifp->nhs_state);
}

static int nhs_if_down(struct interface *ifp)
{
	nhs_stop(ifp, false);
	return 0;
}

void nhrp_reg_client_stop_all(bool purge)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp)
		nhs_stop(ifp, purge);
}

struct nhrp_nhs *nhrp_nhs_pick(struct interface *ifp, int afi)
{
	struct nhrp_nhs_list_rt_head *list = nhrp_nhs_of(ifp);
	struct nhrp_nhs *nhs, *best = NULL;

	if (!list)
		return NULL;
	/* in configuration order: the first of the best priority */
	frr_each (nhrp_nhs_list_rt, list, nhs)
		if (nhs->afi == afi && nhs->status == NHS_UP &&
		    nhrp_nhs_reachable(nhs) &&
		    (!best || nhs->priority < best->priority))
			best = nhs;
	return best;
}

void nhrp_nhs_walk(nhrp_nhs_walk_cb cb, void *arg)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	struct nhrp_nhs *nhs;

	FOR_ALL_INTERFACES (vrf, ifp) {
		struct nhrp_nhs_list_rt_head *list = nhrp_nhs_of(ifp);

		if (!list)
			continue;
		frr_each_safe (nhrp_nhs_list_rt, list, nhs)
			cb(nhs, arg);
	}
}

/* IPsec: the SA with a server went (its registration with it is gone:
 * down, register again, which sets up another) or came up (register now,
 * not at the next retransmission) */
static int nhs_sa_change(struct interface *ifp, const struct ipaddr *nbma,
			 bool up)
{
	struct nhrp_nhs_state *st = nhs_state(ifp, false);
	struct nhrp_nhs *nhs;

	if (!st)
		return 0;
	frr_each (nhrp_nhs_list_rt, &st->list, nhs) {
		if (ipaddr_cmp(&nhs->nbma, nbma) != 0)
			continue;
		if (up && nhs->status == NHS_UP)
			continue;
		if (!up && nhs->status == NHS_UP) {
			zlog_info("nhs %s (%pIA): IPsec SA gone: registering again",
				  nhs->name, &nhs->nbma);
			nhs_set_status(nhs, NHS_DOWN);
		}
		nhs_reregister(nhs);
	}
	return 0;
}

void nhrp_reg_client_init(void)
{
	hook_register(nhrp_ipsec_change, nhs_sa_change);
	hook_register(nhrp_if_changed, nhs_update);
	hook_register(nhrp_if_down, nhs_if_down);
}
