// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: Traffic Indications (Cisco redirect): see nhrp_traffic.c.
 */
#ifndef NHRP_TRAFFIC_H
#define NHRP_TRAFFIC_H

#include "nhrpd/nhrpd.h"

/* (re)bind the NFLOG group of `nhrp nflog-group`; without one, ask the
 * system for our own rules where `ip nhrp redirect` is on */
void nhrp_traffic_config(void);
void nhrp_traffic_init(void);
void nhrp_traffic_fini(void);
/* a packet that entered on ifindex `in` and leaves the same way: redirect
 * its sender (rate-limited) */
void nhrp_traffic_redirect(ifindex_t in, const uint8_t *pkt, size_t len);
/* a Traffic Indication to the NBMA address `to` quoting ippkt */
int nhrp_traffic_send(struct interface *ifp, const struct ipaddr *to,
		      const uint8_t *ippkt, size_t len);

#endif
