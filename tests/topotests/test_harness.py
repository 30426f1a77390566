# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-tests of the topotest library: namespaces, links, the internet
router, daemons started/stopped by pid, vtysh, captures, and (marked gre)
multipoint GRE between NBMA addresses."""
import os
import signal

import pytest

from lib import DaemonError, Topology, WaitTimeout, have_gre, wait_until


def test_nodes_links_internet(topo):
    a = topo.add_node("a")
    b = topo.add_node("b")
    topo.attach_nbma(a, "192.0.2.1/24")
    topo.attach_nbma(b, "198.51.100.1/24")
    a.add_dummy("lan0", "10.1.0.1/24")
    topo.add_link(a, b, addr_a="10.9.0.1/30", addr_b="10.9.0.2/30")
    assert a.ping("198.51.100.1")
    assert b.ping("192.0.2.1", src="198.51.100.1")
    assert b.ping("10.9.0.1")
    assert "10.1.0.1/24" in a.run("ip -br addr show lan0").stdout
    # the namespaces are unique to this topology
    assert a.ns != "a" and a.ns.startswith(topo.prefix)


def test_two_nodes_on_one_segment(topo):
    a = topo.add_node("a")
    b = topo.add_node("b")
    c = topo.add_node("c")
    topo.attach_nbma(a, "203.0.113.1/24")
    topo.attach_nbma(b, "203.0.113.2/24")
    topo.attach_nbma(c, "192.0.2.7/24")
    assert a.ping("203.0.113.2")
    assert c.ping("203.0.113.2")


def test_nbma_must_be_documentation_range(topo):
    a = topo.add_node("a")
    with pytest.raises(Exception, match="documentation"):
        topo.attach_nbma(a, "10.0.0.1/24")


def test_zebra_nhrpd_start_stop_restart_vtysh(topo):
    n = topo.add_node("n")
    n.add_dummy("lan0", "10.1.0.1/24")
    z = n.start_zebra()
    d = n.start_nhrpd("nhrp nflog-group 5\n")
    assert z.running() and d.running()
    out = n.vtysh(["show running-config"])
    assert out.rc == 0 and "nhrp nflog-group 5" in out
    docs = n.vtysh(["show interface lan0 json", "show interface lo json"], json=True)
    assert len(docs) == 2 and "lo" in docs[1]
    assert docs[0]["lan0"]["ipAddresses"][0]["address"] == "10.1.0.1/24"
    # the same straight through the daemons' vty sockets (no vtysh process)
    assert n.show("show interface lan0 json", json=True)["lan0"]["ipAddresses"][0]["address"] \
        == "10.1.0.1/24"
    assert "nhrp nflog-group 5" in n.show("show running-config", daemon="nhrpd")
    # FRR 8.4's nhrpd with no NHRP interface: no entries, said as a
    # warning (status 1, frr-8.4-facts.md), in JSON too
    out = n.show("show ip nhrp cache")
    assert (out.rc, out.strip()) == (1, "% No entries"), (out.rc, out)
    out = n.show("show ip nhrp cache json")
    assert out.rc == 1 and '"entriesCount":0' in out.replace(" ", ""), (out.rc, out)
    pid = d.pid
    d2 = n.restart_daemon("nhrpd")
    assert d2.pid != pid and d2.running()
    # the configuration file written at the first start is kept
    assert "nhrp nflog-group 5" in n.vtysh("show running-config")
    assert n.stop_daemon("nhrpd") == 0
    assert not os.path.exists("/proc/%d/status" % pid) or "Z" in open("/proc/%d/stat" % pid).read().split()[2]
    topo.check_daemons()
    # a daemon that dies on its own is reported (and fails the teardown)
    d3 = n.start_nhrpd()
    d3.signal(signal.SIGKILL)
    assert wait_until(lambda: not d3.running(), 10)
    with pytest.raises(DaemonError, match="nhrpd on n"):
        topo.check_daemons()
    d3.stopping = True   # accounted for: do not fail the teardown


def test_daemon_start_failure_shows_log(topo):
    n = topo.add_node("n")
    with pytest.raises(DaemonError, match=r"\[n\] zebra exited"):
        n.start_daemon("zebra", args=["--no-such-option"])


def test_wait_until(topo):
    n = topo.add_node("n")
    assert wait_until(lambda: 42, 1) == 42
    assert wait_until(lambda: 0, 0.3) == 0
    with pytest.raises(WaitTimeout, match=r"\[n\] never"):
        n.wait_until(lambda: False, 0.3, msg="never")
    assert topo.failed_node == "n"
    topo.failed_node = None


def test_run_paths(topo):
    n = topo.add_node("n")
    n.add_dummy("lan0", "10.1.0.1/24")
    assert "10.1.0.1/24" in n.run("ip -br addr show lan0").stdout       # ip -n, no shell
    assert n.run("cat /proc/sys/net/ipv4/ip_forward").stdout.strip() == "1"   # no shell
    assert n.run("echo $((6*7)) | cat").stdout.strip() == "42"           # through sh
    assert n.run(["sh", "-c", "exit 3"], check=False).returncode == 3


def test_capture(topo):
    a = topo.add_node("a")
    b = topo.add_node("b")
    topo.add_link(a, b, addr_a="10.9.0.1/30", addr_b="10.9.0.2/30")
    with b.capture("eth0", "icmp") as cap:
        assert a.ping("10.9.0.2", count=2)
        assert b.wait_until(lambda: cap.count("icmp[icmptype] == icmp-echo") >= 2, 10,
                            msg="two echo requests captured")
    assert any("ICMP echo reply" in ln for ln in cap.lines())
    assert cap.count() == len(cap.lines()) == 4


@pytest.mark.gre
def test_mgre_between_nbma(topo):
    assert have_gre()
    hub = topo.add_node("hub")
    sp = topo.add_node("spoke1")
    topo.attach_nbma(hub, "192.0.2.1/24")
    topo.attach_nbma(sp, "198.51.100.1/24")
    hub.add_gre("gre1", key=42, addrs=["10.255.0.1/24"])
    sp.add_gre("gre1", key=42, addrs=["10.255.0.2/24"], via_tunnel_cmd=True)
    # static NBMA mappings (what nhrpd does through rtnetlink)
    hub.ip("neigh replace 10.255.0.2 lladdr 198.51.100.1 dev gre1 nud permanent")
    sp.ip("neigh replace 10.255.0.1 lladdr 192.0.2.1 dev gre1 nud permanent")
    with topo.internet.capture("hub-eth0", "ip proto 47") as cap:
        assert sp.ping("10.255.0.1", count=2)
        assert topo.internet.wait_until(lambda: cap.count() >= 4, 10, msg="GRE packets seen")
    assert "gre" in hub.run("ip -d link show gre1").stdout
