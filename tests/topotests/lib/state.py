# SPDX-License-Identifier: GPL-2.0-or-later
"""What the DMVPN tests read from a node, written once: nhrpd's cache,
shortcuts, next hop servers and traffic counters (through the daemon's vty
socket: a vtysh process costs a second in the VM), zebra's routes of one
protocol, the kernel's route to a prefix, the TTL of a ping reply, the UDP
counters of the node's namespace.

    from lib.state import cache, dynamic, shortcuts, traffic, kernel_route
    hub.wait_until(lambda: dynamic(hub) == {"10.255.0.11": "198.51.100.1"}, 60)
"""

def cache(node, afi="ip"):
    """{protocol address: entry} of `show ip|ipv6 nhrp cache json`"""
    j = node.show("show %s nhrp cache json" % afi, json=True)
    return {e["protocol"]: e for e in j.get("table", [])}


def dynamic(node, afi="ip"):
    """{protocol address: NBMA address} of the registrations a hub holds"""
    return {p: e["nbma"] for p, e in cache(node, afi).items() if e["type"] == "dynamic"}


def shortcuts(node, afi="ip"):
    """{prefix: entry} of `show ip|ipv6 nhrp shortcut json`"""
    j = node.show("show %s nhrp shortcut json" % afi, json=True)
    return {e["prefix"]: e for e in j.get("table", [])}


def nhs_table(node, afi="ip"):
    """the entries of `show ip|ipv6 nhrp nhs json`"""
    return node.show("show %s nhrp nhs json" % afi, json=True)["table"]


def traffic(node, ifname="gre1"):
    """our nhrpd's counters for one interface (`show ip nhrp traffic json`)"""
    return node.show("show ip nhrp traffic json", json=True)[ifname]


def zebra_routes(node, proto, afi="ip"):
    """{prefix: set of next hops} of zebra's routes of one protocol
    (`show ip route rip json`, `show ipv6 route ripng json`, ...)"""
    j = node.show("show %s route %s json" % (afi, proto), json=True)
    return {p: {nh.get("ip") for r in rs for nh in r.get("nexthops", [])}
            for p, rs in j.items()}


def kernel_route(node, prefix, family=4):
    """the kernel's route to prefix as `ip route show` prints it ("" if none)"""
    return node.run("ip -%d route show %s" % (family, prefix)).stdout.strip()


def ttl_of_reply(node, dst, src):
    """TTL of the echo reply to one ping from src (None without a reply):
    one lower for each router on the way back"""
    r = node.run("ping -c 1 -W 2 -I %s %s" % (src, dst), check=False).stdout
    for f in r.split():
        if f.startswith("ttl="):
            return int(f[4:])
    return None


def udp_counters(node, family=4):
    """{name: value} of the UDP counters of the node's namespace: the Udp
    line of /proc/net/snmp (family 4: InDatagrams, InCsumErrors, ...) or
    the Udp6 lines of /proc/net/snmp6 (family 6: Udp6InDatagrams, ...)"""
    if family == 6:
        out = node.run("cat /proc/net/snmp6").stdout
        return {k: int(v) for k, v in (ln.split() for ln in out.splitlines()
                                       if ln.startswith("Udp6"))}
    lines = [ln.split() for ln in node.run("cat /proc/net/snmp").stdout.splitlines()
             if ln.startswith("Udp:")]
    return dict(zip(lines[0][1:], map(int, lines[1][1:])))


__all__ = ["cache", "dynamic", "shortcuts", "nhs_table", "traffic", "zebra_routes",
           "kernel_route", "ttl_of_reply", "udp_counters"]
