# SPDX-License-Identifier: GPL-2.0-or-later
"""nhrpd owns its netfilter rules: hub and spokes configured exactly as
README.md's example says (the blocks are read from it), no rule added by
the test, and

- phase 3 works: the hub's own forward rule hands hairpinned traffic to
  nhrpd, which sends a Traffic Indication, and spoke1 gets its shortcut
  route to spoke2's LAN;
- RIPv2 crosses the cloud: the hub's own output rule hands ripd's
  multicast to nhrpd, which copies it to every registered spoke
  (`map multicast dynamic`), and the spokes' rules send theirs to the hub
  (`map multicast 192.0.2.1`);
- `nft list tables` shows nhrpd's table and nothing else; `nft flush
  ruleset` leaves it (owner flag); `no ip nhrp redirect` and an explicit
  `nhrp nflog-group` (FRR's meaning: the operator writes the rules) take
  the forward rule away; the table is gone after nhrpd stops, and after a
  kill -9 too (the kernel drops an owned table with its socket);
- a table inet nhrpd held by another process gets one error line and a
  retry, nhrpd running on; one nobody owns is replaced.

RIP runs on separate prefixes (rip0, 172.16.N.0/24) so that its routes do
not stand in for the static routes phase 3 needs (10.0.0.0/8 via the hub)."""
import re
import subprocess
import sys

import pytest

from lib import module_topology
from lib.dmvpn import HUB_TUNNEL, build_dmvpn, lan_addr, lan_net, spoke_tunnel, start_dmvpn
from lib.readme import readme_configs

pytestmark = pytest.mark.gre

UPDATE, TIMEOUT, GARBAGE = 5, 15, 10


def rip_net(i):
    return "172.16.%d.0/24" % i


def ripd_conf():
    return ("router rip\n version 2\n timers basic %d %d %d\n network gre1\n"
            " network rip0\nexit\n" % (UPDATE, TIMEOUT, GARBAGE))


def tables(node):
    return node.run("nft list tables").stdout.split("\n")


def our_table(node):
    """the table without its set's elements (they age), None if absent"""
    r = node.run("nft -t list table inet nhrpd", check=False)
    return r.stdout if r.returncode == 0 else None


def nflog_flush(node):
    """{group: flush timeout (1/100 s)} of the NFLOG groups bound in the
    node's network namespace (/proc/net/netfilter/nfnetlink_log: group,
    portid, queued, copy mode, copy range, flush timeout, refs)"""
    out = node.run("cat /proc/net/netfilter/nfnetlink_log", check=False).stdout
    return {int(ln.split()[0]): int(ln.split()[5]) for ln in out.splitlines() if ln.strip()}


def rip_learnt(node):
    """prefixes ripd learnt from a neighbour (R(n) lines of show ip rip)"""
    out = node.show("show ip rip")
    return {m.group(1) for m in re.finditer(r"^R\(n\)\s+(\S+)", out, re.M)}


def shortcuts(node):
    j = node.show("show ip nhrp shortcut json", json=True)
    return {e["prefix"]: e["via"] for e in j.get("table", [])}


def traffic(node):
    return node.show("show ip nhrp traffic json", json=True)["gre1"]


def configure(node, lines):
    out = node.vty("nhrpd", ["configure terminal"] + lines)
    assert all(status == 0 for status, _ in out), out


@pytest.fixture(scope="module")
def lab():
    conf = readme_configs()
    with module_topology("netfilter") as t:
        d = build_dmvpn(t, spokes=2, tunnel_plen=24, tx_csum_off=False)
        for i, n in enumerate(d.nodes):
            n.add_dummy("rip0", "172.16.%d.1/24" % i)
        start_dmvpn(d, conf["hub"], conf["spoke"], registered=True)
        t.wait_ready([n.start_daemon("ripd", ripd_conf(), wait=False) for n in d.nodes])
        yield d


def test_readme_config_is_what_runs(lab):
    conf = readme_configs()
    assert "nflog-group" not in conf["hub"] + conf["spoke"]
    run = lab.hub.show("show running-config", daemon="nhrpd")
    for line in conf["hub"].splitlines():
        assert line.strip() in run, line


def test_only_our_table(lab):
    for n in lab.nodes:
        n.wait_until(lambda: our_table(n) is not None, 10, msg="table inet nhrpd installed")
        assert [ln for ln in tables(n) if ln.strip()] == ["table inet nhrpd"], n.name
    hub = our_table(lab.hub)
    assert "flags owner" in hub
    assert re.search(r'iifname "gre1" oifname "gre1" update @redirect \{ ip saddr & '
                     r'255\.255\.255\.0 \. ip daddr & 255\.255\.255\.0 limit rate 4/minute '
                     r'burst 1 packets \} log group (\d+) snaplen 128', hub), hub
    assert re.search(r'oifname "gre1" ip daddr 224\.0\.0\.0/24 log group \d+ '
                     r'.*drop', hub), hub
    # a spoke has no redirect: its table has the multicast rule only
    spoke = our_table(lab.spokes[0])
    assert "chain forward" not in spoke and "224.0.0.0/24" in spoke, spoke


def test_rip_multicast_replicated(lab):
    d = lab
    # the hub's updates reach both spokes (dynamic), theirs the hub (static)
    d.hub.wait_until(lambda: {rip_net(1), rip_net(2)} <= rip_learnt(d.hub), 4 * UPDATE + 10,
                     msg="the hub learnt both spokes' RIP prefixes")
    for s in d.spokes:
        s.wait_until(lambda: rip_net(0) in rip_learnt(s), 4 * UPDATE + 10,
                     msg="%s learnt the hub's RIP prefix" % s.name)
    # the copies went out as unicast GRE, the multicast originals nowhere
    assert d.hub.show("show ip route %s" % rip_net(1)).count("rip") >= 1


def test_phase3_shortcut(lab):
    d = lab
    s1 = d.spokes[0]
    assert "via %s " % HUB_TUNNEL in s1.run("ip route get %s from %s"
                                            % (lan_addr(2), lan_addr(1))).stdout
    s1.popen(["ping", "-c", "40", "-i", "0.25", "-I", lan_addr(1), lan_addr(2)],
             stdout=subprocess.DEVNULL)
    s1.wait_until(lambda: shortcuts(s1).get(lan_net(2)) == spoke_tunnel(2), 30,
                  msg="spoke1: shortcut to spoke2's LAN")
    assert traffic(d.hub)["sent"]["trafficIndication"] >= 1
    assert traffic(s1)["received"]["trafficIndication"] >= 1
    s1.wait_until(lambda: "nhrp" in s1.run("ip route show %s" % lan_net(2)).stdout, 10,
                  msg="the shortcut route in spoke1's kernel")


def test_flush_ruleset_leaves_our_table(lab):
    hub = lab.hub
    before = our_table(hub)
    hub.run("nft flush ruleset")
    assert our_table(hub) == before
    r = hub.run("nft delete table inet nhrpd", check=False)
    assert r.returncode != 0, "another process deleted nhrpd's table"
    assert our_table(hub) == before


def test_no_redirect_and_operator_group(lab):
    hub = lab.hub
    configure(hub, ["interface gre1", "no ip nhrp redirect"])
    hub.wait_until(lambda: "chain forward" not in (our_table(hub) or "chain forward"), 10,
                   msg="forward rule gone after no ip nhrp redirect")
    assert "224.0.0.0/24" in our_table(hub)
    configure(hub, ["interface gre1", "ip nhrp redirect"])
    hub.wait_until(lambda: "chain forward" in (our_table(hub) or ""), 10,
                   msg="forward rule back")
    # FRR's meaning: the operator writes the rules, nhrpd only listens
    configure(hub, ["nhrp nflog-group 1"])
    hub.wait_until(lambda: "chain forward" not in (our_table(hub) or "chain forward"), 10,
                   msg="no forward rule of ours with nhrp nflog-group")
    # the operator's rule (FRR's documented one) sets no threshold: the
    # group is bound to deliver each packet at once, not the kernel's 1 s
    # (or 100 packets), and our own groups the same
    flush = nflog_flush(hub)
    assert flush.get(1) == 1 and flush.get(20041) == 1, flush
    configure(hub, ["no nhrp nflog-group 1"])
    hub.wait_until(lambda: "chain forward" in (our_table(hub) or ""), 10,
                   msg="our forward rule back without nhrp nflog-group")
    # without any of it: no table at all
    configure(hub, ["interface gre1", "no ip nhrp redirect", "no ip nhrp map multicast dynamic"])
    hub.wait_until(lambda: our_table(hub) is None, 10, msg="table gone with the configuration")
    configure(hub, ["interface gre1", "ip nhrp redirect", "ip nhrp map multicast dynamic"])
    hub.wait_until(lambda: our_table(hub) is not None, 10, msg="table back")


def test_table_of_another_process_and_of_nobody(lab):
    """A table inet nhrpd that another process owns: one error line, nhrpd
    runs on and installs its own once that process is gone.  One without
    the owner flag (left by hand): replaced, with a warning."""
    s1 = lab.spokes[0]
    assert s1.stop_daemon("nhrpd") == 0
    holder = s1.popen([sys.executable, __file__, "--hold-owned-table"],
                      stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert our_table(s1) is not None and "log group" not in our_table(s1)
        d = s1.restart_daemon("nhrpd")
        err = "netfilter: cannot install table inet nhrpd for multicast"
        s1.wait_until(lambda: err in open(d.log).read(), 15, msg="the error is logged")
        assert "another process owns a table inet nhrpd" in open(d.log).read()
        # nhrpd runs on: it registers with the hub
        lab.hub.wait_until(lambda: spoke_tunnel(1) in {
            e["protocol"] for e in lab.hub.show("show ip nhrp cache json", json=True)
            .get("table", []) if e["type"] == "dynamic"}, 30, msg="spoke1 registered again")
        assert s1.running("nhrpd")
    finally:
        holder.terminate()
        holder.wait(10)
    s1.wait_until(lambda: "log group" in (our_table(s1) or ""), 30,
                  msg="our table once the other process is gone (retried)")
    assert open(d.log).read().count(err) == 1, "the error logged once, not per retry"
    # a table inet nhrpd nobody owns (nft by hand): ours replaces it
    assert s1.stop_daemon("nhrpd") == 0
    s1.run("nft add table inet nhrpd; nft add chain inet nhrpd junk")
    d = s1.restart_daemon("nhrpd")
    s1.wait_until(lambda: "flags owner" in (our_table(s1) or ""), 15, msg="ours in its place")
    assert "junk" not in our_table(s1)
    assert "replaced a table inet nhrpd that was not nhrpd's" in open(d.log).read()


def test_table_gone_after_stop_and_kill(lab):
    d = lab
    hub, s2 = d.hub, d.spokes[1]
    assert hub.stop_daemon("nhrpd") == 0
    assert our_table(hub) is None, "table left after a normal stop"
    assert [ln for ln in tables(hub) if ln.strip()] == []
    # kill -9: nhrpd cannot clean up; the kernel drops the owned table
    spoke_table_before = our_table(s2)
    assert spoke_table_before is not None
    s2.daemon("nhrpd").stopping = True
    s2.daemon("nhrpd").signal(9)
    s2.wait_until(lambda: not s2.running("nhrpd"), 10, msg="nhrpd killed")
    s2.wait_until(lambda: our_table(s2) is None, 10, msg="table gone after kill -9")
    # a new start puts it back; with the first of our NFLOG groups held by
    # another listener (tcpdump on nflog:20040), nhrpd takes the next one
    assert "log group 20040 " in spoke_table_before
    holder = s2.popen(["tcpdump", "-i", "nflog:20040", "-w", "/dev/null"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        s2.wait_until(lambda: 20040 in nflog_flush(s2), 10,
                      msg="tcpdump holds NFLOG group 20040")
        s2.restart_daemon("nhrpd")
        s2.wait_until(lambda: our_table(s2) is not None, 15, msg="table back after restart")
        assert [ln for ln in tables(s2) if ln.strip()] == ["table inet nhrpd"]
        assert "log group 20041 " in our_table(s2), our_table(s2)
    finally:
        holder.terminate()
        holder.wait(10)
    # and multicast still reaches the hub's ripd... (the hub's nhrpd is
    # stopped: the spoke's copies go out all the same)
    with lab.hub.capture("eth0", "ip proto 47 and src host %s" % lab.nbma(s2),
                         name="spoke2-rip") as cap:
        lab.hub.wait_until(lambda: cap.count() >= 1, 3 * UPDATE,
                           msg="spoke2's RIP copies to the hub after the restart")


# ---- a table inet nhrpd owned by another process ------------------------------

def hold_owned_table():
    """Create table inet nhrpd with nftables' owner flag on a netlink socket
    of this process, print "held", and keep it until killed."""
    import os
    import signal
    import socket
    import struct
    nfnl_subsys_nftables, nfproto_inet = 10, 1
    req, ack, create = 0x1, 0x4, 0x400

    def msg(mtype, flags, seq, family, res_id, attrs=b""):
        body = struct.pack("=BBH", family, 0, socket.htons(res_id)) + attrs
        return struct.pack("=IHHII", 16 + len(body), mtype, flags, seq, 0) + body

    def attr(atype, data):
        a = struct.pack("=HH", 4 + len(data), atype) + data
        return a + b"\0" * (-len(a) % 4)

    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)   # NETLINK_NETFILTER
    s.bind((0, 0))
    batch = (msg(0x10, req, 1, 0, nfnl_subsys_nftables)
             + msg(nfnl_subsys_nftables << 8, req | ack | create, 2, nfproto_inet, 0,
                   attr(1, b"nhrpd\0") + attr(2, struct.pack(">I", 2)))   # NAME, FLAGS owner
             + msg(0x11, req, 3, 0, nfnl_subsys_nftables))
    s.send(batch)
    err = struct.unpack("=i", s.recv(65536)[16:20])[0]
    if err:
        print("error %d" % err, flush=True)
        sys.exit(1)
    print("held", flush=True)
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    while True:
        signal.pause()


if __name__ == "__main__" and sys.argv[1:] == ["--hold-owned-table"]:
    hold_owned_table()
