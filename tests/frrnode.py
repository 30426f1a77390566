# SPDX-License-Identifier: GPL-2.0-or-later
"""One network namespace running FRR daemons, for tests that need no GRE
(they run on any Linux host as root).  Daemons get FRR's per-namespace
pathspace (-N), so sockets live in /var/run/frr/NAME and configuration in
/etc/frr/NAME; every process is stopped by its pid."""
import os
import shutil
import signal
import subprocess
import tempfile
import time

from vtyclient import Vty

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUR_NHRPD = os.path.join(TOP, "nhrpd", "nhrpd")
OUR_VTYSH = os.path.join(TOP, "vtysh", "vtysh")
STOCK_VTYSH = "/usr/bin/vtysh"
FRR_DAEMONS = "/usr/lib/frr"


def wait_until(pred, timeout=10.0, interval=0.05):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            return v
        time.sleep(interval)



def nhrpd_dry_run(text, nhrpd=OUR_NHRPD):
    """nhrpd --dryrun (-C) on a file holding text: the FRR error lines
    ([EC ...]) it logged; it exits 0 even with errors.  nhrpd reads the
    file as user frr, so it goes to a directory anyone may read (pytest's
    tmp_path is 0700: nhrpd would only log that it cannot open it)."""
    d = tempfile.mkdtemp(prefix="nhrpd-dryrun-")
    ns = "nhrpd-dryrun-%d" % os.getpid()
    try:
        os.chmod(d, 0o755)
        conf = os.path.join(d, "nhrpd.conf")
        with open(conf, "w") as f:
            f.write(text)
        os.chmod(conf, 0o644)
        r = subprocess.run([nhrpd, "-C", "-f", conf, "-N", ns],
                           capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(os.path.join("/var/run/frr", ns), ignore_errors=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return [ln for ln in (r.stdout + r.stderr).splitlines() if "[EC " in ln]

class FrrNode:
    def __init__(self, name, workdir):
        self.name = name
        self.rundir = "/var/run/frr/" + name
        self.etcdir = "/etc/frr/" + name
        self.workdir = workdir
        self.pids = {}
        subprocess.run(["ip", "netns", "add", name], check=True)
        self.ip("link set lo up")
        for d in (self.rundir, self.etcdir):
            os.makedirs(d, exist_ok=True)
            shutil.chown(d, "frr", "frr")
        with open(os.path.join(self.etcdir, "vtysh.conf"), "w") as f:
            f.write("")

    def sh(self, cmd, check=True):
        return subprocess.run(["ip", "netns", "exec", self.name, "sh", "-c", cmd],
                              check=check, capture_output=True, text=True)

    def ip(self, args):
        return self.sh("ip " + args)

    def log(self, daemon):
        return os.path.join(self.workdir, "%s-%s.log" % (self.name, daemon))

    def start(self, daemon, binary=None, conf=None, args=()):
        binary = binary or os.path.join(FRR_DAEMONS, daemon)
        pidfile = os.path.join(self.rundir, daemon + ".pid")
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        cmd = ["ip", "netns", "exec", self.name, binary, "-d", "-N", self.name,
               "-P", "0", "-i", pidfile, "--log", "file:" + self.log(daemon)]
        if conf is not None:
            cmd += ["-f", conf]
        subprocess.run(cmd + list(args), check=True)
        sock = os.path.join(self.rundir, daemon + ".vty")
        assert wait_until(lambda: os.path.exists(pidfile) and os.path.exists(sock)), \
            "%s did not start on %s" % (daemon, self.name)
        with open(pidfile) as f:
            self.pids[daemon] = int(f.read())
        return self.pids[daemon]

    def stop(self, daemon, sig=signal.SIGTERM, timeout=10):
        pid = self.pids.pop(daemon, None)
        if pid is None:
            return None
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return None
        if not wait_until(lambda: not os.path.exists("/proc/%d" % pid) or
                          open("/proc/%d/stat" % pid).read().split()[2] == "Z",
                          timeout):
            os.kill(pid, signal.SIGKILL)
        return pid

    def running(self, daemon):
        pid = self.pids.get(daemon)
        return pid is not None and os.path.exists("/proc/%d" % pid)

    def vty(self, daemon="nhrpd"):
        return Vty(os.path.join(self.rundir, daemon + ".vty"))

    def vtysh(self, cmds, vtysh=STOCK_VTYSH, extra=()):
        if isinstance(cmds, str):
            cmds = [cmds]
        argv = [vtysh, "-N", self.name] + list(extra)
        for c in cmds:
            argv += ["-c", c]
        return subprocess.run(argv, capture_output=True, text=True)

    def close(self):
        for d in list(self.pids):
            self.stop(d)
        subprocess.run(["ip", "netns", "del", self.name], check=False)
        shutil.rmtree(self.rundir, ignore_errors=True)
        shutil.rmtree(self.etcdir, ignore_errors=True)
