// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the message handlers.  nhrp_receive.c validates every packet and
 * hands it to the handler of its type; each handler lives in the file of
 * its RFC 2332 concept:
 *
 *   nhrp_reg_server.c   Registration Requests, as a next hop server
 *   nhrp_reg_client.c   our registrations with our servers, their replies
 *   nhrp_resolution.c   Resolution Requests: answered or forwarded; Replies
 *                       for others forwarded, ours to their requester
 *   nhrp_shortcut.c     our Resolution Requests and the routes they make
 *   nhrp_purge.c        Purge Requests and Replies
 *   nhrp_error.c        Error Indications, sent and received
 *   nhrp_traffic.c      Traffic Indications (Cisco redirect), both ends
 */
#ifndef NHRP_MSG_H
#define NHRP_MSG_H

#include "nhrpd/nhrp_pdu.h"

/* the whole protocol core, started and stopped (with purge: our
 * registrations withdrawn) */
void nhrp_protocol_init(void);
void nhrp_protocol_fini(bool purge);

void nhrp_reg_server_request(struct nhrp_rx *rx);
void nhrp_resolution_request(struct nhrp_rx *rx);
void nhrp_resolution_reply(struct nhrp_rx *rx);
void nhrp_purge_request(struct nhrp_rx *rx);
void nhrp_purge_reply(struct nhrp_rx *rx);
void nhrp_traffic_indication(struct nhrp_rx *rx);
void nhrp_error_indication(struct nhrp_rx *rx);

/* an Error Indication about rx's packet to where it came from (RFC 2332
 * 5.2.7): never about an Error Indication; rate-limited per source */
void nhrp_error_send(struct nhrp_rx *rx, uint16_t code, uint16_t offset);

/* a Purge Request to the station at nbma (protocol address dst) for our
 * address proto (RFC 2332 5.2.5); no_reply sets the N bit */
int nhrp_purge_send(struct interface *ifp, int afi, const struct ipaddr *nbma,
		    const struct ipaddr *dst, uint32_t reqid,
		    const struct ipaddr *proto, bool no_reply);

/* a server passes a request on to the station that registered owner:
 * remember the requester, to purge it when owner's binding goes */
struct nhrp_cache;
void nhrp_purge_note_requester(struct nhrp_cache *owner,
			       const struct ipaddr *proto,
			       const struct ipaddr *nbma);
void nhrp_purge_init(void);

#endif
