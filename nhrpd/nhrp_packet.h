// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: NHRP messages: turning decoded packets into actions and actions
 * into packets (the codec in nhrp_codec.[ch] reads and writes the bytes).
 */
#ifndef NHRP_PACKET_H
#define NHRP_PACKET_H

struct nhrp_nhs;

void nhrp_packet_init(void);
void nhrp_packet_fini(void);
int nhrp_packet_send_regreq(struct nhrp_nhs *nhs);
int nhrp_packet_send_purge(struct nhrp_nhs *nhs);
struct interface;
struct ipaddr;
int nhrp_packet_send_resreq(struct interface *ifp, int afi,
			    const struct ipaddr *target, uint32_t reqid,
			    const struct ipaddr *server);
int nhrp_packet_send_traffic(struct interface *ifp, const struct ipaddr *to,
			     const uint8_t *ippkt, size_t len);

#endif
