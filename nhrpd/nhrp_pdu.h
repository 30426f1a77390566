// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: what every message handler needs to read and write NHRP packets:
 * the receive context, address conversion, the extensions every message
 * carries (authentication, responder, transit records) and sending.  The
 * bytes themselves are read and written by nhrp_codec.c only.
 */
#ifndef NHRP_PDU_H
#define NHRP_PDU_H

#include "nhrpd/nhrpd.h"
#include "nhrpd/nhrp_codec.h"

#define NHRP_PKT_MAX 1500
/* the preference of our CIEs, as IOS sends it */
#define NHRP_PREF_DEFAULT 255

/* one received packet, validated (nhrp_receive.c), on its way to the
 * handler of its type */
struct nhrp_rx {
	struct interface *ifp;
	int afi;
	struct ipaddr from;	 /* the NBMA address it came from */
	struct nhrp_peer *peer;	 /* the peer at `from`, if we know it */
	struct nhrp_pkt *p;	 /* decoded; handlers may rewrite it */
	const uint8_t *buf;	 /* as received (Error Indications quote it) */
	size_t len;
};

bool nhrp_addr_to_ip(const struct nhrp_addr *a, struct ipaddr *ip);
void nhrp_ip_to_addr(struct nhrp_addr *a, const struct ipaddr *ip);
int nhrp_pkt_afi(const struct nhrp_pkt *p);
uint16_t nhrp_afi_pro_type(int afi);

/* a new packet from us on ifp: our NBMA and protocol addresses as its
 * source; false while we do not know them */
bool nhrp_pdu_init(struct nhrp_pkt *p, uint8_t type, struct interface *ifp,
		   int afi);
/* encode and send p to nbma; counted per interface and peer */
int nhrp_pdu_send(struct interface *ifp, const struct ipaddr *nbma,
		  struct nhrp_pkt *p);

/* Cisco cleartext authentication (extension 7): does p carry ifp's
 * password (true when none is configured)?  nhrp_auth_put (re)writes it
 * with ours: it is regenerated at every hop. */
bool nhrp_auth_ok(struct interface *ifp, const struct nhrp_pkt *p);
void nhrp_auth_put(struct interface *ifp, struct nhrp_pkt *p);
/* the extensions of a request we originate: Responder, Forward and
 * Reverse Transit (empty), authentication; End is added by the caller */
void nhrp_ext_request(struct interface *ifp, struct nhrp_pkt *p,
		      bool responder);
/* our CIE in the Responder Address extension of a reply */
void nhrp_ext_responder(struct interface *ifp, int afi, struct nhrp_pkt *p);
/* our record in a Forward or Reverse Transit NHS Record extension */
void nhrp_ext_transit_add(struct interface *ifp, int afi, struct nhrp_pkt *p,
			  uint16_t type);
/* the Cisco NAT extension of a packet we originate or answer (made anew):
 * with our CIE (our real NBMA address, as our servers see it) when we are
 * behind NAT, else empty */
void nhrp_ext_nat(struct interface *ifp, int afi, struct nhrp_pkt *p);
/* the NBMA address the NAT extension of p gives for proto; false if none */
bool nhrp_ext_nat_find(const struct nhrp_pkt *p, const struct ipaddr *proto,
		       struct ipaddr *nbma);
/* make sure the NAT extension of p has a CIE for proto (nbma): a server
 * forwarding a packet tells the next one where its sender really is */
void nhrp_ext_nat_add(struct nhrp_pkt *p, const struct ipaddr *proto,
		      const struct ipaddr *nbma);
/* how many records the given transit extension has */
unsigned int nhrp_ext_transit_count(const struct nhrp_pkt *p, uint16_t type);
/* is our protocol address in the Forward Transit records (a loop)? */
bool nhrp_ext_transit_has_us(struct interface *ifp, int afi,
			     const struct nhrp_pkt *p);

#endif
