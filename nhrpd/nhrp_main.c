// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: start-up and shut-down, like every FRR daemon.
 */
#include "nhrpd.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_kernel.h"
#include "nhrpd/nhrp_multicast.h"
#include "nhrpd/nhrp_nhs.h"
#include "nhrpd/nhrp_packet.h"
#include "nhrpd/nhrp_shortcut.h"

#include "filter.h"
#include "resolver.h"
#include "libfrr.h"
#include "privs.h"
#include "sigevent.h"
#include "version.h"
#include "vrf.h"

DEFINE_MGROUP(NHRPD, "NHRP");

#define NHRP_VTY_PORT 2610	/* FRR's port for nhrpd */

struct thread_master *master;

/* NET_RAW for the NHRP packet socket, NET_ADMIN for neighbours, routes,
 * GRE parameters and the interface sysctls; nothing else. */
static zebra_capabilities_t nhrpd_caps[] = {ZCAP_NET_RAW, ZCAP_NET_ADMIN};

struct zebra_privs_t nhrpd_privs = {
#if defined(FRR_USER) && defined(FRR_GROUP)
	.user = FRR_USER,
	.group = FRR_GROUP,
#endif
#ifdef VTY_GROUP
	.vty_group = VTY_GROUP,
#endif
	.caps_p = nhrpd_caps,
	.cap_num_p = array_size(nhrpd_caps),
	.cap_num_i = 0,
};

static struct frr_daemon_info nhrpd_di;

/* the kernel wants a neighbour on an NHRP interface resolved */
static void nhrp_kernel_resolve(int ifindex, const struct ipaddr *proto)
{
	struct interface *ifp = if_lookup_by_index(ifindex, VRF_DEFAULT);

	if (!ifp || !ifp->info || !nhrp_if(ifp)->enabled[IS_IPADDR_V6(proto)])
		return;
	if (nhrp_cache_kernel_probe(ifp, proto))
		return;
	/* phase 2: a next hop in the tunnel we have no binding for yet */
	if (!nhrp_shortcut_resolve(ifp, IS_IPADDR_V6(proto), proto))
		nhrp_debug(KERNEL, "%s: no binding for %pIA", ifp->name, proto);
}

static void sighup(void)
{
	zlog_info("SIGHUP received: configuration is changed through vtysh");
}

static void sigusr1(void)
{
	zlog_rotate();
}

static void sigint(void)
{
	zlog_notice("Terminating on signal");
	nhrp_nhs_stop_all(true);
	nhrp_shortcut_fini();
	nhrp_packet_fini();
	nhrp_multicast_fini();
	nhrp_kernel_fini();
	nhrp_zebra_terminate();
	frr_fini();
	exit(0);
}

static struct frr_signal_t nhrpd_signals[] = {
	{.signal = SIGHUP, .handler = &sighup},
	{.signal = SIGUSR1, .handler = &sigusr1},
	{.signal = SIGINT, .handler = &sigint},
	{.signal = SIGTERM, .handler = &sigint},
};

static const struct frr_yang_module_info *const nhrpd_yang_modules[] = {
	&frr_filter_info,
	&frr_interface_info,
	&frr_vrf_info,
	&frr_nhrpd_info,
};

/* clang-format off */
FRR_DAEMON_INFO(nhrpd, NHRP,
	.vty_port = NHRP_VTY_PORT,
	.proghelp = "NHRP (RFC 2332) daemon: DMVPN hub and spoke, Cisco compatible.",
	.signals = nhrpd_signals,
	.n_signals = array_size(nhrpd_signals),
	.privs = &nhrpd_privs,
	.yang_modules = nhrpd_yang_modules,
	.n_yang_modules = array_size(nhrpd_yang_modules),
);
/* clang-format on */

int main(int argc, char **argv)
{
	frr_preinit(&nhrpd_di, argc, argv);

	while (1) {
		int opt = frr_getopt(argc, argv, NULL);

		if (opt == EOF)
			break;
		switch (opt) {
		case 0:
			break;
		default:
			frr_help_exit(1);
		}
	}

	master = frr_init();
	vrf_init(NULL, NULL, NULL, NULL);
	access_list_init();
	nhrp_debug_init();
	nhrp_if_init();
	nhrp_vty_init();
	nhrp_show_init();
	nhrp_commit_init();
	resolver_init(master);
	nhrp_kernel_init(nhrp_kernel_resolve);
	nhrp_packet_init();
	nhrp_zebra_init();

	frr_config_fork();
	frr_run(master);

	return 0;
}
