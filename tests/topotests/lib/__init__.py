# SPDX-License-Identifier: GPL-2.0-or-later
"""nhrpd's topotest library: network-namespace topologies with FRR-style
daemons, for tests on a real kernel (see README.md)."""
from .topology import (FRR_NHRPD, OUR_NHRPD, OUR_VTYSH, STOCK_VTYSH, Capture, Daemon,
                       DaemonError, Node, Topology, TopologyError, VtyshOutput, close_all,
                       live_topologies, module_topology, vtysh)
from .util import (NBMA_RANGES, CommandError, WaitTimeout, have_dummy, have_gre, in_vm,
                   wait_until)

__all__ = [
    "Capture", "CommandError", "Daemon", "DaemonError", "FRR_NHRPD", "NBMA_RANGES", "Node",
    "OUR_NHRPD", "OUR_VTYSH", "STOCK_VTYSH", "Topology", "TopologyError", "VtyshOutput",
    "WaitTimeout", "close_all", "have_dummy", "have_gre", "in_vm", "live_topologies",
    "module_topology", "vtysh", "wait_until",
]
