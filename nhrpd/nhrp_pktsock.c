// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nhrpd: the NHRP packet socket.  One AF_PACKET socket for ETH_P_NHRP on
 * every GRE interface: ip_gre takes the link-layer address we give as the
 * outer (NBMA) destination, and reports the outer source on receive.  The
 * same socket sends the unicast copies of multicast (ETH_P_IP).
 *
 * A hub that restarts meets every spoke's registration at once: the
 * receive buffer is sized for that burst (`nhrp packet-buffer`, past
 * rmem_max with CAP_NET_ADMIN), our own sends are kept out of it
 * (PACKET_IGNORE_OUTGOING), it is drained RX_BATCH packets per system call
 * (recvmmsg), and what the kernel still dropped is counted
 * (PACKET_STATISTICS, `show ip nhrp traffic`).
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

/* how many packets one recvmmsg takes, and how many such batches one
 * wake-up drains before the rest of the event loop gets its turn */
#define RX_BATCH 32
#define RX_ROUNDS 8

static int sock_fd = -1;
static struct thread *t_read;
/* counters of PACKET_STATISTICS, which resets them on every read */
static uint64_t rx_packets, rx_drops;

static struct {
	struct mmsghdr msg[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_ll sll[RX_BATCH];
	uint8_t buf[RX_BATCH][65536];
} rx;

static void rx_prepare(void)
{
	for (int i = 0; i < RX_BATCH; i++) {
		rx.iov[i].iov_base = rx.buf[i];
		rx.iov[i].iov_len = sizeof(rx.buf[i]);
		rx.msg[i].msg_hdr = (struct msghdr){
			.msg_name = &rx.sll[i],
			.msg_namelen = sizeof(rx.sll[i]),
			.msg_iov = &rx.iov[i],
			.msg_iovlen = 1,
		};
	}
}

static void rx_one(const struct sockaddr_ll *sll, const uint8_t *buf,
		   size_t len)
{
	struct ipaddr src = {};
	struct interface *ifp;

	/* our own sends, where PACKET_IGNORE_OUTGOING is unknown */
	if (sll->sll_pkttype == PACKET_OUTGOING)
		return;
	if (sll->sll_halen != 4)
		return; /* IPv4 NBMA only (ip_gre) */
	SET_IPADDR_V4(&src);
	memcpy(&src.ipaddr_v4, sll->sll_addr, 4);
	ifp = nhrp_if_lookup(sll->sll_ifindex);
	if (ifp)
		nhrp_sys_packet_in(ifp, &src, buf, len);
}

static void sock_read(struct thread *t)
{
	thread_add_read(master, sock_read, NULL, sock_fd, &t_read);
	/* bounded per wake-up, so one busy source cannot starve the rest
	 * of the event loop */
	for (int round = 0; round < RX_ROUNDS; round++) {
		int n;

		for (int i = 0; i < RX_BATCH; i++)
			rx.msg[i].msg_hdr.msg_namelen = sizeof(rx.sll[i]);
		n = recvmmsg(sock_fd, rx.msg, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++)
			rx_one(&rx.sll[i], rx.buf[i], rx.msg[i].msg_len);
		if (n < RX_BATCH)
			return;
	}
}

void nhrp_pktsock_buffer(uint32_t bytes)
{
	int val = MIN(bytes, (uint32_t)INT_MAX / 2), ret, err = 0;

	if (sock_fd < 0)
		return;
	/* past net.core.rmem_max: needs CAP_NET_ADMIN, which we keep */
	frr_with_privs (&nhrpd_privs) {
		ret = setsockopt(sock_fd, SOL_SOCKET, SO_RCVBUFFORCE, &val,
				 sizeof(val));
		err = errno;
	}
	if (ret < 0 &&
	    setsockopt(sock_fd, SOL_SOCKET, SO_RCVBUF, &val, sizeof(val)) < 0)
		flog_err(EC_NHRP_SOCKET,
			 "NHRP packet socket: receive buffer of %u bytes: %s",
			 bytes, safe_strerror(errno));
	else if (ret < 0)
		zlog_warn("NHRP packet socket: receive buffer of %u bytes needs CAP_NET_ADMIN (%s): capped by net.core.rmem_max",
			  bytes, safe_strerror(err));
}

int nhrp_pktsock_stats(struct nhrp_packet_stats *st)
{
	struct tpacket_stats tp;
	socklen_t len = sizeof(tp);
	int buf = 0;

	memset(st, 0, sizeof(*st));
	if (sock_fd < 0)
		return -1;
	if (getsockopt(sock_fd, SOL_PACKET, PACKET_STATISTICS, &tp, &len) == 0) {
		/* tp_packets counts the dropped ones too */
		rx_packets += tp.tp_packets;
		rx_drops += tp.tp_drops;
	}
	len = sizeof(buf);
	if (getsockopt(sock_fd, SOL_SOCKET, SO_RCVBUF, &buf, &len) < 0)
		buf = 0;
	st->received = rx_packets;
	st->dropped = rx_drops;
	st->buffer = buf;
	return 0;
}

int nhrp_pktsock_init(void)
{
	int one = 1;

	frr_with_privs (&nhrpd_privs) {
		sock_fd = socket(PF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC,
				 htons(ETH_P_NHRP));
	}
	if (sock_fd < 0) {
		flog_err(EC_NHRP_SOCKET, "NHRP packet socket: %s",
			 safe_strerror(errno));
		return -1;
	}
	/* our own replies would take room in the receive buffer */
	(void)setsockopt(sock_fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
			 sizeof(one));
	nhrp_pktsock_buffer(nhrp_conf.packet_buffer);
	rx_prepare();
	thread_add_read(master, sock_read, NULL, sock_fd, &t_read);
	return 0;
}

void nhrp_pktsock_fini(void)
{
	THREAD_OFF(t_read);
	if (sock_fd >= 0)
		close(sock_fd);
	sock_fd = -1;
	rx_packets = rx_drops = 0;
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
