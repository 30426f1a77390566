// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: per-interface state (see nhrp_if.h).
 */
#include "nhrpd/nhrpd.h"

#include "log.h"
#include "prefix.h"
#include "vrf.h"

#include "nhrpd/nhrp_cache.h"
#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_system.h"

DEFINE_MTYPE_STATIC(NHRPD, NHRP_IF, "NHRP interface");
DEFINE_MTYPE_STATIC(NHRPD, NHRP_CONF, "NHRP configuration item");

DEFINE_HOOK(nhrp_if_changed, (struct interface *ifp), (ifp));
DEFINE_HOOK(nhrp_if_down, (struct interface *ifp), (ifp));

static int nhrp_if_new(struct interface *ifp)
{
	struct nhrp_interface *nifp = XCALLOC(MTYPE_NHRP_IF, sizeof(*nifp));

	nifp->ifp = ifp;
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
		nhrp_afi_conf_defaults(&nifp->afi[afi], afi);
		nhrp_map_list_init(&nifp->afi[afi].maps);
		nhrp_nhs_list_init(&nifp->afi[afi].nhs);
		nhrp_mcast_list_init(&nifp->afi[afi].mcast);
	}
	nhrp_peer_hash_init(&nifp->peers);
	nhrp_cache_hash_init(&nifp->cache);
	nhrp_cache_expiry_init(&nifp->cache_expiry);
	ifp->info = nifp;
	return 0;
}

void nhrp_afi_conf_defaults(struct nhrp_afi_conf *ac, int afi)
{
	ac->holdtime = NHRP_DEFAULT_HOLDTIME;
	ac->shortcut_min_prefix =
		afi == NHRP_AFI_IP ? NHRP_SHORTCUT_MIN_PREFIX : 16;
	ac->max_holdtime = NHRP_MAX_HOLDTIME;
	ac->reg_timeout = 0;
	ac->max_per_nbma = NHRP_MAX_PER_NBMA;
	ac->cache_max = NHRP_CACHE_MAX;
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

struct interface *nhrp_if_lookup(ifindex_t ifindex)
{
	return if_lookup_by_index(ifindex, VRF_DEFAULT);
}

uint16_t nhrp_if_mtu(struct interface *ifp, int afi)
{
	struct nhrp_afi_conf *ac = &nhrp_if(ifp)->afi[afi];

	/* as IOS: the interface's MTU unless `ip nhrp mtu` says otherwise
	 * (`opennhrp`: the interface's, as OpenNHRP announces it) */
	if (ac->mtu && !ac->mtu_opennhrp)
		return ac->mtu;
	return MIN(ifp->mtu, UINT16_MAX);
}

static void to_prefix(const struct ipaddr *ip, uint8_t plen, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = IS_IPADDR_V6(ip) ? AF_INET6 : AF_INET;
	p->prefixlen = plen;
	memcpy(&p->u.prefix, &ip->ip.addr, IS_IPADDR_V6(ip) ? 16 : 4);
}

bool nhrp_if_in_subnet(struct interface *ifp, int afi,
		       const struct ipaddr *proto)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct prefix ours, theirs;
	uint8_t plen = nifp->proto_plen[afi];

	if (IS_IPADDR_NONE(&nifp->proto[afi]) ||
	    plen >= (afi == NHRP_AFI_IP ? 32 : 128))
		return true; /* a host address: no subnet to hold to */
	if (nhrp_afi_of(proto) != afi)
		return false;
	to_prefix(&nifp->proto[afi], plen, &ours);
	to_prefix(proto, plen, &theirs);
	return prefix_match(&ours, &theirs);
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

/* our IPv6 link-local address on ifp: the first one (a GRE device gets
 * one derived from its local address, unless `addrgenmode none`; IOS sets
 * one with `ipv6 address FE80::1 link-local`) */
static bool if_linklocal(struct interface *ifp, struct ipaddr *addr)
{
	struct connected *ifc;
	struct listnode *node;

	for (ALL_LIST_ELEMENTS_RO(ifp->connected, node, ifc)) {
		struct prefix *p = ifc->address;

		if (p->family != AF_INET6 ||
		    !IN6_IS_ADDR_LINKLOCAL(&p->u.prefix6))
			continue;
		memset(addr, 0, sizeof(*addr));
		SET_IPADDR_V6(addr);
		addr->ipaddr_v6 = p->u.prefix6;
		return true;
	}
	return false;
}

/* `tunnel source IF`: the tunnel is bound to IF and sends from its
 * address, as IOS does; the tunnel is reprogrammed when either changes */
static void if_tunnel_source(struct interface *ifp, struct nhrp_gre_info *gre)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct interface *src;
	struct ipaddr addr;

	src = if_lookup_by_name(nifp->tunnel_source, VRF_DEFAULT);
	if (!src || src->ifindex == IFINDEX_INTERNAL ||
	    !if_first_address(src, AF_INET, &addr, NULL))
		return;
	if (gre->link_ifindex == src->ifindex &&
	    ipaddr_cmp(&gre->local, &addr) == 0)
		return;
	zlog_info("%s: tunnel source %s: local address %pIA", ifp->name,
		  src->name, &addr);
	if (nhrp_sys->gre_set_source(ifp, src->ifindex, &addr) == 0) {
		gre->link_ifindex = src->ifindex;
		gre->local = addr;
	}
}

/* our NBMA address: the tunnel's local address, else the first address of
 * the interface it is bound to (the GRE link, or `tunnel source`) */
static void if_find_nbma(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	struct nhrp_gre_info gre;
	struct interface *src;

	memset(&nifp->nbma, 0, sizeof(nifp->nbma));
	nifp->gre_key = 0;
	if (ifp->ifindex == IFINDEX_INTERNAL)
		return;
	if (nhrp_sys->gre_info(ifp, &gre) == 0 && gre.is_gre) {
		if (nifp->tunnel_source[0])
			if_tunnel_source(ifp, &gre);
		nifp->gre_key = gre.ikey;
		if (!IS_IPADDR_NONE(&gre.local)) {
			nifp->nbma = gre.local;
			return;
		}
		if (!nifp->tunnel_source[0] && gre.link_ifindex) {
			src = nhrp_if_lookup(gre.link_ifindex);
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

/* static entries that the configuration no longer has */
static void static_prune(struct nhrp_cache *c, void *arg)
{
	struct nhrp_interface *nifp = nhrp_if(c->ifp);
	int afi = nhrp_afi_of(&c->proto);
	struct nhrp_map_conf *m;

	if (c->type != NHRP_CACHE_STATIC)
		return;
	if (nifp->enabled[afi])
		frr_each (nhrp_map_list, &nifp->afi[afi].maps, m)
			if (!m->local && ipaddr_cmp(&m->proto, &c->proto) == 0 &&
			    c->peer && ipaddr_cmp(&m->nbma, &c->peer->nbma) == 0)
				return;
	nhrp_cache_del(c);
}

/* our own addresses that are no longer ours: the interface's, and those
 * of `ip nhrp map X local` */
static void local_prune(struct nhrp_cache *c, void *arg)
{
	struct nhrp_interface *nifp = nhrp_if(c->ifp);
	struct nhrp_map_conf *m;
	int afi = nhrp_afi_of(&c->proto);

	if (c->type != NHRP_CACHE_LOCAL)
		return;
	if (nifp->enabled[afi]) {
		if (ipaddr_cmp(&c->proto, &nifp->proto[afi]) == 0 ||
		    ipaddr_cmp(&c->proto, &nifp->linklocal) == 0)
			return;
		frr_each (nhrp_map_list, &nifp->afi[afi].maps, m)
			if (m->local && ipaddr_cmp(&m->proto, &c->proto) == 0)
				return;
	}
	nhrp_cache_del(c);
}

/*
 * Bring the interface's NHRP state in line with its configuration and
 * with what the system says: called on every configuration change and
 * interface/address event.  Static `map` entries are kept whatever the
 * order in which configuration and interfaces arrive (FRR #1164 dropped
 * maps configured before the NBMA address was known).
 */
void nhrp_if_update(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);
	bool known = ifp->ifindex != IFINDEX_INTERNAL;
	struct ipaddr old_nbma;
	bool adopt[NHRP_AFI_MAX] = {};

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

		nifp->enabled[afi] = known && ac->network_id != 0;
		if (!nifp->enabled[afi]) {
			if (was)
				nhrp_debug(IF, "%s: NHRP off (%s)", ifp->name,
					   afi == NHRP_AFI_IP ? "ip" : "ipv6");
			memset(&nifp->proto[afi], 0, sizeof(nifp->proto[afi]));
			if (afi == NHRP_AFI_IP6)
				memset(&nifp->linklocal, 0,
				       sizeof(nifp->linklocal));
			continue;
		}
		if (!was) {
			nhrp_debug(IF, "%s: NHRP on (%s), network-id %u",
				   ifp->name, afi == NHRP_AFI_IP ? "ip" : "ipv6",
				   ac->network_id);
			adopt[afi] = true;
		}
		nhrp_sys->if_prepare(ifp, afi,
				     nhrp_mcast_list_count(&ac->mcast) > 0);
		if (!if_first_address(ifp, nhrp_afi_family(afi),
				      &nifp->proto[afi], &nifp->proto_plen[afi]))
			memset(&nifp->proto[afi], 0, sizeof(nifp->proto[afi]));
		if (afi == NHRP_AFI_IP6 && !if_linklocal(ifp, &nifp->linklocal))
			memset(&nifp->linklocal, 0, sizeof(nifp->linklocal));
	}

	/* static maps: drop what is not configured, set what is; our own
	 * addresses that are no longer ours go first, so an address whose
	 * `map ... local` became `map ... NBMA` is set as static */
	nhrp_cache_walk(ifp, static_prune, NULL);
	nhrp_cache_walk(ifp, local_prune, NULL);
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
		struct nhrp_map_conf *m;

		if (!nifp->enabled[afi])
			continue;
		frr_each (nhrp_map_list, &nifp->afi[afi].maps, m) {
			struct nhrp_cache *c = nhrp_cache_get(ifp, &m->proto);

			/* `local`: an address of ours that is not the
			 * interface's (FRR's meaning): resolved to our NBMA
			 * address, never registered by anyone else */
			if (m->local)
				nhrp_cache_set(c, NHRP_CACHE_LOCAL, NULL, NULL,
					       0);
			else if (c->type <= NHRP_CACHE_STATIC)
				nhrp_cache_set(c, NHRP_CACHE_STATIC, &m->nbma,
					       NULL, 0);
		}
		if (!IS_IPADDR_NONE(&nifp->proto[afi]))
			nhrp_cache_set(nhrp_cache_get(ifp, &nifp->proto[afi]),
				       NHRP_CACHE_LOCAL, NULL, NULL, 0);
		/* our link-local too: answered for, never registered by
		 * another station */
		if (afi == NHRP_AFI_IP6 && !IS_IPADDR_NONE(&nifp->linklocal))
			nhrp_cache_set(nhrp_cache_get(ifp, &nifp->linklocal),
				       NHRP_CACHE_LOCAL, NULL, NULL, 0);
	}
	/* NHRP just came on: what a previous nhrpd left in the kernel keeps
	 * traffic flowing until the protocol has renewed it (registrations
	 * on a server, resolutions on a client) or its holding time is over */
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++)
		if (adopt[afi])
			nhrp_cache_adopt(ifp, afi,
					 nhrp_nhs_list_count(&nifp->afi[afi].nhs)
						 ? NHRP_CACHE_CACHED
						 : NHRP_CACHE_DYNAMIC,
					 nifp->afi[afi].holdtime);
	hook_call(nhrp_if_changed, ifp);
	if (!nifp->enabled[NHRP_AFI_IP] && !nifp->enabled[NHRP_AFI_IP6])
		nhrp_cache_flush(ifp, NHRP_CACHE_LOCAL);
}

void nhrp_if_update_all(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp)
		nhrp_if_update(ifp);
}

/* everything NHRP keeps for ifp goes (the configuration stays) */
static void if_stop(struct interface *ifp)
{
	struct nhrp_interface *nifp = nhrp_if(ifp);

	hook_call(nhrp_if_down, ifp);
	nhrp_cache_flush(ifp, NHRP_CACHE_LOCAL);
	memset(nifp->enabled, 0, sizeof(nifp->enabled));
	THREAD_OFF(nifp->t_cache_expiry);
	if (nhrp_peer_hash_count(&nifp->peers))
		flog_err(EC_NHRP_INTERNAL, "%s: %zu peers still referenced",
			 ifp->name, nhrp_peer_hash_count(&nifp->peers));
}

static int nhrp_if_delete(struct interface *ifp)
{
	struct nhrp_interface *nifp = ifp->info;

	if (!nifp)
		return 0;
	if_stop(ifp);
	nhrp_if_conf_clear(nifp);
	for (int afi = 0; afi < NHRP_AFI_MAX; afi++) {
		nhrp_map_list_fini(&nifp->afi[afi].maps);
		nhrp_nhs_list_fini(&nifp->afi[afi].nhs);
		nhrp_mcast_list_fini(&nifp->afi[afi].mcast);
	}
	if (!nhrp_peer_hash_count(&nifp->peers))
		nhrp_peer_hash_fini(&nifp->peers);
	nhrp_cache_hash_fini(&nifp->cache);
	nhrp_cache_expiry_fini(&nifp->cache_expiry);
	XFREE(MTYPE_NHRP_IF, ifp->info);
	return 0;
}

static int if_change(struct interface *ifp)
{
	if (ifp)
		nhrp_if_update(ifp);
	else
		nhrp_if_update_all();
	return 0;
}

static int if_gone(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s deleted", ifp->name);
	if (ifp->info)
		if_stop(ifp);
	return 0;
}

void nhrp_if_init(void)
{
	hook_register_prio(if_add, 0, nhrp_if_new);
	hook_register_prio(if_del, 0, nhrp_if_delete);
	hook_register(nhrp_sys_if_change, if_change);
	hook_register(nhrp_sys_if_gone, if_gone);
}

/* at shut-down: stop everything (each module has its own say first) */
void nhrp_if_terminate(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct interface *ifp;

	FOR_ALL_INTERFACES (vrf, ifp)
		if (ifp->info)
			if_stop(ifp);
}
