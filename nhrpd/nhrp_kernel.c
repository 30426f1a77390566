// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: rtnetlink access (see nhrp_kernel.h).
 *
 * Why our own socket and not zebra's NHRP messages: FRR 8.4 routes
 * neighbour entries through zebra, and that path has lost entries
 * (FRR #2287), dropped the kernel's resolution requests (#9412) and
 * installed entries without a link-layer address (#9452).  One small
 * netlink socket here avoids all three and any dependency on zebra's
 * message numbering; zebra is still used for interfaces and routes.
 */
#include "nhrpd.h"

#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "privs.h"
#include "nhrpd/nhrp_kernel.h"
#include "nhrpd/nhrp_netlink.h"

/* IFLA_GRE_* from <linux/if_tunnel.h>, which cannot be included next to
 * <netinet/ip.h>; these values are kernel ABI */
enum {
	GRE_LINK = 1,
	GRE_IKEY = 4,
	GRE_OKEY = 5,
	GRE_LOCAL = 6,
	GRE_REMOTE = 7,
	GRE_MAX = 7,
};

static int nl_fd = -1;	   /* requests */
static int nl_ev_fd = -1;  /* neighbour events */
static uint32_t nl_seq;
static struct thread *t_nl_ev;
static nhrp_kernel_resolve_cb resolve_cb;

struct nlreq {
	struct nlmsghdr n;
	char buf[1024];
};

/* send a request and wait for its answer: the ACK (or error), or for a
 * GET the reply, which is copied into reply (if given) */
static int nl_talk(struct nlmsghdr *n, void *reply, size_t reply_len)
{
	char buf[8192];
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	uint32_t seq = ++nl_seq;
	ssize_t len;

	n->nlmsg_seq = seq;
	n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(nl_fd, n, n->nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	for (;;) {
		struct nlmsghdr *h;

		len = recv(nl_fd, buf, sizeof(buf), 0);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (h = (void *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;
			}
			if (reply && h->nlmsg_len <= reply_len)
				memcpy(reply, h, h->nlmsg_len);
		}
	}
}

int nhrp_kernel_neigh(int ifindex, const struct ipaddr *proto,
		      const struct ipaddr *nbma)
{
	struct nlreq req = {};
	struct ndmsg *ndm;
	int family = IS_IPADDR_V6(proto) ? AF_INET6 : AF_INET;
	int ret;

	if (nl_fd < 0)
		return -1;
	/* never an entry without a link-layer address (FRR #9452) */
	if (nbma && IS_IPADDR_NONE(nbma))
		return -1;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ndm));
	req.n.nlmsg_type = nbma ? RTM_NEWNEIGH : RTM_DELNEIGH;
	if (nbma)
		req.n.nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
	ndm = NLMSG_DATA(&req.n);
	ndm->ndm_family = family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_type = RTN_UNICAST;
	ndm->ndm_state = nbma ? NUD_REACHABLE : NUD_FAILED;
	nl_attr_put(&req.n, sizeof(req), NDA_DST, &proto->ip.addr,
		family == AF_INET ? 4 : 16);
	if (nbma)
		nl_attr_put(&req.n, sizeof(req), NDA_LLADDR, &nbma->ip.addr,
			IS_IPADDR_V4(nbma) ? 4 : 16);
	frr_with_privs (&nhrpd_privs) {
		ret = nl_talk(&req.n, NULL, 0);
	}
	if (ret < 0 && !(ret == -ENOENT && !nbma))
		zlog_warn("kernel: %s neighbour %pIA on ifindex %d: %s",
			  nbma ? "adding" : "deleting", proto, ifindex,
			  safe_strerror(-ret));
	else
		nhrp_debug(KERNEL, "kernel: neighbour %pIA ifindex %d %s %pIA",
			   proto, ifindex, nbma ? "->" : "deleted", nbma);
	return ret;
}

int nhrp_kernel_app_probes(int ifindex, int family)
{
	struct nlreq req = {};
	struct ndtmsg *ndtm;
	struct rtattr *parms;
	uint32_t val;
	int ret;

	if (nl_fd < 0)
		return -1;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ndtm));
	req.n.nlmsg_type = RTM_SETNEIGHTBL;
	ndtm = NLMSG_DATA(&req.n);
	ndtm->ndtm_family = family;
	nl_attr_put(&req.n, sizeof(req), NDTA_NAME,
		family == AF_INET ? "arp_cache" : "ndisc_cache",
		family == AF_INET ? sizeof("arp_cache") : sizeof("ndisc_cache"));
	parms = nl_nest_start(&req.n, sizeof(req), NDTA_PARMS);
	val = ifindex;
	nl_attr_put(&req.n, sizeof(req), NDTPA_IFINDEX, &val, sizeof(val));
	val = 1;
	nl_attr_put(&req.n, sizeof(req), NDTPA_APP_PROBES, &val, sizeof(val));
	val = 0;
	nl_attr_put(&req.n, sizeof(req), NDTPA_MCAST_PROBES, &val, sizeof(val));
	nl_attr_put(&req.n, sizeof(req), NDTPA_UCAST_PROBES, &val, sizeof(val));
	nl_nest_end(&req.n, parms);
	frr_with_privs (&nhrpd_privs) {
		ret = nl_talk(&req.n, NULL, 0);
	}
	if (ret < 0)
		zlog_warn("kernel: neighbour table of ifindex %d: %s", ifindex,
			  safe_strerror(-ret));
	return ret;
}

int nhrp_kernel_gre_info(int ifindex, struct nhrp_gre_info *info)
{
	struct nlreq req = {};
	union {
		struct nlmsghdr n;
		char buf[4096];
	} reply = {};
	struct ifinfomsg *ifi;
	struct rtattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	struct rtattr *gre[GRE_MAX + 1];
	int ret;

	memset(info, 0, sizeof(*info));
	if (nl_fd < 0)
		return -1;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	req.n.nlmsg_type = RTM_GETLINK;
	ifi = NLMSG_DATA(&req.n);
	ifi->ifi_index = ifindex;
	ret = nl_talk(&req.n, &reply, sizeof(reply));
	if (ret < 0)
		return ret;
	if (reply.n.nlmsg_type != RTM_NEWLINK)
		return -ENOENT;
	ifi = NLMSG_DATA(&reply.n);
	nl_parse_attrs(tb, IFLA_MAX, IFLA_RTA(ifi), IFLA_PAYLOAD(&reply.n));
	if (!tb[IFLA_LINKINFO])
		return 0;
	nl_parse_attrs(li, IFLA_INFO_MAX, RTA_DATA(tb[IFLA_LINKINFO]),
		    RTA_PAYLOAD(tb[IFLA_LINKINFO]));
	if (!li[IFLA_INFO_KIND] ||
	    (strcmp(RTA_DATA(li[IFLA_INFO_KIND]), "gre") != 0 &&
	     strcmp(RTA_DATA(li[IFLA_INFO_KIND]), "ip6gre") != 0))
		return 0;
	info->is_gre = true;
	info->multipoint = true;
	if (!li[IFLA_INFO_DATA])
		return 0;
	nl_parse_attrs(gre, GRE_MAX, RTA_DATA(li[IFLA_INFO_DATA]),
		    RTA_PAYLOAD(li[IFLA_INFO_DATA]));
	if (gre[GRE_LINK])
		info->link_ifindex = *(uint32_t *)RTA_DATA(gre[GRE_LINK]);
	if (gre[GRE_IKEY])
		info->ikey = ntohl(*(uint32_t *)RTA_DATA(gre[GRE_IKEY]));
	if (gre[GRE_OKEY])
		info->okey = ntohl(*(uint32_t *)RTA_DATA(gre[GRE_OKEY]));
	if (gre[GRE_LOCAL] && RTA_PAYLOAD(gre[GRE_LOCAL]) == 4) {
		SET_IPADDR_V4(&info->local);
		memcpy(&info->local.ipaddr_v4, RTA_DATA(gre[GRE_LOCAL]), 4);
		if (info->local.ipaddr_v4.s_addr == INADDR_ANY)
			info->local.ipa_type = IPADDR_NONE;
	}
	if (gre[GRE_REMOTE] && RTA_PAYLOAD(gre[GRE_REMOTE]) == 4 &&
	    *(uint32_t *)RTA_DATA(gre[GRE_REMOTE]) != INADDR_ANY)
		info->multipoint = false;
	return 0;
}

int nhrp_kernel_route_get(const struct ipaddr *dst, struct nhrp_route_info *ri)
{
	struct nlreq req = {};
	union {
		struct nlmsghdr n;
		char buf[4096];
	} reply = {};
	struct rtmsg *rtm;
	struct rtattr *tb[RTA_MAX + 1];
	int alen = IS_IPADDR_V6(dst) ? 16 : 4, ret;

	memset(ri, 0, sizeof(*ri));
	if (nl_fd < 0)
		return -1;
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	req.n.nlmsg_type = RTM_GETROUTE;
	rtm = NLMSG_DATA(&req.n);
	rtm->rtm_family = IS_IPADDR_V6(dst) ? AF_INET6 : AF_INET;
	rtm->rtm_dst_len = alen * 8;
	/* the FIB entry that matches, with its own prefix length */
	rtm->rtm_flags = RTM_F_FIB_MATCH;
	nl_attr_put(&req.n, sizeof(req), RTA_DST, &dst->ip.addr, alen);
	ret = nl_talk(&req.n, &reply, sizeof(reply));
	if (ret < 0)
		return ret;
	if (reply.n.nlmsg_type != RTM_NEWROUTE)
		return -ENOENT;
	rtm = NLMSG_DATA(&reply.n);
	nl_parse_attrs(tb, RTA_MAX, RTM_RTA(rtm), RTM_PAYLOAD(&reply.n));
	ri->local = rtm->rtm_type == RTN_LOCAL;
	ri->prefixlen = rtm->rtm_dst_len;
	ri->prefix.ipa_type = IS_IPADDR_V6(dst) ? IPADDR_V6 : IPADDR_V4;
	if (tb[RTA_DST] && RTA_PAYLOAD(tb[RTA_DST]) == (size_t)alen)
		memcpy(&ri->prefix.ip.addr, RTA_DATA(tb[RTA_DST]), alen);
	if (tb[RTA_GATEWAY] && RTA_PAYLOAD(tb[RTA_GATEWAY]) == (size_t)alen) {
		ri->gateway.ipa_type = ri->prefix.ipa_type;
		memcpy(&ri->gateway.ip.addr, RTA_DATA(tb[RTA_GATEWAY]), alen);
	}
	if (tb[RTA_OIF])
		ri->oif = *(uint32_t *)RTA_DATA(tb[RTA_OIF]);
	return 0;
}

static void write_sysctl(const char *path, const char *value)
{
	int fd, ret = -1;

	frr_with_privs (&nhrpd_privs) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			ret = write(fd, value, strlen(value));
			close(fd);
		}
	}
	if (ret < 0)
		zlog_warn("kernel: cannot write %s: %s", path,
			  safe_strerror(errno));
}

void nhrp_kernel_if_prepare(const char *ifname, bool multicast)
{
	char path[128];
	struct ifreq ifr = {};
	int fd;

	/* the hub forwards between spokes on one interface: that is no
	 * reason for an ICMP redirect */
	write_sysctl("/proc/sys/net/ipv4/conf/all/send_redirects", "0");
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/send_redirects",
		 ifname);
	write_sysctl(path, "0");

	/* neighbour resolution on the tunnel is ours: clear IFF_NOARP; with
	 * `map multicast`, routing daemons must see a multicast-capable
	 * interface (a multipoint GRE device comes up without the flag) */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	strlcpy(ifr.ifr_name, ifname, sizeof(ifr.ifr_name));
	frr_with_privs (&nhrpd_privs) {
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
			short want = (ifr.ifr_flags & ~IFF_NOARP) |
				     (multicast ? IFF_MULTICAST : 0);

			if (want != ifr.ifr_flags) {
				ifr.ifr_flags = want;
				if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
					zlog_warn("kernel: %s: cannot set flags: %s",
						  ifname, safe_strerror(errno));
			}
		}
	}
	close(fd);
}

/* neighbour events: the kernel's application probes (RTM_GETNEIGH) */
static void nl_ev_read(struct thread *t)
{
	char buf[16384];
	ssize_t len;
	struct nlmsghdr *h;

	thread_add_read(master, nl_ev_read, NULL, nl_ev_fd, &t_nl_ev);
	len = recv(nl_ev_fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (len <= 0)
		return;
	for (h = (void *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
		struct ndmsg *ndm = NLMSG_DATA(h);
		struct rtattr *tb[NDA_MAX + 1];
		struct ipaddr proto = {};
		size_t alen;

		if (h->nlmsg_type != RTM_GETNEIGH)
			continue;
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ndm)))
			continue;
		nl_parse_attrs(tb, NDA_MAX,
			    (struct rtattr *)((char *)ndm +
					      NLMSG_ALIGN(sizeof(*ndm))),
			    h->nlmsg_len - NLMSG_LENGTH(sizeof(*ndm)));
		if (!tb[NDA_DST])
			continue;
		alen = RTA_PAYLOAD(tb[NDA_DST]);
		if (ndm->ndm_family == AF_INET && alen == 4)
			SET_IPADDR_V4(&proto);
		else if (ndm->ndm_family == AF_INET6 && alen == 16)
			SET_IPADDR_V6(&proto);
		else
			continue;
		memcpy(&proto.ip.addr, RTA_DATA(tb[NDA_DST]), alen);
		/* only the kernel's own request (application probe): an entry
		 * we deleted shows up as FAILED, and must not be asked for
		 * again just because of that */
		if (h->nlmsg_type == RTM_GETNEIGH && resolve_cb)
			resolve_cb(ndm->ndm_ifindex, &proto);
	}
}

void nhrp_kernel_init(nhrp_kernel_resolve_cb cb)
{
	resolve_cb = cb;
	nl_fd = nl_socket(NETLINK_ROUTE, 0);
	nl_ev_fd = nl_socket(NETLINK_ROUTE, RTMGRP_NEIGH);
	if (nl_fd < 0 || nl_ev_fd < 0) {
		zlog_err("kernel: cannot open rtnetlink: %s",
			 safe_strerror(errno));
		return;
	}
	thread_add_read(master, nl_ev_read, NULL, nl_ev_fd, &t_nl_ev);
}

void nhrp_kernel_fini(void)
{
	THREAD_OFF(t_nl_ev);
	if (nl_fd >= 0)
		close(nl_fd);
	if (nl_ev_fd >= 0)
		close(nl_ev_fd);
	nl_fd = nl_ev_fd = -1;
}
