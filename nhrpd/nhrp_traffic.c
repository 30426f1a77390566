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
 * and destination /24 pair every 15 s, whatever the rule lets through.
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
#define TI_PAIR_MASK 0xffffff00
#define TI_SLOTS 1024
#define TI_PER_SECOND 100  /* overall */

static struct nhrp_nflog *redirect_nflog;
static uint16_t redirect_group;

static struct {
	uint32_t src, dst;	/* host order, masked */
	uint32_t last;		/* nhrp_now() + 1 of the last one; 0: none */
} pairs[TI_SLOTS];
static uint32_t sec_window, sec_count;

/* may we send a Traffic Indication for traffic from src to dst? */
static bool ti_allowed(const uint8_t *src, const uint8_t *dst)
{
	uint32_t s, d, now = nhrp_now() + 1;
	unsigned int i;

	memcpy(&s, src, 4);
	memcpy(&d, dst, 4);
	s = ntohl(s) & TI_PAIR_MASK;
	d = ntohl(d) & TI_PAIR_MASK;
	i = jhash_2words(s, d, 0) % TI_SLOTS;
	if (sec_window != now) {
		sec_window = now;
		sec_count = 0;
	}
	if (pairs[i].last && pairs[i].src == s && pairs[i].dst == d &&
	    now - pairs[i].last < TI_INTERVAL)
		return false;
	if (sec_count >= TI_PER_SECOND)
		return false;
	sec_count++;
	pairs[i].src = s;
	pairs[i].dst = d;
	pairs[i].last = now;
	return true;
}

int nhrp_traffic_send(struct interface *ifp, const struct ipaddr *to,
		      const uint8_t *ippkt, size_t len)
{
	struct nhrp_pkt p;
	size_t quote = ((ippkt[0] & 0x0f) * 4) + 8;

	if (!nhrp_pdu_init(&p, NHRP_PKT_TRAFFIC, ifp, NHRP_AFI_IP))
		return -1;
	p.traffic_code = NHRP_TRAFFIC_REDIRECT;
	/* the destination protocol address is the packet's source, as IOS
	 * sends it */
	nhrp_addr_set(&p.dst_proto, ippkt + 12, 4);
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

	if (!nhrp_if_enabled(ifp, NHRP_AFI_IP) ||
	    !nhrp_if(ifp)->afi[NHRP_AFI_IP].redirect || len < 20 ||
	    (pkt[0] >> 4) != 4)
		return;
	SET_IPADDR_V4(&src);
	memcpy(&src.ipaddr_v4, pkt + 12, 4);
	/* the previous hop: our route back to the source */
	if (nhrp_sys->route_lookup(&src, &ri) < 0 || ri.ifindex != ifp->ifindex)
		return;
	prev = IS_IPADDR_NONE(&ri.gateway) ? src : ri.gateway;
	c = nhrp_cache_find(ifp, &prev);
	if (!c || !c->peer)
		return;
	if (!ti_allowed(pkt + 12, pkt + 16)) {
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

	/* the quoted packet's destination is what to resolve */
	if (rx->afi != NHRP_AFI_IP || p->body_len < 20 ||
	    (p->body[0] >> 4) != 4)
		return;
	SET_IPADDR_V4(&dst);
	memcpy(&dst.ipaddr_v4, p->body + 16, 4);
	if (!nhrp_if(rx->ifp)->afi[rx->afi].shortcut) {
		nhrp_debug(COMMON, "%s: traffic indication for %pIA ignored (no shortcut)",
			   rx->ifp->name, &dst);
		return;
	}
	if (nhrp_shortcut_covers(rx->ifp, &dst))
		return;
	nhrp_shortcut_resolve(rx->ifp, rx->afi, &dst);
}

/* our own rule for ifp, unless the operator writes his (nflog-group) */
static int redirect_capture(struct interface *ifp)
{
	bool on = !nhrp_conf.nflog_group && nhrp_if_enabled(ifp, NHRP_AFI_IP) &&
		  nhrp_if(ifp)->afi[NHRP_AFI_IP].redirect;

	nhrp_sys->capture(NHRP_CAPTURE_REDIRECT, ifp, on, redirect_captured,
			  NULL);
	return 0;
}

static int redirect_capture_off(struct interface *ifp)
{
	nhrp_sys->capture(NHRP_CAPTURE_REDIRECT, ifp, false, redirect_captured,
			  NULL);
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
