# SPDX-License-Identifier: GPL-2.0-or-later
"""The tools from a clone under /tmp, which the test VM mounts fresh: a
clone of this checkout (with its uncommitted changes) in a new /tmp
directory builds with tools/build (FRR's library is the shared cache, so
only nhrpd's own build is repeated) and runs the topotest runner on
tests/topotests/test_checkout_path.py there: that clone's nhrpd and vtysh
must run in the VM, and the JUnit file, written inside the clone, must come
back out of it."""
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEST = "tests/topotests/test_checkout_path.py"

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the topotest runner boots a VM)"),
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(not os.path.exists(os.path.join(TOP, ".git")),
                       reason="not a git checkout (a release tarball): nothing to clone"),
]


def git(*args, cwd=TOP, **kw):
    return subprocess.run(["git", "-c", "safe.directory=*"] + list(args), cwd=cwd, check=True,
                          capture_output=True, **kw).stdout


def clone(dst):
    """dst: this checkout's HEAD plus its working tree's changes."""
    git("clone", "-q", "--shared", TOP, dst)
    diff = git("diff", "HEAD", "--binary")
    if diff:
        git("apply", "--whitespace=nowarn", cwd=dst, input=diff)
    for f in git("ls-files", "-o", "--exclude-standard", "-z").decode().split("\0"):
        if f and os.path.isfile(os.path.join(TOP, f)):
            os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
            shutil.copy2(os.path.join(TOP, f), os.path.join(dst, f))


def run(argv, cwd, env=None, timeout=900):
    r = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=timeout)
    assert r.returncode == 0, "%s: exit %d\n%s" % (" ".join(argv), r.returncode, r.stdout[-4000:])
    return r.stdout


def test_build_and_topotests_from_a_clone_under_tmp():
    dst = tempfile.mkdtemp(prefix="nhrpd-clone-", dir="/tmp")
    try:
        clone(dst)
        run([os.path.join(dst, "tools", "build")], dst)
        for b in ("nhrpd/nhrpd", "vtysh/vtysh"):
            assert os.access(os.path.join(dst, b), os.X_OK), "%s not built in the clone" % b
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env["NHRPD_EXPECT_CHECKOUT"] = os.path.realpath(dst)
        junit = os.path.join(dst, "results", "topo.xml")
        out = run([os.path.join(dst, "tests", "topotests", "run"), "-q", "-rs", TEST,
                   "--junitxml=results/topo.xml"], dst, env=env)
        assert "2 passed" in out, out[-4000:]
        # the JUnit file is written inside the clone, in the VM too
        suite = next(ET.parse(junit).getroot().iter("testsuite"))
        counts = {k: int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped")}
        assert counts == {"tests": 2, "failures": 0, "errors": 0, "skipped": 0}, (counts, out)
    finally:
        shutil.rmtree(dst, ignore_errors=True)
