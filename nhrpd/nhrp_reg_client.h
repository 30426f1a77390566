// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: registration, the client's side (NHC, spoke): our registrations
 * with the next hop servers of `ip nhrp nhs`.
 *
 * Several servers, as Cisco IOS runs them (doc/nhs.md): each has a
 * priority (0 most preferred .. 255) and a cluster (0..10).  In each
 * cluster we register with the best `max-connections` servers that answer
 * (every server when the cluster has no limit); the others stand by and
 * are used, best first, when one of those stops answering; a better server
 * that answers again takes its place back.
 */
#ifndef NHRP_REG_CLIENT_H
#define NHRP_REG_CLIENT_H

#include "nhrpd/nhrpd.h"
#include "nhrpd/nhrp_reqid.h"
#include "nhrpd/nhrp_system.h"

enum nhrp_nhs_status {
	NHS_RESOLVING,	  /* waiting for the NBMA name to resolve */
	NHS_REGISTERING,  /* request sent, no reply yet */
	NHS_UP,		  /* registered */
	NHS_REJECTED,	  /* the server refused (CIE code in last_code) */
	NHS_DOWN,	  /* no reply within the holding time */
	NHS_STANDBY,	  /* not used: enough better servers of its cluster
			   * answer (Cisco's "DOWN, waiting to be scheduled") */
};

/* requests in a row without a reply that make a server unreachable: it
 * no longer counts for its cluster, and resolutions go elsewhere */
#define NHS_UNREACHABLE 3

PREDECL_DLIST(nhrp_nhs_list_rt);
struct nhrp_nhs {
	struct nhrp_nhs_list_rt_item item;
	struct interface *ifp;
	int afi;
	bool dynamic;		 /* protocol address learnt from the reply */
	bool from_map;		 /* NBMA address from `ip nhrp map proto` */
	struct ipaddr proto;	 /* NHS protocol address (once known) */
	struct ipaddr linklocal; /* its IPv6 link-local, from the reply */
	char name[256];		 /* NBMA address or name, as configured */
	uint8_t priority, cluster;
	struct ipaddr nbma;	 /* resolved NBMA address */
	struct nhrp_peer *peer;	 /* at nbma */
	struct nhrp_resolve dns;
	bool dns_pending, dns_failed;

	enum nhrp_nhs_status status;
	struct nhrp_reqid rid;	 /* kept across retransmissions */
	uint16_t holdtime;	 /* the one our last request carried */
	uint16_t refresh;	 /* the refresh interval in use */
	unsigned int backoff;	 /* seconds to the next retransmission */
	unsigned int unanswered; /* requests in a row without a reply */
	uint32_t first_sent;	 /* of the unanswered request */
	uint32_t up_since, last_reply;
	uint8_t last_code;
	struct ipaddr nat_nbma;	 /* our NBMA as the server saw it */
	uint64_t req_sent, req_failed, replies;
	struct thread *t_timer, *t_dns;
};
DECLARE_DLIST(nhrp_nhs_list_rt, struct nhrp_nhs, item);

void nhrp_reg_client_init(void);
/* stop registering everywhere; with purge, tell registered servers */
void nhrp_reg_client_stop_all(bool purge);
const char *nhrp_nhs_status_str(enum nhrp_nhs_status s);
/* does the server answer (fewer than NHS_UNREACHABLE requests unanswered)? */
bool nhrp_nhs_reachable(const struct nhrp_nhs *nhs);
/* the most preferred server of ifp (for afi) we are registered with and
 * that answers (lowest priority value, then configuration order), or NULL */
struct nhrp_nhs *nhrp_nhs_pick(struct interface *ifp, int afi);
/* the servers of ifp (NULL: none) */
struct nhrp_nhs_list_rt_head *nhrp_nhs_of(struct interface *ifp);
typedef void (*nhrp_nhs_walk_cb)(struct nhrp_nhs *nhs, void *arg);
void nhrp_nhs_walk(nhrp_nhs_walk_cb cb, void *arg);

/* an NHS came up or went down (status changed to or from NHS_UP) */
DECLARE_HOOK(nhrp_nhs_change, (struct nhrp_nhs *nhs), (nhs));

#endif
