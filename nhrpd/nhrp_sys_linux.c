// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the system interface on Linux (see nhrp_system.h): the packet
 * socket, our rtnetlink socket, NFLOG, our nftables table, zebra,
 * FRR's c-ares resolver, and strongSwan's charon over VICI (nhrp_vici.c)
 * for IPsec.
 */
#include "nhrpd/nhrpd.h"

#include "resolver.h"
#include "sockunion.h"
#include "vrf.h"

#include "nhrpd/nhrp_event.h"
#include "nhrpd/nhrp_sys_linux.h"
#include "nhrpd/nhrp_vici.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_DNS, "NHRP name lookup");

/* FRR's resolver cannot be cancelled: a lookup whose owner is gone is
 * left to finish, and then dropped */
struct dns_query {
	struct resolver_query q;
	struct nhrp_resolve *owner;
};

static void dns_done(struct resolver_query *q, const char *err, int n,
		     union sockunion *addrs)
{
	struct dns_query *d = container_of(q, struct dns_query, q);
	struct nhrp_resolve *owner = d->owner;
	struct ipaddr addr = {};

	XFREE(MTYPE_NHRP_DNS, d);
	if (!owner)
		return;
	owner->impl[0] = NULL;
	if (n <= 0) {
		owner->cb(owner, NULL, err ? err : "no address");
		return;
	}
	SET_IPADDR_V4(&addr);
	addr.ipaddr_v4 = addrs[0].sin.sin_addr;
	owner->cb(owner, &addr, NULL);
}

static void dns_resolve(struct nhrp_resolve *r, const char *name,
			nhrp_resolve_cb cb)
{
	struct dns_query *d = XCALLOC(MTYPE_NHRP_DNS, sizeof(*d));

	d->owner = r;
	r->cb = cb;
	r->impl[0] = d;
	resolver_resolve(&d->q, AF_INET, VRF_DEFAULT, name, dns_done);
}

static void dns_cancel(struct nhrp_resolve *r)
{
	struct dns_query *d = r->impl[0];

	if (d)
		d->owner = NULL;
	r->impl[0] = NULL;
}

/* the event socket decides about bindings when there is one */
static bool authorizing(void)
{
	return nhrp_conf.event_socket[0] != '\0';
}

/* ---- IPsec: charon's SAs, as the protocol sees them -------------------------- */

char nhrp_vici_path[NHRP_VICI_SOCKET_MAX];

/* an address charon gave as 4 or 16 bytes (anything else: none) */
static void vici_addr(struct ipaddr *ip, const uint8_t *bytes, size_t len)
{
	if (len == 4)
		SET_IPADDR_V4(ip);
	else if (len == 16)
		SET_IPADDR_V6(ip);
	else
		return;
	memcpy(&ip->ip.addr, bytes, len);
}

static void sa_from_vici(const struct vici_ike_sa *ike, struct nhrp_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->id = ike->uniqueid;
	vici_addr(&sa->local, ike->local_addr, ike->local_addr_len);
	vici_addr(&sa->remote, ike->remote_addr, ike->remote_addr_len);
	sa->identity = ike->remote_id;
	sa->conn = ike->name;
	sa->version = ike->version;
	sa->initiator = ike->initiator;
	sa->established = ike->state == VICI_IKE_ESTABLISHED ||
			  ike->state == VICI_IKE_REKEYING ||
			  ike->state == VICI_IKE_REKEYED;
	for (unsigned int i = 0; i < ike->nchild; i++) {
		const struct vici_child_sa *c = &ike->child[i];

		if (c->state != VICI_CHILD_INSTALLED &&
		    c->state != VICI_CHILD_REKEYING &&
		    c->state != VICI_CHILD_UPDATING)
			continue;
		if (sa->nchild < NHRP_SA_CHILD_MAX) {
			sa->child[sa->nchild].id = c->uniqueid;
			sa->child[sa->nchild].reqid = c->reqid;
		}
		sa->nchild++;
	}
}

static void child_from_vici(const struct vici_child_sa *c, struct nhrp_sa *sa)
{
	sa->nchild = 1;
	sa->child[0].id = c->uniqueid;
	sa->child[0].reqid = c->reqid;
}

static void vici_sa(const struct nhrp_vici_sa_event *ev, void *arg)
{
	struct nhrp_sa sa;

	if (!ev->ike || ev->ike->remote_addr_len == 0)
		return;
	sa_from_vici(ev->ike, &sa);
	switch (ev->kind) {
	case NHRP_VICI_IKE_UP:
		nhrp_sys_sa_in(NHRP_SA_UP, &sa);
		break;
	case NHRP_VICI_IKE_DOWN:
		nhrp_sys_sa_in(NHRP_SA_DOWN, &sa);
		break;
	case NHRP_VICI_IKE_REKEYED:
		nhrp_sys_sa_in(NHRP_SA_UP, &sa);
		if (ev->old_ike) {
			struct nhrp_sa old;

			sa_from_vici(ev->old_ike, &old);
			nhrp_sys_sa_in(NHRP_SA_DOWN, &old);
		}
		break;
	case NHRP_VICI_CHILD_UP:
	case NHRP_VICI_CHILD_DOWN:
		if (!ev->child)
			break;
		child_from_vici(ev->child, &sa);
		nhrp_sys_sa_in(ev->kind == NHRP_VICI_CHILD_UP
				       ? NHRP_SA_CHILD_UP
				       : NHRP_SA_CHILD_DOWN,
			       &sa);
		break;
	case NHRP_VICI_CHILD_REKEYED:
		if (ev->child) {
			child_from_vici(ev->child, &sa);
			nhrp_sys_sa_in(NHRP_SA_CHILD_UP, &sa);
		}
		if (ev->old_child) {
			child_from_vici(ev->old_child, &sa);
			nhrp_sys_sa_in(NHRP_SA_CHILD_DOWN, &sa);
		}
		break;
	case NHRP_VICI_SA_LISTED:
		nhrp_sys_sa_in(NHRP_SA_LISTED, &sa);
		break;
	}
}

static void vici_resync_begin(void *arg)
{
	nhrp_sys_sa_in(NHRP_SA_RESYNC_BEGIN, NULL);
}

static void vici_resync_end(bool complete, void *arg)
{
	if (complete)
		nhrp_sys_sa_in(NHRP_SA_RESYNC_END, NULL);
}

static void vici_connection(bool up, void *arg)
{
	if (!up)
		nhrp_sys_sa_in(NHRP_SA_DISCONNECTED, NULL);
}

static const struct nhrp_vici_ops vici_ops = {
	.sa = vici_sa,
	.resync_begin = vici_resync_begin,
	.resync_end = vici_resync_end,
	.connection = vici_connection,
};

static void ipsec(bool on)
{
	if (on)
		nhrp_vici_init(master, &nhrpd_privs, nhrp_vici_path, &vici_ops,
			       NULL);
	else
		nhrp_vici_fini();
}

/*
 * Leaving (nhrpd stops): the data plane stays as it is.  Neighbour entries
 * (marked protocol nhrp) are left in the kernel for the next nhrpd to adopt,
 * and our routes are not withdrawn: zebra keeps them as stale for the
 * graceful-restart time it was told (nhrp_zebra.c) until the next nhrpd has
 * said what it still wants.  The IKE SAs stay up too (the next nhrpd
 * finds them in charon's list).  Traffic keeps flowing through the restart.
 */
static bool leaving;

void nhrp_sys_linux_leave(void)
{
	leaving = true;
}

static int sa_terminate(uint32_t id)
{
	if (leaving)
		return 0;
	return nhrp_vici_terminate_ike(id, NULL, NULL);
}

static int sys_neigh(struct interface *ifp, const struct ipaddr *proto,
		     const struct ipaddr *nbma)
{
	if (leaving && !nbma)
		return 0;
	return nhrp_kernel_neigh(ifp, proto, nbma);
}

static void sys_route(const struct prefix *p, const struct ipaddr *via,
		      struct interface *ifp, bool add)
{
	if (leaving && !add)
		return;
	nhrp_zebra_route(p, via, ifp, add);
}

static const struct nhrp_system linux_system = {
	.send = nhrp_pktsock_send,
	.send_many = nhrp_pktsock_send_many,
	.neigh = sys_neigh,
	.neigh_list = nhrp_kernel_neigh_list,
	.route_lookup = nhrp_zebra_route_lookup,
	.route = sys_route,
	.gre_info = nhrp_kernel_gre_info,
	.if_prepare = nhrp_kernel_if_prepare,
	.nflog_open = nhrp_nflog_open,
	.nflog_close = nhrp_nflog_close,
	.resolve = dns_resolve,
	.resolve_cancel = dns_cancel,
	.gre_set_source = nhrp_kernel_gre_set_source,
	.authorizing = authorizing,
	.authorize = nhrp_event_authorize,
	.authorize_cancel = nhrp_event_cancel,
	.capture = nhrp_netfilter_capture,
	.packet_buffer = nhrp_pktsock_buffer,
	.packet_stats = nhrp_pktsock_stats,
	.ipsec = ipsec,
	.sa_terminate = sa_terminate,
};

void nhrp_sys_linux_init(void)
{
	nhrp_system_set(&linux_system);
	resolver_init(master);
	nhrp_kernel_init();
	nhrp_netfilter_init();
	nhrp_pktsock_init();
	nhrp_zebra_init();
}

void nhrp_sys_linux_fini(void)
{
	nhrp_vici_fini();
	nhrp_pktsock_fini();
	nhrp_netfilter_fini();
	nhrp_kernel_fini();
	nhrp_zebra_terminate();
}
