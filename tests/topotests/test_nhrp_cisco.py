# SPDX-License-Identifier: GPL-2.0-or-later
"""Cisco IOS interoperability of our nhrpd, with real IOS packets.

1. Every Registration Request of the capture vectors (tests/vectors:
   IOL with authentication and the NAT extension, IOS 12 with
   prefix 255 / holding time 30 / no NAT extension, the no-unique one with
   id 300, IOS-XE's in tcpdump-nhrp.pcapng), re-addressed to this topology
   and injected at our hub from a "spoke" namespace that runs no nhrpd:
   each reply, as tshark decodes it, and the hub's cache.
2. The same behind NAT: the claimed source NBMA is not where the packet
   came from.
3. Our spoke registers as IOS does: what it sends to a hub that does not
   answer (hop count, unique flag, request id, back-off, extensions), then
   registration once our hub runs.
"""
import itertools
import json
import os
import sys
import time

import pytest

from lib import Topology
from lib.cisco import (EXT_AUTH, EXT_END, EXT_FWD, EXT_NAT, EXT_RESPONDER, EXT_REV,
                       FLAG_NAT, FLAG_UNIQUE, REG_REPLY, REG_REQ, check_readdressed, inject,
                       layout, pcap_nhrp, readdress, registration_requests, tshark_nhrp_start)
from lib.dmvpn import HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, nhrpd_config, spoke_tunnel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from vtyclient import Vty  # noqa: E402

pytestmark = pytest.mark.gre

HUB_HOLD = 600
SPOKE_HOLD = 600
# the spoke's private address behind NAT: claimed in its requests, never
# configured anywhere (a documentation address, as every NBMA here)
CLAIMED_NBMA = "203.0.113.105"
AUTH_PREFIX = b"\x00\x00\x00\x01"   # Cisco cleartext: SPI 1, then the password


def hub_conf(auth=None, holdtime=HUB_HOLD):
    return nhrpd_config(holdtime=holdtime, auth=auth)


def spoke_conf(auth=None, no_unique=False, holdtime=SPOKE_HOLD):
    return nhrpd_config(holdtime=holdtime, nhs=HUB_TUNNEL, auth=auth, no_unique=no_unique)


def vty(node, *cmds):
    """nhrpd's own vty: milliseconds, and it passes `ip nhrp authentication`"""
    with Vty(node.vty_socket("nhrpd")) as v:
        return v.ok(*cmds)


def set_password(node, password):
    vty(node, "configure terminal", "interface gre1",
        "ip nhrp authentication " + password if password else "no ip nhrp authentication",
        "end")


def hub_ready(hub):
    j = json.loads(vty(hub, "show ip nhrp interface gre1 json"))
    e = j[0] if isinstance(j, list) else j
    return e["nbma"] == HUB_NBMA and e["protocol"] == HUB_TUNNEL and e["enabled"]


def replies_from(pcap, nbma):
    """{(request id, src proto)} of the Registration Replies nbma sent"""
    got = set()
    for src, _, pdu in pcap_nhrp(pcap):
        if src == nbma and pdu[17] == REG_REPLY:
            off, ln = layout(pdu)["src_proto"]
            got.add((int.from_bytes(pdu[24:28], "big"), ".".join(map(str, pdu[off:off + ln]))))
    return got


def by_protocol(doc):
    return {e["protocol"]: e for e in doc.get("table", [])}


def check_reply(rep, req, src_proto, real_nbma, claimed_nbma, password):
    """One Registration Reply from our hub, as tshark sees it, against the
    request it answers (req: that request as tshark decoded it)."""
    where = "reply frame %d (id %d, %s)" % (rep.frame, rep.reqid, src_proto)
    assert not rep.malformed and not rep.expert_errors, (where, rep.expert_errors)
    assert rep.checksum_good, where
    assert rep.type == REG_REPLY, where
    assert (rep.ip_src, rep.ip_dst) == (HUB_NBMA, real_nbma), where
    assert rep.reqid == req.reqid and rep.flags == req.flags, where
    assert rep.hopcnt == 255, where
    # the request answered: its source stays, the destination is the hub
    assert (rep.src_nbma, rep.src_proto, rep.dst_proto) == \
        (claimed_nbma, src_proto, HUB_TUNNEL), where
    assert len(rep.cies) == len(req.cies) == 1, where
    c, q = rep.cies[0], req.cies[0]
    assert c.code == 0, (where, "CIE code", c.code)
    assert (c.prefix, c.mtu, c.htime) == (q.prefix, q.mtu, q.htime), where
    # the request's extensions, in its order
    assert [e.type for e in rep.exts] == [e.type for e in req.exts], where
    assert rep.exts[-1].type == EXT_END, where
    resp = rep.ext(EXT_RESPONDER)
    assert resp and resp.compulsory and len(resp.cies) == 1, where
    r = resp.cies[0]
    assert (r.nbma, r.proto, r.code, r.htime) == (HUB_NBMA, HUB_TUNNEL, 0, HUB_HOLD), where
    for t in (EXT_FWD, EXT_REV):
        e = rep.ext(t)
        assert e and e.compulsory and e.cies == [], (where, t)   # no transit NHS
    auth = rep.ext(EXT_AUTH)
    assert auth and auth.compulsory and auth.value == AUTH_PREFIX + password.encode(), where
    nat = rep.ext(EXT_NAT)
    if req.ext(EXT_NAT) is None:
        assert nat is None, where
        return
    assert nat is not None and not nat.compulsory, where
    assert nat.cies[0].nbma == HUB_NBMA and nat.cies[0].proto == HUB_TUNNEL, where
    if real_nbma == claimed_nbma:
        assert len(nat.cies) == 1, (where, nat.cies)
    else:
        # NAT seen: a 2nd entry, the address the request really came from
        assert len(nat.cies) == 2, (where, nat.cies)
        assert (nat.cies[1].nbma, nat.cies[1].proto) == (real_nbma, src_proto), where


# ---- 1 and 2: Cisco's requests at our hub -------------------------------------


@pytest.fixture(scope="module")
def replay():
    reqs = registration_requests()      # skips without codec_tool
    topo = Topology("nhrp_cisco_replay")
    try:
        d = build_dmvpn(topo, spokes=1, lans=False, routes=False, tunnel_plen=24)
        d.hub.start_zebra()
        d.hub.start_nhrpd(hub_conf(auth=reqs[0].password), ours=True)
        d.hub.wait_until(lambda: hub_ready(d.hub), 30, msg="hub's gre1 has its addresses")
        yield d, reqs
        topo.check_daemons()
    finally:
        topo.close()


def test_replay_cisco_registration_requests(replay):
    d, reqs = replay
    hub, sp = d.hub, d.spokes[0]
    nbma = SPOKE_NBMA[0]
    # one tunnel address per registering router of the captures
    owners = list(dict.fromkeys((r.capture, r.src_proto) for r in reqs))
    addr = {o: "10.255.0.%d" % (101 + i) for i, o in enumerate(owners)}
    sent = []           # (request, re-addressed bytes, tunnel address)
    for r in reqs:
        a = addr[(r.capture, r.src_proto)]
        new = readdress(r.pdu, nbma, a, HUB_TUNNEL, nat_nbma=HUB_NBMA, nat_proto=HUB_TUNNEL)
        sent.append((r, new, a))
    # only the addresses and the checksum changed, as the codec sees it
    check_readdressed([(r.pdu, new, nbma, a, HUB_TUNNEL) +
                       ((HUB_NBMA, HUB_TUNNEL) if r.has_nat else (None, None))
                       for r, new, a in sent])
    keys = [(r.reqid, a) for r, _, a in sent]
    assert len(set(keys)) == len(keys), "request id + address identify each reply"

    # one password per capture set-up: the hub takes each in turn, the
    # shortest holding time last (it must not expire before the check)
    groups = {}
    for s in sent:
        groups.setdefault(s[0].password, []).append(s)
    order = sorted(groups, key=lambda pw: -min(s[0].htime for s in groups[pw]))
    cap = sp.capture("eth0", bpf="ip proto 47", name="replay")
    injected = {}       # tunnel address -> (time of its last request, that request)
    for pw in order:
        set_password(hub, pw)
        inject(sp, [new for _, new, _ in groups[pw]], HUB_NBMA)
        now = time.monotonic()
        for r, _, a in groups[pw]:
            injected[a] = (now, r)
        want = {(r.reqid, a) for r, _, a in groups[pw]}
        sp.wait_until(lambda: want <= replies_from(cap.pcap, HUB_NBMA), 20,
                      msg="replies to the %r requests (%s)" % (
                          pw, ", ".join(r.label for r, _, _ in groups[pw])))

    cap.stop()
    tshark = tshark_nhrp_start(cap.pcap)
    # the hub's cache, right after the last reply
    cache_doc, dmvpn_doc = hub.vtysh(["show ip nhrp cache json", "show dmvpn json"], json=True)
    checked_at = time.monotonic()
    cache = by_protocol(cache_doc)
    # one row per peer (NBMA address), with every tunnel address it registered
    peers = {a: e for e in dmvpn_doc for a in e["tunnelAddresses"]}
    assert len(dmvpn_doc) == 1 and dmvpn_doc[0]["entries"] == len(injected), dmvpn_doc
    for a, (t, r) in injected.items():
        e = cache.get(a)
        assert e is not None, ("no cache entry for", a, r.label, sorted(cache))
        assert e["type"] == "dynamic" and e["nbma"] == nbma and e["claimed_nbma"] == nbma, e
        assert e["holdtime"] == r.htime, (r.label, e)
        assert r.htime - (checked_at - t) - 2 <= e["expiresIn"] <= r.htime, (r.label, e)
        assert e["unique"] == r.unique, (r.label, e)
        assert peers[a]["peerNbma"] == nbma and "N" not in peers[a]["attributes"], peers[a]

    pkts = tshark()
    reqs_seen = {(p.reqid, p.src_proto): p for p in pkts if p.type == REG_REQ}
    replies = [p for p in pkts if p.type == REG_REPLY]
    assert not [p for p in pkts if p.type not in (REG_REQ, REG_REPLY)], \
        "only registrations on the wire (no error indication)"
    assert len(replies) == len(sent), [(p.reqid, p.src_proto) for p in replies]
    for r, new, a in sent:
        req = reqs_seen[(r.reqid, a)]
        assert not req.malformed and req.checksum_good, r.label
        rep = [p for p in replies if (p.reqid, p.src_proto) == (r.reqid, a)]
        assert len(rep) == 1, r.label
        check_reply(rep[0], req, a, nbma, nbma, r.password)


def test_registration_behind_nat(replay):
    d, reqs = replay
    hub, sp = d.hub, d.spokes[0]
    real = SPOKE_NBMA[0]
    a = "10.255.0.150"
    r = next(r for r in reqs if r.has_nat and r.unique)
    set_password(hub, r.password)
    pdu = readdress(r.pdu, CLAIMED_NBMA, a, HUB_TUNNEL, nat_nbma=HUB_NBMA, nat_proto=HUB_TUNNEL)
    check_readdressed([(r.pdu, pdu, CLAIMED_NBMA, a, HUB_TUNNEL, HUB_NBMA, HUB_TUNNEL)])
    cap = sp.capture("eth0", bpf="ip proto 47", name="nat")
    inject(sp, [pdu], HUB_NBMA)
    sp.wait_until(lambda: (r.reqid, a) in replies_from(cap.pcap, HUB_NBMA), 20,
                  msg="a reply to the NATed request, at the address it came from")
    cap.stop()
    tshark = tshark_nhrp_start(cap.pcap)
    cache_doc, dmvpn_doc = hub.vtysh(["show ip nhrp cache json", "show dmvpn json"], json=True)
    e = by_protocol(cache_doc)[a]
    assert e["type"] == "dynamic", e
    assert e["nbma"] == real and e["claimed_nbma"] == CLAIMED_NBMA, e
    assert 0 < e["expiresIn"] <= r.htime and e["holdtime"] == r.htime, e
    peer = next(p for p in dmvpn_doc if a in p["tunnelAddresses"])
    assert peer["peerNbma"] == real and "N" in peer["attributes"], peer
    # the kernel sends to the real address too
    hub.wait_until(lambda: real in hub.run("ip neigh show dev gre1 to %s" % a).stdout, 10,
                   msg="the hub's neighbour entry for %s is the real NBMA" % a)
    pkts = tshark()
    req = next(p for p in pkts if p.type == REG_REQ)
    assert req.src_nbma == CLAIMED_NBMA and req.ip_src == real
    reps = [p for p in pkts if p.type == REG_REPLY]
    assert len(reps) == 1, reps
    check_reply(reps[0], req, a, real, CLAIMED_NBMA, r.password)


# ---- 3: our spoke, as IOS registers ---------------------------------------------

SPOKE_PW = "c1sco"


def test_spoke_registers_like_ios(topo):
    d = build_dmvpn(topo, spokes=2, lans=False, routes=False, tunnel_plen=24)
    hub, (s1, s2) = d.hub, d.spokes
    topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    # on the hub's wire; nothing answers there yet
    cap = hub.capture("eth0", bpf="ip proto 47", name="spokes")
    topo.wait_ready([s1.start_nhrpd(spoke_conf(auth=SPOKE_PW, no_unique=True), ours=True,
                                    wait=False),
                     s2.start_nhrpd(spoke_conf(), ours=True, wait=False)])
    spokes = {SPOKE_NBMA[0]: s1, SPOKE_NBMA[1]: s2}

    def requests():
        out = {n: 0 for n in spokes}
        for src, dst, pdu in pcap_nhrp(cap.pcap):
            if pdu[17] == REG_REQ and src in out:
                out[src] += 1
        return out
    # four unanswered requests each (0, 1, 3, 7 s); the fifth one (15 s)
    # goes to a hub that has started meanwhile
    hub.wait_until(lambda: min(requests().values()) >= 4, 30,
                   msg="four registration requests from each spoke")
    hub.start_nhrpd(hub_conf(), ours=True)
    for s in (s1, s2):
        s.wait_until(lambda: [n["status"] for n in json.loads(
            vty(s, "show ip nhrp nhs json"))["table"]] == ["up"],
            60, msg="%s registered with the hub" % s.name)
    # tcpdump hands packets over in blocks: stop once the replies are in
    hub.wait_until(lambda: {dst for src, dst, pdu in pcap_nhrp(cap.pcap)
                            if src == HUB_NBMA and pdu[17] == REG_REPLY} >= set(spokes),
                   10, msg="the replies to both spokes in the capture")
    cap.stop()
    tshark = tshark_nhrp_start(cap.pcap)
    cache = by_protocol(hub.vtysh("show ip nhrp cache json", json=True))
    for i in (1, 2):
        e = cache[spoke_tunnel(i)]
        assert e["type"] == "dynamic" and e["nbma"] == SPOKE_NBMA[i - 1], e
        assert e["unique"] == (i == 2), e

    pkts = tshark()
    for n, s in spokes.items():
        i = 1 if s is s1 else 2
        reqs = [p for p in pkts if p.type == REG_REQ and p.ip_src == n]
        first = [p for p in itertools.takewhile(lambda p: p.reqid == reqs[0].reqid, reqs)]
        where = "%s: requests %s" % (s.name, [(p.reqid, round(p.time - reqs[0].time, 2))
                                              for p in reqs])
        # the same request id until answered, after 1, 2, 4, 8 s
        assert len(first) >= 5, where
        gaps = [b.time - a.time for a, b in zip(first, first[1:])][:4]
        for want, got in zip((1, 2, 4, 8), gaps):
            assert want - 0.3 <= got <= want + 1.5, (where, gaps)
        answered = [p for p in pkts if p.type == REG_REPLY and p.ip_dst == n]
        assert answered and answered[0].reqid == first[0].reqid, where
        for p in reqs:
            w = "%s frame %d" % (s.name, p.frame)
            assert not p.malformed and not p.expert_errors and p.checksum_good, w
            assert p.hopcnt == 255, w
            assert (p.src_nbma, p.src_proto, p.dst_proto) == (n, spoke_tunnel(i), HUB_TUNNEL), w
            assert p.flags & FLAG_NAT, w
            assert len(p.cies) == 1 and p.cies[0].htime == SPOKE_HOLD, w
            if s is s1:     # registration no-unique
                assert not p.flags & FLAG_UNIQUE and p.cies[0].prefix == 32, w
            else:
                assert p.flags & FLAG_UNIQUE and p.cies[0].prefix == 255, w
            types = [e.type for e in p.exts]
            for t in (EXT_RESPONDER, EXT_FWD, EXT_REV):
                assert t in types and p.ext(t).compulsory and p.ext(t).length == 0, (w, t)
            auth = p.ext(EXT_AUTH)
            if s is s1:
                assert auth and auth.compulsory and \
                    auth.value == AUTH_PREFIX + SPOKE_PW.encode(), (w, auth)
            else:
                assert auth is None, w
            nat = p.ext(EXT_NAT)
            assert nat and not nat.compulsory and len(nat.cies) == 1, w
            assert (nat.cies[0].nbma, nat.cies[0].proto) == (HUB_NBMA, HUB_TUNNEL), w
            assert types[-1] == EXT_END, w
