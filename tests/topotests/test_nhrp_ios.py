# SPDX-License-Identifier: GPL-2.0-or-later
"""What an IOS hub and spoke do, on the kernel (issue: behave as IOS does):

1. A Resolution Request for an address registered with the hub (phase 2),
   or for a LAN routed via a registered spoke (phase 3), goes to its
   owner, which answers the requester directly and learns it on the way:
   one request, both spokes know each other.
2. Spokes behind NAT (masquerading namespaces) register, learn their
   public address, and build shortcuts in both directions: the hub and the
   responder use the requester's real address, traffic goes direct.
5. `ip nhrp map X local` is an address of ours; `tunnel source IF`
   programs the tunnel's local address and follows IF's address.
"""
import json

import pytest

from lib.cisco import pcap_nhrp
from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, hub_nflog_rules,
                       lan_addr, lan_net, nhrpd_config, spoke_tunnel)

pytestmark = pytest.mark.gre

HUB = nhrpd_config(debug="all", nflog_group=1, holdtime=120, redirect=True, no_unique=True)
SPOKE = nhrpd_config(debug="all", holdtime=120, nhs=HUB_TUNNEL, no_unique=True, shortcut=True,
                     tunnel_source=None)
NHRP_GRE = "ip proto 47 and ip[22:2] = 0x2001"     # GRE carrying NHRP
RES_REQ, RES_REPLY = 1, 2


def cache(node):
    doc = node.show("show ip nhrp cache json", json=True)
    return {e["protocol"]: e for e in doc.get("table", [])}


def shortcuts(node):
    doc = node.show("show ip nhrp shortcut json", json=True)
    return {e["prefix"]: e["via"] for e in doc.get("table", [])}


def registered(hub, addrs):
    c = cache(hub)
    return all(c.get(a, {}).get("type") == "dynamic" for a in addrs)


def nhrp_packets(cap):
    """(outer source, outer destination, NHRP type) of each NHRP packet
    captured."""
    return [(src, dst, pdu[17]) for src, dst, pdu in pcap_nhrp(cap.pcap)]


def assert_resolved_by_owner(s1, caps):
    """spoke1 asked the hub once, the hub passed the request on to spoke2
    and answered nothing itself, spoke2 answered spoke1 directly and never
    asked anything itself (captures on each node's eth0, stopped here)"""
    # tcpdump hands packets over in blocks: stop once they are in
    s1.wait_until(lambda: [p for p in nhrp_packets(caps["spoke1"]) if p[2] == RES_REPLY] and
                  [p for p in nhrp_packets(caps["hub"]) if p[2] == RES_REQ], 10,
                  msg="the resolution in the captures")
    for c in caps.values():
        c.stop()
    hub_pkts = nhrp_packets(caps["hub"])
    s1_pkts = nhrp_packets(caps["spoke1"])
    s2_pkts = nhrp_packets(caps["spoke2"])
    assert (HUB_NBMA, SPOKE_NBMA[1], RES_REQ) in hub_pkts, hub_pkts
    assert not [p for p in hub_pkts if p[0] == HUB_NBMA and p[2] == RES_REPLY], hub_pkts
    replies = [p for p in s1_pkts if p[1] == SPOKE_NBMA[0] and p[2] == RES_REPLY]
    assert replies and all(p[0] == SPOKE_NBMA[1] for p in replies), s1_pkts
    # one request was enough: spoke2 had no reason to ask
    assert not [p for p in s2_pkts if p[0] == SPOKE_NBMA[1] and p[2] == RES_REQ], s2_pkts


def start(d):
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(HUB, ours=True)
    for s in d.spokes:
        s.start_nhrpd(SPOKE, ours=True)
    d.hub.wait_until(lambda: registered(d.hub, [spoke_tunnel(1), spoke_tunnel(2)]), 60,
                     msg="both spokes registered")


# ---- 1. resolution goes to the owner ----------------------------------------------


def test_resolution_of_a_registered_address_goes_to_its_owner(topo):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24, routes=False)
    s1, s2 = d.spokes
    # phase 2: spoke1 reaches spoke2's LAN with spoke2's tunnel address as
    # next hop, which the kernel asks nhrpd to resolve
    s1.add_route(lan_net(2), via=spoke_tunnel(2), dev="gre1", extra="onlink")
    s2.add_route(lan_net(1), via=spoke_tunnel(1), dev="gre1", extra="onlink")
    start(d)
    caps = {n.name: n.capture("eth0", NHRP_GRE, name="res") for n in d.nodes}
    s1.wait_until(lambda: s1.ping(lan_addr(2), src=lan_addr(1)), 30,
                  msg="spoke1 reaches spoke2's LAN")
    s1.wait_until(lambda: cache(s1).get(spoke_tunnel(2), {}).get("nbma") == SPOKE_NBMA[1], 20,
                  msg="spoke1 resolved spoke2")
    # spoke2 learnt spoke1 from the request itself
    s2.wait_until(lambda: cache(s2).get(spoke_tunnel(1), {}).get("nbma") == SPOKE_NBMA[0], 10,
                  msg="spoke2 learnt spoke1 from its request")
    assert_resolved_by_owner(s1, caps)
    assert cache(s2)[spoke_tunnel(1)]["type"] == "cached"


def test_phase3_resolution_goes_to_its_owner(topo):
    """phase 3: the hub's Traffic Indication makes spoke1 ask the hub for
    spoke2's LAN; the hub passes the request on to spoke2 (the LAN is routed
    via it), which answers spoke1 itself and learns spoke1 from the request.
    Traffic flows one way only (spoke2 drops the echo requests): one
    request, and both spokes know each other."""
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
    s1, s2 = d.spokes
    d.hub.iptables_restore(hub_nflog_rules(1))
    s2.iptables_restore("*filter\n:INPUT ACCEPT [0:0]\n"
                        "-A INPUT -p icmp --icmp-type echo-request -d %s -j DROP\n"
                        "COMMIT\n" % lan_addr(2))
    start(d)
    caps = {n.name: n.capture("eth0", NHRP_GRE, name="res3") for n in d.nodes}
    ping = s1.popen(["ping", "-q", "-c", "100", "-i", "0.3", "-I", lan_addr(1), lan_addr(2)])
    try:
        s1.wait_until(lambda: shortcuts(s1).get(lan_net(2)) == spoke_tunnel(2), 30,
                      msg="spoke1: shortcut to spoke2's LAN")
    finally:
        ping.kill()
        ping.wait()
    assert cache(s1)[spoke_tunnel(2)]["nbma"] == SPOKE_NBMA[1]
    s2.wait_until(lambda: cache(s2).get(spoke_tunnel(1), {}).get("nbma") == SPOKE_NBMA[0], 10,
                  msg="spoke2 learnt spoke1 from its request")
    assert cache(s2)[spoke_tunnel(1)]["type"] == "cached"
    assert_resolved_by_owner(s1, caps)


# ---- 2. spokes behind NAT ---------------------------------------------------------------

# the private side of each NAT: a /30 of the documentation ranges that no
# public segment of the topology uses
NATS = {1: ("198.51.100.10", "192.0.2.201", "192.0.2.202"),
        2: ("203.0.113.10", "192.0.2.205", "192.0.2.206")}


class Cloud:
    """hub + spokes built here (some behind NAT), as lib.dmvpn lays them out"""

    def __init__(self, hub, spokes):
        self.hub, self.spokes = hub, spokes
        self.nodes = [hub] + spokes


def build_natted(topo, natted):
    """hub + 2 spokes with LANs; the spokes in `natted` sit behind a
    masquerading router each: their private address behind it, the
    router's public one seen by everyone else."""
    hub = topo.add_node("hub")
    topo.attach_nbma(hub, HUB_NBMA + "/24")
    hub.add_gre("gre1", key=42, addrs=["%s/24" % HUB_TUNNEL], dev="eth0")
    hub.add_dummy("lan0", lan_addr(0) + "/24")
    spokes = []
    for i in (1, 2):
        s = topo.add_node("spoke%d" % i)
        if i in natted:
            public, inner, private = NATS[i]
            nat = topo.add_node("nat%d" % i)
            topo.attach_nbma(nat, public + "/24")
            topo.add_link(nat, s, "lan", "eth0", addr_a=inner + "/30", addr_b=private + "/30")
            s.add_route("default", via=inner)
            nat.run("modprobe -q -a iptable_nat nf_nat nf_conntrack xt_MASQUERADE", check=False)
            # a NAT router as they come: masquerading, and nothing in from
            # outside that is not an answer (dropped before conntrack keeps
            # it, so a peer's early packet does not block the mapping the
            # spoke makes when it sends to that peer)
            nat.iptables_restore("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
                                 ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
                                 "-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n"
                                 "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
                                 ":OUTPUT ACCEPT [0:0]\n"
                                 "-A INPUT -i eth0 -m conntrack --ctstate NEW -j DROP\n"
                                 "-A FORWARD -i eth0 -m conntrack --ctstate NEW -j DROP\n"
                                 "COMMIT\n")
            s.add_gre("gre1", key=42, local=private, addrs=["%s/24" % spoke_tunnel(i)],
                      dev="eth0")
            s.nat_public = public
        else:
            topo.attach_nbma(s, SPOKE_NBMA[i - 1] + "/24")
            s.add_gre("gre1", key=42, addrs=["%s/24" % spoke_tunnel(i)], dev="eth0")
        s.add_dummy("lan0", lan_addr(i) + "/24")
        s.add_route("10.0.0.0/8", via=HUB_TUNNEL, dev="gre1", extra="onlink")
        hub.add_route(lan_net(i), via=spoke_tunnel(i), dev="gre1", extra="onlink")
        spokes.append(s)
    for n in [hub] + spokes:
        n.sysctl("net.ipv4.ip_forward_use_pmtu", 0)
    return Cloud(hub, spokes)


def public_of(d, i):
    s = d.spokes[i - 1]
    return getattr(s, "nat_public", SPOKE_NBMA[i - 1])


def check_nat_shortcut(d, natted):
    hub, s1, s2 = d.hub, d.spokes[0], d.spokes[1]
    d.hub.iptables_restore(hub_nflog_rules(1))
    start(d)
    # the hub sees each spoke at its public address, and knows what it claims
    c = cache(hub)
    for i in (1, 2):
        e = c[spoke_tunnel(i)]
        assert e["nbma"] == public_of(d, i), e
        if i in natted:
            assert e["claimed_nbma"] == NATS[i][2], e
    dm = {a: p for p in hub.show("show dmvpn json", json=True) for a in p["tunnelAddresses"]}
    for i in (1, 2):
        assert ("N" in dm[spoke_tunnel(i)]["attributes"]) == (i in natted), dm
    # spokes behind NAT learnt their public address from the hub
    for i in natted:
        s = d.spokes[i - 1]
        j = s.show("show ip nhrp interface json", json=True)
        assert [x for x in j if x["interface"] == "gre1"][0].get("natNbma") == NATS[i][0], j
    # shortcut both ways: traffic LAN to LAN until each has the other's
    # binding at its real (public) address
    # (both ways at once: behind two NATs, each side's first direct packet
    # opens its own NAT for the other's, as hole punching does)
    def both_ways():
        ok = [s1.ping(lan_addr(2), src=lan_addr(1)), s2.ping(lan_addr(1), src=lan_addr(2))]
        return all(ok) and all(
            shortcuts(src).get(lan_net(b)) == spoke_tunnel(b) and
            cache(src).get(spoke_tunnel(b), {}).get("nbma") == public_of(d, b)
            for src, b in ((s1, 2), (s2, 1)))
    s1.wait_until(both_ways, 60, msg="each spoke has a shortcut to the other at its real address")
    # and the traffic goes direct: the hub sees no more of it
    cap = hub.capture("eth0", "ip proto 47", name="after")
    for _ in range(5):
        s1.ping(lan_addr(2), src=lan_addr(1))
        s2.ping(lan_addr(1), src=lan_addr(2))
    cap.stop()
    # GRE with key (8 bytes) around IPv4: the inner protocol byte
    icmp_via_hub = [f for f in cap.packets() if len(f) > 14 + 20 + 8 + 20 and
                    f[14 + 20 + 2:14 + 20 + 4] == b"\x08\x00" and f[14 + 20 + 8 + 9] == 1]
    assert not icmp_via_hub, "%d ICMP packets still through the hub" % len(icmp_via_hub)
    for i in (1, 2):
        e = cache(d.spokes[2 - i])[spoke_tunnel(i)]
        assert e["nbma"] == public_of(d, i), e


def test_one_spoke_behind_nat(topo):
    d = build_natted(topo, {1})
    check_nat_shortcut(d, {1})


def test_both_spokes_behind_different_nats(topo):
    d = build_natted(topo, {1, 2})
    check_nat_shortcut(d, {1, 2})


# ---- 5. map local, tunnel source ---------------------------------------------------


def test_map_local_is_ours(topo):
    d = build_dmvpn(topo, spokes=1, tunnel_plen=24, routes=False)
    s1 = d.spokes[0]
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(HUB.replace(" ip nhrp redirect\n",
                                  " ip nhrp map 10.255.0.2 local\n"), ours=True)
    s1.start_nhrpd(SPOKE, ours=True)
    d.hub.wait_until(lambda: registered(d.hub, [spoke_tunnel(1)]), 60, msg="spoke1 registered")
    assert cache(d.hub)["10.255.0.2"]["type"] == "local"
    d.hub.add_address("lan0", "10.255.0.2/32")      # the hub answers pings to it
    d.hub.flush()
    # the spoke resolves it (phase 2: a next hop in the tunnel) to the hub
    s1.wait_until(lambda: s1.ping("10.255.0.2") and
                  cache(s1).get("10.255.0.2", {}).get("nbma") == HUB_NBMA, 30,
                  msg="spoke1 resolved the hub's local address")


def gre_details(node):
    j = json.loads(node.run("ip -d -j link show gre1").stdout)[0]
    return j.get("linkinfo", {}).get("info_data", {}), j


def test_tunnel_source_programs_the_tunnel(topo):
    hub = topo.add_node("hub")
    topo.attach_nbma(hub, HUB_NBMA + "/24")
    hub.add_gre("gre1", key=42, addrs=["%s/24" % HUB_TUNNEL], dev="eth0")
    s1 = topo.add_node("spoke1")
    topo.attach_nbma(s1, SPOKE_NBMA[0] + "/24")
    # a tunnel with no local address and no link, as `ip tunnel add` makes it
    s1.add_gre("gre1", key=42, local="any", addrs=["%s/24" % spoke_tunnel(1)])
    d = Cloud(hub, [s1])
    for n in d.nodes:
        n.start_zebra()
    d.hub.start_nhrpd(HUB, ours=True)
    s1.start_nhrpd(SPOKE + "interface gre1\n tunnel source eth0\nexit\n", ours=True)
    s1.wait_until(lambda: gre_details(s1)[0].get("local") == SPOKE_NBMA[0], 30,
                  msg="gre1's local address is eth0's")
    info, link = gre_details(s1)
    assert info.get("ikey") in ("0.0.0.42", 42, "42") or info.get("key") in ("0.0.0.42", "42"), info
    assert "UP" in link["flags"], link
    d.hub.wait_until(lambda: cache(d.hub).get(spoke_tunnel(1), {}).get("nbma") == SPOKE_NBMA[0],
                     60, msg="spoke1 registered from eth0's address")
    # eth0 gets another address: the tunnel follows, the hub sees it move
    new = "198.51.100.77"
    s1.run("ip addr flush dev eth0 && ip addr add %s/24 dev eth0 && "
           "ip route replace default via 198.51.100.254" % new)
    s1.wait_until(lambda: gre_details(s1)[0].get("local") == new, 30,
                  msg="gre1 follows eth0's new address")
    d.hub.wait_until(lambda: cache(d.hub).get(spoke_tunnel(1), {}).get("nbma") == new, 60,
                     msg="spoke1 re-registered from its new address")
