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

/* refusals to strangers: 10 a second to one NBMA address, 200 to all */
static struct nhrp_source_limit refusals = {.per_source = 10, .total = 200};

/* where the requester really is: what the NAT extension says (a server
 * on the way filled it in), else where the packet came from if it came
 * straight from the requester (no server on the way), else where it says
 * it is */
static void requester_nbma(struct nhrp_rx *rx, const struct ipaddr *src_proto,
			   const struct ipaddr *claimed, struct ipaddr *real)
{
	if (nhrp_ext_nat_find(rx->p, src_proto, real))
		return;
	if (!nhrp_ext_transit_count(rx->p, NHRP_EXT_FWD_TRANSIT))
		*real = rx->from;
	else
		*real = *claimed;
}

/* may we believe what the request says of its requester, and act on it?
 * Straight from the requester (no server on the way): only if its address
 * is bound to where the request came from already (it registered with us,
 * is mapped, or we learnt it from an exchange); passed on by a server:
 * only by one we trust.  Never for an address outside our network. */
static bool requester_trusted(struct nhrp_rx *rx, const struct ipaddr *src_proto)
{
	struct nhrp_cache *c;

	if (!nhrp_if_in_subnet(rx->ifp, rx->afi, src_proto))
		return false;
	if (nhrp_ext_transit_count(rx->p, NHRP_EXT_FWD_TRANSIT))
		return nhrp_peer_trusted(rx->peer);
	c = nhrp_cache_find(rx->ifp, src_proto);
	return c && c->peer && nhrp_cache_type_binds(c->type) &&
	       ipaddr_cmp(&c->peer->nbma, &rx->from) == 0;
}

/* answer rx's Resolution Request with the binding nbma/proto serving
 * prefixlen bits of the target; straight to the requester (at `to`, where
 * it really is), as DMVPN does: the reply need not cross the hub.  But a
 * requester behind NAT that asked through a server gets it back through
 * that server: its NAT knows the server, not us, and would drop a reply
 * from an address it never sent to (the server passes it on, RFC 2332
 * 5.2.2, to where the requester registered from) */
static void answer(struct nhrp_rx *rx, const struct ipaddr *to, uint8_t code,
		   uint8_t prefixlen, const struct ipaddr *nbma,
		   const struct ipaddr *proto, uint16_t holdtime)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_pkt *p = rx->p;
	struct nhrp_cie *cie;
	struct ipaddr claimed;

	if (nhrp_addr_to_ip(&p->src_nbma, &claimed) &&
	    ipaddr_cmp(&claimed, to) != 0 &&
	    nhrp_ext_transit_count(p, NHRP_EXT_FWD_TRANSIT) &&
	    ipaddr_cmp(to, &rx->from) != 0)
		to = &rx->from;

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
	cie->pref = NHRP_PREF_DEFAULT;
	memset(&cie->nbma, 0, sizeof(cie->nbma));
	memset(&cie->proto, 0, sizeof(cie->proto));
	if (code == NHRP_CODE_SUCCESS) {
		nhrp_ip_to_addr(&cie->nbma, nbma);
		nhrp_ip_to_addr(&cie->proto, proto);
	}
	nhrp_ext_responder(ifp, rx->afi, p);
	/* where we really are, if NAT is in between (and nothing of the
	 * requester's: its binding is not ours to pass on) */
	if (nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS) >= 0 ||
	    !IS_IPADDR_NONE(&nhrp_if(ifp)->nat_nbma))
		nhrp_ext_nat(ifp, rx->afi, p);
	nhrp_auth_put(ifp, p);
	nhrp_pdu_send(ifp, to, p);
}

/* the largest NHRP packet the NBMA network carries for us: the tunnel's
 * MTU (GRE's payload), and never more than we send */
static size_t sdu_max(struct interface *ifp)
{
	if (ifp->mtu > 0 && ifp->mtu < NHRP_PKT_MAX)
		return ifp->mtu;
	return NHRP_PKT_MAX;
}

/* pass rx's packet on to nbma as a transit station: hop count, our
 * record in the given transit extension, our authentication; a packet
 * that our record makes too large for the NBMA network is not passed on,
 * its sender gets Error Indication 8 (RFC 2332 5.3: SDU Size Exceeded) */
static void pass_on(struct nhrp_rx *rx, const struct ipaddr *nbma,
		    uint16_t transit)
{
	struct nhrp_pkt *p = rx->p;
	int len;

	if (p->hopcnt <= 1) {
		nhrp_error_send(rx, NHRP_ERR_HOP_COUNT, NHRP_OFF_HOPCNT);
		return;
	}
	p->hopcnt--;
	nhrp_ext_transit_add(rx->ifp, rx->afi, p, transit);
	nhrp_auth_put(rx->ifp, p);
	len = nhrp_encode(p, NULL, 0);
	if (len > 0 && (size_t)len > sdu_max(rx->ifp)) {
		nhrp_debug(COMMON, "%s: %s of %d bytes not passed on to %pIA: the NBMA network carries %zu",
			   rx->ifp->name, nhrp_type_name(p->type), len, nbma,
			   sdu_max(rx->ifp));
		nhrp_error_send(rx, NHRP_ERR_SDU_SIZE, NHRP_OFF_PKTSZ);
		return;
	}
	nhrp_pdu_send(rx->ifp, nbma, p);
}

void nhrp_resolution_request(struct nhrp_rx *rx)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_pkt *p = rx->p;
	struct ipaddr target, next, src_proto, src_nbma, real;
	struct nhrp_route_info ri;
	struct nhrp_cache *c;
	uint16_t holdtime = nifp->afi[rx->afi].holdtime;

	if (!nhrp_addr_to_ip(&p->dst_proto, &target) ||
	    !nhrp_addr_to_ip(&p->src_proto, &src_proto) ||
	    !nhrp_addr_to_ip(&p->src_nbma, &src_nbma))
		return;
	if (nhrp_ext_transit_has_us(ifp, rx->afi, p)) {
		/* RFC 2332 5.3: the offset points at the Forward Transit
		 * NHS Record extension that names us */
		nhrp_error_send(rx, NHRP_ERR_LOOP_DETECTED,
				p->ext[nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT)].off);
		return;
	}
	requester_nbma(rx, &src_proto, &src_nbma, &real);
	/* from a stranger, or for an address that is not its to ask with:
	 * no state, nothing passed on (a forged request must not bind an
	 * address to its sender, here or at the station it would reach) */
	if (!requester_trusted(rx, &src_proto)) {
		nhrp_debug(COMMON, "%s: resolution of %pIA for %pIA from %pIA refused: not a known station",
			   ifp->name, &target, &src_proto, &rx->from);
		/* the refusal is rate-limited per source: no reflector */
		if (nhrp_source_limit(&refusals, &rx->from))
			answer(rx, &rx->from, NHRP_CODE_ADMIN_PROHIBITED, 0,
			       NULL, NULL, 0);
		return;
	}
	/* the requester's own binding: replies and return traffic can go
	 * straight to it (a spoke that holds a shortcut still answers, and
	 * the shortcut works both ways: FRR #4845) */
	c = nhrp_cache_find(ifp, &src_proto);
	if ((!c || c->type <= NHRP_CACHE_CACHED) &&
	    (c || (c = nhrp_cache_get_learnt(ifp, &src_proto))))
		nhrp_cache_set(c, NHRP_CACHE_CACHED, &real, &src_nbma, holdtime);

	/* our own address, or one mapped statically: answered here */
	c = nhrp_cache_find(ifp, &target);
	if (c && c->type == NHRP_CACHE_LOCAL) {
		answer(rx, &real, NHRP_CODE_SUCCESS, p->dst_proto.len * 8,
		       &nifp->nbma, &target, holdtime);
		return;
	}
	if (c && c->peer && c->type == NHRP_CACHE_STATIC) {
		answer(rx, &real, NHRP_CODE_SUCCESS, p->dst_proto.len * 8,
		       &c->peer->nbma, &target, holdtime);
		return;
	}
	/* registered with us: its owner is the authoritative station (RFC
	 * 2332 5.3.1), it answers and learns the requester on the way, as
	 * IOS hubs do; only if the owner is the requester, we answer */
	if (c && c->peer && c->type == NHRP_CACHE_DYNAMIC) {
		if (ipaddr_cmp(&c->peer->nbma, &rx->from) != 0) {
			next = c->peer->nbma;
			nhrp_purge_note_requester(c, &src_proto, &real);
			goto forward;
		}
		answer(rx, &real, NHRP_CODE_SUCCESS, p->dst_proto.len * 8,
		       &c->peer->nbma, &target, MAX(nhrp_cache_left(c), 1));
		return;
	}
	/* otherwise the routing table says who serves it */
	if (nhrp_sys->route_lookup(&target, &ri) < 0)
		goto none;
	if (ri.ifindex != ifp->ifindex) {
		/* behind us, not behind the tunnel: we are the egress and
		 * answer for the whole prefix */
		answer(rx, &real, NHRP_CODE_SUCCESS, ri.prefix.prefixlen,
		       &nifp->nbma, &nifp->proto[rx->afi], holdtime);
		return;
	}
	/* behind another station of the cloud: forward to it */
	c = nhrp_cache_find(ifp, IS_IPADDR_NONE(&ri.gateway) ? &target
							    : &ri.gateway);
	if (!c || !c->peer || ipaddr_cmp(&c->peer->nbma, &rx->from) == 0)
		goto none;
	next = c->peer->nbma;
	if (c->type == NHRP_CACHE_DYNAMIC)
		nhrp_purge_note_requester(c, &src_proto, &real);
forward:
	nhrp_debug(COMMON, "%s: resolution of %pIA forwarded to %pIA",
		   ifp->name, &target, &next);
	/* the next station learns where the requester really is */
	if (ipaddr_cmp(&real, &src_nbma) != 0)
		nhrp_ext_nat_add(p, &src_proto, &real);
	pass_on(rx, &next, NHRP_EXT_FWD_TRANSIT);
	return;
none:
	answer(rx, &real, NHRP_CODE_NO_BINDING, 0, NULL, NULL, 0);
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
	/* only to a requester we hold a binding for (one whose request we
	 * passed on is cached as it went through): never to whatever NBMA
	 * address a reply names, or we would reflect packets anywhere.  Its
	 * sender learns that we know no way on: Protocol Address Unreachable
	 * (RFC 2332 5.2.7), offset the source protocol address (after the
	 * fixed header, the 8 common bytes, the source NBMA address and
	 * subaddress) */
	if (!c || !c->peer) {
		nhrp_if(ifp)->stats.rx_dropped++;
		nhrp_debug(COMMON, "%s: resolution reply id %u for %pIA from %pIA dropped: no binding for the requester",
			   ifp->name, p->reqid, &requester, &rx->from);
		nhrp_error_send(rx, NHRP_ERR_PROTO_UNREACHABLE,
				NHRP_HDR_LEN + 8 + p->src_nbma.len +
					p->src_nbma_sub.len);
		return true;
	}
	to = c->peer->nbma;
	if (ipaddr_cmp(&to, &rx->from) == 0)
		return true; /* never back where it came from */
	/* the requester learns where a responder registered with us really
	 * is */
	if (p->cie.count) {
		struct ipaddr responder, claimed;
		struct nhrp_cache *rc;

		if (nhrp_addr_to_ip(&NHRP_CIE(p, p->cie, 0)->proto, &responder) &&
		    nhrp_addr_to_ip(&NHRP_CIE(p, p->cie, 0)->nbma, &claimed) &&
		    (rc = nhrp_cache_find(ifp, &responder)) && rc->peer &&
		    rc->type == NHRP_CACHE_DYNAMIC &&
		    ipaddr_cmp(&rc->peer->nbma, &claimed) != 0)
			nhrp_ext_nat_add(p, &responder, &rc->peer->nbma);
	}
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
