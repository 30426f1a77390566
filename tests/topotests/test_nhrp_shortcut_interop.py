# SPDX-License-Identifier: GPL-2.0-or-later
"""DMVPN phase 3 shortcuts between our nhrpd and other implementations.

1. FRR 8.4's nhrpd as hub (NFLOG redirect), ours as spokes: registrations,
   LAN to LAN through the hub, then the hub's Traffic Indication on the
   wire, our spoke's shortcut (nhrpd, zebra route of type NHRP in the
   kernel) and the traffic going direct (reply TTL, hub capture).
2. Ours as hub, FRR's as spokes: the same, seen from FRR's spoke (its
   shortcut, its zebra route, its cache).
3. The Cisco IOS phase-3 trace (tests/vectors/
   tcpdump-nhrp-trace.pcap: hub 192.168.200.1, spokes .2 and .3): its
   Traffic Indication and the Resolution Request the hub forwarded,
   re-addressed to this topology and injected at our spoke, which must
   act as the Cisco spokes of the trace did.

FRR's nhrpd needs /32 tunnel addresses (tests 1 and 2); only one spoke
starts the shortcut (FRR 8.4 can lose simultaneous resolutions).
"""
import os
import socket
import struct
import time

import pytest

from lib.cisco import (EXT_AUTH, EXT_END, EXT_FWD, EXT_NAT, EXT_RESPONDER, EXT_REV, VECTORS,
                       checksum, inject, layout, pcap_nhrp, readdress, tshark_nhrp_start,
                       _cies)
from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, frr_hub_config,
                       frr_spoke_config, hub_nflog_rules, lan_addr, lan_net, nhrpd_config,
                       spoke_tunnel)
from lib.state import cache, kernel_route, shortcuts, ttl_of_reply
from lib.topology import FRR_NHRPD, OUR_NHRPD

pytestmark = pytest.mark.gre

RES_REQ, RES_REPLY, TRAFFIC_IND = 1, 2, 8
FLAG_AUTHORITATIVE = 0x4000
NHRP_GRE = "ip proto 47 and ip[22:2] = 0x2001"
HOLD = 120

OUR_HUB = nhrpd_config(debug="all", nflog_group=1, holdtime=HOLD, redirect=True, no_unique=True)


def our_spoke(auth=None):
    return nhrpd_config(debug="all", holdtime=HOLD, nhs=HUB_TUNNEL, no_unique=True, shortcut=True,
                        auth=auth)


def ti_quoted(pdu):
    """(dst proto, quoted IP source, quoted IP destination) of a Traffic
    Indication (mandatory part: the addresses at 28, then the packet)."""
    shtl, sstl, spl, dpl = pdu[18] & 0x3F, pdu[19] & 0x3F, pdu[20], pdu[21]
    o = 28 + shtl + sstl + spl
    dst = socket.inet_ntoa(pdu[o:o + dpl])
    ip = pdu[o + dpl:]
    return dst, socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])


def start(d, hub_binary, hub_conf, spoke_binary, spoke_conf):
    d.hub.iptables_restore(hub_nflog_rules(1))
    d.topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    d.topo.wait_ready([d.hub.start_nhrpd(hub_conf, binary=hub_binary, wait=False)] +
                      [s.start_nhrpd(spoke_conf, binary=spoke_binary, wait=False)
                       for s in d.spokes])
    want = {spoke_tunnel(1): SPOKE_NBMA[0], spoke_tunnel(2): SPOKE_NBMA[1]}
    got = d.hub.wait_until(
        lambda: (lambda c: c if c == want else None)(
            {p: e["nbma"] for p, e in cache(d.hub).items() if e["type"] == "dynamic"}),
        60, msg="hub has a dynamic entry (tunnel address -> NBMA) for each spoke")
    assert got == want


def through_hub_then_shortcut(d, check_shortcut):
    """Both LANs reach each other through the hub (one hop more), then
    spoke1 pings on until check_shortcut() holds; returns the Traffic
    Indications spoke1 received [(dst proto, quoted src, quoted dst)]."""
    s1, s2 = d.spokes
    # LAN to LAN through the hub's LAN (the hub does not redirect that)
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=1, timeout=3), "spoke1 LAN -> hub LAN"
    assert s2.ping(lan_addr(0), src=lan_addr(2), count=1, timeout=3), "spoke2 LAN -> hub LAN"
    cap = s1.capture("eth0", NHRP_GRE, name="nhrp")
    # the first exchange through the hub: the reply TTL is one lower
    assert ttl_of_reply(s1, lan_addr(2), lan_addr(1)) == 63, "spoke1 -> spoke2 via the hub"
    s1.popen(["ping", "-c", "40", "-i", "0.2", "-I", lan_addr(1), lan_addr(2)])
    t0 = time.monotonic()
    s1.wait_until(check_shortcut, 30, msg="spoke1's shortcut to spoke2's LAN")
    print("shortcut after %.1f s" % (time.monotonic() - t0))
    # (tcpdump hands packets over in blocks: wait for them in the file)
    tis = s1.wait_until(lambda: [ti_quoted(p) for src, dst, p in pcap_nhrp(cap.pcap)
                                 if p[17] == TRAFFIC_IND and
                                 (src, dst) == (HUB_NBMA, SPOKE_NBMA[0])], 10,
                        msg="a Traffic Indication from the hub on spoke1's NBMA link")
    cap.stop()
    return tis


def goes_direct(d):
    s1 = d.spokes[0]
    assert ttl_of_reply(s1, lan_addr(2), lan_addr(1)) == 64, "spoke1 -> spoke2 direct now"
    with d.hub.capture("gre1", "icmp", name="hub_icmp") as cap:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=3, timeout=3)
    assert cap.count() == 0, "the hub still sees the traffic:\n" + "\n".join(cap.lines())


# ---- 1: FRR hub, our spokes -----------------------------------------------------


def test_frr_hub_our_spokes_shortcut(topo):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=32)
    start(d, FRR_NHRPD, frr_hub_config(network_id=42, holdtime=HOLD), OUR_NHRPD, our_spoke())
    s1 = d.spokes[0]

    def ours_has_it():
        e = shortcuts(s1).get(lan_net(2))
        return e if e and e["via"] == spoke_tunnel(2) else None
    tis = through_hub_then_shortcut(d, ours_has_it)
    # FRR's hub redirected spoke1's traffic to spoke2's LAN
    assert any(q[1:] == (lan_addr(1), lan_addr(2)) for q in tis), tis
    s1.wait_until(lambda: "via %s" % spoke_tunnel(2) in kernel_route(s1, lan_net(2)), 10,
                  msg="kernel route to spoke2's LAN via spoke2's tunnel address")
    assert "proto nhrp" in kernel_route(s1, lan_net(2))
    assert cache(s1)[spoke_tunnel(2)]["nbma"] == SPOKE_NBMA[1]
    goes_direct(d)
    print("Traffic Indications from FRR's hub (dst proto, quoted src, dst): %s" % tis)


# ---- 2: our hub, FRR's spokes ---------------------------------------------------


def test_our_hub_frr_spokes_shortcut(topo):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=32)
    start(d, OUR_NHRPD, OUR_HUB, FRR_NHRPD,
          frr_spoke_config(network_id=42, holdtime=HOLD))
    s1 = d.spokes[0]

    def frr_has_it():
        sc = {p: e for p, e in shortcuts(s1).items()
              if e.get("via") == spoke_tunnel(2)}
        return sc or None
    # FRR's spoke2 answers through the hub (the reverse path), which
    # forwards the reply to spoke1
    tis = through_hub_then_shortcut(d, frr_has_it)
    # our hub's Traffic Indication, IOS style: dst proto = the packet's source
    assert (lan_addr(1), lan_addr(1), lan_addr(2)) in tis, tis
    sc = shortcuts(s1)
    # FRR's responder gives the prefix it routes (its LAN), as ours does
    assert sc[lan_net(2)]["via"] == spoke_tunnel(2), sc
    routes = s1.show("show ip route nhrp json", json=True)
    r = routes[lan_net(2)][0]
    assert r["protocol"] == "nhrp" and r["nexthops"][0]["ip"] == spoke_tunnel(2), routes
    e = cache(s1)[spoke_tunnel(2)]
    assert e["nbma"] == SPOKE_NBMA[1] and e["type"] in ("cached", "dynamic"), e
    s1.wait_until(lambda: "proto nhrp" in kernel_route(s1, lan_net(2)), 10,
                  msg="kernel route of type nhrp")
    goes_direct(d)


# ---- 3: the Cisco IOS phase-3 trace at our spoke ------------------------------

TRACE = os.path.join(VECTORS, "tcpdump-nhrp-trace.pcap")
TRACE_PASSWORD = "secret"       # the trace's cleartext authentication
AUTH_VALUE = b"\x00\x00\x00\x01" + TRACE_PASSWORD.encode()   # SPI 1, password


def trace_pdus():
    assert os.path.exists(TRACE), "no Cisco trace %s (tests/vectors is part of the repo)" % TRACE
    from test_codec_vectors import capture_pdus
    pdus = [p[:struct.unpack("!H", p[10:12])[0]] for _, p in capture_pdus(TRACE)]
    # TI hub -> .3, .3's Resolution Request, the hub's forwarded copy to .2,
    # .2's reply straight to .3
    assert [p[17] for p in pdus] == [TRAFFIC_IND, RES_REQ, RES_REQ, RES_REPLY], pdus
    return pdus


def readdress_ti(pdu, src_nbma, src_proto, quoted_src, quoted_dst):
    """The trace's Traffic Indication re-addressed: its source (the hub),
    its destination protocol address (= the quoted packet's source, as IOS
    sends it) and the quoted IP header's addresses (its checksum redone);
    everything else byte for byte."""
    buf = bytearray(pdu)
    shtl, sstl, spl, dpl = buf[18] & 0x3F, buf[19] & 0x3F, buf[20], buf[21]
    o = 28
    buf[o:o + shtl] = socket.inet_aton(src_nbma)
    o += shtl + sstl
    buf[o:o + spl] = socket.inet_aton(src_proto)
    o += spl
    buf[o:o + dpl] = socket.inet_aton(quoted_src)
    ip = o + dpl
    assert buf[ip] == 0x45, "a quoted IPv4 header of 20 bytes"
    buf[ip + 12:ip + 16] = socket.inet_aton(quoted_src)
    buf[ip + 16:ip + 20] = socket.inet_aton(quoted_dst)
    buf[ip + 10:ip + 12] = b"\0\0"
    buf[ip + 10:ip + 12] = struct.pack("!H", checksum(bytes(buf[ip:ip + 20])))
    buf[12:14] = b"\0\0"
    buf[12:14] = struct.pack("!H", checksum(bytes(buf)))
    assert ti_quoted(bytes(buf)) == (quoted_src, quoted_src, quoted_dst)
    return bytes(buf)


def readdress_forwarded(pdu, src_nbma, src_proto, target, nhs_nbma, nhs_proto):
    """The hub-forwarded Resolution Request re-addressed: requester, target,
    and the hub's Forward Transit NHS record."""
    buf = bytearray(readdress(pdu, src_nbma, src_proto, target))
    fwd = [(off, ln) for t, _, off, ln in layout(buf)["ext"] if t == EXT_FWD]
    assert fwd and fwd[0][1], "the trace's forwarded request has the hub's record"
    (_, (no, nl), (po, pl)), = _cies(buf, fwd[0][0], fwd[0][0] + fwd[0][1])
    buf[no:no + nl] = socket.inet_aton(nhs_nbma)
    buf[po:po + pl] = socket.inet_aton(nhs_proto)
    buf[12:14] = b"\0\0"
    buf[12:14] = struct.pack("!H", checksum(bytes(buf)))
    return bytes(buf)


def check_wire(p, where):
    assert not p.malformed and not p.expert_errors, (where, p.expert_errors)
    assert p.checksum_good, where


def test_cisco_trace_replayed_at_our_spoke(topo):
    pdus = trace_pdus()
    cisco_decoded = tshark_nhrp_start(TRACE)     # in the background
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
    hub, s1 = d.hub, d.spokes[0]
    # our hub and our spoke1 with the trace's password; spoke2 runs no
    # nhrpd: it stands for the Cisco requester (.3 of the trace)
    topo.wait_ready([n.start_zebra(wait=False) for n in (hub, s1)])
    topo.wait_ready([
        hub.start_nhrpd(OUR_HUB.replace(" ip nhrp redirect\n", " ip nhrp authentication %s\n"
                                        % TRACE_PASSWORD), ours=True, wait=False),
        s1.start_nhrpd(our_spoke(auth=TRACE_PASSWORD), ours=True, wait=False)])
    hub.wait_until(lambda: cache(hub).get(spoke_tunnel(1), {}).get("nbma") == SPOKE_NBMA[0],
                   30, msg="spoke1 registered with the trace's password")

    cap = s1.capture("eth0", NHRP_GRE, name="replay")
    # (1) the hub's Traffic Indication: spoke1's LAN -> spoke2's LAN went
    # through the hub
    ti = readdress_ti(pdus[0], HUB_NBMA, HUB_TUNNEL, lan_addr(1), lan_addr(2))
    inject(hub, [ti], SPOKE_NBMA[0])

    def our_request():
        return [p for src, dst, p in pcap_nhrp(cap.pcap)
                if p[17] == RES_REQ and (src, dst) == (SPOKE_NBMA[0], HUB_NBMA)]
    s1.wait_until(our_request, 10, msg="spoke1 sends a Resolution Request to its NHS")
    # (2) the Resolution Request the hub forwarded: spoke2 (the requester)
    # resolves spoke1's LAN address
    fwd = readdress_forwarded(pdus[2], SPOKE_NBMA[1], spoke_tunnel(2), lan_addr(1),
                              HUB_NBMA, HUB_TUNNEL)
    inject(hub, [fwd], SPOKE_NBMA[0])
    reqid = struct.unpack("!I", pdus[2][24:28])[0]

    def our_reply():
        return [p for src, dst, p in pcap_nhrp(cap.pcap)
                if p[17] == RES_REPLY and src == SPOKE_NBMA[0]]
    s1.wait_until(our_reply, 10, msg="spoke1 answers the forwarded Resolution Request")
    cap.stop()
    ours = tshark_nhrp_start(cap.pcap)()
    cisco = cisco_decoded()
    c_ti, c_req, c_fwd, c_rep = cisco
    assert [p.type for p in cisco] == [TRAFFIC_IND, RES_REQ, RES_REQ, RES_REPLY]

    # ---- (1) our Resolution Request, against the Cisco spoke's ----
    reqs = [p for p in ours if p.type == RES_REQ and p.ip_src == SPOKE_NBMA[0]]
    rq = reqs[0]
    where = "our Resolution Request (frame %d)" % rq.frame
    check_wire(rq, where)
    assert (rq.ip_dst, rq.src_nbma, rq.src_proto, rq.dst_proto) == \
        (HUB_NBMA, SPOKE_NBMA[0], spoke_tunnel(1), lan_addr(2)), where
    assert rq.hopcnt == c_req.hopcnt == 255, where
    assert len(rq.cies) == len(c_req.cies) == 1, where
    cq, cc = rq.cies[0], c_req.cies[0]
    assert (cq.code, cq.nbma, cq.proto) == (cc.code, cc.nbma, cc.proto) == (0, "", ""), where
    assert cq.htime == HOLD, where
    # as IOS 15 sends its requests: router, authoritative, stable binding,
    # Cisco NAT (Q, A, S: 0xc802); the CIE for the host asked for, the
    # interface's MTU, preference 255 (the 2007 trace's IOS still sent
    # prefix 0, preference 0: both are accepted on receive)
    assert rq.flags == 0xc802, (where, hex(rq.flags), hex(c_req.flags))
    assert rq.flags & 0x8002 == c_req.flags & 0x8002 == 0x8002, (where, hex(c_req.flags))
    gre_mtu = int(s1.run("cat /sys/class/net/gre1/mtu").stdout)
    assert (cq.prefix, cq.mtu, cq.pref) == (32, gre_mtu, 255), (where, cq)
    assert c_req.cies[0].mtu == 1514, c_req.cies[0]     # IOS: its interface's MTU
    # the same extensions as IOS's (its NAT extension is optional)
    ext_types = [e.type for e in rq.exts]
    assert [t for t in [e.type for e in c_req.exts] if t != EXT_NAT] == \
        [t for t in ext_types if t != EXT_NAT] == \
        [EXT_RESPONDER, EXT_FWD, EXT_REV, EXT_AUTH, EXT_END], (where, ext_types)
    for t in (EXT_RESPONDER, EXT_FWD, EXT_REV):
        assert rq.ext(t).compulsory and rq.ext(t).cies == [], (where, t)
    assert rq.ext(EXT_AUTH).value == AUTH_VALUE == c_req.ext(EXT_AUTH).value, where
    # retransmissions keep the request id
    assert {p.reqid for p in reqs} == {rq.reqid}, where

    # ---- (2) our Resolution Reply, against the Cisco spoke's ----
    reps = [p for p in ours if p.type == RES_REPLY and p.ip_src == SPOKE_NBMA[0]]
    rp = reps[0]
    where = "our Resolution Reply (frame %d)" % rp.frame
    check_wire(rp, where)
    # straight to the requester's NBMA, as the Cisco spoke (.2 -> .3)
    assert (c_rep.ip_src, c_rep.ip_dst) == (c_fwd.ip_dst, c_req.ip_src)
    assert rp.ip_dst == SPOKE_NBMA[1], where
    assert rp.reqid == reqid == c_rep.reqid, where
    assert rp.flags & FLAG_AUTHORITATIVE and c_rep.flags & FLAG_AUTHORITATIVE, \
        (where, hex(rp.flags))
    assert (rp.src_nbma, rp.src_proto, rp.dst_proto) == \
        (SPOKE_NBMA[1], spoke_tunnel(2), lan_addr(1)), where
    assert rp.hopcnt == c_rep.hopcnt == 255, where
    assert len(rp.cies) == 1, where
    c = rp.cies[0]
    assert (c.code, c.nbma, c.proto, c.htime) == (0, SPOKE_NBMA[0], spoke_tunnel(1), HOLD), \
        (where, c)
    # IOS answers for the /32 it was asked (its tunnel address); ours for
    # the prefix that holds the target, spoke1's LAN
    assert c_rep.cies[0].prefix == 32 and c.prefix == 24, (where, c)
    resp = rp.ext(EXT_RESPONDER)
    assert resp and resp.compulsory and len(resp.cies) == 1, where
    assert (resp.cies[0].nbma, resp.cies[0].proto) == (SPOKE_NBMA[0], spoke_tunnel(1)), where
    # the hub's Forward Transit record comes back as in IOS's reply
    fw = rp.ext(EXT_FWD)
    assert fw and [(x.nbma, x.proto) for x in fw.cies] == [(HUB_NBMA, HUB_TUNNEL)], where
    assert len(c_rep.ext(EXT_FWD).cies) == 1
    assert rp.ext(EXT_REV).cies == [] == c_rep.ext(EXT_REV).cies, where
    assert rp.ext(EXT_AUTH).value == AUTH_VALUE, where
    assert rp.exts[-1].type == EXT_END, where
    # spoke1 learnt the requester's binding on the way
    assert cache(s1)[spoke_tunnel(2)]["nbma"] == SPOKE_NBMA[1]
    print("our request flags %#x (IOS %#x), reply flags %#x (IOS %#x), ext %s (IOS %s)"
          % (rq.flags, c_req.flags, rp.flags, c_rep.flags, ext_types,
             [e.type for e in c_req.exts]))
