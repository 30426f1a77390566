# SPDX-License-Identifier: GPL-2.0-or-later
"""nhrpd as an FRR daemon: stock zebra, stock vtysh, configuration through
the northbound, round trips, bad input, transactions, zebra restarts.
Network namespaces only (no GRE): runs on any host as root."""
import os
import re
import shutil
import signal
import subprocess
import uuid

import pytest

from frrnode import FrrNode, OUR_NHRPD, OUR_VTYSH, wait_until
from vtyclient import running_config_lines

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not os.path.exists(OUR_NHRPD), reason="nhrpd not built"),
    pytest.mark.skipif(not os.path.exists("/usr/lib/frr/zebra"), reason="FRR not installed"),
]

# the FRR 8.4 subset: every line the stock vtysh passes to nhrpd
FRR_SUBSET = [
    "ip nhrp network-id 42",
    "ip nhrp holdtime 600",
    "ip nhrp nhs 10.255.255.1 nbma 192.0.2.1",
    "ip nhrp nhs dynamic nbma hub.example.net",
    "ip nhrp map 10.255.255.1 192.0.2.1",
    "ip nhrp map 10.255.255.2 local",
    "ip nhrp map multicast 192.0.2.1",
    "ip nhrp map multicast dynamic",
    "ip nhrp registration no-unique",
    "ip nhrp shortcut",
    "ip nhrp redirect",
    "ip nhrp mtu 1400",
    "ipv6 nhrp network-id 43",
    "ipv6 nhrp holdtime 900",
    "ipv6 nhrp map multicast 192.0.2.1",
    "tunnel source veth-wan",
    "tunnel protection vici profile dmvpn fallback-profile dmvpn2",
]
GLOBAL = ["nhrp nflog-group 1", "nhrp multicast-nflog-group 2"]


@pytest.fixture
def node(tmp_path):
    os.chmod(tmp_path, 0o777)
    n = FrrNode("nf" + uuid.uuid4().hex[:8], str(tmp_path))
    n.ip("link add gre1 type veth peer name veth-wan")
    n.ip("addr add 10.255.255.2/24 dev gre1")
    n.ip("addr add 198.51.100.2/24 dev veth-wan")
    n.ip("link set gre1 up")
    n.ip("link set veth-wan up")
    yield n
    n.close()


def start_pair(node, conf_text=""):
    conf = os.path.join(node.etcdir, "nhrpd.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    shutil.chown(conf, "frr", "frr")
    node.start("zebra")
    node.start("nhrpd", binary=OUR_NHRPD, conf=conf)
    return conf


def daemon_config(node):
    with node.vty() as v:
        return running_config_lines(v.ok("show running-config"))


def configure(node, lines, glob=()):
    r = node.vtysh(["configure terminal", "interface gre1"] + list(lines) +
                   ["exit"] + list(glob))
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_help_lists_frr_options():
    out = subprocess.run([OUR_NHRPD, "--help"], capture_output=True, text=True).stdout
    for opt in ("--daemon", "--config_file", "--pathspace", "--vty_addr",
                "--vty_port", "--socket", "--user", "--group", "--dryrun"):
        assert opt in out


def test_stock_vtysh_reaches_nhrpd(node):
    start_pair(node)
    r = node.vtysh("show version")
    assert r.returncode == 0 and "FRRouting" in r.stdout
    configure(node, ["ip nhrp network-id 7"])
    r = node.vtysh("show running-config")
    assert " ip nhrp network-id 7" in r.stdout
    # the daemon's own socket, as vtysh -N finds it
    assert os.path.exists(os.path.join(node.rundir, "nhrpd.vty"))


def test_privileges_dropped(node):
    start_pair(node)
    status = open("/proc/%d/status" % node.pids["nhrpd"]).read()
    uid = int(re.search(r"^Uid:\s+\d+\s+(\d+)", status, re.M).group(1))
    import pwd
    assert uid == pwd.getpwnam("frr").pw_uid
    capeff = int(re.search(r"^CapEff:\s+([0-9a-f]+)", status, re.M).group(1), 16)
    capprm = int(re.search(r"^CapPrm:\s+([0-9a-f]+)", status, re.M).group(1), 16)
    # CAP_DAC_OVERRIDE (1: charon's VICI socket, raised around connect()
    # only), CAP_NET_ADMIN (12) and CAP_NET_RAW (13) only
    assert capprm == (1 << 1) | (1 << 12) | (1 << 13), hex(capprm)
    assert capeff & ~((1 << 12) | (1 << 13)) == 0
    assert not capeff & (1 << 1), hex(capeff)    # not raised at rest


def test_frr_subset_round_trips_through_write_and_restart(node):
    conf = start_pair(node)
    configure(node, FRR_SUBSET, GLOBAL + ["debug nhrp common", "debug nhrp kernel"])
    # nhrpd's own extra command, on its own vty (the stock vtysh cannot pass it)
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1", "ip nhrp authentication s3cret", "end")
    before = daemon_config(node)
    for line in FRR_SUBSET + ["ip nhrp authentication s3cret"]:
        assert line in before["interface gre1"], line
    assert {"nhrp nflog-group 1", "nhrp multicast-nflog-group 2",
            "debug nhrp common", "debug nhrp kernel"} <= before[""]
    # holdtime at its default is not written, as in FRR
    r = node.vtysh("write memory")
    assert r.returncode == 0, r.stdout + r.stderr
    saved = open(conf).read()
    assert "ip nhrp nhs dynamic nbma hub.example.net" in saved
    node.stop("nhrpd")
    node.start("nhrpd", binary=OUR_NHRPD, conf=conf)
    assert daemon_config(node) == before


def test_holdtime_default_not_written(node):
    start_pair(node)
    configure(node, ["ip nhrp network-id 1", "ip nhrp holdtime 7200"])
    assert "ip nhrp holdtime 7200" not in daemon_config(node)["interface gre1"]
    configure(node, ["ip nhrp holdtime 100", "no ip nhrp holdtime"])
    assert not any("holdtime" in l for l in daemon_config(node)["interface gre1"])


BAD = [
    ("ip nhrp network-id 0", 2),
    ("ip nhrp holdtime 70000", 2),
    ("ip nhrp authentication waytoolongpw", 13),
    ("ipv6 nhrp map 10.0.0.1 local", 13),
    ("ip nhrp map 2001:db8::1 192.0.2.1", 13),
    ("ip nhrp nhs 10.0.0.1 nbma -bad-name-", 13),
    ("ip nhrp nhs 10.0.0.1 nbma bad..name", 13),
    # a dotted quad that is no address is never a host name (RFC 1123 2.1)
    ("ip nhrp nhs 172.16.0.9 nbma 300.1.1.1", 13),
    ("ip nhrp nhs 172.16.0.9 nbma 10.1.1", 13),
    ("tunnel source gre1", 13),
    ("ip nhrp mtu 100", 2),
    ("ip nhrp bogus", 2),
    # NBMA addresses are IPv4, for IPv6 multicast too
    ("ipv6 nhrp map multicast 2001:db8::1", 13),
    ("ip nhrp map multicast 2001:db8::1", 13),
    # IOS's prefix form of an IPv6 binding: host addresses only, and whole
    ("ipv6 nhrp map 2001:db8::5/64 192.0.2.1", 13),
    ("ipv6 nhrp map 2001:db8::5/128", 13),
]


@pytest.mark.parametrize("line,status", BAD)
def test_bad_command_rejected_and_changes_nothing(node, line, status):
    start_pair(node)
    configure(node, ["ip nhrp network-id 42", "ip nhrp holdtime 600",
                     "ip nhrp map 10.255.255.1 192.0.2.1"])
    before = daemon_config(node)
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1")
        out, got = v.cmd(line)
        assert got == status, (got, out)
        assert out.strip().startswith("%"), out
        if "300.1.1.1" in line:
            assert "Invalid IPv4 address: 300.1.1.1" in out, out
        v.ok("end")
    assert daemon_config(node) == before


def test_grammar_ios_ipv6_map_prefix_form(node):
    """`ipv6 nhrp map 2001:DB8::1/128 192.0.2.1`, as IOS writes it, is
    the host binding, kept (and written) without the prefix length"""
    start_pair(node)
    configure(node, ["ipv6 nhrp network-id 42"])
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1",
             "ipv6 nhrp map 2001:DB8::1/128 192.0.2.1", "end")
    assert "ipv6 nhrp map 2001:db8::1 192.0.2.1" in daemon_config(node)["interface gre1"]
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1", "no ipv6 nhrp map 2001:db8::1/128", "end")
    assert not any("nhrp map" in ln for ln in daemon_config(node)["interface gre1"])


def test_stock_vtysh_reports_error(node):
    start_pair(node)
    r = node.vtysh(["configure terminal", "interface gre1",
                    "ip nhrp authentication toolongpassword"], vtysh=OUR_VTYSH) \
        if os.path.exists(OUR_VTYSH) else None
    if r is not None:
        assert "at most 8" in r.stdout + r.stderr
    r = node.vtysh(["configure terminal", "interface gre1", "ip nhrp holdtime 0"])
    assert r.returncode != 0


def test_transaction_applies_atomically(node):
    start_pair(node)
    configure(node, ["ip nhrp network-id 1"])
    with node.vty() as v, node.vty() as other:
        out = v.ok("configure exclusive")
        assert "commit" in out
        v.ok("interface gre1", "ip nhrp network-id 5", "ip nhrp holdtime 300",
             "ip nhrp map 10.255.255.7 192.0.2.7")
        # nothing is applied before commit ...
        cfg = running_config_lines(other.ok("show running-config"))
        assert "ip nhrp network-id 1" in cfg["interface gre1"]
        # ... and nobody else may change the configuration meanwhile
        other.ok("configure terminal", "interface gre1")
        out, st = other.cmd("ip nhrp holdtime 200")
        assert st != 0 and "locked" in out.lower(), out
        other.ok("end")
        v.ok("commit")
        cfg = running_config_lines(other.ok("show running-config"))["interface gre1"]
        assert {"ip nhrp network-id 5", "ip nhrp holdtime 300",
                "ip nhrp map 10.255.255.7 192.0.2.7"} <= cfg
        v.ok("end")


def test_rejected_transaction_changes_nothing(node):
    start_pair(node)
    configure(node, ["ip nhrp network-id 1"])
    before = daemon_config(node)
    with node.vty() as v:
        v.ok("configure exclusive", "interface gre1", "ip nhrp network-id 9",
             "ip nhrp holdtime 99", "tunnel source veth-wan")
        # refused only when the whole transaction is validated
        v.ok("tunnel source gre1")
        out, st = v.cmd("commit")
        assert st == 13 and "failed" in out.lower(), out
        v.ok("end")
    assert daemon_config(node) == before


def test_abort_drops_pending_changes(node):
    start_pair(node)
    configure(node, ["ip nhrp network-id 1"])
    before = daemon_config(node)
    with node.vty() as v:
        v.ok("configure exclusive", "interface gre1", "ip nhrp network-id 9", "abort")
    assert daemon_config(node) == before


def nhrpd_interfaces(node):
    import json
    with node.vty() as v:
        return {i["interface"]: i for i in json.loads(v.ok("show ip nhrp interface json"))}


def test_survives_zebra_restart_and_sees_interfaces_again(node):
    start_pair(node)
    configure(node, ["ip nhrp network-id 1"])
    assert wait_until(lambda: nhrpd_interfaces(node).get("gre1", {}).get("ifindex", 0) > 0)
    node.stop("zebra")
    # while zebra is away, an interface appears
    node.ip("link add gre2 type veth peer name veth-2")
    assert node.running("nhrpd")
    node.start("zebra")
    ifs = wait_until(lambda: (lambda i: i if "gre2" in i and
                              "10.255.255.2/24" in i.get("gre1", {}).get("addresses", [])
                              else None)(nhrpd_interfaces(node)), timeout=30)
    assert ifs, nhrpd_interfaces(node)
    assert ifs["gre1"]["networkId"] == 1
    assert node.running("nhrpd")


def test_sigterm_exits_cleanly(node):
    start_pair(node)
    pid = node.pids["nhrpd"]
    node.stop("nhrpd", sig=signal.SIGTERM)
    assert not os.path.exists("/proc/%d" % pid) or \
        open("/proc/%d/stat" % pid).read().split()[2] == "Z"
    assert "Terminating on signal" in open(node.log("nhrpd")).read()


INTEGRATED = """frr version 8.4.4
frr defaults traditional
log syslog informational
debug nhrp common
access-list 1 permit 10.0.0.0/8
nhrp nflog-group 1
!
interface gre1
 description DMVPN tunnel
 ip nhrp network-id 42
 ip nhrp holdtime 600
 ip nhrp nhs dynamic nbma 192.0.2.1
 ip nhrp map 10.255.255.9 192.0.2.9
 ip nhrp registration no-unique
 ip nhrp shortcut
 tunnel source veth-wan
exit
!
"""


@pytest.mark.parametrize("vtysh", ["stock", "ours"])
def test_integrated_config_loaded_by_vtysh_b(node, vtysh):
    binary = "/usr/bin/vtysh"
    text = INTEGRATED
    if vtysh == "ours":
        if not os.path.exists(OUR_VTYSH):
            pytest.skip("vtysh/vtysh not built")
        binary = OUR_VTYSH
        text = text.replace(" ip nhrp shortcut\n",
                            " ip nhrp shortcut\n ip nhrp authentication dmvpn\n")
    with open(os.path.join(node.etcdir, "frr.conf"), "w") as f:
        f.write(text)
    with open(os.path.join(node.etcdir, "vtysh.conf"), "w") as f:
        f.write("service integrated-vtysh-config\n")
    node.start("zebra")
    node.start("nhrpd", binary=OUR_NHRPD)
    r = node.vtysh([], vtysh=binary, extra=["-b"])
    assert r.returncode == 0, r.stdout + r.stderr
    cfg = daemon_config(node)["interface gre1"]
    for line in text.split("interface gre1\n")[1].split("exit")[0].splitlines():
        assert line.strip() in cfg
    assert "nhrp nflog-group 1" in daemon_config(node)[""]


def test_our_vtysh_passes_nhrpd_commands(node):
    if not os.path.exists(OUR_VTYSH):
        pytest.skip("vtysh/vtysh not built")
    start_pair(node)
    cmds = ["configure terminal", "interface gre1", "ip nhrp network-id 3",
            "ip nhrp authentication abc"]
    r = node.vtysh(cmds, vtysh=OUR_VTYSH)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "ip nhrp authentication abc" in daemon_config(node)["interface gre1"]
    # the stock vtysh does not know the command
    r = node.vtysh(cmds[:3] + ["ip nhrp authentication xyz"])
    assert "ip nhrp authentication xyz" not in daemon_config(node)["interface gre1"]
    r = node.vtysh("show ip nhrp interface json", vtysh=OUR_VTYSH)
    assert '"gre1"' in r.stdout


def test_map_replaced_in_one_line(node):
    """A new `nhrp map` line for an address replaces its binding, nbma by
    nbma, nbma by local and back, in classic mode and in a transaction;
    the cache holds the new binding and only it"""
    import json
    start_pair(node)
    configure(node, ["ip nhrp network-id 42", "ip nhrp map 10.255.255.1 192.0.2.1"])

    def maps():
        return sorted(l for l in daemon_config(node)["interface gre1"] if "nhrp map" in l)

    def cache():
        with node.vty() as v:
            return sorted((e["protocol"], e["nbma"], e["type"])
                          for e in json.loads(v.ok("show ip nhrp cache json"))["table"]
                          if e["protocol"] == "10.255.255.1")

    # the map is in the cache once zebra has told nhrpd about gre1
    assert wait_until(lambda: cache() == [("10.255.255.1", "192.0.2.1", "static")]), cache()
    for line, nbma, kind in [("ip nhrp map 10.255.255.1 192.0.2.9", "192.0.2.9", "static"),
                             ("ip nhrp map 10.255.255.1 local", None, "local"),
                             ("ip nhrp map 10.255.255.1 192.0.2.5", "192.0.2.5", "static")]:
        configure(node, [line])
        assert maps() == [line]
        got = cache()
        assert len(got) <= 1 and all(t == kind for _, _, t in got), got
        if nbma:
            assert [n for _, n, _ in got] == [nbma], got
    with node.vty() as v:
        v.ok("configure exclusive", "interface gre1",
             "ip nhrp map 10.255.255.1 local", "commit", "end")
    assert maps() == ["ip nhrp map 10.255.255.1 local"]


def our_nft_table(node):
    r = node.sh("nft -t list table inet nhrpd", check=False)
    return r.stdout if r.returncode == 0 else ""


def test_own_netfilter_rules_for_ipv6(node):
    """`ipv6 nhrp redirect` and `ipv6 nhrp map multicast` with no NFLOG
    group of the operator's: nhrpd's own table has the IPv6 rules (per /64
    pair; ff02::/16 dropped after logging), each family its NFLOG group;
    IPv4's rules only when `ip nhrp` asks for them"""
    node.ip("addr add 2001:db8:ffff::2/64 dev gre1 nodad")
    start_pair(node)
    configure(node, ["ipv6 nhrp network-id 42", "ipv6 nhrp redirect",
                     "ipv6 nhrp map multicast dynamic"])
    t = wait_until(lambda: "ff02::/16" in our_nft_table(node) and our_nft_table(node))
    fwd = re.search(r'iifname "gre1" oifname "gre1" update @redirect6 \{ '
                    r'ip6 saddr & ffff:ffff:ffff:ffff:: \. ip6 daddr & ffff:ffff:ffff:ffff:: '
                    r'limit rate 4/minute burst 1 packets \} log group (\d+) snaplen 128', t)
    out = re.search(r'oifname "gre1" ip6 daddr ff02::/16 '
                    r'log group (\d+) .*drop', t)
    assert fwd and out, t
    assert fwd.group(1) != out.group(1), t
    assert "set redirect6" in t and "ipv6_addr . ipv6_addr" in t, t
    # nothing for IPv4, which is not configured
    assert "224.0.0.0" not in t and "@redirect " not in t, t
    configure(node, ["ip nhrp network-id 41", "ip nhrp redirect",
                     "ip nhrp map multicast dynamic"])
    t = wait_until(lambda: "224.0.0.0/24" in our_nft_table(node) and our_nft_table(node))
    assert "@redirect {" in t and "@redirect6 {" in t and "ff02::/16" in t, t
    # IPv4's as before, beside them
    assert re.search(r'iifname "gre1" oifname "gre1" update @redirect \{ ip saddr & '
                     r'255\.255\.255\.0 \. ip daddr & 255\.255\.255\.0 limit rate 4/minute '
                     r'burst 1 packets \} log group (\d+) snaplen 128', t), t
    assert re.search(r'oifname "gre1" ip daddr 224\.0\.0\.0/24 log group \d+ .*drop', t), t
    assert len(set(re.findall(r"log group (\d+)", t))) == 4, t
    # the operator's groups: his rules, ours go (both families)
    configure(node, [], ["nhrp nflog-group 1", "nhrp multicast-nflog-group 2"])
    assert wait_until(lambda: our_nft_table(node) == ""), our_nft_table(node)


LIMITS = ["nhrp shortcut minimum-prefix-length 16", "nhrp registration maximum-holdtime 300",
          "nhrp registration timeout 30", "nhrp registration maximum-per-nbma 4",
          "nhrp cache maximum-entries 1000"]


LIMIT_KEYS = ("shortcutMinimumPrefix", "registrationMaximumHoldtime", "registrationTimeout",
              "registrationMaximumPerNbma", "cacheMaximumEntries")


def limits_shown(node, afi):
    """the limits `show (ip|ipv6) nhrp interface gre1 json` reports"""
    import json
    with node.vty() as v:
        (js,) = json.loads(v.ok("show %s nhrp interface gre1 json" % afi))
    return tuple(js[k] for k in LIMIT_KEYS)


def test_limits_through_the_vty(node):
    """the configurable bounds of issue 14 (shortcut prefix, registration
    holding time, refresh, per-NBMA count, cache size) for both families:
    set on nhrpd's vty, shown in the interface's JSON, written, kept across
    a restart, gone with `no` (the defaults shown again); a bad value is
    refused with a message and changes nothing"""
    conf = start_pair(node)
    defaults = {afi: limits_shown(node, afi) for afi in ("ip", "ipv6")}
    # IOS's: /8 (IPv4) or /16 shortcuts, 7200 s, a third of the holdtime
    assert defaults["ip"][:3] == (8, 7200, 0) and defaults["ipv6"][0] == 16, defaults
    lines = ["ip " + l for l in LIMITS] + ["ipv6 " + l for l in LIMITS]
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1", "ip nhrp network-id 1",
             "ipv6 nhrp network-id 2", *lines, "end")
    for afi in ("ip", "ipv6"):
        assert limits_shown(node, afi) == (16, 300, 30, 4, 1000), afi
    cfg = daemon_config(node)
    assert set(lines) <= cfg["interface gre1"], cfg["interface gre1"]
    r = node.vtysh("write memory")
    assert r.returncode == 0, r.stdout + r.stderr
    node.stop("nhrpd")
    node.start("nhrpd", binary=OUR_NHRPD, conf=conf)
    assert daemon_config(node) == cfg
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1")
        for bad in ("ip nhrp shortcut minimum-prefix-length 33",
                    "ip nhrp registration maximum-holdtime 0",
                    "ipv6 nhrp cache maximum-entries 0"):
            out, st = v.cmd(bad)
            assert st != 0 and out.strip().startswith("%"), (bad, st, out)
        v.ok("end")
    assert daemon_config(node) == cfg
    with node.vty() as v:
        v.ok("configure terminal", "interface gre1",
             *["no " + l.rsplit(" ", 1)[0] for l in lines], "end")
    left = daemon_config(node)["interface gre1"]
    assert not [l for l in left if any(k in l for k in ("minimum-prefix", "maximum-", "timeout"))], left
    assert {afi: limits_shown(node, afi) for afi in ("ip", "ipv6")} == defaults
