// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: packets handed to us by netfilter's NFLOG target (an iptables or
 * nftables rule with `--nflog-group N` / `log group N`): one netlink
 * socket per group, bound in copy-packet mode, each packet delivered as it
 * comes (queue threshold 1, flush timeout 10 ms).
 */
#include "nhrpd/nhrpd.h"

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include "log.h"
#include "privs.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_netlink.h"
#include "nhrpd/nhrp_sys_linux.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_NFLOG, "NHRP NFLOG listener");

struct nhrp_nflog {
	struct mnl_socket *nl;
	uint16_t group;
	nhrp_nflog_cb cb;
	void *arg;
	struct thread *t_read;
};

static int nflog_config(struct mnl_socket *nl, uint16_t group, int type,
			const void *data, size_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	g->res_id = htons(group);
	mnl_attr_put(nlh, type, len, data);
	return nhrp_nl_talk(nl, nlh, NULL, NULL);
}

static int packet_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nhrp_nflog *nf = data;
	const struct nlattr *tb[NFULA_MAX + 1];
	ifindex_t in = 0, out = 0;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET))
		return MNL_CB_OK;
	nhrp_nl_parse(nlh, sizeof(struct nfgenmsg), tb, NFULA_MAX);
	if (!tb[NFULA_PAYLOAD])
		return MNL_CB_OK;
	if (tb[NFULA_IFINDEX_INDEV])
		in = ntohl(mnl_attr_get_u32(tb[NFULA_IFINDEX_INDEV]));
	if (tb[NFULA_IFINDEX_OUTDEV])
		out = ntohl(mnl_attr_get_u32(tb[NFULA_IFINDEX_OUTDEV]));
	nf->cb(in, out, mnl_attr_get_payload(tb[NFULA_PAYLOAD]),
	       mnl_attr_get_payload_len(tb[NFULA_PAYLOAD]), nf->arg);
	return MNL_CB_OK;
}

static void nflog_read(struct thread *t)
{
	struct nhrp_nflog *nf = THREAD_ARG(t);
	int fd = mnl_socket_get_fd(nf->nl);
	static uint8_t buf[65536 + 512];

	thread_add_read(master, nflog_read, nf, fd, &nf->t_read);
	for (int i = 0; i < 64; i++) {
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (len <= 0)
			return;
		mnl_cb_run(buf, len, 0, 0, packet_cb, nf);
	}
}

struct nhrp_nflog *nhrp_nflog_bind(uint16_t group, nhrp_nflog_cb cb, void *arg,
				   int *err)
{
	struct nfulnl_msg_config_cmd cmd = {.command = NFULNL_CFG_CMD_BIND};
	struct nfulnl_msg_config_mode mode = {
		.copy_range = htonl(0xffff),
		.copy_mode = NFULNL_COPY_PACKET,
	};
	/* each packet to us at once, and at worst after 10 ms: the kernel's
	 * default holds up to 100 packets or 1 s, and the operator's rule
	 * (FRR's documented one among them) rarely sets --nflog-threshold: a
	 * Traffic Indication a second late is a shortcut a second late */
	uint32_t qthresh = htonl(1), flush = htonl(1);
	struct nhrp_nflog *nf;
	struct mnl_socket *nl;
	int ret;

	nl = nhrp_nl_open(NETLINK_NETFILTER, 0);
	if (!nl) {
		*err = -errno;
		return NULL;
	}
	frr_with_privs (&nhrpd_privs) {
		ret = nflog_config(nl, group, NFULA_CFG_CMD, &cmd, sizeof(cmd));
		if (ret == 0)
			ret = nflog_config(nl, group, NFULA_CFG_MODE, &mode,
					   sizeof(mode));
		if (ret == 0)
			ret = nflog_config(nl, group, NFULA_CFG_QTHRESH,
					   &qthresh, sizeof(qthresh));
		if (ret == 0)
			ret = nflog_config(nl, group, NFULA_CFG_TIMEOUT, &flush,
					   sizeof(flush));
	}
	if (ret < 0) {
		*err = ret;
		mnl_socket_close(nl);
		return NULL;
	}
	nf = XCALLOC(MTYPE_NHRP_NFLOG, sizeof(*nf));
	nf->nl = nl;
	nf->group = group;
	nf->cb = cb;
	nf->arg = arg;
	thread_add_read(master, nflog_read, nf, mnl_socket_get_fd(nl),
			&nf->t_read);
	nhrp_debug(KERNEL, "NFLOG group %u bound", group);
	return nf;
}

struct nhrp_nflog *nhrp_nflog_open(uint16_t group, nhrp_nflog_cb cb, void *arg)
{
	struct nhrp_nflog *nf;
	int err = 0;

	nf = nhrp_nflog_bind(group, cb, arg, &err);
	if (!nf)
		flog_err(EC_NHRP_NFLOG, "NFLOG group %u: cannot bind: %s", group,
			 safe_strerror(-err));
	return nf;
}

void nhrp_nflog_close(struct nhrp_nflog **nfp)
{
	struct nhrp_nflog *nf = *nfp;

	if (!nf)
		return;
	THREAD_OFF(nf->t_read);
	mnl_socket_close(nf->nl);
	XFREE(MTYPE_NHRP_NFLOG, *nfp);
}
