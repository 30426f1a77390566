// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the kernel, through nhrpd's own rtnetlink socket: neighbour
 * entries (protocol address -> NBMA address on the GRE interface), the
 * neighbour table's application probes, GRE parameters, interface sysctls
 * and flags.
 *
 * Why our own socket and not zebra's NHRP messages: FRR 8.4 routes
 * neighbour entries through zebra, and that path has lost entries
 * (FRR #2287), dropped the kernel's resolution requests (#9412) and
 * installed entries without a link-layer address (#9452).  One small
 * netlink socket here avoids all three and any dependency on zebra's
 * message numbering; zebra is still used for interfaces and routes.
 * Neighbour entries are written in batches on a socket of their own (see
 * below); everything else is a request answered before we go on.
 */
#include "nhrpd/nhrpd.h"

#include <linux/if.h>
#include <linux/neighbour.h>
#include <linux/filter.h>
#include <linux/rtnetlink.h>
#include <poll.h>

#include "log.h"
#include "memory.h"
#include "privs.h"
#include "vrf.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_netlink.h"
#include "nhrpd/nhrp_sys_linux.h"

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

/* the protocol number of NHRP's neighbour entries and routes: FRR's zebra
 * uses it for ZEBRA_ROUTE_NHRP, iproute2 shows it as `proto nhrp` (FRR's
 * /etc/iproute2/rt_protos.d/frr.conf) */
#define NHRP_RTPROT 191

static struct mnl_socket *nl_req;  /* requests */
static struct mnl_socket *nl_ev;   /* neighbour events */
static struct thread *t_ev;

/* ---- neighbour entries, in batches ------------------------------------------
 * A registration storm writes thousands of entries.  They queue here and
 * leave NEIGH_BATCH messages per sendmsg on a socket of their own
 * (nl_neigh), at the end of the event loop's current task; only the last
 * message of a batch asks for an acknowledgement, read when it comes
 * (neigh_read), so nothing waits for the kernel.  The kernel still answers
 * every failing message on its own, with its sequence number: the failure
 * is logged for the entry it was about (neigh_ring).  At most
 * NEIGH_INFLIGHT batches are unacknowledged at a time, so their answers
 * always fit the socket's receive buffer.
 */
DEFINE_MTYPE_STATIC(NHRPD, NHRP_NEIGH_Q, "NHRP neighbour entries to write");

#define NEIGH_BATCH 256
#define NEIGH_INFLIGHT 4
#define NEIGH_RING (NEIGH_BATCH * NEIGH_INFLIGHT)

struct neigh_op {
	ifindex_t ifindex;
	struct ipaddr proto;
	struct ipaddr nbma; /* unset: delete */
};

static struct mnl_socket *nl_neigh;
static struct thread *t_neigh_read, *t_neigh_flush;
static struct neigh_op *neigh_q; /* waiting: [neigh_head, neigh_tail) */
static unsigned int neigh_head, neigh_tail, neigh_cap;
static struct neigh_op neigh_ring[NEIGH_RING]; /* sent, by seq % RING */
static uint32_t neigh_seq;		       /* the last one sent */
static uint32_t neigh_acked;		       /* the last one answered */
static uint32_t neigh_last[NEIGH_INFLIGHT];    /* ends of unacked batches */
static unsigned int neigh_inflight;

/* a full neighbour table (gc_thresh3) refuses a whole storm: ten
 * warnings per 10 s, the rest under `debug nhrp kernel` */
static void neigh_result(const struct neigh_op *op, int err)
{
	static struct nhrp_ratelimit rl;
	struct interface *ifp = if_lookup_by_index(op->ifindex, VRF_DEFAULT);
	const char *name = ifp ? ifp->name : "(gone)";
	bool add = !IS_IPADDR_NONE(&op->nbma);
	uint32_t left_out;

	/* deleting what is not there is no error */
	if (!add && (err == ENOENT || err == ENODEV))
		return;
	if (!nhrp_ratelimit(&rl, 10, 10, &left_out)) {
		nhrp_debug(KERNEL, "kernel: %s neighbour %pIA on %s: %s",
			   add ? "adding" : "deleting", &op->proto, name,
			   safe_strerror(err));
		return;
	}
	if (left_out)
		flog_warn(EC_NHRP_KERNEL,
			  "kernel: %u more neighbour entries failed before this one (debug nhrp kernel names them)",
			  left_out);
	flog_warn(EC_NHRP_KERNEL, "kernel: %s neighbour %pIA on %s: %s",
		  add ? "adding" : "deleting", &op->proto, name,
		  safe_strerror(err));
}

static void neigh_put(char *buf, const struct neigh_op *op, uint32_t seq,
		      bool ack)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;
	bool add = !IS_IPADDR_NONE(&op->nbma);
	int family = IS_IPADDR_V6(&op->proto) ? AF_INET6 : AF_INET;

	nlh->nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | (ack ? NLM_F_ACK : 0) |
			   (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nlh->nlmsg_seq = seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = family;
	ndm->ndm_ifindex = op->ifindex;
	ndm->ndm_type = RTN_UNICAST;
	ndm->ndm_state = add ? NUD_REACHABLE : NUD_FAILED;
	mnl_attr_put(nlh, NDA_DST, family == AF_INET ? 4 : 16,
		     &op->proto.ip.addr);
	if (add) {
		mnl_attr_put(nlh, NDA_LLADDR, IS_IPADDR_V4(&op->nbma) ? 4 : 16,
			     &op->nbma.ip.addr);
		/* ours: shown as `proto nhrp`, adopted by the next nhrpd */
		mnl_attr_put_u8(nlh, NDA_PROTOCOL, NHRP_RTPROT);
	}
}

/* what one message takes at most (header, ndmsg, two IPv6 attributes and
 * the protocol) */
#define NEIGH_MSG_MAX                                                          \
	(MNL_ALIGN(sizeof(struct nlmsghdr)) + MNL_ALIGN(sizeof(struct ndmsg)) + \
	 2 * MNL_ALIGN(sizeof(struct nlattr) + 16) +                           \
	 MNL_ALIGN(sizeof(struct nlattr) + 1))

/* send what waits, as far as the window allows */
static void neigh_send(void)
{
	static char buf[NEIGH_BATCH * NEIGH_MSG_MAX];

	while (neigh_head < neigh_tail && neigh_inflight < NEIGH_INFLIGHT) {
		unsigned int n = MIN(neigh_tail - neigh_head, NEIGH_BATCH);
		size_t len = 0;
		ssize_t r;
		int err = 0;

		for (unsigned int i = 0; i < n; i++) {
			const struct neigh_op *op = &neigh_q[neigh_head + i];
			uint32_t seq = ++neigh_seq;

			neigh_put(buf + len, op, seq, i == n - 1);
			len += ((struct nlmsghdr *)(buf + len))->nlmsg_len;
			neigh_ring[seq % NEIGH_RING] = *op;
		}
		frr_with_privs (&nhrpd_privs) {
			r = mnl_socket_sendto(nl_neigh, buf, len);
			err = errno;
		}
		if (r < 0) {
			/* nothing of it reached the kernel, nothing of it
			 * will be answered */
			for (unsigned int i = 0; i < n; i++)
				neigh_result(&neigh_q[neigh_head + i], err);
		} else
			neigh_last[neigh_inflight++] = neigh_seq;
		neigh_head += n;
	}
	if (neigh_head == neigh_tail) {
		neigh_head = neigh_tail = 0;
		/* what a storm grew is given back once it is written */
		if (neigh_cap > 4 * NEIGH_BATCH) {
			XFREE(MTYPE_NHRP_NEIGH_Q, neigh_q);
			neigh_cap = 0;
		}
	}
}

static void neigh_flush(struct thread *t)
{
	neigh_send();
}

/* the kernel's answers: failures of single entries, acknowledgements of
 * whole batches */
static void neigh_answers(const char *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
		uint32_t seq = nlh->nlmsg_seq;

		if (nlh->nlmsg_type != NLMSG_ERROR ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e)))
			continue;
		/* one of ours, still unanswered (seq wraps: compare as
		 * differences) */
		if ((int32_t)(seq - neigh_acked) <= 0 ||
		    (int32_t)(seq - neigh_seq) > 0)
			continue;
		if (e->error)
			neigh_result(&neigh_ring[seq % NEIGH_RING], -e->error);
		if (neigh_inflight && seq == neigh_last[0]) {
			neigh_acked = seq;
			neigh_inflight--;
			memmove(neigh_last, neigh_last + 1,
				neigh_inflight * sizeof(neigh_last[0]));
		}
	}
}

/* the answers of every batch in flight were lost (ENOBUFS) */
static void neigh_lost(const char *why)
{
	flog_warn(EC_NHRP_KERNEL,
		  "kernel: answers to %u neighbour entries lost (%s); what failed is unknown",
		  neigh_seq - neigh_acked, why);
	neigh_acked = neigh_seq;
	neigh_inflight = 0;
}

static void neigh_read(struct thread *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int fd = mnl_socket_get_fd(nl_neigh);
	ssize_t len;

	thread_add_read(master, neigh_read, NULL, fd, &t_neigh_read);
	while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) != 0) {
		if (len < 0) {
			if (errno == ENOBUFS) {
				neigh_lost(safe_strerror(errno));
				continue;
			}
			break;
		}
		neigh_answers(buf, len);
	}
	neigh_send();
}

int nhrp_kernel_neigh(struct interface *ifp, const struct ipaddr *proto,
		      const struct ipaddr *nbma)
{
	struct neigh_op *op;

	if (!nl_neigh)
		return -1;
	/* never an entry without a link-layer address (FRR #9452) */
	if (nbma && IS_IPADDR_NONE(nbma))
		return -1;
	if (neigh_tail == neigh_cap) {
		neigh_cap = neigh_cap ? neigh_cap * 2 : NEIGH_BATCH;
		neigh_q = XREALLOC(MTYPE_NHRP_NEIGH_Q, neigh_q,
				   neigh_cap * sizeof(*neigh_q));
	}
	op = &neigh_q[neigh_tail++];
	memset(op, 0, sizeof(*op));
	op->ifindex = ifp->ifindex;
	op->proto = *proto;
	if (nbma)
		op->nbma = *nbma;
	nhrp_debug(KERNEL, "kernel: neighbour %pIA on %s %s %pIA", proto,
		   ifp->name, nbma ? "->" : "deleted", nbma);
	thread_add_event(master, neigh_flush, NULL, 0, &t_neigh_flush);
	return 0;
}

/* everything written and answered (at exit) */
static void neigh_drain(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t len;

	struct pollfd pfd = {.fd = mnl_socket_get_fd(nl_neigh), .events = POLLIN};

	for (neigh_send(); neigh_inflight; neigh_send()) {
		/* the kernel answers at once; a second is plenty */
		if (poll(&pfd, 1, 1000) <= 0) {
			neigh_lost("no answer in 1 s");
			break;
		}
		len = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len < 0 && errno == ENOBUFS)
			neigh_lost(safe_strerror(errno));
		else if (len <= 0)
			break;
		else
			neigh_answers(buf, len);
	}
}

static int neigh_open(void)
{
	int one = 1, size = 1 << 20;

	nl_neigh = nhrp_nl_open(NETLINK_ROUTE, 0);
	if (!nl_neigh)
		return -1;
	/* failures answered with the header only, and room for the answers
	 * of a whole window */
	(void)setsockopt(mnl_socket_get_fd(nl_neigh), SOL_NETLINK,
			 NETLINK_CAP_ACK, &one, sizeof(one));
	frr_with_privs (&nhrpd_privs) {
		if (setsockopt(mnl_socket_get_fd(nl_neigh), SOL_SOCKET,
			       SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
			(void)setsockopt(mnl_socket_get_fd(nl_neigh),
					 SOL_SOCKET, SO_RCVBUF, &size,
					 sizeof(size));
	}
	thread_add_read(master, neigh_read, NULL, mnl_socket_get_fd(nl_neigh),
			&t_neigh_read);
	return 0;
}

static void neigh_close(void)
{
	if (nl_neigh)
		neigh_drain();
	THREAD_OFF(t_neigh_read);
	THREAD_OFF(t_neigh_flush);
	if (nl_neigh)
		mnl_socket_close(nl_neigh);
	nl_neigh = NULL;
	XFREE(MTYPE_NHRP_NEIGH_Q, neigh_q);
	neigh_head = neigh_tail = neigh_cap = 0;
	neigh_inflight = 0;
	neigh_acked = neigh_seq;
}

struct neigh_dump {
	struct interface *ifp;
	nhrp_neigh_list_cb cb;
	void *arg;
};

static bool nl_addr(const struct nlattr *a, struct ipaddr *ip)
{
	size_t alen = mnl_attr_get_payload_len(a);

	memset(ip, 0, sizeof(*ip));
	if (alen == 4)
		SET_IPADDR_V4(ip);
	else if (alen == 16)
		SET_IPADDR_V6(ip);
	else
		return false;
	memcpy(&ip->ip.addr, mnl_attr_get_payload(a), alen);
	return true;
}

static int neigh_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh_dump *nd = data;
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1];
	struct ipaddr proto, nbma;

	if (nlh->nlmsg_type != RTM_NEWNEIGH ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ndm)) ||
	    ndm->ndm_ifindex != (int)nd->ifp->ifindex ||
	    (ndm->ndm_state & (NUD_FAILED | NUD_INCOMPLETE | NUD_NOARP)))
		return MNL_CB_OK;
	nhrp_nl_parse(nlh, sizeof(*ndm), tb, NDA_MAX);
	if (!tb[NDA_DST] || !tb[NDA_LLADDR] || !tb[NDA_PROTOCOL] ||
	    mnl_attr_get_u8(tb[NDA_PROTOCOL]) != NHRP_RTPROT)
		return MNL_CB_OK;
	if (!nl_addr(tb[NDA_DST], &proto) || !nl_addr(tb[NDA_LLADDR], &nbma) ||
	    (ndm->ndm_family == AF_INET) != IS_IPADDR_V4(&proto))
		return MNL_CB_OK;
	nd->cb(nd->ifp, &proto, &nbma, nd->arg);
	return MNL_CB_OK;
}

void nhrp_kernel_neigh_list(struct interface *ifp, int afi,
			    nhrp_neigh_list_cb cb, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct neigh_dump nd = {.ifp = ifp, .cb = cb, .arg = arg};
	struct mnl_socket *nl;
	struct ndmsg *ndm;
	int ret = -1;

	/* a socket of its own: the dump's answers never mix with what the
	 * request socket is waiting for */
	frr_with_privs (&nhrpd_privs) {
		nl = mnl_socket_open(NETLINK_ROUTE);
		if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
			mnl_socket_close(nl);
			nl = NULL;
		}
	}
	if (!nl) {
		flog_warn(EC_NHRP_KERNEL, "kernel: neighbours of %s: %s",
			  ifp->name, safe_strerror(errno));
		return;
	}
	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_DUMP;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = nhrp_afi_family(afi);
	ndm->ndm_ifindex = ifp->ifindex;
	ret = nhrp_nl_talk(nl, nlh, neigh_dump_cb, &nd);
	mnl_socket_close(nl);
	if (ret < 0)
		flog_warn(EC_NHRP_KERNEL, "kernel: neighbours of %s: %s",
			  ifp->name, safe_strerror(-ret));
}

static int app_probes(struct interface *ifp, int family)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndtmsg *ndtm;
	struct nlattr *parms;
	int ret;

	if (!nl_req)
		return -1;
	nlh->nlmsg_type = RTM_SETNEIGHTBL;
	ndtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndtm));
	ndtm->ndtm_family = family;
	mnl_attr_put_strz(nlh, NDTA_NAME,
			  family == AF_INET ? "arp_cache" : "ndisc_cache");
	parms = mnl_attr_nest_start(nlh, NDTA_PARMS);
	mnl_attr_put_u32(nlh, NDTPA_IFINDEX, ifp->ifindex);
	mnl_attr_put_u32(nlh, NDTPA_APP_PROBES, 1);
	mnl_attr_put_u32(nlh, NDTPA_MCAST_PROBES, 0);
	mnl_attr_put_u32(nlh, NDTPA_UCAST_PROBES, 0);
	mnl_attr_nest_end(nlh, parms);
	frr_with_privs (&nhrpd_privs) {
		ret = nhrp_nl_talk(nl_req, nlh, NULL, NULL);
	}
	if (ret < 0)
		flog_warn(EC_NHRP_KERNEL, "kernel: neighbour table of %s: %s",
			  ifp->name, safe_strerror(-ret));
	return ret;
}

static int gre_link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nhrp_gre_info *gi = data;
	const struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];
	const struct nlattr *gre[GRE_MAX + 1];
	const char *kind;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	nhrp_nl_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX);
	if (!tb[IFLA_LINKINFO])
		return MNL_CB_OK;
	nhrp_nl_parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX);
	kind = li[IFLA_INFO_KIND] ? mnl_attr_get_str(li[IFLA_INFO_KIND]) : "";
	if (strcmp(kind, "gre") != 0 && strcmp(kind, "ip6gre") != 0)
		return MNL_CB_OK;
	gi->is_gre = true;
	gi->multipoint = true;
	if (!li[IFLA_INFO_DATA])
		return MNL_CB_OK;
	nhrp_nl_parse_nested(li[IFLA_INFO_DATA], gre, GRE_MAX);
	if (gre[GRE_LINK])
		gi->link_ifindex = mnl_attr_get_u32(gre[GRE_LINK]);
	if (gre[GRE_IKEY])
		gi->ikey = ntohl(mnl_attr_get_u32(gre[GRE_IKEY]));
	if (gre[GRE_OKEY])
		gi->okey = ntohl(mnl_attr_get_u32(gre[GRE_OKEY]));
	if (gre[GRE_LOCAL] && mnl_attr_get_payload_len(gre[GRE_LOCAL]) == 4 &&
	    mnl_attr_get_u32(gre[GRE_LOCAL]) != INADDR_ANY) {
		SET_IPADDR_V4(&gi->local);
		memcpy(&gi->local.ipaddr_v4, mnl_attr_get_payload(gre[GRE_LOCAL]),
		       4);
	}
	if (gre[GRE_REMOTE] && mnl_attr_get_payload_len(gre[GRE_REMOTE]) == 4 &&
	    mnl_attr_get_u32(gre[GRE_REMOTE]) != INADDR_ANY)
		gi->multipoint = false;
	return MNL_CB_OK;
}

int nhrp_kernel_gre_info(struct interface *ifp, struct nhrp_gre_info *gi)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	memset(gi, 0, sizeof(*gi));
	if (!nl_req)
		return -1;
	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifp->ifindex;
	return nhrp_nl_talk(nl_req, nlh, gre_link_cb, gi);
}

/* the tunnel's IFLA_INFO_DATA as the kernel has it, to be sent back with
 * changes: ip_gre resets what a change leaves out (the key, ttl, ...) */
struct gre_data {
	char kind[16];
	uint8_t data[512];
	size_t len;
};

static int gre_data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct gre_data *gd = arg;
	const struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	nhrp_nl_parse(nlh, sizeof(struct ifinfomsg), tb, IFLA_MAX);
	if (!tb[IFLA_LINKINFO])
		return MNL_CB_OK;
	nhrp_nl_parse_nested(tb[IFLA_LINKINFO], li, IFLA_INFO_MAX);
	if (!li[IFLA_INFO_KIND] || !li[IFLA_INFO_DATA] ||
	    mnl_attr_get_payload_len(li[IFLA_INFO_DATA]) > sizeof(gd->data))
		return MNL_CB_OK;
	strlcpy(gd->kind, mnl_attr_get_str(li[IFLA_INFO_KIND]),
		sizeof(gd->kind));
	gd->len = mnl_attr_get_payload_len(li[IFLA_INFO_DATA]);
	memcpy(gd->data, mnl_attr_get_payload(li[IFLA_INFO_DATA]), gd->len);
	return MNL_CB_OK;
}

int nhrp_kernel_gre_set_source(struct interface *ifp, ifindex_t link,
			       const struct ipaddr *local)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct gre_data gd = {};
	struct ifinfomsg *ifi;
	struct nlattr *info, *data, *attr;
	int ret;

	if (!nl_req || !IS_IPADDR_V4(local))
		return -1;
	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifp->ifindex;
	ret = nhrp_nl_talk(nl_req, nlh, gre_data_cb, &gd);
	if (ret < 0 || strcmp(gd.kind, "gre") != 0)
		return ret < 0 ? ret : -EINVAL;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifp->ifindex;
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, gd.kind);
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* everything as it is, but the link and the local address */
	mnl_attr_for_each_payload ((void *)gd.data, gd.len) {
		if (mnl_attr_get_type(attr) == GRE_LINK ||
		    mnl_attr_get_type(attr) == GRE_LOCAL)
			continue;
		mnl_attr_put(nlh, mnl_attr_get_type(attr),
			     mnl_attr_get_payload_len(attr),
			     mnl_attr_get_payload(attr));
	}
	mnl_attr_put_u32(nlh, GRE_LINK, link);
	mnl_attr_put(nlh, GRE_LOCAL, 4, &local->ipaddr_v4);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	frr_with_privs (&nhrpd_privs) {
		ret = nhrp_nl_talk(nl_req, nlh, NULL, NULL);
	}
	if (ret < 0)
		flog_warn(EC_NHRP_KERNEL, "kernel: %s: cannot set tunnel source: %s",
			  ifp->name, safe_strerror(-ret));
	return ret;
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
		flog_warn(EC_NHRP_KERNEL, "kernel: cannot write %s: %s", path,
			  safe_strerror(errno));
}

void nhrp_kernel_if_prepare(struct interface *ifp, int afi, bool multicast)
{
	char path[128];
	struct ifreq ifr = {};
	int fd;

	/* neighbour resolution on the tunnel is ours */
	app_probes(ifp, nhrp_afi_family(afi));

	/* the hub forwards between spokes on one interface: that is no
	 * reason for an ICMP redirect (IPv6 has no such switch per
	 * interface: ip6tables, if wanted) */
	if (afi == NHRP_AFI_IP) {
		write_sysctl("/proc/sys/net/ipv4/conf/all/send_redirects", "0");
		snprintf(path, sizeof(path),
			 "/proc/sys/net/ipv4/conf/%s/send_redirects", ifp->name);
		write_sysctl(path, "0");
	}

	/* clear IFF_NOARP (IPv6's neighbour discovery needs that too, or
	 * every neighbour is NOARP with the device's own address); with
	 * `map multicast`, routing daemons must see a multicast-capable
	 * interface (a multipoint GRE device comes up without the flag) */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	strlcpy(ifr.ifr_name, ifp->name, sizeof(ifr.ifr_name));
	frr_with_privs (&nhrpd_privs) {
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
			short want = (ifr.ifr_flags & ~IFF_NOARP) |
				     (multicast ? IFF_MULTICAST : 0);

			if (want != ifr.ifr_flags) {
				ifr.ifr_flags = want;
				if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
					flog_warn(EC_NHRP_KERNEL,
						  "kernel: %s: cannot set flags: %s",
						  ifp->name, safe_strerror(errno));
			}
		}
	}
	close(fd);
}

/* neighbour events: only the kernel's own request (RTM_GETNEIGH, an
 * application probe) counts: an entry we deleted shows up as FAILED, and
 * must not be asked for again just because of that */
static int neigh_event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ndmsg *ndm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[NDA_MAX + 1];
	struct ipaddr proto;
	struct interface *ifp;

	if (nlh->nlmsg_type != RTM_GETNEIGH ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ndm)))
		return MNL_CB_OK;
	nhrp_nl_parse(nlh, sizeof(*ndm), tb, NDA_MAX);
	if (!tb[NDA_DST] || !nl_addr(tb[NDA_DST], &proto) ||
	    (ndm->ndm_family == AF_INET) != IS_IPADDR_V4(&proto))
		return MNL_CB_OK;
	ifp = nhrp_if_lookup(ndm->ndm_ifindex);
	if (ifp)
		nhrp_sys_neigh_probe_in(ifp, &proto);
	return MNL_CB_OK;
}

static void ev_read(struct thread *t)
{
	char buf[16384];
	ssize_t len;
	int fd = mnl_socket_get_fd(nl_ev);

	thread_add_read(master, ev_read, NULL, fd, &t_ev);
	/* one message per datagram: a bounded batch per wake-up */
	for (int i = 0; i < 64; i++) {
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && errno == ENOBUFS)
			continue; /* the kernel asks again */
		if (len <= 0)
			break;
		mnl_cb_run(buf, len, 0, 0, neigh_event_cb, NULL);
	}
}

/* of the neighbour group, only the kernel's requests (RTM_GETNEIGH) reach
 * us: the notifications of every entry written (thousands in a storm,
 * ours among them) are dropped in the kernel.  Classic BPF loads the
 * 16-bit nlmsg_type (host order) as big-endian, hence ntohs. */
static void ev_filter(int fd)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS,
			 offsetof(struct nlmsghdr, nlmsg_type)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohs(RTM_GETNEIGH), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {.len = array_size(code), .filter = code};

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		zlog_warn("kernel: no filter on neighbour events (%s): all of them are read",
			  safe_strerror(errno));
}

int nhrp_kernel_init(void)
{
	nl_req = nhrp_nl_open(NETLINK_ROUTE, 0);
	nl_ev = nhrp_nl_open(NETLINK_ROUTE, RTMGRP_NEIGH);
	if (!nl_req || !nl_ev || neigh_open() < 0) {
		flog_err(EC_NHRP_SOCKET, "kernel: cannot open rtnetlink: %s",
			 safe_strerror(errno));
		return -1;
	}
	ev_filter(mnl_socket_get_fd(nl_ev));
	thread_add_read(master, ev_read, NULL, mnl_socket_get_fd(nl_ev), &t_ev);
	return 0;
}

void nhrp_kernel_fini(void)
{
	neigh_close();
	THREAD_OFF(t_ev);
	if (nl_req)
		mnl_socket_close(nl_req);
	if (nl_ev)
		mnl_socket_close(nl_ev);
	nl_req = nl_ev = NULL;
}
