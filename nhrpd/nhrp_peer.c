// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: peers (see nhrp_peer.h).
 */
#include "nhrpd/nhrpd.h"

#include "jhash.h"
#include "log.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_peer.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_PEER, "NHRP peer");

DEFINE_HOOK(nhrp_peer_new, (struct nhrp_peer *p), (p));
DEFINE_HOOK(nhrp_peer_free, (struct nhrp_peer *p), (p));

int nhrp_peer_cmp(const struct nhrp_peer *a, const struct nhrp_peer *b)
{
	return ipaddr_cmp(&a->nbma, &b->nbma);
}

uint32_t nhrp_peer_hashfn(const struct nhrp_peer *p)
{
	return jhash(&p->nbma.ip.addr, IS_IPADDR_V6(&p->nbma) ? 16 : 4,
		     p->nbma.ipa_type);
}

struct nhrp_peer *nhrp_peer_find(struct interface *ifp,
				 const struct ipaddr *nbma)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_peer key = {.nbma = *nbma};

	if (!nifp)
		return NULL;
	return nhrp_peer_hash_find(&nifp->peers, &key);
}

struct nhrp_peer *nhrp_peer_get(struct interface *ifp,
				const struct ipaddr *nbma)
{
	struct nhrp_peer *p = nhrp_peer_find(ifp, nbma);

	if (p)
		return nhrp_peer_ref(p);
	p = XCALLOC(MTYPE_NHRP_PEER, sizeof(*p));
	p->ifp = ifp;
	p->nbma = *nbma;
	p->claimed = *nbma;
	p->created = nhrp_now();
	p->refcnt = 1;
	nhrp_peer_cache_list_init(&p->caches);
	nhrp_peer_hash_add(&nhrp_if(ifp)->peers, p);
	nhrp_debug(COMMON, "%s: peer %pIA", ifp->name, nbma);
	hook_call(nhrp_peer_new, p);
	return p;
}

struct nhrp_peer *nhrp_peer_ref(struct nhrp_peer *p)
{
	p->refcnt++;
	return p;
}

void nhrp_peer_unref(struct nhrp_peer **pp)
{
	struct nhrp_peer *p = *pp;

	*pp = NULL;
	if (!p || --p->refcnt > 0)
		return;
	nhrp_debug(COMMON, "%s: peer %pIA gone", p->ifp->name, &p->nbma);
	hook_call(nhrp_peer_free, p);
	nhrp_peer_hash_del(&nhrp_if(p->ifp)->peers, p);
	nhrp_peer_cache_list_fini(&p->caches);
	XFREE(MTYPE_NHRP_PEER, p);
}

/* a server of ours: a configured NHS or a station mapped statically.  A
 * station that merely registered with us is not: what it sends is its
 * own (its requests' transit records and its purges of bindings it does
 * not own are not believed, else any spoke could claim to forward for
 * another address and take it) */
bool nhrp_peer_trusted(struct nhrp_peer *p)
{
	struct nhrp_cache *c;

	if (!p)
		return false;
	frr_each (nhrp_peer_cache_list, &p->caches, c)
		if (c->type == NHRP_CACHE_NHS || c->type == NHRP_CACHE_STATIC)
			return true;
	return false;
}

bool nhrp_peer_bound(struct nhrp_peer *p)
{
	struct nhrp_cache *c;

	if (!p)
		return false;
	frr_each (nhrp_peer_cache_list, &p->caches, c)
		if (nhrp_cache_type_binds(c->type))
			return true;
	return false;
}

bool nhrp_peer_natted(const struct nhrp_peer *p)
{
	return !IS_IPADDR_NONE(&p->claimed) &&
	       ipaddr_cmp(&p->claimed, &p->nbma) != 0;
}
