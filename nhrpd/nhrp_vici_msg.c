// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the strongSwan VICI message codec (see nhrp_vici_msg.h).
 */
#define _POSIX_C_SOURCE 200809L	/* inet_pton() under -std=c11 */

#include "nhrpd/nhrp_vici_msg.h"

#include <arpa/inet.h>
#include <string.h>

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static bool op_named(uint8_t op)
{
	return op == VICI_CMD_REQUEST || op == VICI_EVENT_REGISTER ||
	       op == VICI_EVENT_UNREGISTER || op == VICI_EVENT;
}

static bool op_has_msg(uint8_t op)
{
	return op == VICI_CMD_REQUEST || op == VICI_CMD_RESPONSE ||
	       op == VICI_EVENT;
}

/* ---- reading one element --------------------------------------------- */

struct raw_elem {
	uint8_t type;
	struct vici_str name, value;
	size_t next;		/* offset after it */
};

/* the element at s.p[pos]; bounds-checked, nesting not looked at */
static int read_elem(struct vici_span s, size_t pos, struct raw_elem *r)
{
	const uint8_t *p = s.p;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (pos >= s.len)
		return -VICI_E_TRUNCATED;
	r->type = p[pos++];
	switch (r->type) {
	case VICI_SECTION_START:
	case VICI_KEY_VALUE:
	case VICI_LIST_START:
		if (pos >= s.len)
			return -VICI_E_TRUNCATED;
		n = p[pos++];
		if (n > s.len - pos)
			return -VICI_E_TRUNCATED;
		if (n == 0 || memchr(p + pos, '\0', n))
			return -VICI_E_NAME;
		r->name.p = (const char *)p + pos;
		r->name.len = n;
		pos += n;
		if (r->type != VICI_KEY_VALUE)
			break;
		/* a key/value continues with its value */
		/* fall through */
	case VICI_LIST_ITEM:
		if (s.len - pos < 2)
			return -VICI_E_TRUNCATED;
		n = (size_t)p[pos] << 8 | p[pos + 1];
		pos += 2;
		if (n > s.len - pos)
			return -VICI_E_TRUNCATED;
		r->value.p = (const char *)p + pos;
		r->value.len = n;
		pos += n;
		break;
	case VICI_SECTION_END:
	case VICI_LIST_END:
		break;
	default:
		return -VICI_E_ELEMENT;
	}
	r->next = pos;
	return 0;
}

/*
 * Walk elements from pos with nesting checked.  With stop_at_close, stop
 * at the end element that closes the level we started in (a section or
 * list whose start is before pos, of type `outer`): *end is its offset.
 * Without, run to s.len, which must close everything.
 */
static int walk(struct vici_span s, size_t pos, uint8_t outer,
		bool stop_at_close, size_t *end, size_t *fault)
{
	uint8_t stack[VICI_DEPTH_MAX + 1];
	unsigned int depth = 0;
	struct raw_elem r;
	int ret;

	stack[0] = outer;	/* 0: a message's top level */
	while (pos < s.len) {
		uint8_t top = stack[depth];

		*fault = pos;
		ret = read_elem(s, pos, &r);
		if (ret < 0)
			return ret;
		switch (r.type) {
		case VICI_SECTION_START:
		case VICI_LIST_START:
			if (top == VICI_LIST_START)
				return -VICI_E_NESTING;
			if (depth + (outer ? 1 : 0) >= VICI_DEPTH_MAX)
				return -VICI_E_DEPTH;
			stack[++depth] = r.type;
			break;
		case VICI_KEY_VALUE:
			if (top == VICI_LIST_START)
				return -VICI_E_NESTING;
			break;
		case VICI_LIST_ITEM:
			if (top != VICI_LIST_START)
				return -VICI_E_NESTING;
			break;
		case VICI_SECTION_END:
		case VICI_LIST_END:
			if (top != (r.type == VICI_SECTION_END
					    ? VICI_SECTION_START
					    : VICI_LIST_START))
				return -VICI_E_NESTING;
			if (depth == 0) {
				/* closes the level we started in */
				if (!stop_at_close)
					return -VICI_E_NESTING;
				*end = pos;
				return 0;
			}
			depth--;
			break;
		}
		pos = r.next;
	}
	*fault = s.len;
	if (stop_at_close || depth != 0)
		return -VICI_E_NESTING;
	*end = s.len;
	return 0;
}

int vici_validate(struct vici_span msg, size_t *fault_off)
{
	size_t end, fault = 0;
	int ret = walk(msg, 0, 0, false, &end, &fault);

	if (fault_off)
		*fault_off = ret < 0 ? fault : 0;
	return ret;
}

/* ---- frames ---------------------------------------------------------- */

int vici_frame_len(const uint8_t *buf, size_t len, size_t *frame_len)
{
	uint32_t n;

	if (len < VICI_HDR_LEN)
		return -VICI_E_SHORT;
	n = get32(buf);
	if (n == 0)
		return -VICI_E_EMPTY;
	if (n > VICI_MSG_MAX)
		return -VICI_E_TOOBIG;
	*frame_len = VICI_HDR_LEN + (size_t)n;
	return 0;
}

int vici_decode(const uint8_t *buf, size_t len, struct vici_packet *out)
{
	size_t flen, pos = VICI_HDR_LEN, fault;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = vici_frame_len(buf, len, &flen);
	if (ret == 0 && flen > len)
		ret = -VICI_E_SHORT;
	if (ret < 0) {
		out->fault_off = ret == -VICI_E_SHORT ? len : 0;
		return ret;
	}
	out->frame_len = flen;
	out->op = buf[pos];
	if (out->op > VICI_EVENT) {
		out->fault_off = pos;
		return -VICI_E_OP;
	}
	pos++;
	if (op_named(out->op)) {
		if (pos >= flen || buf[pos] == 0 || buf[pos] > flen - pos - 1 ||
		    memchr(buf + pos + 1, '\0', buf[pos])) {
			out->fault_off = pos;
			return -VICI_E_NAME;
		}
		out->name.p = (const char *)buf + pos + 1;
		out->name.len = buf[pos];
		pos += 1 + buf[pos];
	}
	if (!op_has_msg(out->op)) {
		if (pos != flen) {
			out->fault_off = pos;
			return -VICI_E_TRAILING;
		}
		return 0;
	}
	out->msg.p = buf + pos;
	out->msg.len = flen - pos;
	ret = vici_validate(out->msg, &fault);
	if (ret < 0) {
		out->fault_off = pos + fault;
		return ret;
	}
	return 0;
}

/* ---- walking --------------------------------------------------------- */

void vici_iter_init(struct vici_iter *it, struct vici_span s)
{
	it->s = s;
	it->pos = 0;
}

int vici_next(struct vici_iter *it, struct vici_elem *e)
{
	struct raw_elem r;
	size_t end, fault;
	int ret;

	memset(e, 0, sizeof(*e));
	if (it->pos >= it->s.len)
		return 0;
	ret = read_elem(it->s, it->pos, &r);
	if (ret == 0 && (r.type == VICI_SECTION_END || r.type == VICI_LIST_END))
		ret = -VICI_E_NESTING; /* a span holds contents only */
	if (ret == 0 &&
	    (r.type == VICI_SECTION_START || r.type == VICI_LIST_START)) {
		ret = walk(it->s, r.next, r.type, true, &end, &fault);
		if (ret == 0) {
			e->body.p = it->s.p + r.next;
			e->body.len = end - r.next;
			r.next = end + 1; /* after the end element */
		}
	}
	if (ret < 0) {
		it->pos = it->s.len;
		return ret;
	}
	e->type = r.type;
	e->name = r.name;
	e->value = r.value;
	it->pos = r.next;
	return 1;
}

bool vici_str_eq(struct vici_str s, const char *c)
{
	size_t n = strlen(c);

	return s.len == n && (n == 0 || memcmp(s.p, c, n) == 0);
}

static bool find_n(struct vici_span s, const char *name, size_t n,
		   struct vici_elem *e)
{
	struct vici_iter it;

	vici_iter_init(&it, s);
	while (vici_next(&it, e) > 0)
		if (e->type != VICI_LIST_ITEM && e->name.len == n &&
		    (n == 0 || memcmp(e->name.p, name, n) == 0))
			return true;
	return false;
}

bool vici_find(struct vici_span s, const char *name, struct vici_elem *e)
{
	return find_n(s, name, strlen(name), e);
}

bool vici_find_path(struct vici_span s, const char *path, struct vici_elem *e)
{
	for (;;) {
		const char *slash = strchr(path, '/');

		if (!slash)
			return vici_find(s, path, e);
		if (!find_n(s, path, (size_t)(slash - path), e) ||
		    e->type != VICI_SECTION_START)
			return false;
		s = e->body;
		path = slash + 1;
	}
}

bool vici_find_value(struct vici_span s, const char *name, struct vici_str *v)
{
	struct vici_elem e;

	if (!vici_find(s, name, &e) || e.type != VICI_KEY_VALUE)
		return false;
	*v = e.value;
	return true;
}

bool vici_find_section(struct vici_span s, const char *name,
		       struct vici_span *body)
{
	struct vici_elem e;

	if (!vici_find(s, name, &e) || e.type != VICI_SECTION_START)
		return false;
	*body = e.body;
	return true;
}

static int copy_str(struct vici_str v, char *buf, size_t size)
{
	if (size == 0)
		return -2;
	buf[0] = '\0';
	if (v.len >= size || (v.len && memchr(v.p, '\0', v.len)))
		return -2;
	if (v.len)
		memcpy(buf, v.p, v.len);
	buf[v.len] = '\0';
	return (int)v.len;
}

int vici_find_str(struct vici_span s, const char *name, char *buf, size_t size)
{
	struct vici_str v;

	if (size)
		buf[0] = '\0';
	if (!vici_find_value(s, name, &v))
		return -1;
	return copy_str(v, buf, size);
}

static bool parse_uint(struct vici_str v, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (v.len == 0 || v.len > 20)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		unsigned int d = (unsigned char)v.p[i] - '0';

		if (d > 9 || n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return true;
}

bool vici_find_uint(struct vici_span s, const char *name, uint64_t max,
		    uint64_t *v)
{
	struct vici_str str;

	return vici_find_value(s, name, &str) && parse_uint(str, max, v);
}

bool vici_find_yes(struct vici_span s, const char *name)
{
	struct vici_str v;

	return vici_find_value(s, name, &v) && vici_str_eq(v, "yes");
}

/* ---- building -------------------------------------------------------- */

static void put(struct vici_builder *b, const void *data, size_t n)
{
	if (b->err)
		return;
	if (b->buf) {
		if (n > b->size - b->len) {
			b->err = -VICI_E_SPACE;
			return;
		}
		if (n)
			memcpy(b->buf + b->len, data, n);
	}
	b->len += n;
}

static void put8(struct vici_builder *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put_name(struct vici_builder *b, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > VICI_NAME_MAX) {
		if (!b->err)
			b->err = -VICI_E_INVALID;
		return;
	}
	put8(b, (uint8_t)n);
	put(b, name, n);
}

static void put_value(struct vici_builder *b, const void *v, size_t n)
{
	uint8_t l[2] = {(uint8_t)(n >> 8), (uint8_t)n};

	if (n > VICI_VALUE_MAX || (n && !v)) {
		if (!b->err)
			b->err = -VICI_E_INVALID;
		return;
	}
	put(b, l, 2);
	put(b, v, n);
}

void vici_build_init(struct vici_builder *b, uint8_t *buf, size_t size,
		     uint8_t op, const char *name)
{
	static const uint8_t zero[VICI_HDR_LEN];

	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->size = buf ? size : 0;
	b->op = op;
	put(b, zero, sizeof(zero));
	if (op > VICI_EVENT)
		b->err = -VICI_E_INVALID;
	put8(b, op);
	if (op_named(op))
		put_name(b, name);
	else if (name && !b->err)
		b->err = -VICI_E_INVALID;
}

/* may an element of this type come now? */
static bool can_add(struct vici_builder *b, uint8_t type)
{
	uint8_t top = b->depth ? b->open[b->depth - 1] : 0;
	bool ok = op_has_msg(b->op);

	if (type == VICI_LIST_ITEM)
		ok = ok && top == VICI_LIST_START;
	else
		ok = ok && top != VICI_LIST_START;
	if (!ok && !b->err)
		b->err = -VICI_E_INVALID;
	return ok && !b->err;
}

void vici_build_kv(struct vici_builder *b, const char *key, const void *value,
		   size_t len)
{
	if (!can_add(b, VICI_KEY_VALUE))
		return;
	put8(b, VICI_KEY_VALUE);
	put_name(b, key);
	put_value(b, value, len);
}

void vici_build_kv_str(struct vici_builder *b, const char *key,
		       const char *value)
{
	vici_build_kv(b, key, value, value ? strlen(value) : 0);
}

void vici_build_kv_uint(struct vici_builder *b, const char *key, uint64_t value)
{
	char s[21];
	int i = sizeof(s);

	do {
		s[--i] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	vici_build_kv(b, key, s + i, sizeof(s) - (size_t)i);
}

static void open_block(struct vici_builder *b, uint8_t type, const char *name)
{
	if (!can_add(b, type))
		return;
	if (b->depth >= VICI_DEPTH_MAX) {
		b->err = -VICI_E_DEPTH;
		return;
	}
	put8(b, type);
	put_name(b, name);
	b->open[b->depth++] = type;
}

void vici_build_section(struct vici_builder *b, const char *name)
{
	open_block(b, VICI_SECTION_START, name);
}

void vici_build_list(struct vici_builder *b, const char *name)
{
	open_block(b, VICI_LIST_START, name);
}

void vici_build_item(struct vici_builder *b, const void *value, size_t len)
{
	if (!can_add(b, VICI_LIST_ITEM))
		return;
	put8(b, VICI_LIST_ITEM);
	put_value(b, value, len);
}

void vici_build_item_str(struct vici_builder *b, const char *value)
{
	vici_build_item(b, value, value ? strlen(value) : 0);
}

void vici_build_end(struct vici_builder *b)
{
	if (b->err)
		return;
	if (b->depth == 0) {
		b->err = -VICI_E_INVALID;
		return;
	}
	b->depth--;
	put8(b, b->open[b->depth] == VICI_LIST_START ? VICI_LIST_END
						       : VICI_SECTION_END);
}

int vici_build_finish(struct vici_builder *b)
{
	size_t n = b->len - VICI_HDR_LEN;

	if (b->err)
		return b->err;
	if (b->depth)
		return -VICI_E_INVALID;
	if (n > VICI_MSG_MAX)
		return -VICI_E_TOOBIG;
	if (b->buf) {
		b->buf[0] = (uint8_t)(n >> 24);
		b->buf[1] = (uint8_t)(n >> 16);
		b->buf[2] = (uint8_t)(n >> 8);
		b->buf[3] = (uint8_t)n;
	}
	return (int)b->len;
}

/* ---- SA events ------------------------------------------------------- */

static const char *const ike_state_names[] = {
	[VICI_IKE_UNKNOWN] = "UNKNOWN",
	[VICI_IKE_CREATED] = "CREATED",
	[VICI_IKE_CONNECTING] = "CONNECTING",
	[VICI_IKE_ESTABLISHED] = "ESTABLISHED",
	[VICI_IKE_PASSIVE] = "PASSIVE",
	[VICI_IKE_REKEYING] = "REKEYING",
	[VICI_IKE_REKEYED] = "REKEYED",
	[VICI_IKE_DELETING] = "DELETING",
	[VICI_IKE_DESTROYING] = "DESTROYING",
};

static const char *const child_state_names[] = {
	[VICI_CHILD_UNKNOWN] = "UNKNOWN",
	[VICI_CHILD_CREATED] = "CREATED",
	[VICI_CHILD_ROUTED] = "ROUTED",
	[VICI_CHILD_INSTALLING] = "INSTALLING",
	[VICI_CHILD_INSTALLED] = "INSTALLED",
	[VICI_CHILD_UPDATING] = "UPDATING",
	[VICI_CHILD_REKEYING] = "REKEYING",
	[VICI_CHILD_REKEYED] = "REKEYED",
	[VICI_CHILD_RETRYING] = "RETRYING",
	[VICI_CHILD_DELETING] = "DELETING",
	[VICI_CHILD_DELETED] = "DELETED",
	[VICI_CHILD_DESTROYING] = "DESTROYING",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static unsigned int state_of(struct vici_span s, const char *const *names,
			     size_t n)
{
	struct vici_str v;

	if (vici_find_value(s, "state", &v))
		for (size_t i = 1; i < n; i++)
			if (vici_str_eq(v, names[i]))
				return (unsigned int)i;
	return 0;
}

/* an optional string field; false if present but unusable */
static bool opt_str(struct vici_span s, const char *key, char *buf,
		    size_t size)
{
	return vici_find_str(s, key, buf, size) != -2;
}

static void host_addr(const char *host, uint8_t *addr, uint8_t *len)
{
	*len = 0;
	if (inet_pton(AF_INET, host, addr) == 1)
		*len = 4;
	else if (inet_pton(AF_INET6, host, addr) == 1)
		*len = 16;
	else
		memset(addr, 0, 16);
}

static bool hex32(struct vici_str v, uint32_t *out)
{
	uint32_t n = 0;

	if (v.len == 0 || v.len > 8)
		return false;
	for (size_t i = 0; i < v.len; i++) {
		char c = v.p[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return false;
		n = n << 4 | d;
	}
	*out = n;
	return true;
}

static int parse_child(struct vici_str secname, struct vici_span s,
		       struct vici_child_sa *c)
{
	struct vici_str v;
	unsigned int st;
	uint64_t n;

	memset(c, 0, sizeof(*c));
	if (vici_find_value(s, "name", &v)) {
		if (copy_str(v, c->name, sizeof(c->name)) < 0)
			return -VICI_E_SA;
	} else if (copy_str(secname, c->name, sizeof(c->name)) < 0)
		return -VICI_E_SA;
	if (!vici_find_uint(s, "uniqueid", UINT32_MAX, &n))
		return -VICI_E_SA;
	c->uniqueid = (uint32_t)n;
	if (vici_find_uint(s, "reqid", UINT32_MAX, &n))
		c->reqid = (uint32_t)n;
	st = state_of(s, child_state_names, ARRAY_LEN(child_state_names));
	c->state = (enum vici_child_state)st;
	if (vici_find_value(s, "mode", &v))
		c->transport = v.len >= 9 && memcmp(v.p, "TRANSPORT", 9) == 0;
	if (vici_find_value(s, "protocol", &v))
		c->esp = vici_str_eq(v, "ESP");
	if (vici_find_value(s, "spi-in", &v) && !hex32(v, &c->spi_in))
		c->spi_in = 0;
	if (vici_find_value(s, "spi-out", &v) && !hex32(v, &c->spi_out))
		c->spi_out = 0;
	return 0;
}

static void add_child(struct vici_ike_sa *sa, const struct vici_child_sa *c)
{
	if (sa->nchild < VICI_SA_CHILD_MAX)
		sa->child[sa->nchild++] = *c;
	if (sa->child_total < UINT16_MAX)
		sa->child_total++;
}

/* an IKE SA; old_child receives the old child of a child-rekey's
 * "<child> {old {...} new {...}}" form (NULL: that form is refused) */
static int parse_ike(struct vici_str name, struct vici_span s,
		     struct vici_ike_sa *sa, struct vici_child_sa *old_child)
{
	struct vici_span children;
	unsigned int st;
	uint64_t n;

	memset(sa, 0, sizeof(*sa));
	if (copy_str(name, sa->name, sizeof(sa->name)) < 0)
		return -VICI_E_SA;
	if (!vici_find_uint(s, "uniqueid", UINT32_MAX, &n))
		return -VICI_E_SA;
	sa->uniqueid = (uint32_t)n;
	if (vici_find_uint(s, "version", 255, &n))
		sa->version = (uint8_t)n;
	st = state_of(s, ike_state_names, ARRAY_LEN(ike_state_names));
	sa->state = (enum vici_ike_state)st;
	sa->initiator = vici_find_yes(s, "initiator");
	if (!opt_str(s, "local-host", sa->local_host, sizeof(sa->local_host)) ||
	    !opt_str(s, "remote-host", sa->remote_host,
		     sizeof(sa->remote_host)) ||
	    !opt_str(s, "local-id", sa->local_id, sizeof(sa->local_id)) ||
	    !opt_str(s, "remote-id", sa->remote_id, sizeof(sa->remote_id)))
		return -VICI_E_SA;
	if (vici_find_uint(s, "local-port", 65535, &n))
		sa->local_port = (uint16_t)n;
	if (vici_find_uint(s, "remote-port", 65535, &n))
		sa->remote_port = (uint16_t)n;
	host_addr(sa->local_host, sa->local_addr, &sa->local_addr_len);
	host_addr(sa->remote_host, sa->remote_addr, &sa->remote_addr_len);

	if (vici_find_section(s, "child-sas", &children)) {
		struct vici_iter it;
		struct vici_elem e;
		struct vici_child_sa c;
		struct vici_span old, new;
		int ret;

		vici_iter_init(&it, children);
		while ((ret = vici_next(&it, &e)) > 0) {
			if (e.type != VICI_SECTION_START)
				continue;
			if (vici_find_section(e.body, "new", &new)) {
				if (!old_child ||
				    !vici_find_section(e.body, "old", &old))
					return -VICI_E_SA;
				ret = parse_child(e.name, old, old_child);
				if (ret == 0)
					ret = parse_child(e.name, new, &c);
			} else
				ret = parse_child(e.name, e.body, &c);
			if (ret < 0)
				return ret;
			add_child(sa, &c);
		}
		if (ret < 0)
			return -VICI_E_SA;
	}
	return 0;
}

int vici_parse_ike_sa(struct vici_str name, struct vici_span body,
		      struct vici_ike_sa *sa)
{
	return parse_ike(name, body, sa, NULL);
}

static const char *const sa_event_names[] = {
	[VICI_SA_EV_IKE_UPDOWN] = "ike-updown",
	[VICI_SA_EV_IKE_REKEY] = "ike-rekey",
	[VICI_SA_EV_CHILD_UPDOWN] = "child-updown",
	[VICI_SA_EV_CHILD_REKEY] = "child-rekey",
	[VICI_SA_EV_LIST_SA] = "list-sa",
};

int vici_sa_event_type(struct vici_str name)
{
	for (size_t i = 1; i < ARRAY_LEN(sa_event_names); i++)
		if (vici_str_eq(name, sa_event_names[i]))
			return (int)i;
	return 0;
}

int vici_parse_event(const struct vici_packet *pkt, struct vici_sa_event *ev)
{
	struct vici_iter it;
	struct vici_elem e;
	struct vici_span old, new;
	int type, ret;

	memset(ev, 0, sizeof(*ev));
	type = pkt->op == VICI_EVENT ? vici_sa_event_type(pkt->name) : 0;
	if (!type)
		return -VICI_E_SA;
	ev->type = (enum vici_sa_event_type)type;
	ev->up = vici_find_yes(pkt->msg, "up");
	/* the SA is the first section of the message (named after the
	 * connection) */
	vici_iter_init(&it, pkt->msg);
	while ((ret = vici_next(&it, &e)) > 0 && e.type != VICI_SECTION_START)
		;
	if (ret <= 0)
		return -VICI_E_SA;
	switch (ev->type) {
	case VICI_SA_EV_IKE_REKEY:
		if (!vici_find_section(e.body, "old", &old) ||
		    !vici_find_section(e.body, "new", &new))
			return -VICI_E_SA;
		ret = parse_ike(e.name, old, &ev->old_ike, NULL);
		if (ret == 0)
			ret = parse_ike(e.name, new, &ev->ike, NULL);
		return ret;
	case VICI_SA_EV_CHILD_REKEY:
		ret = parse_ike(e.name, e.body, &ev->ike, &ev->old_child);
		if (ret == 0 && ev->ike.nchild != 1)
			return -VICI_E_SA;
		return ret;
	case VICI_SA_EV_CHILD_UPDOWN:
		ret = parse_ike(e.name, e.body, &ev->ike, NULL);
		if (ret == 0 && ev->ike.nchild != 1)
			return -VICI_E_SA;
		return ret;
	default:
		return parse_ike(e.name, e.body, &ev->ike, NULL);
	}
}

/* ---- names ----------------------------------------------------------- */

static const char *const op_names[] = {
	"CMD_REQUEST",	   "CMD_RESPONSE",  "CMD_UNKNOWN",
	"EVENT_REGISTER",  "EVENT_UNREGISTER", "EVENT_CONFIRM",
	"EVENT_UNKNOWN",   "EVENT",
};

const char *vici_op_name(unsigned int op)
{
	return op < ARRAY_LEN(op_names) ? op_names[op] : "unknown";
}

static const char *const reason_names[] = {
	[VICI_OK] = "ok",
	[VICI_E_SHORT] = "truncated frame",
	[VICI_E_TOOBIG] = "packet longer than 512 KiB",
	[VICI_E_EMPTY] = "empty packet",
	[VICI_E_OP] = "unknown packet type",
	[VICI_E_NAME] = "empty name, NUL in a name, or packet name past the end",
	[VICI_E_TRAILING] = "bytes after the packet",
	[VICI_E_ELEMENT] = "unknown element type",
	[VICI_E_TRUNCATED] = "element past the end",
	[VICI_E_NESTING] = "sections/lists badly nested",
	[VICI_E_DEPTH] = "nested too deep",
	[VICI_E_SPACE] = "buffer too small",
	[VICI_E_INVALID] = "invalid element for the builder",
	[VICI_E_SA] = "not a usable SA event",
};

const char *vici_reason_name(int reason)
{
	if (reason < 0)
		reason = -reason;
	return reason < (int)ARRAY_LEN(reason_names) ? reason_names[reason]
						      : "unknown";
}

const char *vici_ike_state_name(enum vici_ike_state s)
{
	return (unsigned int)s < ARRAY_LEN(ike_state_names)
		       ? ike_state_names[s]
		       : "UNKNOWN";
}

const char *vici_child_state_name(enum vici_child_state s)
{
	return (unsigned int)s < ARRAY_LEN(child_state_names)
		       ? child_state_names[s]
		       : "UNKNOWN";
}
