# SPDX-License-Identifier: GPL-2.0-or-later
"""DMVPN phase 1 with our nhrpd: spokes register with the hub, the hub
reaches every spoke's tunnel address through the one multipoint GRE
interface.  Our hub + our spokes, our hub + FRR's spokes, FRR's hub + our
spokes; NBMA changes with and without the unique flag; authentication."""
import struct

import pytest

from lib.cisco import (ERROR_IND, EXT_AUTH, REG_REQ, build, captured_nhrp, decode, inject,
                       need_codec_tool, with_checksum)
from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, lan_addr, nhrpd_config,
                       spoke_tunnel)
from lib.state import cache, dynamic, nhs_table as nhs_status, traffic
from lib.topology import FRR_NHRPD, OUR_NHRPD

pytestmark = pytest.mark.gre

HOLD = 30


def hub_conf(auth=None, holdtime=HOLD):
    return nhrpd_config(holdtime=holdtime, auth=auth)


def spoke_conf(auth=None, no_unique=True, holdtime=HOLD, nhs=HUB_TUNNEL):
    return nhrpd_config(holdtime=holdtime, nhs=nhs, auth=auth, no_unique=no_unique)


def neigh(node, addr):
    out = node.run("ip neigh show dev gre1 to %s" % addr).stdout.split()
    return out[out.index("lladdr") + 1] if "lladdr" in out else None


def start(d, hub_nhrpd, spoke_nhrpd, hub_config, spoke_config):
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(hub_config, binary=hub_nhrpd)
    for s in d.spokes:
        s.start_nhrpd(spoke_config, binary=spoke_nhrpd)


def check_registered(d):
    want = {spoke_tunnel(i + 1): SPOKE_NBMA[i] for i in range(len(d.spokes))}
    d.hub.wait_until(lambda: dynamic(d.hub) == want, 60,
                     msg="hub has a dynamic entry for each spoke")
    for i, s in enumerate(d.spokes):
        s.wait_until(lambda: any(n["protocol"] == HUB_TUNNEL for n in nhs_status(s))
                     and cache(s).get(HUB_TUNNEL, {}).get("nbma") == HUB_NBMA, 30,
                     msg="spoke knows the hub as its NHS")
    # the hub's kernel has a neighbour entry per spoke: tunnel address -> NBMA
    for i in range(len(d.spokes)):
        d.hub.wait_until(lambda: neigh(d.hub, spoke_tunnel(i + 1)) == SPOKE_NBMA[i], 10,
                         msg="neighbour entry for spoke%d" % (i + 1))


def check_lan_to_lan(d):
    s1, s2 = d.spokes
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=2, timeout=3), "spoke1 LAN -> spoke2 LAN"
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=2, timeout=3), "spoke2 LAN -> spoke1 LAN"
    assert d.hub.ping(lan_addr(1), src=lan_addr(0))


@pytest.mark.parametrize("hub_impl,spoke_impl", [("ours", "ours"), ("ours", "frr"), ("frr", "ours")])
def test_hub_and_spokes(topo, hub_impl, spoke_impl):
    impl = {"ours": OUR_NHRPD, "frr": FRR_NHRPD}
    # FRR's nhrpd refuses anything but a /32 on the tunnel
    plen = 24 if "frr" not in (hub_impl, spoke_impl) else 32
    d = build_dmvpn(topo, spokes=2, tunnel_plen=plen)
    nhs = HUB_TUNNEL if spoke_impl == "ours" else "dynamic"
    start(d, impl[hub_impl], impl[spoke_impl], hub_conf(),
          spoke_conf(nhs=nhs) if spoke_impl == "ours" else
          spoke_conf(nhs="dynamic"))
    check_registered(d)
    check_lan_to_lan(d)
    # a spoke that goes away: its entry leaves the hub within the
    # holding time (ours purges on the way out: at once)
    s2 = d.spokes[1]
    s2.daemon("nhrpd").signal(9)
    d.hub.wait_until(lambda: spoke_tunnel(2) not in dynamic(d.hub), HOLD + 15,
                     msg="spoke2's entry expired on the hub")
    d.hub.wait_until(lambda: neigh(d.hub, spoke_tunnel(2)) is None, 5,
                     msg="spoke2's neighbour entry removed")
    assert spoke_tunnel(1) in dynamic(d.hub)
    s2.daemon("nhrpd").stop()


def test_purge_when_the_nhs_is_removed(topo):
    """`no ip nhrp nhs` withdraws the registration at once (Purge
    Request); stopping nhrpd does not: the data plane it leaves behind
    keeps working, so the hub keeps the registration (its holding time, or
    the next nhrpd's refresh, decides; test_nhrp_restart.py)"""
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
    start(d, OUR_NHRPD, OUR_NHRPD, hub_conf(holdtime=600), spoke_conf(holdtime=600))
    check_registered(d)
    s1, s2 = d.spokes
    s1.configure(["interface gre1", " no ip nhrp nhs %s nbma %s" % (HUB_TUNNEL, HUB_NBMA),
                  "exit"])
    # far sooner than the 600 s holding time
    d.hub.wait_until(lambda: spoke_tunnel(1) not in dynamic(d.hub), 10,
                     msg="spoke1 purged its registration when its NHS was removed")
    assert s2.daemon("nhrpd").stop() == 0
    assert not d.hub.wait_until(lambda: spoke_tunnel(2) not in dynamic(d.hub), 5), \
        "a stopped spoke's registration stays"
    assert neigh(d.hub, spoke_tunnel(2)) == SPOKE_NBMA[1]


def readdress(d, spoke, new):
    """the spoke's public address changes (the NBMA segment keeps its router)"""
    old = str(spoke.nbma.ip)
    spoke.run("ip link set gre1 type gre local %s" % new)
    spoke.run("ip addr del %s/24 dev eth0; ip addr add %s/24 dev eth0" % (old, new))
    spoke.run("ip route replace default via 198.51.100.254")


def test_nbma_change_no_unique(topo):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
    start(d, OUR_NHRPD, OUR_NHRPD, hub_conf(), spoke_conf(no_unique=True))
    check_registered(d)
    readdress(d, d.spokes[0], "198.51.100.77")
    d.hub.wait_until(lambda: dynamic(d.hub).get(spoke_tunnel(1)) == "198.51.100.77", 20,
                     msg="hub follows spoke1's new NBMA address at once")
    d.hub.wait_until(lambda: neigh(d.hub, spoke_tunnel(1)) == "198.51.100.77", 10,
                     msg="hub's neighbour entry follows")
    assert d.hub.ping(spoke_tunnel(1), count=2, timeout=3)


def test_nbma_change_unique_refused_until_expiry(topo):
    hold = 20
    d = build_dmvpn(topo, spokes=1, lans=False, routes=False, tunnel_plen=24)
    start(d, OUR_NHRPD, OUR_NHRPD, hub_conf(holdtime=hold),
          spoke_conf(no_unique=False, holdtime=hold))
    d.hub.wait_until(lambda: dynamic(d.hub) == {spoke_tunnel(1): SPOKE_NBMA[0]}, 60,
                     msg="spoke1 registered (unique)")
    readdress(d, d.spokes[0], "198.51.100.78")
    s = d.spokes[0]
    s.wait_until(lambda: nhs_status(s)[0]["lastCode"] == 14, 20,
                 msg="the hub refuses the new address: code 14")
    assert dynamic(d.hub)[spoke_tunnel(1)] == SPOKE_NBMA[0]
    # once the old binding expires, the new one is accepted
    d.hub.wait_until(lambda: dynamic(d.hub).get(spoke_tunnel(1)) == "198.51.100.78",
                     hold + hold // 3 + 20, msg="registered at the new address after expiry")


# NHRP in GRE from the hub (GRE protocol type right after the 20-byte IPv4 header)
FROM_HUB = "ip proto 47 and src host %s and ip[22:2] = 0x2001" % HUB_NBMA
AUTH_FAILURE, UNRECOGNIZED_EXT, PROTOCOL_ERROR, INVALID_EXT = 11, 1, 7, 9


def error_indications(cap):
    return captured_nhrp(cap.pcap, ERROR_IND, src=HUB_NBMA)


def test_authentication(topo):
    need_codec_tool()
    d = build_dmvpn(topo, spokes=2, lans=False, routes=False, tunnel_plen=24)
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(hub_conf(auth="s3cret"), ours=True)
    caps = [s.capture("eth0", FROM_HUB, name="eth0-from-hub") for s in d.spokes]
    d.spokes[0].start_nhrpd(spoke_conf(auth="s3cret"), ours=True)
    d.spokes[1].start_nhrpd(spoke_conf(auth="wrong"), ours=True)
    d.hub.wait_until(lambda: dynamic(d.hub) == {spoke_tunnel(1): SPOKE_NBMA[0]}, 60,
                     msg="the spoke with the right password registers")
    d.hub.wait_until(lambda: traffic(d.hub)["authFailures"] >= 1, 20,
                     msg="the wrong password is counted")
    # the hub tells spoke2 why: an Error Indication, Authentication
    # Failure, pointing at the Authentication extension of the request,
    # which it carries whole
    eis = d.spokes[1].wait_until(lambda: error_indications(caps[1]), 20,
                                 msg="an Error Indication sent back to spoke2")
    for ei in eis:
        assert ei["ip_dst"] == SPOKE_NBMA[1] and ei["error_code"] == AUTH_FAILURE, ei
        assert ei["dst_proto"] == spoke_tunnel(2), ei
        req, = decode([bytes.fromhex(ei["body"])])
        assert req["ok"] and req["type"] == REG_REQ and req["src_proto"] == spoke_tunnel(2), req
        auth = [e for e in req["ext"] if e["type"] == EXT_AUTH]
        assert auth and ei["error_offset"] == auth[0]["off"], (ei["error_offset"], req["ext"])
        assert auth[0]["value"] == "wrong", auth
    assert spoke_tunnel(2) not in dynamic(d.hub)
    st = nhs_status(d.spokes[1])[0]
    assert st["status"] != "up"
    # the right password gets no Error Indication
    assert error_indications(caps[0]) == []


def bad_packets():
    """(what, bytes, expected Error Indication (code, offset) or None):
    Registration Requests from spoke1's NBMA address for 10.255.0.99, each
    broken in one way.  RFC 2332 5.3: a packet whose header cannot be
    trusted (short, wrong size, bad checksum) is dropped silently; a
    well-formed one with an extension problem or a bad offset is answered
    with an Error Indication whose offset points at the fault."""
    good = build("type=regreq", "src_nbma=" + SPOKE_NBMA[0], "src_proto=10.255.0.99",
                 "dst_proto=" + HUB_TUNNEL, "reqid=7", "cie=code:0,pl:32,ht:30", "ext=end")
    assert len(good) == 56 and good[52:56] == bytes.fromhex("80000000")  # End at 52

    def patched(at, value):
        b = bytearray(good)
        b[at:at + len(value)] = value
        return with_checksum(bytes(b))
    corrupt = bytearray(good)
    corrupt[12] ^= 0xff
    return [
        ("10 bytes", good[:10], None),
        ("30 bytes", good[:30], None),
        ("3 bytes short of ar$pktsz", good[:-3], None),
        ("bad checksum", bytes(corrupt), None),
        ("ar$extoff past the end", patched(14, struct.pack("!H", 200)), (PROTOCOL_ERROR, 14)),
        ("End extension longer than the packet", patched(54, struct.pack("!H", 8)),
         (INVALID_EXT, 52)),
        ("unknown compulsory extension",
         build("type=regreq", "src_nbma=" + SPOKE_NBMA[0], "src_proto=10.255.0.99",
               "dst_proto=" + HUB_TUNNEL, "reqid=7", "cie=code:0,pl:32,ht:30",
               "rawext=0x1234/00000000/c", "ext=end"), (UNRECOGNIZED_EXT, 52)),
    ]


def test_bad_packets_answered_counted_and_harmless(topo):
    need_codec_tool()
    d = build_dmvpn(topo, spokes=2, lans=False, routes=False, tunnel_plen=24)
    start(d, OUR_NHRPD, OUR_NHRPD, hub_conf(), spoke_conf())
    check_registered(d)
    bad = bad_packets()
    want = {pkt: ei for _, pkt, ei in bad if ei}
    before = traffic(d.hub)
    s1 = d.spokes[0]
    with s1.capture("eth0", FROM_HUB, name="eth0-from-hub") as cap:
        # the silent ones first: their Error Indications, were there any,
        # would come before the others'
        inject(s1, [pkt for _, pkt, _ in bad], HUB_NBMA)
        s1.wait_until(lambda: len(error_indications(cap)) >= len(want), 10,
                      msg="an Error Indication for each of %d packets" % len(want))
        d.hub.wait_until(lambda: traffic(d.hub)["dropped"] >= before["dropped"] + len(bad), 10,
                         msg="every bad packet counted as dropped")
    eis = error_indications(cap)
    got = {}
    for ei in eis:
        body = bytes.fromhex(ei["body"])
        assert body in want, "Error Indication for a packet that gets none: %s" % ei
        assert body not in got, "two Error Indications for one packet: %s" % ei
        got[body] = (ei["error_code"], ei["error_offset"])
        assert ei["ip_dst"] == SPOKE_NBMA[0] and ei["src_nbma"] == HUB_NBMA, ei
    what = {pkt: w for w, pkt, _ in bad}
    assert {what[b]: e for b, e in got.items()} == {what[b]: e for b, e in want.items()}
    after = traffic(d.hub)
    assert after["badChecksum"] == before["badChecksum"] + 1, after
    assert "10.255.0.99" not in cache(d.hub)
    # the hub still serves the good spokes
    assert d.hub.daemon("nhrpd").running()
    assert set(dynamic(d.hub)) == {spoke_tunnel(1), spoke_tunnel(2)}
    assert d.spokes[1].ping(HUB_TUNNEL, count=1, timeout=3)
