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
 * (PACKET_STATISTICS, `show ip nhrp traffic`).  The replies to a batch
 * leave together (sendmmsg) once it is handled, and multicast copies go
 * TX_BATCH per system call, all from one buffer.
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

/* replies to one receive batch leave together (sendmmsg) when it is
 * done; anything else goes out at once */
#define TX_BATCH RX_BATCH
#define TX_SLOT 1500 /* NHRP_PKT_MAX */

static struct {
	bool deferring;
	unsigned int n;
	struct mmsghdr msg[TX_BATCH];
	struct iovec iov[TX_BATCH];
	struct sockaddr_ll sll[TX_BATCH];
	uint8_t buf[TX_BATCH][TX_SLOT];
	uint64_t errors;
} tx;

static void sll_to(struct sockaddr_ll *sll, struct interface *ifp,
		   const struct ipaddr *nbma, uint16_t ethertype)
{
	*sll = (struct sockaddr_ll){
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ethertype),
		.sll_ifindex = ifp->ifindex,
		.sll_halen = 4,
	};
	memcpy(sll->sll_addr, &nbma->ipaddr_v4, 4);
}

/* msg[0..n) out; each one the kernel refuses is logged and skipped */
static unsigned int send_batch(struct mmsghdr *msg, unsigned int n)
{
	unsigned int done = 0, sent = 0;

	while (done < n) {
		int r = sendmmsg(sock_fd, msg + done, n - done, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			const struct sockaddr_ll *sll = msg[done].msg_hdr.msg_name;
			struct in_addr a;

			memcpy(&a, sll->sll_addr, 4);
			nhrp_debug(KERNEL, "send to %pI4 on ifindex %d: %s", &a,
				   sll->sll_ifindex, safe_strerror(errno));
			tx.errors++;
			done++;
			continue;
		}
		done += r;
		sent += r;
	}
	return sent;
}

static void tx_flush(void)
{
	if (tx.n)
		send_batch(tx.msg, tx.n);
	tx.n = 0;
}

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
		tx.deferring = true;
		for (int i = 0; i < n; i++)
			rx_one(&rx.sll[i], rx.buf[i], rx.msg[i].msg_len);
		tx.deferring = false;
		tx_flush();
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
	st->send_errors = tx.errors;
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
	tx.n = 0;
	tx.errors = 0;
}

int nhrp_pktsock_send(struct interface *ifp, const struct ipaddr *nbma,
		      uint16_t ethertype, const void *pkt, size_t len)
{
	struct sockaddr_ll sll;

	if (sock_fd < 0 || !IS_IPADDR_V4(nbma))
		return -1;
	if (tx.deferring && len <= TX_SLOT) {
		unsigned int i = tx.n++;

		memcpy(tx.buf[i], pkt, len);
		sll_to(&tx.sll[i], ifp, nbma, ethertype);
		tx.iov[i] = (struct iovec){.iov_base = tx.buf[i], .iov_len = len};
		tx.msg[i].msg_hdr = (struct msghdr){
			.msg_name = &tx.sll[i],
			.msg_namelen = sizeof(tx.sll[i]),
			.msg_iov = &tx.iov[i],
			.msg_iovlen = 1,
		};
		if (tx.n == TX_BATCH)
			tx_flush();
		return 0;
	}
	sll_to(&sll, ifp, nbma, ethertype);
	if (sendto(sock_fd, pkt, len, 0, (struct sockaddr *)&sll,
		   sizeof(sll)) < 0) {
		nhrp_debug(KERNEL, "send to %pIA on %s: %s", nbma, ifp->name,
			   safe_strerror(errno));
		return -1;
	}
	return 0;
}

/* one packet to n addresses: one iovec, n headers, MCAST_BATCH-sized
 * sendmmsg calls; nothing allocated */
unsigned int nhrp_pktsock_send_many(struct interface *ifp,
				    const struct ipaddr *nbma, unsigned int n,
				    uint16_t ethertype, const void *pkt,
				    size_t len)
{
	struct mmsghdr msg[TX_BATCH];
	struct sockaddr_ll sll[TX_BATCH];
	struct iovec iov = {.iov_base = (void *)pkt, .iov_len = len};
	unsigned int sent = 0, k = 0;

	if (sock_fd < 0)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		if (!IS_IPADDR_V4(&nbma[i]))
			continue;
		sll_to(&sll[k], ifp, &nbma[i], ethertype);
		msg[k].msg_hdr = (struct msghdr){
			.msg_name = &sll[k],
			.msg_namelen = sizeof(sll[k]),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		if (++k == TX_BATCH) {
			sent += send_batch(msg, k);
			k = 0;
		}
	}
	if (k)
		sent += send_batch(msg, k);
	return sent;
}
