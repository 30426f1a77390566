// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: our own netfilter rules (nhrp_system.capture), for `ip|ipv6 nhrp
 * redirect` and `ip|ipv6 nhrp map multicast` when the operator writes no
 * rules of his own.  One nftables table, `inet nhrpd` (both families),
 * written through netlink with libnftnl, always whole, in one transaction:
 *
 *   table inet nhrpd {
 *     flags owner
 *     set redirect {
 *       type ipv4_addr . ipv4_addr; size 65535; flags dynamic,timeout; timeout 1m
 *     }
 *     set redirect6 {
 *       type ipv6_addr . ipv6_addr; size 65535; flags dynamic,timeout; timeout 1m
 *     }
 *     chain forward {
 *       type filter hook forward priority filter; policy accept;
 *       iifname "gre1" oifname "gre1" meta nfproto ipv4
 *         update @redirect { ip saddr & 255.255.255.0 . ip daddr & 255.255.255.0
 *                            limit rate 4/minute burst 1 packets }
 *         log group 20040 snaplen 128 queue-threshold 1
 *       iifname "gre1" oifname "gre1" meta nfproto ipv6
 *         update @redirect6 { ip6 saddr & ffff:ffff:ffff:ffff:: . ip6 daddr & ffff:ffff:ffff:ffff::
 *                             limit rate 4/minute burst 1 packets }
 *         log group 20042 snaplen 128 queue-threshold 1
 *     }
 *     chain output {
 *       type filter hook output priority filter; policy accept;
 *       oifname "gre1" meta nfproto ipv4 ip daddr 224.0.0.0/24
 *         log group 20041 queue-threshold 1 drop
 *       oifname "gre1" meta nfproto ipv6 ip6 daddr ff02::/16
 *         log group 20043 queue-threshold 1 drop
 *     }
 *   }
 *
 * a forward rule per interface and family with redirect, an output rule
 * per interface and family with multicast; the chains and the sets only
 * when some rule needs them.
 * The forward chain only logs (no verdict): other tables decide what is
 * forwarded.  The rate limit is FRR's documented hashlimit (4/minute, burst
 * 1, per source /24 and destination /24; for IPv6 per /64 pair, as the
 * ip6tables rule of FRR's documentation); nhrp_traffic.c holds to its own
 * limit as well.  `queue-threshold 1`: each packet reaches us at once
 * (nfnetlink_log's default batches up to 100 packets or 1 s).
 *
 * The NFLOG groups are ours too: the first of 20040, 20041, ... that no
 * other program has bound, each kind its own, in the order redirect,
 * multicast, redirect6, multicast6 among those in use (so normally 20040
 * redirect, 20041 multicast); `show`-able in `nft list table inet nhrpd`.
 *
 * `flags owner` (NFT_TABLE_F_OWNER, Linux 5.12) ties the table to our
 * netlink socket: only nhrpd can change it, `nft flush ruleset` leaves it
 * alone, and the kernel removes it when the socket closes, so a killed
 * nhrpd leaves nothing behind.  On exit we delete it all the same.  A
 * table `inet nhrpd` of someone else's (no owner flag) is replaced when we
 * need ours, with a warning; one owned by another process (a second nhrpd
 * in this network namespace) is left alone, with an error.  After a
 * failure (logged once while it stays the same) we try again every 10 s.
 */
#include "nhrpd/nhrpd.h"

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "log.h"
#include "privs.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_netlink.h"
#include "nhrpd/nhrp_sys_linux.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_NFT, "NHRP netfilter rules");

#define NFT_TABLE "nhrpd"
#define NFT_SET "redirect"
#define NFT_SET6 "redirect6"
#define NFT_GROUP_FIRST 20040	/* our NFLOG groups: the first free ones */
#define NFT_GROUP_TRIES 16
#define REDIRECT_SNAPLEN 128	/* the IP header and 8 bytes, and more */
#define REDIRECT_RATE 4		/* a minute, per /24 pair */
#define REDIRECT_SET_SIZE 65535
#define REDIRECT_SET_TIMEOUT 60000 /* ms */
#define NFT_RETRY 10		/* s, after a failure (a module loaded later, a
				 * table of another process gone) */

/* an interface we capture on */
PREDECL_DLIST(nft_if_list);
struct nft_if {
	struct nft_if_list_item item;
	struct interface *ifp;
	char name[IFNAMSIZ];	/* as the rules have it */
	bool on[NHRP_CAPTURE_MAX];
};
DECLARE_DLIST(nft_if_list, struct nft_if, item);

static struct {
	struct nft_if_list_head ifs;
	struct {
		nhrp_nflog_cb cb;
		void *arg;
		struct nhrp_nflog *nflog;
		uint16_t group;
	} kind[NHRP_CAPTURE_MAX];
	struct mnl_socket *nl;	/* owns the table: open while it exists */
	bool installed;
	int last_err;		/* of the last attempt, logged once */
	uint32_t seq;
	struct thread *t_apply;
	struct thread *t_retry;	/* after a failure */
} nft;

static const char *const kind_name[NHRP_CAPTURE_MAX] = {
	[NHRP_CAPTURE_REDIRECT] = "redirect",
	[NHRP_CAPTURE_MULTICAST] = "multicast",
	[NHRP_CAPTURE_REDIRECT6] = "redirect6",
	[NHRP_CAPTURE_MULTICAST6] = "multicast6",
};

static bool kind_v6(int kind)
{
	return kind == NHRP_CAPTURE_REDIRECT6 || kind == NHRP_CAPTURE_MULTICAST6;
}

/* ---- building the transaction ------------------------------------------ */

struct batch {
	struct mnl_nlmsg_batch *b;
	char *buf;
	bool full;
};

static struct nlmsghdr *batch_msg(struct batch *bt, uint16_t type,
				  uint16_t flags)
{
	/* no NLM_F_ACK: nf_tables answers only what fails, so a batch for
	 * many interfaces cannot fill our socket with acknowledgements */
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type,
				     NFPROTO_INET, flags, ++nft.seq);
}

static void batch_next(struct batch *bt)
{
	if (!mnl_nlmsg_batch_next(bt->b))
		bt->full = true;
}

static void batch_start(struct batch *bt, size_t size)
{
	bt->buf = XMALLOC(MTYPE_NHRP_NFT, 2 * size);
	bt->b = mnl_nlmsg_batch_start(bt->buf, size);
	bt->full = false;
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), ++nft.seq);
	batch_next(bt);
}

static void batch_free(struct batch *bt)
{
	mnl_nlmsg_batch_stop(bt->b);
	XFREE(MTYPE_NHRP_NFT, bt->buf);
}

static void put_table(struct batch *bt, uint16_t type, uint32_t flags)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	if (type == NFT_MSG_NEWTABLE)
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, flags);
	nlh = batch_msg(bt, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	batch_next(bt);
}

static void put_chain(struct batch *bt, const char *name, uint32_t hook)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 0);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = batch_msg(bt, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	batch_next(bt);
}

/* nft's data types for set keys */
#define NFT_TYPE_IPV4_ADDR 7
#define NFT_TYPE_IPV6_ADDR 8

/* the set of (source, destination) network pairs of one family: `redirect`
 * (set id 1), `redirect6` (set id 2) */
static void put_redirect_set(struct batch *bt, bool v6)
{
	struct nftnl_set *s = nftnl_set_alloc();
	uint32_t t = v6 ? NFT_TYPE_IPV6_ADDR : NFT_TYPE_IPV4_ADDR;
	struct nlmsghdr *nlh;

	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, v6 ? NFT_SET6 : NFT_SET);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_ID, v6 ? 2 : 1);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_EVAL | NFT_SET_TIMEOUT);
	/* ipv4_addr . ipv4_addr (ipv6_addr . ipv6_addr), as nft names it */
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, (t << 6) | t);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, v6 ? 32 : 8);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, REDIRECT_SET_SIZE);
	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, REDIRECT_SET_TIMEOUT);
	nlh = batch_msg(bt, NFT_MSG_NEWSET, NLM_F_CREATE);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	batch_next(bt);
}

/* ---- expressions --------------------------------------------------------- */

static struct nftnl_expr *expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (r)
		nftnl_rule_add_expr(r, e);
	return e;
}

static void e_meta(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = expr(r, "meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
}

static void e_cmp(struct nftnl_rule *r, const void *data, size_t len)
{
	struct nftnl_expr *e = expr(r, "cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

/* meta KEY == name, the interface name as the kernel compares it */
static void e_ifname(struct nftnl_rule *r, uint32_t key, const char *name)
{
	char buf[IFNAMSIZ] = {};

	strlcpy(buf, name, sizeof(buf));
	e_meta(r, key);
	e_cmp(r, buf, sizeof(buf));
}

static void e_nfproto(struct nftnl_rule *r, bool v6)
{
	uint8_t proto = v6 ? NFPROTO_IPV6 : NFPROTO_IPV4;

	e_meta(r, NFT_META_NFPROTO);
	e_cmp(r, &proto, sizeof(proto));
}

static void e_payload(struct nftnl_rule *r, uint32_t offset, uint32_t len,
		      uint32_t dreg)
{
	struct nftnl_expr *e = expr(r, "payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE,
			   NFT_PAYLOAD_NETWORK_HEADER);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
}

/* an address of the header, its network, into reg: IPv4 (offset 12
 * source, 16 destination) its /24, IPv6 (offset 8 source, 24 destination)
 * its /64 */
static void e_net(struct nftnl_rule *r, bool v6, uint32_t offset, uint32_t reg)
{
	uint8_t mask[16] = {}, zero[16] = {};
	uint32_t len = v6 ? 16 : 4;
	struct nftnl_expr *e;

	memset(mask, 0xff, v6 ? 8 : 3);
	e_payload(r, offset, len, reg);
	e = expr(r, "bitwise");
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
}

static void e_log(struct nftnl_rule *r, uint16_t group, uint32_t snaplen)
{
	struct nftnl_expr *e = expr(r, "log");

	nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, group);
	nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_QTHRESHOLD, 1);
	if (snaplen)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOG_SNAPLEN, snaplen);
}

static struct nftnl_rule *rule_new(const char *chain)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	return r;
}

static void put_rule(struct batch *bt, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh;

	nlh = batch_msg(bt, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	batch_next(bt);
}

/* forwarded in and out of ifname: to the redirect group, rate-limited;
 * the key (source net . destination net) in consecutive registers */
static void put_redirect_rule(struct batch *bt, const char *ifname, bool v6,
			      uint16_t group)
{
	struct nftnl_rule *r = rule_new("forward");
	struct nftnl_expr *e, *limit;

	e_ifname(r, NFT_META_IIFNAME, ifname);
	e_ifname(r, NFT_META_OIFNAME, ifname);
	e_nfproto(r, v6);
	e_net(r, v6, v6 ? 8 : 12, NFT_REG_1);
	e_net(r, v6, v6 ? 24 : 16, v6 ? NFT_REG_2 : NFT_REG32_01);
	limit = expr(NULL, "limit");
	nftnl_expr_set_u64(limit, NFTNL_EXPR_LIMIT_RATE, REDIRECT_RATE);
	nftnl_expr_set_u64(limit, NFTNL_EXPR_LIMIT_UNIT, 60);
	nftnl_expr_set_u32(limit, NFTNL_EXPR_LIMIT_BURST, 1);
	nftnl_expr_set_u32(limit, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	e = expr(r, "dynset");
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, v6 ? NFT_SET6 : NFT_SET);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, v6 ? 2 : 1);
	nftnl_expr_add_expr(e, NFTNL_EXPR_DYNSET_EXPRESSIONS, limit);
	e_log(r, group, REDIRECT_SNAPLEN);
	put_rule(bt, r);
}

/* link-local multicast leaving ifname (224.0.0.0/24, ff02::/16): to the
 * multicast group, dropped */
static void put_multicast_rule(struct batch *bt, const char *ifname, bool v6,
			       uint16_t group)
{
	struct nftnl_rule *r = rule_new("output");
	struct nftnl_expr *e;
	uint8_t net[3] = {224, 0, 0}, net6[2] = {0xff, 0x02};

	e_ifname(r, NFT_META_OIFNAME, ifname);
	e_nfproto(r, v6);
	if (v6) {
		e_payload(r, 24, 2, NFT_REG_1);
		e_cmp(r, net6, sizeof(net6));
	} else {
		e_payload(r, 16, 3, NFT_REG_1);
		e_cmp(r, net, sizeof(net));
	}
	e_log(r, group, 0);
	e = expr(r, "immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	put_rule(bt, r);
}

/* ---- talking to the kernel ----------------------------------------------- */

static int nft_socket(void)
{
	if (nft.nl)
		return 0;
	nft.nl = nhrp_nl_open(NETLINK_NETFILTER, 0);
	return nft.nl ? 0 : -errno;
}

/* send the transaction, read every answer: 0 or the first -errno */
static int batch_send(struct batch *bt)
{
	static uint8_t buf[65536];
	int fd, first = 0;
	ssize_t len;

	nftnl_batch_end(mnl_nlmsg_batch_current(bt->b), ++nft.seq);
	batch_next(bt);
	if (bt->full)
		return -EMSGSIZE;
	frr_with_privs (&nhrpd_privs) {
		len = mnl_socket_sendto(nft.nl, mnl_nlmsg_batch_head(bt->b),
					mnl_nlmsg_batch_size(bt->b));
	}
	if (len < 0)
		return -errno;
	/* the kernel handles the whole transaction in sendmsg: every error
	 * is queued already (none: all went in) */
	fd = mnl_socket_get_fd(nft.nl);
	while ((len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		if (mnl_cb_run(buf, len, 0, mnl_socket_get_portid(nft.nl), NULL,
			       NULL) < 0 &&
		    !first)
			first = -errno;
	}
	return first;
}

/* delete the table (ours, or a stale one of someone else's); 0 if there is
 * none now */
static int table_delete(void)
{
	struct batch bt;
	int ret;

	if (nft_socket() < 0)
		return -errno;
	/* created if missing, so that the delete cannot fail on ENOENT; the
	 * flags must be the table's: ours has the owner flag, a table of
	 * someone else's left without it is retried without */
	for (int i = 0; i < 2; i++) {
		batch_start(&bt, 4096);
		put_table(&bt, NFT_MSG_NEWTABLE, i ? 0 : NFT_TABLE_F_OWNER);
		put_table(&bt, NFT_MSG_DELTABLE, 0);
		ret = batch_send(&bt);
		batch_free(&bt);
		if (ret != -EOPNOTSUPP)
			break;
	}
	return ret;
}

/* the whole table as it should be, replacing what there is */
static int table_install(const bool active[NHRP_CAPTURE_MAX])
{
	struct nft_if *nif;
	struct batch bt;
	int ret;

	if (nft_socket() < 0)
		return -errno;
	/* up to four rules of < 512 bytes per interface */
	batch_start(&bt, 4096 + 2048 * nft_if_list_count(&nft.ifs));
	put_table(&bt, NFT_MSG_NEWTABLE, NFT_TABLE_F_OWNER);
	put_table(&bt, NFT_MSG_DELTABLE, 0);
	put_table(&bt, NFT_MSG_NEWTABLE, NFT_TABLE_F_OWNER);
	if (active[NHRP_CAPTURE_REDIRECT])
		put_redirect_set(&bt, false);
	if (active[NHRP_CAPTURE_REDIRECT6])
		put_redirect_set(&bt, true);
	if (active[NHRP_CAPTURE_REDIRECT] || active[NHRP_CAPTURE_REDIRECT6])
		put_chain(&bt, "forward", NF_INET_FORWARD);
	if (active[NHRP_CAPTURE_MULTICAST] || active[NHRP_CAPTURE_MULTICAST6])
		put_chain(&bt, "output", NF_INET_LOCAL_OUT);
	/* each kind's rules, one per interface; IPv4's first */
	for (int k = 0; k < NHRP_CAPTURE_MAX; k++) {
		bool redirect = k == NHRP_CAPTURE_REDIRECT ||
				k == NHRP_CAPTURE_REDIRECT6;

		if (!active[k])
			continue;
		frr_each (nft_if_list, &nft.ifs, nif) {
			if (!nif->on[k])
				continue;
			if (redirect)
				put_redirect_rule(&bt, nif->name, kind_v6(k),
						  nft.kind[k].group);
			else
				put_multicast_rule(&bt, nif->name, kind_v6(k),
						   nft.kind[k].group);
		}
	}
	ret = batch_send(&bt);
	batch_free(&bt);
	return ret;
}

static const char *err_hint(int err)
{
	switch (err) {
	case -EOPNOTSUPP:
	case -EPROTONOSUPPORT:
		return " (no nf_tables in the kernel?)";
	case -ENOENT:
		return " (kernel without nft_log or nft_limit?)";
	case -EPERM:
		return " (no CAP_NET_ADMIN, or another process owns a table inet nhrpd)";
	default:
		return "";
	}
}

/* ---- the NFLOG groups ------------------------------------------------------ */

static bool group_bind(enum nhrp_capture kind)
{
	int err = 0;

	for (unsigned int i = 0; i < NFT_GROUP_TRIES; i++) {
		uint16_t g = NFT_GROUP_FIRST + i;
		bool taken = false;

		for (int k = 0; k < NHRP_CAPTURE_MAX; k++)
			if (nft.kind[k].nflog && nft.kind[k].group == g)
				taken = true;
		if (taken)
			continue;
		nft.kind[kind].nflog = nhrp_nflog_bind(g, nft.kind[kind].cb,
						       nft.kind[kind].arg, &err);
		if (nft.kind[kind].nflog) {
			nft.kind[kind].group = g;
			return true;
		}
	}
	flog_err(EC_NHRP_NETFILTER,
		 "netfilter: no NFLOG group for %s (tried %u to %u): %s",
		 kind_name[kind], NFT_GROUP_FIRST,
		 NFT_GROUP_FIRST + NFT_GROUP_TRIES - 1, safe_strerror(-err));
	return false;
}

/* ---- keeping the table in line --------------------------------------------- */

static void nft_apply(struct thread *t)
{
	bool active[NHRP_CAPTURE_MAX] = {}, any = false;
	struct nft_if *nif;
	int ret;

	THREAD_OFF(nft.t_retry);

	for (int k = 0; k < NHRP_CAPTURE_MAX; k++) {
		bool wanted = false;

		frr_each (nft_if_list, &nft.ifs, nif)
			wanted |= nif->on[k];
		if (wanted && !nft.kind[k].nflog && !group_bind(k))
			wanted = false;
		if (!wanted)
			nhrp_nflog_close(&nft.kind[k].nflog);
		active[k] = wanted;
		any |= wanted;
	}
	if (!any) {
		if (nft.installed) {
			ret = table_delete();
			if (ret < 0)
				flog_err(EC_NHRP_NETFILTER,
					 "netfilter: cannot delete table inet %s: %s",
					 NFT_TABLE, safe_strerror(-ret));
			else
				zlog_info("netfilter: table inet %s deleted",
					  NFT_TABLE);
			nft.installed = false;
		}
		nft.last_err = 0;
		return;
	}
	ret = table_install(active);
	if (ret == -EOPNOTSUPP) {
		/* a table inet nhrpd without our owner flag: someone else's,
		 * or left by hand; ours takes its place */
		if (table_delete() == 0) {
			zlog_warn("netfilter: replaced a table inet %s that was not nhrpd's",
				  NFT_TABLE);
			ret = table_install(active);
		}
	}
	if (ret < 0) {
		char kinds[64] = "";

		for (int k = 0; k < NHRP_CAPTURE_MAX; k++)
			if (active[k])
				snprintfrr(kinds + strlen(kinds),
					   sizeof(kinds) - strlen(kinds),
					   "%s%s", kinds[0] ? ", " : "",
					   kind_name[k]);
		if (ret != nft.last_err)
			flog_err(EC_NHRP_NETFILTER,
				 "netfilter: cannot install table inet %s for %s: %s%s",
				 NFT_TABLE, kinds, safe_strerror(-ret),
				 err_hint(ret));
		nft.last_err = ret;
		nft.installed = false;
		thread_add_timer(master, nft_apply, NULL, NFT_RETRY,
				 &nft.t_retry);
		return;
	}
	if (!nft.installed || nft.last_err) {
		char what[160] = "";

		for (int k = 0; k < NHRP_CAPTURE_MAX; k++)
			if (active[k])
				snprintfrr(what + strlen(what),
					   sizeof(what) - strlen(what),
					   "%s%s to NFLOG group %u",
					   what[0] ? ", " : "", kind_name[k],
					   nft.kind[k].group);
		zlog_info("netfilter: table inet %s installed: %s", NFT_TABLE,
			  what);
	}
	nhrp_debug(KERNEL, "netfilter: table inet %s written", NFT_TABLE);
	nft.last_err = 0;
	nft.installed = true;
}

void nhrp_netfilter_capture(enum nhrp_capture kind, struct interface *ifp,
			    bool on, nhrp_nflog_cb cb, void *arg)
{
	struct nft_if *nif;

	if (kind >= NHRP_CAPTURE_MAX)
		return;
	frr_each (nft_if_list, &nft.ifs, nif)
		if (nif->ifp == ifp)
			break;
	if (!nif && !on)
		return;
	if (!nif) {
		nif = XCALLOC(MTYPE_NHRP_NFT, sizeof(*nif));
		nif->ifp = ifp;
		nft_if_list_add_tail(&nft.ifs, nif);
	}
	if (nif->on[kind] == on && strcmp(nif->name, ifp->name) == 0)
		return;
	nif->on[kind] = on;
	strlcpy(nif->name, ifp->name, sizeof(nif->name));
	if (on) {
		nft.kind[kind].cb = cb;
		nft.kind[kind].arg = arg;
	}
	nhrp_debug(KERNEL, "%s: netfilter %s capture %s", ifp->name,
		   kind_name[kind], on ? "on" : "off");
	on = false;
	for (int k = 0; k < NHRP_CAPTURE_MAX; k++)
		on |= nif->on[k];
	if (!on) {
		nft_if_list_del(&nft.ifs, nif);
		XFREE(MTYPE_NHRP_NFT, nif);
	}
	/* one transaction for everything a configuration change does */
	thread_add_event(master, nft_apply, NULL, 0, &nft.t_apply);
}

void nhrp_netfilter_init(void)
{
	nft_if_list_init(&nft.ifs);
}

void nhrp_netfilter_fini(void)
{
	struct nft_if *nif;
	int ret;

	THREAD_OFF(nft.t_apply);
	THREAD_OFF(nft.t_retry);
	while ((nif = nft_if_list_pop(&nft.ifs)))
		XFREE(MTYPE_NHRP_NFT, nif);
	if (nft.installed) {
		ret = table_delete();
		if (ret < 0)
			flog_err(EC_NHRP_NETFILTER,
				 "netfilter: cannot delete table inet %s: %s",
				 NFT_TABLE, safe_strerror(-ret));
		nft.installed = false;
	}
	/* the kernel drops an owned table with its socket anyway */
	if (nft.nl)
		mnl_socket_close(nft.nl);
	nft.nl = NULL;
	for (int k = 0; k < NHRP_CAPTURE_MAX; k++)
		nhrp_nflog_close(&nft.kind[k].nflog);
	nft_if_list_fini(&nft.ifs);
}
