// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: Purge Requests and Replies (RFC 2332 5.2.5-5.2.6).  A purge
 * removes bindings: a registration is withdrawn by its owner only (the
 * NBMA address it was registered from), what we learnt from a resolution
 * by the station it names or by one of our servers.  The reply, unless
 * the N bit asks for none, is the request answered, straight back to the
 * sender.
 *
 * As a server we remember who resolved a registered address through us
 * (we passed their requests on to its owner): when the registration is
 * withdrawn, expires or moves to another NBMA address, they get a Purge
 * Request for it, so their shortcuts go at once, not at their holding
 * time (as IOS hubs do).
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_reqid.h"
#include "nhrpd/nhrp_shortcut.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_REQUESTERS, "NHRP requesters of a registration");

#define REQUESTERS_MAX 16	/* remembered per registered address */

struct requesters {
	uint8_t n, next;
	struct {
		struct ipaddr proto, nbma;
	} r[REQUESTERS_MAX];
};

int nhrp_purge_send(struct interface *ifp, int afi, const struct ipaddr *nbma,
		    const struct ipaddr *dst, uint32_t reqid,
		    const struct ipaddr *proto, bool no_reply)
{
	struct nhrp_pkt p;
	struct nhrp_cie *cie;

	if (!nhrp_pdu_init(&p, NHRP_PKT_PURGE_REQ, ifp, afi))
		return -1;
	p.flags = no_reply ? NHRP_FLAG_PURGE_N : 0;
	p.reqid = reqid;
	nhrp_ip_to_addr(&p.dst_proto, dst);
	cie = nhrp_cie_add(&p, &p.cie);
	nhrp_ip_to_addr(&cie->proto, proto);
	cie->prefix_len = cie->proto.len * 8;
	nhrp_auth_put(ifp, &p);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	return nhrp_pdu_send(ifp, nbma, &p);
}

/* a registration withdrawn by its owner takes the link-local address
 * registered with it (IOS's IPv6 registration: same peer, same request) */
static void purge_linklocals(struct nhrp_cache *c)
{
	struct nhrp_cache *l;

	if (!c->peer || nhrp_ip_linklocal(&c->proto))
		return;
	frr_each_safe (nhrp_peer_cache_list, &c->peer->caches, l)
		if (l != c && l->type == NHRP_CACHE_DYNAMIC &&
		    l->reqid == c->reqid && nhrp_ip_linklocal(&l->proto))
			nhrp_cache_del(l);
}

/* may rx's sender remove c?  A registration only its owner; what we
 * learnt, the station it names or one of our servers */
static bool may_purge(struct nhrp_rx *rx, struct nhrp_cache *c)
{
	bool named = c->peer && ipaddr_cmp(&c->peer->nbma, &rx->from) == 0;

	if (c->type == NHRP_CACHE_DYNAMIC)
		return named;
	return c->type <= NHRP_CACHE_CACHED &&
	       (named || nhrp_peer_trusted(rx->peer));
}

static void purge_one(struct nhrp_rx *rx, struct nhrp_cache *c)
{
	static struct nhrp_ratelimit rl;

	if (!may_purge(rx, c))
		return;
	nhrp_log_limited(&rl, "%s: %pIA purged by %pIA", rx->ifp->name,
			 &c->proto, &rx->from);
	if (c->type == NHRP_CACHE_DYNAMIC)
		purge_linklocals(c);
	nhrp_cache_del(c);
}

struct purge_prefix {
	struct nhrp_rx *rx;
	const struct prefix *p;
};

static void purge_in_prefix(struct nhrp_cache *c, void *arg)
{
	struct purge_prefix *pp = arg;
	struct prefix host;

	/* the link-local companion of a registration in the prefix goes
	 * with it (purge_linklocals), not on its own */
	if (nhrp_ip_linklocal(&c->proto))
		return;
	nhrp_ip_host_prefix(&c->proto, &host);
	if (host.family == pp->p->family && prefix_match(pp->p, &host))
		purge_one(pp->rx, c);
}

/* the prefix a purge CIE covers: a prefix length shorter than the
 * address names every address inside it (RFC 2332 5.2.5); 0 or more
 * than the address is the address alone */
static void cie_prefix(const struct nhrp_cie *cie, const struct ipaddr *proto,
		       struct prefix *p)
{
	uint8_t hostlen = IS_IPADDR_V6(proto) ? 128 : 32;

	nhrp_ip_host_prefix(proto, p);
	if (cie->prefix_len && cie->prefix_len < hostlen) {
		p->prefixlen = cie->prefix_len;
		apply_mask(p);
	}
}

void nhrp_purge_request(struct nhrp_rx *rx)
{
	struct interface *ifp = rx->ifp;
	struct nhrp_pkt *p = rx->p;
	struct ipaddr src_proto;
	bool by_server = nhrp_peer_trusted(rx->peer);

	if (!nhrp_addr_to_ip(&p->src_proto, &src_proto))
		return;
	for (unsigned int n = 0; n < p->cie.count; n++) {
		struct nhrp_cie *cie = NHRP_CIE(p, p->cie, n);
		struct ipaddr proto = src_proto;
		struct purge_prefix pp;
		struct prefix pfx;
		struct nhrp_cache *c;

		if (cie->proto.len && !nhrp_addr_to_ip(&cie->proto, &proto))
			continue;
		cie_prefix(cie, &proto, &pfx);
		if (pfx.prefixlen < (IS_IPADDR_V6(&proto) ? 128 : 32)) {
			/* every binding and shortcut inside the prefix */
			pp.rx = rx;
			pp.p = &pfx;
			nhrp_cache_walk(ifp, purge_in_prefix, &pp);
		} else if ((c = nhrp_cache_find(ifp, &proto)))
			purge_one(rx, c);
		/* shortcut routes that overlap it, whichever address their
		 * responder has */
		nhrp_shortcut_purge(ifp, &pfx, &rx->from, by_server);
	}
	if (p->flags & NHRP_FLAG_PURGE_N)
		return;
	p->type = NHRP_PKT_PURGE_REPLY;
	p->hopcnt = NHRP_HOPCNT_DEFAULT;
	nhrp_auth_put(ifp, p);
	nhrp_pdu_send(ifp, &rx->from, p);
}

void nhrp_purge_note_requester(struct nhrp_cache *owner,
			       const struct ipaddr *proto,
			       const struct ipaddr *nbma)
{
	struct requesters *rq = owner->requesters;

	if (!rq)
		rq = owner->requesters =
			XCALLOC(MTYPE_NHRP_REQUESTERS, sizeof(*rq));
	for (unsigned int i = 0; i < rq->n; i++)
		if (ipaddr_cmp(&rq->r[i].proto, proto) == 0) {
			rq->r[i].nbma = *nbma;
			return;
		}
	/* the oldest makes room */
	if (rq->n < REQUESTERS_MAX)
		rq->next = rq->n++;
	else
		rq->next = (rq->next + 1) % REQUESTERS_MAX;
	rq->r[rq->next].proto = *proto;
	rq->r[rq->next].nbma = *nbma;
}

/* owner's binding is gone or moves: tell those who resolved it */
static int purge_requesters(struct nhrp_cache *owner)
{
	struct requesters *rq = owner->requesters;
	int afi = nhrp_afi_of(&owner->proto);
	static struct nhrp_reqid rid;

	if (!rq)
		return 0;
	for (unsigned int i = 0; i < rq->n; i++) {
		nhrp_debug(COMMON, "%s: %pIA moved or gone: purge at %pIA (%pIA)",
			   owner->ifp->name, &owner->proto, &rq->r[i].proto,
			   &rq->r[i].nbma);
		/* no reply needed: a lost purge costs a holding time, as
		 * without it */
		nhrp_purge_send(owner->ifp, afi, &rq->r[i].nbma,
				&rq->r[i].proto,
				nhrp_reqid_new(&rid, NHRP_PKT_PURGE_REPLY, NULL),
				&owner->proto, true);
		nhrp_reqid_release(&rid);
	}
	XFREE(MTYPE_NHRP_REQUESTERS, owner->requesters);
	return 0;
}

void nhrp_purge_init(void)
{
	hook_register(nhrp_cache_gone, purge_requesters);
	hook_register(nhrp_cache_moved, purge_requesters);
}

void nhrp_purge_reply(struct nhrp_rx *rx)
{
	/* we send our purges with the N bit: a reply is not ours to wait
	 * for */
	nhrp_debug(COMMON, "%s: purge reply id %u from %pIA", rx->ifp->name,
		   rx->p->reqid, &rx->from);
}
