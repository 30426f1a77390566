// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: bindings authorised by an external program (see
 * nhrp_authorize.h).
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_authorize.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_system.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_AUTH, "NHRP request waiting for authorisation");

#define AUTH_ASKS 8		/* bindings asked for per request */
#define AUTH_WAITING 1024	/* requests waiting, all interfaces */

struct auth_ask {
	struct auth_req *req;
	struct ipaddr proto;
	uint32_t id;		/* the program's event id (0: answered) */
	bool done, accept;
};

PREDECL_DLIST(auth_list);
struct auth_req {
	struct auth_list_item item;
	struct interface *ifp;
	struct ipaddr from;
	uint32_t reqid;
	unsigned int nasks, pending;
	struct auth_ask asks[AUTH_ASKS];
	struct thread *t_replay;
	size_t len;
	uint8_t buf[NHRP_PKT_MAX];
};
DECLARE_DLIST(auth_list, struct auth_req, item);

static struct auth_list_head waiting = INIT_DLIST(waiting);
/* the request of the packet being handled, once it asked something */
static struct auth_req *asking;
/* the request being handled again with its verdicts */
static struct auth_req *replaying;
static const struct nhrp_rx *asking_rx;

size_t nhrp_authorize_count(void)
{
	return auth_list_count(&waiting);
}

static struct auth_req *find(struct nhrp_rx *rx)
{
	struct auth_req *r;

	frr_each (auth_list, &waiting, r)
		if (r->ifp == rx->ifp && r->reqid == rx->p->reqid &&
		    ipaddr_cmp(&r->from, &rx->from) == 0)
			return r;
	return NULL;
}

bool nhrp_authorize_waiting(struct nhrp_rx *rx)
{
	return replaying == NULL && find(rx) != NULL;
}

static void req_free(struct auth_req *r)
{
	for (unsigned int i = 0; i < r->nasks; i++)
		if (r->asks[i].id)
			nhrp_sys->authorize_cancel(r->asks[i].id);
	THREAD_OFF(r->t_replay);
	auth_list_del(&waiting, r);
	XFREE(MTYPE_NHRP_AUTH, r);
}

/* every verdict is in: handle the request again */
static void replay(struct thread *t)
{
	struct auth_req *r = THREAD_ARG(t);
	struct nhrp_pkt p;
	struct nhrp_rx rx = {
		.ifp = r->ifp, .from = r->from, .p = &p,
		.buf = r->buf, .len = r->len,
	};

	if (nhrp_decode(r->buf, r->len, &p) == 0 &&
	    nhrp_if_enabled(r->ifp, (rx.afi = nhrp_pkt_afi(&p)))) {
		rx.peer = nhrp_peer_find(r->ifp, &r->from);
		replaying = r;
		nhrp_reg_server_request(&rx);
		replaying = NULL;
	}
	req_free(r);
}

static void verdict(void *arg, bool accept)
{
	struct auth_ask *a = arg;
	struct auth_req *r = a->req;

	nhrp_debug(EVENT, "%s: binding %pIA -> %pIA %s", r->ifp->name,
		   &a->proto, &r->from, accept ? "accepted" : "refused");
	a->id = 0;
	a->done = true;
	a->accept = accept;
	if (--r->pending == 0 && r != asking)
		thread_add_event(master, replay, r, 0, &r->t_replay);
}

enum nhrp_auth nhrp_authorize(struct nhrp_rx *rx, const struct ipaddr *proto,
			      enum nhrp_cache_type old)
{
	struct nhrp_interface *nifp = nhrp_if(rx->ifp);
	struct nhrp_event_binding b = {};
	struct auth_ask *a;
	uint32_t id;

	if (replaying) {
		for (unsigned int i = 0; i < replaying->nasks; i++)
			if (ipaddr_cmp(&replaying->asks[i].proto, proto) == 0)
				return replaying->asks[i].accept
					       ? NHRP_AUTH_ACCEPT
					       : NHRP_AUTH_REFUSE;
		/* the binding changed meanwhile: ask again, later */
	}
	if (!nhrp_sys->authorizing || !nhrp_sys->authorizing())
		return NHRP_AUTH_ACCEPT;
	if (!asking) {
		if (auth_list_count(&waiting) >= AUTH_WAITING)
			return NHRP_AUTH_REFUSE;
		asking = XCALLOC(MTYPE_NHRP_AUTH, sizeof(*asking));
		asking->ifp = rx->ifp;
		asking->from = rx->from;
		asking->reqid = rx->p->reqid;
		asking->len = MIN(rx->len, sizeof(asking->buf));
		memcpy(asking->buf, rx->buf, asking->len);
		asking_rx = rx;
		auth_list_add_tail(&waiting, asking);
	}
	if (asking->nasks >= AUTH_ASKS)
		return NHRP_AUTH_REFUSE;
	a = &asking->asks[asking->nasks++];
	a->req = asking;
	a->proto = *proto;
	b.ifname = rx->ifp->name;
	b.type = nhrp_cache_type_str(NHRP_CACHE_DYNAMIC);
	b.old_type = nhrp_cache_type_str(old);
	b.num_nhs = nifp->nhs_up;
	b.local_addr = nifp->proto[rx->afi];
	b.local_nbma = nifp->nbma;
	b.remote_addr = *proto;
	b.remote_nbma = rx->from;
	asking->pending++;
	id = nhrp_sys->authorize(&b, verdict, a);
	if (!a->done)
		a->id = id;
	return NHRP_AUTH_ASKED;
}

bool nhrp_authorize_park(struct nhrp_rx *rx)
{
	struct auth_req *r = asking;

	if (!r || asking_rx != rx)
		return false;
	asking = NULL;
	asking_rx = NULL;
	/* all answered at once (no program after all): handle it now */
	if (!r->pending)
		thread_add_event(master, replay, r, 0, &r->t_replay);
	return true;
}

static int auth_if_down(struct interface *ifp)
{
	struct auth_req *r;

	frr_each_safe (auth_list, &waiting, r)
		if (r->ifp == ifp)
			req_free(r);
	return 0;
}

void nhrp_authorize_init(void)
{
	hook_register(nhrp_if_down, auth_if_down);
}

void nhrp_authorize_fini(void)
{
	struct auth_req *r;

	while ((r = auth_list_first(&waiting)))
		req_free(r);
}
