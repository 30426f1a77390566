// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the system interface on Linux (see nhrp_system.h): the packet
 * socket, our rtnetlink socket, NFLOG, our nftables table, zebra, and
 * FRR's c-ares resolver.
 */
#include "nhrpd/nhrpd.h"

#include "resolver.h"
#include "sockunion.h"
#include "vrf.h"

#include "nhrpd/nhrp_event.h"
#include "nhrpd/nhrp_sys_linux.h"

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

static const struct nhrp_system linux_system = {
	.send = nhrp_pktsock_send,
	.send_many = nhrp_pktsock_send_many,
	.neigh = nhrp_kernel_neigh,
	.route_lookup = nhrp_zebra_route_lookup,
	.route = nhrp_zebra_route,
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
	nhrp_pktsock_fini();
	nhrp_netfilter_fini();
	nhrp_kernel_fini();
	nhrp_zebra_terminate();
}
