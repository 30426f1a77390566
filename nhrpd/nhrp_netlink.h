// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: netlink through libmnl, the parts shared by the rtnetlink
 * (nhrp_kernel.c) and NFLOG (nhrp_nflog.c) code: sockets opened with our
 * privileges, attribute tables, and a request answered by its ACK.
 */
#ifndef NHRP_NETLINK_H
#define NHRP_NETLINK_H

#include <libmnl/libmnl.h>

/* a netlink socket of the given bus, bound to the multicast groups */
struct mnl_socket *nhrp_nl_open(int bus, unsigned int groups);
/* attributes of nlh after its family header (offset bytes) / of a nested
 * attribute into tb[0..max], unknown types ignored */
void nhrp_nl_parse(const struct nlmsghdr *nlh, size_t offset,
		   const struct nlattr **tb, unsigned int max);
void nhrp_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			  unsigned int max);
/* send nlh (sequence number and ACK flag set here) and read until its
 * ACK; every other answer goes to cb.  0, or -errno */
int nhrp_nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data);

#endif
