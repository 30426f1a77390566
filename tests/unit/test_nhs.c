// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host tests of several next hop servers (doc/nhs.md): priorities,
 * clusters and max-connections, falling back when a server stops
 * answering and returning when it answers again, servers whose NBMA
 * address comes from `ip nhrp map`, and which server resolutions go to.
 * Same fake system and fake clock as test_protocol.c.
 *
 *   hubA    gre1 10.255.0.1   NBMA 192.0.2.1
 *   hubB    gre1 10.255.0.2   NBMA 192.0.2.2
 *   hubC    gre1 10.255.0.3   NBMA 192.0.2.3
 *   spoke1  gre1 10.255.0.11/24 NBMA 198.51.100.1   (the station under test)
 *
 * Holding time 60 s: registrations are refreshed every 20 s, retransmitted
 * after 1, 2, 4, 8, 16, 20, 20 ... s; a server is unreachable once three
 * requests in a row went unanswered (7 s after the first).
 */
#include "tests/unit/fake_system.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_reg_client.h"
#include "nhrpd/nhrp_shortcut.h"

#define A_NBMA "192.0.2.1"
#define A_TUN "10.255.0.1"
#define B_NBMA "192.0.2.2"
#define B_TUN "10.255.0.2"
#define C_NBMA "192.0.2.3"
#define C_TUN "10.255.0.3"
#define S1_NBMA "198.51.100.1"
#define S1_TUN "10.255.0.11"
#define GRE 10
#define HOLD 60

static struct interface *gre;

static struct nhrp_afi_conf *conf(void)
{
	return &nhrp_if(gre)->afi[NHRP_AFI_IP];
}

static void spoke(void)
{
	gre = fake_gre("gre1", GRE, S1_NBMA, S1_TUN "/24");
	fake_route_add("10.255.0.0/24", NULL, GRE);
	conf()->holdtime = HOLD;
}

static struct nhrp_nhs_conf *add_nhs(const char *proto, const char *nbma,
				     uint8_t prio, uint8_t cluster)
{
	return fake_nhs_add(gre, proto, nbma, prio, cluster);
}

static void add_map(const char *proto, const char *nbma)
{
	fake_map_add(gre, NHRP_AFI_IP, proto, nbma);
}

static void max_connections(uint8_t cluster, uint8_t max)
{
	conf()->nhs_max_set[cluster] = true;
	conf()->nhs_max[cluster] = max;
}

static struct nhrp_nhs *nhs(const char *proto)
{
	struct nhrp_nhs_list_rt_head *l = nhrp_nhs_of(gre);
	struct ipaddr a = ip4(proto);
	struct nhrp_nhs *n;

	if (l)
		frr_each (nhrp_nhs_list_rt, l, n)
			if (ipaddr_cmp(&n->proto, &a) == 0)
				return n;
	return NULL;
}

/* ---- what was sent, kept: several servers answer in any order ---------- */

struct got {
	struct ipaddr nbma;
	double time;
	size_t len;
	uint8_t buf[2048];
};
static struct got got[512];
static unsigned int ngot;

/* move everything sent so far into got[] */
static void collect(void)
{
	struct fake_sent *s;

	while ((s = fake_sent_pop()) && ngot < array_size(got)) {
		if (s->ethertype != ETH_P_NHRP)
			continue;
		got[ngot].nbma = s->nbma;
		got[ngot].time = s->time;
		got[ngot].len = s->len;
		memcpy(got[ngot].buf, s->buf, s->len);
		ngot++;
	}
}

static uint8_t got_type(const struct got *g)
{
	return g->buf[17]; /* ar$op.type */
}

static bool got_to(const struct got *g, const char *nbma)
{
	struct ipaddr a = ip4(nbma);

	return ipaddr_cmp(&g->nbma, &a) == 0;
}

/* packets of this type sent to nbma since index `from` */
static unsigned int count_to(uint8_t type, const char *nbma, unsigned int from)
{
	unsigned int n = 0;

	collect();
	for (unsigned int i = from; i < ngot; i++)
		n += got_type(&got[i]) == type && got_to(&got[i], nbma);
	return n;
}

/* the latest packet of this type sent to nbma, decoded into p (false:
 * none) */
static bool last_to(uint8_t type, const char *nbma, struct nhrp_pkt *p,
		    double *when)
{
	collect();
	for (unsigned int i = ngot; i-- > 0;)
		if (got_type(&got[i]) == type && got_to(&got[i], nbma)) {
			if (when)
				*when = got[i].time;
			return nhrp_decode(got[i].buf, got[i].len, p) == 0;
		}
	return false;
}

/* the server at (nbma, tun) answers our latest Registration Request */
static bool answer(const char *nbma, const char *tun)
{
	struct nhrp_pkt p;
	int i;

	if (!last_to(NHRP_PKT_REG_REQ, nbma, &p, NULL))
		return false;
	p.type = NHRP_PKT_REG_REPLY;
	i = nhrp_ext_find(&p, NHRP_EXT_RESPONDER);
	if (i >= 0)
		fake_cie(&p, &p.ext[i].cie, 0, 32, HOLD, nbma, tun);
	fake_recv(gre, nbma, &p);
	fake_run(0);
	return true;
}

/* let secs pass, the server at (nbma, tun) answering every registration */
static void run_answering(double secs, const char *nbma, const char *tun)
{
	double end = fake_time() + secs;
	unsigned int seen = count_to(NHRP_PKT_REG_REQ, nbma, 0);

	while (fake_time() < end) {
		unsigned int n;

		fake_run(MIN(0.5, end - fake_time()));
		n = count_to(NHRP_PKT_REG_REQ, nbma, 0);
		if (n != seen)
			answer(nbma, tun);
		seen = n;
	}
}

/* ---- the tests ------------------------------------------------------------ */

/* no cluster limit: every server is registered with, and resolutions go
 * to the most preferred one that answers */
static void test_nhs_all_used(void)
{
	struct ipaddr target = ip4("10.2.0.5");
	struct nhrp_pkt p;

	spoke();
	add_nhs(A_TUN, A_NBMA, 2, 0);
	add_nhs(B_TUN, B_NBMA, 1, 0);
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, 0), 1);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, 0), 1);
	REQUIRE(answer(A_NBMA, A_TUN) && answer(B_NBMA, B_TUN));
	CHECK_EQ(nhs(A_TUN)->status, NHS_UP);
	CHECK_EQ(nhs(B_TUN)->status, NHS_UP);
	/* priority 1 beats 2, whatever the configuration order */
	CHECK(nhrp_nhs_pick(gre, NHRP_AFI_IP) == nhs(B_TUN));
	conf()->shortcut = true;
	REQUIRE(nhrp_shortcut_resolve(gre, NHRP_AFI_IP, &target));
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_RES_REQ, B_NBMA, 0), 1);
	CHECK_EQ(count_to(NHRP_PKT_RES_REQ, A_NBMA, 0), 0);
	REQUIRE(last_to(NHRP_PKT_RES_REQ, B_NBMA, &p, NULL));
	CHECK(strcmp(fake_addr(&p.dst_proto), "10.2.0.5") == 0);
}

/* a server that stops answering is not asked to resolve: the next best
 * one that answers is */
static void test_nhs_pick_skips_unreachable(void)
{
	struct ipaddr target = ip4("10.2.0.5");
	unsigned int mark;

	spoke();
	add_nhs(A_TUN, A_NBMA, 0, 0);
	add_nhs(B_TUN, B_NBMA, 5, 0);
	nhrp_if_update(gre);
	fake_run(0);
	REQUIRE(answer(A_NBMA, A_TUN) && answer(B_NBMA, B_TUN));
	CHECK(nhrp_nhs_pick(gre, NHRP_AFI_IP) == nhs(A_TUN));
	/* B answers its refreshes, A does not */
	mark = ngot;
	fake_run(HOLD / 3 + 0.5);
	REQUIRE(answer(B_NBMA, B_TUN));
	fake_run(6);
	CHECK(nhrp_nhs_reachable(nhs(A_TUN)));
	fake_run(1);
	CHECK(!nhrp_nhs_reachable(nhs(A_TUN)));
	/* still registered there for a while, but not answering */
	CHECK_EQ(nhs(A_TUN)->status, NHS_UP);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 4);
	CHECK(nhrp_nhs_pick(gre, NHRP_AFI_IP) == nhs(B_TUN));
	conf()->shortcut = true;
	mark = ngot;
	REQUIRE(nhrp_shortcut_resolve(gre, NHRP_AFI_IP, &target));
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_RES_REQ, B_NBMA, mark), 1);
	CHECK_EQ(count_to(NHRP_PKT_RES_REQ, A_NBMA, mark), 0);
}

/* an unanswered refresh is retransmitted with the same request id and a
 * growing wait, and the server goes down after a holding time; it is not
 * asked again with a new id every second */
static void test_nhs_refresh_unanswered(void)
{
	double when[] = {0, 1, 3, 7, 15, 31, 51, 71};
	struct nhrp_pkt p;
	double t0, t;
	uint32_t id = 0;

	spoke();
	add_nhs(A_TUN, A_NBMA, 0, 0);
	nhrp_if_update(gre);
	fake_run(0);
	REQUIRE(answer(A_NBMA, A_TUN));
	fake_run(HOLD / 3 + 0.01);
	t0 = fake_time() - 0.01;
	for (unsigned int n = 0; n < array_size(when); n++) {
		fake_run(t0 + when[n] - fake_time() + 0.01);
		REQUIRE(last_to(NHRP_PKT_REG_REQ, A_NBMA, &p, &t));
		CHECK(t >= t0 + when[n] - 0.001 && t < t0 + when[n] + 0.02);
		if (!id)
			id = p.reqid;
		CHECK_EQ(p.reqid, id);
	}
	/* 8 requests: the refresh and 7 retransmissions, nothing more */
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, 1), 8);
	CHECK_EQ(nhs(A_TUN)->status, NHS_DOWN);
	CHECK(!nhrp_nhs_pick(gre, NHRP_AFI_IP));
	/* it answers again: up */
	REQUIRE(answer(A_NBMA, A_TUN));
	CHECK_EQ(nhs(A_TUN)->status, NHS_UP);
	CHECK(nhrp_nhs_pick(gre, NHRP_AFI_IP) == nhs(A_TUN));
}

/* `ip nhrp registration timeout 5`: refreshed every 5 s, not every 20;
 * retransmitted at most 5 s apart, so a server that was down is
 * registered with within 5 s of its return; a longer timeout than a
 * third of the holding time changes nothing; `no` goes back */
static void test_nhs_registration_timeout(void)
{
	struct nhrp_pkt p;
	double t, prev;
	unsigned int mark;

	spoke();
	conf()->reg_timeout = 5;
	add_nhs(A_TUN, A_NBMA, 0, 0);
	nhrp_if_update(gre);
	fake_run(0);
	REQUIRE(answer(A_NBMA, A_TUN));
	mark = ngot;
	run_answering(16, A_NBMA, A_TUN);
	/* refreshes at 5, 10, 15 s */
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 3);

	/* the server stops answering: retransmissions 1, 2, 4, 5, 5 ... s
	 * apart, never more */
	fake_run(70);
	collect();
	prev = -1;
	for (unsigned int i = mark; i < ngot; i++) {
		if (got_type(&got[i]) != NHRP_PKT_REG_REQ)
			continue;
		if (prev >= 0)
			CHECK(got[i].time - prev <= 5.02);
		prev = got[i].time;
	}
	CHECK_EQ(nhs(A_TUN)->status, NHS_DOWN);
	/* it comes back: our next request, within 5 s, is answered */
	mark = ngot;
	fake_run(5.01);
	REQUIRE(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark) >= 1);
	REQUIRE(answer(A_NBMA, A_TUN));
	CHECK_EQ(nhs(A_TUN)->status, NHS_UP);

	/* longer than holdtime/3: a third of the holding time (20 s) */
	conf()->reg_timeout = 50;
	nhrp_if_update(gre);
	fake_run(0);
	mark = ngot;
	run_answering(41, A_NBMA, A_TUN);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 2);
	/* a new, shorter one applies from now, not at the next refresh */
	conf()->reg_timeout = 2;
	nhrp_if_update(gre);
	fake_run(0);
	mark = ngot;
	run_answering(2.1, A_NBMA, A_TUN);
	REQUIRE(last_to(NHRP_PKT_REG_REQ, A_NBMA, &p, &t));
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 1);
	/* back to the default */
	conf()->reg_timeout = 0;
	nhrp_if_update(gre);
	fake_run(0);
	mark = ngot;
	run_answering(19.5, A_NBMA, A_TUN);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 0);
	run_answering(1, A_NBMA, A_TUN);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 1);
}

/* cluster 0 with max-connections 1: the preferred server only; the other
 * takes over when it stops answering, and lets go (Purge Request) when
 * it answers again */
static void test_nhs_fallback_and_return(void)
{
	unsigned int mark;
	struct nhrp_pkt p;
	uint32_t b_id;
	double t;

	spoke();
	add_nhs(A_TUN, A_NBMA, 1, 0);
	add_nhs(B_TUN, B_NBMA, 2, 0);
	max_connections(0, 1);
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, 0), 1);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, 0), 0);
	CHECK_EQ(nhs(B_TUN)->status, NHS_STANDBY);
	REQUIRE(answer(A_NBMA, A_TUN));
	fake_run(HOLD / 3 - 1);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, 0), 0);

	/* A stops answering: three requests in a row, then B */
	mark = ngot;
	fake_run(1.5 + 6);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, mark), 0);
	fake_run(1);
	CHECK(!nhrp_nhs_reachable(nhs(A_TUN)));
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, mark), 1);
	REQUIRE(last_to(NHRP_PKT_REG_REQ, B_NBMA, &p, &t));
	CHECK(t - fake_time() > -1.1);
	REQUIRE(answer(B_NBMA, B_TUN));
	CHECK_EQ(nhs(B_TUN)->status, NHS_UP);
	b_id = nhs(B_TUN)->rid.id;
	CHECK(nhrp_nhs_pick(gre, NHRP_AFI_IP) == nhs(B_TUN));
	/* A is still asked (at most every holdtime/3) while B serves */
	mark = ngot;
	run_answering(HOLD + 5, B_NBMA, B_TUN);
	CHECK(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark) >= 4);
	CHECK_EQ(nhs(A_TUN)->status, NHS_DOWN);
	CHECK_EQ(nhs(B_TUN)->status, NHS_UP);
	b_id = nhs(B_TUN)->rid.id;

	/* A answers again: used again, B let go with a Purge Request for
	 * its registration (no reply wanted) */
	mark = ngot;
	REQUIRE(answer(A_NBMA, A_TUN));
	CHECK_EQ(nhs(A_TUN)->status, NHS_UP);
	CHECK_EQ(nhs(B_TUN)->status, NHS_STANDBY);
	CHECK_EQ(count_to(NHRP_PKT_PURGE_REQ, B_NBMA, mark), 1);
	REQUIRE(last_to(NHRP_PKT_PURGE_REQ, B_NBMA, &p, NULL));
	CHECK_EQ(p.reqid, b_id);
	CHECK(p.flags & NHRP_FLAG_PURGE_N);
	REQUIRE(p.cie.count == 1);
	CHECK(strcmp(fake_addr(&NHRP_CIE(&p, p.cie, 0)->proto), S1_TUN) == 0);
	CHECK(nhrp_nhs_pick(gre, NHRP_AFI_IP) == nhs(A_TUN));
	/* B hears nothing more; its late reply is not taken */
	mark = ngot;
	run_answering(2 * HOLD, A_NBMA, A_TUN);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, mark), 0);
	CHECK_EQ(nhs(B_TUN)->status, NHS_STANDBY);
	/* B's way stays known: the kernel can still reach its address */
	CHECK(fake_neigh(GRE, B_TUN));
}

/* at equal priority there is no preference: once the other server took
 * over, the one that stopped answering stands by (and is purged, should it
 * still hold our registration) instead of being probed, so the two do not
 * take turns; it is used again when the one in use fails */
static void test_nhs_equal_priority_keeps_incumbent(void)
{
	unsigned int mark;

	spoke();
	add_nhs(A_TUN, A_NBMA, 0, 0);
	add_nhs(B_TUN, B_NBMA, 0, 0);
	max_connections(0, 1);
	nhrp_if_update(gre);
	fake_run(0);
	/* configuration order decides at the start */
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, 0), 1);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, 0), 0);
	REQUIRE(answer(A_NBMA, A_TUN));
	fake_run(HOLD / 3 + 7.5);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, 0), 1);
	mark = ngot;
	REQUIRE(answer(B_NBMA, B_TUN));
	CHECK_EQ(nhs(B_TUN)->status, NHS_UP);
	CHECK_EQ(nhs(A_TUN)->status, NHS_STANDBY);
	CHECK_EQ(count_to(NHRP_PKT_PURGE_REQ, A_NBMA, mark), 1);
	/* A is left alone while B answers; a late reply from A changes
	 * nothing */
	mark = ngot;
	run_answering(3 * HOLD, B_NBMA, B_TUN);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 0);
	answer(A_NBMA, A_TUN);
	CHECK_EQ(nhs(A_TUN)->status, NHS_STANDBY);
	CHECK_EQ(nhs(B_TUN)->status, NHS_UP);
	/* B fails: A again, and B stands by in its turn */
	mark = ngot;
	fake_run(HOLD / 3 + 8);
	CHECK(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark) >= 1);
	CHECK_EQ(nhs(A_TUN)->status, NHS_REGISTERING);
	CHECK_EQ(nhs(B_TUN)->status, NHS_STANDBY);
	REQUIRE(answer(A_NBMA, A_TUN));
	CHECK(nhrp_nhs_pick(gre, NHRP_AFI_IP) == nhs(A_TUN));
}

/* clusters are counted apart; max-connections 0 uses none of a cluster */
static void test_nhs_clusters(void)
{
	spoke();
	add_nhs(A_TUN, A_NBMA, 0, 1);
	add_nhs(B_TUN, B_NBMA, 0, 2);
	add_nhs(C_TUN, C_NBMA, 1, 2);
	add_nhs("10.255.0.4", "192.0.2.4", 0, 3);
	max_connections(2, 1);
	max_connections(3, 0);
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, 0), 1);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, 0), 1);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, C_NBMA, 0), 0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, "192.0.2.4", 0), 0);
	CHECK_EQ(nhs(C_TUN)->status, NHS_STANDBY);
	CHECK_EQ(nhs("10.255.0.4")->status, NHS_STANDBY);
	/* A failing does not bring in C: another cluster */
	REQUIRE(answer(B_NBMA, B_TUN));
	fake_run(8);
	CHECK(!nhrp_nhs_reachable(nhs(A_TUN)));
	CHECK_EQ(nhs(C_TUN)->status, NHS_STANDBY);
	/* B failing does, with its third unanswered request (at 27 s) */
	fake_run(HOLD / 3 - 0.5);
	CHECK_EQ(nhs(C_TUN)->status, NHS_REGISTERING);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, C_NBMA, 0), 1);
}

/* a limit set or lifted at run time takes effect at once */
static void test_nhs_limit_changed(void)
{
	struct nhrp_nhs_conf *n;
	unsigned int mark;

	spoke();
	add_nhs(A_TUN, A_NBMA, 0, 0);
	add_nhs(B_TUN, B_NBMA, 9, 0);
	nhrp_if_update(gre);
	fake_run(0);
	REQUIRE(answer(A_NBMA, A_TUN) && answer(B_NBMA, B_TUN));
	mark = ngot;
	max_connections(0, 1);
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(nhs(B_TUN)->status, NHS_STANDBY);
	CHECK_EQ(count_to(NHRP_PKT_PURGE_REQ, B_NBMA, mark), 1);
	CHECK_EQ(count_to(NHRP_PKT_PURGE_REQ, A_NBMA, mark), 0);
	mark = ngot;
	conf()->nhs_max_set[0] = false;
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, mark), 1);
	REQUIRE(answer(B_NBMA, B_TUN));
	CHECK_EQ(nhs(B_TUN)->status, NHS_UP);
	/* a priority changed in place: no new registration */
	mark = ngot;
	frr_each (nhrp_nhs_list, &conf()->nhs, n)
		n->priority = n->priority ? 0 : 9;
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, mark), 0);
	CHECK_EQ(nhs(A_TUN)->priority, 9);
	CHECK(nhrp_nhs_pick(gre, NHRP_AFI_IP) == nhs(B_TUN));
}

/* `ip nhrp nhs X` alone: the NBMA address is the static map's, and follows
 * it */
static void test_nhs_from_map(void)
{
	struct nhrp_map_conf *m;
	unsigned int mark;

	spoke();
	add_map(A_TUN, A_NBMA);
	add_nhs(A_TUN, NULL, 0, 0);
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, 0), 1);
	REQUIRE(nhs(A_TUN));
	CHECK(nhs(A_TUN)->from_map);
	REQUIRE(answer(A_NBMA, A_TUN));
	CHECK_EQ(nhs(A_TUN)->status, NHS_UP);
	/* the static entry stays static */
	REQUIRE(nhrp_cache_find(gre, &nhs(A_TUN)->proto));
	CHECK_EQ(nhrp_cache_find(gre, &nhs(A_TUN)->proto)->type,
		 NHRP_CACHE_STATIC);
	/* the map moves: registered at the new address at once */
	mark = ngot;
	m = nhrp_map_list_first(&conf()->maps);
	m->nbma = ip4(B_NBMA);
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, mark), 1);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, A_NBMA, mark), 0);
	CHECK(strcmp(nhs(A_TUN)->name, B_NBMA) == 0);
	REQUIRE(answer(B_NBMA, A_TUN));
	CHECK_EQ(nhs(A_TUN)->status, NHS_UP);
}

/* a standby server removed from the configuration goes quietly; an
 * active one is purged */
static void test_nhs_removed(void)
{
	unsigned int mark;

	spoke();
	add_nhs(A_TUN, A_NBMA, 0, 0);
	add_nhs(B_TUN, B_NBMA, 1, 0);
	max_connections(0, 1);
	nhrp_if_update(gre);
	fake_run(0);
	REQUIRE(answer(A_NBMA, A_TUN));
	mark = ngot;
	nhrp_nhs_list_pop(&conf()->nhs);	/* A (test memory: let go) */
	nhrp_if_update(gre);
	fake_run(0);
	CHECK(!nhs(A_TUN));
	CHECK_EQ(count_to(NHRP_PKT_PURGE_REQ, A_NBMA, mark), 1);
	/* room in the cluster: B */
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, B_NBMA, mark), 1);
	REQUIRE(answer(B_NBMA, B_TUN));
	mark = ngot;
	add_nhs(C_TUN, C_NBMA, 5, 0);
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(nhs(C_TUN)->status, NHS_STANDBY);
	nhrp_nhs_list_pop(&conf()->nhs);	/* B */
	nhrp_nhs_list_pop(&conf()->nhs);	/* C, standing by */
	nhrp_if_update(gre);
	fake_run(0);
	CHECK_EQ(count_to(NHRP_PKT_PURGE_REQ, C_NBMA, mark), 0);
	CHECK_EQ(count_to(NHRP_PKT_REG_REQ, C_NBMA, mark), 0);
	CHECK(!nhrp_nhs_of(gre) ||
	      !nhrp_nhs_list_rt_count(nhrp_nhs_of(gre)));
}

static const struct fake_test tests[] = {
	{"nhs_all_used", test_nhs_all_used},
	{"nhs_pick_skips_unreachable", test_nhs_pick_skips_unreachable},
	{"nhs_refresh_unanswered", test_nhs_refresh_unanswered},
	{"nhs_registration_timeout", test_nhs_registration_timeout},
	{"nhs_fallback_and_return", test_nhs_fallback_and_return},
	{"nhs_equal_priority_keeps_incumbent",
	 test_nhs_equal_priority_keeps_incumbent},
	{"nhs_clusters", test_nhs_clusters},
	{"nhs_limit_changed", test_nhs_limit_changed},
	{"nhs_from_map", test_nhs_from_map},
	{"nhs_removed", test_nhs_removed},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return fake_main(argc, argv, tests);
}
