#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/bench storm [--spokes N ...] [--rounds R] [--timeout S]

A registration storm: N spokes (default 10000) each send one Registration
Request at once from an NBMA address of their own, retransmitting after
1 s while no reply came (tests/bench/nhrp_storm, raw sockets), to a hub
with `network-id`, `holdtime 600`, `map multicast dynamic`.  The hub is
our nhrpd, then FRR 8.4's, each in a fresh pair of namespaces of the same
boot; then a refresh round (every spoke registering again).

Prints, never asserts, for both and their ratio (FRR / ours):
  - wall time from the first request to the last successful reply;
  - requests dropped at the hub's packet socket (sk_drops, `ss -0 -m`;
    ours also from `show ip nhrp traffic`) and the retransmissions;
  - CPU of the hub's nhrpd and zebra during the storm, per registration;
  - the hub nhrpd's RSS growth per registered peer, and how much of it is
    static buffers used for the first time (a fixed cost);
  - the neighbour entries in the hub's kernel table afterwards;
  - the refresh round: wall time, nhrpd CPU (user / system), the
    retransmissions and drops in it, and nhrpd's CPU per request that
    reached it (FRR's socket drops many: those cost it nothing);
  - multicast fan-out: K packets to 224.0.0.9 out of the hub's gre1, the
    operator's NFLOG rule (`nhrp multicast-nflog-group`, the same for
    both), one copy per registered spoke: copies, copies per second and
    nhrpd's CPU per copy.

--profile: perf record (system-wide, nhrpd's samples reported) during the
storm and the refresh round, their top symbols.

Addresses: hub NBMA 192.0.2.1 (the generator's namespace 192.0.2.2 on a
veth), tunnel 10.255.0.1 (/16 ours, /32 FRR's, which refuses anything
else), spoke i tunnel 10.255.0.2+i.  The spokes' NBMA addresses come
from 198.18.0.0/15 (RFC 2544's benchmarking range): the documentation
ranges hold 762 addresses, not 10,000.  All of it lives in the VM's
namespaces; the generator's namespace takes the range as local.

Needs ip_gre: without it on this host, tools/bench runs this inside the
topotest VM, which is also the only place where it raises the kernel's
(global) neighbour table thresholds for 10,000 entries.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))

from lib import Topology, have_gre, in_vm  # noqa: E402
from lib.topology import FRR_NHRPD, OUR_NHRPD  # noqa: E402

GEN = os.path.join(TOP, "tests", "bench", "nhrp_storm")
HUB_NBMA = "192.0.2.1"
GEN_NBMA = "192.0.2.2"
HUB_TUNNEL = "10.255.0.1"
SPOKE_NBMA = "198.18.0.1"
SPOKE_NET = "198.18.0.0/15"
SPOKE_TUNNEL = "10.255.0.2"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


MCAST_GROUP = 2
# the operator's capture, the same for both (FRR's nhrpd has no other)
MCAST_RULES = """*filter
:OUTPUT ACCEPT [0:0]
-A OUTPUT -o gre1 -d 224.0.0.0/24 -j NFLOG --nflog-group %d
-A OUTPUT -o gre1 -d 224.0.0.0/24 -j DROP
COMMIT
""" % MCAST_GROUP
# K RIP-sized datagrams to 224.0.0.9 out of gre1, 0.01 s apart
MCAST_SENDER = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    try:
        s.sendto(bytes(24), ("224.0.0.9", 520))
    except PermissionError:
        pass    # the DROP after the NFLOG rule says so
    time.sleep(0.01)
"""


def nhrpd_conf(ours):
    return "\n".join([
        "nhrp multicast-nflog-group %d" % MCAST_GROUP,
        "interface gre1",
        " ip nhrp network-id 42",
        " ip nhrp holdtime 600",
        " ip nhrp map multicast dynamic",
        " tunnel source eth0",
        "exit", ""])


def cpu_split(pid):
    """(user, system) CPU seconds of pid"""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / CLK_TCK, int(fields[12]) / CLK_TCK


def cpu_seconds(pid):
    """CPU seconds of pid, all its threads, to the nanosecond (the
    scheduler's run time: /proc/PID/stat counts in 10 ms ticks, too coarse
    for a refresh round of 1,000)"""
    total = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return sum(cpu_split(pid))
    return total / 1e9


def profile_start(pid, impl, n):
    """perf record of the whole system (nhrpd picked out at report time:
    perf record -p takes no samples under TCG), events enabled once perf
    says it is ready (its start-up takes seconds there)"""
    path = "/tmp/storm-%s-%d.perf" % (impl, n)
    ctl, ack = path + ".ctl", path + ".ack"
    for f in (ctl, ack):
        if os.path.exists(f):
            os.unlink(f)
        os.mkfifo(f)
    proc = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "1999", "-g", "-a",
                             "-D", "-1", "--control", "fifo:%s,%s" % (ctl, ack), "-o", path],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(ctl, "w") as c, open(ack) as k:
        c.write("enable\n")
        c.flush()
        k.readline()
    return path, pid, proc


def profile_stop(prof, impl, n):
    path, pid, proc = prof
    proc.send_signal(signal.SIGINT)
    proc.wait(60)

    def report(*args):
        r = subprocess.run(["perf", "report", "-i", path, "--stdio", "--comms", "nhrpd",
                            "--percentage", "relative", "-g", "none"] + list(args),
                           capture_output=True, text=True)
        return [ln.strip() for ln in (r.stdout + r.stderr).splitlines()
                if ln.strip() and (not ln.startswith("#") or "Samples" in ln)]

    print("  profile of %s's nhrpd, %s of %d (perf, cpu-clock):"
          % (impl.split("-")[0], "refresh round" if "-" in impl else "storm", n))
    print("    by object: " + "; ".join(report("--no-children", "--sort", "dso")))
    # where the kernel's share comes from: the system calls, callees included
    calls = [ln for ln in report("--children", "--sort", "sym", "--percent-limit", "1")
             if "__x64_sys_" in ln]
    print("    system calls (with what they call): " + "; ".join(
        " ".join(ln.split()[i] for i in (0, 4)) for ln in calls if len(ln.split()) > 4))
    for ln in report("--no-children", "--sort", "dso,sym", "--percent-limit", "1.5"):
        print("    " + ln)


def rss_static(pid):
    """RSS of the program's own image and its static data (the mappings of
    its executable and the zero-filled one right after them, .bss): the
    receive and send buffers, used for the first time in the storm, are
    there, a fixed cost whatever the number of peers"""
    exe = os.path.realpath("/proc/%d/exe" % pid)
    total, prev_end, prev_exe, cur = 0, None, False, False
    with open("/proc/%d/smaps" % pid) as f:
        for ln in f:
            m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$", ln)
            if m:
                start, end, path = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
                cur = path == exe or (not path and prev_exe and start == prev_end)
                prev_exe, prev_end = path == exe, end
            elif cur and ln.startswith("Rss:"):
                total += int(ln.split()[1]) * 1024
    return total


def rss_bytes(pid):
    # from the page tables (statm's counters lag behind by up to 64 pages
    # per thread)
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for ln in f:
            if ln.startswith("Rss:"):
                return int(ln.split()[1]) * 1024
    raise RuntimeError("no Rss in smaps_rollup of %d" % pid)


def packet_drops(node, pid):
    """sk_drops of the packet sockets of process pid (ss -0 -m -p)"""
    out = node.run("ss -0 -m -p -n", check=False).stdout
    total, mine = 0, False
    for ln in out.splitlines():
        # a socket's line names its users; skmem follows (same line or next)
        if "users:(" in ln:
            mine = ("pid=%d," % pid) in ln
        m = re.search(r"skmem:\(.*?\bd(\d+)\)", ln)
        if m and mine:
            total += int(m.group(1))
    return total


def neighbours(node):
    out = node.run("ip -4 neigh show dev gre1", check=False).stdout
    return sum(1 for ln in out.splitlines() if "lladdr" in ln)


def parse_round(line):
    return {k: float(v) for k, v in (w.split("=", 1) for w in line.split())}


def run_one(impl, a):
    """one hub (ours or FRR's) against the generator: the figures"""
    ours = impl == "ours"
    t = Topology("storm_" + impl)
    res = {}
    try:
        hub, gen = t.add_node("hub"), t.add_node("gen")
        t.add_link(hub, gen, "eth0", "eth0", HUB_NBMA + "/24", GEN_NBMA + "/24")
        hub.add_gre("gre1", local=HUB_NBMA, key=42, dev="eth0",
                    addrs=[HUB_TUNNEL + ("/16" if ours else "/32")])
        hub.ip("route add %s via %s" % (SPOKE_NET, GEN_NBMA))
        gen.ip("route add local %s dev lo" % SPOKE_NET)
        # the generator reads the replies off eth0 (a packet socket): its
        # stack drops them at once, for what it would do with them runs on
        # the hub's account (the veth's receive side runs in the sender's
        # system call)
        gen.iptables_restore("*raw\n:PREROUTING ACCEPT [0:0]\n"
                             "-A PREROUTING -p gre -j DROP\nCOMMIT\n"
                             "*filter\n:OUTPUT ACCEPT [0:0]\n"
                             "-A OUTPUT -p icmp -j DROP\nCOMMIT\n")
        hub.ip("link set gre1 multicast on")
        hub.iptables_restore(MCAST_RULES)
        hub.start_zebra()
        hub.start_daemon("nhrpd", nhrpd_conf(ours), binary=OUR_NHRPD if ours else FRR_NHRPD,
                         log_level="informational")
        time.sleep(2)
        nhrpd, zebra = hub.daemon("nhrpd").pid, hub.daemon("zebra").pid
        rss0, static0 = rss_bytes(nhrpd), rss_static(nhrpd)
        cpu0 = (cpu_seconds(nhrpd), cpu_seconds(zebra))
        drops0 = packet_drops(hub, nhrpd)
        split0 = cpu_split(nhrpd)
        prof = profile_start(nhrpd, impl, a.spokes) if a.profile else None
        gen_cmd = [GEN, "--hub", HUB_NBMA, "--hub-proto", HUB_TUNNEL, "--nbma", SPOKE_NBMA,
                   "--proto", SPOKE_TUNNEL, "--count", str(a.spokes), "--key", "42",
                   "--timeout", str(a.timeout), "--rounds", "1"]
        r = gen.run(gen_cmd, timeout=a.timeout + 60)
        storm = parse_round(r.stdout.strip().splitlines()[-1])
        # what the storm left for the daemons to finish (neighbour writes,
        # zebra's notifications)
        time.sleep(2)
        cpu1 = (cpu_seconds(nhrpd), cpu_seconds(zebra))
        split1 = cpu_split(nhrpd)
        res["cpu_user"], res["cpu_sys"] = split1[0] - split0[0], split1[1] - split0[1]
        if prof:
            profile_stop(prof, impl, a.spokes)
        res["wall"] = storm["last_reply"]
        res["registered"] = storm["registered"]
        res["retransmitted"] = storm["retransmitted"]
        res["drops"] = packet_drops(hub, nhrpd) - drops0
        if ours:
            j = hub.show("show ip nhrp traffic json", json=True)
            res["drops_show"] = j.get("packetSocket", {}).get("dropped")
        res["cpu_nhrpd"] = cpu1[0] - cpu0[0]
        res["cpu_zebra"] = cpu1[1] - cpu0[1]
        grown, static = rss_bytes(nhrpd) - rss0, rss_static(nhrpd) - static0
        res["rss_peer"] = grown / max(storm["registered"], 1)
        res["rss_static"] = static / 1024
        res["rss_peer_dyn"] = (grown - static) / max(storm["registered"], 1)
        res["neigh"] = neighbours(hub)
        # a refresh round: every binding there already
        prof = profile_start(nhrpd, impl + "-refresh", a.spokes) if a.profile else None
        r = gen.run(gen_cmd, timeout=a.timeout + 60)
        refresh = parse_round(r.stdout.strip().splitlines()[-1])
        time.sleep(1)
        cpu2 = (cpu_seconds(nhrpd), cpu_seconds(zebra))
        split2 = cpu_split(nhrpd)
        if prof:
            profile_stop(prof, impl + "-refresh", a.spokes)
        res["refresh_user"] = split2[0] - split1[0]
        res["refresh_sys"] = split2[1] - split1[1]
        res["refresh_retransmitted"] = refresh["retransmitted"]
        res["refresh_drops"] = packet_drops(hub, nhrpd) - drops0 - res["drops"]
        # per request that reached nhrpd (retransmissions included, the
        # ones the kernel dropped not)
        res["refresh_cpu_req"] = ((cpu2[0] - cpu1[0]) /
                                  max(refresh["sent"] - res["refresh_drops"], 1) * 1e6)
        res["refresh_wall"] = refresh["last_reply"]
        res["refresh_registered"] = refresh["registered"]
        res["refresh_cpu"] = cpu2[0] - cpu1[0]
        res["refresh_cpu_zebra"] = cpu2[1] - cpu1[1]
        if a.fanout:
            res.update(fanout(hub, nhrpd, a.fanout, a.spokes))
        try:
            with open(hub.daemon("nhrpd").log, errors="replace") as f:
                res["log_neigh"] = sum(1 for ln in f if "neighbour" in ln and "kernel:" in ln)
        except OSError:
            pass
        lost = [d.name for d in hub.daemons.values() if d.died_unexpectedly()]
        if lost:
            res["died"] = ",".join(lost)
    finally:
        t.close()
    return res


def gre1_tx(hub):
    return int(hub.run("cat /sys/class/net/gre1/statistics/tx_packets").stdout)


def fanout(hub, nhrpd, k, n):
    """k multicast packets to n registered spokes, 0.01 s apart: copies,
    copies per second from the first copy to the last (gre1's counter,
    read every 0.05 s: a lower bound; at most 100 n a second, the
    sender's pace) and
    nhrpd's CPU per copy"""
    tx0, cpu0 = gre1_tx(hub), cpu_seconds(nhrpd)
    t0 = time.monotonic()
    sender = hub.popen([sys.executable, "-c", MCAST_SENDER, HUB_TUNNEL, str(k)])
    last, t_first, t_last = tx0, None, time.monotonic()
    # until 2 s without a copy, counted from the first copy or else from
    # the sender's end (its start-up takes a second or two under TCG)
    t_poll = time.monotonic()
    while time.monotonic() - t0 < 120 and time.monotonic() - t_last < 2:
        time.sleep(0.05)
        if t_first is None and sender.poll() is None:
            t_last = time.monotonic()
        now = gre1_tx(hub)
        if now != last:
            if t_first is None:
                # the copies began after the poll before: the rate is
                # at least what this gives
                t_first = t_poll
            last, t_last = now, time.monotonic()
        t_poll = time.monotonic()
    sender.wait(60)
    copies = last - tx0
    cpu = cpu_seconds(nhrpd) - cpu0
    return {"mc_copies": copies, "mc_expected": k * n,
            "mc_rate": copies / (t_last - t_first) if copies and t_last > t_first else None,
            "mc_cpu_copy": cpu / copies * 1e6 if copies else None}


ROWS = [
    ("registered", "spokes registered", "%d"),
    ("wall", "storm: first request -> last reply (s)", "%.2f"),
    ("drops", "requests dropped at the packet socket", "%d"),
    ("retransmitted", "requests retransmitted by the spokes", "%d"),
    ("cpu_nhrpd", "CPU nhrpd during the storm (s)", "%.2f"),
    ("cpu_user", "  of which user (s, in 10 ms ticks)", "%.2f"),
    ("cpu_sys", "  of which system (s, in 10 ms ticks)", "%.2f"),
    ("cpu_zebra", "CPU zebra during the storm (s)", "%.2f"),
    ("cpu_per_reg", "CPU nhrpd per registration (us)", "%.0f"),
    ("rss_peer", "RSS nhrpd per registered peer (B)", "%.0f"),
    ("rss_static", "  of which static buffers first used (kB)", "%.0f"),
    ("rss_peer_dyn", "  the rest, per registered peer (B)", "%.0f"),
    ("neigh", "neighbour entries in the kernel", "%d"),
    ("log_neigh", "log lines about neighbour entries", "%d"),
    ("refresh_wall", "refresh round: wall (s)", "%.2f"),
    ("refresh_cpu", "refresh round: CPU nhrpd (s)", "%.2f"),
    ("refresh_user", "  of which user (s, in 10 ms ticks)", "%.2f"),
    ("refresh_sys", "  of which system (s, in 10 ms ticks)", "%.2f"),
    ("refresh_retransmitted", "refresh round: requests retransmitted", "%d"),
    ("refresh_drops", "refresh round: dropped at the packet socket", "%d"),
    ("refresh_cpu_req", "refresh round: CPU nhrpd per request read (us)", "%.1f"),
    ("refresh_cpu_zebra", "refresh round: CPU zebra (s)", "%.2f"),
    ("mc_copies", "multicast: copies sent (of packets x spokes)", "%d"),
    ("mc_rate", "multicast: copies per second (wall)", "%.0f"),
    ("mc_cpu_copy", "multicast: CPU nhrpd per copy (us)", "%.1f"),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spokes", type=int, nargs="+", default=[10000],
                    help="storm sizes, one run of each (default 10000)")
    ap.add_argument("--timeout", type=int, default=180, help="per round, seconds")
    ap.add_argument("--only", choices=("ours", "frr"), help="one hub only")
    ap.add_argument("--fanout", type=int, default=20, metavar="K",
                    help="then K multicast packets (224.0.0.9) to all registered spokes "
                         "(default 20; 0: none)")
    ap.add_argument("--kernel-defaults", action="store_true",
                    help="leave the kernel's neighbour table thresholds as they are "
                         "(gc_thresh3: 1,024 entries at most)")
    ap.add_argument("--profile", action="store_true",
                    help="perf record of the hub's nhrpd during the storm and the refresh "
                         "round: their top symbols")
    a = ap.parse_args()
    if not have_gre():
        sys.exit("bench-storm: this kernel has no ip_gre (tools/bench storm runs it in the "
                 "topotest VM)")
    if not os.access(GEN, os.X_OK):
        sys.exit("bench-storm: build %s first (make)" % GEN)
    if in_vm() and not a.kernel_defaults:
        # the neighbour table is the kernel's, not a namespace's: room for
        # every spoke, and no garbage collection of the entries measured
        for k in ("gc_thresh1", "gc_thresh2", "gc_thresh3"):
            with open("/proc/sys/net/ipv4/neigh/default/" + k, "w") as f:
                f.write("131072")
    elif max(a.spokes) > 500:
        print("bench-storm: not in the VM: the kernel's neighbour table thresholds stay "
              "as they are (gc_thresh3 may cap the entries)")
    where = "qemu TCG VM" if in_vm() else "host"
    for n in a.spokes:
        print("storm: %d spokes, hub with network-id, holdtime 600, map multicast dynamic; "
              "%s, %d CPUs" % (n, where, os.cpu_count()))
        results = {}
        impls = ("ours", "frr")
        for impl in impls:
            if a.only and impl != a.only:
                continue
            b = argparse.Namespace(**vars(a))
            b.spokes = n
            results[impl] = run_one(impl, b)
            r = results[impl]
            r["cpu_per_reg"] = r["cpu_nhrpd"] / max(r["registered"], 1) * 1e6
        print("  %-42s %12s %12s %8s" % ("", "ours", "FRR 8.4", "FRR/ours"))
        for key, label, fmt in ROWS:
            vals = [results.get(i, {}).get(key) for i in impls]
            cells = [(fmt % v) if v is not None else "-" for v in vals]
            ratio = ""
            if None not in vals and vals[0] and vals[1]:
                ratio = "%.1f" % (vals[1] / vals[0])
            print("  %-42s %12s %12s %8s" % (label, cells[0], cells[1], ratio))
        o = results.get("ours", {})
        if "drops_show" in o:
            print("  ours, show ip nhrp traffic: packetSocket dropped %s" % o["drops_show"])
        for impl, r in results.items():
            if "died" in r:
                print("  %s: daemons that exited on their own: %s" % (impl, r["died"]))
            if r["refresh_registered"] < r["registered"]:
                print("  %s: refresh round registered only %d" % (impl, r["refresh_registered"]))


if __name__ == "__main__":
    main()
