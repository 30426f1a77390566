// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: northbound callbacks of frr-nhrpd.yang.
 *
 * Every configuration change goes through FRR's northbound (validated
 * against the YANG module, applied as a transaction).  Leaves need no work
 * of their own: when anything below an interface's `nhrp` container (or the
 * global `nhrpd` container) changes, its apply_finish callback reloads the
 * whole container into the C structures the protocol code reads.
 */
#include "nhrpd.h"

#include "log.h"
#include "northbound.h"
#include "yang.h"
#include "yang_wrappers.h"

#include "nhrpd/nhrp_event.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_multicast.h"
#include "nhrpd/nhrp_nb.h"
#include "nhrpd/nhrp_traffic.h"

/* Leaves and list entries need no work of their own (see above). */
static int nb_modify(struct nb_cb_modify_args *args)
{
	return NB_OK;
}

static int nb_create(struct nb_cb_create_args *args)
{
	return NB_OK;
}

static int nb_destroy(struct nb_cb_destroy_args *args)
{
	return NB_OK;
}

static int nb_move(struct nb_cb_move_args *args)
{
	return NB_OK;
}

/* XPath: .../frr-nhrpd:nhrp/tunnel-source */
static int nb_tunnel_source_modify(struct nb_cb_modify_args *args)
{
	const char *src = yang_dnode_get_string(args->dnode, NULL);
	const char *self = yang_dnode_get_string(args->dnode, "../../name");

	if (args->event == NB_EV_VALIDATE && strcmp(src, self) == 0) {
		snprintf(args->errmsg, args->errmsg_len,
			 "%s cannot be its own tunnel source", self);
		return NB_ERR_VALIDATION;
	}
	return NB_OK;
}

#define NB_MODIFY nb_modify
#define NB_CREATE nb_create
#define NB_DESTROY nb_destroy

static void load_addr(struct ipaddr *ip, const struct lyd_node *dnode,
		      const char *xpath)
{
	if (str2ipaddr(yang_dnode_get_string(dnode, xpath), ip) < 0)
		memset(ip, 0, sizeof(*ip));
}

static int load_map(const struct lyd_node *dnode, void *arg)
{
	struct nhrp_afi_conf *ac = arg;
	struct nhrp_map_conf *m = nhrp_conf_alloc(sizeof(*m));

	load_addr(&m->proto, dnode, "./address");
	if (yang_dnode_exists(dnode, "./local"))
		m->local = true;
	else
		load_addr(&m->nbma, dnode, "./nbma");
	nhrp_map_list_add_tail(&ac->maps, m);
	return YANG_ITER_CONTINUE;
}

static int load_nhs(const struct lyd_node *dnode, void *arg)
{
	struct nhrp_afi_conf *ac = arg;
	struct nhrp_nhs_conf *n = nhrp_conf_alloc(sizeof(*n));
	const char *proto = yang_dnode_get_string(dnode, "./address");

	const char *nbma = yang_dnode_get_string(dnode, "./nbma");

	if (strcmp(proto, "dynamic") == 0)
		n->dynamic = true;
	else
		load_addr(&n->proto, dnode, "./address");
	if (strcmp(nbma, "-") == 0)
		n->from_map = true;
	else
		strlcpy(n->nbma, nbma, sizeof(n->nbma));
	n->priority = yang_dnode_get_uint8(dnode, "./priority");
	n->cluster = yang_dnode_get_uint8(dnode, "./cluster");
	nhrp_nhs_list_add_tail(&ac->nhs, n);
	return YANG_ITER_CONTINUE;
}

static int load_nhs_cluster(const struct lyd_node *dnode, void *arg)
{
	struct nhrp_afi_conf *ac = arg;
	uint8_t id = yang_dnode_get_uint8(dnode, "./id");

	if (id < NHRP_NHS_CLUSTERS) {
		ac->nhs_max_set[id] = true;
		ac->nhs_max[id] =
			yang_dnode_get_uint8(dnode, "./max-connections");
	}
	return YANG_ITER_CONTINUE;
}

static int load_mcast(const struct lyd_node *dnode, void *arg)
{
	struct nhrp_afi_conf *ac = arg;
	struct nhrp_mcast_conf *mc = nhrp_conf_alloc(sizeof(*mc));

	if (strcmp(yang_dnode_get_string(dnode, "./address"), "dynamic") == 0)
		mc->dynamic = true;
	else
		load_addr(&mc->addr, dnode, "./address");
	nhrp_mcast_list_add_tail(&ac->mcast, mc);
	return YANG_ITER_CONTINUE;
}

static void load_afi(struct nhrp_afi_conf *ac, int afi,
		     const struct lyd_node *dnode)
{
	ac->network_id = 0;
	nhrp_afi_conf_defaults(ac, afi);
	ac->mtu = 0;
	ac->mtu_opennhrp = false;
	ac->shortcut = ac->redirect = ac->no_unique = false;
	memset(ac->nhs_max_set, 0, sizeof(ac->nhs_max_set));
	memset(ac->nhs_max, 0, sizeof(ac->nhs_max));
	if (!dnode)
		return;
	if (yang_dnode_exists(dnode, "./network-id"))
		ac->network_id = yang_dnode_get_uint32(dnode, "./network-id");
	if (yang_dnode_exists(dnode, "./holdtime"))
		ac->holdtime = yang_dnode_get_uint16(dnode, "./holdtime");
	if (yang_dnode_exists(dnode, "./shortcut-minimum-prefix-length"))
		ac->shortcut_min_prefix = yang_dnode_get_uint8(
			dnode, "./shortcut-minimum-prefix-length");
	if (yang_dnode_exists(dnode, "./registration-maximum-holdtime"))
		ac->max_holdtime = yang_dnode_get_uint16(
			dnode, "./registration-maximum-holdtime");
	if (yang_dnode_exists(dnode, "./registration-timeout"))
		ac->reg_timeout = yang_dnode_get_uint16(dnode,
							"./registration-timeout");
	if (yang_dnode_exists(dnode, "./registration-maximum-per-nbma"))
		ac->max_per_nbma = yang_dnode_get_uint16(
			dnode, "./registration-maximum-per-nbma");
	if (yang_dnode_exists(dnode, "./cache-maximum-entries"))
		ac->cache_max = yang_dnode_get_uint32(dnode,
						      "./cache-maximum-entries");
	if (yang_dnode_exists(dnode, "./mtu")) {
		const char *mtu = yang_dnode_get_string(dnode, "./mtu");

		if (strcmp(mtu, "opennhrp") == 0)
			ac->mtu_opennhrp = true;
		else
			ac->mtu = strtoul(mtu, NULL, 10);
	}
	ac->shortcut = yang_dnode_exists(dnode, "./shortcut") &&
		       yang_dnode_get_bool(dnode, "./shortcut");
	ac->redirect = yang_dnode_exists(dnode, "./redirect") &&
		       yang_dnode_get_bool(dnode, "./redirect");
	ac->no_unique = yang_dnode_exists(dnode, "./registration-no-unique") &&
			yang_dnode_get_bool(dnode, "./registration-no-unique");
	yang_dnode_iterate(load_map, ac, dnode, "./map");
	yang_dnode_iterate(load_nhs, ac, dnode, "./nhs");
	yang_dnode_iterate(load_nhs_cluster, ac, dnode, "./nhs-cluster");
	yang_dnode_iterate(load_mcast, ac, dnode, "./multicast");
}

static void load_string(char *buf, size_t size, const struct lyd_node *dnode,
			const char *xpath)
{
	buf[0] = '\0';
	if (yang_dnode_exists(dnode, xpath))
		strlcpy(buf, yang_dnode_get_string(dnode, xpath), size);
}

/* XPath: /frr-interface:lib/interface/frr-nhrpd:nhrp */
static void nhrp_if_apply_finish(struct nb_cb_apply_finish_args *args)
{
	struct interface *ifp = nb_running_get_entry(args->dnode, NULL, true);
	struct nhrp_interface *nifp = nhrp_if(ifp);
	const struct lyd_node *dnode = args->dnode;

	nhrp_if_conf_clear(nifp);
	load_string(nifp->tunnel_source, sizeof(nifp->tunnel_source), dnode,
		    "./tunnel-source");
	load_string(nifp->auth, sizeof(nifp->auth), dnode, "./authentication");
	load_string(nifp->ipsec_profile, sizeof(nifp->ipsec_profile), dnode,
		    "./tunnel-protection/profile");
	load_string(nifp->ipsec_fallback, sizeof(nifp->ipsec_fallback), dnode,
		    "./tunnel-protection/fallback-profile");
	load_afi(&nifp->afi[NHRP_AFI_IP], NHRP_AFI_IP,
		 yang_dnode_get(dnode, "./ipv4"));
	load_afi(&nifp->afi[NHRP_AFI_IP6], NHRP_AFI_IP6,
		 yang_dnode_get(dnode, "./ipv6"));
	nhrp_debug(IF, "%s: NHRP configuration applied (network-id %u/%u)",
		   ifp->name, nifp->afi[NHRP_AFI_IP].network_id,
		   nifp->afi[NHRP_AFI_IP6].network_id);
	nhrp_if_update(ifp);
}

/* XPath: /frr-nhrpd:nhrpd */
static void nhrp_global_apply_finish(struct nb_cb_apply_finish_args *args)
{
	const struct lyd_node *dnode = args->dnode;

	nhrp_conf.nflog_group = 0;
	nhrp_conf.mcast_nflog_group = 0;
	if (yang_dnode_exists(dnode, "./nflog-group"))
		nhrp_conf.nflog_group =
			yang_dnode_get_uint16(dnode, "./nflog-group");
	if (yang_dnode_exists(dnode, "./multicast-nflog-group"))
		nhrp_conf.mcast_nflog_group =
			yang_dnode_get_uint16(dnode, "./multicast-nflog-group");
	load_string(nhrp_conf.event_socket, sizeof(nhrp_conf.event_socket),
		    dnode, "./event-socket");
	nhrp_event_conf.timeout = NHRP_EVENT_TIMEOUT_DEFAULT;
	if (yang_dnode_exists(dnode, "./event-timeout"))
		nhrp_event_conf.timeout =
			yang_dnode_get_uint8(dnode, "./event-timeout");
	nhrp_event_conf.fail_open =
		yang_dnode_exists(dnode, "./event-fail-open") &&
		yang_dnode_get_bool(dnode, "./event-fail-open");
	if (yang_dnode_exists(dnode, "./packet-buffer")) {
		uint32_t bytes = yang_dnode_get_uint32(dnode, "./packet-buffer");

		if (bytes != nhrp_conf.packet_buffer) {
			nhrp_conf.packet_buffer = bytes;
			nhrp_sys->packet_buffer(bytes);
		}
	}
	nhrp_event_config();
	nhrp_multicast_config();
	nhrp_traffic_config();
}

#define IFX "/frr-interface:lib/interface/frr-nhrpd:nhrp"
/* the same nodes exist under ipv4 and ipv6 */
#define AFI_NODES(afi)                                                         \
	{.xpath = IFX "/" afi "/network-id",                                   \
	 .cbs = {.modify = NB_MODIFY,                                          \
		 .destroy = NB_DESTROY,                                        \
		 .cli_show = cli_show_nhrp_network_id}},                       \
	{.xpath = IFX "/" afi "/holdtime",                                     \
	 .cbs = {.modify = NB_MODIFY, .cli_show = cli_show_nhrp_holdtime}},    \
	{.xpath = IFX "/" afi "/shortcut-minimum-prefix-length",               \
	 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,                   \
		 .cli_show = cli_show_nhrp_limit}},                            \
	{.xpath = IFX "/" afi "/registration-maximum-holdtime",                \
	 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,                   \
		 .cli_show = cli_show_nhrp_limit}},                            \
	{.xpath = IFX "/" afi "/registration-timeout",                         \
	 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,                   \
		 .cli_show = cli_show_nhrp_limit}},                            \
	{.xpath = IFX "/" afi "/registration-maximum-per-nbma",                \
	 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,                   \
		 .cli_show = cli_show_nhrp_limit}},                            \
	{.xpath = IFX "/" afi "/cache-maximum-entries",                        \
	 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,                   \
		 .cli_show = cli_show_nhrp_limit}},                            \
	{.xpath = IFX "/" afi "/shortcut",                                     \
	 .cbs = {.modify = NB_MODIFY, .cli_show = cli_show_nhrp_flag}},        \
	{.xpath = IFX "/" afi "/redirect",                                     \
	 .cbs = {.modify = NB_MODIFY, .cli_show = cli_show_nhrp_flag}},        \
	{.xpath = IFX "/" afi "/registration-no-unique",                       \
	 .cbs = {.modify = NB_MODIFY, .cli_show = cli_show_nhrp_flag}},        \
	{.xpath = IFX "/" afi "/map",                                          \
	 .cbs = {.create = NB_CREATE,                                          \
		 .destroy = NB_DESTROY,                                        \
		 .cli_show = cli_show_nhrp_map}},                              \
	{.xpath = IFX "/" afi "/map/nbma",                                     \
	 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY}},                 \
	{.xpath = IFX "/" afi "/map/local",                                    \
	 .cbs = {.create = NB_CREATE, .destroy = NB_DESTROY}},                 \
	{.xpath = IFX "/" afi "/nhs",                                          \
	 .cbs = {.create = NB_CREATE,                                          \
		 .destroy = NB_DESTROY,                                        \
		 .move = nb_move,                                              \
		 .cli_show = cli_show_nhrp_nhs}},                              \
	{.xpath = IFX "/" afi "/nhs/priority",                                 \
	 .cbs = {.modify = NB_MODIFY}},                                        \
	{.xpath = IFX "/" afi "/nhs/cluster",                                  \
	 .cbs = {.modify = NB_MODIFY}},                                        \
	{.xpath = IFX "/" afi "/nhs-cluster",                                  \
	 .cbs = {.create = NB_CREATE,                                          \
		 .destroy = NB_DESTROY,                                        \
		 .cli_show = cli_show_nhrp_nhs_cluster}},                      \
	{.xpath = IFX "/" afi "/nhs-cluster/max-connections",                  \
	 .cbs = {.modify = NB_MODIFY}},                                        \
	{.xpath = IFX "/" afi "/multicast",                                    \
	 .cbs = {.create = NB_CREATE,                                          \
		 .destroy = NB_DESTROY,                                        \
		 .move = nb_move,                                              \
		 .cli_show = cli_show_nhrp_multicast}}

/* clang-format off */
const struct frr_yang_module_info frr_nhrpd_info = {
	.name = "frr-nhrpd",
	.nodes = {
		{.xpath = IFX,
		 .cbs = {.apply_finish = nhrp_if_apply_finish}},
		{.xpath = IFX "/tunnel-protection",
		 .cbs = {.create = NB_CREATE, .destroy = NB_DESTROY,
			 .cli_show = cli_show_nhrp_protection}},
		{.xpath = IFX "/tunnel-protection/profile",
		 .cbs = {.modify = NB_MODIFY}},
		{.xpath = IFX "/tunnel-protection/fallback-profile",
		 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY}},
		{.xpath = IFX "/tunnel-source",
		 .cbs = {.modify = nb_tunnel_source_modify, .destroy = NB_DESTROY,
			 .cli_show = cli_show_nhrp_tunnel_source}},
		{.xpath = IFX "/authentication",
		 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,
			 .cli_show = cli_show_nhrp_auth}},
		AFI_NODES("ipv4"),
		{.xpath = IFX "/ipv4/mtu",
		 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,
			 .cli_show = cli_show_nhrp_mtu}},
		AFI_NODES("ipv6"),
		{.xpath = NHRP_GLOBAL_XPATH,
		 .cbs = {.apply_finish = nhrp_global_apply_finish}},
		{.xpath = NHRP_GLOBAL_XPATH "/nflog-group",
		 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,
			 .cli_show = cli_show_nhrp_global}},
		{.xpath = NHRP_GLOBAL_XPATH "/multicast-nflog-group",
		 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,
			 .cli_show = cli_show_nhrp_global}},
		{.xpath = NHRP_GLOBAL_XPATH "/event-socket",
		 .cbs = {.modify = NB_MODIFY, .destroy = NB_DESTROY,
			 .cli_show = cli_show_nhrp_global}},
		{.xpath = NHRP_GLOBAL_XPATH "/event-timeout",
		 .cbs = {.modify = NB_MODIFY,
			 .cli_show = cli_show_nhrp_event_timeout}},
		{.xpath = NHRP_GLOBAL_XPATH "/event-fail-open",
		 .cbs = {.modify = NB_MODIFY,
			 .cli_show = cli_show_nhrp_event_timeout}},
		{.xpath = NHRP_GLOBAL_XPATH "/packet-buffer",
		 .cbs = {.modify = NB_MODIFY,
			 .cli_show = cli_show_nhrp_global}},
		{.xpath = NULL},
	},
};
/* clang-format on */
