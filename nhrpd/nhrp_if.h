// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: per-interface state.  Every interface FRR's library knows of
 * carries a struct nhrp_interface in ifp->info: its configuration (as the
 * northbound last applied it), what the system says of it, and what NHRP
 * keeps for it: its peers, its cache, its next hop servers.
 */
#ifndef NHRP_IF_H
#define NHRP_IF_H

#include "nhrpd/nhrpd.h"
#include "prefix.h"
#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_peer.h"

/* configuration (see nhrp_nb.c) */
PREDECL_DLIST(nhrp_map_list);
struct nhrp_map_conf {
	struct nhrp_map_list_item item;
	struct ipaddr proto;
	bool local;
	struct ipaddr nbma;
};
DECLARE_DLIST(nhrp_map_list, struct nhrp_map_conf, item);

PREDECL_DLIST(nhrp_nhs_list);
struct nhrp_nhs_conf {
	struct nhrp_nhs_list_item item;
	bool dynamic;		/* protocol address learnt from the reply */
	bool from_map;		/* no nbma: the static map of proto gives it */
	struct ipaddr proto;
	char nbma[256];		/* address or name, resolved later */
	uint8_t priority;	/* 0 (most preferred) .. 255 */
	uint8_t cluster;	/* 0 .. NHRP_NHS_CLUSTERS - 1 */
};
DECLARE_DLIST(nhrp_nhs_list, struct nhrp_nhs_conf, item);

PREDECL_DLIST(nhrp_mcast_list);
struct nhrp_mcast_conf {
	struct nhrp_mcast_list_item item;
	bool dynamic;		/* every registered peer */
	struct ipaddr addr;
};
DECLARE_DLIST(nhrp_mcast_list, struct nhrp_mcast_conf, item);

/* `ip nhrp nhs ... cluster (0-10)` */
#define NHRP_NHS_CLUSTERS 11

struct nhrp_afi_conf {
	uint32_t network_id;	/* 0: NHRP is off for this family */
	uint16_t holdtime;
	uint16_t mtu;		/* 0: not set */
	bool mtu_opennhrp;
	bool shortcut, redirect, no_unique;
	uint8_t shortcut_min_prefix;	/* narrowest shortcut we accept */
	uint16_t max_holdtime;		/* of registrations with us */
	uint16_t reg_timeout;		/* refresh interval; 0: holdtime/3 */
	uint16_t max_per_nbma;		/* registrations per NBMA address */
	uint32_t cache_max;		/* cache entries of the interface */
	struct nhrp_map_list_head maps;
	struct nhrp_nhs_list_head nhs;
	/* `ip nhrp nhs cluster C max-connections N`; unset: every server of
	 * the cluster */
	bool nhs_max_set[NHRP_NHS_CLUSTERS];
	uint8_t nhs_max[NHRP_NHS_CLUSTERS];
	struct nhrp_mcast_list_head mcast;
};

/* packet and error counters (`show ip nhrp traffic`) */
struct nhrp_stats {
	uint64_t tx[9], rx[9];	/* by NHRP packet type 1..8 */
	uint64_t rx_dropped;	/* refused: malformed, not for us, ... */
	uint64_t rx_auth_fail, rx_bad_checksum, rx_malformed;
	uint64_t tx_errors;
};

struct nhrp_nhs_state;

struct nhrp_interface {
	struct interface *ifp;
	/* what the system says (nhrp_if_update) */
	bool enabled[NHRP_AFI_MAX];	/* network-id set and interface known */
	struct ipaddr nbma;		/* our NBMA address */
	struct ipaddr nat_nbma;		/* ours as our servers see it, if
					 * NAT is in between (else unset) */
	struct ipaddr proto[NHRP_AFI_MAX]; /* our protocol address */
	uint8_t proto_plen[NHRP_AFI_MAX];
	struct ipaddr linklocal;	/* our IPv6 link-local address, which
					 * we register beside proto (IOS) */
	uint32_t gre_key;
	unsigned int nhs_up;		/* our servers we are registered with */
	struct nhrp_stats stats;

	/* what NHRP keeps for the interface */
	struct nhrp_peer_hash_head peers;
	struct nhrp_cache_hash_head cache;
	struct nhrp_cache_expiry_head cache_expiry;
	struct thread *t_cache_expiry;
	struct nhrp_nhs_state *nhs_state; /* nhrp_reg_client.c */

	/* configuration */
	char tunnel_source[INTERFACE_NAMSIZ];
	char auth[9];		/* Cisco cleartext password, NUL-terminated */
	char ipsec_profile[64], ipsec_fallback[64];
	struct nhrp_afi_conf afi[NHRP_AFI_MAX];
};

static inline struct nhrp_interface *nhrp_if(const struct interface *ifp)
{
	return ifp->info;
}

/* is NHRP on for this family of ifp? */
static inline bool nhrp_if_enabled(const struct interface *ifp, int afi)
{
	const struct nhrp_interface *nifp = ifp ? nhrp_if(ifp) : NULL;

	return nifp && nifp->enabled[afi];
}

/* limits that protect the daemon, unless configured otherwise */
#define NHRP_SHORTCUT_MIN_PREFIX 8	/* IPv4; IPv6: 16 */
#define NHRP_MAX_HOLDTIME 7200		/* IOS's default holding time */
#define NHRP_MAX_PER_NBMA 16
#define NHRP_CACHE_MAX 65536		/* 10,000 spokes and their shortcuts */
void nhrp_afi_conf_defaults(struct nhrp_afi_conf *ac, int afi);

void nhrp_if_init(void);
void nhrp_if_terminate(void);
void nhrp_if_conf_clear(struct nhrp_interface *nifp);
void *nhrp_conf_alloc(size_t size);
/* bring ifp's NHRP state in line with its configuration and the system */
void nhrp_if_update(struct interface *ifp);
void nhrp_if_update_all(void);
struct interface *nhrp_if_lookup(ifindex_t ifindex);
/* the MTU our CIEs carry (`ip nhrp mtu`, else the interface's) */
uint16_t nhrp_if_mtu(struct interface *ifp, int afi);
/* is proto inside the network of ifp's own address (any, if a host
 * address)? */
bool nhrp_if_in_subnet(struct interface *ifp, int afi,
		       const struct ipaddr *proto);
/* an IPv6 link-local address (fe80::/10)?  A station registers its own
 * beside its address (IOS's `ipv6 nhrp`): never inside the network of the
 * tunnel, bound to the NBMA address of that station only */
static inline bool nhrp_ip_linklocal(const struct ipaddr *a)
{
	return IS_IPADDR_V6(a) && IN6_IS_ADDR_LINKLOCAL(&a->ipaddr_v6);
}

/* the host prefix of a (a /32 or /128) */
static inline void nhrp_ip_host_prefix(const struct ipaddr *a, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = IS_IPADDR_V6(a) ? AF_INET6 : AF_INET;
	p->prefixlen = IS_IPADDR_V6(a) ? 128 : 32;
	memcpy(&p->u.prefix, &a->ip.addr, IS_IPADDR_V6(a) ? 16 : 4);
}

/* ifp's configuration or state changed: the modules that keep state for
 * it catch up (next hop servers, ...) */
DECLARE_HOOK(nhrp_if_changed, (struct interface *ifp), (ifp));
/* ifp goes away or NHRP is switched off on it: drop everything */
DECLARE_HOOK(nhrp_if_down, (struct interface *ifp), (ifp));

#endif /* NHRP_IF_H */
