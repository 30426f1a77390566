// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the kernel, through nhrpd's own rtnetlink socket: neighbour
 * entries (protocol address -> NBMA address on the GRE interface), the
 * neighbour table's application probes, GRE parameters, interface sysctls.
 */
#ifndef NHRP_KERNEL_H
#define NHRP_KERNEL_H

#include "ipaddr.h"

struct interface;

struct nhrp_gre_info {
	bool is_gre;		/* an ip_gre/ip6gre device */
	bool multipoint;	/* no fixed remote */
	struct ipaddr local;	/* local NBMA address (may be unset) */
	uint32_t ikey, okey;
	int link_ifindex;
};

/* called by the kernel layer: the kernel wants `proto` on `ifindex`
 * resolved (application probe), or a neighbour entry changed state */
typedef void (*nhrp_kernel_resolve_cb)(int ifindex, const struct ipaddr *proto);

void nhrp_kernel_init(nhrp_kernel_resolve_cb cb);
void nhrp_kernel_fini(void);

/* install (nbma != NULL) or remove a neighbour entry; errors are logged */
int nhrp_kernel_neigh(int ifindex, const struct ipaddr *proto,
		      const struct ipaddr *nbma);
/* ask the kernel to hand neighbour resolution on ifindex to us */
int nhrp_kernel_app_probes(int ifindex, int family);
int nhrp_kernel_gre_info(int ifindex, struct nhrp_gre_info *info);
/* the kernel's route to dst (FIB match): the prefix it belongs to, the
 * gateway (unset when directly reachable), the interface, and whether dst
 * is one of our own addresses */
struct nhrp_route_info {
	struct ipaddr prefix;
	uint8_t prefixlen;
	struct ipaddr gateway;
	int oif;
	bool local;
};
int nhrp_kernel_route_get(const struct ipaddr *dst, struct nhrp_route_info *ri);
/* per-interface settings NHRP needs: no ICMP redirects, ARP flag off,
 * MULTICAST on when multicast is replicated */
void nhrp_kernel_if_prepare(const char *ifname, bool multicast);

#endif
