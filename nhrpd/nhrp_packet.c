// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: NHRP messages (see nhrp_packet.h).
 * Not written yet: waits for the wire codec (nhrp_codec.[ch]).  Until then
 * nhrpd sends and answers no NHRP packet.
 */
#include "nhrpd.h"

#include "nhrpd/nhrp_packet.h"

void nhrp_packet_init(void)
{
}

void nhrp_packet_fini(void)
{
}

int nhrp_packet_send_regreq(struct nhrp_nhs *nhs)
{
	return -1;
}

int nhrp_packet_send_purge(struct nhrp_nhs *nhs)
{
	return -1;
}
