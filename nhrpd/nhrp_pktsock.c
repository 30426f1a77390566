// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the NHRP packet socket.  One AF_PACKET socket for ETH_P_NHRP on
 * every GRE interface: ip_gre takes the link-layer address we give as the
 * outer (NBMA) destination, and reports the outer source on receive.  The
 * same socket sends the unicast copies of multicast (ETH_P_IP).
 */
#include "nhrpd/nhrpd.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>

#include "log.h"
#include "privs.h"

#include "nhrpd/nhrp_errors.h"
#include "nhrpd/nhrp_if.h"
#include "nhrpd/nhrp_sys_linux.h"
#include "nhrpd/nhrp_system.h"

static int sock_fd = -1;
static struct thread *t_read;

static void sock_read(struct thread *t)
{
	uint8_t buf[65536];
	struct sockaddr_ll sll;
	struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
	struct msghdr msg = {
		.msg_name = &sll,
		.msg_namelen = sizeof(sll),
		.msg_iov = &iov,
		.msg_iovlen = 1,
	};

	thread_add_read(master, sock_read, NULL, sock_fd, &t_read);
	/* a bounded batch per wake-up, so one busy source cannot starve
	 * the rest of the event loop */
	for (int i = 0; i < 64; i++) {
		struct ipaddr src = {};
		struct interface *ifp;
		ssize_t len;

		msg.msg_namelen = sizeof(sll);
		len = recvmsg(sock_fd, &msg, MSG_DONTWAIT);
		if (len < 0)
			return;
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (sll.sll_halen != 4)
			continue; /* IPv4 NBMA only (ip_gre) */
		SET_IPADDR_V4(&src);
		memcpy(&src.ipaddr_v4, sll.sll_addr, 4);
		ifp = nhrp_if_lookup(sll.sll_ifindex);
		if (ifp)
			nhrp_sys_packet_in(ifp, &src, buf, len);
	}
}

int nhrp_pktsock_init(void)
{
	frr_with_privs (&nhrpd_privs) {
		sock_fd = socket(PF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC,
				 htons(ETH_P_NHRP));
	}
	if (sock_fd < 0) {
		flog_err(EC_NHRP_SOCKET, "NHRP packet socket: %s",
			 safe_strerror(errno));
		return -1;
	}
	thread_add_read(master, sock_read, NULL, sock_fd, &t_read);
	return 0;
}

void nhrp_pktsock_fini(void)
{
	THREAD_OFF(t_read);
	if (sock_fd >= 0)
		close(sock_fd);
	sock_fd = -1;
}

int nhrp_pktsock_send(struct interface *ifp, const struct ipaddr *nbma,
		      uint16_t ethertype, const void *pkt, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ethertype),
		.sll_ifindex = ifp->ifindex,
		.sll_halen = 4,
	};

	if (sock_fd < 0 || !IS_IPADDR_V4(nbma))
		return -1;
	memcpy(sll.sll_addr, &nbma->ipaddr_v4, 4);
	if (sendto(sock_fd, pkt, len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) < 0) {
		nhrp_debug(KERNEL, "send to %pIA on %s: %s", nbma, ifp->name,
			   safe_strerror(errno));
		return -1;
	}
	return 0;
}
