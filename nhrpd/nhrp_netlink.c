// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: netlink helpers (see nhrp_netlink.h).
 */
#include "nhrpd/nhrpd.h"

#include "privs.h"

#include "nhrpd/nhrp_netlink.h"
#include "nhrpd/nhrp_sys_linux.h"

struct mnl_socket *nhrp_nl_open(int bus, unsigned int groups)
{
	struct mnl_socket *nl;

	frr_with_privs (&nhrpd_privs) {
		nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	}
	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

struct table {
	const struct nlattr **tb;
	unsigned int max;
};

static int table_cb(const struct nlattr *attr, void *data)
{
	struct table *t = data;
	unsigned int type = mnl_attr_get_type(attr);

	if (type <= t->max)
		t->tb[type] = attr;
	return MNL_CB_OK;
}

void nhrp_nl_parse(const struct nlmsghdr *nlh, size_t offset,
		   const struct nlattr **tb, unsigned int max)
{
	struct table t = {tb, max};

	memset(tb, 0, sizeof(*tb) * (max + 1));
	if (nlh->nlmsg_len >= mnl_nlmsg_size(offset))
		mnl_attr_parse(nlh, offset, table_cb, &t);
}

void nhrp_nl_parse_nested(const struct nlattr *nest, const struct nlattr **tb,
			  unsigned int max)
{
	struct table t = {tb, max};

	memset(tb, 0, sizeof(*tb) * (max + 1));
	mnl_attr_parse_nested(nest, table_cb, &t);
}

int nhrp_nl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		 void *data)
{
	static uint32_t seq;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid = mnl_socket_get_portid(nl);
	ssize_t len;
	int ret;

	nlh->nlmsg_seq = ++seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		ret = mnl_cb_run(buf, len, seq, portid, cb, data);
	} while (ret > MNL_CB_STOP);
	return ret < 0 ? -errno : 0;
}
