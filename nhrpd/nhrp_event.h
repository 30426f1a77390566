// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the event socket (`nhrp event socket PATH`), FRR 8.4's protocol.
 *
 * nhrpd connects to a Unix stream socket where an external helper
 * listens (Alpine's dmvpn-tools `nhrp-events`, or a site's own script).
 * Each message is a block of `key=value` lines ended by an empty line.
 * Before a peer's binding is used nhrpd sends
 *
 *   eventid=7
 *   event=authorize-binding
 *   type=dynamic            (the binding's new type: FRR's cache type names)
 *   old_type=invalid        (its type until now)
 *   num_nhs=0               (our next hop servers that are up)
 *   interface=gre1
 *   local_addr=10.255.0.1   (our protocol address on the interface)
 *   vc_initiated=no         (yes: we started the connection to the peer)
 *   local_nbma=192.0.2.1
 *   local_cert=             (our IPsec certificate, DER in hex; may be empty)
 *   remote_addr=10.255.0.11 (the peer's protocol address)
 *   remote_nbma=198.51.100.1
 *   remote_cert=            (the peer's certificate, DER in hex)
 *
 * and the helper answers `eventid=7`, `result=accept` (anything else, e.g.
 * `deny`, refuses), empty line.  An answer that does not come within the
 * configured time (`nhrp event timeout`, default 10 s as in FRR) refuses
 * the binding, or accepts it with `fail-open`.  Without a configured
 * socket every binding is accepted at once, as in FRR.
 *
 * Requests survive a lost connection: those not answered yet are sent
 * again, in order, as soon as nhrpd is connected again (a restarted
 * helper sees them), each still bound by its own timeout.
 */
#ifndef NHRP_EVENT_H
#define NHRP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipaddr.h"

#include "nhrpd/nhrp_system.h"

#define NHRP_EVENT_TIMEOUT_DEFAULT 10

/* what the northbound last applied (nhrp_nb.c); the socket path is
 * nhrp_conf.event_socket */
struct nhrp_event_conf {
	uint8_t timeout;	/* seconds, 1..60 */
	bool fail_open;		/* accept when the helper does not answer */
};
extern struct nhrp_event_conf nhrp_event_conf;

/* struct nhrp_event_binding and nhrp_event_done_cb: nhrp_system.h (the
 * protocol asks for authorisation through the system interface) */

/*
 * Ask the helper whether b may be used.  done(arg, accept) is called
 * exactly once, from the event loop, unless nhrp_event_cancel() is called
 * first: with the helper's answer, or at the timeout with the configured
 * policy.  With no socket configured it is called before this returns
 * (accept), and 0 is returned.  Otherwise the request's event id (never
 * 0) is returned, for nhrp_event_cancel().
 */
uint32_t nhrp_event_authorize(const struct nhrp_event_binding *b,
			      nhrp_event_done_cb done, void *arg);
/* forget a pending request (its binding went away): done is not called */
void nhrp_event_cancel(uint32_t eventid);
/* number of requests waiting for an answer */
size_t nhrp_event_pending(void);
/* connected to the helper now */
bool nhrp_event_connected(void);

/* the socket path, timeout or policy changed: (re)connect or disconnect.
 * Removing the socket accepts every pending request. */
void nhrp_event_config(void);
/* shut down: pending requests are dropped without their callbacks */
void nhrp_event_fini(void);

#endif
