// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: shortcuts (see nhrp_shortcut.h).
 *
 * A resolution is retransmitted with the same request id after 1, 2 and 4
 * seconds; without an answer (or with a negative one) the target gets a
 * negative cache entry, so traffic keeps going through the hub and we do
 * not ask again for a while.  An answer gives a cached binding (the
 * responder's tunnel address -> NBMA address, in the kernel's neighbour
 * table) and, when the responder serves a prefix, a shortcut route (type
 * NHRP in zebra, which beats the routing protocol's route via the hub).
 * Both expire with the holding time the responder gave; a shortcut still
 * in use at two thirds of it is resolved again.
 *
 * On a protected interface (IPsec) no answer is no verdict: the answer
 * comes straight from the responder, over an SA that its first packet
 * only sets up.  The request waits, without a negative entry, for that SA
 * (nhrp_ipsec_change: everything under way is sent again at once) or for
 * the next packet that wants the target resolved.
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_ipsec.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_reg_client.h"
#include "nhrpd/nhrp_reqid.h"
#include "nhrpd/nhrp_shortcut.h"
#include "nhrpd/nhrp_system.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_SHORTCUT, "NHRP shortcut");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_RESOLUTION, "NHRP resolution");

#define RES_TRIES 3
#define NEGATIVE_HOLD 60
#define RES_PENDING_MAX 64	/* per interface: a flood of Traffic
				 * Indications costs bounded work */

PREDECL_DLIST(resolution_list);
struct resolution {
	struct resolution_list_item item;
	struct interface *ifp;
	int afi;
	struct ipaddr target;
	struct ipaddr server;	/* NBMA of the NHS asked */
	struct nhrp_reqid rid;
	unsigned int tries;
	bool refresh;
	bool parked;		/* unanswered, waiting for an SA (IPsec) */
	struct thread *t_retry;
};
DECLARE_DLIST(resolution_list, struct resolution, item);

static struct resolution_list_head pending = INIT_DLIST(pending);
static struct nhrp_shortcut_list_head shortcuts = INIT_DLIST(shortcuts);

/* ---- shortcut routes ------------------------------------------------------ */

static void shortcut_free(struct nhrp_shortcut *s, bool withdraw)
{
	nhrp_shortcut_list_del(&shortcuts, s);
	if (withdraw)
		nhrp_sys->route(&s->prefix, &s->via, s->ifp, false);
	THREAD_OFF(s->t_expire);
	THREAD_OFF(s->t_refresh);
	XFREE(MTYPE_NHRP_SHORTCUT, s);
}

static void shortcut_expire(struct thread *t)
{
	struct nhrp_shortcut *s = THREAD_ARG(t);

	nhrp_debug(ROUTE, "shortcut %pFX via %pIA expired", &s->prefix, &s->via);
	shortcut_free(s, true);
}

static bool resolve(struct interface *ifp, int afi, const struct ipaddr *target,
		    bool refresh);

/* at two thirds of the holding time: still in use?  then ask again before
 * it runs out, else let it expire */
static void shortcut_refresh(struct thread *t)
{
	struct nhrp_shortcut *s = THREAD_ARG(t);
	struct nhrp_cache *c = nhrp_cache_find(s->ifp, &s->via);

	if (c && c->used) {
		c->used = false;
		nhrp_debug(ROUTE, "shortcut %pFX in use: refreshing", &s->prefix);
		resolve(s->ifp, s->afi, &s->target, true);
	}
}

static void shortcut_set(struct interface *ifp, int afi,
			 const struct ipaddr *target, const struct prefix *p,
			 const struct ipaddr *via, const struct ipaddr *nbma,
			 uint16_t holdtime)
{
	static struct nhrp_ratelimit rl;
	struct nhrp_shortcut *s;

	frr_each (nhrp_shortcut_list, &shortcuts, s)
		if (s->ifp == ifp && prefix_same(&s->prefix, p))
			break;
	if (!s) {
		s = XCALLOC(MTYPE_NHRP_SHORTCUT, sizeof(*s));
		s->ifp = ifp;
		prefix_copy(&s->prefix, p);
		s->created = nhrp_now();
		nhrp_shortcut_list_add_head(&shortcuts, s);
		nhrp_log_limited(&rl, "%s: shortcut %pFX via %pIA (%pIA)",
				 ifp->name, p, via, nbma);
	}
	s->via = *via;
	s->nbma = *nbma;
	s->target = *target;
	s->afi = afi;
	s->expires = nhrp_now() + holdtime;
	THREAD_OFF(s->t_expire);
	THREAD_OFF(s->t_refresh);
	thread_add_timer(master, shortcut_expire, s, holdtime, &s->t_expire);
	thread_add_timer(master, shortcut_refresh, s, MAX(holdtime * 2 / 3, 1),
			 &s->t_refresh);
	nhrp_sys->route(&s->prefix, &s->via, ifp, true);
}

bool nhrp_shortcut_covers(struct interface *ifp, const struct ipaddr *dst)
{
	struct nhrp_shortcut *s;
	struct prefix host;

	nhrp_ip_host_prefix(dst, &host);
	frr_each (nhrp_shortcut_list, &shortcuts, s)
		if (s->ifp == ifp && prefix_match(&s->prefix, &host))
			return true;
	return false;
}

/* a binding went away (purge, expiry): shortcuts through it go with it */
static int shortcut_peer_gone(struct nhrp_cache *c)
{
	struct nhrp_shortcut *s;

	if (c->type != NHRP_CACHE_CACHED && c->type != NHRP_CACHE_DYNAMIC)
		return 0;
	frr_each_safe (nhrp_shortcut_list, &shortcuts, s)
		if (s->ifp == c->ifp && ipaddr_cmp(&s->via, &c->proto) == 0)
			shortcut_free(s, true);
	return 0;
}

unsigned int nhrp_shortcut_purge(struct interface *ifp, const struct prefix *p,
				 const struct ipaddr *from, bool by_server)
{
	static struct nhrp_ratelimit rl;
	struct nhrp_shortcut *s;
	unsigned int n = 0;

	frr_each_safe (nhrp_shortcut_list, &shortcuts, s) {
		if (s->ifp != ifp || s->prefix.family != p->family ||
		    (!prefix_match(p, &s->prefix) &&
		     !prefix_match(&s->prefix, p)))
			continue;
		if (!by_server && ipaddr_cmp(&s->nbma, from) != 0)
			continue;
		nhrp_log_limited(&rl, "%s: shortcut %pFX via %pIA purged by %pIA",
				 ifp->name, &s->prefix, &s->via, from);
		shortcut_free(s, true);
		n++;
	}
	return n;
}

unsigned int nhrp_shortcut_flush(struct interface *ifp)
{
	struct nhrp_shortcut *s;
	unsigned int n = 0;

	frr_each_safe (nhrp_shortcut_list, &shortcuts, s)
		if (!ifp || s->ifp == ifp) {
			shortcut_free(s, true);
			n++;
		}
	return n;
}

unsigned int nhrp_shortcut_flush_afi(int afi)
{
	struct nhrp_shortcut *s;
	unsigned int n = 0;

	frr_each_safe (nhrp_shortcut_list, &shortcuts, s)
		if (s->afi == afi) {
			shortcut_free(s, true);
			n++;
		}
	return n;
}

void nhrp_shortcut_walk(nhrp_shortcut_walk_cb cb, void *arg)
{
	struct nhrp_shortcut *s;

	frr_each_safe (nhrp_shortcut_list, &shortcuts, s)
		cb(s, arg);
}

/* ---- our Resolution Requests ------------------------------------------------ */

static void resolution_free(struct resolution *r)
{
	resolution_list_del(&pending, r);
	nhrp_reqid_release(&r->rid);
	THREAD_OFF(r->t_retry);
	XFREE(MTYPE_NHRP_RESOLUTION, r);
}

static void negative(struct interface *ifp, const struct ipaddr *target)
{
	struct nhrp_cache *c = nhrp_cache_get_learnt(ifp, target);

	if (c && c->type <= NHRP_CACHE_NEGATIVE)
		nhrp_cache_set(c, NHRP_CACHE_NEGATIVE, NULL, NULL,
			       NEGATIVE_HOLD);
}

static int send_request(struct resolution *r)
{
	struct interface *ifp = r->ifp;
	struct nhrp_pkt p;
	struct nhrp_cie *cie;

	if (!nhrp_pdu_init(&p, NHRP_PKT_RES_REQ, ifp, r->afi))
		return -1;
	/* as IOS: a router asking for an authoritative answer and a stable
	 * binding, Cisco NAT understood */
	p.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
		  NHRP_FLAG_NAT;
	p.reqid = r->rid.id;
	nhrp_ip_to_addr(&p.dst_proto, &r->target);
	cie = nhrp_cie_add(&p, &p.cie);
	cie->prefix_len = p.dst_proto.len * 8;
	cie->holdtime = nhrp_if(ifp)->afi[r->afi].holdtime;
	cie->mtu = nhrp_if_mtu(ifp, r->afi);
	cie->pref = NHRP_PREF_DEFAULT;
	nhrp_ext_request(ifp, &p, true);
	nhrp_ext_nat(ifp, r->afi, &p);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return nhrp_pdu_send(ifp, &r->server, &p);
}

static void resolution_send(struct thread *t)
{
	struct resolution *r = THREAD_ARG(t);

	if (r->parked) {
		nhrp_debug(COMMON, "%s: resolving %pIA given up", r->ifp->name,
			   &r->target);
		resolution_free(r);
		return;
	}
	if (r->tries++ >= RES_TRIES) {
		nhrp_debug(COMMON, "%s: no answer resolving %pIA", r->ifp->name,
			   &r->target);
		if (nhrp_ipsec_protected(r->ifp)) {
			r->parked = true;
			thread_add_timer(master, resolution_send, r,
					 NEGATIVE_HOLD, &r->t_retry);
			return;
		}
		negative(r->ifp, &r->target);
		resolution_free(r);
		return;
	}
	send_request(r);
	thread_add_timer(master, resolution_send, r, 1 << (r->tries - 1),
			 &r->t_retry);
}

static void resolution_reply(struct nhrp_reqid *rid, struct nhrp_rx *rx);

/* ask again now, as if new (same request id) */
static void resolution_restart(struct resolution *r)
{
	r->parked = false;
	r->tries = 0;
	THREAD_OFF(r->t_retry);
	thread_add_timer(master, resolution_send, r, 0, &r->t_retry);
}

static bool resolve(struct interface *ifp, int afi, const struct ipaddr *target,
		    bool refresh)
{
	struct nhrp_cache *c = nhrp_cache_find(ifp, target);
	static struct nhrp_ratelimit rl;
	unsigned int n = 0;
	struct nhrp_nhs *nhs;
	struct resolution *r;

	if (!refresh && c && c->type != NHRP_CACHE_INVALID)
		return true; /* known, being resolved, or known to fail */
	frr_each (resolution_list, &pending, r) {
		if (r->ifp != ifp)
			continue;
		if (ipaddr_cmp(&r->target, target) == 0) {
			if (r->parked)
				resolution_restart(r);
			return true;
		}
		n++;
	}
	if (n >= RES_PENDING_MAX) {
		nhrp_log_limited(&rl, "%s: %u resolutions under way: %pIA not resolved",
				 ifp->name, n, target);
		return true;
	}
	nhs = nhrp_nhs_pick(ifp, afi);
	if (!nhs)
		return false;
	r = XCALLOC(MTYPE_NHRP_RESOLUTION, sizeof(*r));
	r->ifp = ifp;
	r->afi = afi;
	r->target = *target;
	r->server = nhs->nbma;
	r->refresh = refresh;
	nhrp_reqid_new(&r->rid, NHRP_PKT_RES_REPLY, resolution_reply);
	resolution_list_add_head(&pending, r);
	nhrp_debug(COMMON, "%s: resolving %pIA through %pIA (id %u)", ifp->name,
		   target, &r->server, r->rid.id);
	thread_add_timer(master, resolution_send, r, 0, &r->t_retry);
	return true;
}

bool nhrp_shortcut_resolve(struct interface *ifp, int afi,
			   const struct ipaddr *target)
{
	return resolve(ifp, afi, target, false);
}

/* is rx the answer to r, from where an answer may come?  The question
 * it answers must be ours (our address asking for r's target), and it
 * comes from the server we asked (which passed it on) or from the
 * station it names; anything else is dropped and r keeps waiting */
static bool reply_for_us(struct resolution *r, struct nhrp_rx *rx)
{
	struct nhrp_pkt *p = rx->p;
	struct ipaddr dst, src, via, nbma, real;
	const struct nhrp_cie *cie;

	if (rx->ifp != r->ifp || !nhrp_addr_to_ip(&p->dst_proto, &dst) ||
	    ipaddr_cmp(&dst, &r->target) != 0 ||
	    !nhrp_addr_to_ip(&p->src_proto, &src) ||
	    ipaddr_cmp(&src, &nhrp_if(r->ifp)->proto[r->afi]) != 0) {
		nhrp_debug(COMMON, "%s: resolution reply id %u from %pIA: not the answer to our request for %pIA",
			   rx->ifp->name, p->reqid, &rx->from, &r->target);
		return false;
	}
	if (ipaddr_cmp(&rx->from, &r->server) == 0 || !p->cie.count)
		return true;
	cie = NHRP_CIE(p, p->cie, 0);
	if (nhrp_addr_to_ip(&cie->nbma, &nbma) &&
	    ipaddr_cmp(&nbma, &rx->from) == 0)
		return true;
	if (nhrp_addr_to_ip(&cie->proto, &via) &&
	    nhrp_ext_nat_find(p, &via, &real) && ipaddr_cmp(&real, &rx->from) == 0)
		return true;
	nhrp_debug(COMMON, "%s: resolution reply id %u from %pIA: neither our server nor the station it names",
		   rx->ifp->name, p->reqid, &rx->from);
	return false;
}

/* what a positive answer may say: the responder is a station of our
 * network, and the prefix it serves is not wider than we allow (a forged
 * /1 must not route half the Internet into the tunnel) */
static bool reply_acceptable(struct resolution *r, const struct nhrp_cie *cie,
			     const struct ipaddr *via)
{
	struct nhrp_afi_conf *ac = &nhrp_if(r->ifp)->afi[r->afi];
	uint8_t hostlen = r->afi == NHRP_AFI_IP6 ? 128 : 32;
	uint8_t plen = cie->prefix_len && cie->prefix_len <= hostlen
			       ? cie->prefix_len
			       : hostlen;

	/* a link-local responder only for itself (a routing protocol's
	 * next hop the kernel asked for: phase 2 over IPv6) */
	if (nhrp_ip_linklocal(via) ? ipaddr_cmp(via, &r->target) != 0
				   : !nhrp_if_in_subnet(r->ifp, r->afi, via)) {
		nhrp_debug(COMMON, "%s: resolution of %pIA: responder %pIA is not in our network",
			   r->ifp->name, &r->target, via);
		return false;
	}
	if (plen < ac->shortcut_min_prefix) {
		nhrp_debug(COMMON, "%s: resolution of %pIA: /%u is wider than /%u",
			   r->ifp->name, &r->target, plen,
			   ac->shortcut_min_prefix);
		return false;
	}
	return true;
}

static void resolution_reply(struct nhrp_reqid *rid, struct nhrp_rx *rx)
{
	struct resolution *r = container_of(rid, struct resolution, rid);
	struct interface *ifp = r->ifp;
	struct nhrp_pkt *p = rx->p;
	struct ipaddr via = {}, nbma = {}, real;
	struct nhrp_cie *cie = p->cie.count ? NHRP_CIE(p, p->cie, 0) : NULL;
	struct nhrp_cache *c;
	struct prefix pfx = {};
	uint16_t holdtime;
	uint8_t hostlen, prefixlen;

	if (!reply_for_us(r, rx)) {
		nhrp_if(rx->ifp)->stats.rx_dropped++;
		return;
	}
	if (cie) {
		nhrp_addr_to_ip(&cie->proto, &via);
		nhrp_addr_to_ip(&cie->nbma, &nbma);
	}
	if (!cie || cie->code != NHRP_CODE_SUCCESS || IS_IPADDR_NONE(&via) ||
	    IS_IPADDR_NONE(&nbma) || !reply_acceptable(r, cie, &via)) {
		nhrp_debug(COMMON, "%s: %pIA cannot be resolved (code %u)",
			   ifp->name, &r->target,
			   cie ? cie->code : NHRP_CODE_NO_BINDING);
		negative(ifp, &r->target);
		resolution_free(r);
		return;
	}
	holdtime = cie->holdtime ? cie->holdtime
				 : nhrp_if(ifp)->afi[r->afi].holdtime;
	/* where the responder really is: what a server on the way put in the
	 * NAT extension, else where a reply that came straight from it came
	 * from (NAT may have changed it), else what it says */
	real = nbma;
	if (!nhrp_ext_nat_find(p, &via, &real) &&
	    !nhrp_ext_transit_count(p, NHRP_EXT_REV_TRANSIT))
		real = rx->from;
	/* the responder's binding: how to reach it directly */
	c = nhrp_cache_get_learnt(ifp, &via);
	if (!c) {
		resolution_free(r);
		return;
	}
	if (c->type <= NHRP_CACHE_CACHED)
		nhrp_cache_set(c, NHRP_CACHE_CACHED, &real, &nbma, holdtime);
	if (ipaddr_cmp(&r->target, &via) != 0) {
		c = nhrp_cache_find(ifp, &r->target);
		if (c && c->type <= NHRP_CACHE_NEGATIVE)
			nhrp_cache_del(c);
		/* the prefix the responder serves, not just the address asked
		 * for (FRR PR #16640 sent /32s) */
		hostlen = IS_IPADDR_V6(&r->target) ? 128 : 32;
		prefixlen = cie->prefix_len;
		if (!prefixlen || prefixlen > hostlen)
			prefixlen = hostlen;
		pfx.family = IS_IPADDR_V6(&r->target) ? AF_INET6 : AF_INET;
		pfx.prefixlen = prefixlen;
		memcpy(&pfx.u.prefix, &r->target.ip.addr, hostlen / 8);
		apply_mask(&pfx);
		shortcut_set(ifp, r->afi, &r->target, &pfx, &via, &real,
			     holdtime);
	}
	resolution_free(r);
}

/* ---- phase 2: the kernel asks us for a next hop ----------------------------- */

static int neigh_probe(struct interface *ifp, const struct ipaddr *proto)
{
	int afi = nhrp_afi_of(proto);

	if (!nhrp_if_enabled(ifp, afi))
		return 0;
	if (nhrp_cache_kernel_probe(ifp, proto))
		return 0;
	/* a next hop in the tunnel we have no binding for yet */
	if (!nhrp_shortcut_resolve(ifp, afi, proto))
		nhrp_debug(KERNEL, "%s: no binding for %pIA", ifp->name, proto);
	return 0;
}

static int shortcut_if_down(struct interface *ifp)
{
	struct resolution *r;

	frr_each_safe (resolution_list, &pending, r)
		if (r->ifp == ifp)
			resolution_free(r);
	nhrp_shortcut_flush(ifp);
	return 0;
}

/* an SA came up on ifp: the answers it lacked can come now */
static int shortcut_sa_change(struct interface *ifp, const struct ipaddr *nbma,
			      bool up)
{
	struct resolution *r;

	if (!up)
		return 0;
	frr_each (resolution_list, &pending, r)
		if (r->ifp == ifp) {
			nhrp_debug(COMMON, "%s: IPsec SA with %pIA up: resolving %pIA again",
				   ifp->name, nbma, &r->target);
			resolution_restart(r);
		}
	return 0;
}

void nhrp_shortcut_init(void)
{
	hook_register(nhrp_ipsec_change, shortcut_sa_change);
	hook_register(nhrp_cache_gone, shortcut_peer_gone);
	hook_register(nhrp_sys_neigh_probe, neigh_probe);
	hook_register(nhrp_if_down, shortcut_if_down);
}

void nhrp_shortcut_fini(void)
{
	struct resolution *r;

	while ((r = resolution_list_first(&pending)))
		resolution_free(r);
	nhrp_shortcut_flush(NULL);
}
