// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: NHRP packet socket (see nhrp_io.h).
 */
#include "nhrpd.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>

#include "log.h"
#include "privs.h"
#include "nhrpd/nhrp_io.h"

static int io_fd = -1;
static struct thread *t_io;
static nhrp_io_recv_cb recv_cb;

static void io_read(struct thread *t)
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

	thread_add_read(master, io_read, NULL, io_fd, &t_io);
	/* a bounded batch per wake-up, so one busy source cannot starve
	 * the rest of the event loop */
	for (int i = 0; i < 64; i++) {
		struct ipaddr src = {};
		ssize_t len;

		msg.msg_namelen = sizeof(sll);
		len = recvmsg(io_fd, &msg, MSG_DONTWAIT);
		if (len < 0)
			return;
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (sll.sll_halen == 4) {
			SET_IPADDR_V4(&src);
			memcpy(&src.ipaddr_v4, sll.sll_addr, 4);
		} else
			continue; /* IPv4 NBMA only (ip_gre) */
		if (recv_cb)
			recv_cb(sll.sll_ifindex, &src, buf, len);
	}
}

int nhrp_io_init(nhrp_io_recv_cb cb)
{
	recv_cb = cb;
	frr_with_privs (&nhrpd_privs) {
		io_fd = socket(PF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC,
			       htons(ETH_P_NHRP));
	}
	if (io_fd < 0) {
		zlog_err("NHRP packet socket: %s", safe_strerror(errno));
		return -1;
	}
	thread_add_read(master, io_read, NULL, io_fd, &t_io);
	return 0;
}

void nhrp_io_fini(void)
{
	THREAD_OFF(t_io);
	if (io_fd >= 0)
		close(io_fd);
	io_fd = -1;
}

int nhrp_io_send(int ifindex, const struct ipaddr *dst_nbma, uint16_t proto,
		 const void *pkt, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = ifindex,
		.sll_halen = 4,
	};

	if (io_fd < 0 || !IS_IPADDR_V4(dst_nbma))
		return -1;
	memcpy(sll.sll_addr, &dst_nbma->ipaddr_v4, 4);
	if (sendto(io_fd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll)) <
	    0) {
		nhrp_debug(KERNEL, "send to %pIA on ifindex %d: %s", dst_nbma,
			   ifindex, safe_strerror(errno));
		return -1;
	}
	return 0;
}
