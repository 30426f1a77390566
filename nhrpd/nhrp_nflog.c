// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: NFLOG group listener (see nhrp_nflog.h).
 */
#include "nhrpd.h"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include "log.h"
#include "privs.h"
#include "nhrpd/nhrp_netlink.h"
#include "nhrpd/nhrp_nflog.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_NFLOG, "NHRP NFLOG listener");

struct nhrp_nflog {
	int fd;
	uint16_t group;
	nhrp_nflog_cb cb;
	void *arg;
	struct thread *t_read;
};

static int nflog_config(int fd, uint16_t group, int type, const void *data,
			size_t len)
{
	struct {
		struct nlmsghdr n;
		struct nfgenmsg g;
		char buf[64];
	} req = {};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};

	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(req.g));
	req.n.nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	req.n.nlmsg_flags = NLM_F_REQUEST;
	req.g.nfgen_family = AF_UNSPEC;
	req.g.version = NFNETLINK_V0;
	req.g.res_id = htons(group);
	nl_attr_put(&req.n, sizeof(req), type, data, len);
	return sendto(fd, &req, req.n.nlmsg_len, 0, (struct sockaddr *)&sa,
		      sizeof(sa));
}

static void nflog_read(struct thread *t)
{
	struct nhrp_nflog *nl = THREAD_ARG(t);
	uint8_t buf[65536 + 512];
	ssize_t len;

	thread_add_read(master, nflog_read, nl, nl->fd, &nl->t_read);
	for (int i = 0; i < 64; i++) {
		struct nlmsghdr *h;

		len = recv(nl->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len <= 0)
			return;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			struct rtattr *tb[NFULA_MAX + 1];
			struct nfgenmsg *g = NLMSG_DATA(h);
			int in = 0, out = 0;

			if (h->nlmsg_type !=
				    ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) ||
			    h->nlmsg_len < NLMSG_LENGTH(sizeof(*g)))
				continue;
			nl_parse_attrs(tb, NFULA_MAX,
				       (struct rtattr *)((char *)g +
							 NLMSG_ALIGN(sizeof(*g))),
				       h->nlmsg_len - NLMSG_LENGTH(sizeof(*g)));
			if (!tb[NFULA_PAYLOAD])
				continue;
			if (tb[NFULA_IFINDEX_INDEV])
				in = ntohl(*(uint32_t *)RTA_DATA(
					tb[NFULA_IFINDEX_INDEV]));
			if (tb[NFULA_IFINDEX_OUTDEV])
				out = ntohl(*(uint32_t *)RTA_DATA(
					tb[NFULA_IFINDEX_OUTDEV]));
			nl->cb(in, out, RTA_DATA(tb[NFULA_PAYLOAD]),
			       RTA_PAYLOAD(tb[NFULA_PAYLOAD]), nl->arg);
		}
	}
}

struct nhrp_nflog *nhrp_nflog_open(uint16_t group, nhrp_nflog_cb cb, void *arg)
{
	struct nfulnl_msg_config_cmd cmd = {.command = NFULNL_CFG_CMD_BIND};
	struct nfulnl_msg_config_mode mode = {
		.copy_range = htonl(0xffff),
		.copy_mode = NFULNL_COPY_PACKET,
	};
	struct nhrp_nflog *nl;
	int fd, ret;

	fd = nl_socket(NETLINK_NETFILTER, 0);
	if (fd < 0) {
		zlog_warn("NFLOG group %u: no netfilter socket: %s", group,
			  safe_strerror(errno));
		return NULL;
	}
	frr_with_privs (&nhrpd_privs) {
		ret = nflog_config(fd, group, NFULA_CFG_CMD, &cmd, sizeof(cmd));
		if (ret >= 0)
			ret = nflog_config(fd, group, NFULA_CFG_MODE, &mode,
					   sizeof(mode));
	}
	if (ret < 0) {
		zlog_warn("NFLOG group %u: cannot bind: %s", group,
			  safe_strerror(errno));
		close(fd);
		return NULL;
	}
	nl = XCALLOC(MTYPE_NHRP_NFLOG, sizeof(*nl));
	nl->fd = fd;
	nl->group = group;
	nl->cb = cb;
	nl->arg = arg;
	thread_add_read(master, nflog_read, nl, fd, &nl->t_read);
	nhrp_debug(KERNEL, "NFLOG group %u bound", group);
	return nl;
}

void nhrp_nflog_close(struct nhrp_nflog **nlp)
{
	struct nhrp_nflog *nl = *nlp;

	if (!nl)
		return;
	THREAD_OFF(nl->t_read);
	close(nl->fd);
	XFREE(MTYPE_NHRP_NFLOG, *nlp);
}
