// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: configuration transactions on nhrpd's own vty.
 *
 * nhrpd runs FRR's classic CLI (each command is committed at once), which
 * is what vtysh expects.  On top of it, `configure exclusive` opens a
 * private candidate, locks the running configuration against every other
 * client and groups the following commands into one northbound
 * transaction: `commit` applies all of them or, if any is refused, none;
 * `abort` drops them.  Leaving configuration mode or a command outside
 * the YANG model (such as `exit`) commits what is pending, as FRR's
 * grouped commits do.
 */
#include "nhrpd.h"

#include "command.h"
#include "lib_errors.h"
#include "libfrr.h"
#include "northbound.h"
#include "northbound_cli.h"
#include "vty.h"

#include "nhrpd/nhrp_ui.h"

DEFUN(nhrp_config_exclusive, nhrp_config_exclusive_cmd,
      "configure exclusive",
      "Configuration from vty interface\n"
      "Configure exclusively from this terminal, in one transaction\n")
{
	/* vty_config_enter(), with our own words about what happens */
	if (nb_running_lock(NB_CLIENT_CLI, vty)) {
		vty_out(vty, "%% Configuration is locked by another client\n");
		return CMD_WARNING;
	}
	vty->node = CONFIG_NODE;
	vty->config = true;
	vty->private_config = true;
	vty->xpath_index = 0;
	vty->candidate_config = nb_config_dup(running_config);
	vty->candidate_config_base = nb_config_dup(running_config);
	vty->pending_allowed = true;
	vty_out(vty,
		"Changes are grouped into one transaction: 'commit' applies them, 'abort' drops them.\n");
	return CMD_SUCCESS;
}

/* a YANG command, so that FRR does not commit what is pending before it */
DEFUN_YANG(nhrp_commit, nhrp_commit_cmd, "commit",
	   "Apply the pending changes in one transaction\n")
{
	if (!vty->private_config) {
		vty_out(vty,
			"%% Nothing to commit: changes apply at once outside 'configure exclusive'\n");
		return CMD_WARNING;
	}
	return nb_cli_pending_commit_check(vty);
}

DEFUN_YANG(nhrp_abort, nhrp_abort_cmd, "abort",
	   "Drop the pending changes and leave configuration mode\n")
{
	if (vty->private_config) {
		nb_config_replace(vty->candidate_config, running_config, true);
		vty->pending_commit = 0;
	}
	vty_config_exit(vty);
	return CMD_SUCCESS;
}

void nhrp_commit_init(void)
{
	/* with --tcli, FRR's own transactional commands are there instead */
	if (frr_get_cli_mode() != FRR_CLI_CLASSIC)
		return;
	install_element(ENABLE_NODE, &nhrp_config_exclusive_cmd);
	install_element(CONFIG_NODE, &nhrp_commit_cmd);
	install_element(INTERFACE_NODE, &nhrp_commit_cmd);
	install_element(CONFIG_NODE, &nhrp_abort_cmd);
	install_element(INTERFACE_NODE, &nhrp_abort_cmd);
}
