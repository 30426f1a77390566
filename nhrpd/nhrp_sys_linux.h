// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the Linux implementation of the system interface (nhrp_system.h),
 * one file per kind of access; nhrp_sys_linux.c binds them together.
 */
#ifndef NHRP_SYS_LINUX_H
#define NHRP_SYS_LINUX_H

#include "nhrpd/nhrp_system.h"

extern struct zebra_privs_t nhrpd_privs;
/* charon's VICI socket (--vici-socket; "": strongSwan's default) */
extern char nhrp_vici_path[];

/* all of it, in the order start-up needs */
void nhrp_sys_linux_init(void);
void nhrp_sys_linux_fini(void);
/* nhrpd is stopping: leave neighbour entries and routes in place */
void nhrp_sys_linux_leave(void);

/* nhrp_pktsock.c: the NHRP packet socket */
int nhrp_pktsock_init(void);
void nhrp_pktsock_fini(void);
int nhrp_pktsock_send(struct interface *ifp, const struct ipaddr *nbma,
		      uint16_t ethertype, const void *pkt, size_t len);
unsigned int nhrp_pktsock_send_many(struct interface *ifp,
				    const struct ipaddr *nbma, unsigned int n,
				    uint16_t ethertype, const void *pkt,
				    size_t len);
void nhrp_pktsock_buffer(uint32_t bytes);
int nhrp_pktsock_stats(struct nhrp_packet_stats *st);

/* nhrp_kernel.c: our rtnetlink socket */
int nhrp_kernel_init(void);
void nhrp_kernel_fini(void);
int nhrp_kernel_neigh(struct interface *ifp, const struct ipaddr *proto,
		      const struct ipaddr *nbma);
void nhrp_kernel_neigh_list(struct interface *ifp, int afi,
			    nhrp_neigh_list_cb cb, void *arg);
int nhrp_kernel_gre_info(struct interface *ifp, struct nhrp_gre_info *gi);
int nhrp_kernel_gre_set_source(struct interface *ifp, ifindex_t link,
			       const struct ipaddr *local);
void nhrp_kernel_if_prepare(struct interface *ifp, int afi, bool multicast);

/* nhrp_nflog.c: NFLOG groups */
struct nhrp_nflog *nhrp_nflog_open(uint16_t group, nhrp_nflog_cb cb,
				   void *arg);
/* the same, saying nothing: NULL with *err = -errno */
struct nhrp_nflog *nhrp_nflog_bind(uint16_t group, nhrp_nflog_cb cb, void *arg,
				   int *err);
void nhrp_nflog_close(struct nhrp_nflog **nl);

/* nhrp_netfilter.c: nhrpd's own nftables table */
void nhrp_netfilter_init(void);
void nhrp_netfilter_fini(void);
void nhrp_netfilter_capture(enum nhrp_capture kind, struct interface *ifp,
			    bool on, nhrp_nflog_cb cb, void *arg);

/* nhrp_zebra.c: zebra (interfaces, addresses, the RIB, our routes) */
void nhrp_zebra_init(void);
void nhrp_zebra_terminate(void);
int nhrp_zebra_route_lookup(const struct ipaddr *dst,
			    struct nhrp_route_info *ri);
void nhrp_zebra_route(const struct prefix *p, const struct ipaddr *via,
		      struct interface *ifp, bool add);

#endif
