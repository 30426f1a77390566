// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: per-interface state.  Every interface FRR's library knows of
 * (from zebra, or from the configuration before zebra tells us about it)
 * carries a struct nhrp_interface in ifp->info.
 */
#include "nhrpd.h"

#include "log.h"

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

static int nhrp_if_delete(struct interface *ifp)
{
	struct nhrp_interface *nifp = ifp->info;

	if (nifp) {
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
	return 0;
}

static int nhrp_ifp_up(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s up", ifp->name);
	return 0;
}

static int nhrp_ifp_down(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s down", ifp->name);
	return 0;
}

static int nhrp_ifp_destroy(struct interface *ifp)
{
	nhrp_debug(IF, "interface %s deleted", ifp->name);
	return 0;
}

void nhrp_if_init(void)
{
	hook_register_prio(if_add, 0, nhrp_if_new);
	hook_register_prio(if_del, 0, nhrp_if_delete);
	if_cmd_init_default();
	if_zapi_callbacks(nhrp_ifp_create, nhrp_ifp_up, nhrp_ifp_down,
			  nhrp_ifp_destroy);
}
