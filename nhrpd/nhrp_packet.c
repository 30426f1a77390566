// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: NHRP messages (see nhrp_packet.h).  Everything here works on
 * decoded packets: the bytes are read and written by nhrp_codec.c only.
 *
 * Errors on the wire are counted and logged at debug level only.  What
 * RFC 2332 answers with an Error Indication is answered (rate-limited per
 * interface); an Error Indication is never answered with one.
 */
#include "nhrpd.h"

#include "log.h"
#include "monotime.h"
#include "prefix.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_codec.h"
#include "nhrpd/nhrp_io.h"
#include "nhrpd/nhrp_kernel.h"
#include "nhrpd/nhrp_nhs.h"
#include "nhrpd/nhrp_packet.h"
#include "nhrpd/nhrp_shortcut.h"

#define NHRP_PKT_MAX 1500
#define ERROR_RATE 10 /* Error Indications per second and interface */

/* ---- addresses --------------------------------------------------------- */

static bool addr_get(const struct nhrp_addr *a, struct ipaddr *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (a->len == 4) {
		SET_IPADDR_V4(ip);
		memcpy(&ip->ipaddr_v4, a->a, 4);
	} else if (a->len == 16) {
		SET_IPADDR_V6(ip);
		memcpy(&ip->ipaddr_v6, a->a, 16);
	} else
		return false;
	return true;
}

static void addr_put(struct nhrp_addr *a, const struct ipaddr *ip)
{
	memset(a, 0, sizeof(*a));
	if (IS_IPADDR_V4(ip))
		nhrp_addr_set(a, &ip->ipaddr_v4, 4);
	else if (IS_IPADDR_V6(ip))
		nhrp_addr_set(a, &ip->ipaddr_v6, 16);
}

static int pkt_afi(const struct nhrp_pkt *p)
{
	if (p->pro_type == NHRP_PRO_IPV4)
		return NHRP_AFI_IP;
	if (p->pro_type == NHRP_PRO_IPV6)
		return NHRP_AFI_IP6;
	return -1;
}

static uint16_t afi_pro_type(int afi)
{
	return afi == NHRP_AFI_IP ? NHRP_PRO_IPV4 : NHRP_PRO_IPV6;
}

/* ---- authentication (Cisco cleartext, extension 7) ---------------------- */

static bool auth_ok(const struct nhrp_interface *nifp, const struct nhrp_pkt *p)
{
	size_t len = strlen(nifp->auth);
	int i;

	if (!len)
		return true;
	i = nhrp_ext_find(p, NHRP_EXT_AUTH);
	if (i < 0)
		return false;
	return p->ext[i].auth_type == NHRP_AUTH_CLEARTEXT &&
	       p->ext[i].value_len == len &&
	       memcmp(p->ext[i].value, nifp->auth, len) == 0;
}

/* (re)write the authentication extension with our password: it is
 * regenerated at every hop */
static void auth_put(const struct nhrp_interface *nifp, struct nhrp_pkt *p)
{
	int i = nhrp_ext_find(p, NHRP_EXT_AUTH);
	struct nhrp_ext *e;

	if (!nifp->auth[0]) {
		if (i >= 0) /* not ours to vouch for */
			p->ext[i].type = NHRP_EXT_AUTH;
		return;
	}
	e = i >= 0 ? &p->ext[i]
		   : nhrp_ext_add(p, NHRP_EXT_AUTH | NHRP_EXT_COMPULSORY);
	if (!e)
		return;
	e->raw = false;
	e->auth_type = NHRP_AUTH_CLEARTEXT;
	e->value = (const uint8_t *)nifp->auth;
	e->value_len = strlen(nifp->auth);
}

/* ---- sending ------------------------------------------------------------- */

static int send_pkt(struct interface *ifp, const struct ipaddr *nbma,
		    struct nhrp_pkt *p)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	uint8_t buf[NHRP_PKT_MAX];
	int len = nhrp_encode(p, buf, sizeof(buf));

	if (len < 0) {
		nhrp_debug(COMMON, "%s: cannot encode %s: %s", ifp->name,
			   nhrp_type_name(p->type), nhrp_reason_name(len));
		nifp->stats.tx_errors++;
		return -1;
	}
	if (nhrp_io_send(ifp->ifindex, nbma, ETH_P_NHRP, buf, len) < 0) {
		nifp->stats.tx_errors++;
		return -1;
	}
	if (p->type >= 1 && p->type <= 8)
		nifp->stats.tx[p->type]++;
	nhrp_debug(COMMON, "%s: sent %s id %u to %pIA", ifp->name,
		   nhrp_type_name(p->type), p->reqid, nbma);
	return 0;
}

/* our own addresses as the source of a packet we originate */
static bool put_source(struct interface *ifp, int afi, struct nhrp_pkt *p)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);

	if (IS_IPADDR_NONE(&nifp->nbma) || IS_IPADDR_NONE(&nifp->proto[afi]))
		return false;
	addr_put(&p->src_nbma, &nifp->nbma);
	addr_put(&p->src_proto, &nifp->proto[afi]);
	return true;
}

static bool error_allowed(struct nhrp_interface *nifp)
{
	static time_t window;
	static unsigned int count;
	time_t now = monotime(NULL);

	(void)nifp;
	if (now != window) {
		window = now;
		count = 0;
	}
	return ++count <= ERROR_RATE;
}

/* Error Indication about the packet buf[0..len) (RFC 2332 5.2.7) */
static void send_error(struct interface *ifp, const struct ipaddr *to,
		       const struct nhrp_pkt *bad, uint16_t code, uint16_t off,
		       const uint8_t *buf, size_t len)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_pkt p;
	int afi = pkt_afi(bad);

	if (bad->type == NHRP_PKT_ERROR || afi < 0 || !error_allowed(nifp))
		return;
	nhrp_pkt_init(&p, NHRP_PKT_ERROR, NHRP_AFN_IPV4, bad->pro_type);
	if (!put_source(ifp, afi, &p))
		return;
	p.error_code = code;
	p.error_offset = off;
	p.dst_proto = bad->src_proto;
	p.body = buf;
	p.body_len = MIN(len, (size_t)NHRP_PKT_MAX - 64);
	nhrp_debug(COMMON, "%s: error indication to %pIA: %s", ifp->name, to,
		   nhrp_error_name(code));
	send_pkt(ifp, to, &p);
}

/* ---- client: registration and purge ---------------------------------------- */

static uint16_t our_mtu(struct interface *ifp, int afi)
{
	struct nhrp_afi_conf *ac = &nhrp_if(ifp)->afi[afi];

	if (ac->mtu_opennhrp)
		return ifp->mtu;
	return ac->mtu;
}

int nhrp_packet_send_regreq(struct nhrp_nhs *nhs)
{
	struct interface *ifp = nhs->ifp;
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_afi_conf *ac = &nifp->afi[nhs->afi];
	bool unique = !ac->no_unique;
	struct nhrp_pkt p;
	struct nhrp_cie *cie;
	struct nhrp_ext *e;

	nhrp_pkt_init(&p, NHRP_PKT_REG_REQ, NHRP_AFN_IPV4,
		      afi_pro_type(nhs->afi));
	if (!put_source(ifp, nhs->afi, &p))
		return -1;
	p.flags = NHRP_FLAG_NAT | (unique ? NHRP_FLAG_REG_UNIQUE : 0);
	p.reqid = nhs->reqid;
	/* to the server's protocol address, or ours while it is unknown */
	if (!IS_IPADDR_NONE(&nhs->proto))
		addr_put(&p.dst_proto, &nhs->proto);
	else
		p.dst_proto = p.src_proto;

	cie = nhrp_cie_add(&p, &p.cie);
	/* RFC 2332 5.2.3: with the unique bit the prefix length is 0xff */
	cie->prefix_len = unique ? 0xff : p.src_proto.len * 8;
	cie->mtu = our_mtu(ifp, nhs->afi);
	cie->holdtime = ac->holdtime;
	cie->nbma = p.src_nbma;
	cie->proto = p.src_proto;

	nhrp_ext_add(&p, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(&p, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(&p, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
	auth_put(nifp, &p);
	/* Cisco NAT extension: the server as we see it; it answers with the
	 * address our packets really came from */
	e = nhrp_ext_add(&p, NHRP_EXT_NAT_ADDRESS);
	if (e && (cie = nhrp_cie_add(&p, &e->cie))) {
		addr_put(&cie->nbma, &nhs->nbma);
		if (!IS_IPADDR_NONE(&nhs->proto))
			addr_put(&cie->proto, &nhs->proto);
		cie->prefix_len = cie->nbma.len * 8;
	}
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return send_pkt(ifp, &nhs->nbma, &p);
}

int nhrp_packet_send_purge(struct nhrp_nhs *nhs)
{
	struct interface *ifp = nhs->ifp;
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_pkt p;
	struct nhrp_cie *cie;

	if (IS_IPADDR_NONE(&nhs->proto) || IS_IPADDR_NONE(&nhs->nbma))
		return -1;
	nhrp_pkt_init(&p, NHRP_PKT_PURGE_REQ, NHRP_AFN_IPV4,
		      afi_pro_type(nhs->afi));
	if (!put_source(ifp, nhs->afi, &p))
		return -1;
	/* we are leaving: no reply wanted; the request id of the
	 * registration, as IOS expects */
	p.flags = NHRP_FLAG_PURGE_N;
	p.reqid = nhs->reqid;
	addr_put(&p.dst_proto, &nhs->proto);
	cie = nhrp_cie_add(&p, &p.cie);
	cie->prefix_len = p.src_proto.len * 8;
	cie->proto = p.src_proto;
	auth_put(nifp, &p);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return send_pkt(ifp, &nhs->nbma, &p);
}

static void recv_regreply(struct interface *ifp, struct nhrp_pkt *p)
{
	struct nhrp_nhs *nhs = nhrp_nhs_by_reqid(ifp, p->reqid);
	struct ipaddr proto = {}, nat = {};
	bool have_nat = false;
	uint8_t code = NHRP_CODE_SUCCESS;
	int i;

	if (!nhs) {
		nhrp_debug(COMMON, "%s: registration reply id %u: not ours",
			   ifp->name, p->reqid);
		nhrp_if(ifp)->stats.rx_dropped++;
		return;
	}
	if (p->cie.count)
		code = NHRP_CIE(p, p->cie, 0)->code;
	/* the server's protocol address: its responder record */
	i = nhrp_ext_find(p, NHRP_EXT_RESPONDER);
	if (i >= 0 && p->ext[i].cie.count)
		addr_get(&NHRP_CIE(p, p->ext[i].cie, 0)->proto, &proto);
	if (IS_IPADDR_NONE(&proto))
		addr_get(&p->dst_proto, &proto);
	/* Cisco NAT: a second entry is our address as the server saw it */
	i = nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS);
	if (i >= 0 && !p->ext[i].raw && p->ext[i].cie.count >= 2)
		have_nat = addr_get(&NHRP_CIE(p, p->ext[i].cie, 1)->nbma, &nat);
	nhrp_nhs_reply(nhs, code, &proto, have_nat ? &nat : NULL);
}

/* ---- server: registrations and purges ------------------------------------- */

static void to_prefix(const struct ipaddr *ip, uint8_t plen, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = IS_IPADDR_V6(ip) ? AF_INET6 : AF_INET;
	p->prefixlen = plen;
	memcpy(&p->u.prefix, &ip->ip.addr, IS_IPADDR_V6(ip) ? 16 : 4);
}

static bool in_our_subnet(struct nhrp_interface *nifp, int afi,
			  const struct ipaddr *proto)
{
	struct prefix ours = {}, theirs = {};
	uint8_t plen = nifp->proto_plen[afi];

	if (IS_IPADDR_NONE(&nifp->proto[afi]) ||
	    plen >= (afi == NHRP_AFI_IP ? 32 : 128))
		return true; /* a host address: no subnet to hold to */
	to_prefix(&nifp->proto[afi], plen, &ours);
	to_prefix(proto, plen, &theirs);
	return prefix_match(&ours, &theirs);
}

/* one registration: the CIE code to answer with */
static uint8_t do_register(struct interface *ifp, int afi,
			   const struct ipaddr *proto, const struct ipaddr *nbma,
			   const struct ipaddr *claimed, uint16_t holdtime,
			   bool unique, uint32_t reqid)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_cache *c = nhrp_cache_find(ifp, proto);

	if (!in_our_subnet(nifp, afi, proto))
		return NHRP_CODE_ADMIN_PROHIBITED;
	if (c) {
		switch (c->type) {
		case NHRP_CACHE_LOCAL:
			return NHRP_CODE_ALREADY_REGISTERED;
		case NHRP_CACHE_STATIC:
		case NHRP_CACHE_NHS:
			return ipaddr_cmp(&c->nbma, nbma) == 0
				       ? NHRP_CODE_SUCCESS
				       : NHRP_CODE_ALREADY_REGISTERED;
		case NHRP_CACHE_DYNAMIC:
			/* unique: the binding may not move until it expires */
			if (c->unique && ipaddr_cmp(&c->nbma, nbma) != 0)
				return NHRP_CODE_ALREADY_REGISTERED;
			break;
		default:
			break;
		}
	}
	if (!holdtime) {
		/* a registration for no time is a withdrawal */
		if (c && c->type == NHRP_CACHE_DYNAMIC)
			nhrp_cache_del(c);
		return NHRP_CODE_SUCCESS;
	}
	if (!c)
		c = nhrp_cache_get(ifp, proto);
	if (c->type != NHRP_CACHE_DYNAMIC ||
	    ipaddr_cmp(&c->nbma, nbma) != 0)
		zlog_info("%s: %pIA registered at %pIA%s", ifp->name, proto,
			  nbma,
			  ipaddr_cmp(nbma, claimed) != 0 ? " (behind NAT)" : "");
	c->unique = unique;
	c->reqid = reqid;
	nhrp_cache_set(c, NHRP_CACHE_DYNAMIC, nbma, claimed, holdtime);
	return NHRP_CODE_SUCCESS;
}

/* the responder record and our side of a reply */
static void put_responder(struct interface *ifp, int afi, struct nhrp_pkt *r)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	int i = nhrp_ext_find(r, NHRP_EXT_RESPONDER);
	struct nhrp_cie *cie;

	if (i < 0 || r->ext[i].raw)
		return;
	r->ext[i].cie.count = 0;
	cie = nhrp_cie_add(r, &r->ext[i].cie);
	if (!cie)
		return;
	addr_put(&cie->nbma, &nifp->nbma);
	addr_put(&cie->proto, &nifp->proto[afi]);
	cie->prefix_len = cie->proto.len * 8;
	cie->holdtime = nifp->afi[afi].holdtime;
	cie->mtu = our_mtu(ifp, afi);
}

static void recv_regreq(struct interface *ifp, const struct ipaddr *from,
			struct nhrp_pkt *p, int afi)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct ipaddr src_proto, claimed;
	bool unique = p->flags & NHRP_FLAG_REG_UNIQUE;
	int i;

	if (!addr_get(&p->src_proto, &src_proto) ||
	    !addr_get(&p->src_nbma, &claimed)) {
		nifp->stats.rx_dropped++;
		return;
	}
	/* the reply is the request, answered (RFC 2332 5.2.4), to us: a
	 * client that registers with `nhs dynamic` learns our protocol
	 * address from it */
	p->type = NHRP_PKT_REG_REPLY;
	p->hopcnt = NHRP_HOPCNT_DEFAULT;
	if (!IS_IPADDR_NONE(&nifp->proto[afi]))
		addr_put(&p->dst_proto, &nifp->proto[afi]);
	for (unsigned int n = 0; n < p->cie.count; n++) {
		struct nhrp_cie *cie = NHRP_CIE(p, p->cie, n);
		struct ipaddr proto = src_proto;

		if (cie->proto.len)
			addr_get(&cie->proto, &proto);
		cie->code = do_register(ifp, afi, &proto, from, &claimed,
					cie->holdtime, unique, p->reqid);
		if (cie->code != NHRP_CODE_SUCCESS)
			nhrp_debug(COMMON, "%s: registration of %pIA from %pIA refused: %s",
				   ifp->name, &proto, from,
				   nhrp_cie_code_name(cie->code));
	}
	put_responder(ifp, afi, p);
	/* Cisco NAT: tell the client the address we saw it at */
	i = nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS);
	if (i >= 0 && !p->ext[i].raw && ipaddr_cmp(from, &claimed) != 0) {
		struct nhrp_cie *cie = nhrp_cie_add(p, &p->ext[i].cie);

		if (cie) {
			addr_put(&cie->nbma, from);
			cie->proto = p->src_proto;
			cie->prefix_len = cie->proto.len * 8;
		}
	}
	auth_put(nifp, p);
	/* registration replies go straight back to where the request came
	 * from, whatever NAT is in between */
	send_pkt(ifp, from, p);
}

static void recv_purge(struct interface *ifp, const struct ipaddr *from,
		       struct nhrp_pkt *p)
{
	struct ipaddr src_proto;

	if (!addr_get(&p->src_proto, &src_proto))
		return;
	for (unsigned int n = 0; n < p->cie.count; n++) {
		struct nhrp_cie *cie = NHRP_CIE(p, p->cie, n);
		struct ipaddr proto = src_proto;
		struct nhrp_cache *c;

		if (cie->proto.len)
			addr_get(&cie->proto, &proto);
		c = nhrp_cache_find(ifp, &proto);
		if (!c)
			continue;
		/* a registration is withdrawn by its owner only; what we
		 * learnt from resolution, by whoever answered for it */
		if ((c->type == NHRP_CACHE_DYNAMIC &&
		     ipaddr_cmp(&c->nbma, from) == 0) ||
		    c->type <= NHRP_CACHE_CACHED) {
			zlog_info("%s: %pIA purged by %pIA", ifp->name, &proto,
				  from);
			nhrp_cache_del(c);
		}
	}
	if (p->flags & NHRP_FLAG_PURGE_N)
		return;
	p->type = NHRP_PKT_PURGE_REPLY;
	p->hopcnt = NHRP_HOPCNT_DEFAULT;
	auth_put(nhrp_if(ifp), p);
	send_pkt(ifp, from, p);
}

/* ---- resolution and redirect ------------------------------------------------ */

int nhrp_packet_send_resreq(struct interface *ifp, int afi,
			    const struct ipaddr *target, uint32_t reqid,
			    const struct ipaddr *server)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_pkt p;
	struct nhrp_cie *cie;

	nhrp_pkt_init(&p, NHRP_PKT_RES_REQ, NHRP_AFN_IPV4, afi_pro_type(afi));
	if (!put_source(ifp, afi, &p))
		return -1;
	p.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_NAT;
	p.reqid = reqid;
	addr_put(&p.dst_proto, target);
	cie = nhrp_cie_add(&p, &p.cie);
	cie->holdtime = nifp->afi[afi].holdtime;
	cie->mtu = our_mtu(ifp, afi);
	nhrp_ext_add(&p, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(&p, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(&p, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
	auth_put(nifp, &p);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return send_pkt(ifp, server, &p);
}

/* Cisco Traffic Indication: to the sender of a packet that went through
 * us, quoting its IP header and first 8 bytes of payload */
int nhrp_packet_send_traffic(struct interface *ifp, const struct ipaddr *to,
			     const uint8_t *ippkt, size_t len)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_pkt p;
	size_t quote = ((ippkt[0] & 0x0f) * 4) + 8;

	nhrp_pkt_init(&p, NHRP_PKT_TRAFFIC, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	if (!put_source(ifp, NHRP_AFI_IP, &p))
		return -1;
	p.traffic_code = NHRP_TRAFFIC_REDIRECT;
	/* the destination protocol address is the packet's source, as IOS
	 * sends it */
	nhrp_addr_set(&p.dst_proto, ippkt + 12, 4);
	p.body = ippkt;
	p.body_len = MIN(len, quote);
	nhrp_ext_add(&p, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(&p, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
	auth_put(nifp, &p);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return send_pkt(ifp, to, &p);
}

static bool in_transit(struct nhrp_interface *nifp, int afi,
		       const struct nhrp_pkt *p)
{
	int i = nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT);

	if (i < 0 || p->ext[i].raw)
		return false;
	for (unsigned int n = 0; n < p->ext[i].cie.count; n++) {
		struct ipaddr a;

		if (addr_get(&NHRP_CIE(p, p->ext[i].cie, n)->proto, &a) &&
		    ipaddr_cmp(&a, &nifp->proto[afi]) == 0)
			return true;
	}
	return false;
}

/* our record in a Forward or Reverse Transit NHS Record extension, as a
 * station that passes the packet on */
static void add_transit_record(struct interface *ifp, int afi,
			       struct nhrp_pkt *p, uint16_t type)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	int i = nhrp_ext_find(p, type);
	struct nhrp_cie *cie;

	if (i < 0 || p->ext[i].raw || !(cie = nhrp_cie_add(p, &p->ext[i].cie)))
		return;
	addr_put(&cie->nbma, &nifp->nbma);
	addr_put(&cie->proto, &nifp->proto[afi]);
	cie->prefix_len = cie->proto.len * 8;
	cie->holdtime = nifp->afi[afi].holdtime;
}

/* answer a Resolution Request with the binding `nbma`/`proto` serving
 * `prefixlen` bits of the target; straight to the requester, as DMVPN
 * does (the reply need not cross the hub) */
static void answer_resreq(struct interface *ifp, int afi, struct nhrp_pkt *p,
			  uint8_t code, uint8_t prefixlen,
			  const struct ipaddr *nbma, const struct ipaddr *proto,
			  uint16_t holdtime)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct ipaddr to;
	struct nhrp_cie *cie;

	if (!addr_get(&p->src_nbma, &to))
		return;
	p->type = NHRP_PKT_RES_REPLY;
	p->hopcnt = NHRP_HOPCNT_DEFAULT;
	p->flags |= NHRP_FLAG_RES_A | NHRP_FLAG_RES_D;
	if (!p->cie.count)
		nhrp_cie_add(p, &p->cie);
	cie = NHRP_CIE(p, p->cie, 0);
	p->cie.count = 1;
	cie->code = code;
	cie->prefix_len = prefixlen;
	cie->holdtime = holdtime;
	cie->mtu = our_mtu(ifp, afi);
	memset(&cie->nbma, 0, sizeof(cie->nbma));
	memset(&cie->proto, 0, sizeof(cie->proto));
	if (code == NHRP_CODE_SUCCESS) {
		addr_put(&cie->nbma, nbma);
		addr_put(&cie->proto, proto);
	}
	put_responder(ifp, afi, p);
	auth_put(nifp, p);
	send_pkt(ifp, &to, p);
}

/* one of our own addresses: the prefix of the network it is on (a
 * tunnel address only answers for itself) */
static uint8_t local_prefixlen(struct interface *nhrp_ifp,
			       const struct ipaddr *addr)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	uint8_t host = IS_IPADDR_V6(addr) ? 128 : 32;
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp) {
		struct connected *ifc;
		struct listnode *node;

		if (ifp == nhrp_ifp)
			continue;
		for (ALL_LIST_ELEMENTS_RO(ifp->connected, node, ifc))
			if (memcmp(&ifc->address->u.prefix, &addr->ip.addr,
				   host / 8) == 0 &&
			    ifc->address->family ==
				    (IS_IPADDR_V6(addr) ? AF_INET6 : AF_INET))
				return ifc->address->prefixlen;
	}
	return host;
}

static void recv_resreq(struct interface *ifp, const struct ipaddr *from,
			struct nhrp_pkt *p, int afi, const uint8_t *buf,
			size_t len)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct ipaddr target, next, src_proto, src_nbma;
	struct nhrp_route_info ri;
	struct nhrp_cache *c;
	uint16_t holdtime = nifp->afi[afi].holdtime;

	if (!addr_get(&p->dst_proto, &target) ||
	    !addr_get(&p->src_proto, &src_proto) ||
	    !addr_get(&p->src_nbma, &src_nbma))
		return;
	if (in_transit(nifp, afi, p)) {
		send_error(ifp, from, p, NHRP_ERR_LOOP_DETECTED, 0, buf, len);
		return;
	}
	/* the requester's own binding: replies and return traffic can go
	 * straight to it (a spoke that holds a shortcut still answers, and
	 * the shortcut works both ways: FRR #4845) */
	c = nhrp_cache_find(ifp, &src_proto);
	if (!c || c->type <= NHRP_CACHE_CACHED) {
		c = c ? c : nhrp_cache_get(ifp, &src_proto);
		nhrp_cache_set(c, NHRP_CACHE_CACHED, &src_nbma, NULL, holdtime);
	}

	/* a tunnel address registered with us, or our own */
	c = nhrp_cache_find(ifp, &target);
	if (c && c->type == NHRP_CACHE_LOCAL) {
		answer_resreq(ifp, afi, p, NHRP_CODE_SUCCESS,
			      p->dst_proto.len * 8, &nifp->nbma, &target,
			      holdtime);
		return;
	}
	if (c && (c->type == NHRP_CACHE_DYNAMIC || c->type == NHRP_CACHE_STATIC) &&
	    !IS_IPADDR_NONE(&c->nbma)) {
		uint16_t left = c->expires ? MAX(c->expires - monotime(NULL), 1)
					   : holdtime;

		answer_resreq(ifp, afi, p, NHRP_CODE_SUCCESS,
			      p->dst_proto.len * 8, &c->nbma, &target, left);
		return;
	}
	/* otherwise the routing table says who serves it */
	if (nhrp_kernel_route_get(&target, &ri) < 0) {
		answer_resreq(ifp, afi, p, NHRP_CODE_NO_BINDING, 0, NULL, NULL,
			      0);
		return;
	}
	if (ri.local || ri.oif != ifp->ifindex) {
		/* behind us, not behind the tunnel: we are the egress and
		 * answer for the whole prefix */
		if (ri.local)
			ri.prefixlen = local_prefixlen(ifp, &target);
		answer_resreq(ifp, afi, p, NHRP_CODE_SUCCESS, ri.prefixlen,
			      &nifp->nbma, &nifp->proto[afi], holdtime);
		return;
	}
	/* behind another station of the cloud: forward to it */
	next = IS_IPADDR_NONE(&ri.gateway) ? target : ri.gateway;
	c = nhrp_cache_find(ifp, &next);
	if (!c || IS_IPADDR_NONE(&c->nbma) || ipaddr_cmp(&c->nbma, from) == 0 ||
	    c->type == NHRP_CACHE_LOCAL) {
		answer_resreq(ifp, afi, p, NHRP_CODE_NO_BINDING, 0, NULL, NULL,
			      0);
		return;
	}
	if (p->hopcnt <= 1) {
		send_error(ifp, from, p, NHRP_ERR_HOP_COUNT, 0, buf, len);
		return;
	}
	p->hopcnt--;
	add_transit_record(ifp, afi, p, NHRP_EXT_FWD_TRANSIT);
	auth_put(nifp, p);
	nhrp_debug(COMMON, "%s: resolution of %pIA forwarded to %pIA",
		   ifp->name, &target, &c->nbma);
	send_pkt(ifp, &c->nbma, p);
}

/* a Resolution Reply for another station's request: responders that
 * send their reply back along the request's path (FRR's nhrpd) make the
 * NHS that forwarded the request pass it on to the requester (RFC 2332
 * 5.2.2: hop count decremented, our Reverse Transit NHS record added) */
static bool forward_resreply(struct interface *ifp, const struct ipaddr *from,
			     struct nhrp_pkt *p, int afi, const uint8_t *buf,
			     size_t len)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct ipaddr requester, to;
	struct nhrp_cache *c;

	if (!addr_get(&p->src_proto, &requester) ||
	    ipaddr_cmp(&requester, &nifp->proto[afi]) == 0)
		return false;
	c = nhrp_cache_find(ifp, &requester);
	if (c && c->type == NHRP_CACHE_LOCAL)
		return false;
	if (c && !IS_IPADDR_NONE(&c->nbma))
		to = c->nbma;
	else if (!addr_get(&p->src_nbma, &to))
		return true;
	if (ipaddr_cmp(&to, from) == 0)
		return true; /* never back where it came from */
	if (p->hopcnt <= 1) {
		send_error(ifp, from, p, NHRP_ERR_HOP_COUNT, 0, buf, len);
		return true;
	}
	p->hopcnt--;
	add_transit_record(ifp, afi, p, NHRP_EXT_REV_TRANSIT);
	auth_put(nifp, p);
	nhrp_debug(COMMON, "%s: resolution reply id %u for %pIA forwarded to %pIA",
		   ifp->name, p->reqid, &requester, &to);
	send_pkt(ifp, &to, p);
	return true;
}

static void recv_resreply(struct interface *ifp, const struct ipaddr *from,
			  struct nhrp_pkt *p, int afi, const uint8_t *buf,
			  size_t len)
{
	struct ipaddr via = {}, nbma = {};
	struct nhrp_cie *cie;

	if (forward_resreply(ifp, from, p, afi, buf, len))
		return;
	if (!p->cie.count) {
		nhrp_shortcut_reply(ifp, p->reqid, NHRP_CODE_NO_BINDING, 0,
				    NULL, NULL, 0);
		return;
	}
	cie = NHRP_CIE(p, p->cie, 0);
	addr_get(&cie->proto, &via);
	addr_get(&cie->nbma, &nbma);
	nhrp_shortcut_reply(ifp, p->reqid, cie->code, cie->prefix_len, &via,
			    &nbma, cie->holdtime);
}

static void recv_traffic(struct interface *ifp, struct nhrp_pkt *p, int afi)
{
	struct ipaddr dst = {};

	/* the quoted packet's destination is what to resolve */
	if (afi != NHRP_AFI_IP || p->body_len < 20 || (p->body[0] >> 4) != 4)
		return;
	SET_IPADDR_V4(&dst);
	memcpy(&dst.ipaddr_v4, p->body + 16, 4);
	nhrp_shortcut_traffic(ifp, afi, &dst);
}

/* ---- receiving ------------------------------------------------------------- */

static void nhrp_packet_recv(int ifindex, const struct ipaddr *from,
			     const uint8_t *buf, size_t len)
{
	struct interface *ifp = if_lookup_by_index(ifindex, VRF_DEFAULT);
	struct nhrp_interface *nifp;
	struct nhrp_pkt p;
	int ret, afi;

	if (!ifp || !(nifp = nhrp_if(ifp)))
		return;
	if (!nifp->enabled[NHRP_AFI_IP] && !nifp->enabled[NHRP_AFI_IP6])
		return;
	ret = nhrp_decode(buf, len, &p);
	if (ret < 0) {
		uint16_t code = nhrp_reason_error_code(ret);

		if (-ret == NHRP_E_CHECKSUM)
			nifp->stats.rx_bad_checksum++;
		else
			nifp->stats.rx_malformed++;
		nifp->stats.rx_dropped++;
		nhrp_debug(COMMON, "%s: packet from %pIA refused: %s at %u",
			   ifp->name, from, nhrp_reason_name(ret), p.fault_off);
		if (code)
			send_error(ifp, from, &p, code, p.fault_off, buf, len);
		return;
	}
	nifp->stats.rx[p.type]++;
	afi = pkt_afi(&p);
	if (afi < 0 || !nifp->enabled[afi]) {
		nifp->stats.rx_dropped++;
		return;
	}
	if (!auth_ok(nifp, &p)) {
		int i = nhrp_ext_find(&p, NHRP_EXT_AUTH);

		nifp->stats.rx_auth_fail++;
		nifp->stats.rx_dropped++;
		nhrp_debug(COMMON, "%s: %s from %pIA: authentication failed",
			   ifp->name, nhrp_type_name(p.type), from);
		send_error(ifp, from, &p, NHRP_ERR_AUTH_FAILURE,
			   i >= 0 ? p.ext[i].off : 0, buf, len);
		return;
	}
	if (p.unknown_c_off) {
		nifp->stats.rx_dropped++;
		send_error(ifp, from, &p, NHRP_ERR_UNRECOGNIZED_EXT,
			   p.unknown_c_off, buf, len);
		return;
	}
	nhrp_debug(COMMON, "%s: received %s id %u from %pIA", ifp->name,
		   nhrp_type_name(p.type), p.reqid, from);

	switch (p.type) {
	case NHRP_PKT_REG_REQ:
		recv_regreq(ifp, from, &p, afi);
		break;
	case NHRP_PKT_REG_REPLY:
		recv_regreply(ifp, &p);
		break;
	case NHRP_PKT_PURGE_REQ:
		recv_purge(ifp, from, &p);
		break;
	case NHRP_PKT_RES_REQ:
		recv_resreq(ifp, from, &p, afi, buf, len);
		break;
	case NHRP_PKT_RES_REPLY:
		recv_resreply(ifp, from, &p, afi, buf, len);
		break;
	case NHRP_PKT_TRAFFIC:
		recv_traffic(ifp, &p, afi);
		break;
	case NHRP_PKT_ERROR:
		nhrp_debug(COMMON, "%s: error indication from %pIA: %s",
			   ifp->name, from, nhrp_error_name(p.error_code));
		break;
	default:
		break;
	}
}

void nhrp_packet_init(void)
{
	nhrp_io_init(nhrp_packet_recv);
}

void nhrp_packet_fini(void)
{
	nhrp_io_fini();
}
