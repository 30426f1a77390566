// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: NHRP packets on the wire.  One AF_PACKET socket for ETH_P_NHRP on
 * every GRE interface: ip_gre takes the link-layer address we give as the
 * outer (NBMA) destination, and reports the outer source on receive.
 */
#ifndef NHRP_IO_H
#define NHRP_IO_H

#include "ipaddr.h"

#define ETH_P_NHRP 0x2001

typedef void (*nhrp_io_recv_cb)(int ifindex, const struct ipaddr *src_nbma,
				const uint8_t *pkt, size_t len);

int nhrp_io_init(nhrp_io_recv_cb cb);
void nhrp_io_fini(void);
/* send an NHRP packet (or, with proto != ETH_P_NHRP, a data packet such as
 * a multicast copy) out of ifindex to the NBMA address dst */
int nhrp_io_send(int ifindex, const struct ipaddr *dst_nbma, uint16_t proto,
		 const void *pkt, size_t len);

#endif
