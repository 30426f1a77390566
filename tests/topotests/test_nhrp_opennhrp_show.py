# SPDX-License-Identifier: GPL-2.0-or-later
"""`show ip nhrp opennhrp [json]`: the cache in opennhrpctl's `show` format
as FRR 8.4's nhrpd prints it.  The same DMVPN (hub + 2 spokes, FRR-style
configuration) runs first with FRR's nhrpd, then with ours; the output of
both, parsed, must be the same, on the hub and on a spoke."""
import pytest

from lib.dmvpn import (HUB_TUNNEL, SPOKE_NBMA, build_dmvpn, frr_hub_config, frr_spoke_config,
                       spoke_tunnel)
from lib.topology import FRR_NHRPD, OUR_NHRPD

pytestmark = pytest.mark.gre

KEYS = ("Type", "Flags", "Protocol-Address", "NBMA-Address", "NBMA-NAT-OA-Address")


def parse(text):
    """opennhrpctl's `show`: 'Status: ok', then blocks of 'Key: value'
    lines separated by empty lines -> [dict]"""
    lines = text.splitlines()
    assert lines and lines[0] == "Status: ok", text
    entries, cur = [], {}
    for ln in lines[1:]:
        if not ln.strip():
            if cur:
                entries.append(cur)
            cur = {}
            continue
        key, sep, value = ln.partition(":")
        assert sep and key in KEYS, "unexpected line %r in\n%s" % (ln, text)
        assert key not in cur, text
        cur[key] = value.strip()
    if cur:
        entries.append(cur)
    for e in entries:
        assert list(e)[:3] == ["Type", "Flags", "Protocol-Address"], e
    return sorted(entries, key=lambda e: e["Protocol-Address"])


def blocks(text):
    """the entries' blocks after the header (each block's lines, then two
    empty lines), sorted: the order of the cache is nobody's promise"""
    head, sep, rest = text.partition("Status: ok\n\n")
    assert not head and sep and rest.endswith("\n\n\n"), repr(text)
    return sorted(b + "\n\n\n" for b in rest.split("\n\n\n") if b)


def snapshot(node):
    text = str(node.show("show ip nhrp opennhrp", daemon="nhrpd"))
    js = node.show("show ip nhrp opennhrp json", json=True, daemon="nhrpd")
    return parse(text), js, text


def registered(d):
    want = {spoke_tunnel(i + 1) + "/32": SPOKE_NBMA[i] for i in range(len(d.spokes))}

    def hub_ok():
        got = {e["Protocol-Address"]: e.get("NBMA-Address")
               for e in parse(str(d.hub.show("show ip nhrp opennhrp", daemon="nhrpd")))
               if e["Type"] == "dynamic"}
        return got == want

    d.hub.wait_until(hub_ok, 60, msg="both spokes registered (opennhrp view)")
    for s in d.spokes:
        s.wait_until(lambda: any(e["Type"] == "nhs" and e["Protocol-Address"] == HUB_TUNNEL + "/32"
                                 and "up" in e["Flags"]
                                 for e in parse(str(s.show("show ip nhrp opennhrp",
                                                           daemon="nhrpd")))),
                     30, msg="%s: its NHS up" % s.name)


def run(d, binary):
    started = [d.hub.start_nhrpd(frr_hub_config(redirect=False, nflog_group=0), binary=binary,
                                 wait=False)]
    for s in d.spokes:
        started.append(s.start_nhrpd(frr_spoke_config(shortcut=False), binary=binary,
                                     wait=False))
    d.topo.wait_ready(started)
    registered(d)
    out = {n.name: snapshot(n) for n in (d.hub, d.spokes[0])}
    for n in d.nodes:
        n.stop_daemon("nhrpd")
    return out


def test_same_as_frr(topo):
    d = build_dmvpn(topo, spokes=2, tunnel_plen=32)
    d.topo.wait_ready([n.start_zebra(wait=False) for n in d.nodes])
    frr = run(d, FRR_NHRPD)
    ours = run(d, OUR_NHRPD)
    for name in frr:
        f_entries, f_js, f_text = frr[name]
        o_entries, o_js, o_text = ours[name]
        assert o_entries == f_entries, "%s:\nFRR:\n%s\nours:\n%s" % (name, f_text, o_text)
        # the text itself, block for block
        assert blocks(o_text) == blocks(f_text), "%s:\nFRR:\n%r\nours:\n%r" % (
            name, f_text, o_text)
        # JSON: FRR's keys and values (entriesCount: FRR 8.4 always says 1)
        assert isinstance(f_js, dict) and isinstance(o_js, dict), (f_js, o_js)
        assert o_js["attr"]["status"] == f_js["attr"]["status"] == "ok"
        assert o_js["attr"]["entriesCount"] == len(o_entries)
        key = lambda e: e["protocolAddress"]
        assert sorted(o_js["table"], key=key) == sorted(f_js["table"], key=key), \
            (name, f_js, o_js)
        # and the JSON says what the text says
        assert [(e["type"], "%s/%d" % (e["protocolAddress"], e["protocolAddressSize"]),
                 e.get("nbmaAddress")) for e in sorted(o_js["table"], key=key)] == \
            [(e["Type"], e["Protocol-Address"], e.get("NBMA-Address")) for e in o_entries]
