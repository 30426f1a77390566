// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrp_storm: N spokes register with a hub at once, each from its own NBMA
 * address, through raw sockets (tools/bench storm runs it in the topotest
 * VM; a Python generator cannot keep up under TCG).
 *
 *   nhrp_storm --hub NBMA --hub-proto ADDR --nbma FIRST --proto FIRST
 *              [--count N] [--key K] [--holdtime S] [--retransmit S]
 *              [--timeout S] [--rounds R] [--pause S] [--ifname IF]
 *
 * Spoke i (0..N-1) has NBMA address FIRST+i (--nbma) and tunnel address
 * FIRST+i (--proto).  Each sends a Cisco-like Registration Request in GRE
 * (key K) with an IP header of its own (IPPROTO_RAW), and sends it again
 * every --retransmit seconds (default 1, as a spoke does when a reply does
 * not come) until a successful Registration Reply arrives.  Replies are
 * taken from the interface (--ifname, default eth0) by a packet socket, so
 * the namespace's own stack may drop them as early as it can (`iptables -t
 * raw -A PREROUTING -p gre -j DROP`): what it would do with them would be
 * charged to the hub, whose sends run the veth's receive side.
 *
 * A round is all N registered (or --timeout); --rounds 2 adds a refresh
 * round (every spoke registering again, its binding already there) after
 * --pause seconds.  One line per round, key=value, for tools/bench:
 *   round=1 spokes=N registered=N first_reply=S last_reply=S sent=P
 *   retransmitted=P refused=P bad=P
 * times in seconds from the round's first request.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nhrpd/nhrp_codec.h"

#define BATCH 64
#define PKT_MAX 1500

struct spoke {
	double last_sent; /* 0: not yet in this round */
	double replied;	  /* 0: not yet */
	uint32_t reqid;
};

static struct {
	struct in_addr hub, hub_proto, nbma, proto;
	const char *ifname;
	unsigned int count, key, holdtime, rounds;
	double retransmit, timeout, pause;
} opt = {
	.ifname = "eth0",
	.count = 1000,
	.key = 42,
	.holdtime = 600,
	.rounds = 1,
	.retransmit = 1.0,
	.timeout = 120,
	.pause = 2,
};

static struct spoke *spokes;
static int tx_fd, rx_fd;
static unsigned long sent, retransmitted, refused, bad;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static struct in_addr nth(struct in_addr first, unsigned int i)
{
	struct in_addr a = {.s_addr = htonl(ntohl(first.s_addr) + i)};

	return a;
}

/* the spoke a reply is for: its destination address */
static long spoke_of(struct in_addr dst)
{
	uint32_t i = ntohl(dst.s_addr) - ntohl(opt.nbma.s_addr);

	return i < opt.count ? (long)i : -1;
}

/* IPv4 + GRE with key + a Registration Request as a Cisco spoke sends it */
static size_t build(uint8_t *buf, unsigned int i, uint32_t reqid)
{
	struct in_addr nbma = nth(opt.nbma, i), proto = nth(opt.proto, i);
	struct iphdr *ip = (struct iphdr *)buf;
	uint8_t *gre = buf + sizeof(*ip);
	static struct nhrp_pkt p;
	struct nhrp_cie *c;
	int n;

	nhrp_pkt_init(&p, NHRP_PKT_REG_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p.flags = NHRP_FLAG_REG_UNIQUE | NHRP_FLAG_NAT;
	p.reqid = reqid;
	nhrp_addr_set(&p.src_nbma, &nbma, 4);
	nhrp_addr_set(&p.src_proto, &proto, 4);
	nhrp_addr_set(&p.dst_proto, &opt.hub_proto, 4);
	c = nhrp_cie_add(&p, &p.cie);
	c->code = NHRP_CODE_SUCCESS;
	c->prefix_len = 32;
	c->mtu = 1400;
	c->holdtime = opt.holdtime;
	nhrp_ext_add(&p, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(&p, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(&p, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(&p, NHRP_EXT_NAT_ADDRESS);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	n = nhrp_encode(&p, gre + 8, PKT_MAX - sizeof(*ip) - 8);
	if (n < 0) {
		fprintf(stderr, "nhrp_storm: cannot encode: %s\n",
			nhrp_reason_name(n));
		exit(1);
	}
	gre[0] = 0x20; /* key present */
	gre[1] = 0;
	gre[2] = 0x20; /* ETH_P_NHRP */
	gre[3] = 0x01;
	*(uint32_t *)(gre + 4) = htonl(opt.key);
	memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_GRE;
	ip->frag_off = htons(IP_DF);
	ip->saddr = nbma.s_addr;
	ip->daddr = opt.hub.s_addr;
	ip->tot_len = htons(sizeof(*ip) + 8 + n);
	return sizeof(*ip) + 8 + n; /* the kernel fills id and checksum */
}

/* send requests for the spokes in want[0..n) */
static void send_some(const unsigned int *want, unsigned int n, double t)
{
	static uint8_t bufs[BATCH][PKT_MAX];
	static uint32_t reqid = 1;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = opt.hub};

	for (unsigned int done = 0; done < n;) {
		unsigned int k = n - done < BATCH ? n - done : BATCH;
		int r;

		for (unsigned int j = 0; j < k; j++) {
			struct spoke *s = &spokes[want[done + j]];

			if (s->last_sent)
				retransmitted++;
			s->reqid = reqid++;
			iov[j].iov_base = bufs[j];
			iov[j].iov_len = build(bufs[j], want[done + j], s->reqid);
			msg[j].msg_hdr = (struct msghdr){
				.msg_name = &to,
				.msg_namelen = sizeof(to),
				.msg_iov = &iov[j],
				.msg_iovlen = 1,
			};
			s->last_sent = t;
		}
		r = sendmmsg(tx_fd, msg, k, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN) {
				/* the generator's own queue: try again */
				poll(NULL, 0, 1);
				continue;
			}
			die("sendmmsg");
		}
		sent += r;
		done += r;
	}
}

/* read every reply waiting; how many spokes got registered */
static unsigned int read_replies(double t)
{
	static uint8_t bufs[BATCH][PKT_MAX + 64];
	static struct nhrp_pkt p;
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	unsigned int got = 0;
	int r;

	do {
		for (int j = 0; j < BATCH; j++) {
			iov[j].iov_base = bufs[j];
			iov[j].iov_len = sizeof(bufs[j]);
			msg[j].msg_hdr = (struct msghdr){.msg_iov = &iov[j],
							 .msg_iovlen = 1};
		}
		r = recvmmsg(rx_fd, msg, BATCH, MSG_DONTWAIT, NULL);
		for (int j = 0; j < r; j++) {
			const uint8_t *b = bufs[j];
			size_t len = msg[j].msg_len, ihl = (b[0] & 0x0f) * 4, off;
			struct in_addr dst;
			struct spoke *s;
			long i;

			if (len < ihl + 4 || b[9] != IPPROTO_GRE)
				continue;
			memcpy(&dst, b + 16, 4);
			off = ihl + 4 + ((b[ihl] & 0x20) ? 4 : 0) +
			      ((b[ihl] & 0x80) ? 4 : 0) +
			      ((b[ihl] & 0x10) ? 4 : 0);
			if (b[ihl + 2] != 0x20 || b[ihl + 3] != 0x01 || off > len)
				continue;
			i = spoke_of(dst);
			if (i < 0 || nhrp_decode(b + off, len - off, &p) != 0 ||
			    p.type != NHRP_PKT_REG_REPLY) {
				bad++;
				continue;
			}
			s = &spokes[i];
			if (p.reqid != s->reqid && s->replied)
				continue; /* an answer to an older copy */
			if (!p.cie.count ||
			    NHRP_CIE(&p, p.cie, 0)->code != NHRP_CODE_SUCCESS) {
				refused++;
				continue;
			}
			if (!s->replied) {
				s->replied = t;
				got++;
			}
		}
	} while (r == BATCH);
	return got;
}

static void round_run(unsigned int round)
{
	unsigned int *want = malloc(sizeof(*want) * opt.count);
	unsigned int registered = 0;
	double t0 = now(), first = 0, last = 0, next_check;
	unsigned long sent0 = sent, re0 = retransmitted, ref0 = refused,
		      bad0 = bad;
	struct pollfd pfd = {.fd = rx_fd, .events = POLLIN};

	if (!want)
		die("malloc");
	for (unsigned int i = 0; i < opt.count; i++) {
		spokes[i] = (struct spoke){0};
		want[i] = i;
	}
	send_some(want, opt.count, t0);
	next_check = t0 + opt.retransmit / 10;
	while (registered < opt.count && now() - t0 < opt.timeout) {
		double t;
		unsigned int got, n = 0;

		poll(&pfd, 1, 10);
		t = now();
		got = read_replies(t);
		if (got) {
			if (!first)
				first = t;
			last = t;
			registered += got;
		}
		if (t < next_check)
			continue;
		next_check = t + opt.retransmit / 10;
		for (unsigned int i = 0; i < opt.count; i++)
			if (!spokes[i].replied &&
			    t - spokes[i].last_sent >= opt.retransmit)
				want[n++] = i;
		if (n)
			send_some(want, n, t);
	}
	printf("round=%u spokes=%u registered=%u first_reply=%.3f last_reply=%.3f sent=%lu retransmitted=%lu refused=%lu bad=%lu\n",
	       round, opt.count, registered, first ? first - t0 : -1,
	       last ? last - t0 : -1, sent - sent0, retransmitted - re0,
	       refused - ref0, bad - bad0);
	fflush(stdout);
	free(want);
}

static void addr_opt(struct in_addr *a, const char *s, const char *name)
{
	if (inet_pton(AF_INET, s, a) != 1) {
		fprintf(stderr, "nhrp_storm: %s: not an IPv4 address: %s\n",
			name, s);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"hub", 1, NULL, 'h'},	      {"hub-proto", 1, NULL, 'H'},
		{"nbma", 1, NULL, 'n'},	      {"proto", 1, NULL, 'p'},
		{"count", 1, NULL, 'c'},      {"key", 1, NULL, 'k'},
		{"holdtime", 1, NULL, 't'},   {"retransmit", 1, NULL, 'r'},
		{"timeout", 1, NULL, 'T'},    {"rounds", 1, NULL, 'R'},
		{"pause", 1, NULL, 'P'},      {"ifname", 1, NULL, 'i'},
		{NULL, 0, NULL, 0},
	};
	int c, size = 64 << 20;
	bool have[4] = {};

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'h': addr_opt(&opt.hub, optarg, "--hub"); have[0] = true; break;
		case 'H': addr_opt(&opt.hub_proto, optarg, "--hub-proto"); have[1] = true; break;
		case 'n': addr_opt(&opt.nbma, optarg, "--nbma"); have[2] = true; break;
		case 'p': addr_opt(&opt.proto, optarg, "--proto"); have[3] = true; break;
		case 'c': opt.count = strtoul(optarg, NULL, 0); break;
		case 'k': opt.key = strtoul(optarg, NULL, 0); break;
		case 't': opt.holdtime = strtoul(optarg, NULL, 0); break;
		case 'r': opt.retransmit = strtod(optarg, NULL); break;
		case 'T': opt.timeout = strtod(optarg, NULL); break;
		case 'R': opt.rounds = strtoul(optarg, NULL, 0); break;
		case 'P': opt.pause = strtod(optarg, NULL); break;
		case 'i': opt.ifname = optarg; break;
		default: exit(2);
		}
	}
	if (!have[0] || !have[1] || !have[2] || !have[3] || !opt.count ||
	    opt.count > 65536 || opt.retransmit <= 0 || !opt.rounds) {
		fprintf(stderr, "usage: nhrp_storm --hub NBMA --hub-proto ADDR --nbma FIRST --proto FIRST [--count 1..65536] [--key K] [--holdtime S] [--retransmit S] [--timeout S] [--rounds R] [--pause S] [--ifname IF]\n");
		exit(2);
	}
	spokes = calloc(opt.count, sizeof(*spokes));
	tx_fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	rx_fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (!spokes || tx_fd < 0 || rx_fd < 0)
		die("socket");
	{
		struct sockaddr_ll sll = {.sll_family = AF_PACKET,
					  .sll_protocol = htons(ETH_P_IP),
					  .sll_ifindex = if_nametoindex(opt.ifname)};
		int one = 1;

		if (!sll.sll_ifindex)
			die(opt.ifname);
		if (bind(rx_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
			die("bind");
		/* our own requests are not replies */
		(void)setsockopt(rx_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
				 sizeof(one));
	}
	/* the whole burst in flight, every reply kept */
	if (setsockopt(tx_fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0 ||
	    setsockopt(rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		die("SO_SNDBUFFORCE/SO_RCVBUFFORCE");
	for (unsigned int r = 1; r <= opt.rounds; r++) {
		if (r > 1)
			poll(NULL, 0, (int)(opt.pause * 1000));
		round_run(r);
	}
	return 0;
}
