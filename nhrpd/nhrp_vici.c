// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the strongSwan VICI client (see nhrp_vici.h).  The wire format is
 * nhrp_vici_msg.c's; this file only moves frames and keeps the connection.
 */
#include "nhrpd.h"

#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"
#include "privs.h"
#include "network.h"
#include "nhrpd/nhrp_vici.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_VICI_REQ, "NHRP VICI request");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_VICI_BUF, "NHRP VICI buffer");

#define RETRY_MIN_MS	500
#define RETRY_MAX_MS	5000
#define READ_CHUNK	65536
#define READS_PER_CALL	16	/* then yield to the event loop */

/* what we register for; list-sa carries the list-sas answer */
static const char *const vici_events[] = {
	"ike-updown", "child-updown", "ike-rekey", "child-rekey", "list-sa",
};

enum req_kind {
	REQ_USER,	/* nhrp_vici_request(): the caller's callback */
	REQ_REGISTER,	/* our event registrations */
	REQ_LIST_SAS,	/* our resync */
};

PREDECL_DLIST(vici_reqs);
struct vici_req {
	struct vici_reqs_item item;
	enum req_kind kind;
	char name[64];		/* command or event, for the log */
	nhrp_vici_reply_cb cb;
	void *arg;
};
DECLARE_DLIST(vici_reqs, struct vici_req, item);

static struct {
	bool running;
	struct thread_master *master;
	struct zebra_privs_t *privs;
	const struct nhrp_vici_ops *ops;
	void *arg;
	char path[NHRP_VICI_SOCKET_MAX];

	int fd;			/* -1: not connected */
	bool connecting;	/* connect() in progress */
	bool resyncing;
	unsigned int gen;	/* bumped at every disconnect */
	struct thread *t_read, *t_write, *t_retry;
	unsigned int retry_ms;
	/* one warning per outage, not one per retry: outage_logged is set
	 * by the first warning and cleared by the next complete resync;
	 * announced by the "connected" notice after it */
	bool outage_logged, announced;
	int logged_errno;	/* the connect error last logged */
	bool event_warned;	/* an unusable event was logged (this
				 * connection) */

	/* requests written, waiting for their answers (in order) */
	struct vici_reqs_head sent;

	uint8_t *ibuf;
	size_t ilen, isize;
	uint8_t *obuf;
	size_t olen, osize;

	struct nhrp_vici_stats stats;
} vc = {.fd = -1};

/* the parsed event, kept out of the stack (several KiB) */
static struct vici_sa_event vc_ev;

static void vici_connect(struct thread *t);
static void vici_write(struct thread *t);

static const char *vici_path(void)
{
	return vc.path[0] ? vc.path : NHRP_VICI_DEFAULT_SOCKET;
}

/* ---- queue and buffers -------------------------------------------- */

static void buf_reserve(uint8_t **buf, size_t *size, size_t need)
{
	size_t n = *size ? *size : 4096;

	if (need <= *size)
		return;
	while (n < need)
		n *= 2;
	*buf = XREALLOC(MTYPE_NHRP_VICI_BUF, *buf, n);
	*size = n;
}

static void out_append(const uint8_t *frame, size_t len)
{
	buf_reserve(&vc.obuf, &vc.osize, vc.olen + len);
	memcpy(vc.obuf + vc.olen, frame, len);
	vc.olen += len;
	if (vc.fd >= 0 && !vc.connecting)
		thread_add_write(vc.master, vici_write, NULL, vc.fd,
				 &vc.t_write);
}

static struct vici_req *req_new(enum req_kind kind, const char *name,
				nhrp_vici_reply_cb cb, void *arg)
{
	struct vici_req *r = XCALLOC(MTYPE_NHRP_VICI_REQ, sizeof(*r));

	r->kind = kind;
	strlcpy(r->name, name, sizeof(r->name));
	r->cb = cb;
	r->arg = arg;
	vici_reqs_add_tail(&vc.sent, r);
	return r;
}

/* ---- connection --------------------------------------------------- */

/* a warning, the first of an outage; later ones go to the debug log */
static void outage(const char *what, const char *detail)
{
	if (!vc.outage_logged)
		zlog_warn("VICI: %s %s (%s); retrying until it is back", what,
			  vici_path(), detail);
	else
		nhrp_debug(VICI, "VICI: again: %s %s (%s)", what,
			   vici_path(), detail);
	if (!vc.outage_logged)
		vc.announced = false;
	vc.outage_logged = true;
}

static void schedule_retry(void)
{
	unsigned int ms = vc.retry_ms ? vc.retry_ms : RETRY_MIN_MS;

	thread_add_timer_msec(vc.master, vici_connect, NULL, ms, &vc.t_retry);
	vc.retry_ms = MIN(ms * 2, RETRY_MAX_MS);
}

/* drop the connection; fail what waits for an answer; retry later */
static void vici_reset(const char *why)
{
	struct vici_req *r;
	bool was_up = vc.fd >= 0 && !vc.connecting;
	bool resyncing = vc.resyncing;

	THREAD_OFF(vc.t_read);
	THREAD_OFF(vc.t_write);
	if (vc.fd >= 0)
		close(vc.fd);
	vc.fd = -1;
	vc.connecting = false;
	vc.resyncing = false;
	vc.gen++;
	vc.ilen = vc.olen = 0;
	if (was_up && vc.running) {
		vc.stats.disconnects++;
		outage("lost the connection to charon at", why);
	}
	while ((r = vici_reqs_pop(&vc.sent))) {
		if (r->cb)
			r->cb(NULL, r->arg);
		XFREE(MTYPE_NHRP_VICI_REQ, r);
	}
	if (resyncing && vc.ops && vc.ops->resync_end)
		vc.ops->resync_end(false, vc.arg);
	if (was_up && vc.ops && vc.ops->connection)
		vc.ops->connection(false, vc.arg);
	if (vc.running)
		schedule_retry();
}

static void connect_failed(int err)
{
	vc.stats.connect_failures++;
	/* after a loss, "not there" is what a restarting charon looks
	 * like; another reason (permissions...) is worth its own line */
	if (vc.outage_logged && err != vc.logged_errno && err != ENOENT &&
	    err != ECONNREFUSED)
		vc.outage_logged = false;
	outage("cannot connect to charon at", safe_strerror(err));
	vc.logged_errno = err;
	if (vc.fd >= 0)
		close(vc.fd);
	vc.fd = -1;
	vc.connecting = false;
	schedule_retry();
}

static int send_register(const char *event)
{
	uint8_t buf[VICI_HDR_LEN + 2 + VICI_NAME_MAX];
	struct vici_builder b;
	int n;

	vici_build_init(&b, buf, sizeof(buf), VICI_EVENT_REGISTER, event);
	n = vici_build_finish(&b);
	if (n < 0)
		return -1;
	req_new(REQ_REGISTER, event, NULL, NULL);
	out_append(buf, (size_t)n);
	return 0;
}

static void send_list_sas(void)
{
	uint8_t buf[64];
	struct vici_builder b;
	int n;

	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "list-sas");
	n = vici_build_finish(&b);
	assert(n > 0);
	req_new(REQ_LIST_SAS, "list-sas", NULL, NULL);
	out_append(buf, (size_t)n);
	vc.resyncing = true;
	nhrp_debug(VICI, "VICI: resync: list-sas");
	if (vc.ops && vc.ops->resync_begin)
		vc.ops->resync_begin(vc.arg);
}

static void vici_read(struct thread *t);

static void connected(void)
{
	vc.connecting = false;
	vc.stats.connects++;
	vc.event_warned = false;
	if (vc.outage_logged && !vc.announced)
		zlog_notice("VICI: connected to charon at %s", vici_path());
	else
		nhrp_debug(VICI, "VICI: connection to charon at %s up",
			   vici_path());
	vc.announced = true;
	vc.logged_errno = 0;
	thread_add_read(vc.master, vici_read, NULL, vc.fd, &vc.t_read);
	if (vc.ops && vc.ops->connection)
		vc.ops->connection(true, vc.arg);
	if (vc.fd < 0)
		return; /* the callback changed the socket */
	for (size_t i = 0; i < array_size(vici_events); i++)
		send_register(vici_events[i]);
	send_list_sas();
}

static void connect_done(struct thread *t)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(vc.fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		connect_failed(err);
		return;
	}
	connected();
}

static void vici_connect(struct thread *t)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	int fd, ret = -1, err = 0;

	if (!vc.running || vc.fd >= 0)
		return;
	strlcpy(sun.sun_path, vici_path(), sizeof(sun.sun_path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		connect_failed(errno);
		return;
	}
	vc.fd = fd;
	frr_with_privs (vc.privs) {	/* NULL: as we are */
		ret = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		err = errno;
	}
	if (ret == 0) {
		connected();
		return;
	}
	if (err == EINPROGRESS) {
		vc.connecting = true;
		thread_add_write(vc.master, connect_done, NULL, fd,
				 &vc.t_write);
		return;
	}
	connect_failed(err);
}

/* ---- incoming frames ----------------------------------------------- */

static void protocol_error(const char *fmt, const char *detail, size_t off)
{
	char why[128];

	vc.stats.malformed++;
	snprintf(why, sizeof(why), "%s: %s, byte %zu", fmt, detail, off);
	outage("dropped the connection to charon at", why);
	vici_reset(why);
}

static void deliver_event(const struct vici_packet *p)
{
	struct vici_sa_event *ev = &vc_ev;
	struct nhrp_vici_sa_event out = {};
	int ret;

	if (!vici_sa_event_type(p->name)) {
		nhrp_debug(VICI, "VICI: event %.*s ignored", (int)p->name.len,
			   p->name.p);
		return;
	}
	ret = vici_parse_event(p, ev);
	if (ret < 0) {
		vc.stats.bad_events++;
		if (!vc.event_warned)
			zlog_warn("VICI: unusable %.*s event from charon ignored",
				  (int)p->name.len, p->name.p);
		else
			nhrp_debug(VICI, "VICI: again: unusable %.*s event ignored",
				   (int)p->name.len, p->name.p);
		vc.event_warned = true;
		return;
	}
	out.ike = &ev->ike;
	switch (ev->type) {
	case VICI_SA_EV_IKE_UPDOWN:
		out.kind = ev->up ? NHRP_VICI_IKE_UP : NHRP_VICI_IKE_DOWN;
		break;
	case VICI_SA_EV_IKE_REKEY:
		out.kind = NHRP_VICI_IKE_REKEYED;
		out.old_ike = &ev->old_ike;
		break;
	case VICI_SA_EV_CHILD_UPDOWN:
		out.kind = ev->up ? NHRP_VICI_CHILD_UP : NHRP_VICI_CHILD_DOWN;
		out.child = &ev->ike.child[0];
		break;
	case VICI_SA_EV_CHILD_REKEY:
		out.kind = NHRP_VICI_CHILD_REKEYED;
		out.child = &ev->ike.child[0];
		out.old_child = &ev->old_child;
		break;
	case VICI_SA_EV_LIST_SA:
		out.kind = NHRP_VICI_SA_LISTED;
		break;
	}
	nhrp_debug(VICI,
		   "VICI: %.*s%s: IKE SA %s #%u %s %s[%s] -> %s[%s], %u child SA%s",
		   (int)p->name.len, p->name.p,
		   ev->type == VICI_SA_EV_IKE_UPDOWN ||
				   ev->type == VICI_SA_EV_CHILD_UPDOWN
			   ? (ev->up ? " up" : " down")
			   : "",
		   ev->ike.name, ev->ike.uniqueid,
		   vici_ike_state_name(ev->ike.state), ev->ike.local_host,
		   ev->ike.local_id, ev->ike.remote_host, ev->ike.remote_id,
		   ev->ike.nchild, ev->ike.nchild == 1 ? "" : "s");
	if (out.child)
		nhrp_debug(VICI, "VICI:   child SA %s #%u reqid %u %s%s",
			   out.child->name, out.child->uniqueid,
			   out.child->reqid,
			   vici_child_state_name(out.child->state),
			   out.old_child ? " (rekeyed)" : "");
	vc.stats.events++;
	if (vc.ops && vc.ops->sa)
		vc.ops->sa(&out, vc.arg);
}

/* the answer to the oldest request */
static void deliver_reply(const struct vici_packet *p)
{
	struct vici_req *r = vici_reqs_first(&vc.sent);
	bool reg_reply = p->op == VICI_EVENT_CONFIRM ||
			 p->op == VICI_EVENT_UNKNOWN;

	if (!r || (r->kind == REQ_REGISTER) != reg_reply) {
		protocol_error("unexpected answer", vici_op_name(p->op), 0);
		return;
	}
	vici_reqs_del(&vc.sent, r);
	vc.stats.requests++;
	switch (r->kind) {
	case REQ_REGISTER:
		if (p->op == VICI_EVENT_UNKNOWN) {
			zlog_warn("VICI: charon does not know the event %s",
				  r->name);
		} else
			nhrp_debug(VICI, "VICI: registered for %s", r->name);
		break;
	case REQ_LIST_SAS:
		vc.resyncing = false;
		if (p->op == VICI_CMD_UNKNOWN) {
			zlog_warn("VICI: charon does not know list-sas");
			if (vc.ops && vc.ops->resync_end)
				vc.ops->resync_end(false, vc.arg);
			break;
		}
		vc.stats.resyncs++;
		/* a complete exchange: the connection is healthy */
		vc.retry_ms = 0;
		vc.outage_logged = false;
		nhrp_debug(VICI, "VICI: resync done");
		if (vc.ops && vc.ops->resync_end)
			vc.ops->resync_end(true, vc.arg);
		break;
	case REQ_USER:
		if (p->op == VICI_CMD_UNKNOWN)
			nhrp_debug(VICI, "VICI: charon does not know %s",
				   r->name);
		if (r->cb)
			r->cb(p, r->arg);
		break;
	}
	XFREE(MTYPE_NHRP_VICI_REQ, r);
}

static void handle_frame(const uint8_t *buf, size_t len)
{
	struct vici_packet p;
	int ret = vici_decode(buf, len, &p);

	if (ret < 0) {
		protocol_error("malformed frame", vici_reason_name(ret),
			       p.fault_off);
		return;
	}
	switch (p.op) {
	case VICI_EVENT:
		deliver_event(&p);
		break;
	case VICI_CMD_RESPONSE:
	case VICI_CMD_UNKNOWN:
	case VICI_EVENT_CONFIRM:
	case VICI_EVENT_UNKNOWN:
		deliver_reply(&p);
		break;
	default:
		protocol_error("unexpected frame", vici_op_name(p.op), 0);
	}
}

/* every whole frame in ibuf; false when the connection went away */
static bool process_input(void)
{
	unsigned int gen = vc.gen;
	size_t pos = 0;

	while (vc.ilen - pos >= VICI_HDR_LEN) {
		size_t flen;
		int ret = vici_frame_len(vc.ibuf + pos, vc.ilen - pos, &flen);

		if (ret < 0) {
			protocol_error("bad frame length", vici_reason_name(ret),
				       pos);
			return false;
		}
		if (flen > vc.ilen - pos)
			break; /* the rest comes with the next reads */
		handle_frame(vc.ibuf + pos, flen);
		if (gen != vc.gen)
			return false;
		pos += flen;
	}
	if (pos) {
		memmove(vc.ibuf, vc.ibuf + pos, vc.ilen - pos);
		vc.ilen -= pos;
	}
	return true;
}

static void vici_read(struct thread *t)
{
	for (int i = 0; i < READS_PER_CALL; i++) {
		ssize_t n;

		buf_reserve(&vc.ibuf, &vc.isize, vc.ilen + READ_CHUNK);
		n = read(vc.fd, vc.ibuf + vc.ilen, vc.isize - vc.ilen);
		if (n == 0) {
			vici_reset("charon closed it");
			return;
		}
		if (n < 0) {
			if (ERRNO_IO_RETRY(errno))
				break;
			vici_reset(safe_strerror(errno));
			return;
		}
		vc.ilen += (size_t)n;
		if (!process_input())
			return;
	}
	thread_add_read(vc.master, vici_read, NULL, vc.fd, &vc.t_read);
}

static void vici_write(struct thread *t)
{
	while (vc.olen) {
		ssize_t n = send(vc.fd, vc.obuf, vc.olen, MSG_NOSIGNAL);

		if (n < 0) {
			if (ERRNO_IO_RETRY(errno)) {
				thread_add_write(vc.master, vici_write, NULL,
						 vc.fd, &vc.t_write);
				return;
			}
			vici_reset(safe_strerror(errno));
			return;
		}
		memmove(vc.obuf, vc.obuf + n, vc.olen - (size_t)n);
		vc.olen -= (size_t)n;
	}
}

/* ---- API -------------------------------------------------------------- */

void nhrp_vici_init(struct thread_master *tm, struct zebra_privs_t *privs,
		    const char *socket, const struct nhrp_vici_ops *ops,
		    void *arg)
{
	if (vc.running)
		nhrp_vici_fini();
	vc.master = tm;
	vc.privs = privs;
	vc.ops = ops;
	vc.arg = arg;
	vc.fd = -1;
	vc.retry_ms = 0;
	vc.logged_errno = 0;
	vc.outage_logged = vc.announced = false;
	memset(&vc.stats, 0, sizeof(vc.stats));
	vici_reqs_init(&vc.sent);
	vc.path[0] = '\0';
	if (socket && strlen(socket) < sizeof(vc.path))
		strlcpy(vc.path, socket, sizeof(vc.path));
	else if (socket)
		zlog_warn("VICI: socket path too long, using %s",
			  NHRP_VICI_DEFAULT_SOCKET);
	vc.running = true;
	thread_add_event(tm, vici_connect, NULL, 0, &vc.t_retry);
}

void nhrp_vici_fini(void)
{
	if (!vc.running)
		return;
	vc.running = false;
	THREAD_OFF(vc.t_retry);
	vici_reset("nhrpd stops");
	vici_reqs_fini(&vc.sent);
	XFREE(MTYPE_NHRP_VICI_BUF, vc.ibuf);
	XFREE(MTYPE_NHRP_VICI_BUF, vc.obuf);
	vc.isize = vc.osize = vc.ilen = vc.olen = 0;
}

int nhrp_vici_set_socket(const char *socket)
{
	const char *old = vici_path();

	if (!socket)
		socket = "";
	if (strlen(socket) >= sizeof(vc.path))
		return -1;
	if (strcmp(socket[0] ? socket : NHRP_VICI_DEFAULT_SOCKET, old) == 0)
		return 0;
	strlcpy(vc.path, socket, sizeof(vc.path));
	if (!vc.running)
		return 0;
	nhrp_debug(VICI, "VICI: socket now %s", vici_path());
	vc.logged_errno = 0;
	vc.retry_ms = 0;
	THREAD_OFF(vc.t_retry);
	vc.outage_logged = true; /* asked for: no warning */
	if (vc.fd >= 0)
		vici_reset("socket changed");
	vc.outage_logged = vc.announced = false;
	THREAD_OFF(vc.t_retry);
	thread_add_event(vc.master, vici_connect, NULL, 0, &vc.t_retry);
	return 0;
}

const char *nhrp_vici_socket(void)
{
	return vici_path();
}

bool nhrp_vici_connected(void)
{
	return vc.fd >= 0 && !vc.connecting;
}

bool nhrp_vici_resyncing(void)
{
	return vc.resyncing;
}

const struct nhrp_vici_stats *nhrp_vici_get_stats(void)
{
	return &vc.stats;
}

int nhrp_vici_request(const uint8_t *frame, size_t len, nhrp_vici_reply_cb cb,
		      void *arg)
{
	struct vici_packet p;
	char name[VICI_NAME_MAX + 1];

	if (!nhrp_vici_connected())
		return -1;
	if (vici_decode(frame, len, &p) < 0 || p.op != VICI_CMD_REQUEST ||
	    p.frame_len != len)
		return -1;
	snprintf(name, sizeof(name), "%.*s", (int)p.name.len, p.name.p);
	req_new(REQ_USER, name, cb, arg);
	out_append(frame, len);
	nhrp_debug(VICI, "VICI: request %s queued", name);
	return 0;
}

struct terminate_ctx {
	uint32_t ike_id;
	nhrp_vici_reply_cb cb;
	void *arg;
};

static void terminate_done(const struct vici_packet *reply, void *arg)
{
	struct terminate_ctx *ctx = arg;
	char err[256];

	if (reply && reply->op == VICI_CMD_RESPONSE &&
	    !vici_find_yes(reply->msg, "success")) {
		if (vici_find_str(reply->msg, "errmsg", err, sizeof(err)) < 0)
			strlcpy(err, "no reason given", sizeof(err));
		nhrp_debug(VICI, "VICI: terminate IKE SA #%u: %s", ctx->ike_id,
			   err);
	} else if (reply)
		nhrp_debug(VICI, "VICI: terminate IKE SA #%u: %s", ctx->ike_id,
			   reply->op == VICI_CMD_RESPONSE ? "done"
							  : "unknown command");
	if (ctx->cb)
		ctx->cb(reply, ctx->arg);
	XFREE(MTYPE_NHRP_VICI_REQ, ctx);
}

int nhrp_vici_terminate_ike(uint32_t ike_id, nhrp_vici_reply_cb cb, void *arg)
{
	uint8_t buf[128];
	struct vici_builder b;
	struct terminate_ctx *ctx;
	int n;

	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, "terminate");
	vici_build_kv_uint(&b, "ike-id", ike_id);
	vici_build_kv_str(&b, "timeout", "-1");
	n = vici_build_finish(&b);
	if (n < 0 || !nhrp_vici_connected())
		return -1;
	ctx = XCALLOC(MTYPE_NHRP_VICI_REQ, sizeof(*ctx));
	ctx->ike_id = ike_id;
	ctx->cb = cb;
	ctx->arg = arg;
	if (nhrp_vici_request(buf, (size_t)n, terminate_done, ctx) < 0) {
		XFREE(MTYPE_NHRP_VICI_REQ, ctx);
		return -1;
	}
	return 0;
}

int nhrp_vici_resync(void)
{
	if (!nhrp_vici_connected())
		return -1;
	if (!vc.resyncing)
		send_list_sas();
	return 0;
}
