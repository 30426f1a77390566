# SPDX-License-Identifier: GPL-2.0-or-later
"""A spoke moves to another public address while another spoke holds a
shortcut to it (issue 14, item 2: purges from the hub, RFC 2332 5.2.5).

Phase 3, our nhrpd everywhere, spokes with `ip nhrp registration
no-unique`, holding time 600 s.  spoke1 has a shortcut to spoke2's LAN,
bound to spoke2's NBMA address A.  spoke2's address moves from A to B on
its underlay and spoke2 registers again from B.  The hub, which passed
spoke1's resolution on to spoke2, sends spoke1 a Purge Request for
spoke2's tunnel address: spoke1's binding to A, its shortcut route and its
kernel neighbour go at once (the holding time, 600 s, cannot explain it),
and spoke1's next traffic to spoke2's LAN resolves again and builds a
shortcut to B."""
import subprocess

import pytest

from lib.cisco import captured_nhrp, need_codec_tool
from lib.dmvpn import (HUB_NBMA, SPOKE_NBMA, build_dmvpn, lan_addr, lan_net, nhrpd_config,
                       spoke_tunnel, start_dmvpn)
from lib.state import cache, dynamic, kernel_route, shortcuts, traffic, ttl_of_reply

pytestmark = pytest.mark.gre

HOLD = 600
PURGE_REQ = 5
OLD = SPOKE_NBMA[1]            # spoke2's address A (203.0.113.1)
NEW = "203.0.113.77"           # B, on the same NBMA segment
S2 = spoke_tunnel(2)
S2_LAN = lan_net(2)

HUB = nhrpd_config(nflog_group=1, holdtime=HOLD, redirect=True)
SPOKE = nhrpd_config(holdtime=HOLD, nhs="10.255.0.1", no_unique=True, shortcut=True)


def from_hub():
    """BPF: NHRP in GRE from the hub (GRE protocol type after the 20-byte
    IPv4 header)"""
    return "ip proto 47 and src host %s and ip[22:2] = 0x2001" % HUB_NBMA


def neigh(node, addr):
    out = node.run("ip neigh show dev gre1 to %s" % addr).stdout.split()
    return out[out.index("lladdr") + 1] if "lladdr" in out else None


def shortcut_to(s1, nbma, timeout):
    """LAN traffic spoke1 -> spoke2 until spoke1 has a shortcut to
    spoke2's LAN via spoke2's tunnel address, bound to nbma, in zebra and
    the kernel; then the traffic stops"""
    ping = s1.popen(["ping", "-q", "-c", str(timeout * 5), "-i", "0.2", "-I", lan_addr(1),
                     lan_addr(2)], stdout=subprocess.DEVNULL)
    try:
        s1.wait_until(lambda: shortcuts(s1).get(S2_LAN, {}).get("via") == S2
                      and cache(s1).get(S2, {}).get("nbma") == nbma, timeout,
                      msg="spoke1: shortcut to %s via %s at %s" % (S2_LAN, S2, nbma))
        s1.wait_until(lambda: "via %s" % S2 in kernel_route(s1, S2_LAN), 10,
                      msg="spoke1: the shortcut's kernel route")
        s1.wait_until(lambda: neigh(s1, S2) == nbma, 10,
                      msg="spoke1: kernel neighbour %s -> %s" % (S2, nbma))
    finally:
        ping.kill()
        ping.wait()


def move(spoke, old, new):
    """the spoke's public address changes from old to new (same segment,
    same router): the address on eth0 and the tunnel's local address"""
    spoke.run("ip link set gre1 type gre local %s" % new)
    spoke.run("ip addr del %s/24 dev eth0; ip addr add %s/24 dev eth0" % (old, new))
    spoke.run("ip route replace default via 203.0.113.254")


def test_moved_spoke_purged_and_shortcut_rebuilt(topo):
    need_codec_tool()
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24, tx_csum_off=False)
    start_dmvpn(d, HUB, SPOKE, nflog=True, registered=True)
    s1, s2 = d.spokes
    shortcut_to(s1, OLD, 30)
    assert ttl_of_reply(s1, lan_addr(2), lan_addr(1)) == 64, "direct to spoke2"
    # fresh: nowhere near its expiry
    assert shortcuts(s1)[S2_LAN]["expiresIn"] > HOLD - 60
    purged = traffic(s1)["received"]["purgeRequest"]

    with s1.capture("eth0", from_hub(), name="eth0-from-hub") as cap:
        move(s2, OLD, NEW)
        d.hub.wait_until(lambda: dynamic(d.hub).get(S2) == NEW, 30,
                         msg="hub: spoke2 registered again from %s" % NEW)
        # not its holding time (600 s): the hub's purge
        s1.wait_until(lambda: S2_LAN not in shortcuts(s1), 20,
                      msg="spoke1: shortcut to spoke2 at the old address purged")
        purges = s1.wait_until(lambda: captured_nhrp(cap.pcap, PURGE_REQ), 10,
                               msg="the hub's Purge Request to spoke1")
    assert [(p["ip_dst"], [c["proto"] for c in p["cie"]]) for p in purges] == \
        [(SPOKE_NBMA[0], [S2])], purges
    assert purges[0]["flags"] & 0x8000, "no reply wanted (N bit)"
    assert traffic(s1)["received"]["purgeRequest"] == purged + 1
    assert cache(s1).get(S2, {}).get("nbma") != OLD, "spoke1's binding to A is gone"
    s1.wait_until(lambda: "nhrp" not in kernel_route(s1, S2_LAN), 5,
                  msg="spoke1: shortcut route withdrawn")
    assert neigh(s1, S2) != OLD, "spoke1's kernel neighbour to A is gone"

    # through the hub meanwhile, then a new shortcut to B (the hub's
    # redirect rule allows one Traffic Indication per pair each 15 s)
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=2, timeout=3), "through the hub"
    shortcut_to(s1, NEW, 60)
    assert ttl_of_reply(s1, lan_addr(2), lan_addr(1)) == 64, "direct to spoke2 at B"
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=3, timeout=3)
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=3, timeout=3)
