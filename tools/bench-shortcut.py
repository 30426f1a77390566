#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/bench shortcut [--rounds N] [--timeout S]

DMVPN phase 3: time from the first packet spoke1 LAN -> spoke2 LAN (through
the hub) until spoke1's kernel has the shortcut route to spoke2's LAN via
spoke2's tunnel address, with our nhrpd and with FRR 8.4's nhrpd in the same
run, alternating, N rounds each (default 3), each round on a fresh topology
(tests/topotests/lib/dmvpn.py: hub + 2 spokes, the FRR reference
configuration for both daemons: /32 tunnel addresses, `ip nhrp redirect`
and the NFLOG rule on the hub, `ip nhrp shortcut` on the spokes).  Only
spoke1 sends (FRR 8.4 can lose simultaneous resolutions from both sides).

Prints, never asserts: each round's time, the median per daemon, and the
ratio ours / FRR's (below 1: ours is faster).  The route is polled every
50 ms through `ip route`, which bounds the resolution.  The topotest
(tests/topotests/test_nhrp_shortcut.py) asserts the behaviour only.

Needs ip_gre: without it on this host, tools/bench runs this inside the
topotest VM (tests/topotests/vm/run-in-vm).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))

from lib import Topology, have_gre, in_vm  # noqa: E402
from lib.dmvpn import (build_dmvpn, frr_hub_config, frr_spoke_config, lan_addr,  # noqa: E402
                       spoke_tunnel, start_frr_dmvpn)
from lib.topology import FRR_NHRPD, OUR_NHRPD  # noqa: E402
from lib.util import run  # noqa: E402

DAEMONS = {"ours": OUR_NHRPD, "FRR 8.4": FRR_NHRPD}


def one_round(name, binary, timeout):
    """seconds from the first packet to spoke1's shortcut route, or None"""
    t = Topology("bench_shortcut")
    try:
        d = build_dmvpn(t, spokes=2, tunnel_plen=32)
        # no debug logging: it would be part of what is measured
        start_frr_dmvpn(d, nhrpd=binary, hub_config=frr_hub_config(debug=False),
                        spoke_config=frr_spoke_config(debug=False))
        want = {spoke_tunnel(1), spoke_tunnel(2)}

        def registered():
            j = d.hub.show("show ip nhrp cache json", json=True)
            return {e["protocol"] for e in j.get("table", []) if e["type"] == "dynamic"}
        if not d.hub.wait_until(lambda: want <= registered(), timeout):
            print("  %s: the spokes did not register in %d s" % (name, timeout))
            return None
        s1 = d.spokes[0]
        route = ["ip", "-n", s1.ns, "route", "show", "10.2.0.0/24"]
        via = "via %s" % spoke_tunnel(2)
        ping = s1.popen(["ping", "-q", "-c", str(int(timeout / 0.2)), "-i", "0.2",
                         "-I", lan_addr(1), lan_addr(2)], stdout=subprocess.DEVNULL)
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < timeout:
                if via in run(route).stdout:
                    return time.monotonic() - t0
                time.sleep(0.05)
            print("  %s: no shortcut route in %d s" % (name, timeout))
            return None
        finally:
            ping.kill()
            ping.wait()
    finally:
        t.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=60, help="give up a round after S seconds")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds: at least 1")
    if not have_gre():
        sys.exit("bench-shortcut: this kernel has no ip_gre (tools/bench shortcut runs it in "
                 "the topotest VM)")
    print("shortcut: hub + 2 spokes, first packet -> spoke1's shortcut route, %d rounds per "
          "nhrpd, %s, %d CPUs" % (a.rounds, "qemu TCG VM" if in_vm() else "host",
                                  os.cpu_count()))
    times = {name: [] for name in DAEMONS}
    for r in range(a.rounds):
        for name, binary in DAEMONS.items():
            took = one_round(name, binary, a.timeout)
            print("  round %d, %s nhrpd: %s" % (r + 1, name,
                                               "%.2f s" % took if took is not None else "failed"))
            if took is not None:
                times[name].append(took)
    med = {name: statistics.median(v) for name, v in times.items() if v}
    for name, v in times.items():
        if v:
            print("  %s nhrpd: median %.2f s (min %.2f, max %.2f, %d of %d rounds)"
                  % (name, med[name], min(v), max(v), len(v), a.rounds))
    if len(med) == 2 and med["FRR 8.4"] > 0:
        print("  ratio ours / FRR 8.4: %.2f" % (med["ours"] / med["FRR 8.4"]))
    else:
        print("  ratio: not computed (a daemon made no shortcut)")


if __name__ == "__main__":
    main()
