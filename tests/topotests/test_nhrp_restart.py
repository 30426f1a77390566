# SPDX-License-Identifier: GPL-2.0-or-later
"""Restarting nhrpd costs no traffic (issue: run it for years).

nhrpd leaves its neighbour entries in the kernel when it stops (normally
or killed), marked protocol nhrp, and the next nhrpd adopts them when NHRP
comes on: on a hub as registrations, on a spoke as learnt bindings, each
for the interface's holding time unless the protocol renews it.  Its
shortcut routes stay in zebra (and the kernel) through zebra's client
graceful restart.  Each scenario pings LAN to LAN every 0.2 s across the
restart and counts every lost reply.

Hub and two spokes, our nhrpd everywhere, holding time 30 s (spokes
refresh every 10 s): long enough that nothing is rescued by a refresh
during a restart, short enough to see adopted entries that nobody renews
go."""
import re
import signal
import threading
import time

import pytest

from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, lan_addr, lan_net,
                       nhrpd_config, spoke_tunnel, start_dmvpn, wait_registered)
from lib.state import cache, dynamic, nhs_table

pytestmark = pytest.mark.gre

HOLD = 30


def hub_conf(holdtime=HOLD):
    return nhrpd_config(holdtime=holdtime, redirect=True)


SPOKE = nhrpd_config(holdtime=HOLD, nhs=HUB_TUNNEL, no_unique=True, shortcut=True)


def neigh(node, addr):
    """the kernel's neighbour entry for addr on gre1: (lladdr, proto) or None"""
    out = node.run("ip neigh show dev gre1 to %s" % addr).stdout.split()
    if "lladdr" not in out:
        return None
    return out[out.index("lladdr") + 1], out[out.index("proto") + 1] if "proto" in out else None


class Pinger:
    """ping -i 0.2 from one LAN to another in the background, for `secs`"""

    def __init__(self, node, src, dst, secs):
        self.count = int(secs / 0.2)
        self.node, self.src, self.dst = node, src, dst
        self.result = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        r = self.node.run(["ping", "-n", "-i", "0.2", "-W", "2", "-c", str(self.count),
                           "-I", self.src, self.dst], check=False, timeout=self.count + 60)
        self.result = r.stdout

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.thread.join(self.count + 90)

    def lost(self):
        m = re.search(r"(\d+) packets transmitted, (\d+) received", self.result or "")
        assert m, "ping printed no statistics:\n%s" % self.result
        sent, got = int(m.group(1)), int(m.group(2))
        assert sent == self.count, self.result
        return sent - got


def start(topo):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
    start_dmvpn(d, hub_conf(), SPOKE, registered=True)
    return d


def kill(node):
    nhrpd = node.daemon("nhrpd")
    nhrpd.stopping = True      # on purpose, not a crash
    nhrpd.signal(signal.SIGKILL)
    node.wait_until(lambda: not nhrpd.running(), 10, msg="nhrpd killed")


def restart(d, node, how, config=None):
    """node's nhrpd killed (how='kill') or stopped (how='stop'), started
    again 2 s later"""
    if how == "kill":
        kill(node)
    else:
        assert node.daemon("nhrpd").stop() == 0, "nhrpd's exit status on SIGTERM"
    time.sleep(2)
    node.start_nhrpd(config or (hub_conf() if node is d.hub else SPOKE), ours=True)


def pings_across(d, node, how, src=1, dst=2):
    """LAN-to-LAN pings spoke{src} -> spoke{dst} every 0.2 s for 20 s, with
    node's nhrpd restarted 2 s in: the replies lost"""
    with Pinger(d.spokes[src - 1], lan_addr(src), lan_addr(dst), 20) as p:
        time.sleep(2)
        restart(d, node, how)
    return p.lost()


def test_restarts_lose_no_ping(topo):
    """through the hub (phase 1 routes: spokes reach 10.0.0.0/8 via the
    hub): the hub's nhrpd killed and restarted, then stopped and started,
    then a spoke's nhrpd restarted"""
    d = start(topo)
    # ours, as the next nhrpd will know them
    for i in range(2):
        assert neigh(d.hub, spoke_tunnel(i + 1)) == (SPOKE_NBMA[i], "nhrp")
    assert neigh(d.spokes[0], HUB_TUNNEL) == (HUB_NBMA, "nhrp")
    assert d.spokes[0].ping(lan_addr(2), src=lan_addr(1), count=2, timeout=3)
    lost = {}
    lost["hub killed"] = pings_across(d, d.hub, "kill")
    # the new hub knows both spokes at once, from the kernel
    assert set(dynamic(d.hub)) == {spoke_tunnel(1), spoke_tunnel(2)}
    lost["hub stopped"] = pings_across(d, d.hub, "stop")
    assert set(dynamic(d.hub)) == {spoke_tunnel(1), spoke_tunnel(2)}
    lost["spoke2 stopped"] = pings_across(d, d.spokes[1], "stop")
    wait_registered(d)
    assert lost == {k: 0 for k in lost}, "replies lost: %s" % lost


def test_stale_entries_go(topo):
    """what nobody registers again after a restart goes with the holding
    time of the (changed) configuration; the rest stays"""
    d = start(topo)
    s1, s2 = d.spokes
    kill(s2)                       # silently gone: no purge
    kill(d.hub)
    d.hub.start_nhrpd(hub_conf(holdtime=20), ours=True)
    # adopted once zebra has told the new nhrpd about gre1, which may be
    # just after its vty is up
    e = d.hub.wait_until(lambda: spoke_tunnel(2) in cache(d.hub) and cache(d.hub), 10,
                         msg="the new hub adopted spoke2's neighbour entry")
    assert e[spoke_tunnel(2)]["type"] == "dynamic" and e[spoke_tunnel(2)]["holdtime"] == 20, e
    # spoke1 refreshes (every 10 s); spoke2's adopted entry expires
    d.hub.wait_until(lambda: spoke_tunnel(2) not in cache(d.hub), 20 + 10,
                     msg="spoke2's adopted entry expired")
    assert neigh(d.hub, spoke_tunnel(2)) is None, "its kernel entry went with it"
    d.hub.wait_until(lambda: dynamic(d.hub) == {spoke_tunnel(1): SPOKE_NBMA[0]}, 60,
                     msg="the hub holds spoke1's registration only")
    assert neigh(d.hub, spoke_tunnel(1)) == (SPOKE_NBMA[0], "nhrp")
    assert s1.ping(lan_addr(0), src=lan_addr(1), count=2, timeout=3)


def shortcut_route(node, prefix):
    return node.run("ip -4 route show %s proto nhrp" % prefix).stdout.strip()


def wait_shortcut(d):
    """spoke1 sends to spoke2's LAN until it has a shortcut route there"""
    s1 = d.spokes[0]

    def shortcut():
        s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=2)
        return "via %s" % spoke_tunnel(2) in shortcut_route(s1, lan_net(2))
    s1.wait_until(shortcut, 30, msg="spoke1 has a shortcut route to spoke2's LAN")
    return s1


def test_shortcut_survives_spoke_restart(topo):
    """phase 3: spoke1's shortcut to spoke2's LAN (route proto nhrp via
    spoke2's tunnel address, binding to spoke2's NBMA address) stays while
    spoke1's nhrpd is killed and restarted: zebra keeps the route
    (graceful restart), the new nhrpd adopts the binding"""
    d = start(topo)
    s1 = wait_shortcut(d)
    assert neigh(s1, spoke_tunnel(2)) == (SPOKE_NBMA[1], "nhrp")
    lost = pings_across(d, s1, "kill")
    assert lost == 0, "replies lost across the restart of spoke1's nhrpd"
    assert "via %s" % spoke_tunnel(2) in shortcut_route(s1, lan_net(2))
    assert cache(s1)[spoke_tunnel(2)]["nbma"] == SPOKE_NBMA[1]


def test_zebra_restart_gets_the_routes_again(topo):
    """zebra restarted under a running nhrpd: nhrpd reconnects and sends
    its shortcut route again: the new zebra's RIB has it as an nhrp route"""
    d = start(topo)
    s1 = wait_shortcut(d)
    assert s1.daemon("zebra").stop() == 0
    s1.start_zebra()
    s1.wait_until(lambda: "via %s" % spoke_tunnel(2) in shortcut_route(s1, lan_net(2)), 30,
                  msg="nhrpd sent its shortcut route to the new zebra")
    r = s1.vtysh("show ip route %s json" % lan_net(2), json=True)[lan_net(2)]
    assert any(x["protocol"] == "nhrp" for x in r), r
    assert s1.running("nhrpd")
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=2, timeout=3)



REBOOT_HOLD = 600


def test_hub_reboot_timeout_spokes_register_again(topo):
    """the hub reboots: its nhrpd killed, its tunnel's neighbour entries
    and nhrp routes gone with it (nothing to adopt), nhrpd started again
    with an empty cache.  Holding time 600 s, so a spoke refreshes every
    200 s: spoke1 and spoke2 have `ip nhrp registration timeout 5` (refresh
    and retransmit at most 5 s apart) and are registered again within
    seconds; spoke3 has not, and is not back until its refresh.  LAN to
    LAN through the hub works again once spoke1 and spoke2 are."""
    d = build_dmvpn(topo, spokes=3, tunnel_plen=24)
    hub = d.hub
    with_timeout = nhrpd_config(holdtime=REBOOT_HOLD, nhs=HUB_TUNNEL, no_unique=True,
                                extra=["ip nhrp registration timeout 5"])
    without = nhrpd_config(holdtime=REBOOT_HOLD, nhs=HUB_TUNNEL, no_unique=True)
    d.topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    started = [hub.start_nhrpd(hub_conf(REBOOT_HOLD), ours=True, wait=False)]
    started += [s.start_nhrpd(with_timeout if i < 2 else without, ours=True, wait=False)
                for i, s in enumerate(d.spokes)]
    d.topo.wait_ready(started)
    wait_registered(d)
    s1, s2, s3 = d.spokes
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=2, timeout=3)

    # the reboot: no nhrpd, nothing of it left in the kernel
    kill(hub)
    hub.run("ip neigh flush dev gre1")
    hub.run("ip route flush proto nhrp")
    assert "lladdr" not in hub.run("ip neigh show dev gre1").stdout
    assert hub.run("ip route show proto nhrp").stdout.strip() == ""
    assert not s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=2), \
        "the hub has no binding for spoke2 any more"
    # down long enough that spoke1's and spoke2's refreshes go unanswered
    # and are retransmitted (at most 5 s apart)
    for s in (s1, s2):
        gone = nhs_table(s)[0]["retransmissions"]
        s.wait_until(lambda: nhs_table(s)[0]["retransmissions"] > gone, 20,
                     msg="%s retransmits its registration" % s.name)
    hub.start_nhrpd(hub_conf(REBOOT_HOLD), ours=True)
    up = time.monotonic()

    # generous, and far below the 200 s refresh of holding time 600
    hub.wait_until(lambda: all(dynamic(hub).get(spoke_tunnel(i + 1)) == SPOKE_NBMA[i]
                               for i in range(2)), 60,
                   msg="spoke1 and spoke2 (registration timeout 5) registered again")
    print("registered again %.1f s after the hub's nhrpd started" % (time.monotonic() - up))
    for i in range(2):
        hub.wait_until(lambda: neigh(hub, spoke_tunnel(i + 1)) == (SPOKE_NBMA[i], "nhrp"), 10,
                       msg="hub: neighbour entry of spoke%d again" % (i + 1))
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=3, timeout=3), "spoke1 LAN -> spoke2 LAN"
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=3, timeout=3), "spoke2 LAN -> spoke1 LAN"
    # what is seen without the timeout: spoke3 is not back before its
    # refresh, a third of the holding time after its last registration
    # (and the new nhrpd, gre1 up, adopted nothing: had the flush left
    # spoke3's neighbour entry, it would be here)
    assert spoke_tunnel(3) not in cache(hub), cache(hub)
