# SPDX-License-Identifier: GPL-2.0-or-later
"""DMVPN over IPsec with Debian's stock strongSwan: our nhrpd (hub and
two spokes) with one charon per node and the trap-policy connection of
doc/ipsec.rst, for IKEv1 main mode with a wildcard pre-shared key and for
IKEv2 with certificates of a test CA.  nhrpd runs as the packaged daemon
does (user frr) and talks to its node's charon over VICI (--vici-socket):
the SAs come up on demand from the kernel's ACQUIRE for the first GRE
packet to a new NBMA address, nhrpd learns of them.

Asserted: registrations, LAN-to-LAN pings and the phase-3 shortcut (after
a simultaneous initiation between the spokes), with the transit router
forwarding ESP only, not one GRE packet in clear, from the first packet
on; the duplicate IKE SA of a simultaneous initiation deleted by nhrpd
(reqid not pinned), phase 3 working over what is left; a shortcut
following a spoke-to-spoke SA that came up after nhrpd's resolution
retries; the kernel dropping cleartext GRE for a host whose policy
requires ESP, before nhrpd sees it; nhrpd itself refusing cleartext NHRP
while charon (and so its policies) is down; SA loss purging the peer and
the spoke coming back; a registration of another IKE identity for a bound
address refused; a spoke's charon killed, purged through DPD; the
profile and fallback profile naming the connections that protect (a
spoke matching only the fallback registers, an unrelated connection's SA
with a spoke counts for nothing and outlives the SAs nhrpd deletes);
RIP (FRR's ripd) over the protected tunnel for both IKE variants; the
hub's charon restarted under traffic, every registration back; the
hub's nhrpd restarted, the SAs kept and listed again.
"""
import contextlib
import json
import os
import subprocess
import sys
import time

import pytest

from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, hub_nflog_rules,
                       lan_addr, lan_net, nhrpd_config, ripd_glue, spoke_tunnel)
from lib.state import zebra_routes
from lib.ipsec import (IKEV1_PSK, IKEV2_CERT, IKEV2_PSK, Charon, Pki, TransitCounters, have_strongswan,
                       start_charons, swanctl_conf, xfrm_stats)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vtyclient import Vty  # noqa: E402

pytestmark = [
    pytest.mark.gre,
    pytest.mark.skipif(not have_strongswan(), reason="needs strongSwan: apt-get install "
                       "strongswan-charon strongswan-swanctl charon-systemd strongswan-pki "
                       "libcharon-extra-plugins"),
]

HUB = nhrpd_config(debug="common", nflog_group=1, holdtime=60, redirect=True,
                   protection="vici profile dmvpn")
SPOKE = nhrpd_config(debug="common", holdtime=60, nhs=HUB_TUNNEL, no_unique=True, shortcut=True,
                     protection="ipsec profile dmvpn")

VARIANTS = [IKEV1_PSK, IKEV2_CERT]


@contextlib.contextmanager
def precondition(what):
    """A failure while setting a test up says so (RuntimeError), apart
    from what the test asserts."""
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


def vici_args(charons, node):
    """nhrpd's option for its node's charon (none: the default socket,
    where no charon listens)"""
    ch = charons.get(node.name)
    return ("--vici-socket", ch.socket) if ch else ()


def start_ipsec_dmvpn(topo, variant, reqid=None, spokes=2, without=(), g0=False,
                      dpd_delay=None, routes=True, hub=HUB, spoke=SPOKE):
    """Hub + spokes with charon (trap connection) on every node but those
    named in `without`, and our nhrpd everywhere (configurations hub,
    spoke; routes=False: no static routes, for a routing protocol).  The
    transit counters are in place before the first packet, charon's trap
    policies before nhrpd sends anything.  Returns (dmvpn, charons,
    counters, times)."""
    t0 = time.monotonic()
    d = build_dmvpn(topo, spokes=spokes, tunnel_plen=24, tx_csum_off=False, routes=routes)
    counters = TransitCounters(d.inet)
    d.hub.iptables_restore(hub_nflog_rules(1))
    pki = Pki(topo.logdir) if variant == IKEV2_CERT else None
    nodes = [n for n in d.nodes if n.name not in without]
    charons = start_charons(nodes, variant, pki=pki, reqid=reqid, dpd_delay=dpd_delay)
    if g0:
        add_g0(d)
    t_ipsec = time.monotonic()
    topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    d.hub.start_nhrpd(hub, ours=True, args=vici_args(charons, d.hub))
    topo.wait_ready([s.start_nhrpd(spoke, ours=True, wait=False, args=vici_args(charons, s))
                     for s in d.spokes])
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


def ipsec_counters(node):
    return traffic(node)["ipsec"]


def test_duplicate_sa_after_simultaneous_initiation(topo):
    """Both spokes initiate at once, reqid not pinned: two IKE SAs whose
    child SAs have different reqids (the kernel's inbound policy check
    drops what arrives on one of them).  nhrpd on both spokes sees the
    pair over VICI and deletes the SA the higher address initiated: one
    is left, the same on both sides, and phase 3 works over it."""
    with precondition("set-up"):
        d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_CERT, reqid=None, g0=True)
        s1, s2 = d.spokes
        wait_registered(d, d.spokes)
        simultaneous_initiation(d, ch, require_ping=False)

    def one_each():
        return (len(spoke_sas(ch, "spoke1", SPOKE_NBMA[1])) == 1
                and len(spoke_sas(ch, "spoke2", SPOKE_NBMA[0])) == 1)
    ok = s1.wait_until(one_each, 20)
    dups = {s.name: ipsec_counters(s)["duplicatesDeleted"] for s in d.spokes}
    sas = spoke_sas(ch, "spoke1", SPOKE_NBMA[1])
    if not sum(dups.values()):
        pytest.skip("no simultaneous initiation this time: %s" % sa_summary(ch["spoke1"]))
    assert ok, "not one IKE SA left between the spokes: s1 %s s2 %s" % (
        sa_summary(ch["spoke1"]), sa_summary(ch["spoke2"]))
    # the one spoke1 (the lower address) initiated is left, on both sides
    assert sas[0].get("initiator") == "yes", sa_summary(ch["spoke1"])
    assert spoke_sas(ch, "spoke2", SPOKE_NBMA[0])[0].get("initiator") != "yes"
    g0_ok = s1.wait_until(lambda: s1.ping("10.9.0.2", count=1, timeout=1), 10)
    took = phase3(d, 20)
    print("without reqid: duplicates deleted %s; left %s; g0 ping %s; shortcuts %s; "
          "XfrmInTmplMismatch spoke1 %d spoke2 %d" % (
              dups, sa_summary(ch["spoke1"]), "ok" if g0_ok else "lost",
              "after %.1f s" % took if took else "none in 20 s",
              xfrm_stats(s1).get("XfrmInTmplMismatch", 0),
              xfrm_stats(s2).get("XfrmInTmplMismatch", 0)))
    assert cnt.read()["gre"] == 0
    assert g0_ok, "no ESP both ways over the SA left"
    assert took is not None, "no shortcut over the SA left"


def test_shortcut_follows_a_late_sa(topo):
    """The spokes' IKE is lost until nhrpd gave up resolving: no negative
    entry is cached, and the resolution is sent again as soon as VICI
    reports the spokes' SA up."""
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
    while the protected spokes work.  (With the hub's charon stopped,
    its policies gone, nhrpd guards itself: the test below.)"""
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


def test_cleartext_registration_while_charon_is_down(topo):
    """With the hub's charon stopped its policies are gone and cleartext
    GRE reaches the hub's nhrpd: no state from it (no IKE SA with that
    host).  Then charon back: nhrpd reconnects, resynchronises, the
    spokes register again through new SAs."""
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
    c = ipsec_counters(d.hub)
    assert c["held"] >= 1 and not c["connected"], c
    # charon back under traffic: reconnected, the spokes' SAs anew,
    # their registrations back
    ch["hub"].restart()
    d.hub.wait_until(lambda: ipsec_counters(d.hub)["connected"], 30, msg="VICI reconnected")
    wait_registered(d, d.spokes[:2])
    assert d.spokes[0].ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    assert spoke_tunnel(3) not in dynamic_entries(d.hub)
    assert cnt.read()["gre"] > 0    # (spoke3's, in clear, never let in)
    with open(d.hub.daemon("nhrpd").log, errors="replace") as f:
        log = f.read()
    assert "VICI: connected to charon" in log


def test_sa_loss_purges_and_recovers(topo):
    """An IKE SA between a spoke and the hub deleted (swanctl --terminate
    on the spoke): the hub purges the spoke's registration and tells
    spoke2, which resolved spoke1 (phase 3), to purge it; the spoke
    registers again at once through a new SA, traffic resumes.
    show dmvpn shows the SA of every peer."""
    d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV1_PSK, reqid=1)
    s1 = d.spokes[0]
    wait_registered(d, d.spokes)
    j = d.hub.show("show dmvpn json", json=True)
    peers = {e["peerNbma"]: e for e in j}
    for i, s in enumerate(d.spokes):
        e = peers[SPOKE_NBMA[i]]
        assert e["ipsec"]["state"] == "UP", e
        assert e["sas"] >= 1 and e["identity"] == ch[s.name].identity, e
    with Vty(d.hub.vty_socket("nhrpd")) as v:
        text = v.ok("show dmvpn detail")
    assert "IKE identity: %s" % ch["spoke1"].identity in text, text
    # the cache and NHS views carry the same
    hub_cache = {e["protocol"]: e for e in d.hub.show("show ip nhrp cache json",
                                                      json=True)["table"]}
    for i, s in enumerate(d.spokes):
        e = hub_cache[spoke_tunnel(i + 1)]
        assert e["identity"] == ch[s.name].identity and e["ipsec"]["state"] == "UP", e
        assert e["ipsec"]["connection"] == "dmvpn", e
    nhs = s1.show("show ip nhrp nhs json", json=True)["table"][0]
    assert nhs["identity"] == ch["hub"].identity and nhs["ipsec"]["state"] == "UP", nhs
    # spoke2 holds a shortcut to spoke1's LAN, resolved through the hub
    s2 = d.spokes[1]
    with precondition("phase-3 shortcut"):
        assert phase3(d, 30) is not None, "no phase-3 shortcut to start from"
    purges = traffic(s2)["received"]["purgeRequest"]
    old = ch["spoke1"].established(remote=HUB_NBMA)
    assert old, sa_summary(ch["spoke1"])
    before = ipsec_counters(d.hub)["peersPurged"]
    ch["spoke1"].swanctl("--terminate", "--ike-id", str(old[0]["uniqueid"]))
    d.hub.wait_until(lambda: ipsec_counters(d.hub)["peersPurged"] > before, 20,
                     msg="the hub purged spoke1")
    # its shortcut partner is told (a Purge Request from the hub)
    s2.wait_until(lambda: traffic(s2)["received"]["purgeRequest"] > purges, 20,
                  msg="spoke2 told to purge what it resolved of spoke1")
    wait_registered(d, d.spokes, timeout=30)
    new = ch["spoke1"].established(remote=HUB_NBMA)
    assert new and new[0]["uniqueid"] != old[0]["uniqueid"], sa_summary(ch["spoke1"])
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    assert cnt.read()["gre"] == 0



def test_identity_binding_refuses_another_certificate(topo):
    """A third spoke with a valid certificate of the same CA (another
    identity) registers spoke1's tunnel address, with no-unique: the hub
    refuses it (code 14, the address is bound to spoke1's IKE identity),
    spoke1 keeps its binding and its traffic."""
    d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_CERT, reqid=1, spokes=3)
    s1, s3 = d.spokes[0], d.spokes[2]
    wait_registered(d, d.spokes)
    # spoke3 takes spoke1's tunnel address
    s3.stop_daemon("nhrpd")
    s3.ip("addr flush dev gre1")
    s3.add_address("gre1", "%s/24" % spoke_tunnel(1))
    s3.restart_daemon("nhrpd")
    refused = "%s not registered at %s: bound to IKE identity %s" % (
        spoke_tunnel(1), SPOKE_NBMA[2], ch["spoke1"].identity)
    log = d.hub.daemon("nhrpd").log
    d.hub.wait_until(lambda: refused in open(log, errors="replace").read(), 40,
                     msg="the hub refused spoke3's claim")
    assert dynamic_entries(d.hub).get(spoke_tunnel(1)) == SPOKE_NBMA[0]
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    assert dynamic_entries(d.hub).get(spoke_tunnel(1)) == SPOKE_NBMA[0]
    # spoke3 got the refusal (over its own SA): it is not registered
    assert traffic(s3)["received"]["registrationReply"] >= 1
    assert cnt.read()["gre"] == 0


SITE_PSK = "an-unrelated-site-to-site-key"
RESERVED_REQID = 1000     # doc/ipsec.rst: a reqid no dynamically numbered child gets


def site_conn(local_addr, remote_addr, local_id, remote_id):
    """An operator's own site-to-site connection between two NBMA
    addresses, unrelated to DMVPN: IKEv2, its own identities and key, a
    transport-mode child for ICMP, started by hand."""
    return """connections {
    site {
        version = 2
        local_addrs = %s
        remote_addrs = %s
        proposals = aes256-sha256-modp2048
        encap = no
        mobike = no
        local {
            auth = psk
            id = %s
        }
        remote {
            auth = psk
            id = %s
        }
        children {
            site {
                mode = transport
                local_ts = dynamic[icmp]
                remote_ts = dynamic[icmp]
                esp_proposals = aes256-sha256
                start_action = none
            }
        }
    }
}
secrets {
    ike-site {
        id-1 = %s
        id-2 = %s
        secret = "%s"
    }
}
""" % (local_addr, remote_addr, local_id, remote_id, local_id, remote_id, SITE_PSK)


def test_profile_names_the_connections(topo):
    """`tunnel protection vici profile dmvpn fallback-profile dmvpn-psk` on
    the hub, whose charon has three connections: dmvpn (IKEv2
    certificates), dmvpn-psk (IKEv1 wildcard key, for old spokes) and
    site, an unrelated site-to-site VPN with spoke1.  spoke1 uses
    certificates, spoke2 only IKEv1 with the key (it matches the
    fallback alone): both register.  The site SA with spoke1 counts for
    nothing (show dmvpn: one SA, of dmvpn), and when nhrpd deletes
    spoke1's SAs (its bindings cleared on the hub) the site SA stays up,
    on both sides, while spoke1 registers again through a new dmvpn SA."""
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24, tx_csum_off=False)
    hub, (s1, s2) = d.hub, d.spokes
    cnt = TransitCounters(d.inet)
    hub.iptables_restore(hub_nflog_rules(1))
    pki = Pki(topo.logdir)
    subprocess.run(["modprobe", "-q", "esp4"], capture_output=True)
    subprocess.run(["modprobe", "-q", "xfrm_user"], capture_output=True)
    # the DMVPN children pin a reqid above those charon numbers the site
    # child with (from 1 up): sharing one, GRE would meet the site SA
    fallback = swanctl_conf(IKEV1_PSK, HUB_NBMA, conn="dmvpn-psk", start_action="none",
                            reqid=RESERVED_REQID + 1)
    ch = {
        "hub": Charon(hub, IKEV2_CERT, pki=pki, reqid=RESERVED_REQID, extra=fallback + site_conn(
            HUB_NBMA, SPOKE_NBMA[0], "site-hub@example.net", "site-s1@example.net")),
        "spoke1": Charon(s1, IKEV2_CERT, pki=pki, reqid=RESERVED_REQID, extra=site_conn(
            SPOKE_NBMA[0], HUB_NBMA, "site-s1@example.net", "site-hub@example.net")),
        "spoke2": Charon(s2, IKEV1_PSK, reqid=RESERVED_REQID),
    }
    for c in ch.values():
        c.write()
        c.spawn()
    for c in ch.values():
        c.wait_ready(60)
        c.load()
    conns = ch["hub"].swanctl("--list-conns")
    for name in ("dmvpn:", "dmvpn-psk:", "site:"):
        assert name in conns, conns
    topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    hub_conf = nhrpd_config(debug="common", nflog_group=1, holdtime=60, redirect=True,
                            protection="vici profile dmvpn fallback-profile dmvpn-psk")
    hub.start_nhrpd(hub_conf, ours=True, args=vici_args(ch, hub))
    topo.wait_ready([s.start_nhrpd(SPOKE, ours=True, wait=False, args=vici_args(ch, s))
                     for s in d.spokes])
    wait_registered(d, d.spokes)
    by_peer = {e["peerNbma"]: e for e in hub.show("show dmvpn json", json=True)}
    assert by_peer[SPOKE_NBMA[0]]["ipsec"]["connection"] == "dmvpn", by_peer
    assert by_peer[SPOKE_NBMA[1]]["ipsec"]["connection"] == "dmvpn-psk", by_peer
    assert by_peer[SPOKE_NBMA[1]]["ipsec"]["ikeVersion"] == 1, by_peer
    assert by_peer[SPOKE_NBMA[1]]["identity"] == SPOKE_NBMA[1], by_peer
    assert s2.ping(lan_addr(0), src=lan_addr(2), count=2, timeout=3)
    ipsec = traffic(hub)["ipsec"]
    assert ipsec["profile"] == "dmvpn" and ipsec["fallbackProfile"] == "dmvpn-psk", ipsec
    assert "fallbackProfile" not in traffic(s1)["ipsec"], traffic(s1)["ipsec"]
    with Vty(hub.vty_socket("nhrpd")) as v:
        text = v.ok("show ip nhrp traffic")
    assert "IPsec profile dmvpn, fallback dmvpn-psk\n" in text, text

    # the operator's site SA with spoke1
    ch["spoke1"].swanctl("--initiate", "--child", "site")

    def site_sa(c):
        return [sa for sa in c.established(remote=SPOKE_NBMA[0] if c is ch["hub"] else HUB_NBMA)
                if sa["conn"] == "site"]

    def dmvpn_sa(c):
        return [sa for sa in c.established(remote=SPOKE_NBMA[0]) if sa["conn"] == "dmvpn"]
    with precondition("site SA up"):
        hub.wait_until(lambda: site_sa(ch["hub"]) and site_sa(ch["spoke1"]), 30,
                       msg="the site SA established")
        assert s1.ping(HUB_NBMA, count=1, timeout=3)
        assert dmvpn_sa(ch["hub"]), sa_summary(ch["hub"])
    site_hub = site_sa(ch["hub"])[0]["uniqueid"]
    site_s1 = site_sa(ch["spoke1"])[0]["uniqueid"]
    old = dmvpn_sa(ch["hub"])[0]["uniqueid"]
    e = {x["peerNbma"]: x for x in hub.show("show dmvpn json", json=True)}[SPOKE_NBMA[0]]
    assert e["sas"] == 1 and e["ipsec"]["ikeSaId"] == int(old), e
    assert e["identity"] == ch["spoke1"].identity, e
    before = ipsec_counters(hub)

    # nhrpd deletes the SAs of the peers whose bindings went: only its own
    with Vty(hub.vty_socket("nhrpd")) as v:
        v.ok("clear ip nhrp cache")
    hub.wait_until(lambda: old not in [sa["uniqueid"] for sa in dmvpn_sa(ch["hub"])], 20,
                   msg="nhrpd deleted spoke1's dmvpn SA")
    after = ipsec_counters(hub)
    assert after["sasDeleted"] >= before["sasDeleted"] + 2, (before, after)
    wait_registered(d, d.spokes, timeout=40)
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    time.sleep(2)
    assert [sa["uniqueid"] for sa in site_sa(ch["hub"])] == [site_hub], sa_summary(ch["hub"])
    assert [sa["uniqueid"] for sa in site_sa(ch["spoke1"])] == [site_s1], \
        sa_summary(ch["spoke1"])
    assert s1.ping(HUB_NBMA, count=1, timeout=3)
    # the site SA going purges nothing
    purged = ipsec_counters(hub)["peersPurged"]
    ch["spoke1"].swanctl("--terminate", "--ike", "site")
    hub.wait_until(lambda: not site_sa(ch["hub"]), 20, msg="the site SA gone")
    time.sleep(2)
    assert ipsec_counters(hub)["peersPurged"] == purged
    assert dynamic_entries(hub).get(spoke_tunnel(1)) == SPOKE_NBMA[0]
    assert cnt.read()["gre"] == 0


# RIP over the protected tunnel: ripd-glue/'s files (multicast copies
# through nhrpd, one unicast GRE packet per peer, each over its SA)
HUB_RIP = nhrpd_config(debug="common", nflog_group=1, holdtime=60, redirect=True,
                       protection="vici profile dmvpn", extra=["ip nhrp map multicast dynamic"])
SPOKE_RIP = nhrpd_config(debug="common", holdtime=60, nhs=HUB_TUNNEL, no_unique=True, shortcut=True,
                         protection="ipsec profile dmvpn",
                         extra=["ip nhrp map multicast %s" % HUB_NBMA])
RIP_SHORT = ["router rip", " timers basic 5 15 10", "exit"]


def rip_routes(node):
    return zebra_routes(node, "rip")


@pytest.mark.parametrize("variant", VARIANTS)
def test_rip_over_ipsec(topo, variant):
    """RIPv2 (FRR's ripd, ripd-glue/'s files) over the protected tunnel,
    no static route: every LAN learnt everywhere, the spokes' LANs
    reached through the hub and then spoke to spoke (RIP's next hop is
    the other spoke's tunnel address: resolved, its SA set up on
    demand), and not one GRE packet in clear on the transit."""
    d, ch, cnt, t = start_ipsec_dmvpn(topo, variant, reqid=1, routes=False, hub=HUB_RIP,
                                      spoke=SPOKE_RIP)
    s1, s2 = d.spokes
    wait_registered(d, d.spokes)
    t0 = time.monotonic()
    topo.wait_ready([n.start_daemon("ripd", ripd_glue("%s-ripd.conf" % (
        "hub" if n is d.hub else "spoke")), wait=False) for n in d.nodes])
    for n in d.nodes:
        n.configure(RIP_SHORT)

    def converged():
        for i, s in enumerate(d.spokes):
            if not {lan_net(j) for j in range(3) if j != i + 1} <= set(rip_routes(s)):
                return False
        return {lan_net(1), lan_net(2)} <= set(rip_routes(d.hub))
    d.hub.wait_until(converged, 60, msg="every LAN learnt by RIP over IPsec")
    took = time.monotonic() - t0
    assert rip_routes(s1)[lan_net(2)] == {spoke_tunnel(2)}, rip_routes(s1)
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    s1.wait_until(lambda: s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=2), 30,
                  msg="spoke1 LAN -> spoke2 LAN over RIP's route")
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=2, timeout=3)
    s1.wait_until(lambda: spoke_sas(ch, "spoke1", SPOKE_NBMA[1]), 20,
                  msg="the spokes' own SA")
    c = cnt.read()
    print("%s: RIP converged %.1f s after ripd started; transit %s" % (variant, took, c))
    assert c["gre"] == 0 and c["esp"] > 0, c


def cache_view(node):
    """what the NHRP cache holds, without timers: {(type, protocol, nbma)}"""
    return {(e["type"], e["protocol"], e["nbma"]) for e in
            node.show("show ip nhrp cache json", json=True).get("table", [])}


def ping_summary(proc):
    """(sent, received) of a ping stopped with SIGINT"""
    import re
    import signal
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=15)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def test_hub_charon_restart_under_traffic(topo):
    """The hub's charon restarted while spoke1 pings the hub's LAN:
    nhrpd reconnects to VICI and resynchronises; the spokes, whose SAs
    went with the old charon, register again through new ones (not
    through an answer that came through the old SA): the hub's cache is
    the same as before (every registration back, same NBMA addresses),
    the ping resumes, nothing crossed in clear.  The spokes have
    net.core.xfrm_acq_expires = 5, as doc/ipsec.rst advises."""
    with precondition("set-up"):
        d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_CERT, reqid=1)
        s1 = d.spokes[0]
        wait_registered(d, d.spokes)
        assert s1.ping(lan_addr(0), src=lan_addr(1), count=1, timeout=3)
        # doc/ipsec.rst: a spoke whose IKE reaches the restarting charon
        # before its connections are loaded (NO_PROPOSAL_CHOSEN) raises no
        # new ACQUIRE for xfrm_acq_expires (30 s by default)
        for s in d.spokes:
            r = s.run("sysctl -w net.core.xfrm_acq_expires=5")
            assert r.returncode == 0, r.stderr
    before = cache_view(d.hub)
    spokes_before = {s.name: cache_view(s) for s in d.spokes}
    ping = s1.popen(["ping", "-n", "-i", "0.2", "-c", "1000", "-I", lan_addr(1), lan_addr(0)],
                    stdout=subprocess.PIPE, text=True)
    time.sleep(2)
    t0 = time.monotonic()
    ch["hub"].restart()
    t_charon = time.monotonic() - t0
    d.hub.wait_until(lambda: ipsec_counters(d.hub)["connected"], 30, msg="VICI reconnected")
    t_vici = time.monotonic() - t0
    wait_registered(d, d.spokes, timeout=60)
    t_reg = time.monotonic() - t0
    d.hub.wait_until(lambda: s1.ping(lan_addr(0), src=lan_addr(1), count=1, timeout=2), 30,
                     msg="spoke1 LAN -> hub LAN again")
    t_ping = time.monotonic() - t0
    time.sleep(3)
    sent, received = ping_summary(ping)
    after = cache_view(d.hub)
    print("hub charon restarted in %.1f s; VICI back %.1f s, all registered %.1f s, traffic "
          "%.1f s after the restart began; ping %d sent, %d received" % (
              t_charon, t_vici, t_reg, t_ping, sent, received))
    assert after == before, (before, after)
    for s in d.spokes:
        nhs = {e for e in spokes_before[s.name] if e[0] == "nhs"}
        assert nhs and nhs <= cache_view(s), (s.name, spokes_before[s.name], cache_view(s))
    assert received > 0 and sent - received < sent, (sent, received)
    with open(d.hub.daemon("nhrpd").log, errors="replace") as f:
        log = f.read()
    assert "VICI: lost the connection to charon" in log
    assert log.rindex("VICI: connected to charon") > log.index("VICI: lost the connection")
    assert cnt.read()["gre"] == 0


def test_hub_nhrpd_restart_keeps_the_sas(topo):
    """nhrpd restarted on the hub (stopped, started again): the SAs stay
    (nhrpd deletes none at shut-down), the new nhrpd lists them over VICI,
    the spokes' registrations come back bound to the same identities
    through the same SAs; the spokes' SAs are never renegotiated."""
    with precondition("set-up"):
        d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_CERT, reqid=1)
        s1 = d.spokes[0]
        wait_registered(d, d.spokes)
    sas = sorted(sa["uniqueid"] for sa in ch["hub"].established())
    assert len(sas) == 2, sa_summary(ch["hub"])
    t0 = time.monotonic()
    d.hub.restart_daemon("nhrpd")
    d.hub.wait_until(lambda: ipsec_counters(d.hub)["connected"], 30, msg="VICI connected")
    wait_registered(d, d.spokes, timeout=60)
    took = time.monotonic() - t0
    by_peer = {e["peerNbma"]: e for e in d.hub.show("show dmvpn json", json=True)}
    for i, s in enumerate(d.spokes):
        e = by_peer[SPOKE_NBMA[i]]
        assert e["identity"] == ch[s.name].identity and e["ipsec"]["state"] == "UP", e
    assert sorted(sa["uniqueid"] for sa in ch["hub"].established()) == sas, \
        sa_summary(ch["hub"])
    assert ipsec_counters(d.hub)["sasDeleted"] == 0
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    print("hub nhrpd restarted: spokes registered again %.1f s after, same IKE SAs %s"
          % (took, sas))
    assert cnt.read()["gre"] == 0


def test_charon_started_after_nhrpd(topo):
    """The hub's nhrpd starts before its charon: one log line saying so,
    retries, no NHRP taken meanwhile; once charon is there nhrpd connects
    and the spokes register."""
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24, tx_csum_off=False)
    cnt = TransitCounters(d.inet)
    d.hub.iptables_restore(hub_nflog_rules(1))
    ch = start_charons(d.spokes, IKEV1_PSK, reqid=1)
    late = Charon(d.hub, IKEV1_PSK, reqid=1)
    topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    d.hub.start_nhrpd(HUB, ours=True, args=("--vici-socket", late.socket))
    topo.wait_ready([s.start_nhrpd(SPOKE, ours=True, wait=False, args=vici_args(ch, s))
                     for s in d.spokes])
    log = d.hub.daemon("nhrpd").log
    absent = "retrying until it is back"
    d.hub.wait_until(lambda: absent in open(log, errors="replace").read(), 20,
                     msg="nhrpd says charon is absent")
    time.sleep(5)       # several retries meanwhile
    assert not dynamic_entries(d.hub)
    assert not ipsec_counters(d.hub)["connected"]
    late.start()
    d.hub.wait_until(lambda: ipsec_counters(d.hub)["connected"], 30, msg="VICI connected")
    wait_registered(d, d.spokes)
    assert d.spokes[0].ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    with open(log, errors="replace") as f:
        text = f.read()
    assert text.count(absent) == 1, [ln for ln in text.splitlines() if "VICI" in ln]
    assert "VICI: connected to charon" in text
    assert cnt.read()["gre"] == 0


def test_dead_spoke_purged_by_dpd(topo):
    """spoke1's charon killed (a crash: no DELETE sent), DPD configured:
    the hub's charon declares the SA dead, nhrpd purges spoke1 and spoke2,
    which resolved spoke1 through the hub, loses its shortcut.  spoke1
    back (its kernel's SAs gone, its policies kept so that nothing leaves
    in clear meanwhile, and a new charon): it registers again and traffic
    resumes."""
    d, ch, cnt, t = start_ipsec_dmvpn(topo, IKEV2_PSK, reqid=1, dpd_delay=5)
    s1, s2 = d.spokes
    wait_registered(d, d.spokes)
    assert phase3(d, 30) is not None, "no phase-3 shortcut to start from"
    ch["spoke1"].kill()
    t0 = time.monotonic()
    d.hub.wait_until(lambda: spoke_tunnel(1) not in dynamic_entries(d.hub), 90,
                     msg="the hub purged the dead spoke1")
    took = time.monotonic() - t0
    assert ipsec_counters(d.hub)["peersPurged"] >= 1
    s2.wait_until(lambda: "10.1.0.0/24" not in shortcuts(s2), 90,
                  msg="spoke2's shortcut to spoke1 purged")
    print("dead spoke purged %.1f s after its charon was killed (dpd_delay 5 s)" % took)
    s1.run("ip xfrm state flush")
    ch["spoke1"].start()
    wait_registered(d, d.spokes)
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    assert cnt.read()["gre"] == 0
