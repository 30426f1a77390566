// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: configuration commands and their running-config renderers.
 *
 * The grammar accepts every line FRR 8.4's nhrpd accepts (so the stock
 * vtysh and existing frr.conf files work) plus Cisco's `ip nhrp
 * authentication`.  Each command only queues changes for FRR's northbound;
 * nothing here touches daemon state directly.
 */
#include "nhrpd.h"

#include "command.h"
#include "northbound_cli.h"
#include "vty.h"
#include "yang.h"

#include "nhrpd/nhrp_event.h"
#include "nhrpd/nhrp_nb.h"
#include "nhrpd/nhrp_ui.h"

#define NHRP_STR "NHRP information\n"
#define AFI_HELP "IP information\nIPv6 information\n"

static const char *afi_node(const char *afi)
{
	return strcmp(afi, "ip") == 0 ? "./ipv4" : "./ipv6";
}

/* "ip" or "ipv6" for a node somewhere below the ipv4/ipv6 container */
static const char *afi_word(const struct lyd_node *dnode)
{
	for (; dnode; dnode = lyd_parent(dnode)) {
		const char *name = dnode->schema->name;

		if (strcmp(name, "ipv4") == 0)
			return "ip";
		if (strcmp(name, "ipv6") == 0)
			return "ipv6";
	}
	return "ip";
}

static bool afi_matches(struct vty *vty, const char *afi, const char *addr)
{
	bool v6 = strchr(addr, ':') != NULL;

	if (v6 == (strcmp(afi, "ipv6") == 0))
		return true;
	vty_out(vty,
		"%% Protocol address family does not match command (ip/ipv6 mismatch)\n");
	return false;
}

/* values the command parser lets through but the YANG model refuses: FRR
 * only logs a failed candidate edit, so they are caught here, with a clear
 * error and before anything changes */
static bool valid_hostname(struct vty *vty, const char *name)
{
	size_t len = strlen(name), label = 0;

	/* RFC 1123 2.1: a host name never has the dotted-decimal form, so
	 * digits and dots that are no IPv4 address are a mistake */
	if (len && strspn(name, "0123456789.") == len) {
		struct in_addr a;

		if (inet_pton(AF_INET, name, &a) == 1)
			return true;
		vty_out(vty, "%% Invalid IPv4 address: %s\n", name);
		return false;
	}

	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				goto bad;
			label = 0;
		} else if (isalnum((unsigned char)c) || (c == '-' && label > 0))
			label++;
		else
			goto bad;
		if (label > 63)
			goto bad;
	}
	if (len > 0 && len <= 253 && label > 0 && name[len - 1] != '-')
		return true;
bad:
	vty_out(vty, "%% Invalid NBMA address or host name: %s\n", name);
	return false;
}

static bool valid_word(struct vty *vty, const char *what, const char *s,
		       size_t max)
{
	if (strlen(s) > max) {
		vty_out(vty, "%% %s is at most %zu characters\n", what, max);
		return false;
	}
	for (; *s; s++)
		if (*s < '!' || *s > '~') {
			vty_out(vty, "%% %s takes printable ASCII only\n", what);
			return false;
		}
	return true;
}

static int apply(struct vty *vty)
{
	return nb_cli_apply_changes(vty, NHRP_IF_XPATH);
}

/* set or delete one leaf of the ipv4/ipv6 container, and apply */
static int afi_leaf(struct vty *vty, const char *afi, const char *leaf,
		    enum nb_operation op, const char *value)
{
	char xp[64];

	snprintf(xp, sizeof(xp), "%s/%s", afi_node(afi), leaf);
	nb_cli_enqueue_change(vty, xp, op, value);
	return apply(vty);
}

#include "nhrpd/nhrp_vty_clippy.c"

DEFPY_YANG(nhrp_network_id, nhrp_network_id_cmd,
	   "<ip|ipv6>$afi nhrp network-id (1-4294967295)$id",
	   AFI_HELP NHRP_STR
	   "Enable NHRP and set the network identifier\n"
	   "Network identifier\n")
{
	return afi_leaf(vty, afi, "network-id", NB_OP_MODIFY, id_str);
}

DEFPY_YANG(no_nhrp_network_id, no_nhrp_network_id_cmd,
	   "no <ip|ipv6>$afi nhrp network-id [(1-4294967295)]",
	   NO_STR AFI_HELP NHRP_STR
	   "Enable NHRP and set the network identifier\n"
	   "Network identifier\n")
{
	return afi_leaf(vty, afi, "network-id", NB_OP_DESTROY, NULL);
}

DEFPY_YANG(nhrp_flag, nhrp_flag_cmd,
	   "[no] <ip|ipv6>$afi nhrp <shortcut|redirect>$flag",
	   NO_STR AFI_HELP NHRP_STR
	   "Act on Traffic Indications: create shortcuts\n"
	   "Send Traffic Indications (redirect)\n")
{
	return afi_leaf(vty, afi, flag, NB_OP_MODIFY, no ? "false" : "true");
}

DEFPY_YANG(nhrp_no_unique, nhrp_no_unique_cmd,
	   "[no] <ip|ipv6>$afi nhrp registration no-unique",
	   NO_STR AFI_HELP NHRP_STR
	   "Registration settings\n"
	   "Register without the unique flag\n")
{
	return afi_leaf(vty, afi, "registration-no-unique", NB_OP_MODIFY, no ? "false" : "true");
}

DEFPY_YANG(nhrp_holdtime, nhrp_holdtime_cmd,
	   "<ip|ipv6>$afi nhrp holdtime (1-65000)$secs",
	   AFI_HELP NHRP_STR
	   "Holding time of the NHRP information we announce\n"
	   "Seconds\n")
{
	return afi_leaf(vty, afi, "holdtime", NB_OP_MODIFY, secs_str);
}

DEFPY_YANG(no_nhrp_holdtime, no_nhrp_holdtime_cmd,
	   "no <ip|ipv6>$afi nhrp holdtime [(1-65000)]",
	   NO_STR AFI_HELP NHRP_STR
	   "Holding time of the NHRP information we announce\n"
	   "Seconds\n")
{
	return afi_leaf(vty, afi, "holdtime", NB_OP_DESTROY, NULL);
}

/* the limits: one command each, `no` goes back to the default */
DEFPY_YANG(nhrp_shortcut_min, nhrp_shortcut_min_cmd,
	   "[no] <ip|ipv6>$afi nhrp shortcut minimum-prefix-length [(0-128)$len]",
	   NO_STR AFI_HELP NHRP_STR
	   "Shortcut settings\n"
	   "The widest prefix a shortcut may cover\n"
	   "Prefix length\n")
{
	if (!no && !len_str) {
		vty_out(vty, "%% Prefix length missing\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (!no && strcmp(afi, "ip") == 0 && len > 32) {
		vty_out(vty, "%% An IPv4 prefix is at most 32 bits long\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	return afi_leaf(vty, afi, "shortcut-minimum-prefix-length",
			no ? NB_OP_DESTROY : NB_OP_MODIFY, len_str);
}

DEFPY_YANG(nhrp_reg_max_holdtime, nhrp_reg_max_holdtime_cmd,
	   "[no] <ip|ipv6>$afi nhrp registration maximum-holdtime [(1-65535)$secs]",
	   NO_STR AFI_HELP NHRP_STR
	   "Registration settings\n"
	   "The longest a registration with us is kept\n"
	   "Seconds\n")
{
	if (!no && !secs_str) {
		vty_out(vty, "%% Holding time missing\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	return afi_leaf(vty, afi, "registration-maximum-holdtime",
			no ? NB_OP_DESTROY : NB_OP_MODIFY, secs_str);
}

DEFPY_YANG(nhrp_reg_timeout, nhrp_reg_timeout_cmd,
	   "[no] <ip|ipv6>$afi nhrp registration timeout [(1-65535)$secs]",
	   NO_STR AFI_HELP NHRP_STR
	   "Registration settings\n"
	   "How often our registrations are refreshed\n"
	   "Seconds\n")
{
	if (!no && !secs_str) {
		vty_out(vty, "%% Interval missing\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	return afi_leaf(vty, afi, "registration-timeout",
			no ? NB_OP_DESTROY : NB_OP_MODIFY, secs_str);
}

DEFPY_YANG(nhrp_reg_max_per_nbma, nhrp_reg_max_per_nbma_cmd,
	   "[no] <ip|ipv6>$afi nhrp registration maximum-per-nbma [(1-65535)$n]",
	   NO_STR AFI_HELP NHRP_STR
	   "Registration settings\n"
	   "How many addresses one NBMA address may register\n"
	   "Addresses\n")
{
	if (!no && !n_str) {
		vty_out(vty, "%% Number missing\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	return afi_leaf(vty, afi, "registration-maximum-per-nbma",
			no ? NB_OP_DESTROY : NB_OP_MODIFY, n_str);
}

DEFPY_YANG(nhrp_cache_max, nhrp_cache_max_cmd,
	   "[no] <ip|ipv6>$afi nhrp cache maximum-entries [(1-4294967295)$n]",
	   NO_STR AFI_HELP NHRP_STR
	   "Cache settings\n"
	   "How many entries the interface's cache keeps\n"
	   "Entries\n")
{
	if (!no && !n_str) {
		vty_out(vty, "%% Number missing\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	return afi_leaf(vty, afi, "cache-maximum-entries",
			no ? NB_OP_DESTROY : NB_OP_MODIFY, n_str);
}

DEFPY_YANG(nhrp_mtu, nhrp_mtu_cmd,
	   "ip nhrp mtu <(576-1500)$mtu|opennhrp$opennhrp>",
	   IP_STR NHRP_STR
	   "MTU announced in NHRP client information entries\n"
	   "MTU in bytes\n"
	   "Announce the interface MTU, as OpenNHRP does\n")
{
	nb_cli_enqueue_change(vty, "./ipv4/mtu", NB_OP_MODIFY,
			      opennhrp ? "opennhrp" : mtu_str);
	return apply(vty);
}

DEFPY_YANG(no_nhrp_mtu, no_nhrp_mtu_cmd,
	   "no ip nhrp mtu [<(576-1500)|opennhrp>]",
	   NO_STR IP_STR NHRP_STR
	   "MTU announced in NHRP client information entries\n"
	   "MTU in bytes\n"
	   "Announce the interface MTU, as OpenNHRP does\n")
{
	nb_cli_enqueue_change(vty, "./ipv4/mtu", NB_OP_DESTROY, NULL);
	return apply(vty);
}

/* a static binding: set (nbma or local) or, with del, removed */
static int map_change(struct vty *vty, const char *afi, const char *proto,
		      const char *nbma, bool local, bool del)
{
	char xp[128];

	if (!afi_matches(vty, afi, proto))
		return CMD_WARNING_CONFIG_FAILED;
	snprintf(xp, sizeof(xp), "%s/map[address='%s']", afi_node(afi), proto);
	if (del) {
		nb_cli_enqueue_change(vty, xp, NB_OP_DESTROY, NULL);
		return apply(vty);
	}
	/* replacing a binding: drop the old one in the same transaction */
	if (yang_dnode_existsf(vty->candidate_config->dnode,
			       "%s/frr-nhrpd:nhrp/%s", VTY_CURR_XPATH, xp + 2))
		nb_cli_enqueue_change(vty, xp, NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, xp, NB_OP_CREATE, NULL);
	snprintf(xp, sizeof(xp), "%s/map[address='%s']/%s", afi_node(afi),
		 proto, local ? "local" : "nbma");
	nb_cli_enqueue_change(vty, xp, local ? NB_OP_CREATE : NB_OP_MODIFY,
			      local ? NULL : nbma);
	return apply(vty);
}

DEFPY_YANG(nhrp_map, nhrp_map_cmd,
	   "<ip|ipv6>$afi nhrp map <A.B.C.D|X:X::X:X>$proto <A.B.C.D$nbma|local$local>",
	   AFI_HELP NHRP_STR
	   "Static protocol to NBMA address binding\n"
	   "IPv4 protocol address\n"
	   "IPv6 protocol address\n"
	   "NBMA address\n"
	   "The protocol address is our own\n")
{
	return map_change(vty, afi, proto_str, nbma_str, local, false);
}

DEFPY_YANG(no_nhrp_map, no_nhrp_map_cmd,
	   "no <ip|ipv6>$afi nhrp map <A.B.C.D|X:X::X:X>$proto [<A.B.C.D|local>]",
	   NO_STR AFI_HELP NHRP_STR
	   "Static protocol to NBMA address binding\n"
	   "IPv4 protocol address\n"
	   "IPv6 protocol address\n"
	   "NBMA address\n"
	   "The protocol address is our own\n")
{
	return map_change(vty, afi, proto_str, NULL, false, true);
}

/* IOS writes IPv6 bindings with a prefix length (`ipv6 nhrp map
 * 2001:DB8::1/128 192.0.2.1`): a host address, kept without it */
DEFPY_YANG(nhrp_map6_prefix, nhrp_map6_prefix_cmd,
	   "[no] ipv6 nhrp map X:X::X:X/M$pfx [<A.B.C.D$nbma|local$local>]",
	   NO_STR IPV6_STR NHRP_STR
	   "Static protocol to NBMA address binding\n"
	   "IPv6 protocol address, /128 (IOS's form)\n"
	   "NBMA address\n"
	   "The protocol address is our own\n")
{
	char addr[INET6_ADDRSTRLEN];

	if (pfx->prefixlen != 128) {
		vty_out(vty, "%% Only host addresses are mapped: %s is not /128\n",
			pfx_str);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (!no && !nbma_str && !local) {
		vty_out(vty, "%% Incomplete command: NBMA address or local\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	inet_ntop(AF_INET6, &pfx->prefix, addr, sizeof(addr));
	return map_change(vty, "ipv6", addr, nbma_str, local, no);
}

DEFPY_YANG(nhrp_map_multicast, nhrp_map_multicast_cmd,
	   "[no] <ip|ipv6>$afi nhrp map multicast <A.B.C.D|X:X::X:X|dynamic>$addr",
	   NO_STR AFI_HELP NHRP_STR
	   "Static protocol to NBMA address binding\n"
	   "Where link-local multicast is sent\n"
	   "IPv4 NBMA address\n"
	   "IPv6 NBMA address\n"
	   "Every registered peer\n")
{
	char xp[128];

	/* an NBMA address, whatever the family of the multicast: IPv4, the
	 * only NBMA of a GRE-over-IPv4 tunnel (`ipv6 nhrp map multicast
	 * 192.0.2.1`, as on IOS) */
	if (strchr(addr, ':')) {
		vty_out(vty,
			"%% NBMA addresses are IPv4 (GRE over IPv4): %s\n",
			addr);
		return CMD_WARNING_CONFIG_FAILED;
	}
	snprintf(xp, sizeof(xp), "%s/multicast[address='%s']", afi_node(afi),
		 addr);
	nb_cli_enqueue_change(vty, xp, no ? NB_OP_DESTROY : NB_OP_CREATE,
			      NULL);
	return apply(vty);
}

/* the candidate's nhs entries of this interface for address proto (any
 * nbma): the first one's nbma, and how many there are */
struct nhs_find {
	const char *nbma;
	unsigned int count;
	char xpaths[16][384];
};

static int nhs_find_cb(const struct lyd_node *dnode, void *arg)
{
	struct nhs_find *f = arg;

	if (!f->count)
		f->nbma = yang_dnode_get_string(dnode, "./nbma");
	if (f->count < array_size(f->xpaths))
		yang_dnode_get_path(dnode, f->xpaths[f->count],
				    sizeof(f->xpaths[0]));
	f->count++;
	return YANG_ITER_CONTINUE;
}

static void nhs_find(struct vty *vty, const char *afi, const char *proto,
		     struct nhs_find *f)
{
	memset(f, 0, sizeof(*f));
	yang_dnode_iterate(nhs_find_cb, f, vty->candidate_config->dnode,
			   "%s/frr-nhrpd:nhrp/%s/nhs[address='%s']", VTY_CURR_XPATH,
			   afi_node(afi) + 2, proto);
}

DEFPY_YANG(nhrp_nhs, nhrp_nhs_cmd,
	   "<ip|ipv6>$afi nhrp nhs <A.B.C.D|X:X::X:X|dynamic>$proto [nbma <A.B.C.D|FQDN>$nbma] [priority (0-255)$prio] [cluster (0-10)$cluster]",
	   AFI_HELP NHRP_STR
	   "Next hop server to register with\n"
	   "IPv4 protocol address\n"
	   "IPv6 protocol address\n"
	   "Learn the protocol address from the reply\n"
	   "NBMA address of the server (default: from ip nhrp map)\n"
	   "IPv4 NBMA address\n"
	   "Host name, resolved to an IPv4 NBMA address\n"
	   "Preference among the servers of its cluster\n"
	   "Priority: 0 is the most preferred (default), 255 the least\n"
	   "Cluster (group of servers) it belongs to\n"
	   "Cluster number (default 0)\n")
{
	struct nhs_find f;
	char xp[384], leaf[448];

	if (strcmp(proto, "dynamic") != 0 && !afi_matches(vty, afi, proto))
		return CMD_WARNING_CONFIG_FAILED;
	if (!nbma && strcmp(proto, "dynamic") == 0) {
		vty_out(vty, "%% nhs dynamic needs the server's NBMA address (nbma A.B.C.D|FQDN)\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (nbma && !valid_hostname(vty, nbma))
		return CMD_WARNING_CONFIG_FAILED;
	/* an NHS takes its NBMA address from the map or from its own
	 * nbma, not both */
	if (strcmp(proto, "dynamic") != 0) {
		nhs_find(vty, afi, proto, &f);
		if (f.count && !nbma && strcmp(f.nbma, "-") != 0) {
			vty_out(vty,
				"%% NHS %s is configured with nbma %s: give that nbma, or remove it first\n",
				proto, f.nbma);
			return CMD_WARNING_CONFIG_FAILED;
		}
		if (f.count && nbma && strcmp(f.nbma, "-") == 0) {
			vty_out(vty,
				"%% NHS %s takes its NBMA address from %s nhrp map: remove \"%s nhrp nhs %s\" first\n",
				proto, afi, afi, proto);
			return CMD_WARNING_CONFIG_FAILED;
		}
	}
	if (!nbma &&
	    !yang_dnode_existsf(vty->candidate_config->dnode,
				"%s/frr-nhrpd:nhrp/%s/map[address='%s']/nbma",
				VTY_CURR_XPATH,
				afi_node(afi) + 2, proto)) {
		vty_out(vty,
			"%% NHS %s has no NBMA address: give it (nbma A.B.C.D|FQDN) or map it first (%s nhrp map %s A.B.C.D)\n",
			proto, afi, proto);
		return CMD_WARNING_CONFIG_FAILED;
	}
	snprintf(xp, sizeof(xp), "%s/nhs[address='%s'][nbma='%s']",
		 afi_node(afi), proto, nbma ? nbma : "-");
	nb_cli_enqueue_change(vty, xp, NB_OP_CREATE, NULL);
	/* the whole line says what the server is: what it leaves out is
	 * the default again */
	snprintf(leaf, sizeof(leaf), "%s/priority", xp);
	nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY, prio_str ? prio_str : "0");
	snprintf(leaf, sizeof(leaf), "%s/cluster", xp);
	nb_cli_enqueue_change(vty, leaf, NB_OP_MODIFY,
			      cluster_str ? cluster_str : "0");
	return apply(vty);
}

DEFPY_YANG(no_nhrp_nhs, no_nhrp_nhs_cmd,
	   "no <ip|ipv6>$afi nhrp nhs <A.B.C.D|X:X::X:X|dynamic>$proto [nbma <A.B.C.D|FQDN>$nbma] [priority (0-255)] [cluster (0-10)]",
	   NO_STR AFI_HELP NHRP_STR
	   "Next hop server to register with\n"
	   "IPv4 protocol address\n"
	   "IPv6 protocol address\n"
	   "Learn the protocol address from the reply\n"
	   "NBMA address of the server (default: every one of this address)\n"
	   "IPv4 NBMA address\n"
	   "Host name, resolved to an IPv4 NBMA address\n"
	   "Preference among the servers of its cluster\n"
	   "Priority\n"
	   "Cluster (group of servers) it belongs to\n"
	   "Cluster number\n")
{
	struct nhs_find f;
	char xp[384];

	if (strcmp(proto, "dynamic") != 0 && !afi_matches(vty, afi, proto))
		return CMD_WARNING_CONFIG_FAILED;
	if (nbma) {
		snprintf(xp, sizeof(xp), "%s/nhs[address='%s'][nbma='%s']",
			 afi_node(afi), proto, nbma);
		nb_cli_enqueue_change(vty, xp, NB_OP_DESTROY, NULL);
		return apply(vty);
	}
	/* without nbma, as IOS: the server of that address, whatever its
	 * NBMA address */
	nhs_find(vty, afi, proto, &f);
	if (!f.count) {
		vty_out(vty, "%% No NHS %s\n", proto);
		return CMD_WARNING_CONFIG_FAILED;
	}
	for (unsigned int i = 0; i < MIN(f.count, array_size(f.xpaths)); i++)
		nb_cli_enqueue_change(vty, f.xpaths[i], NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(nhrp_nhs_cluster, nhrp_nhs_cluster_cmd,
	   "[no] <ip|ipv6>$afi nhrp nhs cluster (0-10)$id [max-connections (0-255)$max]",
	   NO_STR AFI_HELP NHRP_STR
	   "Next hop server to register with\n"
	   "A cluster (group) of servers\n"
	   "Cluster number\n"
	   "How many servers of the cluster to register with at a time\n"
	   "Number of servers (default: all of them)\n")
{
	char xp[128];

	if (!no && !max_str) {
		vty_out(vty, "%% Give the cluster's max-connections\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	snprintf(xp, sizeof(xp), "%s/nhs-cluster[id='%s']", afi_node(afi),
		 id_str);
	if (no) {
		nb_cli_enqueue_change(vty, xp, NB_OP_DESTROY, NULL);
		return apply(vty);
	}
	nb_cli_enqueue_change(vty, xp, NB_OP_CREATE, NULL);
	strlcat(xp, "/max-connections", sizeof(xp));
	nb_cli_enqueue_change(vty, xp, NB_OP_MODIFY, max_str);
	return apply(vty);
}

DEFPY_YANG(nhrp_auth, nhrp_auth_cmd,
	   "ip nhrp authentication PASSWORD$pw",
	   IP_STR NHRP_STR
	   "Cisco-compatible cleartext authentication\n"
	   "Password, at most 8 characters\n")
{
	if (!valid_word(vty, "NHRP authentication password", pw, 8))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, "./authentication", NB_OP_MODIFY, pw);
	return apply(vty);
}

DEFPY_YANG(no_nhrp_auth, no_nhrp_auth_cmd,
	   "no ip nhrp authentication [PASSWORD]",
	   NO_STR IP_STR NHRP_STR
	   "Cisco-compatible cleartext authentication\n"
	   "Password\n")
{
	nb_cli_enqueue_change(vty, "./authentication", NB_OP_DESTROY, NULL);
	return apply(vty);
}

DEFPY_YANG(tunnel_source, tunnel_source_cmd,
	   "tunnel source INTERFACE$ifname",
	   "NHRP/GRE tunnel settings\n"
	   "Interface whose address is the tunnel's NBMA address\n"
	   "Interface name\n")
{
	if (!valid_word(vty, "Interface name", ifname, INTERFACE_NAMSIZ - 1))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, "./tunnel-source", NB_OP_MODIFY, ifname);
	return apply(vty);
}

DEFPY_YANG(no_tunnel_source, no_tunnel_source_cmd,
	   "no tunnel source [INTERFACE]",
	   NO_STR
	   "NHRP/GRE tunnel settings\n"
	   "Interface whose address is the tunnel's NBMA address\n"
	   "Interface name\n")
{
	nb_cli_enqueue_change(vty, "./tunnel-source", NB_OP_DESTROY, NULL);
	return apply(vty);
}

/* IPsec protection: FRR's spelling and Cisco's mean the same, a
 * strongSwan connection ("profile") for this tunnel's peers.  Both are
 * written back in FRR's form, `tunnel protection vici profile NAME`, so
 * that the running-config stays readable by FRR's nhrpd and vtysh. */
#define PROTECTION_STR "NHRP/GRE tunnel settings\nIPsec protection\n"
#define PROFILE_MAX 63		/* nhrp_interface.ipsec_profile */

static int set_protection(struct vty *vty, const char *profile,
			  const char *fallback)
{
	if (!valid_word(vty, "IPsec profile name", profile, PROFILE_MAX) ||
	    (fallback && !valid_word(vty, "IPsec fallback profile name",
				     fallback, PROFILE_MAX)))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, "./tunnel-protection", NB_OP_CREATE, NULL);
	nb_cli_enqueue_change(vty, "./tunnel-protection/profile", NB_OP_MODIFY,
			      profile);
	nb_cli_enqueue_change(vty, "./tunnel-protection/fallback-profile",
			      fallback ? NB_OP_MODIFY : NB_OP_DESTROY,
			      fallback);
	return apply(vty);
}

DEFPY_YANG(tunnel_protection, tunnel_protection_cmd,
	   "tunnel protection vici profile PROFILE$profile [fallback-profile FALLBACK$fallback]",
	   PROTECTION_STR
	   "strongSwan VICI\n"
	   "Connection to use\n"
	   "Connection name\n"
	   "Connection to use when the first fails\n"
	   "Connection name\n")
{
	return set_protection(vty, profile, fallback);
}

DEFPY_YANG(tunnel_protection_ipsec, tunnel_protection_ipsec_cmd,
	   "tunnel protection ipsec profile PROFILE$profile [shared]",
	   PROTECTION_STR
	   "IPsec (Cisco syntax, written as `tunnel protection vici profile`)\n"
	   "Profile to use: the strongSwan connection\n"
	   "Profile (connection) name\n"
	   "Shared by tunnels of the same source (Cisco; accepted, no effect)\n")
{
	return set_protection(vty, profile, NULL);
}

DEFPY_YANG(no_tunnel_protection, no_tunnel_protection_cmd,
	   "no tunnel protection [vici profile PROFILE [fallback-profile FALLBACK]]",
	   NO_STR
	   PROTECTION_STR
	   "strongSwan VICI\n"
	   "Connection to use\n"
	   "Connection name\n"
	   "Connection to use when the first fails\n"
	   "Connection name\n")
{
	nb_cli_enqueue_change(vty, "./tunnel-protection", NB_OP_DESTROY, NULL);
	return apply(vty);
}

DEFPY_YANG(no_tunnel_protection_ipsec, no_tunnel_protection_ipsec_cmd,
	   "no tunnel protection ipsec profile [PROFILE [shared]]",
	   NO_STR
	   PROTECTION_STR
	   "IPsec (Cisco syntax)\n"
	   "Profile to use: the strongSwan connection\n"
	   "Profile (connection) name\n"
	   "Shared by tunnels of the same source (Cisco; accepted, no effect)\n")
{
	nb_cli_enqueue_change(vty, "./tunnel-protection", NB_OP_DESTROY, NULL);
	return apply(vty);
}

/* daemon-wide settings */
DEFPY_YANG(nhrp_nflog, nhrp_nflog_cmd,
	   "nhrp <nflog-group|multicast-nflog-group>$which (1-65535)$group",
	   NHRP_STR
	   "NFLOG group of packets that trigger Traffic Indications\n"
	   "NFLOG group of multicast to replicate\n"
	   "Group number\n")
{
	char xp[64];

	snprintf(xp, sizeof(xp), NHRP_GLOBAL_XPATH "/%s", which);
	nb_cli_enqueue_change(vty, xp, NB_OP_MODIFY, group_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_nhrp_nflog, no_nhrp_nflog_cmd,
	   "no nhrp <nflog-group|multicast-nflog-group>$which [(1-65535)]",
	   NO_STR NHRP_STR
	   "NFLOG group of packets that trigger Traffic Indications\n"
	   "NFLOG group of multicast to replicate\n"
	   "Group number\n")
{
	char xp[64];

	snprintf(xp, sizeof(xp), NHRP_GLOBAL_XPATH "/%s", which);
	nb_cli_enqueue_change(vty, xp, NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(nhrp_event_socket, nhrp_event_socket_cmd,
	   "nhrp event socket SOCKET$path",
	   NHRP_STR
	   "Event manager\n"
	   "Unix socket of the event manager\n"
	   "Path\n")
{
	if (!valid_word(vty, "Event socket path", path, 107))
		return CMD_WARNING_CONFIG_FAILED;
	nb_cli_enqueue_change(vty, NHRP_GLOBAL_XPATH "/event-socket",
			      NB_OP_MODIFY, path);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_nhrp_event_socket, no_nhrp_event_socket_cmd,
	   "no nhrp event socket [SOCKET]",
	   NO_STR NHRP_STR
	   "Event manager\n"
	   "Unix socket of the event manager\n"
	   "Path\n")
{
	nb_cli_enqueue_change(vty, NHRP_GLOBAL_XPATH "/event-socket",
			      NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* FRR has no such knob: it waits 10 s and refuses.  Same `nhrp event`
 * prefix as the socket; `fail-open` is the usual word for "allow when the
 * authoriser is unreachable". */
DEFPY_YANG(nhrp_event_timeout, nhrp_event_timeout_cmd,
	   "nhrp event timeout (1-60)$secs [fail-open$open]",
	   NHRP_STR
	   "Event manager\n"
	   "How long a binding waits for the event manager's answer\n"
	   "Seconds (default 10)\n"
	   "Accept the binding when no answer came (default: refuse)\n")
{
	nb_cli_enqueue_change(vty, NHRP_GLOBAL_XPATH "/event-timeout",
			      NB_OP_MODIFY, secs_str);
	nb_cli_enqueue_change(vty, NHRP_GLOBAL_XPATH "/event-fail-open",
			      NB_OP_MODIFY, open ? "true" : "false");
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_nhrp_event_timeout, no_nhrp_event_timeout_cmd,
	   "no nhrp event timeout [(1-60) [fail-open]]",
	   NO_STR NHRP_STR
	   "Event manager\n"
	   "How long a binding waits for the event manager's answer\n"
	   "Seconds (default 10)\n"
	   "Accept the binding when no answer came (default: refuse)\n")
{
	nb_cli_enqueue_change(vty, NHRP_GLOBAL_XPATH "/event-timeout",
			      NB_OP_DESTROY, NULL);
	nb_cli_enqueue_change(vty, NHRP_GLOBAL_XPATH "/event-fail-open",
			      NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(nhrp_packet_buffer, nhrp_packet_buffer_cmd,
	   "nhrp packet-buffer (65536-1073741824)$bytes",
	   NHRP_STR
	   "Receive buffer of the NHRP packet socket\n"
	   "Bytes (default 33554432)\n")
{
	nb_cli_enqueue_change(vty, NHRP_GLOBAL_XPATH "/packet-buffer",
			      NB_OP_MODIFY, bytes_str);
	return nb_cli_apply_changes(vty, NULL);
}

DEFPY_YANG(no_nhrp_packet_buffer, no_nhrp_packet_buffer_cmd,
	   "no nhrp packet-buffer [(65536-1073741824)]",
	   NO_STR NHRP_STR
	   "Receive buffer of the NHRP packet socket\n"
	   "Bytes (default 33554432)\n")
{
	nb_cli_enqueue_change(vty, NHRP_GLOBAL_XPATH "/packet-buffer",
			      NB_OP_DESTROY, NULL);
	return nb_cli_apply_changes(vty, NULL);
}

/* running-config: one renderer per node, lines as FRR 8.4's nhrpd writes
 * (`tunnel protection ipsec profile` comes back in this form too) */
void cli_show_nhrp_protection(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	vty_out(vty, " tunnel protection vici profile %s",
		yang_dnode_get_string(dnode, "./profile"));
	if (yang_dnode_exists(dnode, "./fallback-profile"))
		vty_out(vty, " fallback-profile %s",
			yang_dnode_get_string(dnode, "./fallback-profile"));
	vty_out(vty, "\n");
}

void cli_show_nhrp_tunnel_source(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults)
{
	vty_out(vty, " tunnel source %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_nhrp_auth(struct vty *vty, const struct lyd_node *dnode,
			bool show_defaults)
{
	vty_out(vty, " ip nhrp authentication %s\n",
		yang_dnode_get_string(dnode, NULL));
}

void cli_show_nhrp_network_id(struct vty *vty, const struct lyd_node *dnode,
			      bool show_defaults)
{
	vty_out(vty, " %s nhrp network-id %s\n", afi_word(dnode),
		yang_dnode_get_string(dnode, NULL));
}

void cli_show_nhrp_holdtime(struct vty *vty, const struct lyd_node *dnode,
			    bool show_defaults)
{
	vty_out(vty, " %s nhrp holdtime %s\n", afi_word(dnode),
		yang_dnode_get_string(dnode, NULL));
}

void cli_show_nhrp_limit(struct vty *vty, const struct lyd_node *dnode,
			 bool show_defaults)
{
	static const struct {
		const char *leaf, *words;
	} limits[] = {
		{"shortcut-minimum-prefix-length",
		 "shortcut minimum-prefix-length"},
		{"registration-maximum-holdtime", "registration maximum-holdtime"},
		{"registration-maximum-per-nbma", "registration maximum-per-nbma"},
		{"registration-timeout", "registration timeout"},
		{"cache-maximum-entries", "cache maximum-entries"},
	};

	for (size_t i = 0; i < array_size(limits); i++)
		if (strcmp(dnode->schema->name, limits[i].leaf) == 0)
			vty_out(vty, " %s nhrp %s %s\n", afi_word(dnode),
				limits[i].words,
				yang_dnode_get_string(dnode, NULL));
}

void cli_show_nhrp_mtu(struct vty *vty, const struct lyd_node *dnode,
		       bool show_defaults)
{
	vty_out(vty, " ip nhrp mtu %s\n", yang_dnode_get_string(dnode, NULL));
}

void cli_show_nhrp_flag(struct vty *vty, const struct lyd_node *dnode,
			bool show_defaults)
{
	const char *name = dnode->schema->name;

	if (!yang_dnode_get_bool(dnode, NULL))
		return;
	if (strcmp(name, "registration-no-unique") == 0)
		name = "registration no-unique";
	vty_out(vty, " %s nhrp %s\n", afi_word(dnode), name);
}

void cli_show_nhrp_map(struct vty *vty, const struct lyd_node *dnode,
		       bool show_defaults)
{
	vty_out(vty, " %s nhrp map %s %s\n", afi_word(dnode),
		yang_dnode_get_string(dnode, "./address"),
		yang_dnode_exists(dnode, "./local")
			? "local"
			: yang_dnode_get_string(dnode, "./nbma"));
}

/* FRR 8.4's line when priority and cluster are the defaults; Cisco's
 * `ip nhrp nhs X` when the map gives the NBMA address */
void cli_show_nhrp_nhs(struct vty *vty, const struct lyd_node *dnode,
		       bool show_defaults)
{
	const char *nbma = yang_dnode_get_string(dnode, "./nbma");
	uint8_t prio = yang_dnode_get_uint8(dnode, "./priority");
	uint8_t cluster = yang_dnode_get_uint8(dnode, "./cluster");

	vty_out(vty, " %s nhrp nhs %s", afi_word(dnode),
		yang_dnode_get_string(dnode, "./address"));
	if (strcmp(nbma, "-") != 0)
		vty_out(vty, " nbma %s", nbma);
	if (prio)
		vty_out(vty, " priority %u", prio);
	if (cluster)
		vty_out(vty, " cluster %u", cluster);
	vty_out(vty, "\n");
}

void cli_show_nhrp_nhs_cluster(struct vty *vty, const struct lyd_node *dnode,
			       bool show_defaults)
{
	vty_out(vty, " %s nhrp nhs cluster %u max-connections %u\n",
		afi_word(dnode), yang_dnode_get_uint8(dnode, "./id"),
		yang_dnode_get_uint8(dnode, "./max-connections"));
}

void cli_show_nhrp_multicast(struct vty *vty, const struct lyd_node *dnode,
			     bool show_defaults)
{
	vty_out(vty, " %s nhrp map multicast %s\n", afi_word(dnode),
		yang_dnode_get_string(dnode, "./address"));
}

void cli_show_nhrp_global(struct vty *vty, const struct lyd_node *dnode,
			  bool show_defaults)
{
	const char *name = dnode->schema->name;

	vty_out(vty, "nhrp %s %s\n",
		strcmp(name, "event-socket") == 0 ? "event socket" : name,
		yang_dnode_get_string(dnode, NULL));
}

/* one line for two leaves.  A leaf at its default is not rendered, so the
 * line comes from the timeout's renderer, or from fail-open's when the
 * timeout is at its default. */
void cli_show_nhrp_event_timeout(struct vty *vty, const struct lyd_node *dnode,
				 bool show_defaults)
{
	const struct lyd_node *parent = lyd_parent(dnode);
	bool has_secs = yang_dnode_exists(parent, "./event-timeout");
	bool open = yang_dnode_exists(parent, "./event-fail-open") &&
		    yang_dnode_get_bool(parent, "./event-fail-open");

	if (strcmp(dnode->schema->name, "event-fail-open") == 0 &&
	    (!open ||
	     (has_secs && !yang_dnode_is_default(parent, "./event-timeout"))))
		return;
	vty_out(vty, "nhrp event timeout %u%s\n",
		has_secs ? yang_dnode_get_uint8(parent, "./event-timeout")
			 : NHRP_EVENT_TIMEOUT_DEFAULT,
		open ? " fail-open" : "");
}

/* debug flags and daemon-wide settings, under FRR's ZEBRA_NODE as FRR's
 * nhrpd writes them */
static int nhrp_config_write(struct vty *vty)
{
	const struct lyd_node *dnode;

	nhrp_debug_config_write(vty);
	vty_out(vty, "!\n");
	dnode = yang_dnode_get(running_config->dnode, NHRP_GLOBAL_XPATH);
	if (dnode)
		nb_cli_show_dnode_cmds(vty, dnode, false);
	return 1;
}

static struct cmd_node nhrp_global_node = {
	.name = "nhrp",
	.node = ZEBRA_NODE,
	.prompt = "",
	.config_write = nhrp_config_write,
};

void nhrp_vty_init(void)
{
	install_node(&nhrp_global_node);
	install_element(CONFIG_NODE, &nhrp_nflog_cmd);
	install_element(CONFIG_NODE, &no_nhrp_nflog_cmd);
	install_element(CONFIG_NODE, &nhrp_event_socket_cmd);
	install_element(CONFIG_NODE, &no_nhrp_event_socket_cmd);
	install_element(CONFIG_NODE, &nhrp_event_timeout_cmd);
	install_element(CONFIG_NODE, &no_nhrp_event_timeout_cmd);
	install_element(CONFIG_NODE, &nhrp_packet_buffer_cmd);
	install_element(CONFIG_NODE, &no_nhrp_packet_buffer_cmd);

	install_element(INTERFACE_NODE, &nhrp_network_id_cmd);
	install_element(INTERFACE_NODE, &no_nhrp_network_id_cmd);
	install_element(INTERFACE_NODE, &nhrp_flag_cmd);
	install_element(INTERFACE_NODE, &nhrp_no_unique_cmd);
	install_element(INTERFACE_NODE, &nhrp_holdtime_cmd);
	install_element(INTERFACE_NODE, &nhrp_shortcut_min_cmd);
	install_element(INTERFACE_NODE, &nhrp_reg_max_holdtime_cmd);
	install_element(INTERFACE_NODE, &nhrp_reg_timeout_cmd);
	install_element(INTERFACE_NODE, &nhrp_reg_max_per_nbma_cmd);
	install_element(INTERFACE_NODE, &nhrp_cache_max_cmd);
	install_element(INTERFACE_NODE, &no_nhrp_holdtime_cmd);
	install_element(INTERFACE_NODE, &nhrp_mtu_cmd);
	install_element(INTERFACE_NODE, &no_nhrp_mtu_cmd);
	install_element(INTERFACE_NODE, &nhrp_map_cmd);
	install_element(INTERFACE_NODE, &no_nhrp_map_cmd);
	install_element(INTERFACE_NODE, &nhrp_map6_prefix_cmd);
	install_element(INTERFACE_NODE, &nhrp_map_multicast_cmd);
	install_element(INTERFACE_NODE, &nhrp_nhs_cmd);
	install_element(INTERFACE_NODE, &no_nhrp_nhs_cmd);
	install_element(INTERFACE_NODE, &nhrp_nhs_cluster_cmd);
	install_element(INTERFACE_NODE, &nhrp_auth_cmd);
	install_element(INTERFACE_NODE, &no_nhrp_auth_cmd);
	install_element(INTERFACE_NODE, &tunnel_source_cmd);
	install_element(INTERFACE_NODE, &no_tunnel_source_cmd);
	install_element(INTERFACE_NODE, &tunnel_protection_cmd);
	install_element(INTERFACE_NODE, &no_tunnel_protection_cmd);
	install_element(INTERFACE_NODE, &tunnel_protection_ipsec_cmd);
	install_element(INTERFACE_NODE, &no_tunnel_protection_ipsec_cmd);
}
