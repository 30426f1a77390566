// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: start-up and shut-down, like every FRR daemon.
 */
#include "nhrpd/nhrpd.h"

#include "filter.h"
#include "libfrr.h"
#include "privs.h"
#include "sigevent.h"
#include "version.h"
#include "vrf.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_event.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_sys_linux.h"
#include "nhrpd/nhrp_ui.h"
#include "nhrpd/nhrp_vici.h"

#define NHRP_VTY_PORT 2610	/* FRR's port for nhrpd */

struct thread_master *master;

/* NET_RAW for the NHRP packet socket, NET_ADMIN for neighbours, routes,
 * GRE parameters and the interface sysctls, DAC_OVERRIDE to connect to
 * charon's VICI socket (root's, mode 0770: raised around connect() only,
 * nhrp_vici.c); nothing else. */
static zebra_capabilities_t nhrpd_caps[] = {ZCAP_NET_RAW, ZCAP_NET_ADMIN,
					    ZCAP_DAC_OVERRIDE};

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

static void sighup(void)
{
	enum frr_cli_mode mode = nhrpd_di.cli_mode;

	/* while the file is read the commands only edit nhrp_reload's
	 * candidate (as in FRR's transactional CLI); it commits once */
	nhrpd_di.cli_mode = FRR_CLI_TRANSACTIONAL;
	nhrp_reload(nhrpd_di.config_file, nhrpd_di.pathspace);
	nhrpd_di.cli_mode = mode;
}

static void sigusr1(void)
{
	zlog_rotate();
}

static void sigint(void)
{
	zlog_notice("Terminating on signal");
	/* what the kernel forwards by stays for the next nhrpd (adopted at
	 * its start): a restart costs no traffic.  So registrations stay too
	 * (no Purge Request): the data plane they describe keeps working, and
	 * the servers let them expire with their holding time if nhrpd does
	 * not come back.  Removing the configuration withdraws them. */
	nhrp_sys_linux_leave();
	nhrp_protocol_fini(false);
	nhrp_event_fini();
	nhrp_sys_linux_fini();
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

#define OPT_VICI_SOCKET 256

static const struct option nhrpd_longopts[] = {
	{"vici-socket", required_argument, NULL, OPT_VICI_SOCKET},
	{0},
};

int main(int argc, char **argv)
{
	frr_preinit(&nhrpd_di, argc, argv);
	frr_opt_add("", nhrpd_longopts,
		    "      --vici-socket  strongSwan charon's VICI socket (default "
		    NHRP_VICI_DEFAULT_SOCKET ")\n");

	while (1) {
		int opt = frr_getopt(argc, argv, NULL);

		if (opt == EOF)
			break;
		switch (opt) {
		case 0:
			break;
		case OPT_VICI_SOCKET:
			if (strlen(optarg) >= NHRP_VICI_SOCKET_MAX) {
				fprintf(stderr, "--vici-socket: path longer than %d characters\n",
					NHRP_VICI_SOCKET_MAX - 1);
				exit(1);
			}
			strlcpy(nhrp_vici_path, optarg, NHRP_VICI_SOCKET_MAX);
			break;
		default:
			frr_help_exit(1);
		}
	}

	master = frr_init();
	nhrp_error_init();
	vrf_init(NULL, NULL, NULL, NULL);
	access_list_init();
	if_cmd_init_default();
	nhrp_debug_init();
	nhrp_vty_init();
	nhrp_show_init();
	nhrp_commit_init();
	nhrp_protocol_init();
	nhrp_sys_linux_init();

	frr_config_fork();
	frr_run(master);

	return 0;
}
