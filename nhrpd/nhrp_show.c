// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: show commands about the daemon's own state.
 */
#include "nhrpd.h"

#include "command.h"
#include "json.h"
#include "prefix.h"
#include "vrf.h"
#include "vty.h"

#include "nhrpd/nhrp_show_clippy.c"

static json_object *if_json(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	json_object *js = json_object_new_object();
	json_object *addrs = json_object_new_array();
	struct connected *ifc;
	struct listnode *node;

	json_object_string_add(js, "interface", ifp->name);
	json_object_int_add(js, "ifindex", ifp->ifindex);
	json_object_boolean_add(js, "up", if_is_up(ifp));
	json_object_int_add(js, "mtu", ifp->mtu);
	for (ALL_LIST_ELEMENTS_RO(ifp->connected, node, ifc))
		json_object_array_add(
			addrs, json_object_new_stringf("%pFX", ifc->address));
	json_object_object_add(js, "addresses", addrs);
	json_object_int_add(js, "networkId", nifp->afi[NHRP_AFI_IP].network_id);
	json_object_int_add(js, "networkIdIpv6",
			    nifp->afi[NHRP_AFI_IP6].network_id);
	json_object_int_add(js, "holdtime", nifp->afi[NHRP_AFI_IP].holdtime);
	if (nifp->tunnel_source[0])
		json_object_string_add(js, "tunnelSource", nifp->tunnel_source);
	json_object_boolean_add(js, "authentication", nifp->auth[0] != 0);
	json_object_int_add(js, "nhsCount",
			    nhrp_nhs_list_count(&nifp->afi[NHRP_AFI_IP].nhs));
	json_object_int_add(js, "mapCount",
			    nhrp_map_list_count(&nifp->afi[NHRP_AFI_IP].maps));
	return js;
}

DEFPY(show_nhrp_interface, show_nhrp_interface_cmd,
      "show ip nhrp interface [IFNAME$ifname] [json$json]",
      SHOW_STR IP_STR
      "NHRP information\n"
      "Interfaces as nhrpd sees them\n"
      "Interface name\n" JSON_STR)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	json_object *js = json_object_new_array();
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp) {
		if (ifname && strcmp(ifname, ifp->name) != 0)
			continue;
		json_object_array_add(js, if_json(ifp));
	}
	if (json) {
		vty_json(vty, js);
		return CMD_SUCCESS;
	}
	json_object_free(js);
	vty_out(vty, "%-16s %-8s %-5s %-10s %s\n", "Interface", "Index", "Up",
		"NetworkId", "Addresses");
	FOR_ALL_INTERFACES (vrf, ifp) {
		struct connected *ifc;
		struct listnode *node;
		const char *sep = "";

		if (ifname && strcmp(ifname, ifp->name) != 0)
			continue;
		vty_out(vty, "%-16s %-8d %-5s %-10u ", ifp->name, ifp->ifindex,
			if_is_up(ifp) ? "yes" : "no",
			nhrp_if(ifp)->afi[NHRP_AFI_IP].network_id);
		for (ALL_LIST_ELEMENTS_RO(ifp->connected, node, ifc)) {
			vty_out(vty, "%s%pFX", sep, ifc->address);
			sep = ",";
		}
		vty_out(vty, "\n");
	}
	return CMD_SUCCESS;
}

void nhrp_show_init(void)
{
	install_element(VIEW_NODE, &show_nhrp_interface_cmd);
}
