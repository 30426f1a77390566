# SPDX-License-Identifier: GPL-2.0-or-later
"""Real Cisco IOS NHRP packets for the topotests: the Registration Requests
of the capture vectors (tests/vectors, from tcpdump's tests), re-addressed to a test topology, injected from a node, and NHRP
packets read back from a capture through tshark's PDML.

    reqs = registration_requests()          # fails when the vectors are absent
    pdu = readdress(r.pdu, src_nbma=..., src_proto=..., dst_proto=...,
                    nat_nbma=HUB_NBMA, nat_proto=HUB_TUNNEL)
    inject(node, [pdu], HUB_NBMA)           # AF_PACKET on the node's gre1
    pkts = tshark_nhrp(capture.pcap)        # [NhrpPacket]

The re-addressing works at the offsets the header gives (addresses keep
their lengths, so nothing moves): the source NBMA and protocol address, the
destination protocol address, the client addresses of the mandatory CIEs
when they have any, and the first CIE of the Cisco NAT extension (the NHS
as the spoke sees it).  Everything else (request id, flags, hop count, CIE
fields, the other extensions) is kept byte for byte; ar$chksum is
recomputed.  check_readdressed() proves that with the codec (codec_tool).
"""
import json
import os
import socket
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
CODEC_TOOL = os.path.join(TOP, "tests", "unit", "codec_tool")

if os.path.join(TOP, "tests") not in sys.path:
    sys.path.insert(0, os.path.join(TOP, "tests"))
from test_codec_vectors import VECTORS, capture_pdus  # noqa: E402  (pcap/pcapng reader)

from .nhrp import checksum  # noqa: E402  (ar$chksum: the Internet checksum)

REG_REQ, REG_REPLY, ERROR_IND = 3, 4, 7
EXT_END, EXT_RESPONDER, EXT_FWD, EXT_REV, EXT_AUTH, EXT_NAT = 0, 3, 4, 5, 7, 9
COMPULSORY = 0x8000
FLAG_UNIQUE, FLAG_NAT = 0x8000, 0x0002


def skip(reason):
    import pytest
    pytest.skip(reason)


def need_codec_tool():
    if not os.access(CODEC_TOOL, os.X_OK):
        skip("%s is not built (make tests/unit/codec_tool)" % CODEC_TOOL)


# ---- the wire, at its offsets ---------------------------------------------


def _cies(pdu, off, end):
    """[(cie offset, client NBMA (off, len), client proto (off, len))]"""
    out = []
    while off + 12 <= end:
        nl, sl, pl = pdu[off + 8] & 0x3F, pdu[off + 9] & 0x3F, pdu[off + 10]
        a = off + 12
        out.append((off, (a, nl), (a + nl + sl, pl)))
        off = a + nl + sl + pl
    if off != end:
        raise ValueError("CIE list does not end at %d (%d)" % (end, off))
    return out


def layout(pdu):
    """Offsets of what readdress() touches, for types 1-6: a dict with
    src_nbma/src_proto/dst_proto (offset, length), cies (mandatory part)
    and ext [(type, flags, offset of the value, length)]."""
    pktsz, extoff = struct.unpack("!H", pdu[10:12])[0], struct.unpack("!H", pdu[14:16])[0]
    shtl, sstl = pdu[18] & 0x3F, pdu[19] & 0x3F
    spl, dpl = pdu[20], pdu[21]
    o = 28
    lay = {"src_nbma": (o, shtl)}
    o += shtl + sstl
    lay["src_proto"] = (o, spl)
    o += spl
    lay["dst_proto"] = (o, dpl)
    o += dpl
    lay["cies"] = _cies(pdu, o, extoff or pktsz)
    lay["ext"] = []
    o = extoff
    while extoff and o + 4 <= pktsz:
        t, ln = struct.unpack("!HH", pdu[o:o + 4])
        lay["ext"].append((t & 0x3FFF, t & 0xC000, o + 4, ln))
        o += 4 + ln
        if t & 0x3FFF == EXT_END:
            break
    return lay


def _put(buf, where, addr):
    off, ln = where
    raw = socket.inet_aton(addr)
    if ln != len(raw):
        raise ValueError("address length %d at %d, not %d" % (ln, off, len(raw)))
    buf[off:off + ln] = raw


def readdress(pdu, src_nbma, src_proto, dst_proto, nat_nbma=None, nat_proto=None):
    """The packet with its addresses replaced (IPv4 by IPv4: no length
    changes) and ar$chksum recomputed; all other bytes kept."""
    buf = bytearray(pdu[:struct.unpack("!H", pdu[10:12])[0]])
    lay = layout(buf)
    _put(buf, lay["src_nbma"], src_nbma)
    _put(buf, lay["src_proto"], src_proto)
    _put(buf, lay["dst_proto"], dst_proto)
    for _, nbma, proto in lay["cies"]:     # client addresses, when present
        if nbma[1]:
            _put(buf, nbma, src_nbma)
        if proto[1]:
            _put(buf, proto, src_proto)
    for t, _, off, ln in lay["ext"]:
        if t == EXT_NAT and ln:
            cies = _cies(buf, off, off + ln)
            # the NHS as the spoke sees it (a request carries just that one)
            _, nbma, proto = cies[0]
            if nbma[1] and nat_nbma:
                _put(buf, nbma, nat_nbma)
            if proto[1] and nat_proto:
                _put(buf, proto, nat_proto)
    buf[12:14] = b"\0\0"
    buf[12:14] = struct.pack("!H", checksum(bytes(buf)))
    return bytes(buf)


# ---- the codec ------------------------------------------------------------


def decode(pdus):
    """codec_tool decode: one dict per packet."""
    r = subprocess.run([CODEC_TOOL, "decode"], input="".join(p.hex() + "\n" for p in pdus),
                       capture_output=True, text=True, timeout=60)
    if r.returncode:
        raise RuntimeError("codec_tool: " + r.stderr)
    return [json.loads(ln) for ln in r.stdout.splitlines()]


_READDRESSED = ("src_nbma", "src_proto", "dst_proto", "chksum", "reencoded")


def check_readdressed(cases):
    """Assert through the codec that each re-addressed packet is the
    original with only what readdress() changes: one codec_tool run for
    all, both decoded and compared field by field.  cases: (original,
    new, src_nbma, src_proto, dst_proto, nat_nbma, nat_proto) tuples, the
    NAT ones None when the packet has no NAT extension."""
    dec = decode([c[i] for c in cases for i in (0, 1)])
    for n, (orig, new, src_nbma, src_proto, dst_proto, nat_nbma, nat_proto) in enumerate(cases):
        _check_readdressed(dec[2 * n], dec[2 * n + 1], src_nbma, src_proto, dst_proto,
                           nat_nbma, nat_proto)


def _check_readdressed(a, b, src_nbma, src_proto, dst_proto, nat_nbma, nat_proto):
    assert a["ok"] and b["ok"] and b["identical"], b
    assert (b["src_nbma"], b["src_proto"], b["dst_proto"]) == (src_nbma, src_proto, dst_proto)
    for k in a:
        if k not in _READDRESSED + ("cie", "ext"):
            assert a[k] == b[k], (k, a[k], b[k])
    addr_keys = ("nbma", "proto")

    def strip(c):
        return {k: v for k, v in c.items() if k not in addr_keys}
    assert [strip(c) for c in a["cie"]] == [strip(c) for c in b["cie"]]
    for c0, c1 in zip(a["cie"], b["cie"]):
        assert c1["nbma"] == (src_nbma if c0["nbma"] else "")
        assert c1["proto"] == (src_proto if c0["proto"] else "")
    assert len(a["ext"]) == len(b["ext"])
    for e0, e1 in zip(a["ext"], b["ext"]):
        if e0["type"] == EXT_NAT and not e0["raw"]:
            assert [strip(c) for c in e0["cie"]] == [strip(c) for c in e1["cie"]]
            assert e1["cie"][0]["nbma"] == nat_nbma and e1["cie"][0]["proto"] == nat_proto
            assert e0["cie"][1:] == e1["cie"][1:]
            assert {k: v for k, v in e0.items() if k not in ("data", "cie")} == \
                {k: v for k, v in e1.items() if k not in ("data", "cie")}
        else:
            assert e0 == e1, (e0, e1)       # byte for byte (data included)


# ---- the captures ---------------------------------------------------------


@dataclass
class CiscoRequest:
    capture: str
    frame: int
    pdu: bytes
    reqid: int
    flags: int
    src_proto: str          # as captured
    password: str           # "" without an authentication extension
    has_nat: bool
    htime: int
    prefix_len: int
    frames: list = field(default_factory=list)   # every frame with these bytes

    @property
    def label(self):
        return "%s#%d(id %d)" % (self.capture, self.frame, self.reqid)

    @property
    def unique(self):
        return bool(self.flags & FLAG_UNIQUE)


def vector_files():
    files = sorted(f for f in os.listdir(VECTORS) if f.endswith((".pcap", ".pcapng")))
    assert files, "no .pcap/.pcapng in %s (tests/vectors is part of the repo)" % VECTORS
    return files


def registration_requests():
    """Every distinct Registration Request of the vectors (retransmissions
    with identical bytes once, their frames in .frames), in capture order.
    Packets that do not decode (the malformed vector) are left out."""
    need_codec_tool()
    found = []
    for f in vector_files():
        for frame, pdu in capture_pdus(os.path.join(VECTORS, f)):
            if len(pdu) >= 20 and pdu[17] == REG_REQ:
                found.append((f, frame, pdu))
    seen = {}
    out = []
    for (f, frame, pdu), d in zip(found, decode([p for _, _, p in found])):
        if not d["ok"]:
            continue
        pdu = pdu[:d["pktsz"]]
        if pdu in seen:
            seen[pdu].frames.append((f, frame))
            continue
        auth = [e for e in d["ext"] if e["type"] == EXT_AUTH and not e["raw"]]
        r = CiscoRequest(capture=f, frame=frame, pdu=pdu, reqid=d["reqid"], flags=d["flags"],
                         src_proto=d["src_proto"],
                         password=auth[0]["value"] if auth else "",
                         has_nat=any(e["type"] == EXT_NAT for e in d["ext"]),
                         htime=d["cie"][0]["htime"], prefix_len=d["cie"][0]["pl"],
                         frames=[(f, frame)])
        seen[pdu] = r
        out.append(r)
    return out


# ---- injection ------------------------------------------------------------

def inject(node, pdus, nbma, ifname="gre1"):
    """Send NHRP packets from node's mGRE interface to an NBMA address, as
    nhrpd does: AF_PACKET/SOCK_DGRAM for ETH_P_NHRP, the link-layer address
    the GRE destination.  The socket is opened in the node's namespace
    through setns, without a process (a Python start costs seconds under
    TCG)."""
    from .util import in_netns
    node.flush()
    with in_netns(node.ns):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x2001))
    try:
        for p in pdus:
            s.sendto(p, (ifname, 0x2001, 0, 0, socket.inet_aton(nbma)))
    finally:
        s.close()


def pcap_nhrp(path):
    """[(outer IPv4 source, destination, NHRP PDU)] of a capture (being
    written is fine: a packet not yet whole is left out)."""
    from test_codec_vectors import frame_nhrp, read_frames
    out = []
    if not os.path.exists(path) or os.path.getsize(path) < 24:
        return out
    for lt, frame in read_frames(path):
        pdu = frame_nhrp(lt, frame)
        if pdu is None or len(pdu) < 20 or len(pdu) < struct.unpack("!H", pdu[10:12])[0]:
            continue
        ip = frame[14:34] if lt == 1 else frame[16:36] if lt == 113 else frame[:20]
        out.append((socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20]), pdu))
    return out


def captured_nhrp(path, ptype=None, src=None):
    """The NHRP packets of a capture decoded by our codec (codec_tool): one
    dict per packet, as decode() gives it, with "ip_src"/"ip_dst" (outer
    IPv4) added; only those of type ptype and/or from src when given."""
    pkts = [(s, d, pdu) for s, d, pdu in pcap_nhrp(path)
            if (ptype is None or pdu[17] == ptype) and (src is None or s == src)]
    out = decode([pdu for _, _, pdu in pkts]) if pkts else []
    for (s, d, _), dec in zip(pkts, out):
        dec["ip_src"], dec["ip_dst"] = s, d
    return out


def build(*tokens):
    """codec_tool build TOKEN...: the packet's bytes."""
    r = subprocess.run([CODEC_TOOL, "build"] + list(tokens), capture_output=True, text=True,
                       timeout=60)
    if r.returncode:
        raise RuntimeError("codec_tool build: " + r.stderr)
    return bytes.fromhex(r.stdout.strip())


def with_checksum(pdu):
    """pdu with ar$chksum recomputed (after a patch of its bytes)."""
    b = bytearray(pdu)
    b[12:14] = b"\0\0"
    b[12:14] = struct.pack("!H", checksum(bytes(b)))
    return bytes(b)


# ---- tshark -----------------------------------------------------------------


@dataclass
class Cie:
    code: int
    prefix: int
    mtu: int
    htime: int
    nbma: str = ""
    proto: str = ""
    pref: int = 0


@dataclass
class Ext:
    type: int
    compulsory: bool
    length: int
    raw: bytes              # the whole extension as on the wire (header too)
    cies: list = field(default_factory=list)

    @property
    def value(self):
        return self.raw[4:]


@dataclass
class NhrpPacket:
    frame: int
    time: float
    ip_src: str
    ip_dst: str
    type: int
    hopcnt: int
    checksum_good: bool
    flags: int = 0
    reqid: int = 0
    src_nbma: str = ""
    src_proto: str = ""
    dst_proto: str = ""
    cies: list = field(default_factory=list)
    exts: list = field(default_factory=list)
    malformed: bool = False
    expert_errors: list = field(default_factory=list)

    def ext(self, t):
        for e in self.exts:
            if e.type == t:
                return e
        return None


def _fields(el, name):
    return [f for f in el.iter("field") if f.get("name") == name]


def _show(el, name, default=None):
    for f in el.iter("field"):
        if f.get("name") == name:
            return f.get("show")
    return default


def _cie(el):
    def num(name):
        return int(_show(el, name, "0"), 0)
    return Cie(code=num("nhrp.code"), prefix=num("nhrp.prefix"), mtu=num("nhrp.mtu"),
               htime=num("nhrp.htime"), nbma=_show(el, "nhrp.client.nbma.addr", ""),
               proto=_show(el, "nhrp.client.prot.addr", ""), pref=num("nhrp.pref"))


def _subtrees(el, title):
    return [f for f in el if f.tag == "field" and f.get("name") == "" and f.get("show") == title]


def tshark_nhrp(pcap, display_filter="nhrp"):
    """Every NHRP packet of a pcap as tshark decodes it (one tshark run,
    PDML): header, mandatory part with its CIEs, extensions with theirs,
    and whether tshark found it malformed (or flagged an error)."""
    return tshark_nhrp_start(pcap, display_filter)()


def tshark_nhrp_start(pcap, display_filter="nhrp"):
    """tshark_nhrp in the background (it takes seconds to start under
    TCG): returns a function that waits for it and returns the packets."""
    proc = subprocess.Popen(["tshark", "-n", "-r", pcap, "-T", "pdml", "-Y", display_filter],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def result():
        out, err = proc.communicate(timeout=300)
        if proc.returncode:
            raise RuntimeError("tshark: %s" % err)
        return _pdml_nhrp(out)
    return result


def _pdml_nhrp(pdml):
    out = []
    for pkt in ET.fromstring(pdml).iter("packet"):
        protos = {p.get("name"): p for p in pkt.iter("proto")}
        nh = protos.get("nhrp")
        if nh is None:
            continue
        ip = protos.get("ip")
        errors = [f.get("showname") or f.get("show") for f in pkt.iter("field")
                  if f.get("name") == "_ws.expert.severity" and f.get("show") in ("8388608",)]
        p = NhrpPacket(
            frame=int(_show(protos["frame"], "frame.number"), 0),
            time=float(_show(protos["frame"], "frame.time_epoch")),
            ip_src=_show(ip, "ip.src", "") if ip is not None else "",
            ip_dst=_show(ip, "ip.dst", "") if ip is not None else "",
            type=int(_show(nh, "nhrp.hdr.op.type", "0"), 0),
            hopcnt=int(_show(nh, "nhrp.hdr.hopcnt", "0"), 0),
            checksum_good="Good" in (next((f.get("showname", "") for f in
                                           _fields(nh, "nhrp.hdr.chksum.status")), "")),
            malformed="_ws.malformed" in protos or bool(_fields(pkt, "_ws.malformed")),
            expert_errors=errors)
        mand = _subtrees(nh, "NHRP Mandatory Part")
        if mand:
            m = mand[0]
            p.flags = int(_show(m, "nhrp.flags", "0"), 0)
            p.reqid = int(_show(m, "nhrp.reqid", "0"), 0)
            p.src_nbma = _show(m, "nhrp.src.nbma.addr", "")
            p.src_proto = _show(m, "nhrp.src.prot.addr", "")
            p.dst_proto = _show(m, "nhrp.dst.prot.addr", "")
            p.cies = [_cie(c) for c in _subtrees(m, "Client Information Entry")]
        for f in nh:
            if f.tag != "field" or f.get("name") != "" or not _fields(f, "nhrp.ext.type"):
                continue
            raw = bytes.fromhex(f.get("value", ""))
            p.exts.append(Ext(type=int(_show(f, "nhrp.ext.type"), 0),
                              compulsory=_show(f, "nhrp.ext.c") == "1",
                              length=int(_show(f, "nhrp.ext.len", "0"), 0), raw=raw,
                              cies=[_cie(c) for c in _subtrees(f, "Client Information Entry")]))
        out.append(p)
    return out


__all__ = ["CiscoRequest", "NhrpPacket", "Cie", "Ext", "VECTORS", "CODEC_TOOL", "checksum",
           "layout", "readdress", "decode", "check_readdressed", "registration_requests",
           "vector_files", "inject", "pcap_nhrp", "captured_nhrp", "build", "with_checksum",
           "tshark_nhrp", "tshark_nhrp_start",
           "need_codec_tool", "REG_REQ", "REG_REPLY", "ERROR_IND", "EXT_END", "EXT_RESPONDER", "EXT_FWD",
           "EXT_REV", "EXT_AUTH", "EXT_NAT", "FLAG_UNIQUE", "FLAG_NAT"]
