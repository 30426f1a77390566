// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-flood-gen: the packet generator of `tools/bench flood`.  Sends NHRP
 * packets in GRE (key given) straight from a raw IP socket, so the outer
 * source address can be any of a range (distinct sources, as a botnet's
 * would be: the hub's per-source limits see each as a new peer).
 *
 *   bench-flood-gen MODE COUNT DST KEY SRC_BASE NSRC [PASSWORD]
 *
 *   MODE  malformed   a valid Registration Request, then damaged: a bad
 *                     checksum, truncated, another version, a packet size
 *                     past its end, an extension offset inside the fixed
 *                     header (in turn)
 *         resreq      Resolution Requests for the hub's own tunnel
 *                     address (10.255.0.1), each from another requester
 *                     (10.255.x.y) and source NBMA address
 *   SRC_BASE, NSRC    outer sources SRC_BASE, SRC_BASE+1, ... (NSRC of
 *                     them, in turn); the packet's source NBMA address is
 *                     the outer source
 *
 * Prints the number sent and the seconds it took.  Only ever run inside a
 * network namespace the bench created.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint16_t csum(const uint8_t *b, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)(b[n - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = v >> 8;
	b[1] = v & 0xff;
}

static void put32(uint8_t *b, uint32_t v)
{
	put16(b, v >> 16);
	put16(b + 2, v & 0xffff);
}

/* an NHRP packet into b: type, source NBMA, source/destination protocol,
 * one CIE (client nbma/proto given for a registration), authentication
 * if pw, End; returns its length */
static size_t nhrp(uint8_t *b, uint8_t type, uint32_t sn, uint32_t sp,
		   uint32_t dp, uint32_t reqid, const char *pw, bool client)
{
	size_t o = 20, ext;

	memset(b, 0, 20);
	put16(b, 1);		/* afn IPv4 */
	put16(b + 2, 0x0800);	/* protocol IPv4 */
	b[9] = 255;		/* hop count */
	b[16] = 1;		/* version */
	b[17] = type;
	b[18] = 4;		/* NBMA address length */
	b[o++] = 4;
	b[o++] = 4;
	put16(b + o, type == 3 ? 0x0002 : 0x8000); /* NAT / Q */
	put32(b + o + 2, reqid);
	o += 6;
	put32(b + o, sn);
	put32(b + o + 4, sp);
	put32(b + o + 8, dp);
	o += 12;
	/* CIE */
	memset(b + o, 0, 12);
	b[o + 1] = client ? 32 : 0;
	put16(b + o + 6, 600);
	if (client) {
		b[o + 8] = 4;
		b[o + 10] = 4;
		o += 12;
		put32(b + o, sn);
		put32(b + o + 4, sp);
		o += 8;
	} else
		o += 12;
	ext = o;
	if (pw) {
		size_t n = strlen(pw);

		put16(b + o, 0x8007);
		put16(b + o + 2, (uint16_t)(4 + n));
		put32(b + o + 4, 1);
		memcpy(b + o + 8, pw, n);
		o += 8 + n;
	}
	put16(b + o, 0x8000);	/* End */
	put16(b + o + 2, 0);
	o += 4;
	put16(b + 10, (uint16_t)o);
	put16(b + 14, (uint16_t)ext);
	put16(b + 12, csum(b, o));
	return o;
}

int main(int argc, char **argv)
{
	uint8_t pkt[2048], *ip = pkt, *gre = pkt + 20, *n = pkt + 28;
	struct sockaddr_in to = {.sin_family = AF_INET};
	struct in_addr dst, base;
	unsigned long count, nsrc, sent = 0;
	const char *pw;
	struct timespec t0, t1;
	bool malformed;
	uint32_t key;
	int s, one = 1;

	if (argc < 7 || inet_pton(AF_INET, argv[3], &dst) != 1 ||
	    inet_pton(AF_INET, argv[5], &base) != 1) {
		fprintf(stderr, "usage: bench-flood-gen malformed|resreq COUNT DST KEY SRC_BASE NSRC [PASSWORD]\n");
		return 2;
	}
	malformed = !strcmp(argv[1], "malformed");
	if (!malformed && strcmp(argv[1], "resreq")) {
		fprintf(stderr, "bench-flood-gen: unknown mode %s\n", argv[1]);
		return 2;
	}
	count = strtoul(argv[2], NULL, 0);
	key = (uint32_t)strtoul(argv[4], NULL, 0);
	nsrc = strtoul(argv[6], NULL, 0);
	pw = argc > 7 && argv[7][0] ? argv[7] : NULL;
	if (!nsrc)
		nsrc = 1;
	s = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (s < 0 || setsockopt(s, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("bench-flood-gen: raw socket");
		return 1;
	}
	to.sin_addr = dst;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned long i = 0; i < count; i++) {
		uint32_t src = ntohl(base.s_addr) + (uint32_t)(i % nsrc);
		uint32_t req = 0x0aff0000 | (uint32_t)(2 + i % 65000);
		size_t len;

		if (malformed) {
			len = nhrp(n, 3, src, req, 0x0aff0001, (uint32_t)i + 1,
				   pw, true);
			switch (i % 5) {
			case 0:		/* checksum */
				n[12] ^= 0x5a;
				break;
			case 1:		/* truncated */
				len = 10 + i % (len - 10);
				break;
			case 2:		/* a version we do not speak */
				n[16] = (uint8_t)(2 + i % 250);
				put16(n + 12, 0);
				put16(n + 12, csum(n, len));
				break;
			case 3:		/* packet size beyond the packet */
				put16(n + 10, (uint16_t)(len + 1 + i % 100));
				break;
			default:	/* extension offset inside the header */
				put16(n + 14, (uint16_t)(i % 20));
				put16(n + 12, 0);
				put16(n + 12, csum(n, len));
				break;
			}
		} else
			len = nhrp(n, 1, src, req, 0x0aff0001, (uint32_t)i + 1,
				   pw, false);
		if (getenv("BENCH_FLOOD_DUMP")) {	/* the NHRP packet, hex */
			for (size_t k = 0; k < len; k++)
				printf("%02x", n[k]);
			printf("\n");
			return 0;
		}
		/* GRE with key, protocol NHRP */
		put16(gre, 0x2000);
		put16(gre + 2, 0x2001);
		put32(gre + 4, key);
		/* IPv4: checksum and id filled by the kernel */
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(28 + len));
		ip[8] = 64;
		ip[9] = IPPROTO_GRE;
		put32(ip + 12, src);
		memcpy(ip + 16, &dst.s_addr, 4);
		while (sendto(s, pkt, 28 + len, 0, (struct sockaddr *)&to,
			      sizeof(to)) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("bench-flood-gen: sendto");
				return 1;
			}
			usleep(100);
		}
		sent++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%lu %.3f\n", sent,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
