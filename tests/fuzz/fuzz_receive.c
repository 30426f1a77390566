// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target of nhrpd's receive path: the protocol core (validate,
 * dispatch, every handler) against the fake system of the host tests
 * (tests/unit/fake_system.c, fake clock included), as a hub and a spoke.
 *
 * The world, built once:
 *   gre1  hub   10.255.0.1/24  NBMA 192.0.2.1   holdtime 60, redirect
 *               (NFLOG group 1), multicast to every registered peer
 *               (group 2), lan0 10.0.0.0/24, 10.1.0.0/24 via 10.255.0.11
 *   gre2  spoke 10.254.0.11/24 NBMA 198.51.100.1 holdtime 60, shortcut,
 *               no-unique, servers 10.254.0.1 nbma 192.0.2.1 priority 1,
 *               10.254.0.3 from its static map (203.0.113.9) priority 2,
 *               dynamic nbma hub.example cluster 1; cluster 0 at most 1;
 *               10.0.0.0/8 via 10.254.0.1
 *   gre3  hub   10.253.0.1/24 and 2001:db8:3::1/64 NBMA 203.0.113.1,
 *               authentication "cisco", IPv4 and IPv6
 *
 * An input is a series of records, each [what][time][len hi][len lo]
 * then len bytes (cut at the end of the input):
 *   what bits 0-1  0: packet on gre1, 1: on gre2, 2: on gre3,
 *                  3: an event (payload[0] % 3: 0 kernel probe on gre2
 *                  for the IPv4 address payload[1..4], 1 a packet
 *                  redirected on gre1 (NFLOG group 1), 2 a multicast
 *                  packet leaving gre1 (NFLOG group 2))
 *        bits 2-4  the NBMA address it comes from (sources[])
 *        bit 5     answer: the request id becomes the one of the last
 *                  request nhrpd sent to that source, or else of the last
 *                  one it sent (replies reach their owner)
 *        bit 6     keep the checksum (else it is made right)
 *   time           seconds the fake clock moves on after the record
 * An input shorter than one record header is one packet on gre1.
 *
 * After each input every interface is stopped, which must leave no peer,
 * request id, kernel neighbour or route behind, and started again with
 * the clock moved on (rate limits forget).  nhrpd must never send a
 * packet that does not decode.  Build and run with tools/fuzz.
 */
#include "tests/unit/fake_system.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_msg.h"
#include "nhrpd/nhrp_multicast.h"
#include "nhrpd/nhrp_reqid.h"
#include "nhrpd/nhrp_traffic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define INVARIANT(c)                                                         \
	do {                                                                 \
		if (!(c)) {                                                  \
			fprintf(stderr, "fuzz_receive: %s:%d: %s\n",         \
				__FILE__, __LINE__, #c);                     \
			abort();                                             \
		}                                                            \
	} while (0)

static const char *const sources[8] = {
	"192.0.2.1",   "198.51.100.1", "198.51.100.2", "203.0.113.1",
	"203.0.113.9", "192.0.2.2",    "198.51.100.3", "2001:db8::9",
};

static struct interface *gre[3];

static void collect_sent(void);

static void mcast_dynamic(struct interface *ifp)
{
	struct nhrp_mcast_conf *mc = nhrp_conf_alloc(sizeof(*mc));

	mc->dynamic = true;
	nhrp_mcast_list_add_tail(&nhrp_if(ifp)->afi[NHRP_AFI_IP].mcast, mc);
}

static void world(void)
{
	struct nhrp_afi_conf *ac;

	fake_world_init();
	fake_if("lan0", 11, "10.0.0.1/24", NULL);
	fake_dns_add("hub.example", "192.0.2.2");

	gre[0] = fake_gre("gre1", 10, "192.0.2.1", "10.255.0.1/24");
	fake_route_add("10.255.0.0/24", NULL, 10);
	fake_route_add("10.0.0.0/24", NULL, 11);
	fake_route_add("10.1.0.0/24", "10.255.0.11", 10);
	ac = &nhrp_if(gre[0])->afi[NHRP_AFI_IP];
	ac->holdtime = 60;
	ac->redirect = true;
	mcast_dynamic(gre[0]);
	nhrp_conf.nflog_group = 1;
	nhrp_conf.mcast_nflog_group = 2;
	nhrp_traffic_config();
	nhrp_multicast_config();

	gre[1] = fake_gre("gre2", 20, "198.51.100.1", "10.254.0.11/24");
	fake_route_add("10.254.0.0/24", NULL, 20);
	fake_route_add("10.0.0.0/8", "10.254.0.1", 20);
	ac = &nhrp_if(gre[1])->afi[NHRP_AFI_IP];
	ac->holdtime = 60;
	ac->shortcut = true;
	ac->no_unique = true;
	fake_map_add(gre[1], NHRP_AFI_IP, "10.254.0.3", "203.0.113.9");
	fake_nhs_add(gre[1], "10.254.0.1", "192.0.2.1", 1, 0);
	fake_nhs_add(gre[1], "10.254.0.3", NULL, 2, 0);
	fake_nhs_add(gre[1], NULL, "hub.example", 0, 1);
	ac->nhs_max_set[0] = true;
	ac->nhs_max[0] = 1;

	gre[2] = fake_gre("gre3", 30, "203.0.113.1", "10.253.0.1/24");
	fake_if("gre3", 30, "2001:db8:3::1/64", NULL);
	fake_route_add("10.253.0.0/24", NULL, 30);
	fake_route_add("2001:db8:3::/64", NULL, 30);
	strlcpy(nhrp_if(gre[2])->auth, "cisco", sizeof(nhrp_if(gre[2])->auth));
	nhrp_if(gre[2])->afi[NHRP_AFI_IP6].network_id = 3;
	nhrp_if(gre[2])->afi[NHRP_AFI_IP6].holdtime = 300;
	fake_map_add(gre[2], NHRP_AFI_IP6, "2001:db8:3::9", "192.0.2.9");

	for (int i = 0; i < 3; i++)
		nhrp_if_update(gre[i]);
	fake_run(0);
	collect_sent();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (!getenv("NHRP_TEST_DEBUG"))
		setenv("NHRP_TEST_QUIET", "1", 0);
	world();
	return 0;
}

/* the request id of the last request nhrpd sent, to each source and to
 * anyone (0: none) */
static uint32_t last_id_to[8], last_id;

static void collect_sent(void)
{
	struct fake_sent *s;

	while ((s = fake_sent_pop())) {
		if (s->ethertype != ETH_P_NHRP)
			continue;
		switch (s->pkt.type) {
		case NHRP_PKT_RES_REQ:
		case NHRP_PKT_REG_REQ:
		case NHRP_PKT_PURGE_REQ:
			last_id = s->pkt.reqid;
			for (int i = 0; i < 8; i++) {
				struct ipaddr a = ip4(sources[i]);

				if (ipaddr_cmp(&a, &s->nbma) == 0)
					last_id_to[i] = s->pkt.reqid;
			}
			break;
		}
	}
}

/* a record from source src: the answer bit puts in the id of the last
 * request nhrpd sent there, else of the last one it sent at all */
static void packet(struct interface *ifp, int src, uint8_t what, uint8_t *p,
		   size_t len)
{
	uint32_t id = last_id_to[src] ? last_id_to[src] : last_id;

	if ((what & 0x20) && len >= 28) {
		p[24] = id >> 24;
		p[25] = id >> 16;
		p[26] = id >> 8;
		p[27] = id;
	}
	if (!(what & 0x40) && len >= 14) {
		size_t pktsz = (size_t)p[10] << 8 | p[11];
		uint16_t c;

		if (pktsz >= 20 && pktsz <= len) {
			p[12] = p[13] = 0;
			c = nhrp_checksum(p, pktsz);
			p[12] = c >> 8;
			p[13] = c;
		}
	}
	fake_recv_raw(ifp, sources[src], p, len);
}

static void event(const uint8_t *p, size_t len)
{
	nhrp_nflog_cb cb;
	void *arg;

	if (!len)
		return;
	switch (p[0] % 3) {
	case 0:
		if (len >= 5) {
			struct ipaddr a = {};

			SET_IPADDR_V4(&a);
			memcpy(&a.ipaddr_v4, p + 1, 4);
			nhrp_sys_neigh_probe_in(gre[1], &a);
		}
		break;
	case 1:
		cb = fake_nflog(1, &arg);
		if (cb)
			cb(10, 10, p + 1, len - 1, arg);
		break;
	case 2:
		cb = fake_nflog(2, &arg);
		if (cb)
			cb(0, 10, p + 1, len - 1, arg);
		break;
	}
}

static uint8_t buf[65536 + 4];

/* stop everything, check nothing is left, start again */
static void reset(void)
{
	collect_sent();
	nhrp_if_terminate();
	fake_run(0);
	for (int i = 0; i < 3; i++)
		INVARIANT(nhrp_peer_hash_count(&nhrp_if(gre[i])->peers) == 0);
	INVARIANT(nhrp_reqid_count() == 0);
	INVARIANT(fake_neigh_count() == 0);
	INVARIANT(fake_routes_installed() == 0);
	/* rate limits and negative entries forget */
	fake_run(600);
	for (int i = 0; i < 3; i++)
		nhrp_if_update(gre[i]);
	memset(last_id_to, 0, sizeof(last_id_to));
	last_id = 0;
	fake_run(0);
	/* the registrations of the new start: the next input may answer
	 * them */
	collect_sent();
	INVARIANT(fake_failures == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;

	if (size < 4) {
		memcpy(buf, data, size);
		packet(gre[0], 2, 0, buf, size);
	}
	while (size >= 4 && at + 4 <= size) {
		uint8_t what = data[at], secs = data[at + 1];
		size_t len = (size_t)data[at + 2] << 8 | data[at + 3];

		at += 4;
		len = MIN(len, size - at);
		memcpy(buf, data + at, len);
		at += len;
		if ((what & 3) == 3)
			event(buf, len);
		else
			packet(gre[what & 3], (what >> 2) & 7, what, buf, len);
		fake_run(0);
		collect_sent();
		if (secs) {
			fake_run(secs);
			collect_sent();
		}
		INVARIANT(fake_failures == 0);
	}
	reset();
	return 0;
}
