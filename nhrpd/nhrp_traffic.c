// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: Traffic Indications (Cisco's redirect, DMVPN phase 3), both
 * ends.
 *
 * Hub (`ip nhrp redirect`): a netfilter rule hands us, through NFLOG,
 * packets that enter and leave the same NHRP interface: our own (the
 * system's capture, NHRP_CAPTURE_REDIRECT), or the operator's when he
 * names the group (`nhrp nflog-group N`: then we only listen).  We tell the
 * sender's station (our route back to the packet's source) that it should
 * talk to the destination directly: a Traffic Indication quoting the
 * packet's IP header and first 8 bytes, whose destination protocol address
 * is the packet's source (as IOS sends it).  At most one per source /24
 * and destination /24 pair (IPv6: /64) every 15 s, whatever the rule lets
 * through.  IPv6 packets are quoted the same way: the 40-byte header and
 * 8 bytes, in an indication of protocol type IPv6.
 *
 * Spoke (`ip nhrp shortcut`): a Traffic Indication makes us resolve the
 * quoted packet's destination (nhrp_shortcut.c).
 */
#include "nhrpd/nhrpd.h"

#include "jhash.h"
#include "log.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_shortcut.h"
#include "nhrpd/nhrp_system.h"
#include "nhrpd/nhrp_traffic.h"

#define TI_INTERVAL 15	   /* seconds between two for the same /24 pair */
#define TI_SLOTS 1024
#define TI_PER_SECOND 100  /* overall */

static struct nhrp_nflog *redirect_nflog;
static uint16_t redirect_group;

static struct {
	uint8_t src[8], dst[8];	/* the /24s (IPv4) or /64s (IPv6) */
	bool v6;
	uint32_t last;		/* nhrp_now() + 1 of the last one; 0: none */
} pairs[TI_SLOTS];
static uint32_t sec_window, sec_count;

/* may we send a Traffic Indication for traffic from src to dst (IPv4 or
 * IPv6 addresses, as in the packet)? */
static bool ti_allowed(const uint8_t *src, const uint8_t *dst, bool v6)
{
	uint8_t s[8] = {}, d[8] = {};
	size_t plen = v6 ? 8 : 3;
	uint32_t now = nhrp_now() + 1;
	unsigned int i;

	memcpy(s, src, plen);
	memcpy(d, dst, plen);
	i = jhash(s, sizeof(s), jhash(d, sizeof(d), v6)) % TI_SLOTS;
	if (sec_window != now) {
		sec_window = now;
		sec_count = 0;
	}
	if (pairs[i].last && pairs[i].v6 == v6 &&
	    memcmp(pairs[i].src, s, sizeof(s)) == 0 &&
	    memcmp(pairs[i].dst, d, sizeof(d)) == 0 &&
	    now - pairs[i].last < TI_INTERVAL)
		return false;
	if (sec_count >= TI_PER_SECOND)
		return false;
	sec_count++;
	memcpy(pairs[i].src, s, sizeof(s));
	memcpy(pairs[i].dst, d, sizeof(d));
	pairs[i].v6 = v6;
	pairs[i].last = now;
	return true;
}

static void ip_from(struct ipaddr *ip, const uint8_t *a, bool v6)
{
	memset(ip, 0, sizeof(*ip));
	if (v6)
		SET_IPADDR_V6(ip);
	else
		SET_IPADDR_V4(ip);
	memcpy(&ip->ip.addr, a, v6 ? 16 : 4);
}

/* an IP packet's version, and where its addresses are */
static bool ip_addrs(const uint8_t *pkt, size_t len, bool *v6,
		     const uint8_t **src, const uint8_t **dst)
{
	if (len >= 20 && (pkt[0] >> 4) == 4) {
		*v6 = false;
		*src = pkt + 12;
		*dst = pkt + 16;
		return true;
	}
	if (len >= 40 && (pkt[0] >> 4) == 6) {
		*v6 = true;
		*src = pkt + 8;
		*dst = pkt + 24;
		return true;
	}
	return false;
}

int nhrp_traffic_send(struct interface *ifp, const struct ipaddr *to,
		      const uint8_t *ippkt, size_t len)
{
	struct nhrp_pkt p;
	const uint8_t *src, *dst;
	bool v6;
	size_t quote;

	if (!ip_addrs(ippkt, len, &v6, &src, &dst))
		return -1;
	quote = (v6 ? 40 : (ippkt[0] & 0x0f) * 4) + 8;
	if (!nhrp_pdu_init(&p, NHRP_PKT_TRAFFIC, ifp,
			   v6 ? NHRP_AFI_IP6 : NHRP_AFI_IP))
		return -1;
	p.traffic_code = NHRP_TRAFFIC_REDIRECT;
	/* the destination protocol address is the packet's source, as IOS
	 * sends it */
	nhrp_addr_set(&p.dst_proto, src, v6 ? 16 : 4);
	p.body = ippkt;
	p.body_len = MIN(len, quote);
	nhrp_ext_request(ifp, &p, false);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return nhrp_pdu_send(ifp, to, &p);
}

/* traffic that came in on an NHRP interface and goes back out of it */
void nhrp_traffic_redirect(ifindex_t in, const uint8_t *pkt, size_t len)
{
	struct interface *ifp = nhrp_if_lookup(in);
	struct nhrp_route_info ri;
	struct ipaddr src = {}, prev;
	struct nhrp_cache *c;
	const uint8_t *s, *d;
	bool v6;
	int afi;

	if (!ip_addrs(pkt, len, &v6, &s, &d))
		return;
	afi = v6 ? NHRP_AFI_IP6 : NHRP_AFI_IP;
	if (!nhrp_if_enabled(ifp, afi) || !nhrp_if(ifp)->afi[afi].redirect)
		return;
	ip_from(&src, s, v6);
	/* the previous hop: our route back to the source */
	if (nhrp_sys->route_lookup(&src, &ri) < 0 || ri.ifindex != ifp->ifindex)
		return;
	prev = IS_IPADDR_NONE(&ri.gateway) ? src : ri.gateway;
	c = nhrp_cache_find(ifp, &prev);
	if (!c || !c->peer)
		return;
	if (!ti_allowed(s, d, v6)) {
		nhrp_debug(COMMON, "%s: traffic indication to %pIA: rate limited",
			   ifp->name, &c->peer->nbma);
		return;
	}
	nhrp_traffic_send(ifp, &c->peer->nbma, pkt, len);
}

static void redirect_captured(ifindex_t in, ifindex_t out, const uint8_t *pkt,
			      size_t len, void *arg)
{
	nhrp_traffic_redirect(in, pkt, len);
}

void nhrp_traffic_indication(struct nhrp_rx *rx)
{
	struct nhrp_pkt *p = rx->p;
	struct ipaddr dst = {};
	const uint8_t *s, *d;
	bool v6;

	/* the quoted packet's destination is what to resolve (a packet of
	 * the indication's protocol) */
	if (!ip_addrs(p->body, p->body_len, &v6, &s, &d) ||
	    rx->afi != (v6 ? NHRP_AFI_IP6 : NHRP_AFI_IP))
		return;
	ip_from(&dst, d, v6);
	if (!nhrp_if(rx->ifp)->afi[rx->afi].shortcut) {
		nhrp_debug(COMMON, "%s: traffic indication for %pIA ignored (no shortcut)",
			   rx->ifp->name, &dst);
		return;
	}
	/* only from a station we have a binding with (our hub, a shortcut
	 * partner): a stranger's indications would have us resolve whatever
	 * it likes */
	if (!nhrp_peer_bound(rx->peer)) {
		nhrp_if(rx->ifp)->stats.rx_dropped++;
		nhrp_debug(COMMON, "%s: traffic indication for %pIA from %pIA ignored: not a known station",
			   rx->ifp->name, &dst, &rx->from);
		return;
	}
	if (nhrp_shortcut_covers(rx->ifp, &dst))
		return;
	nhrp_shortcut_resolve(rx->ifp, rx->afi, &dst);
}

/* our own rule for ifp, unless the operator writes his (nflog-group) */
static bool redirect_wanted(struct interface *ifp, int afi)
{
	return !nhrp_conf.nflog_group && nhrp_if_enabled(ifp, afi) &&
	       nhrp_if(ifp)->afi[afi].redirect;
}

static int redirect_capture(struct interface *ifp)
{
	nhrp_sys->capture(NHRP_CAPTURE_REDIRECT, ifp,
			  redirect_wanted(ifp, NHRP_AFI_IP), redirect_captured,
			  NULL);
	nhrp_sys->capture(NHRP_CAPTURE_REDIRECT6, ifp,
			  redirect_wanted(ifp, NHRP_AFI_IP6), redirect_captured,
			  NULL);
	return 0;
}

static int redirect_capture_off(struct interface *ifp)
{
	nhrp_sys->capture(NHRP_CAPTURE_REDIRECT, ifp, false, redirect_captured,
			  NULL);
	nhrp_sys->capture(NHRP_CAPTURE_REDIRECT6, ifp, false,
			  redirect_captured, NULL);
	return 0;
}

void nhrp_traffic_config(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp)
		redirect_capture(ifp);
	if (nhrp_conf.nflog_group == redirect_group &&
	    (redirect_nflog || !redirect_group))
		return;
	nhrp_sys->nflog_close(&redirect_nflog);
	redirect_group = nhrp_conf.nflog_group;
	if (redirect_group)
		redirect_nflog = nhrp_sys->nflog_open(redirect_group,
						      redirect_captured, NULL);
}

void nhrp_traffic_init(void)
{
	hook_register(nhrp_if_changed, redirect_capture);
	hook_register(nhrp_if_down, redirect_capture_off);
}

void nhrp_traffic_fini(void)
{
	nhrp_sys->nflog_close(&redirect_nflog);
	redirect_group = 0;
	memset(pairs, 0, sizeof(pairs));
}
