# SPDX-License-Identifier: GPL-2.0-or-later
"""The vtysh built by vtysh/subdir.am (doc/vtysh.rst): its compiled-in command
table has nhrpd's full grammar, bound to VTYSH_NHRPD, and still every other
daemon's commands.  No daemon is started: `vtysh -C -f FILE` (dry run)
parses a configuration file with vtysh's own command table only.  The tests
with running daemons are in test_foundation.py."""
import os
import re
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("top_builddir", TOP))
SRC = os.path.abspath(os.environ.get("top_srcdir", TOP))
OUR_VTYSH = os.path.join(BUILD, "vtysh", "vtysh")
CMD_C = os.path.join(BUILD, "vtysh", "vtysh_cmd.c")
STOCK_VTYSH = "/usr/bin/vtysh"

pytestmark = pytest.mark.skipif(
    not (os.access(OUR_VTYSH, os.X_OK) and os.path.exists(CMD_C)),
    reason="vtysh/vtysh not built (configure found no FRR source tree?)")

# commands FRR 8.4's nhrpd (and so the stock vtysh) does not have
NHRPD_EXTRAS = [
    "interface gre1",
    " ip nhrp authentication secret",
    " no ip nhrp authentication",
    " tunnel protection ipsec profile dmvpn shared",
    " no tunnel protection ipsec profile dmvpn",
    "exit",
]
# FRR 8.4's nhrpd grammar: must keep working through this vtysh too
NHRPD_FRR84 = [
    "debug nhrp common",
    "nhrp nflog-group 1",
    "nhrp multicast-nflog-group 2",
    "interface gre1",
    " ip nhrp network-id 42",
    " ip nhrp holdtime 600",
    " ip nhrp nhs 10.255.255.1 nbma 192.0.2.1",
    " ip nhrp nhs dynamic nbma hub.example.net",
    " ip nhrp map 10.255.255.1 192.0.2.1",
    " ip nhrp map 10.255.255.2 local",
    " ip nhrp map multicast dynamic",
    " ip nhrp registration no-unique",
    " ip nhrp shortcut",
    " ip nhrp redirect",
    " ip nhrp mtu 1400",
    " ipv6 nhrp network-id 43",
    " tunnel source eth0",
    " tunnel protection vici profile dmvpn fallback-profile dmvpn2",
    "exit",
]
# other daemons' commands and lib's, which must all still be there
OTHERS = [
    "log syslog informational",
    "access-list 1 permit 10.0.0.0/8",
    "ip route 10.1.0.0/16 192.0.2.254",
    "interface eth0",
    " description uplink",
    " ip rip split-horizon",
    " ip ospf cost 10",
    " ipv6 ospf6 cost 10",
    "exit",
    "router rip",
    " network 10.0.0.0/8",
    "exit",
    "router bgp 65000",
    " neighbor 192.0.2.1 remote-as 65001",
    "exit",
    "router ospf",
    " network 10.0.0.0/8 area 0",
    "exit",
    "route-map RM permit 10",
    " match ip address 1",
    "exit",
]


def dry_run(vtysh, lines, tmp_path):
    conf = tmp_path / "frr.conf"
    conf.write_text("\n".join(lines) + "\n")
    return subprocess.run([vtysh, "-C", "-f", str(conf)], capture_output=True,
                          text=True, timeout=60)


def vtysh_scan_files():
    """$(nhrpd_vtysh_scan) from nhrpd/subdir.am"""
    text = open(os.path.join(SRC, "nhrpd", "subdir.am")).read().replace("\\\n", " ")
    m = re.search(r"^nhrpd_vtysh_scan\s*=(.*)$", text, re.M)
    assert m, "nhrpd/subdir.am defines no nhrpd_vtysh_scan"
    return [w for w in m.group(1).split("#")[0].split() if w.endswith(".c")]


def our_installs():
    """(node, cmd) of every command our scanned files install, minus the
    *_NOSH ones, which vtysh handles itself (as FRR's extract.pl does)"""
    out = set()
    for f in vtysh_scan_files():
        src = open(os.path.join(SRC, f)).read()
        nosh = set(re.findall(r"\bDEF(?:UN|PY)(?:_YANG)?_NOSH\s*\(\s*\w+\s*,\s*(\w+)", src))
        for node, cmd in re.findall(r"install_element\s*\(\s*(\w+)\s*,\s*&(\w+)\s*\)", src):
            if cmd not in nosh:
                out.add((node, cmd))
    return out


def defsh_groups(cmd_c):
    """C name -> daemon mask of each DEFSH in vtysh_cmd.c"""
    return dict((name, mask) for mask, name in re.findall(
        r"^DEFSH(?:_HIDDEN)?\s*\(([^,]+),\s*(\w+)_vtysh\s*,", cmd_c, re.M))


def test_table_has_every_nhrpd_command_bound_to_nhrpd():
    cmd_c = open(CMD_C).read()
    groups = defsh_groups(cmd_c)
    installs = set(re.findall(r"install_element \((\w+), &(\w+)_vtysh\);", cmd_c))
    wanted = our_installs()
    assert wanted, "no install_element() found in the nhrpd_vtysh_scan files"
    missing = sorted(wanted - installs)
    assert not missing, f"commands missing from vtysh's table: {missing}"
    for _node, cmd in wanted:
        assert "VTYSH_NHRPD" in groups[cmd].split("|"), (cmd, groups[cmd])
    # the post-8.4 command, by its string
    assert re.search(r'DEFSH \(VTYSH_NHRPD, \w+,\s*"ip nhrp authentication PASSWORD', cmd_c)


def test_table_keeps_other_daemons():
    cmd_c = open(CMD_C).read()
    masks = set()
    for mask in defsh_groups(cmd_c).values():
        masks.update(mask.split("|"))
    for daemon in ("ZEBRA", "RIPD", "RIPNGD", "OSPFD", "OSPF6D", "BGPD", "ISISD",
                   "FABRICD", "LDPD", "BABELD", "EIGRPD", "PIMD", "PIM6D", "PBRD",
                   "STATICD", "BFDD", "VRRPD", "PATHD", "ALL", "INTERFACE", "ACL"):
        assert "VTYSH_" + daemon in masks, daemon
    assert re.search(r'DEFSH \(VTYSH_RIPD, \w+,\s*"\[no\] ip rip split-horizon', cmd_c)


def test_dry_run_accepts_full_grammar(tmp_path):
    r = dry_run(OUR_VTYSH, NHRPD_EXTRAS + NHRPD_FRR84 + OTHERS, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


def test_dry_run_rejects_unknown(tmp_path):
    r = dry_run(OUR_VTYSH, ["interface gre1", " ip nhrp no-such-thing 1", "exit"], tmp_path)
    assert r.returncode != 0
    assert "Unknown command" in r.stdout + r.stderr


@pytest.mark.skipif(not os.path.exists(STOCK_VTYSH), reason="no stock vtysh")
def test_stock_vtysh_lacks_extras(tmp_path):
    """what this vtysh is for: the stock one rejects the post-8.4 command"""
    assert dry_run(STOCK_VTYSH, NHRPD_FRR84 + OTHERS, tmp_path).returncode == 0
    r = dry_run(STOCK_VTYSH, NHRPD_EXTRAS, tmp_path)
    assert r.returncode != 0 and "ip nhrp authentication" in r.stdout + r.stderr


@pytest.mark.skipif(not os.path.exists(STOCK_VTYSH), reason="no stock vtysh")
def test_links_like_the_stock_vtysh():
    def needed(path):
        out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
        return (sorted(re.findall(r"\(NEEDED\).*\[(.*)\]", out)),
                re.findall(r"\((?:RUNPATH|RPATH)\).*\[(.*)\]", out))
    assert needed(OUR_VTYSH) == needed(STOCK_VTYSH)
