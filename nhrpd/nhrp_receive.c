// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: receiving NHRP packets: decode and validate, then dispatch to the
 * handler of the packet's type (nhrp_msg.h).  What RFC 2332 answers with
 * an Error Indication is answered (nhrp_error.c); everything refused is
 * counted and logged at debug level only, so a flood costs no log.
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_authorize.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_ipsec.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_multicast.h"
#include "nhrpd/nhrp_reg_client.h"
#include "nhrpd/nhrp_reqid.h"
#include "nhrpd/nhrp_shortcut.h"
#include "nhrpd/nhrp_system.h"
#include "nhrpd/nhrp_traffic.h"

/* a reply to a request of ours (registration, ...): its owner has it */
static void to_requester(struct nhrp_rx *rx)
{
	struct nhrp_reqid *r = nhrp_reqid_lookup(rx->p->reqid, rx->p->type);

	if (!r) {
		nhrp_debug(COMMON, "%s: %s id %u from %pIA: not ours",
			   rx->ifp->name, nhrp_type_name(rx->p->type),
			   rx->p->reqid, &rx->from);
		nhrp_if(rx->ifp)->stats.rx_dropped++;
		return;
	}
	r->cb(r, rx);
}

static int nhrp_receive(struct interface *ifp, const struct ipaddr *from,
			const uint8_t *buf, size_t len)
{
	struct nhrp_interface *nifp = ifp ? nhrp_if(ifp) : NULL;
	struct nhrp_pkt p;
	struct nhrp_rx rx = {
		.ifp = ifp, .from = *from, .p = &p, .buf = buf, .len = len,
	};
	struct nhrp_peer *held;
	int ret;

	if (!nifp || (!nifp->enabled[NHRP_AFI_IP] && !nifp->enabled[NHRP_AFI_IP6]))
		return 0;
	/* on a protected interface, nothing from a host without an IKE SA:
	 * not even an answer (it would leave in clear) */
	if (!nhrp_ipsec_admit(ifp, from, buf, len)) {
		nifp->stats.rx_dropped++;
		return 0;
	}
	ret = nhrp_decode(buf, len, &p);
	if (ret < 0) {
		uint16_t code = nhrp_reason_error_code(ret);

		if (-ret == NHRP_E_CHECKSUM)
			nifp->stats.rx_bad_checksum++;
		else
			nifp->stats.rx_malformed++;
		nifp->stats.rx_dropped++;
		nhrp_debug(COMMON, "%s: packet from %pIA refused: %s at %u",
			   ifp->name, from, nhrp_reason_name(ret), p.fault_off);
		if (code) {
			rx.afi = nhrp_pkt_afi(&p);
			nhrp_error_send(&rx, code, p.fault_off);
		}
		return 0;
	}
	nifp->stats.rx[p.type]++;
	/* NBMA addresses of another family than ours: the packet could not
	 * carry our own records (responder, transit), so it can be neither
	 * answered nor passed on (tests/fuzz: a forwarded reply with afn 2
	 * got an IPv4 Reverse Transit record no one could decode) */
	if (p.afn != (IS_IPADDR_V6(&nifp->nbma) ? NHRP_AFN_IPV6
						 : NHRP_AFN_IPV4)) {
		nifp->stats.rx_dropped++;
		nhrp_debug(COMMON, "%s: %s from %pIA: NBMA family %u is not ours",
			   ifp->name, nhrp_type_name(p.type), from, p.afn);
		return 0;
	}
	rx.afi = nhrp_pkt_afi(&p);
	if (rx.afi < 0 || !nifp->enabled[rx.afi]) {
		nifp->stats.rx_dropped++;
		return 0;
	}
	rx.peer = nhrp_peer_find(ifp, from);
	if (rx.peer)
		rx.peer->stats.rx++;
	if (!nhrp_auth_ok(ifp, &p)) {
		int i = nhrp_ext_find(&p, NHRP_EXT_AUTH);

		nifp->stats.rx_auth_fail++;
		nifp->stats.rx_dropped++;
		nhrp_debug(COMMON, "%s: %s from %pIA: authentication failed",
			   ifp->name, nhrp_type_name(p.type), from);
		nhrp_error_send(&rx, NHRP_ERR_AUTH_FAILURE,
				i >= 0 ? p.ext[i].off : 0);
		return 0;
	}
	if (p.unknown_c_off) {
		nifp->stats.rx_dropped++;
		nhrp_error_send(&rx, NHRP_ERR_UNRECOGNIZED_EXT, p.unknown_c_off);
		return 0;
	}
	nhrp_debug(COMMON, "%s: received %s id %u from %pIA", ifp->name,
		   nhrp_type_name(p.type), p.reqid, from);

	/* the sender's peer lives until its packet is handled, even if the
	 * handler drops the last binding to it (a purge of its own entry,
	 * then another CIE of the same purge) */
	held = rx.peer ? nhrp_peer_ref(rx.peer) : NULL;
	switch (p.type) {
	case NHRP_PKT_REG_REQ:
		nhrp_reg_server_request(&rx);
		break;
	case NHRP_PKT_REG_REPLY:
		to_requester(&rx);
		break;
	case NHRP_PKT_PURGE_REQ:
		nhrp_purge_request(&rx);
		break;
	case NHRP_PKT_PURGE_REPLY:
		nhrp_purge_reply(&rx);
		break;
	case NHRP_PKT_RES_REQ:
		nhrp_resolution_request(&rx);
		break;
	case NHRP_PKT_RES_REPLY:
		nhrp_resolution_reply(&rx);
		break;
	case NHRP_PKT_TRAFFIC:
		nhrp_traffic_indication(&rx);
		break;
	case NHRP_PKT_ERROR:
		nhrp_error_indication(&rx);
		break;
	}
	nhrp_peer_unref(&held);
	return 0;
}

void nhrp_protocol_init(void)
{
	nhrp_if_init();
	nhrp_ipsec_init();
	hook_register(nhrp_sys_packet, nhrp_receive);
	nhrp_reg_client_init();
	nhrp_shortcut_init();
	nhrp_authorize_init();
	nhrp_purge_init();
	nhrp_traffic_init();
	nhrp_multicast_init();
}

void nhrp_protocol_fini(bool purge)
{
	nhrp_ipsec_fini();
	nhrp_reg_client_stop_all(purge);
	nhrp_authorize_fini();
	nhrp_shortcut_fini();
	nhrp_traffic_fini();
	nhrp_multicast_fini();
	nhrp_if_terminate();
}
