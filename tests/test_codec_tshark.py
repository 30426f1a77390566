# SPDX-License-Identifier: GPL-2.0-or-later
"""Packets built by our codec, as Wireshark sees them.

tests/unit/codec_tool builds one packet of every type (and the Cisco
extensions, IPv6 protocol and NBMA addresses); they are wrapped in
Ethernet/IPv4/GRE (protocol 0x2001) in a pcap and decoded by Debian's
`tshark -V -Y nhrp`: no malformed packet, no error, a good checksum, and the
fields we set.
"""
import os
import shutil
import struct
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(TOP, "tests", "unit", "codec_tool")
TSHARK = shutil.which("tshark", path="/usr/bin:/usr/sbin:/bin") or shutil.which("tshark")

V4 = "src_nbma=192.0.2.1 src_proto=10.0.0.1 dst_proto=10.0.0.2"
EXTS = ("ext=responder ext=fwd ext=rev auth=NHRPAUTH ext=nat "
        "xcie=pl:32,mtu:17912,nbma:192.0.2.2,proto:10.0.0.2 ext=end")
QUOTED = ("type=regreq reqid=77 src_nbma=192.0.2.9 src_proto=10.0.0.9 "
          "dst_proto=10.0.0.1 cie=pl:32 ext=end")
IPHDR = "450000640005000040017b8f0a0000030a0000020800325b00010000"



def v6(field, text, raw):
    """tshark 3.x shows NHRP IPv6 addresses as plain hex, newer ones not"""
    return (f"{field}: {text}", f"{field}: {raw}")


# (name, build tokens, strings tshark must show; a tuple: any of them)
CASES = [
    ("regreq", f"type=regreq flags=0x8002 reqid=1 {V4} "
     f"cie=pl:32,mtu:17912,ht:7200 {EXTS}",
     ["NHRP Registration Request (3)", "Request ID: 0x00000001 (1)",
      "Source NBMA Address: 192.0.2.1", "Source Protocol Address: 10.0.0.1",
      "Destination Protocol Address: 10.0.0.2", "Hop Count: 255",
      "Prefix Length: 32", "Max Transmission Unit: 17912",
      "Holding Time (s): 7200", "Responder Address Extension",
      "Forward Transit NHS Record Extension",
      "Reverse Transit NHS Record Extension",
      "NHRP Authentication Extension", "SPI: 1",
      "Cisco NAT Address Extension", "Client NBMA Address: 192.0.2.2",
      "End of Extension", "Cisco NAT Supported: True"]),
    ("regreply", f"type=regreply flags=0x8002 reqid=2 hop=254 {V4} "
     f"cie=code:14,pl:32,mtu:1400,ht:600,pref:255 "
     "ext=responder xcie=pl:32,mtu:1400,ht:600,nbma:192.0.2.2,proto:10.0.0.2 "
     "ext=end",
     ["NHRP Registration Reply (4)", "Request ID: 0x00000002 (2)",
      "Hop Count: 254",
      "Code: Unique Internetworking Layer Address Already Registered (14)",
      "Holding Time (s): 600",
      "CIE Preference Value: 255", "Client Protocol Address: 10.0.0.2"]),
    ("resreq", f"type=resreq flags=0xc802 reqid=5 hop=16 {V4} "
     "cie=mtu:1514,ht:7200 ext=responder ext=fwd "
     "xcie=mtu:1514,ht:7200,nbma:192.0.2.7,proto:10.0.0.7 ext=rev ext=end",
     ["NHRP Resolution Request (1)", "Request ID: 0x00000005 (5)",
      "Hop Count: 16", "Is Router: True", "Authoritative: True",
      "Client NBMA Address: 192.0.2.7", "Client Protocol Address: 10.0.0.7"]),
    ("resreply", f"type=resreply flags=0xf802 reqid=5 {V4} "
     "cie=pl:24,mtu:1514,ht:7200,nbma:192.0.2.3,proto:10.0.0.0 "
     "cie=pl:32,mtu:1514,ht:7200,nbma:192.0.2.3,proto:10.0.0.3 "
     "ext=responder xcie=pl:32,mtu:1514,ht:7200,nbma:192.0.2.3,proto:10.0.0.3 "
     "vendor=00000c/0106475231 rawext=0x1234/abcd ext=end",
     ["NHRP Resolution Reply (2)", "Prefix Length: 24",
      "Client Protocol Address: 10.0.0.0", "Client Protocol Address: 10.0.0.3",
      "Stable Binding: True", "NHRP Vendor Private Extension",
      "Vendor ID=Cisco Systems", "Data: 0106475231",
      "Extension Type: 0x1234"]),
    ("purgereq", f"type=purgereq flags=0x8000 reqid=9 {V4} "
     "cie=pl:32,proto:10.0.0.5 ext=end",
     ["NHRP Purge Request (5)", "Request ID: 0x00000009 (9)",
      "Flags: 0x8000",
      "Client Protocol Address: 10.0.0.5"]),
    ("purgereply", f"type=purgereply reqid=9 {V4} cie=pl:32,proto:10.0.0.5",
     ["NHRP Purge Reply (6)", "Request ID: 0x00000009 (9)",
      "Extension Offset: 0"]),
    ("error", f"type=error code=3 eoff=44 {V4} body=@QUOTED@",
     ["NHRP Error Indication (7)", "Error Code: NHRP Loop Detected (3)",
      "Error Offset: 44", "Packet Causing Indication",
      "Request ID: 0x0000004d (77)"]),
    ("traffic", f"type=traffic code=0 {V4} body={IPHDR} "
     "ext=fwd ext=rev auth=secret ext=nat ext=end",
     ["NHRP Traffic Indication (8)", "Source NBMA Address: 192.0.2.1",
      "Destination Protocol Address: 10.0.0.2", "Extension Offset: 68",
      "Packet Causing Indication", "Src: 10.0.0.3, Dst: 10.0.0.2",
      "Reverse Transit NHS Record Extension"]),
    ("ipv6-over-ipv4", "type=regreq pro=0x86dd flags=0x8002 reqid=3 "
     "src_nbma=192.0.2.1 src_proto=2001:db8::1 dst_proto=2001:db8::ff "
     "cie=pl:128,mtu:1400,ht:600,nbma:192.0.2.1,proto:fe80::1 "
     "ext=responder ext=end",
     ["NHRP Registration Request (3)", "IPv6 (0x86dd)",
      v6("Source Protocol Address", "2001:db8::1",
         "20010db8000000000000000000000001"),
      v6("Destination Protocol Address", "2001:db8::ff",
         "20010db80000000000000000000000ff"),
      "Prefix Length: 128",
      v6("Client Protocol Address", "fe80::1",
         "fe800000000000000000000000000001")]),
    ("ipv4-over-ipv6", "type=resreply afn=2 flags=0xd002 reqid=4 "
     "src_nbma=2001:db8:1::1 src_proto=10.0.0.1 dst_proto=10.0.0.2 "
     "cie=pl:32,mtu:1400,ht:600,nbma:2001:db8:2::2,proto:10.0.0.2 "
     "ext=responder ext=end",
     ["NHRP Resolution Reply (2)", "Client Protocol Address: 10.0.0.2",
      "Source Protocol Address: 10.0.0.1", "Address Family Number: IPv6",
      v6("Source NBMA Address", "2001:db8:1::1",
         "20010db8000100000000000000000001"),
      v6("Client NBMA Address", "2001:db8:2::2",
         "20010db8000200000000000000000002")]),
]


def _ipv4_checksum(hdr):
    s = sum(struct.unpack(">10H", hdr))
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(nhrp, key=None):
    """Ethernet / IPv4 / GRE (optional key) / NHRP."""
    if key is None:
        gre = struct.pack(">HH", 0, 0x2001)
    else:
        gre = struct.pack(">HHI", 0x2000, 0x2001, key)
    payload = gre + nhrp
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), 1, 0,
                     255, 47, 0, bytes([198, 51, 100, 1]),
                     bytes([198, 51, 100, 2]))
    ip = ip[:10] + struct.pack(">H", _ipv4_checksum(ip)) + ip[12:]
    eth = bytes.fromhex("020000000002020000000001") + b"\x08\x00"
    return eth + ip + payload


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def build(tokens):
    r = subprocess.run([TOOL, "build"] + tokens.split(), capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return bytes.fromhex(r.stdout.strip())


def tshark_frames(path):
    """tshark -V output, one string per frame."""
    r = subprocess.run([TSHARK, "-r", path, "-V", "-Y", "nhrp"],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, HOME="/tmp"))
    assert r.returncode == 0, r.stderr
    out, cur = [], None
    for line in r.stdout.splitlines():
        if line.startswith("Frame "):
            cur = []
            out.append(cur)
        if cur is not None:
            cur.append(line)
    return ["\n".join(x) for x in out]


@pytest.fixture(scope="module")
def decoded(tmp_path_factory):
    if not TSHARK:
        pytest.skip("tshark is not installed (apt-get install tshark)")
    if not (os.path.isfile(TOOL) and os.access(TOOL, os.X_OK)):
        pytest.skip(f"{TOOL} is not built (make -C {TOP} tests/unit/codec_tool)")
    quoted = build(QUOTED).hex()
    pkts = [build(spec.replace("@QUOTED@", quoted)) for _, spec, _ in CASES]
    frames = [frame(p, key=(i if i % 2 else None)) for i, p in enumerate(pkts)]
    path = str(tmp_path_factory.mktemp("tshark") / "codec.pcap")
    write_pcap(path, frames)
    texts = tshark_frames(path)
    assert len(texts) == len(CASES), "tshark did not see every packet as NHRP"
    return dict(zip([c[0] for c in CASES], zip(pkts, texts)))


@pytest.mark.parametrize("name,spec,expect", CASES, ids=[c[0] for c in CASES])
def test_tshark_decodes(decoded, name, spec, expect):
    pkt, text = decoded[name]
    assert "Next Hop Resolution Protocol" in text
    assert "Malformed" not in text, text
    assert "Expert Info (Error" not in text, text
    assert "[incorrect" not in text, text
    assert "NHRP Packet Checksum Status: Good" in text, text
    assert f"Packet Length: {len(pkt)}" in text
    for s in expect:
        alts = s if isinstance(s, tuple) else (s,)
        assert any(a in text for a in alts), \
            f"{name}: {s!r} not shown by tshark:\n{text}"


def test_quoted_packet_of_error_indication(decoded):
    """tshark decodes the packet quoted by our Error Indication too."""
    _, text = decoded["error"]
    body = text.split("NHRP Error Indication (7)", 1)[1]
    assert "10.0.0.9" in body, text
