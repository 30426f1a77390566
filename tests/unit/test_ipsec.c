// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host tests of IPsec protection (nhrpd/nhrp_ipsec.c) against the fake
 * system: the IPsec daemon's SAs are fed in by hand (fake_sa), what nhrpd
 * does with NHRP and with the SAs is checked.
 *
 *   hub     gre1 10.255.0.1/24 NBMA 192.0.2.1     (tunnel protection)
 *   spoke1  gre1 10.255.0.11/24 NBMA 198.51.100.1
 *   spoke2  gre1 10.255.0.12/24 NBMA 203.0.113.1
 */
#include "tests/unit/fake_system.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_ipsec.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_peer.h"
#include "nhrpd/nhrp_reg_client.h"
#include "nhrpd/nhrp_reqid.h"

#define HUB_NBMA "192.0.2.1"
#define HUB_TUN "10.255.0.1"
#define S1_NBMA "198.51.100.1"
#define S1_TUN "10.255.0.11"
#define S2_NBMA "203.0.113.1"
#define S2_TUN "10.255.0.12"
#define S1_NEW_NBMA "198.51.100.77"	/* spoke1 after its address changed */
#define GRE 10
#define LAN 11

static struct interface *gre;

static struct nhrp_afi_conf *conf(void)
{
	return &nhrp_if(gre)->afi[NHRP_AFI_IP];
}

static void protect(bool on)
{
	strlcpy(nhrp_if(gre)->ipsec_profile, on ? "dmvpn" : "",
		sizeof(nhrp_if(gre)->ipsec_profile));
	nhrp_if_update(gre);
}

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
	protect(true);
}

static void spoke1(void)
{
	struct nhrp_nhs_conf *n = nhrp_conf_alloc(sizeof(*n));

	station(S1_NBMA, S1_TUN "/24", "10.1.0.1/24", "10.1.0.0/24");
	fake_route_add("10.0.0.0/8", HUB_TUN, GRE);
	n->proto = ip4(HUB_TUN);
	strlcpy(n->nbma, HUB_NBMA, sizeof(n->nbma));
	nhrp_nhs_list_add_tail(&conf()->nhs, n);
	protect(true);
}

static struct nhrp_cache *cache(const char *proto)
{
	return fake_cache(gre, proto);
}

static struct nhrp_peer *peer(const char *nbma)
{
	return fake_peer(gre, nbma);
}

static bool bound_to(const char *proto, const char *nbma)
{
	struct nhrp_cache *c = cache(proto);

	return c && c->type == NHRP_CACHE_DYNAMIC && c->peer &&
	       c->peer == peer(nbma);
}

/* a Registration Request of (nbma, proto) arrives at the hub; the reply's
 * CIE code, or -1 when there is no reply */
static int reg(const char *nbma, const char *proto, uint16_t holdtime,
	       bool unique)
{
	static uint32_t id = 100;
	struct nhrp_pkt p;
	struct fake_sent *s;

	fake_pkt(&p, NHRP_PKT_REG_REQ, nbma, proto, HUB_TUN, ++id);
	p.flags = NHRP_FLAG_NAT | (unique ? NHRP_FLAG_REG_UNIQUE : 0);
	fake_cie(&p, &p.cie, 0, unique ? 0xff : 32, holdtime, nbma, proto);
	fake_exts(&p, NULL);
	fake_recv(gre, nbma, &p);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	if (!s || s->pkt.reqid != id || !s->pkt.cie.count)
		return -1;
	return NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code;
}

/* the IPsec daemon is there with no SA, as after connecting */
static void charon_up(void)
{
	fake_sa_state(NHRP_SA_RESYNC_BEGIN);
	fake_sa_state(NHRP_SA_RESYNC_END);
}

/* ---- the IPsec daemon's client follows the configuration ------------------- */

static void test_client_follows_protection(void)
{
	station(HUB_NBMA, HUB_TUN "/24", "10.0.0.1/24", "10.0.0.0/24");
	nhrp_if_update(gre);
	CHECK(!fake_ipsec_on());
	protect(true);
	CHECK(fake_ipsec_on());
	CHECK(nhrp_ipsec_protected(gre));
	nhrp_if_update(gre);
	CHECK_EQ(fake_ipsec_starts(), 1);
	protect(false);
	CHECK(!fake_ipsec_on());
	/* unprotected: NHRP as ever, no SA asked for */
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
}

/* ---- nothing from a host without an SA --------------------------------------- */

static void test_cleartext_creates_nothing(void)
{
	hub();
	charon_up();
	/* no reply (it would leave in clear), no binding, no peer */
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, false), -1);
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(!cache(S1_TUN));
	fake_run(5);
	CHECK(!cache(S1_TUN));
	CHECK_EQ(fake_sent_count(), 0);
	CHECK(nhrp_ipsec_stats()->dropped >= 1);
	/* an SA with someone else does not let it in */
	fake_sa(NHRP_SA_UP, 3, HUB_NBMA, S2_NBMA, "CN=s2", false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, false), -1);
	fake_run(5);
	CHECK(!cache(S1_TUN));
	CHECK_EQ(fake_sent_count(), 0);
	/* nor an SA being set up (not established) */
	fake_sa(NHRP_SA_CHILD_DOWN, 4, HUB_NBMA, S1_NBMA, "CN=s1", false, 0);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, false), -1);
	/* the IPsec daemon absent: nothing either */
	fake_sa_state(NHRP_SA_DISCONNECTED);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, false), -1);
	fake_run(5);
	CHECK(!cache(S1_TUN));
	CHECK_EQ(fake_neigh_count(), 0);
}

/* the first packet through a new SA may come before the IPsec daemon
 * says the SA is up: it waits for it */
static void test_packet_waits_for_its_sa(void)
{
	struct fake_sent *s;

	hub();
	charon_up();
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, false), -1);
	fake_run(1);
	CHECK(!cache(S1_TUN));
	fake_sa(NHRP_SA_UP, 9, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	s = fake_sent_pop_type(NHRP_PKT_REG_REPLY);
	REQUIRE(s);
	CHECK(fake_sent_to(s, S1_NBMA));
	CHECK_EQ(NHRP_CIE(&s->pkt, s->pkt.cie, 0)->code, NHRP_CODE_SUCCESS);
	CHECK(bound_to(S1_TUN, S1_NBMA));
	CHECK(strcmp(nhrp_ipsec_bound(peer(S1_NBMA)), "CN=s1") == 0);
	/* and with the SA there, at once */
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, false), NHRP_CODE_SUCCESS);
}

/* ---- the peer follows its SAs, the SAs follow the peer -------------------------- */

static void test_sa_down_purges_peer(void)
{
	hub();
	charon_up();
	fake_sa(NHRP_SA_UP, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	fake_sa(NHRP_SA_UP, 6, HUB_NBMA, S2_NBMA, "CN=s2", false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK(fake_neigh(GRE, S1_TUN));
	fake_sa(NHRP_SA_DOWN, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 0);
	CHECK(!cache(S1_TUN));
	CHECK(!fake_neigh(GRE, S1_TUN));
	CHECK(!peer(S1_NBMA));
	/* spoke2 is not concerned; no SA was deleted by us */
	CHECK(bound_to(S2_TUN, S2_NBMA));
	CHECK_EQ(fake_sa_terminated(0), 0);
	CHECK_EQ(nhrp_ipsec_stats()->purged, 1);
	/* and it is cleartext again for spoke1 */
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), -1);
}

static void test_child_down_purges_peer(void)
{
	hub();
	charon_up();
	fake_sa(NHRP_SA_UP, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	/* IKEv1 tells of its child SAs going first */
	fake_sa(NHRP_SA_CHILD_DOWN, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	CHECK(!cache(S1_TUN));
	CHECK(!fake_neigh(GRE, S1_TUN));
}

static void test_last_entry_terminates_sa(void)
{
	hub();
	charon_up();
	fake_sa(NHRP_SA_UP, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	fake_sa(NHRP_SA_UP, 6, HUB_NBMA, S2_NBMA, "CN=s2", false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 30, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(reg(S1_NBMA, "10.255.0.99", 60, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 600, true), NHRP_CODE_SUCCESS);
	/* one of two entries goes: the SA stays */
	fake_run(31);
	CHECK(!cache(S1_TUN));
	CHECK_EQ(fake_sa_terminated(5), 0);
	/* the last one goes: its SA is deleted, not the other's */
	fake_run(30);
	CHECK(!cache("10.255.0.99"));
	CHECK_EQ(fake_sa_terminated(5), 1);
	CHECK_EQ(fake_sa_terminated(6), 0);
	/* withdrawn (holdtime 0) likewise */
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 0, true), NHRP_CODE_SUCCESS);
	CHECK(!cache(S2_TUN));
	CHECK_EQ(fake_sa_terminated(6), 1);
	/* asked once: the SA is going */
	fake_sa(NHRP_SA_DOWN, 6, HUB_NBMA, S2_NBMA, "CN=s2", false, 0);
	CHECK_EQ(fake_sa_terminated(0), 2);
}

/* at shut-down the SAs stay (our purges go out through them) */
static void test_shutdown_keeps_sas(void)
{
	hub();
	charon_up();
	fake_sa(NHRP_SA_UP, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	nhrp_protocol_fini(true);
	CHECK_EQ(fake_sa_terminated(0), 0);
	CHECK(!fake_ipsec_on());
}

/* the IPsec daemon restarted: the listing says what is left */
static void test_resync(void)
{
	hub();
	charon_up();
	fake_sa(NHRP_SA_UP, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	fake_sa(NHRP_SA_UP, 6, HUB_NBMA, S2_NBMA, "CN=s2", false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 600, true), NHRP_CODE_SUCCESS);
	/* gone away: what we know stays meanwhile */
	fake_sa_state(NHRP_SA_DISCONNECTED);
	CHECK(bound_to(S1_TUN, S1_NBMA) && bound_to(S2_TUN, S2_NBMA));
	/* back: spoke2's SA is there (numbered anew), spoke1's not */
	fake_sa_state(NHRP_SA_RESYNC_BEGIN);
	fake_sa(NHRP_SA_LISTED, 1, HUB_NBMA, S2_NBMA, "CN=s2", false, 1);
	CHECK(bound_to(S1_TUN, S1_NBMA));
	fake_sa_state(NHRP_SA_RESYNC_END);
	CHECK(!cache(S1_TUN));
	CHECK(bound_to(S2_TUN, S2_NBMA));
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(fake_sa_terminated(0), 0);
}

/* ---- registrations bound to the IKE identity ------------------------------------ */

static void test_identity_binding(void)
{
	hub();
	conf()->no_unique = true;
	charon_up();
	fake_sa(NHRP_SA_UP, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	fake_sa(NHRP_SA_UP, 6, HUB_NBMA, S2_NBMA, "CN=s2", false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, false), NHRP_CODE_SUCCESS);
	/* another identity claims spoke1's address: refused even without
	 * unique, spoke1 keeps it */
	CHECK_EQ(reg(S2_NBMA, S1_TUN, 600, false),
		 NHRP_CODE_ALREADY_REGISTERED);
	CHECK(bound_to(S1_TUN, S1_NBMA));
	CHECK(ipaddr_cmp(fake_neigh(GRE, S1_TUN), &peer(S1_NBMA)->nbma) == 0);
	/* its own address it may have */
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 600, false), NHRP_CODE_SUCCESS);
	/* spoke1 comes back from a new address (the same identity): it
	 * moves at once, even registered unique */
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	fake_sa(NHRP_SA_UP, 7, HUB_NBMA, S1_NEW_NBMA, "CN=s1", false, 1);
	CHECK_EQ(reg(S1_NEW_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK(bound_to(S1_TUN, S1_NEW_NBMA));
	/* the old address's SA has nothing left to carry */
	CHECK_EQ(fake_sa_terminated(5), 1);
	CHECK_EQ(fake_sa_terminated(6), 0);
}

/* ---- the profile names the connections that protect ---------------------------- */

/* an SA of another connection with the same host (the operator's own
 * site-to-site VPN, say) protects nothing of ours, binds nothing, and is
 * never deleted by us */
static void test_other_connection_ignored(void)
{
	struct ipaddr s1 = ip4(S1_NBMA);

	hub();
	charon_up();
	fake_sa_conn("site");
	fake_sa(NHRP_SA_UP, 20, HUB_NBMA, S1_NBMA, "site-s1", false, 7);
	/* not protection: the registration waits, is dropped */
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), -1);
	fake_run(5);
	CHECK(!cache(S1_TUN));
	CHECK(!nhrp_ipsec_identity(gre, &s1));
	/* our connection's SA: registered, bound to its identity, not to
	 * that of the other connection's SA (which is newer) */
	fake_sa_conn("dmvpn");
	fake_sa(NHRP_SA_UP, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	fake_sa_conn("site");
	fake_sa(NHRP_SA_UP, 21, HUB_NBMA, S1_NBMA, "site-s1", true, 7);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK(bound_to(S1_TUN, S1_NBMA));
	CHECK(strcmp(nhrp_ipsec_bound(peer(S1_NBMA)), "CN=s1") == 0);
	/* two SAs both sides initiated, one of them not ours: no duplicate */
	CHECK_EQ(fake_sa_terminated(0), 0);
	CHECK_EQ(nhrp_ipsec_stats()->duplicates, 0);
	/* the other connection's SAs go: nothing happens to the peer */
	fake_sa(NHRP_SA_DOWN, 20, HUB_NBMA, S1_NBMA, "site-s1", false, 0);
	CHECK(bound_to(S1_TUN, S1_NBMA));
	/* ours goes while another connection's is up: purged all the same */
	fake_sa_conn("dmvpn");
	fake_sa(NHRP_SA_DOWN, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 0);
	CHECK(!cache(S1_TUN));
	CHECK_EQ(nhrp_ipsec_stats()->purged, 1);
	/* back; then its last binding goes: our SA is deleted, never the
	 * other connection's */
	fake_sa(NHRP_SA_UP, 6, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 0, true), NHRP_CODE_SUCCESS);
	CHECK(!cache(S1_TUN));
	CHECK_EQ(fake_sa_terminated(6), 1);
	CHECK_EQ(fake_sa_terminated(21), 0);
	CHECK_EQ(fake_sa_terminated(0), 1);
	{
		struct nhrp_peer *p = nhrp_peer_get(gre, &s1);
		struct nhrp_ipsec_info in;

		/* show dmvpn: our connection's SA only */
		nhrp_ipsec_info(p, &in);
		CHECK_EQ(in.sas, 1);
		CHECK_EQ(in.id, 6);
		CHECK(strcmp(in.conn, "dmvpn") == 0);
		nhrp_peer_unref(&p);
	}
}

/* the fallback profile's connection protects like the profile's (a
 * certificate connection, a pre-shared key one for old spokes) */
static void test_fallback_connection(void)
{
	hub();
	strlcpy(nhrp_if(gre)->ipsec_fallback, "dmvpn-psk",
		sizeof(nhrp_if(gre)->ipsec_fallback));
	nhrp_if_update(gre);
	charon_up();
	fake_sa(NHRP_SA_UP, 5, HUB_NBMA, S1_NBMA, "CN=s1", false, 1);
	fake_sa_conn("dmvpn-psk");
	fake_sa(NHRP_SA_UP, 6, HUB_NBMA, S2_NBMA, S2_NBMA, false, 1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK(bound_to(S2_TUN, S2_NBMA));
	CHECK(strcmp(nhrp_ipsec_bound(peer(S2_NBMA)), S2_NBMA) == 0);
	/* a third connection is not protection */
	fake_sa_conn("site");
	fake_sa(NHRP_SA_UP, 7, HUB_NBMA, S1_NEW_NBMA, "CN=s1", false, 1);
	CHECK_EQ(reg(S1_NEW_NBMA, "10.255.0.13", 600, true), -1);
	/* the fallback's SA goes: purged; its last binding: deleted */
	fake_sa_conn("dmvpn-psk");
	fake_sa(NHRP_SA_DOWN, 6, HUB_NBMA, S2_NBMA, S2_NBMA, false, 0);
	CHECK(!cache(S2_TUN));
	fake_sa(NHRP_SA_UP, 8, HUB_NBMA, S2_NBMA, S2_NBMA, false, 1);
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 600, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 0, true), NHRP_CODE_SUCCESS);
	CHECK_EQ(fake_sa_terminated(8), 1);
	CHECK_EQ(fake_sa_terminated(7), 0);
	/* without the fallback, its SAs protect no more */
	nhrp_if(gre)->ipsec_fallback[0] = 0;
	nhrp_if_update(gre);
	fake_sa(NHRP_SA_UP, 9, HUB_NBMA, S2_NBMA, S2_NBMA, false, 1);
	CHECK_EQ(reg(S2_NBMA, S2_TUN, 600, true), -1);
	CHECK_EQ(reg(S1_NBMA, S1_TUN, 600, true), NHRP_CODE_SUCCESS);
}

/* ---- two SAs from a simultaneous initiation -------------------------------------- */

static void test_duplicate_sa(void)
{
	spoke1();
	charon_up();
	/* we are 198.51.100.1, the other spoke 203.0.113.1: both keep the SA
	 * the lower address initiated, ours; theirs goes */
	fake_sa(NHRP_SA_UP, 7, S1_NBMA, S2_NBMA, "CN=s2", true, 1);
	CHECK_EQ(fake_sa_terminated(0), 0);
	fake_sa(NHRP_SA_UP, 8, S1_NBMA, S2_NBMA, "CN=s2", false, 2);
	CHECK_EQ(fake_sa_terminated(8), 1);
	CHECK_EQ(fake_sa_terminated(7), 0);
	CHECK_EQ(nhrp_ipsec_stats()->duplicates, 1);
	/* told again (rekeyed, listed): asked once */
	fake_sa(NHRP_SA_UP, 8, S1_NBMA, S2_NBMA, "CN=s2", false, 2);
	CHECK_EQ(fake_sa_terminated(8), 1);
	/* the duplicate gone, the peer stays up: its shortcut binding too */
	{
		struct ipaddr s2 = ip4(S2_NBMA), tun = ip4(S2_TUN);
		struct nhrp_cache *c = nhrp_cache_get(gre, &tun);

		nhrp_cache_set(c, NHRP_CACHE_CACHED, &s2, NULL, 300);
		fake_sa(NHRP_SA_DOWN, 8, S1_NBMA, S2_NBMA, "CN=s2", false, 0);
		REQUIRE(cache(S2_TUN));
		CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_CACHED);
		CHECK(nhrp_ipsec_identity(gre, &s2) &&
		      strcmp(nhrp_ipsec_identity(gre, &s2), "CN=s2") == 0);
		/* and with the last one, it goes */
		fake_sa(NHRP_SA_DOWN, 7, S1_NBMA, S2_NBMA, "CN=s2", true, 0);
		CHECK(!cache(S2_TUN));
		CHECK(!nhrp_ipsec_identity(gre, &s2));
	}
}

static void test_duplicate_sa_higher_side(void)
{
	/* spoke2's view of the same pair: it is the higher address, so its
	 * own SA goes */
	station(S2_NBMA, S2_TUN "/24", "10.2.0.1/24", "10.2.0.0/24");
	protect(true);
	charon_up();
	fake_sa(NHRP_SA_UP, 3, S2_NBMA, S1_NBMA, "CN=s1", false, 1);
	fake_sa(NHRP_SA_UP, 4, S2_NBMA, S1_NBMA, "CN=s1", true, 2);
	CHECK_EQ(fake_sa_terminated(4), 1);
	CHECK_EQ(fake_sa_terminated(3), 0);
	/* the same side twice (a rekey overlap) is no duplicate */
	fake_sa(NHRP_SA_UP, 5, S2_NBMA, HUB_NBMA, "CN=hub", true, 1);
	fake_sa(NHRP_SA_UP, 6, S2_NBMA, HUB_NBMA, "CN=hub", true, 1);
	CHECK_EQ(fake_sa_terminated(0), 1);
	/* found by the listing after a restart too */
	fake_sa_state(NHRP_SA_RESYNC_BEGIN);
	fake_sa(NHRP_SA_LISTED, 11, S2_NBMA, S1_NBMA, "CN=s1", false, 1);
	fake_sa(NHRP_SA_LISTED, 12, S2_NBMA, S1_NBMA, "CN=s1", true, 2);
	CHECK_EQ(fake_sa_terminated(12), 0);
	fake_sa_state(NHRP_SA_RESYNC_END);
	CHECK_EQ(fake_sa_terminated(12), 1);
	CHECK_EQ(fake_sa_terminated(11), 0);
}

/* ---- the spoke: its server's SA ------------------------------------------------- */

static void answer_registration(void)
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
	fake_recv(gre, HUB_NBMA, p);
}

static struct nhrp_nhs *first_nhs(void)
{
	struct nhrp_nhs_list_rt_head *l = nhrp_nhs_of(gre);

	return l ? nhrp_nhs_list_rt_first(l) : NULL;
}

/* spoke1 with charon up: its first request sets SA 1 with the hub up,
 * the reply waits for it, and it is registered at once when the SA came up
 * (not at the next retry) */
static bool spoke_registered_over_sa1(void)
{
	spoke1();
	charon_up();
	fake_run(0);
	fake_sa(NHRP_SA_UP, 1, S1_NBMA, HUB_NBMA, "CN=hub", true, 1);
	fake_sent_clear();
	fake_run(0);
	answer_registration();
	if (!first_nhs())
		return false;
	CHECK_EQ(first_nhs()->status, NHS_UP);
	fake_sent_clear();
	return true;
}

static void test_spoke_reregisters_when_sa_back(void)
{
	REQUIRE(spoke_registered_over_sa1());
	/* the SA goes: down, and a new request at once (which sets the SA up
	 * again through the kernel's trap) */
	fake_sa(NHRP_SA_DOWN, 1, S1_NBMA, HUB_NBMA, "CN=hub", true, 0);
	CHECK(first_nhs()->status != NHS_UP);
	fake_run(0);
	REQUIRE(fake_sent_count() >= 1);
	CHECK_EQ(fake_sent_pop()->pkt.type, NHRP_PKT_REG_REQ);
	fake_sent_clear();
	/* the reply came through the new SA before its news: it waits */
	fake_run(2);
	fake_sent_clear();
	fake_sa(NHRP_SA_UP, 2, S1_NBMA, HUB_NBMA, "CN=hub", true, 1);
	fake_run(0);
	answer_registration();
	CHECK_EQ(first_nhs()->status, NHS_UP);
}

/* the SA with the server goes; the request sent at the news still goes out
 * through it (the IPsec daemon reports an SA going before the kernel loses
 * it), the server accepts it and answers through it, then purges us as
 * its SA goes too.  That answer must not count: registered anew through
 * the new SA */
static void test_answer_through_the_old_sa_dropped(void)
{
	REQUIRE(spoke_registered_over_sa1());
	fake_sa(NHRP_SA_DOWN, 1, S1_NBMA, HUB_NBMA, "CN=hub", true, 0);
	fake_run(0);
	/* the answer through the old SA, after its news: dropped, not held */
	answer_registration();
	CHECK(first_nhs()->status != NHS_UP);
	CHECK_EQ(nhrp_ipsec_stats()->held, 0);
	fake_sent_clear();
	/* the new SA: not registered by that answer, asked again at once */
	fake_sa(NHRP_SA_UP, 2, S1_NBMA, HUB_NBMA, "CN=hub", true, 1);
	CHECK(first_nhs()->status != NHS_UP);
	fake_run(0);
	answer_registration();
	CHECK_EQ(first_nhs()->status, NHS_UP);
	/* a few seconds after an SA went, packets wait for their SA again */
	fake_sa(NHRP_SA_DOWN, 2, S1_NBMA, HUB_NBMA, "CN=hub", true, 0);
	fake_run(4);
	answer_registration();
	CHECK_EQ(nhrp_ipsec_stats()->held, 1);
}

/* ---- resolutions: no answer is no verdict --------------------------------------- */

static void traffic_indication(const char *dst)
{
	uint8_t ip[28] = {0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1};
	struct nhrp_pkt p;
	struct ipaddr s = ip4("10.1.0.5"), d = ip4(dst);

	memcpy(ip + 12, &s.ipaddr_v4, 4);
	memcpy(ip + 16, &d.ipaddr_v4, 4);
	fake_pkt(&p, NHRP_PKT_TRAFFIC, HUB_NBMA, HUB_TUN, "10.1.0.5", 0);
	p.body = ip;
	p.body_len = sizeof(ip);
	nhrp_ext_add(&p, NHRP_EXT_END | NHRP_EXT_COMPULSORY);
	fake_recv(gre, HUB_NBMA, &p);
}

static void test_unanswered_resolution_waits_for_sa(void)
{
	struct fake_sent *s;
	struct nhrp_pkt *p;
	unsigned int n = 0;

	spoke1();
	charon_up();
	fake_sa(NHRP_SA_UP, 1, S1_NBMA, HUB_NBMA, "CN=hub", true, 1);
	fake_run(0);
	answer_registration();
	fake_sent_clear();
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	/* three tries, no answer (the answer needs an SA with spoke2) */
	fake_run(10);
	while ((s = fake_sent_pop()))
		if (s->pkt.type == NHRP_PKT_RES_REQ)
			n++;
	CHECK_EQ(n, 3);
	/* no negative entry */
	CHECK(!cache("10.2.0.5"));
	/* the SA with spoke2 comes up: asked again at once */
	fake_sa(NHRP_SA_UP, 2, S1_NBMA, S2_NBMA, "CN=s2", true, 1);
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	REQUIRE(s);
	CHECK(fake_sent_to(s, HUB_NBMA));
	/* answered through it: the shortcut */
	p = &s->pkt;
	p->type = NHRP_PKT_RES_REPLY;
	p->flags |= NHRP_FLAG_RES_A;
	p->cie.count = 0;
	fake_cie(p, &p->cie, 0, 24, 300, S2_NBMA, S2_TUN);
	fake_recv(gre, S2_NBMA, p);
	CHECK(fake_route_installed("10.2.0.0/24", S2_TUN));
	REQUIRE(cache(S2_TUN));
	CHECK_EQ(cache(S2_TUN)->type, NHRP_CACHE_CACHED);
	/* the spoke-to-spoke SA goes: the shortcut with it */
	fake_sa(NHRP_SA_DOWN, 2, S1_NBMA, S2_NBMA, "CN=s2", true, 0);
	CHECK(!cache(S2_TUN));
	CHECK(!fake_route_installed("10.2.0.0/24", S2_TUN));
}

static void test_unanswered_resolution_new_traffic(void)
{
	struct fake_sent *s;

	spoke1();
	charon_up();
	fake_sa(NHRP_SA_UP, 1, S1_NBMA, HUB_NBMA, "CN=hub", true, 1);
	fake_run(0);
	answer_registration();
	fake_sent_clear();
	conf()->shortcut = true;
	traffic_indication("10.2.0.5");
	fake_run(10);
	fake_sent_clear();
	/* more traffic: resolved again (no negative entry holds it back) */
	traffic_indication("10.2.0.5");
	fake_run(0);
	s = fake_sent_pop_type(NHRP_PKT_RES_REQ);
	CHECK(s != NULL);
	/* given up after a while, nothing left */
	fake_run(200);
	CHECK(!cache("10.2.0.5"));
	CHECK_EQ(nhrp_reqid_count(), 1); /* the registration's */
}

static const struct fake_test tests[] = {
	{"client_follows_protection", test_client_follows_protection},
	{"cleartext_creates_nothing", test_cleartext_creates_nothing},
	{"packet_waits_for_its_sa", test_packet_waits_for_its_sa},
	{"sa_down_purges_peer", test_sa_down_purges_peer},
	{"child_down_purges_peer", test_child_down_purges_peer},
	{"last_entry_terminates_sa", test_last_entry_terminates_sa},
	{"shutdown_keeps_sas", test_shutdown_keeps_sas},
	{"resync", test_resync},
	{"identity_binding", test_identity_binding},
	{"other_connection_ignored", test_other_connection_ignored},
	{"fallback_connection", test_fallback_connection},
	{"duplicate_sa", test_duplicate_sa},
	{"duplicate_sa_higher_side", test_duplicate_sa_higher_side},
	{"spoke_reregisters_when_sa_back", test_spoke_reregisters_when_sa_back},
	{"answer_through_the_old_sa_dropped",
	 test_answer_through_the_old_sa_dropped},
	{"unanswered_resolution_waits_for_sa",
	 test_unanswered_resolution_waits_for_sa},
	{"unanswered_resolution_new_traffic",
	 test_unanswered_resolution_new_traffic},
	{NULL, NULL},
};

int main(int argc, char **argv)
{
	return fake_main(argc, argv, tests);
}
