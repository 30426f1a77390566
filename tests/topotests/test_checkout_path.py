# SPDX-License-Identifier: GPL-2.0-or-later
"""The checkout as the topotests see it, wherever it was cloned: the build
products inside it (nhrpd/nhrpd, vtysh/vtysh) run here, and writing inside
it works.  In the VM a checkout below /tmp (a fresh tmpfs there) is shared
at its own path by run-in-vm; tests/test_clone_path.py runs this file from
a clone under /tmp and names that clone in NHRPD_EXPECT_CHECKOUT."""
import os

from lib.topology import OUR_NHRPD, OUR_VTYSH, TOP


def test_our_build_runs_from_the_checkout(topo):
    want = os.environ.get("NHRPD_EXPECT_CHECKOUT")
    if want:
        assert TOP == want, "the tests run from %s, not from the clone %s" % (TOP, want)
    for b in (OUR_NHRPD, OUR_VTYSH):
        assert os.access(b, os.X_OK), "%s is not built (tools/build)" % b
    n = topo.add_node("n")
    n.add_dummy("lan0", "10.1.0.1/24")
    n.start_zebra()
    d = n.start_nhrpd("interface lan0\n ip nhrp network-id 4242\nexit\n", ours=True)
    # the process is the checkout's nhrpd (ip netns exec execs it)
    assert os.readlink("/proc/%d/exe" % d.pid) == OUR_NHRPD
    out = n.vtysh("show running-config", vtysh=OUR_VTYSH)
    assert out.rc == 0 and " ip nhrp network-id 4242" in out.splitlines(), out


def test_writes_inside_the_checkout(topo):
    probe = os.path.join(TOP, "tests", "topotests", ".probe-%d" % os.getpid())
    try:
        with open(probe, "w") as f:
            f.write("written in %s\n" % topo.name)
        with open(probe) as f:
            assert f.read() == "written in %s\n" % topo.name
    finally:
        if os.path.exists(probe):
            os.unlink(probe)
    assert not os.path.exists(probe)
