# SPDX-License-Identifier: GPL-2.0-or-later
"""strongSwan's VICI protocol in plain Python, for tests: encode/decode
frames and messages, a small blocking client (talks to charon, records the
raw frames) and a fake server's building blocks.

A message is a dict (insertion order kept): a str/bytes value is a
key/value, a dict a section, a list a list of str/bytes items.  Decoded
values are bytes.  Written here from the protocol description; no
strongSwan code.
"""
import socket
import struct

CMD_REQUEST, CMD_RESPONSE, CMD_UNKNOWN = 0, 1, 2
EVENT_REGISTER, EVENT_UNREGISTER, EVENT_CONFIRM, EVENT_UNKNOWN, EVENT = 3, 4, 5, 6, 7
SECTION_START, SECTION_END, KEY_VALUE, LIST_START, LIST_ITEM, LIST_END = 1, 2, 3, 4, 5, 6
NAMED = (CMD_REQUEST, EVENT_REGISTER, EVENT_UNREGISTER, EVENT)
WITH_MSG = (CMD_REQUEST, CMD_RESPONSE, EVENT)
MSG_MAX = 512 * 1024
OP_NAMES = ["CMD_REQUEST", "CMD_RESPONSE", "CMD_UNKNOWN", "EVENT_REGISTER",
            "EVENT_UNREGISTER", "EVENT_CONFIRM", "EVENT_UNKNOWN", "EVENT"]


def _b(v):
    return v if isinstance(v, bytes) else str(v).encode()


def _name(n):
    n = _b(n)
    if not 0 < len(n) < 256:
        raise ValueError("VICI name length %d" % len(n))
    return bytes([len(n)]) + n


def _value(v):
    v = _b(v)
    if len(v) > 65535:
        raise ValueError("VICI value length %d" % len(v))
    return struct.pack(">H", len(v)) + v


def encode_msg(msg):
    out = bytearray()
    for k, v in (msg or {}).items():
        if isinstance(v, dict):
            out += bytes([SECTION_START]) + _name(k) + encode_msg(v) + bytes([SECTION_END])
        elif isinstance(v, (list, tuple)):
            out += bytes([LIST_START]) + _name(k)
            for item in v:
                out += bytes([LIST_ITEM]) + _value(item)
            out += bytes([LIST_END])
        else:
            out += bytes([KEY_VALUE]) + _name(k) + _value(v)
    return bytes(out)


def frame(op, name=None, msg=None, raw_msg=None):
    """One frame (length header included)."""
    body = bytes([op])
    if op in NAMED:
        body += _name(name)
    if op in WITH_MSG:
        body += raw_msg if raw_msg is not None else encode_msg(msg)
    return struct.pack(">I", len(body)) + body


def decode_msg(data):
    """bytes -> dict; ValueError on malformed input."""
    root = {}
    stack = [("s", root)]
    i = 0

    def need(n):
        if i + n > len(data):
            raise ValueError("truncated at %d" % i)

    while i < len(data):
        t = data[i]
        i += 1
        kind, cur = stack[-1]
        if t in (SECTION_START, LIST_START, KEY_VALUE):
            if kind != "s":
                raise ValueError("element %d inside a list" % t)
            need(1)
            n = data[i]
            need(1 + n)
            name = data[i + 1:i + 1 + n].decode("utf-8", "replace")
            i += 1 + n
            if t == SECTION_START:
                new = {}
                cur[name] = new
                stack.append(("s", new))
            elif t == LIST_START:
                new = []
                cur[name] = new
                stack.append(("l", new))
            else:
                need(2)
                n = struct.unpack(">H", data[i:i + 2])[0]
                need(2 + n)
                cur[name] = data[i + 2:i + 2 + n]
                i += 2 + n
        elif t == LIST_ITEM:
            if kind != "l":
                raise ValueError("list item outside a list")
            need(2)
            n = struct.unpack(">H", data[i:i + 2])[0]
            need(2 + n)
            cur.append(data[i + 2:i + 2 + n])
            i += 2 + n
        elif t in (SECTION_END, LIST_END):
            if len(stack) == 1 or kind != ("s" if t == SECTION_END else "l"):
                raise ValueError("unbalanced end at %d" % (i - 1))
            stack.pop()
        else:
            raise ValueError("element type %d" % t)
    if len(stack) != 1:
        raise ValueError("unclosed section/list")
    return root


def parse_frame(buf):
    """(op, name, message bytes) of one frame (header included)."""
    if len(buf) < 5:
        raise ValueError("short frame")
    n = struct.unpack(">I", buf[:4])[0]
    if n + 4 != len(buf):
        raise ValueError("frame length %d, have %d" % (n, len(buf) - 4))
    op, i, name = buf[4], 5, None
    if op in NAMED:
        ln = buf[i]
        name = buf[i + 1:i + 1 + ln].decode()
        i += 1 + ln
    return op, name, buf[i:]


def recv_frame(sock):
    """One whole frame from a stream socket (header included), or None at EOF."""
    hdr = _recv_exact(sock, 4)
    if hdr is None:
        return None
    n = struct.unpack(">I", hdr)[0]
    if n > MSG_MAX:
        raise ValueError("frame of %d bytes" % n)
    body = _recv_exact(sock, n)
    if body is None:
        return None
    return hdr + body


def _recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


class Client:
    """Blocking VICI client.  Every frame sent and received is appended to
    .frames as ("tx"|"rx", bytes)."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.frames = []
        self.events = []        # (name, dict) received outside a request

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.frames.append(("tx", data))
        self.sock.sendall(data)

    def recv(self):
        f = recv_frame(self.sock)
        if f is None:
            raise EOFError("VICI connection closed")
        self.frames.append(("rx", f))
        return f

    def _until(self, ops):
        """Frames until one of ops; events before it are returned too."""
        evs = []
        while True:
            f = self.recv()
            op, name, msg = parse_frame(f)
            if op == EVENT:
                evs.append((name, decode_msg(msg)))
                continue
            if op in ops:
                return op, msg, evs
            raise ValueError("unexpected %s" % OP_NAMES[op] if op < 8 else op)

    def register(self, event):
        self.send(frame(EVENT_REGISTER, event))
        op, _, evs = self._until((EVENT_CONFIRM, EVENT_UNKNOWN))
        self.events += evs
        return op == EVENT_CONFIRM

    def request(self, cmd, msg=None):
        """(response dict or None for CMD_UNKNOWN, [(event, dict)] streamed
        before the response)."""
        self.send(frame(CMD_REQUEST, cmd, msg))
        op, body, evs = self._until((CMD_RESPONSE, CMD_UNKNOWN))
        return (decode_msg(body) if op == CMD_RESPONSE else None), evs

    def wait_event(self, pred=None):
        """Next event (name, dict) satisfying pred (earlier ones kept)."""
        for i, ev in enumerate(self.events):
            if pred is None or pred(*ev):
                return self.events.pop(i)
        while True:
            f = self.recv()
            op, name, msg = parse_frame(f)
            if op != EVENT:
                raise ValueError("unexpected %s while waiting for an event" % op)
            ev = (name, decode_msg(msg))
            if pred is None or pred(*ev):
                return ev
            self.events.append(ev)


def list_sas(path, timeout=30):
    """All SAs of the charon behind socket `path`: {conn name: [sa dict]}."""
    with Client(path, timeout) as c:
        c.register("list-sa")
        _, evs = c.request("list-sas")
    out = {}
    for name, msg in evs:
        if name != "list-sa":
            continue
        for conn, sa in msg.items():
            out.setdefault(conn, []).append(sa)
    return out
