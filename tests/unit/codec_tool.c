// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * codec_tool: the NHRP codec from the command line, for tests and benches.
 *
 *   codec_tool decode [HEX...]   decode each packet (arguments, else one hex
 *                                packet per stdin line, empty lines too); one
 *                                JSON object per line, with the re-encoded
 *                                bytes
 *   codec_tool build TOKEN...    build a packet, print it as hex
 *   codec_tool bench [N]         ns per decode and per build of a Cisco-like
 *                                Registration Request
 *
 * Build tokens (numbers in C syntax; addresses dotted/IPv6 text or hex):
 *   type=regreq|regreply|resreq|resreply|purgereq|purgereply|error|traffic|N
 *   afn=N pro=N snap=HEX hop=N flags=N reqid=N code=N eoff=N trsvd=N
 *   src_nbma=A src_nbma_sub=A src_proto=A dst_proto=A body=HEX
 *   cie=KEY:VAL,...              CIE of the mandatory part; keys code pl
 *                                rsvd mtu ht pref nbma sub proto
 *   ext=NAME[/c|/n]              end responder fwd rev nat vendor auth or N;
 *                                /c or /n forces the compulsory bit
 *   xcie=KEY:VAL,...             CIE of the last extension
 *   auth=TEXT                    Authentication ext, type 1 (cleartext)
 *   vendor=OUIHEX/HEX            Vendor-Private ext
 *   rawext=TYPE/HEX[/c]          extension written verbatim
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nhrpd/nhrp_codec.h"

#define MAXPKT 65536

static uint8_t blobs[64][1024];	/* storage for build-time byte strings */
static unsigned int nblobs;

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* hex (spaces and colons ignored) to bytes; -1 on bad input */
static long unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (isspace((unsigned char)*s) || *s == ':')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= max)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

static void print_hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static void print_addr(const struct nhrp_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	putchar('"');
	if (a->len == 4 && inet_ntop(AF_INET, a->a, s, sizeof(s)))
		fputs(s, stdout);
	else if (a->len == 16 && inet_ntop(AF_INET6, a->a, s, sizeof(s)))
		fputs(s, stdout);
	else
		print_hex(a->a, a->len);
	putchar('"');
}

static void print_str(const uint8_t *p, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("\\u%04x", p[i]);
	}
	putchar('"');
}

static void print_cies(const struct nhrp_pkt *p, struct nhrp_cies l)
{
	unsigned int i;

	putchar('[');
	for (i = 0; i < l.count; i++) {
		const struct nhrp_cie *c = NHRP_CIE(p, l, i);

		printf("%s{\"code\":%u,\"code_name\":\"%s\",\"pl\":%u,"
		       "\"rsvd\":%u,\"mtu\":%u,\"htime\":%u,\"pref\":%u,"
		       "\"nbma\":",
		       i ? "," : "", c->code, nhrp_cie_code_name(c->code),
		       c->prefix_len, c->rsvd, c->mtu, c->holdtime, c->pref);
		print_addr(&c->nbma);
		printf(",\"nbma_sub\":");
		print_addr(&c->nbma_sub);
		printf(",\"proto\":");
		print_addr(&c->proto);
		putchar('}');
	}
	putchar(']');
}

static void print_pkt(const struct nhrp_pkt *p)
{
	unsigned int i;

	printf("\"type\":%u,\"type_name\":\"%s\",\"afn\":%u,\"pro_type\":%u,"
	       "\"pro_snap\":\"",
	       p->type, nhrp_type_name(p->type), p->afn, p->pro_type);
	print_hex(p->pro_snap, 5);
	printf("\",\"hopcnt\":%u,\"pktsz\":%u,\"chksum\":%u,\"extoff\":%u,"
	       "\"flags\":%u,\"reqid\":%u,\"error_code\":%u,"
	       "\"error_name\":\"%s\",\"error_offset\":%u,"
	       "\"traffic_code\":%u,\"traffic_rsvd\":%u,\"src_nbma\":",
	       p->hopcnt, p->pktsz, p->chksum, p->extoff, p->flags,
	       (unsigned int)p->reqid, p->error_code,
	       nhrp_error_name(p->error_code), p->error_offset,
	       p->traffic_code, p->traffic_rsvd);
	print_addr(&p->src_nbma);
	printf(",\"src_nbma_sub\":");
	print_addr(&p->src_nbma_sub);
	printf(",\"src_proto\":");
	print_addr(&p->src_proto);
	printf(",\"dst_proto\":");
	print_addr(&p->dst_proto);
	printf(",\"body\":\"");
	print_hex(p->body, p->body_len);
	printf("\",\"cie\":");
	print_cies(p, p->cie);
	printf(",\"ext\":[");
	for (i = 0; i < p->next; i++) {
		const struct nhrp_ext *e = &p->ext[i];

		printf("%s{\"type\":%u,\"name\":\"%s\",\"compulsory\":%s,"
		       "\"flags\":%u,\"off\":%u,\"len\":%u,\"raw\":%s,"
		       "\"data\":\"",
		       i ? "," : "", e->type, nhrp_ext_name(e->type),
		       e->flags & NHRP_EXT_COMPULSORY ? "true" : "false",
		       e->flags, e->off, e->len, e->raw ? "true" : "false");
		print_hex(e->data, e->len);
		printf("\",\"cie\":");
		print_cies(p, e->cie);
		if (!e->raw && e->type == NHRP_EXT_AUTH) {
			printf(",\"auth_type\":%u,\"value\":",
			       (unsigned int)e->auth_type);
			print_str(e->value, e->value_len);
		}
		if (!e->raw && e->type == NHRP_EXT_VENDOR) {
			printf(",\"oui\":\"");
			print_hex(e->oui, 3);
			printf("\",\"value\":\"");
			print_hex(e->value, e->value_len);
			putchar('"');
		}
		putchar('}');
	}
	printf("],\"unknown_c_off\":%u", p->unknown_c_off);
}

static struct nhrp_pkt pkt, pkt2;
static uint8_t inbuf[MAXPKT], outbuf[MAXPKT];

static int decode_one(const char *hex)
{
	long n = unhex(hex, inbuf, sizeof(inbuf));
	int r, m;

	if (n < 0) {
		printf("{\"ok\":false,\"reason_name\":\"bad hex\"}\n");
		return 1;
	}
	r = nhrp_decode(inbuf, (size_t)n, &pkt);
	if (r < 0) {
		printf("{\"ok\":false,\"reason\":%d,\"reason_name\":\"%s\","
		       "\"fault_off\":%u,\"error_code\":%u}\n",
		       -r, nhrp_reason_name(r), pkt.fault_off,
		       nhrp_reason_error_code(r));
		return 0;
	}
	m = nhrp_reencode(&pkt, outbuf, sizeof(outbuf));
	printf("{\"ok\":true,");
	print_pkt(&pkt);
	printf(",\"reencoded\":\"");
	if (m > 0)
		print_hex(outbuf, (size_t)m);
	printf("\",\"identical\":%s}\n",
	       m == pkt.pktsz && !memcmp(inbuf, outbuf, (size_t)m) ? "true"
								   : "false");
	return 0;
}

static int cmd_decode(int argc, char **argv)
{
	static char line[4 * MAXPKT];
	int i, rc = 0;

	if (argc > 0) {
		for (i = 0; i < argc; i++)
			rc |= decode_one(argv[i]);
		return rc;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		rc |= decode_one(line);	/* an empty line: an empty packet */
		fflush(stdout);
	}
	return rc;
}

/* ---- build ----------------------------------------------------------- */

static int die(const char *what, const char *tok)
{
	fprintf(stderr, "codec_tool: %s: %s\n", what, tok);
	exit(2);
}

static unsigned long num(const char *s, const char *tok)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end)
		die("bad number", tok);
	return v;
}

static void addr(struct nhrp_addr *a, const char *s, const char *tok)
{
	uint8_t b[NHRP_ADDR_MAX];
	long n;

	if (inet_pton(AF_INET, s, b) == 1)
		n = 4;
	else if (inet_pton(AF_INET6, s, b) == 1)
		n = 16;
	else if ((n = unhex(s, b, sizeof(b))) < 0)
		die("bad address", tok);
	nhrp_addr_set(a, b, (size_t)n);
}

static const uint8_t *blob(const char *hex, uint16_t *len, const char *tok)
{
	long n;

	if (nblobs >= sizeof(blobs) / sizeof(blobs[0]))
		die("too many byte strings", tok);
	n = unhex(hex, blobs[nblobs], sizeof(blobs[0]));
	if (n < 0)
		die("bad hex", tok);
	*len = (uint16_t)n;
	return blobs[nblobs++];
}

static void cie_spec(struct nhrp_pkt *p, struct nhrp_cies *l, char *spec,
		     const char *tok)
{
	struct nhrp_cie *c = nhrp_cie_add(p, l);
	char *kv, *save = NULL;

	if (!c)
		die("too many CIEs", tok);
	for (kv = strtok_r(spec, ",", &save); kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, ':');

		/* IPv6 values contain ':' too: the key is up to the first */
		if (!v)
			die("CIE item without ':'", tok);
		*v++ = 0;
		if (!strcmp(kv, "code"))
			c->code = (uint8_t)num(v, tok);
		else if (!strcmp(kv, "pl"))
			c->prefix_len = (uint8_t)num(v, tok);
		else if (!strcmp(kv, "rsvd"))
			c->rsvd = (uint16_t)num(v, tok);
		else if (!strcmp(kv, "mtu"))
			c->mtu = (uint16_t)num(v, tok);
		else if (!strcmp(kv, "ht"))
			c->holdtime = (uint16_t)num(v, tok);
		else if (!strcmp(kv, "pref"))
			c->pref = (uint8_t)num(v, tok);
		else if (!strcmp(kv, "nbma"))
			addr(&c->nbma, v, tok);
		else if (!strcmp(kv, "sub"))
			addr(&c->nbma_sub, v, tok);
		else if (!strcmp(kv, "proto"))
			addr(&c->proto, v, tok);
		else
			die("unknown CIE key", tok);
	}
}

static const struct {
	const char *name;
	unsigned int v;
} type_keys[] = {
	{ "resreq", NHRP_PKT_RES_REQ },	{ "resreply", NHRP_PKT_RES_REPLY },
	{ "regreq", NHRP_PKT_REG_REQ },	{ "regreply", NHRP_PKT_REG_REPLY },
	{ "purgereq", NHRP_PKT_PURGE_REQ },
	{ "purgereply", NHRP_PKT_PURGE_REPLY },
	{ "error", NHRP_PKT_ERROR },	{ "traffic", NHRP_PKT_TRAFFIC },
}, ext_keys[] = {
	{ "end", NHRP_EXT_END | NHRP_EXT_COMPULSORY },
	{ "responder", NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY },
	{ "fwd", NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY },
	{ "rev", NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY },
	{ "auth", NHRP_EXT_AUTH | NHRP_EXT_COMPULSORY },
	{ "vendor", NHRP_EXT_VENDOR },
	{ "nat", NHRP_EXT_NAT_ADDRESS },
};

static unsigned int lookup(const char *s, int ext, const char *tok)
{
	size_t i, n = ext ? sizeof(ext_keys) / sizeof(ext_keys[0])
			  : sizeof(type_keys) / sizeof(type_keys[0]);

	for (i = 0; i < n; i++) {
		if (!ext && !strcmp(s, type_keys[i].name))
			return type_keys[i].v;
		if (ext && !strcmp(s, ext_keys[i].name))
			return ext_keys[i].v;
	}
	return (unsigned int)num(s, tok);
}

static struct nhrp_ext *last_ext(struct nhrp_pkt *p, const char *tok)
{
	if (!p->next)
		die("no extension yet", tok);
	return &p->ext[p->next - 1];
}

static void build(struct nhrp_pkt *p, int argc, char **argv)
{
	int i;

	nhrp_pkt_init(p, NHRP_PKT_REG_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	for (i = 0; i < argc; i++) {
		char *tok = argv[i], *v = strchr(tok, '=');
		struct nhrp_ext *e;

		if (!v)
			die("token without '='", tok);
		*v++ = 0;
		if (!strcmp(tok, "type"))
			p->type = (uint8_t)lookup(v, 0, tok);
		else if (!strcmp(tok, "afn"))
			p->afn = (uint16_t)num(v, tok);
		else if (!strcmp(tok, "pro"))
			p->pro_type = (uint16_t)num(v, tok);
		else if (!strcmp(tok, "snap")) {
			if (unhex(v, p->pro_snap, 5) != 5)
				die("snap needs 5 bytes", tok);
		} else if (!strcmp(tok, "hop"))
			p->hopcnt = (uint8_t)num(v, tok);
		else if (!strcmp(tok, "flags"))
			p->flags = (uint16_t)num(v, tok);
		else if (!strcmp(tok, "reqid"))
			p->reqid = (uint32_t)num(v, tok);
		else if (!strcmp(tok, "code"))
			p->error_code = p->traffic_code = (uint16_t)num(v, tok);
		else if (!strcmp(tok, "eoff"))
			p->error_offset = (uint16_t)num(v, tok);
		else if (!strcmp(tok, "trsvd"))
			p->traffic_rsvd = (uint16_t)num(v, tok);
		else if (!strcmp(tok, "src_nbma"))
			addr(&p->src_nbma, v, tok);
		else if (!strcmp(tok, "src_nbma_sub"))
			addr(&p->src_nbma_sub, v, tok);
		else if (!strcmp(tok, "src_proto"))
			addr(&p->src_proto, v, tok);
		else if (!strcmp(tok, "dst_proto"))
			addr(&p->dst_proto, v, tok);
		else if (!strcmp(tok, "body"))
			p->body = blob(v, &p->body_len, tok);
		else if (!strcmp(tok, "cie"))
			cie_spec(p, &p->cie, v, tok);
		else if (!strcmp(tok, "xcie"))
			cie_spec(p, &last_ext(p, tok)->cie, v, tok);
		else if (!strcmp(tok, "ext")) {
			char *f = strchr(v, '/');
			unsigned int t;

			if (f)
				*f++ = 0;
			t = lookup(v, 1, tok);
			if (f && !strcmp(f, "c"))
				t |= NHRP_EXT_COMPULSORY;
			else if (f && !strcmp(f, "n"))
				t &= ~NHRP_EXT_COMPULSORY;
			if (!(e = nhrp_ext_add(p, (uint16_t)t)))
				die("too many extensions", tok);
		} else if (!strcmp(tok, "auth")) {
			if (!(e = nhrp_ext_add(p, NHRP_EXT_AUTH |
							  NHRP_EXT_COMPULSORY)))
				die("too many extensions", tok);
			e->auth_type = NHRP_AUTH_CLEARTEXT;
			e->value = (const uint8_t *)v;
			e->value_len = (uint16_t)strlen(v);
		} else if (!strcmp(tok, "vendor")) {
			char *d = strchr(v, '/');

			if (!d)
				die("vendor=OUI/HEX", tok);
			*d++ = 0;
			if (!(e = nhrp_ext_add(p, NHRP_EXT_VENDOR)))
				die("too many extensions", tok);
			if (unhex(v, e->oui, 3) != 3)
				die("OUI needs 3 bytes", tok);
			e->value = blob(d, &e->value_len, tok);
		} else if (!strcmp(tok, "rawext")) {
			char *d = strchr(v, '/'), *f;
			unsigned int t;

			if (!d)
				die("rawext=TYPE/HEX[/c]", tok);
			*d++ = 0;
			f = strchr(d, '/');
			if (f)
				*f++ = 0;
			t = (unsigned int)num(v, tok);
			if (f && !strcmp(f, "c"))
				t |= NHRP_EXT_COMPULSORY;
			if (!(e = nhrp_ext_add(p, (uint16_t)t)))
				die("too many extensions", tok);
			e->raw = true;
			e->data = blob(d, &e->len, tok);
		} else
			die("unknown token", tok);
	}
}

static int cmd_build(int argc, char **argv)
{
	int n;

	build(&pkt, argc, argv);
	n = nhrp_encode(&pkt, outbuf, sizeof(outbuf));
	if (n < 0) {
		fprintf(stderr, "codec_tool: encode: %s\n", nhrp_reason_name(n));
		return 1;
	}
	print_hex(outbuf, (size_t)n);
	putchar('\n');
	return 0;
}

/* ---- bench ----------------------------------------------------------- */

static const char *const cisco_regreq[] = {
	"type=regreq", "flags=0x8002", "reqid=1", "src_nbma=169.254.100.1",
	"src_proto=155.1.0.1", "dst_proto=155.1.0.5",
	"cie=pl:32,mtu:17912,ht:7200",
	"ext=responder", "ext=fwd", "ext=rev", "auth=NHRPAUTH", "ext=nat",
	"xcie=pl:32,mtu:17912,nbma:169.254.100.5,proto:155.1.0.5", "ext=end",
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmd_bench(int argc, char **argv)
{
	unsigned long iters = argc > 0 ? num(argv[0], argv[0]) : 2000000;
	char *args[sizeof(cisco_regreq) / sizeof(cisco_regreq[0])];
	static struct nhrp_pkt tmpl;
	volatile unsigned long sink = 0;
	size_t i, nargs = sizeof(args) / sizeof(args[0]);
	double t0, t_dec, t_enc;
	unsigned long k;
	int n;

	if (iters == 0)
		iters = 1;
	for (i = 0; i < nargs; i++)
		args[i] = strdup(cisco_regreq[i]);
	build(&tmpl, (int)nargs, args);
	n = nhrp_encode(&tmpl, inbuf, sizeof(inbuf));
	if (n < 0 || nhrp_decode(inbuf, (size_t)n, &pkt) != 0)
		die("bench packet", "does not round-trip");

	/* decode and validate (checksum included) */
	t0 = now_ns();
	for (k = 0; k < iters; k++) {
		sink += (unsigned long)nhrp_decode(inbuf, (size_t)n, &pkt);
		sink += pkt.pool[0].mtu;
	}
	t_dec = (now_ns() - t0) / (double)iters;

	/* build: fill the struct as a daemon would, then encode */
	t0 = now_ns();
	for (k = 0; k < iters; k++) {
		struct nhrp_cie *c;
		struct nhrp_ext *e;
		static const uint8_t nbma[4] = { 169, 254, 100, 1 };
		static const uint8_t me[4] = { 155, 1, 0, 1 };
		static const uint8_t nhs[4] = { 155, 1, 0, 5 };
		static const uint8_t nhs_nbma[4] = { 169, 254, 100, 5 };

		nhrp_pkt_init(&pkt2, NHRP_PKT_REG_REQ, NHRP_AFN_IPV4,
			      NHRP_PRO_IPV4);
		pkt2.flags = NHRP_FLAG_REG_UNIQUE | NHRP_FLAG_NAT;
		pkt2.reqid = (uint32_t)k;
		nhrp_addr_set(&pkt2.src_nbma, nbma, 4);
		nhrp_addr_set(&pkt2.src_proto, me, 4);
		nhrp_addr_set(&pkt2.dst_proto, nhs, 4);
		c = nhrp_cie_add(&pkt2, &pkt2.cie);
		c->prefix_len = 32;
		c->mtu = 17912;
		c->holdtime = 7200;
		nhrp_ext_add(&pkt2, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
		nhrp_ext_add(&pkt2, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
		nhrp_ext_add(&pkt2, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
		e = nhrp_ext_add(&pkt2, NHRP_EXT_AUTH | NHRP_EXT_COMPULSORY);
		e->auth_type = NHRP_AUTH_CLEARTEXT;
		e->value = (const uint8_t *)"NHRPAUTH";
		e->value_len = 8;
		e = nhrp_ext_add(&pkt2, NHRP_EXT_NAT_ADDRESS);
		c = nhrp_cie_add(&pkt2, &e->cie);
		c->prefix_len = 32;
		c->mtu = 17912;
		nhrp_addr_set(&c->nbma, nhs_nbma, 4);
		nhrp_addr_set(&c->proto, nhs, 4);
		nhrp_ext_add(&pkt2, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
		sink += (unsigned long)nhrp_encode(&pkt2, outbuf, sizeof(outbuf));
		sink += outbuf[12];
	}
	t_enc = (now_ns() - t0) / (double)iters;

	printf("packet: Cisco-like Registration Request, %d bytes\n", n);
	printf("decode+validate: %.1f ns/packet (%lu iterations)\n", t_dec,
	       iters);
	printf("build+encode: %.1f ns/packet (%lu iterations)\n", t_enc,
	       iters);
	for (i = 0; i < nargs; i++)
		free(args[i]);
	return sink == 0xdeadbeefUL;	/* keeps the loops */
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "decode"))
		return cmd_decode(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "build"))
		return cmd_build(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "bench"))
		return cmd_bench(argc - 2, argv + 2);
	fprintf(stderr, "usage: codec_tool decode [HEX...] | build TOKEN... | "
			"bench [N]\n");
	return 2;
}
