// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: registration with next hop servers (see nhrp_nhs.h).
 *
 * Timing, as Cisco IOS and RFC 2332 do it: register at start and then
 * every holdtime/3; an unanswered request is retransmitted with the SAME
 * request id after 1, 2, 4 ... 64 seconds; a server that has not answered
 * for a whole holding time is down (we keep trying every 64 s).
 */
#include "nhrpd.h"

#include "log.h"
#include "monotime.h"
#include "sockunion.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_nhs.h"
#include "nhrpd/nhrp_packet.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_NHS, "NHRP next hop server");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_NHS_STATE, "NHRP NHS list");

#define NHS_BACKOFF_MAX 64
#define DNS_REFRESH 300

static uint32_t next_reqid;

static const char *const status_names[] = {
	[NHS_RESOLVING] = "resolving", [NHS_REGISTERING] = "registering",
	[NHS_UP] = "up",	       [NHS_REJECTED] = "rejected",
	[NHS_DOWN] = "down",
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
	}
	return nifp->nhs_state;
}

static uint16_t nhs_holdtime(struct nhrp_nhs *nhs)
{
	return nhrp_if(nhs->ifp)->afi[nhs->afi].holdtime;
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

static void nhs_cache_drop(struct nhrp_nhs *nhs)
{
	struct nhrp_cache *c;

	if (IS_IPADDR_NONE(&nhs->proto))
		return;
	c = nhrp_cache_find(nhs->ifp, &nhs->proto);
	if (c && c->type == NHRP_CACHE_NHS)
		nhrp_cache_del(c);
}

static void nhs_send(struct thread *t)
{
	struct nhrp_nhs *nhs = THREAD_ARG(t);
	struct nhrp_interface *nifp = nhrp_if(nhs->ifp);
	time_t now = monotime(NULL);
	uint16_t holdtime = nhs_holdtime(nhs);

	if (IS_IPADDR_NONE(&nhs->nbma))
		return; /* the resolver calls us back */
	if (IS_IPADDR_NONE(&nifp->proto[nhs->afi]) ||
	    IS_IPADDR_NONE(&nifp->nbma)) {
		/* no address yet: an address event calls nhrp_nhs_update */
		nhrp_debug(COMMON, "nhs %s: waiting for our addresses",
			   nhs->name);
		return;
	}

	if (nhs->status == NHS_UP || nhs->status == NHS_RESOLVING ||
	    nhs->status == NHS_REJECTED || nhs->backoff == 0) {
		/* a new registration: a new request id */
		nhs->reqid = ++next_reqid;
		nhs->backoff = 1;
		nhs->first_sent = now;
		if (nhs->status == NHS_RESOLVING)
			nhs->status = NHS_REGISTERING;
	} else {
		/* retransmission: same request id, longer wait */
		nhs->req_failed++;
		if (now - nhs->first_sent >= holdtime &&
		    nhs->status != NHS_DOWN) {
			zlog_info("nhs %s (%pIA): no reply for %us: down",
				  nhs->name, &nhs->nbma, holdtime);
			nhs->status = NHS_DOWN;
		}
		nhs->backoff = MIN(nhs->backoff * 2, NHS_BACKOFF_MAX);
	}
	nhs->req_sent++;
	nhrp_packet_send_regreq(nhs);
	nhs_schedule(nhs, nhs->backoff);
}

void nhrp_nhs_reply(struct nhrp_nhs *nhs, uint8_t code,
		    const struct ipaddr *nhs_proto, const struct ipaddr *nat)
{
	uint16_t holdtime = nhs_holdtime(nhs);
	time_t now = monotime(NULL);

	nhs->replies++;
	nhs->last_reply = now;
	nhs->last_code = code;
	nhs->backoff = 0;
	if (code != 0) {
		zlog_warn("nhs %s (%pIA): registration refused, code %u",
			  nhs->name, &nhs->nbma, code);
		nhs->status = NHS_REJECTED;
		/* try again later: the binding may expire on the server */
		nhs_schedule(nhs, MAX(holdtime / 3, 1));
		return;
	}
	if (nhs->dynamic && nhs_proto && !IS_IPADDR_NONE(nhs_proto) &&
	    ipaddr_cmp(nhs_proto, &nhs->proto) != 0) {
		nhs_cache_drop(nhs);
		nhs->proto = *nhs_proto;
	}
	if (nat)
		nhs->nat_nbma = *nat;
	if (nhs->status != NHS_UP) {
		zlog_info("nhs %s (%pIA): registered, protocol address %pIA",
			  nhs->name, &nhs->nbma, &nhs->proto);
		nhs->up_since = now;
	}
	nhs->status = NHS_UP;
	nhs_cache_sync(nhs);
	/* refresh at a third of the holding time (RFC 2332 5.2.3) */
	nhs_schedule(nhs, MAX(holdtime / 3, 1));
}

static void nhs_resolve(struct thread *t);

static void nhs_resolved(struct resolver_query *q, const char *errstr, int n,
			 union sockunion *addrs)
{
	struct nhrp_nhs *nhs = container_of(q, struct nhrp_nhs, dns);
	struct ipaddr addr = {};

	nhs->dns_pending = false;
	if (n <= 0) {
		zlog_warn("nhs %s: cannot resolve: %s", nhs->name,
			  errstr ? errstr : "no address");
		THREAD_OFF(nhs->t_dns);
		thread_add_timer(master, nhs_resolve, nhs, 30, &nhs->t_dns);
		return;
	}
	SET_IPADDR_V4(&addr);
	addr.ipaddr_v4 = addrs[0].sin.sin_addr;
	if (ipaddr_cmp(&addr, &nhs->nbma) != 0) {
		nhrp_debug(COMMON, "nhs %s resolved to %pIA", nhs->name, &addr);
		nhs_cache_drop(nhs);
		nhs->nbma = addr;
		nhs->status = NHS_RESOLVING;
		nhs->backoff = 0;
		nhs_cache_sync(nhs);
		nhs_schedule(nhs, 0);
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
	resolver_resolve(&nhs->dns, AF_INET, VRF_DEFAULT, nhs->name,
			 nhs_resolved);
}

static struct nhrp_nhs *nhs_new(struct interface *ifp, int afi,
				const struct nhrp_nhs_conf *conf)
{
	struct nhrp_nhs *nhs = XCALLOC(MTYPE_NHRP_NHS, sizeof(*nhs));

	nhs->ifp = ifp;
	nhs->afi = afi;
	nhs->dynamic = conf->dynamic;
	if (!conf->dynamic)
		nhs->proto = conf->proto;
	strlcpy(nhs->name, conf->nbma, sizeof(nhs->name));
	nhs->status = NHS_RESOLVING;
	if (inet_pton(AF_INET, nhs->name, &nhs->nbma.ipaddr_v4) == 1) {
		SET_IPADDR_V4(&nhs->nbma);
		nhs_cache_sync(nhs);
		nhs_schedule(nhs, 0);
	} else {
		memset(&nhs->nbma, 0, sizeof(nhs->nbma));
		thread_add_timer(master, nhs_resolve, nhs, 0, &nhs->t_dns);
	}
	return nhs;
}

static void nhs_free(struct nhrp_nhs *nhs, bool purge)
{
	if (purge && nhs->status == NHS_UP)
		nhrp_packet_send_purge(nhs);
	THREAD_OFF(nhs->t_timer);
	THREAD_OFF(nhs->t_dns);
	nhs_cache_drop(nhs);
	XFREE(MTYPE_NHRP_NHS, nhs);
}

static bool nhs_matches(const struct nhrp_nhs *nhs, int afi,
			const struct nhrp_nhs_conf *conf)
{
	if (nhs->afi != afi || nhs->dynamic != conf->dynamic ||
	    strcmp(nhs->name, conf->nbma) != 0)
		return false;
	return conf->dynamic || ipaddr_cmp(&nhs->proto, &conf->proto) == 0;
}

void nhrp_nhs_update(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_nhs_state *st = nhs_state(ifp, true);
	struct nhrp_nhs *nhs;

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
	/* add new ones; kick those that were waiting for addresses */
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
		struct nhrp_nhs_conf *conf;

		if (!nifp->enabled[afi])
			continue;
		frr_each (nhrp_nhs_list, &nifp->afi[afi].nhs, conf) {
			bool found = false;

			frr_each (nhrp_nhs_list_rt, &st->list, nhs)
				if (nhs_matches(nhs, afi, conf)) {
					found = true;
					if (!nhs->t_timer &&
					    !IS_IPADDR_NONE(&nhs->nbma))
						nhs_schedule(nhs, 0);
				}
			if (!found)
				nhrp_nhs_list_rt_add_tail(
					&st->list, nhs_new(ifp, afi, conf));
		}
	}
}

void nhrp_nhs_reregister(struct interface *ifp)
{
	struct nhrp_nhs_state *st = nhs_state(ifp, false);
	struct nhrp_nhs *nhs;

	if (!st)
		return;
	frr_each (nhrp_nhs_list_rt, &st->list, nhs) {
		if (IS_IPADDR_NONE(&nhs->nbma))
			continue;
		nhs->backoff = 0; /* a new registration, a new request id */
		nhs_schedule(nhs, 0);
	}
}

void nhrp_nhs_stop(struct interface *ifp, bool purge)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_nhs *nhs;

	if (!nifp || !nifp->nhs_state)
		return;
	while ((nhs = nhrp_nhs_list_rt_pop(&nifp->nhs_state->list)))
		nhs_free(nhs, purge);
	nhrp_nhs_list_rt_fini(&nifp->nhs_state->list);
	XFREE(MTYPE_NHRP_NHS_STATE, nifp->nhs_state);
}

void nhrp_nhs_stop_all(bool purge)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp)
		nhrp_nhs_stop(ifp, purge);
}

struct nhrp_nhs *nhrp_nhs_by_reqid(struct interface *ifp, uint32_t reqid)
{
	struct nhrp_nhs_state *st = nhs_state(ifp, false);
	struct nhrp_nhs *nhs;

	if (!st)
		return NULL;
	frr_each (nhrp_nhs_list_rt, &st->list, nhs)
		if (nhs->reqid == reqid)
			return nhs;
	return NULL;
}

void nhrp_nhs_walk(nhrp_nhs_walk_cb cb, void *arg)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	struct nhrp_nhs *nhs;

	FOR_ALL_INTERFACES (vrf, ifp) {
		struct nhrp_nhs_state *st;

		if (!ifp->info || !(st = nhs_state(ifp, false)))
			continue;
		frr_each_safe (nhrp_nhs_list_rt, &st->list, nhs)
			cb(nhs, arg);
	}
}
