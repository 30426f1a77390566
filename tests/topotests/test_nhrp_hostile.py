# SPDX-License-Identifier: GPL-2.0-or-later
"""A hostile host on the NBMA network (no IPsec) against our hub and two
spokes (issue 14): each attack the issue found working, replayed with
packets built by lib.nhrp and injected from the attacker's own mGRE
interface, and the state that must (not) change checked afterwards.

    node      NBMA              tunnel (gre1, /16)   LAN
    hub       192.0.2.1         10.255.0.1           10.0.0.1/24
    spoke1    198.51.100.1      10.255.0.11          10.1.0.1/24
    spoke2    203.0.113.1       10.255.0.12          10.2.0.1/24
    attacker  198.51.100.66     10.255.0.66          (no nhrpd)

Everyone, the attacker too, knows the cleartext password (an insider:
authentication is no identity), except where the test is the wrong
password.  The tests share one topology and run in file order; each
ends by checking that the two spokes' registrations are untouched."""
import time

import pytest

from lib import nhrp
from lib.cisco import inject
from lib.dmvpn import HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, spoke_tunnel
from lib.topology import Topology

pytestmark = pytest.mark.gre

ATT_NBMA, ATT_TUN = "198.51.100.66", "10.255.0.66"
S1_NBMA, S2_NBMA = SPOKE_NBMA[0], SPOKE_NBMA[1]
S1_TUN, S2_TUN = spoke_tunnel(1), spoke_tunnel(2)
PW = "s3cret"
HOLD = 600

HUB = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime %d
 ip nhrp authentication %s
 ip nhrp map multicast dynamic
 ip nhrp redirect
 tunnel source eth0
exit
""" % (HOLD, PW)
SPOKE = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime %d
 ip nhrp authentication %s
 ip nhrp nhs %s nbma %s
 ip nhrp registration no-unique
 ip nhrp shortcut
 tunnel source eth0
exit
""" % (HOLD, PW, HUB_TUNNEL, HUB_NBMA)


class Net:
    def __init__(self, t):
        self.topo = t
        self.d = build_dmvpn(t, spokes=2, tunnel_plen=16, tx_csum_off=False)
        self.hub, (self.s1, self.s2) = self.d.hub, self.d.spokes
        self.att = t.add_node("attacker")
        t.attach_nbma(self.att, ATT_NBMA + "/24")
        self.att.add_gre("gre1", key=42, addrs=[ATT_TUN + "/16"], dev="eth0")
        # generous: under TCG on a busy machine zebra can take a minute
        t.wait_ready([n.start_zebra(wait=False) for n in self.d.nodes], timeout=120)
        t.wait_ready([self.hub.start_nhrpd(HUB, ours=True, wait=False)] +
                     [s.start_nhrpd(SPOKE, ours=True, wait=False) for s in self.d.spokes],
                     timeout=120)
        self.reqid = 1000

    def next_id(self):
        self.reqid += 1
        return self.reqid

    def send(self, node_nbma, pdus):
        inject(self.att, pdus, node_nbma)


def cache(node):
    j = node.show("show ip nhrp cache json", json=True)
    return {e["protocol"]: e for e in j.get("table", [])}


def dynamic(node):
    return {p: e["nbma"] for p, e in cache(node).items() if e["type"] == "dynamic"}


def neigh(node, addr):
    out = node.run("ip neigh show dev gre1 to %s" % addr).stdout.split()
    return out[out.index("lladdr") + 1] if "lladdr" in out else None


def neigh_count(node):
    return len([l for l in node.run("ip neigh show dev gre1").stdout.splitlines() if l.strip()])


def traffic(node):
    return node.show("show ip nhrp traffic json", json=True)["gre1"]


def log_lines(node):
    with open(node.daemon("nhrpd").log) as f:
        return f.read().splitlines()


def untouched(net):
    """the two spokes are registered where they are, and the hub's kernel
    agrees; nhrpd still runs everywhere"""
    want = {S1_TUN: S1_NBMA, S2_TUN: S2_NBMA}
    dyn = dynamic(net.hub)
    assert {p: dyn.get(p) for p in want} == want, dyn
    assert neigh(net.hub, S1_TUN) == S1_NBMA and neigh(net.hub, S2_TUN) == S2_NBMA
    for n in (net.hub, net.s1, net.s2):
        assert n.daemon("nhrpd").running(), n.name


@pytest.fixture(scope="module")
def net():
    t = Topology("hostile")
    try:
        n = Net(t)
        n.hub.wait_until(lambda: {S1_TUN: S1_NBMA, S2_TUN: S2_NBMA}.items()
                         <= dynamic(n.hub).items(), 60, msg="both spokes registered")
        yield n
        t.check_daemons()
    finally:
        t.close()


def resreq(src_nbma, src_proto, target, reqid, exts=(), auth=PW):
    return nhrp.pdu(nhrp.RES_REQ, src_nbma, src_proto, target, reqid=reqid,
                    flags=nhrp.FLAG_Q, cies=[nhrp.cie(prefix=0, holdtime=HOLD)],
                    exts=exts, auth=auth)


def regreq(proto, reqid, auth=PW, holdtime=HOLD, nbma=ATT_NBMA):
    return nhrp.pdu(nhrp.REG_REQ, nbma, proto, HUB_TUNNEL, reqid=reqid, flags=nhrp.FLAG_NAT,
                    cies=[nhrp.cie(prefix=32, holdtime=holdtime, nbma=nbma, proto=proto)],
                    auth=auth)


def answers(listener, reqid, ptype, timeout=5):
    return listener.wait(lambda q: q.type == ptype and q.reqid == reqid, timeout)


def test_resolution_claiming_s2_at_s1(net):
    """a request to spoke1 claiming spoke2's address from the attacker's
    NBMA address: refused, spoke2's address not bound to the attacker"""
    rid = net.next_id()
    with nhrp.Listener(net.att) as l:
        net.send(S1_NBMA, [resreq(ATT_NBMA, S2_TUN, "10.1.0.1", rid)])
        got = answers(l, rid, nhrp.RES_REPLY)
    assert got, "a refusal comes back"
    assert got[0].pkt.cies[0].code == nhrp.CODE_PROHIBITED
    assert cache(net.s1).get(S2_TUN, {}).get("nbma") != ATT_NBMA
    assert neigh(net.s1, S2_TUN) != ATT_NBMA
    untouched(net)


def test_resolution_claiming_free_address_at_hub(net):
    """the same at the hub, for an address no one registered: no entry,
    no neighbour, nothing passed on to spoke1"""
    rid = net.next_id()
    before = traffic(net.s1)["received"]["resolutionRequest"]
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, [resreq(ATT_NBMA, "10.255.0.77", S1_TUN, rid)])
        got = answers(l, rid, nhrp.RES_REPLY)
    assert got and got[0].pkt.cies[0].code == nhrp.CODE_PROHIBITED
    assert "10.255.0.77" not in cache(net.hub)
    assert neigh(net.hub, "10.255.0.77") is None
    assert traffic(net.s1)["received"]["resolutionRequest"] == before
    untouched(net)


def test_forged_transit_from_registered_spoke(net):
    """the attacker registers its own address (allowed), then claims to
    pass on another station's request (a Forward Transit record): not
    believed, no binding for the claimed address"""
    rid = net.next_id()
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, [regreq(ATT_TUN, rid)])
        got = answers(l, rid, nhrp.REG_REPLY)
        assert got and got[0].pkt.cies[0].code == nhrp.CODE_SUCCESS
        assert dynamic(net.hub).get(ATT_TUN) == ATT_NBMA
        rid = net.next_id()
        fwd = nhrp.ext(nhrp.EXT_FWD, nhrp.cie(prefix=32, holdtime=HOLD, nbma="198.51.100.5",
                                              proto="10.255.0.5"))
        net.send(HUB_NBMA, [resreq("203.0.113.77", "10.255.0.77", S2_TUN, rid, exts=[fwd])])
        got = answers(l, rid, nhrp.RES_REPLY)
    assert got and got[0].pkt.cies[0].code == nhrp.CODE_PROHIBITED
    assert "10.255.0.77" not in cache(net.hub)
    assert neigh(net.hub, "10.255.0.77") is None
    assert "10.255.0.77" not in cache(net.s2)
    untouched(net)


def test_forged_wide_reply(net):
    """while spoke1 resolves spoke2's LAN (phase 3), the attacker sends
    replies for the 64 likeliest request ids, for the right address, with
    prefix length 1: no half of the Internet into the tunnel, the real
    shortcut is installed"""
    forged = [nhrp.pdu(nhrp.RES_REPLY, S1_NBMA, S1_TUN, "10.2.0.1", reqid=i,
                       flags=nhrp.FLAG_Q | 0x4000,
                       cies=[nhrp.cie(prefix=1, holdtime=HOLD, nbma=ATT_NBMA, proto=ATT_TUN)],
                       auth=PW) for i in range(1, 65)]

    def shortcut():
        j = net.s1.show("show ip nhrp shortcut json", json=True)
        return {e["prefix"]: e["via"] for e in j.get("table", [])}

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and "10.2.0.0/24" not in shortcut():
        net.s1.ping("10.2.0.1", src="10.1.0.1", count=1, timeout=1)
        net.send(S1_NBMA, forged)
    assert shortcut().get("10.2.0.0/24") == S2_TUN, shortcut()
    for p in shortcut():
        assert int(p.split("/")[1]) >= 8, shortcut()
    assert net.s1.run("ip route show 0.0.0.0/1").stdout.strip() == ""
    assert "0.0.0.0/1" not in net.s1.run("ip route show proto nhrp").stdout
    assert ATT_TUN not in cache(net.s1)
    untouched(net)


def test_purges_from_strangers(net):
    """purges of spoke1's registration at the hub and of spoke1's
    shortcut, from the attacker (an address and a whole prefix):
    nothing changes"""
    rid = net.next_id()
    pur = [nhrp.pdu(nhrp.PURGE_REQ, ATT_NBMA, ATT_TUN, dst, reqid=rid,
                    cies=[nhrp.cie(prefix=plen, holdtime=0, proto=what)], auth=PW)
           for dst, what, plen in ((HUB_TUNNEL, S1_TUN, 32), (HUB_TUNNEL, "10.255.0.0", 16),
                                   (S1_TUN, "10.2.0.0", 16), (S1_TUN, S2_TUN, 32))]
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, pur[:2])
        net.send(S1_NBMA, pur[2:])
        got = answers(l, rid, nhrp.PURGE_REPLY)
    assert got, "purges are answered all the same"
    j = net.s1.show("show ip nhrp shortcut json", json=True)
    assert "10.2.0.0/24" in {e["prefix"] for e in j.get("table", [])}
    assert cache(net.s1).get(S2_TUN, {}).get("nbma") == S2_NBMA
    untouched(net)


def test_traffic_indication_flood(net):
    """5,000 Traffic Indications from the attacker at spoke1: it resolves
    nothing, keeps no state for them, and still works"""
    before = traffic(net.s1)["sent"]["resolutionRequest"]
    entries = len(cache(net.s1))
    ti = [nhrp.pdu(nhrp.TRAFFIC, ATT_NBMA, ATT_TUN, "10.1.0.5", reqid=0,
                   body=nhrp.ip_quote("10.1.0.5", "10.%d.%d.1" % (3 + i // 250, i % 250)),
                   auth=PW) for i in range(5000)]
    net.send(S1_NBMA, ti)
    net.s1.wait_until(lambda: traffic(net.s1)["received"]["trafficIndication"] > 0, 10)
    time.sleep(2)
    assert traffic(net.s1)["sent"]["resolutionRequest"] == before
    assert len(cache(net.s1)) == entries
    untouched(net)


def test_thousand_registrations_one_nbma_multicast(net):
    """one NBMA address registers 1,000 addresses: a bounded number are
    accepted, and one multicast packet of the hub sends it one copy"""
    pdus = [regreq("10.255.%d.%d" % (4 + i // 250, i % 250 + 1), net.next_id())
            for i in range(1000)]
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, pdus)
        time.sleep(2)
        replies = [g.pkt for g in l.drain(1) if g.pkt.type == nhrp.REG_REPLY]
    mine = [p for p, n in dynamic(net.hub).items() if n == ATT_NBMA]
    assert 1 <= len(mine) <= 16, len(mine)
    assert any(r.cies[0].code == nhrp.CODE_NO_RESOURCES for r in replies)
    # refusals come rate-limited, acceptances all
    assert len(replies) < 200, len(replies)
    with nhrp.Listener(net.att, proto=0x0800) as l:
        net.hub.run("ping -c 1 -W 1 -t 1 -I gre1 224.0.0.9", check=False)
        time.sleep(2)
        copies = [g for g in l.drain(1) if g.pdu[16:20] == bytes([224, 0, 0, 9])]
    assert len(copies) == 1, len(copies)
    untouched(net)


def test_registration_storm_bounded(net):
    """20,000 registrations from one NBMA address: the cache and the
    kernel's neighbour table stay bounded, the log stays short, the spokes
    stay registered"""
    lines = len(log_lines(net.hub))
    for b in range(0, 20000, 2000):
        net.send(HUB_NBMA, [regreq("10.255.%d.%d" % (16 + i // 250, i % 250 + 1),
                                   net.next_id()) for i in range(b, b + 2000)])
    net.hub.wait_until(lambda: traffic(net.hub)["received"]["registrationRequest"] >= 1000, 30)
    time.sleep(3)
    mine = [p for p, n in dynamic(net.hub).items() if n == ATT_NBMA]
    assert len(mine) <= 16, len(mine)
    assert len(cache(net.hub)) <= 32
    assert neigh_count(net.hub) <= 32
    new = log_lines(net.hub)[lines:]
    assert not [l for l in new if "No buffer space" in l]
    assert len(new) < 200, len(new)
    untouched(net)


def test_wrong_password_code_11(net):
    """a registration with the wrong password: an Error Indication with
    code 11 (Authentication Failure) on the wire, whose offset names the
    Authentication extension of the quoted packet; nothing registered"""
    rid = net.next_id()
    bad = regreq("10.255.200.1", rid, auth="wrong")
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, [bad])
        got = l.wait(lambda q: q.type == nhrp.ERROR, 5)
    assert got, "an Error Indication comes back"
    e = got[0].pkt
    assert got[0].nbma == HUB_NBMA
    assert e.code == nhrp.ERR_AUTH_FAILURE
    assert e.quoted[:len(bad)] == bad
    extoff = int.from_bytes(bad[14:16], "big")
    # the offset names the Authentication extension (the last before End)
    assert e.offset >= extoff and bad[e.offset:e.offset + 2] == bytes([0x80, nhrp.EXT_AUTH])
    assert "10.255.200.1" not in cache(net.hub)
    untouched(net)


ERR_LOOP, ERR_UNRECOGNIZED_EXT, ERR_HOP_COUNT = 3, 1, 15


def error_back(net, pdu, timeout=5):
    """send pdu to the hub; the Error Indications that come back for it"""
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, [pdu])
        return [g for g in l.wait(lambda q: q.type == nhrp.ERROR and
                                  q.quoted[:len(pdu)] == pdu, timeout)]


def attacker_is_station(net):
    """the attacker withdraws what it registered before (the earlier
    tests fill its 16 places) and registers its own address"""
    rid = net.next_id()
    pur = nhrp.pdu(nhrp.PURGE_REQ, ATT_NBMA, ATT_TUN, HUB_TUNNEL, reqid=rid,
                   cies=[nhrp.cie(prefix=16, holdtime=0, proto="10.255.0.0")], auth=PW)
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, [pur])
        answers(l, rid, nhrp.PURGE_REPLY)
        net.hub.wait_until(lambda: ATT_NBMA not in dynamic(net.hub).values(), 10,
                           msg="the attacker's registrations withdrawn")
        rid = net.next_id()
        net.send(HUB_NBMA, [regreq(ATT_TUN, rid)])
        got = answers(l, rid, nhrp.REG_REPLY)
    assert got and got[0].pkt.cies[0].code == nhrp.CODE_SUCCESS, got
    time.sleep(1)       # Error Indications are rate-limited per source


def test_hop_count_and_loop_on_the_wire(net):
    """a Resolution Request the hub would pass on to spoke2: with hop count
    1, Error Indication 15 (Hop Count Exceeded, offset 9: ar$hopcnt); with
    the hub's own record in its Forward Transit extension, Error
    Indication 3 (Loop Detected) pointing at that extension; each from
    the hub to the requester, quoting the packet whole; spoke2 gets
    neither"""
    attacker_is_station(net)
    before = traffic(net.s2)["received"]["resolutionRequest"]
    hop1 = nhrp.pdu(nhrp.RES_REQ, ATT_NBMA, ATT_TUN, S2_TUN, reqid=net.next_id(),
                    flags=nhrp.FLAG_Q, cies=[nhrp.cie(prefix=32, holdtime=HOLD)], auth=PW, hop=1)
    got = error_back(net, hop1)
    assert got, "an Error Indication for the hop count"
    e = got[0].pkt
    assert got[0].nbma == HUB_NBMA and e.code == ERR_HOP_COUNT and e.offset == 9, e
    assert e.dst_proto == ATT_TUN and e.src_proto == HUB_TUNNEL, e
    time.sleep(1)       # Error Indications are rate-limited per source
    fwd = nhrp.ext(nhrp.EXT_FWD, nhrp.cie(prefix=32, holdtime=HOLD, nbma=HUB_NBMA,
                                          proto=HUB_TUNNEL))
    loop = resreq(ATT_NBMA, ATT_TUN, S2_TUN, net.next_id(), exts=[fwd])
    got = error_back(net, loop)
    assert got, "an Error Indication for the loop"
    e = got[0].pkt
    extoff = int.from_bytes(loop[14:16], "big")
    assert e.code == ERR_LOOP and e.offset == extoff, (e, extoff)
    assert loop[e.offset:e.offset + 2] == bytes([0x80, nhrp.EXT_FWD])
    time.sleep(1)
    assert traffic(net.s2)["received"]["resolutionRequest"] == before
    untouched(net)


def test_no_error_indication_for_an_error_indication(net):
    """an Error Indication with an unknown compulsory extension (which
    in any other packet gets Error Indication 1): nothing comes back. The
    control, a Resolution Request with the same extension, gets one."""
    time.sleep(1)
    unknown = nhrp.ext(0x1234, b"\0\0\0\0")
    ctl = resreq(ATT_NBMA, ATT_TUN, S2_TUN, net.next_id(), exts=[unknown])
    got = error_back(net, ctl)
    assert got and got[0].pkt.code == ERR_UNRECOGNIZED_EXT, got
    time.sleep(1)
    ei = nhrp.pdu(nhrp.ERROR, ATT_NBMA, ATT_TUN, HUB_TUNNEL, error=(7, 0),
                  body=ctl[:28], exts=[unknown], auth=PW)
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, [ei])
        back = [g for g in l.drain(3) if g.pkt.type == nhrp.ERROR]
    assert back == [], [g.pkt for g in back]
    untouched(net)


ERR_PROTO_UNREACHABLE, ERR_SDU_SIZE = 6, 8
EXT_VENDOR = 8


def test_sdu_size_exceeded_on_the_wire(net):
    """a Resolution Request for spoke2 that fits the tunnel's MTU (1476) as
    the attacker sends it, but not with the hub's Forward Transit record:
    Error Indication 8 (SDU Size Exceeded, offset 10: ar$pktsz) from the
    hub, quoting the packet's start; spoke2 gets nothing.  The control, 40
    bytes smaller, reaches spoke2."""
    attacker_is_station(net)
    mtu = int(net.hub.run("cat /sys/class/net/gre1/mtu").stdout)

    def padded(size, reqid):
        """a request of exactly size bytes, with an empty Forward Transit
        extension (where each station on the way adds its record, 20
        bytes) and a non-compulsory vendor-private extension of zeros"""
        fwd = nhrp.ext(nhrp.EXT_FWD)
        base = len(resreq(ATT_NBMA, ATT_TUN, S2_TUN, reqid,
                          exts=[fwd, nhrp.ext(EXT_VENDOR, b"\0" * 4, compulsory=False)]))
        pad = nhrp.ext(EXT_VENDOR, b"\0" * (4 + size - base), compulsory=False)
        pkt = resreq(ATT_NBMA, ATT_TUN, S2_TUN, reqid, exts=[fwd, pad])
        assert len(pkt) == size
        return pkt

    before = traffic(net.s2)["received"]["resolutionRequest"]
    big = padded(mtu - 6, net.next_id())
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, [big])
        got = l.wait(lambda q: q.type == nhrp.ERROR and len(q.quoted) >= 100 and
                     big.startswith(q.quoted), 5)
    assert got, "an Error Indication for the size"
    e = got[0].pkt
    assert got[0].nbma == HUB_NBMA and e.code == ERR_SDU_SIZE and e.offset == 10, e
    assert int.from_bytes(e.quoted[10:12], "big") == len(big)
    assert e.dst_proto == ATT_TUN, e
    time.sleep(1)
    assert traffic(net.s2)["received"]["resolutionRequest"] == before
    # the control: room for the hub's record
    ok = padded(mtu - 40, net.next_id())
    with nhrp.Listener(net.att) as l:
        net.send(HUB_NBMA, [ok])
        errs = [g for g in l.drain(2) if g.pkt.type == nhrp.ERROR]
    assert errs == [], [g.pkt for g in errs]
    net.s2.wait_until(lambda: traffic(net.s2)["received"]["resolutionRequest"] == before + 1,
                      10, msg="spoke2 gets the request that fits")
    untouched(net)


def test_reply_for_unknown_requester_unreachable(net):
    """a Resolution Reply for a requester the hub has no binding or route
    for, claiming a third party's NBMA address: Error Indication 6
    (Protocol Address Unreachable, offset 32: the source protocol address)
    back to the sender, and the hub sends no reply anywhere (it is no
    reflector toward the claimed address)"""
    time.sleep(1)
    sent = traffic(net.hub)["sent"]["resolutionReply"]
    rep = nhrp.pdu(nhrp.RES_REPLY, "203.0.113.99", "10.255.0.99", S2_TUN,
                   reqid=net.next_id(), flags=0x4000,
                   cies=[nhrp.cie(prefix=32, holdtime=HOLD, nbma=ATT_NBMA, proto=ATT_TUN)],
                   auth=PW)
    got = error_back(net, rep)
    assert got, "an Error Indication for the unreachable requester"
    e = got[0].pkt
    assert got[0].nbma == HUB_NBMA and e.code == ERR_PROTO_UNREACHABLE, e
    assert e.offset == 32 and rep[32:36] == bytes([10, 255, 0, 99]), e
    time.sleep(1)
    assert traffic(net.hub)["sent"]["resolutionReply"] == sent
    assert "10.255.0.99" not in cache(net.hub)
    untouched(net)
