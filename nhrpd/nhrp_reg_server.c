// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: registration, the next hop server's side (RFC 2332 5.2.3-5.2.4).
 * A Registration Request binds each of its CIEs' protocol addresses to the
 * NBMA address the packet came from (which NAT may have changed: the
 * address the client claims is kept beside it); the reply is the request
 * with a code per CIE, sent straight back to that address.
 *
 * Refused: addresses outside the interface's network (code 4), addresses
 * that are ours, static, another server's, or registered unique from
 * another NBMA address (code 14).  A holding time of 0 withdraws.
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"

/* one registration: the CIE code to answer with */
static uint8_t do_register(struct nhrp_rx *rx, const struct ipaddr *proto,
			   const struct ipaddr *claimed, uint16_t holdtime,
			   bool unique)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_cache *c = nhrp_cache_find(ifp, proto);
	const struct ipaddr *nbma = &rx->from;
	bool moved;

	if (!nhrp_if_in_subnet(ifp, rx->afi, proto))
		return NHRP_CODE_ADMIN_PROHIBITED;
	moved = c && c->peer && ipaddr_cmp(&c->peer->nbma, nbma) != 0;
	if (c) {
		switch (c->type) {
		case NHRP_CACHE_LOCAL:
			return NHRP_CODE_ALREADY_REGISTERED;
		case NHRP_CACHE_STATIC:
		case NHRP_CACHE_NHS:
			return moved || !c->peer ? NHRP_CODE_ALREADY_REGISTERED
						 : NHRP_CODE_SUCCESS;
		case NHRP_CACHE_DYNAMIC:
			/* unique: the binding may not move until it expires */
			if (c->unique && moved)
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
	if (c->type != NHRP_CACHE_DYNAMIC || moved)
		zlog_info("%s: %pIA registered at %pIA%s", ifp->name, proto,
			  nbma,
			  ipaddr_cmp(nbma, claimed) != 0 ? " (behind NAT)" : "");
	c->unique = unique;
	c->reqid = rx->p->reqid;
	nhrp_cache_set(c, NHRP_CACHE_DYNAMIC, nbma, claimed, holdtime);
	c->peer->stats.registrations++;
	rx->peer = c->peer;
	return NHRP_CODE_SUCCESS;
}

void nhrp_reg_server_request(struct nhrp_rx *rx)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_pkt *p = rx->p;
	struct ipaddr src_proto, claimed;
	bool unique = p->flags & NHRP_FLAG_REG_UNIQUE;
	int i;

	if (!nhrp_addr_to_ip(&p->src_proto, &src_proto) ||
	    !nhrp_addr_to_ip(&p->src_nbma, &claimed)) {
		nifp->stats.rx_dropped++;
		return;
	}
	/* the reply is the request, answered (RFC 2332 5.2.4), from us: a
	 * client that registers with `nhs dynamic` learns our protocol
	 * address from it */
	p->type = NHRP_PKT_REG_REPLY;
	p->hopcnt = NHRP_HOPCNT_DEFAULT;
	if (!IS_IPADDR_NONE(&nifp->proto[rx->afi]))
		nhrp_ip_to_addr(&p->dst_proto, &nifp->proto[rx->afi]);
	for (unsigned int n = 0; n < p->cie.count; n++) {
		struct nhrp_cie *cie = NHRP_CIE(p, p->cie, n);
		struct ipaddr proto = src_proto;

		if (cie->proto.len)
			nhrp_addr_to_ip(&cie->proto, &proto);
		cie->code = do_register(rx, &proto, &claimed, cie->holdtime,
					unique);
		if (cie->code != NHRP_CODE_SUCCESS)
			nhrp_debug(COMMON, "%s: registration of %pIA from %pIA refused: %s",
				   ifp->name, &proto, &rx->from,
				   nhrp_cie_code_name(cie->code));
	}
	nhrp_ext_responder(ifp, rx->afi, p);
	/* Cisco NAT: tell the client the address we saw it at */
	i = nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS);
	if (i >= 0 && !p->ext[i].raw && ipaddr_cmp(&rx->from, &claimed) != 0) {
		struct nhrp_cie *cie = nhrp_cie_add(p, &p->ext[i].cie);

		if (cie) {
			nhrp_ip_to_addr(&cie->nbma, &rx->from);
			cie->proto = p->src_proto;
			cie->prefix_len = cie->proto.len * 8;
		}
	}
	nhrp_auth_put(ifp, p);
	/* registration replies go straight back to where the request came
	 * from, whatever NAT is in between */
	nhrp_pdu_send(ifp, &rx->from, p);
}
