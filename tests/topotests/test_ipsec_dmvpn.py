# SPDX-License-Identifier: GPL-2.0-or-later
"""DMVPN over IPsec with Debian's stock strongSwan: today's nhrpd (hub and
two spokes ours) with one charon per node and the trap-policy connection
of doc/ipsec.rst, for IKEv1 main mode with a wildcard pre-shared key and
for IKEv2 with certificates of a test CA.

nhrpd does not talk to charon yet (its `tunnel protection` is stored, the
VICI client is not wired in): the SAs come up on demand from the kernel's
ACQUIRE for the first GRE packet to a new NBMA address.

Asserted: registrations, LAN-to-LAN pings and the phase-3 shortcut (reqid
pinned, after a simultaneous initiation between the spokes), with the
transit router forwarding ESP only, not one GRE packet in clear, from the
first packet on; the kernel dropping cleartext GRE for a host whose policy
requires ESP, before nhrpd sees it.

Strict xfails, what does not work yet (see their reasons): the duplicate
IKE SA after a simultaneous initiation stays; a shortcut does not follow a
spoke-to-spoke SA that came up after nhrpd's resolution retries; cleartext
NHRP reaches nhrpd while charon (and so its policies) is down.

Measured (doc/ipsec.rst): without a pinned reqid, phase 3 right after a
simultaneous initiation fails in some runs (inbound policy drops counted as
XfrmInTmplMismatch), so that case is printed, not asserted.
"""
import contextlib
import json
import os
import subprocess
import sys
import time

import pytest

from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, hub_nflog_rules,
                       lan_addr, spoke_tunnel)
from lib.ipsec import (IKEV1_PSK, IKEV2_CERT, Pki, TransitCounters, have_strongswan,
                       start_charons, xfrm_stats)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vtyclient import Vty  # noqa: E402

pytestmark = [
    pytest.mark.gre,
    pytest.mark.skipif(not have_strongswan(), reason="needs strongSwan: apt-get install "
                       "strongswan-charon strongswan-swanctl charon-systemd strongswan-pki "
                       "libcharon-extra-plugins"),
]

HUB = """debug nhrp common
nhrp nflog-group 1
interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 60
 ip nhrp redirect
 tunnel source eth0
 tunnel protection vici profile dmvpn
exit
"""
SPOKE = """debug nhrp common
interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 60
 ip nhrp nhs %s nbma %s
 ip nhrp registration no-unique
 ip nhrp shortcut
 tunnel source eth0
 tunnel protection ipsec profile dmvpn
exit
""" % (HUB_TUNNEL, HUB_NBMA)

VARIANTS = [IKEV1_PSK, IKEV2_CERT]


@contextlib.contextmanager
def precondition(what):
    """In a strict xfail test: a failure here is not the expected one
    (those tests use xfail(raises=AssertionError)), so it fails the test."""
    try:
        yield
    except AssertionError as e:
        raise RuntimeError("precondition failed (%s): %s" % (what, e)) from e


def dynamic_entries(node):
    return {e["protocol"]: e["nbma"] for e in node.show("show ip nhrp cache json", json=True)
            .get("table", []) if e["type"] == "dynamic"}


def shortcuts(node):
    j = node.show("show ip nhrp shortcut json", json=True)
    return {e["prefix"]: e["via"] for e in j.get("table", [])}


def traffic(node):
    with Vty(node.vty_socket("nhrpd")) as v:
        return json.loads(v.ok("show ip nhrp traffic json"))["gre1"]


def start_ipsec_dmvpn(topo, variant, reqid=None, spokes=2, without=(), g0=False):
    """Hub + spokes with charon (trap connection) on every node but those
    named in `without`, and our nhrpd everywhere.  The transit counters are in
    place before the first packet, charon's trap policies before nhrpd
    sends anything.  Returns (dmvpn, charons, counters, times)."""
    t0 = time.monotonic()
    d = build_dmvpn(topo, spokes=spokes, tunnel_plen=24, tx_csum_off=False)
    counters = TransitCounters(d.inet)
    d.hub.iptables_restore(hub_nflog_rules(1))
    pki = Pki(topo.logdir) if variant == IKEV2_CERT else None
    nodes = [n for n in d.nodes if n.name not in without]
    charons = start_charons(nodes, variant, pki=pki, reqid=reqid)
    if g0:
        add_g0(d)
    t_ipsec = time.monotonic()
    topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    d.hub.start_nhrpd(HUB, ours=True)
    topo.wait_ready([s.start_nhrpd(SPOKE, ours=True, wait=False) for s in d.spokes])
    return d, charons, counters, {"setup": t_ipsec - t0, "nhrpd_start": time.monotonic()}


def wait_registered(d, spokes, timeout=90):
    want = {spoke_tunnel(i + 1): SPOKE_NBMA[i] for i in range(len(spokes))}
    d.hub.wait_until(lambda: all(dynamic_entries(d.hub).get(k) == v for k, v in want.items()),
                     timeout, msg="spokes registered over IPsec")


def both_shortcuts(s1, s2):
    return (shortcuts(s1).get("10.2.0.0/24") == spoke_tunnel(2)
            and shortcuts(s2).get("10.1.0.0/24") == spoke_tunnel(1))


def phase3(d, timeout):
    """Both spokes ping each other's LAN at once (both resolve, both
    initiate IKE towards the other): seconds until both shortcuts are
    there, or None."""
    s1, s2 = d.spokes
    t0 = time.monotonic()
    for a, b, n in ((1, 2, s1), (2, 1, s2)):
        n.popen(["ping", "-n", "-q", "-c", str(timeout * 5), "-i", "0.2", "-I", lan_addr(a),
                 lan_addr(b)], stdout=subprocess.DEVNULL)
    ok = s1.wait_until(lambda: both_shortcuts(s1, s2), timeout)
    return time.monotonic() - t0 if ok else None


def sa_summary(ch):
    return [(sa.get("remote-host"), sa.get("state"), sa.get("uniqueid"),
             [(c.get("reqid"), c.get("state"), c.get("packets-in"))
              for c in sa.get("child-sas", {}).values()])
            for sa in ch.sas()]


def spoke_sas(ch, a, b_nbma):
    """Established IKE SAs of node a's charon with the spoke at b_nbma."""
    return [sa for sa in ch[a].sas() if sa.get("remote-host") == b_nbma
            and sa.get("state") == "ESTABLISHED"]


def simultaneous_initiation(d, ch, require_ping=True):
    """Both spokes send GRE to each other at the same moment (a
    point-to-point tunnel g0 between them, outside NHRP), so that both
    kernels raise an ACQUIRE and both charons initiate; returns once ESP
    carries pings both ways (require_ping), or once both charons have an
    established SA with the other spoke."""
    s1, s2 = d.spokes
    procs = [s1.popen(["ping", "-n", "-q", "-c", "60", "-i", "0.5", "10.9.0.2"],
                      stdout=subprocess.DEVNULL),
             s2.popen(["ping", "-n", "-q", "-c", "60", "-i", "0.5", "10.9.0.1"],
                      stdout=subprocess.DEVNULL)]
    try:
        if require_ping:
            s1.wait_until(lambda: s1.ping("10.9.0.2", count=1, timeout=1) and
                          s2.ping("10.9.0.1", count=1, timeout=1), 60,
                          msg="spoke1 <-> spoke2 over ESP (g0)")
        else:
            s1.wait_until(lambda: spoke_sas(ch, "spoke1", SPOKE_NBMA[1]) and
                          spoke_sas(ch, "spoke2", SPOKE_NBMA[0]), 60,
                          msg="spoke1 <-> spoke2 SAs established")
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)


def add_g0(d):
    """The point-to-point GRE tunnel between the spokes that
    simultaneous_initiation() uses (no key: it does not touch gre1).  Made
    once charon's policies are there, without IPv6 (whose neighbour
    discovery would send GRE at once), so that nothing crosses in clear."""
    s1, s2 = d.spokes
    for n, local, remote, addr in ((s1, SPOKE_NBMA[0], SPOKE_NBMA[1], "10.9.0.1/30"),
                                   (s2, SPOKE_NBMA[1], SPOKE_NBMA[0], "10.9.0.2/30")):
        n.ip("link add g0 type gre local %s remote %s ttl 64" % (local, remote))
        n.ip("link set g0 addrgenmode none")
        n.add_address("g0", addr)
        n.ip("link set g0 up")


@pytest.mark.parametrize("variant", VARIANTS)
def test_dmvpn_over_ipsec(topo, variant):
    """Registrations and LAN pings through the hub with SAs made on demand,
    then the phase-3 shortcut between spokes whose charons initiated at
    the same time (two IKE SAs between them; the child's reqid pinned as
    doc/ipsec.rst says); the transit forwards no GRE in clear."""
    d, ch, cnt, t = start_ipsec_dmvpn(topo, variant, reqid=1, g0=True)
    s1, s2 = d.spokes
    wait_registered(d, d.spokes)
    t_reg = time.monotonic() - t["nhrpd_start"]
    # every spoke has its IKE SA with the hub, with the right identity
    for i, s in enumerate(d.spokes):
        sas = ch["hub"].established(remote=SPOKE_NBMA[i])
        assert sas, "hub: no SA with %s: %s" % (s.name, sa_summary(ch["hub"]))
        assert sas[0]["remote-id"] == ch[s.name].identity, sas[0]
        assert sas[0]["version"] == ("1" if variant == IKEV1_PSK else "2")
    # hub LAN from a spoke LAN
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    c_hub = cnt.read()
    assert c_hub["gre"] == 0 and c_hub["esp"] > 0, c_hub
    # the spokes' SA pair(s) first: the first spoke-to-spoke packet through
    # the hub is redirected at once, and a shortcut made while the SA is
    # still being negotiated is missed (test_shortcut_follows_a_late_sa)
    simultaneous_initiation(d, ch)
    pairs = len(spoke_sas(ch, "spoke1", SPOKE_NBMA[1]))
    assert pairs >= 1
    # LAN to LAN (through the hub, then the shortcut), both ways at once
    s1.wait_until(lambda: s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=2), 30,
                  msg="spoke1 LAN -> spoke2 LAN")
    took = phase3(d, 20)
    assert took is not None, "phase 3 over IPsec (reqid pinned): no shortcut; SAs s1 %s s2 %s" % (
        sa_summary(ch["spoke1"]), sa_summary(ch["spoke2"]))
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=3, timeout=3)
    c = cnt.read()
    print("%s: charons ready %.1f s; registrations %.1f s after nhrpd start; %d IKE SAs "
          "spoke1-spoke2; both shortcuts %.1f s after phase-3 pings both ways; transit %s" % (
              variant, t["setup"], t_reg, pairs, took, c))
    assert c["gre"] == 0, "GRE in clear on the transit: %s" % c
    assert c["esp"] > c_hub["esp"] and c["ike"] > 0, c
    assert traffic(d.hub)["sent"]["trafficIndication"] >= 1


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "simultaneous initiation leaves two IKE SAs (and, without a pinned reqid, child SAs of "
    "different reqids, whose packets the kernel's inbound policy check drops: "
    "XfrmInTmplMismatch) between two spokes; nhrpd should see the duplicate over VICI and "
    "terminate it (not yet)"))
def test_duplicate_sa_after_simultaneous_initiation(topo):
    with precondition("set-up"):
        d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_CERT, reqid=None, g0=True)
        s1, s2 = d.spokes
        wait_registered(d, d.spokes)
        simultaneous_initiation(d, ch, require_ping=False)
        # both charons see both SAs
        s1.wait_until(lambda: len(spoke_sas(ch, "spoke1", SPOKE_NBMA[1])) ==
                      len(spoke_sas(ch, "spoke2", SPOKE_NBMA[0])), 20, msg="SAs listed alike")
    sas = spoke_sas(ch, "spoke1", SPOKE_NBMA[1])
    g0_ok = s1.ping("10.9.0.2", count=3, timeout=2)
    if not (any(sa.get("initiator") == "yes" for sa in sas)
            and any(sa.get("initiator") != "yes" for sa in sas)):
        pytest.skip("no simultaneous initiation this time: %s" % sa_summary(ch["spoke1"]))
    # what phase 3 does over them (measured, not asserted: it depends on
    # which child SA each kernel installed its policy for first)
    took = phase3(d, 20)
    print("without reqid: %d IKE SAs spoke1-spoke2, reqids %s; g0 ping %s; shortcuts %s; "
          "XfrmInTmplMismatch spoke1 %d spoke2 %d" % (
              len(sas), sorted({c.get("reqid") for sa in sas
                                for c in sa.get("child-sas", {}).values()}),
              "ok" if g0_ok else "lost", "after %.1f s" % took if took else "none in 20 s",
              xfrm_stats(s1).get("XfrmInTmplMismatch", 0),
              xfrm_stats(s2).get("XfrmInTmplMismatch", 0)))
    assert cnt.read()["gre"] == 0
    s1.wait_until(lambda: len(spoke_sas(ch, "spoke1", SPOKE_NBMA[1])) == 1, 10,
                  msg="one IKE SA left between the spokes")


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "nhrpd resends a Resolution Request after 1, 2 and 4 s, then caches a negative entry for "
    "60 s: when the spokes' SA takes longer (IKE retransmissions), no shortcut follows the SA "
    "coming up.  It should not cache an unanswered request as negative, and resolve at once "
    "when VICI reports the SA up (not yet)"))
def test_shortcut_follows_a_late_sa(topo):
    with precondition("set-up"):
        d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_CERT, reqid=1)
        s1, s2 = d.spokes
        wait_registered(d, d.spokes)
    # IKE between the spokes' segments is lost until nhrpd has given up
    block = ("-p udp --dport 500 -s 198.51.100.0/24 -d 203.0.113.0/24 -j DROP",
             "-p udp --dport 500 -s 203.0.113.0/24 -d 198.51.100.0/24 -j DROP")
    for r in block:
        d.inet.run("iptables -w -A FORWARD " + r)
    s1.popen(["ping", "-n", "-q", "-c", "400", "-i", "0.2", "-I", lan_addr(1), lan_addr(2)],
             stdout=subprocess.DEVNULL)
    log = s1.daemon("nhrpd").log
    with precondition("IKE lost, then back"):
        s1.wait_until(lambda: "no answer resolving" in open(log, errors="replace").read(), 40,
                      msg="spoke1 gave up resolving while IKE was lost")
        for r in block:
            d.inet.run("iptables -w -D FORWARD " + r)
        s1.wait_until(lambda: spoke_sas(ch, "spoke1", SPOKE_NBMA[1]), 40,
                      msg="the spokes' SA came up after IKE retransmissions")
    t_up = time.monotonic()
    ok = s1.wait_until(lambda: shortcuts(s1).get("10.2.0.0/24") == spoke_tunnel(2), 10)
    print("shortcut %s after the SA came up" % (
        "%.1f s" % (time.monotonic() - t_up) if ok else "not there 10 s"))
    assert cnt.read()["gre"] == 0
    assert ok, "no shortcut within 10 s of the spokes' SA coming up"


def test_cleartext_gre_to_protected_hub(topo):
    """A third spoke without IPsec registers in clear: the hub's kernel
    drops its GRE (the inbound policy wants ESP) and nhrpd sees nothing,
    while the protected spokes work.  With the hub's charon stopped (its
    policies gone) the cleartext registration gets through: only the
    kernel's policies guard today (xfail below)."""
    d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_CERT, reqid=1, spokes=3,
                                      without=("spoke3",))
    hub = d.hub
    rogue = SPOKE_NBMA[2]
    wait_registered(d, d.spokes[:2])
    pol = hub.run("ip xfrm policy").stdout
    assert "proto esp" in pol and "dir in" in pol, pol
    before = xfrm_stats(hub)
    # spoke3 keeps sending Registration Requests in clear (its first
    # ones may have come before the hub's charon was there: restart it)
    d.spokes[2].restart_daemon("nhrpd")
    g0 = cnt.read()["gre"]
    hub.wait_until(lambda: cnt.read()["gre"] >= g0 + 3, 30,
                   msg="cleartext GRE from spoke3 on the transit")
    after = xfrm_stats(hub)
    grew = {k: after.get(k, 0) - before.get(k, 0) for k in after
            if after.get(k, 0) != before.get(k, 0)}
    print("hub xfrm_stat grew: %s; transit %s" % (grew, cnt.read()))
    assert spoke_tunnel(3) not in dynamic_entries(hub), "cleartext registration accepted"
    # nhrpd never received a packet from spoke3 (it logs every one)
    with open(hub.daemon("nhrpd").log, errors="replace") as f:
        log = f.read()
    assert "from %s" % rogue not in log, "nhrpd saw cleartext NHRP from spoke3"
    assert "from %s" % SPOKE_NBMA[0] in log, "the log names packet sources"
    assert sum(grew.values()) >= 3, "no policy drop counted: %s" % grew
    assert any(k.startswith("XfrmIn") for k in grew), grew


@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "nhrpd relies on the kernel's IPsec policies alone: while charon is down (restart, "
    "crash) its trap policies are gone and cleartext NHRP reaches nhrpd and creates state. "
    "Not yet: nhrpd accepting registrations on a protected interface only from peers with an "
    "established IKE SA (learnt over VICI), bound to its identity"))
def test_cleartext_registration_while_charon_is_down(topo):
    with precondition("set-up"):
        d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_CERT, reqid=1, spokes=3,
                                          without=("spoke3",))
        wait_registered(d, d.spokes[:2])
        ch["hub"].stop()        # the hub's policies and SAs go with it
        pol = d.hub.run("ip xfrm policy").stdout
        assert pol.strip() == "", pol
        d.spokes[2].restart_daemon("nhrpd")
        g0 = cnt.read()["gre"]
        # a few cleartext registration attempts of spoke3 (0, 1, 3 s), or its entry
        d.hub.wait_until(lambda: spoke_tunnel(3) in dynamic_entries(d.hub)
                         or cnt.read()["gre"] >= g0 + 3, 40, msg="cleartext GRE from spoke3")
    assert spoke_tunnel(3) not in dynamic_entries(d.hub), \
        "cleartext registration of spoke3 accepted while charon was down"
