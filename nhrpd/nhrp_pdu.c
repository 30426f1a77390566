// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: building and sending NHRP packets (see nhrp_pdu.h).
 */
#include "nhrpd/nhrpd.h"

#include "log.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_pdu.h"
#include "nhrpd/nhrp_system.h"

bool nhrp_addr_to_ip(const struct nhrp_addr *a, struct ipaddr *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (a->len == 4) {
		SET_IPADDR_V4(ip);
		memcpy(&ip->ipaddr_v4, a->a, 4);
	} else if (a->len == 16) {
		SET_IPADDR_V6(ip);
		memcpy(&ip->ipaddr_v6, a->a, 16);
	} else
		return false;
	return true;
}

void nhrp_ip_to_addr(struct nhrp_addr *a, const struct ipaddr *ip)
{
	memset(a, 0, sizeof(*a));
	if (IS_IPADDR_V4(ip))
		nhrp_addr_set(a, &ip->ipaddr_v4, 4);
	else if (IS_IPADDR_V6(ip))
		nhrp_addr_set(a, &ip->ipaddr_v6, 16);
}

int nhrp_pkt_afi(const struct nhrp_pkt *p)
{
	if (p->pro_type == NHRP_PRO_IPV4)
		return NHRP_AFI_IP;
	if (p->pro_type == NHRP_PRO_IPV6)
		return NHRP_AFI_IP6;
	return -1;
}

uint16_t nhrp_afi_pro_type(int afi)
{
	return afi == NHRP_AFI_IP ? NHRP_PRO_IPV4 : NHRP_PRO_IPV6;
}

bool nhrp_pdu_init(struct nhrp_pkt *p, uint8_t type, struct interface *ifp,
		   int afi)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);

	nhrp_pkt_init(p, type, NHRP_AFN_IPV4, nhrp_afi_pro_type(afi));
	if (IS_IPADDR_NONE(&nifp->nbma) || IS_IPADDR_NONE(&nifp->proto[afi]))
		return false;
	nhrp_ip_to_addr(&p->src_nbma, &nifp->nbma);
	nhrp_ip_to_addr(&p->src_proto, &nifp->proto[afi]);
	return true;
}

int nhrp_pdu_send(struct interface *ifp, const struct ipaddr *nbma,
		  struct nhrp_pkt *p)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_peer *peer;
	uint8_t buf[NHRP_PKT_MAX];
	int len = nhrp_encode(p, buf, sizeof(buf));

	if (len < 0) {
		flog_warn(EC_NHRP_ENCODE, "%s: cannot encode %s: %s", ifp->name,
			  nhrp_type_name(p->type), nhrp_reason_name(len));
		nifp->stats.tx_errors++;
		return -1;
	}
	if (nhrp_sys->send(ifp, nbma, ETH_P_NHRP, buf, len) < 0) {
		nifp->stats.tx_errors++;
		return -1;
	}
	if (p->type >= 1 && p->type <= 8)
		nifp->stats.tx[p->type]++;
	if ((peer = nhrp_peer_find(ifp, nbma)))
		peer->stats.tx++;
	nhrp_debug(COMMON, "%s: sent %s id %u to %pIA", ifp->name,
		   nhrp_type_name(p->type), p->reqid, nbma);
	return 0;
}

/* ---- authentication ------------------------------------------------------------ */

bool nhrp_auth_ok(struct interface *ifp, const struct nhrp_pkt *p)
{
	const char *auth = nhrp_if(ifp)->auth;
	size_t len = strlen(auth);
	int i;

	if (!len)
		return true;
	i = nhrp_ext_find(p, NHRP_EXT_AUTH);
	if (i < 0)
		return false;
	return p->ext[i].auth_type == NHRP_AUTH_CLEARTEXT &&
	       p->ext[i].value_len == len &&
	       memcmp(p->ext[i].value, auth, len) == 0;
}

void nhrp_auth_put(struct interface *ifp, struct nhrp_pkt *p)
{
	const char *auth = nhrp_if(ifp)->auth;
	int i = nhrp_ext_find(p, NHRP_EXT_AUTH);
	struct nhrp_ext *e;

	if (!auth[0]) {
		if (i >= 0) /* not ours to vouch for */
			p->ext[i].type = NHRP_EXT_AUTH;
		return;
	}
	e = i >= 0 ? &p->ext[i]
		   : nhrp_ext_add(p, NHRP_EXT_AUTH | NHRP_EXT_COMPULSORY);
	if (!e)
		return;
	e->raw = false;
	e->auth_type = NHRP_AUTH_CLEARTEXT;
	e->value = (const uint8_t *)auth;
	e->value_len = strlen(auth);
}

/* ---- responder and transit records ------------------------------------------- */

void nhrp_ext_request(struct interface *ifp, struct nhrp_pkt *p,
		      bool responder)
{
	if (responder)
		nhrp_ext_add(p, NHRP_EXT_RESPONDER | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(p, NHRP_EXT_FWD_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_ext_add(p, NHRP_EXT_REV_TRANSIT | NHRP_EXT_COMPULSORY);
	nhrp_auth_put(ifp, p);
}

/* our own CIE: our addresses, host prefix, our holding time */
static bool our_cie(struct interface *ifp, int afi, struct nhrp_pkt *p,
		    struct nhrp_cies *list)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_cie *cie = nhrp_cie_add(p, list);

	if (!cie)
		return false;
	nhrp_ip_to_addr(&cie->nbma, &nifp->nbma);
	nhrp_ip_to_addr(&cie->proto, &nifp->proto[afi]);
	cie->prefix_len = cie->proto.len * 8;
	cie->holdtime = nifp->afi[afi].holdtime;
	cie->mtu = nhrp_if_mtu(ifp, afi);
	cie->pref = NHRP_PREF_DEFAULT;
	return true;
}

void nhrp_ext_responder(struct interface *ifp, int afi, struct nhrp_pkt *p)
{
	int i = nhrp_ext_find(p, NHRP_EXT_RESPONDER);

	if (i < 0 || p->ext[i].raw)
		return;
	p->ext[i].cie.count = 0;
	our_cie(ifp, afi, p, &p->ext[i].cie);
}

void nhrp_ext_nat(struct interface *ifp, int afi, struct nhrp_pkt *p)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	int i = nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS);
	struct nhrp_ext *e;
	struct nhrp_cie *cie;

	if (i >= 0 && p->ext[i].raw)
		return;
	e = i >= 0 ? &p->ext[i] : nhrp_ext_add(p, NHRP_EXT_NAT_ADDRESS);
	if (e)
		e->cie.count = 0;
	if (!e || IS_IPADDR_NONE(&nifp->nat_nbma))
		return;
	cie = nhrp_cie_add(p, &e->cie);
	if (!cie)
		return;
	nhrp_ip_to_addr(&cie->nbma, &nifp->nat_nbma);
	nhrp_ip_to_addr(&cie->proto, &nifp->proto[afi]);
	cie->prefix_len = cie->proto.len * 8;
	cie->mtu = nhrp_if_mtu(ifp, afi);
}

bool nhrp_ext_nat_find(const struct nhrp_pkt *p, const struct ipaddr *proto,
		       struct ipaddr *nbma)
{
	int i = nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS);

	if (i < 0 || p->ext[i].raw)
		return false;
	for (unsigned int n = 0; n < p->ext[i].cie.count; n++) {
		const struct nhrp_cie *cie = NHRP_CIE(p, p->ext[i].cie, n);
		struct ipaddr a;

		if (nhrp_addr_to_ip(&cie->proto, &a) && ipaddr_cmp(&a, proto) == 0)
			return nhrp_addr_to_ip(&cie->nbma, nbma);
	}
	return false;
}

void nhrp_ext_nat_add(struct nhrp_pkt *p, const struct ipaddr *proto,
		      const struct ipaddr *nbma)
{
	struct ipaddr have;
	struct nhrp_ext *e;
	struct nhrp_cie *cie;
	int i = nhrp_ext_find(p, NHRP_EXT_NAT_ADDRESS);

	if (nhrp_ext_nat_find(p, proto, &have))
		return;
	if (i >= 0 && p->ext[i].raw)
		return;
	e = i >= 0 ? &p->ext[i] : nhrp_ext_add(p, NHRP_EXT_NAT_ADDRESS);
	if (!e || !(cie = nhrp_cie_add(p, &e->cie)))
		return;
	nhrp_ip_to_addr(&cie->nbma, nbma);
	nhrp_ip_to_addr(&cie->proto, proto);
	cie->prefix_len = cie->proto.len * 8;
}

unsigned int nhrp_ext_transit_count(const struct nhrp_pkt *p, uint16_t type)
{
	int i = nhrp_ext_find(p, type);

	return i < 0 || p->ext[i].raw ? 0 : p->ext[i].cie.count;
}

void nhrp_ext_transit_add(struct interface *ifp, int afi, struct nhrp_pkt *p,
			  uint16_t type)
{
	int i = nhrp_ext_find(p, type);

	if (i >= 0 && !p->ext[i].raw)
		our_cie(ifp, afi, p, &p->ext[i].cie);
}

bool nhrp_ext_transit_has_us(struct interface *ifp, int afi,
			     const struct nhrp_pkt *p)
{
	const struct ipaddr *us = &nhrp_if(ifp)->proto[afi];
	int i = nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT);

	if (i < 0 || p->ext[i].raw)
		return false;
	for (unsigned int n = 0; n < p->ext[i].cie.count; n++) {
		struct ipaddr a;

		if (nhrp_addr_to_ip(&NHRP_CIE(p, p->ext[i].cie, n)->proto, &a) &&
		    ipaddr_cmp(&a, us) == 0)
			return true;
	}
	return false;
}
