# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture VICI frames from a real charon (Debian 12's strongSwan) as test
vectors for the C codec (tests/unit/vici_vectors.txt).

Needs ESP/xfrm and GRE, so it runs in the test VM:

    tests/topotests/vm/run-in-vm --rw $PWD/tests/unit -- \\
        /usr/bin/python3 tests/topotests/capture_vici_vectors.py tests/unit/vici_vectors.txt

Two nodes a (192.0.2.1) and b (198.51.100.1) behind the transit router,
charon in each with the DMVPN trap connection (lib/ipsec.py), a
point-to-point GRE tunnel between them whose first packet triggers the SA.
For IKEv2 with certificates and for IKEv1 with the wildcard PSK, this
records on a's socket: event registrations (and an unknown one), an unknown
command, version, list-sas empty and with an SA, the SA coming up
(ike-updown, child-updown), child and IKE rekeying, terminate by unique id
(the response and the down events), terminate of an id that does not
exist; and swanctl's own list-sas and terminate requests through a
recording proxy (reference encodings of those requests).

Output lines: `<name> <rx|tx> <hex frame, length header included>`.
"""
import os
import socket
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import vici_proto as vp  # noqa: E402
from lib import Topology, wait_until  # noqa: E402
from lib.ipsec import IKEV1_PSK, IKEV2_CERT, Pki, start_charons  # noqa: E402

A, B = "192.0.2.1", "198.51.100.1"


class Recorder:
    def __init__(self):
        self.out = []
        self.names = set()

    def add(self, name, direction, data):
        base, i = name, 1
        while name in self.names:
            i += 1
            name = "%s.%d" % (base, i)
        self.names.add(name)
        self.out.append("%s %s %s" % (name, direction, data.hex()))


class Proxy:
    """A unix socket that relays one client at a time to charon and
    records what the client sends."""

    def __init__(self, path, upstream):
        self.path, self.upstream = path, upstream
        self.sent = []
        if os.path.exists(path):
            os.unlink(path)
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(4)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            u.connect(self.upstream)
            threading.Thread(target=self._pump, args=(u, c, None), daemon=True).start()
            self._pump(c, u, self.sent)

    @staticmethod
    def _pump(src, dst, record):
        try:
            while True:
                f = vp.recv_frame(src)
                if f is None:
                    break
                if record is not None:
                    record.append(f)
                dst.sendall(f)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.srv.close()


def reset(cli):
    cli.frames.clear()
    cli.events.clear()


def ev_of(name, pred=None):
    return lambda n, m: n == name and (pred is None or pred(m))


def sa_of(msg):
    """The first section of an SA event (the SA), skipping 'up'."""
    for k, v in msg.items():
        if isinstance(v, dict):
            return v
    return {}


def rx_last(cli, rec, name, what):
    """Record the last frame a client received whose event/op matches."""
    for d, f in reversed(cli.frames):
        if d != "rx":
            continue
        op, n, _ = vp.parse_frame(f)
        if what(op, n):
            rec.add(name, "rx", f)
            return f
    raise AssertionError("no frame for %s" % name)


def capture(topo, variant, rec, tag):
    a, b = topo["a"], topo["b"]
    pki = Pki(topo.logdir) if variant == IKEV2_CERT else None
    ch = start_charons([a, b], variant, pki=pki)
    ca = ch["a"]
    cli = vp.Client(ca.socket)
    ok = {}
    for ev in ("ike-updown", "child-updown", "ike-rekey", "child-rekey", "list-sa",
               "no-such-event"):
        ok[ev] = cli.register(ev)
    assert ok["ike-updown"] and not ok["no-such-event"], ok
    for d, f in cli.frames:
        op, n, _ = vp.parse_frame(f)
        if d == "tx" and n in ("ike-updown", "list-sa", "no-such-event"):
            rec.add("%s.register.%s" % (tag, n), "tx", f)
    rec.add(tag + ".event-confirm", "rx",
            next(f for d, f in cli.frames if d == "rx" and f[4] == vp.EVENT_CONFIRM))
    rec.add(tag + ".event-unknown", "rx",
            next(f for d, f in cli.frames if d == "rx" and f[4] == vp.EVENT_UNKNOWN))
    reset(cli)

    resp, _ = cli.request("no-such-command")
    assert resp is None
    rec.add(tag + ".cmd-unknown", "rx", cli.frames[-1][1])
    resp, _ = cli.request("version")
    rec.add(tag + ".version", "rx", cli.frames[-1][1])
    resp, evs = cli.request("list-sas")
    assert not evs
    rec.add(tag + ".list-sas.empty", "rx", cli.frames[-1][1])
    reset(cli)

    # the first GRE packet raises the ACQUIRE; charon negotiates
    a.ping("10.9.0.2", count=1, timeout=1)
    cli.wait_event(ev_of("child-updown", lambda m: m.get("up") == b"yes"))
    rx_last(cli, rec, tag + ".ike-updown.up", lambda op, n: n == "ike-updown")
    rx_last(cli, rec, tag + ".child-updown.up", lambda op, n: n == "child-updown")
    wait_until(lambda: a.ping("10.9.0.2", count=1, timeout=1), 20)
    reset(cli)

    resp, evs = cli.request("list-sas")
    assert len(evs) == 1, evs
    sa = sa_of(evs[0][1])
    ike_id = int(sa["uniqueid"])
    child = list(sa["child-sas"].values())[0]
    rec.add(tag + ".list-sa", "rx", cli.frames[-2][1])
    rec.add(tag + ".list-sas.done", "rx", cli.frames[-1][1])
    reset(cli)

    resp, _ = cli.request("rekey", {"child-id": child["uniqueid"]})
    assert resp.get("success") == b"yes", resp
    cli.wait_event(ev_of("child-rekey"))
    rx_last(cli, rec, tag + ".child-rekey", lambda op, n: n == "child-rekey")
    reset(cli)

    resp, _ = cli.request("rekey", {"ike-id": str(ike_id)})
    assert resp.get("success") == b"yes", resp
    if variant != IKEV1_PSK:
        # IKEv2 rekeys the IKE SA in place; IKEv1 reauthenticates (a new
        # SA comes up, the old one goes down: updown events, no ike-rekey)
        cli.wait_event(ev_of("ike-rekey"))
        rx_last(cli, rec, tag + ".ike-rekey", lambda op, n: n == "ike-rekey")
    else:
        cli.wait_event(ev_of("ike-updown", lambda m: m.get("up") == b"yes"))
        print(tag, "after rekey:", [vp.parse_frame(f)[:2] for d, f in cli.frames if d == "rx"])
        rx_last(cli, rec, tag + ".reauth.ike-updown.up", lambda op, n: n == "ike-updown")
    reset(cli)

    resp, evs = cli.request("list-sas")
    ids = [int(sa_of(m)["uniqueid"]) for n, m in evs if n == "list-sa"
           and sa_of(m).get("state") == b"ESTABLISHED"]
    assert ids, evs
    ike_id = ids[-1]
    reset(cli)

    # swanctl's own requests through the proxy, for the encoder's reference
    proxy = Proxy(os.path.join(a.rundir, "proxy.vici"), ca.socket)
    a.run(["swanctl", "--list-sas", "--uri", "unix://" + proxy.path])
    a.run(["swanctl", "--terminate", "--ike-id", str(ike_id), "--timeout", "-1",
           "--uri", "unix://" + proxy.path], check=False)
    wait_until(lambda: len(proxy.sent) >= 2, 5)
    for f in proxy.sent:
        op, n, _ = vp.parse_frame(f)
        rec.add("%s.swanctl.%s.%s" % (tag, vp.OP_NAMES[op].lower(), n), "tx", f)
    proxy.close()
    cli.wait_event(ev_of("ike-updown", lambda m: "up" not in m
                         and int(sa_of(m).get("uniqueid", 0)) == ike_id))
    print(tag, "after terminate:", [vp.parse_frame(f)[:2] for d, f in cli.frames if d == "rx"])
    if any(vp.parse_frame(f)[1] == "child-updown" for d, f in cli.frames if d == "rx"):
        rx_last(cli, rec, tag + ".child-updown.down", lambda op, n: n == "child-updown")
    rx_last(cli, rec, tag + ".ike-updown.down", lambda op, n: n == "ike-updown")
    reset(cli)

    resp, _ = cli.request("terminate", {"ike-id": "4242", "timeout": "-1"})
    rec.add(tag + ".terminate.nomatch", "rx", cli.frames[-1][1])
    reset(cli)

    # a again, then terminate by our own request (response recorded)
    wait_until(lambda: a.ping("10.9.0.2", count=1, timeout=1), 30)
    resp, evs = cli.request("list-sas")
    ike_id = [int(sa_of(m)["uniqueid"]) for n, m in evs if n == "list-sa"][-1]
    reset(cli)
    resp, _ = cli.request("terminate", {"ike-id": str(ike_id), "timeout": "-1"})
    assert resp.get("success") == b"yes", resp
    rec.add(tag + ".terminate.ok", "rx",
            next(f for d, f in cli.frames if d == "rx" and f[4] == vp.CMD_RESPONSE))
    cli.close()
    for c in ch.values():
        c.stop()


def main(out_path):
    rec = Recorder()
    with Topology("vici_capture") as topo:
        a, b = topo.add_node("a"), topo.add_node("b")
        topo.attach_nbma(a, A + "/24")
        topo.attach_nbma(b, B + "/24")
        for n, local, remote, addr in ((a, A, B, "10.9.0.1/30"), (b, B, A, "10.9.0.2/30")):
            n.ip("link add g0 type gre local %s remote %s ttl 64" % (local, remote))
            n.add_address("g0", addr)
            n.ip("link set g0 up")
        topo.flush()
        for variant, tag in ((IKEV2_CERT, "v2cert"), (IKEV1_PSK, "v1psk")):
            capture(topo, variant, rec, tag)
    ver = os.popen("dpkg-query -W -f='${Version}' strongswan-charon").read().strip()
    with open(out_path, "w") as f:
        f.write("# SPDX-License-Identifier: GPL-2.0-or-later\n")
        f.write("# VICI frames from a real charon: Debian 12 strongswan-charon %s\n" % ver)
        f.write("# (charon-systemd, strongSwan is GPL-2.0-or-later; these are protocol\n")
        f.write("# messages it sent or swanctl sent to it, i.e. data), captured %s\n"
                % time.strftime("%Y-%m-%d"))
        f.write("# by tests/topotests/capture_vici_vectors.py in the test VM.\n")
        f.write("# v2cert: IKEv2 with certificates (a = CN=a, b = CN=b); v1psk: IKEv1 main\n")
        f.write("# mode, wildcard PSK.  a = 192.0.2.1 initiates, b = 198.51.100.1.\n")
        f.write("# <name> <rx: charon to client | tx: client to charon> <frame in hex>\n")
        for line in rec.out:
            f.write(line + "\n")
    print("%d frames written to %s" % (len(rec.out), out_path))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "vici_vectors.txt")
