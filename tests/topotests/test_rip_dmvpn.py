# SPDX-License-Identifier: GPL-2.0-or-later
"""RIPv2 over DMVPN with our nhrpd and FRR's ripd: the seed's topology,
run from exactly the example files in ripd-glue/ (hub-nhrpd.conf,
hub-ripd.conf, spoke-nhrpd.conf, spoke-ripd.conf; see its README.md).  Hub
and two spokes, each with a LAN (lan0, 10.N.0.1/24), ripd `network gre1` +
`network lan0`, `no ip rip split-horizon` on the hub's gre1; RIP's
multicast leaves gre1 through nhrpd's own netfilter rule to nhrpd, which
sends one unicast GRE copy per target (`ip nhrp map multicast dynamic` on
the hub, the hub's NBMA on a spoke).  The test adds no netfilter rule and
does not set MULTICAST on gre1: the files must be enough.

Timers are shortened through vtysh once the daemons run from the files:
`timers basic 5 15 10` (update, timeout, garbage; ripd's defaults are 30
180 120), NHRP holding time 30 s (the files say 600).  gre1 keeps the
kernel's default tx checksum offload (on): nhrpd must send copies with
whole UDP checksums anyway.

Next hops.  With the tunnel's /24 on every node (the seed), the hub's
ripd advertises a spoke's LAN to the other spokes with that spoke's tunnel
address as next hop (RFC 2453 4.4: learnt on the same interface, so the
next hop is kept): DMVPN phase 2, where spoke1 must resolve 10.255.0.12
through NHRP before it can send to spoke2's LAN.  FRR 8.4's ripd cannot
make the hub the next hop instead: `route-map NAME out gre1` under `router
rip` is accepted and shown but not applied (neither `set ip next-hop` nor
`set metric` show in the updates; likely the if_rmap context bug fixed by
FRR PR #13192 in 8.5).  The "hub
next hop" topology below gets phase 1/3 routing another way: each spoke's
gre1 carries `10.255.0.1N peer 10.255.0.1/32`, so ripd on the spoke finds
the advertised next hop not directly reachable and uses the sender, the
hub (the hub keeps the /24 and hears every spoke)."""
import re
import time

import pytest

from lib import Topology
from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, lan_addr, lan_net,
                       ripd_glue, spoke_tunnel)
from lib.state import cache, udp_counters, zebra_routes
from lib.util import send_bad_udp_checksum

pytestmark = pytest.mark.gre

UPDATE, TIMEOUT, GARBAGE = 5, 15, 10
HOLD = 30
# two update intervals, counted from the moment every ripd runs with the
# short timers, plus the time one poll takes under TCG (a vtysh round is
# ~1 s per node)
CONVERGE = 2 * UPDATE + 4

# what the test changes after the daemons started from ripd-glue/*.conf as
# shipped (ripd's defaults are 30 180 120, the files' holding time 600 s):
# through vtysh, as an operator would, so the files themselves stay exact
NHRPD_SHORT = ["interface gre1", " ip nhrp holdtime %d" % HOLD, "exit"]
RIPD_SHORT = ["router rip", " timers basic %d %d %d" % (UPDATE, TIMEOUT, GARBAGE), "exit"]
RIPD_DEBUG = ["debug rip events", "debug rip zebra", "debug rip packet"]


def glue(node, daemon):
    return ripd_glue("%s-%s.conf" % ("hub" if node.name == "hub" else "spoke", daemon))


def rip_routes(node):
    """{prefix: set of next hops} of the RIP routes in zebra's table"""
    return zebra_routes(node, "rip")


def kernel_routes(node):
    out = node.run("ip -4 route show proto rip").stdout
    return {ln.split()[0]: ln for ln in out.splitlines() if ln.strip()}


def dynamic(node, holdtime=None):
    """{tunnel address: NBMA} of the registrations (those with that holding
    time only, if given)"""
    return {p: e["nbma"] for p, e in cache(node).items()
            if e["type"] == "dynamic" and holdtime in (None, e.get("holdtime"))}


def tx_csum_on(node):
    out = node.run("ethtool -k gre1").stdout
    return re.search(r"^tx-checksumming: on", out, re.M) is not None


def build(topo, hub_next_hop=False):
    # tx_csum_off=False: gre1 keeps the kernel's tx checksum offload (on)
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24, routes=False, tx_csum_off=False)
    if hub_next_hop:
        for i, s in enumerate(d.spokes):
            s.ip("addr del %s/24 dev gre1" % spoke_tunnel(i + 1))
            s.ip("addr add %s peer %s/32 dev gre1" % (spoke_tunnel(i + 1), HUB_TUNNEL))
    return d


def start_all(d):
    """zebra, our nhrpd everywhere from ripd-glue/{hub,spoke}-nhrpd.conf,
    wait for the registrations (with the short holding time), then ripd
    everywhere from ripd-glue/{hub,spoke}-ripd.conf; returns the time every
    ripd was running with the short timers.  Nothing else is set up: no
    netfilter rule, no `multicast on` (nhrpd does both)."""
    d.topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    d.topo.wait_ready([n.start_nhrpd(glue(n, "nhrpd"), ours=True, wait=False) for n in d.nodes])
    for n in d.nodes:
        n.configure(NHRPD_SHORT)
    want = {spoke_tunnel(i + 1): SPOKE_NBMA[i] for i in range(len(d.spokes))}
    d.hub.wait_until(lambda: dynamic(d.hub, holdtime=HOLD) == want, 60,
                     msg="every spoke registered with the short holding time")
    d.topo.wait_ready([n.start_daemon("ripd", glue(n, "ripd"), wait=False) for n in d.nodes])
    for n in d.nodes:
        n.configure(RIPD_DEBUG + RIPD_SHORT)
    return time.monotonic()


def converged(d):
    """every spoke has every other LAN (the hub's too) from RIP, in zebra
    and in the kernel; the hub has every spoke's LAN"""
    for i, s in enumerate(d.spokes):
        want = {lan_net(j) for j in range(len(d.nodes)) if j != i + 1}
        if not want <= set(rip_routes(s)) or not want <= set(kernel_routes(s)):
            return False
    return {lan_net(j + 1) for j in range(len(d.spokes))} <= set(rip_routes(d.hub))


def wait_converged(d, t_rip):
    polled = []

    def check():
        polled.append(time.monotonic())   # when this poll started
        return converged(d)
    d.hub.wait_until(check, CONVERGE - (time.monotonic() - t_rip),
                     msg="each spoke has the other spoke's and the hub's LAN, the hub "
                     "both spokes' LANs, within two update intervals")
    print("RIP converged %.1f s after every ripd ran (the poll that saw it started then)"
          % (polled[-1] - t_rip))


def module_topology(name, **kw):
    t = Topology(name)
    try:
        d = build(t, hub_next_hop=kw.pop("hub_next_hop", False))
        d.t_rip = start_all(d)
        d.before = {n.name: udp_counters(n) for n in d.nodes}
        yield d
        t.check_daemons()
    finally:
        t.close()


# ---- the seed's topology (/24 everywhere): ordered checks on one set-up ---

@pytest.fixture(scope="module")
def seed():
    yield from module_topology("rip_seed")


def test_routes_learnt_within_two_updates(seed):
    d = seed
    wait_converged(d, d.t_rip)
    s1, s2 = d.spokes
    # ripd keeps the learnt next hop (RFC 2453 4.4): phase 2 next hops
    assert rip_routes(s1)[lan_net(0)] == {HUB_TUNNEL}
    assert rip_routes(s1)[lan_net(2)] == {spoke_tunnel(2)}
    assert rip_routes(s2)[lan_net(1)] == {spoke_tunnel(1)}
    hub = rip_routes(d.hub)
    for i in range(len(d.spokes)):
        assert hub[lan_net(i + 1)] == {spoke_tunnel(i + 1)}


def test_lan_to_hub_lan(seed):
    d = seed
    s1, s2 = d.spokes
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3), "spoke1 LAN -> hub LAN"
    assert s2.ping(lan_addr(0), src=lan_addr(2), count=2, timeout=3), "spoke2 LAN -> hub LAN"
    assert d.hub.ping(lan_addr(2), src=lan_addr(0), count=2, timeout=3), "hub LAN -> spoke2 LAN"


def test_spoke_lan_to_spoke_lan_phase2(seed):
    """spoke1's route to spoke2's LAN is via 10.255.0.12: the kernel asks
    nhrpd for that address, and a Resolution Request answers it; the
    packets then go straight to spoke2's NBMA address"""
    d = seed
    s1, s2 = d.spokes
    with s1.capture("eth0", "ip proto 47 and dst host %s" % SPOKE_NBMA[1], name="phase2") as cap:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=3, timeout=3), \
            "spoke1 LAN -> spoke2 LAN"
        s1.wait_until(lambda: cap.count() >= 1, 5, msg="GRE straight to spoke2's NBMA")
    assert "lladdr %s" % SPOKE_NBMA[1] in s1.run("ip neigh show dev gre1 to %s"
                                                 % spoke_tunnel(2)).stdout
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=2, timeout=3), "spoke2 LAN -> spoke1 LAN"


def test_no_bad_udp_checksums_with_tx_offload(seed):
    d = seed
    for n in d.nodes:
        assert tx_csum_on(n), "%s: gre1 should keep tx checksum offload on" % n.name
    for n in d.nodes:
        # two more updates at least, all through nhrpd's copies
        n.wait_until(lambda: udp_counters(n)["InDatagrams"] >= d.before[n.name]["InDatagrams"] + 4,
                     4 * UPDATE, msg="RIP updates arrive")
    for n in d.nodes + [d.inet]:
        c = udp_counters(n)
        assert c["InCsumErrors"] == 0, "%s: %s" % (n.name, c)
        assert c["InErrors"] == 0, "%s: %s" % (n.name, c)
    # negative control: a datagram with a wrong checksum, hub to spoke2
    # over the same tunnel, is counted where the copies were checked
    # (spoke2: test_spoke_goes_away counts on spoke1's zero)
    s2 = d.spokes[1]
    send_bad_udp_checksum(d.hub.ns, HUB_TUNNEL, spoke_tunnel(2), 520)
    s2.wait_until(lambda: udp_counters(s2)["InCsumErrors"] == 1, 10,
                  msg="spoke2 counts the bad checksum")


def test_spoke_goes_away(seed):
    d = seed
    s1, s2 = d.spokes
    assert lan_net(2) in rip_routes(s1)
    t0 = time.monotonic()
    for name in ("ripd", "nhrpd"):
        s2.daemon(name).stopping = True   # killed on purpose, not a crash
        s2.daemon(name).signal(9)
    for name in ("ripd", "nhrpd"):
        s2.wait_until(lambda: not s2.running(name), 10, msg="%s killed" % name)
    # RIP: the hub times the route out (TIMEOUT), poisons it to the spokes
    # at once (triggered update, metric 16), forgets it after GARBAGE
    s1.wait_until(lambda: lan_net(2) not in rip_routes(s1) and lan_net(2) not in kernel_routes(s1),
                  TIMEOUT + UPDATE + 10, msg="spoke2's LAN withdrawn from spoke1 by RIP")
    t_withdrawn = time.monotonic() - t0
    d.hub.wait_until(lambda: lan_net(2) not in d.hub.vtysh("show ip rip"),
                     TIMEOUT + GARBAGE + UPDATE + 10,
                     msg="spoke2's LAN garbage-collected on the hub")
    assert lan_net(1) in rip_routes(d.hub) and lan_net(0) in rip_routes(s1)
    # NHRP: a killed nhrpd does not purge: the entry expires with the holding time
    d.hub.wait_until(lambda: spoke_tunnel(2) not in dynamic(d.hub), HOLD + 15,
                     msg="spoke2's NHRP entry expired on the hub")
    t_expired = time.monotonic() - t0
    print("spoke2 gone: its LAN left spoke1 after %.1f s, its NHRP entry the hub after %.1f s"
          % (t_withdrawn, t_expired))
    assert spoke_tunnel(1) in dynamic(d.hub)
    # the hub's multicast copies now go to spoke1 only
    with d.hub.capture("eth0", "ip proto 47 and src host %s" % HUB_NBMA,
                       name="after-expiry") as cap:
        d.hub.wait_until(lambda: cap.count("dst host %s" % SPOKE_NBMA[0]) >= 2, 4 * UPDATE,
                         msg="two more copies to spoke1")
        assert cap.count("dst host %s" % SPOKE_NBMA[1]) == 0, "copies still sent to spoke2"
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)
    for n in [d.hub, s1, d.inet]:
        assert udp_counters(n)["InCsumErrors"] == 0, n.name


# ---- the hub as next hop (spokes: peer /32 to the hub), redirect/shortcut --

@pytest.fixture(scope="module")
def hubnh():
    yield from module_topology("rip_hubnh", hub_next_hop=True)


def test_hub_next_hop_routes(hubnh):
    d = hubnh
    wait_converged(d, d.t_rip)
    for i, s in enumerate(d.spokes):
        r = rip_routes(s)
        for j in range(len(d.nodes)):
            if j != i + 1:
                assert r[lan_net(j)] == {HUB_TUNNEL}, (s.name, lan_net(j), r)


def test_traffic_moves_to_shortcut(hubnh):
    """Redirect on the hub, shortcut on the spokes: the first packets from
    spoke1's LAN to spoke2's LAN cross the hub, then they go direct."""
    d = hubnh
    s1 = d.spokes[0]
    # nothing has sent spoke-to-spoke traffic yet: no shortcut
    assert "via %s " % HUB_TUNNEL in s1.run("ip route get %s" % lan_addr(2)).stdout
    icmp = "icmp and host %s and host %s" % (lan_addr(1), lan_addr(2))
    with d.hub.capture("gre1", icmp, name="via-hub") as cap:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=3)
        d.hub.wait_until(lambda: cap.count() >= 1, 5, msg="the first packets cross the hub")

        def direct():
            before = cap.count()
            ok = s1.ping(lan_addr(2), src=lan_addr(1), count=2, timeout=2)
            return ok and cap.count() == before
        s1.wait_until(direct, 30, msg="spoke1 -> spoke2 LAN traffic no longer crosses the hub")
    # the direct path: GRE from spoke1 straight to spoke2's NBMA address
    with s1.capture("eth0", "ip proto 47 and dst host %s" % SPOKE_NBMA[1], name="direct") as cap:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=2, timeout=3)
        s1.wait_until(lambda: cap.count() >= 2, 5, msg="GRE straight to spoke2's NBMA")


def test_hub_next_hop_spoke_lan_to_spoke_lan(hubnh):
    """both ways, whichever path (hub or shortcut) the packets take"""
    d = hubnh
    s1, s2 = d.spokes
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=3, timeout=3), "spoke1 LAN -> spoke2 LAN"
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=2, timeout=3), "spoke2 LAN -> spoke1 LAN"
    for n in d.nodes:
        assert udp_counters(n)["InCsumErrors"] == 0, n.name
