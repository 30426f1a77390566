// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: spoke-to-spoke shortcuts: our own Resolution Requests (phase 2:
 * for a next hop in the tunnel the kernel asks us about; phase 3: for the
 * destination of traffic the hub redirected us for) and the shortcut
 * routes their replies give.
 */
#ifndef NHRP_SHORTCUT_H
#define NHRP_SHORTCUT_H

#include "nhrpd/nhrpd.h"
#include "prefix.h"

PREDECL_DLIST(nhrp_shortcut_list);
struct nhrp_shortcut {
	struct nhrp_shortcut_list_item item;
	struct interface *ifp;
	struct prefix prefix;	/* what the responder said it serves */
	struct ipaddr via;	/* the responder's tunnel address */
	struct ipaddr nbma;
	struct ipaddr target;	/* what was resolved: asked again to refresh */
	int afi;
	uint32_t created, expires;
	struct thread *t_expire, *t_refresh;
};
DECLARE_DLIST(nhrp_shortcut_list, struct nhrp_shortcut, item);

void nhrp_shortcut_init(void);
void nhrp_shortcut_fini(void);
/* resolve target through a next hop server we are registered with;
 * false if there is none.  Nothing is sent for an address we know,
 * are resolving, or failed to resolve a moment ago. */
bool nhrp_shortcut_resolve(struct interface *ifp, int afi,
			   const struct ipaddr *target);
/* is there a shortcut of ifp covering dst? */
bool nhrp_shortcut_covers(struct interface *ifp, const struct ipaddr *dst);
/* a purge of prefix p sent from NBMA address from: ifp's shortcuts that
 * overlap p (inside it, or covering part of it) and whose responder is at
 * from go, or every such shortcut if the sender is one of our servers
 * (by_server); returns how many */
unsigned int nhrp_shortcut_purge(struct interface *ifp, const struct prefix *p,
				 const struct ipaddr *from, bool by_server);
/* remove ifp's shortcuts (all: NULL); returns how many */
unsigned int nhrp_shortcut_flush(struct interface *ifp);
/* remove every shortcut of one family (NHRP_AFI_*) */
unsigned int nhrp_shortcut_flush_afi(int afi);
typedef void (*nhrp_shortcut_walk_cb)(struct nhrp_shortcut *s, void *arg);
void nhrp_shortcut_walk(nhrp_shortcut_walk_cb cb, void *arg);

#endif
