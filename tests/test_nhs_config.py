# SPDX-License-Identifier: GPL-2.0-or-later
"""`ip nhrp nhs` as Cisco writes it (priority, cluster, no nbma,
max-connections per cluster) next to FRR 8.4's form, through nhrpd's
vty: round trips through write and restart, the replace semantics of a
repeated line, `show ip nhrp nhs [json]`, and bad input refused with a
message and no change.  Network namespaces only (no GRE): runs on any host
as root."""
import json
import os

import pytest

from frrnode import OUR_NHRPD, wait_until
from test_foundation import daemon_config, node, start_pair  # noqa: F401 (node: the fixture)

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not os.path.exists(OUR_NHRPD), reason="nhrpd not built"),
    pytest.mark.skipif(not os.path.exists("/usr/lib/frr/zebra"), reason="FRR not installed"),
]

CISCO = [
    "ip nhrp network-id 42",
    "ip nhrp map 10.255.255.1 192.0.2.1",
    "ip nhrp nhs 10.255.255.1 priority 1",
    "ip nhrp nhs 10.255.255.3 nbma 192.0.2.3 priority 2 cluster 1",
    "ip nhrp nhs 10.255.255.4 nbma hub4.example.net cluster 1",
    "ip nhrp nhs 10.255.255.5 nbma 192.0.2.5",
    "ip nhrp nhs dynamic nbma hubs.example.net priority 200",
    "ip nhrp nhs cluster 1 max-connections 1",
    "ip nhrp nhs cluster 0 max-connections 2",
    "ipv6 nhrp network-id 43",
    "ipv6 nhrp map 2001:db8::1 192.0.2.1",
    "ipv6 nhrp nhs 2001:db8::1 cluster 4",
    "ipv6 nhrp nhs cluster 4 max-connections 0",
]


def start(node):
    return start_pair(node)


def iface_config(node):
    return daemon_config(node).get("interface gre1", set())


def in_gre1(node, lines):
    """run lines under `interface gre1`: [(status, output)]"""
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1")
        got = [v.command(line) for line in lines]
        v.ok("end")
    return got


def test_cisco_grammar_round_trips(node):
    conf = start(node)
    for (st, out), line in zip(in_gre1(node, CISCO), CISCO):
        assert st == 0, (line, out)
    before = iface_config(node)
    assert set(CISCO) == before, before ^ set(CISCO)
    with node.vty() as v:
        v.ok("write file")
    text = open(conf).read()
    # the static map comes before the server that uses it
    assert text.index("ip nhrp map 10.255.255.1") < text.index("ip nhrp nhs 10.255.255.1")
    node.stop("nhrpd")
    node.start("nhrpd", binary=OUR_NHRPD, conf=conf)
    assert iface_config(node) == before


def test_grammar_frr_form_unchanged(node):
    start(node)
    lines = ["ip nhrp network-id 1", "ip nhrp nhs 10.255.255.1 nbma 192.0.2.1",
             "ip nhrp nhs dynamic nbma hub.example.net"]
    assert all(st == 0 for st, _ in in_gre1(node, lines))
    cfg = iface_config(node)
    # written exactly as FRR 8.4 writes it: no priority or cluster at 0
    assert {"ip nhrp nhs 10.255.255.1 nbma 192.0.2.1",
            "ip nhrp nhs dynamic nbma hub.example.net"} <= cfg
    assert not any("priority" in ln or "cluster" in ln for ln in cfg)
    # FRR's `no` form with nbma
    in_gre1(node, ["no ip nhrp nhs 10.255.255.1 nbma 192.0.2.1"])
    assert not any("10.255.255.1" in ln for ln in iface_config(node))


def test_grammar_line_replaces_server(node):
    """a repeated line says the whole server: what it leaves out is the
    default again, as on IOS"""
    start(node)
    in_gre1(node, ["ip nhrp network-id 1",
                   "ip nhrp nhs 10.255.255.3 nbma 192.0.2.3 priority 7 cluster 3"])
    assert "ip nhrp nhs 10.255.255.3 nbma 192.0.2.3 priority 7 cluster 3" in iface_config(node)
    in_gre1(node, ["ip nhrp nhs 10.255.255.3 nbma 192.0.2.3 priority 9"])
    cfg = [ln for ln in iface_config(node) if "nhs 10.255.255.3" in ln]
    assert cfg == ["ip nhrp nhs 10.255.255.3 nbma 192.0.2.3 priority 9"]
    in_gre1(node, ["ip nhrp nhs 10.255.255.3 nbma 192.0.2.3"])
    cfg = [ln for ln in iface_config(node) if "nhs 10.255.255.3" in ln]
    assert cfg == ["ip nhrp nhs 10.255.255.3 nbma 192.0.2.3"]


def test_grammar_no_nhs_without_nbma_removes_every_entry(node):
    start(node)
    in_gre1(node, ["ip nhrp network-id 1",
                   "ip nhrp nhs 10.255.255.3 nbma 192.0.2.3",
                   "ip nhrp nhs 10.255.255.3 nbma 192.0.2.33",
                   "ip nhrp nhs 10.255.255.4 nbma 192.0.2.4",
                   "ip nhrp map 10.255.255.1 192.0.2.1",
                   "ip nhrp nhs 10.255.255.1",
                   "ip nhrp nhs cluster 2 max-connections 1"])
    (st, out), = in_gre1(node, ["no ip nhrp nhs 10.255.255.3"])
    assert st == 0, out
    cfg = iface_config(node)
    assert not any("nhs 10.255.255.3" in ln for ln in cfg)
    assert "ip nhrp nhs 10.255.255.4 nbma 192.0.2.4" in cfg
    (st, out), = in_gre1(node, ["no ip nhrp nhs 10.255.255.1"])
    assert st == 0, out
    (st, out), = in_gre1(node, ["no ip nhrp nhs cluster 2"])
    assert st == 0, out
    cfg = iface_config(node)
    assert not any("nhs 10.255.255.1" in ln or "cluster" in ln for ln in cfg)
    # removing what is not there: a message
    (st, out), = in_gre1(node, ["no ip nhrp nhs 10.255.255.9"])
    assert st == 13 and out.startswith("%"), (st, out)


BAD = [
    # (line, status, words of the message)
    ("ip nhrp nhs 10.255.255.7", 13, "no NBMA address"),
    ("ip nhrp nhs dynamic", 13, "needs the server's NBMA address"),
    ("ip nhrp nhs dynamic priority 3", 13, "needs the server's NBMA address"),
    ("ip nhrp nhs 10.255.255.1 nbma 192.0.2.9", 13, "takes its NBMA address from"),
    ("ip nhrp nhs 10.255.255.3", 13, "configured with nbma 192.0.2.3"),
    ("no ip nhrp map 10.255.255.1", 13, "needs `ip nhrp map`"),
    ("ip nhrp nhs 10.255.255.1 priority 256", 2, "Unknown command"),
    ("ip nhrp nhs 10.255.255.1 cluster 11", 2, "Unknown command"),
    ("ip nhrp nhs cluster 11 max-connections 1", 2, "Unknown command"),
    ("ip nhrp nhs cluster 1 max-connections 256", 2, "Unknown command"),
    ("ip nhrp nhs cluster 1", 13, "max-connections"),
    ("ip nhrp nhs 10.255.255.1 cluster 1 priority 2", 2, "Unknown command"),
    ("ip nhrp nhs 2001:db8::1 nbma 192.0.2.1", 13, "family"),
    ("ipv6 nhrp nhs 2001:db8::9", 13, "no NBMA address"),
]


@pytest.mark.parametrize("line,status,words", BAD)
def test_bad_nhs_lines_refused(node, line, status, words):
    start(node)
    in_gre1(node, ["ip nhrp network-id 42", "ip nhrp map 10.255.255.1 192.0.2.1",
                   "ip nhrp nhs 10.255.255.1", "ip nhrp nhs 10.255.255.3 nbma 192.0.2.3",
                   "ipv6 nhrp network-id 43"])
    before = iface_config(node)
    (st, out), = in_gre1(node, [line])
    assert st == status, (st, out)
    assert out.strip().startswith("%") and words in out, out
    assert iface_config(node) == before


def test_show_nhs(node):
    """priority, cluster and state in `show ip nhrp nhs [json]`; with
    max-connections 1 the worse server of the cluster stands by"""
    start(node)
    in_gre1(node, ["ip nhrp network-id 1", "ip nhrp map 10.255.255.1 192.0.2.1",
                   "ip nhrp nhs 10.255.255.1 priority 1",
                   "ip nhrp nhs 10.255.255.3 nbma 192.0.2.3 priority 2",
                   "ip nhrp nhs 10.255.255.4 nbma 192.0.2.4 cluster 3",
                   "ip nhrp nhs cluster 0 max-connections 1"])
    with node.vty() as v:
        def three():
            j = json.loads(v.ok("show ip nhrp nhs json"))
            return j if len(j["table"]) == 3 else None
        j = wait_until(three)
        assert j, v.ok("show ip nhrp nhs json")
        text = v.ok("show ip nhrp nhs")
    rows = {e["protocol"]: e for e in j["table"]}
    assert set(rows) == {"10.255.255.1", "10.255.255.3", "10.255.255.4"}
    assert (rows["10.255.255.1"]["priority"], rows["10.255.255.1"]["cluster"]) == (1, 0)
    assert rows["10.255.255.1"]["nbma"] == "192.0.2.1" and rows["10.255.255.1"]["fromMap"]
    assert (rows["10.255.255.3"]["priority"], rows["10.255.255.3"]["cluster"]) == (2, 0)
    assert (rows["10.255.255.4"]["priority"], rows["10.255.255.4"]["cluster"]) == (0, 3)
    # no tunnel here: nothing answers, but the limit is already applied
    assert rows["10.255.255.3"]["status"] == "standby"
    assert rows["10.255.255.1"]["status"] != "standby"
    assert rows["10.255.255.4"]["status"] != "standby"
    assert all(e["reachable"] for e in j["table"])
    head = text.splitlines()[0].split()
    assert head[:8] == ["Iface", "FQDN", "NBMA", "Protocol", "Pri", "Cluster", "Status",
                        "Reachable"]
    row = [ln.split() for ln in text.splitlines() if "10.255.255.3" in ln][0]
    assert row[4:7] == ["2", "0", "standby"]
