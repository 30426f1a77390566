# SPDX-License-Identifier: GPL-2.0-or-later
"""Two hubs (doc/nhs.md): spokes registered with both, RIPv2 (FRR's ripd)
through both; one hub's nhrpd killed, and separately its NBMA link cut:
LAN traffic between the spokes goes on through the other hub, and the hub
is used again once it is back.  A spoke with `ip nhrp nhs cluster 0
max-connections 1` registers with its preferred hub only, falls back to
the other one and returns.  Then a hierarchy: each hub serves its own
spoke, the hubs are each other's NHS and forward Resolution Requests
between them, and the shortcut goes straight from spoke to spoke.

    node    NBMA (eth0)      gre1            LAN (lan0)
    hubA    192.0.2.1/24     10.255.0.1/24
    hubB    192.0.2.2/24     10.255.0.2/24
    spoke1  198.51.100.1/24  10.255.0.11/24  10.1.0.1/24
    spoke2  203.0.113.1/24   10.255.0.12/24  10.2.0.1/24
    spoke3  198.51.100.2/24  10.255.0.13/24  (no RIP)

RIP as DMVPN hubs usually summarise: each hub announces 10.0.0.0/8 (a
ripd `route`, next hop itself) and, with split horizon on, not the spoke
LANs it learns on gre1; so each spoke reaches the other spokes' LANs
through one hub or the other, and spoke-to-spoke traffic crosses a hub (no
shortcuts in this part).  (Announcing the spoke LANs with the hub as next
hop does not work with FRR 8.4's ripd on a /24 tunnel: it keeps the
learnt next hop, see test_rip_dmvpn.py; nor with peer addresses for two
hubs: FRR's library keeps one peer per local address, and ripd drops the
other hub's updates.)  RIP timers 5/15/10, NHRP holding time 30 s (refresh
every 10 s; a hub is unreachable 7 s after a refresh it did not answer).
"""
import json
import os
import sys
import time

import pytest

from lib import Topology
from lib.dmvpn import (MCAST_GROUP, hub_nflog_rules, lan_addr, lan_net, multicast_nflog_rules,
                       spoke_tunnel)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vtyclient import Vty  # noqa: E402

pytestmark = pytest.mark.gre

HUBS = {"hubA": ("192.0.2.1", "10.255.0.1"), "hubB": ("192.0.2.2", "10.255.0.2")}
SUMMARY = "10.0.0.0/8"
SPOKES = ["198.51.100.1", "203.0.113.1", "198.51.100.2"]
UPDATE, TIMEOUT, GARBAGE = 5, 15, 10
HOLD = 30
# a hub that stops: its RIP routes time out at the spokes (TIMEOUT), the
# other hub's are taken at its next update (UPDATE), plus polling under TCG
FAILOVER = TIMEOUT + 2 * UPDATE + 10
# a hub that comes back: the spokes' next retransmission reaches it (at most
# holdtime/3 apart), then its RIP update
RECOVER = HOLD // 3 + 2 * UPDATE + 15



def hub_conf(other=None, redirect=False):
    lines = ["nhrp multicast-nflog-group %d" % MCAST_GROUP]
    if redirect:
        lines.append("nhrp nflog-group 1")
    lines += ["interface gre1", " ip nhrp network-id 42", " ip nhrp holdtime %d" % HOLD,
              " ip nhrp map multicast dynamic"]
    if other:
        # the other hub is our NHS (hierarchy)
        lines.append(" ip nhrp nhs %s nbma %s" % (HUBS[other][1], HUBS[other][0]))
    if redirect:
        lines.append(" ip nhrp redirect")
    lines += [" tunnel source eth0", "exit"]
    return "\n".join(lines) + "\n"


def spoke_conf(limit=False):
    """both hubs as NHS; limit: Cisco's form, hubA preferred, one at a
    time (hubA's NBMA address from its static map)"""
    lines = ["nhrp multicast-nflog-group %d" % MCAST_GROUP,
             "interface gre1", " ip nhrp network-id 42", " ip nhrp holdtime %d" % HOLD]
    if limit:
        lines += [" ip nhrp map 10.255.0.1 192.0.2.1",
                  " ip nhrp nhs 10.255.0.1 priority 1",
                  " ip nhrp nhs 10.255.0.2 nbma 192.0.2.2 priority 2",
                  " ip nhrp nhs cluster 0 max-connections 1"]
    else:
        lines += [" ip nhrp nhs 10.255.0.1 nbma 192.0.2.1",
                  " ip nhrp nhs 10.255.0.2 nbma 192.0.2.2",
                  " ip nhrp map multicast 192.0.2.1",
                  " ip nhrp map multicast 192.0.2.2"]
    lines += [" ip nhrp registration no-unique", " tunnel source eth0", "exit"]
    return "\n".join(lines) + "\n"


def ripd_conf(hub):
    lines = ["debug rip events"]
    lines += ["router rip", " version 2", " timers basic %d %d %d" % (UPDATE, TIMEOUT, GARBAGE),
              " network gre1"]
    # a hub announces the summary (split horizon keeps the spoke LANs it
    # learns on gre1 to itself); a spoke its LAN
    lines.append(" route %s" % SUMMARY if hub else " network lan0")
    lines.append("exit")
    return "\n".join(lines) + "\n"


def show(node, cmd):
    with Vty(node.vty_socket("nhrpd")) as v:
        return json.loads(v.ok(cmd))


def nhs_state(node):
    """{NHS protocol address: (status, reachable)}"""
    return {e["protocol"]: (e["status"], e["reachable"])
            for e in show(node, "show ip nhrp nhs json")["table"]}


def registered(hub):
    """tunnel addresses registered with hub"""
    return {e["protocol"] for e in show(hub, "show ip nhrp cache json")["table"]
            if e["type"] == "dynamic"}


def rip_next_hops(node, prefix):
    j = node.vtysh("show ip route %s json" % prefix, json=True)
    return {nh.get("ip") for r in j.get(prefix, []) if r.get("protocol") == "rip"
            for nh in r.get("nexthops", [])}


def rip_sources(node):
    """gateways ripd has heard updates from (show ip rip status)"""
    out = node.vtysh("show ip rip status")
    part = out.split("Routing Information Sources:", 1)[-1]
    return {ln.split()[0] for ln in part.splitlines()[1:] if ln.strip()[:1].isdigit()}


def lans_via(d, hub):
    """spoke1 reaches spoke2's LAN and back through hub (RIP, zebra and
    the kernel agree)"""
    s1, s2 = d.spokes[0], d.spokes[1]
    tun = HUBS[hub][1]
    return (rip_next_hops(s1, SUMMARY) == {tun} and rip_next_hops(s2, SUMMARY) == {tun}
            and "via %s " % tun in s1.run("ip route get %s" % lan_addr(2)).stdout
            and "via %s " % tun in s2.run("ip route get %s" % lan_addr(1)).stdout)


def spoke_traffic_ok(d):
    s1 = d.spokes[0]
    return s1.ping(lan_addr(2), src=lan_addr(1), count=2, timeout=2)


# ---- hierarchy: hubs are each other's NHS -----------------------------------

def shortcuts(node):
    return {e["prefix"]: e["via"] for e in show(node, "show ip nhrp shortcut json")["table"]}


def traffic(node):
    return show(node, "show ip nhrp traffic json")["gre1"]


def test_hierarchy_shortcut_across_hubs(topo):
    """spoke1 is hubA's, spoke2 hubB's; the hubs route each other's spoke
    LANs through each other and are each other's NHS.  spoke1's Resolution
    Request for spoke2's LAN goes spoke1 -> hubA -> hubB -> spoke2, and
    spoke2 answers spoke1 directly: the shortcut is spoke to spoke."""
    hubs = {}
    for name, (nbma, tun) in HUBS.items():
        h = topo.add_node(name)
        topo.attach_nbma(h, nbma + "/24")
        h.add_gre("gre1", key=42, addrs=[tun + "/24"], dev="eth0")
        h.sysctl("net.ipv4.ip_forward_use_pmtu", 0)
        h.iptables_restore(hub_nflog_rules(1))
        hubs[name] = h
    ha, hb = hubs["hubA"], hubs["hubB"]
    spokes = []
    for i, (nbma, hub) in enumerate([(SPOKES[0], "hubA"), (SPOKES[1], "hubB")]):
        s = topo.add_node("spoke%d" % (i + 1))
        topo.attach_nbma(s, nbma + "/24")
        s.add_gre("gre1", key=42, addrs=[spoke_tunnel(i + 1) + "/24"], dev="eth0")
        s.sysctl("net.ipv4.ip_forward_use_pmtu", 0)
        s.add_dummy("lan0", lan_addr(i + 1) + "/24")
        s.add_route("10.0.0.0/8", via=HUBS[hub][1], dev="gre1", extra="onlink")
        spokes.append(s)
    s1, s2 = spokes
    ha.add_route(lan_net(1), via=spoke_tunnel(1), dev="gre1", extra="onlink")
    ha.add_route(lan_net(2), via=HUBS["hubB"][1], dev="gre1", extra="onlink")
    hb.add_route(lan_net(2), via=spoke_tunnel(2), dev="gre1", extra="onlink")
    hb.add_route(lan_net(1), via=HUBS["hubA"][1], dev="gre1", extra="onlink")
    nodes = [ha, hb, s1, s2]
    topo.wait_ready([n.start_zebra(wait=False) for n in nodes])
    started = [ha.start_nhrpd(hub_conf("hubB", redirect=True), ours=True, wait=False),
               hb.start_nhrpd(hub_conf("hubA", redirect=True), ours=True, wait=False)]
    for s, hub in ((s1, "hubA"), (s2, "hubB")):
        conf = ("interface gre1\n ip nhrp network-id 42\n ip nhrp holdtime %d\n"
                " ip nhrp nhs %s nbma %s\n ip nhrp registration no-unique\n"
                " ip nhrp shortcut\n tunnel source eth0\nexit\n"
                % (HOLD, HUBS[hub][1], HUBS[hub][0]))
        started.append(s.start_nhrpd(conf, ours=True, wait=False))
    topo.wait_ready(started)
    ha.wait_until(lambda: nhs_state(ha) == {"10.255.0.2": ("up", True)}, 60,
                  msg="hubA registered with hubB")
    hb.wait_until(lambda: nhs_state(hb) == {"10.255.0.1": ("up", True)}, 60,
                  msg="hubB registered with hubA")
    ha.wait_until(lambda: registered(ha) == {spoke_tunnel(1)}, 60, msg="spoke1 on hubA")
    hb.wait_until(lambda: registered(hb) == {spoke_tunnel(2)}, 60, msg="spoke2 on hubB")
    before = {n.name: traffic(n) for n in nodes}
    # through both hubs first
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=3)
    s1.popen(["ping", "-c", "40", "-i", "0.25", "-I", lan_addr(1), lan_addr(2)])
    s1.wait_until(lambda: shortcuts(s1).get(lan_net(2)) == spoke_tunnel(2), 20,
                  msg="spoke1: shortcut to spoke2's LAN via spoke2")
    # the request went spoke1 -> hubA -> hubB -> spoke2, the answer came
    # straight from spoke2
    after = {n.name: traffic(n) for n in nodes}

    def delta(node, way, kind):
        return after[node.name][way][kind] - before[node.name][way][kind]
    assert delta(ha, "sent", "trafficIndication") >= 1
    assert delta(s1, "sent", "resolutionRequest") >= 1
    assert delta(ha, "received", "resolutionRequest") >= 1
    assert delta(ha, "sent", "resolutionRequest") >= 1, "hubA forwarded it"
    assert delta(hb, "received", "resolutionRequest") >= 1
    assert delta(hb, "sent", "resolutionRequest") >= 1, "hubB forwarded it"
    assert delta(s2, "received", "resolutionRequest") >= 1
    assert delta(s2, "sent", "resolutionReply") >= 1
    assert delta(ha, "received", "resolutionReply") == 0, "the reply did not cross hubA"
    assert delta(hb, "received", "resolutionReply") == 0, "the reply did not cross hubB"
    c1 = {e["protocol"]: e["nbma"] for e in show(s1, "show ip nhrp cache json")["table"]}
    assert c1.get(spoke_tunnel(2)) == SPOKES[1]
    # the traffic goes straight to spoke2's NBMA address, no hub sees it
    s1.wait_until(lambda: "via %s" % spoke_tunnel(2) in
                  s1.run("ip route show %s" % lan_net(2)).stdout, 10,
                  msg="kernel route via spoke2's tunnel address")
    with s1.capture("eth0", "ip proto 47 and dst host %s" % SPOKES[1], name="direct") as cap, \
            ha.capture("gre1", "icmp", name="hubA-icmp") as ca, \
            hb.capture("gre1", "icmp", name="hubB-icmp") as cb:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=3, timeout=3)
        s1.wait_until(lambda: cap.count() >= 3, 5, msg="GRE straight to spoke2's NBMA")
    assert ca.count() == 0 and cb.count() == 0, "no hub sees spoke1's packets any more"
    # the other way: spoke2 gets its own shortcut the same way
    s2.popen(["ping", "-c", "40", "-i", "0.25", "-I", lan_addr(2), lan_addr(1)])
    s2.wait_until(lambda: shortcuts(s2).get(lan_net(1)) == spoke_tunnel(1), 20,
                  msg="spoke2: shortcut to spoke1's LAN via spoke1")


# ---- two hubs, RIP through both ------------------------------------------------

class DualHub:
    def __init__(self, topo):
        self.topo = topo
        self.hubs = {}
        for name, (nbma, tun) in HUBS.items():
            h = topo.add_node(name)
            topo.attach_nbma(h, nbma + "/24")
            h.add_gre("gre1", key=42, addrs=[tun + "/24"], dev="eth0")
            h.sysctl("net.ipv4.ip_forward_use_pmtu", 0)
            self.hubs[name] = h
        self.spokes = []
        for i, nbma in enumerate(SPOKES):
            s = topo.add_node("spoke%d" % (i + 1))
            topo.attach_nbma(s, nbma + "/24")
            s.add_gre("gre1", key=42, addrs=[spoke_tunnel(i + 1) + "/24"], dev="eth0")
            s.sysctl("net.ipv4.ip_forward_use_pmtu", 0)
            if i < 2:
                s.add_dummy("lan0", lan_addr(i + 1) + "/24")
            self.spokes.append(s)
        self.inet = topo.internet

    @property
    def nodes(self):
        return list(self.hubs.values()) + self.spokes

    def link(self, hub):
        """the router's end of hub's NBMA link"""
        return "%s-eth0" % hub[:9]


def wait_registered(d):
    s1, s2, s3 = (spoke_tunnel(i) for i in (1, 2, 3))
    d.hubs["hubA"].wait_until(lambda: registered(d.hubs["hubA"]) == {s1, s2, s3}, 60,
                              msg="every spoke registered with hubA")
    d.hubs["hubB"].wait_until(lambda: registered(d.hubs["hubB"]) == {s1, s2}, 60,
                              msg="spoke1 and spoke2 registered with hubB, spoke3 not")


@pytest.fixture(scope="module")
def dual():
    t = Topology("dualhub")
    try:
        d = DualHub(t)
        for n in d.nodes:
            n.ip("link set gre1 multicast on")
            n.iptables_restore(multicast_nflog_rules())
        t.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
        started = [h.start_nhrpd(hub_conf(), ours=True, wait=False) for h in d.hubs.values()]
        started += [s.start_nhrpd(spoke_conf(limit=(i == 2)), ours=True, wait=False)
                    for i, s in enumerate(d.spokes)]
        t.wait_ready(started)
        wait_registered(d)
        started = [h.start_daemon("ripd", ripd_conf(True), wait=False) for h in d.hubs.values()]
        started += [s.start_daemon("ripd", ripd_conf(False), wait=False) for s in d.spokes[:2]]
        t.wait_ready(started)
        yield d
        t.check_daemons()
    finally:
        t.close()


def test_every_hub_used(dual):
    d = dual
    s1, s2, s3 = d.spokes
    for s in (s1, s2):
        s.wait_until(lambda: nhs_state(s) == {"10.255.0.1": ("up", True),
                                              "10.255.0.2": ("up", True)}, 30,
                     msg="both hubs up")
    # max-connections 1: the preferred hub only, the other stands by
    assert nhs_state(s3) == {"10.255.0.1": ("up", True), "10.255.0.2": ("standby", True)}
    j = {e["protocol"]: e for e in show(s3, "show ip nhrp nhs json")["table"]}
    assert j["10.255.0.1"]["fromMap"] and j["10.255.0.1"]["nbma"] == "192.0.2.1"
    assert (j["10.255.0.1"]["priority"], j["10.255.0.2"]["priority"]) == (1, 2)
    # RIP: each spoke has the other's LAN through one hub or the other
    s1.wait_until(lambda: rip_next_hops(s1, SUMMARY) and rip_next_hops(s2, SUMMARY),
                  4 * UPDATE + 10, msg="RIP routes between the spoke LANs")
    for s in (s1, s2):
        assert len(rip_next_hops(s, SUMMARY)) == 1
        assert rip_next_hops(s, SUMMARY) <= {"10.255.0.1", "10.255.0.2"}
    # the hubs know the spoke LANs from the spokes
    for h in d.hubs.values():
        h.wait_until(lambda: rip_next_hops(h, lan_net(1)) == {spoke_tunnel(1)} and
                     rip_next_hops(h, lan_net(2)) == {spoke_tunnel(2)}, 2 * UPDATE + 10,
                     msg="the spoke LANs learnt from the spokes")
    # ripd takes updates from both hubs (its routing information sources)
    for s in (s1, s2):
        s.wait_until(lambda: all(h in rip_sources(s) for h in ("10.255.0.1", "10.255.0.2")),
                     2 * UPDATE + 10, msg="RIP updates from both hubs")
    s1.wait_until(lambda: spoke_traffic_ok(d), 20, msg="spoke1 LAN -> spoke2 LAN")
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=2, timeout=2)
    # hubB cannot reach spoke3 (not registered there)
    assert not d.hubs["hubB"].ping(spoke_tunnel(3), count=1, timeout=1)
    assert d.hubs["hubA"].ping(spoke_tunnel(3), count=1, timeout=2)


def fail_over(d, down, up, how):
    """take hub `down` away (how: kill its nhrpd, or cut its link); LAN
    traffic must go through hub `up`"""
    s1, s2, s3 = d.spokes
    h = d.hubs[down]
    t0 = time.monotonic()
    if how == "kill":
        h.daemon("nhrpd").stopping = True   # on purpose, not a crash
        h.daemon("nhrpd").signal(9)
        h.wait_until(lambda: not h.running("nhrpd"), 10, msg="nhrpd killed")
    else:
        d.inet.run("ip link set %s down" % d.link(down))
    s1.wait_until(lambda: lans_via(d, up) and spoke_traffic_ok(d), FAILOVER,
                  msg="spoke LAN traffic through %s after %s's %s" % (up, down, how))
    took = time.monotonic() - t0
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=2, timeout=2)
    # the spokes saw the hub stop answering
    tun = HUBS[down][1]
    for s in (s1, s2):
        s.wait_until(lambda: not nhs_state(s)[tun][1], HOLD // 3 + 10,
                     msg="%s unreachable" % down)
    print("%s %s: spoke-to-spoke traffic through %s after %.1f s" % (down, how, up, took))
    return t0


def recover(d, down, how):
    """bring hub `down` back; every spoke registers with it again"""
    h = d.hubs[down]
    t0 = time.monotonic()
    if how == "kill":
        h.restart_daemon("nhrpd")
    else:
        d.inet.run("ip link set %s up" % d.link(down))
    want = {spoke_tunnel(i) for i in (1, 2)} | ({spoke_tunnel(3)} if down == "hubA" else set())
    h.wait_until(lambda: want <= registered(h), RECOVER,
                 msg="the spokes registered with %s again" % down)
    tun = HUBS[down][1]
    for s in d.spokes[:2]:
        s.wait_until(lambda: nhs_state(s)[tun] == ("up", True), 10, msg="%s up again" % down)
    # its RIP updates reach the spokes again
    s1 = d.spokes[0]
    # and it forwards to them again (its neighbour entries come back)
    s1.wait_until(lambda: d.hubs[down].ping(lan_addr(1), count=1, timeout=1), RECOVER,
                  msg="%s reaches spoke1's LAN again" % down)
    print("%s back (%s): registered again after %.1f s" % (down, how, time.monotonic() - t0))


@pytest.mark.parametrize("how", ["kill", "cut"])
def test_one_hub_down_traffic_through_other(dual, how):
    d = dual
    s3 = d.spokes[2]
    hb = d.hubs["hubB"]
    # hubA goes: traffic through hubB; spoke3 falls back to hubB
    fail_over(d, "hubA", "hubB", how)
    s3.wait_until(lambda: nhs_state(s3)["10.255.0.2"] == ("up", True), HOLD // 3 + 15,
                  msg="spoke3 registered with hubB, its second choice")
    assert not nhs_state(s3)["10.255.0.1"][1]
    hb.wait_until(lambda: spoke_tunnel(3) in registered(hb), 10, msg="hubB has spoke3")
    assert hb.ping(spoke_tunnel(3), count=1, timeout=2), "hubB reaches spoke3 now"
    # hubA comes back: used again; spoke3 returns and lets hubB go (purge)
    recover(d, "hubA", how)
    s3.wait_until(lambda: nhs_state(s3) == {"10.255.0.1": ("up", True),
                                            "10.255.0.2": ("standby", True)}, 10,
                  msg="spoke3 back on hubA, hubB standing by")
    hb.wait_until(lambda: spoke_tunnel(3) not in registered(hb), 10,
                  msg="spoke3's registration purged from hubB at once")
    # hubA carries the traffic when hubB goes in its turn
    fail_over(d, "hubB", "hubA", how)
    assert nhs_state(s3)["10.255.0.1"] == ("up", True)
    recover(d, "hubB", how)


