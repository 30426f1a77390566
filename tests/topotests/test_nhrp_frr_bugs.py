# SPDX-License-Identifier: GPL-2.0-or-later
"""FRR nhrpd's open kernel-side bugs (shared/notes/frr-8.4-facts.md §6), each
a test that our nhrpd must pass:
 #2287 NHRP mappings not installed in the kernel's neighbour table
 #9412 NHS lost after ~30 s: the kernel's RTM_GETNEIGH probes ignored
 #9452 neighbour entries installed with an unspecified lladdr
 #1164 a static `map` configured before the NBMA address is known, dropped"""
import time

import pytest

from lib.dmvpn import HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, lan_addr, spoke_tunnel
from lib.topology import OUR_NHRPD

pytestmark = pytest.mark.gre

HUB = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 120
 tunnel source eth0
exit
"""
SPOKE = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 120
 ip nhrp nhs %s nbma %s
 ip nhrp registration no-unique
 tunnel source eth0
exit
""" % (HUB_TUNNEL, HUB_NBMA)


def neighbours(node):
    """gre1's neighbour entries: {address: (lladdr or None, state)}"""
    out = {}
    for line in node.run("ip neigh show dev gre1").stdout.splitlines():
        f = line.split()
        if not f:
            continue
        ll = f[f.index("lladdr") + 1] if "lladdr" in f else None
        out[f[0]] = (ll, f[-1])
    return out


def dynamic(node):
    t = node.vtysh("show ip nhrp cache json", json=True).get("table", [])
    return {e["protocol"]: e["nbma"] for e in t if e["type"] == "dynamic"}


def test_neighbours_installed_and_kept_through_kernel_probes(topo):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
    # make the kernel re-validate entries every second or so: it then asks
    # nhrpd (RTM_GETNEIGH) again and again, which is what lost FRR its NHS
    for n in d.nodes:
        n.sysctl("net.ipv4.neigh.gre1.base_reachable_time_ms", 1000)
        n.sysctl("net.ipv4.neigh.gre1.delay_first_probe_time", 1)
        n.start_zebra()
    d.hub.start_nhrpd(HUB, ours=True)
    for s in d.spokes:
        s.start_nhrpd(SPOKE, ours=True)
    want = {spoke_tunnel(1): SPOKE_NBMA[0], spoke_tunnel(2): SPOKE_NBMA[1]}
    d.hub.wait_until(lambda: dynamic(d.hub) == want, 60, msg="both spokes registered")
    # #2287: the kernel has the bindings
    d.hub.wait_until(lambda: all(neighbours(d.hub).get(p, (None,))[0] == nbma
                                 for p, nbma in want.items()), 10,
                     msg="hub neighbour entries installed with the NBMA lladdr")
    # #9412: traffic keeps flowing through many probe cycles
    end = time.monotonic() + 20
    while time.monotonic() < end:
        assert d.spokes[0].ping(lan_addr(2), src=lan_addr(1), count=1, timeout=3), \
            "spoke1 LAN -> spoke2 LAN through the hub"
    nhs = d.spokes[0].vtysh("show ip nhrp nhs json", json=True)["table"][0]
    assert nhs["status"] == "up", nhs
    assert dynamic(d.hub) == want
    # #9452: no usable entry without a link-layer address, anywhere
    for n in d.nodes:
        for addr, (ll, state) in neighbours(n).items():
            if state in ("REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT", "NOARP"):
                assert ll is not None, (n.name, addr, state)


def test_static_map_before_nbma_known(topo):
    d = build_dmvpn(topo, spokes=1, lans=False, routes=False, tunnel_plen=24)
    s = d.spokes[0]
    s.run("ip link del gre1")
    s.start_zebra()
    # configured while there is no tunnel (and so no NBMA address) at all
    s.start_nhrpd("""interface gre1
 ip nhrp network-id 42
 ip nhrp map %s %s
 tunnel source eth0
exit
""" % (HUB_TUNNEL, HUB_NBMA), ours=True)
    s.run("ip link add gre1 type gre key 42 ttl 64 local %s && "
          "ip addr add %s/24 dev gre1 && ip link set gre1 up" % (SPOKE_NBMA[0], spoke_tunnel(1)))
    s.wait_until(lambda: neighbours(s).get(HUB_TUNNEL, (None,))[0] == HUB_NBMA, 20,
                 msg="the static map reached the kernel once the tunnel appeared")
    t = s.vtysh("show ip nhrp cache json", json=True)["table"]
    assert any(e["protocol"] == HUB_TUNNEL and e["type"] == "static" for e in t), t
    # and the tunnel works with it: the hub answers on its tunnel address
    d.hub.start_zebra()
    d.hub.start_nhrpd(HUB, ours=True)
    d.hub.run("ip neigh replace %s lladdr %s dev gre1 nud permanent" % (spoke_tunnel(1), SPOKE_NBMA[0]))
    assert s.ping(HUB_TUNNEL, count=2, timeout=3)
