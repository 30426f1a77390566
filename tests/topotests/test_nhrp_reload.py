# SPDX-License-Identifier: GPL-2.0-or-later
"""SIGHUP re-reads nhrpd's configuration file (issue 16, reload): with a
changed holding time and a new static map on the hub and on a spoke, every
registration stays (hub and spokes: the cache entries keep their created
time, the neighbour entries stay, LAN-to-LAN pings lose nothing) and both
changes apply; a file with an error changes nothing and the log names the
line.  The configuration semantics themselves (one transaction, integrated
frr.conf, frr-reload.py) are tests/test_reload.py on the host."""
import re
import subprocess

import pytest

from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, lan_addr, nhrpd_config,
                       spoke_tunnel)
from lib.state import cache

pytestmark = pytest.mark.gre


def hub_conf(hold=30, maps=()):
    return nhrpd_config(holdtime=hold, extra=["ip nhrp map %s %s" % m for m in maps])


def spoke_conf(hold=30, maps=()):
    return nhrpd_config(holdtime=hold, nhs=HUB_TUNNEL, no_unique=True,
                        extra=["ip nhrp map %s %s" % m for m in maps])


def created(node, types=("dynamic", "nhs", "static")):
    return {p: (e["type"], e["nbma"], e["created"]) for p, e in cache(node).items()
            if e["type"] in types}


def neighbours(node):
    out = {}
    for line in node.run("ip neigh show dev gre1").stdout.splitlines():
        f = line.split()
        if f and "lladdr" in f:
            out[f[0]] = f[f.index("lladdr") + 1]
    return out


def log(node):
    with open(node.daemon("nhrpd").log) as f:
        return f.read()


def hup(node, text, pattern, timeout=20):
    """write the new nhrpd.conf, SIGHUP, wait for pattern in the new log"""
    node.write_config("nhrpd", text)
    before = len(log(node))
    node.daemon("nhrpd").signal(1)
    node.wait_until(lambda: re.search(pattern, log(node)[before:]), timeout,
                    msg="%s: %r logged after SIGHUP" % (node.name, pattern))
    return log(node)[before:]


def running(node):
    return str(node.show("show running-config", daemon="nhrpd"))


def test_sighup_keeps_registrations(topo):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
    hub, s1, s2 = d.hub, d.spokes[0], d.spokes[1]
    topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    hub.start_nhrpd(hub_conf(), ours=True)
    for s in d.spokes:
        s.start_nhrpd(spoke_conf(), ours=True)
    want = {spoke_tunnel(i + 1): SPOKE_NBMA[i] for i in range(2)}
    hub.wait_until(lambda: {p: v[1] for p, v in created(hub, ("dynamic",)).items()} == want,
                   60, msg="both spokes registered")
    for s in d.spokes:
        s.wait_until(lambda: created(s, ("nhs",)).get(HUB_TUNNEL, ("", ""))[1] == HUB_NBMA,
                     30, msg="%s knows its NHS" % s.name)
    assert s1.ping(lan_addr(2), src=lan_addr(1), count=2, timeout=3)
    before = {n.name: created(n) for n in d.nodes}
    neigh_before = neighbours(hub)
    assert set(want) <= set(neigh_before)

    # LAN-to-LAN pings through the hub all along the reloads
    pinger = s1.popen(["ping", "-n", "-q", "-i", "0.2", "-c", "100", "-I", lan_addr(1),
                       lan_addr(2)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                      text=True)
    try:
        hub_map = ("10.255.0.99", "192.0.2.99")
        s1_map = ("10.255.0.98", "203.0.113.98")
        t = hup(hub, hub_conf(hold=90, maps=[hub_map]), r"changes applied in one transaction")
        assert "error" not in t.lower(), t
        t = hup(s1, spoke_conf(hold=45, maps=[s1_map]), r"changes applied in one transaction")
        assert "error" not in t.lower(), t
        hup(s2, spoke_conf(), r"re-read: no configuration changes")

        # both changes apply
        assert " ip nhrp holdtime 90" in running(hub)
        assert cache(hub)[hub_map[0]]["type"] == "static"
        assert cache(hub)[hub_map[0]]["nbma"] == hub_map[1]
        assert cache(s1)[s1_map[0]]["nbma"] == s1_map[1]
        # spoke1 registers with its new holding time at its next refresh
        hub.wait_until(lambda: cache(hub)[spoke_tunnel(1)]["holdtime"] == 45, 40,
                       msg="spoke1's registration carries holdtime 45")
        assert cache(hub)[spoke_tunnel(2)]["holdtime"] == 30
        # and every registration is the one from before
        for n in d.nodes:
            now = created(n)
            for p, v in before[n.name].items():
                assert now.get(p) == v, (n.name, p, v, now.get(p))
        assert all(neighbours(hub).get(p) == ll for p, ll in neigh_before.items())

        # a file with an error: nothing changes, the log names the line
        good = running(hub)
        snap = created(hub)
        bad = hub_conf(hold=60, maps=[hub_map, ("10.255.0.97", "192.0.2.97")]).replace(
            " ip nhrp map 10.255.0.97 192.0.2.97", " ip nhrp map 10.255.0.97 not-an-address")
        t = hup(hub, bad, r"nothing changed")
        assert re.search(r"nhrpd.conf line 5: \" ip nhrp map 10.255.0.97 not-an-address\"",
                         t), t
        assert running(hub) == good
        assert created(hub) == snap
        out, _ = pinger.communicate(timeout=120)
    finally:
        if pinger.poll() is None:
            pinger.kill()
            pinger.wait()
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    assert m and m.group(1) == m.group(2), out
    assert s2.ping(lan_addr(1), src=lan_addr(2), count=2, timeout=3)
