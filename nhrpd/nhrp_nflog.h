// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: packets handed to us by netfilter's NFLOG target (an iptables or
 * nftables rule with `--nflog-group N` / `log group N`).
 */
#ifndef NHRP_NFLOG_H
#define NHRP_NFLOG_H

#include <stdint.h>
#include <stddef.h>

typedef void (*nhrp_nflog_cb)(int in_ifindex, int out_ifindex,
			      const uint8_t *pkt, size_t len, void *arg);
struct nhrp_nflog;

struct nhrp_nflog *nhrp_nflog_open(uint16_t group, nhrp_nflog_cb cb,
				   void *arg);
void nhrp_nflog_close(struct nhrp_nflog **nl);

#endif
