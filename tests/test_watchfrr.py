# SPDX-License-Identifier: GPL-2.0-or-later
"""nhrpd under FRR's own init and watchdog: /etc/frr/<ns>/daemons with
`nhrpd=yes` and `nhrpd_wrap` = our frr-wrap, started by FRR's frrinit.sh
inside a network namespace (pathspace <ns>).  watchfrr starts our nhrpd
(FRR's frrcommon.sh runs `frr-wrap /usr/lib/frr/nhrpd ...`), vtysh -b gives
it its part of frr.conf, and when nhrpd is killed watchfrr starts it again,
with its configuration."""
import os
import signal
import stat
import subprocess
import uuid

import pytest

from frrnode import FrrNode, OUR_NHRPD, TOP, wait_until

FRRINIT = "/usr/lib/frr/frrinit.sh"
WATCHFRR = "/usr/lib/frr/watchfrr"

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not os.path.exists(OUR_NHRPD), reason="nhrpd not built"),
    pytest.mark.skipif(not (os.path.exists(FRRINIT) and os.path.exists(WATCHFRR)),
                       reason="FRR's init scripts and watchfrr absent"),
]

FRR_CONF = """frr version 8.4.4
frr defaults traditional
service integrated-vtysh-config
!
interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 120
exit
!
end
"""


def pid_of(node, daemon):
    try:
        with open(os.path.join(node.rundir, daemon + ".pid")) as f:
            pid = int(f.read().strip())
    except (OSError, ValueError):
        return None
    return pid if os.path.exists("/proc/%d" % pid) else None


def exe(pid):
    try:
        return os.path.realpath("/proc/%d/exe" % pid)
    except OSError:
        return None


def configured(node):
    try:
        with node.vty() as v:
            return "ip nhrp network-id 42" in v.ok("show running-config")
    except Exception:
        return False


@pytest.fixture
def node(tmp_path):
    os.chmod(tmp_path, 0o777)
    n = FrrNode("nw" + uuid.uuid4().hex[:8], str(tmp_path))
    try:
        yield n
    finally:
        # FRR's own stop (watchfrr, then every daemon by its pid file),
        # then whatever is left, by pid
        subprocess.run(["ip", "netns", "exec", n.name, FRRINIT, "stop", n.name],
                       capture_output=True, timeout=120)
        for d in ("watchfrr", "nhrpd", "zebra", "staticd"):
            pid = pid_of(n, d)
            if pid:
                os.kill(pid, signal.SIGKILL)
        n.close()


def test_watchfrr_restarts_killed_nhrpd(node, tmp_path):
    # frr-wrap as installed, pointing at this build's nhrpd
    with open(os.path.join(TOP, "redhat", "frr-wrap.in")) as f:
        wrap_text = f.read().replace("@sbindir@", os.path.join(TOP, "nhrpd"))
    wrap = os.path.join(str(tmp_path), "frr-wrap")
    with open(wrap, "w") as f:
        f.write(wrap_text)
    os.chmod(wrap, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    log = str(tmp_path)
    with open(os.path.join(node.etcdir, "daemons"), "w") as f:
        f.write("nhrpd=yes\n"
                "nhrpd_wrap=%s\n"
                "vtysh_enable=yes\n"
                'zebra_options="-A 127.0.0.1 -s 90000000 --log file:%s/zebra.log"\n'
                'staticd_options="-A 127.0.0.1 --log file:%s/staticd.log"\n'
                'nhrpd_options="-A 127.0.0.1 --log file:%s/nhrpd.log"\n'
                'watchfrr_options="--log file:%s/watchfrr.log"\n' % (wrap, log, log, log, log))
    with open(os.path.join(node.etcdir, "frr.conf"), "w") as f:
        f.write(FRR_CONF)
    os.chmod(os.path.join(node.etcdir, "frr.conf"), 0o644)

    r = subprocess.run(["ip", "netns", "exec", node.name, FRRINIT, "start", node.name],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert wait_until(lambda: pid_of(node, "watchfrr"), 30), "watchfrr not running"
    first = wait_until(lambda: pid_of(node, "nhrpd"), 30)
    assert first, "watchfrr did not start nhrpd"
    assert exe(first) == os.path.realpath(OUR_NHRPD), exe(first)
    assert wait_until(lambda: configured(node), 30), "vtysh -b did not configure nhrpd"

    os.kill(first, signal.SIGKILL)
    second = wait_until(lambda: (pid_of(node, "nhrpd") or 0) not in (0, first)
                        and pid_of(node, "nhrpd"), 60)
    assert second, "watchfrr did not restart the killed nhrpd:\n" + open(
        os.path.join(log, "watchfrr.log")).read()[-3000:]
    assert exe(second) == os.path.realpath(OUR_NHRPD)
    # started again with its configuration (watchfrr.sh restart: vtysh -b -d nhrpd)
    assert wait_until(lambda: configured(node), 30), "restarted nhrpd has no configuration"
    with open(os.path.join(log, "watchfrr.log")) as f:
        text = f.read()
    assert "restart nhrpd" in text, text[-3000:]
