// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: error codes (see nhrp_errors.h).
 */
#include "nhrpd/nhrpd.h"

#include "nhrpd/nhrp_errors.h"

static struct log_ref nhrp_errors[] = {
	{
		.code = EC_NHRP_SOCKET,
		.title = "NHRP socket unavailable",
		.description = "nhrpd could not open or set up a socket it needs (the NHRP packet socket or a netlink socket).",
		.suggestion = "Check that nhrpd runs with CAP_NET_RAW and CAP_NET_ADMIN, and that the kernel has AF_PACKET and netlink support.",
	},
	{
		.code = EC_NHRP_KERNEL,
		.title = "Kernel refused an NHRP change",
		.description = "The kernel refused a neighbour entry, neighbour table setting or interface flag nhrpd needs.",
		.suggestion = "Check the message for the errno; 'No buffer space' means the neighbour table is full (net.ipv4.neigh.default.gc_thresh3).",
	},
	{
		.code = EC_NHRP_ZEBRA,
		.title = "Message to zebra failed",
		.description = "nhrpd could not send a route or request to zebra.",
		.suggestion = "Check that zebra runs; nhrpd re-sends its routes when zebra is back.",
	},
	{
		.code = EC_NHRP_NFLOG,
		.title = "NFLOG group cannot be bound",
		.description = "nhrpd could not bind the netfilter NFLOG group configured for redirects or multicast.",
		.suggestion = "Check that the nfnetlink_log module is loaded and no other program holds the group.",
	},
	{
		.code = EC_NHRP_ENCODE,
		.title = "NHRP packet cannot be encoded",
		.description = "A packet nhrpd built does not fit the limits of the wire format.",
		.suggestion = "Report it with the debug log ('debug nhrp common').",
	},
	{
		.code = EC_NHRP_NHS,
		.title = "Next hop server refused the registration",
		.description = "A next hop server answered a Registration Request with an error code.",
		.suggestion = "Code 14 means the tunnel address is registered from another NBMA address ('ip nhrp registration no-unique' lets a spoke move); check network-id, authentication and addresses.",
	},
	{
		.code = EC_NHRP_RESOLVER,
		.title = "Next hop server name does not resolve",
		.description = "The NBMA host name of an 'ip nhrp nhs' does not resolve.",
		.suggestion = "Check the name and DNS; nhrpd retries.",
	},
	{
		.code = EC_NHRP_INTERNAL,
		.title = "NHRP bookkeeping error",
		.description = "nhrpd found its own state inconsistent (for instance a peer still referenced when its interface went away).",
		.suggestion = "Report it with the debug log ('debug nhrp all').",
	},
	{
		.code = EC_NHRP_NETFILTER,
		.title = "NHRP netfilter rules cannot be installed",
		.description = "nhrpd could not install its nftables table (inet nhrpd) for 'ip nhrp redirect' or 'ip nhrp map multicast': without it no Traffic Indications are sent and link-local multicast is not replicated.",
		.suggestion = "Check that the kernel has nf_tables with nft_log and nft_limit (5.12 or later), that nhrpd has CAP_NET_ADMIN, and that no other program holds a table inet nhrpd; or write the rules yourself with 'nhrp nflog-group' / 'nhrp multicast-nflog-group'.",
	},
	{
		.code = EC_NHRP_CONFIG,
		.title = "NHRP configuration file refused on SIGHUP",
		.description = "On SIGHUP nhrpd re-read its configuration file and found a line it cannot apply (the line number, the line and the reason are logged), or the configuration as a whole was refused: nothing was changed.",
		.suggestion = "Correct the line named in the log and send SIGHUP again ('systemctl reload nhrpd').",
	},
	{
		.code = END_FERR,
	},
};

void nhrp_error_init(void)
{
	log_ref_add(nhrp_errors);
}
