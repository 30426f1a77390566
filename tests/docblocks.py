# SPDX-License-Identifier: GPL-2.0-or-later
"""The configuration blocks of doc/dmvpn-guide.rst, for the tests that load
them (tests/test_doc_guide.py on the host, tests/topotests/test_doc_guide.py
in the VM), so that the guide cannot drift from what nhrpd accepts.

Every ``.. code-block::`` of the guide carries a ``:name:``; blocks() maps
each name to its text (the directive's indentation removed)."""
import os
import re

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUIDE = os.path.join(os.environ.get("top_srcdir", TOP), "doc", "dmvpn-guide.rst")

_BLOCK = re.compile(
    r"^\.\. code-block:: *(?P<lang>\S+)\n(?P<opts>(?:   :\S+:.*\n)*)\n"
    r"(?P<body>(?:(?:   .*)?\n)+)", re.M)

# the names the tests know what to do with; a new block needs a test
KNOWN = {
    "hub-tunnel", "hub-netfilter", "hub-daemons", "hub-frr-conf",
    "cisco-spoke1", "spoke-tunnel", "spoke-nhrpd-conf", "spoke-ripd-conf",
    "hub-show-dmvpn", "spoke-show-dmvpn",
    "hub-swanctl-conf", "ipsec-nhrpd-lines", "cisco-spoke1-crypto",
}


def code_blocks(path=GUIDE):
    """[(name or None, language, text)] in page order."""
    with open(path) as f:
        page = f.read()
    out = []
    for m in _BLOCK.finditer(page):
        name = None
        for opt in m.group("opts").splitlines():
            k, _, v = opt.strip().partition(" ")
            if k == ":name:":
                name = v.strip()
        body = "\n".join(line[3:] for line in m.group("body").rstrip("\n").split("\n"))
        out.append((name, m.group("lang"), body.strip("\n") + "\n"))
    return out


def blocks(path=GUIDE):
    """{name: text}; raises ValueError on an unnamed or duplicate block."""
    res = {}
    for name, _lang, text in code_blocks(path):
        if not name:
            raise ValueError("%s: a code-block without :name:" % path)
        if name in res:
            raise ValueError("%s: two blocks named %s" % (path, name))
        res[name] = text
    return res


def second_spoke(text):
    """The guide's rule for spoke2: its NBMA, tunnel and LAN addresses."""
    for a, b in (("198.51.100.1", "203.0.113.1"), ("10.255.255.11", "10.255.255.12"),
                 ("10.1.0.1", "10.2.0.1")):
        text = text.replace(a, b)
    return text


def shell_lines(text):
    """The commands of a shell block (no comments, no blank lines)."""
    return [l for l in (x.strip() for x in text.splitlines()) if l and not l.startswith("#")]


_DMVPN_ROW = re.compile(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S*)\s*$")


def dmvpn_summary(text):
    """`show dmvpn` text without what changes between runs: the header
    lines as they are, and the set of peer rows (count, NBMA, tunnel, state,
    attributes) without the up/down time."""
    head, rows = [], set()
    for line in text.splitlines():
        m = _DMVPN_ROW.match(line)
        if m and m.group(2)[0].isdigit():
            rows.add((m.group(1), m.group(2), m.group(3), m.group(4), m.group(6)))
        elif line.strip():
            head.append(" ".join(line.split()))
    return head, rows
