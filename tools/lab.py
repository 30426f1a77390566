# SPDX-License-Identifier: GPL-2.0-or-later
"""The lab behind tools/lab: a hub and two spokes running our nhrpd with
FRR's zebra, in network namespaces, configured with exactly the lines of
README.md's example (read from it), registered, pinging LAN to LAN and
building a phase-3 shortcut with nothing else added.  With IPsec (the
default, when strongSwan is installed) each node also runs a charon with
doc/ipsec.rst's IKEv1 wildcard-key connection and its interface block gets
`tunnel protection vici profile dmvpn`; --no-ipsec runs the blocks alone."""
import argparse
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))

from lib import Topology, wait_until  # noqa: E402
from lib.dmvpn import HUB_NBMA, HUB_TUNNEL, build_dmvpn, lan_addr, lan_net, spoke_tunnel  # noqa: E402
from lib.ipsec import IKEV1_PSK, have_strongswan, start_charons  # noqa: E402
from lib.readme import readme_configs  # noqa: E402
from lib.topology import OUR_NHRPD, OUR_VTYSH  # noqa: E402

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shell", metavar="NODE")
    ap.add_argument("--no-ipsec", action="store_true")
    args = ap.parse_args()
    ipsec = not args.no_ipsec
    if ipsec and not have_strongswan():
        print("== strongSwan not installed: the lab runs without IPsec")
        ipsec = False
    vtysh = OUR_VTYSH if os.path.exists(OUR_VTYSH) else "/usr/bin/vtysh"
    with Topology("lab", vtysh_path=vtysh) as topo:
        d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
        for n in d.nodes:
            n.start_zebra()
        conf = readme_configs()
        if HUB_TUNNEL not in conf["spoke"] or HUB_NBMA not in conf["spoke"]:
            print("== README.md's spoke does not register with %s nbma %s, as the lab's hub is"
                  % (HUB_TUNNEL, HUB_NBMA))
            return 1
        print("== hub and spokes configured as README.md says:\n%s\n%s"
              % (conf["hub"], conf["spoke"]))
        charons = {}
        if ipsec:
            charons = start_charons(d.nodes, IKEV1_PSK, reqid=1)
            print("== IPsec: a charon per node (IKEv1, one key for all peers, SAs on demand), "
                  "and on gre1: tunnel protection vici profile dmvpn")
            for role in conf:
                conf[role] = conf[role].replace(
                    "\nexit", "\n tunnel protection vici profile dmvpn\nexit", 1)

        def vici(n):
            return ("--vici-socket", charons[n.name].socket) if n.name in charons else ()
        d.hub.start_nhrpd(conf["hub"], binary=OUR_NHRPD, args=vici(d.hub))
        for s in d.spokes:
            s.start_nhrpd(conf["spoke"], binary=OUR_NHRPD, args=vici(s))
        print("== waiting for the spokes to register")

        def registered():
            t = d.hub.vtysh("show ip nhrp cache json", json=True).get("table", [])
            return len([e for e in t if e["type"] == "dynamic"]) == 2
        ok = wait_until(registered, 60)
        show = "show dmvpn detail" if ipsec else "show dmvpn"
        for n in d.nodes:
            print("\n== %s: %s" % (n.name, show))
            print(n.vtysh(show))
        print("== spoke1 LAN %s -> spoke2 LAN %s" % (lan_addr(1), lan_addr(2)))
        r = d.spokes[0].run("ping -c 3 -W 2 -I %s %s" % (lan_addr(1), lan_addr(2)), check=False)
        print(r.stdout)
        print("== phase 3: the hub redirects, spoke1 resolves spoke2's LAN")

        def shortcut():
            j = d.spokes[0].vtysh("show ip nhrp shortcut json", json=True)
            return any(e.get("prefix") == lan_net(2) and e.get("via") == spoke_tunnel(2)
                       for e in j.get("table", []))
        pinger = d.spokes[0].popen(["ping", "-c", "20", "-i", "0.5", "-I", lan_addr(1),
                                    lan_addr(2)], stdout=subprocess.DEVNULL)
        have_shortcut = wait_until(shortcut, 30)
        pinger.terminate()
        pinger.wait(10)
        print("\n== hub: nft list tables (nhrpd's own rules)")
        print(d.hub.run("nft list tables", check=False).stdout)
        print("== spoke1: show ip nhrp shortcut")
        print(d.spokes[0].vtysh("show ip nhrp shortcut"))
        print("== spoke1: show ip route %s" % lan_net(2))
        print(d.spokes[0].vtysh("show ip route %s" % lan_net(2)))
        if ipsec:
            print("== spoke1: show dmvpn detail (the shortcut's own SA)")
            print(d.spokes[0].vtysh("show dmvpn detail"))
            print("== spoke1: swanctl --list-sas")
            print(charons["spoke1"].swanctl("--list-sas"))
        good = ok and r.returncode == 0 and bool(have_shortcut)
        print("== lab %s" % ("working" if good else "NOT working"))
        if args.shell:
            node = topo[args.shell]
            rc = "/tmp/lab-%s.bashrc" % node.name
            with open(rc, "w") as f:
                f.write("PS1='[%s] \\w# '\n" % node.name)
                f.write("vtysh() { command %s -N %s \"$@\"; }\n" % (vtysh, node.ns))
                f.write("echo 'node %s: vtysh, ip, ping, tcpdump work here; exit to stop the lab'\n"
                        % node.name)
            subprocess.run(["ip", "netns", "exec", node.ns, "bash", "--rcfile", rc, "-i"])
        return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
