// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: per-interface state.  Every interface FRR's library knows of
 * (from zebra, or from the configuration before zebra tells us about it)
 * carries a struct nhrp_interface in ifp->info.
 */
#include "nhrpd.h"

#include "log.h"
#include "prefix.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_kernel.h"
#include "nhrpd/nhrp_nhs.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_IF, "NHRP interface");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_CONF, "NHRP configuration item");

static int nhrp_if_new(struct interface *ifp)
{
	struct nhrp_interface *nifp = XCALLOC(MTYPE_NHRP_IF, sizeof(*nifp));

	nifp->ifp = ifp;
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
		nifp->afi[afi].holdtime = NHRP_DEFAULT_HOLDTIME;
		nhrp_map_list_init(&nifp->afi[afi].maps);
		nhrp_nhs_list_init(&nifp->afi[afi].nhs);
		nhrp_mcast_list_init(&nifp->afi[afi].mcast);
	}
	ifp->info = nifp;
	return 0;
}

void nhrp_if_conf_clear(struct nhrp_interface *nifp)
{
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
		struct nhrp_afi_conf *ac = &nifp->afi[afi];
		struct nhrp_map_conf *m;
		struct nhrp_nhs_conf *n;
		struct nhrp_mcast_conf *mc;

		while ((m = nhrp_map_list_pop(&ac->maps)))
			XFREE(MTYPE_NHRP_CONF, m);
		while ((n = nhrp_nhs_list_pop(&ac->nhs)))
			XFREE(MTYPE_NHRP_CONF, n);
		while ((mc = nhrp_mcast_list_pop(&ac->mcast)))
			XFREE(MTYPE_NHRP_CONF, mc);
	}
}

void *nhrp_conf_alloc(size_t size)
{
	return XCALLOC(MTYPE_NHRP_CONF, size);
}

int nhrp_afi_family(int afi)
{
	return afi == NHRP_AFI_IP ? AF_INET : AF_INET6;
}

/* first address of the family on ifp, any prefix length (a /24 on the
 * tunnel, as Cisco and OpenNHRP configure it, is fine) */
static bool if_first_address(struct interface *ifp, int family,
			     struct ipaddr *addr, uint8_t *plen)
{
	struct connected *ifc;
	struct listnode *node;

	for (ALL_LIST_ELEMENTS_RO(ifp->connected, node, ifc)) {
		struct prefix *p = ifc->address;

		if (p->family != family)
			continue;
		if (family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&p->u.prefix6))
			continue;
		memset(addr, 0, sizeof(*addr));
		if (family == AF_INET) {
			SET_IPADDR_V4(addr);
			addr->ipaddr_v4 = p->u.prefix4;
		} else {
			SET_IPADDR_V6(addr);
			addr->ipaddr_v6 = p->u.prefix6;
		}
		if (plen)
			*plen = p->prefixlen;
		return true;
	}
	return false;
}

static void if_find_nbma(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_gre_info gre;
	struct interface *src;

	memset(&nifp->nbma, 0, sizeof(nifp->nbma));
	nifp->gre_key = 0;
	if (ifp->ifindex == IFINDEX_INTERNAL)
		return;
	if (nhrp_kernel_gre_info(ifp->ifindex, &gre) == 0 && gre.is_gre) {
		nifp->gre_key = gre.ikey;
		if (!IS_IPADDR_NONE(&gre.local)) {
			nifp->nbma = gre.local;
			return;
		}
		if (!nifp->tunnel_source[0] && gre.link_ifindex) {
			src = if_lookup_by_index(gre.link_ifindex, VRF_DEFAULT);
			if (src)
				if_first_address(src, AF_INET, &nifp->nbma, NULL);
			return;
		}
	}
	if (nifp->tunnel_source[0]) {
		src = if_lookup_by_name(nifp->tunnel_source, VRF_DEFAULT);
		if (src)
			if_first_address(src, AF_INET, &nifp->nbma, NULL);
	}
}

struct static_sync {
	struct nhrp_afi_conf *ac;
	int afi;
};

/* static entries that the configuration no longer has */
static void static_prune(struct nhrp_cache *c, void *arg)
{
	struct static_sync *ss = arg;
	struct nhrp_map_conf *m;

	if (c->type != NHRP_CACHE_STATIC ||
	    (IS_IPADDR_V6(&c->proto) != (ss->afi == NHRP_AFI_IP6)))
		return;
	frr_each (nhrp_map_list, &ss->ac->maps, m)
		if (!m->local && ipaddr_cmp(&m->proto, &c->proto) == 0)
			return;
	nhrp_cache_del(c);
}

static void local_prune(struct nhrp_cache *c, void *arg)
{
	struct nhrp_interface *nifp = arg;

	if (c->type != NHRP_CACHE_LOCAL)
		return;
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++)
		if (nifp->enabled[afi] && ipaddr_cmp(&c->proto, &nifp->proto[afi]) == 0)
			return;
	nhrp_cache_del(c);
}

/*
 * Bring the interface's NHRP state in line with its configuration and
 * with what zebra and the kernel say: called on every configuration
 * change and interface/address event.  Static `map` entries are kept
 * whatever the order in which configuration and interfaces arrive (FRR
 * #1164 dropped maps configured before the NBMA address was known).
 */
void nhrp_if_update(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	bool known = ifp->ifindex != IFINDEX_INTERNAL;
	struct ipaddr old_nbma;

	if (!nifp)
		return;
	old_nbma = nifp->nbma;
	if_find_nbma(ifp);
	if (ipaddr_cmp(&old_nbma, &nifp->nbma) != 0 && !IS_IPADDR_NONE(&old_nbma))
		zlog_info("%s: NBMA address now %pIA (was %pIA)", ifp->name,
			  &nifp->nbma, &old_nbma);
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
		struct nhrp_afi_conf *ac = &nifp->afi[afi];
		bool was = nifp->enabled[afi];
		struct static_sync ss = {.ac = ac, .afi = afi};
		struct nhrp_map_conf *m;

		nifp->enabled[afi] = known && ac->network_id != 0;
		if (!nifp->enabled[afi]) {
			if (was)
				nhrp_debug(IF, "%s: NHRP off (%s)", ifp->name,
					   afi == NHRP_AFI_IP ? "ip" : "ipv6");
			memset(&nifp->proto[afi], 0, sizeof(nifp->proto[afi]));
			continue;
		}
		if (!was) {
			nhrp_debug(IF, "%s: NHRP on (%s), network-id %u",
				   ifp->name, afi == NHRP_AFI_IP ? "ip" : "ipv6",
				   ac->network_id);
			nhrp_kernel_app_probes(ifp->ifindex,
					       nhrp_afi_family(afi));
		}
		if (afi == NHRP_AFI_IP)
			nhrp_kernel_if_prepare(
				ifp->name, nhrp_mcast_list_count(&ac->mcast) > 0);
		if (!if_first_address(ifp, nhrp_afi_family(afi),
				      &nifp->proto[afi], &nifp->proto_plen[afi]))
			memset(&nifp->proto[afi], 0, sizeof(nifp->proto[afi]));

		/* static maps: set what is configured, drop what is not */
		nhrp_cache_walk(ifp, static_prune, &ss);
		frr_each (nhrp_map_list, &ac->maps, m) {
			struct nhrp_cache *c;

			if (m->local)
				continue;
			c = nhrp_cache_get(ifp, &m->proto);
			if (c->type <= NHRP_CACHE_STATIC)
				nhrp_cache_set(c, NHRP_CACHE_STATIC, &m->nbma,
					       NULL, 0);
		}
		if (!IS_IPADDR_NONE(&nifp->proto[afi])) {
			struct nhrp_cache *c =
				nhrp_cache_get(ifp, &nifp->proto[afi]);

			nhrp_cache_set(c, NHRP_CACHE_LOCAL, &nifp->nbma, NULL,
				       0);
		}
	}
	nhrp_cache_walk(ifp, local_prune, nifp);
	if (!nifp->enabled[NHRP_AFI_IP] && !nifp->enabled[NHRP_AFI_IP6])
		nhrp_cache_flush(ifp, NHRP_CACHE_STATIC);
	nhrp_nhs_update(ifp);
	/* a new public address: tell the servers at once */
	if (ipaddr_cmp(&old_nbma, &nifp->nbma) != 0)
		nhrp_nhs_reregister(ifp);
}

static int nhrp_if_delete(struct interface *ifp)
{
	struct nhrp_interface *nifp = ifp->info;

	if (nifp) {
		nhrp_nhs_stop(ifp, false);
		nhrp_cache_flush(ifp, NHRP_CACHE_LOCAL);
		nhrp_if_conf_clear(nifp);
		for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
			nhrp_map_list_fini(&nifp->afi[afi].maps);
			nhrp_nhs_list_fini(&nifp->afi[afi].nhs);
			nhrp_mcast_list_fini(&nifp->afi[afi].mcast);
		}
		XFREE(MTYPE_NHRP_IF, ifp->info);
	}
	return 0;
}

/* zebra's view of the interface changed */
static int nhrp_ifp_create(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s added, ifindex %d, mtu %u", ifp->name,
		   ifp->ifindex, ifp->mtu);
	nhrp_if_update(ifp);
	return 0;
}

static int nhrp_ifp_up(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s up", ifp->name);
	nhrp_if_update(ifp);
	return 0;
}

static int nhrp_ifp_down(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s down", ifp->name);
	nhrp_if_update(ifp);
	return 0;
}

static int nhrp_ifp_destroy(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s deleted", ifp->name);
	nhrp_nhs_stop(ifp, false);
	nhrp_cache_flush(ifp, NHRP_CACHE_LOCAL);
	memset(nhrp_if(ifp)->enabled, 0, sizeof(nhrp_if(ifp)->enabled));
	return 0;
}

void nhrp_if_update_all(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp)
		nhrp_if_update(ifp);
}

void nhrp_if_init(void)
{
	hook_register_prio(if_add, 0, nhrp_if_new);
	hook_register_prio(if_del, 0, nhrp_if_delete);
	if_cmd_init_default();
	if_zapi_callbacks(nhrp_ifp_create, nhrp_ifp_up, nhrp_ifp_down,
			  nhrp_ifp_destroy);
}
