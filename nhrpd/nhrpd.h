// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: what every file of the daemon needs, and nothing more.  The wire
 * codec lives apart in nhrp_codec.h and knows nothing of FRR; interfaces
 * are in nhrp_if.h, the world outside in nhrp_system.h.
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

static inline int nhrp_afi_of(const struct ipaddr *a)
{
	return IS_IPADDR_V6(a) ? NHRP_AFI_IP6 : NHRP_AFI_IP;
}

static inline int nhrp_afi_family(int afi)
{
	return afi == NHRP_AFI_IP ? AF_INET : AF_INET6;
}

/* global configuration (the frr-nhrpd:nhrpd container) */
struct nhrp_global_conf {
	uint16_t nflog_group;
	uint16_t mcast_nflog_group;
	char event_socket[108];
	/* receive buffer of the NHRP packet socket (`nhrp packet-buffer`) */
	uint32_t packet_buffer;
};
/* room for a registration storm of 10,000 spokes (each request queued
 * costs the kernel its skb's truesize, 1-4 KB) */
#define NHRP_PACKET_BUFFER_DEFAULT (32u << 20)
extern struct nhrp_global_conf nhrp_conf;

/* monotonic seconds, as every timestamp of the daemon */
uint32_t nhrp_now(void);

/* logging under a flood: at most `burst` lines every `per` seconds per
 * limiter; the first one after a pause says how many were left out */
struct nhrp_ratelimit {
	uint32_t window;
	uint32_t count, suppressed;
};
bool nhrp_ratelimit(struct nhrp_ratelimit *rl, unsigned int burst,
		    unsigned int per, uint32_t *suppressed);
#define nhrp_log_limited(rl, fmt, ...)                                         \
	do {                                                                   \
		uint32_t _left_out;                                            \
		if (nhrp_ratelimit(rl, 10, 10, &_left_out))                    \
			zlog_info(fmt "%s", ##__VA_ARGS__,                     \
				  _left_out ? " (and others: see debug)" : "");  \
	} while (0)

/* answers no one is owed under a flood (error indications, refusals):
 * at most per_source a second to one NBMA address, and total a second to
 * all, so a flood from one address does not silence the answers others
 * should get, and one from many makes no amplifier.  State is a fixed
 * table of NHRP_SOURCE_SLOTS addresses (a new one takes its hash slot). */
#define NHRP_SOURCE_SLOTS 256
struct nhrp_source_limit {
	unsigned int per_source, total;
	uint32_t window, count, suppressed;
	struct {
		struct ipaddr src;
		uint32_t window;
		uint16_t count;
	} slot[NHRP_SOURCE_SLOTS];
};
bool nhrp_source_limit(struct nhrp_source_limit *l, const struct ipaddr *src);

#endif /* NHRPD_H */
