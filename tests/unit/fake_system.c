// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fake system for host tests of nhrpd's protocol core (see
 * fake_system.h).
 */
#include "tests/unit/fake_system.h"

#include <stdarg.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "lib_errors.h"
#include "log.h"
#include "vrf.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_msg.h"

struct thread_master *master;
int fake_failures;

/* ---- the clock ---------------------------------------------------------------
 * FRR's timers and monotime() read CLOCK_MONOTONIC through clock_gettime:
 * defined here, in the executable, it takes the place of libc's for
 * libfrr too.  Other clocks are the real ones.
 */
static struct timespec fake_mono = {.tv_sec = 1000};

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	if (clk == CLOCK_MONOTONIC || clk == CLOCK_MONOTONIC_COARSE ||
	    clk == CLOCK_MONOTONIC_RAW || clk == CLOCK_BOOTTIME) {
		*ts = fake_mono;
		return 0;
	}
	return syscall(SYS_clock_gettime, clk, ts);
}

double fake_time(void)
{
	return fake_mono.tv_sec - 1000 + fake_mono.tv_nsec / 1e9;
}

static void set_time(double t)
{
	/* rounded to the nanosecond, not truncated: a loop waiting for
	 * fake_time() to reach t gets there */
	long long ns = (long long)((t + 1000) * 1e9 + 0.5);

	fake_mono.tv_sec = ns / 1000000000LL;
	fake_mono.tv_nsec = ns % 1000000000LL;
}

/* what libfrr keeps in thread.c: the same layout, for a peek at the
 * earliest timer and the queued events */
static int timer_cmp(const struct thread *a, const struct thread *b)
{
	return 0;
}
DECLARE_HEAP(thread_timer_list, struct thread, timeritem, timer_cmp);
DECLARE_LIST(thread_list, struct thread, threaditem);

static bool due(struct timeval *next)
{
	struct thread *t;
	struct timeval now;

	if (thread_list_count(&master->event) || thread_list_count(&master->ready))
		return true;
	t = thread_timer_list_first(&master->timer);
	if (!t)
		return false;
	if (next)
		*next = t->u.sands;
	monotime(&now);
	return timercmp(&t->u.sands, &now, <=);
}

static void drain(void)
{
	struct thread thread;

	while (due(NULL) && thread_fetch(master, &thread))
		thread_call(&thread);
}

void fake_run(double secs)
{
	double target = fake_time() + secs;
	struct timeval next;

	for (;;) {
		drain();
		if (due(&next))
			continue;
		if (!thread_timer_list_first(&master->timer))
			break;
		if (next.tv_sec - 1000 + next.tv_usec / 1e6 > target)
			break;
		/* exactly the timer's time: through a double it may come
		 * out a nanosecond early, and never be due */
		fake_mono.tv_sec = next.tv_sec;
		fake_mono.tv_nsec = next.tv_usec * 1000L;
	}
	set_time(target);
	drain();
}

/* ---- addresses ----------------------------------------------------------------- */

struct ipaddr ip4(const char *s)
{
	struct ipaddr a = {};

	if (s && inet_pton(AF_INET, s, &a.ipaddr_v4) == 1)
		SET_IPADDR_V4(&a);
	else if (s && inet_pton(AF_INET6, s, &a.ipaddr_v6) == 1)
		SET_IPADDR_V6(&a);
	return a;
}

const char *fake_addr(const struct nhrp_addr *a)
{
	static char bufs[8][INET6_ADDRSTRLEN];
	static unsigned int n;
	char *b = bufs[n++ % 8];

	if (a->len == 4)
		inet_ntop(AF_INET, a->a, b, INET6_ADDRSTRLEN);
	else if (a->len == 16)
		inet_ntop(AF_INET6, a->a, b, INET6_ADDRSTRLEN);
	else
		strlcpy(b, "-", INET6_ADDRSTRLEN);
	return b;
}

/* ---- the world --------------------------------------------------------------------- */

struct gre {
	ifindex_t ifindex, link;
	struct ipaddr local;
	unsigned int reprogrammed;
};
static struct gre gres[8];
static unsigned int ngres;

struct rib_entry {
	struct prefix p;
	struct ipaddr gateway;
	ifindex_t ifindex;
};
static struct rib_entry rib[64];
static unsigned int nrib;

struct dns_entry {
	char name[64];
	struct ipaddr addr;
};
static struct dns_entry dns[8];
static unsigned int ndns;

struct interface *fake_if(const char *name, ifindex_t ifindex, ...)
{
	struct interface *ifp = if_get_by_name(name, VRF_DEFAULT, NULL);
	const char *addr;
	va_list ap;

	if_set_index(ifp, ifindex);
	ifp->mtu = 1476;
	ifp->flags = IFF_UP | IFF_RUNNING;
	va_start(ap, ifindex);
	while ((addr = va_arg(ap, const char *))) {
		struct prefix p;

		str2prefix(addr, &p);
		connected_add_by_prefix(ifp, &p, NULL);
	}
	va_end(ap);
	nhrp_sys_if_change_in(ifp);
	return ifp;
}

struct interface *fake_gre(const char *name, ifindex_t ifindex,
			   const char *nbma, const char *addr)
{
	struct interface *ifp;

	gres[ngres].ifindex = ifindex;
	gres[ngres++].local = ip4(nbma);
	ifp = fake_if(name, ifindex, addr, NULL);
	nhrp_if(ifp)->afi[NHRP_AFI_IP].network_id = 1;
	nhrp_if_update(ifp);
	return ifp;
}

void fake_if_addr(struct interface *ifp, const char *addr)
{
	struct prefix p;

	str2prefix(addr, &p);
	connected_add_by_prefix(ifp, &p, NULL);
	nhrp_sys_if_change_in(ifp);
}

void fake_route_add(const char *prefix, const char *gateway, ifindex_t ifindex)
{
	struct rib_entry *r = &rib[nrib++];

	str2prefix(prefix, &r->p);
	apply_mask(&r->p);
	r->gateway = ip4(gateway);
	r->ifindex = ifindex;
}

struct nhrp_nhs_conf *fake_nhs_add(struct interface *ifp, const char *proto,
				   const char *nbma, uint8_t prio,
				   uint8_t cluster)
{
	struct nhrp_nhs_conf *n = nhrp_conf_alloc(sizeof(*n));

	if (proto)
		n->proto = ip4(proto);
	else
		n->dynamic = true;
	if (nbma)
		strlcpy(n->nbma, nbma, sizeof(n->nbma));
	else
		n->from_map = true;
	n->priority = prio;
	n->cluster = cluster;
	nhrp_nhs_list_add_tail(&nhrp_if(ifp)->afi[nhrp_afi_of(&n->proto)].nhs,
			       n);
	return n;
}

void fake_map_add(struct interface *ifp, int afi, const char *proto,
		  const char *nbma)
{
	struct nhrp_map_conf *m = nhrp_conf_alloc(sizeof(*m));

	m->proto = ip4(proto);
	m->nbma = ip4(nbma);
	nhrp_map_list_add_tail(&nhrp_if(ifp)->afi[afi].maps, m);
}

void fake_dns_add(const char *name, const char *addr)
{
	strlcpy(dns[ndns].name, name, sizeof(dns[ndns].name));
	dns[ndns++].addr = ip4(addr);
}

/* ---- the system interface ----------------------------------------------------------- */

struct sent_item {
	struct sent_item *next;
	struct fake_sent s;
};
static struct sent_item *sent_head, **sent_tail = &sent_head, *sent_last;
static unsigned int nsent;

static unsigned int send_many_calls, send_many_max;

static int f_send(struct interface *ifp, const struct ipaddr *nbma,
		  uint16_t ethertype, const void *pkt, size_t len)
{
	struct sent_item *it = calloc(1, sizeof(*it));

	it->s.ifindex = ifp->ifindex;
	it->s.nbma = *nbma;
	it->s.ethertype = ethertype;
	it->s.time = fake_time();
	it->s.len = MIN(len, sizeof(it->s.buf));
	memcpy(it->s.buf, pkt, it->s.len);
	if (ethertype == ETH_P_NHRP) {
		int r = nhrp_decode(it->s.buf, it->s.len, &it->s.pkt);

		if (r < 0) {
			fprintf(stderr,
				"nhrpd sent a packet it cannot decode: %s at offset %u:",
				nhrp_reason_name(r), it->s.pkt.fault_off);
			for (size_t i = 0; i < it->s.len; i++)
				fprintf(stderr, " %02x", it->s.buf[i]);
			fprintf(stderr, "\n");
			fake_failures++;
		}
	}
	*sent_tail = it;
	sent_tail = &it->next;
	nsent++;
	return 0;
}

static unsigned int f_send_many(struct interface *ifp,
				const struct ipaddr *nbma, unsigned int n,
				uint16_t ethertype, const void *pkt, size_t len)
{
	send_many_calls++;
	send_many_max = MAX(send_many_max, n);
	for (unsigned int i = 0; i < n; i++)
		f_send(ifp, &nbma[i], ethertype, pkt, len);
	return n;
}

unsigned int fake_send_many_calls(unsigned int *largest)
{
	if (largest)
		*largest = send_many_max;
	return send_many_calls;
}

unsigned int fake_sent_count(void)
{
	return nsent;
}

struct fake_sent *fake_sent_pop(void)
{
	free(sent_last);
	sent_last = sent_head;
	if (!sent_head)
		return NULL;
	sent_head = sent_head->next;
	if (!sent_head)
		sent_tail = &sent_head;
	nsent--;
	return &sent_last->s;
}

struct fake_sent *fake_sent_pop_type(uint8_t type)
{
	struct fake_sent *s;

	while ((s = fake_sent_pop()))
		if (s->ethertype == ETH_P_NHRP && s->pkt.type == type)
			return s;
	return NULL;
}

void fake_sent_clear(void)
{
	while (fake_sent_pop())
		;
}

struct neigh {
	ifindex_t ifindex;
	struct ipaddr proto, nbma;
	bool used;
};
static struct neigh neighs[256];

static int f_neigh(struct interface *ifp, const struct ipaddr *proto,
		   const struct ipaddr *nbma)
{
	struct neigh *free_slot = NULL;

	for (unsigned int i = 0; i < array_size(neighs); i++) {
		struct neigh *n = &neighs[i];

		if (!n->used) {
			if (!free_slot)
				free_slot = n;
			continue;
		}
		if (n->ifindex == ifp->ifindex &&
		    ipaddr_cmp(&n->proto, proto) == 0) {
			if (nbma)
				n->nbma = *nbma;
			else
				n->used = false;
			return 0;
		}
	}
	if (!nbma)
		return -ENOENT;
	if (!free_slot)
		return -ENOBUFS;
	free_slot->used = true;
	free_slot->ifindex = ifp->ifindex;
	free_slot->proto = *proto;
	free_slot->nbma = *nbma;
	return 0;
}

const struct ipaddr *fake_neigh(ifindex_t ifindex, const char *proto)
{
	struct ipaddr p = ip4(proto);

	for (unsigned int i = 0; i < array_size(neighs); i++)
		if (neighs[i].used && neighs[i].ifindex == ifindex &&
		    ipaddr_cmp(&neighs[i].proto, &p) == 0)
			return &neighs[i].nbma;
	return NULL;
}

unsigned int fake_neigh_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < array_size(neighs); i++)
		n += neighs[i].used;
	return n;
}

static int f_route_lookup(const struct ipaddr *dst, struct nhrp_route_info *ri)
{
	struct rib_entry *best = NULL;
	struct prefix host = {};

	host.family = IS_IPADDR_V6(dst) ? AF_INET6 : AF_INET;
	host.prefixlen = IS_IPADDR_V6(dst) ? 128 : 32;
	memcpy(&host.u.prefix, &dst->ip.addr, IS_IPADDR_V6(dst) ? 16 : 4);
	for (unsigned int i = 0; i < nrib; i++)
		if (prefix_match(&rib[i].p, &host) &&
		    (!best || rib[i].p.prefixlen > best->p.prefixlen))
			best = &rib[i];
	memset(ri, 0, sizeof(*ri));
	if (!best)
		return -1;
	prefix_copy(&ri->prefix, &best->p);
	ri->gateway = best->gateway;
	ri->ifindex = best->ifindex;
	return 0;
}

struct route {
	struct prefix p;
	struct ipaddr via;
	bool used;
};
static struct route routes[64];

static void f_route(const struct prefix *p, const struct ipaddr *via,
		    struct interface *ifp, bool add)
{
	struct route *free_slot = NULL;

	for (unsigned int i = 0; i < array_size(routes); i++) {
		if (!routes[i].used) {
			if (!free_slot)
				free_slot = &routes[i];
			continue;
		}
		if (prefix_same(&routes[i].p, p)) {
			if (add)
				routes[i].via = *via;
			else
				routes[i].used = false;
			return;
		}
	}
	if (add && free_slot) {
		free_slot->used = true;
		prefix_copy(&free_slot->p, p);
		free_slot->via = *via;
	}
}

bool fake_route_installed(const char *prefix, const char *via)
{
	struct prefix p;
	struct ipaddr v = ip4(via);

	str2prefix(prefix, &p);
	for (unsigned int i = 0; i < array_size(routes); i++)
		if (routes[i].used && prefix_same(&routes[i].p, &p) &&
		    (!via || ipaddr_cmp(&routes[i].via, &v) == 0))
			return true;
	return false;
}

unsigned int fake_routes_installed(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < array_size(routes); i++)
		n += routes[i].used;
	return n;
}

static int f_gre_info(struct interface *ifp, struct nhrp_gre_info *gi)
{
	memset(gi, 0, sizeof(*gi));
	for (unsigned int i = 0; i < ngres; i++)
		if (gres[i].ifindex == ifp->ifindex) {
			gi->is_gre = gi->multipoint = true;
			gi->local = gres[i].local;
			gi->link_ifindex = gres[i].link;
			gi->ikey = 42;
			return 0;
		}
	return 0;
}

static int f_gre_set_source(struct interface *ifp, ifindex_t link,
			    const struct ipaddr *local)
{
	for (unsigned int i = 0; i < ngres; i++)
		if (gres[i].ifindex == ifp->ifindex) {
			gres[i].link = link;
			gres[i].local = *local;
			gres[i].reprogrammed++;
			return 0;
		}
	return -ENODEV;
}

unsigned int fake_gre_source(ifindex_t ifindex, ifindex_t *link,
			     struct ipaddr *local)
{
	for (unsigned int i = 0; i < ngres; i++)
		if (gres[i].ifindex == ifindex) {
			*link = gres[i].link;
			*local = gres[i].local;
			return gres[i].reprogrammed;
		}
	return 0;
}

static void f_if_prepare(struct interface *ifp, int afi, bool multicast)
{
}

struct nhrp_nflog {
	uint16_t group;
	nhrp_nflog_cb cb;
	void *arg;
};
static struct nhrp_nflog nflogs[4];

static struct nhrp_nflog *f_nflog_open(uint16_t group, nhrp_nflog_cb cb,
				       void *arg)
{
	for (unsigned int i = 0; i < array_size(nflogs); i++)
		if (!nflogs[i].group) {
			nflogs[i] = (struct nhrp_nflog){group, cb, arg};
			return &nflogs[i];
		}
	return NULL;
}

static void f_nflog_close(struct nhrp_nflog **nl)
{
	if (*nl)
		memset(*nl, 0, sizeof(**nl));
	*nl = NULL;
}

nhrp_nflog_cb fake_nflog(uint16_t group, void **arg)
{
	for (unsigned int i = 0; i < array_size(nflogs); i++)
		if (nflogs[i].group == group) {
			if (arg)
				*arg = nflogs[i].arg;
			return nflogs[i].cb;
		}
	return NULL;
}

static void dns_answer(struct thread *t)
{
	struct nhrp_resolve *q = THREAD_ARG(t);
	const char *name = q->impl[1];

	q->impl[0] = NULL;
	for (unsigned int i = 0; i < ndns; i++)
		if (strcmp(dns[i].name, name) == 0) {
			q->cb(q, &dns[i].addr, NULL);
			return;
		}
	q->cb(q, NULL, "unknown host");
}

static void f_resolve(struct nhrp_resolve *q, const char *name,
		      nhrp_resolve_cb cb)
{
	q->cb = cb;
	q->impl[1] = (void *)name;
	thread_add_event(master, dns_answer, q, 0,
			 (struct thread **)&q->impl[0]);
}

static void f_resolve_cancel(struct nhrp_resolve *q)
{
	thread_cancel((struct thread **)&q->impl[0]);
}

static bool auth_on;
static struct fake_auth auths[16];
static unsigned int nauths;
static uint32_t auth_ids;

void fake_authorizing(bool on)
{
	auth_on = on;
}

static bool f_authorizing(void)
{
	return auth_on;
}

static uint32_t f_authorize(const struct nhrp_event_binding *b,
			    nhrp_event_done_cb done, void *arg)
{
	struct fake_auth *a = &auths[nauths++ % array_size(auths)];

	a->id = ++auth_ids;
	a->done = done;
	a->arg = arg;
	a->answered = false;
	a->cancelled = false;
	a->remote_addr = b->remote_addr;
	a->remote_nbma = b->remote_nbma;
	strlcpy(a->type, b->type, sizeof(a->type));
	strlcpy(a->old_type, b->old_type, sizeof(a->old_type));
	return a->id;
}

static void f_authorize_cancel(uint32_t id)
{
	for (unsigned int i = 0; i < array_size(auths); i++)
		if (auths[i].id == id)
			auths[i].cancelled = true;
}

unsigned int fake_auth_count(void)
{
	return nauths;
}

struct fake_auth *fake_auth(unsigned int n)
{
	return n < nauths ? &auths[n % array_size(auths)] : NULL;
}

void fake_auth_answer(unsigned int n, bool accept)
{
	struct fake_auth *a = fake_auth(n);

	if (!a || a->answered || a->cancelled)
		return;
	a->answered = true;
	a->done(a->arg, accept);
}

/* nhrpd's own netfilter rules: which interfaces, per kind */
static struct {
	struct interface *ifp[16];
	nhrp_nflog_cb cb;
	void *arg;
} captures[NHRP_CAPTURE_MAX];

static void f_capture(enum nhrp_capture kind, struct interface *ifp, bool on,
		      nhrp_nflog_cb cb, void *arg)
{
	struct interface **slot = NULL;

	if (kind >= NHRP_CAPTURE_MAX) {
		fprintf(stderr, "capture of an unknown kind %d\n", kind);
		fake_failures++;
		return;
	}
	for (unsigned int i = 0; i < array_size(captures[kind].ifp); i++) {
		struct interface **x = &captures[kind].ifp[i];

		if (*x == ifp) {
			slot = x;
			break;
		}
		if (!*x && !slot)
			slot = x;
	}
	if (!on) {
		if (slot && *slot == ifp)
			*slot = NULL;
		return;
	}
	if (ifp->ifindex == IFINDEX_INTERNAL) {
		fprintf(stderr, "capture on %s, which the system does not have\n",
			ifp->name);
		fake_failures++;
	}
	if (slot)
		*slot = ifp;
	captures[kind].cb = cb;
	captures[kind].arg = arg;
}

bool fake_capture(enum nhrp_capture kind, const char *ifname)
{
	for (unsigned int i = 0; i < array_size(captures[kind].ifp); i++)
		if (captures[kind].ifp[i] &&
		    strcmp(captures[kind].ifp[i]->name, ifname) == 0)
			return true;
	return false;
}

unsigned int fake_captures(enum nhrp_capture kind)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < array_size(captures[kind].ifp); i++)
		n += !!captures[kind].ifp[i];
	return n;
}

nhrp_nflog_cb fake_capture_cb(enum nhrp_capture kind, void **arg)
{
	if (!fake_captures(kind))
		return NULL;
	if (arg)
		*arg = captures[kind].arg;
	return captures[kind].cb;
}

/* the host has no packet socket: nothing received, nothing dropped */
static uint32_t packet_buffer;

static void f_packet_buffer(uint32_t bytes)
{
	packet_buffer = bytes;
}

static int f_packet_stats(struct nhrp_packet_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->buffer = packet_buffer;
	return 0;
}

/* ---- IPsec: the IPsec daemon's side ------------------------------------------ */

static bool ipsec_on;
static unsigned int ipsec_starts;
static uint32_t terminated[64];
static unsigned int nterminated;
static const char *sa_conn = "dmvpn";

static void f_ipsec(bool on)
{
	ipsec_on = on;
	if (on)
		ipsec_starts++;
}

static int f_sa_terminate(uint32_t id)
{
	if (!ipsec_on)
		return -1;
	if (nterminated < array_size(terminated))
		terminated[nterminated++] = id;
	return 0;
}

bool fake_ipsec_on(void)
{
	return ipsec_on;
}

unsigned int fake_ipsec_starts(void)
{
	return ipsec_starts;
}

unsigned int fake_sa_terminated(uint32_t id)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < nterminated; i++)
		if (!id || terminated[i] == id)
			n++;
	return n;
}

void fake_sa_conn(const char *conn)
{
	sa_conn = conn;
}

void fake_sa(enum nhrp_sa_event ev, uint32_t id, const char *local,
	     const char *remote, const char *identity, bool initiator,
	     uint32_t reqid)
{
	struct nhrp_sa sa = {};

	sa.id = id;
	if (local)
		sa.local = ip4(local);
	if (remote)
		sa.remote = ip4(remote);
	sa.identity = identity ? identity : "";
	sa.conn = sa_conn;
	sa.version = 2;
	sa.initiator = initiator;
	sa.established = ev != NHRP_SA_DOWN;
	if (reqid) {
		sa.nchild = 1;
		sa.child[0].id = id * 100 + reqid;
		sa.child[0].reqid = reqid;
	}
	nhrp_sys_sa_in(ev, &sa);
}

void fake_sa_state(enum nhrp_sa_event ev)
{
	nhrp_sys_sa_in(ev, NULL);
}

static void f_neigh_list(struct interface *ifp, int afi, nhrp_neigh_list_cb cb,
			 void *arg)
{
	struct neigh copy[array_size(neighs)];
	unsigned int n = 0;

	/* a copy: cb may delete what it is given */
	for (unsigned int i = 0; i < array_size(neighs); i++)
		if (neighs[i].used && neighs[i].ifindex == ifp->ifindex &&
		    nhrp_afi_of(&neighs[i].proto) == afi)
			copy[n++] = neighs[i];
	for (unsigned int i = 0; i < n; i++)
		cb(ifp, &copy[i].proto, &copy[i].nbma, arg);
}

static const struct nhrp_system fake_system = {
	.send = f_send,
	.send_many = f_send_many,
	.neigh = f_neigh,
	.neigh_list = f_neigh_list,
	.route_lookup = f_route_lookup,
	.route = f_route,
	.gre_info = f_gre_info,
	.if_prepare = f_if_prepare,
	.nflog_open = f_nflog_open,
	.nflog_close = f_nflog_close,
	.resolve = f_resolve,
	.resolve_cancel = f_resolve_cancel,
	.gre_set_source = f_gre_set_source,
	.authorizing = f_authorizing,
	.authorize = f_authorize,
	.authorize_cancel = f_authorize_cancel,
	.capture = f_capture,
	.packet_buffer = f_packet_buffer,
	.packet_stats = f_packet_stats,
	.ipsec = f_ipsec,
	.sa_terminate = f_sa_terminate,
};

/* ---- packets in ------------------------------------------------------------------- */

void fake_recv_raw(struct interface *ifp, const char *from, const uint8_t *buf,
		   size_t len)
{
	struct ipaddr f = ip4(from);

	nhrp_sys_packet_in(ifp, &f, buf, len);
}

void fake_recv(struct interface *ifp, const char *from, struct nhrp_pkt *p)
{
	uint8_t buf[2048];
	int len = nhrp_encode(p, buf, sizeof(buf));

	if (len < 0) {
		fprintf(stderr, "test packet does not encode: %s\n",
			nhrp_reason_name(len));
		fake_failures++;
		return;
	}
	fake_recv_raw(ifp, from, buf, len);
}

static void set_addr(struct nhrp_addr *a, const char *s)
{
	struct ipaddr ip = ip4(s);

	memset(a, 0, sizeof(*a));
	if (IS_IPADDR_V4(&ip))
		nhrp_addr_set(a, &ip.ipaddr_v4, 4);
	else if (IS_IPADDR_V6(&ip))
		nhrp_addr_set(a, &ip.ipaddr_v6, 16);
}

void fake_pkt(struct nhrp_pkt *p, uint8_t type, const char *src_nbma,
	      const char *src_proto, const char *dst_proto, uint32_t reqid)
{
	struct ipaddr sp = ip4(src_proto);

	/* an IPv6 source protocol address: a packet of IPv6 (over IPv4) */
	nhrp_pkt_init(p, type, NHRP_AFN_IPV4,
		      IS_IPADDR_V6(&sp) ? NHRP_PRO_IPV6 : NHRP_PRO_IPV4);
	set_addr(&p->src_nbma, src_nbma);
	set_addr(&p->src_proto, src_proto);
	set_addr(&p->dst_proto, dst_proto);
	p->reqid = reqid;
}

struct nhrp_cie *fake_cie(struct nhrp_pkt *p, struct nhrp_cies *list,
			  uint8_t code, uint8_t prefix_len, uint16_t holdtime,
			  const char *nbma, const char *proto)
{
	struct nhrp_cie *cie = nhrp_cie_add(p, list);

	cie->code = code;
	cie->prefix_len = prefix_len;
	cie->holdtime = holdtime;
	cie->mtu = 1476;
	if (nbma)
		set_addr(&cie->nbma, nbma);
	if (proto)
		set_addr(&cie->proto, proto);
	return cie;
}

void fake_exts(struct nhrp_pkt *p, const char *auth)
{
	nhrp_ext_add(p, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(p, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(p, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
	if (auth) {
		struct nhrp_ext *e =
			nhrp_ext_add(p, NHRP_EXT_AUTH | NHRP_EXT_COMPULSORY);

		e->auth_type = NHRP_AUTH_CLEARTEXT;
		e->value = (const uint8_t *)auth;
		e->value_len = strlen(auth);
	}
	nhrp_ext_add(p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
}

/* ---- running the tests -------------------------------------------------------------- */

void fake_world_init(void)
{
	const char *dbg = getenv("NHRP_TEST_DEBUG");
	/* NHRP_TEST_QUIET: only critical messages (the fuzzer) */
	int prio = dbg ? LOG_DEBUG
		       : getenv("NHRP_TEST_QUIET") ? LOG_CRIT : LOG_WARNING;

	master = thread_master_create(NULL);
	zlog_aux_init("NONE: ", prio);
	if (dbg)
		nhrp_debug_flags = NHRP_DEBUG_ALL;
	log_ref_init();
	nhrp_error_init();
	vrf_init(NULL, NULL, NULL, NULL);
	nhrp_system_set(&fake_system);
	nhrp_protocol_init();
}

int fake_main(int argc, char **argv, const struct fake_test *tests)
{
	unsigned int passed = 0, failed = 0;

	for (const struct fake_test *t = tests; t->name; t++) {
		pid_t pid;
		int status;

		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			fake_world_init();
			t->fn();
			fflush(stderr);
			_exit(fake_failures ? 1 : 0);
		}
		waitpid(pid, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %s\n", t->name);
			passed++;
		} else {
			printf("FAIL %s%s\n", t->name,
			       WIFSIGNALED(status) ? " (crashed)" : "");
			failed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

struct nhrp_cache *fake_cache(struct interface *ifp, const char *proto)
{
	struct ipaddr a = ip4(proto);

	return nhrp_cache_find(ifp, &a);
}

struct nhrp_peer *fake_peer(struct interface *ifp, const char *nbma)
{
	struct ipaddr a = ip4(nbma);

	return nhrp_peer_find(ifp, &a);
}

bool fake_sent_to(const struct fake_sent *s, const char *nbma)
{
	struct ipaddr a = ip4(nbma);

	return ipaddr_cmp(&s->nbma, &a) == 0;
}
