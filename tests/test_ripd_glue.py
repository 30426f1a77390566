# SPDX-License-Identifier: GPL-2.0-or-later
"""ripd-glue/ is real: its README names exactly the files that are there,
`make install` ships them as examples (both packages install through it),
and nhrpd reads its two nhrpd files without a single error (FRR's
--dryrun, with a negative control).  That FRR's ripd and our nhrpd run
RIPv2 across the cloud from exactly these files is
tests/topotests/test_rip_dmvpn.py."""
import filecmp
import os
import re
import subprocess

import pytest

from frrnode import nhrpd_dry_run

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("top_builddir", TOP))
SRC = os.path.abspath(os.environ.get("top_srcdir", TOP))
GLUE = os.path.join(SRC, "ripd-glue")
NHRPD = os.path.join(BUILD, "nhrpd", "nhrpd")


def files():
    return sorted(os.listdir(GLUE))


def test_readme_names_exactly_the_files_there():
    readme = open(os.path.join(GLUE, "README.md")).read()
    named = set(re.findall(r"`([\w.-]+\.conf)`", readme))
    assert named == {f for f in files() if f.endswith(".conf")}


def test_every_file_is_distributed_and_installed():
    am = open(os.path.join(SRC, "doc", "subdir.am")).read()
    listed = re.search(r"^dist_ripdglue_DATA = \\\n((?:\t.*\\\n)+)", am, re.M)
    assert listed, "doc/subdir.am has no dist_ripdglue_DATA"
    assert sorted(re.findall(r"ripd-glue/(\S+)", listed.group(1))) == files()


@pytest.mark.skipif(not os.path.exists(os.path.join(BUILD, "Makefile")), reason="not configured")
def test_make_install_ships_them_as_examples(tmp_path):
    dest = tmp_path / "dest"
    r = subprocess.run(["make", "-s", "-C", BUILD, "install-dist_ripdglueDATA",
                        "DESTDIR=%s" % dest, "docdir=/usr/share/doc/nhrpd"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    inst = dest / "usr/share/doc/nhrpd/examples/ripd-glue"
    assert sorted(os.listdir(inst)) == files()
    for f in files():
        assert filecmp.cmp(os.path.join(GLUE, f), str(inst / f), shallow=False), f


needs_nhrpd = pytest.mark.skipif(not os.access(NHRPD, os.X_OK) or os.geteuid() != 0,
                                 reason="needs the built nhrpd, as root")


@needs_nhrpd
@pytest.mark.parametrize("name", ["hub-nhrpd.conf", "spoke-nhrpd.conf"])
def test_nhrpd_reads_the_file_without_an_error(name):
    assert nhrpd_dry_run(open(os.path.join(GLUE, name)).read(), NHRPD) == []


@needs_nhrpd
def test_dryrun_reports_a_bad_line():
    """the negative control of the test above"""
    text = open(os.path.join(GLUE, "hub-nhrpd.conf")).read()
    assert " ip nhrp holdtime 600\n" in text
    errs = nhrpd_dry_run(text.replace(" ip nhrp holdtime 600", " ip nhrp holdtime 99999"), NHRPD)
    assert errs and "holdtime 99999" in errs[0], errs
