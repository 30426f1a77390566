# SPDX-License-Identifier: GPL-2.0-or-later
"""NHRP codec conformance on real Cisco IOS captures.

Every NHRP PDU in tests/vectors/*.pcap[ng] must decode (through
tests/unit/codec_tool) to the fields tcpdump printed in the .out file beside
it, and re-encode to the same bytes.  tcpdump-pb_nhrp_1.pcap is malformed
and must be refused with a reason.

The pcap/pcapng reader and the Ethernet/802.1Q/IPv4/GRE unwrapping are
here, without libraries.  `python3 tests/test_codec_vectors.py --extract DIR`
writes every PDU to DIR (the fuzzer's seed corpus).
"""
import json
import os
import re
import struct
import subprocess
import sys

try:
    import pytest
except ImportError:  # --extract runs without pytest
    pytest = None

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the captures and tcpdump's decodes, in the repo (tests/vectors/README.md);
# the one place that names the directory (lib/cisco.py imports it)
VECTORS = os.path.join(TOP, "tests", "vectors")
TOOL = os.path.join(TOP, "tests", "unit", "codec_tool")
MALFORMED = "tcpdump-pb_nhrp_1.pcap"

ETH_P_IP = 0x0800
ETH_P_NHRP = 0x2001
VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)
IPPROTO_GRE = 47
IPPROTO_NHRP = 54  # tcpdump decodes IP protocol 54 as NHRP too

# ---- capture files ------------------------------------------------------


def _pcap_frames(data):
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("not a pcap file")
    if len(data) < 24:
        raise ValueError("short pcap header")
    linktype = struct.unpack(end + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16
        yield linktype, data[off:off + incl]
        off += incl


def _pcapng_frames(data):
    off, end, links = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack(end + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:  # section header: byte order may change
            bom = data[off + 8:off + 12]
            end = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(end + "I", data[off + 4:off + 8])[0]
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # interface description
            links.append(struct.unpack(end + "H", body[0:2])[0])
        elif btype == 6:  # enhanced packet
            ifid, _, _, caplen = struct.unpack(end + "IIII", body[0:16])
            yield links[ifid], body[20:20 + caplen]
        elif btype == 3:  # simple packet
            olen = struct.unpack(end + "I", body[0:4])[0]
            yield links[0], body[4:4 + min(olen, len(body) - 4)]
        elif btype == 2:  # obsolete packet block
            ifid = struct.unpack(end + "H", body[0:2])[0]
            caplen = struct.unpack(end + "I", body[12:16])[0]
            yield links[ifid], body[20:20 + caplen]
        off += blen


def read_frames(path):
    """[(linktype, frame bytes)] of a pcap or pcapng file."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        return list(_pcapng_frames(data))
    return list(_pcap_frames(data))


def _ipv4_nhrp(ip):
    if len(ip) < 20 or ip[0] >> 4 != 4:
        return None
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack(">H", ip[2:4])[0]
    frag = struct.unpack(">H", ip[6:8])[0]
    if frag & 0x3FFF:  # fragments: not reassembled
        return None
    payload = ip[ihl:max(ihl, min(total, len(ip)))]
    if ip[9] == IPPROTO_NHRP:
        return payload
    if ip[9] != IPPROTO_GRE or len(payload) < 4:
        return None
    flags, proto = struct.unpack(">HH", payload[:4])
    if flags & 0x0007 or proto != ETH_P_NHRP:  # GRE version 0 only
        return None
    off = 4
    off += 4 if flags & 0x8000 else 0  # checksum + reserved
    off += 4 if flags & 0x2000 else 0  # key
    off += 4 if flags & 0x1000 else 0  # sequence number
    return payload[off:]


def frame_nhrp(linktype, frame):
    """The NHRP PDU carried by a frame, or None."""
    if linktype == 1:  # Ethernet, 802.1Q/802.1ad tags
        off = 12
        etype = struct.unpack(">H", frame[off:off + 2])[0] if len(frame) >= 14 else 0
        while etype in VLAN_TPIDS and len(frame) >= off + 6:
            off += 4
            etype = struct.unpack(">H", frame[off:off + 2])[0]
        off += 2
    elif linktype == 113:  # Linux cooked
        etype, off = struct.unpack(">H", frame[14:16])[0], 16
    elif linktype in (12, 101, 228):  # raw IPv4
        etype, off = ETH_P_IP, 0
    else:
        return None
    if etype == ETH_P_NHRP:
        return frame[off:]
    if etype == ETH_P_IP:
        return _ipv4_nhrp(frame[off:])
    return None


def capture_pdus(path):
    """[(frame number from 1, NHRP bytes)] of one capture."""
    out = []
    for i, (lt, frame) in enumerate(read_frames(path), 1):
        pdu = frame_nhrp(lt, frame)
        if pdu is not None:
            out.append((i, pdu))
    return out


def captures():
    if not os.path.isdir(VECTORS):
        return []
    return sorted(f for f in os.listdir(VECTORS)
                  if f.endswith((".pcap", ".pcapng")))

# ---- tcpdump's expectations ---------------------------------------------


TCPDUMP_OPS = {
    "res request": 1, "res reply": 2, "reg request": 3, "reg reply": 4,
    "purge request": 5, "purge reply": 6, "error indication": 7,
    "traffic indication": 8,
}
TCPDUMP_TRAFFIC_CODES = {"NHRP traffic redirect/indirection": 0}

_FRAME = re.compile(r"^\s*(\d+)\s+\d{4}-\d\d-\d\d ")
_NHRP = re.compile(
    r"NHRP: (?P<op>[a-z ]+?), (?:id (?P<id>\d+)|code <(?P<tcode>[^>]*)>), "
    r"hopcnt (?P<hop>\d+), (?:src nbma (?P<nbma>\S+), "
    r"(?P<src>\S+) -> (?P<dst>[^\s,(]+)(?: \((?P<cie>[^)]*)\))?)?")


def parse_out(path):
    """{frame number: text of that frame} from tcpdump -v output."""
    frames, cur = {}, None
    with open(path) as f:
        for line in f:
            m = _FRAME.match(line)
            if m:
                cur = int(m.group(1))
                frames[cur] = ""
            if cur is not None:
                frames[cur] += line
    return frames


def expected_fields(text):
    """What tcpdump shows of one NHRP PDU, as our JSON field names."""
    m = _NHRP.search(text)
    if not m:
        return None
    exp = {"type": TCPDUMP_OPS[m.group("op")], "hopcnt": int(m.group("hop"))}
    if m.group("id") is not None:
        exp["reqid"] = int(m.group("id"))
    if m.group("tcode") is not None:
        exp["traffic_code"] = TCPDUMP_TRAFFIC_CODES[m.group("tcode")]
    if m.group("nbma"):
        exp["src_nbma"] = m.group("nbma")
        exp["src_proto"] = m.group("src")
        exp["dst_proto"] = m.group("dst")
    if m.group("cie"):
        cie = {}
        for item in m.group("cie").split(", "):
            k, v = item.split(" ", 1)
            cie[k] = int(v) if v.isdigit() else v
        exp["cie0"] = cie
    return exp


def invalid_in_out(text):
    return "(invalid)" in text or "[|nhrp]" in text

# ---- the tool -----------------------------------------------------------


def need_tool():
    if not (os.path.isfile(TOOL) and os.access(TOOL, os.X_OK)):
        pytest.skip(f"{TOOL} is not built (make -C {TOP} tests/unit/codec_tool)")


def decode_all(pdus):
    """codec_tool decode over a list of byte strings: list of dicts."""
    inp = "".join(p.hex() + "\n" for p in pdus)
    r = subprocess.run([TOOL, "decode"], input=inp, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(out) == len(pdus)
    return out

# ---- tests --------------------------------------------------------------


def _vectors_or_skip():
    # part of the checkout: missing means a broken tree, not a reason to skip
    files = captures()
    assert files, f"no .pcap/.pcapng in {VECTORS} (tests/vectors is part of the repo)"
    return files


def pytest_generate_tests(metafunc):
    if "capture" in metafunc.fixturenames:
        files = captures() or ["(none)"]
        metafunc.parametrize("capture", files)


def _check_cie(got, exp):
    assert got["code"] == exp["code"]
    assert got["pl"] == exp["pl"]
    assert got["mtu"] == exp["mtu"]
    assert got["htime"] == exp["htime"]
    assert got["pref"] == exp["pref"]
    if "nbma" in exp:
        assert got["nbma"] == exp["nbma"]
    if "proto" in exp:
        assert got["proto"] == exp["proto"]


def test_capture(capture):
    """Every PDU decodes to tcpdump's fields and re-encodes identically."""
    _vectors_or_skip()
    need_tool()
    path = os.path.join(VECTORS, capture)
    outfile = os.path.splitext(path)[0] + ".out"
    pdus = capture_pdus(path)
    assert pdus, f"no NHRP PDU found in {capture}"
    texts = parse_out(outfile) if os.path.exists(outfile) else {}
    results = decode_all([p for _, p in pdus])
    for (frame, pdu), res in zip(pdus, results):
        text = texts.get(frame, "")
        where = f"{capture} frame {frame}"
        if capture == MALFORMED or invalid_in_out(text):
            assert not res["ok"], f"{where}: malformed PDU accepted"
            assert res["reason_name"] and res["reason"] > 0, where
            continue
        assert res["ok"], f"{where}: refused: {res}"
        assert res["identical"], f"{where}: re-encoding differs"
        assert res["reencoded"] == pdu[:res["pktsz"]].hex(), where
        assert res["pktsz"] == len(pdu), f"{where}: trailing bytes"
        exp = expected_fields(text) if text else None
        if not exp:
            assert not os.path.exists(outfile), f"{where}: no tcpdump line"
            continue
        for k in ("type", "hopcnt", "reqid", "traffic_code", "src_nbma",
                  "src_proto", "dst_proto"):
            if k in exp:
                assert res[k] == exp[k], f"{where}: {k} {res[k]!r} != {exp[k]!r}"
        if "cie0" in exp:
            assert res["cie"], f"{where}: no CIE"
            _check_cie(res["cie"][0], exp["cie0"])
        # extensions: wire order, End last, known ones decoded
        assert res["ext"] and res["ext"][-1]["type"] == 0, where
        assert res["unknown_c_off"] == 0, where


def test_malformed_vector_refused():
    """tcpdump's pb_nhrp_1 PDU is refused with a reason (and no crash)."""
    _vectors_or_skip()
    need_tool()
    path = os.path.join(VECTORS, MALFORMED)
    if not os.path.exists(path):
        pytest.skip(f"{MALFORMED} absent")
    pdus = capture_pdus(path)
    assert pdus
    for res in decode_all([p for _, p in pdus]):
        assert res["ok"] is False
        assert res["reason"] > 0 and res["reason_name"] != "unknown"


def test_every_suffix_and_prefix_survives():
    """Any slice of any captured frame decodes or is refused, no crash;
    no strict prefix of a PDU is accepted."""
    files = _vectors_or_skip()
    need_tool()
    suffixes, prefixes = [], []
    for f in files:
        for lt, frame in read_frames(os.path.join(VECTORS, f)):
            suffixes.extend(frame[i:] for i in range(len(frame)))
            pdu = frame_nhrp(lt, frame)
            if pdu:
                prefixes.extend(pdu[:k] for k in range(len(pdu)))
    res = decode_all(suffixes)
    for r in res:
        assert "ok" in r
        if r["ok"]:
            assert r["identical"]
    for r in decode_all(prefixes):
        assert r["ok"] is False and r["reason"] > 0


def test_tcpdump_counts_match():
    """The reader finds exactly the frames tcpdump numbered."""
    files = _vectors_or_skip()
    for f in files:
        out = os.path.join(VECTORS, os.path.splitext(f)[0] + ".out")
        if not os.path.exists(out):
            continue
        frames = parse_out(out)
        pdus = dict(capture_pdus(os.path.join(VECTORS, f)))
        nhrp_frames = {n for n, t in frames.items() if "NHRP" in t}
        assert nhrp_frames == set(pdus), f


def main(argv):
    if len(argv) == 3 and argv[1] == "--extract":
        os.makedirs(argv[2], exist_ok=True)
        n = 0
        for f in captures():
            for frame, pdu in capture_pdus(os.path.join(VECTORS, f)):
                name = f"{os.path.splitext(f)[0]}-{frame}.bin"
                with open(os.path.join(argv[2], name), "wb") as o:
                    o.write(pdu)
                n += 1
        print(f"{n} PDUs written to {argv[2]}")
        return 0
    if len(argv) == 2 and argv[1] == "--hex":
        for f in captures():
            for frame, pdu in capture_pdus(os.path.join(VECTORS, f)):
                print(f, frame, pdu.hex())
        return 0
    print(f"usage: {argv[0]} --extract DIR | --hex", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
