// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the connection to zebra.  FRR's zclient reconnects by itself when
 * zebra restarts; on every (re)connection we ask for interfaces again.
 */
#include "nhrpd.h"

#include "log.h"
#include "prefix.h"
#include "zclient.h"

#include "nhrpd/nhrp_shortcut.h"

static struct zclient *nhrp_zclient;

static int nhrp_if_address_add(ZAPI_CALLBACK_ARGS)
{
	struct connected *ifc;

	ifc = zebra_interface_address_read(cmd, zclient->ibuf, vrf_id);
	if (!ifc)
		return 0;
	nhrp_debug(IF, "interface %s: address %pFX added", ifc->ifp->name,
		   ifc->address);
	/* ours, or a tunnel source's: everything that may depend on it */
	nhrp_if_update_all();
	return 0;
}

static int nhrp_if_address_del(ZAPI_CALLBACK_ARGS)
{
	struct connected *ifc;

	ifc = zebra_interface_address_read(cmd, zclient->ibuf, vrf_id);
	if (!ifc)
		return 0;
	nhrp_debug(IF, "interface %s: address %pFX deleted", ifc->ifp->name,
		   ifc->address);
	connected_free(&ifc);
	nhrp_if_update_all();
	return 0;
}

static void nhrp_zebra_connected(struct zclient *zc)
{
	zlog_info("connected to zebra");
	zclient_send_reg_requests(zc, VRF_DEFAULT);
	/* a restarted zebra has lost our routes */
	nhrp_shortcut_zebra_replay();
}

void nhrp_zebra_route(const struct prefix *p, const struct ipaddr *via,
		      ifindex_t ifindex, bool add)
{
	struct zapi_route api = {};
	struct zapi_nexthop *nh;

	if (!nhrp_zclient || nhrp_zclient->sock < 0)
		return;
	api.vrf_id = VRF_DEFAULT;
	api.type = ZEBRA_ROUTE_NHRP;
	api.safi = SAFI_UNICAST;
	prefix_copy(&api.prefix, p);
	SET_FLAG(api.message, ZAPI_MESSAGE_NEXTHOP);
	api.nexthop_num = 1;
	nh = &api.nexthops[0];
	nh->vrf_id = VRF_DEFAULT;
	nh->ifindex = ifindex;
	if (IS_IPADDR_V4(via)) {
		nh->type = NEXTHOP_TYPE_IPV4_IFINDEX;
		nh->gate.ipv4 = via->ipaddr_v4;
	} else {
		nh->type = NEXTHOP_TYPE_IPV6_IFINDEX;
		nh->gate.ipv6 = via->ipaddr_v6;
	}
	nhrp_debug(ROUTE, "zebra: %s %pFX via %pIA", add ? "add" : "delete", p,
		   via);
	zclient_route_send(add ? ZEBRA_ROUTE_ADD : ZEBRA_ROUTE_DELETE,
			   nhrp_zclient, &api);
}

static zclient_handler *const nhrp_handlers[] = {
	[ZEBRA_INTERFACE_ADDRESS_ADD] = nhrp_if_address_add,
	[ZEBRA_INTERFACE_ADDRESS_DELETE] = nhrp_if_address_del,
};

void nhrp_zebra_init(void)
{
	nhrp_zclient = zclient_new(master, &zclient_options_default, nhrp_handlers,
			      array_size(nhrp_handlers));
	zclient_init(nhrp_zclient, ZEBRA_ROUTE_NHRP, 0, &nhrpd_privs);
	nhrp_zclient->zebra_connected = nhrp_zebra_connected;
}

void nhrp_zebra_terminate(void)
{
	zclient_stop(nhrp_zclient);
	zclient_free(nhrp_zclient);
	nhrp_zclient = NULL;
}
