# SPDX-License-Identifier: GPL-2.0-or-later
"""`tunnel protection`: FRR's `vici profile NAME [fallback-profile NAME]`
and Cisco's `ipsec profile NAME [shared]` mean the same; both are kept in
the YANG model and written back in FRR's form (doc/ipsec.rst).  These are
grammar tests only (so named): what the names mean (the swanctl
connections whose SAs protect the interface) is tested in
tests/unit/test_ipsec and tests/topotests/test_ipsec_dmvpn.py
(test_profile_names_the_connections).  Network namespaces only: runs on
any host as root."""
import os
import shutil
import uuid

import pytest

from frrnode import FrrNode, OUR_NHRPD, OUR_VTYSH
from vtyclient import running_config_lines

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not os.path.exists(OUR_NHRPD), reason="nhrpd not built"),
    pytest.mark.skipif(not os.path.exists("/usr/lib/frr/zebra"), reason="FRR not installed"),
]


@pytest.fixture
def node(tmp_path):
    os.chmod(tmp_path, 0o777)
    n = FrrNode("tp" + uuid.uuid4().hex[:8], str(tmp_path))
    n.ip("link add gre1 type veth peer name veth-wan")
    n.ip("link set gre1 up")
    conf = os.path.join(n.etcdir, "nhrpd.conf")
    with open(conf, "w") as f:
        f.write("interface gre1\n ip nhrp network-id 42\nexit\n")
    shutil.chown(conf, "frr", "frr")
    n.start("zebra")
    n.start("nhrpd", binary=OUR_NHRPD, conf=conf)
    yield n
    n.close()


def protection_lines(node):
    with node.vty() as v:
        cfg = running_config_lines(v.ok("show running-config"))
    return sorted(ln for ln in cfg.get("interface gre1", ()) if "protection" in ln)


def cmds(node, *lines):
    """Lines on nhrpd's own vty in interface gre1: [(status, output)]."""
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1")
        res = [v.cmd(ln) for ln in lines]
        v.ok("end")
    return [(st, out) for out, st in res]


def test_grammar_cisco_spelling_written_in_frr_form(node):
    assert cmds(node, "tunnel protection ipsec profile DMVPN-PROF")[0][0] == 0
    assert protection_lines(node) == ["tunnel protection vici profile DMVPN-PROF"]
    # `shared` (Cisco: tunnels sharing a source) is accepted, and has no effect
    assert cmds(node, "tunnel protection ipsec profile dmvpn shared")[0][0] == 0
    assert protection_lines(node) == ["tunnel protection vici profile dmvpn"]
    assert cmds(node, "no tunnel protection ipsec profile dmvpn shared")[0][0] == 0
    assert protection_lines(node) == []


def test_grammar_both_spellings_replace_each_other(node):
    cmds(node, "tunnel protection vici profile a fallback-profile b")
    assert protection_lines(node) == ["tunnel protection vici profile a fallback-profile b"]
    # the same meaning: a profile without fallback
    cmds(node, "tunnel protection ipsec profile c")
    assert protection_lines(node) == ["tunnel protection vici profile c"]
    cmds(node, "tunnel protection vici profile d fallback-profile e")
    cmds(node, "no tunnel protection ipsec profile")
    assert protection_lines(node) == []
    cmds(node, "tunnel protection ipsec profile f", "no tunnel protection")
    assert protection_lines(node) == []


@pytest.mark.parametrize("line", [
    "tunnel protection ipsec profile " + "p" * 64,
    "tunnel protection vici profile " + "p" * 64,
    "tunnel protection vici profile ok fallback-profile " + "f" * 64,
    "tunnel protection ipsec profile a b",
    "tunnel protection ipsec",
])
def test_bad_protection_refused_and_changes_nothing(node, line):
    cmds(node, "tunnel protection vici profile keep fallback-profile mine")
    before = protection_lines(node)
    st, out = cmds(node, line)[0]
    assert st != 0 and out.strip().startswith("%"), (st, out)
    assert protection_lines(node) == before


def test_grammar_longest_name_and_our_vtysh(node):
    name = "n" * 63
    assert cmds(node, "tunnel protection ipsec profile " + name)[0][0] == 0
    assert protection_lines(node) == ["tunnel protection vici profile " + name]
    if not os.access(OUR_VTYSH, os.X_OK):
        pytest.skip("vtysh/vtysh not built")
    r = node.vtysh(["configure terminal", "interface gre1",
                    "tunnel protection ipsec profile viaVtysh shared"], vtysh=OUR_VTYSH)
    assert r.returncode == 0, r.stdout + r.stderr
    assert protection_lines(node) == ["tunnel protection vici profile viaVtysh"]
    r = node.vtysh("show running-config", vtysh=OUR_VTYSH)
    assert " tunnel protection vici profile viaVtysh" in r.stdout
