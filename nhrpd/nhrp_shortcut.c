// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: shortcuts (see nhrp_shortcut.h).
 *
 * A resolution is retransmitted with the same request id after 1, 2 and 4
 * seconds; without an answer (or with a negative one) the target gets a
 * negative cache entry, so traffic keeps going through the hub and we do
 * not ask again for a while.  An answer gives a cached binding (the
 * responder's tunnel address -> NBMA address, in the kernel's neighbour
 * table) and, when the responder serves a prefix, a shortcut route in
 * zebra (type NHRP, which beats the routing protocol's route via the hub).
 * Both expire with the holding time the responder gave.
 */
#include "nhrpd.h"

#include "log.h"
#include "monotime.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_kernel.h"
#include "nhrpd/nhrp_nflog.h"
#include "nhrpd/nhrp_nhs.h"
#include "nhrpd/nhrp_packet.h"
#include "nhrpd/nhrp_shortcut.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_SHORTCUT, "NHRP shortcut");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_RESOLUTION, "NHRP resolution");

#define RES_TRIES 3
#define NEGATIVE_HOLD 60

struct resolution {
	struct resolution *next;
	struct interface *ifp;
	int afi;
	struct ipaddr target;
	struct ipaddr server;	/* NBMA of the NHS asked */
	uint32_t reqid;
	unsigned int tries;
	struct thread *t_retry;
};

static struct resolution *pending;
static struct nhrp_shortcut *shortcuts;
static uint32_t next_reqid = 0x10000000; /* apart from registrations */
static struct nhrp_nflog *redirect_nflog;
static uint16_t redirect_group;

/* ---- shortcut routes ------------------------------------------------------ */

static void shortcut_free(struct nhrp_shortcut *s, bool withdraw)
{
	struct nhrp_shortcut **pp;

	for (pp = &shortcuts; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	if (withdraw)
		nhrp_zebra_route(&s->prefix, &s->via, s->ifp->ifindex, false);
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
	struct nhrp_shortcut *s;

	for (s = shortcuts; s; s = s->next)
		if (s->ifp == ifp && prefix_same(&s->prefix, p))
			break;
	if (!s) {
		s = XCALLOC(MTYPE_NHRP_SHORTCUT, sizeof(*s));
		s->ifp = ifp;
		prefix_copy(&s->prefix, p);
		s->created = monotime(NULL);
		s->next = shortcuts;
		shortcuts = s;
		zlog_info("%s: shortcut %pFX via %pIA (%pIA)", ifp->name, p, via,
			  nbma);
	}
	s->via = *via;
	s->nbma = *nbma;
	s->target = *target;
	s->afi = afi;
	s->expires = monotime(NULL) + holdtime;
	THREAD_OFF(s->t_expire);
	THREAD_OFF(s->t_refresh);
	thread_add_timer(master, shortcut_expire, s, holdtime, &s->t_expire);
	thread_add_timer(master, shortcut_refresh, s, MAX(holdtime * 2 / 3, 1),
			 &s->t_refresh);
	nhrp_zebra_route(&s->prefix, &s->via, ifp->ifindex, true);
}

static bool shortcut_covers(struct interface *ifp, const struct ipaddr *dst)
{
	struct prefix host = {};

	host.family = IS_IPADDR_V6(dst) ? AF_INET6 : AF_INET;
	host.prefixlen = IS_IPADDR_V6(dst) ? 128 : 32;
	memcpy(&host.u.prefix, &dst->ip.addr, IS_IPADDR_V6(dst) ? 16 : 4);
	for (struct nhrp_shortcut *s = shortcuts; s; s = s->next)
		if (s->ifp == ifp && prefix_match(&s->prefix, &host))
			return true;
	return false;
}

void nhrp_shortcut_peer_gone(struct interface *ifp, const struct ipaddr *via)
{
	struct nhrp_shortcut *s, *next;

	for (s = shortcuts; s; s = next) {
		next = s->next;
		if (s->ifp == ifp && ipaddr_cmp(&s->via, via) == 0)
			shortcut_free(s, true);
	}
}

void nhrp_shortcut_flush(struct interface *ifp)
{
	struct nhrp_shortcut *s, *next;

	for (s = shortcuts; s; s = next) {
		next = s->next;
		if (!ifp || s->ifp == ifp)
			shortcut_free(s, true);
	}
}

void nhrp_shortcut_zebra_replay(void)
{
	for (struct nhrp_shortcut *s = shortcuts; s; s = s->next)
		nhrp_zebra_route(&s->prefix, &s->via, s->ifp->ifindex, true);
}

void nhrp_shortcut_walk(nhrp_shortcut_walk_cb cb, void *arg)
{
	for (struct nhrp_shortcut *s = shortcuts; s; s = s->next)
		cb(s, arg);
}

/* ---- resolution ---------------------------------------------------------------- */

static void resolution_free(struct resolution *r)
{
	struct resolution **pp;

	for (pp = &pending; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	THREAD_OFF(r->t_retry);
	XFREE(MTYPE_NHRP_RESOLUTION, r);
}

static void negative(struct interface *ifp, const struct ipaddr *target)
{
	struct nhrp_cache *c = nhrp_cache_get(ifp, target);

	if (c->type <= NHRP_CACHE_NEGATIVE)
		nhrp_cache_set(c, NHRP_CACHE_NEGATIVE, NULL, NULL,
			       NEGATIVE_HOLD);
}

static void resolution_send(struct thread *t)
{
	struct resolution *r = THREAD_ARG(t);

	if (r->tries++ >= RES_TRIES) {
		nhrp_debug(COMMON, "%s: no answer resolving %pIA", r->ifp->name,
			   &r->target);
		negative(r->ifp, &r->target);
		resolution_free(r);
		return;
	}
	nhrp_packet_send_resreq(r->ifp, r->afi, &r->target, r->reqid,
				&r->server);
	thread_add_timer(master, resolution_send, r, 1 << (r->tries - 1),
			 &r->t_retry);
}

struct nhs_pick {
	struct interface *ifp;
	int afi;
	struct nhrp_nhs *up;
};

static void pick_nhs(struct nhrp_nhs *nhs, void *arg)
{
	struct nhs_pick *pk = arg;

	if (!pk->up && nhs->ifp == pk->ifp && nhs->afi == pk->afi &&
	    nhs->status == NHS_UP)
		pk->up = nhs;
}

bool nhrp_shortcut_resolve(struct interface *ifp, int afi,
			   const struct ipaddr *target)
{
	return resolve(ifp, afi, target, false);
}

static bool resolve(struct interface *ifp, int afi, const struct ipaddr *target,
		    bool refresh)
{
	struct nhs_pick pk = {ifp, afi, NULL};
	struct nhrp_cache *c = nhrp_cache_find(ifp, target);
	struct resolution *r;

	if (!refresh && c && c->type != NHRP_CACHE_INVALID)
		return true; /* known, being resolved, or known to fail */
	for (r = pending; r; r = r->next)
		if (r->ifp == ifp && ipaddr_cmp(&r->target, target) == 0)
			return true;
	nhrp_nhs_walk(pick_nhs, &pk);
	if (!pk.up)
		return false;
	r = XCALLOC(MTYPE_NHRP_RESOLUTION, sizeof(*r));
	r->ifp = ifp;
	r->afi = afi;
	r->target = *target;
	r->server = pk.up->nbma;
	r->reqid = ++next_reqid;
	r->next = pending;
	pending = r;
	nhrp_debug(COMMON, "%s: resolving %pIA through %pIA (id %u)", ifp->name,
		   target, &r->server, r->reqid);
	thread_add_timer(master, resolution_send, r, 0, &r->t_retry);
	return true;
}

void nhrp_shortcut_traffic(struct interface *ifp, int afi,
			   const struct ipaddr *dst)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);

	if (!nifp->afi[afi].shortcut) {
		nhrp_debug(COMMON, "%s: traffic indication for %pIA ignored (no shortcut)",
			   ifp->name, dst);
		return;
	}
	if (shortcut_covers(ifp, dst))
		return;
	nhrp_shortcut_resolve(ifp, afi, dst);
}

void nhrp_shortcut_reply(struct interface *ifp, uint32_t reqid, uint8_t code,
			 uint8_t prefixlen, const struct ipaddr *via,
			 const struct ipaddr *nbma, uint16_t holdtime)
{
	struct resolution *r;
	struct nhrp_cache *c;
	struct prefix p = {};
	uint8_t hostlen;

	for (r = pending; r; r = r->next)
		if (r->ifp == ifp && r->reqid == reqid)
			break;
	if (!r) {
		nhrp_debug(COMMON, "%s: resolution reply id %u: not ours",
			   ifp->name, reqid);
		return;
	}
	if (code != 0 || !via || !nbma || IS_IPADDR_NONE(via) ||
	    IS_IPADDR_NONE(nbma)) {
		nhrp_debug(COMMON, "%s: %pIA cannot be resolved (code %u)",
			   ifp->name, &r->target, code);
		negative(ifp, &r->target);
		resolution_free(r);
		return;
	}
	if (!holdtime)
		holdtime = nhrp_if(ifp)->afi[r->afi].holdtime;
	/* the responder's binding: how to reach it directly */
	c = nhrp_cache_get(ifp, via);
	if (c->type <= NHRP_CACHE_CACHED)
		nhrp_cache_set(c, NHRP_CACHE_CACHED, nbma, NULL, holdtime);
	if (ipaddr_cmp(&r->target, via) != 0) {
		c = nhrp_cache_find(ifp, &r->target);
		if (c && c->type <= NHRP_CACHE_NEGATIVE)
			nhrp_cache_del(c);
		/* the prefix the responder serves, not just the address asked
		 * for (FRR PR #16640 sent /32s) */
		hostlen = IS_IPADDR_V6(&r->target) ? 128 : 32;
		if (!prefixlen || prefixlen > hostlen)
			prefixlen = hostlen;
		p.family = IS_IPADDR_V6(&r->target) ? AF_INET6 : AF_INET;
		p.prefixlen = prefixlen;
		memcpy(&p.u.prefix, &r->target.ip.addr, hostlen / 8);
		apply_mask(&p);
		shortcut_set(ifp, r->afi, &r->target, &p, via, nbma, holdtime);
	}
	resolution_free(r);
}

/* ---- hub: redirect ------------------------------------------------------------- */

/* traffic that came in on an NHRP interface and goes back out of it: the
 * sender should talk to the destination directly */
static void redirect_captured(int in, int out, const uint8_t *pkt, size_t len,
			      void *arg)
{
	struct interface *ifp = if_lookup_by_index(in, VRF_DEFAULT);
	struct nhrp_interface *nifp;
	struct nhrp_route_info ri;
	struct ipaddr src = {}, prev;
	struct nhrp_cache *c;

	if (!ifp || !(nifp = nhrp_if(ifp)) || !nifp->enabled[NHRP_AFI_IP] ||
	    !nifp->afi[NHRP_AFI_IP].redirect || len < 20 || (pkt[0] >> 4) != 4)
		return;
	SET_IPADDR_V4(&src);
	memcpy(&src.ipaddr_v4, pkt + 12, 4);
	/* the previous hop: our route back to the source */
	if (nhrp_kernel_route_get(&src, &ri) < 0 || ri.oif != ifp->ifindex)
		return;
	prev = IS_IPADDR_NONE(&ri.gateway) ? src : ri.gateway;
	c = nhrp_cache_find(ifp, &prev);
	if (!c || IS_IPADDR_NONE(&c->nbma) || c->type == NHRP_CACHE_LOCAL)
		return;
	nhrp_packet_send_traffic(ifp, &c->nbma, pkt, len);
}

void nhrp_shortcut_config(void)
{
	if (nhrp_conf.nflog_group == redirect_group &&
	    (redirect_nflog || !redirect_group))
		return;
	nhrp_nflog_close(&redirect_nflog);
	redirect_group = nhrp_conf.nflog_group;
	if (redirect_group)
		redirect_nflog =
			nhrp_nflog_open(redirect_group, redirect_captured, NULL);
}

void nhrp_shortcut_fini(void)
{
	nhrp_nflog_close(&redirect_nflog);
	redirect_group = 0;
	while (pending)
		resolution_free(pending);
	nhrp_shortcut_flush(NULL);
}
