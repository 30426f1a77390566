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
 *
 * IPv6 as IOS does it (`ipv6 nhrp`): the packet's source is the station's
 * address in the tunnel's network, its CIE the station's link-local
 * address.  Both are bound, the link-local one only as the registrant's
 * own (its CIE names the registrant's NBMA address, its address in the
 * network is accepted, and it never moves to another NBMA address unless
 * together with that address), and the reply carries a second CIE with
 * our own link-local address: the next hop of routing protocols.
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_authorize.h"
#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_ipsec.h"
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

/* replies that refuse every CIE: 10 a second to one NBMA address, 200 to
 * all */
static struct nhrp_source_limit refusals = {.per_source = 10, .total = 200};

/* one registration: the CIE code to answer with */
static uint8_t do_register(struct nhrp_rx *rx, const struct ipaddr *proto,
			   const struct ipaddr *claimed, uint16_t holdtime,
			   bool unique, bool linklocal)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_afi_conf *ac = &nhrp_if(ifp)->afi[rx->afi];
	struct nhrp_cache *c = nhrp_cache_find(ifp, proto);
	const struct ipaddr *nbma = &rx->from;
	static struct nhrp_ratelimit rl_new, rl_full;
	bool moved, same_id = false;

	if (!linklocal && !nhrp_if_in_subnet(ifp, rx->afi, proto))
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
			/* IPsec: the address is bound to the IKE identity that
			 * registered it; another one may not take it (even
			 * without unique), the same one may move at once */
			if (moved && nhrp_ipsec_protected(ifp) &&
			    nhrp_ipsec_bound(c->peer)) {
				const char *id = nhrp_ipsec_identity(ifp, nbma);

				if (!id ||
				    strcmp(id, nhrp_ipsec_bound(c->peer)) != 0) {
					nhrp_log_limited(&rl_new, "%s: %pIA not registered at %pIA: bound to IKE identity %s, not %s",
							 ifp->name, proto, nbma,
							 nhrp_ipsec_bound(c->peer),
							 id ? id : "(none)");
					return NHRP_CODE_ALREADY_REGISTERED;
				}
				same_id = true;
			}
			/* unique: the binding may not move until it expires */
			if (c->unique && moved && !same_id)
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
	nhrp_ipsec_bind(c->peer);
	c->peer->stats.registrations++;
	rx->peer = c->peer;
	return NHRP_CODE_SUCCESS;
}

/* what the registrant's own address got, once it was registered for a
 * link-local CIE of the request */
#define CODE_NOT_YET 0xfe

/* may the link-local address ll be bound to where rx came from?  Not if
 * it is ours, mapped, or bound to another NBMA address: it moves only
 * together with the station's address (no-unique), which was at `was` */
static bool linklocal_free(struct nhrp_rx *rx, const struct ipaddr *ll,
			   const struct ipaddr *was, bool unique)
{
	struct nhrp_cache *c = nhrp_cache_find(rx->ifp, ll);
	bool elsewhere;

	if (!c || !c->peer)
		return !c || c->type < NHRP_CACHE_DYNAMIC;
	elsewhere = ipaddr_cmp(&c->peer->nbma, &rx->from) != 0;
	switch (c->type) {
	case NHRP_CACHE_DYNAMIC:
		return !elsewhere ||
		       (!unique && ipaddr_cmp(&c->peer->nbma, was) == 0);
	case NHRP_CACHE_STATIC:
	case NHRP_CACHE_NHS:
		return !elsewhere;
	default:
		return true;
	}
}

/* a link-local CIE (IOS's IPv6 registration): the registrant's address
 * (src_proto, whose NBMA binding was `was` before this request) first,
 * then the link-local address beside it */
static uint8_t register_linklocal(struct nhrp_rx *rx, struct nhrp_cie *cie,
				  const struct ipaddr *ll,
				  const struct ipaddr *src_proto,
				  const struct ipaddr *claimed,
				  const struct ipaddr *was, bool unique,
				  uint8_t *own_code)
{
	struct ipaddr cie_nbma;

	if (rx->afi != NHRP_AFI_IP6 || nhrp_ip_linklocal(src_proto))
		return NHRP_CODE_ADMIN_PROHIBITED;
	/* the registrant's own: the CIE names no other NBMA address */
	if (cie->nbma.len && (!nhrp_addr_to_ip(&cie->nbma, &cie_nbma) ||
			      ipaddr_cmp(&cie_nbma, claimed) != 0))
		return NHRP_CODE_ADMIN_PROHIBITED;
	/* refused before anything is bound: the station's address is not
	 * registered for a link-local address it cannot have */
	if (!linklocal_free(rx, ll, was, unique))
		return NHRP_CODE_ALREADY_REGISTERED;
	if (*own_code == CODE_NOT_YET)
		*own_code = do_register(rx, src_proto, claimed, cie->holdtime,
					unique, false);
	/* (waiting for a verdict on it: ask for this one at the same time) */
	if (*own_code != NHRP_CODE_SUCCESS && *own_code != CODE_WAITING)
		return *own_code;
	return do_register(rx, ll, claimed, cie->holdtime, unique, true);
}

/* IOS's reply to an IPv6 registration: our link-local address as a second
 * CIE, so the station can reach it (the next hop of our routing protocol's
 * routes) */
static void reply_linklocal(struct interface *ifp, struct nhrp_pkt *p)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_cie *cie;

	if (IS_IPADDR_NONE(&nifp->linklocal) ||
	    !(cie = nhrp_cie_add(p, &p->cie)))
		return;
	cie->code = NHRP_CODE_SUCCESS;
	nhrp_ip_to_addr(&cie->nbma, &nifp->nbma);
	nhrp_ip_to_addr(&cie->proto, &nifp->linklocal);
	cie->prefix_len = 128;
	cie->mtu = nhrp_if_mtu(ifp, NHRP_AFI_IP6);
	cie->holdtime = nifp->afi[NHRP_AFI_IP6].holdtime;
	cie->pref = NHRP_PREF_DEFAULT;
}

void nhrp_reg_server_request(struct nhrp_rx *rx)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_pkt *p = rx->p;
	struct ipaddr src_proto, claimed, was = {};
	bool unique = p->flags & NHRP_FLAG_REG_UNIQUE;
	bool linklocal = false;
	uint8_t own_code = CODE_NOT_YET;
	struct nhrp_cache *own;
	unsigned int ncie;
	bool refused;
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
	own = nhrp_cache_find(ifp, &src_proto);
	if (own && own->type == NHRP_CACHE_DYNAMIC && own->peer)
		was = own->peer->nbma;
	ncie = p->cie.count;
	refused = ncie > 0;
	for (unsigned int n = 0; n < ncie; n++) {
		struct nhrp_cie *cie = NHRP_CIE(p, p->cie, n);
		struct ipaddr proto = src_proto;

		if (cie->proto.len)
			nhrp_addr_to_ip(&cie->proto, &proto);
		/* no longer than we keep registrations: the reply says so */
		if (cie->holdtime > nifp->afi[rx->afi].max_holdtime)
			cie->holdtime = nifp->afi[rx->afi].max_holdtime;
		if (nhrp_ip_linklocal(&proto) &&
		    ipaddr_cmp(&proto, &src_proto) != 0) {
			cie->code = register_linklocal(rx, cie, &proto,
						       &src_proto, &claimed,
						       &was, unique, &own_code);
			if (cie->code == NHRP_CODE_SUCCESS && cie->holdtime)
				linklocal = true;
		} else
			cie->code = do_register(rx, &proto, &claimed,
						cie->holdtime, unique, false);
		if (cie->code != NHRP_CODE_SUCCESS && cie->code != CODE_WAITING)
			nhrp_debug(COMMON, "%s: registration of %pIA from %pIA refused: %s",
				   ifp->name, &proto, &rx->from,
				   nhrp_cie_code_name(cie->code));
		else
			refused = false;
	}
	/* nothing accepted: the refusal is rate-limited per source (a flood
	 * of refused registrations makes no reflector) */
	if (refused && !nhrp_source_limit(&refusals, &rx->from)) {
		nhrp_debug(COMMON, "%s: registration refusal to %pIA suppressed (rate)",
			   ifp->name, &rx->from);
		return;
	}
	/* answered once every verdict is in */
	if (nhrp_authorize_park(rx))
		return;
	if (linklocal)
		reply_linklocal(ifp, p);
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
