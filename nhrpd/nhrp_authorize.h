// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: bindings authorised by an external program (the event socket,
 * `nhrp event socket PATH`, FRR 8.4's protocol).  A registration that would
 * create a binding or move it to another NBMA address waits for the
 * program's verdict: the request is kept (its retransmissions dropped),
 * and handled again, with the verdicts, once every one is in.  Refreshes
 * of a binding as it is ask nothing.
 */
#ifndef NHRP_AUTHORIZE_H
#define NHRP_AUTHORIZE_H

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_pdu.h"

enum nhrp_auth {
	NHRP_AUTH_ACCEPT,
	NHRP_AUTH_REFUSE,
	NHRP_AUTH_ASKED,	/* the verdict comes later */
};

/* is rx a request that waits for verdicts already (a retransmission)? */
bool nhrp_authorize_waiting(struct nhrp_rx *rx);
/* may rx's registration bind proto (until now of type old)? */
enum nhrp_auth nhrp_authorize(struct nhrp_rx *rx, const struct ipaddr *proto,
			      enum nhrp_cache_type old);
/* after every CIE of rx: true if it waits for verdicts (no reply now) */
bool nhrp_authorize_park(struct nhrp_rx *rx);
/* requests waiting (for show and tests) */
size_t nhrp_authorize_count(void);

void nhrp_authorize_init(void);
void nhrp_authorize_fini(void);

#endif
