// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the NHRP cache (see nhrp_cache.h).
 */
#include "nhrpd.h"

#include "jhash.h"
#include "log.h"
#include "monotime.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_kernel.h"
#include "nhrpd/nhrp_shortcut.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_CACHE, "NHRP cache entry");

static int cache_cmp(const struct nhrp_cache *a, const struct nhrp_cache *b)
{
	if (a->ifp != b->ifp)
		return a->ifp < b->ifp ? -1 : 1;
	return ipaddr_cmp(&a->proto, &b->proto);
}

static uint32_t cache_hash(const struct nhrp_cache *c)
{
	uint32_t h = jhash(&c->proto.ip.addr,
			   IS_IPADDR_V6(&c->proto) ? 16 : 4,
			   c->proto.ipa_type);

	return jhash_1word(c->ifp->ifindex, h);
}

DECLARE_HASH(nhrp_cache_hash, struct nhrp_cache, hitem, cache_cmp,
	     cache_hash);

static struct nhrp_cache_hash_head cache_table =
	INIT_HASH(cache_table);

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

struct nhrp_cache *nhrp_cache_find(struct interface *ifp,
				   const struct ipaddr *proto)
{
	struct nhrp_cache key = {.ifp = ifp, .proto = *proto};

	return nhrp_cache_hash_find(&cache_table, &key);
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
	c->created = monotime(NULL);
	nhrp_cache_hash_add(&cache_table, c);
	return c;
}

static bool has_binding(enum nhrp_cache_type type)
{
	return type >= NHRP_CACHE_CACHED && type != NHRP_CACHE_LOCAL;
}

static void cache_kernel_sync(struct nhrp_cache *c)
{
	bool want = has_binding(c->type) && !IS_IPADDR_NONE(&c->nbma) &&
		    c->ifp->ifindex != IFINDEX_INTERNAL;

	if (want)
		c->in_kernel =
			nhrp_kernel_neigh(c->ifp->ifindex, &c->proto, &c->nbma) == 0;
	else if (c->in_kernel) {
		nhrp_kernel_neigh(c->ifp->ifindex, &c->proto, NULL);
		c->in_kernel = false;
	}
}

static void cache_expire(struct thread *t)
{
	struct nhrp_cache *c = THREAD_ARG(t);

	nhrp_debug(COMMON, "cache: %s %pIA on %s expired",
		   nhrp_cache_type_str(c->type), &c->proto, c->ifp->name);
	nhrp_cache_del(c);
}

void nhrp_cache_set(struct nhrp_cache *c, enum nhrp_cache_type type,
		    const struct ipaddr *nbma, const struct ipaddr *claimed,
		    uint16_t holdtime)
{
	bool changed = c->type != type ||
		       (nbma && ipaddr_cmp(nbma, &c->nbma) != 0) ||
		       (!nbma && !IS_IPADDR_NONE(&c->nbma));

	if (c->type != type)
		c->created = monotime(NULL);
	c->type = type;
	if (nbma)
		c->nbma = *nbma;
	else
		memset(&c->nbma, 0, sizeof(c->nbma));
	if (claimed)
		c->claimed = *claimed;
	else
		c->claimed = c->nbma;
	c->holdtime = holdtime;
	THREAD_OFF(c->t_expire);
	c->expires = 0;
	if (holdtime) {
		c->expires = monotime(NULL) + holdtime;
		thread_add_timer(master, cache_expire, c, holdtime,
				 &c->t_expire);
	}
	if (changed || !c->in_kernel)
		cache_kernel_sync(c);
}

void nhrp_cache_del(struct nhrp_cache *c)
{
	/* shortcuts through a peer we no longer know go with it */
	if (c->type == NHRP_CACHE_CACHED || c->type == NHRP_CACHE_DYNAMIC)
		nhrp_shortcut_peer_gone(c->ifp, &c->proto);
	THREAD_OFF(c->t_expire);
	c->type = NHRP_CACHE_INVALID;
	cache_kernel_sync(c);
	nhrp_cache_hash_del(&cache_table, c);
	XFREE(MTYPE_NHRP_CACHE, c);
}

unsigned int nhrp_cache_flush(struct interface *ifp,
			      enum nhrp_cache_type max_type)
{
	struct nhrp_cache *c;
	unsigned int n = 0;

	frr_each_safe (nhrp_cache_hash, &cache_table, c) {
		if ((ifp && c->ifp != ifp) || c->type > max_type)
			continue;
		nhrp_cache_del(c);
		n++;
	}
	return n;
}

void nhrp_cache_walk(struct interface *ifp, nhrp_cache_walk_cb cb, void *arg)
{
	struct nhrp_cache *c;

	frr_each_safe (nhrp_cache_hash, &cache_table, c)
		if (!ifp || c->ifp == ifp)
			cb(c, arg);
}

size_t nhrp_cache_count(void)
{
	return nhrp_cache_hash_count(&cache_table);
}

bool nhrp_cache_kernel_probe(struct interface *ifp, const struct ipaddr *proto)
{
	struct nhrp_cache *c = nhrp_cache_find(ifp, proto);

	if (!c || !has_binding(c->type) || IS_IPADDR_NONE(&c->nbma))
		return false;
	/* answer the probe: the kernel asked, so the entry is in use */
	c->used = true;
	c->in_kernel = nhrp_kernel_neigh(ifp->ifindex, proto, &c->nbma) == 0;
	return true;
}
