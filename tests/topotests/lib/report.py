# SPDX-License-Identifier: GPL-2.0-or-later
"""What a failing topotest shows: per node, its daemons (running or how they
ended), the tail of each daemon log, `show` output from each daemon,
and the kernel's view (addresses, routes, neighbours).  The node named by
the failure (wait_until(..., node=...), node.wait_until, check_daemons) is
listed first."""
import subprocess

from .util import tail

# per running daemon, through its vty socket
SHOW_COMMANDS = {
    "nhrpd": ["show ip nhrp cache", "show ip nhrp nhs", "show ip nhrp shortcut",
              "show ipv6 nhrp cache", "show ipv6 nhrp nhs", "show ipv6 nhrp shortcut",
              "show dmvpn"],
    "zebra": ["show interface brief", "show ip route", "show ipv6 route"],
    "ripd": ["show ip rip"],
    "ripngd": ["show ipv6 ripng"],
}
KERNEL_COMMANDS = ("ip -br addr; ip route; ip -6 route; ip neigh; "
                   "ip -d link show type gre 2>/dev/null | head -20")
LOG_LINES = 30


def _node_dump(node, log_lines=LOG_LINES):
    out = []
    for d in node.daemons.values():
        state = ("running, pid %d" % d.pid if d.running() else
                 "stopped by the test (status %s)" % d.returncode if d.stopping else
                 "EXITED on its own (status %s)" % d.returncode)
        out.append("  daemon %s: %s" % (d.name, state))
        for label, path in (("log", d.log), ("stdout/stderr", d.out)):
            if path:
                t = tail(path, log_lines)
                if t.strip():
                    out.append("  --- %s %s (%s, last %d lines)" % (d.name, label, path, log_lines))
                    out.extend("  | " + ln for ln in t.splitlines())
    # straight to each daemon's vty socket: no vtysh process (slow under
    # TCG), and it works even when vtysh itself is what broke
    for dname, lst in SHOW_COMMANDS.items():
        if not node.running(dname):
            continue
        try:
            res = node.vty(dname, lst, timeout=20)
            text = "\n".join("%s# %s\n%s" % (dname, c, t.rstrip()) for c, (_, t) in zip(lst, res))
        except Exception as e:  # noqa: BLE001 - report what we can
            text = "%s: vty failed: %s" % (dname, e)
        out.append("  --- %s: %s" % (dname, "; ".join(lst)))
        out.extend("  | " + ln for ln in text.splitlines())
    try:
        r = subprocess.run(["ip", "netns", "exec", node.ns, "sh", "-c", KERNEL_COMMANDS],
                           capture_output=True, text=True, timeout=60)
        text = r.stdout + r.stderr
    except (OSError, subprocess.TimeoutExpired) as e:
        text = "failed: %s" % e
    out.append("  --- kernel: %s" % KERNEL_COMMANDS)
    out.extend("  | " + ln for ln in text.splitlines())
    return "\n".join(out)


def dump_topology(topo, log_lines=LOG_LINES):
    try:
        topo.flush()    # set-up still queued: apply it so that there is something to show
    except Exception:  # noqa: BLE001
        pass
    nodes = list(topo.nodes.values())
    first = topo.failed_node
    if first is not None:
        nodes.sort(key=lambda n: n.name != first)
    parts = []
    import os
    head = "topology %s (logs in %s" % (topo.name, topo.logdir)
    host = os.environ.get("NHRPD_TOPO_HOST_LOGDIR")
    base = os.environ.get("NHRPD_TOPO_LOGDIR")
    if host and base and topo.logdir.startswith(base):
        head += "; after the VM: %s%s" % (host, topo.logdir[len(base):])
    head += ")"
    if first is not None:
        head += "; failing node: %s" % first
    elif topo.last_node is not None:
        head += "; node used last by the test: %s" % topo.last_node
    parts.append(head)
    for n in nodes:
        mark = "  <== FAILED HERE" if n.name == first else ""
        parts.append("node %s (netns %s)%s" % (n.name, n.ns, mark))
        parts.append(_node_dump(n, log_lines))
    return "\n".join(parts)
