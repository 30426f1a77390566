# SPDX-License-Identifier: GPL-2.0-or-later
"""DMVPN phase 3 and 2 with our nhrpd: the hub redirects (Traffic
Indication, from an NFLOG rule), spokes resolve the destination through
the hub, the egress spoke answers with the prefix it serves, and the
shortcut route in zebra/the kernel carries the traffic directly."""
import json
import os
import sys
import time

import pytest

from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, hub_nflog_rules,
                       lan_addr, spoke_tunnel)
from lib.topology import FRR_NHRPD, OUR_NHRPD

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from vtyclient import Vty  # noqa: E402

pytestmark = pytest.mark.gre

HUB = """nhrp nflog-group 1
interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime HOLD
 ip nhrp redirect
 tunnel source eth0
exit
"""
SPOKE = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime HOLD
 ip nhrp nhs %s nbma %s
 ip nhrp registration no-unique
 ip nhrp shortcut
 tunnel source eth0
exit
"""


def shortcuts(node):
    j = node.vtysh("show ip nhrp shortcut json", json=True)
    return {e["prefix"]: e["via"] for e in j.get("table", [])}


def kernel_route(node, prefix):
    return node.run("ip route show %s" % prefix).stdout.strip()


def ttl_of_reply(node, dst, src):
    r = node.run("ping -c 1 -W 2 -I %s %s" % (src, dst), check=False).stdout
    for f in r.split():
        if f.startswith("ttl="):
            return int(f[4:])
    return None


def traffic(node):
    with Vty(node.vty_socket("nhrpd")) as v:
        return json.loads(v.ok("show ip nhrp traffic json"))["gre1"]


def start_dmvpn(topo, hub_binary=OUR_NHRPD, spoke_binary=OUR_NHRPD, plen=24, nhs=HUB_TUNNEL,
                hold=60):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=plen, tx_csum_off=False)
    d.hub.iptables_restore(hub_nflog_rules(1))
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(HUB.replace("HOLD", str(hold)), binary=hub_binary)
    for s in d.spokes:
        s.start_nhrpd(SPOKE.replace("HOLD", str(hold)) % (nhs, HUB_NBMA), binary=spoke_binary)
    want = {spoke_tunnel(1), spoke_tunnel(2)}
    d.hub.wait_until(lambda: want <= {e["protocol"] for e in d.hub.vtysh(
        "show ip nhrp cache json", json=True).get("table", []) if e["type"] == "dynamic"},
        60, msg="both spokes registered")
    return d


def test_phase3_redirect_and_shortcut_both_ways(topo):
    d = start_dmvpn(topo)
    s1, s2 = d.spokes
    # through the hub first: one hop more (TTL one lower)
    assert ttl_of_reply(s1, lan_addr(2), lan_addr(1)) == 63
    t0 = time.monotonic()
    # both directions at once
    s1.popen(["ping", "-c", "30", "-i", "0.2", "-I", lan_addr(1), lan_addr(2)])
    s2.popen(["ping", "-c", "30", "-i", "0.2", "-I", lan_addr(2), lan_addr(1)])
    s1.wait_until(lambda: shortcuts(s1).get("10.2.0.0/24") == spoke_tunnel(2), 15,
                  msg="spoke1: shortcut to spoke2's LAN prefix (not a /32)")
    s2.wait_until(lambda: shortcuts(s2).get("10.1.0.0/24") == spoke_tunnel(1), 15,
                  msg="spoke2: shortcut to spoke1's LAN prefix")
    took = time.monotonic() - t0
    print("both shortcuts in %.1f s" % took)
    # the hub sent Traffic Indications, the spokes asked it
    assert traffic(d.hub)["sent"]["trafficIndication"] >= 1
    assert traffic(s1)["received"]["trafficIndication"] >= 1
    assert traffic(s1)["sent"]["resolutionRequest"] >= 1
    # zebra installed them in the kernel, and they carry the traffic
    s1.wait_until(lambda: "via %s" % spoke_tunnel(2) in kernel_route(s1, "10.2.0.0/24"), 10,
                  msg="kernel route via spoke2's tunnel address")
    assert "nhrp" in kernel_route(s1, "10.2.0.0/24")
    assert ttl_of_reply(s1, lan_addr(2), lan_addr(1)) == 64, "direct now"
    with d.hub.capture("gre1", "icmp") as cap:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=3, timeout=3)
    assert cap.count("icmp") == 0, "the hub sees no more of it"
    # a spoke holding a shortcut still answers resolution requests and the
    # binding of its peer is cached both ways
    c2 = {e["protocol"]: e for e in s2.vtysh("show ip nhrp cache json", json=True)["table"]}
    assert c2[spoke_tunnel(1)]["nbma"] == SPOKE_NBMA[0]


def test_purge_removes_shortcut(topo):
    d = start_dmvpn(topo)
    s1, s2 = d.spokes
    s1.popen(["ping", "-c", "20", "-i", "0.2", "-I", lan_addr(1), lan_addr(2)])
    s1.wait_until(lambda: "10.2.0.0/24" in shortcuts(s1), 15, msg="shortcut made")
    # spoke2 leaves: it purges its registration on the hub and the hub's
    # entry goes; spoke1's shortcut expires with the holding time, or at
    # once when the peer is purged (here: clear on spoke1)
    with Vty(s1.vty_socket("nhrpd")) as v:
        v.ok("clear ip nhrp shortcut")
    s1.wait_until(lambda: "10.2.0.0/24" not in shortcuts(s1), 5, msg="shortcut gone")
    s1.wait_until(lambda: "nhrp" not in kernel_route(s1, "10.2.0.0/24"), 5,
                  msg="route withdrawn from the kernel")


def test_phase2_next_hop_in_tunnel(topo):
    """No redirect: the route's next hop is the other spoke's tunnel
    address; the kernel asks nhrpd for it and the hub answers from its
    registrations."""
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24, routes=False, tx_csum_off=False)
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(HUB.replace(" ip nhrp redirect\n", "").replace("HOLD", "60"), ours=True)
    for s in d.spokes:
        s.start_nhrpd(SPOKE.replace("HOLD", "60") % (HUB_TUNNEL, HUB_NBMA), ours=True)
    s1, s2 = d.spokes
    s1.add_route("10.2.0.0/24", via=spoke_tunnel(2), dev="gre1")
    s2.add_route("10.1.0.0/24", via=spoke_tunnel(1), dev="gre1")
    d.hub.wait_until(lambda: len([e for e in d.hub.vtysh("show ip nhrp cache json", json=True)
                                  .get("table", []) if e["type"] == "dynamic"]) == 2, 60,
                     msg="both spokes registered")
    s1.wait_until(lambda: s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=2), 20,
                  msg="spoke1 LAN -> spoke2 LAN directly, resolved on demand")
    c1 = {e["protocol"]: e for e in s1.vtysh("show ip nhrp cache json", json=True)["table"]}
    assert c1[spoke_tunnel(2)]["type"] == "cached" and c1[spoke_tunnel(2)]["nbma"] == SPOKE_NBMA[1]


def test_shortcut_refreshed_in_use_and_expires_idle(topo):
    hold = 15
    d = start_dmvpn(topo, hold=hold)
    s1 = d.spokes[0]
    for n in d.nodes:
        # re-validate neighbours often, so that use shows quickly
        n.sysctl("net.ipv4.neigh.gre1.base_reachable_time_ms", 2000)
        n.sysctl("net.ipv4.neigh.gre1.delay_first_probe_time", 1)
    s1.popen(["ping", "-c", "5", "-i", "0.2", "-I", lan_addr(1), lan_addr(2)])
    s1.wait_until(lambda: "10.2.0.0/24" in shortcuts(s1), 15, msg="shortcut made")
    # in use past its holding time: refreshed, never gone
    end = time.monotonic() + hold + 5
    while time.monotonic() < end:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=2)
        assert "10.2.0.0/24" in shortcuts(s1), "shortcut lost while in use"
    # idle: gone within the holding time, route and neighbour with it
    s1.wait_until(lambda: "10.2.0.0/24" not in shortcuts(s1), hold + 10,
                  msg="idle shortcut expired")
    s1.wait_until(lambda: "nhrp" not in kernel_route(s1, "10.2.0.0/24"), 5,
                  msg="route withdrawn")
    s1.wait_until(lambda: spoke_tunnel(2) not in s1.run("ip neigh show dev gre1 nud reachable nud stale").stdout, hold + 10,
                  msg="neighbour entry of spoke2 removed")
