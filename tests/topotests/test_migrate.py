# SPDX-License-Identifier: GPL-2.0-or-later
"""From OpenNHRP to nhrpd in a real DMVPN (issue 16): a hub and two spokes
run our nhrpd with exactly what tools/nhrpd-migrate made of the seed-like
OpenNHRP files (tests/migrate/seed-hub.conf, seed-spoke.conf; the same
spoke file on both spokes, as with OpenNHRP), and `show ip nhrp cache`
holds what those OpenNHRP configurations meant: registrations first, then
the phase 3 shortcut that the hub's `redirect` and the spokes' `shortcut`
ask for."""
import os
import subprocess

import pytest

from lib import module_topology
from lib.dmvpn import (HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, start_dmvpn,
                       lan_addr, spoke_tunnel)

pytestmark = pytest.mark.gre

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(TOP, "tools", "nhrpd-migrate")
DATA = os.path.join(TOP, "tests", "migrate")


def migrate(name, *opts):
    r = subprocess.run(["/usr/bin/python3", TOOL, *opts, os.path.join(DATA, name)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout, r.stderr


# What OpenNHRP showed with these files (`opennhrpctl cache show`: Type,
# Protocol-Address, NBMA-Address), per node, once the spokes registered:
#  - the hub: its own address (local) and each spoke that registered
#    (dynamic, at the NBMA address the registration came from);
#  - a spoke: its own address (local) and the hub, the static peer of
#    'map 10.255.0.1/24 192.0.2.1 register' (OpenNHRP prints 10.255.0.1/24:
#    the prefix says which destinations it resolves through the hub).
def intent_registered():
    return {
        "hub": {HUB_TUNNEL: ("local", HUB_NBMA),
                spoke_tunnel(1): ("dynamic", SPOKE_NBMA[0]),
                spoke_tunnel(2): ("dynamic", SPOKE_NBMA[1])},
        "spoke1": {spoke_tunnel(1): ("local", SPOKE_NBMA[0]),
                   HUB_TUNNEL: ("static", HUB_NBMA)},
        "spoke2": {spoke_tunnel(2): ("local", SPOKE_NBMA[1]),
                   HUB_TUNNEL: ("static", HUB_NBMA)},
    }


def cache(node):
    j = node.show("show ip nhrp cache json", json=True)
    return {e["protocol"]: (e["type"], e["nbma"]) for e in j.get("table", [])}


def shortcuts(node):
    j = node.show("show ip nhrp shortcut json", json=True)
    return {e["prefix"]: e["via"] for e in j.get("table", [])}


@pytest.fixture(scope="module")
def net():
    with module_topology("migrate") as topo:
        hub_conf, hub_err = migrate("seed-hub.conf", "--nflog-group", "1")
        spoke_conf, spoke_err = migrate("seed-spoke.conf")
        # the tool said what it could not convert: only the spoke's 'cisco'
        assert hub_err == ""
        assert spoke_err.count("warning: no equivalent") == 1 and ":6: warning: " \
            "no equivalent: cisco" in spoke_err
        d = build_dmvpn(topo, spokes=2, tunnel_plen=24, tx_csum_off=False)
        # as the hub's converted configuration says: redirect needs the NFLOG rule
        assert "nhrp nflog-group 1" in hub_conf.splitlines()
        start_dmvpn(d, hub_conf, spoke_conf, nflog=True)
        d.configs = {"hub": hub_conf, "spoke": spoke_conf}
        yield d


def test_cache_after_registration_is_the_intent(net):
    want = intent_registered()
    nodes = {"hub": net.hub, "spoke1": net.spokes[0], "spoke2": net.spokes[1]}
    for name, node in nodes.items():
        node.wait_until(lambda: cache(node) == want[name], 60,
                        msg="%s: show ip nhrp cache as OpenNHRP's configuration meant" % name)
    # and the text an operator reads says the same
    text = net.spokes[0].vtysh("show ip nhrp cache")
    row = [l.split() for l in text.splitlines() if HUB_TUNNEL in l.split()]
    assert row and row[0][:4] == ["gre1", "static", HUB_TUNNEL, HUB_NBMA], text


def test_shortcut_as_redirect_and_shortcut_meant(net):
    s1, s2 = net.spokes
    before = intent_registered()
    # spoke1's LAN to spoke2's: through the hub, which redirects (Traffic
    # Indication); spoke1 resolves and goes straight to spoke2
    s1.popen(["ping", "-c", "40", "-i", "0.2", "-I", lan_addr(1), lan_addr(2)])
    s1.wait_until(lambda: shortcuts(s1).get("10.2.0.0/24") == spoke_tunnel(2), 30,
                  msg="spoke1: shortcut to spoke2's LAN")
    c1 = s1.wait_until(lambda: cache(s1).get(spoke_tunnel(2)) == ("cached", SPOKE_NBMA[1])
                       and cache(s1), 15, msg="spoke1: spoke2 learnt from the resolution")
    # what the registrations made is still there, unchanged
    for p, e in before["spoke1"].items():
        assert c1[p] == e
    assert {p: e for p, e in cache(net.hub).items()} == before["hub"]
    c2 = cache(s2)
    for p, e in before["spoke2"].items():
        assert c2[p] == e
