# SPDX-License-Identifier: GPL-2.0-or-later
"""README.md's example is what tools/lab and tests/topotests/test_netfilter.py
run: the lab reads the blocks from the README (no copy of its own), and the
hub's block is the natural Cisco-like one, with no rule or NFLOG group to
add by hand."""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))

from lib.readme import readme_configs  # noqa: E402


def test_readme_blocks_found():
    c = readme_configs()
    assert c["hub"].startswith("interface gre1\n") and c["hub"].rstrip().endswith("exit")
    assert c["spoke"].startswith("interface gre1\n") and c["spoke"].rstrip().endswith("exit")
    hub = c["hub"].splitlines()
    assert " ip nhrp redirect" in hub
    assert " ip nhrp map multicast dynamic" in hub
    assert " ip nhrp shortcut" in c["spoke"].splitlines()


def test_readme_example_needs_no_nflog_group():
    c = readme_configs()
    for role, text in c.items():
        assert "nflog-group" not in text, role
    with open(os.path.join(TOP, "README.md")) as f:
        readme = f.read()
    assert "iptables" not in readme and "must be added" not in readme


def test_lab_runs_the_readme_lines():
    with open(os.path.join(TOP, "tools", "lab.py")) as f:
        lab = f.read()
    assert "readme_configs()" in lab
    # no configuration of its own
    assert not re.search(r"ip nhrp (network-id|nhs|redirect)", lab)


def test_parser_refuses_a_readme_without_the_blocks(tmp_path):
    p = tmp_path / "README.md"
    p.write_text("# x\n\n## Example: a hub and a spoke\n\nHub:\n\nno block\n")
    try:
        readme_configs(str(p))
    except ValueError as e:
        assert "hub" in str(e)
    else:
        raise AssertionError("a README without blocks was accepted")
