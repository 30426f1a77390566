# SPDX-License-Identifier: GPL-2.0-or-later
"""doc/dmvpn-guide.rst's configuration blocks, loaded without daemons: the
FRR blocks through our vtysh's dry run (and FRR 8.4's vtysh refusing the
hub's, which is why the guide sets VTYSH=), the nhrpd.conf block through
nhrpd's own parser, the shell blocks through `sh -n`, and the Cisco IOS
spoke checked against the Linux hub and spoke it must match.  The guide's
network runs for real in tests/topotests/test_doc_guide.py."""
import ipaddress
import os
import re
import subprocess
import sys

import pytest

from frrnode import nhrpd_dry_run
from docblocks import KNOWN, blocks, code_blocks, dmvpn_summary, second_spoke, shell_lines

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("top_builddir", TOP))
OUR_VTYSH = os.path.join(BUILD, "vtysh", "vtysh")
NHRPD = os.path.join(BUILD, "nhrpd", "nhrpd")
STOCK_VTYSH = "/usr/bin/vtysh"

B = blocks()


def dry_run(vtysh, text, tmp_path):
    f = tmp_path / "frr.conf"
    f.write_text(text)
    return subprocess.run([vtysh, "-C", "-f", str(f)], capture_output=True, text=True, timeout=60)


def test_every_block_is_named_and_known():
    names = [n for n, _l, _t in code_blocks()]
    assert None not in names, "a code-block in the guide has no :name:"
    assert set(names) == KNOWN, "blocks without a test (or tests without a block): %s" % (
        set(names) ^ KNOWN)


need_vtysh = pytest.mark.skipif(not os.access(OUR_VTYSH, os.X_OK), reason="vtysh/vtysh not built")


@need_vtysh
@pytest.mark.parametrize("name", ["hub-frr-conf", "spoke-nhrpd-conf", "spoke-ripd-conf"])
def test_frr_blocks_pass_our_vtysh(name, tmp_path):
    r = dry_run(OUR_VTYSH, B[name], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr


@need_vtysh
def test_dry_run_refuses_a_typo(tmp_path):
    """The check above can fail: one wrong keyword is refused."""
    r = dry_run(OUR_VTYSH, B["hub-frr-conf"].replace("network-id", "netwrk-id"), tmp_path)
    assert r.returncode != 0 and "netwrk-id" in r.stdout + r.stderr


@pytest.mark.skipif(not os.access(STOCK_VTYSH, os.X_OK), reason="no FRR vtysh")
def test_stock_vtysh_refuses_the_hub_as_the_guide_says(tmp_path):
    """Why the guide's daemons block sets VTYSH=/usr/bin/nhrpd-vtysh."""
    r = dry_run(STOCK_VTYSH, B["hub-frr-conf"], tmp_path)
    assert r.returncode != 0
    assert "ip nhrp authentication" in r.stdout + r.stderr


need_nhrpd = pytest.mark.skipif(not os.access(NHRPD, os.X_OK) or os.geteuid() != 0,
                                reason="needs the built nhrpd, as root")


@need_nhrpd
@pytest.mark.parametrize("name", ["spoke-nhrpd-conf", "ipsec-nhrpd-lines"])
def test_nhrpd_blocks_parse_in_nhrpd(name):
    """nhrpd's own reader (nhrpd -C logs refused lines; it exits 0 anyway)."""
    assert nhrpd_dry_run(B[name], NHRPD) == []


@need_nhrpd
def test_nhrpd_dry_run_reports_a_typo():
    """the negative control of the test above"""
    errs = nhrpd_dry_run(B["ipsec-nhrpd-lines"].replace("protection", "protectoin"), NHRPD)
    assert errs and "protectoin" in errs[0], errs


def swanctl_lines(text):
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]


def test_swanctl_block_is_what_the_ipsec_topotests_load():
    """the guide's file is what tests/topotests/lib/ipsec.py writes for the
    IKEv1 wildcard-key variant (the hub's address, the guide's key, reqid
    1, DPD every 10 s), i.e. what tests/topotests/test_ipsec_dmvpn.py
    loads into charon and runs DMVPN over"""
    sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))
    try:
        from lib import ipsec
    finally:
        sys.path.pop(0)
    key = re.search(r'secret = "([^"]+)"', B["hub-swanctl-conf"]).group(1)
    want = ipsec.swanctl_conf(ipsec.IKEV1_PSK, "192.0.2.1", psk=key, reqid=1, dpd_delay=10)
    assert swanctl_lines(B["hub-swanctl-conf"]) == swanctl_lines(want)


def test_cisco_crypto_matches_the_swanctl_block():
    """the IOS lines offer what charon is configured to accept: the same
    key for any address, AES-256/SHA-256/group 14 (modp2048) for IKEv1,
    esp-aes 256 + esp-sha256-hmac in transport mode, and the profile on
    Tunnel0"""
    ios, sw = B["cisco-spoke1-crypto"], B["hub-swanctl-conf"]
    key = re.search(r'secret = "([^"]+)"', sw).group(1)
    assert re.search(r"^crypto isakmp key %s address 0\.0\.0\.0$" % re.escape(key), ios, re.M)
    assert "version = 1" in sw
    policy = ios.split("crypto isakmp policy")[1].split("crypto isakmp key")[0]
    assert {"encryption aes 256", "hash sha256", "authentication pre-share", "group 14"} == \
        {ln.strip() for ln in policy.splitlines()[1:] if ln.strip()}
    assert "proposals = aes256-sha256-modp2048" in sw
    ts = re.search(r"^crypto ipsec transform-set (\S+) esp-aes 256 esp-sha256-hmac\n mode transport$",
                   ios, re.M)
    assert ts and "esp_proposals = aes256-sha256" in sw and "mode = transport" in sw
    prof = re.search(r"^crypto ipsec profile (\S+)\n set transform-set %s$" % ts.group(1), ios, re.M)
    assert prof and re.search(r"^interface Tunnel0\n tunnel protection ipsec profile %s$"
                              % prof.group(1), ios, re.M)
    # and the guide's IOS spoke is the one this adds to
    assert "interface Tunnel0" in B["cisco-spoke1"]


@pytest.mark.parametrize("name", ["hub-tunnel", "hub-netfilter", "spoke-tunnel", "hub-daemons"])
def test_shell_blocks_are_shell(name):
    r = subprocess.run(["sh", "-n"], input=B[name], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_daemons_block_names_the_installed_files():
    """/etc/frr/daemons lines point at what the packages install."""
    kv = dict(l.split("=", 1) for l in shell_lines(B["hub-daemons"]))
    assert kv["nhrpd"] == "yes" and kv["ripd"] == "yes"
    assert kv["nhrpd_wrap"] == "/usr/libexec/nhrpd/frr-wrap"
    assert kv["VTYSH"] == "/usr/bin/nhrpd-vtysh"
    rules = open(os.path.join(TOP, "debian", "rules")).read()
    spec = open(os.path.join(TOP, "redhat", "nhrpd.spec.in")).read()
    for text in (rules, spec):
        assert re.search(r"mv \S*/usr/bin/vtysh \S*/usr/bin/nhrpd-vtysh", text.replace(
            "%{_bindir}", "/usr/bin")), "a package no longer installs nhrpd-vtysh"
    wrap = open(os.path.join(TOP, "redhat", "frr-wrap.in")).read()
    assert "nhrpd_wrap=@pkglibexecdir@/frr-wrap" in wrap


# ---- the Cisco spoke against the Linux side ------------------------------


def ios_interface(text, name):
    m = re.search(r"^interface %s\n((?: .*\n)*)" % re.escape(name), text, re.M)
    assert m, "no interface %s" % name
    return [l.strip() for l in m.group(1).splitlines()]


def frr_interface(text, name):
    m = re.search(r"^interface %s\n((?: .*\n)*)exit" % re.escape(name), text, re.M)
    assert m, "no interface %s" % name
    return [l.strip() for l in m.group(1).splitlines()]


def value(lines, prefix, but=None):
    """The argument of the one line that starts with PREFIX (and not with
    PREFIX BUT)."""
    vals = [l[len(prefix):].strip() for l in lines if l.startswith(prefix + " ")]
    vals = [v for v in vals if not (but and v.startswith(but))]
    assert len(vals) == 1, "%r: %s" % (prefix, vals)
    return vals[0]


def test_cisco_spoke_matches_the_linux_spoke_and_hub():
    ios = B["cisco-spoke1"]
    tun = ios_interface(ios, "Tunnel0")
    hub = frr_interface(B["hub-frr-conf"], "gre1")
    spoke = frr_interface(B["spoke-nhrpd-conf"], "gre1")
    hub_tunnel = shell_lines(B["hub-tunnel"])
    spoke_tunnel = shell_lines(B["spoke-tunnel"])

    # same cloud: GRE key, network id, password, holding time
    key = re.search(r"\bkey (\d+)\b", hub_tunnel[0]).group(1)
    assert value(tun, "tunnel key") == key
    assert re.search(r"\bkey %s\b" % key, spoke_tunnel[0])
    for cmd in ("ip nhrp network-id", "ip nhrp authentication", "ip nhrp holdtime"):
        assert value(tun, cmd) == value(hub, cmd) == value(spoke, cmd), cmd
    assert len(value(tun, "ip nhrp authentication")) <= 8
    assert "tunnel mode gre multipoint" in tun
    # the hub as the Linux spoke registers with it
    nhs, nbma = re.match(r"(\S+) nbma (\S+)$", value(spoke, "ip nhrp nhs")).groups()
    assert value(tun, "ip nhrp nhs") == nhs
    assert value(tun, "ip nhrp map multicast") == nbma == value(spoke, "ip nhrp map multicast")
    assert value(tun, "ip nhrp map", but="multicast") == "%s %s" % (nhs, nbma)
    assert re.search(r"\blocal %s\b" % re.escape(nbma), hub_tunnel[0])
    for cmd in ("ip nhrp registration no-unique", "ip nhrp shortcut"):
        assert cmd in tun and cmd in spoke
    # the same addresses as the Linux spoke1, in the hub's tunnel subnet
    addr, mask = value(tun, "ip address").split()
    ios_if = ipaddress.ip_interface("%s/%s" % (addr, mask))
    linux_if = ipaddress.ip_interface(re.search(r"addr add (\S+)", spoke_tunnel[1]).group(1))
    hub_if = ipaddress.ip_interface(re.search(r"addr add (\S+)", hub_tunnel[1]).group(1))
    assert ios_if == linux_if and ios_if.network == hub_if.network
    assert ipaddress.ip_address(nhs) == hub_if.ip
    src = value(tun, "tunnel source")
    nbma_addr = value(ios_interface(ios, src), "ip address").split()[0]
    assert re.search(r"\blocal %s\b" % re.escape(nbma_addr), spoke_tunnel[0])
    # RIPv2, classful network covering the tunnel and the LAN, no summary
    rip = re.search(r"^router rip\n((?: .*\n)*)", ios, re.M).group(1).split("\n")
    rip = [l.strip() for l in rip if l.strip()]
    assert "version 2" in rip and "no auto-summary" in rip
    net = ipaddress.ip_network(value(rip, "network") + "/8")
    assert ios_if.ip in net
    lan = value(ios_interface(ios, "GigabitEthernet0/1"), "ip address").split()
    assert ipaddress.ip_address(lan[0]) in net
    # what the hub's ripd needs for spokes to hear each other
    assert "no ip rip split-horizon" in hub


def test_spoke2_rule_gives_other_addresses():
    s2 = second_spoke(B["spoke-tunnel"])
    assert "203.0.113.1" in s2 and "10.255.255.12/24" in s2
    assert "198.51.100.1" not in s2


def test_show_dmvpn_samples_have_the_shape_nhrpd_prints():
    """The header lines are the ones nhrp_show.c prints; the rows are
    compared with a live run in the VM test."""
    for name, kind, peers in (("hub-show-dmvpn", "Hub", 2), ("spoke-show-dmvpn", "Spoke", 2)):
        head, rows = dmvpn_summary(B[name])
        assert head[0] == "Legend: Attrb --> S - Static, D - Dynamic, N - NATed"
        assert head[1] == "Interface: gre1, IPv4 NHRP Details"
        assert head[2] == "Type:%s, NHRP Peers:%d," % (kind, peers)
        assert head[3] == "# Ent Peer NBMA Addr Peer Tunnel Add State UpDn Tm Attrb"
        assert len(rows) == peers
    src = open(os.path.join(TOP, "nhrpd", "nhrp_show.c")).read()
    for s in ("Legend: Attrb --> S - Static, D - Dynamic, N - NATed",
              "Interface: %s, %s NHRP Details", "\"IPv4\"", "Type:%s, NHRP Peers:%u,",
              "\"# Ent\"", "\"Peer NBMA Addr\"", "\"Peer Tunnel Add\""):
        assert s in src, "nhrp_show.c no longer prints %r: update the guide" % s
