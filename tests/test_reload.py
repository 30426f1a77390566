# SPDX-License-Identifier: GPL-2.0-or-later
"""SIGHUP re-reads nhrpd's configuration file and applies the difference in
one northbound transaction; a file with an error changes nothing and the
log names the line.  Own file (-f), FRR's integrated frr.conf (only
nhrpd's lines are taken), and FRR's frr-reload.py against nhrpd's
running-config.  Host test (no GRE needed: the configuration of gre1 is
kept before the interface exists); what happens to registrations is the
topotest's (tests/topotests/test_reload.py)."""
import os
import re
import signal
import subprocess
import uuid

import pytest

from frrnode import FrrNode, OUR_NHRPD, OUR_VTYSH, TOP, wait_until

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not os.path.exists(OUR_NHRPD), reason="nhrpd not built"),
]

FRR_RELOAD = "/usr/lib/frr/frr-reload.py"

V1 = """frr version 8.4.4
frr defaults traditional
!
interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 100
 ip nhrp map 10.255.0.2 192.0.2.2
exit
!
end
"""

V2 = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 200
 ip nhrp map 10.255.0.2 192.0.2.2
 ip nhrp map 10.255.0.3 198.51.100.3
exit
debug nhrp common
"""


def nhrp_lines(v):
    out = v.ok("show running-config")
    return [l.rstrip() for l in out.splitlines()
            if ("nhrp" in l or l.startswith("interface")) and not l.startswith("!")]


def log_text(n):
    try:
        with open(n.log("nhrpd")) as f:
            return f.read()
    except OSError:
        return ""


def hup_and_wait(n, pattern):
    """SIGHUP; wait for the next log line matching pattern, return it"""
    before = len(log_text(n))
    os.kill(n.pids["nhrpd"], signal.SIGHUP)
    found = wait_until(lambda: re.search(pattern, log_text(n)[before:]), 10)
    assert found, "no %r in the log after SIGHUP:\n%s" % (pattern, log_text(n)[before:])
    return log_text(n)[before:]


@pytest.fixture
def node(tmp_path):
    os.chmod(tmp_path, 0o777)
    n = FrrNode("nr" + uuid.uuid4().hex[:8], str(tmp_path))
    try:
        yield n
    finally:
        n.close()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)


def test_own_file(node):
    conf = os.path.join(node.etcdir, "nhrpd.conf")
    write(conf, V1)
    node.start("zebra")
    node.start("nhrpd", binary=OUR_NHRPD, conf=conf)
    with node.vty() as v:
        first = nhrp_lines(v)
        assert " ip nhrp holdtime 100" in first
        # unchanged file: nothing to do
        hup_and_wait(node, r"re-read: no configuration changes")
        assert nhrp_lines(v) == first

        write(conf, V2)
        text = hup_and_wait(node, r"re-read: changes applied in one transaction")
        assert "error" not in text.lower(), text
        now = nhrp_lines(v)
        assert " ip nhrp holdtime 200" in now and " ip nhrp holdtime 100" not in now
        assert " ip nhrp map 10.255.0.3 198.51.100.3" in now
        assert " ip nhrp map 10.255.0.2 192.0.2.2" in now
        assert "debug nhrp common" in v.ok("show running-config")
        good = v.ok("show running-config")

        # an error on line 3 (holdtime out of range) and on line 5: nothing
        # of the file is applied, not even what is right in it
        write(conf, V2.replace("holdtime 200", "holdtime 70000")
              .replace(" ip nhrp map 10.255.0.3 198.51.100.3", " ip nhrp mapp 10.255.0.4 1.2.3.4")
              .replace("debug nhrp common\n", ""))
        text = hup_and_wait(node, r"line\(s\) in error, nothing changed")
        assert re.search(r"nhrpd.conf line 3: \" ip nhrp holdtime 70000\": ", text), text
        assert re.search(r"nhrpd.conf line 5: \" ip nhrp mapp 10.255.0.4 1.2.3.4\": no such command",
                         text), text
        assert "2 line(s) in error" in text
        assert v.ok("show running-config") == good

        # every line parses, the result is refused as a whole (an
        # interface that is its own tunnel source): nothing changes
        write(conf, V2 + "interface gre1\n tunnel source gre1\nexit\n")
        text = hup_and_wait(node, r"re-read: not applied")
        assert "gre1 cannot be its own tunnel source" in text, text
        assert v.ok("show running-config") == good

        # what goes from the file goes from the configuration
        write(conf, V1)
        hup_and_wait(node, r"re-read: changes applied in one transaction")
        assert nhrp_lines(v) == first
        assert "debug nhrp common" not in v.ok("show running-config")
        assert node.running("nhrpd")


INTEGRATED = """frr version 8.4.4
frr defaults traditional
hostname {host}
service integrated-vtysh-config
!
ip route 10.9.0.0/24 Null0
!
interface gre1
 description DMVPN
 ip address 10.255.0.1/24
 ip nhrp network-id 7
 ip nhrp holdtime {hold}
 ip rip authentication mode md5
 tunnel source eth0
exit
!
router rip
 network gre1
 redistribute connected
exit
!
end
"""


def test_integrated_frr_conf(node):
    # as FRR's daemons: with /etc/frr/frr.conf there, no -f means the
    # integrated configuration (vtysh -b at boot; SIGHUP reads nhrpd's
    # lines of frr.conf in its pathspace)
    if not os.path.exists("/etc/frr/frr.conf"):
        pytest.skip("/etc/frr/frr.conf absent: nhrpd would use its own file")
    conf = os.path.join(node.etcdir, "frr.conf")
    write(conf, INTEGRATED.format(host=node.name, hold=300))
    node.start("zebra", conf=os.path.join(node.etcdir, "zebra.conf"))
    node.start("nhrpd", binary=OUR_NHRPD)
    with node.vty() as v:
        assert "network-id" not in v.ok("show running-config")
        text = hup_and_wait(node, r"re-read: changes applied in one transaction")
        assert "(integrated, nhrpd's lines)" in text
        assert "error" not in text.lower(), text
        lines = nhrp_lines(v)
        assert lines == ["interface gre1", " ip nhrp network-id 7", " ip nhrp holdtime 300"], lines
        assert " tunnel source eth0" in v.ok("show running-config")
        # other daemons' lines are skipped; a mistyped nhrpd line is not
        write(conf, INTEGRATED.format(host=node.name, hold=400)
              .replace(" ip nhrp network-id 7", " ip nhrp netwrk-id 7"))
        text = hup_and_wait(node, r"nothing changed")
        assert re.search(r"frr.conf line 11: \" ip nhrp netwrk-id 7\": no such command", text), text
        assert "1 line(s) in error" in text
        assert nhrp_lines(v) == lines


@pytest.mark.skipif(not os.path.exists(FRR_RELOAD), reason="frr-pythontools absent")
@pytest.mark.skipif(not os.access(OUR_VTYSH, os.X_OK), reason="vtysh/vtysh not built")
def test_frr_reload_py(node):
    """FRR's frr-reload.py computes the difference between a new frr.conf
    and nhrpd's running-config (through our vtysh) and applies it."""
    conf = os.path.join(node.etcdir, "nhrpd.conf")
    write(conf, V1)
    node.start("zebra")
    node.start("nhrpd", binary=OUR_NHRPD, conf=conf)
    new = os.path.join(node.etcdir, "frr.conf")
    write(new, V2.replace("debug nhrp common\n", ""))
    argv = ["/usr/bin/python3", FRR_RELOAD, "--bindir", os.path.dirname(OUR_VTYSH),
            "--confdir", "/etc/frr", "--rundir", node.rundir, "--pathspace", node.name,
            "--stdout"]
    t = subprocess.run(argv + ["--test", new], capture_output=True, text=True, timeout=120)
    assert t.returncode == 0, t.stdout + t.stderr
    added = t.stdout.split("Lines To Add")[-1]
    deleted = t.stdout.split("Lines To Add")[0]
    assert "ip nhrp holdtime 200" in added and "ip nhrp map 10.255.0.3 198.51.100.3" in added, \
        t.stdout
    assert "ip nhrp holdtime 100" in deleted or "no ip nhrp holdtime" in added, t.stdout
    assert "ip nhrp map 10.255.0.2" not in added
    r = subprocess.run(argv + ["--reload", new], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    with node.vty() as v:
        lines = nhrp_lines(v)
    assert " ip nhrp holdtime 200" in lines and " ip nhrp holdtime 100" not in lines, lines
    assert " ip nhrp map 10.255.0.3 198.51.100.3" in lines, lines
    assert " ip nhrp map 10.255.0.2 192.0.2.2" in lines, lines
    # and nothing left to do
    t = subprocess.run(argv + ["--test", new], capture_output=True, text=True, timeout=120)
    assert "ip nhrp" not in t.stdout.split("Lines To Add")[-1], t.stdout
