// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: resolution at a station (RFC 2332 5.2.1-5.2.2, 5.3): Resolution
 * Requests answered or forwarded, Resolution Replies passed on.
 *
 * A request for an address registered with us (or our own) is answered
 * from the cache.  Otherwise zebra's route decides: behind another station
 * of the cloud, the request is forwarded to it (hop count decremented, our
 * Forward Transit record added, loops detected by our own record); behind
 * us, we answer authoritatively with the prefix we serve (the route's, not
 * a /32), straight to the requester.  The requester's own binding is
 * cached on the way, so return traffic and the other direction's
 * resolution need no extra round.
 *
 * A reply that is not for us (responders that send it back along the
 * request's path, as FRR's nhrpd does) goes on to the requester; ours goes
 * to the request's owner (nhrp_reqid.h).
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_reqid.h"
#include "nhrpd/nhrp_system.h"

/* answer rx's Resolution Request with the binding nbma/proto serving
 * prefixlen bits of the target; straight to the requester, as DMVPN does
 * (the reply need not cross the hub) */
static void answer(struct nhrp_rx *rx, uint8_t code, uint8_t prefixlen,
		   const struct ipaddr *nbma, const struct ipaddr *proto,
		   uint16_t holdtime)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_pkt *p = rx->p;
	struct ipaddr to;
	struct nhrp_cie *cie;

	if (!nhrp_addr_to_ip(&p->src_nbma, &to))
		return;
	p->type = NHRP_PKT_RES_REPLY;
	p->hopcnt = NHRP_HOPCNT_DEFAULT;
	p->flags |= NHRP_FLAG_RES_A | NHRP_FLAG_RES_D;
	if (!p->cie.count && !nhrp_cie_add(p, &p->cie))
		return;
	cie = NHRP_CIE(p, p->cie, 0);
	p->cie.count = 1;
	cie->code = code;
	cie->prefix_len = prefixlen;
	cie->holdtime = holdtime;
	cie->mtu = nhrp_if_mtu(ifp, rx->afi);
	memset(&cie->nbma, 0, sizeof(cie->nbma));
	memset(&cie->proto, 0, sizeof(cie->proto));
	if (code == NHRP_CODE_SUCCESS) {
		nhrp_ip_to_addr(&cie->nbma, nbma);
		nhrp_ip_to_addr(&cie->proto, proto);
	}
	nhrp_ext_responder(ifp, rx->afi, p);
	nhrp_auth_put(ifp, p);
	nhrp_pdu_send(ifp, &to, p);
}

static void answer_none(struct nhrp_rx *rx)
{
	answer(rx, NHRP_CODE_NO_BINDING, 0, NULL, NULL, 0);
}

/* pass rx's packet on to nbma as a transit station: hop count, our
 * record in the given transit extension, our authentication */
static void pass_on(struct nhrp_rx *rx, const struct ipaddr *nbma,
		    uint16_t transit)
{
	struct nhrp_pkt *p = rx->p;

	if (p->hopcnt <= 1) {
		nhrp_error_send(rx, NHRP_ERR_HOP_COUNT, 0);
		return;
	}
	p->hopcnt--;
	nhrp_ext_transit_add(rx->ifp, rx->afi, p, transit);
	nhrp_auth_put(rx->ifp, p);
	nhrp_pdu_send(rx->ifp, nbma, p);
}

void nhrp_resolution_request(struct nhrp_rx *rx)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_pkt *p = rx->p;
	struct ipaddr target, next, src_proto, src_nbma;
	struct nhrp_route_info ri;
	struct nhrp_cache *c;
	uint16_t holdtime = nifp->afi[rx->afi].holdtime;

	if (!nhrp_addr_to_ip(&p->dst_proto, &target) ||
	    !nhrp_addr_to_ip(&p->src_proto, &src_proto) ||
	    !nhrp_addr_to_ip(&p->src_nbma, &src_nbma))
		return;
	if (nhrp_ext_transit_has_us(ifp, rx->afi, p)) {
		nhrp_error_send(rx, NHRP_ERR_LOOP_DETECTED, 0);
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
		answer(rx, NHRP_CODE_SUCCESS, p->dst_proto.len * 8,
		       &nifp->nbma, &target, holdtime);
		return;
	}
	if (c && c->peer &&
	    (c->type == NHRP_CACHE_DYNAMIC || c->type == NHRP_CACHE_STATIC)) {
		uint32_t left = nhrp_cache_left(c);

		answer(rx, NHRP_CODE_SUCCESS, p->dst_proto.len * 8,
		       &c->peer->nbma, &target,
		       c->expires ? MAX(left, 1) : holdtime);
		return;
	}
	/* otherwise the routing table says who serves it */
	if (nhrp_sys->route_lookup(&target, &ri) < 0) {
		answer_none(rx);
		return;
	}
	if (ri.ifindex != ifp->ifindex) {
		/* behind us, not behind the tunnel: we are the egress and
		 * answer for the whole prefix */
		answer(rx, NHRP_CODE_SUCCESS, ri.prefix.prefixlen, &nifp->nbma,
		       &nifp->proto[rx->afi], holdtime);
		return;
	}
	/* behind another station of the cloud: forward to it */
	next = IS_IPADDR_NONE(&ri.gateway) ? target : ri.gateway;
	c = nhrp_cache_find(ifp, &next);
	if (!c || !c->peer || ipaddr_cmp(&c->peer->nbma, &rx->from) == 0) {
		answer_none(rx);
		return;
	}
	nhrp_debug(COMMON, "%s: resolution of %pIA forwarded to %pIA",
		   ifp->name, &target, &c->peer->nbma);
	pass_on(rx, &c->peer->nbma, NHRP_EXT_FWD_TRANSIT);
}

/* a reply for another station's request goes on to the requester; false
 * when it is for us */
static bool forward_reply(struct nhrp_rx *rx)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_pkt *p = rx->p;
	struct ipaddr requester, to;
	struct nhrp_cache *c;

	if (!nhrp_addr_to_ip(&p->src_proto, &requester) ||
	    ipaddr_cmp(&requester, &nhrp_if(ifp)->proto[rx->afi]) == 0)
		return false;
	c = nhrp_cache_find(ifp, &requester);
	if (c && c->type == NHRP_CACHE_LOCAL)
		return false;
	if (c && c->peer)
		to = c->peer->nbma;
	else if (!nhrp_addr_to_ip(&p->src_nbma, &to))
		return true;
	if (ipaddr_cmp(&to, &rx->from) == 0)
		return true; /* never back where it came from */
	nhrp_debug(COMMON, "%s: resolution reply id %u for %pIA forwarded to %pIA",
		   ifp->name, p->reqid, &requester, &to);
	pass_on(rx, &to, NHRP_EXT_REV_TRANSIT);
	return true;
}

void nhrp_resolution_reply(struct nhrp_rx *rx)
{
	struct nhrp_reqid *r;

	if (forward_reply(rx))
		return;
	r = nhrp_reqid_lookup(rx->p->reqid, NHRP_PKT_RES_REPLY);
	if (!r) {
		nhrp_debug(COMMON, "%s: resolution reply id %u: not ours",
			   rx->ifp->name, rx->p->reqid);
		nhrp_if(rx->ifp)->stats.rx_dropped++;
		return;
	}
	r->cb(r, rx);
}
