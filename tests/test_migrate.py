# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/nhrpd-migrate: OpenNHRP's documentation examples, the seed-like
hub and spoke and a file with every keyword turn into the nhrpd lines
expected, with a warning for each thing that has no equivalent; bad input
is an error with its line number and writes nothing; and every output
loads into a running nhrpd (network namespace, no GRE) as it is."""
import os
import re
import shutil
import subprocess
import textwrap
import uuid

import pytest

from frrnode import FrrNode, OUR_NHRPD, TOP, wait_until
from vtyclient import running_config_lines

TOOL = os.path.join(TOP, "tools", "nhrpd-migrate")
DATA = os.path.join(TOP, "tests", "migrate")
MAN = os.path.join(TOP, "doc", "nhrpd-migrate.1")
RST = os.path.join(TOP, "doc", "nhrpd-migrate.rst")

COMMON = ["ip nhrp network-id 1", "ip nhrp mtu opennhrp"]

# input -> (command lines in order, warnings: (line, text) substrings)
EXAMPLES = {
    "opennhrp/etc-opennhrp.conf": ([
        "interface gre1", *COMMON,
        "ip nhrp nhs 10.255.255.1 nbma 192.168.200.1",
        "ip nhrp map 10.255.255.1 192.168.200.1",
        "ip nhrp authentication secret",
        "ip nhrp shortcut",
        "ip nhrp redirect",
        "exit",
    ], []),
    "opennhrp/man-example.conf": ([
        "interface gre1", *COMMON,
        "ip nhrp holdtime 3600",
        "ip nhrp nhs 10.255.255.1 nbma 192.168.200.1",
        "ip nhrp map 10.255.255.1 192.168.200.1",
        "ip nhrp authentication secret",
        "ip nhrp shortcut",
        "ip nhrp redirect",
        "exit",
    ], [(8, "holding-time 1800 for shortcut-target 172.16.0.0/16")]),
    "seed-hub.conf": ([
        "interface gre1", *COMMON,
        "ip nhrp holdtime 600",
        "ip nhrp authentication dmvpn42",
        "ip nhrp map multicast dynamic",
        "ip nhrp redirect",
        "exit",
    ], []),
    "seed-spoke.conf": ([
        "interface gre1", *COMMON,
        "ip nhrp nhs 10.255.0.1 nbma 192.0.2.1",
        "ip nhrp map 10.255.0.1 192.0.2.1",
        "ip nhrp holdtime 600",
        "ip nhrp authentication dmvpn42",
        "ip nhrp map multicast 192.0.2.1",
        "ip nhrp shortcut",
        "exit",
    ], [(6, "cisco")]),
    "all-keywords.conf": ([
        "interface gre1", *COMMON,
        "ip nhrp holdtime 900",
        "ip nhrp nhs 10.255.0.1 nbma 192.0.2.1",
        "ip nhrp map 10.255.0.1 192.0.2.1",
        "ip nhrp registration no-unique",
        "ip nhrp nhs 10.255.0.2 nbma hub2.example.net",
        "ip nhrp map 10.255.0.20 203.0.113.20",
        "ip nhrp map 10.255.0.21 203.0.113.21",
        "ip nhrp nhs dynamic nbma hubs.example.net",
        "ip nhrp authentication s3cret",
        # 'multicast nhs' replaced 'multicast dynamic': every static peer
        "ip nhrp map multicast 192.0.2.1",
        "ip nhrp map multicast 203.0.113.20",
        "ip nhrp map multicast 203.0.113.21",
        "ip nhrp shortcut",
        "ip nhrp redirect",
        "exit",
        "interface gre2", *COMMON,
        "ip nhrp nhs 10.99.0.1 nbma 198.51.100.9",
        "ip nhrp map 10.99.0.1 198.51.100.9",
        "exit",
    ], [(7, "different prefixes"),
        (10, "map 10.255.0.21/24 without register"),
        (11, "dynamic-map 10.254.0.0/24 hubs.example.net"),
        (12, "holding-time 1800 for shortcut-target 172.16.0.0/16"),
        (17, "multicast nhs to 10.255.0.2"),
        (17, "multicast nhs to the servers of hubs.example.net"),
        (19, "multicast 10.255.0.99"),
        (25, "cisco"),
        (26, "route-table 100"),
        (27, "shortcut-destination on an interface that also runs NHRP")]),
}


def run(*args, stdin=None):
    return subprocess.run(["/usr/bin/python3", TOOL, *args], input=stdin,
                          capture_output=True, text=True)


def commands(text):
    return [l.strip() for l in text.splitlines()
            if l.strip() and not l.strip().startswith("!")]


def warnings(stderr):
    return [(int(m.group(1)), m.group(2)) for m in
            re.finditer(r"^nhrpd-migrate: [^:]+:(\d+): warning: no equivalent: (.*)$",
                        stderr, re.M)]


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_converts(name):
    want, want_warn = EXAMPLES[name]
    r = run(os.path.join(DATA, name))
    assert r.returncode == 0, r.stderr
    assert commands(r.stdout) == want
    got = warnings(r.stderr)
    assert len(got) == len(want_warn), r.stderr
    for (line, text), (gline, gtext) in zip(want_warn, got):
        assert line == gline and text in gtext, (line, text, gline, gtext)
    # each warning is also a comment of the output, with its line
    assert r.stdout.count("! no equivalent (line ") == len(want_warn)
    for line, _ in want_warn:
        assert "! no equivalent (line %d): " % line in r.stdout
    # the network-id is said, and where it comes from
    assert "network-id 1 on every NHRP interface: OpenNHRP has none" in r.stdout


def test_said_not_guessed():
    out = run(os.path.join(DATA, "all-keywords.conf")).stdout
    for said in ("line 15: route-table 254 is the main table",
                 "line 16: multicast dynamic is replaced by multicast nhs (line 17)",
                 "line 22: non-caching: OpenNHRP 0.14 does not act on it",
                 "line 10: no-unique without register: no effect",
                 "shortcut-target 172.17.0.0/16: nhrpd answers resolution requests",
                 "interface eth1 (line 29): shortcut-destination",
                 "10.255.0.2 is bound to hub2.example.net's address once resolved",
                 "line 25: nhrpd also sends resolution requests to this server",
                 "'nhrp nflog-group N' (--nflog-group N)",
                 "'nhrp multicast-nflog-group N' (--multicast-nflog-group N)",
                 "hub 1", "a static peer, no registration"):   # comments carried
        assert said in out, said


def test_options(tmp_path):
    src = os.path.join(DATA, "seed-hub.conf")
    r = run("--network-id", "42", "--tunnel-source", "eth0", "--nflog-group", "1",
            "--multicast-nflog-group", "2", src)
    assert r.returncode == 0, r.stderr
    c = commands(r.stdout)
    assert c[:2] == ["nhrp nflog-group 1", "nhrp multicast-nflog-group 2"]
    assert c[2:6] == ["interface gre1", "ip nhrp network-id 42", "ip nhrp mtu opennhrp",
                      "tunnel source eth0"]
    assert "'nhrp nflog-group N'" not in r.stdout
    assert "network-id 42 on every NHRP interface" in r.stdout
    # stdin, and -o FILE
    out = tmp_path / "nhrpd.conf"
    r2 = run("-o", str(out), "-", stdin=open(src).read())
    assert r2.returncode == 0 and r2.stdout == ""
    assert commands(out.read_text()) == EXAMPLES["seed-hub.conf"][0]
    # --strict: what has no equivalent is an error, and nothing is written
    out2 = tmp_path / "strict.conf"
    r3 = run("--strict", "-o", str(out2), os.path.join(DATA, "seed-spoke.conf"))
    assert r3.returncode == 1 and not out2.exists() and r3.stdout == ""
    assert re.search(r"seed-spoke.conf:6: error: no equivalent: cisco", r3.stderr)
    assert run("--strict", src).returncode == 0
    # --quiet: the comments stay, stderr is empty
    r4 = run("--quiet", os.path.join(DATA, "seed-spoke.conf"))
    assert r4.returncode == 0 and r4.stderr == "" and "! no equivalent (line 6)" in r4.stdout
    for bad in (["--network-id", "0"], ["--network-id", "4294967296"],
                ["--nflog-group", "x"], ["--tunnel-source", "a/b"]):
        r5 = run(*bad, src)
        assert r5.returncode == 2 and r5.stdout == "", bad
    r6 = run(str(tmp_path / "missing.conf"))
    assert r6.returncode == 2 and "cannot read" in r6.stderr


BAD = [
    ("map 10.0.0.1 192.0.2.1\n", 1, "valid only for 'interface' definition"),
    ("interface gre1\n  register\n", 2, "valid only for 'map' definition"),
    ("interface gre1\n map 10.0.0.300 192.0.2.1\n", 2, "invalid address"),
    ("interface gre1\n map 10.0.0.1/33 192.0.2.1\n", 2, "invalid address"),
    ("interface gre1\n map 2001:db8::1 192.0.2.1\n", 2, "invalid address"),
    ("interface gre1\n map 10.0.0.1 bad_host!\n", 2, "invalid NBMA address"),
    ("interface gre1\n map 10.0.0.1\n", 2, "missing NBMA address"),
    ("interface gre1\n map 10.0.0.1\n shortcut\n", 2,
     "missing NBMA address after 'map 10.0.0.1' (the next word is the keyword 'shortcut'"),
    ("interface gre1\n  cisco-authentication\ninterface gre2\n", 2, "missing secret"),
    ("interface gre1\n holding-time abc\n", 2, "holding-time must be a number"),
    ("interface gre1\n holding-time 0\n", 2, "holding-time must be a number"),
    ("holding-time 60\n", 1, "valid only for 'interface' and 'shortcut-target'"),
    ("interface gre1\n cisco-authentication waytoolong\n", 2, "at most 8 characters"),
    ("interface gre1\n dynamic-map 10.0.0.1/24 hubs.example.net\n", 2,
     "requires a network address"),
    ("interface gre1\n dynamic-map 10.0.0.0 hubs.example.net\n", 2, "network address"),
    ("interface gre1\n dynamic-map 10.0.0.0/24 192.0.2.1\n", 2, "needs a domain name"),
    ("interface gre1\n multicast everyone\n", 2, "bad multicast destination"),
    ("interface gre1\n shortcut-target 172.16.0.0/16\n register\n", 3,
     "valid only for 'map' definition"),
    ("interface gre1\n shortcut register\n", 2, "valid only for 'map' definition"),
    ("interface gre1\n map 10.0.0.1 192.0.2.1\n map 10.0.0.1 192.0.2.2\n", 3,
     "mapped twice (lines 2 and 3)"),
    ("interface gre1\n frobnicate\n", 2, "unknown keyword"),
    ("interface gre1\n Shortcut\n", 2, "unknown keyword"),   # case-sensitive
    ("interface\n", 1, "missing interface name"),
    ("interface averyveryverylongname\n", 1, "invalid interface name"),
    ("interface gre1\n route-table main\n", 2, "route-table must be a number"),
    ("interface gre1\n dynamic-map 10.0.0.0/8 %s.example.net\n" % ("x" * 30), 2,
     "longer than 31 characters"),
    ("# comment\ninterface gre1 # c\n map 10.0.0.1 192.0.2.1 # ok\n\n"
     "  redirect\n  foo\n", 6, "unknown keyword"),
]


@pytest.mark.parametrize("text,line,msg", BAD)
def test_bad_input(tmp_path, text, line, msg):
    src = tmp_path / "opennhrp.conf"
    src.write_text(text)
    out = tmp_path / "out.conf"
    out.write_text("previous\n")
    r = run("-o", str(out), str(src))
    assert r.returncode == 1
    assert r.stdout == ""
    assert re.match(r"^nhrpd-migrate: %s:%d: error: .*%s" % (re.escape(str(src)), line,
                                                              re.escape(msg)),
                    r.stderr), r.stderr
    assert out.read_text() == "previous\n", "nothing written"
    assert set(os.listdir(tmp_path)) == {"opennhrp.conf", "out.conf"}, "no temporary left"


# ---- documentation -----------------------------------------------------------

def test_help_and_man_page_document_every_option():
    h = run("--help")
    assert h.returncode == 0
    opts = set(re.findall(r"(--[a-z-]+)", h.stdout)) - {"--help"}
    assert {"--output", "--network-id", "--strict", "--tunnel-source", "--nflog-group",
            "--multicast-nflog-group", "--quiet"} <= opts
    man, rst = open(MAN).read(), open(RST).read()
    for o in opts:
        assert o in rst, o
        assert o.replace("-", r"\-") in man, o
    # the default network-id is documented where it is used
    assert re.search(r"default\s+1\b", h.stdout) and re.search(r"default\s+1\b", rst)


@pytest.mark.skipif(not shutil.which("groff"), reason="groff not installed")
def test_man_page_renders_cleanly():
    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", MAN],
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    if shutil.which("man"):
        r = subprocess.run(["man", "-l", MAN], capture_output=True, text=True,
                           env=dict(os.environ, MANPAGER="cat", MANWIDTH="80"))
        assert r.returncode == 0 and "nhrpd-migrate" in r.stdout


@pytest.mark.skipif(not shutil.which("sphinx-build"), reason="Sphinx (python3-sphinx) not installed")
def test_man_page_is_the_rst(tmp_path):
    """doc/nhrpd-migrate.1 is Sphinx's man page of the .rst, kept in git for
    systems without Sphinx: `make man-fallback` renews it when this fails."""
    am = open(os.path.join(TOP, "nhrpd", "subdir.am")).read().replace("\\\n", " ")
    entry = re.search(r"^NHRPD_MIGRATE_MAN = (.*)$", am, re.M).group(1)
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(RST, src)
    (src / "conf.py").write_text("man_pages = [%s]\nmaster_doc = 'nhrpd-migrate'\n"
                                 "project = 'nhrpd'\n" % entry)
    r = subprocess.run(["sphinx-build", "-q", "-W", "-b", "man", str(src),
                        str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

    def body(t):   # the date and Sphinx's version change
        return [l for l in t.splitlines() if not l.startswith(".TH")]
    assert body((tmp_path / "out" / "nhrpd-migrate.1").read_text()) == body(open(MAN).read())


def test_man_page_example_is_true():
    rst = open(RST).read()
    blocks = re.findall(r"::\n\n((?:    .*\n|\n)+)", rst[rst.index("EXAMPLES"):])
    given, result = (textwrap.dedent(b) for b in blocks[:2])
    r = run("-", stdin=given)
    assert r.returncode == 0, r.stderr
    assert [l for l in r.stdout.splitlines() if not l.strip().startswith("!")] == \
        result.strip("\n").splitlines()


# ---- the output loads into nhrpd ---------------------------------------------

@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)")
@pytest.mark.skipif(not os.path.exists(OUR_NHRPD), reason="nhrpd not built")
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_output_loads_into_nhrpd(tmp_path, name):
    os.chmod(tmp_path, 0o777)
    r = run("--nflog-group", "1", "--multicast-nflog-group", "2", "--tunnel-source",
            "eth0", os.path.join(DATA, name))
    assert r.returncode == 0, r.stderr
    # no interface exists in the namespace: nhrpd keeps the configuration
    # and sends nothing (the examples' NBMA addresses are not ours to use)
    n = FrrNode("nm" + uuid.uuid4().hex[:8], str(tmp_path))
    try:
        conf = os.path.join(n.etcdir, "nhrpd.conf")
        with open(conf, "w") as f:
            f.write(r.stdout)
        shutil.chown(conf, "frr", "frr")
        n.start("zebra")
        n.start("nhrpd", binary=OUR_NHRPD, conf=conf)
        with n.vty() as v:
            running = running_config_lines(v.ok("show running-config"))
        want = running_config_lines("\n".join(
            l for l in r.stdout.splitlines() if not l.strip().startswith("!")))
        for section, lines in want.items():
            if section:
                assert running.get(section) == lines, section
            else:
                assert lines <= running[""]
        log = open(n.log("nhrpd")).read()
        assert not re.search(r"error|unknown command|% ", log, re.I), log
    finally:
        n.close()
