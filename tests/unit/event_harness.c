// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event socket client (nhrpd/nhrp_event.c) alone on FRR's event loop,
 * driven line by line from stdin; tests/test_event_socket.py plays the
 * helper at the other end of the socket.  Commands:
 *
 *   config PATH|- SECONDS open|closed  set the socket (- = none), the
 *                                      timeout and the policy
 *   auth TAG IFNAME REMOTE NBMA TYPE   authorise a binding; prints
 *                                      "id TAG N", later "done TAG accept|refuse"
 *   cancel TAG                         cancel TAG's request
 *   pending | connected                print "pending N" / "connected 0|1"
 *   quit                               nhrp_event_fini() and exit
 *
 * Every command answers one line ("ok" when nothing else); errors are
 * "error ..." lines.  The log goes to stderr (FRR's aux log writes to
 * stdout: stdout is moved to stderr, the answers keep the original).
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_event.h"

DEFINE_MGROUP(NHRPD, "NHRP");

struct thread_master *master;
unsigned int nhrp_debug_flags = NHRP_DEBUG_EVENT;
struct nhrp_global_conf nhrp_conf = {
	.packet_buffer = NHRP_PACKET_BUFFER_DEFAULT,
};

#define MAX_TAGS 64
static struct tag {
	char name[32];
	uint32_t id;
	bool used;
} tags[MAX_TAGS];

static FILE *out;
static struct thread *t_stdin;
static char inbuf[4096];
static size_t inlen;

static void done(void *arg, bool accept)
{
	struct tag *t = arg;

	fprintf(out, "done %s %s\n", t->name, accept ? "accept" : "refuse");
	fflush(out);
	t->used = false;
}

static struct tag *tag_find(const char *name)
{
	for (int i = 0; i < MAX_TAGS; i++)
		if (tags[i].used && strcmp(tags[i].name, name) == 0)
			return &tags[i];
	return NULL;
}

static bool addr(const char *s, struct ipaddr *ip)
{
	return str2ipaddr(s, ip) == 0;
}

static void cmd_auth(char **w, int n)
{
	struct nhrp_event_binding b = {
		.type = n > 5 ? w[5] : "dynamic",
		.old_type = "invalid",
		.num_nhs = 0,
	};
	static const uint8_t cert[] = {0x30, 0x82, 0x01, 0xab};
	struct tag *t = NULL;
	uint32_t id;

	if (n < 5 || tag_find(w[1])) {
		fprintf(out, "error usage: auth TAG IFNAME REMOTE NBMA [TYPE]\n");
		return;
	}
	b.ifname = w[2];
	if (!addr(w[3], &b.remote_addr) || !addr(w[4], &b.remote_nbma) ||
	    !addr("10.255.0.1", &b.local_addr) ||
	    !addr("192.0.2.1", &b.local_nbma)) {
		fprintf(out, "error bad address\n");
		return;
	}
	b.remote_cert = cert;
	b.remote_cert_len = sizeof(cert);
	for (int i = 0; i < MAX_TAGS && !t; i++)
		if (!tags[i].used)
			t = &tags[i];
	if (!t) {
		fprintf(out, "error too many requests\n");
		return;
	}
	strlcpy(t->name, w[1], sizeof(t->name));
	t->used = true;
	/* with no socket the answer comes first, then the id (0) */
	id = nhrp_event_authorize(&b, done, t);
	if (id)
		t->id = id;
	fprintf(out, "id %s %u\n", w[1], id);
}

static void command(char *line)
{
	char *w[8];
	int n = 0;

	for (char *tok = strtok(line, " \t"); tok && n < 8;
	     tok = strtok(NULL, " \t"))
		w[n++] = tok;
	if (n == 0)
		return;
	if (strcmp(w[0], "config") == 0 && n == 4) {
		strlcpy(nhrp_conf.event_socket,
			strcmp(w[1], "-") == 0 ? "" : w[1],
			sizeof(nhrp_conf.event_socket));
		nhrp_event_conf.timeout = atoi(w[2]);
		nhrp_event_conf.fail_open = strcmp(w[3], "open") == 0;
		nhrp_event_config();
		fprintf(out, "ok\n");
	} else if (strcmp(w[0], "auth") == 0) {
		cmd_auth(w, n);
	} else if (strcmp(w[0], "cancel") == 0 && n == 2) {
		struct tag *t = tag_find(w[1]);

		if (t) {
			nhrp_event_cancel(t->id);
			t->used = false;
		}
		fprintf(out, t ? "ok\n" : "error no such tag\n");
	} else if (strcmp(w[0], "pending") == 0) {
		fprintf(out, "pending %zu\n", nhrp_event_pending());
	} else if (strcmp(w[0], "connected") == 0) {
		fprintf(out, "connected %d\n", nhrp_event_connected());
	} else if (strcmp(w[0], "quit") == 0) {
		nhrp_event_fini();
		fprintf(out, "bye\n");
		fflush(out);
		exit(0);
	} else {
		fprintf(out, "error unknown command %s\n", w[0]);
	}
}

static void read_stdin(struct thread *t)
{
	ssize_t n = read(0, inbuf + inlen, sizeof(inbuf) - 1 - inlen);
	char *nl;

	if (n <= 0) {
		nhrp_event_fini();
		exit(0);
	}
	inlen += n;
	inbuf[inlen] = '\0';
	while ((nl = strchr(inbuf, '\n'))) {
		*nl = '\0';
		command(inbuf);
		fflush(out);
		inlen -= nl + 1 - inbuf;
		memmove(inbuf, nl + 1, inlen + 1);
	}
	if (inlen == sizeof(inbuf) - 1)
		inlen = 0; /* an endless line: forget it */
	thread_add_read(master, read_stdin, NULL, 0, &t_stdin);
}

int main(int argc, char **argv)
{
	struct thread thread;

	out = fdopen(dup(1), "w");
	if (!out || dup2(2, 1) < 0)
		return 1;
	zlog_aux_init("harness: ", LOG_DEBUG);
	master = thread_master_create("event_harness");
	thread_add_read(master, read_stdin, NULL, 0, &t_stdin);
	while (thread_fetch(master, &thread))
		thread_call(&thread);
	return 0;
}
