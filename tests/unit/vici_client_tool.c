// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vici_client_tool SOCKET [-d]: nhrpd's VICI client (nhrpd/nhrp_vici.c) on
 * FRR's event loop, alone, for tests/test_vici_client.py.
 *
 * Every callback of the client is printed on stdout as one JSON line
 * ({"cb": "connection", "up": true}, {"cb": "sa", "kind": "IKE_UP", ...},
 * {"cb": "resync_end", "complete": true}, {"cb": "reply", ...}); the log
 * goes to stderr (-d: with `debug nhrp vici`).  Commands on stdin, one a
 * line:
 *   terminate ID          nhrp_vici_terminate_ike(ID)
 *   request NAME [K=V]... any command with key/values
 *   resync                nhrp_vici_resync()
 *   socket PATH           nhrp_vici_set_socket(PATH)
 *   stats                 print the counters
 *   quit                  nhrp_vici_fini() and exit
 * Each command prints {"cb": "cmd", "rc": N} (N: the call's result).
 */
#include "nhrpd/nhrpd.h"

#include "log.h"
#include "nhrpd/nhrp_vici.h"

DEFINE_MGROUP(NHRPD, "NHRP");

struct thread_master *master;
unsigned int nhrp_debug_flags;

static FILE *out;	/* the JSON lines (the real stdout) */
static struct thread *t_stdin;
static char line[4096];
static size_t linelen;
static unsigned int tags;

static void put_str(const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void put_wstr(struct vici_str s)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%.*s", (int)s.len, s.p ? s.p : "");
	put_str(buf);
}

static void put_child(const struct vici_child_sa *c)
{
	fprintf(out, "{\"name\": ");
	put_str(c->name);
	fprintf(out, ", \"uniqueid\": %u, \"reqid\": %u, \"state\": \"%s\", "
	       "\"transport\": %s, \"esp\": %s, \"spi_in\": %u, \"spi_out\": %u}",
	       c->uniqueid, c->reqid, vici_child_state_name(c->state),
	       c->transport ? "true" : "false", c->esp ? "true" : "false",
	       c->spi_in, c->spi_out);
}

static void put_ike(const struct vici_ike_sa *sa)
{
	fprintf(out, "{\"name\": ");
	put_str(sa->name);
	fprintf(out, ", \"uniqueid\": %u, \"version\": %u, \"state\": \"%s\", "
	       "\"initiator\": %s, \"local_host\": ",
	       sa->uniqueid, sa->version, vici_ike_state_name(sa->state),
	       sa->initiator ? "true" : "false");
	put_str(sa->local_host);
	fprintf(out, ", \"remote_host\": ");
	put_str(sa->remote_host);
	fprintf(out, ", \"remote_addr_len\": %u, \"local_id\": ",
	       sa->remote_addr_len);
	put_str(sa->local_id);
	fprintf(out, ", \"remote_id\": ");
	put_str(sa->remote_id);
	fprintf(out, ", \"child_total\": %u, \"children\": [", sa->child_total);
	for (unsigned int i = 0; i < sa->nchild; i++) {
		if (i)
			fprintf(out, ", ");
		put_child(&sa->child[i]);
	}
	fprintf(out, "]}");
}

static const char *kind_name(enum nhrp_vici_sa_kind k)
{
	switch (k) {
	case NHRP_VICI_IKE_UP:
		return "IKE_UP";
	case NHRP_VICI_IKE_DOWN:
		return "IKE_DOWN";
	case NHRP_VICI_IKE_REKEYED:
		return "IKE_REKEYED";
	case NHRP_VICI_CHILD_UP:
		return "CHILD_UP";
	case NHRP_VICI_CHILD_DOWN:
		return "CHILD_DOWN";
	case NHRP_VICI_CHILD_REKEYED:
		return "CHILD_REKEYED";
	case NHRP_VICI_SA_LISTED:
		return "SA_LISTED";
	}
	return "?";
}

static void cb_sa(const struct nhrp_vici_sa_event *ev, void *arg)
{
	fprintf(out, "{\"cb\": \"sa\", \"kind\": \"%s\", \"ike\": ",
	       kind_name(ev->kind));
	put_ike(ev->ike);
	if (ev->old_ike) {
		fprintf(out, ", \"old_ike\": ");
		put_ike(ev->old_ike);
	}
	if (ev->child) {
		fprintf(out, ", \"child\": ");
		put_child(ev->child);
	}
	if (ev->old_child) {
		fprintf(out, ", \"old_child\": ");
		put_child(ev->old_child);
	}
	fprintf(out, "}\n");
	fflush(out);
}

static void cb_resync_begin(void *arg)
{
	fprintf(out, "{\"cb\": \"resync_begin\"}\n");
	fflush(out);
}

static void cb_resync_end(bool complete, void *arg)
{
	fprintf(out, "{\"cb\": \"resync_end\", \"complete\": %s}\n",
	       complete ? "true" : "false");
	fflush(out);
}

static void cb_connection(bool up, void *arg)
{
	fprintf(out, "{\"cb\": \"connection\", \"up\": %s}\n", up ? "true" : "false");
	fflush(out);
}

static const struct nhrp_vici_ops ops = {
	.sa = cb_sa,
	.resync_begin = cb_resync_begin,
	.resync_end = cb_resync_end,
	.connection = cb_connection,
};

/* a reply: its type and top-level key/values */
static void cb_reply(const struct vici_packet *p, void *arg)
{
	unsigned int tag = (unsigned int)(uintptr_t)arg;
	struct vici_iter it;
	struct vici_elem e;
	bool first = true;

	fprintf(out, "{\"cb\": \"reply\", \"tag\": %u, \"op\": ", tag);
	if (!p) {
		fprintf(out, "null}\n");
		fflush(out);
		return;
	}
	fprintf(out, "\"%s\", \"msg\": {", vici_op_name(p->op));
	vici_iter_init(&it, p->msg);
	while (vici_next(&it, &e) > 0) {
		if (e.type != VICI_KEY_VALUE)
			continue;
		fprintf(out, "%s", first ? "" : ", ");
		put_wstr(e.name);
		fprintf(out, ": ");
		put_wstr(e.value);
		first = false;
	}
	fprintf(out, "}}\n");
	fflush(out);
}

static int do_request(char *args)
{
	static uint8_t buf[65536];
	struct vici_builder b;
	char *name = strtok(args, " "), *kv;
	int n;

	if (!name)
		return -2;
	vici_build_init(&b, buf, sizeof(buf), VICI_CMD_REQUEST, name);
	while ((kv = strtok(NULL, " "))) {
		char *eq = strchr(kv, '=');

		if (!eq)
			return -2;
		*eq = '\0';
		vici_build_kv_str(&b, kv, eq + 1);
	}
	n = vici_build_finish(&b);
	if (n < 0)
		return -2;
	return nhrp_vici_request(buf, (size_t)n, cb_reply,
				 (void *)(uintptr_t)++tags);
}

static void command(char *cmd)
{
	int rc = -2;

	if (strncmp(cmd, "terminate ", 10) == 0)
		rc = nhrp_vici_terminate_ike((uint32_t)strtoul(cmd + 10, NULL,
							      10),
					     cb_reply,
					     (void *)(uintptr_t)++tags);
	else if (strncmp(cmd, "request ", 8) == 0)
		rc = do_request(cmd + 8);
	else if (strcmp(cmd, "resync") == 0)
		rc = nhrp_vici_resync();
	else if (strncmp(cmd, "socket ", 7) == 0)
		rc = nhrp_vici_set_socket(cmd + 7);
	else if (strcmp(cmd, "stats") == 0) {
		const struct nhrp_vici_stats *s = nhrp_vici_get_stats();

		fprintf(out, "{\"cb\": \"stats\", \"connects\": %" PRIu64
		       ", \"connect_failures\": %" PRIu64
		       ", \"disconnects\": %" PRIu64 ", \"malformed\": %" PRIu64
		       ", \"events\": %" PRIu64 ", \"bad_events\": %" PRIu64
		       ", \"requests\": %" PRIu64 ", \"resyncs\": %" PRIu64
		       ", \"connected\": %s, \"socket\": ",
		       s->connects, s->connect_failures, s->disconnects,
		       s->malformed, s->events, s->bad_events, s->requests,
		       s->resyncs, nhrp_vici_connected() ? "true" : "false");
		put_str(nhrp_vici_socket());
		fprintf(out, "}\n");
		rc = 0;
	} else if (strcmp(cmd, "quit") == 0) {
		nhrp_vici_fini();
		fprintf(out, "{\"cb\": \"cmd\", \"rc\": 0}\n");
		fflush(out);
		exit(0);
	}
	fprintf(out, "{\"cb\": \"cmd\", \"rc\": %d, \"tag\": %u}\n", rc, tags);
	fflush(out);
}

static void stdin_read(struct thread *t)
{
	ssize_t n = read(0, line + linelen, sizeof(line) - 1 - linelen);
	char *nl;

	if (n <= 0) {
		nhrp_vici_fini();
		exit(0);
	}
	linelen += (size_t)n;
	line[linelen] = '\0';
	while ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		command(line);
		memmove(line, nl + 1, linelen - (size_t)(nl + 1 - line) + 1);
		linelen -= (size_t)(nl + 1 - line);
	}
	if (linelen >= sizeof(line) - 1)
		linelen = 0;
	thread_add_read(master, stdin_read, NULL, 0, &t_stdin);
}

int main(int argc, char **argv)
{
	struct thread thread;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SOCKET [-d]\n", argv[0]);
		return 2;
	}
	/* FRR's auxiliary log writes to fd 1: our JSON gets the real stdout
	 * on another descriptor, fd 1 becomes stderr */
	out = fdopen(dup(1), "w");
	if (!out || dup2(2, 1) < 0)
		return 2;
	zlog_aux_init("vici_client_tool: ", LOG_DEBUG);
	if (argc > 2 && strcmp(argv[2], "-d") == 0)
		nhrp_debug_flags = NHRP_DEBUG_VICI;
	master = thread_master_create("vici_client_tool");
	nhrp_vici_init(master, NULL, argv[1], &ops, NULL);
	thread_add_read(master, stdin_read, NULL, 0, &t_stdin);
	while (thread_fetch(master, &thread))
		thread_call(&thread);
	return 0;
}
