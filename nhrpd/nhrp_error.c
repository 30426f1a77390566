// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: Error Indications (RFC 2332 5.2.7).  We send one about a packet
 * we refuse, to the NBMA address it came from, quoting the packet; never
 * about an Error Indication.  Sending is rate-limited per source address
 * (a flood from one address does not silence the errors others should
 * get) and overall (a flood from many addresses makes no amplifier).
 * Received ones are logged at debug level.
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"

/* 10 a second to one NBMA address, 200 a second to all */
static struct nhrp_source_limit limit = {.per_source = 10, .total = 200};

void nhrp_error_send(struct nhrp_rx *rx, uint16_t code, uint16_t offset)
{
	const struct nhrp_pkt *bad = rx->p;
	struct nhrp_pkt p;

	if (bad->type == NHRP_PKT_ERROR || rx->afi < 0)
		return;
	if (!nhrp_pdu_init(&p, NHRP_PKT_ERROR, rx->ifp, rx->afi))
		return;
	if (!nhrp_source_limit(&limit, &rx->from)) {
		nhrp_debug(COMMON, "%s: error indication to %pIA suppressed (rate)",
			   rx->ifp->name, &rx->from);
		return;
	}
	p.error_code = code;
	p.error_offset = offset;
	p.dst_proto = bad->src_proto;
	p.body = rx->buf;
	/* as much of it as fits, with our headers (64 bytes are enough for
	 * them), in a packet and in the tunnel's MTU */
	p.body_len = MIN(rx->len, (size_t)NHRP_PKT_MAX - 64);
	if (rx->ifp->mtu > 128)
		p.body_len = MIN(p.body_len, (size_t)rx->ifp->mtu - 64);
	nhrp_debug(COMMON, "%s: error indication to %pIA: %s", rx->ifp->name,
		   &rx->from, nhrp_error_name(code));
	if (nhrp_pdu_send(rx->ifp, &rx->from, &p) == 0 && rx->peer)
		rx->peer->stats.errors++;
}

void nhrp_error_indication(struct nhrp_rx *rx)
{
	nhrp_debug(COMMON, "%s: error indication from %pIA: %s (offset %u)",
		   rx->ifp->name, &rx->from, nhrp_error_name(rx->p->error_code),
		   rx->p->error_offset);
}
