// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target of the NHRP codec: decode -> re-encode -> decode.
 *
 * The checksum is fixed up before decoding (when ar$pktsz fits the input)
 * so that mutations reach the parser.  A decoded packet must re-encode to
 * exactly its input bytes and decode again to the same structure; a
 * refused one must carry a known reason and a fault offset inside the
 * input.  Build and run with tools/fuzz.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrpd/nhrp_codec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c)                                                           \
	do {                                                                 \
		if (!(c)) {                                                  \
			fprintf(stderr, "fuzz_codec: %s:%d: %s\n", __FILE__, \
				__LINE__, #c);                               \
			abort();                                             \
		}                                                            \
	} while (0)

static struct nhrp_pkt p, q;
static uint8_t in[65536], out[65536], out2[65536];

static bool same_addr(const struct nhrp_addr *a, const struct nhrp_addr *b)
{
	return a->len == b->len && a->type == b->type &&
	       !memcmp(a->a, b->a, sizeof(a->a));
}

static bool same_cie(const struct nhrp_cie *a, const struct nhrp_cie *b)
{
	return a->code == b->code && a->prefix_len == b->prefix_len &&
	       a->rsvd == b->rsvd && a->mtu == b->mtu &&
	       a->holdtime == b->holdtime && a->pref == b->pref &&
	       same_addr(&a->nbma, &b->nbma) &&
	       same_addr(&a->nbma_sub, &b->nbma_sub) &&
	       same_addr(&a->proto, &b->proto);
}

static void same_structure(const struct nhrp_pkt *a, const struct nhrp_pkt *b)
{
	unsigned int i;

	REQUIRE(a->type == b->type && a->afn == b->afn &&
		a->pro_type == b->pro_type && a->hopcnt == b->hopcnt);
	REQUIRE(a->flags == b->flags && a->reqid == b->reqid);
	REQUIRE(a->pktsz == b->pktsz && a->extoff == b->extoff);
	REQUIRE(a->cie.count == b->cie.count && a->next == b->next);
	REQUIRE(a->npool == b->npool && a->body_len == b->body_len);
	REQUIRE(a->unknown_c_off == b->unknown_c_off);
	REQUIRE(same_addr(&a->src_nbma, &b->src_nbma) &&
		same_addr(&a->src_nbma_sub, &b->src_nbma_sub) &&
		same_addr(&a->src_proto, &b->src_proto) &&
		same_addr(&a->dst_proto, &b->dst_proto));
	for (i = 0; i < a->npool; i++)
		REQUIRE(same_cie(&a->pool[i], &b->pool[i]));
	for (i = 0; i < a->next; i++) {
		REQUIRE(a->ext[i].type == b->ext[i].type);
		REQUIRE(a->ext[i].flags == b->ext[i].flags);
		REQUIRE(a->ext[i].len == b->ext[i].len);
		REQUIRE(a->ext[i].raw == b->ext[i].raw);
		REQUIRE(a->ext[i].cie.count == b->ext[i].cie.count);
		REQUIRE(!memcmp(a->ext[i].data, b->ext[i].data, a->ext[i].len));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pktsz;
	int r, n, m, i;

	if (size > sizeof(in))
		return 0;
	memcpy(in, data, size);
	if (size >= NHRP_HDR_LEN) {
		pktsz = (size_t)(in[10] << 8 | in[11]);
		if (pktsz >= NHRP_HDR_LEN && pktsz <= size) {
			uint16_t c;

			in[12] = in[13] = 0;
			c = nhrp_checksum(in, pktsz);
			in[12] = (uint8_t)(c >> 8);
			in[13] = (uint8_t)c;
		}
	}

	r = nhrp_decode(in, size, &p);
	if (r < 0) {
		REQUIRE(-r > NHRP_OK && -r < NHRP_E__MAX);
		REQUIRE(p.fault_off <= size);
		REQUIRE(strcmp(nhrp_reason_name(r), "unknown") != 0);
		(void)nhrp_reason_error_code(r);
		return 0;
	}
	REQUIRE(r == 0 && p.pktsz <= size);
	(void)nhrp_type_name(p.type);
	for (i = 0; i < p.next; i++)
		(void)nhrp_ext_name(p.ext[i].type);

	/* byte-identical re-encoding, and the same structure decoded again */
	n = nhrp_reencode(&p, out, sizeof(out));
	REQUIRE(n == (int)p.pktsz);
	REQUIRE(!memcmp(out, in, (size_t)n));
	REQUIRE(nhrp_encode(&p, NULL, 0) == n);
	REQUIRE(nhrp_reencode(&p, out2, (size_t)n - 1) == -NHRP_E_SPACE);
	r = nhrp_decode(out, (size_t)n, &q);
	REQUIRE(r == 0);
	same_structure(&p, &q);

	/* the builder on a decoded packet: forward it like an NHS would */
	if (q.type != NHRP_PKT_ERROR && q.type != NHRP_PKT_TRAFFIC) {
		struct nhrp_cie *c = nhrp_cie_add(&q, &q.cie);

		if (c) {
			c->mtu = 1400;
			c->proto = q.dst_proto;
		}
	}
	i = nhrp_ext_find(&q, NHRP_EXT_FWD_TRANSIT);
	if (i >= 0 && !q.ext[i].raw) {
		struct nhrp_cie *c = nhrp_cie_add(&q, &q.ext[i].cie);

		if (c)
			c->nbma = q.src_nbma;
	}
	q.hopcnt--;
	m = nhrp_encode(&q, out2, sizeof(out2));
	if (m > 0) {
		r = nhrp_decode(out2, (size_t)m, &p);
		REQUIRE(r == 0);
		REQUIRE(p.npool == q.npool && p.next == q.next);
		REQUIRE(nhrp_checksum(out2, (size_t)m) == 0);
	} else
		REQUIRE(m == -NHRP_E_TOOBIG);
	return 0;
}
