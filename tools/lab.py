# SPDX-License-Identifier: GPL-2.0-or-later
"""The lab behind tools/lab: a hub and two spokes running our nhrpd with
FRR's zebra, in network namespaces, registered and pinging LAN to LAN."""
import argparse
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests", "topotests"))

from lib import Topology, wait_until  # noqa: E402
from lib.dmvpn import HUB_NBMA, HUB_TUNNEL, build_dmvpn, lan_addr  # noqa: E402
from lib.topology import OUR_NHRPD, OUR_VTYSH  # noqa: E402

HUB = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 600
 ip nhrp authentication dmvpn42
 ip nhrp redirect
 tunnel source eth0
exit
"""

SPOKE = """interface gre1
 ip nhrp network-id 42
 ip nhrp holdtime 600
 ip nhrp authentication dmvpn42
 ip nhrp nhs {hub} nbma {hub_nbma}
 ip nhrp registration no-unique
 ip nhrp shortcut
 tunnel source eth0
exit
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shell", metavar="NODE")
    args = ap.parse_args()
    vtysh = OUR_VTYSH if os.path.exists(OUR_VTYSH) else "/usr/bin/vtysh"
    with Topology("lab", vtysh_path=vtysh) as topo:
        d = build_dmvpn(topo, spokes=2, tunnel_plen=24)
        for n in d.nodes:
            n.start_zebra()
        d.hub.start_nhrpd(HUB, binary=OUR_NHRPD)
        for s in d.spokes:
            s.start_nhrpd(SPOKE.format(hub=HUB_TUNNEL, hub_nbma=HUB_NBMA), binary=OUR_NHRPD)
        print("== waiting for the spokes to register")

        def registered():
            t = d.hub.vtysh("show ip nhrp cache json", json=True).get("table", [])
            return len([e for e in t if e["type"] == "dynamic"]) == 2
        ok = wait_until(registered, 60)
        for n in d.nodes:
            print("\n== %s: show dmvpn" % n.name)
            print(n.vtysh("show dmvpn"))
        print("== spoke1 LAN %s -> spoke2 LAN %s" % (lan_addr(1), lan_addr(2)))
        r = d.spokes[0].run("ping -c 3 -W 2 -I %s %s" % (lan_addr(1), lan_addr(2)), check=False)
        print(r.stdout)
        good = ok and r.returncode == 0
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
