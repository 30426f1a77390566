// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A fake of nhrpd's system interface (nhrpd/nhrp_system.h) and a fake
 * clock, to drive the protocol core on the host: the tests put packets in
 * and read what the daemon sent, installed and routed, with time standing
 * still until they move it.
 *
 * Each test runs in a child process of its own (fake_main), so nothing
 * carries over from one test to the next.
 */
#ifndef FAKE_SYSTEM_H
#define FAKE_SYSTEM_H

#include "nhrpd/nhrpd.h"
#include "nhrpd/nhrp_codec.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_system.h"

/* ---- checks ------------------------------------------------------------ */

extern int fake_failures;
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			fake_failures++;                                       \
		}                                                              \
	} while (0)
#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		if (_a != _b) {                                                \
			fprintf(stderr,                                        \
				"%s:%d: CHECK failed: %s == %s (%lld != %lld)\n",  \
				__FILE__, __LINE__, #a, #b, _a, _b);           \
			fake_failures++;                                       \
		}                                                              \
	} while (0)
/* stop the test here if cond does not hold (what follows needs it) */
#define REQUIRE(cond)                                                          \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: REQUIRE failed: %s\n",         \
				__FILE__, __LINE__, #cond);                    \
			fake_failures++;                                       \
			return;                                                \
		}                                                              \
	} while (0)

struct fake_test {
	const char *name;
	void (*fn)(void);
};
/* run every test in its own process; exit status for automake */
int fake_main(int argc, char **argv, const struct fake_test *tests);
/* the empty world (event loop, logging, VRF, the fake system, the protocol
 * core) that fake_main gives each test; for other drivers (the fuzzer) */
void fake_world_init(void);

/* ---- time ------------------------------------------------------------------ */

/* monotonic seconds since the test started */
double fake_time(void);
/* let `secs` pass, running every timer and event that falls due */
void fake_run(double secs);

/* ---- addresses --------------------------------------------------------------- */

struct ipaddr ip4(const char *s);
/* ifp's cache entry / peer for an IPv4 address written as text, or NULL */
struct nhrp_cache *fake_cache(struct interface *ifp, const char *proto);
struct nhrp_peer *fake_peer(struct interface *ifp, const char *nbma);

/* ---- the world: interfaces, routes, names --------------------------------- */

/* an interface with addresses ("10.255.0.1/24", ...; NULL-terminated) */
struct interface *fake_if(const char *name, ifindex_t ifindex, ...);
/* a multipoint GRE tunnel with local NBMA address nbma and tunnel
 * address addr (with prefix length), NHRP on with network-id 1 */
struct interface *fake_gre(const char *name, ifindex_t ifindex,
			   const char *nbma, const char *addr);
/* one more address of ifp ("2001:db8::1/64", "fe80::1/64") */
void fake_if_addr(struct interface *ifp, const char *addr);
/* the tunnel's link and local address; how often nhrpd changed them */
unsigned int fake_gre_source(ifindex_t ifindex, ifindex_t *link,
			     struct ipaddr *local);
/* a route of zebra's for route_lookup; gateway may be NULL */
void fake_route_add(const char *prefix, const char *gateway, ifindex_t ifindex);
/* `ip nhrp nhs proto nbma NBMA priority P cluster C` on ifp (proto NULL:
 * dynamic; nbma NULL: from the static map) */
struct nhrp_nhs_conf *fake_nhs_add(struct interface *ifp, const char *proto,
				   const char *nbma, uint8_t prio,
				   uint8_t cluster);
/* `ip nhrp map proto nbma` on ifp */
void fake_map_add(struct interface *ifp, int afi, const char *proto,
		  const char *nbma);
/* a host name for the resolver */
void fake_dns_add(const char *name, const char *addr);

/* ---- what nhrpd did ---------------------------------------------------------- */

struct fake_sent {
	ifindex_t ifindex;
	struct ipaddr nbma;
	uint16_t ethertype;
	double time;
	size_t len;
	uint8_t buf[2048];
	struct nhrp_pkt pkt;	/* decoded (NHRP packets) */
};
/* was s sent to this IPv4 NBMA address? */
bool fake_sent_to(const struct fake_sent *s, const char *nbma);
/* packets sent, oldest first; pop removes the oldest (NULL: none) */
unsigned int fake_sent_count(void);
struct fake_sent *fake_sent_pop(void);
/* the oldest sent NHRP packet of this type (removing it and everything
 * sent before it); NULL if none */
struct fake_sent *fake_sent_pop_type(uint8_t type);
void fake_sent_clear(void);
/* how often the batched send was called (each copy is in the sent list
 * too), and its largest batch */
unsigned int fake_send_many_calls(unsigned int *largest);

/* the kernel's neighbour entry for proto on ifindex: NBMA, or NULL */
const struct ipaddr *fake_neigh(ifindex_t ifindex, const char *proto);
unsigned int fake_neigh_count(void);
/* is prefix installed as a shortcut route via `via`? */
bool fake_route_installed(const char *prefix, const char *via);
unsigned int fake_routes_installed(void);
/* the NFLOG callback bound to group (NULL: none), and its argument */
nhrp_nflog_cb fake_nflog(uint16_t group, void **arg);
/* does nhrpd want its own netfilter rules of `kind` on interface ifname?
 * On how many interfaces?  The callback they feed (NULL: none) */
bool fake_capture(enum nhrp_capture kind, const char *ifname);
unsigned int fake_captures(enum nhrp_capture kind);
nhrp_nflog_cb fake_capture_cb(enum nhrp_capture kind, void **arg);

/* the event socket: when on, bindings are asked for; answer them */
struct fake_auth {
	uint32_t id;
	nhrp_event_done_cb done;
	void *arg;
	bool answered, cancelled;
	struct ipaddr remote_addr, remote_nbma;
	char type[16], old_type[16];
};
void fake_authorizing(bool on);
unsigned int fake_auth_count(void);
struct fake_auth *fake_auth(unsigned int n);
void fake_auth_answer(unsigned int n, bool accept);

/* ---- IPsec ------------------------------------------------------------------ */

/* does nhrpd keep in touch with the IPsec daemon (how often started)? */
bool fake_ipsec_on(void);
unsigned int fake_ipsec_starts(void);
/* how often nhrpd asked to delete IKE SA id (0: any) */
unsigned int fake_sa_terminated(uint32_t id);
/* the connection the SAs fake_sa reports from now on belong to (at
 * first "dmvpn", the profile the tests protect with) */
void fake_sa_conn(const char *conn);
/* the IPsec daemon reports IKE SA id (local -> remote, the peer's
 * identity, we initiated it); reqid: one child SA with it (0: none) */
void fake_sa(enum nhrp_sa_event ev, uint32_t id, const char *local,
	     const char *remote, const char *identity, bool initiator,
	     uint32_t reqid);
/* RESYNC_BEGIN, RESYNC_END, DISCONNECTED */
void fake_sa_state(enum nhrp_sa_event ev);

/* ---- packets in ----------------------------------------------------------------- */

/* encode p and hand it to the receive path as coming from `from` */
void fake_recv(struct interface *ifp, const char *from, struct nhrp_pkt *p);
void fake_recv_raw(struct interface *ifp, const char *from, const uint8_t *buf,
		   size_t len);

/* a packet as a peer builds it: type, source NBMA/protocol address,
 * destination protocol address, request id (protocol type IPv6 for an
 * IPv6 source protocol address) */
void fake_pkt(struct nhrp_pkt *p, uint8_t type, const char *src_nbma,
	      const char *src_proto, const char *dst_proto, uint32_t reqid);
/* append a CIE (proto/nbma may be NULL) */
struct nhrp_cie *fake_cie(struct nhrp_pkt *p, struct nhrp_cies *list,
			  uint8_t code, uint8_t prefix_len, uint16_t holdtime,
			  const char *nbma, const char *proto);
/* the usual extensions of a request (Responder, Forward and Reverse
 * Transit, End), with a password when auth is not NULL */
void fake_exts(struct nhrp_pkt *p, const char *auth);

/* an address of a decoded packet, as a string (static buffer per call
 * site use: copy if kept) */
const char *fake_addr(const struct nhrp_addr *a);

#endif
