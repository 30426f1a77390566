# SPDX-License-Identifier: GPL-2.0-or-later
"""The Debian package, installed in the VM, running doc/dmvpn-guide.rst's
network from the installed files only.

The .deb (tools/package deb; $NHRPD_DEB or the newest
build/packages/nhrpd_*.deb) is installed with dpkg into the VM's root,
which is an overlay: the writes vanish with the VM.  Never on a host: these
tests skip outside the VM.

- The hub runs as the guide says: FRR's own init code (/usr/lib/frr/
  frrcommon.sh, all_start) with the guide's /etc/frr/daemons lines
  (nhrpd_wrap, VTYSH=) and its frr.conf: zebra, staticd, ripd and, through
  the installed frr-wrap, the installed /usr/sbin/nhrpd; frr.conf applied
  by the installed nhrpd-vtysh -b.
- Each spoke runs zebra and ripd (guide's ripd.conf) and nhrpd as the
  installed nhrpd.service runs it: its ExecStart, as its User with its
  AmbientCapabilities and CapabilityBoundingSet (setpriv, since systemd is
  not PID 1 in the VM), with the guide's nhrpd.conf.
- The shell blocks (tunnel, netfilter) run as they are in each namespace.

Test plumbing, not configuration: each node is an FRR pathspace (-N NS,
/etc/frr/NS/), the unit's -f /etc/frr/nhrpd.conf becomes
/etc/frr/NS/nhrpd.conf, and FRR's daemons log to a file."""
import glob
import os
import re
import shlex
import subprocess
import sys

import pytest

from lib import wait_until
from lib.util import in_vm

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from tests.docblocks import blocks, dmvpn_summary, second_spoke, shell_lines  # noqa: E402

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
UNIT = "/lib/systemd/system/nhrpd.service"
FRRCOMMON = "/usr/lib/frr/frrcommon.sh"

pytestmark = [
    pytest.mark.gre,
    pytest.mark.skipif(not in_vm(), reason="installs a .deb: only in the test VM "
                       "(tests/topotests/run), whose root is a throw-away overlay"),
]

B = blocks()


def find_deb():
    if os.environ.get("NHRPD_DEB"):
        return os.environ["NHRPD_DEB"]
    debs = sorted(glob.glob(os.path.join(TOP, "build", "packages", "nhrpd_*.deb")),
                  key=os.path.getmtime)
    return debs[-1] if debs else None


def sh(cmd, check=True):
    r = subprocess.run(cmd, shell=isinstance(cmd, str), capture_output=True, text=True,
                       timeout=600)
    if check and r.returncode != 0:
        raise AssertionError("%s: rc %d\n%s%s" % (cmd, r.returncode, r.stdout, r.stderr))
    return r


@pytest.fixture(scope="module")
def installed():
    deb = find_deb()
    if not deb:
        pytest.skip("no nhrpd .deb: run tools/package deb first (or set NHRPD_DEB)")
    assert sh(["dpkg-query", "-W", "-f=${Status}", "nhrpd"], check=False).stdout \
        != "install ok installed", "nhrpd is installed already: not a fresh VM"
    # man-db's trigger rebuilds the whole man database: minutes under TCG
    # (the overlay forgets this with the rest)
    if os.path.exists("/var/lib/man-db/auto-update"):
        os.unlink("/var/lib/man-db/auto-update")
    sh(["dpkg", "-i", deb])
    yield deb
    # removal undoes what the operator's diversion did (test_divert leaves one)
    sh(["dpkg", "-r", "nhrpd"])
    assert not os.path.exists("/usr/sbin/nhrpd")
    assert not os.path.islink("/usr/lib/frr/nhrpd")
    assert "nhrpd" not in sh(["dpkg-divert", "--list", "/usr/lib/frr/nhrpd"]).stdout
    assert os.path.isfile("/usr/lib/frr/nhrpd"), "FRR's nhrpd is gone"


def test_installed_next_to_frr(installed):
    files = [f for f in sh(["dpkg", "-L", "nhrpd"]).stdout.split() if os.path.isfile(f)]
    for f in ("/usr/sbin/nhrpd", "/usr/bin/nhrpd-vtysh", UNIT, "/usr/libexec/nhrpd/frr-wrap",
              "/usr/share/man/man8/nhrpd.8.gz", "/usr/share/man/man1/nhrpd-vtysh.1.gz",
              "/usr/share/doc/nhrpd/html/dmvpn-guide.html"):
        assert f in files, f
    # no file of the package belongs to another one (frr's stay frr's)
    owners = sh(["dpkg", "-S"] + files).stdout.splitlines()
    assert all(o.startswith("nhrpd: ") for o in owners), [o for o in owners
                                                        if not o.startswith("nhrpd: ")]
    frr_files = set(sh(["dpkg", "-L", "frr"]).stdout.split())
    assert not frr_files & set(files)
    # the exact frr dependency, and the binaries run with the system's libfrr
    dep = sh(["dpkg-query", "-W", "-f=${Depends}", "nhrpd"]).stdout
    frr_version = sh(["dpkg-query", "-W", "-f=${Version}", "frr"]).stdout
    assert "frr (= %s)" % frr_version in dep
    ldd = sh(["ldd", "/usr/sbin/nhrpd"]).stdout
    assert re.search(r"libfrr\.so\.0 => /usr/lib/[^/]+/frr/libfrr\.so\.0", ldd), ldd
    assert "NHRP (RFC 2332) daemon" in sh(["/usr/sbin/nhrpd", "--help"]).stdout
    man = sh("man -l -P cat /usr/share/man/man8/nhrpd.8.gz")
    assert "SIGNALS" in man.stdout and "nhrpd-vtysh" in man.stdout


def unit_service():
    props = {}
    for line in open(UNIT):
        line = line.strip()
        if "=" in line and not line.startswith("#"):
            k, _, v = line.partition("=")
            props.setdefault(k, []).append(v)
    return props


def unit_argv(node):
    """The installed unit's ExecStart for this node, under its User and
    capabilities (what systemd would do)."""
    p = unit_service()
    env = dict(re.findall(r'"?(\w+)=([^"]*)"?', " ".join(p.get("Environment", []))))
    argv = []
    for a in shlex.split(p["ExecStart"][0]):
        m = re.fullmatch(r"\$(\w+)", a)
        if m:       # systemd: a lone $VAR becomes its words, ${VAR} one word
            argv += env.get(m.group(1), "").split()
        else:
            argv.append(re.sub(r"\$\{(\w+)\}", lambda m: env.get(m.group(1), ""), a))
    argv = [os.path.join(node.etcdir, "nhrpd.conf") if a == "/etc/frr/nhrpd.conf" else a
            for a in argv]
    caps = [c.lower().replace("cap_", "") for c in p["AmbientCapabilities"][0].split()]
    bound = [c.lower().replace("cap_", "") for c in p["CapabilityBoundingSet"][0].split()]
    user, group = p["User"][0], p["Group"][0]
    priv = ["setpriv", "--reuid=" + user, "--regid=" + group, "--init-groups",
            "--inh-caps=+" + ",+".join(caps), "--ambient-caps=+" + ",+".join(caps),
            "--bounding-set=-all,+" + ",+".join(bound)]
    if p.get("NoNewPrivileges") == ["yes"]:
        priv.append("--no-new-privs")
    return priv + ["--"] + argv + ["-N", node.ns]


def run_block(node, text):
    for cmd in shell_lines(text):
        node.run(cmd)


def start_hub(hub):
    daemons = open("/etc/frr/daemons").read() + "\n# the guide's lines\n" + B["hub-daemons"]
    daemons += '\nfrr_global_options="--log file:%s/frr.log"\n' % hub.logdir
    hub.write_config("zebra", "")          # creates /etc/frr/NS owned by frr
    with open(os.path.join(hub.etcdir, "daemons"), "w") as f:
        f.write(daemons)
    frr_conf = hub.write_config("frr", B["hub-frr-conf"])
    os.chmod(frr_conf, 0o640)
    script = ("log_success_msg() { echo \"$*\"; }; log_warning_msg() { echo \"$*\"; }; "
              "log_failure_msg() { echo \"FAIL $*\"; }; . %s; all_start" % FRRCOMMON)
    r = hub.run(["env", "FRR_PATHSPACE=" + hub.ns, "bash", "-c", script], check=False)
    with open(os.path.join(hub.logdir, "frrinit.out"), "w") as f:
        f.write(r.stdout + r.stderr)
    assert r.returncode == 0 and "FAIL" not in r.stdout, r.stdout + r.stderr
    return r.stdout


def stop_hub(hub):
    script = ("log_success_msg() { :; }; log_warning_msg() { :; }; log_failure_msg() { :; }; "
              ". %s; all_stop" % FRRCOMMON)
    hub.run(["env", "FRR_PATHSPACE=" + hub.ns, "bash", "-c", script], check=False)


def pid_of(node, daemon):
    with open(os.path.join(node.rundir, daemon + ".pid")) as f:
        return int(f.read().strip())


def proc_status(pid):
    st = {}
    for line in open("/proc/%d/status" % pid):
        k, _, v = line.partition(":")
        st[k] = v.strip()
    return st


CAP_DAC_OVERRIDE, CAP_NET_ADMIN, CAP_NET_RAW = 1, 12, 13


def dmvpn_rows(node):
    return dmvpn_summary(node.show("show dmvpn"))


def test_guide_network_from_the_package(installed, topo):
    hub = topo.add_node("hub")
    spokes = [topo.add_node("spoke1"), topo.add_node("spoke2")]
    topo.attach_nbma(hub, "192.0.2.1/24")
    topo.attach_nbma(spokes[0], "198.51.100.1/24")
    topo.attach_nbma(spokes[1], "203.0.113.1/24")
    hub.add_dummy("lan0", "10.0.0.1/24")
    spokes[0].add_dummy("lan0", "10.1.0.1/24")
    spokes[1].add_dummy("lan0", "10.2.0.1/24")
    topo.flush()

    # the hub: the guide's shell blocks, then FRR's init with its daemons file
    run_block(hub, B["hub-tunnel"])
    run_block(hub, B["hub-netfilter"])
    out = start_hub(hub)
    try:
        assert "/usr/libexec/nhrpd/frr-wrap /usr/lib/frr/nhrpd" in out, out
        assert "/usr/bin/nhrpd-vtysh" in out, out
        nhrpd_pid = pid_of(hub, "nhrpd")
        assert os.readlink("/proc/%d/exe" % nhrpd_pid) == "/usr/sbin/nhrpd"
        # frr.conf went in through nhrpd-vtysh, nhrpd's own commands included
        run = hub.show("show running-config", daemon="nhrpd")
        assert "ip nhrp authentication dmvpn42" in run and "ip nhrp redirect" in run, run

        # the spokes: zebra and ripd, nhrpd as the unit starts it
        unit_pids = []
        for i, sp in enumerate(spokes):
            fix = second_spoke if i == 1 else (lambda t: t)
            run_block(sp, fix(B["spoke-tunnel"]))
            sp.start_zebra()
            sp.start_daemon("ripd", fix(B["spoke-ripd-conf"]))
            sp.write_config("nhrpd", fix(B["spoke-nhrpd-conf"]))
            r = sp.run(unit_argv(sp), check=False)
            assert r.returncode == 0, "nhrpd as the unit runs it: %s%s" % (r.stdout, r.stderr)
            unit_pids.append(pid_of(sp, "nhrpd"))
        for pid in unit_pids:
            st = proc_status(pid)
            assert os.readlink("/proc/%d/exe" % pid) == "/usr/sbin/nhrpd"
            assert st["Uid"].split()[0] == str(subprocess.run(
                ["id", "-u", "frr"], capture_output=True, text=True).stdout.strip())
            # what the unit bounds it to (DAC_OVERRIDE: charon's VICI
            # socket), and DAC_OVERRIDE not in effect at rest
            allowed = (1 << CAP_NET_ADMIN) | (1 << CAP_NET_RAW) | (1 << CAP_DAC_OVERRIDE)
            assert int(st["CapBnd"], 16) == allowed, st["CapBnd"]
            assert int(st["CapPrm"], 16) & ~allowed == 0, st["CapPrm"]
            assert not int(st["CapEff"], 16) & (1 << CAP_DAC_OVERRIDE), st["CapEff"]

        # registration: the hub's show dmvpn is the guide's (but the times)
        want_head, want_rows = dmvpn_summary(B["hub-show-dmvpn"])
        hub.wait_until(lambda: dmvpn_rows(hub) == (want_head, want_rows), 60,
                       msg="the hub's show dmvpn as in the guide")
        # RIP: every spoke learns the other LANs
        for sp, others in ((spokes[0], ("10.0.0.0/24", "10.2.0.0/24")),
                           (spokes[1], ("10.0.0.0/24", "10.1.0.0/24"))):
            sp.wait_until(lambda: all(p in sp.show("show ip route rip json", json=True)
                                      for p in others), 120, msg="RIP routes on %s" % sp.name)
        # LAN to LAN, and spoke1's show dmvpn after reaching spoke2
        wait_until(lambda: spokes[0].ping("10.0.0.1", src="10.1.0.1"), 30,
                   msg="spoke1 LAN to the hub's LAN", node=spokes[0])
        wait_until(lambda: spokes[0].ping("10.2.0.1", src="10.1.0.1"), 30,
                   msg="spoke1 LAN to spoke2 LAN", node=spokes[0])
        want_head, want_rows = dmvpn_summary(B["spoke-show-dmvpn"])
        spokes[0].wait_until(lambda: dmvpn_rows(spokes[0]) == (want_head, want_rows), 30,
                             msg="spoke1's show dmvpn as in the guide")
        # the kernel's binding for spoke2: its tunnel address at its NBMA
        # address, so the packets go straight there, not through the hub
        neigh = spokes[0].run("ip neigh show dev gre1").stdout
        assert re.search(r"^10\.255\.255\.12 lladdr 203\.0\.113\.1 ", neigh, re.M), neigh

        # the unit's ExecReload (kill -HUP $MAINPID): nhrpd stays up
        os.kill(unit_pids[0], 1)
        spokes[0].wait_until(lambda: "nhrp nhs" in spokes[0].show(
            "show running-config", daemon="nhrpd") or None, 10, msg="nhrpd alive after SIGHUP")
        assert os.path.exists("/proc/%d" % unit_pids[0]), "SIGHUP ended nhrpd"
        for pid in unit_pids:
            os.kill(pid, 15)
        for pid in unit_pids:
            wait_until(lambda: not os.path.exists("/proc/%d" % pid), 20, msg="nhrpd stopped")
    finally:
        stop_hub(hub)


def test_divert_on_request(installed):
    """Only when the operator runs it: FRR's nhrpd moves aside, ours takes
    its path; --undo puts it back.  The second diversion is left for the
    package's removal to undo (checked by the fixture)."""
    tool = "/usr/libexec/nhrpd/divert-frr-nhrpd"
    frr_help = sh(["/usr/lib/frr/nhrpd", "--help"], check=False).stdout
    assert "NHRP (RFC 2332) daemon" not in frr_help, "FRR's nhrpd is ours before diverting?"
    sh([tool])
    assert os.readlink("/usr/lib/frr/nhrpd") == "/usr/sbin/nhrpd"
    assert os.path.isfile("/usr/lib/frr/nhrpd.frr")
    assert "by nhrpd" in sh(["dpkg-divert", "--list", "/usr/lib/frr/nhrpd"]).stdout
    sh([tool, "--undo"])
    assert not os.path.islink("/usr/lib/frr/nhrpd")
    assert sh(["/usr/lib/frr/nhrpd", "--help"], check=False).stdout == frr_help
    sh([tool])
