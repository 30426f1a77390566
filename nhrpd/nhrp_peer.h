// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: peers.  One reference-counted object per (interface, NBMA
 * address) we talk to: a spoke registered with us, our next hop server, a
 * shortcut partner, a static mapping.  It owns what belongs to that NBMA
 * address: the cache entries bound to it, its counters, the address it
 * claims to have behind NAT, and (nhrp_vici.c) its IPsec state.  Peers
 * live in a hash per interface; a peer goes away when its last user does.
 */
#ifndef NHRP_PEER_H
#define NHRP_PEER_H

#include "nhrpd/nhrpd.h"

PREDECL_HASH(nhrp_peer_hash);
PREDECL_DLIST(nhrp_peer_cache_list);

struct nhrp_peer_stats {
	uint32_t rx, tx;	  /* NHRP packets */
	uint32_t registrations;	  /* Registration Requests accepted */
	uint32_t errors;	  /* Error Indications sent to it */
};

struct nhrp_peer {
	struct nhrp_peer_hash_item hitem;
	struct interface *ifp;
	struct ipaddr nbma;	   /* where its packets come from, ours go */
	struct ipaddr claimed;	   /* the NBMA address it says it has */
	uint32_t refcnt;
	uint32_t created;	   /* nhrp_now() */
	uint16_t ndynamic;	   /* its registrations with us */
	struct nhrp_peer_cache_list_head caches;
	struct nhrp_peer_stats stats;
	void *ipsec;		   /* IPsec state: nhrp_vici.c */
};

int nhrp_peer_cmp(const struct nhrp_peer *a, const struct nhrp_peer *b);
uint32_t nhrp_peer_hashfn(const struct nhrp_peer *p);
DECLARE_HASH(nhrp_peer_hash, struct nhrp_peer, hitem, nhrp_peer_cmp,
	     nhrp_peer_hashfn);

struct nhrp_peer *nhrp_peer_find(struct interface *ifp,
				 const struct ipaddr *nbma);
/* find or create; the caller holds a reference */
struct nhrp_peer *nhrp_peer_get(struct interface *ifp,
				const struct ipaddr *nbma);
struct nhrp_peer *nhrp_peer_ref(struct nhrp_peer *p);
/* drop a reference and clear *pp; the last one frees the peer */
void nhrp_peer_unref(struct nhrp_peer **pp);
/* a server of ours: a configured NHS or a static mapping (not a station
 * merely registered with us, nor one we learnt) */
bool nhrp_peer_trusted(struct nhrp_peer *p);
/* a station we have any binding with: a server, one registered with us,
 * one we learnt from a resolution (a stranger has none) */
bool nhrp_peer_bound(struct nhrp_peer *p);
/* is NAT between us and the peer (it claims another address)? */
bool nhrp_peer_natted(const struct nhrp_peer *p);
/* every peer of ifp (those of all interfaces: ifp NULL) */
#define nhrp_peer_foreach(nifp, p) frr_each (nhrp_peer_hash, &(nifp)->peers, p)

/* a peer was created / is about to be freed */
DECLARE_HOOK(nhrp_peer_new, (struct nhrp_peer *p), (p));
DECLARE_HOOK(nhrp_peer_free, (struct nhrp_peer *p), (p));

#endif /* NHRP_PEER_H */
