// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the NHRP cache (see nhrp_cache.h).
 */
#include "nhrpd/nhrpd.h"

#include "jhash.h"
#include "log.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_system.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_CACHE, "NHRP cache entry");

DEFINE_HOOK(nhrp_cache_gone, (struct nhrp_cache *c), (c));
DEFINE_HOOK(nhrp_cache_moved, (struct nhrp_cache *c), (c));

int nhrp_cache_cmp(const struct nhrp_cache *a, const struct nhrp_cache *b)
{
	return ipaddr_cmp(&a->proto, &b->proto);
}

uint32_t nhrp_cache_hashfn(const struct nhrp_cache *c)
{
	return jhash(&c->proto.ip.addr, IS_IPADDR_V6(&c->proto) ? 16 : 4,
		     c->proto.ipa_type);
}

int nhrp_cache_expiry_cmp(const struct nhrp_cache *a,
			  const struct nhrp_cache *b)
{
	return numcmp(a->due, b->due);
}

static const char *const type_names[] = {
	[NHRP_CACHE_INVALID] = "invalid", [NHRP_CACHE_INCOMPLETE] = "incomplete",
	[NHRP_CACHE_NEGATIVE] = "negative", [NHRP_CACHE_CACHED] = "cached",
	[NHRP_CACHE_DYNAMIC] = "dynamic", [NHRP_CACHE_NHS] = "nhs",
	[NHRP_CACHE_STATIC] = "static",	  [NHRP_CACHE_LOCAL] = "local",
};

const char *nhrp_cache_type_str(enum nhrp_cache_type type)
{
	return type < array_size(type_names) ? type_names[type] : "?";
}

bool nhrp_cache_type_binds(enum nhrp_cache_type type)
{
	return type >= NHRP_CACHE_CACHED && type != NHRP_CACHE_LOCAL;
}

struct nhrp_cache *nhrp_cache_find(struct interface *ifp,
				   const struct ipaddr *proto)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_cache key = {.proto = *proto};

	if (!nifp)
		return NULL;
	return nhrp_cache_hash_find(&nifp->cache, &key);
}

struct nhrp_cache *nhrp_cache_get(struct interface *ifp,
				  const struct ipaddr *proto)
{
	struct nhrp_cache *c = nhrp_cache_find(ifp, proto);

	if (c)
		return c;
	c = XCALLOC(MTYPE_NHRP_CACHE, sizeof(*c));
	c->ifp = ifp;
	c->proto = *proto;
	c->prefixlen = IS_IPADDR_V6(proto) ? 128 : 32;
	c->created = nhrp_now();
	nhrp_cache_hash_add(&nhrp_if(ifp)->cache, c);
	return c;
}

struct nhrp_cache *nhrp_cache_get_learnt(struct interface *ifp,
					 const struct ipaddr *proto)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_cache *c = nhrp_cache_find(ifp, proto);
	static struct nhrp_ratelimit rl;

	if (c)
		return c;
	if (nhrp_cache_hash_count(&nifp->cache) >=
	    nifp->afi[nhrp_afi_of(proto)].cache_max) {
		nhrp_log_limited(&rl, "%s: cache full (%zu entries): %pIA not learnt",
				 ifp->name, nhrp_cache_hash_count(&nifp->cache),
				 proto);
		return NULL;
	}
	return nhrp_cache_get(ifp, proto);
}

/* ---- expiry: one heap and one timer per interface ------------------------ */

static void expiry_run(struct thread *t);

static void expiry_schedule(struct nhrp_interface *nifp)
{
	struct nhrp_cache *first = nhrp_cache_expiry_first(&nifp->cache_expiry);
	uint32_t now = nhrp_now();

	THREAD_OFF(nifp->t_cache_expiry);
	if (first)
		thread_add_timer(master, expiry_run, nifp,
				 first->due > now ? first->due - now : 0,
				 &nifp->t_cache_expiry);
}

static void expiry_run(struct thread *t)
{
	struct nhrp_interface *nifp = THREAD_ARG(t);
	struct nhrp_cache *c;
	uint32_t now = nhrp_now();

	while ((c = nhrp_cache_expiry_first(&nifp->cache_expiry)) &&
	       c->due <= now) {
		if (c->expires > now) {
			/* refreshed since it went in: its place now */
			nhrp_cache_expiry_del(&nifp->cache_expiry, c);
			c->due = c->expires;
			nhrp_cache_expiry_add(&nifp->cache_expiry, c);
			continue;
		}
		nhrp_debug(COMMON, "%s: cache %s %pIA expired",
			   nifp->ifp->name, nhrp_cache_type_str(c->type),
			   &c->proto);
		nhrp_cache_del(c);
	}
	expiry_schedule(nifp);
}

static void expiry_set(struct nhrp_cache *c, uint16_t holdtime)
{
	struct nhrp_interface *nifp = nhrp_if(c->ifp);
	struct nhrp_cache *first;
	uint32_t expires = holdtime ? nhrp_now() + holdtime : 0;
	bool was_first;

	/* later than the heap has it (a refresh): the heap finds out when
	 * it gets there, nothing else is touched */
	if (c->expiring && expires && expires >= c->due) {
		c->expires = expires;
		return;
	}
	first = nhrp_cache_expiry_first(&nifp->cache_expiry);
	was_first = first == c;
	if (c->expiring) {
		nhrp_cache_expiry_del(&nifp->cache_expiry, c);
		c->expiring = false;
	}
	c->expires = c->due = expires;
	if (expires) {
		nhrp_cache_expiry_add(&nifp->cache_expiry, c);
		c->expiring = true;
	}
	if (was_first || nhrp_cache_expiry_first(&nifp->cache_expiry) != first)
		expiry_schedule(nifp);
}

uint32_t nhrp_cache_left(const struct nhrp_cache *c)
{
	uint32_t now = nhrp_now();

	if (!c->expires)
		return 0;
	return c->expires > now ? c->expires - now : 0;
}

/* ---- the kernel's neighbour table --------------------------------------------- */

static void kernel_sync(struct nhrp_cache *c)
{
	bool want = nhrp_cache_type_binds(c->type) && c->peer &&
		    c->ifp->ifindex != IFINDEX_INTERNAL;

	if (want)
		c->in_kernel = nhrp_sys->neigh(c->ifp, &c->proto,
					       &c->peer->nbma) == 0;
	else if (c->in_kernel) {
		nhrp_sys->neigh(c->ifp, &c->proto, NULL);
		c->in_kernel = false;
	}
}

bool nhrp_cache_kernel_probe(struct interface *ifp, const struct ipaddr *proto)
{
	struct nhrp_cache *c = nhrp_cache_find(ifp, proto);

	if (!c || !nhrp_cache_type_binds(c->type) || !c->peer)
		return false;
	/* answer the probe: the kernel asked, so the entry is in use */
	c->used = true;
	c->in_kernel = nhrp_sys->neigh(ifp, proto, &c->peer->nbma) == 0;
	return true;
}

/* ---- adopting what the nhrpd before us left ----------------------------------- */

struct adopt {
	enum nhrp_cache_type type;
	uint16_t holdtime;
	int afi;
	unsigned int taken, dropped;
};

static void adopt_one(struct interface *ifp, const struct ipaddr *proto,
		      const struct ipaddr *nbma, void *arg)
{
	struct adopt *a = arg;
	struct nhrp_cache *c;

	/* left by a configuration that is no longer ours, or no room */
	c = nhrp_if_in_subnet(ifp, a->afi, proto) || nhrp_ip_linklocal(proto)
		    ? nhrp_cache_get_learnt(ifp, proto)
		    : NULL;
	if (!c) {
		nhrp_sys->neigh(ifp, proto, NULL);
		a->dropped++;
		return;
	}
	/* what the configuration says (static, NHS, ours) comes first */
	if (c->type != NHRP_CACHE_INVALID)
		return;
	nhrp_cache_set(c, a->type, nbma, NULL, a->holdtime);
	a->taken++;
}

unsigned int nhrp_cache_adopt(struct interface *ifp, int afi,
			      enum nhrp_cache_type type, uint16_t holdtime)
{
	struct adopt a = {.type = type, .holdtime = holdtime, .afi = afi};

	if (!nhrp_sys->neigh_list)
		return 0;
	nhrp_sys->neigh_list(ifp, afi, adopt_one, &a);
	if (a.taken || a.dropped)
		zlog_info("%s: %u neighbour entries of a previous nhrpd adopted as %s for %us, %u outside the network (or beyond the cache's maximum) dropped",
			  ifp->name, a.taken, nhrp_cache_type_str(type),
			  holdtime, a.dropped);
	return a.taken;
}

/* ---- setting and deleting --------------------------------------------------- */

static void unbind(struct nhrp_cache *c)
{
	if (!c->peer)
		return;
	if (c->type == NHRP_CACHE_DYNAMIC)
		c->peer->ndynamic--;
	nhrp_peer_cache_list_del(&c->peer->caches, c);
	nhrp_peer_unref(&c->peer);
}

void nhrp_cache_set(struct nhrp_cache *c, enum nhrp_cache_type type,
		    const struct ipaddr *nbma, const struct ipaddr *claimed,
		    uint16_t holdtime)
{
	bool rebind = nbma ? !c->peer || ipaddr_cmp(nbma, &c->peer->nbma) != 0
			   : c->peer != NULL;
	bool changed = c->type != type || rebind;

	if (c->type != type)
		c->created = nhrp_now();
	if (rebind && c->peer)
		hook_call(nhrp_cache_moved, c);
	if (rebind) {
		unbind(c);
		if (nbma) {
			c->peer = nhrp_peer_get(c->ifp, nbma);
			nhrp_peer_cache_list_add_tail(&c->peer->caches, c);
		}
	} else if (c->peer && c->type == NHRP_CACHE_DYNAMIC)
		c->peer->ndynamic--;
	c->type = type;
	if (c->peer) {
		if (type == NHRP_CACHE_DYNAMIC)
			c->peer->ndynamic++;
		if (claimed)
			c->peer->claimed = *claimed;
	}
	c->holdtime = holdtime;
	expiry_set(c, holdtime);
	if (changed || !c->in_kernel)
		kernel_sync(c);
}

void nhrp_cache_del(struct nhrp_cache *c)
{
	struct nhrp_interface *nifp = nhrp_if(c->ifp);

	hook_call(nhrp_cache_gone, c);
	expiry_set(c, 0);
	unbind(c);
	c->type = NHRP_CACHE_INVALID;
	kernel_sync(c);
	nhrp_cache_hash_del(&nifp->cache, c);
	XFREE(MTYPE_NHRP_CACHE, c);
}

unsigned int nhrp_cache_flush(struct interface *ifp,
			      enum nhrp_cache_type max_type)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_cache *c;
	unsigned int n = 0;

	if (!nifp)
		return 0;
	frr_each_safe (nhrp_cache_hash, &nifp->cache, c) {
		if (c->type > max_type)
			continue;
		nhrp_cache_del(c);
		n++;
	}
	return n;
}

void nhrp_cache_walk(struct interface *ifp, nhrp_cache_walk_cb cb, void *arg)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_cache *c;

	if (!nifp)
		return;
	frr_each_safe (nhrp_cache_hash, &nifp->cache, c)
		cb(c, arg);
}

size_t nhrp_cache_count(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);

	return nifp ? nhrp_cache_hash_count(&nifp->cache) : 0;
}
