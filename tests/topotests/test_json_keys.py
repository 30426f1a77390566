# SPDX-License-Identifier: GPL-2.0-or-later
"""Our `show ... json` carries FRR 8.4's keys: the same DMVPN state built
twice, once with FRR's nhrpd and once with ours (hub + 2 spokes, the FRR
reference configuration of lib/dmvpn.py: registrations, then a phase-3
shortcut from spoke1 to spoke2's LAN), and the key sets of each JSON show
command compared node by node.  Ours must have every key FRR's has, and
what it adds must be exactly the additions doc/nhrpd.rst documents
(listed here, so that a key lost or added unannounced fails).  On the
way, our spokes' `ip nhrp nhs dynamic nbma 192.0.2.1` is seen to work as
FRR's: they register and learn the hub's protocol address.

`show ip nhrp opennhrp [json]` (FRR's OpenNHRP-style view) is not compared:
our nhrpd does not have the command."""
import pytest

from lib import Topology
from lib.dmvpn import (HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, lan_addr, lan_net, spoke_tunnel,
                       start_frr_dmvpn)
from lib.topology import FRR_NHRPD, OUR_NHRPD

pytestmark = pytest.mark.gre

COMMANDS = ["show ip nhrp cache json", "show ip nhrp nhs json", "show ip nhrp shortcut json",
            "show dmvpn json"]
# what ours adds to FRR 8.4's keys (doc/nhrpd.rst, "JSON output")
OUR_ADDITIONS = {
    "show ip nhrp cache json": {"table[].prefixLength", "table[].holdtime", "table[].expiresIn",
                                "table[].unique", "table[].installed", "table[].created"},
    "show ip nhrp nhs json": {"table[].status", "table[].priority", "table[].cluster",
                              "table[].reachable", "table[].fromMap", "table[].requestId",
                              "table[].requestsSent", "table[].retransmissions",
                              "table[].repliesReceived", "table[].lastCode", "table[].upTime"},
    "show ip nhrp shortcut json": {"table[].interface", "table[].nbma", "table[].expiresIn"},
    "show dmvpn json": {"[].interface", "[].peerNbma", "[].peerClaimedNbma", "[].peerTunnel",
                        "[].entries", "[].tunnelAddresses", "[].state", "[].upDownTime",
                        "[].attributes", "[].type"},
}
# where the state has entries, for each implementation (else both sets
# could be equal because both are empty)
NONEMPTY = {
    "show ip nhrp cache json": ("hub", "spoke1", "spoke2"),
    "show ip nhrp nhs json": ("spoke1", "spoke2"),
    "show ip nhrp shortcut json": ("spoke1",),
    "show dmvpn json": ("hub", "spoke1", "spoke2"),
}


def key_paths(doc, prefix=""):
    """Every key of a JSON document as a path: "attr.entriesCount",
    "table[].type"; the elements of a list are merged."""
    out = set()
    if isinstance(doc, dict):
        for k, v in doc.items():
            p = prefix + "." + k if prefix else k
            out.add(p)
            out |= key_paths(v, p)
    elif isinstance(doc, list):
        for v in doc:
            out |= key_paths(v, prefix + "[]")
    return out


def state_keys(name, binary):
    """{(node, command): key paths} once spoke1 has its shortcut"""
    t = Topology("json_keys_" + name)
    try:
        d = build_dmvpn(t, spokes=2, tunnel_plen=32)
        start_frr_dmvpn(d, nhrpd=binary)
        hub, s1 = d.hub, d.spokes[0]
        want = {spoke_tunnel(1): SPOKE_NBMA[0], spoke_tunnel(2): SPOKE_NBMA[1]}
        hub.wait_until(lambda: {e["protocol"]: e["nbma"] for e in hub.show(
            "show ip nhrp cache json", json=True)["table"] if e["type"] == "dynamic"} == want,
            60, msg="%s: both spokes registered" % name)
        # `ip nhrp nhs dynamic nbma HUB`: the hub's protocol address is
        # learnt from its registration reply
        for s in d.spokes:
            s.wait_until(lambda: [e["protocol"] for e in s.show(
                "show ip nhrp nhs json", json=True)["table"]] == [HUB_TUNNEL], 30,
                msg="%s: the spoke learnt its dynamic NHS's address" % name)

        def shortcut():
            s1.ping(lan_addr(2), src=lan_addr(1), count=1, timeout=1)
            return "via %s" % spoke_tunnel(2) in s1.run("ip route show %s" % lan_net(2)).stdout
        s1.wait_until(shortcut, 60, msg="%s: spoke1's shortcut route to spoke2's LAN" % name)
        s1.wait_until(lambda: s1.show("show ip nhrp shortcut json", json=True)["table"], 10,
                      msg="%s: spoke1 lists the shortcut" % name)
        return {(n.name, cmd): key_paths(n.show(cmd, json=True))
                for n in d.nodes for cmd in COMMANDS}
    finally:
        t.close()


@pytest.fixture(scope="module")
def keys():
    return {"frr": state_keys("frr", FRR_NHRPD), "ours": state_keys("ours", OUR_NHRPD)}


@pytest.mark.parametrize("cmd", COMMANDS)
def test_json_keys_are_frrs_plus_documented(keys, cmd):
    for node in ("hub", "spoke1", "spoke2"):
        frr, ours = keys["frr"][(node, cmd)], keys["ours"][(node, cmd)]
        if node in NONEMPTY[cmd]:
            assert any("[]." in k for k in frr), (node, cmd, "FRR listed nothing", frr)
        assert frr <= ours, "%s, %s: FRR's keys missing from ours: %s" % (
            node, cmd, sorted(frr - ours))
        if any("[]." in k for k in frr):
            # the same entries: ours adds exactly what is documented
            assert ours - frr == OUR_ADDITIONS[cmd], "%s, %s: ours adds %s, documented %s" % (
                node, cmd, sorted(ours - frr), sorted(OUR_ADDITIONS[cmd]))
        else:
            assert ours - frr <= OUR_ADDITIONS[cmd], (node, cmd, sorted(ours - frr))
