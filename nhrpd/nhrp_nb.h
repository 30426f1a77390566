// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the northbound (YANG module frr-nhrpd) and its CLI renderers.
 */
#ifndef NHRP_NB_H
#define NHRP_NB_H

#include "northbound.h"

#define NHRP_IF_XPATH "./frr-nhrpd:nhrp"
#define NHRP_GLOBAL_XPATH "/frr-nhrpd:nhrpd"

/* nhrp_vty.c: one renderer per configuration node */
void cli_show_nhrp_protection(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults);
void cli_show_nhrp_tunnel_source(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults);
void cli_show_nhrp_auth(struct vty *vty, const struct lyd_node *dnode,
			bool show_defaults);
void cli_show_nhrp_network_id(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults);
void cli_show_nhrp_limit(struct vty *vty, const struct lyd_node *dnode,
			 bool show_defaults);
void cli_show_nhrp_holdtime(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults);
void cli_show_nhrp_mtu(struct vty *vty, const struct lyd_node *dnode,
		       bool show_defaults);
void cli_show_nhrp_flag(struct vty *vty, const struct lyd_node *dnode,
			bool show_defaults);
void cli_show_nhrp_map(struct vty *vty, const struct lyd_node *dnode,
		       bool show_defaults);
void cli_show_nhrp_nhs_cluster(struct vty *vty, const struct lyd_node *dnode,
			       bool show_defaults);
void cli_show_nhrp_nhs(struct vty *vty, const struct lyd_node *dnode,
		       bool show_defaults);
void cli_show_nhrp_multicast(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults);
void cli_show_nhrp_global(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults);
void cli_show_nhrp_event_timeout(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults);

#endif
