# SPDX-License-Identifier: GPL-2.0-or-later
"""Topologies of network namespaces running FRR-style daemons.

A Topology owns Nodes (one network namespace each, named uniquely per run),
veth links between them, an optional "internet" router for NBMA addresses
(documentation ranges only), and every process it starts.  Set-up commands
are queued and sent in batches (`ip -n NS -batch -`, sysctl writes through
setns) when something needs the state: starting a daemon, running a
command, vtysh, or an explicit flush().  See README.md for the API."""
import contextlib
import ipaddress
import json as jsonlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import time

from .vty import vty_commands
from .util import (CommandError, have_dummy, have_gre, in_netns, links_running, run,
                   set_tx_csum, tail, wait_until)

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
FRR_DAEMON_DIR = "/usr/lib/frr"
FRR_NHRPD = FRR_DAEMON_DIR + "/nhrpd"
OUR_NHRPD = os.path.join(TOP, "nhrpd", "nhrpd")
STOCK_VTYSH = "/usr/bin/vtysh"
OUR_VTYSH = os.path.join(TOP, "vtysh", "vtysh")
FRR_RUN = "/var/run/frr"
FRR_ETC = "/etc/frr"
LOGDIR = os.environ.get("NHRPD_TOPO_LOGDIR", "/tmp/nhrpd-topotests")

_counter = [0]
live_topologies = []


class TopologyError(RuntimeError):
    pass


class DaemonError(TopologyError):
    pass


class VtyshOutput(str):
    """vtysh's stdout as a str, with .rc (exit status), .stderr, .argv."""

    def __new__(cls, out, rc=0, stderr="", argv=()):
        s = super().__new__(cls, out)
        s.rc = rc
        s.stderr = stderr
        s.argv = list(argv)
        return s


def _json_values(text):
    """All JSON documents in text, in order (vtysh prints one per -c).  Text
    before a document is skipped (FRR 8.4's `show ip nhrp shortcut json`
    prints its table header first)."""
    dec = jsonlib.JSONDecoder()
    out, i = [], 0
    while True:
        while i < len(text) and text[i] not in "{[":
            i += 1
        if i >= len(text):
            return out
        try:
            obj, j = dec.raw_decode(text, i)
        except ValueError:
            if out:
                raise
            i += 1      # a bracket in leading text, not a document
            continue
        out.append(obj)
        i = j


def daemon_for(cmd):
    """Which daemon answers a show command (for Node.show)."""
    c = " ".join(cmd.split())
    if c.startswith(("show ip nhrp", "show ipv6 nhrp", "show dmvpn", "show debugging nhrp",
                     "clear ip nhrp", "clear ipv6 nhrp")):
        return "nhrpd"
    if c.startswith(("show ip rip", "clear ip rip")):
        return "ripd"
    return "zebra"


def vtysh(node, cmds, json=False, vtysh=None, timeout=60, check=False):
    """Run vtysh -N <node's pathspace> -c CMD... for one command or a list
    (one vtysh process).  Returns VtyshOutput (a str with .rc/.stderr); with
    json=True the parsed JSON (a list of documents for a list of commands).
    vtysh=PATH picks another vtysh binary (default: the topology's, which
    defaults to $NHRPD_VTYSH or /usr/bin/vtysh)."""
    return node.vtysh(cmds, json=json, vtysh=vtysh, timeout=timeout, check=check)


class Daemon:
    """A foreground process started by a Node, stopped by pid."""

    def __init__(self, node, name, argv, log, out, ready=None, spec=None):
        self.node = node
        self.name = name
        self.argv = argv
        self.log = log          # the daemon's own log file (may be None)
        self.out = out          # its stdout+stderr
        self.ready = ready
        self.spec = spec or {}  # what start_daemon was given (for restart)
        self.proc = None
        self.stopping = False
        self.started = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    @property
    def returncode(self):
        return self.proc.poll() if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def died_unexpectedly(self):
        """Exited without being asked to (crash, or exit on its own)."""
        return self.proc is not None and not self.stopping and self.proc.poll() is not None

    def start(self, timeout=30, wait=True):
        """Launch; with wait, return once ready() (else see wait_ready)."""
        self.stopping = False
        with open(self.out, "ab") as o:
            o.write(("\n=== %s start: %s\n" % (time.strftime("%H:%M:%S"),
                                               " ".join(shlex.quote(a) for a in self.argv))).encode())
            o.flush()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=o,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.started = time.monotonic()
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=30):
        """Wait until ready() is true; DaemonError (with the log tails) if
        the process exits first or the timeout passes."""
        if self.ready is None:
            return self
        ok = wait_until(lambda: self.proc.poll() is not None or self.ready(), timeout, 0.02)
        if self.proc.poll() is not None or not ok:
            state = ("exited with status %s" % self.proc.returncode
                     if self.proc.poll() is not None else "not ready after %d s" % timeout)
            if self.proc.poll() is None:
                self.stop()
            self.stopping = True    # reported here, not again at teardown
            raise DaemonError("[%s] %s %s\n--- %s\n%s\n--- %s\n%s" % (
                self.node.name, self.name, state, self.out, tail(self.out, 20),
                self.log, tail(self.log, 20) if self.log else ""))
        return self

    def signal(self, sig):
        if self.running():
            os.kill(self.proc.pid, sig)

    def terminate(self):
        """Send SIGTERM (by pid) without waiting; stop() waits."""
        if self.proc is None:
            return
        self.stopping = True
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL after timeout seconds; returns the exit
        status (negative: killed by that signal)."""
        if self.proc is None:
            return None
        self.terminate()
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(10)
        return self.proc.returncode

    def __repr__(self):
        return "<Daemon %s on %s pid %s>" % (self.name, self.node.name, self.pid)


class Capture:
    """tcpdump on one interface of a node, writing a pcap file."""

    def __init__(self, node, ifname, bpf=None, name=None, snaplen=0):
        self.node = node
        self.ifname = ifname
        self.bpf = bpf
        name = name or ifname
        self.pcap = os.path.join(node.logdir, "%s.pcap" % name)
        self.errfile = os.path.join(node.logdir, "%s.tcpdump" % name)
        self.proc = None
        self.snaplen = snaplen

    def start(self, timeout=30):
        argv = ["ip", "netns", "exec", self.node.ns, "tcpdump", "-i", self.ifname, "-n", "-U",
                "-Z", "root", "-w", self.pcap]
        if self.snaplen:
            argv += ["-s", str(self.snaplen)]
        if self.bpf:
            argv += shlex.split(self.bpf)
        self._err = open(self.errfile, "w")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._err,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        # tcpdump prints "listening on" once the socket is open and filtered
        if not wait_until(lambda: self.proc.poll() is not None or
                          "listening on" in open(self.errfile).read(), timeout, 0.02) \
                or self.proc.poll() is not None:
            raise TopologyError("[%s] tcpdump on %s failed: %s" % (
                self.node.name, self.ifname, open(self.errfile).read()))
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "_err", None):
            self._err.close()
            self._err = None
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def lines(self, bpf=None, verbose=False):
        """Decoded packets (tcpdump -r -nn [-v]), one string per packet,
        optionally filtered again with a BPF expression.  Works while the
        capture is running (-U flushes each packet)."""
        argv = ["tcpdump", "-r", self.pcap, "-nn", "-tt"]
        if verbose:
            argv.append("-v")
        if bpf:
            argv += shlex.split(bpf)
        r = run(argv, check=False)
        if r.returncode != 0 and "truncated dump file" not in r.stderr:
            if not os.path.exists(self.pcap) or os.path.getsize(self.pcap) < 24:
                return []
            raise CommandError(argv, r)
        out = []
        for ln in r.stdout.splitlines():
            if verbose and ln.startswith((" ", "\t")) and out:
                out[-1] += "\n" + ln
            else:
                out.append(ln)
        return out

    def count(self, bpf=None):
        """Number of packets captured so far (matching bpf if given; without
        bpf the pcap file is counted here, no tcpdump started)."""
        if bpf:
            return len(self.lines(bpf))
        return len(self.packets())

    def packets(self):
        """Raw captured packets (bytes, link-layer included), read from the
        pcap file without starting a process."""
        import struct
        try:
            with open(self.pcap, "rb") as f:
                data = f.read()
        except OSError:
            return []
        if len(data) < 24:
            return []
        magic = data[:4]
        endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        out, i = [], 24
        while i + 16 <= len(data):
            incl = struct.unpack_from(endian + "I", data, i + 8)[0]
            if i + 16 + incl > len(data):
                break
            out.append(data[i + 16:i + 16 + incl])
            i += 16 + incl
        return out

    def tshark(self, display_filter=None, fields=None):
        """Decode with tshark (slow to start: use sparingly).  With fields,
        a list of tuples of those field values per packet; else text lines."""
        argv = ["tshark", "-n", "-r", self.pcap]
        if display_filter:
            argv += ["-Y", display_filter]
        if fields:
            argv += ["-T", "fields"] + sum((["-e", f] for f in fields), []) + ["-E", "separator=\t"]
        r = run(argv, check=True)
        if fields:
            return [tuple(ln.split("\t")) for ln in r.stdout.splitlines()]
        return r.stdout.splitlines()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


class Node:
    """One network namespace.  Set-up methods queue work that is flushed
    in batches; run()/vtysh()/start_daemon() flush first."""

    def __init__(self, topo, name, forwarding=True):
        self.topo = topo
        self.name = name
        self.ns = topo.prefix + name
        self.rundir = os.path.join(FRR_RUN, self.ns)
        self.etcdir = os.path.join(FRR_ETC, self.ns)
        self.logdir = os.path.join(topo.logdir, name)
        self.daemons = {}
        self.captures = []
        self.links = {}         # ifname -> peer (Node, ifname) or kind
        self.nbma = None        # NBMA address (ipaddress.IPv4Interface) once attached
        self._steps = []        # queued set-up: ("ip", line) | ("sysctl", k, v) | ("sh", cmd)
        self._settle = []       # interfaces set up since the last flush: wait for carrier
        self._ifcount = 0
        os.makedirs(self.logdir, exist_ok=True)
        os.chmod(self.logdir, 0o777)   # FRR daemons run as frr and write logs here
        topo._root_ip("netns add " + self.ns)
        self.ip("link set lo up")
        if forwarding:
            self.sysctl("net.ipv4.ip_forward", 1)
            self.sysctl("net.ipv6.conf.all.forwarding", 1)

    def __str__(self):
        return self.name

    def __repr__(self):
        return "<Node %s (netns %s)>" % (self.name, self.ns)

    # ---- queued set-up ------------------------------------------------
    def ip(self, line):
        """Queue one `ip` command (without the leading "ip"), run in this
        namespace with the next flush."""
        self._steps.append(("ip", line))
        return self

    def ip_batch(self, lines):
        for ln in lines:
            self.ip(ln)
        return self

    def sysctl(self, key, value):
        """Queue a sysctl (dotted or slashed key; net.* keys are per
        namespace).  Written through setns, no process start."""
        self._steps.append(("sysctl", key.replace(".", "/") if not key.startswith("/") else key, value))
        return self

    def sh_queued(self, cmd):
        """Queue a shell command to run in the namespace at the next flush."""
        self._steps.append(("sh", cmd))
        return self

    def add_address(self, ifname, *addrs):
        for a in addrs:
            self.ip("addr add %s dev %s" % (a, ifname))
        return self

    def add_route(self, prefix, via=None, dev=None, extra=""):
        line = "route add %s" % prefix
        if via:
            line += " via %s" % via
        if dev:
            line += " dev %s" % dev
        return self.ip((line + " " + extra).strip())

    def add_dummy(self, ifname, *addrs, up=True):
        """A LAN stand-in: a dummy interface, or (kernels without dummy)
        a veth whose peer stays in the namespace."""
        if have_dummy():
            self.ip("link add %s type dummy" % ifname)
        else:
            self.ip("link add %s type veth peer name %s" % (ifname, self._peer_name(ifname)))
            self.ip("link set %s up" % self._peer_name(ifname))
        self.links[ifname] = "dummy"
        self.add_address(ifname, *addrs)
        if up:
            self.ip("link set %s up" % ifname)
            self._settle.append(ifname)
        return self

    @staticmethod
    def _peer_name(ifname):
        return (ifname + "-p")[:15] if len(ifname) <= 13 else ifname[:12] + "-p"

    def add_gre(self, ifname="gre1", local=None, key=None, ttl=64, addrs=(), mtu=None,
                dev=None, tx_csum_off=False, up=True, via_tunnel_cmd=False):
        """A multipoint GRE tunnel (no remote): `ip link add IF type gre
        [key K] ttl T local L [dev D]`, or with via_tunnel_cmd=True the
        equivalent `ip tunnel add IF mode gre ...`.  local defaults to the
        node's NBMA address.  addrs may be /24 or /32.  tx_csum_off runs
        `ethtool -K IF tx off` (FRR nhrpd re-sends multicast copies with
        bad UDP checksums otherwise)."""
        if not have_gre():
            raise TopologyError("this kernel has no ip_gre (run through tests/topotests/run)")
        if local is None:
            if self.nbma is None:
                raise TopologyError("[%s] add_gre: no local given and no NBMA attached" % self.name)
            local = str(self.nbma.ip)
        opts = ""
        if key is not None:
            opts += " key %s" % key
        opts += " ttl %s local %s" % (ttl, local)
        if dev:
            opts += " dev %s" % dev
        if via_tunnel_cmd:
            self.ip("tunnel add %s mode gre%s" % (ifname, opts))
        else:
            self.ip("link add %s type gre%s" % (ifname, opts))
        if mtu:
            self.ip("link set %s mtu %s" % (ifname, mtu))
        self.links[ifname] = "gre"
        self.add_address(ifname, *addrs)
        if up:
            self.ip("link set %s up" % ifname)
        if tx_csum_off:
            self._steps.append(("tx_csum_off", ifname))
        return self

    def iptables_restore(self, rules, ipv6=False):
        """Load rules (iptables-save syntax, --noflush) now."""
        self.flush()
        tool = "ip6tables-restore" if ipv6 else "iptables-restore"
        return run(["ip", "netns", "exec", self.ns, tool, "--noflush"], input=rules)

    def flush(self):
        self.topo.flush()
        return self

    def _flush_own(self):
        """Queued steps run grouped: every `ip` command (in order, one
        `ip -batch`), then sysctls and ethtool settings (in-process, in
        order), then shell commands (one sh)."""
        steps, self._steps = self._steps, []
        lines = [s[1] for s in steps if s[0] == "ip"]
        if lines:
            r = run(["ip", "-n", self.ns, "-batch", "-"], check=False,
                    input="\n".join(lines) + "\n")
            if r.returncode != 0:
                raise CommandError(["ip", "-n", self.ns, "-batch"], r,
                                   "[%s] ip -batch:\n  %s" % (self.name, "\n  ".join(lines)))
        for step in steps:
            if step[0] == "sysctl":
                _, key, val = step
                path = key if key.startswith("/") else "/proc/sys/" + key
                try:
                    with in_netns(self.ns):
                        with open(path, "w") as f:
                            f.write("%s\n" % val)
                except OSError as e:
                    raise TopologyError("[%s] sysctl %s=%s: %s" % (self.name, key, val, e))
            elif step[0] == "tx_csum_off":
                try:
                    set_tx_csum(self.ns, step[1], False)
                except OSError as e:
                    raise TopologyError("[%s] ethtool -K %s tx off: %s" % (self.name, step[1], e))
        cmds = [s[1] for s in steps if s[0] == "sh"]
        if cmds:
            script = "set -e\n" + "\n".join(cmds) + "\n"
            r = run(["ip", "netns", "exec", self.ns, "sh", "-c", script], check=False)
            if r.returncode != 0:
                raise CommandError(["sh", "-c", script], r, "[%s] %s" % (self.name, script))

    # ---- doing things -----------------------------------------------
    def run(self, cmd, check=True, timeout=120, input=None):
        """Run a command in the namespace (str: through sh -c; list: argv).
        Returns subprocess.CompletedProcess (text); raises CommandError when
        check and it fails."""
        self.flush()
        self.topo.last_node = self.name
        if isinstance(cmd, str) and not any(ch in cmd for ch in "|&;<>()$`\\\"'*?[]#~=%{}\n"):
            words = cmd.split()
            # `ip ...` needs no `ip netns exec` (ip -n) nor a shell
            if words and words[0] == "ip":
                argv = ["ip", "-n", self.ns] + words[1:]
            else:
                argv = ["ip", "netns", "exec", self.ns] + words
        else:
            argv = ["ip", "netns", "exec", self.ns]
            argv += ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        r = run(argv, check=False, timeout=timeout, input=input)
        if check and r.returncode != 0:
            raise CommandError(argv, r, "[%s] %s" % (self.name, cmd))
        return r

    def popen(self, argv, **kw):
        """subprocess.Popen in the namespace (the caller owns the process)."""
        self.flush()
        return subprocess.Popen(["ip", "netns", "exec", self.ns] + list(argv), **kw)

    def ping(self, dst, count=1, src=None, timeout=2, size=None, check=False):
        """True when `count` echo replies arrive (ping -c count -W timeout)."""
        cmd = ["ping", "-n", "-q", "-c", str(count), "-W", str(timeout)]
        if count > 1:
            cmd += ["-i", "0.2"]
        if src:
            cmd += ["-I", str(src)]
        if size:
            cmd += ["-s", str(size)]
        r = self.run(cmd + [str(dst)], check=False, timeout=timeout * count + 30)
        if r.returncode not in (0, 1):
            raise CommandError(cmd, r, "[%s] ping %s (is iputils-ping installed?)" % (self.name, dst))
        if check and r.returncode != 0:
            raise AssertionError("[%s] ping %s failed:\n%s" % (self.name, dst, r.stdout + r.stderr))
        return r.returncode == 0

    def wait_until(self, predicate, timeout=30.0, msg=None, interval=0.1):
        """wait_until() that names this node when it fails."""
        __tracebackhide__ = True
        return wait_until(predicate, timeout=timeout, interval=interval, msg=msg, node=self)

    def capture(self, ifname, bpf=None, name=None, snaplen=0):
        """Start tcpdump on ifname (BPF filter optional); returns a running
        Capture (stop() it or use it as a context manager; the topology
        stops leftovers)."""
        self.flush()
        c = Capture(self, ifname, bpf=bpf, name=name, snaplen=snaplen).start()
        self.captures.append(c)
        return c

    # ---- daemons --------------------------------------------------------
    def _ensure_frr_dirs(self):
        for d in (self.rundir, self.etcdir):
            if not os.path.isdir(d):
                os.makedirs(d, exist_ok=True)
                shutil.chown(d, "frr", "frr")
        vc = os.path.join(self.etcdir, "vtysh.conf")
        if not os.path.exists(vc):
            with open(vc, "w"):
                pass

    def write_config(self, daemon, text):
        """Write /etc/frr/<ns>/<daemon>.conf; returns its path."""
        self._ensure_frr_dirs()
        path = os.path.join(self.etcdir, daemon + ".conf")
        with open(path, "w") as f:
            f.write(text if text.endswith("\n") or not text else text + "\n")
        shutil.chown(path, "frr", "frr")
        return path

    def vty_socket(self, daemon):
        return os.path.join(self.rundir, daemon + ".vty")

    def start_daemon(self, daemon, config="", binary=None, args=(), log_level="debugging",
                     timeout=30, wait=True):
        """Start an FRR-style daemon in the foreground (no -d): `ip netns exec
        NS BINARY -N NS -P 0 -f /etc/frr/NS/DAEMON.conf --log file:LOG
        --log-level L ARGS`.  daemon: zebra, ripd, staticd, nhrpd, ...;
        binary defaults to /usr/lib/frr/<daemon> (OUR_NHRPD for ours).
        config: the configuration text (None: keep the existing file).
        Returns once the vty socket exists (zebra: also zserv.api); raises
        DaemonError with the log tail if it exits first.  wait=False returns
        at once: call .wait_ready() (or Topology.wait_ready) later, so that
        several daemons start in parallel."""
        if daemon in self.daemons and self.daemons[daemon].running():
            raise TopologyError("[%s] %s already running" % (self.name, daemon))
        self.flush()
        self._ensure_frr_dirs()
        conf = os.path.join(self.etcdir, daemon + ".conf")
        if config is not None or not os.path.exists(conf):
            self.write_config(daemon, config or "")
        binary = binary or os.path.join(FRR_DAEMON_DIR, daemon)
        if not os.access(binary, os.X_OK):
            raise DaemonError("[%s] %s: %s is not executable (not built?)" % (self.name, daemon, binary))
        log = os.path.join(self.logdir, daemon + ".log")
        out = os.path.join(self.logdir, daemon + ".out")
        argv = ["ip", "netns", "exec", self.ns, binary, "-N", self.ns, "-P", "0",
                "-f", conf, "--log", "file:" + log]
        if log_level:
            argv += ["--log-level", log_level]
        argv += list(args)
        sock = self.vty_socket(daemon)
        zapi = os.path.join(self.rundir, "zserv.api")
        for stale in (sock,) + ((zapi,) if daemon == "zebra" else ()):
            if os.path.exists(stale):
                os.unlink(stale)
        if daemon == "zebra":
            ready = lambda: os.path.exists(sock) and os.path.exists(zapi)  # noqa: E731
        else:
            ready = lambda: os.path.exists(sock)  # noqa: E731
        d = Daemon(self, daemon, argv, log, out, ready,
                   spec=dict(binary=binary, args=tuple(args), log_level=log_level))
        self.daemons[daemon] = d
        return d.start(timeout, wait)

    def start_zebra(self, config="", args=(), wait=True):
        return self.start_daemon("zebra", config, args=args, wait=wait)

    def start_nhrpd(self, config="", ours=False, binary=None, args=(), wait=True):
        """FRR's nhrpd (ours=False) or ours (<repo>/nhrpd/nhrpd)."""
        return self.start_daemon("nhrpd", config, binary=binary or (OUR_NHRPD if ours else FRR_NHRPD),
                                 args=args, wait=wait)

    def spawn(self, name, argv, ready=None, log=None, timeout=30):
        """Start any foreground process in the namespace, tracked like a
        daemon (stdout+stderr to <logdir>/<name>.out; ready() polled)."""
        if name in self.daemons and self.daemons[name].running():
            raise TopologyError("[%s] %s already running" % (self.name, name))
        self.flush()
        out = os.path.join(self.logdir, name + ".out")
        d = Daemon(self, name, ["ip", "netns", "exec", self.ns] + list(argv), log, out, ready)
        self.daemons[name] = d
        return d.start(timeout)

    def daemon(self, name):
        return self.daemons[name]

    def stop_daemon(self, name, timeout=10):
        """SIGTERM by pid (SIGKILL after timeout); returns the exit status."""
        d = self.daemons.get(name)
        return d.stop(timeout) if d else None

    def restart_daemon(self, name, config=None, timeout=30):
        """Stop and start again with the same binary/arguments (config None:
        keep the file as it is)."""
        d = self.daemons[name]
        d.stop()
        if not d.spec:
            return d.start(timeout)
        return self.start_daemon(name, config, binary=d.spec["binary"], args=d.spec["args"],
                                 log_level=d.spec["log_level"], timeout=timeout)

    def running(self, name):
        d = self.daemons.get(name)
        return d is not None and d.running()

    # ---- vtysh ------------------------------------------------------------
    def vtysh(self, cmds, json=False, vtysh=None, timeout=60, check=False):
        """See module-level vtysh()."""
        if isinstance(cmds, str):
            cmds = [cmds]
        self.flush()
        self.topo.last_node = self.name
        argv = [vtysh or self.topo.vtysh_path, "-N", self.ns]
        for c in cmds:
            argv += ["-c", c]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise CommandError(argv, r, "[%s] vtysh %s" % (self.name, cmds))
        if not json:
            return VtyshOutput(r.stdout, r.returncode, r.stderr, argv)
        try:
            docs = _json_values(r.stdout)
        except ValueError as e:
            raise TopologyError("[%s] vtysh %s: not JSON (%s): %r %r" % (
                self.name, cmds, e, r.stdout[:500], r.stderr[:500]))
        if len(cmds) == 1:
            if not docs:
                raise TopologyError("[%s] vtysh %s: no JSON output (rc %d): %r" % (
                    self.name, cmds, r.returncode, r.stderr[:500]))
            return docs[0]
        return docs

    def vty(self, daemon, cmds, enable=True, timeout=30):
        """Commands straight to DAEMON's vty socket (no vtysh process):
        returns [(status, text), ...].  For polling; use vtysh() where
        vtysh's own behaviour matters."""
        if isinstance(cmds, str):
            cmds = [cmds]
        self.topo.last_node = self.name
        return vty_commands(self.vty_socket(daemon), cmds, enable=enable, timeout=timeout)

    def show(self, cmd, json=False, daemon=None, timeout=30):
        """One show command through the daemon's vty socket (daemon guessed
        from the command: nhrp/dmvpn -> nhrpd, rip -> ripd, else zebra).
        Returns VtyshOutput (.rc = the command's status) or parsed JSON."""
        daemon = daemon or daemon_for(cmd)
        status, text = self.vty(daemon, [cmd], timeout=timeout)[0]
        if not json:
            return VtyshOutput(text, status, "", [daemon, cmd])
        docs = _json_values(text)
        if not docs:
            raise TopologyError("[%s] %s: %s: no JSON (status %d): %r" % (
                self.name, daemon, cmd, status, text[:500]))
        return docs[0]

    def configure(self, lines, vtysh=None, check=True):
        """Apply configuration lines through vtysh (configure terminal)."""
        if isinstance(lines, str):
            lines = [ln for ln in lines.splitlines() if ln.strip() and not ln.strip().startswith("!")]
        return self.vtysh(["configure terminal"] + list(lines), vtysh=vtysh, check=check)

    # ---- teardown -------------------------------------------------------
    def stop_all(self):
        for c in self.captures:
            c.stop()
        # reverse start order: nhrpd & co. before zebra
        for d in reversed(list(self.daemons.values())):
            d.stop()

    def remove(self):
        """Stop everything, kill what tests left in the namespace, delete it."""
        self.stop_all()
        kill_netns_processes(self.ns)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)
        shutil.rmtree(self.rundir, ignore_errors=True)
        shutil.rmtree(self.etcdir, ignore_errors=True)


class Topology:
    """A set of nodes with unique namespace names (prefix t<pid>x<n>-).

    topo = Topology("dmvpn")
    hub = topo.add_node("hub")
    ...
    topo.close()        # or use it as a context manager / the `topo` fixture
    """

    def __init__(self, name="topo", logdir=None, vtysh_path=None):
        _counter[0] += 1
        self.name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)[:60]
        self.prefix = "t%dx%d-" % (os.getpid(), _counter[0])
        base = logdir or os.environ.get("NHRPD_TOPO_LOGDIR") or LOGDIR
        self.logdir = os.path.join(base, "%s-%s" % (self.prefix.rstrip("-"), self.name))
        os.makedirs(self.logdir, exist_ok=True)
        os.chmod(self.logdir, 0o777)
        self.vtysh_path = vtysh_path or os.environ.get("NHRPD_VTYSH") or STOCK_VTYSH
        self.nodes = {}
        self.internet = None
        self.failed_node = None     # set by node.wait_until & co. when they fail
        self.last_node = None       # the node the test touched last (a hint)
        self.had_failure = False    # a test failed while this topology was alive
        self._root_steps = []
        self._segments = {}     # IPv4Network -> (bridge name, gateway)
        self._closed = False
        live_topologies.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __getitem__(self, name):
        return self.nodes[name]

    def _root_ip(self, line):
        self._root_steps.append(line)

    def add_node(self, name, forwarding=True):
        if name in self.nodes:
            raise TopologyError("node %s exists" % name)
        if not re.match(r"^[A-Za-z][A-Za-z0-9_]{0,15}$", name):
            raise TopologyError("bad node name %r" % name)
        n = Node(self, name, forwarding)
        self.nodes[name] = n
        return n

    def add_link(self, a, b, ifa=None, ifb=None, addr_a=None, addr_b=None, mtu=None, up=True):
        """A veth pair between nodes a and b (names default to eth<N>)."""
        ifa = ifa or "eth%d" % a._ifcount
        ifb = ifb or "eth%d" % b._ifcount
        a._ifcount += 1
        b._ifcount += 1
        self._root_ip("link add %s netns %s type veth peer name %s netns %s" % (ifa, a.ns, ifb, b.ns))
        a.links[ifa] = (b, ifb)
        b.links[ifb] = (a, ifa)
        for n, i, ad in ((a, ifa, addr_a), (b, ifb, addr_b)):
            if mtu:
                n.ip("link set %s mtu %s" % (i, mtu))
            if ad:
                n.add_address(i, ad)
            if up:
                n.ip("link set %s up" % i)
                n._settle.append(i)
        return ifa, ifb

    def add_internet(self, name="inet"):
        """The router between NBMA segments (one bridge per /24)."""
        if self.internet is None:
            self.internet = self.add_node(name)
        return self.internet

    def attach_nbma(self, node, addr, ifname="eth0", default_route=True):
        """Connect node to the internet router with NBMA address addr
        ("198.51.100.1/24"; documentation ranges only).  The router owns the
        segment's last address (.254 in a /24) on a bridge shared by every
        node of that segment; node gets a default route to it."""
        iface = ipaddress.ip_interface(addr)
        if iface.network.prefixlen == 32:
            raise TopologyError("NBMA address needs its segment's prefix length: %s" % addr)
        if not any(iface.ip in ipaddress.ip_network(r) for r in
                   ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")):
            raise TopologyError("NBMA %s is outside the documentation ranges" % addr)
        inet = self.add_internet()
        seg = self._segments.get(iface.network)
        if seg is None:
            gw = iface.network.broadcast_address - 1
            br = "br%d" % len(self._segments)
            inet.ip("link add %s type bridge forward_delay 0" % br)
            inet.add_address(br, "%s/%d" % (gw, iface.network.prefixlen))
            inet.ip("link set %s up" % br)
            inet._settle.append(br)
            seg = self._segments[iface.network] = (br, gw)
        br, gw = seg
        if iface.ip == gw:
            raise TopologyError("%s is the router's address on that segment" % addr)
        peer = "%s-%s" % (node.name[:9], ifname[:5])
        self.add_link(node, inet, ifname, peer, addr_a=str(iface))
        inet.ip("link set %s master %s" % (peer, br))
        if default_route:
            node.add_route("default", via=str(gw))
        node.nbma = iface
        return node

    def flush(self):
        """Apply every queued set-up command (root first, then each node)."""
        if self._root_steps:
            lines, self._root_steps = self._root_steps, []
            r = run(["ip", "-batch", "-"], check=False, input="\n".join(lines) + "\n")
            if r.returncode != 0:
                raise CommandError(["ip", "-batch"], r, "ip -batch:\n  " + "\n  ".join(lines))
        for n in self.nodes.values():
            if n._steps:
                n._flush_own()
        # veth and bridge carriers come up asynchronously (linkwatch, up to
        # ~1 s): wait for them so that the first packet of a test is not lost
        pending = [(n, n._settle) for n in self.nodes.values() if n._settle]
        for n, _ in pending:
            n._settle = []
        for n, ifs in pending:
            left = wait_until(lambda: not links_running(n.ns, ifs), 10, 0.01)
            if not left:
                raise TopologyError("[%s] interfaces not running after 10 s: %s" % (
                    n.name, " ".join(links_running(n.ns, ifs))))
        return self

    @staticmethod
    def wait_ready(daemons, timeout=30):
        """Wait for daemons started with wait=False."""
        for d in daemons:
            d.wait_ready(timeout)

    def daemons(self):
        for n in self.nodes.values():
            for d in n.daemons.values():
                yield d

    def check_daemons(self):
        """Raise DaemonError naming every daemon that exited on its own."""
        dead = [d for d in self.daemons() if d.died_unexpectedly()]
        if dead:
            self.failed_node = dead[0].node.name
            raise DaemonError("daemons exited unexpectedly: " + ", ".join(
                "%s on %s (status %s)" % (d.name, d.node.name, d.returncode) for d in dead)
                + "".join("\n--- %s %s\n%s\n%s" % (d.node.name, d.name, tail(d.out, 15),
                                                   tail(d.log, 15) if d.log else "")
                          for d in dead))

    def close(self):
        """Stop everything (by pid: SIGTERM to all daemons at once, then
        wait, SIGKILL after 10 s) and delete the namespaces.  Safe to call
        twice; also run at interpreter exit for leftovers."""
        if self._closed:
            return
        self._closed = True
        if self.had_failure and os.environ.get("NHRPD_TOPO_KEEP") == "1":
            if self in live_topologies:
                live_topologies.remove(self)
            import sys
            sys.stderr.write("\nNHRPD_TOPO_KEEP=1: topology %s left running after a failure; "
                             "nodes: %s (tests/topotests/node NAME CMD...)\n"
                             % (self.name, " ".join(n.ns for n in self.nodes.values())))
            return
        try:
            for n in self.nodes.values():
                for c in n.captures:
                    c.stop()
            # nhrpd & co. first, zebra (needed for their clean shutdown) after
            ds = list(self.daemons())
            later = [d for d in ds if d.name == "zebra"]
            for group in ([d for d in ds if d.name != "zebra"], later):
                for d in group:
                    d.terminate()
                for d in group:
                    d.stop()
            lines = []
            for n in self.nodes.values():
                kill_netns_processes(n.ns)
                lines.append("netns del " + n.ns)
            if lines:
                subprocess.run(["ip", "-force", "-batch", "-"], input="\n".join(lines) + "\n",
                               capture_output=True, text=True)
            for n in self.nodes.values():
                shutil.rmtree(n.rundir, ignore_errors=True)
                shutil.rmtree(n.etcdir, ignore_errors=True)
        finally:
            if self in live_topologies:
                live_topologies.remove(self)


@contextlib.contextmanager
def module_topology(name):
    """A Topology for a module-scoped fixture (`with module_topology(NAME)
    as t: ... yield d`): closed afterwards, and, as with the topo fixture,
    a daemon that exited on its own fails the teardown."""
    t = Topology(name)
    try:
        yield t
        t.check_daemons()
    finally:
        t.close()


def kill_netns_processes(ns):
    """SIGKILL processes still inside namespace ns (what a test started with
    popen and left behind); found by comparing /proc/PID/ns/net."""
    try:
        ino = os.stat("/run/netns/" + ns).st_ino
    except OSError:
        return
    me = os.getpid()
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == me:
            continue
        try:
            if os.stat("/proc/%s/ns/net" % p).st_ino == ino:
                os.kill(int(p), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass


def close_all():
    for t in list(live_topologies):
        try:
            t.close()
        except Exception:  # noqa: BLE001 - best effort at exit
            pass


def remove_stale_namespaces():
    """Delete namespaces named t<pid>x<n>-* whose creating process is gone
    (an earlier run that was killed), killing what still runs in them."""
    r = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True)
    for ln in r.stdout.splitlines():
        ns = ln.split()[0] if ln.split() else ""
        m = re.match(r"^t(\d+)x\d+-", ns)
        if not m or os.path.exists("/proc/%s" % m.group(1)):
            continue
        kill_netns_processes(ns)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        shutil.rmtree(os.path.join(FRR_RUN, ns), ignore_errors=True)
        shutil.rmtree(os.path.join(FRR_ETC, ns), ignore_errors=True)
