// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the connection to zebra.  FRR's zclient reconnects by itself when
 * zebra restarts; on every (re)connection we ask for interfaces and routes
 * again and re-send our shortcut routes.
 *
 * Route lookups (where does a resolution target or a redirected packet's
 * source live?) are answered from a copy of zebra's selected routes: we
 * ask zebra to redistribute every route type to us and keep them in a
 * route table per address family.  That is what zebra would use, also
 * for routes the kernel does not have (yet), and a lookup is a local
 * longest-prefix match on the packet path: no round trip, no waiting.
 * Our own NHRP routes are left out (a shortcut is not a reason to send a
 * resolution anywhere).
 */
#include "nhrpd/nhrpd.h"

#include "log.h"
#include "prefix.h"
#include "table.h"
#include "zclient.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_sys_linux.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_RIB, "NHRP copy of zebra's route");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_ROUTE, "NHRP shortcut route");

static struct zclient *zclient;

/* a route of zebra's, as route_node->info of rib[afi] */
struct rib_route {
	struct ipaddr gateway;
	ifindex_t ifindex;
	uint8_t type;
};

/* one of our routes, as route_node->info of ours[afi] */
struct our_route {
	struct ipaddr via;
	ifindex_t ifindex;
};

static struct route_table *rib[AFI_MAX], *ours[AFI_MAX];

/* ---- interfaces and addresses --------------------------------------------- */

static int if_address_add(ZAPI_CALLBACK_ARGS)
{
	struct connected *ifc;

	ifc = zebra_interface_address_read(cmd, zclient->ibuf, vrf_id);
	if (!ifc)
		return 0;
	nhrp_debug(IF, "interface %s: address %pFX added", ifc->ifp->name,
		   ifc->address);
	/* ours, or a tunnel source's: everything that may depend on it */
	nhrp_sys_if_change_in(NULL);
	return 0;
}

static int if_address_del(ZAPI_CALLBACK_ARGS)
{
	struct connected *ifc;

	ifc = zebra_interface_address_read(cmd, zclient->ibuf, vrf_id);
	if (!ifc)
		return 0;
	nhrp_debug(IF, "interface %s: address %pFX deleted", ifc->ifp->name,
		   ifc->address);
	connected_free(&ifc);
	nhrp_sys_if_change_in(NULL);
	return 0;
}

static int ifp_create(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s added, ifindex %d, mtu %u", ifp->name,
		   ifp->ifindex, ifp->mtu);
	nhrp_sys_if_change_in(ifp);
	return 0;
}

static int ifp_up(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s up", ifp->name);
	nhrp_sys_if_change_in(ifp);
	return 0;
}

static int ifp_down(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s down", ifp->name);
	nhrp_sys_if_change_in(ifp);
	return 0;
}

static int ifp_destroy(struct interface *ifp)
{
	nhrp_sys_if_gone_in(ifp);
	return 0;
}

/* ---- zebra's routes: lookups ------------------------------------------------ */

static void rib_flush(afi_t afi)
{
	struct route_node *rn;

	if (!rib[afi])
		return;
	for (rn = route_top(rib[afi]); rn; rn = route_next(rn))
		if (rn->info) {
			XFREE(MTYPE_NHRP_RIB, rn->info);
			route_unlock_node(rn);
		}
}

static int redistributed(ZAPI_CALLBACK_ARGS)
{
	struct zapi_route api;
	struct route_node *rn;
	struct rib_route *r;
	afi_t afi;

	if (zapi_route_decode(zclient->ibuf, &api) < 0)
		return -1;
	if (api.type == ZEBRA_ROUTE_NHRP || api.prefix.family == AF_UNSPEC ||
	    CHECK_FLAG(api.message, ZAPI_MESSAGE_SRCPFX))
		return 0;
	afi = family2afi(api.prefix.family);
	if (!rib[afi])
		return 0;
	apply_mask(&api.prefix);
	if (cmd == ZEBRA_REDISTRIBUTE_ROUTE_DEL) {
		rn = route_node_lookup(rib[afi], &api.prefix);
		if (!rn)
			return 0;
		r = rn->info;
		if (r && r->type == api.type) {
			XFREE(MTYPE_NHRP_RIB, rn->info);
			route_unlock_node(rn);
		}
		route_unlock_node(rn);
		return 0;
	}
	rn = route_node_get(rib[afi], &api.prefix);
	if (rn->info)
		route_unlock_node(rn); /* replaced: one lock per route */
	else
		rn->info = XCALLOC(MTYPE_NHRP_RIB, sizeof(*r));
	r = rn->info;
	memset(r, 0, sizeof(*r));
	r->type = api.type;
	if (api.nexthop_num) {
		struct zapi_nexthop *nh = &api.nexthops[0];

		r->ifindex = nh->ifindex;
		switch (nh->type) {
		case NEXTHOP_TYPE_IPV4:
		case NEXTHOP_TYPE_IPV4_IFINDEX:
			SET_IPADDR_V4(&r->gateway);
			r->gateway.ipaddr_v4 = nh->gate.ipv4;
			break;
		case NEXTHOP_TYPE_IPV6:
		case NEXTHOP_TYPE_IPV6_IFINDEX:
			SET_IPADDR_V6(&r->gateway);
			r->gateway.ipaddr_v6 = nh->gate.ipv6;
			break;
		case NEXTHOP_TYPE_BLACKHOLE:
			r->ifindex = IFINDEX_INTERNAL;
			break;
		default:
			break;
		}
	}
	nhrp_debug(ROUTE, "zebra: %s route %pFX via %pIA ifindex %d",
		   zebra_route_string(api.type), &api.prefix, &r->gateway,
		   r->ifindex);
	return 0;
}

int nhrp_zebra_route_lookup(const struct ipaddr *dst,
			    struct nhrp_route_info *ri)
{
	afi_t afi = IS_IPADDR_V6(dst) ? AFI_IP6 : AFI_IP;
	struct prefix host = {};
	struct route_node *rn;
	struct rib_route *r;

	memset(ri, 0, sizeof(*ri));
	if (!rib[afi])
		return -1;
	host.family = afi2family(afi);
	host.prefixlen = afi == AFI_IP6 ? 128 : 32;
	memcpy(&host.u.prefix, &dst->ip.addr, afi == AFI_IP6 ? 16 : 4);
	rn = route_node_match(rib[afi], &host);
	if (!rn)
		return -1;
	r = rn->info;
	prefix_copy(&ri->prefix, &rn->p);
	ri->gateway = r->gateway;
	ri->ifindex = r->ifindex;
	ri->type = r->type;
	route_unlock_node(rn);
	return 0;
}

/* ---- our shortcut routes ------------------------------------------------------ */

static void route_send(const struct prefix *p, const struct our_route *o,
		       bool add)
{
	struct zapi_route api = {};
	struct zapi_nexthop *nh;

	if (!zclient || zclient->sock < 0)
		return; /* re-sent when zebra is back */
	api.vrf_id = VRF_DEFAULT;
	api.type = ZEBRA_ROUTE_NHRP;
	api.safi = SAFI_UNICAST;
	prefix_copy(&api.prefix, p);
	SET_FLAG(api.message, ZAPI_MESSAGE_NEXTHOP);
	api.nexthop_num = 1;
	nh = &api.nexthops[0];
	nh->vrf_id = VRF_DEFAULT;
	nh->ifindex = o->ifindex;
	if (IS_IPADDR_V4(&o->via)) {
		nh->type = NEXTHOP_TYPE_IPV4_IFINDEX;
		nh->gate.ipv4 = o->via.ipaddr_v4;
	} else {
		nh->type = NEXTHOP_TYPE_IPV6_IFINDEX;
		nh->gate.ipv6 = o->via.ipaddr_v6;
	}
	nhrp_debug(ROUTE, "zebra: %s %pFX via %pIA", add ? "add" : "delete", p,
		   &o->via);
	if (zclient_route_send(add ? ZEBRA_ROUTE_ADD : ZEBRA_ROUTE_DELETE,
			       zclient, &api) == ZCLIENT_SEND_FAILURE)
		flog_warn(EC_NHRP_ZEBRA, "zebra: cannot %s route %pFX",
			  add ? "add" : "delete", p);
}

void nhrp_zebra_route(const struct prefix *p, const struct ipaddr *via,
		      struct interface *ifp, bool add)
{
	afi_t afi = family2afi(p->family);
	struct route_node *rn;
	struct our_route o = {.via = *via, .ifindex = ifp->ifindex};

	if (!ours[afi])
		return;
	if (add) {
		rn = route_node_get(ours[afi], p);
		if (rn->info)
			route_unlock_node(rn);
		else
			rn->info = XCALLOC(MTYPE_NHRP_ROUTE, sizeof(o));
		memcpy(rn->info, &o, sizeof(o));
	} else if ((rn = route_node_lookup(ours[afi], p))) {
		if (rn->info) {
			XFREE(MTYPE_NHRP_ROUTE, rn->info);
			route_unlock_node(rn);
		}
		route_unlock_node(rn);
	}
	route_send(p, &o, add);
}

/* how long zebra keeps our routes once we are gone (graceful restart):
 * long enough for a restarted nhrpd to be back and say what it wants */
#define NHRP_ZEBRA_STALE_TIME 120

static void zebra_connected(struct zclient *zc)
{
	struct route_node *rn;
	struct zapi_cap gr = {
		.cap = ZEBRA_CLIENT_GR_CAPABILITIES,
		.stale_removal_time = NHRP_ZEBRA_STALE_TIME,
		.vrf_id = VRF_DEFAULT,
	};

	zlog_info("connected to zebra");
	/* our shortcut routes outlive a restart of nhrpd: zebra keeps them
	 * (and the kernel's copies) as stale until the stale time is over */
	zclient_capabilities_send(ZEBRA_CLIENT_CAPABILITIES, zc, &gr);
	/* zebra sends every route again */
	for (afi_t afi = AFI_IP; afi < AFI_MAX; afi++)
		rib_flush(afi);
	zclient_send_reg_requests(zc, VRF_DEFAULT);
	/* a restarted zebra has lost our routes */
	for (afi_t afi = AFI_IP; afi < AFI_MAX; afi++)
		for (rn = route_top(ours[afi]); rn; rn = route_next(rn))
			if (rn->info)
				route_send(&rn->p, rn->info, true);
}

static zclient_handler *const handlers[] = {
	[ZEBRA_INTERFACE_ADDRESS_ADD] = if_address_add,
	[ZEBRA_INTERFACE_ADDRESS_DELETE] = if_address_del,
	[ZEBRA_REDISTRIBUTE_ROUTE_ADD] = redistributed,
	[ZEBRA_REDISTRIBUTE_ROUTE_DEL] = redistributed,
};

void nhrp_zebra_init(void)
{
	for (afi_t afi = AFI_IP; afi < AFI_MAX; afi++) {
		rib[afi] = route_table_init();
		ours[afi] = route_table_init();
	}
	if_zapi_callbacks(ifp_create, ifp_up, ifp_down, ifp_destroy);
	zclient = zclient_new(master, &zclient_options_default, handlers,
			      array_size(handlers));
	zclient_init(zclient, ZEBRA_ROUTE_NHRP, 0, &nhrpd_privs);
	zclient->zebra_connected = zebra_connected;
	/* every route type, kept across reconnections by zclient */
	for (afi_t afi = AFI_IP; afi <= AFI_IP6; afi++)
		zclient_redistribute(ZEBRA_REDISTRIBUTE_ADD, zclient, afi,
				     ZEBRA_ROUTE_ALL, 0, VRF_DEFAULT);
}

void nhrp_zebra_terminate(void)
{
	struct route_node *rn;

	zclient_stop(zclient);
	zclient_free(zclient);
	zclient = NULL;
	for (afi_t afi = AFI_IP; afi < AFI_MAX; afi++) {
		rib_flush(afi);
		for (rn = route_top(ours[afi]); rn; rn = route_next(rn))
			if (rn->info) {
				XFREE(MTYPE_NHRP_ROUTE, rn->info);
				route_unlock_node(rn);
			}
		route_table_finish(rib[afi]);
		route_table_finish(ours[afi]);
	}
}
