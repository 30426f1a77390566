// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: error codes for flog_err()/flog_warn(), FRR's mechanism for
 * errors an operator may need to look up (`show error NUMBER`).
 */
#ifndef NHRP_ERRORS_H
#define NHRP_ERRORS_H

#include "lib_errors.h"

enum nhrp_log_refs {
	EC_NHRP_SOCKET = NHRP_FERR_START, /* a socket we need cannot be had */
	EC_NHRP_KERNEL,		/* the kernel refused a change */
	EC_NHRP_ZEBRA,		/* a message to zebra failed */
	EC_NHRP_NFLOG,		/* an NFLOG group cannot be bound */
	EC_NHRP_ENCODE,		/* a packet of ours cannot be encoded */
	EC_NHRP_NHS,		/* a next hop server refuses us */
	EC_NHRP_RESOLVER,	/* a next hop server name does not resolve */
	EC_NHRP_INTERNAL,	/* nhrpd's own bookkeeping is off */
	EC_NHRP_NETFILTER,	/* our nftables rules cannot be installed */
	EC_NHRP_CONFIG,		/* a re-read configuration file is refused */
};

void nhrp_error_init(void);

#endif
