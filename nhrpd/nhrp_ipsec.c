// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: IPsec protection of NHRP (see nhrp_ipsec.h).
 *
 * The IKE SAs live in one list, as the IPsec daemon numbers them (it does
 * not know our interfaces); a peer's SAs are those whose remote host is
 * the peer's NBMA address, whose local host is the interface's (when
 * both are known) and whose connection is one the interface names
 * (`tunnel protection ... profile NAME [fallback-profile NAME]`).  SAs
 * of other connections (the operator's own, to the same hosts) are
 * listed but ignored: they protect nothing of ours, bind nothing, and
 * are never deleted by us.  The peer's slot (nhrp_peer.ipsec) keeps the
 * identity it registered under.
 */
#include "nhrpd/nhrpd.h"

#include "log.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_ipsec.h"
#include "nhrpd/nhrp_system.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_IPSEC_SA, "NHRP IKE SA");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_IPSEC_ID, "NHRP IKE identity");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_IPSEC_HELD, "NHRP packet waiting for its SA");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_IPSEC_GONE, "NHRP peer whose SA just went");

DEFINE_HOOK(nhrp_ipsec_change,
	    (struct interface *ifp, const struct ipaddr *nbma, bool up),
	    (ifp, nbma, up));

/* a packet waits this long for its SA; this many at most (per source) */
#define HOLD_SECS 3
#define HELD_MAX 32
#define HELD_PER_SOURCE 4

PREDECL_DLIST(sa_list);
struct ipsec_sa {
	struct sa_list_item item;
	uint32_t id;
	struct ipaddr local, remote;
	char *identity;
	char *conn;		/* the connection it belongs to */
	uint8_t version;
	bool initiator, established;
	bool seen;		/* listed by the resynchronisation under way */
	bool terminating;	/* we asked for it to go */
	uint8_t nchild;
	uint32_t child_id[NHRP_SA_CHILD_MAX], reqid[NHRP_SA_CHILD_MAX];
};
DECLARE_DLIST(sa_list, struct ipsec_sa, item);

PREDECL_DLIST(held_list);
struct held {
	struct held_list_item item;
	ifindex_t ifindex;
	struct ipaddr from;
	uint32_t expires;
	size_t len;
	uint8_t buf[];
};
DECLARE_DLIST(held_list, struct held, item);

/*
 * A peer whose last SA just went: what arrives from it before a new SA
 * is reported came through the old one (the IPsec daemon reports an SA
 * going before it takes it out of the kernel: an answer to what we sent
 * at the news may still come through it), so it is dropped, not held for
 * the new SA.  Holding it would take a stale answer (a registration the
 * server accepted just before it purged it) for a new one.  What comes
 * early through the new SA is lost with it and sent again.
 */
PREDECL_DLIST(gone_list);
struct gone {
	struct gone_list_item item;
	ifindex_t ifindex;
	struct ipaddr remote;
	uint32_t until;
};
DECLARE_DLIST(gone_list, struct gone, item);

/* what the peer slot holds */
struct peer_ipsec {
	char *identity;		/* bound at registration */
};

static struct sa_list_head sas = INIT_DLIST(sas);
static struct held_list_head held = INIT_DLIST(held);
static struct gone_list_head gone = INIT_DLIST(gone);
static struct thread *t_held;
static bool connected, resyncing, stopping, running;
static struct nhrp_ipsec_stats stats;

bool nhrp_ipsec_protected(const struct interface *ifp)
{
	const struct nhrp_interface *nifp = ifp ? nhrp_if(ifp) : NULL;

	return nifp && nifp->ipsec_profile[0];
}

bool nhrp_ipsec_connected(void)
{
	return connected;
}

const struct nhrp_ipsec_stats *nhrp_ipsec_stats(void)
{
	return &stats;
}

/* ---- SAs and peers ---------------------------------------------------------- */

static bool sa_on_if(const struct ipsec_sa *sa, const struct interface *ifp)
{
	const struct nhrp_interface *nifp = nhrp_if(ifp);

	return nifp && (IS_IPADDR_NONE(&sa->local) ||
			IS_IPADDR_NONE(&nifp->nbma) ||
			ipaddr_cmp(&sa->local, &nifp->nbma) == 0);
}

/* is sa of a connection ifp is protected by (its profile, its fallback)? */
static bool sa_protects(const struct ipsec_sa *sa, const struct interface *ifp)
{
	const struct nhrp_interface *nifp = nhrp_if(ifp);

	if (!nifp || !nifp->ipsec_profile[0] || !sa->conn || !sa->conn[0])
		return false;
	if (strcmp(sa->conn, nifp->ipsec_profile) &&
	    (!nifp->ipsec_fallback[0] ||
	     strcmp(sa->conn, nifp->ipsec_fallback)))
		return false;
	return sa_on_if(sa, ifp);
}

/* does sa protect some interface of ours?  (Else we leave it alone.) */
static bool sa_ours(const struct ipsec_sa *sa)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp)
		if (sa_protects(sa, ifp))
			return true;
	return false;
}

static bool sa_with(const struct ipsec_sa *sa, const struct interface *ifp,
		    const struct ipaddr *nbma)
{
	return ipaddr_cmp(&sa->remote, nbma) == 0 && sa_protects(sa, ifp);
}

/* the newest established IKE SA with nbma on ifp */
static struct ipsec_sa *sa_established(const struct interface *ifp,
				       const struct ipaddr *nbma)
{
	struct ipsec_sa *sa, *best = NULL;

	frr_each (sa_list, &sas, sa)
		if (sa->established && sa_with(sa, ifp, nbma) &&
		    (!best || sa->id > best->id))
			best = sa;
	return best;
}

/* is another established IKE SA than self (with child SAs, if
 * children) protecting ifp between self's hosts? */
static bool others_up(const struct ipsec_sa *self, const struct interface *ifp,
		      bool children)
{
	struct ipsec_sa *sa;

	frr_each (sa_list, &sas, sa)
		if (sa != self && sa->established &&
		    (!children || sa->nchild) &&
		    ipaddr_cmp(&sa->remote, &self->remote) == 0 &&
		    (IS_IPADDR_NONE(&self->local) ||
		     IS_IPADDR_NONE(&sa->local) ||
		     ipaddr_cmp(&sa->local, &self->local) == 0) &&
		    sa_protects(sa, ifp))
			return true;
	return false;
}

const char *nhrp_ipsec_identity(struct interface *ifp,
				const struct ipaddr *nbma)
{
	struct ipsec_sa *sa = sa_established(ifp, nbma);

	return sa ? sa->identity : NULL;
}

const char *nhrp_ipsec_bound(const struct nhrp_peer *p)
{
	const struct peer_ipsec *pi = p->ipsec;

	return pi ? pi->identity : NULL;
}

void nhrp_ipsec_bind(struct nhrp_peer *p)
{
	const char *id = nhrp_ipsec_identity(p->ifp, &p->nbma);
	struct peer_ipsec *pi = p->ipsec;

	if (!id || !nhrp_ipsec_protected(p->ifp))
		return;
	if (!pi)
		pi = p->ipsec = XCALLOC(MTYPE_NHRP_IPSEC_ID, sizeof(*pi));
	if (pi->identity && strcmp(pi->identity, id) == 0)
		return;
	XFREE(MTYPE_NHRP_IPSEC_ID, pi->identity);
	pi->identity = XSTRDUP(MTYPE_NHRP_IPSEC_ID, id);
}

static int peer_free(struct nhrp_peer *p)
{
	struct peer_ipsec *pi = p->ipsec;

	if (pi) {
		XFREE(MTYPE_NHRP_IPSEC_ID, pi->identity);
		XFREE(MTYPE_NHRP_IPSEC_ID, p->ipsec);
	}
	return 0;
}

void nhrp_ipsec_info(const struct nhrp_peer *p, struct nhrp_ipsec_info *info)
{
	struct ipsec_sa *sa, *best = NULL;

	memset(info, 0, sizeof(*info));
	info->identity = "";
	info->conn = "";
	frr_each (sa_list, &sas, sa) {
		if (!sa_with(sa, p->ifp, &p->nbma))
			continue;
		if (!sa->established) {
			info->connecting++;
			continue;
		}
		info->sas++;
		if (!best || sa->id > best->id)
			best = sa;
	}
	if (!best)
		return;
	info->id = best->id;
	info->version = best->version;
	info->initiator = best->initiator;
	info->identity = best->identity;
	info->conn = best->conn;
	info->children = best->nchild;
	info->reqid = best->nchild ? best->reqid[0] : 0;
}

const char *nhrp_ipsec_state(const struct nhrp_ipsec_info *info)
{
	if (info->sas && info->children)
		return "UP";
	if (info->sas)
		return "IKE";
	return info->connecting ? "CONNECTING" : "DOWN";
}

/* ---- packets waiting for their SA ------------------------------------------ */

static void held_free(struct held *h)
{
	held_list_del(&held, h);
	XFREE(MTYPE_NHRP_IPSEC_HELD, h);
}

static void held_expire(struct thread *t)
{
	uint32_t now = nhrp_now();
	struct held *h;

	frr_each_safe (held_list, &held, h)
		if (h->expires <= now) {
			nhrp_debug(COMMON, "NHRP from %pIA dropped: no IPsec SA",
				   &h->from);
			stats.dropped++;
			held_free(h);
		}
	if (held_list_count(&held))
		thread_add_timer(master, held_expire, NULL, 1, &t_held);
}

static void held_add(struct interface *ifp, const struct ipaddr *from,
		     const uint8_t *buf, size_t len)
{
	static struct nhrp_ratelimit rl;
	unsigned int same = 0;
	struct held *h, *oldest = NULL;

	frr_each (held_list, &held, h)
		if (ipaddr_cmp(&h->from, from) == 0) {
			if (!oldest)
				oldest = h;
			same++;
		}
	if (same >= HELD_PER_SOURCE || held_list_count(&held) >= HELD_MAX) {
		h = same >= HELD_PER_SOURCE ? oldest : held_list_first(&held);
		stats.dropped++;
		held_free(h);
	}
	nhrp_log_limited(&rl, "%s: NHRP from %pIA without an IPsec SA: waiting %us for it, then dropped",
			 ifp->name, from, HOLD_SECS);
	h = XCALLOC(MTYPE_NHRP_IPSEC_HELD, sizeof(*h) + len);
	h->ifindex = ifp->ifindex;
	h->from = *from;
	h->expires = nhrp_now() + HOLD_SECS;
	h->len = len;
	memcpy(h->buf, buf, len);
	held_list_add_tail(&held, h);
	stats.held++;
	if (!t_held)
		thread_add_timer(master, held_expire, NULL, 1, &t_held);
}

/* an SA with `from` protecting ifp is up: what `from` sent there is
 * handled now, in order */
static void held_release(const struct interface *ifp0,
			 const struct ipaddr *from)
{
	struct held_list_head mine;
	struct held *h;
	struct interface *ifp;

	held_list_init(&mine);
	frr_each_safe (held_list, &held, h)
		if (ipaddr_cmp(&h->from, from) == 0 &&
		    h->ifindex == ifp0->ifindex) {
			held_list_del(&held, h);
			held_list_add_tail(&mine, h);
		}
	while ((h = held_list_pop(&mine))) {
		ifp = nhrp_if_lookup(h->ifindex);
		if (ifp)
			nhrp_sys_packet_in(ifp, &h->from, h->buf, h->len);
		XFREE(MTYPE_NHRP_IPSEC_HELD, h);
	}
	held_list_fini(&mine);
}

/* ---- peers whose SA just went -------------------------------------------- */

static struct gone *gone_find(const struct interface *ifp,
			      const struct ipaddr *remote)
{
	uint32_t now = nhrp_now();
	struct gone *g, *found = NULL;

	frr_each_safe (gone_list, &gone, g) {
		if (g->until <= now) {
			gone_list_del(&gone, g);
			XFREE(MTYPE_NHRP_IPSEC_GONE, g);
		} else if (g->ifindex == ifp->ifindex &&
			   ipaddr_cmp(&g->remote, remote) == 0)
			found = g;
	}
	return found;
}

static void gone_set(const struct interface *ifp, const struct ipaddr *remote,
		     bool went)
{
	struct gone *g = gone_find(ifp, remote);

	if (!went) {
		if (g) {
			gone_list_del(&gone, g);
			XFREE(MTYPE_NHRP_IPSEC_GONE, g);
		}
		return;
	}
	if (!g) {
		g = XCALLOC(MTYPE_NHRP_IPSEC_GONE, sizeof(*g));
		g->ifindex = ifp->ifindex;
		g->remote = *remote;
		gone_list_add_tail(&gone, g);
	}
	g->until = nhrp_now() + HOLD_SECS;
}

static void gone_clear(void)
{
	struct gone *g;

	while ((g = gone_list_pop(&gone)))
		XFREE(MTYPE_NHRP_IPSEC_GONE, g);
}

bool nhrp_ipsec_admit(struct interface *ifp, const struct ipaddr *from,
		      const uint8_t *buf, size_t len)
{
	static struct nhrp_ratelimit rl;

	if (!nhrp_ipsec_protected(ifp) || sa_established(ifp, from))
		return true;
	if (gone_find(ifp, from)) {
		nhrp_log_limited(&rl, "%s: NHRP from %pIA dropped: it came through the IPsec SA that just went",
				 ifp->name, from);
		stats.dropped++;
		return false;
	}
	held_add(ifp, from, buf, len);
	return false;
}

/* ---- the peer's state follows its SAs -------------------------------------- */

/* the peer's learnt bindings go (its SA did): neighbour entries and
 * shortcut routes go with them, those who resolved them through us are
 * purged (nhrp_purge.c); static and server entries stay */
static void peer_purge(struct interface *ifp, const struct ipaddr *nbma)
{
	struct nhrp_peer *p = nhrp_peer_find(ifp, nbma);
	struct nhrp_cache *c;
	unsigned int n = 0;

	if (!p)
		return;
	nhrp_peer_ref(p);
	frr_each_safe (nhrp_peer_cache_list, &p->caches, c)
		if (c->type == NHRP_CACHE_DYNAMIC ||
		    c->type == NHRP_CACHE_CACHED) {
			nhrp_cache_del(c);
			n++;
		}
	if (n) {
		zlog_info("%s: IPsec SA with %pIA gone: %u NHRP entries purged",
			  ifp->name, nbma, n);
		stats.purged++;
	}
	nhrp_peer_unref(&p);
}

/* sa came up (up) or went (its IKE SA, or its last child SA): on each
 * interface it protects where no other SA does, the peer follows */
static void sa_changed(const struct ipsec_sa *sa, bool up, bool children)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;
	struct ipaddr remote = sa->remote;

	if (stopping)
		return;
	FOR_ALL_INTERFACES (vrf, ifp) {
		if (!sa_protects(sa, ifp) || others_up(sa, ifp, children))
			continue;
		nhrp_debug(VICI, "IPsec: %s: %pIA %s (connection %s)",
			   ifp->name, &remote, up ? "up" : "down", sa->conn);
		gone_set(ifp, &remote, !up);
		if (!up)
			peer_purge(ifp, &remote);
		hook_call(nhrp_ipsec_change, ifp, &remote, up);
		if (up)
			held_release(ifp, &remote);
	}
}

static void sa_terminate(struct ipsec_sa *sa, const char *why)
{
	/* never one of another connection's */
	if (sa->terminating || !running || !connected || !sa_ours(sa))
		return;
	zlog_info("IPsec: deleting IKE SA %u with %pIA (%s)", sa->id,
		  &sa->remote, why);
	if (nhrp_sys->sa_terminate(sa->id) == 0) {
		sa->terminating = true;
		stats.terminated++;
	}
}

/*
 * Simultaneous initiation: IKE SAs between the same two hosts, some
 * initiated by us, some by the other side.  Both sides delete those the
 * higher address initiated, so one pair is left, the same for both.
 */
static void pair_dedup(const struct ipaddr *local, const struct ipaddr *remote)
{
	struct ipsec_sa *sa;
	bool ours = false, theirs = false, we_lose;

	if (resyncing || !connected)
		return;
	frr_each (sa_list, &sas, sa) {
		if (!sa->established || sa->terminating ||
		    ipaddr_cmp(&sa->remote, remote) != 0 ||
		    ipaddr_cmp(&sa->local, local) != 0 || !sa_ours(sa))
			continue;
		if (sa->initiator)
			ours = true;
		else
			theirs = true;
	}
	if (!ours || !theirs)
		return;
	we_lose = ipaddr_cmp(local, remote) > 0;
	frr_each (sa_list, &sas, sa)
		if (sa->established && !sa->terminating &&
		    ipaddr_cmp(&sa->remote, remote) == 0 &&
		    ipaddr_cmp(&sa->local, local) == 0 &&
		    sa->initiator == we_lose && sa_ours(sa)) {
			stats.duplicates++;
			sa_terminate(sa, "duplicate: both sides initiated");
		}
}

/* a binding of p goes or moves away: was it p's last?  Then its SAs
 * (nothing of NHRP uses them any more) */
static int binding_gone(struct nhrp_cache *c)
{
	struct nhrp_cache *o;
	struct ipsec_sa *sa;

	if (stopping || !c->peer || !nhrp_cache_type_binds(c->type) ||
	    !nhrp_ipsec_protected(c->ifp))
		return 0;
	frr_each (nhrp_peer_cache_list, &c->peer->caches, o)
		if (o != c && nhrp_cache_type_binds(o->type))
			return 0;
	frr_each (sa_list, &sas, sa)
		if (sa_with(sa, c->ifp, &c->peer->nbma))
			sa_terminate(sa, "its last NHRP entry went");
	return 0;
}

/* ---- what the IPsec daemon says ---------------------------------------------- */

static struct ipsec_sa *sa_find(uint32_t id)
{
	struct ipsec_sa *sa;

	frr_each (sa_list, &sas, sa)
		if (sa->id == id)
			return sa;
	return NULL;
}

static void sa_free(struct ipsec_sa *sa)
{
	sa_list_del(&sas, sa);
	XFREE(MTYPE_NHRP_IPSEC_ID, sa->identity);
	XFREE(MTYPE_NHRP_IPSEC_ID, sa->conn);
	XFREE(MTYPE_NHRP_IPSEC_SA, sa);
}

/* sa goes: was it the last one up with its peer? */
static void sa_gone(struct ipsec_sa *sa)
{
	nhrp_debug(VICI, "IPsec: IKE SA %u with %pIA gone", sa->id,
		   &sa->remote);
	if (sa->established) {
		/* what goes with it does not ask for it to go */
		sa->established = false;
		sa->terminating = true;
		sa_changed(sa, false, false);
	}
	sa_free(sa);
}

static void sa_update(const struct nhrp_sa *in, bool children)
{
	struct ipsec_sa *sa = sa_find(in->id);
	bool was;

	if (!sa) {
		sa = XCALLOC(MTYPE_NHRP_IPSEC_SA, sizeof(*sa));
		sa->id = in->id;
		sa_list_add_tail(&sas, sa);
	}
	was = sa->established;
	sa->seen = true;
	sa->local = in->local;
	sa->remote = in->remote;
	sa->version = in->version;
	sa->initiator = in->initiator;
	sa->established = in->established;
	if (!sa->identity || strcmp(sa->identity, in->identity ?: "")) {
		XFREE(MTYPE_NHRP_IPSEC_ID, sa->identity);
		sa->identity = XSTRDUP(MTYPE_NHRP_IPSEC_ID, in->identity ?: "");
	}
	if (!sa->conn || strcmp(sa->conn, in->conn ?: "")) {
		XFREE(MTYPE_NHRP_IPSEC_ID, sa->conn);
		sa->conn = XSTRDUP(MTYPE_NHRP_IPSEC_ID, in->conn ?: "");
	}
	if (children) {
		sa->nchild = MIN(in->nchild, NHRP_SA_CHILD_MAX);
		for (unsigned int i = 0; i < sa->nchild; i++) {
			sa->child_id[i] = in->child[i].id;
			sa->reqid[i] = in->child[i].reqid;
		}
	}
	nhrp_debug(VICI, "IPsec: IKE SA %u %pIA - %pIA%s%s, connection %s%s, %u child SAs, identity %s",
		   sa->id, &sa->local, &sa->remote,
		   sa->established ? " established" : "",
		   sa->initiator ? " (ours)" : "", sa->conn,
		   sa_ours(sa) ? "" : " (not ours: ignored)", sa->nchild,
		   sa->identity);
	if (!sa->established)
		return;
	if (!was)
		sa_changed(sa, true, false);
	pair_dedup(&sa->local, &sa->remote);
}

static void child_event(const struct nhrp_sa *in, bool up)
{
	struct ipsec_sa *sa = sa_find(in->id);
	unsigned int i;

	if (!sa || !in->nchild) {
		if (up)
			sa_update(in, true);
		return;
	}
	for (i = 0; i < sa->nchild; i++)
		if (sa->child_id[i] == in->child[0].id)
			break;
	if (up && i == sa->nchild && i < NHRP_SA_CHILD_MAX) {
		sa->child_id[i] = in->child[0].id;
		sa->reqid[i] = in->child[0].reqid;
		sa->nchild++;
	} else if (!up && i < sa->nchild) {
		memmove(&sa->child_id[i], &sa->child_id[i + 1],
			(sa->nchild - i - 1) * sizeof(sa->child_id[0]));
		memmove(&sa->reqid[i], &sa->reqid[i + 1],
			(sa->nchild - i - 1) * sizeof(sa->reqid[0]));
		sa->nchild--;
	}
	if (up)
		sa_update(in, false);
	/* the last child SA of the peer gone, the IKE SA left: NHRP cannot
	 * pass (the next packet sets one up again) */
	else if (!sa->nchild && sa->established)
		sa_changed(sa, false, true);
}

static int sa_event(enum nhrp_sa_event ev, const struct nhrp_sa *in)
{
	struct ipsec_sa *sa;

	switch (ev) {
	case NHRP_SA_UP:
	case NHRP_SA_LISTED:
		connected = true;
		sa_update(in, true);
		break;
	case NHRP_SA_DOWN:
		if ((sa = sa_find(in->id)))
			sa_gone(sa);
		break;
	case NHRP_SA_CHILD_UP:
	case NHRP_SA_CHILD_DOWN:
		child_event(in, ev == NHRP_SA_CHILD_UP);
		break;
	case NHRP_SA_RESYNC_BEGIN:
		connected = true;
		resyncing = true;
		frr_each (sa_list, &sas, sa)
			sa->seen = false;
		break;
	case NHRP_SA_RESYNC_END:
		resyncing = false;
		frr_each_safe (sa_list, &sas, sa)
			if (!sa->seen)
				sa_gone(sa);
		frr_each_safe (sa_list, &sas, sa)
			pair_dedup(&sa->local, &sa->remote);
		break;
	case NHRP_SA_DISCONNECTED:
		/* what we know stays until the next listing says otherwise
		 * (the daemon may be back at once; its SAs may still be in
		 * the kernel) */
		connected = false;
		resyncing = false;
		break;
	}
	return 0;
}

/* ---- start and stop ------------------------------------------------------------ */

/* the IPsec daemon is wanted while an interface is protected */
static int if_changed(struct interface *ifp)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *i;
	bool want = false;
	struct ipsec_sa *sa;

	FOR_ALL_INTERFACES (vrf, i)
		if (nhrp_ipsec_protected(i))
			want = true;
	if (want == running || stopping)
		return 0;
	running = want;
	if (nhrp_sys->ipsec)
		nhrp_sys->ipsec(want);
	if (!want) {
		while ((sa = sa_list_first(&sas)))
			sa_free(sa);
		gone_clear();
		connected = resyncing = false;
	}
	return 0;
}

void nhrp_ipsec_init(void)
{
	stopping = false;
	hook_register(nhrp_sys_sa, sa_event);
	hook_register(nhrp_if_changed, if_changed);
	hook_register(nhrp_cache_gone, binding_gone);
	hook_register(nhrp_cache_moved, binding_gone);
	hook_register(nhrp_peer_free, peer_free);
}

/* at shut-down: NHRP's state goes, the SAs stay (our registrations are
 * withdrawn through them; another nhrpd may use them) */
void nhrp_ipsec_fini(void)
{
	struct ipsec_sa *sa;
	struct held *h;

	stopping = true;
	if (running && nhrp_sys->ipsec)
		nhrp_sys->ipsec(false);
	running = false;
	while ((h = held_list_first(&held)))
		held_free(h);
	gone_clear();
	THREAD_OFF(t_held);
	while ((sa = sa_list_first(&sas)))
		sa_free(sa);
	connected = resyncing = false;
}
