#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/bench rip-fanout [--spokes N] [--update S] [--settle UPDATES]

RIPv2 over DMVPN with many spokes: our nhrpd's multicast fan-out.  A hub
(our nhrpd, FRR's zebra and ripd with `no ip rip split-horizon`) and N
spokes (default 20; zebra + our nhrpd + ripd, one LAN dummy each) in
network namespaces; the hub's ripd multicasts to 224.0.0.9 on gre1, the
NFLOG rule hands each packet to the hub's nhrpd, which sends one unicast
GRE copy to every registered spoke (`ip nhrp map multicast dynamic`).

Prints, never asserts:
  - time to full convergence: from the moment every ripd runs (all spokes
    registered) until every spoke has every other spoke's LAN and the hub's
    in its kernel table;
  - the hub nhrpd's CPU time (utime+stime from /proc/PID/stat) during
    convergence, and in the steady state after it, per captured multicast
    packet (the iptables NFLOG rule's counter) and per copy.

Needs ip_gre: without it on this host, tools/bench runs this inside the
topotest VM (tests/topotests/vm/run-in-vm).

Addresses: hub NBMA 192.0.2.1, spoke i NBMA 198.51.100.i (i = 1..N, N <= 200),
tunnel 10.255.0.0/24 (hub .1, spoke i .(10+i)), LANs 10.i.0.0/24 (hub: 10.0.0.0/24).
"""
import argparse
import os
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))

from lib import Topology, have_gre, in_vm  # noqa: E402
from lib.topology import OUR_NHRPD  # noqa: E402
from lib.util import run  # noqa: E402

HUB_NBMA = "192.0.2.1"
HUB_TUNNEL = "10.255.0.1"
MCAST_GROUP = 2
HOLD = 600
CLK_TCK = os.sysconf("SC_CLK_TCK")

MCAST_RULES = """*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A OUTPUT -o gre1 -d 224.0.0.0/24 -j NFLOG --nflog-group %d
-A OUTPUT -o gre1 -d 224.0.0.0/24 -j DROP
COMMIT
""" % MCAST_GROUP


def spoke_nbma(i):
    return "198.51.100.%d" % i


def spoke_tunnel(i):
    return "10.255.0.%d" % (10 + i)


def lan(i):
    return "10.%d.0.0/24" % i


def nhrpd_conf(hub):
    lines = ["nhrp multicast-nflog-group %d" % MCAST_GROUP, "interface gre1",
             " ip nhrp network-id 42", " ip nhrp holdtime %d" % HOLD]
    if hub:
        lines.append(" ip nhrp map multicast dynamic")
    else:
        lines += [" ip nhrp nhs %s nbma %s" % (HUB_TUNNEL, HUB_NBMA),
                  " ip nhrp map multicast %s" % HUB_NBMA, " ip nhrp registration no-unique"]
    lines += [" tunnel source eth0", "exit"]
    return "\n".join(lines) + "\n"


def ripd_conf(hub, update):
    lines = []
    if hub:
        lines += ["interface gre1", " no ip rip split-horizon", "exit"]
    lines += ["router rip", " version 2",
              " timers basic %d %d %d" % (update, 6 * update, 4 * update),
              " network gre1", " network lan0", "exit"]
    return "\n".join(lines) + "\n"


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3): utime, stime are fields 14, 15
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def run_ns(pid):
    """on-CPU time in ns (/proc/PID/schedstat), finer than the clock tick"""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def nflog_packets(hub):
    out = hub.run("iptables -L OUTPUT -v -x -n").stdout
    for ln in out.splitlines():
        if "NFLOG" in ln:
            return int(ln.split()[0])
    return 0


def rip_route_counts(nodes):
    """{node name: set of RIP prefixes in the kernel}, one shell for all"""
    script = "; ".join("echo '## %s'; ip -n %s -4 route show proto rip" % (n.name, n.ns)
                       for n in nodes)
    out = run(["sh", "-c", script]).stdout
    res, cur = {}, None
    for ln in out.splitlines():
        if ln.startswith("## "):
            cur = ln[3:]
            res[cur] = set()
        elif ln.strip() and cur:
            res[cur].add(ln.split()[0])
    return res


def build(t, n):
    hub = t.add_node("hub")
    t.attach_nbma(hub, HUB_NBMA + "/24")
    spokes = []
    for i in range(1, n + 1):
        s = t.add_node("s%d" % i)
        t.attach_nbma(s, spoke_nbma(i) + "/24")
        spokes.append(s)
    for i, node in enumerate([hub] + spokes):
        addr = HUB_TUNNEL if i == 0 else spoke_tunnel(i)
        node.add_gre("gre1", key=42, addrs=["%s/24" % addr], dev="eth0")
        node.ip("link set gre1 multicast on")
        node.add_dummy("lan0", "10.%d.0.1/24" % i)
    return hub, spokes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--spokes", type=int, default=20)
    ap.add_argument("--update", type=int, default=5,
                    help="RIP update interval (timeout 6x, garbage 4x; default 5 s)")
    ap.add_argument("--settle", type=int, default=4,
                    help="steady-state window after convergence, in update intervals")
    ap.add_argument("--timeout", type=int, default=300, help="give up after S seconds")
    a = ap.parse_args()
    if not 1 <= a.spokes <= 200:
        ap.error("--spokes: 1..200")
    if not have_gre():
        sys.exit("bench-rip-fanout: this kernel has no ip_gre (tools/bench rip-fanout "
                 "runs it in the topotest VM)")

    where = "qemu TCG VM" if in_vm() else "host"
    print("rip-fanout: hub + %d spokes, our nhrpd + FRR 8.4 ripd, RIP timers basic %d %d %d, "
          "%s, %d CPUs" % (a.spokes, a.update, 6 * a.update, 4 * a.update, where,
                           os.cpu_count()))
    t = Topology("rip_fanout")
    try:
        hub, spokes = build(t, a.spokes)
        nodes = [hub] + spokes
        for n in nodes:
            n.iptables_restore(MCAST_RULES)
        t0 = time.monotonic()
        t.wait_ready([n.start_zebra(wait=False) for n in nodes], timeout=a.timeout)
        # no debug logging: it would dominate the CPU time measured
        started = [n.start_daemon("nhrpd", nhrpd_conf(n is hub), binary=OUR_NHRPD,
                                  log_level="informational", wait=False) for n in nodes]
        t.wait_ready(started, timeout=a.timeout)
        want = {spoke_tunnel(i) for i in range(1, a.spokes + 1)}

        def registered():
            j = hub.vtysh("show ip nhrp cache json", json=True)
            return {e["protocol"] for e in j.get("table", []) if e["type"] == "dynamic"}
        if not hub.wait_until(lambda: want <= registered(), a.timeout):
            sys.exit("rip-fanout: only %d of %d spokes registered"
                     % (len(registered() & want), a.spokes))
        t_reg = time.monotonic()
        print("  daemons started and %d spokes registered in %.1f s"
              % (a.spokes, t_reg - t0))

        hub_pid = hub.daemon("nhrpd").pid
        window = a.settle * a.update
        # baseline: the hub's nhrpd with registered spokes and no multicast
        idle0 = run_ns(hub_pid)
        time.sleep(window)
        idle = (run_ns(hub_pid) - idle0) if idle0 is not None else None
        cpu0, pk0 = cpu_seconds(hub_pid), nflog_packets(hub)
        started = [n.start_daemon("ripd", ripd_conf(n is hub, a.update), log_level="informational",
                                  wait=False) for n in nodes]
        t.wait_ready(started, timeout=a.timeout)
        t_rip = time.monotonic()
        cpu1, pk1 = cpu_seconds(hub_pid), nflog_packets(hub)
        ns1 = run_ns(hub_pid)

        full = {lan(i) for i in range(0, a.spokes + 1)}
        polled = [t_rip]

        def converged():
            polled.append(time.monotonic())
            routes = rip_route_counts(spokes)
            missing = {s.name: len(full - {lan(i)} - routes.get(s.name, set())) for i, s in
                       enumerate(spokes, 1)}
            converged.missing = sum(missing.values())
            return converged.missing == 0
        converged.missing = None
        ok = hub.wait_until(converged, a.timeout)
        t_conv = polled[-1]
        cpu2, pk2 = cpu_seconds(hub_pid), nflog_packets(hub)
        ns2 = run_ns(hub_pid)
        if not ok:
            print("  NOT converged after %d s: %s routes still missing"
                  % (a.timeout, converged.missing))
        else:
            print("  full convergence (every spoke has all %d other LANs): %.1f s after every "
                  "ripd ran (%.1f update intervals)"
                  % (a.spokes, t_conv - t_rip, (t_conv - t_rip) / a.update))
        dcpu, dpk = cpu2 - cpu1, pk2 - pk1
        print("  hub nhrpd CPU during convergence: %.3f s for %d captured multicast packets "
              "(%d copies)" % (dcpu, dpk, dpk * a.spokes))
        print("  hub nhrpd CPU while ripd started: %.3f s (%d packets)" % (cpu1 - cpu0, pk1 - pk0))

        # steady state: the hub's periodic updates only
        time.sleep(window)
        cpu3, pk3 = cpu_seconds(hub_pid), nflog_packets(hub)
        ns3 = run_ns(hub_pid)
        dcpu, dpk = cpu3 - cpu2, pk3 - pk2
        print("  hub nhrpd CPU in steady state: %.3f s (utime+stime, %d ms ticks) over %d s: "
              "%d captured packets, %d copies"
              % (dcpu, 1000 // CLK_TCK, a.settle * a.update, dpk, dpk * a.spokes))
        if ns3 is not None and ns1 is not None:
            print("  hub nhrpd on-CPU time (schedstat): convergence %.2f ms, steady state "
                  "%.2f ms in %d s; baseline without RIP %.2f ms in %d s"
                  % ((ns2 - ns1) / 1e6, (ns3 - ns2) / 1e6, window, idle / 1e6, window))
            if dpk:
                per = (ns3 - ns2 - idle) / dpk
                print("  steady state minus baseline, per captured packet: %.0f us, per copy "
                      "%.1f us" % (per / 1e3, per / 1e3 / a.spokes))
        lost = [n.name for n in nodes for d in n.daemons.values() if d.died_unexpectedly()]
        if lost:
            print("  daemons that exited on their own: %s" % ", ".join(lost))
        print("  total hub nhrpd CPU since start: %.3f s" % cpu_seconds(hub_pid))
    finally:
        t.close()

    print("rip-fanout with FRR's nhrpd: not run.  FRR 8.4's nhrpd accepts only a /32 on the "
          "tunnel interface, and FRR's ripd only accepts updates from a source inside a "
          "connected prefix: with /32s the hub's ripd drops every spoke's update, so the same "
          "RIP configuration cannot converge.  Making it work needs a per-spoke `neighbor` line "
          "on the hub (unicast updates: ripd itself does the fan-out, nhrpd does none), which "
          "measures something else.")


if __name__ == "__main__":
    main()
