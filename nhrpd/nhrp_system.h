// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the system interface.  Everything the protocol asks of the world
 * goes through struct nhrp_system; everything the world tells the protocol
 * arrives through the nhrp_sys_* hooks below.  On Linux the operations are
 * the NHRP packet socket (nhrp_pktsock.c), our rtnetlink socket
 * (nhrp_kernel.c), NFLOG (nhrp_nflog.c), nftables (nhrp_netfilter.c), zebra (nhrp_zebra.c) and FRR's
 * resolver, and strongSwan's VICI (nhrp_vici.c), bound together in
 * nhrp_sys_linux.c.  The host tests run the
 * same protocol code against a fake (tests/unit/fake_system.c).
 *
 * The protocol never calls the kernel, zebra or the resolver directly.
 */
#ifndef NHRP_SYSTEM_H
#define NHRP_SYSTEM_H

#include "hook.h"
#include "prefix.h"

#include "nhrpd/nhrpd.h"

#define ETH_P_NHRP 0x2001

/* what the tunnel device says about itself */
struct nhrp_gre_info {
	bool is_gre;		/* an ip_gre/ip6gre device */
	bool multipoint;	/* no fixed remote */
	struct ipaddr local;	/* local NBMA address (may be unset) */
	uint32_t ikey, okey;
	ifindex_t link_ifindex;
};

/* the route zebra would use for an address */
struct nhrp_route_info {
	struct prefix prefix;	/* the route's own prefix */
	struct ipaddr gateway;	/* unset: directly reachable */
	ifindex_t ifindex;
	uint8_t type;		/* ZEBRA_ROUTE_* */
};

/* packets handed up by netfilter's NFLOG target */
typedef void (*nhrp_nflog_cb)(ifindex_t in, ifindex_t out, const uint8_t *pkt,
			      size_t len, void *arg);
struct nhrp_nflog;

/* what nhrpd's own netfilter rules capture (nhrp_system.capture) */
enum nhrp_capture {
	/* IPv4 forwarded in and out of the interface, the first of every
	 * /24 source and destination pair and then at most 4 a minute */
	NHRP_CAPTURE_REDIRECT,
	/* IPv4 link-local multicast (224.0.0.0/24) leaving the interface;
	 * the original is dropped */
	NHRP_CAPTURE_MULTICAST,
	/* the same for an IPv6 overlay: forwarded IPv6, per /64 source and
	 * destination pair; IPv6 link-local multicast (ff02::/16) */
	NHRP_CAPTURE_REDIRECT6,
	NHRP_CAPTURE_MULTICAST6,
	NHRP_CAPTURE_MAX,
};

/* a host name lookup (NBMA addresses of next hop servers) */
struct nhrp_resolve;
typedef void (*nhrp_resolve_cb)(struct nhrp_resolve *q,
				const struct ipaddr *addr, const char *err);
struct nhrp_resolve {
	nhrp_resolve_cb cb;
	void *impl[4];		/* the implementation's state */
};

/* a binding an external program may authorise (the event socket,
 * nhrp_event.c); the caller keeps it only for the call */
struct nhrp_event_binding {
	const char *ifname;
	const char *type, *old_type;	/* nhrp_cache_type_str() names */
	unsigned int num_nhs;
	struct ipaddr local_addr;	/* ours, on ifname */
	struct ipaddr local_nbma;
	struct ipaddr remote_addr;	/* the peer's protocol address */
	struct ipaddr remote_nbma;
	bool vc_initiated;
	const uint8_t *local_cert, *remote_cert; /* DER, or NULL */
	size_t local_cert_len, remote_cert_len;
};
typedef void (*nhrp_event_done_cb)(void *arg, bool accept);

/* the NHRP packet socket's counters since start-up */
struct nhrp_packet_stats {
	uint64_t received;	/* taken from the wire by the kernel */
	uint64_t dropped;	/* lost: the receive buffer was full */
	uint64_t send_errors;	/* batched sends the kernel refused */
	uint32_t buffer;	/* the receive buffer as the kernel has it */
};

/* an IKE SA as the IPsec daemon reports it (strongSwan over VICI); the
 * caller keeps it only for the call */
#define NHRP_SA_CHILD_MAX 4
struct nhrp_sa {
	uint32_t id;		  /* the IKE SA's unique id (charon's) */
	struct ipaddr local, remote; /* its hosts (NBMA addresses) */
	const char *identity;	  /* the peer's IKE identity ("" if none) */
	const char *conn;	  /* the IPsec daemon's connection ("" if none) */
	uint8_t version;	  /* IKE 1 or 2 (0: not said) */
	bool initiator;		  /* we initiated it */
	bool established;
	/* its installed child SAs (NHRP_SA_CHILD_UP/DOWN: the one
	 * concerned); nchild counts them all, child[] holds the first */
	uint8_t nchild;
	struct {
		uint32_t id, reqid;
	} child[NHRP_SA_CHILD_MAX];
};

enum nhrp_sa_event {
	NHRP_SA_UP = 1,	   /* the IKE SA is there (new, changed, rekeyed) */
	NHRP_SA_DOWN,	   /* the IKE SA (and its child SAs) went away */
	NHRP_SA_CHILD_UP,  /* sa->child[0] installed in sa */
	NHRP_SA_CHILD_DOWN, /* sa->child[0] of sa went away */
	NHRP_SA_LISTED,	   /* resynchronisation: one IKE SA, all children */
	NHRP_SA_RESYNC_BEGIN, /* (sa NULL) what follows is all there is */
	NHRP_SA_RESYNC_END,   /* (sa NULL) the listing is complete */
	NHRP_SA_DISCONNECTED, /* (sa NULL) the IPsec daemon went away */
};

typedef void (*nhrp_neigh_list_cb)(struct interface *ifp,
				   const struct ipaddr *proto,
				   const struct ipaddr *nbma, void *arg);

struct nhrp_system {
	/* an NHRP packet (ethertype ETH_P_NHRP) or a data packet (ETH_P_IP,
	 * ETH_P_IPV6: a multicast copy) out of ifp to the NBMA address nbma */
	int (*send)(struct interface *ifp, const struct ipaddr *nbma,
		    uint16_t ethertype, const void *pkt, size_t len);
	/* the same packet to n NBMA addresses (multicast copies, batched
	 * into as few system calls as can be); how many went out */
	unsigned int (*send_many)(struct interface *ifp,
				  const struct ipaddr *nbma, unsigned int n,
				  uint16_t ethertype, const void *pkt,
				  size_t len);
	/* neighbour entry proto -> nbma on ifp; nbma NULL: delete it */
	int (*neigh)(struct interface *ifp, const struct ipaddr *proto,
		     const struct ipaddr *nbma);
	/* the neighbour entries marked as NHRP's own (protocol nhrp) that ifp
	 * has for family afi, as an nhrpd before us left them: cb once each,
	 * before it returns */
	void (*neigh_list)(struct interface *ifp, int afi,
			   nhrp_neigh_list_cb cb, void *arg);
	/* the route to dst in zebra's RIB (our own NHRP routes left out);
	 * -1 when there is none */
	int (*route_lookup)(const struct ipaddr *dst,
			    struct nhrp_route_info *ri);
	/* a shortcut route: prefix via a tunnel address on ifp */
	void (*route)(const struct prefix *p, const struct ipaddr *via,
		      struct interface *ifp, bool add);
	int (*gre_info)(struct interface *ifp, struct nhrp_gre_info *gi);
	/* make ifp fit for NHRP of this family: the kernel asks us to
	 * resolve neighbours, no ICMP redirects, multicast flag */
	void (*if_prepare)(struct interface *ifp, int afi, bool multicast);
	struct nhrp_nflog *(*nflog_open)(uint16_t group, nhrp_nflog_cb cb,
					 void *arg);
	void (*nflog_close)(struct nhrp_nflog **nl);
	/* resolve name (IPv4); q->cb is called later, exactly once, unless
	 * resolve_cancel comes first */
	void (*resolve)(struct nhrp_resolve *q, const char *name,
			nhrp_resolve_cb cb);
	void (*resolve_cancel)(struct nhrp_resolve *q);
	/* bind the tunnel ifp to link_ifindex, sending from local
	 * (`tunnel source`) */
	int (*gre_set_source)(struct interface *ifp, ifindex_t link_ifindex,
			      const struct ipaddr *local);
	/* is an external program to authorise bindings (`nhrp event
	 * socket`)?  If so, authorize asks it: done(arg, accept) once, maybe
	 * before it returns (then 0), else later (the id returned, for
	 * authorize_cancel, after which done is not called) */
	bool (*authorizing)(void);
	uint32_t (*authorize)(const struct nhrp_event_binding *b,
			      nhrp_event_done_cb done, void *arg);
	void (*authorize_cancel)(uint32_t id);
	/* nhrpd's own netfilter rules, for what the operator captures with no
	 * rules of his own (no `nhrp nflog-group` / `multicast-nflog-group`):
	 * from now on (on) or no longer, packets of `kind` on ifp go to cb.
	 * The system picks and binds the NFLOG groups, writes the rules (on
	 * Linux the nftables table `inet nhrpd`, nhrp_netfilter.c) and says
	 * itself what fails.  Asking for the state there is is a no-op. */
	void (*capture)(enum nhrp_capture kind, struct interface *ifp, bool on,
			nhrp_nflog_cb cb, void *arg);
	/* size the receive buffer of the NHRP packet socket (bytes; the
	 * system says itself when it cannot) */
	void (*packet_buffer)(uint32_t bytes);
	/* the packet socket's counters; -1 when there are none */
	int (*packet_stats)(struct nhrp_packet_stats *st);
	/* IPsec (`tunnel protection`): keep in touch with the IPsec daemon
	 * (on) or no longer; its SAs arrive through nhrp_sys_sa.  The system
	 * says itself what fails and retries. */
	void (*ipsec)(bool on);
	/* delete the IKE SA `id` and its child SAs; -1 when it cannot be
	 * asked now (NHRP_SA_DOWN follows once it is gone) */
	int (*sa_terminate)(uint32_t id);
};

extern const struct nhrp_system *nhrp_sys;
void nhrp_system_set(const struct nhrp_system *sys);

/*
 * Upward: what the world tells us.  The system implementation calls the
 * nhrp_sys_* functions; protocol modules register on the hooks.
 */
/* an NHRP packet arrived on ifp from the NBMA address `from` */
DECLARE_HOOK(nhrp_sys_packet, (struct interface *ifp,
			       const struct ipaddr *from, const uint8_t *buf,
			       size_t len),
	     (ifp, from, buf, len));
void nhrp_sys_packet_in(struct interface *ifp, const struct ipaddr *from,
			const uint8_t *buf, size_t len);

/* the kernel wants proto on ifp resolved (an application probe) */
DECLARE_HOOK(nhrp_sys_neigh_probe,
	     (struct interface *ifp, const struct ipaddr *proto),
	     (ifp, proto));
void nhrp_sys_neigh_probe_in(struct interface *ifp, const struct ipaddr *proto);

/* an interface, its addresses or its tunnel changed (NULL: any of them) */
DECLARE_HOOK(nhrp_sys_if_change, (struct interface *ifp), (ifp));
void nhrp_sys_if_change_in(struct interface *ifp);

/* an interface is about to go away (deleted in the system) */
DECLARE_HOOK(nhrp_sys_if_gone, (struct interface *ifp), (ifp));
void nhrp_sys_if_gone_in(struct interface *ifp);

/* the IPsec daemon reports an SA, or its state (nhrp_ipsec.c listens) */
DECLARE_HOOK(nhrp_sys_sa, (enum nhrp_sa_event ev, const struct nhrp_sa *sa),
	     (ev, sa));
void nhrp_sys_sa_in(enum nhrp_sa_event ev, const struct nhrp_sa *sa);

#endif /* NHRP_SYSTEM_H */
