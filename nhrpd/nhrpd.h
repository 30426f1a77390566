// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: shared declarations of the daemon (not of the wire codec, which
 * lives apart in nhrp_codec.h and knows nothing of FRR).
 */
#ifndef NHRPD_H
#define NHRPD_H

#include "zebra.h"
#include "if.h"
#include "ipaddr.h"
#include "memory.h"
#include "thread.h"
#include "typesafe.h"

DECLARE_MGROUP(NHRPD);

extern struct thread_master *master;
extern struct zebra_privs_t nhrpd_privs;

/* debug flags: FRR 8.4's set, same names, so `debug nhrp X` round-trips */
enum {
	NHRP_DEBUG_COMMON = 1 << 0,
	NHRP_DEBUG_KERNEL = 1 << 1,
	NHRP_DEBUG_IF = 1 << 2,
	NHRP_DEBUG_ROUTE = 1 << 3,
	NHRP_DEBUG_VICI = 1 << 4,
	NHRP_DEBUG_EVENT = 1 << 5,
	NHRP_DEBUG_ALL = 0xffff,
};
extern unsigned int nhrp_debug_flags;
#define NHRP_DEBUG(f) (nhrp_debug_flags & NHRP_DEBUG_##f)
#define nhrp_debug(f, ...)                                                     \
	do {                                                                   \
		if (NHRP_DEBUG(f))                                             \
			zlog_debug(__VA_ARGS__);                               \
	} while (0)

#define NHRP_DEFAULT_HOLDTIME 7200

enum nhrp_afi { NHRP_AFI_IP = 0, NHRP_AFI_IP6 = 1, NHRP_AFI_MAX };

/* configuration, as the northbound last applied it (see nhrp_nb.c) */
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
	struct ipaddr proto;
	char nbma[256];		/* address or name, resolved later */
};
DECLARE_DLIST(nhrp_nhs_list, struct nhrp_nhs_conf, item);

PREDECL_DLIST(nhrp_mcast_list);
struct nhrp_mcast_conf {
	struct nhrp_mcast_list_item item;
	bool dynamic;		/* every registered peer */
	struct ipaddr addr;
};
DECLARE_DLIST(nhrp_mcast_list, struct nhrp_mcast_conf, item);

struct nhrp_afi_conf {
	uint32_t network_id;	/* 0: NHRP is off for this family */
	uint16_t holdtime;
	uint16_t mtu;		/* 0: not set */
	bool mtu_opennhrp;
	bool shortcut, redirect, no_unique;
	struct nhrp_map_list_head maps;
	struct nhrp_nhs_list_head nhs;
	struct nhrp_mcast_list_head mcast;
};

/* packet and error counters, per interface (`show ip nhrp traffic`) */
struct nhrp_stats {
	uint64_t tx[9], rx[9];	/* by NHRP packet type 1..8 */
	uint64_t rx_dropped;	/* refused: malformed, not for us, ... */
	uint64_t rx_auth_fail, rx_bad_checksum, rx_malformed;
	uint64_t tx_errors;
};

struct nhrp_interface {
	struct interface *ifp;
	/* what the kernel and zebra say (nhrp_if_update) */
	bool enabled[NHRP_AFI_MAX];	/* network-id set and interface known */
	struct ipaddr nbma;		/* our NBMA address */
	struct ipaddr proto[NHRP_AFI_MAX]; /* our protocol address */
	uint8_t proto_plen[NHRP_AFI_MAX];
	uint32_t gre_key;
	struct nhrp_stats stats;
	struct nhrp_nhs_state *nhs_state; /* nhrp_nhs.c */

	char tunnel_source[INTERFACE_NAMSIZ];
	char auth[9];		/* Cisco cleartext password, NUL-terminated */
	char ipsec_profile[64], ipsec_fallback[64];
	struct nhrp_afi_conf afi[NHRP_AFI_MAX];
};

struct nhrp_global_conf {
	uint16_t nflog_group;
	uint16_t mcast_nflog_group;
	char event_socket[108];
};
extern struct nhrp_global_conf nhrp_conf;

/* nhrp_if.c */
void nhrp_if_init(void);
void nhrp_if_conf_clear(struct nhrp_interface *nifp);
void *nhrp_conf_alloc(size_t size);
void nhrp_if_update(struct interface *ifp);
void nhrp_if_update_all(void);
void nhrp_if_terminate(void);
int nhrp_afi_family(int afi);
static inline struct nhrp_interface *nhrp_if(struct interface *ifp)
{
	return ifp->info;
}

/* nhrp_zebra.c */
void nhrp_zebra_init(void);
void nhrp_zebra_terminate(void);
struct prefix;
void nhrp_zebra_route(const struct prefix *p, const struct ipaddr *via,
		      ifindex_t ifindex, bool add);

/* nhrp_vty.c, nhrp_show.c, nhrp_debug.c */
void nhrp_vty_init(void);
void nhrp_show_init(void);
void nhrp_debug_init(void);
void nhrp_commit_init(void);
int nhrp_debug_config_write(struct vty *vty);

/* nhrp_nb.c */
extern const struct frr_yang_module_info frr_nhrpd_info;

#endif /* NHRPD_H */
