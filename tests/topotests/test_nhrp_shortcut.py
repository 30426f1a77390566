# SPDX-License-Identifier: GPL-2.0-or-later
"""DMVPN phase 3 and 2 with our nhrpd: the hub redirects (Traffic
Indication, from an NFLOG rule), spokes resolve the destination through
the hub, the egress spoke answers with the prefix it serves, and the
shortcut route in zebra/the kernel carries the traffic directly."""
import subprocess
import time

import pytest

from lib.cisco import build, captured_nhrp, inject, need_codec_tool
from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, hub_nflog_rules,
                       lan_addr, lan_net, nhrpd_config, spoke_tunnel, wait_registered)
from lib.state import cache, kernel_route, shortcuts, traffic, ttl_of_reply
from lib.topology import OUR_NHRPD

pytestmark = pytest.mark.gre

PURGE_REQ, PURGE_REPLY = 5, 6

def hub_config(hold, redirect=True):
    return nhrpd_config(nflog_group=1, holdtime=hold, redirect=redirect)


def spoke_config(hold, nhs=HUB_TUNNEL):
    return nhrpd_config(holdtime=hold, nhs=nhs, no_unique=True, shortcut=True)


def via(node):
    """{prefix: via} of the node's shortcuts"""
    return {p: e["via"] for p, e in shortcuts(node).items()}


def start_dmvpn(topo, hub_binary=OUR_NHRPD, spoke_binary=OUR_NHRPD, plen=24, nhs=HUB_TUNNEL,
                hold=60):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=plen, tx_csum_off=False)
    d.hub.iptables_restore(hub_nflog_rules(1))
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(hub_config(hold), binary=hub_binary)
    for s in d.spokes:
        s.start_nhrpd(spoke_config(hold, nhs), binary=spoke_binary)
    wait_registered(d)
    return d


def test_phase3_redirect_and_shortcut_both_ways(topo):
    d = start_dmvpn(topo)
    s1, s2 = d.spokes
    # through the hub first: one hop more (TTL one lower)
    assert ttl_of_reply(s1, lan_addr(2), lan_addr(1)) == 63
    # both directions at once (how long it takes, against FRR's nhrpd:
    # tools/bench shortcut)
    s1.popen(["ping", "-c", "30", "-i", "0.2", "-I", lan_addr(1), lan_addr(2)])
    s2.popen(["ping", "-c", "30", "-i", "0.2", "-I", lan_addr(2), lan_addr(1)])
    s1.wait_until(lambda: via(s1).get("10.2.0.0/24") == spoke_tunnel(2), 15,
                  msg="spoke1: shortcut to spoke2's LAN prefix (not a /32)")
    s2.wait_until(lambda: via(s2).get("10.1.0.0/24") == spoke_tunnel(1), 15,
                  msg="spoke2: shortcut to spoke1's LAN prefix")
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
    c2 = cache(s2)
    assert c2[spoke_tunnel(1)]["nbma"] == SPOKE_NBMA[0]


def from_nbma(nbma):
    """BPF: NHRP in GRE from an NBMA address (GRE's protocol type right
    after the 20-byte IPv4 header)"""
    return "ip proto 47 and src host %s and ip[22:2] = 0x2001" % nbma


def make_shortcut(src, dst, hold):
    """traffic src LAN -> dst LAN until src has a shortcut (zebra and the
    kernel) to dst's LAN via dst's tunnel address; then the traffic stops"""
    i, j = d_index(src), d_index(dst)
    ping = src.popen(["ping", "-q", "-c", "150", "-i", "0.2", "-I", lan_addr(i), lan_addr(j)],
                     stdout=subprocess.DEVNULL)
    try:
        src.wait_until(lambda: via(src).get(lan_net(j)) == spoke_tunnel(j), 30,
                       msg="%s: shortcut to %s" % (src.name, lan_net(j)))
        src.wait_until(lambda: "via %s" % spoke_tunnel(j) in kernel_route(src, lan_net(j)), 10,
                       msg="%s: kernel route of the shortcut" % src.name)
    finally:
        ping.kill()
        ping.wait()
    assert shortcut_left(src, lan_net(j)) > hold // 2, "refreshed just now"


def d_index(spoke):
    return int(spoke.name[len("spoke"):])


def shortcut_left(node, prefix):
    j = node.show("show ip nhrp shortcut json", json=True)
    return {e["prefix"]: e["expiresIn"] for e in j.get("table", [])}[prefix]


def test_purge_removes_shortcut(topo):
    """Real Purge Requests take a shortcut away at once, long before its
    holding time (60 s): (1) spoke2 purges its own binding at spoke1, which
    answers with a Purge Reply; (2) spoke1 withdraws its registration (`no
    ip nhrp nhs`: stopping nhrpd keeps it), and the hub, which passed
    spoke2's resolution on to spoke1, purges the binding at spoke2."""
    need_codec_tool()
    hold = 60
    d = start_dmvpn(topo, hold=hold)
    s1, s2 = d.spokes
    make_shortcut(s1, s2, hold)
    received = traffic(s1)["received"]["purgeRequest"]
    purge = build("type=purgereq", "src_nbma=" + SPOKE_NBMA[1], "src_proto=" + spoke_tunnel(2),
                  "dst_proto=" + spoke_tunnel(1), "reqid=4242",
                  "cie=code:0,pl:32,proto:" + spoke_tunnel(2), "ext=end")
    with s2.capture("eth0", from_nbma(SPOKE_NBMA[0]), name="eth0-from-spoke1") as cap:
        inject(s2, [purge], SPOKE_NBMA[0])
        s1.wait_until(lambda: "10.2.0.0/24" not in shortcuts(s1), 10,
                      msg="spoke1: shortcut gone with the purged binding")
        replies = s2.wait_until(lambda: captured_nhrp(cap.pcap, PURGE_REPLY), 10,
                                msg="spoke1 answers the purge")
    assert [(r["reqid"], r["src_proto"], r["ip_dst"]) for r in replies] == \
        [(4242, spoke_tunnel(2), SPOKE_NBMA[1])], replies
    assert [c["proto"] for c in replies[0]["cie"]] == [spoke_tunnel(2)]
    assert traffic(s1)["received"]["purgeRequest"] == received + 1
    s1.wait_until(lambda: "nhrp" not in kernel_route(s1, "10.2.0.0/24"), 5,
                  msg="route withdrawn from the kernel")
    assert spoke_tunnel(2) not in cache(s1)

    # (2) the other way (a fresh pair for the hub's rate limit)
    make_shortcut(s2, s1, hold)
    with s2.capture("eth0", from_nbma(HUB_NBMA), name="eth0-from-hub") as cap:
        s1.configure(["interface gre1", " no ip nhrp nhs %s nbma %s" % (HUB_TUNNEL, HUB_NBMA),
                      "exit"])
        s2.wait_until(lambda: "10.1.0.0/24" not in shortcuts(s2), 10,
                      msg="spoke2: shortcut gone when spoke1's registration went")
        purges = s2.wait_until(lambda: captured_nhrp(cap.pcap, PURGE_REQ), 5,
                               msg="the hub's Purge Request")
    assert [c["proto"] for c in purges[0]["cie"]] == [spoke_tunnel(1)], purges
    assert purges[0]["flags"] & 0x8000, "no reply wanted (N bit)"
    s2.wait_until(lambda: "nhrp" not in kernel_route(s2, "10.1.0.0/24"), 5,
                  msg="spoke2: route withdrawn from the kernel")


def test_phase2_next_hop_in_tunnel(topo):
    """No redirect: the route's next hop is the other spoke's tunnel
    address; the kernel asks nhrpd for it and the hub answers from its
    registrations."""
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24, routes=False, tx_csum_off=False)
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(hub_config(60, redirect=False), ours=True)
    for s in d.spokes:
        s.start_nhrpd(spoke_config(60), ours=True)
    s1, s2 = d.spokes
    s1.add_route("10.2.0.0/24", via=spoke_tunnel(2), dev="gre1")
    s2.add_route("10.1.0.0/24", via=spoke_tunnel(1), dev="gre1")
    wait_registered(d)
    s1.wait_until(lambda: s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=2), 20,
                  msg="spoke1 LAN -> spoke2 LAN directly, resolved on demand")
    c1 = cache(s1)
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
