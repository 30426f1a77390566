// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the NHRP wire codec (nhrpd/nhrp_codec.[ch]): real Cisco IOS
 * packets, every packet type and extension both ways, malformed input.
 * Prints "N passed, M failed"; exits non-zero on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrpd/nhrp_codec.h"

static unsigned int passed, failed;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (cond)                                                    \
			passed++;                                            \
		else {                                                       \
			failed++;                                            \
			fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",     \
				__FILE__, __LINE__, __func__, #cond);        \
		}                                                            \
	} while (0)

#define CHECK_EQ(a, b)                                                       \
	do {                                                                 \
		long long a_ = (long long)(a), b_ = (long long)(b);          \
		if (a_ == b_)                                                \
			passed++;                                            \
		else {                                                       \
			failed++;                                            \
			fprintf(stderr, "%s:%d: %s: %s == %lld, not %lld\n", \
				__FILE__, __LINE__, __func__, #a, a_, b_);   \
		}                                                            \
	} while (0)

/* ---- real packets (tcpdump's test captures, Cisco IOS) --------------- */

/* IOL RegReq: U|NAT, auth NHRPAUTH, NAT ext (tcpdump-NHRP_registration #1) */
static const char REGREQ[] =
	"000108000000000000ff006c197b0034010304000404800200000001a9fe6401"
	"9b0100019b0100050020000045f81c20000000008003000080040000800500008007"
	"000c000000014e48525041555448000900140020000045f8000004000400a9fe6405"
	"9b01000580000000";
/* the hub's RegReply to it (#2) */
static const char REGREPLY[] =
	"000108000000000000ff0080060f0034010404000404800200000001a9fe6401"
	"9b0100019b0100050020000045f81c2000000000800300140020000045f81c200400"
	"0400a9fe64059b01000580040000800500008007000c000000014e48525041555448"
	"000900140020000045f8000004000400a9fe64059b01000580000000";
/* no-unique RegReq/Reply, id 300 (tcpdump-NHRP-responder-address) */
static const char REGREQ_NU[] =
	"000108000000000000ff006cbe3a003401030400040400020000012c9b014f02"
	"9b0100099b0100060020000045f81c20000000008003000080040000800500008007"
	"000c000000014e48525041555448000900140020000045f800000400040006060606"
	"9b01000680000000";
static const char REGREPLY_NU[] =
	"000108000000000000ff00801ac5003401040400040400020000012c9b014f02"
	"9b0100099b0100060020000045f81c2000000000800300140020000045f81c200400"
	"0400060606069b01920680040000800500008007000c000000014e48525041555448"
	"000900140020000045f8000004000400060606069b01000680000000";
/* IOS 12 RegReq: odd length 81, prefix 255, htime 30, auth CISCO */
static const char REGREQ_IOS12[] =
	"000108000000000000ff0051e8e400340103040004048000000000050a000c02"
	"c0a80002c0a8000100ff000005ea001e0000000080030000800400008005000080"
	"07000900000001434953434f80000000";
/* 2007 trace: Traffic Indication, ResReq, hub-forwarded ResReq, ResReply */
static const char TRAFFIC[] =
	"000108000000000000ff0062d9d00044010804000404000000000000c0a8c801"
	"0affff010affff034500006400050000ff01a78f0affff030affff020800325b0001"
	"000080040000800500008007000a000000017365637265740009000080000000";
static const char RESREQ[] =
	"000108000000000000ff0056aa370034010104000404c80200000005c0a8c803"
	"0affff030affff020000000005ea1c20000000008003000080040000800500008007"
	"000a000000017365637265740009000080000000";
static const char RESREQ_FWD[] =
	"000108000000000000fe006aed5a0034010104000404c80200000005c0a8c803"
	"0affff030affff020000000005ea1c20000000008003000080040014000000000"
	"5ea1c2004000400c0a8c8010affff01800500008007000a00000001736563726574"
	"0009000080000000";
static const char RESREPLY[] =
	"000108000000000000ff0086659b003c010204000404f80200000005c0a8c803"
	"0affff030affff020020000005ea1c2004000400c0a8c8020affff02800300140000"
	"000005ea1c2004000400c0a8c8020affff02800400140000000005ea1c2004000400"
	"c0a8c8010affff01800500008007000a000000017365637265740009000080000000";

static const char *const VECTORS[] = {
	REGREQ, REGREPLY, REGREQ_NU, REGREPLY_NU, REGREQ_IOS12,
	TRAFFIC, RESREQ, RESREQ_FWD, RESREPLY,
};
#define NVECTORS (sizeof(VECTORS) / sizeof(VECTORS[0]))

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;

	for (; s[0] && s[1]; s += 2) {
		unsigned int v;

		if (sscanf(s, "%2x", &v) != 1)
			abort();
		out[n++] = (uint8_t)v;
	}
	return n;
}

static bool ip4(int a, int b, int c, int d, const struct nhrp_addr *x)
{
	return x->len == 4 && x->a[0] == a && x->a[1] == b && x->a[2] == c &&
	       x->a[3] == d;
}

/*
 * After changing a packet: set ar$pktsz and the checksum (when the packet
 * is within the cap bytes that buf holds)
 */
static void refix_cap(uint8_t *buf, size_t pktsz, size_t cap)
{
	buf[10] = (uint8_t)(pktsz >> 8);
	buf[11] = (uint8_t)pktsz;
	buf[12] = buf[13] = 0;
	if (pktsz >= NHRP_HDR_LEN && pktsz <= cap) {
		uint16_t c = nhrp_checksum(buf, pktsz);

		buf[12] = (uint8_t)(c >> 8);
		buf[13] = (uint8_t)c;
	}
}

#define refix(buf, pktsz) refix_cap(buf, pktsz, sizeof(buf))

static struct nhrp_pkt pk, pk2;
static uint8_t in[4096], out[4096], out2[4096];

/* decode `in`, re-encode, both encoders give the input back */
static int decode_reencode(const uint8_t *buf, size_t len, struct nhrp_pkt *p)
{
	int r = nhrp_decode(buf, len, p), n;

	if (r)
		return r;
	n = nhrp_reencode(p, out, sizeof(out));
	CHECK_EQ(n, p->pktsz);
	CHECK(n > 0 && !memcmp(out, buf, (size_t)n));
	n = nhrp_encode(p, out, sizeof(out));
	CHECK_EQ(n, p->pktsz);
	CHECK(n > 0 && !memcmp(out, buf, (size_t)n));
	return 0;
}

/* encode p, decode, encode again: same bytes; returns the length */
static int roundtrip(const struct nhrp_pkt *p, struct nhrp_pkt *q)
{
	int n = nhrp_encode(p, out2, sizeof(out2)), r;

	CHECK(n > 0);
	if (n <= 0)
		return n;
	CHECK_EQ(nhrp_encode(p, NULL, 0), n);
	CHECK_EQ(nhrp_checksum(out2, (size_t)n), 0);
	r = nhrp_decode(out2, (size_t)n, q);
	CHECK_EQ(r, 0);
	if (r)
		return r;
	CHECK_EQ(nhrp_encode(q, out, sizeof(out)), n);
	CHECK(!memcmp(out, out2, (size_t)n));
	return n;
}

/* ---- tests ------------------------------------------------------------ */

static void test_checksum(void)
{
	/* RFC 1071's example: sum ddf2, checksum 220d */
	static const uint8_t rfc1071[] = { 0x00, 0x01, 0xf2, 0x03,
					   0xf4, 0xf5, 0xf6, 0xf7 };
	static const uint8_t odd[] = { 0x01 };
	uint8_t ff[301];

	CHECK_EQ(nhrp_checksum(rfc1071, sizeof(rfc1071)), 0x220d);
	CHECK_EQ(nhrp_checksum(odd, 1), 0xfeff);	/* padded to 0100 */
	CHECK_EQ(nhrp_checksum(rfc1071, 0), 0xffff);
	memset(ff, 0xff, sizeof(ff));
	CHECK_EQ(nhrp_checksum(ff, sizeof(ff)), 0x00ff);
	CHECK_EQ(nhrp_checksum(ff, 300), 0x0000);
}

static void test_vectors_roundtrip(void)
{
	unsigned int i;

	for (i = 0; i < NVECTORS; i++) {
		size_t n = unhex(VECTORS[i], in);

		CHECK_EQ(decode_reencode(in, n, &pk), 0);
		CHECK_EQ(pk.pktsz, n);
		CHECK_EQ(pk.unknown_c_off, 0);
		CHECK(pk.next > 0 && pk.ext[pk.next - 1].type == NHRP_EXT_END);
	}
}

static void test_regreq_fields(void)
{
	size_t n = unhex(REGREQ, in);
	const struct nhrp_cie *c;
	const struct nhrp_ext *e;
	static const uint16_t types[] = { 3, 4, 5, 7, 9, 0 };
	unsigned int i;

	CHECK_EQ(nhrp_decode(in, n, &pk), 0);
	CHECK_EQ(pk.type, NHRP_PKT_REG_REQ);
	CHECK_EQ(pk.afn, NHRP_AFN_IPV4);
	CHECK_EQ(pk.pro_type, NHRP_PRO_IPV4);
	CHECK_EQ(pk.hopcnt, 255);
	CHECK_EQ(pk.pktsz, 108);
	CHECK_EQ(pk.extoff, 52);
	CHECK_EQ(pk.chksum, 0x197b);
	CHECK_EQ(pk.flags, NHRP_FLAG_REG_UNIQUE | NHRP_FLAG_NAT);
	CHECK_EQ(pk.reqid, 1);
	CHECK(ip4(169, 254, 100, 1, &pk.src_nbma));
	CHECK_EQ(pk.src_nbma_sub.len, 0);
	CHECK(ip4(155, 1, 0, 1, &pk.src_proto));
	CHECK(ip4(155, 1, 0, 5, &pk.dst_proto));
	CHECK_EQ(pk.cie.count, 1);
	c = NHRP_CIE(&pk, pk.cie, 0);
	CHECK_EQ(c->code, 0);
	CHECK_EQ(c->prefix_len, 32);
	CHECK_EQ(c->mtu, 17912);
	CHECK_EQ(c->holdtime, 7200);
	CHECK_EQ(c->pref, 0);
	CHECK_EQ(c->nbma.len + c->nbma_sub.len + c->proto.len, 0);

	CHECK_EQ(pk.next, 6);
	for (i = 0; i < 6 && i < pk.next; i++) {
		CHECK_EQ(pk.ext[i].type, types[i]);
		CHECK_EQ(!!(pk.ext[i].flags & NHRP_EXT_COMPULSORY),
			 types[i] != NHRP_EXT_NAT_ADDRESS);
	}
	CHECK_EQ(nhrp_ext_find(&pk, NHRP_EXT_AUTH), 3);
	e = &pk.ext[3];
	CHECK_EQ(e->off, 64);
	CHECK_EQ(e->len, 12);
	CHECK_EQ(e->auth_type, NHRP_AUTH_CLEARTEXT);
	CHECK(e->value_len == 8 && !memcmp(e->value, "NHRPAUTH", 8));
	CHECK(e->value == in + 64 + 4 + 4);	/* points into the buffer */
	e = &pk.ext[4];
	CHECK(!e->raw);
	CHECK_EQ(e->cie.count, 1);
	c = NHRP_CIE(&pk, e->cie, 0);
	CHECK(ip4(169, 254, 100, 5, &c->nbma));
	CHECK(ip4(155, 1, 0, 5, &c->proto));
	CHECK_EQ(c->holdtime, 0);
	CHECK_EQ(c->prefix_len, 32);
	CHECK_EQ(pk.ext[0].cie.count, 0);
	CHECK_EQ(nhrp_ext_find(&pk, NHRP_EXT_VENDOR), -1);
}

static void test_ios12_fields(void)
{
	size_t n = unhex(REGREQ_IOS12, in);
	const struct nhrp_cie *c;
	int a;

	CHECK_EQ(n, 81);
	CHECK_EQ(nhrp_decode(in, n, &pk), 0);
	CHECK_EQ(pk.flags, NHRP_FLAG_REG_UNIQUE);
	CHECK_EQ(pk.reqid, 5);
	c = NHRP_CIE(&pk, pk.cie, 0);
	CHECK_EQ(c->prefix_len, 255);
	CHECK_EQ(c->mtu, 1514);
	CHECK_EQ(c->holdtime, 30);
	a = nhrp_ext_find(&pk, NHRP_EXT_AUTH);
	CHECK(a >= 0 && pk.ext[a].value_len == 5 &&
	      !memcmp(pk.ext[a].value, "CISCO", 5));
	CHECK_EQ(nhrp_ext_find(&pk, NHRP_EXT_NAT_ADDRESS), -1);
}

static void test_traffic_fields(void)
{
	size_t n = unhex(TRAFFIC, in);
	int i;

	CHECK_EQ(nhrp_decode(in, n, &pk), 0);
	CHECK_EQ(pk.type, NHRP_PKT_TRAFFIC);
	CHECK_EQ(pk.traffic_code, NHRP_TRAFFIC_REDIRECT);
	CHECK_EQ(pk.flags, 0);
	CHECK(ip4(192, 168, 200, 1, &pk.src_nbma));
	CHECK(ip4(10, 255, 255, 1, &pk.src_proto));
	CHECK(ip4(10, 255, 255, 3, &pk.dst_proto));
	CHECK_EQ(pk.cie.count, 0);
	CHECK_EQ(pk.body_len, 28);	/* IP header + 8 bytes */
	CHECK(pk.body && pk.body[0] == 0x45 && pk.body == in + 40);
	CHECK_EQ(pk.next, 5);
	CHECK_EQ(nhrp_ext_find(&pk, NHRP_EXT_RESPONDER), -1);
	i = nhrp_ext_find(&pk, NHRP_EXT_NAT_ADDRESS);
	CHECK(i >= 0 && pk.ext[i].len == 0 && pk.ext[i].cie.count == 0 &&
	      !pk.ext[i].raw);
	i = nhrp_ext_find(&pk, NHRP_EXT_AUTH);
	CHECK(i >= 0 && pk.ext[i].value_len == 6);
}

static void test_resreply_fields(void)
{
	size_t n = unhex(RESREPLY, in);
	const struct nhrp_cie *c;
	int i;

	CHECK_EQ(nhrp_decode(in, n, &pk), 0);
	CHECK_EQ(pk.type, NHRP_PKT_RES_REPLY);
	CHECK_EQ(pk.flags, NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_D |
				   NHRP_FLAG_RES_U | NHRP_FLAG_RES_S | NHRP_FLAG_NAT);
	CHECK_EQ(pk.reqid, 5);
	c = NHRP_CIE(&pk, pk.cie, 0);
	CHECK_EQ(c->prefix_len, 32);
	CHECK(ip4(192, 168, 200, 2, &c->nbma));
	CHECK(ip4(10, 255, 255, 2, &c->proto));
	i = nhrp_ext_find(&pk, NHRP_EXT_RESPONDER);
	CHECK(i >= 0 && pk.ext[i].cie.count == 1);
	i = nhrp_ext_find(&pk, NHRP_EXT_FWD_TRANSIT);
	CHECK(i >= 0 && pk.ext[i].cie.count == 1 &&
	      ip4(192, 168, 200, 1, &NHRP_CIE(&pk, pk.ext[i].cie, 0)->nbma));
	CHECK_EQ(pk.npool, 3);
}

/* what the hub did to the ResReq: hop count - 1, itself in Forward Transit */
static void test_forward_like_the_hub(void)
{
	size_t n = unhex(RESREQ, in), m = unhex(RESREQ_FWD, out2);
	static const uint8_t hub_nbma[4] = { 192, 168, 200, 1 };
	static const uint8_t hub[4] = { 10, 255, 255, 1 };
	struct nhrp_cie *c;
	int i, r;

	CHECK_EQ(nhrp_decode(in, n, &pk), 0);
	pk.hopcnt--;
	i = nhrp_ext_find(&pk, NHRP_EXT_FWD_TRANSIT);
	CHECK(i >= 0);
	if (i < 0)
		return;
	c = nhrp_cie_add(&pk, &pk.ext[i].cie);
	CHECK(c != NULL);
	if (!c)
		return;
	c->mtu = 1514;
	c->holdtime = 7200;
	nhrp_addr_set(&c->nbma, hub_nbma, 4);
	nhrp_addr_set(&c->proto, hub, 4);
	r = nhrp_encode(&pk, out, sizeof(out));
	CHECK_EQ(r, m);
	CHECK(r > 0 && !memcmp(out, out2, m));
}

/* the hub's RegReply is its RegReq with type 4 and the Responder CIE */
static void reply_from_request(const char *req, const char *reply,
			       const uint8_t *nbma, const uint8_t *proto,
			       uint16_t mtu)
{
	size_t n = unhex(req, in), m = unhex(reply, out2);
	struct nhrp_cie *c;
	int i, r;

	CHECK_EQ(nhrp_decode(in, n, &pk), 0);
	pk.type = NHRP_PKT_REG_REPLY;
	i = nhrp_ext_find(&pk, NHRP_EXT_RESPONDER);
	CHECK(i == 0);
	if (i != 0)
		return;
	c = nhrp_cie_add(&pk, &pk.ext[i].cie);
	CHECK(c != NULL);
	if (!c)
		return;
	c->prefix_len = 32;
	c->mtu = mtu;
	c->holdtime = 7200;
	nhrp_addr_set(&c->nbma, nbma, 4);
	nhrp_addr_set(&c->proto, proto, 4);
	/* the pool shifted: the NAT extension's CIE is intact */
	i = nhrp_ext_find(&pk, NHRP_EXT_NAT_ADDRESS);
	CHECK(i > 0 && pk.ext[i].cie.count == 1 &&
	      !memcmp(NHRP_CIE(&pk, pk.ext[i].cie, 0)->nbma.a, nbma, 4));
	r = nhrp_encode(&pk, out, sizeof(out));
	CHECK_EQ(r, m);
	CHECK(r > 0 && !memcmp(out, out2, m));
}

static void test_reply_like_the_hub(void)
{
	static const uint8_t nbma1[4] = { 169, 254, 100, 5 };
	static const uint8_t proto1[4] = { 155, 1, 0, 5 };
	static const uint8_t nbma2[4] = { 6, 6, 6, 6 };
	static const uint8_t proto2[4] = { 155, 1, 146, 6 };

	reply_from_request(REGREQ, REGREPLY, nbma1, proto1, 17912);
	reply_from_request(REGREQ_NU, REGREPLY_NU, nbma2, proto2, 17912);
}

/* a Cisco-like packet of any type, families as given */
static void fill(struct nhrp_pkt *p, uint8_t type, uint16_t afn, uint16_t pro)
{
	static const uint8_t n4[4] = { 192, 0, 2, 1 }, p4[4] = { 10, 0, 0, 1 },
			     d4[4] = { 10, 0, 0, 2 };
	static const uint8_t n6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t p6[16] = { 0xfe, 0x80, [15] = 1 };
	static const uint8_t d6[16] = { 0xfe, 0x80, [15] = 2 };
	static const uint8_t body[28] = { 0x45, 0, 0, 28, [9] = 1 };
	bool v6n = afn == NHRP_AFN_IPV6, v6p = pro == NHRP_PRO_IPV6;
	struct nhrp_cie *c;
	struct nhrp_ext *e;

	nhrp_pkt_init(p, type, afn, pro);
	p->npool = 0;
	nhrp_addr_set(&p->src_nbma, v6n ? n6 : n4, v6n ? 16 : 4);
	nhrp_addr_set(&p->src_proto, v6p ? p6 : p4, v6p ? 16 : 4);
	nhrp_addr_set(&p->dst_proto, v6p ? d6 : d4, v6p ? 16 : 4);
	if (type == NHRP_PKT_ERROR) {
		p->error_code = NHRP_ERR_LOOP_DETECTED;
		p->error_offset = 44;
		p->body = body;
		p->body_len = sizeof(body);
		return;	/* no extensions */
	}
	if (type == NHRP_PKT_TRAFFIC) {
		p->traffic_code = NHRP_TRAFFIC_REDIRECT;
		p->body = body;
		p->body_len = sizeof(body);
	} else {
		p->flags = NHRP_FLAG_NAT | (type == NHRP_PKT_PURGE_REQ
						    ? NHRP_FLAG_PURGE_N : 0);
		p->reqid = 0x01020304;
		c = nhrp_cie_add(p, &p->cie);
		c->code = type == NHRP_PKT_REG_REPLY ? NHRP_CODE_ALREADY_REGISTERED
						     : 0;
		c->prefix_len = v6p ? 128 : 32;
		c->mtu = 1400;
		c->holdtime = 600;
		c->pref = 255;
		nhrp_addr_set(&c->nbma, v6n ? n6 : n4, v6n ? 16 : 4);
		nhrp_addr_set(&c->proto, v6p ? d6 : d4, v6p ? 16 : 4);
		e = nhrp_ext_add(p, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
		if (type == NHRP_PKT_RES_REPLY) {
			c = nhrp_cie_add(p, &e->cie);
			*c = *NHRP_CIE(p, p->cie, 0);
		}
	}
	nhrp_ext_add(p, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(p, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
	e = nhrp_ext_add(p, NHRP_EXT_AUTH | NHRP_EXT_COMPULSORY);
	e->auth_type = NHRP_AUTH_CLEARTEXT;
	e->value = (const uint8_t *)"dmvpn42";
	e->value_len = 7;
	e = nhrp_ext_add(p, NHRP_EXT_VENDOR);
	e->oui[2] = 0x0c;
	e->value = (const uint8_t *)"\x01\x06GROUP1";
	e->value_len = 8;
	e = nhrp_ext_add(p, NHRP_EXT_NAT_ADDRESS);
	c = nhrp_cie_add(p, &e->cie);
	c->prefix_len = v6n ? 128 : 32;
	nhrp_addr_set(&c->nbma, v6n ? n6 : n4, v6n ? 16 : 4);
	c = nhrp_cie_add(p, &e->cie);
	c->prefix_len = v6n ? 128 : 32;
	nhrp_addr_set(&c->nbma, v6n ? n6 : n4, v6n ? 16 : 4);
	c->nbma.a[3] = 99;
}

static void test_every_type_and_family(void)
{
	static const uint16_t fam[][2] = {
		{ NHRP_AFN_IPV4, NHRP_PRO_IPV4 }, { NHRP_AFN_IPV4, NHRP_PRO_IPV6 },
		{ NHRP_AFN_IPV6, NHRP_PRO_IPV4 }, { NHRP_AFN_IPV6, NHRP_PRO_IPV6 },
	};
	unsigned int t, f;

	for (t = NHRP_PKT_RES_REQ; t <= NHRP_PKT_TRAFFIC; t++) {
		for (f = 0; f < 4; f++) {
			unsigned int plen = fam[f][1] == NHRP_PRO_IPV6 ? 16 : 4;
			unsigned int nlen = fam[f][0] == NHRP_AFN_IPV6 ? 16 : 4;
			int n, i;

			fill(&pk, (uint8_t)t, fam[f][0], fam[f][1]);
			n = roundtrip(&pk, &pk2);
			if (n <= 0)
				continue;
			CHECK_EQ(pk2.type, t);
			CHECK_EQ(pk2.afn, fam[f][0]);
			CHECK_EQ(pk2.pro_type, fam[f][1]);
			CHECK_EQ(pk2.hopcnt, NHRP_HOPCNT_DEFAULT);
			CHECK_EQ(out2[18], nlen);	/* ar$shtl */
			CHECK_EQ(pk2.src_nbma.len, nlen);
			CHECK_EQ(pk2.src_proto.len, plen);
			CHECK_EQ(pk2.dst_proto.len, plen);
			CHECK(!memcmp(pk2.dst_proto.a, pk.dst_proto.a, plen));
			if (t == NHRP_PKT_ERROR) {
				CHECK_EQ(pk2.error_code, 3);
				CHECK_EQ(pk2.error_offset, 44);
				CHECK_EQ(pk2.body_len, 28);
				CHECK_EQ(pk2.extoff, 0);
				CHECK_EQ(pk2.next, 0);
				CHECK_EQ(pk2.reqid, 0);
				continue;
			}
			CHECK_EQ(pk2.ext[pk2.next - 1].type, NHRP_EXT_END);
			CHECK_EQ(pk2.ext[pk2.next - 1].flags,
				 NHRP_EXT_COMPULSORY);	/* appended */
			CHECK_EQ(pk2.next, pk.next + 1);
			i = nhrp_ext_find(&pk2, NHRP_EXT_VENDOR);
			CHECK(i >= 0 && pk2.ext[i].oui[2] == 0x0c &&
			      pk2.ext[i].value_len == 8 &&
			      !memcmp(pk2.ext[i].value, "\x01\x06GROUP1", 8));
			CHECK(!(pk2.ext[i].flags & NHRP_EXT_COMPULSORY));
			i = nhrp_ext_find(&pk2, NHRP_EXT_AUTH);
			CHECK(i >= 0 && pk2.ext[i].len == 11 &&
			      pk2.ext[i].auth_type == 1);
			i = nhrp_ext_find(&pk2, NHRP_EXT_NAT_ADDRESS);
			CHECK(i >= 0 && pk2.ext[i].cie.count == 2 &&
			      NHRP_CIE(&pk2, pk2.ext[i].cie, 1)->nbma.a[3] == 99);
			if (t == NHRP_PKT_TRAFFIC) {
				CHECK_EQ(pk2.traffic_code, 0);
				CHECK_EQ(pk2.body_len, 28);
				CHECK_EQ(pk2.cie.count, 0);
				continue;
			}
			CHECK_EQ(pk2.reqid, 0x01020304);
			CHECK_EQ(pk2.flags, pk.flags);
			CHECK_EQ(pk2.cie.count, 1);
			CHECK_EQ(NHRP_CIE(&pk2, pk2.cie, 0)->pref, 255);
			CHECK_EQ(NHRP_CIE(&pk2, pk2.cie, 0)->prefix_len,
				 plen * 8);
			CHECK_EQ(NHRP_CIE(&pk2, pk2.cie, 0)->code,
				 t == NHRP_PKT_REG_REPLY ? 14 : 0);
			i = nhrp_ext_find(&pk2, NHRP_EXT_RESPONDER);
			CHECK(i == 0 && pk2.ext[0].cie.count ==
						(t == NHRP_PKT_RES_REPLY));
		}
	}
}

static void test_error_indication_of_a_packet(void)
{
	size_t n = unhex(REGREQ, in);
	int m;

	nhrp_pkt_init(&pk, NHRP_PKT_ERROR, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	nhrp_addr_set(&pk.src_nbma, in + 28, 4);
	nhrp_addr_set(&pk.src_proto, in + 36, 4);
	nhrp_addr_set(&pk.dst_proto, in + 32, 4);
	pk.error_code = NHRP_ERR_UNRECOGNIZED_EXT;
	pk.error_offset = 52;
	pk.body = in;
	pk.body_len = (uint16_t)n;
	m = roundtrip(&pk, &pk2);
	CHECK_EQ(m, 28 + 12 + n);
	CHECK_EQ(pk2.body_len, n);
	CHECK(pk2.body && !memcmp(pk2.body, in, n));
	CHECK_EQ(out2[24] << 8 | out2[25], 1);
	CHECK_EQ(out2[26] << 8 | out2[27], 52);
	/* the quoted packet decodes on its own */
	CHECK_EQ(nhrp_decode(pk2.body, pk2.body_len, &pk), 0);
}

static void test_extensions_kept_in_order(void)
{
	static const uint8_t devcaps[8] = { 0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t opaque[5] = { 1, 2, 3, 4, 5 };
	struct nhrp_ext *e;
	int n, i;

	fill(&pk, NHRP_PKT_RES_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	e = nhrp_ext_add(&pk, 0x1234);	/* unknown, not compulsory */
	e->data = opaque;
	e->len = sizeof(opaque);
	e = nhrp_ext_add(&pk, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	e = nhrp_ext_add(&pk, 0x0042 | NHRP_EXT_UBIT);	/* before End */
	CHECK(e == &pk.ext[pk.next - 2]);
	CHECK_EQ(pk.ext[pk.next - 1].type, NHRP_EXT_END);
	n = roundtrip(&pk, &pk2);
	CHECK(n > 0);
	CHECK_EQ(pk2.next, pk.next);
	for (i = 0; i < pk.next && i < pk2.next; i++) {
		CHECK_EQ(pk2.ext[i].type, pk.ext[i].type);
		CHECK_EQ(pk2.ext[i].flags, pk.ext[i].flags);
	}
	i = nhrp_ext_find(&pk2, 0x1234);
	CHECK(i >= 0 && pk2.ext[i].raw && pk2.ext[i].len == 5 &&
	      !memcmp(pk2.ext[i].data, opaque, 5));
	CHECK_EQ(pk2.unknown_c_off, 0);
	i = nhrp_ext_find(&pk2, 0x42);
	CHECK(i >= 0 && pk2.ext[i].flags == NHRP_EXT_UBIT);

	/* an unrecognized compulsory extension is reported, not refused */
	fill(&pk, NHRP_PKT_REG_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	e = nhrp_ext_add(&pk, 0x0100 | NHRP_EXT_COMPULSORY);
	e = nhrp_ext_add(&pk, 0x0101 | NHRP_EXT_COMPULSORY);
	n = roundtrip(&pk, &pk2);
	i = nhrp_ext_find(&pk2, 0x100);
	CHECK(i >= 0 && pk2.unknown_c_off == pk2.ext[i].off &&
	      pk2.unknown_c_off > pk2.extoff);
	CHECK_EQ(nhrp_reason_error_code(NHRP_E_EXT_UNKNOWN),
		 NHRP_ERR_UNRECOGNIZED_EXT);

	/* type 9 that is not Cisco's NAT CIE list (RFC 2735): kept raw */
	fill(&pk, NHRP_PKT_REG_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	i = nhrp_ext_find(&pk, NHRP_EXT_NAT_ADDRESS);
	pk.ext[i].raw = true;
	pk.ext[i].data = devcaps;
	pk.ext[i].len = sizeof(devcaps);
	n = roundtrip(&pk, &pk2);
	i = nhrp_ext_find(&pk2, NHRP_EXT_NAT_ADDRESS);
	CHECK(i >= 0 && pk2.ext[i].raw && pk2.ext[i].len == 8 &&
	      pk2.ext[i].cie.count == 0);
	CHECK_EQ(pk2.npool, 1);	/* the failed CIE parse left nothing */
}

static void test_cie_pool(void)
{
	struct nhrp_cie *c;
	struct nhrp_ext *r, *x;
	unsigned int i;

	nhrp_pkt_init(&pk, NHRP_PKT_RES_REPLY, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	c = nhrp_cie_add(&pk, &pk.cie);
	c->mtu = 1;
	r = nhrp_ext_add(&pk, NHRP_EXT_RESPONDER);
	x = nhrp_ext_add(&pk, NHRP_EXT_NAT_ADDRESS);
	nhrp_cie_add(&pk, &r->cie)->mtu = 2;
	nhrp_cie_add(&pk, &x->cie)->mtu = 3;
	nhrp_cie_add(&pk, &x->cie)->mtu = 4;
	nhrp_cie_add(&pk, &pk.cie)->mtu = 5;	/* in the middle */
	nhrp_cie_add(&pk, &r->cie)->mtu = 6;
	CHECK_EQ(pk.npool, 6);
	CHECK_EQ(NHRP_CIE(&pk, pk.cie, 0)->mtu, 1);
	CHECK_EQ(NHRP_CIE(&pk, pk.cie, 1)->mtu, 5);
	CHECK_EQ(NHRP_CIE(&pk, r->cie, 0)->mtu, 2);
	CHECK_EQ(NHRP_CIE(&pk, r->cie, 1)->mtu, 6);
	CHECK_EQ(NHRP_CIE(&pk, x->cie, 0)->mtu, 3);
	CHECK_EQ(NHRP_CIE(&pk, x->cie, 1)->mtu, 4);
	CHECK(roundtrip(&pk, &pk2) > 0);
	CHECK_EQ(NHRP_CIE(&pk2, pk2.ext[0].cie, 1)->mtu, 6);
	CHECK_EQ(NHRP_CIE(&pk2, pk2.ext[1].cie, 1)->mtu, 4);
	CHECK_EQ(NHRP_CIE(&pk2, pk2.cie, 1)->mtu, 5);

	/* a full pool: the add fails, encoding still works */
	nhrp_pkt_init(&pk, NHRP_PKT_REG_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	for (i = 0; i < NHRP_CIE_MAX; i++)
		CHECK(nhrp_cie_add(&pk, &pk.cie) != NULL);
	CHECK(nhrp_cie_add(&pk, &pk.cie) == NULL);
	CHECK_EQ(roundtrip(&pk, &pk2), 28 + NHRP_CIE_MAX * NHRP_CIE_LEN);
	CHECK_EQ(pk2.cie.count, NHRP_CIE_MAX);

	/* zero CIEs and no extensions: extoff 0 */
	nhrp_pkt_init(&pk, NHRP_PKT_PURGE_REPLY, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	CHECK_EQ(roundtrip(&pk, &pk2), 28);
	CHECK_EQ(pk2.extoff, 0);
	CHECK_EQ(pk2.cie.count, 0);
	CHECK_EQ(pk2.next, 0);

	/* the extension table is bounded too */
	for (i = 0; i < NHRP_EXT_MAX; i++)
		CHECK(nhrp_ext_add(&pk, NHRP_EXT_FWD_TRANSIT) != NULL);
	CHECK(nhrp_ext_add(&pk, NHRP_EXT_END) == NULL);
}

/* decode must fail with `reason` at `off` */
#define REFUSE(buf, len, reason, off)                                        \
	do {                                                                 \
		CHECK_EQ(nhrp_decode(buf, len, &pk), -(reason));             \
		CHECK_EQ(pk.fault_off, off);                                 \
	} while (0)

static void test_truncation_everywhere(void)
{
	unsigned int i;
	size_t k;

	for (i = 0; i < NVECTORS; i++) {
		size_t n = unhex(VECTORS[i], in);

		/* buffer cut short: ar$pktsz points past the end */
		for (k = 0; k < n; k++) {
			int r = nhrp_decode(in, k, &pk);

			CHECK_EQ(r, k < NHRP_HDR_LEN ? -NHRP_E_SHORT
						     : -NHRP_E_PKTSZ);
		}
		/* packet cut short consistently (pktsz, checksum fixed) */
		for (k = 0; k < n; k++) {
			uint8_t cut[512];

			memcpy(cut, in, n);
			refix(cut, k);
			CHECK(nhrp_decode(cut, k, &pk) < 0);
			CHECK(nhrp_decode(cut, n, &pk) < 0);
		}
	}
}

static void test_bit_flips(void)
{
	unsigned int i, bit;

	for (i = 0; i < NVECTORS; i++) {
		size_t n = unhex(VECTORS[i], in), b;

		for (b = 0; b < n; b++) {
			for (bit = 0; bit < 8; bit++) {
				int r;

				in[b] ^= (uint8_t)(1u << bit);
				r = nhrp_decode(in, n, &pk);
				CHECK(r == -NHRP_E_CHECKSUM ||
				      (r == -NHRP_E_PKTSZ && (b == 10 || b == 11)));
				in[b] ^= (uint8_t)(1u << bit);
			}
		}
	}
}

/* every byte set to a few values, checksum fixed: refused or consistent */
static void test_mutations(void)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x03, 0x04, 0x10, 0x11,
					0x3f, 0x40, 0x7f, 0x80, 0xc4, 0xff };
	unsigned int i, v, ok = 0, bad = 0;

	for (i = 0; i < NVECTORS; i++) {
		size_t n = unhex(VECTORS[i], in), b;

		for (b = 0; b < n; b++) {
			for (v = 0; v < sizeof(vals); v++) {
				uint8_t m[512];
				int r, e;

				if (b == 12 || b == 13)
					continue;
				memcpy(m, in, n);
				m[b] = vals[v];
				refix_cap(m, (size_t)(m[10] << 8 | m[11]), n);
				r = nhrp_decode(m, n, &pk);
				if (r < 0) {
					bad++;
					CHECK(pk.fault_off < n);
					continue;
				}
				ok++;
				e = nhrp_reencode(&pk, out, sizeof(out));
				if (e != pk.pktsz || memcmp(out, m, (size_t)e))
					CHECK(!"re-encoding differs");
			}
		}
	}
	CHECK(ok > 0 && bad > 0);
}

static void test_refusals(void)
{
	size_t n = unhex(REGREQ, in), m;
	uint8_t b[2048];

#define MUT(off, val)                                                        \
	do {                                                                 \
		memcpy(b, in, n);                                            \
		b[off] = (val);                                              \
		refix(b, n);                                                 \
	} while (0)

	memcpy(b, in, n);
	refix(b, 19);
	REFUSE(b, n, NHRP_E_PKTSZ, 10);
	REFUSE(in, n - 1, NHRP_E_PKTSZ, 10);
	REFUSE(in, 3, NHRP_E_SHORT, 3);
	memcpy(b, in, n);
	b[13] ^= 1;
	REFUSE(b, n, NHRP_E_CHECKSUM, 12);
	MUT(16, 2);
	REFUSE(b, n, NHRP_E_VERSION, 16);
	MUT(17, 0);
	REFUSE(b, n, NHRP_E_TYPE, 17);
	MUT(17, 9);
	REFUSE(b, n, NHRP_E_TYPE, 17);
	MUT(1, 3);	/* afn 3 */
	REFUSE(b, n, NHRP_E_AFN, 0);
	MUT(18, 5);	/* IPv4 NBMA of 5 bytes */
	REFUSE(b, n, NHRP_E_ADDRLEN, 18);
	MUT(19, 17);
	REFUSE(b, n, NHRP_E_ADDRLEN, 19);
	MUT(20, 16);	/* IPv6-long address with pro.type IPv4 */
	REFUSE(b, n, NHRP_E_ADDRLEN, 20);
	MUT(21, 3);
	REFUSE(b, n, NHRP_E_ADDRLEN, 21);
	memcpy(b, in, n);
	refix(b, 24);
	REFUSE(b, n, NHRP_E_MANDATORY, 20);
	memcpy(b, in, n);
	refix(b, 30);	/* addresses past the end */
	REFUSE(b, n, NHRP_E_MANDATORY, 28);
	MUT(15, 30);	/* extoff inside the addresses */
	REFUSE(b, n, NHRP_E_EXTOFF, 14);
	CHECK_EQ(nhrp_reason_error_code(-NHRP_E_EXTOFF), NHRP_ERR_PROTOCOL);
	CHECK(ip4(155, 1, 0, 1, &pk.src_proto));	/* usable for the reply */
	MUT(14, 1);	/* extoff past the end */
	REFUSE(b, n, NHRP_E_EXTOFF, 14);
	MUT(15, 56);	/* extoff inside the CIE area: 4 bytes left */
	REFUSE(b, n, NHRP_E_CIE, 52);
	MUT(48, 5);	/* CIE client NBMA 5 bytes */
	REFUSE(b, n, NHRP_E_CIE, 48);
	MUT(50, 4);	/* CIE client proto runs into the extensions */
	REFUSE(b, n, NHRP_E_CIE, 40);
	MUT(54, 0x10);	/* Responder ext length past the end */
	REFUSE(b, n, NHRP_E_EXT, 52);
	MUT(67, 3);	/* Auth ext: 3 bytes */
	refix(b, n);
	CHECK(nhrp_decode(b, n, &pk) < 0);
	MUT(107, 4);	/* End with a length */
	REFUSE(b, n, NHRP_E_EXT, 104);
	MUT(83, 0x15);	/* NAT ext 21 bytes: raw, then 3 bytes left */
	REFUSE(b, n, NHRP_E_EXT, 105);

	/* End with a value, bytes after End, no End, half a header */
	memcpy(b, in, n);
	b[n] = b[n + 1] = b[n + 2] = b[n + 3] = 0;
	b[n - 1] = 4;
	refix(b, n + 4);
	REFUSE(b, n + 4, NHRP_E_EXT_VALUE, 104);
	CHECK_EQ(nhrp_reason_error_code(NHRP_E_EXT_VALUE),
		 NHRP_ERR_INVALID_EXT);
	memcpy(b, in, n);
	memset(b + n, 0, 4);
	refix(b, n + 4);
	REFUSE(b, n + 4, NHRP_E_EXT_TRAILING, 108);
	memcpy(b, in, n);
	refix(b, n - 4);
	REFUSE(b, n, NHRP_E_EXT_NOEND, 80);
	memcpy(b, in, n);
	refix(b, n - 2);
	REFUSE(b, n, NHRP_E_EXT, 104);
	memcpy(b, in, n);	/* extoff == pktsz: an empty extension list */
	refix(b, 52);
	REFUSE(b, n, NHRP_E_EXT_NOEND, 14);

	/* Auth of 3 bytes, Vendor-Private of 2 */
	memcpy(b, in, 64);
	memcpy(b + 64, "\x80\x07\x00\x03\x00\x00\x00\x80\x00\x00\x00", 11);
	b[15] = 52;
	refix(b, 75);
	REFUSE(b, 75, NHRP_E_EXT_VALUE, 64);
	memcpy(b + 64, "\x00\x08\x00\x02\x00\x00\x80\x00\x00\x00", 10);
	refix(b, 74);
	REFUSE(b, 74, NHRP_E_EXT_VALUE, 64);
	/* Responder with 5 bytes */
	memcpy(b + 52, "\x80\x03\x00\x05\x00\x00\x00\x00\x00\x80\x00\x00\x00",
	       13);
	refix(b, 65);
	REFUSE(b, 65, NHRP_E_EXT_VALUE, 56);

	/* more CIEs than the pool holds */
	memcpy(b, in, 40);
	m = 40 + (NHRP_CIE_MAX + 1) * NHRP_CIE_LEN;
	memset(b + 40, 0, m - 40);
	b[14] = b[15] = 0;
	refix(b, m);
	REFUSE(b, m, NHRP_E_CIE_COUNT, 40 + NHRP_CIE_MAX * NHRP_CIE_LEN);
	refix(b, m - NHRP_CIE_LEN);
	CHECK_EQ(nhrp_decode(b, m, &pk), 0);
	CHECK_EQ(pk.cie.count, NHRP_CIE_MAX);

	/* more extensions than the table holds: (MAX) unknown + End */
	m = 40;
	memcpy(b, in, 40);
	b[14] = 0;
	b[15] = 40;
	for (unsigned int i = 0; i < NHRP_EXT_MAX; i++) {
		memcpy(b + m, "\x00\x55\x00\x00", 4);
		m += 4;
	}
	memcpy(b + m, "\x80\x00\x00\x00", 4);
	m += 4;
	refix(b, m);
	REFUSE(b, m, NHRP_E_EXT_COUNT, m - 4);
	memcpy(b + m - 8, "\x80\x00\x00\x00", 4);
	refix(b, m - 4);
	CHECK_EQ(nhrp_decode(b, m - 4, &pk), 0);
	CHECK_EQ(pk.next, NHRP_EXT_MAX);

	/* an unknown protocol type allows any address length up to 16 */
	memcpy(b, in, 40);
	b[2] = 0x12;
	b[14] = b[15] = 0;
	refix(b, 40);
	CHECK_EQ(nhrp_decode(b, 40, &pk), 0);
	b[21] = 17;
	refix(b, 40);
	REFUSE(b, 40, NHRP_E_ADDRLEN, 21);
	b[21] = 16;
	refix(b, 40);
	REFUSE(b, 40, NHRP_E_MANDATORY, 28);
#undef MUT
}

static void test_encode_errors(void)
{
	uint8_t b[512];
	int n, k;

	fill(&pk, NHRP_PKT_REG_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	n = nhrp_encode(&pk, NULL, 0);
	CHECK(n > 0);
	for (k = 0; k < n; k++) {
		memset(b, 0xa5, sizeof(b));
		CHECK_EQ(nhrp_encode(&pk, b, (size_t)k), -NHRP_E_SPACE);
		CHECK(b[k] == 0xa5);	/* nothing written past len */
	}
	CHECK_EQ(nhrp_encode(&pk, b, (size_t)n), n);

	pk.src_proto.len = 17;
	CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_INVALID);
	pk.src_proto.len = 4;
	pk.src_nbma.type = 0x01;	/* overlaps the length bits */
	CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_INVALID);
	pk.src_nbma.type = 0;
	pk.cie.count = 200;
	CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_INVALID);
	pk.cie.count = 1;
	NHRP_CIE(&pk, pk.cie, 0)->proto.len = 20;
	CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_INVALID);
	NHRP_CIE(&pk, pk.cie, 0)->proto.len = 4;
	CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), n);
	pk.ext[2].flags = 1;	/* type bits in flags */
	CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_INVALID);
	pk.ext[2].flags = NHRP_EXT_COMPULSORY;
	pk.type = 0;
	CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_TYPE);
	pk.type = 9;
	CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_TYPE);

	nhrp_pkt_init(&pk, NHRP_PKT_TRAFFIC, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	pk.body = in;
	pk.body_len = 0xfff0;
	CHECK_EQ(nhrp_encode(&pk, NULL, 0), -NHRP_E_TOOBIG);
	pk.body = NULL;
	pk.body_len = 1;
	CHECK_EQ(nhrp_encode(&pk, NULL, 0), -NHRP_E_INVALID);
	CHECK(nhrp_addr_set(&pk.src_proto, in, 17) < 0);
}

/*
 * An address whose length is not its family's (nor 0) is never encoded, in
 * the header or in a CIE of the mandatory part or of an extension: the
 * decoder would refuse such a packet.
 */
static void test_encode_family_lengths(void)
{
	static const struct {
		uint16_t afn, pro;
		uint8_t good_nbma, good_proto, bad_nbma, bad_proto;
	} fam[] = {
		{ NHRP_AFN_IPV4, NHRP_PRO_IPV4, 4, 4, 16, 16 },
		{ NHRP_AFN_IPV4, NHRP_PRO_IPV6, 4, 16, 6, 4 },
		{ NHRP_AFN_IPV6, NHRP_PRO_IPV4, 16, 4, 4, 16 },
		{ NHRP_AFN_IPV6, NHRP_PRO_IPV6, 16, 16, 4, 8 },
	};
	uint8_t b[1024];
	struct nhrp_cie *c;
	struct nhrp_ext *e;
	unsigned int f;
	int n;

	for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		nhrp_pkt_init(&pk, NHRP_PKT_RES_REPLY, fam[f].afn, fam[f].pro);
		nhrp_addr_set(&pk.src_nbma, in, fam[f].good_nbma);
		nhrp_addr_set(&pk.src_proto, in, fam[f].good_proto);
		nhrp_addr_set(&pk.dst_proto, in, fam[f].good_proto);
		c = nhrp_cie_add(&pk, &pk.cie);
		nhrp_addr_set(&c->nbma, in, fam[f].good_nbma);
		nhrp_addr_set(&c->proto, in, fam[f].good_proto);
		e = nhrp_ext_add(&pk, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
		c = nhrp_cie_add(&pk, &e->cie);
		nhrp_addr_set(&c->nbma, in, fam[f].good_nbma);
		nhrp_addr_set(&c->proto, in, fam[f].good_proto);
		n = nhrp_encode(&pk, b, sizeof(b));
		CHECK(n > 0);
		CHECK_EQ(nhrp_decode(b, (size_t)n, &pk2), 0);

		/* each address in turn with the other family's length */
		pk.src_nbma.len = fam[f].bad_nbma;
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_ADDRLEN);
		CHECK_EQ(nhrp_encode(&pk, NULL, 0), -NHRP_E_ADDRLEN);
		pk.src_nbma.len = fam[f].good_nbma;
		pk.src_proto.len = fam[f].bad_proto;
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_ADDRLEN);
		pk.src_proto.len = fam[f].good_proto;
		pk.dst_proto.len = fam[f].bad_proto;
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_ADDRLEN);
		pk.dst_proto.len = fam[f].good_proto;

		c = NHRP_CIE(&pk, pk.cie, 0);
		c->nbma.len = fam[f].bad_nbma;
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_ADDRLEN);
		c->nbma.len = fam[f].good_nbma;
		c->proto.len = fam[f].bad_proto;
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_ADDRLEN);
		c->proto.len = 0;	/* 0 is always allowed */
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), n - fam[f].good_proto);
		c->proto.len = fam[f].good_proto;

		c = NHRP_CIE(&pk, pk.ext[0].cie, 0);
		c->nbma.len = fam[f].bad_nbma;
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_ADDRLEN);
		c->nbma.len = fam[f].good_nbma;
		c->proto.len = fam[f].bad_proto;
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), -NHRP_E_ADDRLEN);
		c->proto.len = fam[f].good_proto;
		CHECK_EQ(nhrp_encode(&pk, b, sizeof(b)), n);
	}
}

/* 0xffff is the other one's-complement zero: verified, and kept */
static void test_checksum_ffff(void)
{
	uint16_t c;
	int n;

	fill(&pk, NHRP_PKT_RES_REQ, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	pk.reqid = 0;
	n = nhrp_encode(&pk, out2, sizeof(out2));
	c = (uint16_t)(out2[12] << 8 | out2[13]);
	pk.reqid = c;	/* adding the checksum makes the sum ffff */
	n = nhrp_encode(&pk, out2, sizeof(out2));
	CHECK(n > 0 && out2[12] == 0 && out2[13] == 0);
	out2[12] = out2[13] = 0xff;
	CHECK_EQ(nhrp_decode(out2, (size_t)n, &pk2), 0);
	CHECK_EQ(pk2.chksum, 0xffff);
	CHECK_EQ(nhrp_reencode(&pk2, out, sizeof(out)), n);
	CHECK(!memcmp(out, out2, (size_t)n));
	CHECK_EQ(nhrp_encode(&pk2, out, sizeof(out)), n);
	CHECK(out[12] == 0 && out[13] == 0);
}

static void test_names(void)
{
	int r, j;

	CHECK(!strcmp(nhrp_type_name(NHRP_PKT_REG_REQ), "Registration Request"));
	CHECK(!strcmp(nhrp_type_name(NHRP_PKT_TRAFFIC), "Traffic Indication"));
	CHECK(!strcmp(nhrp_type_name(0), "unknown"));
	CHECK(!strcmp(nhrp_type_name(200), "unknown"));
	for (r = 1; r <= 8; r++)
		CHECK(strcmp(nhrp_type_name((unsigned int)r), "unknown"));
	/* RFC 2332 numbers, not OpenNHRP's/FRR's 2 and 11 */
	CHECK_EQ(NHRP_ERR_LOOP_DETECTED, 3);
	CHECK_EQ(NHRP_CODE_NO_BINDING, 12);
	CHECK(!strcmp(nhrp_error_name(3), "Loop Detected"));
	CHECK(!strcmp(nhrp_error_name(2), "unknown"));
	CHECK(!strcmp(nhrp_error_name(15), "Hop Count Exceeded"));
	CHECK(strstr(nhrp_cie_code_name(12), "No Internetworking") != NULL);
	CHECK(strstr(nhrp_cie_code_name(14), "Already Registered") != NULL);
	CHECK(!strcmp(nhrp_cie_code_name(11), "unknown"));
	CHECK(!strcmp(nhrp_ext_name(NHRP_EXT_RESPONDER), "Responder Address"));
	CHECK(!strcmp(nhrp_ext_name(NHRP_EXT_NAT_ADDRESS), "Cisco NAT Address"));
	CHECK(!strcmp(nhrp_ext_name(0x3fff), "unknown"));
	for (r = 0; r < NHRP_E__MAX; r++) {
		CHECK(strcmp(nhrp_reason_name(r), "unknown"));
		CHECK(nhrp_reason_name(r) == nhrp_reason_name(-r));
		for (j = 0; j < r; j++)
			CHECK(strcmp(nhrp_reason_name(r), nhrp_reason_name(j)));
	}
	CHECK(!strcmp(nhrp_reason_name(NHRP_E__MAX), "unknown"));
	CHECK(!strcmp(nhrp_reason_name(-2147483647 - 1), "unknown"));
	CHECK_EQ(nhrp_reason_error_code(NHRP_E_CHECKSUM), 0);
	CHECK_EQ(nhrp_reason_error_code(-NHRP_E_CIE), NHRP_ERR_PROTOCOL);
	CHECK_EQ(nhrp_reason_error_code(-NHRP_E_EXT_NOEND), NHRP_ERR_INVALID_EXT);
	CHECK_EQ(nhrp_reason_error_code(12345), 0);
}

int main(void)
{
	test_checksum();
	test_vectors_roundtrip();
	test_regreq_fields();
	test_ios12_fields();
	test_traffic_fields();
	test_resreply_fields();
	test_forward_like_the_hub();
	test_reply_like_the_hub();
	test_every_type_and_family();
	test_error_indication_of_a_packet();
	test_extensions_kept_in_order();
	test_cie_pool();
	test_truncation_everywhere();
	test_bit_flips();
	test_mutations();
	test_refusals();
	test_encode_errors();
	test_encode_family_lengths();
	test_checksum_ffff();
	test_names();

	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
