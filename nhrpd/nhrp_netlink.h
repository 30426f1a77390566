// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: netlink message building and parsing shared by the rtnetlink
 * (nhrp_kernel.c) and NFLOG (nhrp_nflog.c) code.
 */
#ifndef NHRP_NETLINK_H
#define NHRP_NETLINK_H

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

void nl_attr_put(struct nlmsghdr *n, size_t max, int type, const void *data,
		 size_t len);
struct rtattr *nl_nest_start(struct nlmsghdr *n, size_t max, int type);
void nl_nest_end(struct nlmsghdr *n, struct rtattr *nest);
void nl_parse_attrs(struct rtattr **tb, int max, struct rtattr *rta, int len);
/* a netlink socket of the given protocol, bound to multicast groups */
int nl_socket(int protocol, unsigned int groups);

#endif
