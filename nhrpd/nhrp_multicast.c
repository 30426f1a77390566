// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: multicast replication.  Link-local multicast leaving a GRE
 * interface (RIPv2 to 224.0.0.9, OSPF, ...) cannot go out as such on a
 * multipoint tunnel: a netfilter rule hands it to us through NFLOG and
 * drops the original (our own, the system's NHRP_CAPTURE_MULTICAST, or the
 * operator's when he names the group with `nhrp multicast-nflog-group N`,
 * as below), and we send one unicast GRE copy to each NBMA
 * address of `ip nhrp map multicast` (`dynamic`: every peer registered
 * with us, once per peer however many addresses it registered).  One
 * capture, N sends, no per-copy state: the addresses go to the system
 * MCAST_BATCH at a time (on Linux one sendmmsg each).
 *
 *   iptables -A OUTPUT -o gre1 -d 224.0.0.0/24 -j NFLOG --nflog-group 2
 *   iptables -A OUTPUT -o gre1 -d 224.0.0.0/24 -j DROP
 *
 * IPv6 the same way (`ipv6 nhrp map multicast`: RIPng to ff02::9, OSPFv3,
 * ...), the copies with ethertype IPv6:
 *
 *   ip6tables -A OUTPUT -o gre1 -d ff02::/16 -j NFLOG --nflog-group 2
 *   ip6tables -A OUTPUT -o gre1 -d ff02::/16 -j DROP
 *
 * A packet captured at OUTPUT may carry a partial UDP checksum (left for
 * the NIC to finish when tx offload is on): each copy gets a whole one, so
 * receivers never see bad checksums (FRR's nhrpd needs `ethtool -K gre1 tx
 * off` for that).
 */
#include "nhrpd/nhrpd.h"

#include <net/ethernet.h>

#include "checksum.h"
#include "log.h"
#include "vrf.h"

#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_multicast.h"
#include "nhrpd/nhrp_system.h"

static struct nhrp_nflog *mcast_nflog;
static uint16_t mcast_group;

void nhrp_fix_udp_checksum(uint8_t *pkt, size_t len)
{
	struct ipv4_ph ph;
	size_t ihl, ulen;
	uint16_t c;

	if (len < 20 || (pkt[0] >> 4) != 4 || pkt[9] != IPPROTO_UDP)
		return;
	ihl = (pkt[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + 8 || ((pkt[6] & 0x3f) | pkt[7]))
		return; /* fragments keep what they have */
	ulen = (pkt[ihl + 4] << 8) | pkt[ihl + 5];
	if (ulen < 8 || ihl + ulen > len)
		return;
	memcpy(&ph.src, pkt + 12, 4);
	memcpy(&ph.dst, pkt + 16, 4);
	ph.rsvd = 0;
	ph.proto = IPPROTO_UDP;
	ph.len = htons(ulen);
	pkt[ihl + 6] = pkt[ihl + 7] = 0;
	c = in_cksum_with_ph4(&ph, pkt + ihl, ulen);
	if (c == 0)
		c = 0xffff;
	/* in_cksum's result is in network byte order already */
	memcpy(pkt + ihl + 6, &c, 2);
}

void nhrp_fix_udp6_checksum(uint8_t *pkt, size_t len)
{
	struct ipv6_ph ph = {};
	size_t ulen;
	uint16_t c;

	/* UDP right after the fixed header (no extension headers: RIPng
	 * and the like send none) */
	if (len < 48 || (pkt[0] >> 4) != 6 || pkt[6] != IPPROTO_UDP)
		return;
	ulen = (pkt[44] << 8) | pkt[45];
	if (ulen < 8 || 40 + ulen > len)
		return;
	memcpy(&ph.src, pkt + 8, 16);
	memcpy(&ph.dst, pkt + 24, 16);
	ph.ulpl = htonl(ulen);
	ph.next_hdr = IPPROTO_UDP;
	pkt[46] = pkt[47] = 0;
	c = in_cksum_with_ph6(&ph, pkt + 40, ulen);
	/* never 0 over IPv6 (RFC 8200 8.1) */
	if (c == 0)
		c = 0xffff;
	memcpy(pkt + 46, &c, 2);
}

/* NBMA addresses of one batch of copies; flushed when full */
#define MCAST_BATCH 64
struct mcast_batch {
	struct interface *ifp;
	uint16_t ethertype;
	const uint8_t *pkt;
	size_t len;
	unsigned int n, sent;
	struct ipaddr to[MCAST_BATCH];
};

static void batch_flush(struct mcast_batch *b)
{
	if (b->n)
		b->sent += nhrp_sys->send_many(b->ifp, b->to, b->n, b->ethertype,
					       b->pkt, b->len);
	b->n = 0;
}

static void batch_add(struct mcast_batch *b, const struct ipaddr *nbma)
{
	b->to[b->n++] = *nbma;
	if (b->n == MCAST_BATCH)
		batch_flush(b);
}

int nhrp_multicast_send(ifindex_t ifindex, uint8_t *pkt, size_t len)
{
	struct interface *ifp = nhrp_if_lookup(ifindex);
	struct nhrp_interface *nifp;
	struct nhrp_mcast_conf *mc;
	struct nhrp_peer *peer;
	bool dynamic = false;
	struct mcast_batch b = {.pkt = pkt, .len = len};
	int afi;

	if (len >= 20 && (pkt[0] >> 4) == 4) {
		afi = NHRP_AFI_IP;
		b.ethertype = ETH_P_IP;
	} else if (len >= 40 && (pkt[0] >> 4) == 6) {
		afi = NHRP_AFI_IP6;
		b.ethertype = ETH_P_IPV6;
	} else
		return 0;
	if (!nhrp_if_enabled(ifp, afi))
		return 0;
	b.ifp = ifp;
	nifp = nhrp_if(ifp);
	if (afi == NHRP_AFI_IP)
		nhrp_fix_udp_checksum(pkt, len);
	else
		nhrp_fix_udp6_checksum(pkt, len);
	frr_each (nhrp_mcast_list, &nifp->afi[afi].mcast, mc)
		if (mc->dynamic)
			dynamic = true;
	if (dynamic)
		nhrp_peer_foreach (nifp, peer)
			if (peer->ndynamic)
				batch_add(&b, &peer->nbma);
	frr_each (nhrp_mcast_list, &nifp->afi[afi].mcast, mc) {
		if (mc->dynamic)
			continue;
		/* a registered peer had its copy already */
		if (dynamic && (peer = nhrp_peer_find(ifp, &mc->addr)) &&
		    peer->ndynamic)
			continue;
		batch_add(&b, &mc->addr);
	}
	batch_flush(&b);
	return b.sent;
}

static void mcast_captured(ifindex_t in, ifindex_t out, const uint8_t *pkt,
			   size_t len, void *arg)
{
	static uint8_t copy[65536];

	if (!out || len > sizeof(copy))
		return;
	memcpy(copy, pkt, len);
	nhrp_multicast_send(out, copy, len);
}

/* our own rule for ifp, unless the operator writes his
 * (multicast-nflog-group) */
static bool mcast_wanted(struct interface *ifp, int afi)
{
	return !nhrp_conf.mcast_nflog_group && nhrp_if_enabled(ifp, afi) &&
	       nhrp_mcast_list_count(&nhrp_if(ifp)->afi[afi].mcast);
}

static int mcast_capture(struct interface *ifp)
{
	nhrp_sys->capture(NHRP_CAPTURE_MULTICAST, ifp,
			  mcast_wanted(ifp, NHRP_AFI_IP), mcast_captured, NULL);
	nhrp_sys->capture(NHRP_CAPTURE_MULTICAST6, ifp,
			  mcast_wanted(ifp, NHRP_AFI_IP6), mcast_captured,
			  NULL);
	return 0;
}

static int mcast_capture_off(struct interface *ifp)
{
	nhrp_sys->capture(NHRP_CAPTURE_MULTICAST, ifp, false, mcast_captured,
			  NULL);
	nhrp_sys->capture(NHRP_CAPTURE_MULTICAST6, ifp, false, mcast_captured,
			  NULL);
	return 0;
}

void nhrp_multicast_init(void)
{
	hook_register(nhrp_if_changed, mcast_capture);
	hook_register(nhrp_if_down, mcast_capture_off);
}

void nhrp_multicast_config(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp)
		mcast_capture(ifp);
	if (nhrp_conf.mcast_nflog_group == mcast_group &&
	    (mcast_nflog || !mcast_group))
		return;
	nhrp_sys->nflog_close(&mcast_nflog);
	mcast_group = nhrp_conf.mcast_nflog_group;
	if (mcast_group)
		mcast_nflog = nhrp_sys->nflog_open(mcast_group, mcast_captured,
						   NULL);
}

void nhrp_multicast_fini(void)
{
	nhrp_sys->nflog_close(&mcast_nflog);
	mcast_group = 0;
}
