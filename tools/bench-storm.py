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
  - the hub nhrpd's RSS growth per registered peer;
  - the neighbour entries in the hub's kernel table afterwards;
  - the refresh round: wall time and nhrpd CPU;
  - multicast fan-out: K packets to 224.0.0.9 out of the hub's gre1, the
    operator's NFLOG rule (`nhrp multicast-nflog-group`, the same for
    both), one copy per registered spoke: copies and nhrpd's CPU per copy.

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
# K RIP-sized datagrams to 224.0.0.9 out of gre1, 0.1 s apart
MCAST_SENDER = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[1]))
for _ in range(int(sys.argv[2])):
    try:
        s.sendto(bytes(24), ("224.0.0.9", 520))
    except PermissionError:
        pass    # the DROP after the NFLOG rule says so
    time.sleep(0.1)
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
    return sum(cpu_split(pid))


def profile_start(pid, impl, n):
    path = "/tmp/storm-%s-%d.perf" % (impl, n)
    return path, subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "499", "-g",
                                   "-p", str(pid), "-o", path],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile_stop(prof, impl, n):
    path, proc = prof
    proc.send_signal(signal.SIGINT)
    proc.wait(60)
    out = subprocess.run(["perf", "report", "-i", path, "--stdio", "--no-children",
                          "--sort", "dso,sym", "-g", "none", "--percent-limit", "1.5"],
                         capture_output=True, text=True).stdout
    print("  profile of %s's nhrpd, storm of %d (perf, cpu-clock):" % (impl, n))
    for ln in out.splitlines():
        if ln.strip() and not ln.startswith("#"):
            print("    " + ln.strip())


def rss_bytes(pid):
    with open("/proc/%d/statm" % pid) as f:
        return int(f.read().split()[1]) * PAGE


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
        rss0 = rss_bytes(nhrpd)
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
        res["rss_peer"] = (rss_bytes(nhrpd) - rss0) / max(storm["registered"], 1)
        res["neigh"] = neighbours(hub)
        # a refresh round: every binding there already
        r = gen.run(gen_cmd, timeout=a.timeout + 60)
        refresh = parse_round(r.stdout.strip().splitlines()[-1])
        time.sleep(1)
        cpu2 = (cpu_seconds(nhrpd), cpu_seconds(zebra))
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
    """k multicast packets to n registered spokes: copies and nhrpd's CPU
    per copy (the wall time is the sender's pacing and vtysh-free polling
    under TCG, not a rate worth printing)"""
    tx0, cpu0 = gre1_tx(hub), cpu_seconds(nhrpd)
    t0 = time.monotonic()
    hub.run([sys.executable, "-c", MCAST_SENDER, HUB_TUNNEL, str(k)])
    last, t_last = tx0, time.monotonic()
    while time.monotonic() - t_last < 2 and time.monotonic() - t0 < 120:
        time.sleep(0.2)
        now = gre1_tx(hub)
        if now != last:
            last, t_last = now, time.monotonic()
    copies = last - tx0
    cpu = cpu_seconds(nhrpd) - cpu0
    return {"mc_copies": copies, "mc_expected": k * n,
            "mc_cpu_copy": cpu / copies * 1e6 if copies else None}


ROWS = [
    ("registered", "spokes registered", "%d"),
    ("wall", "storm: first request -> last reply (s)", "%.2f"),
    ("drops", "requests dropped at the packet socket", "%d"),
    ("retransmitted", "requests retransmitted by the spokes", "%d"),
    ("cpu_nhrpd", "CPU nhrpd during the storm (s)", "%.2f"),
    ("cpu_user", "  of which user (s)", "%.2f"),
    ("cpu_sys", "  of which system (s)", "%.2f"),
    ("cpu_zebra", "CPU zebra during the storm (s)", "%.2f"),
    ("cpu_per_reg", "CPU nhrpd per registration (us)", "%.0f"),
    ("rss_peer", "RSS nhrpd per registered peer (B)", "%.0f"),
    ("neigh", "neighbour entries in the kernel", "%d"),
    ("log_neigh", "log lines about neighbour entries", "%d"),
    ("refresh_wall", "refresh round: wall (s)", "%.2f"),
    ("refresh_cpu", "refresh round: CPU nhrpd (s)", "%.2f"),
    ("refresh_cpu_zebra", "refresh round: CPU zebra (s)", "%.2f"),
    ("mc_copies", "multicast: copies sent (of packets x spokes)", "%d"),
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
                    help="perf record of the hub's nhrpd during the storm: its top symbols")
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
        for impl in ("ours", "frr"):
            if a.only and impl != a.only:
                continue
            b = argparse.Namespace(**vars(a))
            b.spokes = n
            results[impl] = run_one(impl, b)
            r = results[impl]
            r["cpu_per_reg"] = r["cpu_nhrpd"] / max(r["registered"], 1) * 1e6
        print("  %-42s %12s %12s %8s" % ("", "ours", "FRR 8.4", "FRR/ours"))
        for key, label, fmt in ROWS:
            vals = [results.get(i, {}).get(key) for i in ("ours", "frr")]
            cells = [(fmt % v) if v is not None else "-" for v in vals]
            ratio = ""
            if None not in vals and vals[0]:
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
