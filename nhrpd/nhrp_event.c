// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the event socket client (see nhrp_event.h for the protocol).
 *
 * One connection, non-blocking, on the daemon's event loop.  Requests
 * live in a tree keyed by event id until they are answered, time out or
 * are cancelled; each keeps its message, so that a new connection (after
 * the helper restarted) gets every unanswered request again.  What comes
 * back is parsed line by line into a bounded buffer: a message with a
 * line we cannot read is dropped whole, never half-believed.
 */
#include "nhrpd.h"

#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"

#include "nhrpd/nhrp_event.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_EVENT_REQ, "NHRP event request");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_EVENT_BUF, "NHRP event buffer");

#define LINE_MAX_LEN 1024	/* longer lines from the helper are garbage */
#define OUT_MAX (1024 * 1024)	/* unread output beyond which the helper is
				 * taken for stuck and dropped */
#define RETRY_FIRST_MS 100
#define RETRY_MAX_MS 10000

struct nhrp_event_conf nhrp_event_conf = {
	.timeout = NHRP_EVENT_TIMEOUT_DEFAULT,
};

PREDECL_RBTREE_UNIQ(ev_reqs);
struct ev_req {
	struct ev_reqs_item item;
	uint32_t id;
	nhrp_event_done_cb done;
	void *arg;
	char *msg;
	size_t len;
	struct thread *t_timeout;
};

static int req_cmp(const struct ev_req *a, const struct ev_req *b)
{
	return numcmp(a->id, b->id);
}
DECLARE_RBTREE_UNIQ(ev_reqs, struct ev_req, item, req_cmp);

/* the message being read */
struct ev_msg {
	unsigned int lines;
	bool bad;
	bool has_id, has_result;
	uint32_t id;
	char result[64];
};

static struct {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd;
	bool warned;		/* "cannot connect" logged once per outage */
	bool heard;		/* a good message came on this connection */
	unsigned int retry_ms;
	struct thread *t_connect, *t_read, *t_write;
	char *out;
	size_t out_len, out_size;
	char line[LINE_MAX_LEN];
	size_t line_len;
	bool line_long;
	struct ev_msg msg;
	uint32_t next_id;
	struct ev_reqs_head reqs;
} ev = {
	.fd = -1,
	.retry_ms = RETRY_FIRST_MS,
	.reqs = INIT_RBTREE_UNIQ(ev.reqs),
};

/* ---- text buffers ---------------------------------------------------------- */

struct ev_text {
	char *buf;
	size_t len, size;
};

static void text_add(struct ev_text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->size) {
		t->size = MAX(t->size * 2, t->len + n + 256);
		t->buf = XREALLOC(MTYPE_NHRP_EVENT_BUF, t->buf, t->size);
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	t->buf[t->len] = '\0';
}

static void text_kv(struct ev_text *t, const char *key, const char *val)
{
	text_add(t, key, strlen(key));
	text_add(t, "=", 1);
	text_add(t, val, strlen(val));
	text_add(t, "\n", 1);
}

static void text_addr(struct ev_text *t, const char *key,
		      const struct ipaddr *ip)
{
	char buf[INET6_ADDRSTRLEN];

	/* an address we do not know goes out empty */
	text_kv(t, key, ipaddr2str(ip, buf, sizeof(buf)));
}

static void text_hex(struct ev_text *t, const char *key, const uint8_t *p,
		     size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char pair[2];

	text_add(t, key, strlen(key));
	text_add(t, "=", 1);
	for (size_t i = 0; p && i < n; i++) {
		pair[0] = digits[p[i] >> 4];
		pair[1] = digits[p[i] & 0x0f];
		text_add(t, pair, 2);
	}
	text_add(t, "\n", 1);
}

/* ---- the connection ---------------------------------------------------------- */

static void ev_connect(struct thread *t);
static void ev_write(struct thread *t);

static void schedule_connect(unsigned int ms)
{
	THREAD_OFF(ev.t_connect);
	if (ev.path[0])
		thread_add_timer_msec(master, ev_connect, NULL, ms,
				      &ev.t_connect);
}

static void disconnect(void)
{
	THREAD_OFF(ev.t_read);
	THREAD_OFF(ev.t_write);
	if (ev.fd >= 0)
		close(ev.fd);
	ev.fd = -1;
	ev.out_len = 0;
	ev.line_len = 0;
	ev.line_long = false;
	memset(&ev.msg, 0, sizeof(ev.msg));
}

/* lost it: try again soon, later and later if it keeps failing */
static void connection_lost(const char *why)
{
	zlog_warn("event socket %s: %s", ev.path, why);
	disconnect();
	if (ev.heard)
		ev.retry_ms = RETRY_FIRST_MS;
	ev.heard = false;
	schedule_connect(ev.retry_ms);
	ev.retry_ms = MIN(ev.retry_ms * 2, RETRY_MAX_MS);
}

static void flush_out(void)
{
	while (ev.fd >= 0 && ev.out_len > 0) {
		ssize_t n = send(ev.fd, ev.out, ev.out_len,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			ev.out_len -= n;
			memmove(ev.out, ev.out + n, ev.out_len);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			thread_add_write(master, ev_write, NULL, ev.fd,
					 &ev.t_write);
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		connection_lost(n < 0 ? safe_strerror(errno)
				      : "write failed");
		return;
	}
}

static void ev_write(struct thread *t)
{
	flush_out();
}

/* resend: every pending request goes out after a (re)connection, however
 * many; otherwise a queue still over OUT_MAX means the helper reads
 * nothing */
static void queue_out(const struct ev_req *r, bool resend)
{
	if (ev.fd < 0)
		return; /* sent when we are connected again */
	if (!resend && ev.out_len > OUT_MAX) {
		connection_lost("the helper reads nothing: dropped");
		return;
	}
	if (ev.out_len + r->len > ev.out_size) {
		ev.out_size = MAX(ev.out_size * 2, ev.out_len + r->len);
		ev.out = XREALLOC(MTYPE_NHRP_EVENT_BUF, ev.out, ev.out_size);
	}
	memcpy(ev.out + ev.out_len, r->msg, r->len);
	ev.out_len += r->len;
}

/* ---- requests -------------------------------------------------------------- */

static void req_free(struct ev_req *r)
{
	ev_reqs_del(&ev.reqs, r);
	THREAD_OFF(r->t_timeout);
	XFREE(MTYPE_NHRP_EVENT_BUF, r->msg);
	XFREE(MTYPE_NHRP_EVENT_REQ, r);
}

static void req_done(struct ev_req *r, bool accept, const char *why)
{
	nhrp_event_done_cb done = r->done;
	void *arg = r->arg;

	nhrp_debug(EVENT, "event %u: %s (%s)", r->id,
		   accept ? "accepted" : "refused", why);
	/* gone from the table before the callback, which may add or cancel
	 * requests of its own */
	req_free(r);
	done(arg, accept);
}

static void req_timeout(struct thread *t)
{
	struct ev_req *r = THREAD_ARG(t);
	bool accept = nhrp_event_conf.fail_open;

	zlog_info("event %u: no answer from %s: %s (%s)", r->id,
		  ev.path[0] ? ev.path : "the helper",
		  accept ? "accepted" : "refused",
		  accept ? "fail-open" : "fail-closed");
	req_done(r, accept, "timeout");
}

static uint32_t new_id(void)
{
	struct ev_req key;

	do {
		if (++ev.next_id == 0)
			ev.next_id = 1;
		key.id = ev.next_id;
	} while (ev_reqs_find(&ev.reqs, &key));
	return ev.next_id;
}

uint32_t nhrp_event_authorize(const struct nhrp_event_binding *b,
			      nhrp_event_done_cb done, void *arg)
{
	struct ev_text t = {};
	struct ev_req *r;
	char num[16];

	if (!ev.path[0]) {
		done(arg, true);
		return 0;
	}
	r = XCALLOC(MTYPE_NHRP_EVENT_REQ, sizeof(*r));
	r->id = new_id();
	r->done = done;
	r->arg = arg;

	/* the fields and their order are FRR 8.4's */
	snprintf(num, sizeof(num), "%u", r->id);
	text_kv(&t, "eventid", num);
	text_kv(&t, "event", "authorize-binding");
	text_kv(&t, "type", b->type);
	text_kv(&t, "old_type", b->old_type);
	snprintf(num, sizeof(num), "%u", b->num_nhs);
	text_kv(&t, "num_nhs", num);
	text_kv(&t, "interface", b->ifname);
	text_addr(&t, "local_addr", &b->local_addr);
	text_kv(&t, "vc_initiated", b->vc_initiated ? "yes" : "no");
	text_addr(&t, "local_nbma", &b->local_nbma);
	text_hex(&t, "local_cert", b->local_cert, b->local_cert_len);
	text_addr(&t, "remote_addr", &b->remote_addr);
	text_addr(&t, "remote_nbma", &b->remote_nbma);
	text_hex(&t, "remote_cert", b->remote_cert, b->remote_cert_len);
	text_add(&t, "\n", 1);
	r->msg = t.buf;
	r->len = t.len;

	ev_reqs_add(&ev.reqs, r);
	thread_add_timer(master, req_timeout, r, nhrp_event_conf.timeout,
			 &r->t_timeout);
	nhrp_debug(EVENT, "event %u: authorize-binding %s %pIA (%s -> %s)",
		   r->id, b->ifname, &b->remote_addr, b->old_type, b->type);
	if (ev.fd >= 0) {
		queue_out(r, false);
		flush_out();
	} else {
		/* a request is worth a try now, whatever the back-off says */
		schedule_connect(0);
	}
	return r->id;
}

void nhrp_event_cancel(uint32_t eventid)
{
	struct ev_req key = {.id = eventid}, *r;

	if (!eventid || !(r = ev_reqs_find(&ev.reqs, &key)))
		return;
	nhrp_debug(EVENT, "event %u: cancelled", r->id);
	req_free(r);
}

size_t nhrp_event_pending(void)
{
	return ev_reqs_count(&ev.reqs);
}

bool nhrp_event_connected(void)
{
	return ev.fd >= 0;
}

/* ---- answers ----------------------------------------------------------------- */

static bool parse_id(const char *s, uint32_t *id)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (*s - '0');
	}
	if (v == 0 || v > UINT32_MAX)
		return false;
	*id = v;
	return true;
}

static void msg_line(struct ev_msg *m, char *line, size_t len, bool too_long)
{
	char *eq;

	m->lines++;
	if (too_long) {
		m->bad = true;
		return;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) {
			m->bad = true;
			return;
		}
	line[len] = '\0';
	eq = strchr(line, '=');
	if (!eq || eq == line) {
		m->bad = true;
		return;
	}
	*eq++ = '\0';
	if (strcmp(line, "eventid") == 0) {
		if (m->has_id || !parse_id(eq, &m->id))
			m->bad = true;
		m->has_id = true;
	} else if (strcmp(line, "result") == 0) {
		if (m->has_result || !*eq || strlen(eq) >= sizeof(m->result))
			m->bad = true;
		else
			strlcpy(m->result, eq, sizeof(m->result));
		m->has_result = true;
	}
	/* other keys: FRR ignores them too */
}

static void msg_end(struct ev_msg *m)
{
	struct ev_req key, *r;

	if (m->lines == 0)
		return; /* blank lines between messages */
	if (m->bad) {
		zlog_warn("event socket %s: unreadable message ignored%s",
			  ev.path, m->has_id ? " (it had an event id)" : "");
		return;
	}
	ev.heard = true;
	if (!m->has_id || !m->has_result) {
		nhrp_debug(EVENT, "event socket: message without %s ignored",
			   m->has_id ? "result" : "eventid");
		return;
	}
	key.id = m->id;
	r = ev_reqs_find(&ev.reqs, &key);
	if (!r) {
		nhrp_debug(EVENT, "event %u: answer %s for no pending request",
			   m->id, m->result);
		return;
	}
	/* as FRR: only "accept" accepts */
	req_done(r, strcmp(m->result, "accept") == 0, m->result);
}

static void feed(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != '\n') {
			if (ev.line_len < sizeof(ev.line) - 1)
				ev.line[ev.line_len++] = p[i];
			else
				ev.line_long = true;
			continue;
		}
		if (ev.line_len == 0 && !ev.line_long) {
			msg_end(&ev.msg);
			memset(&ev.msg, 0, sizeof(ev.msg));
		} else
			msg_line(&ev.msg, ev.line, ev.line_len, ev.line_long);
		ev.line_len = 0;
		ev.line_long = false;
		if (ev.fd < 0)
			return; /* a callback changed the configuration */
	}
}

static void ev_read(struct thread *t)
{
	char buf[4096];
	ssize_t n = recv(ev.fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0) {
		connection_lost("closed by the helper");
		return;
	}
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			thread_add_read(master, ev_read, NULL, ev.fd,
					&ev.t_read);
		else
			connection_lost(safe_strerror(errno));
		return;
	}
	thread_add_read(master, ev_read, NULL, ev.fd, &ev.t_read);
	feed(buf, n);
}

static void ev_connect(struct thread *t)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct ev_req *r;
	int fd;

	if (ev.fd >= 0 || !ev.path[0])
		return;
	strlcpy(sun.sun_path, ev.path, sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		if (!ev.warned)
			zlog_warn("event socket %s: cannot connect: %s (trying again)",
				  ev.path, safe_strerror(errno));
		ev.warned = true;
		if (fd >= 0)
			close(fd);
		schedule_connect(ev.retry_ms);
		ev.retry_ms = MIN(ev.retry_ms * 2, RETRY_MAX_MS);
		return;
	}
	zlog_info("event socket %s: connected%s", ev.path,
		  ev_reqs_count(&ev.reqs) ? ", sending the pending requests"
					  : "");
	ev.warned = false;
	ev.fd = fd;
	thread_add_read(master, ev_read, NULL, fd, &ev.t_read);
	frr_each (ev_reqs, &ev.reqs, r)
		queue_out(r, true);
	flush_out();
}

/* ---- configuration ----------------------------------------------------------- */

void nhrp_event_config(void)
{
	struct ev_req *r;

	if (strcmp(ev.path, nhrp_conf.event_socket) == 0) {
		if (ev.path[0] && ev.fd < 0 && !ev.t_connect)
			schedule_connect(0);
		return;
	}
	if (ev.fd >= 0)
		zlog_info("event socket %s: disconnected (configuration)",
			  ev.path);
	disconnect();
	THREAD_OFF(ev.t_connect);
	strlcpy(ev.path, nhrp_conf.event_socket, sizeof(ev.path));
	ev.warned = ev.heard = false;
	ev.retry_ms = RETRY_FIRST_MS;
	if (ev.path[0]) {
		schedule_connect(0);
		return;
	}
	/* no helper any more: what waited for one is accepted, as a new
	 * request would be */
	while ((r = ev_reqs_first(&ev.reqs)))
		req_done(r, true, "event socket removed");
}

void nhrp_event_fini(void)
{
	struct ev_req *r;

	disconnect();
	THREAD_OFF(ev.t_connect);
	while ((r = ev_reqs_first(&ev.reqs)))
		req_free(r);
	XFREE(MTYPE_NHRP_EVENT_BUF, ev.out);
	ev.out_size = 0;
	ev.path[0] = '\0';
}
