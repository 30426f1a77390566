// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the NHRP cache: what we know of protocol -> NBMA bindings, one
 * entry per (interface, protocol address), in a hash of the interface.
 * An entry with a binding points to its peer (the NBMA address) and is
 * mirrored into the kernel's neighbour table.  Entries that expire sit in
 * a heap of the interface ordered by expiry, served by one timer.  A
 * refresh that only pushes the expiry later changes the entry's time and
 * nothing else: the heap meets it at the old time and places it again.
 */
#ifndef NHRP_CACHE_H
#define NHRP_CACHE_H

#include "nhrpd/nhrpd.h"
#include "nhrpd/nhrp_peer.h"

enum nhrp_cache_type {
	NHRP_CACHE_INVALID = 0,
	NHRP_CACHE_INCOMPLETE, /* resolution under way */
	NHRP_CACHE_NEGATIVE,   /* resolution failed: do not ask again yet */
	NHRP_CACHE_CACHED,     /* learnt from a resolution */
	NHRP_CACHE_DYNAMIC,    /* registered with us (we are its NHS) */
	NHRP_CACHE_NHS,	       /* a next hop server of ours */
	NHRP_CACHE_STATIC,     /* `ip nhrp map` */
	NHRP_CACHE_LOCAL,      /* our own address */
};

PREDECL_HASH(nhrp_cache_hash);
PREDECL_HEAP(nhrp_cache_expiry);

struct nhrp_cache {
	struct nhrp_cache_hash_item hitem;
	struct nhrp_peer_cache_list_item pitem; /* in peer->caches */
	struct nhrp_cache_expiry_item eitem;	/* while it may expire */
	uint32_t due;		   /* its key in the heap: expires or before */
	struct interface *ifp;
	struct nhrp_peer *peer;	   /* the binding (NULL: none) */
	struct ipaddr proto;
	uint8_t type;		   /* enum nhrp_cache_type */
	uint8_t prefixlen;	   /* of the binding (host: 32/128) */
	bool unique : 1;
	bool used : 1;		   /* the kernel asked for it since last check */
	bool in_kernel : 1;	   /* neighbour entry installed */
	bool expiring : 1;	   /* in the expiry heap */
	uint16_t holdtime, mtu;
	uint32_t reqid;		   /* of the registration that made it */
	void *requesters;	   /* who resolved it through us (nhrp_purge.c) */
	uint32_t created;	   /* nhrp_now() */
	uint32_t expires;	   /* 0: never */
};

int nhrp_cache_cmp(const struct nhrp_cache *a, const struct nhrp_cache *b);
uint32_t nhrp_cache_hashfn(const struct nhrp_cache *c);
DECLARE_HASH(nhrp_cache_hash, struct nhrp_cache, hitem, nhrp_cache_cmp,
	     nhrp_cache_hashfn);
DECLARE_DLIST(nhrp_peer_cache_list, struct nhrp_cache, pitem);
int nhrp_cache_expiry_cmp(const struct nhrp_cache *a,
			  const struct nhrp_cache *b);
DECLARE_HEAP(nhrp_cache_expiry, struct nhrp_cache, eitem,
	     nhrp_cache_expiry_cmp);

const char *nhrp_cache_type_str(enum nhrp_cache_type type);
struct nhrp_cache *nhrp_cache_find(struct interface *ifp,
				   const struct ipaddr *proto);
/* find or create (type INVALID) */
struct nhrp_cache *nhrp_cache_get(struct interface *ifp,
				  const struct ipaddr *proto);
/* the same for an entry learnt from the wire: NULL when the interface's
 * cache is full (`cache maximum-entries`) and proto is not in it */
struct nhrp_cache *nhrp_cache_get_learnt(struct interface *ifp,
					 const struct ipaddr *proto);
/* set what the entry says: the type, the binding (nbma NULL: none; the
 * peer's claimed address when given), holdtime 0 = no expiry */
void nhrp_cache_set(struct nhrp_cache *c, enum nhrp_cache_type type,
		    const struct ipaddr *nbma, const struct ipaddr *claimed,
		    uint16_t holdtime);
void nhrp_cache_del(struct nhrp_cache *c);
/* drop ifp's entries of max_type or below (all: LOCAL); returns how many */
unsigned int nhrp_cache_flush(struct interface *ifp,
			      enum nhrp_cache_type max_type);
/* every entry of ifp; cb may delete the entry it is given */
typedef void (*nhrp_cache_walk_cb)(struct nhrp_cache *c, void *arg);
void nhrp_cache_walk(struct interface *ifp, nhrp_cache_walk_cb cb, void *arg);
size_t nhrp_cache_count(struct interface *ifp);
/* seconds left, 0 for an entry that does not expire */
uint32_t nhrp_cache_left(const struct nhrp_cache *c);
/* the NBMA address of the binding, or NULL */
static inline const struct ipaddr *nhrp_cache_nbma(const struct nhrp_cache *c)
{
	return c->peer ? &c->peer->nbma : NULL;
}
/* take over the neighbour entries an nhrpd before us left in the kernel on
 * ifp (protocol nhrp) as entries of type, expiring after holdtime unless
 * the protocol renews them; those the configuration already covers keep
 * their configured meaning, those outside the interface's network go.
 * Returns how many were adopted. */
unsigned int nhrp_cache_adopt(struct interface *ifp, int afi,
			      enum nhrp_cache_type type, uint16_t holdtime);
/* a type that binds the address to an NBMA address of a peer */
bool nhrp_cache_type_binds(enum nhrp_cache_type type);
/* the kernel asked for proto: answer with the binding if there is one
 * (marking the entry used); false when there is none */
bool nhrp_cache_kernel_probe(struct interface *ifp, const struct ipaddr *proto);

/* an entry is about to go */
DECLARE_HOOK(nhrp_cache_gone, (struct nhrp_cache *c), (c));
/* an entry's binding is about to move to another NBMA address (the old
 * one still in c->peer) */
DECLARE_HOOK(nhrp_cache_moved, (struct nhrp_cache *c), (c));

#endif /* NHRP_CACHE_H */
