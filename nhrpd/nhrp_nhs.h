// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the client side (NHC, spoke): registration with the next hop
 * servers of `ip nhrp nhs`.
 */
#ifndef NHRP_NHS_H
#define NHRP_NHS_H

#include "nhrpd.h"
#include "resolver.h"

enum nhrp_nhs_status {
	NHS_RESOLVING,	  /* waiting for the NBMA name to resolve */
	NHS_REGISTERING,  /* request sent, no reply yet */
	NHS_UP,		  /* registered */
	NHS_REJECTED,	  /* the server refused (CIE code in last_code) */
	NHS_DOWN,	  /* no reply within the holding time */
};

PREDECL_DLIST(nhrp_nhs_list_rt);
struct nhrp_nhs {
	struct nhrp_nhs_list_rt_item item;
	struct interface *ifp;
	int afi;
	bool dynamic;		 /* protocol address learnt from the reply */
	struct ipaddr proto;	 /* NHS protocol address (once known) */
	char name[256];		 /* NBMA address or name, as configured */
	struct ipaddr nbma;	 /* resolved NBMA address */
	struct resolver_query dns;
	bool dns_pending;

	enum nhrp_nhs_status status;
	uint32_t reqid;		 /* kept across retransmissions */
	unsigned int backoff;	 /* seconds to the next retransmission */
	time_t first_sent;	 /* of the unanswered request */
	time_t up_since, last_reply;
	uint8_t last_code;
	struct ipaddr nat_nbma;	 /* our NBMA as the server saw it */
	uint64_t req_sent, req_failed, replies;
	struct thread *t_timer, *t_dns;
};
DECLARE_DLIST(nhrp_nhs_list_rt, struct nhrp_nhs, item);

struct nhrp_nhs_state {
	struct nhrp_nhs_list_rt_head list;
};

void nhrp_nhs_update(struct interface *ifp);
/* our NBMA address changed: register again now */
void nhrp_nhs_reregister(struct interface *ifp);
/* stop registering; with purge, tell registered servers we leave */
void nhrp_nhs_stop(struct interface *ifp, bool purge);
void nhrp_nhs_stop_all(bool purge);
const char *nhrp_nhs_status_str(enum nhrp_nhs_status s);
struct nhrp_nhs *nhrp_nhs_by_reqid(struct interface *ifp, uint32_t reqid);
/* a Registration Reply for nhs arrived: code is the CIE code */
void nhrp_nhs_reply(struct nhrp_nhs *nhs, uint8_t code,
		    const struct ipaddr *nhs_proto, const struct ipaddr *nat);
typedef void (*nhrp_nhs_walk_cb)(struct nhrp_nhs *nhs, void *arg);
void nhrp_nhs_walk(nhrp_nhs_walk_cb cb, void *arg);

#endif
