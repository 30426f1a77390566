// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target of the VICI message codec (nhrpd/nhrp_vici_msg.[ch]).
 *
 * The input is one frame; its length header is fixed up to the input's
 * length (when that fits) so that mutations reach the message parser.  A
 * decoded frame is walked completely (every section, list and item, key
 * lookups by name and path), parsed as an SA event, and rebuilt through
 * the builder to exactly its own bytes.  A refused one must carry a known
 * reason and a fault offset inside the input.  The raw input is also
 * walked as an unvalidated message span (which must stay in bounds).
 * Build and run with `tools/fuzz vici`.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrpd/nhrp_vici_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c)                                                           \
	do {                                                                 \
		if (!(c)) {                                                  \
			fprintf(stderr, "fuzz_vici: %s:%d: %s\n", __FILE__,  \
				__LINE__, #c);                               \
			abort();                                             \
		}                                                            \
	} while (0)

#define MAX_IN (VICI_HDR_LEN + 65536)
static uint8_t in[MAX_IN], out[MAX_IN];
static struct vici_sa_event ev;

/* walk a span; with the builder, rebuild it */
static size_t walk(struct vici_span s, struct vici_builder *b, int depth,
		   bool validated)
{
	struct vici_iter it;
	struct vici_elem e, f;
	char name[256];
	size_t n = 0;
	int ret;

	REQUIRE(depth <= VICI_DEPTH_MAX + 1);
	vici_iter_init(&it, s);
	while ((ret = vici_next(&it, &e)) > 0) {
		n++;
		REQUIRE(e.name.len <= VICI_NAME_MAX);
		if (e.name.len) {
			REQUIRE(e.name.p >= (const char *)s.p &&
				e.name.p + e.name.len <=
					(const char *)s.p + s.len);
			memcpy(name, e.name.p, e.name.len);
		}
		name[e.name.len] = '\0';
		if (e.value.len)
			REQUIRE(e.value.p >= (const char *)s.p &&
				e.value.p + e.value.len <=
					(const char *)s.p + s.len);
		if (validated && e.type != VICI_LIST_ITEM && n <= 64) {
			/* a lookup by this name finds an element of it (the
			 * first 64 of a level: lookups are linear) */
			REQUIRE(vici_find(s, name, &f));
			REQUIRE(vici_str_eq(f.name, name));
		}
		switch (e.type) {
		case VICI_KEY_VALUE:
			if (b)
				vici_build_kv(b, name, e.value.p, e.value.len);
			break;
		case VICI_LIST_ITEM:
			if (b)
				vici_build_item(b, e.value.p, e.value.len);
			break;
		case VICI_SECTION_START:
		case VICI_LIST_START:
			REQUIRE(e.body.p >= s.p &&
				e.body.p + e.body.len <= s.p + s.len);
			if (b) {
				if (e.type == VICI_SECTION_START)
					vici_build_section(b, name);
				else
					vici_build_list(b, name);
			}
			n += walk(e.body, b, depth + 1, validated);
			if (b)
				vici_build_end(b);
			break;
		default:
			REQUIRE(!"unknown element type returned");
		}
	}
	REQUIRE(!validated || ret == 0);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vici_packet p, q;
	struct vici_builder b;
	struct vici_span raw = {data, size};
	size_t fault;
	int ret, n;

	/* the raw bytes as a message: validate and walk unvalidated */
	ret = vici_validate(raw, &fault);
	REQUIRE(ret <= 0 && ret > -VICI_E__MAX);
	REQUIRE(ret == 0 || fault <= size);
	walk(raw, NULL, 0, ret == 0);

	if (size < VICI_HDR_LEN + 1 || size > MAX_IN)
		return 0;
	memcpy(in, data, size);
	in[0] = (uint8_t)((size - VICI_HDR_LEN) >> 24);
	in[1] = (uint8_t)((size - VICI_HDR_LEN) >> 16);
	in[2] = (uint8_t)((size - VICI_HDR_LEN) >> 8);
	in[3] = (uint8_t)(size - VICI_HDR_LEN);

	ret = vici_decode(in, size, &p);
	if (ret < 0) {
		REQUIRE(ret > -VICI_E__MAX);
		REQUIRE(p.fault_off <= size);
		REQUIRE(strcmp(vici_reason_name(ret), "unknown") != 0);
		return 0;
	}
	REQUIRE(p.frame_len == size);
	REQUIRE(p.op <= VICI_EVENT);

	/* rebuild to the same bytes */
	{
		char name[256];

		if (p.name.len)
			memcpy(name, p.name.p, p.name.len);
		name[p.name.len] = '\0';
		vici_build_init(&b, out, sizeof(out), p.op,
				p.name.len ? name : NULL);
	}
	walk(p.msg, &b, 0, true);
	n = vici_build_finish(&b);
	REQUIRE(n == (int)size);
	REQUIRE(memcmp(out, in, size) == 0);
	REQUIRE(vici_decode(out, size, &q) == 0);
	REQUIRE(q.op == p.op && q.msg.len == p.msg.len &&
		q.name.len == p.name.len);

	/* as an SA event, whatever its name */
	ret = vici_parse_event(&p, &ev);
	REQUIRE(ret == 0 || ret == -VICI_E_SA);
	if (ret == 0) {
		REQUIRE(ev.ike.nchild <= VICI_SA_CHILD_MAX);
		REQUIRE(ev.ike.nchild <= ev.ike.child_total);
		REQUIRE(strlen(ev.ike.remote_id) < VICI_SA_ID_MAX);
		REQUIRE(ev.ike.remote_addr_len == 0 ||
			ev.ike.remote_addr_len == 4 ||
			ev.ike.remote_addr_len == 16);
	}
	/* and every section as an IKE SA (the parser never reads beyond) */
	{
		struct vici_iter it;
		struct vici_elem e;
		struct vici_ike_sa *sa = &ev.old_ike;

		vici_iter_init(&it, p.msg);
		while (vici_next(&it, &e) > 0)
			if (e.type == VICI_SECTION_START)
				vici_parse_ike_sa(e.name, e.body, sa);
	}
	return 0;
}
