// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: netlink helpers (see nhrp_netlink.h).
 */
#include "nhrpd.h"

#include "privs.h"
#include "nhrpd/nhrp_netlink.h"

void nl_attr_put(struct nlmsghdr *n, size_t max, int type, const void *data,
		 size_t len)
{
	struct rtattr *rta = (void *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	if (NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len) > max)
		return;
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_SPACE(len);
}

struct rtattr *nl_nest_start(struct nlmsghdr *n, size_t max, int type)
{
	struct rtattr *nest = (void *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	nl_attr_put(n, max, type, NULL, 0);
	return nest;
}

void nl_nest_end(struct nlmsghdr *n, struct rtattr *nest)
{
	nest->rta_len = (char *)n + n->nlmsg_len - (char *)nest;
}

void nl_parse_attrs(struct rtattr **tb, int max, struct rtattr *rta, int len)
{
	memset(tb, 0, sizeof(*tb) * (max + 1));
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if ((rta->rta_type & ~NLA_F_NESTED) <= max)
			tb[rta->rta_type & ~NLA_F_NESTED] = rta;
}

int nl_socket(int protocol, unsigned int groups)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups};
	int fd;

	frr_with_privs (&nhrpd_privs) {
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	}
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
