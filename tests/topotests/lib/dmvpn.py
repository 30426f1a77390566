# SPDX-License-Identifier: GPL-2.0-or-later
"""A standard DMVPN layout (hub + N spokes behind an "internet" router) with
the addressing plan every scenario shares, and FRR-style configurations.

    node    NBMA (eth0)        tunnel (gre1)    LAN (lan0)
    hub     192.0.2.1/24       10.255.0.1       10.0.0.1/24
    spoke1  198.51.100.1/24    10.255.0.11      10.1.0.1/24
    spoke2  203.0.113.1/24     10.255.0.12      10.2.0.1/24
    spoke3  198.51.100.2/24    10.255.0.13      10.3.0.1/24   (and so on)

The tunnel addresses get /tunnel_plen (32 for FRR's nhrpd, which refuses
anything else; Cisco/OpenNHRP-style setups use 24)."""
import ipaddress
import os

from .topology import OUR_NHRPD, FRR_NHRPD, TOP

HUB_NBMA = "192.0.2.1"
SPOKE_NBMA = ["198.51.100.1", "203.0.113.1", "198.51.100.2", "203.0.113.2",
              "198.51.100.3", "203.0.113.3"]
TUNNEL_NET = ipaddress.ip_network("10.255.0.0/24")
HUB_TUNNEL = "10.255.0.1"


def spoke_tunnel(i):
    """Tunnel address of spoke i (1-based)."""
    return "10.255.0.%d" % (10 + i)


def lan_net(i):
    """LAN of node i: 0 = hub, i = spoke i."""
    return "10.%d.0.0/24" % i


def lan_addr(i):
    return "10.%d.0.1" % i


class Dmvpn:
    """Result of build_dmvpn: .hub, .spokes (list), .inet, .topo, and the
    addressing helpers."""

    def __init__(self, topo, hub, spokes, key, tunnel_plen):
        self.topo = topo
        self.hub = hub
        self.spokes = spokes
        self.inet = topo.internet
        self.key = key
        self.tunnel_plen = tunnel_plen

    @property
    def nodes(self):
        return [self.hub] + self.spokes

    def tunnel_addr(self, node):
        return HUB_TUNNEL if node is self.hub else spoke_tunnel(self.spokes.index(node) + 1)

    def nbma(self, node):
        return str(node.nbma.ip)

    def lan(self, node):
        return lan_addr(0 if node is self.hub else self.spokes.index(node) + 1)


def build_dmvpn(topo, spokes=2, key=42, tunnel_plen=32, lans=True, routes=True,
                tx_csum_off=True, pmtu_fix=True):
    """Create hub + spokes, NBMA via the internet router, mGRE gre1 with the
    key, LAN dummies, and (routes=True) static kernel routes: each spoke
    reaches 10.0.0.0/8 through the hub's tunnel address, the hub reaches
    each spoke's LAN through that spoke's tunnel address (onlink: nhrpd
    provides the neighbour entries).  Nothing is started."""
    if spokes > len(SPOKE_NBMA):
        raise ValueError("at most %d spokes" % len(SPOKE_NBMA))
    hub = topo.add_node("hub")
    sp = [topo.add_node("spoke%d" % i) for i in range(1, spokes + 1)]
    topo.attach_nbma(hub, HUB_NBMA + "/24")
    for i, s in enumerate(sp):
        topo.attach_nbma(s, SPOKE_NBMA[i] + "/24")
    d = Dmvpn(topo, hub, sp, key, tunnel_plen)
    for i, n in enumerate(d.nodes):
        # bound to eth0 from the start: FRR's `tunnel source eth0` then has
        # nothing to change (when it has, zebra rewrites the tunnel through
        # RTM_NEWLINK, which resets local to any and takes gre1 down)
        n.add_gre("gre1", key=key, addrs=["%s/%d" % (d.tunnel_addr(n), tunnel_plen)],
                  dev="eth0", tx_csum_off=tx_csum_off)
        if pmtu_fix:
            # as FRR's own nhrp topotest: forwarded packets must not use the
            # learnt PMTU of the tunnel (it would drop them on the hub)
            n.sysctl("net.ipv4.ip_forward_use_pmtu", 0)
        if lans:
            n.add_dummy("lan0", lan_addr(i) + "/24")
    if routes:
        for i, s in enumerate(sp):
            s.add_route("10.0.0.0/8", via=HUB_TUNNEL, dev="gre1", extra="onlink")
            hub.add_route(lan_net(i + 1), via=spoke_tunnel(i + 1), dev="gre1", extra="onlink")
    return d


# the hub's documented rule: NFLOG forwarded hub-to-hub traffic (rate
# limited per source/destination /24 pair) to nhrpd's nflog-group, which
# answers with a Traffic Indication (redirect); iptables 1.8.9 wants
# --nflog-size (--nflog-range is gone)
HUB_NFLOG_RULES = """*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -i gre1 -o gre1 -m hashlimit --hashlimit-upto 4/minute --hashlimit-burst 1 --hashlimit-mode srcip,dstip --hashlimit-srcmask 24 --hashlimit-dstmask 24 --hashlimit-name loglimit-0 -j NFLOG --nflog-group {group} --nflog-size 128
COMMIT
"""


def hub_nflog_rules(group=1):
    return HUB_NFLOG_RULES.format(group=group)


# the operator's multicast rules when nhrpd is told `nhrp
# multicast-nflog-group N` (FRR's meaning: nhrpd listens, the operator
# writes the rules): link-local multicast leaving gre1 goes to nhrpd, which
# sends the copies; the original is dropped
MCAST_GROUP = 2
MCAST_NFLOG_RULES = """*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A OUTPUT -o gre1 -d 224.0.0.0/24 -j NFLOG --nflog-group {group}
-A OUTPUT -o gre1 -d 224.0.0.0/24 -j DROP
COMMIT
"""


def multicast_nflog_rules(group=MCAST_GROUP):
    return MCAST_NFLOG_RULES.format(group=group)


def nhrpd_config(debug=None, nflog_group=None, network_id=42, holdtime=None, nhs=None,
                 nhs_nbma=HUB_NBMA, auth=None, redirect=False, no_unique=False, shortcut=False,
                 tunnel_source="eth0", protection=None, extra=()):
    """nhrpd.conf text for gre1, in the order every test writes it:
    [debug nhrp DEBUG] [nhrp nflog-group N], then under interface gre1:
    network-id, [holdtime], [nhs NHS nbma NHS_NBMA], [authentication],
    [redirect], [registration no-unique], [shortcut], the extra lines,
    [tunnel source], [tunnel protection PROTECTION]."""
    lines = ["debug nhrp " + debug] if debug else []
    if nflog_group:
        lines.append("nhrp nflog-group %d" % nflog_group)
    lines += ["interface gre1", " ip nhrp network-id %d" % network_id]
    if holdtime:
        lines.append(" ip nhrp holdtime %d" % holdtime)
    if nhs:
        lines.append(" ip nhrp nhs %s nbma %s" % (nhs, nhs_nbma))
    if auth:
        lines.append(" ip nhrp authentication " + auth)
    if redirect:
        lines.append(" ip nhrp redirect")
    if no_unique:
        lines.append(" ip nhrp registration no-unique")
    if shortcut:
        lines.append(" ip nhrp shortcut")
    lines += [" " + ln.strip() for ln in extra]
    if tunnel_source:
        lines.append(" tunnel source " + tunnel_source)
    if protection:
        lines.append(" tunnel protection " + protection)
    return "\n".join(lines + ["exit"]) + "\n"


def frr_hub_config(network_id=1, nflog_group=1, holdtime=None, redirect=True, debug=True):
    return nhrpd_config(debug="all" if debug else None, nflog_group=nflog_group,
                        network_id=network_id, holdtime=holdtime, redirect=redirect,
                        no_unique=True)


def frr_spoke_config(network_id=1, hub_nbma=HUB_NBMA, holdtime=None, shortcut=True,
                     nhs="dynamic", debug=True):
    return nhrpd_config(debug="all" if debug else None, network_id=network_id,
                        holdtime=holdtime, nhs=nhs, nhs_nbma=hub_nbma, no_unique=True,
                        shortcut=shortcut)


def wait_registered(d, spokes=None, timeout=60):
    """until the hub holds a registration (dynamic entry) of each spoke
    (default: all of d.spokes) from its NBMA address"""
    spokes = d.spokes if spokes is None else spokes
    want = {d.tunnel_addr(s): d.nbma(s) for s in spokes}

    def registered():
        j = d.hub.show("show ip nhrp cache json", json=True)
        got = {e["protocol"]: e["nbma"] for e in j.get("table", []) if e["type"] == "dynamic"}
        return all(got.get(p) == n for p, n in want.items())
    d.hub.wait_until(registered, timeout, msg="every spoke registered with the hub")


def start_dmvpn(d, hub_config, spoke_config, nhrpd=OUR_NHRPD, nflog=False, registered=False):
    """zebra on every node, then nhrpd (ours by default) on the hub and
    the spokes, each set started in parallel; nflog=True adds the hub's
    NFLOG rule (hub_nflog_rules) first, registered=True waits until every
    spoke is registered with the hub."""
    if nflog:
        d.hub.iptables_restore(hub_nflog_rules())
    d.topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    started = [d.hub.start_nhrpd(hub_config, binary=nhrpd, wait=False)]
    started += [s.start_nhrpd(spoke_config, binary=nhrpd, wait=False) for s in d.spokes]
    d.topo.wait_ready(started)
    if registered:
        wait_registered(d)


def start_frr_dmvpn(d, nhrpd=FRR_NHRPD, hub_config=None, spoke_config=None, nflog=True):
    """start_dmvpn with FRR's nhrpd (nhrpd=OUR_NHRPD for ours), the FRR
    reference configurations by default, and the hub's NFLOG rule."""
    start_dmvpn(d, hub_config if hub_config is not None else frr_hub_config(),
                spoke_config if spoke_config is not None else frr_spoke_config(),
                nhrpd=nhrpd, nflog=nflog)


__all__ = ["Dmvpn", "build_dmvpn", "start_frr_dmvpn", "frr_hub_config", "frr_spoke_config",
           "nhrpd_config", "wait_registered", "start_dmvpn",
           "hub_nflog_rules", "multicast_nflog_rules", "MCAST_GROUP", "HUB_NBMA", "SPOKE_NBMA",
           "HUB_TUNNEL", "spoke_tunnel",
           "lan_addr", "lan_net", "OUR_NHRPD", "FRR_NHRPD"]


RIPD_GLUE = os.path.join(TOP, "ripd-glue")


def ripd_glue(name):
    """The text of ripd-glue/NAME (hub-nhrpd.conf, spoke-ripd.conf, ...):
    the example configurations the RIP tests run exactly as shipped."""
    with open(os.path.join(RIPD_GLUE, name)) as f:
        return f.read()
