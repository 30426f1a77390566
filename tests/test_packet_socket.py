# SPDX-License-Identifier: GPL-2.0-or-later
"""The NHRP packet socket of a real nhrpd: `nhrp packet-buffer` sizes its
receive buffer (round trip, bad input refused), and `show ip nhrp traffic`
counts what the kernel dropped while nhrpd could not read.  A burst of
NHRP frames (ethertype 0x2001) comes in on a veth while nhrpd is stopped
(SIGSTOP): with the smallest buffer most of it is lost, with the default
none.  Network namespaces only (no GRE): runs on any host as root."""
import json
import os
import signal
import subprocess
import sys

import pytest

from frrnode import OUR_NHRPD, wait_until
from test_foundation import node, start_pair  # noqa: F401 (node: the fixture)

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)"),
    pytest.mark.skipif(not os.path.exists(OUR_NHRPD), reason="nhrpd not built"),
    pytest.mark.skipif(not os.path.exists("/usr/lib/frr/zebra"), reason="FRR not installed"),
]

DEFAULT = 33554432
BURST = 3000

# frames from veth-wan arrive on its peer gre1 (a veth here): the packet
# socket takes every ETH_P_NHRP frame of every interface
SENDER = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("veth-wan", 0))
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x20\x01" + bytes(100)
for _ in range(int(sys.argv[1])):
    s.send(frame)
"""


def packet_socket(node):
    with node.vty() as v:
        return json.loads(v.ok("show ip nhrp traffic json"))["packetSocket"]


def burst(node, n):
    """n frames while nhrpd sleeps; its counters after it read them"""
    before = packet_socket(node)
    os.kill(node.pids["nhrpd"], signal.SIGSTOP)
    try:
        subprocess.run(["ip", "netns", "exec", node.name, sys.executable, "-c",
                        SENDER, str(n)], check=True)
    finally:
        os.kill(node.pids["nhrpd"], signal.SIGCONT)
    after = wait_until(lambda: (lambda s: s if s["received"] - before["received"] >= n
                                else None)(packet_socket(node)), 10)
    assert after, packet_socket(node)
    return after["received"] - before["received"], after["dropped"] - before["dropped"]


def test_default_buffer_holds_a_burst(node):
    start_pair(node)
    ps = packet_socket(node)
    # the kernel reports twice what was asked (its bookkeeping)
    assert ps["bufferBytes"] == 2 * DEFAULT, ps
    assert ps["dropped"] == 0
    received, dropped = burst(node, BURST)
    assert received >= BURST
    assert dropped == 0, (received, dropped)
    with node.vty() as v:
        out = v.ok("show ip nhrp traffic")
    assert "Packet socket: received %d, dropped 0" % packet_socket(node)["received"] in out


def test_small_buffer_drops_and_counts(node):
    start_pair(node, "nhrp packet-buffer 65536\n")
    with node.vty() as v:
        assert "nhrp packet-buffer 65536" in v.ok("show running-config")
    assert packet_socket(node)["bufferBytes"] == 2 * 65536
    received, dropped = burst(node, BURST)
    assert received >= BURST
    # 128 KiB hold a few hundred frames of a veth at most
    assert dropped > BURST // 2, (received, dropped)


def test_packet_buffer_round_trip_and_bad_input(node):
    start_pair(node)
    with node.vty() as v:
        v.ok("configure terminal", "nhrp packet-buffer 1048576", "end")
        assert "nhrp packet-buffer 1048576" in v.ok("show running-config")
        assert packet_socket(node)["bufferBytes"] == 2 * 1048576
        v.ok("configure terminal")
        for bad in ("nhrp packet-buffer 1000", "nhrp packet-buffer 2000000000",
                    "nhrp packet-buffer lots"):
            st, out = v.command(bad)
            assert st != 0, (bad, out)
        v.ok("end")
        assert packet_socket(node)["bufferBytes"] == 2 * 1048576
        v.ok("configure terminal", "no nhrp packet-buffer", "end")
        assert "packet-buffer" not in v.ok("show running-config")
    assert packet_socket(node)["bufferBytes"] == 2 * DEFAULT
