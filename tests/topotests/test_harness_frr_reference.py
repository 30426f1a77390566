# SPDX-License-Identifier: GPL-2.0-or-later
"""The harness's reference: a DMVPN scenario with FRR 8.4's own zebra +
nhrpd on a hub and two spokes, and none of ours.  It tests FRR and the
harness only (namespaces, mGRE, NFLOG, daemons, vtysh): when it fails, the
harness or the machine is broken, not our nhrpd; it is also the interop
baseline our nhrpd is measured against.

FRR's nhrpd quirks handled here: /32 tunnel addresses (it refuses others),
ip_forward_use_pmtu=0 (as FRR's own nhrp topotest), tx checksum offload off
on gre1, and only one spoke starting the shortcut (simultaneous resolutions
from both sides can lose a round and then wait for the hashlimit)."""
import pytest

from lib import Topology
from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, lan_addr, spoke_tunnel,
                       start_frr_dmvpn)

pytestmark = pytest.mark.gre


@pytest.fixture(scope="module")
def net():
    topo = Topology("frr_reference")
    try:
        d = build_dmvpn(topo, spokes=2, tunnel_plen=32)
        start_frr_dmvpn(d)
        yield d
        topo.check_daemons()
    finally:
        topo.close()


def cache(node):
    # polled: straight to nhrpd's vty socket (a vtysh process costs ~1 s in the VM)
    j = node.show("show ip nhrp cache json", json=True)
    return {e["protocol"]: e for e in j.get("table", [])}


def test_registrations(net):
    hub = net.hub

    def both_registered():
        c = cache(hub)
        got = {p: (e["type"], e["nbma"]) for p, e in c.items() if e["type"] == "dynamic"}
        return got if len(got) == 2 else None
    got = hub.wait_until(both_registered, 60, msg="hub has a dynamic entry for each spoke")
    assert got == {spoke_tunnel(1): ("dynamic", SPOKE_NBMA[0]),
                   spoke_tunnel(2): ("dynamic", SPOKE_NBMA[1])}
    # each spoke: its NHS is the hub, with the protocol address learnt (this
    # one through FRR's vtysh, as an operator would)
    docs = [s.vtysh("show ip nhrp nhs json", json=True) for s in net.spokes]
    for s, j in zip(net.spokes, docs):
        nhs = j["table"]
        assert len(nhs) == 1, (s.name, j)
        assert nhs[0]["nbma"] == HUB_NBMA and nhs[0]["protocol"] == HUB_TUNNEL, (s.name, j)
        c = cache(s)
        assert c[HUB_TUNNEL]["type"] == "nhs" and c[HUB_TUNNEL]["nbma"] == HUB_NBMA, (s.name, c)


def test_lan_to_lan_through_hub(net):
    s1, s2 = net.spokes
    # spoke LAN -> hub LAN and back
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2)
    assert s2.ping(lan_addr(0), src=lan_addr(2), count=2)
    # hub LAN -> spoke LANs
    assert net.hub.ping(lan_addr(1), src=lan_addr(0))
    assert net.hub.ping(lan_addr(2), src=lan_addr(0))


def test_spoke_to_spoke_shortcut(net):
    s1, s2 = net.spokes
    inet = net.inet
    # first packets go through the hub, which NFLOGs them and sends a
    # Traffic Indication; spoke1 resolves spoke2's LAN and installs a shortcut
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=3)

    def resolved():
        s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=1)
        c = cache(s1)
        e = c.get(spoke_tunnel(2))
        # FRR 8.4 lists an entry learnt from a Resolution Reply as "dynamic"
        return e if e and e["type"] in ("dynamic", "cached") and e["nbma"] == SPOKE_NBMA[1] \
            else None
    e = s1.wait_until(resolved, 60, msg="spoke1 resolved spoke2 (an entry with spoke2's NBMA)")
    assert e["nbma"] == SPOKE_NBMA[1]
    s1.wait_until(lambda: "10.255.0.12" in s1.run("ip route show 10.2.0.0/24").stdout, 20,
                  msg="spoke1 has a kernel route for spoke2's LAN via spoke2's tunnel address")
    # now the traffic goes straight between the spokes' NBMA addresses
    # GRE from spoke1's NBMA carrying IPv4 (GRE protocol 0x0800 right after the
    # 20-byte IP header), not NHRP (0x2001)
    gre_ip = "ip proto 47 and src host %s and ip[22:2] = 0x0800" % SPOKE_NBMA[0]
    with inet.capture("spoke2-eth0", gre_ip) as cap:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=3)
        inet.wait_until(lambda: cap.count() >= 3, 10,
                        msg="GRE from spoke1's NBMA arrives at spoke2 directly")
    with inet.capture("hub-eth0", gre_ip) as cap:
        assert s1.ping(lan_addr(2), src=lan_addr(1), count=2)
    assert cap.count() == 0, "spoke1 -> spoke2 still goes through the hub:\n" + "\n".join(cap.lines())
