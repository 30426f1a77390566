# SPDX-License-Identifier: GPL-2.0-or-later
"""Small helpers shared by the topology library: polling, kernel feature
probes, network-namespace switching for sysctl writes."""
import ctypes
import ctypes.util
import functools
import os
import subprocess
import time

CLONE_NEWNET = 0x40000000
# documentation ranges (RFC 5737): the only addresses used for NBMA
NBMA_RANGES = ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")


class WaitTimeout(AssertionError):
    """wait_until() gave up; an AssertionError so that pytest shows it as
    a test failure, with the message and the last value seen."""


def wait_until(predicate, timeout=30.0, interval=0.1, msg=None, node=None):
    """Call predicate() until it returns something truthy and return that.

    Exceptions raised by predicate count as "not yet" (the last one is kept
    for the message).  On timeout: without msg, the last (falsy) value is
    returned; with msg, WaitTimeout is raised naming msg, the node (if
    given) and the last value or exception.  The interval grows from
    `interval` up to 1 s, so slow (TCG) guests are not flooded with
    process starts."""
    __tracebackhide__ = True  # pytest: show the caller's line, not this loop
    end = time.monotonic() + timeout
    delay = interval
    last = None
    last_exc = None
    while True:
        try:
            last = predicate()
            last_exc = None
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - polling: any error is "not yet"
            last_exc = e
            last = None
        if time.monotonic() >= end:
            break
        time.sleep(min(delay, max(0.0, end - time.monotonic())))
        delay = min(delay * 1.5, 1.0)
    if msg is None:
        return last
    where = "[%s] " % node if node is not None else ""
    detail = ("last error: %r" % last_exc) if last_exc is not None else ("last value: %r" % (last,))
    err = WaitTimeout("%s%s (not true after %.1f s; %s)" % (where, msg, timeout, detail))
    if node is not None:
        err.node = str(node)
        topo = getattr(node, "topo", None)
        if topo is not None:
            topo.failed_node = node.name
    raise err


def run(argv, check=True, input=None, timeout=120, **kw):
    """subprocess.run with text I/O captured; raises CommandError (showing
    stdout/stderr) when check and the command fails."""
    r = subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode != 0:
        raise CommandError(argv, r)
    return r


class CommandError(RuntimeError):
    def __init__(self, argv, result, what=None):
        self.argv = argv
        self.result = result
        text = what or " ".join(str(a) for a in argv)
        super().__init__("command failed (status %d): %s\n%s%s" % (
            result.returncode, text, result.stdout or "", result.stderr or ""))


@functools.lru_cache(maxsize=None)
def _libc():
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


class in_netns:
    """Context manager: switch this (single-threaded) process into the named
    network namespace, e.g. to write /proc/sys/net/... without starting a
    process (each one costs ~50 ms under TCG)."""

    def __init__(self, ns):
        self.ns = ns
        self.saved = None

    def __enter__(self):
        self.saved = os.open("/proc/self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        fd = os.open("/run/netns/" + self.ns, os.O_RDONLY | os.O_CLOEXEC)
        try:
            if _libc().setns(fd, CLONE_NEWNET) != 0:
                e = ctypes.get_errno()
                raise OSError(e, "setns(%s): %s" % (self.ns, os.strerror(e)))
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        try:
            if _libc().setns(self.saved, CLONE_NEWNET) != 0:
                e = ctypes.get_errno()
                raise OSError(e, "setns back: %s" % os.strerror(e))
        finally:
            os.close(self.saved)
        return False


def _inet_sum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(int.from_bytes(b[i:i + 2], "big") for i in range(0, len(b), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def send_bad_udp_checksum(ns, src, dst, port, payload=b"negative control"):
    """One UDP datagram src -> dst:port (IPv4 or IPv6) from namespace ns,
    with a checksum that is wrong on purpose and not 0 (0 means "none" over
    IPv4): a raw socket, so neither the kernel nor a tx offload touches it.
    The negative control of a checksum check at the receiver.  Returns the
    checksum sent and the correct one."""
    import ipaddress
    import socket
    a, b = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    ulen = 8 + len(payload)
    if a.version == 4:
        pseudo = a.packed + b.packed + bytes([0, socket.IPPROTO_UDP]) + ulen.to_bytes(2, "big")
    else:
        pseudo = a.packed + b.packed + ulen.to_bytes(4, "big") + bytes([0, 0, 0,
                                                                       socket.IPPROTO_UDP])
    udp = port.to_bytes(2, "big") * 2 + ulen.to_bytes(2, "big") + b"\0\0" + payload
    good = ~_inet_sum(pseudo + udp) & 0xFFFF or 0xFFFF
    bad = good ^ 0x0F0F
    fam = socket.AF_INET if a.version == 4 else socket.AF_INET6
    with in_netns(ns):
        s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_UDP)
    try:
        s.bind((src, 0))
        s.sendto(udp[:6] + bad.to_bytes(2, "big") + payload, (dst, 0))
    finally:
        s.close()
    return bad, good


SIOCGIFFLAGS = 0x8913
IFF_RUNNING = 0x40


def links_running(ns, ifnames):
    """The subset of ifnames that is not yet operationally up (IFF_RUNNING,
    i.e. carrier after linkwatch) in namespace ns; no process started."""
    import fcntl
    import socket
    import struct
    waiting = []
    with in_netns(ns):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for ifn in ifnames:
            try:
                r = fcntl.ioctl(s.fileno(), SIOCGIFFLAGS, struct.pack("16sH14x", ifn.encode(), 0))
                flags = struct.unpack("16sH14x", r)[1]
            except OSError:
                flags = 0
            if not flags & IFF_RUNNING:
                waiting.append(ifn)
    finally:
        s.close()
    return waiting


SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x17


def set_tx_csum(ns, ifname, on):
    """`ethtool -K IF tx on|off` through SIOCETHTOOL, without a process."""
    import fcntl
    import socket
    import struct
    val = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 1 if on else 0), 8)
    ifr = struct.pack("16sP8x", ifname.encode(), ctypes.addressof(val))
    with in_netns(ns):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
    finally:
        s.close()


def _probe_link(kind_args):
    r = subprocess.run(["unshare", "-n", "ip", "link", "add", "probe0", "type"] + kind_args,
                       capture_output=True)
    return r.returncode == 0


@functools.lru_cache(maxsize=None)
def have_gre():
    """True when this kernel can create GRE tunnels (ip_gre built in or
    loadable)."""
    if os.path.isdir("/sys/module/ip_gre"):
        return True
    subprocess.run(["modprobe", "-q", "ip_gre"], capture_output=True)
    if os.path.isdir("/sys/module/ip_gre"):
        return True
    return _probe_link(["gre", "key", "1", "local", "192.0.2.1"])


@functools.lru_cache(maxsize=None)
def have_dummy():
    if os.path.isdir("/sys/module/dummy"):
        return True
    subprocess.run(["modprobe", "-q", "dummy"], capture_output=True)
    if os.path.isdir("/sys/module/dummy"):
        return True
    return _probe_link(["dummy"])


def in_vm():
    return os.environ.get("NHRPD_IN_VM") == "1"


def tail(path, lines=40):
    """Last lines of a text file ('' if missing)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(data.splitlines()[-lines:])
