# SPDX-License-Identifier: GPL-2.0-or-later
"""The event socket (`nhrp event socket PATH`, FRR 8.4's protocol):
nhrpd/nhrp_event.c driven through tests/unit/event_harness, with a Python
helper listening on the socket as Alpine's nhrp-events does; then the
configuration commands on a running nhrpd (network namespace, no GRE)."""
import os
import queue
import socket
import subprocess
import threading
import uuid

import pytest

from frrnode import FrrNode, OUR_NHRPD, TOP, wait_until
from vtyclient import running_config_lines

HARNESS = os.path.join(TOP, "tests", "unit", "event_harness")

needs_harness = pytest.mark.skipif(
    not os.path.exists(HARNESS),
    reason="%s is not built (make -C %s tests/unit/event_harness)" % (HARNESS, TOP))


class Helper:
    """An event helper: records each message nhrpd sends (a dict, plus the
    raw text) and answers through `policy(msg)` -> bytes or None."""

    def __init__(self, path, policy=None):
        self.path = path
        self.policy = policy or (lambda m: None)
        self.messages = []
        self.raw = []
        self.conns = []
        self.lock = threading.Lock()
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        os.chmod(path, 0o777)
        self.sock.listen(4)
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        buf = b""
        while True:
            try:
                data = c.recv(65536)
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n\n" in buf:
                raw, buf = buf.split(b"\n\n", 1)
                text = raw.decode()
                msg = dict(l.split("=", 1) for l in text.split("\n"))
                with self.lock:
                    self.raw.append(text)
                    self.messages.append(msg)
                reply = self.policy(msg)
                if reply:
                    try:
                        c.sendall(reply)
                    except OSError:
                        return

    def send(self, data):
        """Send bytes on every open connection."""
        with self.lock:
            for c in self.conns:
                try:
                    c.sendall(data)
                except OSError:
                    pass

    def connections(self):
        with self.lock:
            return len(self.conns)

    def wait_messages(self, n, timeout=15):
        assert wait_until(lambda: len(self.messages) >= n, timeout), \
            "helper got %d messages, wanted %d" % (len(self.messages), n)
        return self.messages

    def stop(self):
        self.running = False
        self.sock.close()
        with self.lock:
            for c in self.conns:
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                c.close()
            self.conns = []
        if os.path.exists(self.path):
            os.unlink(self.path)


def answer(result, only=None):
    """A policy: answer every authorize-binding with result (or, with
    only={remote_addr: result}, per peer; others get no answer)."""
    def policy(msg):
        r = only.get(msg["remote_addr"]) if only else result
        if r is None:
            return None
        return ("eventid=%s\nresult=%s\n\n" % (msg["eventid"], r)).encode()
    return policy


class Harness:
    def __init__(self):
        self.p = subprocess.Popen([HARNESS], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, bufsize=1)
        self.replies = queue.Queue()
        self.done = {}
        self.log = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._stderr, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            line = line.rstrip("\n")
            if line.startswith("done "):
                _, tag, result = line.split()
                assert tag not in self.done, "two answers for " + tag
                self.done[tag] = result
            else:
                self.replies.put(line)

    def _stderr(self):
        for line in self.p.stderr:
            self.log.append(line)

    def cmd(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        r = self.replies.get(timeout=10)
        assert not r.startswith("error"), (line, r)
        return r

    def config(self, path, timeout=10, policy="closed"):
        assert self.cmd("config %s %d %s" % (path or "-", timeout, policy)) == "ok"

    def auth(self, tag, remote="10.255.0.11", nbma="198.51.100.1", typ="dynamic"):
        r = self.cmd("auth %s gre1 %s %s %s" % (tag, remote, nbma, typ)).split()
        assert r[:2] == ["id", tag]
        return int(r[2])

    def result(self, tag, timeout=15):
        assert wait_until(lambda: tag in self.done, timeout), \
            "no answer for %s; log:\n%s" % (tag, "".join(self.log[-20:]))
        return self.done[tag]

    def pending(self):
        return int(self.cmd("pending").split()[1])

    def connected(self):
        return self.cmd("connected") == "connected 1"

    def close(self):
        if self.p.poll() is None:
            self.p.stdin.write("quit\n")
            self.p.stdin.flush()
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


@pytest.fixture
def harness():
    h = Harness()
    yield h
    h.close()


@pytest.fixture
def sockpath(tmp_path):
    os.chmod(tmp_path, 0o777)
    return str(tmp_path / "nhrp-events.sock")


@needs_harness
def test_no_socket_accepts_at_once(harness):
    assert harness.auth("a") == 0
    assert harness.done == {"a": "accept"}
    assert harness.pending() == 0


@needs_harness
def test_accept_and_the_message_is_frr_s(harness, sockpath):
    helper = Helper(sockpath, answer("accept"))
    try:
        harness.config(sockpath)
        eid = harness.auth("a", "10.255.0.11", "198.51.100.1", "dynamic")
        assert eid != 0
        assert harness.result("a") == "accept"
        msg, = helper.messages
        # every field of FRR 8.4's authorize-binding, in its order
        assert helper.raw[0].split("\n") == [
            "eventid=%d" % eid,
            "event=authorize-binding",
            "type=dynamic",
            "old_type=invalid",
            "num_nhs=0",
            "interface=gre1",
            "local_addr=10.255.0.1",
            "vc_initiated=no",
            "local_nbma=192.0.2.1",
            "local_cert=",
            "remote_addr=10.255.0.11",
            "remote_nbma=198.51.100.1",
            "remote_cert=308201ab",
        ]
        assert harness.pending() == 0
    finally:
        helper.stop()


@needs_harness
def test_helper_refuses_one_spoke(harness, sockpath):
    # Alpine's nhrp-events answers "deny"; anything but "accept" refuses
    helper = Helper(sockpath, answer(None, {"10.255.0.11": "accept",
                                            "10.255.0.12": "deny",
                                            "10.255.0.13": "default"}))
    try:
        harness.config(sockpath)
        harness.auth("s1", "10.255.0.11", "198.51.100.1")
        harness.auth("s2", "10.255.0.12", "203.0.113.1")
        harness.auth("s3", "10.255.0.13", "198.51.100.2")
        assert harness.result("s1") == "accept"
        assert harness.result("s2") == "refuse"
        assert harness.result("s3") == "refuse"
        ids = [int(m["eventid"]) for m in helper.messages]
        assert len(set(ids)) == 3 and 0 not in ids
    finally:
        helper.stop()


@needs_harness
@pytest.mark.parametrize("policy,expect", [("closed", "refuse"), ("open", "accept")])
def test_timeout(harness, sockpath, policy, expect):
    helper = Helper(sockpath)          # reads, never answers
    try:
        harness.config(sockpath, timeout=1, policy=policy)
        harness.auth("a")
        helper.wait_messages(1)
        assert harness.result("a") == expect
        assert harness.pending() == 0
        # a late answer changes nothing (and is not a second callback)
        helper.send(("eventid=%s\nresult=%s\n\n" % (
            helper.messages[0]["eventid"],
            "deny" if expect == "accept" else "accept")).encode())
        harness.auth("b")
        helper.wait_messages(2)
        assert harness.pending() == 1
    finally:
        helper.stop()


@needs_harness
def test_helper_restart(harness, sockpath):
    first = Helper(sockpath)           # takes the request and dies without answering
    try:
        harness.config(sockpath, timeout=30)
        harness.auth("inflight")
        first.wait_messages(1)
    finally:
        first.stop()
    assert wait_until(lambda: not harness.connected())
    harness.auth("while-down", "10.255.0.12", "203.0.113.1")
    assert harness.pending() == 2
    second = Helper(sockpath, answer("accept"))
    try:
        # both unanswered requests come again, in order, to the new helper
        msgs = second.wait_messages(2)
        assert [m["remote_addr"] for m in msgs] == ["10.255.0.11", "10.255.0.12"]
        assert msgs[0]["eventid"] == first.messages[0]["eventid"]
        # fail-closed with 30 s: an accept can only be the new helper's
        assert harness.result("inflight") == "accept"
        assert harness.result("while-down") == "accept"
        assert harness.connected()
    finally:
        second.stop()


@needs_harness
def test_garbage_from_the_helper_accepts_nothing(harness, sockpath):
    helper = Helper(sockpath)
    try:
        harness.config(sockpath, timeout=30)
        a = harness.auth("a", "10.255.0.11")
        b = harness.auth("b", "10.255.0.12")
        helper.wait_messages(2)
        helper.send(b"\x00\xff\xfe binary\n\n"
                    + b"x" * 5000 + b"\n\n"                      # overlong line
                    + b"eventid=%d\nresult=accept\nno equals sign\n\n" % a
                    + b"eventid=%d\r\nresult=accept\r\n\r\n" % a  # CRLF
                    + b"eventid=%dx\nresult=accept\n\n" % a
                    + b"eventid=%d\neventid=%d\nresult=accept\n\n" % (a, a)
                    + b"eventid=0\nresult=accept\n\n"
                    + b"eventid=99999999999\nresult=accept\n\n"
                    + b"eventid=424242\nresult=accept\n\n"       # nobody's
                    + b"result=accept\n\n"
                    + b"eventid=%d\n\n" % a
                    + b"\n\n\n"
                    # then a good answer for b: once it is in, all of the
                    # above has been read
                    + b"eventid=%d\nresult=accept\nextra=ignored\n\n" % b)
        assert harness.result("b") == "accept"
        assert "a" not in harness.done and harness.pending() == 1
        assert harness.connected()
        helper.send(b"eventid=%d\nresult=deny\n\n" % a)
        assert harness.result("a") == "refuse"
        assert wait_until(lambda: any("unreadable message ignored" in l
                                      for l in harness.log))
    finally:
        helper.stop()


@needs_harness
def test_cancel(harness, sockpath):
    helper = Helper(sockpath)
    try:
        harness.config(sockpath, timeout=30)
        a = harness.auth("a")
        helper.wait_messages(1)
        assert harness.cmd("cancel a") == "ok"
        assert harness.pending() == 0
        b = harness.auth("b")
        helper.wait_messages(2)
        helper.send(b"eventid=%d\nresult=accept\n\neventid=%d\nresult=accept\n\n" % (a, b))
        assert harness.result("b") == "accept"
        assert "a" not in harness.done
    finally:
        helper.stop()


@needs_harness
def test_removing_the_socket_accepts_what_waits(harness, sockpath):
    helper = Helper(sockpath)
    try:
        harness.config(sockpath, timeout=30)
        harness.auth("a")
        helper.wait_messages(1)
        harness.config(None)
        assert harness.result("a") == "accept"
        assert not harness.connected()
        assert wait_until(lambda: helper.connections() == 1)
    finally:
        helper.stop()


# ---- the configuration, on a running nhrpd ---------------------------------

def _start(tmp_path):
    os.chmod(tmp_path, 0o777)
    n = FrrNode("ne" + uuid.uuid4().hex[:8], str(tmp_path))
    conf = os.path.join(n.etcdir, "nhrpd.conf")
    open(conf, "w").close()
    n.start("zebra")
    n.start("nhrpd", binary=OUR_NHRPD, conf=conf)
    return n


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces)")
@pytest.mark.skipif(not os.path.exists(OUR_NHRPD), reason="nhrpd not built")
def test_daemon_connects_and_disconnects(tmp_path):
    n = _start(tmp_path)
    # where the frr user may go (pytest's tmp_path is root's only)
    sockpath = os.path.join(n.rundir, "nhrp-events.sock")
    helper = Helper(sockpath)
    try:
        with n.vty() as v:
            v.ok("configure terminal", "nhrp event socket " + sockpath,
                 "nhrp event timeout 5 fail-open", "end")
            assert wait_until(lambda: helper.connections() == 1)
            lines = running_config_lines(v.ok("show running-config"))[""]
            assert {"nhrp event socket " + sockpath,
                    "nhrp event timeout 5 fail-open"} <= lines
            # defaults are not written; fail-open alone keeps the line
            v.ok("configure terminal", "nhrp event timeout 10", "end")
            lines = running_config_lines(v.ok("show running-config"))[""]
            assert not any(l.startswith("nhrp event timeout") for l in lines)
            v.ok("configure terminal", "nhrp event timeout 10 fail-open", "end")
            lines = running_config_lines(v.ok("show running-config"))[""]
            assert "nhrp event timeout 10 fail-open" in lines
            v.ok("configure terminal", "no nhrp event timeout", "end")
            lines = running_config_lines(v.ok("show running-config"))[""]
            assert not any(l.startswith("nhrp event timeout") for l in lines)
            # bad values: refused, nothing changes
            before = running_config_lines(v.ok("show running-config"))
            v.ok("configure terminal")
            for bad in ("nhrp event timeout 0", "nhrp event timeout 61",
                        "nhrp event timeout 5 fail-closed",
                        "nhrp event socket /" + "x" * 120):
                out, status = v.cmd(bad)
                assert status != 0 and out.strip().startswith("%"), (bad, out)
            v.ok("end")
            assert running_config_lines(v.ok("show running-config")) == before
            # the helper going away: nhrpd is connected again to the next one
            helper.stop()
            helper = Helper(sockpath)
            assert wait_until(lambda: helper.connections() == 1, 15)
            v.ok("configure terminal", "no nhrp event socket", "end")
            lines = running_config_lines(v.ok("show running-config"))[""]
            assert not any(l.startswith("nhrp event socket") for l in lines)
        log = open(n.log("nhrpd")).read()
        assert "disconnected (configuration)" in log
    finally:
        helper.stop()
        n.close()
