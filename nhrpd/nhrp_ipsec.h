// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: IPsec protection of NHRP (`tunnel protection`): the IKE SAs the
 * IPsec daemon reports (nhrp_sys_sa), bound to the peers they are with.
 *
 * On a protected interface NHRP is taken only from an NBMA address with
 * an established IKE SA: a packet from anywhere else waits a moment for
 * its SA (the IPsec daemon may report it just after the first packet came
 * through it), then is dropped without an answer (at once in the
 * seconds after the peer's last SA went: it came through that one).
 * Only SAs of the connections the interface names (profile, fallback)
 * count; those of other connections are never touched.  Registrations bind the
 * tunnel address to the peer's IKE identity (nhrp_reg_server.c).  When the
 * last IKE SA with a peer goes, the peer's learnt bindings go with it
 * (cache entries, neighbour entries, routes; our servers are registered
 * with again); when the last binding of a peer goes, its SAs are deleted.
 * Two IKE SAs between the same two hosts that each side initiated (both
 * resolved each other at once): the one initiated by the higher address
 * is deleted, by both sides alike.
 */
#ifndef NHRP_IPSEC_H
#define NHRP_IPSEC_H

#include "nhrpd/nhrpd.h"
#include "nhrpd/nhrp_peer.h"

/* is IPsec required on ifp (`tunnel protection ...`)?  Only SAs of the
 * connections it names (profile, fallback profile) protect it */
bool nhrp_ipsec_protected(const struct interface *ifp);

/* the receive path: may the packet from `from` be handled now?  false:
 * it is not (held until an SA with `from` is up, then handed in again
 * through nhrp_sys_packet, or dropped) */
bool nhrp_ipsec_admit(struct interface *ifp, const struct ipaddr *from,
		      const uint8_t *buf, size_t len);

/* the identity of the (newest) established IKE SA with nbma, or NULL */
const char *nhrp_ipsec_identity(struct interface *ifp,
				const struct ipaddr *nbma);
/* the identity p registered with us under (nhrp_ipsec_bind), or NULL */
const char *nhrp_ipsec_bound(const struct nhrp_peer *p);
/* p registered: bind it to the identity of its IKE SA */
void nhrp_ipsec_bind(struct nhrp_peer *p);

/* what `show dmvpn` tells of a peer's SAs */
struct nhrp_ipsec_info {
	unsigned int sas;	/* established IKE SAs with the peer */
	unsigned int connecting; /* IKE SAs being set up */
	uint32_t id;		/* the newest established one: */
	uint8_t version;
	bool initiator;
	const char *identity;	/* "" when none */
	const char *conn;	/* its connection, "" when none */
	unsigned int children;	/* its installed child SAs */
	uint32_t reqid;		/* of the first */
};
void nhrp_ipsec_info(const struct nhrp_peer *p, struct nhrp_ipsec_info *info);
const char *nhrp_ipsec_state(const struct nhrp_ipsec_info *info);

/* counters (`show ip nhrp traffic`) */
struct nhrp_ipsec_stats {
	uint64_t held;		/* packets that waited for their SA */
	uint64_t dropped;	/* packets without SA, dropped */
	uint64_t purged;	/* peers purged as their SA went */
	uint64_t terminated;	/* SAs we asked to delete */
	uint64_t duplicates;	/* of them, duplicates */
};
const struct nhrp_ipsec_stats *nhrp_ipsec_stats(void);
/* is the IPsec daemon there (its SAs are known)? */
bool nhrp_ipsec_connected(void);

/* the first IKE SA with nbma came up (up) or the last one went down */
DECLARE_HOOK(nhrp_ipsec_change,
	     (struct interface *ifp, const struct ipaddr *nbma, bool up),
	     (ifp, nbma, up));

void nhrp_ipsec_init(void);
void nhrp_ipsec_fini(void);

#endif
