// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the NHRP cache: what we know of protocol -> NBMA bindings, one
 * entry per (interface, protocol address), in an FRR hash table.  Entries
 * of a type that carries an NBMA address are mirrored into the kernel's
 * neighbour table on the interface.
 */
#ifndef NHRP_CACHE_H
#define NHRP_CACHE_H

#include "nhrpd.h"

enum nhrp_cache_type {
	NHRP_CACHE_INVALID = 0,
	NHRP_CACHE_INCOMPLETE, /* resolution under way */
	NHRP_CACHE_NEGATIVE,   /* resolution failed: do not ask again yet */
	NHRP_CACHE_CACHED,     /* learnt from a resolution reply */
	NHRP_CACHE_DYNAMIC,    /* registered with us (we are its NHS) */
	NHRP_CACHE_NHS,	       /* a next hop server of ours */
	NHRP_CACHE_STATIC,     /* `ip nhrp map` */
	NHRP_CACHE_LOCAL,      /* our own address */
};

PREDECL_HASH(nhrp_cache_hash);

struct nhrp_cache {
	struct nhrp_cache_hash_item hitem;
	struct interface *ifp;
	struct ipaddr proto;
	uint8_t prefixlen;	   /* of the binding (host: 32/128) */
	enum nhrp_cache_type type;
	struct ipaddr nbma;	   /* where we send: as packets came from */
	struct ipaddr claimed;	   /* NBMA the peer claimed (pre-NAT) */
	uint16_t holdtime, mtu;
	bool unique;
	bool used;		   /* the kernel asked for it since last check */
	bool in_kernel;		   /* neighbour entry installed */
	uint32_t reqid;		   /* of the registration that made it */
	time_t created;		   /* monotonic seconds */
	time_t expires;		   /* 0: never */
	struct thread *t_expire;
};

const char *nhrp_cache_type_str(enum nhrp_cache_type type);
struct nhrp_cache *nhrp_cache_find(struct interface *ifp,
				   const struct ipaddr *proto);
struct nhrp_cache *nhrp_cache_get(struct interface *ifp,
				  const struct ipaddr *proto);
/* set what the entry says; holdtime 0 = no expiry */
void nhrp_cache_set(struct nhrp_cache *c, enum nhrp_cache_type type,
		    const struct ipaddr *nbma, const struct ipaddr *claimed,
		    uint16_t holdtime);
void nhrp_cache_del(struct nhrp_cache *c);
/* drop an interface's entries of the given type or below (all: LOCAL) */
unsigned int nhrp_cache_flush(struct interface *ifp,
			      enum nhrp_cache_type max_type);
typedef void (*nhrp_cache_walk_cb)(struct nhrp_cache *c, void *arg);
void nhrp_cache_walk(struct interface *ifp, nhrp_cache_walk_cb cb, void *arg);
size_t nhrp_cache_count(void);
/* the kernel wants proto resolved: answer from the cache if we can */
bool nhrp_cache_kernel_probe(struct interface *ifp, const struct ipaddr *proto);

#endif
