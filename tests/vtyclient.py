# SPDX-License-Identifier: GPL-2.0-or-later
"""A vtysh-protocol client for one daemon's unix socket.

Speaks what FRR's vtysh speaks (each command NUL-terminated, each answer
ends in 00 00 00 <status>), without starting a process per command: under
TCG a vtysh call costs up to a second, a command here a few milliseconds.
"""
import socket

CMD_SUCCESS = 0
CMD_WARNING = 1
CMD_ERR_NO_MATCH = 2
CMD_WARNING_CONFIG_FAILED = 13


class VtyError(RuntimeError):
    pass


class Vty:
    def __init__(self, path, timeout=10.0, enable=True):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
        except OSError as e:
            self.sock.close()
            raise VtyError("cannot connect to %s: %s" % (path, e))
        self.buf = b""
        if enable:
            self.cmd("enable")

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def _read_reply(self):
        while True:
            i = self.buf.find(b"\0\0\0")
            if i >= 0 and len(self.buf) >= i + 4:
                out, status = self.buf[:i], self.buf[i + 3]
                self.buf = self.buf[i + 4:]
                return out.decode(errors="replace"), status
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise VtyError("%s: no answer" % self.path)
            if not data:
                raise VtyError("%s: connection closed" % self.path)
            self.buf += data

    def cmd(self, line):
        """Run one command: returns (output, status)."""
        self.sock.sendall(line.encode() + b"\0")
        return self._read_reply()

    def command(self, line):
        """Run one command: returns (status, output)."""
        out, status = self.cmd(line)
        return status, out

    def ok(self, *lines):
        """Run commands that must succeed; returns the last output."""
        out = ""
        for line in lines:
            out, status = self.cmd(line)
            if status != CMD_SUCCESS:
                raise VtyError("%r failed (%d): %s" % (line, status, out))
        return out


def running_config_lines(text):
    """The set of meaningful lines of a running-config, section by section,
    as vtysh compares them (order inside an interface block is not kept)."""
    sections, cur = {}, None
    for line in text.splitlines():
        if not line.strip() or line.strip() == "!" or line.startswith(
                ("Building", "Current configuration", "end")):
            continue
        if line.startswith("interface "):
            cur = line
            sections.setdefault(cur, set())
        elif line.startswith(" ") and cur:
            sections[cur].add(line.strip())
        else:
            cur = None
            if line != "exit":
                sections.setdefault("", set()).add(line)
    return sections
