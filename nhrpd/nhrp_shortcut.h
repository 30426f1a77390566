// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: spoke-to-spoke shortcuts.  Resolution of protocol addresses
 * (phase 2: a next hop in the tunnel; phase 3: the destination of traffic
 * the hub redirected us for), the shortcut routes that come of it, and
 * on the hub the Traffic Indications (`ip nhrp redirect`).
 */
#ifndef NHRP_SHORTCUT_H
#define NHRP_SHORTCUT_H

#include "nhrpd.h"
#include "prefix.h"

struct nhrp_shortcut {
	struct nhrp_shortcut *next;
	struct interface *ifp;
	struct prefix prefix;	/* what the responder said it serves */
	struct ipaddr via;	/* the responder's tunnel address */
	struct ipaddr nbma;
	struct ipaddr target;	/* what was resolved: asked again to refresh */
	int afi;
	time_t created, expires;
	struct thread *t_expire, *t_refresh;
};

void nhrp_shortcut_config(void);
void nhrp_shortcut_fini(void);
/* a Traffic Indication arrived for traffic to dst */
void nhrp_shortcut_traffic(struct interface *ifp, int afi,
			   const struct ipaddr *dst);
/* resolve target through our next hop server; false if we have none */
bool nhrp_shortcut_resolve(struct interface *ifp, int afi,
			   const struct ipaddr *target);
/* a Resolution Reply to one of our requests */
void nhrp_shortcut_reply(struct interface *ifp, uint32_t reqid, uint8_t code,
			 uint8_t prefixlen, const struct ipaddr *via,
			 const struct ipaddr *nbma, uint16_t holdtime);
void nhrp_shortcut_zebra_replay(void);
void nhrp_shortcut_flush(struct interface *ifp);
/* a peer went away (purge, expiry): its shortcuts go with it */
void nhrp_shortcut_peer_gone(struct interface *ifp, const struct ipaddr *via);
typedef void (*nhrp_shortcut_walk_cb)(struct nhrp_shortcut *s, void *arg);
void nhrp_shortcut_walk(nhrp_shortcut_walk_cb cb, void *arg);

#endif
