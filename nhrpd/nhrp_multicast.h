// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: multicast over the NBMA cloud (`ip nhrp map multicast`).
 */
#ifndef NHRP_MULTICAST_H
#define NHRP_MULTICAST_H

#include "nhrpd/nhrpd.h"

/* (re)bind the NFLOG group of `nhrp multicast-nflog-group`; without one,
 * ask the system for our own rules where `ip nhrp map multicast` is */
void nhrp_multicast_config(void);
void nhrp_multicast_init(void);
void nhrp_multicast_fini(void);
/* replicate one packet that leaves ifindex; returns copies sent */
int nhrp_multicast_send(ifindex_t ifindex, uint8_t *pkt, size_t len);
/* make a captured IPv4 packet's UDP checksum whole (it may have been
 * left to the NIC: CHECKSUM_PARTIAL) */
void nhrp_fix_udp_checksum(uint8_t *pkt, size_t len);
/* the same for a captured IPv6 packet (UDP right after its header) */
void nhrp_fix_udp6_checksum(uint8_t *pkt, size_t len);

#endif
