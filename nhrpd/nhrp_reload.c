// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: SIGHUP re-reads the configuration file.
 *
 * The file nhrpd started with (`-f FILE`, else the default nhrpd.conf, or
 * in FRR's integrated mode the frr.conf vtysh would read) is read line by
 * line into a fresh northbound candidate, and the difference between that
 * candidate and the running configuration is committed as one
 * transaction.  Only the changed nodes see callbacks, so registrations,
 * cache entries, shortcuts and routes of interfaces whose configuration
 * is the same stay as they are.
 *
 * A line that fails (unknown command, refused value) is logged with its
 * number and the reason, and then nothing is applied: the running
 * configuration and the `debug nhrp` flags stay as they were.  In the
 * integrated file, lines no nhrpd command matches belong to other
 * daemons and are skipped, unless they are nhrpd's (`ip nhrp`, `ipv6
 * nhrp`, `nhrp`, `tunnel`, `debug nhrp`).
 */
#include "nhrpd.h"

#include <sys/stat.h>

#include "buffer.h"
#include "command.h"
#include "libfrr.h"
#include "northbound.h"
#include "northbound_cli.h"
#include "vty.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_ui.h"

struct reload {
	const char *path;
	bool integrated;
	struct vty *vty;
	struct nb_config *candidate;
	unsigned int errors;
	bool skip_block; /* inside another daemon's block (integrated) */
};

/* which file, as FRR's vty_read_config chose it at start-up */
static bool reload_path(char *buf, size_t len, const char *config_file,
			const char *pathspace)
{
	char integrated[MAXPATHLEN];
	struct stat st;

	if (config_file) {
		const char *host = host_config_get();

		/* FRR made it absolute when it read it */
		strlcpy(buf, host ? host : config_file, len);
		return false;
	}
	snprintf(integrated, sizeof(integrated), "%s%s", frr_sysconfdir,
		 INTEGRATE_DEFAULT_CONFIG);
	if (stat(integrated, &st) == 0) {
		if (pathspace)
			snprintf(buf, len, "%s%s/%s", frr_sysconfdir,
				 pathspace, INTEGRATE_DEFAULT_CONFIG);
		else
			strlcpy(buf, integrated, len);
		return true;
	}
	strlcpy(buf, config_default, len);
	return false;
}

/* a line that only nhrpd's commands can mean */
static bool nhrpd_line(const char *line)
{
	static const char *const own[] = {"ip nhrp ", "ipv6 nhrp ", "nhrp ",
					  "tunnel ", "debug nhrp "};

	while (isspace((unsigned char)*line))
		line++;
	if (strncmp(line, "no ", 3) == 0)
		line += 3;
	for (size_t i = 0; i < array_size(own); i++)
		if (strncmp(line, own[i], strlen(own[i])) == 0)
			return true;
	return false;
}

static const char *cmd_result_str(int ret)
{
	switch (ret) {
	case CMD_ERR_NO_MATCH:
		return "no such command";
	case CMD_ERR_AMBIGUOUS:
		return "ambiguous command";
	case CMD_ERR_INCOMPLETE:
		return "incomplete command";
	case CMD_WARNING:
	case CMD_WARNING_CONFIG_FAILED:
		return "refused";
	default:
		return "failed";
	}
}

/* what the command printed, on one line */
static void take_output(struct vty *vty, char *buf, size_t len)
{
	char *out = buffer_getstr(vty->obuf);

	buffer_reset(vty->obuf);
	buf[0] = '\0';
	if (!out)
		return;
	for (char *p = out, *tok; (tok = strsep(&p, "\n"));) {
		while (*tok == '%' || isspace((unsigned char)*tok))
			tok++;
		if (!*tok)
			continue;
		if (buf[0])
			strlcat(buf, "; ", len);
		strlcat(buf, tok, len);
	}
	XFREE(MTYPE_TMP, out);
}

static void reload_line(struct reload *r, unsigned int lineno)
{
	struct vty *vty = r->vty;
	char line[VTY_BUFSIZ], said[512];
	bool indented = isspace((unsigned char)vty->buf[0]);
	vector vline;
	int ret;

	strlcpy(line, vty->buf, sizeof(line));
	line[strcspn(line, "\r\n")] = '\0';
	vline = cmd_make_strvec(vty->buf);
	if (!vline)
		return; /* blank or comment */
	cmd_free_strvec(vline);

	if (r->skip_block) {
		if (indented)
			return;
		r->skip_block = false;
		if (strcmp(line, "exit") == 0)
			return;
	}

	ret = command_config_read_one_line(vty, NULL, lineno, 0);
	take_output(vty, said, sizeof(said));

	/* `exit` or `end` at the top leaves configuration mode: back in */
	if (vty->node < CONFIG_NODE || !vty->config) {
		vty->node = CONFIG_NODE;
		vty->config = true;
		vty->xpath_index = 0;
	}
	vty->candidate_config = r->candidate;

	if (ret == CMD_SUCCESS || ret == CMD_SUCCESS_DAEMON ||
	    ret == CMD_ERR_NOTHING_TODO)
		return;
	if (r->integrated && !nhrpd_line(line) &&
	    (ret == CMD_ERR_NO_MATCH || ret == CMD_ERR_INCOMPLETE ||
	     ret == CMD_ERR_AMBIGUOUS)) {
		/* another daemon's line (or block) */
		if (!indented && vty->node == CONFIG_NODE)
			r->skip_block = true;
		return;
	}
	r->errors++;
	flog_err(EC_NHRP_CONFIG, "%s line %u: \"%s\": %s%s%s", r->path,
		 lineno, line, cmd_result_str(ret), said[0] ? ": " : "",
		 said);
}

static void reload_commit(struct reload *r)
{
	struct nb_context context = {.client = NB_CLIENT_CLI, .user = r->vty};
	char errmsg[BUFSIZ] = {}, comment[MAXPATHLEN + 32];
	int ret;

	snprintf(comment, sizeof(comment), "SIGHUP: %s", r->path);
	ret = nb_candidate_commit(&context, r->candidate, true, comment, NULL,
				  errmsg, sizeof(errmsg));
	switch (ret) {
	case NB_OK:
		zlog_notice("%s re-read: changes applied in one transaction",
			    r->path);
		break;
	case NB_ERR_NO_CHANGES:
		zlog_notice("%s re-read: no configuration changes", r->path);
		break;
	default:
		r->errors++;
		errmsg[strcspn(errmsg, "\n")] = '\0';
		flog_err(EC_NHRP_CONFIG,
			 "%s re-read: not applied, the configuration is refused (%s): %s",
			 r->path, nb_err_name(ret), errmsg);
	}
}

int nhrp_reload(const char *config_file, const char *pathspace)
{
	/* the caller has FRR's CLI in transactional mode while this runs:
	 * the commands then only edit the candidate, nothing is committed
	 * line by line (classic mode commits at `interface` already) */
	struct reload r = {};
	char path[MAXPATHLEN];
	unsigned int lineno = 0, debug_before = nhrp_debug_conf_get();
	FILE *fp;

	r.integrated = reload_path(path, sizeof(path), config_file, pathspace);
	r.path = path;
	fp = fopen(path, "r");
	if (!fp) {
		flog_err(EC_NHRP_CONFIG,
			 "SIGHUP: cannot read %s (%s): configuration unchanged",
			 path, safe_strerror(errno));
		return -1;
	}
	zlog_notice("SIGHUP: re-reading %s%s", path,
		    r.integrated ? " (integrated, nhrpd's lines)" : "");

	r.candidate = nb_config_new(NULL);
	/* a candidate from scratch, not a copy that FRR would refresh */
	r.candidate->version = running_config->version;
	r.vty = vty_new();
	r.vty->wfd = -1;
	r.vty->type = VTY_FILE;
	r.vty->node = CONFIG_NODE;
	r.vty->config = true;
	r.vty->candidate_config = r.candidate;

	/* the file gives the `debug nhrp` flags of the configuration */
	nhrp_debug_conf_set(0);
	while (fgets(r.vty->buf, VTY_BUFSIZ, fp))
		reload_line(&r, ++lineno);
	fclose(fp);

	if (r.errors)
		flog_err(EC_NHRP_CONFIG,
			 "%s re-read: %u line(s) in error, nothing changed",
			 path, r.errors);
	else
		reload_commit(&r);
	if (r.errors)
		nhrp_debug_conf_set(debug_before);

	r.vty->candidate_config = NULL;
	buffer_reset(r.vty->obuf);
	vty_close(r.vty);
	nb_config_free(r.candidate);
	return r.errors ? -1 : 0;
}
