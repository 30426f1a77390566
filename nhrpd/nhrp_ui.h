// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the operator's side: configuration commands (nhrp_vty.c) and
 * their northbound (nhrp_nb.c), show/clear (nhrp_show.c), debug flags
 * (nhrp_debug.c), transactions (nhrp_commit.c).
 */
#ifndef NHRP_UI_H
#define NHRP_UI_H

struct vty;

void nhrp_vty_init(void);
void nhrp_show_init(void);
void nhrp_debug_init(void);
void nhrp_commit_init(void);
int nhrp_debug_config_write(struct vty *vty);
/* the `debug nhrp` flags set by the configuration (not by the terminal) */
unsigned int nhrp_debug_conf_get(void);
void nhrp_debug_conf_set(unsigned int flags);
/* SIGHUP: re-read the configuration file, apply it in one transaction;
 * -1 (and nothing changed) when a line or the result is refused.  Run
 * with FRR's CLI in transactional mode (nhrp_main.c). */
int nhrp_reload(const char *config_file, const char *pathspace);

extern const struct frr_yang_module_info frr_nhrpd_info;

#endif
