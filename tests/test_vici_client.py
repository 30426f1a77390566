# SPDX-License-Identifier: GPL-2.0-or-later
"""nhrpd's VICI client (nhrpd/nhrp_vici.c) against a fake charon.

tests/unit/vici_client_tool runs the client alone on FRR's event loop and
prints its callbacks as JSON lines; FakeCharon below is a unix-socket VICI
server in Python that answers registrations and commands and sends the SA
events that a real charon sent (tests/unit/vici_vectors.txt).  Proven here:
connect, registration of the four SA events (and list-sa), the list-sas
resync, event delivery with the fields parsed, terminate by unique id,
requests failing cleanly when the connection goes, reconnect after a
server restart and when the server appears late (one log line, not one
per retry), and that garbage from the server does not crash the client.
"""
import json
import os
import queue
import socket
import struct
import subprocess
import tempfile
import threading
import time

import pytest

import vici_proto as vp

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(TOP, "tests", "unit", "vici_client_tool")
VECTORS = os.path.join(TOP, "tests", "unit", "vici_vectors.txt")
SA_EVENTS = ["ike-updown", "child-updown", "ike-rekey", "child-rekey"]


def vectors():
    out = {}
    with open(VECTORS) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, _, hexdata = line.split()
            out[name] = bytes.fromhex(hexdata)
    return out


VEC = vectors()


def wait_for(pred, timeout=15, what="condition"):
    end = time.monotonic() + timeout
    delay = 0.01
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for %s" % what)
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


class FakeCharon:
    """A VICI server: one client at a time.  Answers EVENT_REGISTER with
    EVENT_CONFIRM (EVENT_UNKNOWN for names in unknown_events), list-sas
    with the frames of list_sa then an empty response (unless hold_list),
    terminate with success, anything else with CMD_UNKNOWN.  Every frame
    received is kept in .received as (op, name, dict)."""

    def __init__(self, path, list_sa=(), unknown_events=(), hold_list=False):
        self.path = path
        self.list_sa = list(list_sa)
        self.unknown_events = set(unknown_events)
        self.hold_list = hold_list
        self.received = []
        self.accepted = 0
        self.conn = None
        self.lock = threading.Lock()
        self.srv = None

    def start(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(self.path)
        self.srv.listen(4)
        threading.Thread(target=self._accept, args=(self.srv,), daemon=True).start()
        return self

    def _accept(self, srv):
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.conn = c
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        try:
            while True:
                f = vp.recv_frame(c)
                if f is None:
                    return
                op, name, msg = vp.parse_frame(f)
                body = vp.decode_msg(msg) if op in vp.WITH_MSG else None
                with self.lock:
                    self.received.append((op, name, body))
                if op == vp.EVENT_REGISTER:
                    c.sendall(vp.frame(vp.EVENT_UNKNOWN if name in self.unknown_events
                                       else vp.EVENT_CONFIRM))
                elif op == vp.CMD_REQUEST and name == "list-sas":
                    if self.hold_list:
                        continue
                    for ev in self.list_sa:
                        c.sendall(ev)
                    c.sendall(vp.frame(vp.CMD_RESPONSE, msg={}))
                elif op == vp.CMD_REQUEST and name == "terminate":
                    c.sendall(vp.frame(vp.CMD_RESPONSE, msg={
                        "success": "yes", "matches": "1", "terminated": "1"}))
                elif op == vp.CMD_REQUEST and name == "hold":
                    continue        # never answered
                else:
                    c.sendall(vp.frame(vp.CMD_UNKNOWN))
        except OSError:
            return

    def send(self, data):
        with self.lock:
            c = self.conn
        c.sendall(data)

    def drop(self):
        """Close the current client connection (the listener stays)."""
        with self.lock:
            c, self.conn = self.conn, None
        if c:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def stop(self):
        """Gone: listener closed and socket file removed, client dropped."""
        if self.srv:
            self.srv.close()
            self.srv = None
        self.drop()
        if os.path.exists(self.path):
            os.unlink(self.path)

    def requests(self, op=None, name=None):
        with self.lock:
            return [r for r in self.received
                    if (op is None or r[0] == op) and (name is None or r[1] == name)]


class Client:
    """vici_client_tool: callbacks as JSON lines, commands on stdin."""

    def __init__(self, path, logdir):
        self.stderr_path = os.path.join(logdir, "client.log")
        self.err = open(self.stderr_path, "w")
        self.proc = subprocess.Popen([TOOL, path, "-d"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.err, text=True,
                                     bufsize=1)
        self.q = queue.Queue()
        self.seen = []
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        for line in self.proc.stdout:
            self.q.put(json.loads(line))
        self.q.put(None)

    def expect(self, pred, timeout=15, what="a callback"):
        """The next line (in order) satisfying pred; lines before it are
        kept in .seen."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise AssertionError("timed out waiting for %s; seen: %s" % (what, self.seen[-8:]))
            try:
                ev = self.q.get(timeout=left)
            except queue.Empty:
                continue
            if ev is None:
                raise AssertionError("client exited (status %s) waiting for %s; log:\n%s" % (
                    self.proc.wait(5), what, self.log()[-2000:]))
            self.seen.append(ev)
            if pred(ev):
                return ev

    def cb(self, name, timeout=15, **fields):
        return self.expect(lambda e: e["cb"] == name and all(e.get(k) == v for k, v in fields.items()),
                           timeout, "%s %s" % (name, fields))

    def sa(self, kind, timeout=15):
        return self.cb("sa", timeout, kind=kind)

    def command(self, line):
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.cb("cmd")

    def stats(self):
        self.proc.stdin.write("stats\n")
        self.proc.stdin.flush()
        s = self.cb("stats")
        self.cb("cmd")
        return s

    def log(self):
        with open(self.stderr_path) as f:
            return f.read()

    def warnings(self, text):
        """Log lines with text that are not debug lines (those of an
        outage already reported say "VICI: again:")."""
        return [ln for ln in self.log().splitlines() if text in ln and "VICI: again:" not in ln]

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(5)
        self.err.close()
        return self.proc.returncode


@pytest.fixture
def env():
    if not os.access(TOOL, os.X_OK) and os.path.exists(os.path.join(TOP, "Makefile")):
        subprocess.run(["make", "-s", "-C", TOP, "tests/unit/vici_client_tool"],
                       capture_output=True)
    if not os.access(TOOL, os.X_OK):
        pytest.skip("tests/unit/vici_client_tool is not built (make check builds it)")
    d = tempfile.mkdtemp(prefix="vici-test-")
    made = []

    class Env:
        dir = d
        path = os.path.join(d, "charon.vici")

        def server(self, **kw):
            s = FakeCharon(self.path, **kw)
            made.append(s)
            return s

        def client(self):
            c = Client(self.path, d)
            made.append(c)
            return c

    yield Env()
    for m in reversed(made):
        if isinstance(m, Client):
            rc = m.close()
            assert rc == 0, "client exit status %s; log:\n%s" % (rc, m.log()[-3000:])
        else:
            m.stop()


def registered(server):
    return [n for op, n, _ in server.requests(vp.EVENT_REGISTER)]


def test_connect_register_resync_and_events(env):
    srv = env.server(list_sa=[VEC["v2cert.list-sa"], VEC["v1psk.list-sa"]]).start()
    cli = env.client()
    cli.cb("connection", up=True)
    cli.cb("resync_begin")
    listed = [cli.sa("SA_LISTED"), cli.sa("SA_LISTED")]
    cli.cb("resync_end", complete=True)
    # registrations for the four SA events and list-sa, then list-sas
    assert sorted(registered(srv)) == sorted(SA_EVENTS + ["list-sa"])
    order = [(op, n) for op, n, _ in srv.received]
    assert order[-1] == (vp.CMD_REQUEST, "list-sas")
    assert len(srv.requests(vp.CMD_REQUEST, "list-sas")) == 1
    v2, v1 = listed[0]["ike"], listed[1]["ike"]
    assert v2["version"] == 2 and v1["version"] == 1
    assert v2["remote_id"] == "C=XX, O=nhrpd topotest, CN=b"
    assert v1["remote_id"] == "198.51.100.1"
    for sa in (v2, v1):
        assert sa["name"] == "dmvpn" and sa["state"] == "ESTABLISHED"
        assert sa["remote_host"] == "198.51.100.1" and sa["remote_addr_len"] == 4
        assert sa["local_host"] == "192.0.2.1"
        assert len(sa["children"]) == 1
        c = sa["children"][0]
        assert c["name"] == "dmvpn" and c["state"] == "INSTALLED" and c["reqid"] > 0
        assert c["transport"] and c["esp"] and c["spi_in"] and c["spi_out"]

    # SA events as charon sent them
    srv.send(VEC["v2cert.ike-updown.up"])
    ev = cli.sa("IKE_UP")
    assert ev["ike"]["uniqueid"] == 1 and ev["ike"]["initiator"]
    assert ev["ike"]["remote_id"] == "C=XX, O=nhrpd topotest, CN=b"
    assert "child" not in ev and ev["ike"]["children"] == []
    srv.send(VEC["v2cert.child-updown.up"])
    ev = cli.sa("CHILD_UP")
    assert ev["child"]["state"] == "INSTALLED" and ev["child"]["reqid"] > 0
    assert ev["child"] == ev["ike"]["children"][0]
    srv.send(VEC["v2cert.child-rekey"])
    ev = cli.sa("CHILD_REKEYED")
    assert ev["child"]["uniqueid"] != ev["old_child"]["uniqueid"]
    assert ev["child"]["reqid"] == ev["old_child"]["reqid"]
    srv.send(VEC["v2cert.ike-rekey"])
    ev = cli.sa("IKE_REKEYED")
    assert ev["old_ike"]["uniqueid"] == 1 and ev["ike"]["uniqueid"] != 1
    assert ev["old_ike"]["state"] == "REKEYING"
    # several frames in one write, the last split across two writes
    down = VEC["v2cert.ike-updown.down"]
    srv.send(VEC["v1psk.child-updown.down"] + down[:7])
    ev = cli.sa("CHILD_DOWN")
    assert ev["ike"]["version"] == 1
    srv.send(down[7:])
    ev = cli.sa("IKE_DOWN")
    assert ev["ike"]["state"] == "DELETING"
    s = cli.stats()
    assert s["events"] == 8 and s["bad_events"] == 0 and s["malformed"] == 0
    assert s["connects"] == 1 and s["resyncs"] == 1 and s["connected"]


def test_terminate_requests_and_loss(env):
    srv = env.server().start()
    cli = env.client()
    cli.cb("resync_end", complete=True)
    assert cli.command("terminate 7")["rc"] == 0
    rep = cli.cb("reply")
    assert rep["op"] == "CMD_RESPONSE" and rep["msg"]["success"] == "yes"
    term = srv.requests(vp.CMD_REQUEST, "terminate")
    assert term[-1][2] == {"ike-id": b"7", "timeout": b"-1"}
    # a command charon does not have
    tag = cli.command("request no-such-command a=1")["tag"]
    assert cli.cb("reply", tag=tag)["op"] == "CMD_UNKNOWN"
    # requests never answered fail (reply null) when the connection goes
    t1 = cli.command("request hold")["tag"]
    t2 = cli.command("request hold")["tag"]
    wait_for(lambda: len(srv.requests(vp.CMD_REQUEST, "hold")) == 2, 10, "both requests")
    srv.drop()
    got = {}
    while len(got) < 2:
        e = cli.cb("reply")
        got[e["tag"]] = e["op"]
    assert got == {t1: None, t2: None}
    cli.cb("connection", up=False)
    # while disconnected, requests are refused at once
    srv.stop()
    assert cli.command("terminate 1")["rc"] == -1
    assert cli.command("resync")["rc"] == -1


def test_replies_in_order(env):
    """Answers belong to the requests in the order they were sent."""
    srv = env.server().start()
    cli = env.client()
    cli.cb("resync_end", complete=True)
    t1 = cli.command("request hold")["tag"]
    t2 = cli.command("request hold")["tag"]
    wait_for(lambda: len(srv.requests(vp.CMD_REQUEST, "hold")) == 2, 10, "both requests")
    srv.send(vp.frame(vp.CMD_RESPONSE, msg={"n": "1"}))
    srv.send(vp.frame(vp.CMD_RESPONSE, msg={"n": "2"}))
    r1, r2 = cli.cb("reply"), cli.cb("reply")
    assert (r1["tag"], r1["msg"]) == (t1, {"n": "1"})
    assert (r2["tag"], r2["msg"]) == (t2, {"n": "2"})
    assert cli.stats()["connects"] == 1


def test_reconnect_after_server_restart(env):
    srv = env.server(list_sa=[VEC["v2cert.list-sa"]]).start()
    cli = env.client()
    cli.cb("resync_end", complete=True)
    srv.stop()
    cli.cb("connection", up=False)
    # absent for a while: it keeps trying, quietly
    wait_for(lambda: cli.stats()["connect_failures"] >= 3, 20, "three failed reconnects")
    assert len(cli.warnings("lost the connection to charon")) == 1
    assert cli.warnings("cannot connect") == []
    srv2 = env.server(list_sa=[VEC["v2cert.list-sa"], VEC["v1psk.list-sa"]]).start()
    cli.cb("connection", up=True)
    cli.cb("resync_begin")
    cli.sa("SA_LISTED")
    cli.sa("SA_LISTED")
    cli.cb("resync_end", complete=True)
    assert sorted(registered(srv2)) == sorted(SA_EVENTS + ["list-sa"])
    assert len(cli.warnings("VICI: connected to charon")) == 1
    srv2.send(VEC["v1psk.ike-updown.up"])
    assert cli.sa("IKE_UP")["ike"]["version"] == 1
    s = cli.stats()
    assert s["connects"] == 2 and s["disconnects"] == 1 and s["resyncs"] == 2


def test_server_absent_at_start(env):
    cli = env.client()
    wait_for(lambda: cli.stats()["connect_failures"] >= 3, 20, "three failed connects")
    warn = cli.warnings("cannot connect to charon at %s" % env.path)
    assert len(warn) == 1 and "No such file" in warn[0]
    assert cli.command("terminate 1")["rc"] == -1
    srv = env.server().start()
    cli.cb("connection", up=True)
    cli.cb("resync_end", complete=True)
    assert len(srv.requests(vp.CMD_REQUEST, "list-sas")) == 1


def test_lost_during_resync(env):
    srv = env.server(hold_list=True).start()
    cli = env.client()
    cli.cb("resync_begin")
    wait_for(lambda: srv.requests(vp.CMD_REQUEST, "list-sas"), 10, "list-sas")
    srv.hold_list = False
    srv.drop()
    cli.cb("resync_end", complete=False)
    cli.cb("connection", up=False)
    # and the next connection resyncs completely
    cli.cb("connection", up=True)
    cli.cb("resync_end", complete=True)


def test_unknown_event_and_command(env):
    env.server(unknown_events=["child-rekey"]).start()
    cli = env.client()
    cli.cb("resync_end", complete=True)
    assert len(cli.warnings("charon does not know the event child-rekey")) == 1
    assert cli.stats()["connected"]


GARBAGE = [
    ("random bytes", bytes(range(7, 250, 3)) * 3),
    ("length beyond 512 KiB", struct.pack(">I", 512 * 1024 + 1) + b"\x01"),
    ("empty frame", struct.pack(">I", 0)),
    ("bad packet type", vp.frame(vp.CMD_RESPONSE)[:4] + b"\x09"),
    ("unbalanced section", vp.frame(vp.EVENT, "ike-updown", raw_msg=b"\x01\x01s\x03\x01k\x00\x00")),
    ("list item at top level", vp.frame(vp.CMD_RESPONSE, raw_msg=b"\x05\x00\x00")),
    ("answer nobody asked for", vp.frame(vp.EVENT_CONFIRM)),
    ("request from the server", vp.frame(vp.CMD_REQUEST, "list-sas")),
]


@pytest.mark.parametrize("what,data", GARBAGE, ids=[g[0] for g in GARBAGE])
def test_garbage_resets_the_connection(env, what, data):
    srv = env.server(list_sa=[VEC["v2cert.list-sa"]]).start()
    cli = env.client()
    cli.cb("resync_end", complete=True)
    srv.send(data)
    cli.cb("connection", up=False)
    cli.cb("connection", up=True)
    cli.cb("resync_end", complete=True)
    s = cli.stats()
    assert s["malformed"] == 1 and s["connects"] == 2, s
    assert len(cli.warnings("dropped the connection to charon")) == 1
    # still working: a real event is delivered
    srv.send(VEC["v2cert.ike-updown.up"])
    assert cli.sa("IKE_UP")["ike"]["uniqueid"] == 1


def test_unusable_events_keep_the_connection(env):
    srv = env.server().start()
    cli = env.client()
    cli.cb("resync_end", complete=True)
    # well-formed frames, but no SA in them / no unique id / unknown event
    srv.send(vp.frame(vp.EVENT, "ike-updown", {"up": "yes"}))
    srv.send(vp.frame(vp.EVENT, "child-updown", {"dmvpn": {"state": "ESTABLISHED"}}))
    srv.send(vp.frame(vp.EVENT, "ike-rekey", {"dmvpn": {"uniqueid": "1"}}))
    srv.send(vp.frame(vp.EVENT, "ike-updown", {"dmvpn": {"uniqueid": "99999999999"}}))
    srv.send(vp.frame(vp.EVENT, "ike-updown", {"dmvpn": {"uniqueid": "5",
                                                        "remote-id": "x" * 2000}}))
    srv.send(vp.frame(vp.EVENT, "some-other-event", {"a": "b"}))
    srv.send(VEC["v2cert.ike-updown.up"])
    assert cli.sa("IKE_UP")["ike"]["uniqueid"] == 1
    s = cli.stats()
    assert s["bad_events"] == 5 and s["malformed"] == 0 and s["connects"] == 1, s
    assert len(cli.warnings("unusable")) == 1


def test_flood_of_random_frames_does_not_crash(env):
    """Random frames (some with a plausible length header), each followed
    by a drop: the client survives and comes back every time."""
    import random
    rnd = random.Random(1)
    srv = env.server().start()
    cli = env.client()
    for i in range(12):
        cli.cb("resync_end", complete=True, timeout=30)
        ln = rnd.randrange(1, 64)
        body = bytes(rnd.randrange(256) for _ in range(ln))
        srv.send(struct.pack(">I", ln) + body if i % 2 else body)
        srv.drop()
        cli.cb("connection", up=False)
    cli.cb("resync_end", complete=True, timeout=30)
    assert cli.proc.poll() is None, "client died"
    s = cli.stats()
    assert s["connected"] and s["connects"] == 13 and s["disconnects"] == 12, s
