// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the VICI message codec (nhrpd/nhrp_vici_msg.[ch]): frames
 * captured from a real charon (tests/unit/vici_vectors.txt), the requests
 * swanctl sends rebuilt byte for byte, SA events parsed, every refusal
 * reason, truncation and mutation of every vector, builder errors.
 * Prints "N passed, M failed"; exits non-zero on failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrpd/nhrp_vici_msg.h"

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

#define CHECK_STR(a, b)                                                      \
	do {                                                                 \
		const char *a_ = (a), *b_ = (b);                             \
		if (strcmp(a_, b_) == 0)                                     \
			passed++;                                            \
		else {                                                       \
			failed++;                                            \
			fprintf(stderr, "%s:%d: %s: %s == \"%s\", not \"%s\"\n", \
				__FILE__, __LINE__, __func__, #a, a_, b_);   \
		}                                                            \
	} while (0)

/* ---- the captured vectors ------------------------------------------- */

#define MAX_VECTORS 128
struct vector {
	char name[96];
	bool rx;
	uint8_t *data;
	size_t len;
};
static struct vector vectors[MAX_VECTORS];
static unsigned int nvectors;

static int unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	for (; s[0] && s[1] && s[0] != '\n'; s += 2) {
		unsigned int v;

		if (n >= max || sscanf(s, "%2x", &v) != 1)
			return -1;
		out[n++] = (uint8_t)v;
	}
	return (int)n;
}

static void load_vectors(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096], name[96], dir[8];
	static char line[1 << 20];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/unit/vici_vectors.txt",
		 top ? top : ".");
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		failed++;
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct vector *v;
		int off, n;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (nvectors >= MAX_VECTORS ||
		    sscanf(line, "%95s %7s %n", name, dir, &off) != 2) {
			fprintf(stderr, "bad vector line: %.60s\n", line);
			failed++;
			continue;
		}
		v = &vectors[nvectors];
		v->data = malloc(strlen(line) / 2 + 1);
		n = unhex(line + off, v->data, strlen(line) / 2 + 1);
		if (!v->data || n <= 0) {
			fprintf(stderr, "bad hex in vector %s\n", name);
			failed++;
			continue;
		}
		snprintf(v->name, sizeof(v->name), "%s", name);
		v->rx = strcmp(dir, "rx") == 0;
		v->len = (size_t)n;
		nvectors++;
	}
	fclose(f);
}

static const struct vector *vec(const char *name)
{
	for (unsigned int i = 0; i < nvectors; i++)
		if (strcmp(vectors[i].name, name) == 0)
			return &vectors[i];
	fprintf(stderr, "no vector %s\n", name);
	failed++;
	return NULL;
}

/* ---- a generic rebuild: walk a decoded message into a builder ------- */

static void rebuild_span(struct vici_builder *b, struct vici_span s)
{
	struct vici_iter it;
	struct vici_elem e;
	char name[256];
	int ret;

	vici_iter_init(&it, s);
	while ((ret = vici_next(&it, &e)) > 0) {
		memcpy(name, e.name.p ? e.name.p : "", e.name.len);
		name[e.name.len] = '\0';
		switch (e.type) {
		case VICI_KEY_VALUE:
			vici_build_kv(b, name, e.value.p, e.value.len);
			break;
		case VICI_LIST_ITEM:
			vici_build_item(b, e.value.p, e.value.len);
			break;
		case VICI_SECTION_START:
			vici_build_section(b, name);
			rebuild_span(b, e.body);
			vici_build_end(b);
			break;
		case VICI_LIST_START:
			vici_build_list(b, name);
			rebuild_span(b, e.body);
			vici_build_end(b);
			break;
		}
	}
	CHECK_EQ(ret, 0);
}

static int rebuild(const struct vici_packet *p, uint8_t *out, size_t size)
{
	struct vici_builder b;
	char name[256] = "";

	memcpy(name, p->name.p ? p->name.p : "", p->name.len);
	name[p->name.len] = '\0';
	vici_build_init(&b, out, size, p->op, p->name.p ? name : NULL);
	rebuild_span(&b, p->msg);
	return vici_build_finish(&b);
}

static void test_vectors_roundtrip(void)
{
	static uint8_t out[VICI_HDR_LEN + VICI_MSG_MAX];
	unsigned int events = 0;

	CHECK(nvectors >= 40);
	for (unsigned int i = 0; i < nvectors; i++) {
		const struct vector *v = &vectors[i];
		struct vici_packet p;
		int ret = vici_decode(v->data, v->len, &p), n;

		if (ret != 0)
			fprintf(stderr, "%s: %s at %zu\n", v->name,
				vici_reason_name(ret), p.fault_off);
		CHECK_EQ(ret, 0);
		CHECK_EQ(p.frame_len, v->len);
		n = rebuild(&p, out, sizeof(out));
		CHECK_EQ(n, (long long)v->len);
		CHECK(n > 0 && memcmp(out, v->data, v->len) == 0);
		/* counting mode gives the same length */
		CHECK_EQ(rebuild(&p, NULL, 0), (long long)v->len);
		if (p.op == VICI_EVENT) {
			struct vici_sa_event ev;

			events++;
			ret = vici_parse_event(&p, &ev);
			if (ret != 0)
				fprintf(stderr, "%s: parse %s\n", v->name,
					vici_reason_name(ret));
			CHECK_EQ(ret, 0);
		}
	}
	CHECK(events >= 13);
}

/* ---- requests as swanctl (libvici) sends them ------------------------ */

static void check_built(const char *vname, struct vici_builder *b)
{
	const struct vector *v = vec(vname);
	int n = vici_build_finish(b);

	if (!v)
		return;
	CHECK_EQ(n, (long long)v->len);
	CHECK(n > 0 && memcmp(b->buf, v->data, v->len) == 0);
}

static void test_requests_like_swanctl(void)
{
	uint8_t buf[256];
	struct vici_builder b;

	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "list-sas");
	check_built("v2cert.swanctl.cmd_request.list-sas", &b);

	vici_build_init(&b, buf, sizeof(buf), VICI_EVENT_REGISTER, "list-sa");
	check_built("v2cert.swanctl.event_register.list-sa", &b);
	vici_build_init(&b, buf, sizeof(buf), VICI_EVENT_REGISTER,
			"control-log");
	check_built("v1psk.swanctl.event_register.control-log", &b);

	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "terminate");
	vici_build_kv_uint(&b, "ike-id", 2);
	vici_build_kv_str(&b, "timeout", "-1000");
	vici_build_kv_uint(&b, "loglevel", 1);
	check_built("v2cert.swanctl.cmd_request.terminate", &b);

	vici_build_init(&b, buf, sizeof(buf), VICI_EVENT_REGISTER,
			"ike-updown");
	check_built("v2cert.register.ike-updown", &b);
}

/* ---- SA events ------------------------------------------------------- */

static bool parse_vec(const char *name, struct vici_sa_event *ev)
{
	const struct vector *v = vec(name);
	struct vici_packet p;

	if (!v || vici_decode(v->data, v->len, &p) != 0)
		return false;
	return vici_parse_event(&p, ev) == 0;
}

static const uint8_t A_ADDR[4] = {192, 0, 2, 1}, B_ADDR[4] = {198, 51, 100, 1};

static void check_ike_ab(const struct vici_ike_sa *sa, int version)
{
	CHECK_STR(sa->name, "dmvpn");
	CHECK_EQ(sa->version, version);
	CHECK_STR(sa->local_host, "192.0.2.1");
	CHECK_STR(sa->remote_host, "198.51.100.1");
	CHECK_EQ(sa->local_port, 500);
	CHECK_EQ(sa->remote_port, 500);
	CHECK_EQ(sa->local_addr_len, 4);
	CHECK_EQ(sa->remote_addr_len, 4);
	CHECK(memcmp(sa->local_addr, A_ADDR, 4) == 0);
	CHECK(memcmp(sa->remote_addr, B_ADDR, 4) == 0);
	CHECK(sa->initiator);
	if (version == 2) {
		CHECK_STR(sa->local_id, "C=XX, O=nhrpd topotest, CN=a");
		CHECK_STR(sa->remote_id, "C=XX, O=nhrpd topotest, CN=b");
	} else {
		CHECK_STR(sa->local_id, "192.0.2.1");
		CHECK_STR(sa->remote_id, "198.51.100.1");
	}
}

static void check_child(const struct vici_child_sa *c)
{
	CHECK_STR(c->name, "dmvpn");
	CHECK(c->uniqueid > 0);
	CHECK(c->reqid > 0);
	CHECK(c->transport);
	CHECK(c->esp);
	CHECK(c->spi_in != 0 && c->spi_out != 0);
}

static void test_sa_events(void)
{
	static struct vici_sa_event ev, ev2;
	const char *tags[] = {"v2cert", "v1psk"};
	char n[96];

	for (int t = 0; t < 2; t++) {
		int version = t == 0 ? 2 : 1;

		snprintf(n, sizeof(n), "%s.ike-updown.up", tags[t]);
		CHECK(parse_vec(n, &ev));
		CHECK_EQ(ev.type, VICI_SA_EV_IKE_UPDOWN);
		CHECK(ev.up);
		check_ike_ab(&ev.ike, version);
		CHECK_EQ(ev.ike.uniqueid, 1);
		CHECK_EQ(ev.ike.state, VICI_IKE_ESTABLISHED);
		CHECK_EQ(ev.ike.nchild, 0); /* ike-updown lists no children */

		snprintf(n, sizeof(n), "%s.child-updown.up", tags[t]);
		CHECK(parse_vec(n, &ev));
		CHECK_EQ(ev.type, VICI_SA_EV_CHILD_UPDOWN);
		CHECK(ev.up);
		check_ike_ab(&ev.ike, version);
		CHECK_EQ(ev.ike.nchild, 1);
		CHECK_EQ(ev.ike.child_total, 1);
		check_child(&ev.ike.child[0]);
		CHECK_EQ(ev.ike.child[0].state, VICI_CHILD_INSTALLED);

		snprintf(n, sizeof(n), "%s.list-sa", tags[t]);
		CHECK(parse_vec(n, &ev2));
		CHECK_EQ(ev2.type, VICI_SA_EV_LIST_SA);
		CHECK(!ev2.up);
		check_ike_ab(&ev2.ike, version);
		CHECK_EQ(ev2.ike.nchild, 1);
		check_child(&ev2.ike.child[0]);
		CHECK_EQ(ev2.ike.child[0].uniqueid, ev.ike.child[0].uniqueid);
		CHECK_EQ(ev2.ike.child[0].reqid, ev.ike.child[0].reqid);
		CHECK_EQ(ev2.ike.child[0].spi_in, ev.ike.child[0].spi_in);

		snprintf(n, sizeof(n), "%s.child-rekey", tags[t]);
		CHECK(parse_vec(n, &ev));
		CHECK_EQ(ev.type, VICI_SA_EV_CHILD_REKEY);
		check_ike_ab(&ev.ike, version);
		CHECK_EQ(ev.ike.nchild, 1);
		check_child(&ev.ike.child[0]);
		check_child(&ev.old_child);
		CHECK_EQ(ev.old_child.uniqueid, ev2.ike.child[0].uniqueid);
		CHECK(ev.ike.child[0].uniqueid != ev.old_child.uniqueid);
		CHECK_EQ(ev.ike.child[0].reqid, ev.old_child.reqid);
		CHECK(ev.ike.child[0].spi_in != ev.old_child.spi_in);
		CHECK_EQ(ev.ike.child[0].state, VICI_CHILD_INSTALLED);

		snprintf(n, sizeof(n), "%s.ike-updown.down", tags[t]);
		CHECK(parse_vec(n, &ev));
		CHECK_EQ(ev.type, VICI_SA_EV_IKE_UPDOWN);
		CHECK(!ev.up);
		check_ike_ab(&ev.ike, version);
		CHECK_EQ(ev.ike.state, VICI_IKE_DELETING);
	}
	/* IKEv2 rekeys the IKE SA: old and new */
	CHECK(parse_vec("v2cert.ike-rekey", &ev));
	CHECK_EQ(ev.type, VICI_SA_EV_IKE_REKEY);
	check_ike_ab(&ev.old_ike, 2);
	CHECK(ev.ike.uniqueid != ev.old_ike.uniqueid);
	CHECK_EQ(ev.old_ike.uniqueid, 1);
	CHECK_EQ(ev.old_ike.state, VICI_IKE_REKEYING);
	CHECK_STR(ev.ike.remote_id, "C=XX, O=nhrpd topotest, CN=b");
	CHECK_STR(ev.ike.remote_host, "198.51.100.1");
	/* IKEv1 terminate: the child goes down first */
	CHECK(parse_vec("v1psk.child-updown.down", &ev));
	CHECK(!ev.up);
	CHECK_EQ(ev.ike.nchild, 1);
	/* not an SA event */
	{
		const struct vector *v = vec("v2cert.version");
		struct vici_packet p;

		if (v && vici_decode(v->data, v->len, &p) == 0)
			CHECK_EQ(vici_parse_event(&p, &ev), -VICI_E_SA);
	}
}

/* responses: what the client reads out of them */
static void test_responses(void)
{
	const struct vector *v = vec("v2cert.terminate.nomatch");
	struct vici_packet p;
	char buf[128];
	uint64_t u;

	if (v && vici_decode(v->data, v->len, &p) == 0) {
		CHECK_EQ(p.op, VICI_CMD_RESPONSE);
		CHECK(!vici_find_yes(p.msg, "success"));
		CHECK_EQ(vici_find_str(p.msg, "errmsg", buf, sizeof(buf)),
			 (long long)strlen("no matching SAs to terminate found"));
		CHECK_STR(buf, "no matching SAs to terminate found");
		CHECK(vici_find_uint(p.msg, "matches", 100, &u) && u == 0);
	}
	v = vec("v2cert.terminate.ok");
	if (v && vici_decode(v->data, v->len, &p) == 0) {
		CHECK(vici_find_yes(p.msg, "success"));
		CHECK(vici_find_uint(p.msg, "terminated", 100, &u) && u == 1);
		CHECK_EQ(vici_find_str(p.msg, "errmsg", buf, sizeof(buf)), -1);
	}
	v = vec("v2cert.version");
	if (v && vici_decode(v->data, v->len, &p) == 0) {
		CHECK_EQ(vici_find_str(p.msg, "daemon", buf, sizeof(buf)), 14);
		CHECK_STR(buf, "charon-systemd");
		CHECK_EQ(vici_find_str(p.msg, "version", buf, 5), -2);
		CHECK_STR(buf, "");
	}
	v = vec("v2cert.cmd-unknown");
	if (v && vici_decode(v->data, v->len, &p) == 0) {
		CHECK_EQ(p.op, VICI_CMD_UNKNOWN);
		CHECK_EQ(p.msg.len, 0);
	}
	v = vec("v2cert.event-confirm");
	if (v)
		CHECK(vici_decode(v->data, v->len, &p) == 0 &&
		      p.op == VICI_EVENT_CONFIRM);
	v = vec("v2cert.event-unknown");
	if (v)
		CHECK(vici_decode(v->data, v->len, &p) == 0 &&
		      p.op == VICI_EVENT_UNKNOWN);
}

/* ---- malformed input -------------------------------------------------- */

/* truncating a frame at every byte: refused (SHORT); truncating its
 * message with the length header fixed: refused or a valid prefix */
static void test_truncation(void)
{
	static uint8_t buf[8192];
	unsigned int refused = 0, total = 0;

	for (unsigned int i = 0; i < nvectors; i++) {
		const struct vector *v = &vectors[i];
		struct vici_packet p;

		if (v->len > sizeof(buf))
			continue;
		for (size_t n = 0; n < v->len; n++) {
			CHECK_EQ(vici_decode(v->data, n, &p), -VICI_E_SHORT);
			if (n < VICI_HDR_LEN + 1)
				continue;
			memcpy(buf, v->data, n);
			buf[0] = (uint8_t)((n - 4) >> 24);
			buf[1] = (uint8_t)((n - 4) >> 16);
			buf[2] = (uint8_t)((n - 4) >> 8);
			buf[3] = (uint8_t)(n - 4);
			total++;
			if (vici_decode(buf, n, &p) < 0) {
				refused++;
				CHECK(p.fault_off <= n);
			}
		}
	}
	/* almost every cut leaves an open section or a cut element */
	CHECK(refused > total * 9 / 10);
}

/* every byte of every vector replaced by a few values: no crash, and a
 * decoded result can be walked, parsed and rebuilt to the same bytes */
static void test_mutation(void)
{
	static uint8_t buf[8192], out[8192];
	static const uint8_t vals[] = {0, 1, 2, 3, 4, 5, 6, 7, 0x20, 0xff};
	unsigned int ok = 0, bad = 0;

	for (unsigned int i = 0; i < nvectors; i++) {
		const struct vector *v = &vectors[i];

		if (v->len > sizeof(buf))
			continue;
		for (size_t pos = 0; pos < v->len; pos++) {
			for (size_t k = 0; k < sizeof(vals); k++) {
				struct vici_packet p;
				struct vici_sa_event ev;
				int ret;

				memcpy(buf, v->data, v->len);
				buf[pos] = vals[k];
				ret = vici_decode(buf, v->len, &p);
				if (ret < 0) {
					bad++;
					if (p.fault_off > v->len)
						CHECK(p.fault_off <= v->len);
					continue;
				}
				ok++;
				vici_parse_event(&p, &ev);
				if (rebuild(&p, out, sizeof(out)) !=
					    (int)p.frame_len ||
				    memcmp(out, buf, p.frame_len) != 0) {
					fprintf(stderr, "%s: byte %zu = %u\n",
						v->name, pos, vals[k]);
					CHECK(!"rebuilt bytes differ");
				}
			}
		}
	}
	CHECK(ok > 0 && bad > 0);
}

static int decode_hex(const char *hex, struct vici_packet *p)
{
	static uint8_t buf[1024];
	int n = unhex(hex, buf, sizeof(buf));

	return vici_decode(buf, (size_t)n, p);
}

static void test_reasons(void)
{
	struct vici_packet p;
	size_t fl;
	uint8_t b[4];

	CHECK_EQ(decode_hex("000000", &p), -VICI_E_SHORT);
	CHECK_EQ(decode_hex("00000000", &p), -VICI_E_EMPTY);
	CHECK_EQ(decode_hex("0000000205", &p), -VICI_E_SHORT);
	CHECK_EQ(decode_hex("0000000108", &p), -VICI_E_OP);
	CHECK_EQ(p.fault_off, 4);
	/* named type without its name, or a name past the end */
	CHECK_EQ(decode_hex("0000000100", &p), -VICI_E_NAME);
	CHECK_EQ(decode_hex("000000030003aa", &p), -VICI_E_NAME);
	CHECK_EQ(p.fault_off, 5);
	/* types without message: nothing may follow */
	CHECK_EQ(decode_hex("000000020500", &p), -VICI_E_TRAILING);
	CHECK_EQ(p.fault_off, 5);
	CHECK_EQ(decode_hex("0000000403026162", &p), 0);
	CHECK_EQ(decode_hex("000000050302616200", &p), -VICI_E_TRAILING);
	/* response with elements */
	CHECK_EQ(decode_hex("000000020109", &p), -VICI_E_ELEMENT);
	CHECK_EQ(p.fault_off, 5);
	CHECK_EQ(decode_hex("00000003010301", &p), -VICI_E_TRUNCATED);
	CHECK_EQ(decode_hex("0000000601030161000a", &p), -VICI_E_TRUNCATED);
	CHECK_EQ(decode_hex("0000000401030161", &p), -VICI_E_TRUNCATED);
	/* empty names */
	CHECK_EQ(decode_hex("000000020300", &p), -VICI_E_NAME);
	CHECK_EQ(decode_hex("000000050103000000", &p), -VICI_E_NAME);
	CHECK_EQ(p.fault_off, 5);
	CHECK_EQ(decode_hex("000000040101016b", &p), -VICI_E_NESTING); /* open */
	CHECK_EQ(decode_hex("000000020102", &p), -VICI_E_NESTING);
	CHECK_EQ(decode_hex("000000020106", &p), -VICI_E_NESTING);
	CHECK_EQ(decode_hex("00000004010500", &p), -VICI_E_SHORT);
	CHECK_EQ(decode_hex("0000000401050000", &p), -VICI_E_NESTING);
	/* a list holding a key, a section closed as a list */
	CHECK_EQ(decode_hex("0000000a0104016c03016b000006", &p),
		 -VICI_E_NESTING);
	CHECK_EQ(p.fault_off, 8);
	CHECK_EQ(decode_hex("000000050101017306", &p), -VICI_E_NESTING);
	CHECK_EQ(p.fault_off, 8);
	/* valid: list of two items in a section */
	CHECK_EQ(decode_hex("00000010010101730401" "6c0500016105000006" "02",
			    &p),
		 0);
	/* the length limit */
	b[0] = 0;
	b[1] = 0x08;
	b[2] = 0;
	b[3] = 0;
	CHECK_EQ(vici_frame_len(b, 4, &fl), 0);
	CHECK_EQ(fl, 4 + 512 * 1024);
	b[3] = 1;
	CHECK_EQ(vici_frame_len(b, 4, &fl), -VICI_E_TOOBIG);
	CHECK_EQ(vici_frame_len(b, 3, &fl), -VICI_E_SHORT);
	CHECK_STR(vici_reason_name(-VICI_E_TOOBIG), "packet longer than 512 KiB");
	CHECK_STR(vici_reason_name(999), "unknown");
	CHECK_STR(vici_op_name(VICI_EVENT), "EVENT");
	CHECK_STR(vici_op_name(8), "unknown");
}

/* a message of exactly 512 KiB, and depth limits */
static void test_limits(void)
{
	static uint8_t buf[VICI_HDR_LEN + VICI_MSG_MAX + 64];
	static uint8_t value[VICI_VALUE_MAX];
	struct vici_builder b;
	struct vici_packet p;
	struct vici_elem e;
	int n, i;

	memset(value, 'x', sizeof(value));
	/* response: 1 type byte; each key/value 1+1+1+2+65535 = 65540 */
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_RESPONSE, NULL);
	for (i = 0; i < 7; i++)
		vici_build_kv(&b, "k", value, sizeof(value));
	/* 1 + 7 * 65540 = 458781; fill to 524288 with one more */
	vici_build_kv(&b, "k", value, VICI_MSG_MAX - 1 - 7 * 65540 - 5);
	n = vici_build_finish(&b);
	CHECK_EQ(n, VICI_HDR_LEN + VICI_MSG_MAX);
	CHECK_EQ(vici_decode(buf, (size_t)n, &p), 0);
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_RESPONSE, NULL);
	for (i = 0; i < 8; i++)
		vici_build_kv(&b, "k", value, sizeof(value));
	CHECK_EQ(vici_build_finish(&b), -VICI_E_TOOBIG);

	/* VICI_DEPTH_MAX sections nested: fine; one more is refused */
	vici_build_init(&b, buf, sizeof(buf), VICI_EVENT, "deep");
	for (i = 0; i < VICI_DEPTH_MAX; i++)
		vici_build_section(&b, "s");
	vici_build_kv_str(&b, "leaf", "yes");
	for (i = 0; i < VICI_DEPTH_MAX; i++)
		vici_build_end(&b);
	n = vici_build_finish(&b);
	CHECK(n > 0);
	CHECK_EQ(vici_decode(buf, (size_t)n, &p), 0);
	{
		char path[3 * VICI_DEPTH_MAX + 8] = "";

		for (i = 0; i < VICI_DEPTH_MAX; i++)
			strcat(path, "s/");
		strcat(path, "leaf");
		CHECK(vici_find_path(p.msg, path, &e));
		CHECK(vici_str_eq(e.value, "yes"));
	}
	vici_build_init(&b, buf, sizeof(buf), VICI_EVENT, "deep");
	for (i = 0; i <= VICI_DEPTH_MAX; i++)
		vici_build_section(&b, "s");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_DEPTH);
	/* hand-made: 33 levels */
	{
		size_t pos = 0;

		buf[pos++] = 0;
		buf[pos++] = 0;
		buf[pos++] = 0;
		buf[pos++] = 0;
		buf[pos++] = VICI_CMD_RESPONSE;
		for (i = 0; i <= VICI_DEPTH_MAX; i++) {
			buf[pos++] = VICI_SECTION_START;
			buf[pos++] = 1;
			buf[pos++] = 's';
		}
		for (i = 0; i <= VICI_DEPTH_MAX; i++)
			buf[pos++] = VICI_SECTION_END;
		buf[3] = (uint8_t)(pos - 4);
		buf[2] = (uint8_t)((pos - 4) >> 8);
		CHECK_EQ(vici_decode(buf, pos, &p), -VICI_E_DEPTH);
	}
}

/* ---- the builder ------------------------------------------------------ */

static void test_builder_errors(void)
{
	static uint8_t buf[512];
	char longname[300];
	struct vici_builder b;
	int need;

	memset(longname, 'n', sizeof(longname));
	longname[256] = '\0';

	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, NULL);
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, longname);
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	longname[255] = '\0';
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, longname);
	CHECK_EQ(vici_build_finish(&b), 4 + 1 + 1 + 255);
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_RESPONSE, "x");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	vici_build_init(&b, buf, sizeof(buf), 9, NULL);
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	/* registrations carry no message */
	vici_build_init(&b, buf, sizeof(buf), VICI_EVENT_REGISTER, "x");
	vici_build_kv_str(&b, "k", "v");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	/* list items only in lists, keys and sections not in lists */
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "x");
	vici_build_item_str(&b, "v");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "x");
	vici_build_list(&b, "l");
	vici_build_kv_str(&b, "k", "v");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "x");
	vici_build_list(&b, "l");
	vici_build_section(&b, "s");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	/* unbalanced */
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "x");
	vici_build_section(&b, "s");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "x");
	vici_build_end(&b);
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	/* empty key, long key */
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "x");
	vici_build_kv_str(&b, "", "v");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "x");
	longname[255] = 'n';
	vici_build_kv_str(&b, longname, "v");
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);
	/* value too long */
	vici_build_init(&b, NULL, 0, VICI_CMD_REQUEST, "x");
	vici_build_kv(&b, "k", buf, 65536);
	CHECK_EQ(vici_build_finish(&b), -VICI_E_INVALID);

	/* every buffer too small: -SPACE, nothing written past it */
	vici_build_init(&b, NULL, 0, VICI_CMD_REQUEST, "terminate");
	vici_build_kv_uint(&b, "ike-id", 18446744073709551615ull);
	vici_build_list(&b, "l");
	vici_build_item_str(&b, "a");
	vici_build_item_str(&b, "");
	vici_build_end(&b);
	need = vici_build_finish(&b);
	/* header, type, name; key/value; list start, two items, list end */
	CHECK_EQ(need, 4 + 1 + 1 + 9 + (1 + 1 + 6 + 2 + 20) + 3 + 4 + 3 + 1);
	for (int size = 0; size < need; size++) {
		memset(buf, 0xa5, sizeof(buf));
		vici_build_init(&b, buf, (size_t)size, VICI_CMD_REQUEST,
				"terminate");
		vici_build_kv_uint(&b, "ike-id", 18446744073709551615ull);
		vici_build_list(&b, "l");
		vici_build_item_str(&b, "a");
		vici_build_item_str(&b, "");
		vici_build_end(&b);
		CHECK_EQ(vici_build_finish(&b), -VICI_E_SPACE);
		for (size_t k = (size_t)size; k < sizeof(buf); k++)
			if (buf[k] != 0xa5) {
				CHECK(!"written past the buffer");
				break;
			}
	}
	{
		struct vici_packet p;
		struct vici_elem e;
		uint64_t u;

		vici_build_init(&b, buf, (size_t)need, VICI_CMD_REQUEST,
				"terminate");
		vici_build_kv_uint(&b, "ike-id", 18446744073709551615ull);
		vici_build_list(&b, "l");
		vici_build_item_str(&b, "a");
		vici_build_item_str(&b, "");
		vici_build_end(&b);
		CHECK_EQ(vici_build_finish(&b), need);
		CHECK_EQ(vici_decode(buf, (size_t)need, &p), 0);
		CHECK(vici_str_eq(p.name, "terminate"));
		CHECK(vici_find_uint(p.msg, "ike-id", UINT64_MAX, &u));
		CHECK(u == 18446744073709551615ull);
		CHECK(!vici_find_uint(p.msg, "ike-id", UINT32_MAX, &u));
		CHECK(vici_find(p.msg, "l", &e) && e.type == VICI_LIST_START);
		{
			struct vici_iter it;
			struct vici_elem item;
			int count = 0;

			vici_iter_init(&it, e.body);
			while (vici_next(&it, &item) > 0) {
				CHECK_EQ(item.type, VICI_LIST_ITEM);
				count++;
			}
			CHECK_EQ(count, 2);
		}
	}
}

/* ---- lookups ---------------------------------------------------------- */

static void test_find(void)
{
	static uint8_t buf[512];
	struct vici_builder b;
	struct vici_packet p;
	struct vici_elem e;
	struct vici_span s;
	struct vici_str v;
	char str[8];
	uint64_t u;
	int n;

	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_RESPONSE, NULL);
	vici_build_kv_str(&b, "n1", "18446744073709551615");
	vici_build_kv_str(&b, "n2", "18446744073709551616");
	vici_build_kv_str(&b, "n3", "12a");
	vici_build_kv_str(&b, "n4", "");
	vici_build_kv_str(&b, "n5", "+1");
	vici_build_kv(&b, "nul", "a\0b", 3);
	vici_build_kv_str(&b, "yes", "yes");
	vici_build_kv_str(&b, "no", "no");
	vici_build_list(&b, "list");
	vici_build_item_str(&b, "n1");
	vici_build_end(&b);
	vici_build_section(&b, "sec");
	vici_build_section(&b, "inner");
	vici_build_kv_str(&b, "k", "deep");
	vici_build_end(&b);
	vici_build_kv_str(&b, "k", "first");
	vici_build_kv_str(&b, "k", "second");
	vici_build_end(&b);
	n = vici_build_finish(&b);
	CHECK(n > 0);
	CHECK_EQ(vici_decode(buf, (size_t)n, &p), 0);

	CHECK(vici_find_uint(p.msg, "n1", UINT64_MAX, &u) &&
	      u == UINT64_MAX);
	CHECK(!vici_find_uint(p.msg, "n2", UINT64_MAX, &u));
	CHECK(!vici_find_uint(p.msg, "n3", UINT64_MAX, &u));
	CHECK(!vici_find_uint(p.msg, "n4", UINT64_MAX, &u));
	CHECK(!vici_find_uint(p.msg, "n5", UINT64_MAX, &u));
	CHECK(!vici_find_uint(p.msg, "missing", UINT64_MAX, &u));
	CHECK_EQ(vici_find_str(p.msg, "nul", str, sizeof(str)), -2);
	CHECK_EQ(vici_find_str(p.msg, "n3", str, sizeof(str)), 3);
	CHECK_STR(str, "12a");
	CHECK_EQ(vici_find_str(p.msg, "n3", str, 3), -2);
	CHECK_EQ(vici_find_str(p.msg, "n3", str, 4), 3);
	CHECK_EQ(vici_find_str(p.msg, "n4", str, sizeof(str)), 0);
	CHECK_EQ(vici_find_str(p.msg, "list", str, sizeof(str)), -1);
	CHECK_EQ(vici_find_str(p.msg, "sec", str, sizeof(str)), -1);
	CHECK(vici_find_yes(p.msg, "yes"));
	CHECK(!vici_find_yes(p.msg, "no"));
	CHECK(!vici_find_yes(p.msg, "missing"));
	/* list items have no name: "n1" inside the list is not a key */
	CHECK(vici_find(p.msg, "list", &e));
	CHECK(!vici_find(e.body, "n1", &e));
	/* the first match wins; sections are not searched recursively */
	CHECK(vici_find_section(p.msg, "sec", &s));
	CHECK(vici_find_value(s, "k", &v) && vici_str_eq(v, "first"));
	CHECK(!vici_find_value(p.msg, "k", &v));
	CHECK(vici_find_path(p.msg, "sec/inner/k", &e) &&
	      vici_str_eq(e.value, "deep"));
	CHECK(vici_find_path(p.msg, "sec/k", &e) &&
	      vici_str_eq(e.value, "first"));
	CHECK(!vici_find_path(p.msg, "sec/k/x", &e));
	CHECK(!vici_find_path(p.msg, "yes/x", &e));
	CHECK(!vici_find_path(p.msg, "sec/", &e));
	CHECK(!vici_find_section(p.msg, "yes", &s));
	CHECK(vici_str_eq(v, "first") && !vici_str_eq(v, "firs") &&
	      !vici_str_eq(v, "firstt"));
}

/* iterating spans that vici_decode() never validated stays in bounds */
static void test_walk_unvalidated(void)
{
	static const uint8_t junk[][8] = {
		{1, 9, 's'},		/* name past the end */
		{1, 1, 's', 3, 1},	/* section holding a cut key */
		{2},			/* an end at the top */
		{4, 1, 'l', 3, 1, 'k'}, /* key inside a list */
		{1, 1, 's', 6},		/* section closed as a list */
		{9},
	};
	static const size_t lens[] = {3, 5, 1, 6, 4, 1};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct vici_span s = {junk[i], lens[i]};
		struct vici_iter it;
		struct vici_elem e;

		vici_iter_init(&it, s);
		CHECK(vici_next(&it, &e) < 0);
		CHECK_EQ(vici_next(&it, &e), 0); /* stays at the end */
		CHECK(!vici_find(s, "s", &e));
	}
}

static void test_names(void)
{
	CHECK_STR(vici_ike_state_name(VICI_IKE_ESTABLISHED), "ESTABLISHED");
	CHECK_STR(vici_ike_state_name((enum vici_ike_state)99), "UNKNOWN");
	CHECK_STR(vici_child_state_name(VICI_CHILD_INSTALLED), "INSTALLED");
	CHECK_STR(vici_child_state_name(VICI_CHILD_REKEYED), "REKEYED");
	CHECK_EQ(vici_sa_event_type((struct vici_str){"child-rekey", 11}),
		 VICI_SA_EV_CHILD_REKEY);
	CHECK_EQ(vici_sa_event_type((struct vici_str){"child-rekeyx", 12}), 0);
}

int main(void)
{
	load_vectors();
	test_vectors_roundtrip();
	test_requests_like_swanctl();
	test_sa_events();
	test_responses();
	test_truncation();
	test_mutation();
	test_reasons();
	test_limits();
	test_builder_errors();
	test_find();
	test_walk_unvalidated();
	test_names();
	for (unsigned int i = 0; i < nvectors; i++)
		free(vectors[i].data);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
