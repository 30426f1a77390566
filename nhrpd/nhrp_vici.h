// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the strongSwan VICI client, on FRR's event loop.
 *
 * One connection to charon's VICI socket (default /var/run/charon.vici).
 * It connects without blocking, reconnects with a growing delay (0.5 s up
 * to 5 s) while charon is absent or after it went away, and logs that
 * once, not per retry.  On every (re)connect it registers for ike-updown,
 * child-updown, ike-rekey, child-rekey (and list-sa, which list-sas
 * streams), then lists all SAs to resynchronise the caller.  It reports
 * upward through struct nhrp_vici_ops; requests (terminate, any command)
 * go through one FIFO queue, answered in order.
 *
 * Requests are only taken while connected: charon numbers its SAs anew
 * when it restarts, so a request queued for an earlier charon could hit
 * the wrong SA.  A request whose connection goes away before the answer
 * gets its callback with reply == NULL.
 *
 * Debug logging: `debug nhrp vici` (NHRP_DEBUG_VICI).  Callbacks may queue
 * requests, but must not call nhrp_vici_fini().
 */
#ifndef NHRP_VICI_H
#define NHRP_VICI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nhrpd/nhrp_vici_msg.h"

struct thread_master;
struct zebra_privs_t;

#define NHRP_VICI_DEFAULT_SOCKET "/var/run/charon.vici"
#define NHRP_VICI_SOCKET_MAX	 108 /* sun_path, with the NUL */

enum nhrp_vici_sa_kind {
	NHRP_VICI_IKE_UP = 1,	 /* ike-updown with up = yes */
	NHRP_VICI_IKE_DOWN,	 /* ike-updown without: the IKE SA and all its
				  * child SAs are gone (IKEv2 sends no
				  * child-updown for them, IKEv1 does) */
	NHRP_VICI_IKE_REKEYED,	 /* ike-rekey: ike is the new SA, old_ike the
				  * old one, which goes away */
	NHRP_VICI_CHILD_UP,	 /* child-updown with up = yes */
	NHRP_VICI_CHILD_DOWN,	 /* child-updown without */
	NHRP_VICI_CHILD_REKEYED, /* child-rekey: child new, old_child old */
	NHRP_VICI_SA_LISTED,	 /* resync: one IKE SA with all its child SAs */
};

/*
 * One SA event.  Everything points into storage of the client that is
 * valid during the callback only: copy what you keep.
 *   ike        the IKE SA: unique id, version, state, local/remote host
 *              (text and binary), remote identity, initiator; for CHILD_*
 *              and SA_LISTED also its child SAs (ike->child[], with reqid
 *              and state); IKE_REKEYED: the new IKE SA
 *   old_ike    IKE_REKEYED: the old one; else NULL
 *   child      CHILD_*: the child SA concerned (rekeyed: the new one)
 *   old_child  CHILD_REKEYED: the old child SA; else NULL
 */
struct nhrp_vici_sa_event {
	enum nhrp_vici_sa_kind kind;
	const struct vici_ike_sa *ike;
	const struct vici_ike_sa *old_ike;
	const struct vici_child_sa *child;
	const struct vici_child_sa *old_child;
};

struct nhrp_vici_ops {
	/* an SA came up, went down, was rekeyed, or was listed */
	void (*sa)(const struct nhrp_vici_sa_event *ev, void *arg);
	/* list-sas sent: what follows until resync_end(true) is the whole
	 * set of SAs charon has (SA_LISTED events, plus any up/down events
	 * that happen meanwhile) */
	void (*resync_begin)(void *arg);
	/* complete: the listing ended; false: the connection was lost
	 * before (keep what you have, another resync follows) */
	void (*resync_end)(bool complete, void *arg);
	/* connected to charon (registrations follow), or disconnected */
	void (*connection)(bool up, void *arg);
};

/*
 * A request's answer: reply is the CMD_RESPONSE (or CMD_UNKNOWN when
 * charon has no such command); NULL when the connection went away or the
 * client stopped before the answer came.  Valid during the call only.
 */
typedef void (*nhrp_vici_reply_cb)(const struct vici_packet *reply, void *arg);

/* counters, for show commands and tests */
struct nhrp_vici_stats {
	uint64_t connects;	/* connections made */
	uint64_t connect_failures;
	uint64_t disconnects;	/* connections lost or reset */
	uint64_t malformed;	/* frames refused (the connection is reset) */
	uint64_t events;	/* SA events delivered */
	uint64_t bad_events;	/* SA events that could not be parsed */
	uint64_t requests;	/* requests answered */
	uint64_t resyncs;	/* list-sas completed */
};

/*
 * Start the client: connect to `socket` (NULL or "": the default) and
 * keep connected until nhrp_vici_fini().  privs: raised around connect()
 * (charon's socket is root's, mode 0770: nhrpd needs ZCAP_DAC_OVERRIDE);
 * NULL: no privilege change.  ops/arg: the callbacks (members may be
 * NULL).
 */
void nhrp_vici_init(struct thread_master *tm, struct zebra_privs_t *privs,
		    const char *socket, const struct nhrp_vici_ops *ops,
		    void *arg);
/* disconnect, fail pending requests (reply NULL), free everything */
void nhrp_vici_fini(void);

/* use another socket (NULL/"": the default); reconnects when it changes.
 * Returns -1 when the path is too long (nothing changes). */
int nhrp_vici_set_socket(const char *socket);
const char *nhrp_vici_socket(void);

/* connected to charon (requests are taken) */
bool nhrp_vici_connected(void);
/* a resync (list-sas) is in progress */
bool nhrp_vici_resyncing(void);
const struct nhrp_vici_stats *nhrp_vici_get_stats(void);

/*
 * Queue a request: frame is a whole CMD_REQUEST frame (vici_build_*()),
 * copied.  Returns 0, or -1 when not connected or the frame is not a
 * request (cb is then never called).
 */
int nhrp_vici_request(const uint8_t *frame, size_t len, nhrp_vici_reply_cb cb,
		      void *arg);

/*
 * terminate {ike-id = id, timeout = -1}: charon starts deleting the IKE SA
 * (and its child SAs) and answers at once; the IKE_DOWN event follows.
 * cb may be NULL (an error message of charon is logged).
 */
int nhrp_vici_terminate_ike(uint32_t ike_id, nhrp_vici_reply_cb cb, void *arg);

/* list all SAs again now (resync_begin ... resync_end); -1 when not
 * connected, 0 when queued or one is already under way */
int nhrp_vici_resync(void);

#endif /* NHRP_VICI_H */
