#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tools/bench scale: the figures of a hub for 10,000 spokes, ours and FRR
8.4's nhrpd side by side, in one VM boot: the registration storm at 1,000
and 10,000 spokes with its refresh round and the multicast fan-out
(tools/bench-storm.py --spokes 1000 10000 --fanout 20), then the shortcut
set-up (tools/bench-shortcut.py --rounds 5).  Prints what they print;
asserts nothing."""
import os
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))


def main():
    if len(sys.argv) > 1:
        sys.exit("usage: tools/bench scale (no arguments: tools/bench storm and "
                 "tools/bench shortcut take them)")
    rc = 0
    for script, args in (("bench-storm.py", ["--spokes", "1000", "10000", "--fanout", "20"]),
                         ("bench-shortcut.py", ["--rounds", "5"])):
        sys.stdout.flush()
        rc = subprocess.call([sys.executable, os.path.join(TOOLS, script)] + args) or rc
    sys.exit(rc)


if __name__ == "__main__":
    main()
