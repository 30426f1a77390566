# SPDX-License-Identifier: GPL-2.0-or-later
"""IPv6 over an IPv4 NBMA cloud, as IOS runs it (`ipv6 nhrp`), with our
nhrpd on the hub and both spokes and FRR's ripngd across the cloud.

    node    NBMA (eth0)      gre1 (IPv6)            link-local       LAN (lan0)
    hub     192.0.2.1        2001:db8:ffff::1/64    fe80::1 (set)    2001:db8:10::1/64
    spoke1  198.51.100.1     2001:db8:ffff::11/64   derived          2001:db8:11::1/64
    spoke2  203.0.113.1      2001:db8:ffff::12/64   derived          2001:db8:12::1/64
                                                          spoke2 lan1 2001:db8:22::1/64

The hub sets its link-local address as IOS does (`ipv6 address FE80::1
link-local`: here `addrgenmode none` and fe80::1); the spokes keep the one
the kernel derives for a GRE device from its local address.  No IPv4
address and no `ip nhrp` anywhere on gre1.

What is checked:
- Registration as IOS does it: each spoke registers its address and its
  link-local one (one request: the source is the address, the CIE the
  link-local); the hub binds both to the spoke's NBMA address (cache and
  kernel neighbour table) and answers with its own link-local address,
  which the spokes bind to the hub.
- RIPng: its next hops are link-local addresses.  Each spoke reaches the
  hub's LAN via fe80::1, the other spoke's LAN via that spoke's link-local
  address (the hub, without split horizon, keeps the next hop: RFC 2080
  2.1.1), which the spoke resolves through NHRP (the kernel asks: phase 2
  over IPv6).  RIPng's multicast to ff02::9 leaves gre1 through NFLOG and
  nhrpd's unicast copies (ethertype IPv6), with whole UDP checksums
  although gre1 keeps tx checksum offload on.
- An IPv6 shortcut (phase 3): spoke2's lan1 is not in RIPng; the hub has a
  kernel route to it via spoke2's tunnel address and redistributes it, so
  the spokes learn it via the hub (a global next hop is not passed on).
  The first packets from spoke1 cross the hub, whose own NFLOG rule makes
  nhrpd send a Traffic Indication; spoke1 resolves the destination,
  spoke2 answers for its /64, and spoke1's shortcut route (zebra, type
  NHRP, via spoke2's tunnel address) takes the traffic straight to
  spoke2's NBMA address.

No netfilter rule is written here: nhrpd installs its own (`table inet
nhrpd`: ff02::/16 leaving gre1 logged and dropped on every node, the hub's
forwarded IPv6 per /64 pair), as it does for IPv4; test_own_rules checks
the table itself.
"""
import re
import json
import time

import pytest

from lib import Topology
from lib.state import udp_counters, zebra_routes
from lib.util import send_bad_udp_checksum

pytestmark = pytest.mark.gre

HUB_NBMA = "192.0.2.1"
SPOKE_NBMA = ["198.51.100.1", "203.0.113.1"]
HUB6 = "2001:db8:ffff::1"
HUB_LL = "fe80::1"
SPOKE6 = ["2001:db8:ffff::11", "2001:db8:ffff::12"]
LAN = ["2001:db8:10::1", "2001:db8:11::1", "2001:db8:12::1"]     # hub, spoke1, spoke2
LAN_NET = ["2001:db8:10::/64", "2001:db8:11::/64", "2001:db8:12::/64"]
FAR = "2001:db8:22::1"          # spoke2's lan1, reached through the hub
FAR_NET = "2001:db8:22::/64"
HOLD = 60
UPDATE, TIMEOUT, GARBAGE = 5, 15, 10
CONVERGE = 2 * UPDATE + 4 + 10


def hub_conf():
    return "\n".join([
        "interface gre1",
        " ipv6 nhrp network-id 42",
        " ipv6 nhrp holdtime %d" % HOLD,
        " ipv6 nhrp map multicast dynamic",
        " ipv6 nhrp redirect",
        " tunnel source eth0",
        "exit", ""])


def spoke_conf():
    return "\n".join([
        "interface gre1",
        " ipv6 nhrp network-id 42",
        " ipv6 nhrp holdtime %d" % HOLD,
        " ipv6 nhrp nhs %s nbma %s" % (HUB6, HUB_NBMA),
        " ipv6 nhrp map multicast %s" % HUB_NBMA,
        " ipv6 nhrp registration no-unique",
        " ipv6 nhrp shortcut",
        " tunnel source eth0",
        "exit", ""])


def ripngd_conf(hub):
    lines = ["debug ripng events", "debug ripng packet", "debug ripng zebra"]
    if hub:
        lines += ["interface gre1", " no ipv6 ripng split-horizon", "exit"]
    lines += ["router ripng", " timers basic %d %d %d" % (UPDATE, TIMEOUT, GARBAGE),
              " network gre1", " network lan0"]
    if hub:
        lines.append(" redistribute kernel")
    lines += ["exit", ""]
    return "\n".join(lines)


def linklocal(node):
    """the link-local address of gre1 (the only one)"""
    j = json.loads(node.run("ip -6 -j addr show dev gre1 scope link").stdout)
    addrs = [a["local"] for i in j for a in i.get("addr_info", [])
             if a.get("family") == "inet6" and a.get("scope") == "link"]
    assert len(addrs) == 1, (node.name, addrs)
    return addrs[0]


def cache(node, types=None):
    """{protocol address: (type, nbma)} of `show ipv6 nhrp cache json`"""
    j = node.show("show ipv6 nhrp cache json", json=True)
    return {e["protocol"]: (e["type"], e["nbma"]) for e in j.get("table", [])
            if types is None or e["type"] in types}


def kernel_neigh(node):
    """{IPv6 neighbour on gre1: lladdr}"""
    j = json.loads(node.run("ip -6 -j neigh show dev gre1").stdout)
    return {n["dst"]: n.get("lladdr") for n in j}


def ripng_routes(node):
    return zebra_routes(node, "ripng", "ipv6")


def udp6_counters(node):
    return udp_counters(node, 6)


@pytest.fixture(scope="module")
def net():
    t = Topology("ipv6")
    try:
        hub = t.add_node("hub")
        spokes = [t.add_node("spoke%d" % i) for i in (1, 2)]
        nodes = [hub] + spokes
        t.attach_nbma(hub, HUB_NBMA + "/24")
        for s, nbma in zip(spokes, SPOKE_NBMA):
            t.attach_nbma(s, nbma + "/24")
        for n in nodes:
            # no duplicate address detection on the tunnel (addresses
            # usable at once; NHRP keeps addresses unique)
            n.sysctl("net.ipv6.conf.default.accept_dad", 0)
            n.sysctl("net.ipv6.conf.all.accept_dad", 0)
        t.flush()
        for i, n in enumerate(nodes):
            # gre1 keeps the kernel's tx checksum offload (on): nhrpd's
            # multicast copies must carry whole checksums anyway
            n.add_gre("gre1", key=42, dev="eth0", up=False)
            if n is hub:
                n.ip("link set gre1 addrgenmode none")
                n.ip("addr add %s/64 dev gre1 nodad" % HUB_LL)
            n.ip("addr add %s/64 dev gre1 nodad" % (HUB6 if n is hub else SPOKE6[i - 1]))
            n.ip("link set gre1 up")
            n.add_dummy("lan0")
            n.ip("addr add %s/64 dev lan0 nodad" % LAN[i])
        spokes[1].add_dummy("lan1")
        spokes[1].ip("addr add %s/64 dev lan1 nodad" % FAR)
        hub.ip("route add %s via %s dev gre1" % (FAR_NET, SPOKE6[1]))
        t.wait_ready([n.start_zebra(wait=False) for n in nodes])
        started = [hub.start_nhrpd(hub_conf(), ours=True, wait=False)]
        started += [s.start_nhrpd(spoke_conf(), ours=True, wait=False) for s in spokes]
        t.wait_ready(started)
        net = type("Net", (), {})()
        net.topo, net.hub, net.spokes, net.nodes = t, hub, spokes, nodes
        net.ll = {n.name: linklocal(n) for n in nodes}
        yield net
        t.check_daemons()
    finally:
        t.close()


def test_registration_as_ios(net):
    hub, (s1, s2) = net.hub, net.spokes
    assert net.ll[hub.name] == HUB_LL
    want = {}
    for s, nbma, addr in zip(net.spokes, SPOKE_NBMA, SPOKE6):
        want[addr] = ("dynamic", nbma)
        want[net.ll[s.name]] = ("dynamic", nbma)
    hub.wait_until(lambda: cache(hub, ("dynamic",)) == want, 60,
                   msg="each spoke's address and link-local address registered")
    # in the hub's kernel: neighbours with the IPv4 NBMA address as lladdr
    neigh = kernel_neigh(hub)
    for addr, (_, nbma) in want.items():
        assert neigh.get(addr) == nbma, (addr, neigh)
    # one peer per spoke, both addresses on it
    rows = hub.show("show dmvpn json", json=True)
    peers = {r["peerNbma"]: set(r["tunnelAddresses"]) for r in rows}
    for s, nbma, addr in zip(net.spokes, SPOKE_NBMA, SPOKE6):
        assert peers[nbma] == {addr, net.ll[s.name]}, peers
    text = hub.show("show dmvpn")
    assert "IPv6 NHRP Details" in text and "IPv4 NHRP Details" not in text, text
    for s in net.spokes:
        # the hub's link-local address came in its reply (second CIE)
        s.wait_until(lambda: cache(s, ("nhs",)) == {HUB6: ("nhs", HUB_NBMA),
                                                    HUB_LL: ("nhs", HUB_NBMA)},
                     30, msg="the hub's address and link-local address bound")
        s.wait_until(lambda: kernel_neigh(s).get(HUB_LL) == HUB_NBMA, 10,
                     msg="the hub's link-local address in the kernel")
        nhs = s.show("show ipv6 nhrp nhs json", json=True)["table"]
        assert [(n["protocol"], n["status"]) for n in nhs] == [(HUB6, "up")], nhs
        j = s.show("show ipv6 nhrp interface gre1 json", json=True)
        assert j[0]["protocol"] == SPOKE6[net.spokes.index(s)]
        assert j[0]["linkLocal"] == net.ll[s.name]
        assert j[0]["enabled"] is True and j[0]["networkIdIpv6"] == 42
        # ours, as local entries
        assert cache(s, ("local",)) == {SPOKE6[net.spokes.index(s)]: ("local", SPOKE_NBMA[net.spokes.index(s)]),
                                        net.ll[s.name]: ("local", SPOKE_NBMA[net.spokes.index(s)])}
    # nothing of IPv4
    assert hub.show("show ip nhrp cache json", json=True)["table"] == []


def nft_table(node):
    r = node.run("nft -t list table inet nhrpd", check=False)
    return r.stdout if r.returncode == 0 else ""


def test_own_rules(net):
    """nhrpd's own table, IPv6 rules only (no `ip nhrp` here): the hub
    logs forwarded IPv6 per /64 pair and every node logs and drops ff02::/16
    leaving gre1; no operator rule anywhere"""
    for n in net.nodes:
        t = n.wait_until(lambda: "ff02::/16" in nft_table(n) and nft_table(n), 10,
                         msg="%s: table inet nhrpd with the IPv6 multicast rule" % n.name)
        assert re.search(r'oifname "gre1" ip6 daddr ff02::/16 log group \d+ .*drop', t), t
        assert "224.0.0.0" not in t and "@redirect " not in t, t
    hub = nft_table(net.hub)
    assert re.search(r'iifname "gre1" oifname "gre1" update @redirect6 \{ ip6 saddr & '
                     r'ffff:ffff:ffff:ffff:: \. ip6 daddr & ffff:ffff:ffff:ffff:: limit rate '
                     r'4/minute burst 1 packets \} log group \d+ snaplen 128', hub), hub
    assert "chain forward" not in nft_table(net.spokes[0])


def test_ipv6_map_multicast_takes_ipv4_nbma(net):
    s1 = net.spokes[0]
    conf = s1.show("show running-config", daemon="nhrpd")
    assert " ipv6 nhrp map multicast %s\n" % HUB_NBMA in conf, conf
    out = s1.vty("nhrpd", ["configure terminal", "interface gre1",
                           "ipv6 nhrp map multicast 2001:db8::99"])
    assert "NBMA addresses are IPv4" in out[-1][1], out
    assert "2001:db8::99" not in s1.show("show running-config", daemon="nhrpd")


@pytest.fixture(scope="module")
def ripng(net):
    for n in net.nodes:
        # nhrpd made the multipoint device multicast-capable (`map
        # multicast`): ripngd joins ff02::9 there
        flags = json.loads(n.run("ip -j link show dev gre1").stdout)[0]["flags"]
        assert "MULTICAST" in flags and "NOARP" not in flags, (n.name, flags)
    before = {n.name: udp6_counters(n) for n in net.nodes}
    started = [net.hub.start_daemon("ripngd", ripngd_conf(True), wait=False)]
    started += [s.start_daemon("ripngd", ripngd_conf(False), wait=False) for s in net.spokes]
    net.topo.wait_ready(started)
    net.t_ripng = time.monotonic()
    net.udp_before = before
    return net


def converged(net):
    s1, s2 = net.spokes
    ll1, ll2 = net.ll[s1.name], net.ll[s2.name]
    want = {
        net.hub.name: {LAN_NET[1]: {ll1}, LAN_NET[2]: {ll2}},
        s1.name: {LAN_NET[0]: {HUB_LL}, LAN_NET[2]: {ll2}, FAR_NET: {HUB_LL}},
        s2.name: {LAN_NET[0]: {HUB_LL}, LAN_NET[1]: {ll1}, FAR_NET: {HUB_LL}},
    }
    for n in net.nodes:
        r = ripng_routes(n)
        if any(r.get(p) != nh for p, nh in want[n.name].items()):
            return False
    return True


def test_ripng_link_local_next_hops(ripng):
    net = ripng
    net.hub.wait_until(lambda: converged(net), CONVERGE,
                       msg="RIPng: the hub's LAN via fe80::1, the other spoke's via "
                       "its link-local address, the far LAN via the hub")
    print("RIPng converged %.1f s after every ripngd ran" % (time.monotonic() - net.t_ripng))
    for s in net.spokes:
        out = s.run("ip -6 route show %s" % LAN_NET[0]).stdout
        assert "via %s dev gre1" % HUB_LL in out, out


def test_hub_lan_over_link_local(ripng):
    net = ripng
    for i, s in enumerate(net.spokes):
        assert s.ping(LAN[0], src=LAN[i + 1], count=2, timeout=3), "%s LAN -> hub LAN" % s.name
    assert net.hub.ping(LAN[2], src=LAN[0], count=2, timeout=3), "hub LAN -> spoke2 LAN"


def test_spoke_to_spoke_via_link_local_next_hop(ripng):
    """spoke1's route to spoke2's LAN is via spoke2's link-local address:
    the kernel asks nhrpd for it, a Resolution Request (passed on by the
    hub to spoke2, which answers for its own link-local address) binds it,
    and the packets go straight to spoke2's NBMA address"""
    net = ripng
    s1, s2 = net.spokes
    ll2 = net.ll[s2.name]
    with s1.capture("eth0", "ip proto 47 and dst host %s" % SPOKE_NBMA[1], name="ll-direct") as cap:
        s1.wait_until(lambda: s1.ping(LAN[2], src=LAN[1], count=2, timeout=2), 20,
                      msg="spoke1 LAN -> spoke2 LAN")
        s1.wait_until(lambda: cap.count() >= 1, 5, msg="GRE straight to spoke2's NBMA")
    assert cache(s1).get(ll2) == ("cached", SPOKE_NBMA[1]), cache(s1)
    assert kernel_neigh(s1).get(ll2) == SPOKE_NBMA[1]
    assert s2.ping(LAN[1], src=LAN[2], count=2, timeout=3), "spoke2 LAN -> spoke1 LAN"


def test_ipv6_shortcut(ripng):
    net = ripng
    hub, (s1, s2) = net.hub, net.spokes
    assert "via %s " % HUB_LL in s1.run("ip -6 route get %s from %s" % (FAR, LAN[1])).stdout
    icmp = "icmp6 and host %s and host %s" % (LAN[1], FAR)
    with hub.capture("gre1", icmp, name="via-hub") as cap:
        assert s1.ping(FAR, src=LAN[1], count=1, timeout=3)
        hub.wait_until(lambda: cap.count() >= 1, 5, msg="the first packets cross the hub")

        def direct():
            before = cap.count()
            ok = s1.ping(FAR, src=LAN[1], count=2, timeout=2)
            return ok and cap.count() == before
        s1.wait_until(direct, 30, msg="spoke1 -> spoke2's far LAN no longer crosses the hub")
    sc = s1.show("show ipv6 nhrp shortcut json", json=True)["table"]
    assert [(e["prefix"], e["via"], e["nbma"]) for e in sc] == [(FAR_NET, SPOKE6[1], SPOKE_NBMA[1])], sc
    nhrp = s1.show("show ipv6 route nhrp json", json=True)
    assert FAR_NET in nhrp, nhrp
    assert "via %s dev gre1" % SPOKE6[1] in s1.run("ip -6 route show %s" % FAR_NET).stdout
    assert kernel_neigh(s1).get(SPOKE6[1]) == SPOKE_NBMA[1]
    with s1.capture("eth0", "ip proto 47 and dst host %s" % SPOKE_NBMA[1], name="sc-direct") as cap:
        assert s1.ping(FAR, src=LAN[1], count=2, timeout=3)
        s1.wait_until(lambda: cap.count() >= 2, 5, msg="GRE straight to spoke2's NBMA")


def test_multicast_copies_whole_checksums(ripng):
    net = ripng
    for n in net.nodes:
        out = n.run("ethtool -k gre1").stdout
        assert "tx-checksumming: on" in out, n.name
    for n in net.nodes:
        n.wait_until(lambda: udp6_counters(n)["Udp6InDatagrams"]
                     >= net.udp_before[n.name]["Udp6InDatagrams"] + 4,
                     4 * UPDATE, msg="RIPng updates arrive through nhrpd's copies")
    for n in net.nodes:
        c = udp6_counters(n)
        assert c.get("Udp6InCsumErrors", 0) == 0, (n.name, c)
        assert c.get("Udp6InErrors", 0) == 0, (n.name, c)
    # negative control: a datagram with a wrong checksum, hub to spoke1
    # over the same tunnel, is counted where the copies were checked
    s1 = net.spokes[0]
    send_bad_udp_checksum(net.hub.ns, HUB6, SPOKE6[0], 521)
    s1.wait_until(lambda: udp6_counters(s1).get("Udp6InCsumErrors", 0) == 1, 10,
                  msg="spoke1 counts the bad checksum")
    # the hub's copies: unicast GRE with ethertype IPv6, one per spoke
    with net.hub.capture("eth0", "ip proto 47 and src host %s" % HUB_NBMA, name="mcast") as cap:
        for nbma in SPOKE_NBMA:
            net.hub.wait_until(lambda: any("ff02::9" in ln for ln in cap.lines("dst host %s" % nbma)),
                               3 * UPDATE, msg="RIPng copies to %s" % nbma)


def test_clear_by_family(ripng):
    """`clear ip nhrp ...` leaves the IPv6 entries alone; `clear ipv6 nhrp
    shortcut` removes the IPv6 shortcut (and the binding behind it)"""
    net = ripng
    hub, s1 = net.hub, net.spokes[0]
    s1.wait_until(lambda: s1.show("show ipv6 nhrp shortcut json", json=True)["table"], 30,
                  msg="spoke1 still has its IPv6 shortcut")
    dyn = cache(hub, ("dynamic",))
    out = hub.vty("nhrpd", ["clear ip nhrp cache"])[-1][1]
    assert "No entries" in out, out
    assert cache(hub, ("dynamic",)) == dyn
    out = s1.vty("nhrpd", ["clear ip nhrp shortcut"])[-1][1]
    assert "No entries" in out, out
    assert s1.show("show ipv6 nhrp shortcut json", json=True)["table"]
    out = s1.vty("nhrpd", ["clear ipv6 nhrp shortcut"])[-1][1]
    assert "entries cleared" in out, out
    assert s1.show("show ipv6 nhrp shortcut json", json=True)["table"] == []
    s1.wait_until(lambda: FAR_NET not in s1.show("show ipv6 route nhrp json", json=True), 10,
                  msg="the shortcut route withdrawn from zebra")
    assert SPOKE6[1] not in cache(s1)
    # the registrations are untouched
    assert cache(s1, ("nhs",)) == {HUB6: ("nhs", HUB_NBMA), HUB_LL: ("nhs", HUB_NBMA)}
