// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: multicast replication.  Link-local multicast leaving a GRE
 * interface (RIPv2 to 224.0.0.9, OSPF, ...) cannot go out as such on a
 * multipoint tunnel: a netfilter rule hands it to us through NFLOG and
 * drops the original, and we send one unicast GRE copy to each NBMA
 * address of `ip nhrp map multicast` (`dynamic`: every peer registered
 * with us).  One capture, N sends, no per-peer state on the hot path.
 *
 *   iptables -A OUTPUT -o gre1 -d 224.0.0.0/24 -j NFLOG --nflog-group 2
 *   iptables -A OUTPUT -o gre1 -d 224.0.0.0/24 -j DROP
 *
 * A packet captured at OUTPUT may carry a partial UDP checksum (left for
 * the NIC to finish when tx offload is on): each copy gets a whole one, so
 * receivers never see bad checksums (FRR's nhrpd needs `ethtool -K gre1 tx
 * off` for that).
 */
#include "nhrpd.h"

#include <net/ethernet.h>

#include "log.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_io.h"
#include "nhrpd/nhrp_multicast.h"
#include "nhrpd/nhrp_nflog.h"

static struct nhrp_nflog *mcast_nflog;
static uint16_t mcast_group;

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += (p[0] << 8) | p[1];
	if (len)
		sum += p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

void nhrp_fix_udp_checksum(uint8_t *pkt, size_t len)
{
	size_t ihl, ulen;
	uint32_t sum;
	uint16_t c;

	if (len < 20 || (pkt[0] >> 4) != 4 || pkt[9] != IPPROTO_UDP)
		return;
	ihl = (pkt[0] & 0x0f) * 4;
	if (ihl < 20 || len < ihl + 8 || ((pkt[6] & 0x3f) | pkt[7]))
		return; /* fragments keep what they have */
	ulen = (pkt[ihl + 4] << 8) | pkt[ihl + 5];
	if (ulen < 8 || ihl + ulen > len)
		return;
	pkt[ihl + 6] = pkt[ihl + 7] = 0;
	sum = csum_add(0, pkt + 12, 8); /* source and destination */
	sum += IPPROTO_UDP + ulen;
	sum = csum_add(sum, pkt + ihl, ulen);
	c = csum_fold(sum);
	if (c == 0)
		c = 0xffff;
	pkt[ihl + 6] = c >> 8;
	pkt[ihl + 7] = c & 0xff;
}

struct fanout {
	int ifindex;
	const uint8_t *pkt;
	size_t len;
	int sent;
};

static void send_dynamic(struct nhrp_cache *c, void *arg)
{
	struct fanout *f = arg;

	if (c->type != NHRP_CACHE_DYNAMIC || IS_IPADDR_NONE(&c->nbma))
		return;
	if (nhrp_io_send(f->ifindex, &c->nbma, ETH_P_IP, f->pkt, f->len) == 0)
		f->sent++;
}

int nhrp_multicast_send(int ifindex, uint8_t *pkt, size_t len)
{
	struct interface *ifp = if_lookup_by_index(ifindex, VRF_DEFAULT);
	struct nhrp_interface *nifp;
	struct nhrp_mcast_conf *mc;
	struct fanout f = {ifindex, pkt, len, 0};

	if (!ifp || !(nifp = nhrp_if(ifp)) || !nifp->enabled[NHRP_AFI_IP] ||
	    len < 20 || (pkt[0] >> 4) != 4)
		return 0;
	nhrp_fix_udp_checksum(pkt, len);
	frr_each (nhrp_mcast_list, &nifp->afi[NHRP_AFI_IP].mcast, mc) {
		if (mc->dynamic)
			nhrp_cache_walk(ifp, send_dynamic, &f);
		else if (nhrp_io_send(ifindex, &mc->addr, ETH_P_IP, pkt, len) == 0)
			f.sent++;
	}
	return f.sent;
}

static void mcast_captured(int in, int out, const uint8_t *pkt, size_t len,
			   void *arg)
{
	uint8_t copy[65536];

	if (!out || len > sizeof(copy))
		return;
	memcpy(copy, pkt, len);
	nhrp_multicast_send(out, copy, len);
}

void nhrp_multicast_config(void)
{
	if (nhrp_conf.mcast_nflog_group == mcast_group && (mcast_nflog || !mcast_group))
		return;
	nhrp_nflog_close(&mcast_nflog);
	mcast_group = nhrp_conf.mcast_nflog_group;
	if (mcast_group)
		mcast_nflog = nhrp_nflog_open(mcast_group, mcast_captured, NULL);
}

void nhrp_multicast_fini(void)
{
	nhrp_nflog_close(&mcast_nflog);
	mcast_group = 0;
}
