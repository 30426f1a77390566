// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: Purge Requests and Replies (RFC 2332 5.2.5-5.2.6).  A purge
 * removes bindings: a registration is withdrawn by its owner only (the
 * NBMA address it was registered from), what we learnt from a resolution
 * by whoever answered for it.  The reply, unless the N bit asks for none,
 * is the request answered, straight back to the sender.
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"

int nhrp_purge_send(struct interface *ifp, int afi, const struct ipaddr *nbma,
		    const struct ipaddr *dst, uint32_t reqid,
		    const struct ipaddr *proto, bool no_reply)
{
	struct nhrp_pkt p;
	struct nhrp_cie *cie;

	if (!nhrp_pdu_init(&p, NHRP_PKT_PURGE_REQ, ifp, afi))
		return -1;
	p.flags = no_reply ? NHRP_FLAG_PURGE_N : 0;
	p.reqid = reqid;
	nhrp_ip_to_addr(&p.dst_proto, dst);
	cie = nhrp_cie_add(&p, &p.cie);
	nhrp_ip_to_addr(&cie->proto, proto);
	cie->prefix_len = cie->proto.len * 8;
	nhrp_auth_put(ifp, &p);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return nhrp_pdu_send(ifp, nbma, &p);
}

void nhrp_purge_request(struct nhrp_rx *rx)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_pkt *p = rx->p;
	struct ipaddr src_proto;

	if (!nhrp_addr_to_ip(&p->src_proto, &src_proto))
		return;
	for (unsigned int n = 0; n < p->cie.count; n++) {
		struct nhrp_cie *cie = NHRP_CIE(p, p->cie, n);
		struct ipaddr proto = src_proto;
		struct nhrp_cache *c;

		if (cie->proto.len)
			nhrp_addr_to_ip(&cie->proto, &proto);
		c = nhrp_cache_find(ifp, &proto);
		if (!c)
			continue;
		if ((c->type == NHRP_CACHE_DYNAMIC && c->peer &&
		     ipaddr_cmp(&c->peer->nbma, &rx->from) == 0) ||
		    c->type <= NHRP_CACHE_CACHED) {
			zlog_info("%s: %pIA purged by %pIA", ifp->name, &proto,
				  &rx->from);
			nhrp_cache_del(c);
		}
	}
	if (p->flags & NHRP_FLAG_PURGE_N)
		return;
	p->type = NHRP_PKT_PURGE_REPLY;
	p->hopcnt = NHRP_HOPCNT_DEFAULT;
	nhrp_auth_put(ifp, p);
	nhrp_pdu_send(ifp, &rx->from, p);
}

void nhrp_purge_reply(struct nhrp_rx *rx)
{
	/* we send our purges with the N bit: a reply is not ours to wait
	 * for */
	nhrp_debug(COMMON, "%s: purge reply id %u from %pIA", rx->ifp->name,
		   rx->p->reqid, &rx->from);
}
