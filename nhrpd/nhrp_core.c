// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: state shared by the whole protocol core: the memory group, the
 * debug flags, the global configuration, the clock and the system
 * interface with its upward hooks (see nhrp_system.h).
 */
#include "nhrpd/nhrpd.h"

#include "jhash.h"

#include "monotime.h"

#include "nhrpd/nhrp_system.h"

DEFINE_MGROUP(NHRPD, "NHRP");

unsigned int nhrp_debug_flags;
struct nhrp_global_conf nhrp_conf = {
	.packet_buffer = NHRP_PACKET_BUFFER_DEFAULT,
};
const struct nhrp_system *nhrp_sys;

uint32_t nhrp_now(void)
{
	return (uint32_t)monotime(NULL);
}

bool nhrp_ratelimit(struct nhrp_ratelimit *rl, unsigned int burst,
		    unsigned int per, uint32_t *suppressed)
{
	uint32_t now = nhrp_now();

	*suppressed = 0;
	if (now - rl->window >= per || !rl->window) {
		rl->window = now ? now : 1;
		*suppressed = rl->suppressed;
		rl->count = rl->suppressed = 0;
	}
	if (rl->count >= burst) {
		rl->suppressed++;
		return false;
	}
	rl->count++;
	return true;
}

bool nhrp_source_limit(struct nhrp_source_limit *l, const struct ipaddr *src)
{
	uint32_t now = nhrp_now() + 1;	/* 0: a slot never used */
	unsigned int i = jhash(&src->ip.addr, IS_IPADDR_V6(src) ? 16 : 4, 0) %
			 NHRP_SOURCE_SLOTS;

	if (l->window != now) {
		l->window = now;
		l->count = 0;
	}
	if (l->slot[i].window != now || ipaddr_cmp(&l->slot[i].src, src) != 0) {
		l->slot[i].src = *src;
		l->slot[i].window = now;
		l->slot[i].count = 0;
	}
	if (l->count >= l->total || l->slot[i].count >= l->per_source) {
		l->suppressed++;
		return false;
	}
	l->slot[i].count++;
	l->count++;
	return true;
}

void nhrp_system_set(const struct nhrp_system *sys)
{
	nhrp_sys = sys;
}

DEFINE_HOOK(nhrp_sys_packet, (struct interface *ifp,
			      const struct ipaddr *from, const uint8_t *buf,
			      size_t len),
	    (ifp, from, buf, len));
DEFINE_HOOK(nhrp_sys_neigh_probe,
	    (struct interface *ifp, const struct ipaddr *proto),
	    (ifp, proto));
DEFINE_HOOK(nhrp_sys_if_change, (struct interface *ifp), (ifp));
DEFINE_HOOK(nhrp_sys_if_gone, (struct interface *ifp), (ifp));
DEFINE_HOOK(nhrp_sys_sa, (enum nhrp_sa_event ev, const struct nhrp_sa *sa),
	    (ev, sa));

void nhrp_sys_packet_in(struct interface *ifp, const struct ipaddr *from,
			const uint8_t *buf, size_t len)
{
	hook_call(nhrp_sys_packet, ifp, from, buf, len);
}

void nhrp_sys_neigh_probe_in(struct interface *ifp, const struct ipaddr *proto)
{
	hook_call(nhrp_sys_neigh_probe, ifp, proto);
}

void nhrp_sys_if_change_in(struct interface *ifp)
{
	hook_call(nhrp_sys_if_change, ifp);
}

void nhrp_sys_if_gone_in(struct interface *ifp)
{
	hook_call(nhrp_sys_if_gone, ifp);
}

void nhrp_sys_sa_in(enum nhrp_sa_event ev, const struct nhrp_sa *sa)
{
	hook_call(nhrp_sys_sa, ev, sa);
}
