# SPDX-License-Identifier: GPL-2.0-or-later
"""Talk to a daemon's vty socket directly (what vtysh does underneath), so
that polling `show` commands costs no process start: under TCG a vtysh
process costs 0.4-1.3 s, a socket round trip a few milliseconds.  The
client itself is tests/vtyclient.py, shared with the host tests."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
from vtyclient import Vty as VtySession, VtyError  # noqa: E402,F401


def vty_commands(path, cmds, enable=True, timeout=30.0):
    """Run commands on one session; returns [(status, output), ...]."""
    with VtySession(path, timeout, enable=enable) as s:
        return [s.command(c) for c in cmds]
