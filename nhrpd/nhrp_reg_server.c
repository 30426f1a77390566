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

#include "nhrpd/nhrp_authorize.h"
#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"

/* a CIE whose binding waits for its verdict (never on the wire) */
#define CODE_WAITING 0xff

/* how many addresses the NBMA address has registered with us */
static unsigned int registered_at(struct interface *ifp,
				  const struct ipaddr *nbma)
{
	struct nhrp_peer *peer = nhrp_peer_find(ifp, nbma);

	return peer ? peer->ndynamic : 0;
}

/* one registration: the CIE code to answer with */
static uint8_t do_register(struct nhrp_rx *rx, const struct ipaddr *proto,
			   const struct ipaddr *claimed, uint16_t holdtime,
			   bool unique)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_afi_conf *ac = &nhrp_if(ifp)->afi[rx->afi];
	struct nhrp_cache *c = nhrp_cache_find(ifp, proto);
	const struct ipaddr *nbma = &rx->from;
	static struct nhrp_ratelimit rl_new, rl_full;
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
	/* one NBMA address registers a bounded number of addresses: one
	 * peer never gets more than that many copies of anything */
	if ((!c || c->type != NHRP_CACHE_DYNAMIC || moved) &&
	    registered_at(ifp, nbma) >= ac->max_per_nbma) {
		nhrp_log_limited(&rl_full, "%s: %pIA not registered: %pIA has %u already",
				 ifp->name, proto, nbma, ac->max_per_nbma);
		return NHRP_CODE_NO_RESOURCES;
	}
	/* a new binding, or one that moves: an external program may have a
	 * say (`nhrp event socket`) */
	if (!c || c->type != NHRP_CACHE_DYNAMIC || moved) {
		switch (nhrp_authorize(rx, proto,
				       c ? c->type : NHRP_CACHE_INVALID)) {
		case NHRP_AUTH_REFUSE:
			return NHRP_CODE_ADMIN_PROHIBITED;
		case NHRP_AUTH_ASKED:
			return CODE_WAITING;
		case NHRP_AUTH_ACCEPT:
			break;
		}
	}
	if (!c && !(c = nhrp_cache_get_learnt(ifp, proto)))
		return NHRP_CODE_NO_RESOURCES;
	if (c->type != NHRP_CACHE_DYNAMIC || moved)
		nhrp_log_limited(&rl_new, "%s: %pIA registered at %pIA%s",
				 ifp->name, proto, nbma,
				 ipaddr_cmp(nbma, claimed) != 0 ? " (behind NAT)"
								  : "");
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
	/* a retransmission of a request that waits for its verdicts */
	if (nhrp_authorize_waiting(rx)) {
		nhrp_debug(COMMON, "%s: registration id %u from %pIA: waiting for authorisation",
			   ifp->name, p->reqid, &rx->from);
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
		/* no longer than we keep registrations: the reply says so */
		if (cie->holdtime > nifp->afi[rx->afi].max_holdtime)
			cie->holdtime = nifp->afi[rx->afi].max_holdtime;
		cie->code = do_register(rx, &proto, &claimed, cie->holdtime,
					unique);
		if (cie->code != NHRP_CODE_SUCCESS && cie->code != CODE_WAITING)
			nhrp_debug(COMMON, "%s: registration of %pIA from %pIA refused: %s",
				   ifp->name, &proto, &rx->from,
				   nhrp_cie_code_name(cie->code));
	}
	/* answered once every verdict is in */
	if (nhrp_authorize_park(rx))
		return;
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
