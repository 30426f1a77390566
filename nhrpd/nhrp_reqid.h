// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: request ids.  Every request we originate (registration,
 * resolution) takes an id here, with the function that handles the reply;
 * the receive path finds the owner of a reply by its id alone, without
 * knowing who sent the request.  Ids come from one 32-bit counter (RFC
 * 2332 5.2: kept the same on retransmission) and are never shared by two
 * requests that are pending at the same time.
 */
#ifndef NHRP_REQID_H
#define NHRP_REQID_H

#include "nhrpd/nhrpd.h"

struct nhrp_rx;
struct nhrp_reqid;
/* a reply of the given packet type to the request holding r */
typedef void (*nhrp_reqid_cb)(struct nhrp_reqid *r, struct nhrp_rx *rx);

PREDECL_HASH(nhrp_reqid_hash);
struct nhrp_reqid {
	struct nhrp_reqid_hash_item hitem;
	uint32_t id;		/* 0: none */
	uint8_t reply_type;	/* the NHRP packet type that answers it */
	nhrp_reqid_cb cb;
};

/* give r a new id (dropping any it had) */
uint32_t nhrp_reqid_new(struct nhrp_reqid *r, uint8_t reply_type,
			nhrp_reqid_cb cb);
/* r's request is over: its id is free again */
void nhrp_reqid_release(struct nhrp_reqid *r);
/* the pending request with this id whose reply has this type, or NULL */
struct nhrp_reqid *nhrp_reqid_lookup(uint32_t id, uint8_t reply_type);
size_t nhrp_reqid_count(void);

#endif
