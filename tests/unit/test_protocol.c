// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host tests of nhrpd's protocol core, driven through the fake system
 * (fake_system.h): packets in, packets out, the cache, the kernel's
 * neighbour entries and routes checked after each step, time moved by
 * hand.  The topologies are written as data at the top of each test.
 *
 *   hub     gre1 10.255.0.1/24 NBMA 192.0.2.1     lan0 10.0.0.1/24
 *   spoke1  gre1 10.255.0.11/24 NBMA 198.51.100.1  lan0 10.1.0.1/24
 *   spoke2  gre1 10.255.0.12/24 NBMA 203.0.113.1   lan0 10.2.0.1/24
 *
 * Each test is one of these stations; the others are packets.
 */
#include "tests/unit/fake_system.h"

#include "nhrpd/nhrp_authorize.h"
#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_multicast.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_peer.h"
#include "nhrpd/nhrp_reg_client.h"
#include "nhrpd/nhrp_reqid.h"
#include "nhrpd/nhrp_shortcut.h"
#include "nhrpd/nhrp_traffic.h"

#define HUB_NBMA "192.0.2.1"
#define HUB_TUN "10.255.0.1"
#define S1_NBMA "198.51.100.1"
#define S1_TUN "10.255.0.11"
#define S2_NBMA "203.0.113.1"
#define S2_TUN "10.255.0.12"
#define GRE 10
#define LAN 11

static struct interface *gre;

/* ---- stations ------------------------------------------------------------ */

static struct nhrp_afi_conf *conf(void)
{
	return &nhrp_if(gre)->afi[NHRP_AFI_IP];
}

/* gre1 and lan0 with their connected routes, holdtime 600 */
static void station(const char *nbma, const char *tun, const char *lan,
		    const char *lan_net)
{
	gre = fake_gre("gre1", GRE, nbma, tun);
	fake_if("lan0", LAN, lan, NULL);
	fake_route_add("10.255.0.0/24", NULL, GRE);
	fake_route_add(lan_net, NULL, LAN);
	conf()->holdtime = 600;
}

static void hub(void)
{
	station(HUB_NBMA, HUB_TUN "/24", "10.0.0.1/24", "10.0.0.0/24");
	fake_route_add("10.1.0.0/24", S1_TUN, GRE);
	fake_route_add("10.2.0.0/24", S2_TUN, GRE);
}

static void add_nhs(const char *proto, const char *nbma)
{
	struct nhrp_nhs_conf *n = nhrp_conf_alloc(sizeof(*n));

	if (proto)
		n->proto = ip4(proto);
	else
		n->dynamic = true;
	strlcpy(n->nbma, nbma, sizeof(n->nbma));
	nhrp_nhs_list_add_tail(&conf()->nhs, n);
}

/* spoke1, registering with the hub (not answered yet) */
static void spoke1(void)
{
	station(S1_NBMA, S1_TUN "/24", "10.1.0.1/24", "10.1.0.0/24");
	fake_route_add("10.0.0.0/8", HUB_TUN, GRE);
	add_nhs(HUB_TUN, HUB_NBMA);
	nhrp_if_update(gre);
}

static struct nhrp_cache *cache(const char *proto)
{
	return fake_cache(gre, proto);
}

static struct nhrp_peer *peer(const char *nbma)
{
	return fake_peer(gre, nbma);
}

static struct nhrp_nhs *first_nhs(void)
{
	struct nhrp_nhs_list_rt_head *l = nhrp_nhs_of(gre);

	return l ? nhrp_nhs_list_rt_first(l) : NULL;
}

static bool is_addr(const struct nhrp_addr *a, const char *s)
{
	return strcmp(fake_addr(a), s) == 0;
}

/* a Registration Request as a spoke sends it */
static void regreq(struct nhrp_pkt *p, const char *nbma, const char *proto,
		   uint32_t reqid, uint16_t holdtime, bool unique)
{
	fake_pkt(p, NHRP_PKT_REG_REQ, nbma, proto, HUB_TUN, reqid);
	p->flags = NHRP_FLAG_NAT | (unique ? NHRP_FLAG_REG_UNIQUE : 0);
	fake_cie(p, &p->cie, 0, unique ? 0xff : 32, holdtime, nbma, proto);
	fake_exts(p, NULL);
}

/* register (nbma, proto) at our hub; the reply's CIE code */
static int do_register(const char *nbma, const char *proto, uint16_t holdtime,
		       bool unique)
{
	static uint32_t id = 100;
	struct nhrp_pkt p;
	struct fake_sent *s;

	regreq(&p, nbma, proto, ++id, holdtime, unique);
	fake_recv(gre, nbma, &p);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	if (!s || s->pkt.reqid != id || !s->pkt.cie.count)
		return -1;
	return NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code;
}

/* the hub answers spoke1's pending Registration Request */
static void answer_registration(const char *nat_nbma)
{
	struct fake_sent *s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	struct nhrp_pkt *p;
	int i;

	REQUIRE(s);
	p = &s->pkt;
	p->type = NHRP_PKT_REG_REPLY;
	i = nhrp_ext_find(p, NHRP_EXT_RESPONDER);
	if (i >= 0)
		fake_cie(p, &p->ext[i].cie, 0, 32, 600, HUB_NBMA, HUB_TUN);
	i = nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS);
	if (nat_nbma && i >= 0)
		fake_cie(p, &p->ext[i].cie, 0, 32, 0, nat_nbma, S1_TUN);
	fake_recv(gre, HUB_NBMA, p);
}

static void spoke1_up_nat(const char *nat);
static void purge(const char *from_nbma, const char *from_proto,
		  const char *what, uint32_t id, bool no_reply);

/* ---- registration, the server's side ------------------------------------------ */

static void test_reg_accept(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct nhrp_cache *c;
	int i;

	hub();
	regreq(&p, S1_NBMA, S1_TUN, 7, 600, true);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	REQUIRE(s);
	/* straight back to the NBMA address it came from, same id, success */
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK_EQ(s->pkt.reqid, 7);
	CHECK(is_addr(&s->pkt.src_proto, S1_TUN));
	CHECK(is_addr(&s->pkt.dst_proto, HUB_TUN));
	CHECK_EQ(s->pkt.cie.count, 1);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code, NHRP_CODE_SUCCESS);
	/* our responder record */
	i = nhrp_ext_find(&s->pkt, NHRP_EXT_RESPONDER);
	REQUIRE(i >= 0 && s->pkt.ext[i].cie.count == 1);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.ext[i].cie, 0)->proto, HUB_TUN));
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.ext[i].cie, 0)->nbma, HUB_NBMA));
	/* the binding: cache, peer, kernel */
	c = cache(S1_TUN);
	REQUIRE(c);
	CHECK_EQ(c->type, NHRP_CACHE_DYNAMIC);
	CHECK(c->peer == peer(S1_NBMA));
	CHECK(c->unique);
	CHECK_EQ(c->holdtime, 600);
	CHECK_EQ(peer(S1_NBMA)->ndynamic, 1);
	CHECK(fake_neigh(GRE, S1_TUN) && ipaddr_cmp(fake_neigh(GRE, S1_TUN),
						    &c->peer->nbma) == 0);
	CHECK_EQ(fake_sent_count(), 0);
}

static void test_reg_unique_conflict(void)
{
	struct ipaddr s1 = ip4(S1_NBMA);

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	/* the same tunnel address from another NBMA address: refused */
	CHECK_EQ(do_register(S2_NBMA, S1_TUN, 600, true),
		 NHRP_CODE_ALREADY_REGISTERED);
	CHECK_EQ(do_register(S2_NBMA, S1_TUN, 600, false),
		 NHRP_CODE_ALREADY_REGISTERED);
	CHECK(ipaddr_cmp(&cache(S1_TUN)->peer->nbma, &s1) == 0);
	CHECK(ipaddr_cmp(fake_neigh(GRE, S1_TUN), &s1) == 0);
	/* nothing was kept for the refused one */
	CHECK(!peer(S2_NBMA));
	/* the owner refreshes as often as it likes */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
}

static void test_reg_no_unique_moves(void)
{
	struct ipaddr s2 = ip4(S2_NBMA);

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, false), NHRP_CODE_SUCCESS);
	CHECK_EQ(do_register(S2_NBMA, S1_TUN, 600, false), NHRP_CODE_SUCCESS);
	CHECK(ipaddr_cmp(&cache(S1_TUN)->peer->nbma, &s2) == 0);
	CHECK(ipaddr_cmp(fake_neigh(GRE, S1_TUN), &s2) == 0);
	/* the old address has no user left */
	CHECK(!peer(S1_NBMA));
}

static void test_reg_refused_addresses(void)
{
	hub();
	/* outside the tunnel's network */
	CHECK_EQ(do_register(S1_NBMA, "44.16.0.66", 600, true),
		 NHRP_CODE_ADMIN_PROHIBITED);
	CHECK(!cache("44.16.0.66"));
	/* ours */
	CHECK_EQ(do_register(S1_NBMA, HUB_TUN, 600, false),
		 NHRP_CODE_ALREADY_REGISTERED);
	CHECK_EQ(cache(HUB_TUN)->type, NHRP_CACHE_LOCAL);
	CHECK(!peer(S1_NBMA));
	CHECK_EQ(fake_neigh_count(), 0);
}

static void test_reg_holdtime_expiry(void)
{
	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 30, true), NHRP_CODE_SUCCESS);
	fake_run(29);
	CHECK(cache(S1_TUN));
	CHECK(fake_neigh(GRE, S1_TUN));
	fake_run(2);
	CHECK(!cache(S1_TUN));
	CHECK(!fake_neigh(GRE, S1_TUN));
	CHECK(!peer(S1_NBMA));
	/* a refresh in time keeps it */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 30, true), NHRP_CODE_SUCCESS);
	fake_run(20);
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 30, true), NHRP_CODE_SUCCESS);
	fake_run(20);
	CHECK(cache(S1_TUN));
	fake_run(11);
	CHECK(!cache(S1_TUN));
}

/* refreshes push the expiry later without re-sorting the expiry heap
 * each time: the entry must still live exactly as long as its last
 * registration says, beside one that is not refreshed, and a shorter
 * holding time must still bring the expiry forward */
static void test_reg_refresh_expiry(void)
{
	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 30, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 30, true), NHRP_CODE_SUCCESS);
	for (int i = 0; i < 5; i++) {
		fake_run(20);
		CHECK_EQ(do_register(S1_NBMA, S1_TUN, 30, true),
			 NHRP_CODE_SUCCESS);
		CHECK(cache(S1_TUN));
		CHECK_EQ(!!cache(S2_TUN), i == 0);
	}
	/* last refreshed 100 s in, for 30 s */
	fake_run(29);
	CHECK(cache(S1_TUN));
	CHECK(fake_neigh(GRE, S1_TUN));
	/* for less than it had left: gone 10 s on, not 30 */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 60, true), NHRP_CODE_SUCCESS);
	fake_run(5);
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 10, true), NHRP_CODE_SUCCESS);
	fake_run(9);
	CHECK(cache(S1_TUN));
	fake_run(2);
	CHECK(!cache(S1_TUN));
	CHECK(!fake_neigh(GRE, S1_TUN));
}

static void test_reg_withdraw(void)
{
	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 0, true), NHRP_CODE_SUCCESS);
	CHECK(!cache(S1_TUN));
	CHECK(!fake_neigh(GRE, S1_TUN));
}

static void test_reg_auth(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p, bad;
	int i;

	hub();
	strlcpy(nhrp_if(gre)->auth, "dmvpn42", sizeof(nhrp_if(gre)->auth));
	/* no password: an Error Indication, code 11, quoting the request */
	regreq(&p, S1_NBMA, S1_TUN, 9, 600, true);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_ERROR);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK_EQ(s->pkt.error_code, NHRP_ERR_AUTH_FAILURE);
	CHECK(is_addr(&s->pkt.dst_proto, S1_TUN));
	REQUIRE(s->pkt.body_len >= 20);
	CHECK(nhrp_decode(s->pkt.body, s->pkt.body_len, &bad) == 0);
	CHECK_EQ(bad.type, NHRP_PKT_REG_REQ);
	CHECK_EQ(bad.reqid, 9);
	CHECK(!cache(S1_TUN));
	/* a wrong one: the same */
	fake_pkt(&p, NHRP_PKT_REG_REQ, S1_NBMA, S1_TUN, HUB_TUN, 10);
	fake_cie(&p, &p.cie, 0, 0xff, 600, S1_NBMA, S1_TUN);
	fake_exts(&p, "wrong");
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.error_code, NHRP_ERR_AUTH_FAILURE);
	CHECK(!cache(S1_TUN));
	/* the right one: registered, and the reply carries ours */
	fake_pkt(&p, NHRP_PKT_REG_REQ, S1_NBMA, S1_TUN, HUB_TUN, 11);
	p.flags = NHRP_FLAG_REG_UNIQUE;
	fake_cie(&p, &p.cie, 0, 0xff, 600, S1_NBMA, S1_TUN);
	fake_exts(&p, "dmvpn42");
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_REG_REPLY);
	i = nhrp_ext_find(&s->pkt, NHRP_EXT_AUTH);
	REQUIRE(i >= 0);
	CHECK(s->pkt.ext[i].value_len == 7 &&
	      memcmp(s->pkt.ext[i].value, "dmvpn42", 7) == 0);
	CHECK(cache(S1_TUN));
}

static void test_reg_network_id(void)
{
	struct nhrp_pkt p;

	hub();
	/* no network-id: NHRP is off, the packet is not looked at */
	conf()->network_id = 0;
	nhrp_if_update(gre);
	regreq(&p, S1_NBMA, S1_TUN, 12, 600, true);
	fake_recv(gre, S1_NBMA, &p);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(!cache(S1_TUN));
	/* IPv6 over NHRP is not on: an IPv6 registration changes nothing */
	conf()->network_id = 1;
	nhrp_if_update(gre);
	regreq(&p, S1_NBMA, S1_TUN, 13, 600, true);
	p.pro_type = NHRP_PRO_IPV6;
	p.src_proto.len = p.dst_proto.len = 16;
	NHRP_CIE(&p, p.cie, 0)->proto.len = 16;
	fake_recv(gre, S1_NBMA, &p);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK_EQ(nhrp_cache_count(gre), 1); /* our own address */
}

static void test_reg_nat(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct nhrp_ext *e;
	int i;

	hub();
	/* the spoke thinks it is 10.9.9.9; its packets come from S1_NBMA */
	regreq(&p, "10.9.9.9", S1_TUN, 20, 600, true);
	e = nhrp_ext_add(&p, NHRP_EXT_NAT_ADDRESS);
	fake_cie(&p, &e->cie, 0, 32, 0, HUB_NBMA, HUB_TUN);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	REQUIRE(s);
	CHECK(fake_sent_to(s, S1_NBMA));
	i = nhrp_ext_find(&s->pkt, NHRP_EXT_NAT_ADDRESS);
	REQUIRE(i >= 0 && s->pkt.ext[i].cie.count == 2);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.ext[i].cie, 1)->nbma, S1_NBMA));
	CHECK(nhrp_peer_natted(peer(S1_NBMA)));
	{
		struct ipaddr claimed = ip4("10.9.9.9");

		CHECK(ipaddr_cmp(&peer(S1_NBMA)->claimed, &claimed) == 0);
	}
	/* the kernel sends to where its packets really come from */
	CHECK(fake_neigh(GRE, S1_TUN) &&
	      ipaddr_cmp(fake_neigh(GRE, S1_TUN), &peer(S1_NBMA)->nbma) == 0);
}

/* ---- authorisation by the event socket ---------------------------------------------- */

static void test_authorize_accept(void)
{
	struct ipaddr s1 = ip4(S1_TUN), s1n = ip4(S1_NBMA);
	struct fake_sent *s;
	struct nhrp_pkt p;

	hub();
	fake_authorizing(true);
	regreq(&p, S1_NBMA, S1_TUN, 95, 600, true);
	fake_recv(gre, S1_NBMA, &p);
	/* asked, not answered yet: no reply, no binding */
	CHECK_EQ(fake_auth_count(), 1);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(!cache(S1_TUN) || cache(S1_TUN)->type != NHRP_CACHE_DYNAMIC);
	REQUIRE(fake_auth(0));
	CHECK(ipaddr_cmp(&fake_auth(0)->remote_addr, &s1) == 0);
	CHECK(ipaddr_cmp(&fake_auth(0)->remote_nbma, &s1n) == 0);
	CHECK(strcmp(fake_auth(0)->type, "dynamic") == 0);
	CHECK(strcmp(fake_auth(0)->old_type, "invalid") == 0);
	/* its retransmission asks nothing more */
	fake_run(1);
	fake_recv(gre, S1_NBMA, &p);
	CHECK_EQ(fake_auth_count(), 1);
	CHECK_EQ(fake_sent_count(), 0);
	/* accepted: the reply, the binding */
	fake_auth_answer(0, true);
	fake_run(0);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_REG_REPLY);
	CHECK_EQ(s->pkt.reqid, 95);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code, NHRP_CODE_SUCCESS);
	REQUIRE(cache(S1_TUN));
	CHECK_EQ(cache(S1_TUN)->type, NHRP_CACHE_DYNAMIC);
	CHECK_EQ(nhrp_authorize_count(), 0);
	/* a refresh of the binding as it is asks nothing */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(fake_auth_count(), 1);
}

static void test_authorize_refuse(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;

	hub();
	fake_authorizing(true);
	regreq(&p, S1_NBMA, S1_TUN, 96, 600, true);
	fake_recv(gre, S1_NBMA, &p);
	fake_auth_answer(0, false);
	fake_run(0);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_REG_REPLY);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code,
		 NHRP_CODE_ADMIN_PROHIBITED);
	CHECK(!cache(S1_TUN));
	CHECK(!fake_neigh(GRE, S1_TUN));
	CHECK(!peer(S1_NBMA));
	/* the interface going away drops what waits, and tells the
	 * program */
	regreq(&p, S2_NBMA, S2_TUN, 97, 600, true);
	fake_recv(gre, S2_NBMA, &p);
	CHECK_EQ(nhrp_authorize_count(), 1);
	nhrp_sys_if_gone_in(gre);
	CHECK_EQ(nhrp_authorize_count(), 0);
	CHECK(fake_auth(1) && fake_auth(1)->cancelled);
}

/* ---- registration, the client's side ------------------------------------------ */

static void test_nhc_register_retransmit(void)
{
	struct fake_sent *s;
	double when[] = {0, 1, 3, 7, 15, 31, 63, 127, 191};
	uint32_t id;

	spoke1();
	fake_run(0);
	s = fake_sent_pop();
	REQUIRE(s && s->pkt.type == NHRP_PKT_REG_REQ);
	CHECK(fake_sent_to(s, HUB_NBMA));
	CHECK(is_addr(&s->pkt.src_proto, S1_TUN));
	CHECK(is_addr(&s->pkt.dst_proto, HUB_TUN));
	CHECK(s->pkt.flags & NHRP_FLAG_REG_UNIQUE);
	REQUIRE(s->pkt.cie.count == 1);
	/* unique: prefix length 0xff (RFC 2332 5.2.3) */
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->prefix_len, 0xff);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->holdtime, 600);
	CHECK(nhrp_ext_find(&s->pkt, NHRP_EXT_NAT_ADDRESS) >= 0);
	id = s->pkt.reqid;
	/* unanswered: the same id after 1, 2, 4 ... 64 s */
	for (unsigned int n = 1; n < array_size(when); n++) {
		fake_run(when[n] - fake_time() + 0.01);
		s = fake_sent_pop();
		REQUIRE(s);
		CHECK_EQ(s->pkt.type, NHRP_PKT_REG_REQ);
		CHECK_EQ(s->pkt.reqid, id);
		CHECK(s->time >= when[n] && s->time < when[n] + 0.02);
		CHECK_EQ(fake_sent_count(), 0);
	}
	CHECK_EQ(first_nhs()->status, NHS_REGISTERING);
	/* no reply for a whole holding time: down, still trying */
	fake_run(600);
	CHECK_EQ(first_nhs()->status, NHS_DOWN);
	CHECK(fake_sent_count() > 0);
	CHECK_EQ(fake_sent_pop()->pkt.reqid, id);
}

static void test_nhc_no_unique(void)
{
	struct fake_sent *s;

	spoke1();
	conf()->no_unique = true;
	nhrp_if_update(gre);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	CHECK(!(s->pkt.flags & NHRP_FLAG_REG_UNIQUE));
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->prefix_len, 32);
}

static void test_nhc_refresh(void)
{
	struct fake_sent *s;
	uint32_t id;

	spoke1();
	fake_run(0);
	answer_registration(NULL);
	CHECK_EQ(first_nhs()->status, NHS_UP);
	/* the NHS binding: cache, kernel */
	REQUIRE(cache(HUB_TUN));
	CHECK_EQ(cache(HUB_TUN)->type, NHRP_CACHE_NHS);
	CHECK(fake_neigh(GRE, HUB_TUN));
	CHECK_EQ(fake_sent_count(), 0);
	id = first_nhs()->rid.id;
	/* refreshed at a third of the holding time, with a new id */
	fake_run(199);
	CHECK_EQ(fake_sent_count(), 0);
	fake_run(1.5);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	CHECK(s->pkt.reqid != id);
	CHECK_EQ(first_nhs()->status, NHS_UP);
	/* an unanswered refresh is retransmitted with its own id */
	id = s->pkt.reqid;
	fake_run(1);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	CHECK_EQ(s->pkt.reqid, id);
	fake_run(2);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	CHECK_EQ(s->pkt.reqid, id);
}

static void test_nhc_holdtime_change(void)
{
	struct fake_sent *s;

	spoke1();
	fake_run(0);
	answer_registration(NULL);
	fake_run(10);
	CHECK_EQ(fake_sent_count(), 0);
	/* a new holding time reaches the server at once, not at the next
	 * refresh */
	conf()->holdtime = 300;
	nhrp_if_update(gre);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->holdtime, 300);
	CHECK(s->time < 10.01);
}

static void test_nhc_reply_checks(void)
{
	struct fake_sent *s;
	struct nhrp_pkt *p;

	spoke1();
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	p = &s->pkt;
	p->type = NHRP_PKT_REG_REPLY;
	/* from another NBMA address than the server's: not taken */
	fake_recv(gre, S2_NBMA, p);
	CHECK_EQ(first_nhs()->status, NHS_REGISTERING);
	/* another request id: not taken */
	p->reqid++;
	fake_recv(gre, HUB_NBMA, p);
	CHECK_EQ(first_nhs()->status, NHS_REGISTERING);
	/* refused: rejected, asked again later */
	p->reqid--;
	NHRP_CIE(p, p->cie, 0)->code = NHRP_CODE_ALREADY_REGISTERED;
	fake_recv(gre, HUB_NBMA, p);
	CHECK_EQ(first_nhs()->status, NHS_REJECTED);
	CHECK_EQ(first_nhs()->last_code, NHRP_CODE_ALREADY_REGISTERED);
	fake_run(199);
	CHECK_EQ(fake_sent_count(), 0);
	fake_run(2);
	CHECK(fake_sent_pop_type(NHRP_PKT_REG_REQ));
}

static void test_nhc_nat(void)
{
	struct ipaddr outside = ip4("198.51.100.200");

	spoke1();
	fake_run(0);
	answer_registration("198.51.100.200");
	CHECK_EQ(first_nhs()->status, NHS_UP);
	CHECK(ipaddr_cmp(&first_nhs()->nat_nbma, &outside) == 0);
}

static void test_nhc_dynamic_nhs(void)
{
	struct fake_sent *s;

	gre = fake_gre("gre1", GRE, S1_NBMA, S1_TUN "/24");
	conf()->holdtime = 600;
	add_nhs(NULL, "hub.example");
	fake_dns_add("hub.example", HUB_NBMA);
	nhrp_if_update(gre);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	/* resolved by name; the server's protocol address unknown yet */
	CHECK(fake_sent_to(s, HUB_NBMA));
	CHECK(is_addr(&s->pkt.dst_proto, S1_TUN));
	s->pkt.type = NHRP_PKT_REG_REPLY;
	fake_cie(&s->pkt, &s->pkt.ext[nhrp_ext_find(&s->pkt,
						    NHRP_EXT_RESPONDER)].cie,
		 0, 32, 600, HUB_NBMA, HUB_TUN);
	fake_recv(gre, HUB_NBMA, &s->pkt);
	CHECK_EQ(first_nhs()->status, NHS_UP);
	/* learnt from the reply */
	REQUIRE(cache(HUB_TUN));
	CHECK_EQ(cache(HUB_TUN)->type, NHRP_CACHE_NHS);
}

static void test_nhc_purge_on_stop(void)
{
	struct fake_sent *s;
	uint32_t id;

	spoke1();
	fake_run(0);
	answer_registration(NULL);
	id = first_nhs()->rid.id;
	nhrp_protocol_fini(true);
	s = fake_sent_pop_type(NHRP_PKT_PURGE_REQ);
	REQUIRE(s);
	CHECK(fake_sent_to(s, HUB_NBMA));
	/* the registration's id, no reply wanted, our address */
	CHECK_EQ(s->pkt.reqid, id);
	CHECK(s->pkt.flags & NHRP_FLAG_PURGE_N);
	REQUIRE(s->pkt.cie.count == 1);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.cie, 0)->proto, S1_TUN));
	CHECK(!cache(HUB_TUN));
	CHECK_EQ(fake_neigh_count(), 0);
}

/* ---- resolution at a station -------------------------------------------------- */

static void resreq(struct nhrp_pkt *p, const char *nbma, const char *proto,
		   const char *target, uint32_t id)
{
	fake_pkt(p, NHRP_PKT_RES_REQ, nbma, proto, target, id);
	p->flags = NHRP_FLAG_RES_Q | NHRP_FLAG_NAT;
	fake_cie(p, &p->cie, 0, 0, 600, NULL, NULL);
	fake_exts(p, NULL);
}

/* a Resolution Request the hub forwarded (its Forward Transit record) */
static void forwarded_resreq(struct nhrp_pkt *p, const char *nbma,
			     const char *proto, const char *target, uint32_t id)
{
	resreq(p, nbma, proto, target, id);
	p->hopcnt--;
	fake_cie(p, &p->ext[nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT)].cie, 0, 32,
		 600, HUB_NBMA, HUB_TUN);
}

static void test_res_registered_goes_to_owner(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct nhrp_cie *cie;
	struct nhrp_map_conf *m;
	int i;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	/* a registered address: its owner answers (as an IOS hub does) */
	resreq(&p, S1_NBMA, S1_TUN, S2_TUN, 30);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REQ);
	CHECK(fake_sent_to(s, S2_NBMA));
	CHECK_EQ(s->pkt.reqid, 30);
	CHECK_EQ(s->pkt.hopcnt, 254);
	CHECK(is_addr(&s->pkt.src_proto, S1_TUN));
	i = nhrp_ext_find(&s->pkt, NHRP_EXT_FWD_TRANSIT);
	REQUIRE(i >= 0 && s->pkt.ext[i].cie.count == 1);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.ext[i].cie, 0)->proto, HUB_TUN));
	/* no NAT between us and the requester: nothing added for it */
	CHECK(nhrp_ext_find(&s->pkt, NHRP_EXT_NAT_ADDRESS) < 0);
	CHECK_EQ(fake_sent_count(), 0);
	/* a static mapping is answered here */
	m = nhrp_conf_alloc(sizeof(*m));
	m->proto = ip4("10.255.0.50");
	m->nbma = ip4("198.51.100.50");
	nhrp_map_list_add_tail(&conf()->maps, m);
	nhrp_if_update(gre);
	resreq(&p, S1_NBMA, S1_TUN, "10.255.0.50", 31);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REPLY);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK(s->pkt.flags & NHRP_FLAG_RES_A);
	REQUIRE(s->pkt.cie.count == 1);
	cie = NHRP_CIE(&s->pkt, s->pkt.cie, 0);
	CHECK_EQ(cie->code, NHRP_CODE_SUCCESS);
	CHECK_EQ(cie->prefix_len, 32);
	CHECK(is_addr(&cie->nbma, "198.51.100.50"));
	CHECK(is_addr(&cie->proto, "10.255.0.50"));
	CHECK_EQ(cie->pref, 255);
	CHECK_EQ(cie->mtu, 1476);
}

static void test_res_forwarded(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	int i;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	/* spoke2's LAN, routed via spoke2: the request goes to it */
	resreq(&p, S1_NBMA, S1_TUN, "10.2.0.5", 31);
	p.hopcnt = 16;
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REQ);
	CHECK(fake_sent_to(s, S2_NBMA));
	CHECK_EQ(s->pkt.reqid, 31);
	CHECK_EQ(s->pkt.hopcnt, 15);
	CHECK(is_addr(&s->pkt.src_proto, S1_TUN));
	CHECK(is_addr(&s->pkt.src_nbma, S1_NBMA));
	i = nhrp_ext_find(&s->pkt, NHRP_EXT_FWD_TRANSIT);
	REQUIRE(i >= 0 && s->pkt.ext[i].cie.count == 1);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.ext[i].cie, 0)->proto, HUB_TUN));
	/* the requester's binding was learnt on the way; its registration
	 * stays what it is */
	CHECK_EQ(cache(S1_TUN)->type, NHRP_CACHE_DYNAMIC);
	CHECK_EQ(fake_sent_count(), 0);
}

/* where the Forward Transit extension's header sits in p as sent,
 * found by walking the encoded bytes (ar$extoff, then type/length
 * headers), not through the decoder's bookkeeping */
static unsigned int fwd_transit_off(const struct nhrp_pkt *p)
{
	uint8_t buf[2048];
	int len = nhrp_encode(p, buf, sizeof(buf));
	unsigned int off;

	if (len < 20)
		return 0;
	off = (unsigned int)(buf[14] << 8 | buf[15]);	/* ar$extoff */
	while (off && off + 4 <= (unsigned int)len) {
		unsigned int type = (buf[off] << 8 | buf[off + 1]) & 0x3fff;

		if (type == NHRP_EXT_FWD_TRANSIT)
			return off;
		if (type == NHRP_EXT_END)
			break;
		off += 4 + (unsigned int)(buf[off + 2] << 8 | buf[off + 3]);
	}
	return 0;
}

static void test_res_loop_and_hops(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	int i;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	/* our own record among the forward transit NHSes: a loop */
	resreq(&p, S1_NBMA, S1_TUN, "10.2.0.5", 32);
	i = nhrp_ext_find(&p, NHRP_EXT_FWD_TRANSIT);
	fake_cie(&p, &p.ext[i].cie, 0, 32, 600, HUB_NBMA, HUB_TUN);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_ERROR);
	CHECK_EQ(s->pkt.error_code, NHRP_ERR_LOOP_DETECTED);
	/* the offset names the Forward Transit extension, not byte 0 */
	CHECK(fwd_transit_off(&p) > 20);
	CHECK_EQ(s->pkt.error_offset, fwd_transit_off(&p));
	CHECK(fake_sent_to(s, S1_NBMA));
	/* no hop left to forward it */
	resreq(&p, S1_NBMA, S1_TUN, "10.2.0.5", 33);
	p.hopcnt = 1;
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_ERROR);
	CHECK_EQ(s->pkt.error_code, NHRP_ERR_HOP_COUNT);
	CHECK_EQ(s->pkt.error_offset, 9);	/* ar$hopcnt */
	CHECK_EQ(fake_sent_count(), 0);
}

/* a request that our Forward Transit record would make larger than the
 * tunnel carries (MTU 1476): Error Indication 8 (SDU Size Exceeded) to
 * its sender, nothing passed on; one that still fits is passed on */
static void test_res_sdu_size(void)
{
	static uint8_t pad[1500];
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct nhrp_ext *e;
	int n, len;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	for (int fits = 0; fits < 2; fits++) {
		resreq(&p, S1_NBMA, S1_TUN, "10.2.0.5", 40 + fits);
		/* an unknown, non-compulsory extension a transit station
		 * passes on as it is */
		e = nhrp_ext_add(&p, 0x1234);
		e->data = pad;
		e->len = 0;
		len = nhrp_encode(&p, NULL, 0);
		REQUIRE(len > 0);
		/* our record adds 20 bytes: 1476 - 10 fits, 1476 - 19 not */
		e->len = 1476 - (fits ? 30 : 19) - len;
		n = nhrp_encode(&p, NULL, 0);
		CHECK(n <= 1476);
		fake_recv(gre, S1_NBMA, &p);
		s = fake_sent_pop();
		REQUIRE(s);
		if (fits) {
			CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REQ);
			CHECK(fake_sent_to(s, S2_NBMA));
			CHECK(s->len <= 1476);
		} else {
			CHECK_EQ(s->pkt.type, NHRP_PKT_ERROR);
			CHECK_EQ(s->pkt.error_code, NHRP_ERR_SDU_SIZE);
			CHECK_EQ(s->pkt.error_offset, 10);	/* ar$pktsz */
			CHECK(fake_sent_to(s, S1_NBMA));
			/* it quotes the packet, its header at least (as
			 * much as an Error Indication carries) */
			CHECK(s->pkt.body_len >= 20 && s->pkt.body_len <= n);
			CHECK(s->pkt.body[9] == 255); /* as received */
			/* and the Error Indication fits the tunnel too */
			CHECK(s->len <= 1476);
		}
		CHECK_EQ(fake_sent_count(), 0);
	}
}

static void test_res_egress_and_none(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct nhrp_cie *cie;

	spoke1();
	fake_sent_clear();
	/* our own LAN (forwarded by the hub): we answer for the whole
	 * prefix, with our addresses */
	forwarded_resreq(&p, S2_NBMA, S2_TUN, "10.1.0.77", 34);
	fake_recv(gre, HUB_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REPLY);
	/* straight to the requester */
	CHECK(fake_sent_to(s, S2_NBMA));
	cie = NHRP_CIE(&s->pkt, s->pkt.cie, 0);
	CHECK_EQ(cie->code, NHRP_CODE_SUCCESS);
	CHECK_EQ(cie->prefix_len, 24);
	CHECK(is_addr(&cie->nbma, S1_NBMA));
	CHECK(is_addr(&cie->proto, S1_TUN));
	/* and the requester's binding for the way back */
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_CACHED);
	CHECK(fake_neigh(GRE, S2_TUN));
	/* nowhere to be found: no binding */
	forwarded_resreq(&p, S2_NBMA, S2_TUN, "192.168.77.1", 35);
	fake_recv(gre, HUB_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REPLY);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code, NHRP_CODE_NO_BINDING);
}

static void test_res_reply_passed_on(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	int i;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	/* spoke2's answer to spoke1, sent back through us */
	fake_pkt(&p, NHRP_PKT_RES_REPLY, S1_NBMA, S1_TUN, "10.2.0.5", 40);
	fake_cie(&p, &p.cie, 0, 24, 600, S2_NBMA, S2_TUN);
	fake_exts(&p, NULL);
	p.hopcnt = 10;
	fake_recv(gre, S2_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REPLY);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK_EQ(s->pkt.hopcnt, 9);
	i = nhrp_ext_find(&s->pkt, NHRP_EXT_REV_TRANSIT);
	REQUIRE(i >= 0 && s->pkt.ext[i].cie.count == 1);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.ext[i].cie, 0)->proto, HUB_TUN));
	/* never back where it came from */
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	fake_pkt(&p, NHRP_PKT_RES_REPLY, S1_NBMA, S2_TUN, "10.2.0.5", 41);
	fake_cie(&p, &p.cie, 0, 24, 600, S2_NBMA, S2_TUN);
	fake_exts(&p, NULL);
	fake_recv(gre, S2_NBMA, &p);
	CHECK_EQ(fake_sent_count(), 0);
}

/* a reply for a requester we hold no binding for: not to the NBMA address
 * it names (we would reflect it to any address), Protocol Address
 * Unreachable back to its sender (offset: the source protocol address) */
static void test_res_reply_unreachable(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	uint64_t dropped;

	hub();
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	dropped = nhrp_if(gre)->stats.rx_dropped;
	fake_pkt(&p, NHRP_PKT_RES_REPLY, "192.0.2.99", "10.255.0.99", "10.2.0.5", 42);
	fake_cie(&p, &p.cie, 0, 24, 600, S2_NBMA, S2_TUN);
	fake_exts(&p, NULL);
	fake_recv(gre, S2_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_ERROR);
	CHECK_EQ(s->pkt.error_code, NHRP_ERR_PROTO_UNREACHABLE);
	/* 20 fixed + 8 common + a 4-byte NBMA address, no subaddress */
	CHECK_EQ(s->pkt.error_offset, 32);
	CHECK(fake_sent_to(s, S2_NBMA));
	CHECK(is_addr(&s->pkt.dst_proto, "10.255.0.99"));
	CHECK_EQ(fake_sent_count(), 0);
	CHECK_EQ(nhrp_if(gre)->stats.rx_dropped, dropped + 1);
	CHECK(!cache("10.255.0.99"));
}

/* ---- shortcuts: our resolutions ------------------------------------------------ */

/* spoke1 registered with the hub, which saw it at `nat` (NULL: no NAT) */
static void spoke1_up_nat(const char *nat)
{
	spoke1();
	fake_run(0);
	answer_registration(nat);
	fake_sent_clear();
}

static void spoke1_up(void)
{
	spoke1_up_nat(NULL);
}

static void traffic_indication_from(const char *nbma, const char *proto,
				    const char *dst);

/* a Traffic Indication from the hub for traffic from our LAN to dst */
static void traffic_indication(const char *dst)
{
	traffic_indication_from(HUB_NBMA, HUB_TUN, dst);
}

/* the same from the station (nbma, proto) */
static void traffic_indication_from(const char *nbma, const char *proto,
				    const char *dst)
{
	uint8_t ip[28] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1};
	struct nhrp_pkt p;
	struct ipaddr s = ip4("10.1.0.5"), d = ip4(dst);

	memcpy(ip + 12, &s.ipaddr_v4, 4);
	memcpy(ip + 16, &d.ipaddr_v4, 4);
	nhrp_pkt_init(&p, NHRP_PKT_TRAFFIC, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	fake_pkt(&p, NHRP_PKT_TRAFFIC, nbma, proto, "10.1.0.5", 0);
	p.body = ip;
	p.body_len = sizeof(ip);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	fake_recv(gre, nbma, &p);
}

/* answer our pending Resolution Request as the station (nbma, proto)
 * serving plen bits of the target */
static void answer_resolution_as(struct fake_sent *s, uint16_t holdtime,
				 uint8_t plen, const char *nbma,
				 const char *proto)
{
	struct nhrp_pkt *p = &s->pkt;

	p->type = NHRP_PKT_RES_REPLY;
	p->flags |= NHRP_FLAG_RES_A;
	p->cie.count = 0;
	fake_cie(p, &p->cie, 0, plen, holdtime, nbma, proto);
	fake_recv(gre, nbma, p);
}

/* answer our pending Resolution Request as spoke2 does (prefix 24) */
static void answer_resolution(struct fake_sent *s, uint16_t holdtime)
{
	answer_resolution_as(s, holdtime, 24, S2_NBMA, S2_TUN);
}

static void test_shortcut_phase3(void)
{
	struct fake_sent *s;

	spoke1_up();
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REQ);
	CHECK(fake_sent_to(s, HUB_NBMA));
	CHECK(is_addr(&s->pkt.dst_proto, "10.2.0.5"));
	CHECK(is_addr(&s->pkt.src_proto, S1_TUN));
	answer_resolution(s, 300);
	/* the responder's binding and the route for its prefix */
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_CACHED);
	CHECK(fake_neigh(GRE, S2_TUN));
	CHECK(fake_route_installed("10.2.0.0/24", S2_TUN));
	CHECK(!cache("10.2.0.5"));
	/* covered: another indication asks nothing */
	traffic_indication("10.2.0.9");
	fake_run(1);
	CHECK_EQ(fake_sent_count(), 0);
	/* unused: gone with the holding time */
	fake_run(300);
	CHECK(!fake_route_installed("10.2.0.0/24", NULL));
	CHECK(!cache(S2_TUN));
	CHECK(!fake_neigh(GRE, S2_TUN));
}

static void test_shortcut_refresh_in_use(void)
{
	struct fake_sent *s;
	struct ipaddr via = ip4(S2_TUN);

	spoke1_up();
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	answer_resolution(s, 300);
	/* the kernel uses the binding: refreshed at 2/3 of the holding
	 * time, and the answer keeps it */
	nhrp_sys_neigh_probe_in(gre, &via);
	CHECK(cache(S2_TUN)->used);
	CHECK_EQ(fake_sent_count(), 0);
	fake_run(201);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	CHECK(is_addr(&s->pkt.dst_proto, "10.2.0.5"));
	answer_resolution(s, 300);
	fake_run(200);
	CHECK(fake_route_installed("10.2.0.0/24", S2_TUN));
}

static void test_shortcut_unanswered(void)
{
	double when[] = {0, 1, 3};
	struct fake_sent *s;
	uint32_t id = 0;

	spoke1_up();
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	for (unsigned int n = 0; n < array_size(when); n++) {
		fake_run(when[n] - fake_time() + 0.01);
		s = fake_sent_pop();
		REQUIRE(s && s->pkt.type == NHRP_PKT_RES_REQ);
		if (!id)
			id = s->pkt.reqid;
		CHECK_EQ(s->pkt.reqid, id);
	}
	fake_run(5);
	CHECK_EQ(fake_sent_count(), 0);
	REQUIRE(cache("10.2.0.5"));
	CHECK_EQ(cache("10.2.0.5")->type, NHRP_CACHE_NEGATIVE);
	CHECK(!fake_routes_installed());
	/* not asked again while negative */
	traffic_indication("10.2.0.5");
	fake_run(1);
	CHECK_EQ(fake_sent_count(), 0);
	fake_run(60);
	CHECK(!cache("10.2.0.5"));
	/* a late reply to the old request changes nothing */
	CHECK_EQ(nhrp_reqid_count(), 1); /* the registration's */
}

static void test_traffic_indication_flood(void)
{
	char dst[32];

	spoke1_up();
	conf()->shortcut = true;
	/* Traffic Indications for 1000 destinations: a bounded number of
	 * resolutions at a time */
	for (int i = 0; i < 1000; i++) {
		snprintf(dst, sizeof(dst), "10.%d.%d.1", 2 + i / 250, i % 250);
		traffic_indication(dst);
	}
	fake_run(0);
	CHECK(fake_sent_count() <= 64);
	CHECK(nhrp_reqid_count() <= 65);
	fake_sent_clear();
	/* and all of it gone after a while */
	fake_run(200);
	CHECK_EQ(nhrp_reqid_count(), 1);
}

/* a Traffic Indication is honoured only from a station we have a
 * binding with; a flood of them from strangers costs nothing */
static void test_traffic_indication_from_stranger(void)
{
	char nbma[32], proto[32];
	size_t entries;
	struct fake_sent *s;

	spoke1_up();
	conf()->shortcut = true;
	fake_sent_clear();
	entries = nhrp_cache_count(gre);
	traffic_indication_from("198.51.100.66", "10.255.0.66", "10.2.0.5");
	fake_run(0);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(!peer("198.51.100.66"));
	/* ten thousand of them, from as many addresses */
	for (int i = 0; i < 10000; i++) {
		snprintf(nbma, sizeof(nbma), "198.51.%d.%d", 100 + i / 250 % 2,
			 i % 250 + 1);
		snprintf(proto, sizeof(proto), "10.255.0.%d", 100 + i % 100);
		traffic_indication_from(nbma, proto, "10.2.0.5");
	}
	fake_run(1);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK_EQ(nhrp_cache_count(gre), entries);
	CHECK_EQ(nhrp_reqid_count(), 1); /* the registration's */
	CHECK(!fake_routes_installed());
	/* from our hub: resolved */
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	CHECK(fake_sent_to(s, HUB_NBMA));
	CHECK(is_addr(&s->pkt.dst_proto, "10.2.0.5"));
}

static void test_shortcut_off(void)
{
	spoke1_up();
	traffic_indication("10.2.0.5");
	fake_run(1);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(!cache("10.2.0.5"));
}

static void test_phase2_kernel_probe(void)
{
	struct ipaddr s2 = ip4(S2_TUN), hubt = ip4(HUB_TUN);
	struct fake_sent *s;

	spoke1_up();
	/* a next hop in the tunnel we know: answered from the cache */
	nhrp_sys_neigh_probe_in(gre, &hubt);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(cache(HUB_TUN)->used);
	/* one we do not know: resolved through the server */
	nhrp_sys_neigh_probe_in(gre, &s2);
	fake_run(0);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REQ);
	CHECK(is_addr(&s->pkt.dst_proto, S2_TUN));
	s->pkt.type = NHRP_PKT_RES_REPLY;
	s->pkt.cie.count = 0;
	fake_cie(&s->pkt, &s->pkt.cie, 0, 32, 300, S2_NBMA, S2_TUN);
	fake_recv(gre, S2_NBMA, &s->pkt);
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_CACHED);
	CHECK(fake_neigh(GRE, S2_TUN));
	/* the address itself: no route needed */
	CHECK_EQ(fake_routes_installed(), 0);
}

/* ---- NAT -------------------------------------------------------------------------- */

static void test_nat_hub_tells_real_address(void)
{
	struct ipaddr real;
	struct fake_sent *s;
	struct nhrp_pkt p;

	hub();
	/* spoke1 is behind NAT: it says 10.9.9.9, it comes from S1_NBMA */
	regreq(&p, "10.9.9.9", S1_TUN, 80, 600, true);
	fake_recv(gre, S1_NBMA, &p);
	REQUIRE(fake_sent_pop_type(NHRP_PKT_REG_REPLY));
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	/* its request goes to spoke2 with where spoke1 really is */
	resreq(&p, "10.9.9.9", S1_TUN, S2_TUN, 81);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REQ);
	CHECK(fake_sent_to(s, S2_NBMA));
	CHECK(is_addr(&s->pkt.src_nbma, "10.9.9.9"));
	REQUIRE(nhrp_ext_nat_find(&s->pkt, &(struct ipaddr){}, &real) == false);
	{
		struct ipaddr s1 = ip4(S1_TUN), want = ip4(S1_NBMA);

		CHECK(nhrp_ext_nat_find(&s->pkt, &s1, &real) &&
		      ipaddr_cmp(&real, &want) == 0);
	}
	/* and spoke2's reply, sent back through us, goes to the real
	 * address too */
	fake_pkt(&p, NHRP_PKT_RES_REPLY, "10.9.9.9", S1_TUN, S2_TUN, 81);
	fake_cie(&p, &p.cie, 0, 32, 600, S2_NBMA, S2_TUN);
	fake_exts(&p, NULL);
	fake_recv(gre, S2_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REPLY);
	CHECK(fake_sent_to(s, S1_NBMA));
}

static void test_nat_responder_answers_real_address(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct ipaddr claimed = ip4("10.8.8.8");

	spoke1_up_nat(NULL);
	/* spoke2 is behind NAT: the hub said where it really is */
	forwarded_resreq(&p, "10.8.8.8", S2_TUN, "10.1.0.9", 82);
	{
		struct ipaddr a = ip4(S2_TUN), n = ip4(S2_NBMA);

		nhrp_ext_nat_add(&p, &a, &n);
	}
	fake_recv(gre, HUB_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REPLY);
	/* back through the hub: spoke2's NAT would drop it from us */
	CHECK(fake_sent_to(s, HUB_NBMA));
	REQUIRE(cache(S2_TUN) && cache(S2_TUN)->peer);
	CHECK(fake_sent_to(&(struct fake_sent){.nbma = cache(S2_TUN)->peer->nbma},
		      S2_NBMA));
	CHECK(ipaddr_cmp(&cache(S2_TUN)->peer->claimed, &claimed) == 0);
	CHECK(nhrp_peer_natted(cache(S2_TUN)->peer));
	/* a request straight from a NATed requester we know: answered where
	 * it came from */
	fake_sent_clear();
	resreq(&p, "10.8.8.8", S2_TUN, "10.1.0.9", 83);
	fake_recv(gre, S2_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK(fake_sent_to(s, S2_NBMA));
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code, NHRP_CODE_SUCCESS);
}

static void test_res_untrusted_requester(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	/* a stranger: refused, no state, nothing passed on */
	resreq(&p, "198.51.100.66", "10.255.0.66", S2_TUN, 85);
	fake_recv(gre, "198.51.100.66", &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REPLY);
	CHECK(fake_sent_to(s, "198.51.100.66"));
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code,
		 NHRP_CODE_ADMIN_PROHIBITED);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(!cache("10.255.0.66"));
	CHECK(!peer("198.51.100.66"));
	CHECK(!fake_neigh(GRE, "10.255.0.66"));
	/* a registered spoke claiming another one's address */
	resreq(&p, S1_NBMA, S2_TUN, "10.2.0.5", 86);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code,
		 NHRP_CODE_ADMIN_PROHIBITED);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(fake_sent_to(&(struct fake_sent){.nbma = cache(S2_TUN)->peer->nbma},
		      S2_NBMA));
	/* outside our network */
	resreq(&p, S1_NBMA, "44.16.0.66", "10.2.0.5", 87);
	fake_recv(gre, S1_NBMA, &p);
	CHECK(!cache("44.16.0.66"));
}

/* a Resolution Request for (nbma, proto) that says it was passed on by
 * the server via_proto at via_nbma (its Forward Transit record) */
static void transit_resreq(struct nhrp_pkt *p, const char *nbma,
			   const char *proto, const char *target, uint32_t id,
			   const char *via_nbma, const char *via_proto)
{
	resreq(p, nbma, proto, target, id);
	p->hopcnt--;
	fake_cie(p, &p->ext[nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT)].cie, 0, 32,
		 600, via_nbma, via_proto);
}

/* a registered spoke is not a server: a Forward Transit record in its
 * request (it claims to pass on another station's request) is not
 * believed, nor may it purge what a server told us */
static void test_res_forged_transit_from_spoke(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct nhrp_map_conf *m;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	fake_sent_clear();
	/* spoke1 "forwards" a request of 10.255.0.77 at 198.51.100.66 */
	transit_resreq(&p, "198.51.100.66", "10.255.0.77", S2_TUN, 95,
		       "198.51.100.5", "10.255.0.5");
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REPLY);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code,
		 NHRP_CODE_ADMIN_PROHIBITED);
	/* nothing passed on to spoke2, no binding, no neighbour, no peer */
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(!cache("10.255.0.77"));
	CHECK(!fake_neigh(GRE, "10.255.0.77"));
	CHECK(!peer("198.51.100.66"));
	/* the same for spoke2's address: spoke2's registration unchanged */
	transit_resreq(&p, "198.51.100.66", S2_TUN, "10.2.0.5", 96,
		       "198.51.100.5", "10.255.0.5");
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code,
		 NHRP_CODE_ADMIN_PROHIBITED);
	CHECK_EQ(fake_sent_count(), 0);
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_DYNAMIC);
	CHECK(fake_sent_to(&(struct fake_sent){.nbma = cache(S2_TUN)->peer->nbma},
		      S2_NBMA));
	/* a server (mapped statically) passes one on: believed */
	m = nhrp_conf_alloc(sizeof(*m));
	m->proto = ip4("10.255.0.50");
	m->nbma = ip4("198.51.100.50");
	nhrp_map_list_add_tail(&conf()->maps, m);
	nhrp_if_update(gre);
	transit_resreq(&p, "198.51.100.77", "10.255.0.77", S2_TUN, 97,
		       "198.51.100.50", "10.255.0.50");
	fake_recv(gre, "198.51.100.50", &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_RES_REQ);
	CHECK(fake_sent_to(s, S2_NBMA));
	REQUIRE(cache("10.255.0.77"));
	CHECK_EQ(cache("10.255.0.77")->type, NHRP_CACHE_CACHED);
	CHECK(fake_neigh(GRE, "10.255.0.77"));
	fake_sent_clear();
	/* spoke1 cannot purge what the server told us; the server can */
	purge(S1_NBMA, S1_TUN, "10.255.0.77", 98, true);
	CHECK(cache("10.255.0.77"));
	CHECK(fake_neigh(GRE, "10.255.0.77"));
	purge("198.51.100.50", "10.255.0.50", "10.255.0.77", 99, true);
	CHECK(!cache("10.255.0.77"));
	CHECK(!fake_neigh(GRE, "10.255.0.77"));
}

static void test_res_untrusted_at_spoke(void)
{
	struct nhrp_pkt p;
	struct fake_sent *s;

	spoke1_up();
	/* straight from a stranger, claiming spoke2's address: no binding
	 * of spoke2's address to the stranger */
	resreq(&p, "198.51.100.66", S2_TUN, "10.1.0.9", 88);
	fake_recv(gre, "198.51.100.66", &p);
	CHECK(!cache(S2_TUN));
	CHECK(!fake_neigh(GRE, S2_TUN));
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code,
		 NHRP_CODE_ADMIN_PROHIBITED);
	/* passed on by the hub: believed */
	forwarded_resreq(&p, S2_NBMA, S2_TUN, "10.1.0.9", 89);
	fake_recv(gre, HUB_NBMA, &p);
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_CACHED);
	/* passed on by a stranger: not */
	fake_sent_clear();
	forwarded_resreq(&p, "198.51.100.66", "10.255.0.66", "10.1.0.9", 90);
	fake_recv(gre, "198.51.100.67", &p);
	CHECK(!cache("10.255.0.66"));
}

static void test_nat_spoke_behind_nat(void)
{
	struct ipaddr us = ip4(S1_TUN), want = ip4("198.51.100.200"), real;
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct nhrp_cie *cie;

	spoke1_up_nat("198.51.100.200");
	/* our requests say where we really are, in IOS's shape */
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	CHECK_EQ(s->pkt.flags, 0xc802);
	REQUIRE(s->pkt.cie.count == 1);
	cie = NHRP_CIE(&s->pkt, s->pkt.cie, 0);
	CHECK_EQ(cie->prefix_len, 32);
	CHECK_EQ(cie->pref, 255);
	CHECK_EQ(cie->mtu, 1476);
	CHECK(nhrp_ext_nat_find(&s->pkt, &us, &real) &&
	      ipaddr_cmp(&real, &want) == 0);
	/* and so do our answers */
	forwarded_resreq(&p, S2_NBMA, S2_TUN, "10.1.0.9", 84);
	fake_recv(gre, HUB_NBMA, &p);
	s = fake_sent_pop_type(NHRP_PKT_RES_REPLY);
	REQUIRE(s);
	CHECK(nhrp_ext_nat_find(&s->pkt, &us, &real) &&
	      ipaddr_cmp(&real, &want) == 0);
	/* no NAT any more: nothing said */
	fake_sent_clear();
	fake_run(201);
	answer_registration(NULL);
	CHECK(IS_IPADDR_NONE(&nhrp_if(gre)->nat_nbma));
}

static void test_nat_requester_learns_real_address(void)
{
	struct fake_sent *s;
	struct nhrp_pkt *p;

	spoke1_up_nat(NULL);
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	/* spoke2 (behind NAT, says 10.8.8.8) answers through the hub, which
	 * says where it really is */
	p = &s->pkt;
	p->type = NHRP_PKT_RES_REPLY;
	p->cie.count = 0;
	fake_cie(p, &p->cie, 0, 24, 300, "10.8.8.8", S2_TUN);
	fake_cie(p, &p->ext[nhrp_ext_find(p, NHRP_EXT_REV_TRANSIT)].cie, 0, 32,
		 600, HUB_NBMA, HUB_TUN);
	{
		struct ipaddr a = ip4(S2_TUN), n = ip4(S2_NBMA);

		nhrp_ext_nat_add(p, &a, &n);
	}
	fake_recv(gre, HUB_NBMA, p);
	REQUIRE(cache(S2_TUN) && cache(S2_TUN)->peer);
	CHECK(fake_sent_to(&(struct fake_sent){.nbma = cache(S2_TUN)->peer->nbma},
		      S2_NBMA));
	CHECK(fake_sent_to(fake_neigh(GRE, S2_TUN) ? &(struct fake_sent){
			      .nbma = *fake_neigh(GRE, S2_TUN)} :
			      &(struct fake_sent){},
		      S2_NBMA));
	CHECK(fake_route_installed("10.2.0.0/24", S2_TUN));
}

/* ---- purge --------------------------------------------------------------------- */

/* a Purge Request of plen bits of `what` */
static void purge_prefix(const char *from_nbma, const char *from_proto,
			 const char *what, uint8_t plen, uint32_t id,
			 bool no_reply)
{
	struct nhrp_pkt p;

	fake_pkt(&p, NHRP_PKT_PURGE_REQ, from_nbma, from_proto, HUB_TUN, id);
	p.flags = no_reply ? NHRP_FLAG_PURGE_N : 0;
	fake_cie(&p, &p.cie, 0, plen, 0, NULL, what);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	fake_recv(gre, from_nbma, &p);
}

static void purge(const char *from_nbma, const char *from_proto,
		  const char *what, uint32_t id, bool no_reply)
{
	purge_prefix(from_nbma, from_proto, what, 32, id, no_reply);
}

static void test_purge_received(void)
{
	struct fake_sent *s;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	/* from a stranger: nothing changes, the reply still goes */
	purge(S2_NBMA, S2_TUN, S1_TUN, 50, false);
	CHECK(cache(S1_TUN));
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_PURGE_REPLY);
	CHECK(fake_sent_to(s, S2_NBMA));
	CHECK_EQ(s->pkt.reqid, 50);
	/* from the owner, no reply wanted: gone, silently */
	purge(S1_NBMA, S1_TUN, S1_TUN, 51, true);
	CHECK(!cache(S1_TUN));
	CHECK(!fake_neigh(GRE, S1_TUN));
	CHECK(!peer(S1_NBMA));
	CHECK_EQ(fake_sent_count(), 0);
}

static void test_purge_removes_shortcut(void)
{
	struct fake_sent *s;

	spoke1_up();
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	answer_resolution(s, 300);
	CHECK(fake_route_installed("10.2.0.0/24", S2_TUN));
	/* the responder purges what it told us */
	purge(S2_NBMA, S2_TUN, S2_TUN, 52, false);
	CHECK(!cache(S2_TUN));
	CHECK(!fake_neigh(GRE, S2_TUN));
	CHECK_EQ(fake_routes_installed(), 0);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_PURGE_REPLY);
	CHECK(fake_sent_to(s, S2_NBMA));
}

static void test_purge_from_hub_when_binding_moves(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, false), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 30, false), 0);
	/* spoke1 resolves spoke2's address and its LAN through us */
	resreq(&p, S1_NBMA, S1_TUN, S2_TUN, 110);
	fake_recv(gre, S1_NBMA, &p);
	resreq(&p, S1_NBMA, S1_TUN, "10.2.0.5", 111);
	fake_recv(gre, S1_NBMA, &p);
	fake_sent_clear();
	/* spoke2 comes back from another NBMA address: spoke1 is told */
	regreq(&p, "203.0.113.99", S2_TUN, 113, 30, false);
	fake_recv(gre, "203.0.113.99", &p);
	s = fake_sent_pop_type(NHRP_PKT_PURGE_REQ);
	REQUIRE(s);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK(is_addr(&s->pkt.dst_proto, S1_TUN));
	REQUIRE(s->pkt.cie.count == 1);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.cie, 0)->proto, S2_TUN));
	CHECK(fake_sent_pop_type(NHRP_PKT_REG_REPLY));
	CHECK_EQ(fake_sent_count(), 0);
	/* a refresh from where it is tells nobody */
	CHECK_EQ(do_register("203.0.113.99", S2_TUN, 30, false), 0);
	CHECK_EQ(fake_sent_count(), 0);
	/* nobody resolved it since: its expiry tells nobody either */
	fake_run(31);
	CHECK(!cache(S2_TUN));
	CHECK(!fake_sent_pop_type(NHRP_PKT_PURGE_REQ));
	/* resolved again, then expired: purged */
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 30, false), 0);
	resreq(&p, S1_NBMA, S1_TUN, S2_TUN, 112);
	fake_recv(gre, S1_NBMA, &p);
	fake_sent_clear();
	fake_run(31);
	s = fake_sent_pop_type(NHRP_PKT_PURGE_REQ);
	REQUIRE(s);
	CHECK(fake_sent_to(s, S1_NBMA));
}

static void test_purge_of_learnt_binding_needs_standing(void)
{
	struct fake_sent *s;

	spoke1_up();
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	answer_resolution(s, 300);
	REQUIRE(fake_route_installed("10.2.0.0/24", S2_TUN));
	/* a stranger cannot take the shortcut away */
	purge("198.51.100.66", "10.255.0.66", S2_TUN, 120, true);
	CHECK(cache(S2_TUN));
	CHECK(fake_route_installed("10.2.0.0/24", S2_TUN));
	/* our server can */
	purge(HUB_NBMA, HUB_TUN, S2_TUN, 121, true);
	CHECK(!cache(S2_TUN));
	CHECK(!fake_route_installed("10.2.0.0/24", NULL));
	CHECK(!fake_neigh(GRE, S2_TUN));
}

#define S3_NBMA "203.0.113.3"
#define S3_TUN "10.255.0.13"

/* shortcuts to 10.2.0.0/24 and 10.2.1.0/24 via spoke2, 10.3.0.0/24 via
 * spoke3 */
static void spoke1_three_shortcuts(void)
{
	const char *dst[] = {"10.2.0.5", "10.2.1.5", "10.3.0.5"};
	struct fake_sent *s;

	spoke1_up();
	conf()->shortcut = true;
	fake_route_add("10.3.0.0/24", HUB_TUN, GRE);
	for (unsigned int n = 0; n < array_size(dst); n++) {
		traffic_indication(dst[n]);
		fake_run(0);
		s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
		REQUIRE(s);
		if (n < 2)
			answer_resolution(s, 300);
		else
			answer_resolution_as(s, 300, 24, S3_NBMA, S3_TUN);
	}
	REQUIRE(fake_route_installed("10.2.0.0/24", S2_TUN));
	REQUIRE(fake_route_installed("10.2.1.0/24", S2_TUN));
	REQUIRE(fake_route_installed("10.3.0.0/24", S3_TUN));
	fake_sent_clear();
}

/* a Purge Request for a prefix (CIE prefix length shorter than the
 * address): every shortcut and binding inside it goes, as far as the
 * sender has standing for them */
static void test_purge_prefix(void)
{
	struct fake_sent *s;

	spoke1_three_shortcuts();
	/* spoke2 withdraws 10.2.0.0/16: both its shortcuts go, with the
	 * reply; spoke3's stays, and spoke2's own binding (outside the
	 * prefix) too */
	purge_prefix(S2_NBMA, S2_TUN, "10.2.0.0", 16, 130, false);
	CHECK(!fake_route_installed("10.2.0.0/24", NULL));
	CHECK(!fake_route_installed("10.2.1.0/24", NULL));
	CHECK(fake_route_installed("10.3.0.0/24", S3_TUN));
	CHECK_EQ(fake_routes_installed(), 1);
	CHECK(cache(S2_TUN));
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_PURGE_REPLY);
	CHECK(fake_sent_to(s, S2_NBMA));
	/* a purge inside a shortcut's prefix takes the shortcut too */
	purge_prefix(S3_NBMA, S3_TUN, "10.3.0.128", 25, 131, true);
	CHECK_EQ(fake_routes_installed(), 0);
	CHECK(cache(S3_TUN));
	CHECK(fake_neigh(GRE, S3_TUN));
	/* our server takes the bindings of the whole tunnel network; ours,
	 * and the server's own, stay */
	purge_prefix(HUB_NBMA, HUB_TUN, "10.255.0.0", 24, 132, true);
	CHECK(!cache(S2_TUN));
	CHECK(!cache(S3_TUN));
	CHECK(!fake_neigh(GRE, S2_TUN));
	CHECK(!fake_neigh(GRE, S3_TUN));
	REQUIRE(cache(HUB_TUN));
	CHECK_EQ(cache(HUB_TUN)->type, NHRP_CACHE_NHS);
	REQUIRE(cache(S1_TUN));
	CHECK_EQ(cache(S1_TUN)->type, NHRP_CACHE_LOCAL);
	CHECK_EQ(fake_sent_count(), 0);
}

/* a prefix purge from one without standing changes nothing */
static void test_purge_prefix_needs_standing(void)
{
	struct fake_sent *s;

	spoke1_three_shortcuts();
	/* a stranger, and spoke3 for spoke2's shortcuts */
	purge_prefix("198.51.100.66", "10.255.0.66", "0.0.0.0", 1, 140, true);
	purge_prefix(S3_NBMA, S3_TUN, "10.2.0.0", 16, 141, true);
	purge_prefix(S3_NBMA, S3_TUN, "10.255.0.0", 24, 142, false);
	CHECK_EQ(fake_routes_installed(), 2);
	CHECK(fake_route_installed("10.2.0.0/24", S2_TUN));
	CHECK(fake_route_installed("10.2.1.0/24", S2_TUN));
	CHECK(cache(S2_TUN));
	CHECK(fake_neigh(GRE, S2_TUN));
	/* spoke3 may take its own binding with the prefix, nothing else */
	CHECK(!cache(S3_TUN));
	CHECK(!fake_route_installed("10.3.0.0/24", NULL));
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_PURGE_REPLY);
	CHECK_EQ(fake_sent_count(), 0);
}

/* at a hub: a spoke withdraws its own registrations by prefix, never
 * another's */
static void test_purge_prefix_at_hub(void)
{
	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	purge_prefix(S1_NBMA, S1_TUN, "10.255.0.0", 24, 143, true);
	CHECK(!cache(S1_TUN));
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_DYNAMIC);
	CHECK(fake_neigh(GRE, S2_TUN));
}

/* ---- error indications ---------------------------------------------------------- */

static void test_error_indications(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	uint8_t buf[256];
	int len;

	hub();
	/* an unknown compulsory extension: code 1, its offset */
	regreq(&p, S1_NBMA, S1_TUN, 60, 600, true);
	nhrp_ext_add(&p, 0x1234 | NHRP_EXT_COMPULSORY);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_ERROR);
	CHECK_EQ(s->pkt.error_code, NHRP_ERR_UNRECOGNIZED_EXT);
	CHECK(s->pkt.error_offset > NHRP_HDR_LEN);
	CHECK(!cache(S1_TUN));
	/* never an Error Indication about an Error Indication */
	fake_pkt(&p, NHRP_PKT_ERROR, S1_NBMA, S1_TUN, HUB_TUN, 0);
	p.error_code = NHRP_ERR_PROTOCOL;
	nhrp_ext_add(&p, 0x1234 | NHRP_EXT_COMPULSORY);
	fake_recv(gre, S1_NBMA, &p);
	CHECK_EQ(fake_sent_count(), 0);
	strlcpy(nhrp_if(gre)->auth, "secret", sizeof(nhrp_if(gre)->auth));
	fake_pkt(&p, NHRP_PKT_ERROR, S1_NBMA, S1_TUN, HUB_TUN, 0);
	fake_recv(gre, S1_NBMA, &p);
	CHECK_EQ(fake_sent_count(), 0);
	/* a bad checksum: dropped silently */
	nhrp_if(gre)->auth[0] = 0;
	regreq(&p, S1_NBMA, S1_TUN, 61, 600, true);
	len = nhrp_encode(&p, buf, sizeof(buf));
	REQUIRE(len > 0);
	buf[12] ^= 0xff;
	fake_recv_raw(gre, S1_NBMA, buf, len);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK_EQ(nhrp_if(gre)->stats.rx_bad_checksum, 1);
	CHECK(!cache(S1_TUN));
}

static void test_error_rate_per_source(void)
{
	struct nhrp_pkt p;
	unsigned int n;

	hub();
	strlcpy(nhrp_if(gre)->auth, "secret", sizeof(nhrp_if(gre)->auth));
	/* a flood from one address: a few answers a second */
	for (int i = 0; i < 50; i++) {
		regreq(&p, S1_NBMA, S1_TUN, 70 + i, 600, true);
		fake_recv(gre, S1_NBMA, &p);
	}
	n = fake_sent_count();
	CHECK(n >= 1 && n <= 10);
	fake_sent_clear();
	/* does not silence the others */
	regreq(&p, S2_NBMA, S2_TUN, 200, 600, true);
	fake_recv(gre, S2_NBMA, &p);
	CHECK_EQ(fake_sent_count(), 1);
	CHECK(fake_sent_count() && fake_sent_to(fake_sent_pop(), S2_NBMA));
	/* and the flooder is answered again a second later */
	fake_run(1);
	regreq(&p, S1_NBMA, S1_TUN, 300, 600, true);
	fake_recv(gre, S1_NBMA, &p);
	CHECK_EQ(fake_sent_count(), 1);
}

/* refusals (of a stranger's resolution, of registrations accepted in
 * none of their CIEs) are rate-limited per source NBMA address */
static void test_refusal_rate_per_source(void)
{
	struct nhrp_pkt p;
	unsigned int n;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	fake_sent_clear();
	/* a stranger's resolution requests: a few refusals a second */
	for (int i = 0; i < 50; i++) {
		resreq(&p, "198.51.100.66", "10.255.0.66", S1_TUN, 400 + i);
		fake_recv(gre, "198.51.100.66", &p);
	}
	n = fake_sent_count();
	CHECK(n >= 1 && n <= 10);
	fake_sent_clear();
	/* another one is still refused, and the registered spoke answered */
	resreq(&p, "198.51.100.67", "10.255.0.67", S1_TUN, 460);
	fake_recv(gre, "198.51.100.67", &p);
	CHECK_EQ(fake_sent_count(), 1);
	CHECK(fake_sent_count() && fake_sent_to(fake_sent_pop(), "198.51.100.67"));
	/* registrations refused (outside the tunnel's network) from one
	 * address: the same */
	n = 0;
	for (int i = 0; i < 50; i++)
		if (do_register(S2_NBMA, "44.16.0.66", 600, true) >= 0)
			n++;
	CHECK(n >= 1 && n <= 10);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(!cache("44.16.0.66"));
	/* its registration of a good address is answered all the same */
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	/* others are refused as before, and the flooders again a second
	 * later */
	CHECK_EQ(do_register(S1_NBMA, "44.16.0.67", 600, true),
		 NHRP_CODE_ADMIN_PROHIBITED);
	fake_run(1);
	CHECK_EQ(do_register(S2_NBMA, "44.16.0.66", 600, true),
		 NHRP_CODE_ADMIN_PROHIBITED);
	resreq(&p, "198.51.100.66", "10.255.0.66", S1_TUN, 470);
	fake_recv(gre, "198.51.100.66", &p);
	CHECK_EQ(fake_sent_count(), 1);
}

/* ---- traffic indications ---------------------------------------------------------- */

/* a packet from src to dst that came in on gre1 and leaves on gre1 */
static void hairpin(const char *src, const char *dst)
{
	uint8_t ip[48] = {0x45, 0, 0, 48, 0, 0, 0, 0, 63, 1};
	struct ipaddr s = ip4(src), d = ip4(dst);

	memcpy(ip + 12, &s.ipaddr_v4, 4);
	memcpy(ip + 16, &d.ipaddr_v4, 4);
	nhrp_traffic_redirect(GRE, ip, sizeof(ip));
}

/* `ip nhrp redirect` (or ipv6) with `nhrp nflog-group 1`: the group's
 * callback */
static nhrp_nflog_cb redirect_on(struct nhrp_afi_conf *ac, void **arg)
{
	ac->redirect = true;
	nhrp_conf.nflog_group = 1;
	nhrp_traffic_config();
	return fake_nflog(1, arg);
}

static void test_redirect(void)
{
	struct fake_sent *s;
	nhrp_nflog_cb cb;
	void *arg;

	hub();
	cb = redirect_on(conf(), &arg);
	REQUIRE(cb);
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	/* through the NFLOG group */
	{
		uint8_t ip[48] = {0x45, 0, 0, 48, 0, 0, 0, 0, 63, 1,
				  0, 0, 10, 1, 0, 5, 10, 2, 0, 5};

		cb(GRE, GRE, ip, sizeof(ip), arg);
	}
	s = fake_sent_pop();
	REQUIRE(s);
	/* to the sender's station, quoting header + 8 bytes, dst = source */
	CHECK_EQ(s->pkt.type, NHRP_PKT_TRAFFIC);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK(is_addr(&s->pkt.dst_proto, "10.1.0.5"));
	CHECK_EQ(s->pkt.body_len, 28);
	/* the same pair again: not before 15 s */
	hairpin("10.1.0.6", "10.2.0.7");
	fake_run(10);
	hairpin("10.1.0.5", "10.2.0.5");
	CHECK_EQ(fake_sent_count(), 0);
	/* the other direction is another pair */
	hairpin("10.2.0.5", "10.1.0.5");
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK(fake_sent_to(s, S2_NBMA));
	fake_run(5);
	hairpin("10.1.0.5", "10.2.0.5");
	CHECK_EQ(fake_sent_count(), 1);
	/* off: nothing */
	fake_sent_clear();
	fake_run(20);
	conf()->redirect = false;
	hairpin("10.1.0.5", "10.2.0.5");
	CHECK_EQ(fake_sent_count(), 0);
	/* a flood of distinct pairs costs bounded work and state */
	conf()->redirect = true;
	for (int i = 0; i < 5000; i++) {
		char src[32], dst[32];

		snprintf(src, sizeof(src), "10.1.%d.%d", i / 250, i % 250);
		snprintf(dst, sizeof(dst), "10.2.%d.1", i % 250);
		hairpin(src, dst);
	}
	CHECK(fake_sent_count() <= 100);
}

/* ---- multicast ---------------------------------------------------------------------- */

/* a multicast copy to spoke1, spoke2 or the static 192.0.2.77 */
static void count_copy(const struct fake_sent *s, unsigned int *s1,
		       unsigned int *s2, unsigned int *other)
{
	if (fake_sent_to(s, S1_NBMA))
		(*s1)++;
	else if (fake_sent_to(s, S2_NBMA))
		(*s2)++;
	else if (fake_sent_to(s, "192.0.2.77"))
		(*other)++;
	else
		CHECK(!"a copy to a stranger");
}

static void test_multicast_replication(void)
{
	struct nhrp_mcast_conf *mc;
	uint8_t rip[] = {
		0x45, 0, 0, 52, 0, 0, 0x40, 0, 1, 17, 0, 0, 10, 255, 0, 1,
		224, 0, 0, 9, 2, 8, 2, 8, 0, 32, 0, 0, /* UDP, bad checksum */
		2, 2, 0, 0, 0, 2, 0, 0, 10, 0, 0, 0, 255, 255, 255, 0,
		0, 0, 0, 0, 0, 0, 0, 1,
	};
	unsigned int to_s1 = 0, to_s2 = 0, to_hub = 0, n;
	struct fake_sent *s;

	hub();
	mc = nhrp_conf_alloc(sizeof(*mc));
	mc->dynamic = true;
	nhrp_mcast_list_add_tail(&conf()->mcast, mc);
	/* one spoke registering several addresses gets one copy */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, false), 0);
	CHECK_EQ(do_register(S1_NBMA, "10.255.0.21", 600, false), 0);
	CHECK_EQ(do_register(S1_NBMA, "10.255.0.22", 600, false), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, false), 0);
	/* a static destination, and one that is a registered peer too */
	mc = nhrp_conf_alloc(sizeof(*mc));
	mc->addr = ip4("192.0.2.77");
	nhrp_mcast_list_add_tail(&conf()->mcast, mc);
	mc = nhrp_conf_alloc(sizeof(*mc));
	mc->addr = ip4(S2_NBMA);
	nhrp_mcast_list_add_tail(&conf()->mcast, mc);
	/* a peer known only as a resolution requester is not a member */
	{
		struct ipaddr a = ip4("10.255.0.99"), x = ip4("198.51.100.99");

		nhrp_cache_set(nhrp_cache_get(gre, &a), NHRP_CACHE_CACHED, &x,
			       NULL, 600);
	}
	n = nhrp_multicast_send(GRE, rip, sizeof(rip));
	CHECK_EQ(n, 3);
	while ((s = fake_sent_pop())) {
		CHECK_EQ(s->ethertype, 0x0800);
		CHECK_EQ(s->len, sizeof(rip));
		count_copy(s, &to_s1, &to_s2, &to_hub);
		/* a whole UDP checksum */
		{
			struct ipv4_ph {
				uint8_t src[4], dst[4];
				uint8_t z, proto;
				uint16_t len;
			} ph;
			uint32_t sum = 0;
			uint8_t *u = s->buf + 20;

			memcpy(ph.src, s->buf + 12, 4);
			memcpy(ph.dst, s->buf + 16, 4);
			ph.z = 0;
			ph.proto = 17;
			ph.len = htons(32);
			for (unsigned int i = 0; i < sizeof(ph); i += 2)
				sum += (((uint8_t *)&ph)[i] << 8) |
				       ((uint8_t *)&ph)[i + 1];
			for (unsigned int i = 0; i < 32; i += 2)
				sum += (u[i] << 8) | u[i + 1];
			while (sum >> 16)
				sum = (sum & 0xffff) + (sum >> 16);
			CHECK_EQ(sum, 0xffff);
		}
	}
	CHECK_EQ(to_s1, 1);
	CHECK_EQ(to_s2, 1);
	CHECK_EQ(to_hub, 1);
}

/* many registered spokes: every one gets exactly one copy, in batches
 * of the batched send (never one call per copy) */
static void test_multicast_batches(void)
{
	uint8_t rip[52] = {0x45, 0, 0, 52, 0, 0, 0x40, 0, 1, 17, 0, 0,
			   10, 255, 0, 1, 224, 0, 0, 9};
	static unsigned int copies[201];
	struct nhrp_mcast_conf *mc;
	struct fake_sent *s;
	unsigned int largest, calls, n;
	char nbma[32], tun[32];

	hub();
	mc = nhrp_conf_alloc(sizeof(*mc));
	mc->dynamic = true;
	nhrp_mcast_list_add_tail(&conf()->mcast, mc);
	for (int i = 1; i <= 200; i++) {
		snprintf(nbma, sizeof(nbma), "198.51.100.%d", i);
		snprintf(tun, sizeof(tun), "10.255.0.%d", 20 + i % 200);
		REQUIRE(do_register(nbma, tun, 600, false) == 0);
	}
	fake_sent_clear();
	calls = fake_send_many_calls(NULL);
	n = nhrp_multicast_send(GRE, rip, sizeof(rip));
	CHECK_EQ(n, 200);
	CHECK_EQ(fake_sent_count(), 200);
	calls = fake_send_many_calls(&largest) - calls;
	CHECK(calls >= 200 / 64 && calls <= 200 / 64 + 1);
	CHECK_EQ(largest, 64);
	while ((s = fake_sent_pop())) {
		unsigned int last = ntohl(s->nbma.ipaddr_v4.s_addr) & 0xff;

		CHECK_EQ(s->ethertype, 0x0800);
		CHECK_EQ(s->len, sizeof(rip));
		REQUIRE(last >= 1 && last <= 200);
		copies[last]++;
	}
	for (int i = 1; i <= 200; i++)
		CHECK_EQ(copies[i], 1);
}

static void test_udp_checksum_negative_control(void)
{
	uint8_t pkt[] = {
		0x45, 0, 0, 32, 0, 0, 0x40, 0, 1, 17, 0, 0, 10, 255, 0, 1,
		224, 0, 0, 9, 2, 8, 2, 8, 0, 12, 0x12, 0x34, 1, 2, 3, 4,
	};
	uint8_t fixed[sizeof(pkt)];

	memcpy(fixed, pkt, sizeof(pkt));
	nhrp_fix_udp_checksum(fixed, sizeof(fixed));
	/* the made-up checksum was wrong and is replaced */
	CHECK(memcmp(fixed + 26, pkt + 26, 2) != 0);
	/* idempotent: a whole checksum stays */
	memcpy(pkt, fixed, sizeof(pkt));
	nhrp_fix_udp_checksum(fixed, sizeof(fixed));
	CHECK(memcmp(fixed, pkt, sizeof(pkt)) == 0);
	/* a single flipped payload bit makes it wrong again */
	fixed[31] ^= 1;
	memcpy(pkt, fixed, sizeof(pkt));
	nhrp_fix_udp_checksum(fixed, sizeof(fixed));
	CHECK(memcmp(fixed + 26, pkt + 26, 2) != 0);
}

/* ---- bounded state ----------------------------------------------------------------- */

static void test_limits_registration(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	char addr[32];

	hub();
	/* a holding time longer than we keep is cut, and the reply says so */
	regreq(&p, S1_NBMA, S1_TUN, 130, 65535, true);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	REQUIRE(s);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code, NHRP_CODE_SUCCESS);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->holdtime, 7200);
	CHECK_EQ(cache(S1_TUN)->holdtime, 7200);
	CHECK_EQ(nhrp_cache_left(cache(S1_TUN)), 7200);
	/* one NBMA address, a bounded number of addresses */
	conf()->max_per_nbma = 4;
	for (int i = 0; i < 6; i++) {
		snprintf(addr, sizeof(addr), "10.255.0.%d", 100 + i);
		CHECK_EQ(do_register(S2_NBMA, addr, 600, false),
			 i < 4 ? NHRP_CODE_SUCCESS : NHRP_CODE_NO_RESOURCES);
	}
	CHECK_EQ(peer(S2_NBMA)->ndynamic, 4);
	/* a refresh of one it has is fine */
	CHECK_EQ(do_register(S2_NBMA, "10.255.0.100", 600, false), 0);
	/* a full cache: new ones refused, nothing existing dropped */
	conf()->cache_max = nhrp_cache_count(gre);
	CHECK_EQ(do_register("203.0.113.7", "10.255.0.200", 600, false),
		 NHRP_CODE_NO_RESOURCES);
	CHECK(!cache("10.255.0.200"));
	CHECK(cache(S1_TUN) && cache("10.255.0.103"));
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
}

/* spoke1 resolving 10.2.0.5 (phase 3): the request it sent */
static struct fake_sent *spoke1_resolving(void)
{
	spoke1_up();
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	fake_run(0);
	return fake_sent_pop_type(NHRP_PKT_RES_REQ);
}

static void reply_as(struct nhrp_pkt *p, const char *from, uint8_t plen,
		     const char *nbma, const char *via)
{
	p->type = NHRP_PKT_RES_REPLY;
	p->cie.count = 0;
	fake_cie(p, &p->cie, 0, plen, 300, nbma, via);
	fake_recv(gre, from, p);
}

static void test_replies_checked(void)
{
	struct fake_sent *s = spoke1_resolving();
	struct nhrp_pkt req, p;

	REQUIRE(s);
	req = s->pkt;
	/* from neither our server nor the station it names: ignored */
	p = req;
	reply_as(&p, "198.51.100.66", 24, S2_NBMA, S2_TUN);
	CHECK(!cache(S2_TUN));
	CHECK_EQ(fake_routes_installed(), 0);
	/* about another address than we asked for: ignored */
	p = req;
	nhrp_addr_set(&p.dst_proto, (uint8_t[]){10, 2, 0, 99}, 4);
	reply_as(&p, S2_NBMA, 24, S2_NBMA, S2_TUN);
	CHECK(!cache(S2_TUN));
	/* the request still waits for its answer: a /1 is refused */
	p = req;
	reply_as(&p, S2_NBMA, 1, S2_NBMA, S2_TUN);
	CHECK_EQ(fake_routes_installed(), 0);
	CHECK(!fake_route_installed("0.0.0.0/1", NULL));
	REQUIRE(cache("10.2.0.5"));
	CHECK_EQ(cache("10.2.0.5")->type, NHRP_CACHE_NEGATIVE);
}

static void test_reply_responder_outside_network(void)
{
	struct fake_sent *s = spoke1_resolving();

	REQUIRE(s);
	reply_as(&s->pkt, HUB_NBMA, 24, S2_NBMA, "192.168.1.1");
	CHECK_EQ(fake_routes_installed(), 0);
	CHECK(!cache("192.168.1.1"));
}

static void test_reply_prefix_limit_configurable(void)
{
	struct fake_sent *s = spoke1_resolving();

	REQUIRE(s);
	conf()->shortcut_min_prefix = 20;
	reply_as(&s->pkt, S2_NBMA, 16, S2_NBMA, S2_TUN);
	CHECK_EQ(fake_routes_installed(), 0);
	/* once the negative entry is gone, a looser limit takes a /16 */
	fake_run(70);
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	conf()->shortcut_min_prefix = 16;
	reply_as(&s->pkt, S2_NBMA, 16, S2_NBMA, S2_TUN);
	CHECK(fake_route_installed("10.2.0.0/16", S2_TUN));
}

/* ---- interface configuration ---------------------------------------------------- */

static void test_map_local(void)
{
	struct nhrp_map_conf *m;
	struct fake_sent *s;
	struct nhrp_pkt p;

	hub();
	m = nhrp_conf_alloc(sizeof(*m));
	m->proto = ip4("10.255.0.2");
	m->local = true;
	nhrp_map_list_add_tail(&conf()->maps, m);
	nhrp_if_update(gre);
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, false), 0);
	/* ours: nobody registers it, and it resolves to our NBMA address */
	REQUIRE(cache("10.255.0.2"));
	CHECK_EQ(cache("10.255.0.2")->type, NHRP_CACHE_LOCAL);
	CHECK_EQ(do_register(S1_NBMA, "10.255.0.2", 600, false),
		 NHRP_CODE_ALREADY_REGISTERED);
	resreq(&p, S1_NBMA, S1_TUN, "10.255.0.2", 90);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop();
	REQUIRE(s && s->pkt.type == NHRP_PKT_RES_REPLY);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.cie, 0)->nbma, HUB_NBMA));
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.cie, 0)->proto, "10.255.0.2"));
	/* unconfigured: gone */
	nhrp_map_list_del(&conf()->maps, m);
	nhrp_if_update(gre);
	CHECK(!cache("10.255.0.2"));
	CHECK(cache(HUB_TUN));
}

static void test_tunnel_source(void)
{
	struct interface *eth;
	struct ipaddr local, want = ip4("198.51.100.7");
	ifindex_t link = 0;
	struct prefix pfx;

	gre = fake_gre("gre1", GRE, "0.0.0.0", S1_TUN "/24");
	eth = fake_if("eth0", 12, "198.51.100.7/24", NULL);
	strlcpy(nhrp_if(gre)->tunnel_source, "eth0",
		sizeof(nhrp_if(gre)->tunnel_source));
	nhrp_if_update(gre);
	/* bound to eth0, sending from its address */
	CHECK_EQ(fake_gre_source(GRE, &link, &local), 1);
	CHECK_EQ(link, 12);
	CHECK(ipaddr_cmp(&local, &want) == 0);
	CHECK(ipaddr_cmp(&nhrp_if(gre)->nbma, &want) == 0);
	/* nothing to change: nothing done */
	nhrp_if_update(gre);
	CHECK_EQ(fake_gre_source(GRE, &link, &local), 1);
	/* a new address on eth0: the tunnel follows */
	str2prefix("198.51.100.7/24", &pfx);
	connected_delete_by_prefix(eth, &pfx);
	str2prefix("198.51.100.8/24", &pfx);
	connected_add_by_prefix(eth, &pfx, NULL);
	nhrp_sys_if_change_in(NULL);
	want = ip4("198.51.100.8");
	CHECK_EQ(fake_gre_source(GRE, &link, &local), 2);
	CHECK(ipaddr_cmp(&local, &want) == 0);
	CHECK(ipaddr_cmp(&nhrp_if(gre)->nbma, &want) == 0);
}

/* ---- our own netfilter rules --------------------------------------------------------- */

#define REDIRECT NHRP_CAPTURE_REDIRECT
#define MCAST NHRP_CAPTURE_MULTICAST

static void add_mcast(const char *nbma)
{
	struct nhrp_mcast_conf *mc = nhrp_conf_alloc(sizeof(*mc));

	if (nbma)
		mc->addr = ip4(nbma);
	else
		mc->dynamic = true;
	nhrp_mcast_list_add_tail(&conf()->mcast, mc);
	nhrp_if_update(gre);
}

static void test_capture_redirect(void)
{
	uint8_t ip[48] = {0x45, 0, 0, 48, 0, 0, 0, 0, 63, 1,
			  0, 0, 10, 1, 0, 5, 10, 2, 0, 5};
	struct fake_sent *s;
	nhrp_nflog_cb cb;
	void *arg;

	hub();
	/* nothing asked for without `ip nhrp redirect` */
	CHECK_EQ(fake_captures(REDIRECT), 0);
	CHECK_EQ(fake_captures(MCAST), 0);
	conf()->redirect = true;
	nhrp_if_update(gre);
	CHECK(fake_capture(REDIRECT, "gre1"));
	CHECK_EQ(fake_captures(REDIRECT), 1); /* not lan0 */
	CHECK_EQ(fake_captures(MCAST), 0);
	/* what the rule captures makes a Traffic Indication */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	CHECK_EQ(do_register(S2_NBMA, S2_TUN, 600, true), 0);
	cb = fake_capture_cb(REDIRECT, &arg);
	REQUIRE(cb);
	cb(GRE, GRE, ip, sizeof(ip), arg);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_TRAFFIC);
	CHECK(fake_sent_to(s, S1_NBMA));
	/* `no ip nhrp redirect` */
	conf()->redirect = false;
	nhrp_if_update(gre);
	CHECK_EQ(fake_captures(REDIRECT), 0);
	conf()->redirect = true;
	nhrp_if_update(gre);
	CHECK(fake_capture(REDIRECT, "gre1"));
	/* the operator's group: he writes the rules, we only listen */
	nhrp_conf.nflog_group = 1;
	nhrp_traffic_config();
	CHECK_EQ(fake_captures(REDIRECT), 0);
	CHECK(fake_nflog(1, NULL));
	nhrp_if_update(gre);
	CHECK_EQ(fake_captures(REDIRECT), 0);
	/* and back to ours */
	nhrp_conf.nflog_group = 0;
	nhrp_traffic_config();
	CHECK(fake_capture(REDIRECT, "gre1"));
	CHECK(!fake_nflog(1, NULL));
	/* NHRP off on the interface */
	conf()->network_id = 0;
	nhrp_if_update(gre);
	CHECK_EQ(fake_captures(REDIRECT), 0);
	conf()->network_id = 1;
	nhrp_if_update(gre);
	CHECK(fake_capture(REDIRECT, "gre1"));
	/* the interface goes, and comes back */
	nhrp_sys_if_gone_in(gre);
	CHECK_EQ(fake_captures(REDIRECT), 0);
	if_set_index(gre, IFINDEX_INTERNAL);
	nhrp_sys_if_change_in(gre);
	CHECK_EQ(fake_captures(REDIRECT), 0);
	if_set_index(gre, GRE);
	nhrp_sys_if_change_in(gre);
	CHECK(fake_capture(REDIRECT, "gre1"));
	/* a second tunnel with redirect: both */
	{
		struct interface *gre2 =
			fake_gre("gre2", 12, "192.0.2.2", "10.254.0.1/24");

		nhrp_if(gre2)->afi[NHRP_AFI_IP].redirect = true;
		nhrp_if_update(gre2);
		CHECK(fake_capture(REDIRECT, "gre2"));
		CHECK_EQ(fake_captures(REDIRECT), 2);
		/* shut-down lets go of everything */
		nhrp_protocol_fini(false);
		CHECK_EQ(fake_captures(REDIRECT), 0);
	}
}

static void test_capture_multicast(void)
{
	uint8_t rip[] = {
		0x45, 0, 0, 32, 0, 0, 0x40, 0, 1, 17, 0, 0, 10, 255, 0, 1,
		224, 0, 0, 9, 2, 8, 2, 8, 0, 12, 0, 0, 1, 2, 3, 4,
	};
	nhrp_nflog_cb cb;
	void *arg;

	hub();
	conf()->redirect = false;
	nhrp_if_update(gre);
	CHECK_EQ(fake_captures(MCAST), 0);
	/* `ip nhrp map multicast dynamic` */
	add_mcast(NULL);
	CHECK(fake_capture(MCAST, "gre1"));
	CHECK_EQ(fake_captures(MCAST), 1);
	CHECK_EQ(fake_captures(REDIRECT), 0);
	/* what the rule captures is replicated to the registered peers */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, false), 0);
	cb = fake_capture_cb(MCAST, &arg);
	REQUIRE(cb);
	cb(0, GRE, rip, sizeof(rip), arg);
	CHECK_EQ(fake_sent_count(), 1);
	CHECK(fake_sent_count() && fake_sent_to(fake_sent_pop(), S1_NBMA));
	/* `no ip nhrp map multicast dynamic` */
	nhrp_if_conf_clear(nhrp_if(gre));
	nhrp_if_update(gre);
	CHECK_EQ(fake_captures(MCAST), 0);
	/* a static one (a spoke's map multicast to its hub) */
	add_mcast(HUB_NBMA);
	CHECK(fake_capture(MCAST, "gre1"));
	/* the operator's group */
	nhrp_conf.mcast_nflog_group = 2;
	nhrp_multicast_config();
	CHECK_EQ(fake_captures(MCAST), 0);
	CHECK(fake_nflog(2, NULL));
	nhrp_conf.mcast_nflog_group = 0;
	nhrp_multicast_config();
	CHECK(fake_capture(MCAST, "gre1"));
	CHECK(!fake_nflog(2, NULL));
	/* the interface goes */
	nhrp_sys_if_gone_in(gre);
	CHECK_EQ(fake_captures(MCAST), 0);
}

/* ---- peers ----------------------------------------------------------------------------- */

static void test_peer_lifetime(void)
{
	struct nhrp_peer *p;

	hub();
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, false), 0);
	CHECK_EQ(do_register(S1_NBMA, "10.255.0.21", 600, false), 0);
	p = peer(S1_NBMA);
	REQUIRE(p);
	CHECK_EQ(p->ndynamic, 2);
	CHECK_EQ(nhrp_peer_cache_list_count(&p->caches), 2);
	CHECK_EQ(p->stats.registrations, 2);
	/* one user less */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 0, false), 0);
	CHECK(peer(S1_NBMA) == p);
	CHECK_EQ(p->ndynamic, 1);
	/* the last one: the peer goes */
	nhrp_cache_flush(gre, NHRP_CACHE_DYNAMIC);
	CHECK(!peer(S1_NBMA));
	CHECK_EQ(nhrp_peer_hash_count(&nhrp_if(gre)->peers), 0);
}

static void test_interface_gone(void)
{
	spoke1_up();
	CHECK(cache(HUB_TUN));
	nhrp_sys_if_gone_in(gre);
	CHECK_EQ(nhrp_cache_count(gre), 0);
	CHECK_EQ(nhrp_peer_hash_count(&nhrp_if(gre)->peers), 0);
	CHECK(!nhrp_nhs_of(gre));
	CHECK_EQ(nhrp_reqid_count(), 0);
	CHECK_EQ(fake_neigh_count(), 0);
}

/* ---- restart: what the nhrpd before us left in the kernel ------------------------- */

/* gre1 with NHRP off, the kernel's neighbour table holding what a previous
 * nhrpd left (as its neighbour entries marked protocol nhrp), then NHRP on */
static void left_behind(const char *const *pairs)
{
	conf()->network_id = 0;
	nhrp_if_update(gre);
	CHECK_EQ(nhrp_cache_count(gre), 0);
	for (; *pairs; pairs += 2) {
		struct ipaddr proto = ip4(pairs[0]), nbma = ip4(pairs[1]);

		nhrp_sys->neigh(gre, &proto, &nbma);
	}
	conf()->network_id = 1;
	nhrp_if_update(gre);
}

static void test_restart_hub_adopts(void)
{
	static const char *const kernel[] = {S1_TUN,	S1_NBMA, S2_TUN,
					     S2_NBMA,	"10.9.9.9", S2_NBMA,
					     NULL};
	struct nhrp_cache *c;

	hub();
	left_behind(kernel);
	/* registrations again, for the holding time of the interface */
	c = cache(S1_TUN);
	REQUIRE(c);
	CHECK_EQ(c->type, NHRP_CACHE_DYNAMIC);
	CHECK(c->peer == peer(S1_NBMA));
	CHECK_EQ(nhrp_cache_left(c), 600);
	CHECK(!c->unique);
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_DYNAMIC);
	/* peers for multicast (`map multicast dynamic`) and show dmvpn */
	CHECK_EQ(peer(S1_NBMA)->ndynamic, 1);
	CHECK_EQ(peer(S2_NBMA)->ndynamic, 1);
	/* still in the kernel; outside the tunnel's network: gone */
	CHECK(fake_neigh(GRE, S1_TUN));
	CHECK(!cache("10.9.9.9"));
	CHECK(!fake_neigh(GRE, "10.9.9.9"));
	/* the kernel asks: answered from the adopted entry */
	nhrp_sys_neigh_probe_in(gre, &c->proto);
	CHECK(c->used);
	CHECK_EQ(fake_sent_count(), 0);
	/* a spoke that moved while we were away registers from its new
	 * address, unique: an adopted entry does not hold the address */
	CHECK_EQ(do_register(S2_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK(cache(S1_TUN)->peer == peer(S2_NBMA));
	CHECK(cache(S1_TUN)->unique);
	/* the moved station refreshes; nobody registers spoke2's address
	 * again: it goes with the holding time it was adopted for */
	fake_run(300);
	CHECK_EQ(do_register(S2_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	fake_run(299);
	CHECK(cache(S2_TUN));
	fake_run(2);
	CHECK(!cache(S2_TUN));
	CHECK(!fake_neigh(GRE, S2_TUN));
	REQUIRE(cache(S1_TUN));
	CHECK(fake_neigh(GRE, S1_TUN));
	CHECK(!peer(S1_NBMA));
	CHECK_EQ(peer(S2_NBMA)->ndynamic, 1);
}

static void test_restart_spoke_adopts(void)
{
	static const char *const kernel[] = {HUB_TUN, HUB_NBMA, S2_TUN,
					     S2_NBMA, NULL};

	spoke1();
	left_behind(kernel);
	/* the NHS is what the configuration says it is */
	REQUIRE(cache(HUB_TUN));
	CHECK_EQ(cache(HUB_TUN)->type, NHRP_CACHE_NHS);
	/* a shortcut's binding: learnt, not a registration with us */
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_CACHED);
	CHECK(ipaddr_cmp(nhrp_cache_nbma(cache(S2_TUN)), &peer(S2_NBMA)->nbma) == 0);
	CHECK(fake_neigh(GRE, S2_TUN));
}

/* the static map wins over what the kernel had */
static void test_restart_config_wins(void)
{
	static const char *const kernel[] = {S1_TUN, S2_NBMA, NULL};
	struct nhrp_map_conf *m = nhrp_conf_alloc(sizeof(*m));

	hub();
	m->proto = ip4(S1_TUN);
	m->nbma = ip4(S1_NBMA);
	nhrp_map_list_add_tail(&conf()->maps, m);
	left_behind(kernel);
	REQUIRE(cache(S1_TUN));
	CHECK_EQ(cache(S1_TUN)->type, NHRP_CACHE_STATIC);
	CHECK(ipaddr_cmp(nhrp_cache_nbma(cache(S1_TUN)), &peer(S1_NBMA)->nbma) == 0);
	CHECK(ipaddr_cmp(fake_neigh(GRE, S1_TUN), &peer(S1_NBMA)->nbma) == 0);
}

/* found by tests/fuzz/fuzz_receive.c: a Resolution Reply whose NBMA
 * addresses are IPv6 (afn 2), for a requester elsewhere, was passed on
 * with our IPv4 Reverse Transit record in it: a packet nobody (our own
 * codec included) could decode.  Packets of another NBMA family than ours
 * are dropped; the IPv4 one is still passed on. */
static void test_fuzz_other_nbma_family_dropped(void)
{
	static const char hex[] =
		"000208000000000000ff0060d39c005401021000040400000000000020010db8"
		"0000000000000000000000010a0000010a000002002000000000000010000400"
		"20010db80000000000000000000000020a000002800500008009000080000000";
	uint8_t buf[sizeof(hex) / 2];
	struct nhrp_pkt p;
	struct fake_sent *s;
	uint16_t c;

	hub();
	for (size_t i = 0; i < sizeof(buf); i++)
		sscanf(hex + 2 * i, "%2hhx", &buf[i]);
	buf[12] = buf[13] = 0;
	c = nhrp_checksum(buf, sizeof(buf));
	buf[12] = c >> 8;
	buf[13] = c;
	REQUIRE(nhrp_decode(buf, sizeof(buf), &p) == 0 &&
		p.afn == NHRP_AFN_IPV6);
	fake_recv_raw(gre, "198.51.100.2", buf, sizeof(buf));
	fake_run(0);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK_EQ(nhrp_if(gre)->stats.rx_dropped, 1);
	/* a Resolution Request of that family is not answered either */
	resreq(&p, S1_NBMA, S1_TUN, HUB_TUN, 77);
	p.afn = NHRP_AFN_IPV6;
	nhrp_addr_set(&p.src_nbma, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01",
		      16);
	fake_recv(gre, S1_NBMA, &p);
	fake_run(0);
	CHECK_EQ(fake_sent_count(), 0);
	/* the same reply with IPv4 NBMA addresses, for a requester
	 * registered with us, goes on, and decodes */
	CHECK_EQ(do_register(S1_NBMA, S1_TUN, 600, true), 0);
	fake_sent_clear();
	fake_pkt(&p, NHRP_PKT_RES_REPLY, S1_NBMA, S1_TUN, "10.0.0.2", 5);
	p.flags = NHRP_FLAG_RES_A;
	fake_cie(&p, &p.cie, 0, 32, 60, S2_NBMA, "10.0.0.2");
	fake_exts(&p, NULL);
	fake_recv(gre, S2_NBMA, &p);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REPLY);
	REQUIRE(s);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK(nhrp_ext_find(&s->pkt, NHRP_EXT_REV_TRANSIT) >= 0);
}

/* ---- IPv6 over IPv4 NBMA, as IOS does it ------------------------------------------
 *
 *   hub     gre1 2001:db8:ffff::1/64  fe80::1   NBMA 192.0.2.1     lan0 2001:db8:10::1/64
 *   spoke1  gre1 2001:db8:ffff::11/64 fe80::11  NBMA 198.51.100.1  lan0 2001:db8:11::1/64
 *   spoke2  gre1 2001:db8:ffff::12/64 fe80::12  NBMA 203.0.113.1   lan0 2001:db8:12::1/64
 */
#define HUB6 "2001:db8:ffff::1"
#define HUB_LL "fe80::1"
#define S1_6 "2001:db8:ffff::11"
#define S1_LL "fe80::11"
#define S2_6 "2001:db8:ffff::12"
#define S2_LL "fe80::12"
/* an IOS spoke's link-local (EUI-64), as its registrations carry it */
#define IOS_LL "fe80::f816:3eff:fe91:8a8a"

static struct nhrp_afi_conf *conf6(void)
{
	return &nhrp_if(gre)->afi[NHRP_AFI_IP6];
}

/* gre1 with IPv6 only (ll NULL: no link-local address yet) */
static void station6(const char *nbma, const char *tun, const char *ll,
		     const char *lan, const char *lan_net)
{
	gre = fake_gre("gre1", GRE, nbma, tun);
	if (ll)
		fake_if_addr(gre, ll);
	fake_if("lan0", LAN, lan, NULL);
	fake_route_add("2001:db8:ffff::/64", NULL, GRE);
	fake_route_add("fe80::/64", NULL, GRE);
	fake_route_add(lan_net, NULL, LAN);
	conf()->network_id = 0;
	conf6()->network_id = 1;
	conf6()->holdtime = 600;
	nhrp_if_update(gre);
}

static void hub6(void)
{
	station6(HUB_NBMA, HUB6 "/64", HUB_LL "/64", "2001:db8:10::1/64",
		 "2001:db8:10::/64");
	fake_route_add("2001:db8:11::/64", S1_6, GRE);
	fake_route_add("2001:db8:12::/64", S2_6, GRE);
}

/* a Registration Request as an IOS spoke sends it over IPv6 (the shape
 * of a real IOS capture: U and NAT flags, one CIE with the link-local
 * address and the spoke's NBMA address, prefix 128, MTU 17916, holding
 * time 7200, preference 255; Responder, transit records, Cisco NAT
 * extension with the hub's addresses) */
static void regreq6(struct nhrp_pkt *p, const char *nbma, const char *proto,
		    const char *ll, uint32_t reqid, uint16_t holdtime,
		    bool unique)
{
	struct nhrp_cie *cie;
	struct nhrp_ext *e;

	fake_pkt(p, NHRP_PKT_REG_REQ, nbma, proto, HUB6, reqid);
	p->flags = NHRP_FLAG_NAT | (unique ? NHRP_FLAG_REG_UNIQUE : 0);
	cie = fake_cie(p, &p->cie, 0, 128, holdtime, nbma, ll);
	cie->mtu = 17916;
	cie->pref = 255;
	nhrp_ext_add(p, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(p, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(p, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
	e = nhrp_ext_add(p, NHRP_EXT_NAT_ADDRESS);
	cie = fake_cie(p, &e->cie, 0, 128, 0, HUB_NBMA, HUB6);
	cie->mtu = 17916;
	cie->pref = 255;
	nhrp_ext_add(p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
}

/* the reply's code for the link-local CIE (-1: no reply) */
static int do_register6(const char *nbma, const char *proto, const char *ll,
			uint16_t holdtime, bool unique)
{
	static uint32_t id = 300;
	struct nhrp_pkt p;
	struct fake_sent *s;

	regreq6(&p, nbma, proto, ll, ++id, holdtime, unique);
	fake_recv(gre, nbma, &p);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	if (!s || s->pkt.reqid != id || !s->pkt.cie.count)
		return -1;
	return NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code;
}

static bool bound_to(const char *proto, const char *nbma)
{
	struct nhrp_cache *c = cache(proto);
	struct ipaddr a = ip4(nbma);
	const struct ipaddr *k = fake_neigh(GRE, proto);

	return c && c->type == NHRP_CACHE_DYNAMIC && c->peer &&
	       ipaddr_cmp(&c->peer->nbma, &a) == 0 && k &&
	       ipaddr_cmp(k, &a) == 0;
}

static void test_ipv6_ios_registration(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;
	struct nhrp_cie *cie;
	int i;

	hub6();
	/* what an IOS spoke sends: its address as the source, its
	 * link-local address in the CIE */
	regreq6(&p, S1_NBMA, S1_6, IOS_LL, 5, 7200, true);
	fake_recv(gre, S1_NBMA, &p);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	REQUIRE(s);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK_EQ(s->pkt.pro_type, NHRP_PRO_IPV6);
	CHECK_EQ(s->pkt.reqid, 5);
	CHECK(is_addr(&s->pkt.src_proto, S1_6));
	CHECK(is_addr(&s->pkt.dst_proto, HUB6));
	/* as an IOS hub answers: the spoke's CIE, then ours with our
	 * link-local address */
	REQUIRE(s->pkt.cie.count == 2);
	cie = NHRP_CIE(&s->pkt, s->pkt.cie, 0);
	CHECK_EQ(cie->code, NHRP_CODE_SUCCESS);
	CHECK(is_addr(&cie->proto, IOS_LL));
	CHECK(is_addr(&cie->nbma, S1_NBMA));
	cie = NHRP_CIE(&s->pkt, s->pkt.cie, 1);
	CHECK_EQ(cie->code, NHRP_CODE_SUCCESS);
	CHECK(is_addr(&cie->proto, HUB_LL));
	CHECK(is_addr(&cie->nbma, HUB_NBMA));
	CHECK_EQ(cie->prefix_len, 128);
	CHECK_EQ(cie->holdtime, 600);
	CHECK_EQ(cie->mtu, 1476);
	CHECK_EQ(cie->pref, 255);
	i = nhrp_ext_find(&s->pkt, NHRP_EXT_RESPONDER);
	REQUIRE(i >= 0 && s->pkt.ext[i].cie.count == 1);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.ext[i].cie, 0)->proto, HUB6));
	/* both bound to the spoke's NBMA address, in the kernel too */
	CHECK(bound_to(S1_6, S1_NBMA));
	CHECK(bound_to(IOS_LL, S1_NBMA));
	CHECK(cache(S1_6)->peer == cache(IOS_LL)->peer);
	CHECK_EQ(peer(S1_NBMA)->ndynamic, 2);
	CHECK_EQ(cache(IOS_LL)->holdtime, 7200);
	CHECK_EQ(fake_neigh_count(), 2);
	/* the refresh: the same */
	CHECK_EQ(do_register6(S1_NBMA, S1_6, IOS_LL, 7200, true), 0);
	CHECK_EQ(peer(S1_NBMA)->ndynamic, 2);
	/* a resolution for the link-local goes to its owner */
	{
		struct nhrp_pkt r;

		CHECK_EQ(do_register6(S2_NBMA, S2_6, S2_LL, 600, true), 0);
		fake_pkt(&r, NHRP_PKT_RES_REQ, S2_NBMA, S2_6, IOS_LL, 77);
		r.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A;
		fake_cie(&r, &r.cie, 0, 128, 600, NULL, NULL);
		fake_exts(&r, NULL);
		fake_recv(gre, S2_NBMA, &r);
		s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
		REQUIRE(s);
		CHECK(fake_sent_to(s, S1_NBMA));
		CHECK_EQ(nhrp_ext_transit_count(&s->pkt, NHRP_EXT_FWD_TRANSIT),
			 1);
	}
	/* both expire together */
	fake_run(7201);
	CHECK(!cache(S1_6));
	CHECK(!cache(IOS_LL));
	CHECK(!peer(S1_NBMA));
}

static void test_ipv6_linklocal_refused(void)
{
	struct nhrp_pkt p;
	struct fake_sent *s;

	hub6();
	CHECK_EQ(do_register6(S1_NBMA, S1_6, S1_LL, 600, true), 0);
	/* another station's link-local address: refused, unique or not,
	 * and the asker's own address is not bound either */
	CHECK_EQ(do_register6(S2_NBMA, S2_6, S1_LL, 600, true),
		 NHRP_CODE_ALREADY_REGISTERED);
	CHECK_EQ(do_register6(S2_NBMA, S2_6, S1_LL, 600, false),
		 NHRP_CODE_ALREADY_REGISTERED);
	CHECK(!cache(S2_6));
	CHECK(bound_to(S1_LL, S1_NBMA));
	/* nor withdrawn by it */
	CHECK_EQ(do_register6(S2_NBMA, S2_6, S1_LL, 0, false),
		 NHRP_CODE_ALREADY_REGISTERED);
	CHECK(bound_to(S1_LL, S1_NBMA));
	/* ours */
	CHECK_EQ(do_register6(S2_NBMA, S2_6, HUB_LL, 600, false),
		 NHRP_CODE_ALREADY_REGISTERED);
	CHECK_EQ(cache(HUB_LL)->type, NHRP_CACHE_LOCAL);
	/* a CIE that names another NBMA address than the registrant's */
	regreq6(&p, S2_NBMA, S2_6, S2_LL, 400, 600, true);
	nhrp_addr_set(&NHRP_CIE(&p, p.cie, 0)->nbma,
		      (uint8_t[]){198, 51, 100, 99}, 4);
	fake_recv(gre, S2_NBMA, &p);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	REQUIRE(s);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code,
		 NHRP_CODE_ADMIN_PROHIBITED);
	CHECK_EQ(s->pkt.cie.count, 1); /* nothing of ours for a refusal */
	CHECK(!cache(S2_LL) && !cache(S2_6));
	/* a link-local address beside one outside the tunnel's network */
	CHECK_EQ(do_register6(S2_NBMA, "2001:db8:99::2", S2_LL, 600, true),
		 NHRP_CODE_ADMIN_PROHIBITED);
	CHECK(!cache(S2_LL));
	/* a link-local address alone as a CIE of IPv4 registrations is
	 * outside the network: the old rule */
	CHECK(!peer(S2_NBMA));
	CHECK_EQ(fake_neigh_count(), 2);
}

static void test_ipv6_linklocal_moves_with_its_station(void)
{
	struct ipaddr moved = ip4("198.51.100.7");

	hub6();
	/* without the unique flag the station may come back from another
	 * NBMA address: its link-local address moves with it */
	CHECK_EQ(do_register6(S1_NBMA, S1_6, S1_LL, 600, false), 0);
	CHECK_EQ(do_register6("198.51.100.7", S1_6, S1_LL, 600, false), 0);
	CHECK(bound_to(S1_6, "198.51.100.7"));
	CHECK(bound_to(S1_LL, "198.51.100.7"));
	CHECK(!peer(S1_NBMA));
	CHECK(ipaddr_cmp(fake_neigh(GRE, S1_LL), &moved) == 0);
	/* but not with another station's address */
	CHECK_EQ(do_register6(S2_NBMA, S2_6, S1_LL, 600, false),
		 NHRP_CODE_ALREADY_REGISTERED);
	/* the owner's purge of its address takes the link-local one */
	{
		struct nhrp_pkt p;

		fake_pkt(&p, NHRP_PKT_PURGE_REQ, "198.51.100.7", S1_6, HUB6,
			 90);
		p.flags = NHRP_FLAG_PURGE_N;
		fake_cie(&p, &p.cie, 0, 128, 0, NULL, S1_6);
		nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
		fake_recv(gre, "198.51.100.7", &p);
	}
	CHECK(!cache(S1_6));
	CHECK(!cache(S1_LL));
	CHECK(!fake_neigh(GRE, S1_LL));
	CHECK(!peer("198.51.100.7"));
}

static void add_nhs6(const char *proto, const char *nbma)
{
	struct nhrp_nhs_conf *n = nhrp_conf_alloc(sizeof(*n));

	n->proto = ip4(proto);
	strlcpy(n->nbma, nbma, sizeof(n->nbma));
	nhrp_nhs_list_add_tail(&conf6()->nhs, n);
}

/* the hub answers our pending IPv6 Registration Request as IOS does:
 * our CIE, then its own with its link-local address */
static void answer_registration6(void)
{
	struct fake_sent *s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	struct nhrp_pkt *p;
	int i;

	REQUIRE(s);
	p = &s->pkt;
	p->type = NHRP_PKT_REG_REPLY;
	fake_cie(p, &p->cie, 0, 128, 600, HUB_NBMA, HUB_LL);
	i = nhrp_ext_find(p, NHRP_EXT_RESPONDER);
	if (i >= 0)
		fake_cie(p, &p->ext[i].cie, 0, 128, 600, HUB_NBMA, HUB6);
	fake_recv(gre, HUB_NBMA, p);
}

/* spoke (1 or 2) registered with the hub over IPv6 */
static void spoke6_up(int n)
{
	if (n == 1) {
		station6(S1_NBMA, S1_6 "/64", S1_LL "/64", "2001:db8:11::1/64",
			 "2001:db8:11::/64");
	} else {
		station6(S2_NBMA, S2_6 "/64", S2_LL "/64", "2001:db8:12::1/64",
			 "2001:db8:12::/64");
	}
	fake_route_add("2001:db8::/32", HUB6, GRE);
	add_nhs6(HUB6, HUB_NBMA);
	nhrp_if_update(gre);
	fake_run(0);
	answer_registration6();
	fake_sent_clear();
}

static void test_ipv6_nhc_registers_linklocal(void)
{
	struct fake_sent *s;
	struct nhrp_cie *cie;
	struct ipaddr hub = ip4(HUB_NBMA);

	/* no link-local address yet: our address alone */
	station6(S1_NBMA, S1_6 "/64", NULL, "2001:db8:11::1/64",
		 "2001:db8:11::/64");
	add_nhs6(HUB6, HUB_NBMA);
	nhrp_if_update(gre);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	CHECK_EQ(s->pkt.pro_type, NHRP_PRO_IPV6);
	REQUIRE(s->pkt.cie.count == 1);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.cie, 0)->proto, S1_6));
	/* it comes: registered at once, as IOS registers it (our address
	 * as the source, the link-local one in the CIE) */
	fake_sent_clear();
	fake_if_addr(gre, S1_LL "/64");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s);
	CHECK(fake_sent_to(s, HUB_NBMA));
	CHECK(is_addr(&s->pkt.src_proto, S1_6));
	CHECK(is_addr(&s->pkt.dst_proto, HUB6));
	REQUIRE(s->pkt.cie.count == 1);
	cie = NHRP_CIE(&s->pkt, s->pkt.cie, 0);
	CHECK(is_addr(&cie->proto, S1_LL));
	CHECK(is_addr(&cie->nbma, S1_NBMA));
	CHECK_EQ(cie->holdtime, 600);
	/* the reply's second CIE: the hub's link-local address, bound to
	 * the hub, in the kernel (the next hop of its RIPng routes) */
	fake_sent_clear();
	fake_run(1.5);
	answer_registration6();
	REQUIRE(first_nhs());
	CHECK_EQ(first_nhs()->status, NHS_UP);
	REQUIRE(cache(HUB6) && cache(HUB_LL));
	CHECK_EQ(cache(HUB6)->type, NHRP_CACHE_NHS);
	CHECK_EQ(cache(HUB_LL)->type, NHRP_CACHE_NHS);
	CHECK(cache(HUB_LL)->peer == cache(HUB6)->peer);
	CHECK(fake_neigh(GRE, HUB_LL) &&
	      ipaddr_cmp(fake_neigh(GRE, HUB_LL), &hub) == 0);
	/* our own link-local address is ours */
	CHECK_EQ(cache(S1_LL)->type, NHRP_CACHE_LOCAL);
	/* the server goes from the configuration: both go */
	nhrp_if_conf_clear(nhrp_if(gre));
	conf6()->network_id = 1;
	nhrp_if_update(gre);
	CHECK(!cache(HUB6));
	CHECK(!cache(HUB_LL));
	CHECK(!fake_neigh(GRE, HUB_LL));
}

/* our spoke (gre1) and our hub (gre2) in one process, the packets
 * carried between them by hand: the hub binds what the spoke registers,
 * the spoke binds the hub's link-local address */
static void test_ipv6_our_spoke_at_our_hub(void)
{
	struct interface *hubif;
	struct fake_sent *s;
	struct ipaddr a;
	struct nhrp_cache *c;

	station6(S1_NBMA, S1_6 "/64", S1_LL "/64", "2001:db8:11::1/64",
		 "2001:db8:11::/64");
	add_nhs6(HUB6, HUB_NBMA);
	nhrp_if_update(gre);
	hubif = fake_gre("gre2", 20, HUB_NBMA, HUB6 "/64");
	fake_if_addr(hubif, HUB_LL "/64");
	nhrp_if(hubif)->afi[NHRP_AFI_IP].network_id = 0;
	nhrp_if(hubif)->afi[NHRP_AFI_IP6].network_id = 1;
	nhrp_if_update(hubif);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_REG_REQ);
	REQUIRE(s && s->ifindex == GRE);
	fake_recv_raw(hubif, S1_NBMA, s->buf, s->len);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	REQUIRE(s && s->ifindex == 20);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK_EQ(s->pkt.cie.count, 2);
	a = ip4(S1_6);
	c = nhrp_cache_find(hubif, &a);
	CHECK(c && c->type == NHRP_CACHE_DYNAMIC);
	a = ip4(S1_LL);
	c = nhrp_cache_find(hubif, &a);
	CHECK(c && c->type == NHRP_CACHE_DYNAMIC);
	CHECK(fake_neigh(20, S1_LL));
	fake_recv_raw(gre, HUB_NBMA, s->buf, s->len);
	REQUIRE(first_nhs());
	CHECK_EQ(first_nhs()->status, NHS_UP);
	REQUIRE(cache(HUB_LL));
	CHECK_EQ(cache(HUB_LL)->type, NHRP_CACHE_NHS);
	CHECK(fake_neigh(GRE, HUB_LL));
}

static void test_ipv6_resolution_linklocal(void)
{
	struct ipaddr s2ll = ip4(S2_LL);
	struct fake_sent *s;
	struct nhrp_pkt req, p;

	/* spoke1: RIPng's next hop is spoke2's link-local address; the
	 * kernel asks for it (phase 2 over IPv6) */
	spoke6_up(1);
	nhrp_sys_neigh_probe_in(gre, &s2ll);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	CHECK(fake_sent_to(s, HUB_NBMA));
	CHECK_EQ(s->pkt.pro_type, NHRP_PRO_IPV6);
	CHECK(is_addr(&s->pkt.dst_proto, S2_LL));
	CHECK(is_addr(&s->pkt.src_proto, S1_6));
	req = s->pkt;
	/* a link-local responder for another address: refused */
	p = req;
	reply_as(&p, S2_NBMA, 128, S2_NBMA, "fe80::99");
	CHECK(!cache("fe80::99"));
	CHECK_EQ(cache(S2_LL)->type, NHRP_CACHE_NEGATIVE);
	nhrp_cache_del(cache(S2_LL));
	/* for itself: bound, in the kernel, no route */
	nhrp_sys_neigh_probe_in(gre, &s2ll);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	p = s->pkt;
	reply_as(&p, S2_NBMA, 128, S2_NBMA, S2_LL);
	REQUIRE(cache(S2_LL));
	CHECK_EQ(cache(S2_LL)->type, NHRP_CACHE_CACHED);
	CHECK(fake_neigh(GRE, S2_LL));
	CHECK_EQ(fake_routes_installed(), 0);
}

static void test_ipv6_resolution_answered_for_linklocal(void)
{
	struct fake_sent *s;
	struct nhrp_pkt p;

	/* spoke2: the hub passes on a resolution for our link-local
	 * address; we answer it, straight to the requester */
	spoke6_up(2);
	fake_pkt(&p, NHRP_PKT_RES_REQ, S1_NBMA, S1_6, S2_LL, 88);
	p.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A;
	p.hopcnt = 254;
	fake_cie(&p, &p.cie, 0, 128, 600, NULL, NULL);
	fake_exts(&p, NULL);
	fake_cie(&p, &p.ext[nhrp_ext_find(&p, NHRP_EXT_FWD_TRANSIT)].cie, 0,
		 128, 600, HUB_NBMA, HUB6);
	fake_recv(gre, HUB_NBMA, &p);
	s = fake_sent_pop_type(NHRP_PKT_RES_REPLY);
	REQUIRE(s);
	CHECK(fake_sent_to(s, S1_NBMA));
	REQUIRE(s->pkt.cie.count == 1);
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code, NHRP_CODE_SUCCESS);
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.cie, 0)->proto, S2_LL));
	CHECK(is_addr(&NHRP_CIE(&s->pkt, s->pkt.cie, 0)->nbma, S2_NBMA));
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->prefix_len, 128);
	/* and learnt the requester on the way */
	REQUIRE(cache(S1_6));
	CHECK_EQ(cache(S1_6)->type, NHRP_CACHE_CACHED);
}

/* an IPv6 packet from src to dst as a hub quotes it: 40 + 8 bytes */
static void ip6_packet(uint8_t *pkt, size_t len, const char *src,
		       const char *dst)
{
	struct ipaddr s = ip4(src), d = ip4(dst);

	memset(pkt, 0, len);
	pkt[0] = 0x60;
	pkt[5] = len - 40;
	pkt[6] = 58; /* ICMPv6 */
	pkt[7] = 63;
	memcpy(pkt + 8, &s.ipaddr_v6, 16);
	memcpy(pkt + 24, &d.ipaddr_v6, 16);
}

/* the hub's Traffic Indication for traffic from our LAN to dst */
static void traffic_indication6(const char *dst)
{
	uint8_t ip[48];
	struct nhrp_pkt p;

	ip6_packet(ip, sizeof(ip), "2001:db8:11::5", dst);
	fake_pkt(&p, NHRP_PKT_TRAFFIC, HUB_NBMA, HUB6, "2001:db8:11::5", 0);
	p.body = ip;
	p.body_len = sizeof(ip);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	fake_recv(gre, HUB_NBMA, &p);
}

/* spoke1 resolving 2001:db8:12::5 on the hub's Traffic Indication (phase
 * 3 over IPv6): the request it sent */
static struct fake_sent *spoke1_resolving6(void)
{
	spoke6_up(1);
	conf6()->shortcut = true;
	traffic_indication6("2001:db8:12::5");
	fake_run(0);
	return fake_sent_pop_type(NHRP_PKT_RES_REQ);
}

static void test_ipv6_shortcut_phase3(void)
{
	struct fake_sent *s = spoke1_resolving6();
	struct nhrp_pkt p;

	REQUIRE(s);
	CHECK(fake_sent_to(s, HUB_NBMA));
	CHECK_EQ(s->pkt.pro_type, NHRP_PRO_IPV6);
	CHECK(is_addr(&s->pkt.dst_proto, "2001:db8:12::5"));
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->prefix_len, 128);
	/* spoke2 answers as the egress for its /64 */
	p = s->pkt;
	reply_as(&p, S2_NBMA, 64, S2_NBMA, S2_6);
	REQUIRE(cache(S2_6));
	CHECK_EQ(cache(S2_6)->type, NHRP_CACHE_CACHED);
	CHECK(fake_neigh(GRE, S2_6));
	CHECK(fake_route_installed("2001:db8:12::/64", S2_6));
	/* covered now: another indication for it asks nothing */
	fake_sent_clear();
	traffic_indication6("2001:db8:12::9");
	fake_run(1);
	CHECK_EQ(fake_sent_count(), 0);
}

static void test_ipv6_shortcut_too_wide(void)
{
	struct fake_sent *s = spoke1_resolving6();
	struct nhrp_pkt p;

	REQUIRE(s);
	/* a /8 for IPv6 (the widest allowed by default: /16): no route */
	p = s->pkt;
	reply_as(&p, S2_NBMA, 8, S2_NBMA, S2_6);
	CHECK_EQ(fake_routes_installed(), 0);
	REQUIRE(cache("2001:db8:12::5"));
	CHECK_EQ(cache("2001:db8:12::5")->type, NHRP_CACHE_NEGATIVE);
}

static void test_ipv6_redirect(void)
{
	uint8_t ip[64];
	struct fake_sent *s;
	nhrp_nflog_cb cb;
	void *arg;

	hub6();
	cb = redirect_on(conf6(), &arg);
	REQUIRE(cb);
	CHECK_EQ(do_register6(S1_NBMA, S1_6, S1_LL, 600, true), 0);
	CHECK_EQ(do_register6(S2_NBMA, S2_6, S2_LL, 600, true), 0);
	ip6_packet(ip, sizeof(ip), "2001:db8:11::5", "2001:db8:12::5");
	cb(GRE, GRE, ip, sizeof(ip), arg);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_TRAFFIC);
	CHECK_EQ(s->pkt.pro_type, NHRP_PRO_IPV6);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK(is_addr(&s->pkt.src_proto, HUB6));
	CHECK(is_addr(&s->pkt.dst_proto, "2001:db8:11::5"));
	CHECK_EQ(s->pkt.body_len, 48);
	CHECK(memcmp(s->pkt.body, ip, 48) == 0);
	/* the same /64 pair: not again for 15 s */
	ip6_packet(ip, sizeof(ip), "2001:db8:11::6", "2001:db8:12::7");
	nhrp_traffic_redirect(GRE, ip, sizeof(ip));
	CHECK_EQ(fake_sent_count(), 0);
	/* another pair: at once */
	ip6_packet(ip, sizeof(ip), "2001:db8:12::5", "2001:db8:11::5");
	nhrp_traffic_redirect(GRE, ip, sizeof(ip));
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK(fake_sent_to(s, S2_NBMA));
	/* IPv4 redirect is off on this interface: an IPv4 packet is not
	 * redirected */
	{
		uint8_t ip4pkt[48] = {0x45, 0, 0, 48, 0, 0, 0, 0, 63, 1,
				      0, 0, 10, 1, 0, 5, 10, 2, 0, 5};

		nhrp_traffic_redirect(GRE, ip4pkt, sizeof(ip4pkt));
		CHECK_EQ(fake_sent_count(), 0);
	}
}

/* the one's complement sum over the IPv6 pseudo header and the UDP
 * datagram of pkt: 0xffff when its checksum is whole */
static unsigned int udp6_sum(const uint8_t *pkt)
{
	unsigned int ulen = (pkt[44] << 8) | pkt[45];
	uint32_t sum = 0;

	for (unsigned int i = 8; i < 40; i += 2)
		sum += (pkt[i] << 8) | pkt[i + 1];
	sum += ulen + 17;
	for (unsigned int i = 0; i < ulen; i += 2)
		sum += (pkt[40 + i] << 8) |
		       (i + 1 < ulen ? pkt[40 + i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static void test_ipv6_multicast_replication(void)
{
	struct nhrp_mcast_conf *mc;
	/* RIPng from our link-local address to ff02::9, a partial checksum
	 * (as a GRE device with tx offload leaves it) */
	uint8_t ripng[40 + 8 + 24] = {0x60, 0, 0, 0, 0, 32, 17, 255};
	unsigned int to_s1 = 0, to_s2 = 0, to_static = 0, n;
	struct ipaddr src = ip4(HUB_LL), dst = ip4("ff02::9");
	struct fake_sent *s;

	memcpy(ripng + 8, &src.ipaddr_v6, 16);
	memcpy(ripng + 24, &dst.ipaddr_v6, 16);
	ripng[40] = 0x02, ripng[41] = 0x09, ripng[42] = 0x02, ripng[43] = 0x09;
	ripng[45] = 32;
	ripng[46] = 0x12, ripng[47] = 0x34;
	ripng[48] = 2, ripng[49] = 1; /* response, version 1 */
	ripng[52] = 0x20, ripng[53] = 0x01, ripng[54] = 0x0d, ripng[55] = 0xb8;
	ripng[70] = 64, ripng[71] = 1;
	hub6();
	mc = nhrp_conf_alloc(sizeof(*mc));
	mc->dynamic = true;
	nhrp_mcast_list_add_tail(&conf6()->mcast, mc);
	mc = nhrp_conf_alloc(sizeof(*mc));
	mc->addr = ip4("192.0.2.77");
	nhrp_mcast_list_add_tail(&conf6()->mcast, mc);
	/* a spoke with its address and its link-local one: one copy */
	CHECK_EQ(do_register6(S1_NBMA, S1_6, S1_LL, 600, true), 0);
	CHECK_EQ(do_register6(S2_NBMA, S2_6, S2_LL, 600, true), 0);
	CHECK(udp6_sum(ripng) != 0xffff);
	n = nhrp_multicast_send(GRE, ripng, sizeof(ripng));
	CHECK_EQ(n, 3);
	while ((s = fake_sent_pop())) {
		CHECK_EQ(s->ethertype, 0x86dd);
		CHECK_EQ(s->len, sizeof(ripng));
		CHECK_EQ(udp6_sum(s->buf), 0xffff);
		count_copy(s, &to_s1, &to_s2, &to_static);
	}
	CHECK_EQ(to_s1, 1);
	CHECK_EQ(to_s2, 1);
	CHECK_EQ(to_static, 1);
	/* IPv4 multicast: `ip nhrp map multicast` is not configured, and
	 * IPv4 NHRP is off here */
	{
		uint8_t rip[32] = {0x45, 0, 0, 32, 0, 0, 0x40, 0, 1, 17, 0, 0,
				   10, 255, 0, 1, 224, 0, 0, 9, 2, 8, 2, 8,
				   0, 12};

		CHECK_EQ(nhrp_multicast_send(GRE, rip, sizeof(rip)), 0);
	}
}

static void test_udp6_checksum_negative_control(void)
{
	uint8_t pkt[40 + 12] = {0x60, 0, 0, 0, 0, 12, 17, 1};
	uint8_t fixed[sizeof(pkt)];
	struct ipaddr a = ip4("fe80::1"), b = ip4("ff02::9");

	memcpy(pkt + 8, &a.ipaddr_v6, 16);
	memcpy(pkt + 24, &b.ipaddr_v6, 16);
	pkt[45] = 12;
	pkt[46] = 0x12, pkt[47] = 0x34;
	pkt[48] = 1, pkt[49] = 2, pkt[50] = 3, pkt[51] = 4;
	memcpy(fixed, pkt, sizeof(pkt));
	nhrp_fix_udp6_checksum(fixed, sizeof(fixed));
	CHECK(memcmp(fixed + 46, pkt + 46, 2) != 0);
	CHECK_EQ(udp6_sum(fixed), 0xffff);
	/* idempotent */
	memcpy(pkt, fixed, sizeof(pkt));
	nhrp_fix_udp6_checksum(fixed, sizeof(fixed));
	CHECK(memcmp(fixed, pkt, sizeof(pkt)) == 0);
	/* a flipped bit of the source address changes it */
	fixed[23] ^= 1;
	CHECK(udp6_sum(fixed) != 0xffff);
	nhrp_fix_udp6_checksum(fixed, sizeof(fixed));
	CHECK_EQ(udp6_sum(fixed), 0xffff);
	/* not UDP (next header ICMPv6): left alone */
	memcpy(pkt, fixed, sizeof(pkt));
	pkt[6] = fixed[6] = 58;
	fixed[46] ^= 0xff;
	pkt[46] ^= 0xff;
	nhrp_fix_udp6_checksum(fixed, sizeof(fixed));
	CHECK(memcmp(fixed, pkt, sizeof(pkt)) == 0);
}

/* our own rules for an IPv6 overlay: `ipv6 nhrp redirect` and `ipv6 nhrp
 * map multicast` ask for the IPv6 kinds of capture, and only them; what
 * they capture makes Traffic Indications and copies */
#define REDIRECT6 NHRP_CAPTURE_REDIRECT6
#define MCAST6 NHRP_CAPTURE_MULTICAST6

static void test_capture_ipv6(void)
{
	uint8_t ip[64], ripng[40 + 8 + 4] = {0x60, 0, 0, 0, 0, 12, 17, 255};
	struct ipaddr src = ip4(HUB_LL), dst = ip4("ff02::9");
	struct nhrp_mcast_conf *mc;
	struct fake_sent *s;
	nhrp_nflog_cb cb;
	void *arg;

	hub6();
	CHECK_EQ(fake_captures(REDIRECT6) + fake_captures(MCAST6), 0);
	conf6()->redirect = true;
	nhrp_if_update(gre);
	CHECK(fake_capture(REDIRECT6, "gre1"));
	CHECK_EQ(fake_captures(REDIRECT), 0); /* IPv4 NHRP is off */
	CHECK_EQ(fake_captures(MCAST6), 0);
	CHECK_EQ(do_register6(S1_NBMA, S1_6, S1_LL, 600, true), 0);
	CHECK_EQ(do_register6(S2_NBMA, S2_6, S2_LL, 600, true), 0);
	cb = fake_capture_cb(REDIRECT6, &arg);
	REQUIRE(cb);
	ip6_packet(ip, sizeof(ip), "2001:db8:11::5", "2001:db8:12::5");
	cb(GRE, GRE, ip, sizeof(ip), arg);
	s = fake_sent_pop();
	REQUIRE(s);
	CHECK_EQ(s->pkt.type, NHRP_PKT_TRAFFIC);
	CHECK_EQ(s->pkt.pro_type, NHRP_PRO_IPV6);
	CHECK(fake_sent_to(s, S1_NBMA));

	/* `ipv6 nhrp map multicast dynamic` */
	mc = nhrp_conf_alloc(sizeof(*mc));
	mc->dynamic = true;
	nhrp_mcast_list_add_tail(&conf6()->mcast, mc);
	nhrp_if_update(gre);
	CHECK(fake_capture(MCAST6, "gre1"));
	CHECK_EQ(fake_captures(MCAST), 0);
	memcpy(ripng + 8, &src.ipaddr_v6, 16);
	memcpy(ripng + 24, &dst.ipaddr_v6, 16);
	ripng[40] = 0x02, ripng[41] = 0x09, ripng[42] = 0x02, ripng[43] = 0x09;
	ripng[45] = 12;
	cb = fake_capture_cb(MCAST6, &arg);
	REQUIRE(cb);
	cb(0, GRE, ripng, sizeof(ripng), arg);
	CHECK_EQ(fake_sent_count(), 2);
	while ((s = fake_sent_pop()))
		CHECK_EQ(s->ethertype, 0x86dd);

	/* the operator's groups: his rules for both families, ours go */
	nhrp_conf.nflog_group = 1;
	nhrp_conf.mcast_nflog_group = 2;
	nhrp_traffic_config();
	nhrp_multicast_config();
	CHECK_EQ(fake_captures(REDIRECT6) + fake_captures(MCAST6), 0);
	nhrp_conf.nflog_group = nhrp_conf.mcast_nflog_group = 0;
	nhrp_traffic_config();
	nhrp_multicast_config();
	CHECK(fake_capture(REDIRECT6, "gre1") && fake_capture(MCAST6, "gre1"));
	/* IPv6 NHRP off: both go */
	conf6()->network_id = 0;
	nhrp_if_update(gre);
	CHECK_EQ(fake_captures(REDIRECT6) + fake_captures(MCAST6), 0);
}

static const struct fake_test tests[] = {
	{"reg_accept", test_reg_accept},
	{"reg_unique_conflict", test_reg_unique_conflict},
	{"reg_no_unique_moves", test_reg_no_unique_moves},
	{"reg_refused_addresses", test_reg_refused_addresses},
	{"reg_holdtime_expiry", test_reg_holdtime_expiry},
	{"reg_refresh_expiry", test_reg_refresh_expiry},
	{"reg_withdraw", test_reg_withdraw},
	{"reg_auth", test_reg_auth},
	{"reg_network_id", test_reg_network_id},
	{"reg_nat", test_reg_nat},
	{"authorize_accept", test_authorize_accept},
	{"authorize_refuse", test_authorize_refuse},
	{"nhc_register_retransmit", test_nhc_register_retransmit},
	{"nhc_no_unique", test_nhc_no_unique},
	{"nhc_refresh", test_nhc_refresh},
	{"nhc_holdtime_change", test_nhc_holdtime_change},
	{"nhc_reply_checks", test_nhc_reply_checks},
	{"nhc_nat", test_nhc_nat},
	{"nhc_dynamic_nhs", test_nhc_dynamic_nhs},
	{"nhc_purge_on_stop", test_nhc_purge_on_stop},
	{"res_registered_goes_to_owner", test_res_registered_goes_to_owner},
	{"res_forwarded", test_res_forwarded},
	{"res_loop_and_hops", test_res_loop_and_hops},
	{"res_sdu_size", test_res_sdu_size},
	{"res_egress_and_none", test_res_egress_and_none},
	{"res_reply_passed_on", test_res_reply_passed_on},
	{"res_reply_unreachable", test_res_reply_unreachable},
	{"res_untrusted_requester", test_res_untrusted_requester},
	{"res_forged_transit_from_spoke", test_res_forged_transit_from_spoke},
	{"res_untrusted_at_spoke", test_res_untrusted_at_spoke},
	{"nat_hub_tells_real_address", test_nat_hub_tells_real_address},
	{"nat_responder_answers_real_address", test_nat_responder_answers_real_address},
	{"nat_spoke_behind_nat", test_nat_spoke_behind_nat},
	{"nat_requester_learns_real_address", test_nat_requester_learns_real_address},
	{"shortcut_phase3", test_shortcut_phase3},
	{"shortcut_refresh_in_use", test_shortcut_refresh_in_use},
	{"shortcut_unanswered", test_shortcut_unanswered},
	{"traffic_indication_flood", test_traffic_indication_flood},
	{"traffic_indication_from_stranger", test_traffic_indication_from_stranger},
	{"shortcut_off", test_shortcut_off},
	{"phase2_kernel_probe", test_phase2_kernel_probe},
	{"purge_received", test_purge_received},
	{"purge_removes_shortcut", test_purge_removes_shortcut},
	{"purge_from_hub_when_binding_moves", test_purge_from_hub_when_binding_moves},
	{"purge_of_learnt_binding_needs_standing", test_purge_of_learnt_binding_needs_standing},
	{"purge_prefix", test_purge_prefix},
	{"purge_prefix_needs_standing", test_purge_prefix_needs_standing},
	{"purge_prefix_at_hub", test_purge_prefix_at_hub},
	{"error_indications", test_error_indications},
	{"error_rate_per_source", test_error_rate_per_source},
	{"refusal_rate_per_source", test_refusal_rate_per_source},
	{"redirect", test_redirect},
	{"multicast_replication", test_multicast_replication},
	{"multicast_batches", test_multicast_batches},
	{"udp_checksum_negative_control", test_udp_checksum_negative_control},
	{"limits_registration", test_limits_registration},
	{"replies_checked", test_replies_checked},
	{"reply_responder_outside_network", test_reply_responder_outside_network},
	{"reply_prefix_limit_configurable", test_reply_prefix_limit_configurable},
	{"map_local", test_map_local},
	{"tunnel_source", test_tunnel_source},
	{"capture_redirect", test_capture_redirect},
	{"capture_multicast", test_capture_multicast},
	{"peer_lifetime", test_peer_lifetime},
	{"interface_gone", test_interface_gone},
	{"restart_hub_adopts", test_restart_hub_adopts},
	{"restart_spoke_adopts", test_restart_spoke_adopts},
	{"restart_config_wins", test_restart_config_wins},
	{"fuzz_other_nbma_family_dropped", test_fuzz_other_nbma_family_dropped},
	{"ipv6_ios_registration", test_ipv6_ios_registration},
	{"ipv6_linklocal_refused", test_ipv6_linklocal_refused},
	{"ipv6_linklocal_moves_with_its_station", test_ipv6_linklocal_moves_with_its_station},
	{"ipv6_nhc_registers_linklocal", test_ipv6_nhc_registers_linklocal},
	{"ipv6_our_spoke_at_our_hub", test_ipv6_our_spoke_at_our_hub},
	{"ipv6_resolution_linklocal", test_ipv6_resolution_linklocal},
	{"ipv6_resolution_answered_for_linklocal", test_ipv6_resolution_answered_for_linklocal},
	{"ipv6_shortcut_phase3", test_ipv6_shortcut_phase3},
	{"ipv6_shortcut_too_wide", test_ipv6_shortcut_too_wide},
	{"ipv6_redirect", test_ipv6_redirect},
	{"ipv6_multicast_replication", test_ipv6_multicast_replication},
	{"udp6_checksum_negative_control", test_udp6_checksum_negative_control},
	{"capture_ipv6", test_capture_ipv6},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return fake_main(argc, argv, tests);
}
