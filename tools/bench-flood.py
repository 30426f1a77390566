#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/bench flood [--malformed N] [--resreq N] [--sources N] [--only ours|frr]

A hub under a packet flood from one attacker host on the NBMA network (no
IPsec), our nhrpd as hub, then FRR 8.4's nhrpd as hub in the same run and
the same topology (hub + 2 spokes running our nhrpd, the attacker without
nhrpd; tunnel addresses /32, which FRR's nhrpd needs).  The generator
(tools/bench-flood-gen.c, built by tools/bench) sends from a raw socket
with spoofed outer sources 198.51.100.100 and on (--sources, default 150):

  1. N malformed packets (default 100,000): a Registration Request with a
     bad checksum, truncated, of another version, with a packet size past
     its end, with an extension offset inside the fixed header, in turn;
  2. N Resolution Requests (default 100,000) for the hub's own address,
     each from another requester (10.255.x.y) and its outer source.

Prints, never asserts, after each phase: packets sent and in what time,
the hub nhrpd's on-CPU time for them (/proc/PID/schedstat, until it is
idle again) per packet sent, its RSS before/after, whether it still
answers (the round trip of a Registration Request from the attacker's own
address), whether the spokes' registrations are untouched, and how many
cache entries and kernel neighbours it holds; then our figures as ratios
of FRR's.

Needs ip_gre: without it on this host, tools/bench runs this inside the
topotest VM (tests/topotests/vm/run-in-vm).
"""
import argparse
import os
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))

from lib import Topology, have_gre, in_vm, nhrp  # noqa: E402
from lib.cisco import inject  # noqa: E402
from lib.dmvpn import HUB_NBMA, HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, spoke_tunnel  # noqa: E402
from lib.topology import FRR_NHRPD, OUR_NHRPD  # noqa: E402

ATT_NBMA, ATT_TUN = "198.51.100.66", "10.255.0.66"
SRC_BASE = "198.51.100.100"
KEY = 42
HUB = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 600
 tunnel source eth0
exit
"""
SPOKE = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 600
 ip nhrp nhs %s nbma %s
 ip nhrp registration no-unique
 tunnel source eth0
exit
""" % (HUB_TUNNEL, HUB_NBMA)


def run_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1])
    return 0


def idle_cpu(pid, quiet=1.0, timeout=120):
    """on-CPU ns once the process used less than 1 ms over `quiet` s"""
    last = run_ns(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = run_ns(pid)
        if now - last < 1e6:
            return now
        last = now
    return last


def cache(node):
    try:
        j = node.show("show ip nhrp cache json", json=True)
    except Exception:  # noqa: BLE001 - a hub that died answers nothing
        return []
    return j.get("table", []) if isinstance(j, dict) else []


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def spokes_ok(hub):
    want = {spoke_tunnel(1): SPOKE_NBMA[0], spoke_tunnel(2): SPOKE_NBMA[1]}
    dyn = {e["protocol"]: e["nbma"] for e in cache(hub) if e.get("type") == "dynamic"}
    return {p: dyn.get(p) for p in want} == want


def neigh_count(node):
    return len([ln for ln in node.run("ip neigh show dev gre1").stdout.splitlines() if ln.strip()])


_reqid = [5000]


def reg_roundtrip(att, timeout=10.0):
    """seconds from a Registration Request of the attacker's own address
    to the hub's reply, or None"""
    _reqid[0] += 1
    rid = _reqid[0]
    p = nhrp.pdu(nhrp.REG_REQ, ATT_NBMA, ATT_TUN, HUB_TUNNEL, reqid=rid, flags=nhrp.FLAG_NAT,
                 cies=[nhrp.cie(prefix=32, holdtime=600, nbma=ATT_NBMA, proto=ATT_TUN)])
    with nhrp.Listener(att) as ls:
        t0 = time.monotonic()
        inject(att, [p], HUB_NBMA)
        got = ls.wait(lambda q: q.type == nhrp.REG_REPLY and q.reqid == rid, timeout)
        return time.monotonic() - t0 if got else None


def one(label, binary, gen, a):
    t = Topology("flood_" + label)
    res = {}
    try:
        d = build_dmvpn(t, spokes=2, tunnel_plen=32, lans=False, routes=False)
        att = t.add_node("attacker")
        t.attach_nbma(att, ATT_NBMA + "/24")
        att.add_gre("gre1", key=KEY, addrs=[ATT_TUN + "/32"], dev="eth0")
        t.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
        # no debug logging: it would dominate the CPU time measured
        t.wait_ready([d.hub.start_daemon("nhrpd", HUB, binary=binary,
                                         log_level="informational", wait=False)] +
                     [s.start_daemon("nhrpd", SPOKE, binary=OUR_NHRPD,
                                     log_level="informational", wait=False)
                      for s in d.spokes])
        if not d.hub.wait_until(lambda: spokes_ok(d.hub), 60):
            print("  %s: the spokes did not register" % label)
            return None
        pid = d.hub.daemon("nhrpd").pid
        res["rss0"] = rss_kb(pid)
        res["rtt0"] = reg_roundtrip(att)
        print("  %s hub: RSS %d kB, registration round trip %s" %
              (label, res["rss0"], fmt_rtt(res["rtt0"])))
        for mode, count in (("malformed", a.malformed), ("resreq", a.resreq)):
            if not d.hub.daemon("nhrpd").running():
                break
            c0 = idle_cpu(pid)
            out = att.run([gen, mode, str(count), HUB_NBMA, str(KEY), SRC_BASE,
                           str(a.sources)], timeout=1800).stdout.split()
            sent, secs = int(out[0]), float(out[1])
            alive = d.hub.daemon("nhrpd").running()
            c1 = idle_cpu(pid) if alive else c0
            r = {"sent": sent, "secs": secs, "us": (c1 - c0) / 1e3 / max(sent, 1),
                 "rss": rss_kb(pid), "rtt": reg_roundtrip(att), "ok": spokes_ok(d.hub),
                 "cache": len(cache(d.hub)), "neigh": neigh_count(d.hub),
                 "alive": d.hub.daemon("nhrpd").running()}
            res[mode] = r
            print("  %s hub, %d %s in %.1f s (%.0f/s): %.2f us on-CPU per packet; RSS %d kB "
                  "(%+d); answering: %s; spokes untouched: %s; %d cache entries, %d neighbours%s"
                  % (label, sent, mode, secs, sent / secs if secs else 0, r["us"], r["rss"],
                     r["rss"] - res["rss0"], fmt_rtt(r["rtt"]), "yes" if r["ok"] else "NO",
                     r["cache"], r["neigh"], "" if r["alive"] else "; nhrpd DIED"))
            if not r["alive"]:
                dm = d.hub.daemon("nhrpd")
                print("  %s hub nhrpd exited (status %s); its output and log end:\n%s%s"
                      % (label, dm.proc.poll() if dm.proc else "?", tail(dm.out), tail(dm.log)))
    finally:
        t.close()
    return res


def fmt_rtt(r):
    return "no answer" if r is None else "%.1f ms" % (r * 1e3)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--malformed", type=int, default=100000)
    ap.add_argument("--resreq", type=int, default=100000)
    ap.add_argument("--sources", type=int, default=150, help="outer source addresses (1..150)")
    ap.add_argument("--only", choices=("ours", "frr"))
    ap.add_argument("--gen", required=True, help="bench-flood-gen binary")
    a = ap.parse_args()
    if not 1 <= a.sources <= 150:
        ap.error("--sources: 1..150")
    if not have_gre():
        sys.exit("bench-flood: this kernel has no ip_gre (tools/bench flood runs it in the "
                 "topotest VM)")
    print("flood: %d malformed + %d resolution requests from %d spoofed sources at a hub "
          "with 2 spokes, %s, %d CPUs" % (a.malformed, a.resreq, a.sources,
                                          "qemu TCG VM" if in_vm() else "host", os.cpu_count()))
    res = {}
    for label, binary in (("ours", OUR_NHRPD), ("frr", FRR_NHRPD)):
        if a.only and a.only != label:
            continue
        res[label] = one(label, binary, a.gen, a)
    if res.get("ours") and res.get("frr"):
        o, f = res["ours"], res["frr"]
        for mode in ("malformed", "resreq"):
            if f[mode]["us"]:
                print("  %s: ours/FRR on-CPU per packet %.2f; RSS growth ours %+d kB, FRR %+d kB; "
                      "cache entries ours %d, FRR %d"
                      % (mode, o[mode]["us"] / f[mode]["us"], o[mode]["rss"] - o["rss0"],
                         f[mode]["rss"] - f["rss0"], o[mode]["cache"], f[mode]["cache"]))


if __name__ == "__main__":
    main()
