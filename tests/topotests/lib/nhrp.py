# SPDX-License-Identifier: GPL-2.0-or-later
"""NHRP packets (RFC 2332) built and read in Python, for the hostile-peer
topotests and tools/bench flood: IPv4 over IPv4 only, what an attacker on
the NBMA network sends and what comes back.

    p = pdu(RES_REQ, src_nbma="198.51.100.66", src_proto="10.255.0.66",
            dst_proto="10.255.0.12", reqid=7, cies=[cie()], auth="s3cret")
    with Listener(node) as l:           # AF_PACKET on node's gre1
        inject(node, [p], HUB_NBMA)     # lib.cisco.inject
        got = l.wait(lambda q: q.type == ERROR, 5)
    q = parse(got[0].pdu); q.code, q.cies[0].prefix ...

The packet's layout: the fixed header (ar$afn 1, ar$pro 0x0800, hop count,
size, checksum, extension offset, version 1, type, address lengths 4/0),
the mandatory part (protocol address lengths, flags, request id, or error
code and offset for an Error Indication, then source NBMA, source and
destination protocol addresses, CIEs), the extensions (type, length,
payload; the End extension last).  The checksum covers the whole packet.
"""
import select
import socket
import struct
import time
from dataclasses import dataclass, field

RES_REQ, RES_REPLY, REG_REQ, REG_REPLY, PURGE_REQ, PURGE_REPLY, ERROR, TRAFFIC = 1, 2, 3, 4, 5, 6, 7, 8
EXT_END, EXT_RESPONDER, EXT_FWD, EXT_REV, EXT_AUTH, EXT_NAT = 0, 3, 4, 5, 7, 9
COMPULSORY = 0x8000
# flags: Resolution Q (requester is a router) and Registration U (unique);
# Purge N (no reply wanted); the Cisco NAT flag
FLAG_Q, FLAG_U, FLAG_N, FLAG_NAT = 0x8000, 0x8000, 0x8000, 0x0002
ETH_P_NHRP = 0x2001

CODE_SUCCESS, CODE_PROHIBITED, CODE_NO_RESOURCES = 0, 4, 5
ERR_AUTH_FAILURE = 11


def checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def _a(addr):
    return socket.inet_aton(addr) if addr else b""


def cie(code=0, prefix=32, mtu=0, holdtime=600, nbma=None, proto=None, pref=0):
    """One Client Information Entry, encoded."""
    n, p = _a(nbma), _a(proto)
    return struct.pack("!BBHHHBBBB", code, prefix, 0, mtu, holdtime, len(n), 0, len(p),
                       pref) + n + p


def ext(etype, payload=b"", compulsory=True):
    return struct.pack("!HH", etype | (COMPULSORY if compulsory else 0), len(payload)) + payload


def auth_ext(password):
    """Authentication extension, cleartext (type 1) as FRR and IOS send it."""
    return ext(EXT_AUTH, struct.pack("!I", 1) + password.encode())


def pdu(ptype, src_nbma, src_proto, dst_proto, reqid=1, flags=0, cies=(), exts=(),
        auth=None, hop=255, error=None, body=b"", end=True):
    """An NHRP packet.  error=(code, offset) makes it an Error Indication
    (no flags/request id); body is what follows the CIEs (a Traffic
    Indication's quoted packet)."""
    sn, sp, dp = _a(src_nbma), _a(src_proto), _a(dst_proto)
    if error is None:
        mand = struct.pack("!BBHI", len(sp), len(dp), flags, reqid)
    else:
        mand = struct.pack("!BBHHH", len(sp), len(dp), 0, error[0], error[1])
    mand += sn + sp + dp + b"".join(cies) + body
    extb = b"".join(exts)
    if auth is not None:
        extb += auth_ext(auth)
    if end:
        extb += ext(EXT_END)
    extoff = 20 + len(mand) if extb else 0
    size = 20 + len(mand) + len(extb)
    hdr = struct.pack("!HH5sBHHHBBBB", 1, 0x0800, b"\0" * 5, hop, size, 0, extoff, 1, ptype,
                      len(sn), 0)
    b = bytearray(hdr + mand + extb)
    b[12:14] = struct.pack("!H", checksum(bytes(b)))
    return bytes(b)


def ip_quote(src, dst, proto=1):
    """An IPv4 header and 8 bytes, as a Traffic Indication quotes them."""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 0, 0, 64, proto, 0, _a(src), _a(dst))
    h = h[:10] + struct.pack("!H", checksum(h)) + h[12:]
    return h + b"\x08\0\0\0\0\0\0\0"


@dataclass
class Cie:
    code: int
    prefix: int
    holdtime: int
    nbma: str
    proto: str


@dataclass
class Packet:
    type: int
    hop: int
    flags: int = 0
    reqid: int = 0
    code: int = 0            # Error Indication: error code
    offset: int = 0          # and offset
    src_nbma: str = ""
    src_proto: str = ""
    dst_proto: str = ""
    cies: list = field(default_factory=list)
    exts: dict = field(default_factory=dict)   # type -> payload
    quoted: bytes = b""      # Error Indication: the offending packet


def _ip(b):
    return socket.inet_ntoa(b) if len(b) == 4 else b.hex()


def parse(b):
    """Read one NHRP packet (IPv4 addresses); raises ValueError if short."""
    if len(b) < 20:
        raise ValueError("short")
    afn, pro, _, hop, size, _, extoff, ver, ptype, shtl, sstl = struct.unpack(
        "!HH5sBHHHBBBB", b[:20])
    b = b[:size]
    nlen, slen = shtl & 0x3f, sstl & 0x3f
    spl, dpl = b[20], b[21]
    p = Packet(type=ptype, hop=hop)
    if ptype == ERROR:
        p.code, p.offset = struct.unpack("!HH", b[24:28])
    else:
        p.flags, p.reqid = struct.unpack("!HI", b[22:28])
    o = 28
    p.src_nbma = _ip(b[o:o + nlen]); o += nlen + slen
    p.src_proto = _ip(b[o:o + spl]); o += spl
    p.dst_proto = _ip(b[o:o + dpl]); o += dpl
    end = extoff or size
    if ptype == ERROR:
        p.quoted = bytes(b[o:end])
        o = end
    while ptype != ERROR and ptype != TRAFFIC and o + 12 <= end:
        code, pl, _, _, ht, ntl, nstl, cpl, _ = struct.unpack("!BBHHHBBBB", b[o:o + 12])
        o += 12
        n = b[o:o + (ntl & 0x3f)]; o += (ntl & 0x3f) + (nstl & 0x3f)
        c = b[o:o + cpl]; o += cpl
        p.cies.append(Cie(code, pl, ht, _ip(n) if n else "", _ip(c) if c else ""))
    o = extoff
    while extoff and o + 4 <= size:
        t, ln = struct.unpack("!HH", b[o:o + 4])
        p.exts[t & 0x3fff] = bytes(b[o + 4:o + 4 + ln])
        o += 4 + ln
        if t & 0x3fff == EXT_END:
            break
    return p


@dataclass
class Received:
    nbma: str                # the GRE source: who sent it
    pdu: bytes

    @property
    def pkt(self):
        return parse(self.pdu)


class Listener:
    """NHRP packets arriving on a node's mGRE interface (AF_PACKET,
    ETH_P_NHRP; proto=0x0800: the IPv4 packets the tunnel delivers),
    opened in its namespace without a process."""

    def __init__(self, node, ifname="gre1", proto=ETH_P_NHRP):
        from .util import in_netns
        node.flush()
        with in_netns(node.ns):
            self.s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(proto))
            self.s.bind((ifname, proto))
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        self.got = []

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def close(self):
        self.s.close()

    def drain(self, secs=0.0):
        """Read what has arrived, waiting up to secs for more; returns all
        received so far."""
        deadline = time.monotonic() + secs
        while True:
            left = max(0.0, deadline - time.monotonic())
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                return self.got
            data, addr = self.s.recvfrom(65535)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            self.got.append(Received(socket.inet_ntoa(addr[4][:4]), data))

    def wait(self, pred, timeout=10.0):
        """Received packets for which pred(Packet) holds, once there is one
        (or [] at the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            hits = [g for g in self.got if _safe(pred, g)]
            if hits or time.monotonic() >= deadline:
                return hits
            self.drain(min(0.2, max(0.0, deadline - time.monotonic())))


def _safe(pred, g):
    try:
        return pred(g.pkt)
    except (ValueError, struct.error, IndexError):
        return False
