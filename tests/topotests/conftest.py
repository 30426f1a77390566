# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest glue for the topotests: the `topo` fixture, the `gre` marker
(skipped with a reason when the kernel has no ip_gre, unless
NHRPD_REQUIRE_GRE=1 as tests/topotests/run sets it), and the failure
report (which node, daemon log tails, `show` output) attached to every
failing test while a topology is alive."""
import atexit
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lib import topology  # noqa: E402
from lib.report import dump_topology  # noqa: E402
from lib.util import have_gre, in_vm  # noqa: E402

atexit.register(topology.close_all)


def pytest_configure(config):
    config.addinivalue_line("markers", "gre: needs ip_gre (a real kernel: host or the test VM)")


def pytest_sessionstart(session):
    if os.geteuid() == 0:
        topology.remove_stale_namespaces()


def pytest_collection_modifyitems(config, items):
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="topotests need root (network namespaces)")
        for it in items:
            it.add_marker(skip)
        return
    if any(it.get_closest_marker("gre") for it in items) and not have_gre() \
            and os.environ.get("NHRPD_REQUIRE_GRE") != "1":
        skip = pytest.mark.skip(reason="needs ip_gre, which this kernel lacks%s: run "
                                "tests/topotests/run (boots a VM with Debian's kernel)"
                                % (" (in the VM!)" if in_vm() else ""))
        for it in items:
            if it.get_closest_marker("gre"):
                it.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)
    if not rep.failed or not topology.live_topologies:
        return
    for topo in list(topology.live_topologies):
        topo.had_failure = True
        try:
            text = dump_topology(topo)
        except Exception as e:  # noqa: BLE001 - never hide the real failure
            text = "(topology dump failed: %r)" % e
        title = "topology %s at %s failure" % (topo.name, rep.when)
        if hasattr(rep.longrepr, "addsection"):
            rep.longrepr.addsection(title, text)
        else:
            rep.sections.append((title, text))


@pytest.fixture
def topo(request):
    """A fresh Topology named after the test; closed afterwards (daemons
    stopped by pid, namespaces deleted), even when the test fails.  A
    daemon that exited on its own fails the test at teardown.  With
    NHRPD_TOPO_KEEP=1 a failed test's topology is left running."""
    t = topology.Topology(request.node.name)
    yield t
    try:
        t.check_daemons()
    finally:
        t.close()
