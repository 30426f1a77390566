# SPDX-License-Identifier: GPL-2.0-or-later
"""doc/design's picture of nhrpd/ matches the files: every C file of the
daemon is described there, and every file it names exists."""
import os
import re

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def design_text():
    for name in ("design.rst", "design.md"):
        path = os.path.join(TOP, "doc", name)
        if os.path.exists(path):
            return open(path).read()
    raise AssertionError("no doc/design.rst or doc/design.md")


def sources():
    return sorted(f for f in os.listdir(os.path.join(TOP, "nhrpd"))
                  if re.fullmatch(r"nhrp_\w+\.c", f) and not f.endswith("_clippy.c"))


def test_every_source_file_is_described():
    text = design_text()
    missing = [f for f in sources() if f not in text]
    assert not missing, "not in doc/design: %s" % missing


def test_every_named_file_exists():
    named = set(re.findall(r"\bnhrp_\w+\.[ch]\b", design_text()))
    gone = sorted(f for f in named
                  if not os.path.exists(os.path.join(TOP, "nhrpd", f)))
    assert not gone, "doc/design names files that do not exist: %s" % gone
