#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/bench shortcut [--rounds N] [--timeout S] [--both-ways] [--ipsec VARIANT [--reqid N]]

DMVPN phase 3: time from the first packet spoke1 LAN -> spoke2 LAN (through
the hub) until spoke1's kernel has the shortcut route to spoke2's LAN via
spoke2's tunnel address, with our nhrpd and with FRR 8.4's nhrpd in the same
run, alternating, N rounds each (default 3), each round on a fresh topology
(tests/topotests/lib/dmvpn.py: hub + 2 spokes, the FRR reference
configuration for both daemons: /32 tunnel addresses, `ip nhrp redirect`
and the NFLOG rule on the hub, `ip nhrp shortcut` on the spokes).  Only
spoke1 sends (FRR 8.4 can lose simultaneous resolutions from both sides).

--both-ways: spoke2 sends to spoke1's LAN at the same moment, and the time
runs until both shortcut routes are there (both spokes resolve at once;
over IPsec both charons initiate IKE to each other).

--ipsec VARIANT (ikev1-psk, ikev2-cert, ikev2-psk): the same over IPsec,
one charon per node with doc/ipsec.rst's trap connection
(tests/topotests/lib/ipsec.py), `tunnel protection` on every gre1; the
time then includes the spoke-to-spoke SA that the first GRE packet to the
other spoke sets up.  --reqid N pins the child's reqid (default: not
pinned, as a swanctl.conf that leaves it out).  Our nhrpd only: FRR 8.4's
nhrpd cannot do IPsec with Debian's stock strongSwan (it needs VICI
commands and events that only out-of-tree patches add; nothing
registers), so there is no ratio.

Prints, never asserts: each round's time, the median per daemon, and the
ratio ours / FRR's (below 1: ours is faster).  The time runs from the first
datagram (its sender's time stamp; one every 0.2 s, as ping -i 0.2) to the
time stamp `ip -ts monitor route` gives the route (microseconds, no
polling).  The topotest (tests/topotests/test_nhrp_shortcut.py) asserts
the behaviour only.

Needs ip_gre: without it on this host, tools/bench runs this inside the
topotest VM (tests/topotests/vm/run-in-vm).
"""
import argparse
import datetime
import os
import re
import select
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))

from lib import Topology, have_gre, in_vm  # noqa: E402
from lib.dmvpn import (HUB_NBMA, build_dmvpn, frr_hub_config, frr_spoke_config,  # noqa: E402
                       hub_nflog_rules, lan_addr, nhrpd_config, spoke_tunnel, start_frr_dmvpn)
from lib.ipsec import IKEV2_CERT, VARIANTS, Pki, have_strongswan, start_charons  # noqa: E402
from lib.topology import FRR_NHRPD, OUR_NHRPD  # noqa: E402

DAEMONS = {"ours": OUR_NHRPD, "FRR 8.4": FRR_NHRPD}


# a datagram from LAN to LAN every 0.2 s (as ping -i 0.2; ping's own
# output is block-buffered on a pipe): the time of the first, on its first
# line
SENDER = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
first = time.time()
while True:
    try:
        s.sendto(bytes(56), (sys.argv[2], 9))
    except OSError:
        pass
    if first:
        print(repr(first), flush=True)
        first = None
    time.sleep(0.2)
"""


def route_time(f, net, via, deadline):
    """the time stamp `ip -ts monitor route` (on f) gives the route to
    net `via` when it comes; None by the deadline (wall clock)"""
    while time.time() < deadline:
        r, _, _ = select.select([f], [], [], max(deadline - time.time(), 0))
        if not r:
            break
        ln = f.readline()
        if not ln:
            break
        m = re.match(r"\[([0-9T:.-]+)\]\s*(.*)", ln)
        if m and m.group(2).startswith(net + " ") and via + " " in m.group(2) + " ":
            return datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").timestamp()
    return None


def start_ipsec(t, d, variant, reqid):
    """charon on every node (trap connection), then zebra and our nhrpd
    with the FRR reference configuration plus `tunnel protection`"""
    pki = Pki(t.logdir) if variant == IKEV2_CERT else None
    ch = start_charons(d.nodes, variant, pki=pki, reqid=reqid)
    d.hub.iptables_restore(hub_nflog_rules(1))
    t.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    hub = nhrpd_config(network_id=1, nflog_group=1, redirect=True, no_unique=True,
                       protection="vici profile dmvpn")
    spoke = nhrpd_config(network_id=1, nhs="dynamic", nhs_nbma=HUB_NBMA, no_unique=True,
                         shortcut=True, protection="ipsec profile dmvpn")
    t.wait_ready([n.start_nhrpd(hub if n is d.hub else spoke, ours=True, wait=False,
                                args=("--vici-socket", ch[n.name].socket)) for n in d.nodes])


def one_round(name, binary, timeout, both=False, ipsec=None, reqid=None):
    """seconds from the first packet to spoke1's shortcut route (both:
    and spoke2's), or None"""
    t = Topology("bench_shortcut")
    try:
        if ipsec:
            d = build_dmvpn(t, spokes=2, tunnel_plen=32, tx_csum_off=False)
            start_ipsec(t, d, ipsec, reqid)
        else:
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
        s1, s2 = d.spokes
        # (spoke, its route to the other LAN, via the other's tunnel address)
        wanted = [(s1, "10.2.0.0/24", "via %s" % spoke_tunnel(2))]
        if both:
            wanted.append((s2, "10.1.0.0/24", "via %s" % spoke_tunnel(1)))
        # the route's arrival as the kernel reports it (ip -ts monitor:
        # its own time stamp), from the first datagram's own time stamp: no
        # process start-up or polling in the figure (under TCG either takes
        # a tenth of a second)
        mons = [s.popen(["ip", "-ts", "monitor", "route"], stdout=subprocess.PIPE, text=True,
                        bufsize=1) for s, _, _ in wanted]
        pings = []
        try:
            time.sleep(1)       # the monitors are listening
            pings = [s.popen([sys.executable, "-c", SENDER, lan_addr(i + 1), lan_addr(2 - i)],
                             stdout=subprocess.PIPE, text=True)
                     for i, (s, _, _) in enumerate(wanted)]
            firsts = [p.stdout.readline().strip() for p in pings]
            if not all(firsts):
                print("  %s: the traffic sender did not start" % name)
                return None
            t0 = min(map(float, firsts))
            times = [route_time(m.stdout, net, via, t0 + timeout)
                     for m, (_, net, via) in zip(mons, wanted)]
            if None in times:
                print("  %s: no shortcut route%s in %d s" % (name, "s" if both else "", timeout))
                return None
            return max(times) - t0
        finally:
            for p in pings + mons:
                p.kill()
                p.wait()
    finally:
        t.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=int, default=60, help="give up a round after S seconds")
    ap.add_argument("--both-ways", action="store_true",
                    help="both spokes send at once; until both shortcut routes are there")
    ap.add_argument("--ipsec", choices=VARIANTS, metavar="VARIANT",
                    help="over IPsec: %s (our nhrpd only)" % ", ".join(VARIANTS))
    ap.add_argument("--reqid", type=int, default=None,
                    help="with --ipsec: pin the child's reqid (default: not pinned)")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds: at least 1")
    if a.reqid is not None and not a.ipsec:
        ap.error("--reqid: only with --ipsec")
    if a.ipsec and not have_strongswan():
        sys.exit("bench-shortcut: --ipsec needs strongSwan (strongswan-charon strongswan-swanctl "
                 "charon-systemd strongswan-pki libcharon-extra-plugins)")
    if not have_gre():
        sys.exit("bench-shortcut: this kernel has no ip_gre (tools/bench shortcut runs it in "
                 "the topotest VM)")
    daemons = DAEMONS
    over = ""
    if a.ipsec:
        daemons = {"ours": OUR_NHRPD}
        over = ", over IPsec (%s, reqid %s)" % (
            a.ipsec, "pinned to %d" % a.reqid if a.reqid is not None else "not pinned")
    print("shortcut: hub + 2 spokes, first packet -> %s%s, %d rounds per nhrpd, %s, %d CPUs" % (
        "both spokes' shortcut routes (both send)" if a.both_ways else "spoke1's shortcut route",
        over, a.rounds, "qemu TCG VM" if in_vm() else "host", os.cpu_count()))
    if a.ipsec:
        print("  FRR 8.4 nhrpd: not run: it cannot do IPsec with Debian's stock strongSwan "
              "(it needs VICI commands and events of out-of-tree patches; nothing registers)")
    times = {name: [] for name in daemons}
    for r in range(a.rounds):
        for name, binary in daemons.items():
            took = one_round(name, binary, a.timeout, both=a.both_ways, ipsec=a.ipsec,
                             reqid=a.reqid)
            print("  round %d, %s nhrpd: %s" % (r + 1, name,
                                               "%.3f s" % took if took is not None else "failed"))
            if took is not None:
                times[name].append(took)
    med = {name: statistics.median(v) for name, v in times.items() if v}
    for name, v in times.items():
        if v:
            print("  %s nhrpd: median %.3f s (min %.3f, max %.3f, %d of %d rounds)"
                  % (name, med[name], min(v), max(v), len(v), a.rounds))
    if a.ipsec:
        print("  ratio: none (FRR 8.4's nhrpd cannot run over stock strongSwan)")
    elif len(med) == 2 and med["FRR 8.4"] > 0:
        print("  ratio ours / FRR 8.4: %.2f" % (med["ours"] / med["FRR 8.4"]))
    else:
        print("  ratio: not computed (a daemon made no shortcut)")


if __name__ == "__main__":
    main()
