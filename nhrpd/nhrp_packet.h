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

#endif
