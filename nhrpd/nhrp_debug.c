// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: `debug nhrp ...` flags.  The names are FRR 8.4's, so that the
 * stock vtysh passes them.  Set in configure mode they are part of the
 * configuration; set in enable mode they last until the daemon stops.
 */
#include "nhrpd.h"

#include "command.h"
#include "vty.h"

#include "nhrpd/nhrp_ui.h"

static unsigned int debug_conf, debug_term;

static const struct {
	const char *name;
	unsigned int flag;
} debug_names[] = {
	/* in FRR's order of writing */
	{"common", NHRP_DEBUG_COMMON}, {"interface", NHRP_DEBUG_IF},
	{"kernel", NHRP_DEBUG_KERNEL}, {"route", NHRP_DEBUG_ROUTE},
	{"vici", NHRP_DEBUG_VICI},     {"event", NHRP_DEBUG_EVENT},
};

static unsigned int debug_flag(const char *name)
{
	if (strcmp(name, "all") == 0)
		return NHRP_DEBUG_ALL;
	for (size_t i = 0; i < array_size(debug_names); i++)
		if (strcmp(name, debug_names[i].name) == 0)
			return debug_names[i].flag;
	return 0;
}

#include "nhrpd/nhrp_debug_clippy.c"

DEFPY(debug_nhrp, debug_nhrp_cmd,
      "[no] debug nhrp <all|common|event|interface|kernel|route|vici>$name",
      NO_STR DEBUG_STR
      "NHRP information\n"
      "All messages\n"
      "Common messages (default)\n"
      "Event manager messages\n"
      "Interface messages\n"
      "Kernel messages\n"
      "Route messages\n"
      "VICI messages\n")
{
	unsigned int *set = vty->node == CONFIG_NODE ? &debug_conf
						     : &debug_term;
	unsigned int flag = debug_flag(name);

	if (no) {
		debug_conf &= ~flag;
		debug_term &= ~flag;
	} else
		*set |= flag;
	nhrp_debug_flags = debug_conf | debug_term;
	return CMD_SUCCESS;
}

DEFUN_NOSH(show_debugging_nhrp, show_debugging_nhrp_cmd,
	   "show debugging [nhrp]",
	   SHOW_STR
	   "Debugging information\n"
	   "NHRP configuration\n")
{
	vty_out(vty, "NHRP debugging status:\n");
	for (size_t i = 0; i < array_size(debug_names); i++)
		if (nhrp_debug_flags & debug_names[i].flag)
			vty_out(vty, "  NHRP %s debugging is on\n",
				debug_names[i].name);
	return CMD_SUCCESS;
}

unsigned int nhrp_debug_conf_get(void)
{
	return debug_conf;
}

void nhrp_debug_conf_set(unsigned int flags)
{
	debug_conf = flags;
	nhrp_debug_flags = debug_conf | debug_term;
}

int nhrp_debug_config_write(struct vty *vty)
{
	int lines = 0;

	if ((debug_conf & NHRP_DEBUG_ALL) == NHRP_DEBUG_ALL) {
		vty_out(vty, "debug nhrp all\n");
		return 1;
	}
	for (size_t i = 0; i < array_size(debug_names); i++)
		if (debug_conf & debug_names[i].flag) {
			vty_out(vty, "debug nhrp %s\n", debug_names[i].name);
			lines++;
		}
	return lines;
}

void nhrp_debug_init(void)
{
	install_element(ENABLE_NODE, &debug_nhrp_cmd);
	install_element(CONFIG_NODE, &debug_nhrp_cmd);
	install_element(ENABLE_NODE, &show_debugging_nhrp_cmd);
}
