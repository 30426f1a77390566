# SPDX-License-Identifier: GPL-2.0-or-later
"""IPsec for topotests: one strongSwan charon per node (namespace), the
DMVPN trap-policy connection, test certificates, and counters of what
crosses the transit router in clear.

    from lib.ipsec import IKEV1_PSK, IKEV2_CERT, Pki, start_charons, TransitCounters
    cnt = TransitCounters(d.inet)                 # before any packet
    pki = Pki(topo.logdir)                        # IKEv2 certificates only
    ch = start_charons(d.nodes, IKEV2_CERT, pki=pki, reqid=None)
    ...
    assert cnt.read()["gre"] == 0 and cnt.read()["esp"] > 0

Each charon is Debian's charon-systemd in the foreground with its own
strongswan.conf (STRONGSWAN_CONF), its own VICI socket in the node's run
directory, its own log, started and stopped by pid through
Node.spawn()/Daemon like every other daemon of the topology.

The connection is the one that works with stock strongSwan (see
doc/ipsec.rst): remote_addrs = %any, a transport-mode child for GRE
(local_ts = remote_ts = dynamic[gre]) with start_action = trap, so that the
kernel's ACQUIRE for the first GRE packet to a new NBMA address makes
charon negotiate with that address; nothing leaves in clear meanwhile.
"""
import os
import subprocess
import sys

from .util import wait_until

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
import vici_proto  # noqa: E402  (tests/vici_proto.py)

CHARON = "/usr/sbin/charon-systemd"
SWANCTL = "/usr/sbin/swanctl"
PKI = "/usr/bin/pki"
PACKAGES = "strongswan-charon strongswan-swanctl charon-systemd strongswan-pki libcharon-extra-plugins"

IKEV1_PSK = "ikev1-psk"     # IKEv1 main mode, one pre-shared key for any peer address
IKEV2_CERT = "ikev2-cert"   # IKEv2, X.509 certificates of a test CA
IKEV2_PSK = "ikev2-psk"     # IKEv2, one pre-shared key for any peer (the spike's)
VARIANTS = (IKEV1_PSK, IKEV2_CERT, IKEV2_PSK)
PSK = "nhrpd-topotest-dmvpn-key"
CONN = "dmvpn"              # connection and child name (the "profile")

# only what these connections need: quicker start under TCG than Debian's
# full modular list (test-vectors alone runs self tests at every start),
# and no plugin that opens sockets of its own under /var/run (stroke,
# error-notify, lookip) which every charon of the VM would share
PLUGINS = ("random nonce openssl pem pkcs1 pkcs8 x509 pubkey constraints revocation "
           "sha1 sha2 hmac kdf gmp curve25519 aes kernel-netlink socket-default vici")

IKE_PROPOSALS = {"1": "aes256-sha256-modp2048", "2": "aes256-sha256-modp2048"}
ESP_PROPOSALS = "aes256-sha256"   # no PFS: what an IOS ipsec profile offers by default


def have_strongswan():
    return all(os.access(p, os.X_OK) for p in (CHARON, SWANCTL, PKI))


def have_xfrm():
    """The kernel has ESP and xfrm (the VM does; this host may not)."""
    return os.path.exists("/proc/net/xfrm_stat") or subprocess.run(
        ["modprobe", "-q", "xfrm_user"], capture_output=True).returncode == 0


def strongswan_conf(vici_socket, log_path, plugins=PLUGINS):
    """strongswan.conf of one charon-systemd: own VICI socket, a file log,
    no routes of its own (nhrpd/zebra own routing)."""
    return """# written by tests/topotests/lib/ipsec.py
charon-systemd {
    load_modular = no
    load = %s
    install_routes = no
    install_virtual_ip = no
    retransmit_timeout = 2.0
    retransmit_tries = 3
    plugins {
        vici {
            socket = unix://%s
        }
    }
    journal {
        default = -1
    }
    filelog {
        charon {
            path = %s
            time_format = %%H:%%M:%%S
            default = 1
            ike = 2
            knl = 2
            cfg = 2
            flush_line = yes
        }
    }
}
""" % (plugins, vici_socket, log_path)


def swanctl_conf(variant, local_addr, psk=PSK, cert=None, reqid=None, dpd_delay=None,
                 conn=CONN, start_action="trap"):
    """swanctl.conf of a DMVPN node (hub and spokes are the same: any peer
    may initiate or respond).  variant: IKEV1_PSK, IKEV2_CERT, IKEV2_PSK;
    cert: the node's certificate file name (in x509/) for IKEV2_CERT;
    reqid: pin the child's reqid (None: charon picks one per SA);
    dpd_delay: seconds between DPD checks (None: no DPD); conn: the
    connection's (and child's) name; start_action: "trap" (SAs on
    demand) or "none" (a responder-only connection, e.g. a hub's
    fallback)."""
    if variant not in VARIANTS:
        raise ValueError("unknown IPsec variant %r" % variant)
    version = "1" if variant == IKEV1_PSK else "2"
    lines = ["# written by tests/topotests/lib/ipsec.py (%s)" % variant,
             "connections {",
             "    %s {" % conn,
             "        version = %s" % version,
             "        local_addrs = %s" % local_addr,
             "        remote_addrs = %any",
             "        proposals = %s" % IKE_PROPOSALS[version],
             "        encap = no",
             ]
    if version == "1":
        lines.append("        aggressive = no")
    else:
        lines.append("        mobike = no")
    if dpd_delay:
        lines.append("        dpd_delay = %ds" % dpd_delay)
    if variant == IKEV2_CERT:
        if not cert:
            raise ValueError("IKEV2_CERT needs the node's certificate")
        lines += ["        local {",
                  "            auth = pubkey",
                  "            certs = %s" % cert,
                  "        }",
                  "        remote {",
                  "            auth = pubkey",
                  "            cacerts = %s" % Pki.CA_CERT,
                  "        }"]
    else:
        lines += ["        local {",
                  "            auth = psk",
                  "            id = %s" % local_addr,
                  "        }",
                  "        remote {",
                  "            auth = psk",
                  "        }"]
    lines += ["        children {",
              "            %s {" % conn,
              "                mode = transport",
              "                local_ts = dynamic[gre]",
              "                remote_ts = dynamic[gre]",
              "                esp_proposals = %s" % ESP_PROPOSALS,
              "                start_action = %s" % start_action]
    if dpd_delay:
        lines.append("                dpd_action = clear")
    if reqid:
        lines.append("                reqid = %d" % reqid)
    lines += ["            }",
              "        }",
              "    }",
              "}"]
    if variant != IKEV2_CERT:
        # no id: the key of any peer, whatever its address (the wildcard
        # key of racoon's and Cisco's `crypto isakmp key K address 0.0.0.0`)
        lines += ["secrets {",
                  "    ike-%s {" % conn,
                  '        secret = "%s"' % psk,
                  "    }",
                  "}"]
    return "\n".join(lines) + "\n"


class Pki:
    """A throw-away CA and node certificates made with strongSwan's pki
    (ECDSA P-256: quick to make under TCG)."""
    CA_CERT = "ca.pem"
    CA_DN = "C=XX, O=nhrpd topotest, CN=nhrpd topotest CA"

    def __init__(self, directory, ca_dn=CA_DN):
        self.dir = os.path.join(directory, "pki")
        os.makedirs(self.dir, exist_ok=True)
        self.ca_dn = ca_dn
        self.ca_key = os.path.join(self.dir, "ca.key")
        self.ca_cert = os.path.join(self.dir, self.CA_CERT)
        self.certs = {}
        self._pki(["--gen", "--type", "ecdsa", "--size", "256", "--outform", "pem"],
                  out=self.ca_key)
        self._pki(["--self", "--ca", "--lifetime", "30", "--in", self.ca_key, "--type", "ecdsa",
                   "--dn", ca_dn, "--outform", "pem"], out=self.ca_cert)

    def _pki(self, args, out, input=None):
        r = subprocess.run([PKI] + args, capture_output=True, input=input, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("pki %s failed: %s" % (" ".join(args), r.stderr.decode()[-500:]))
        with open(out, "wb") as f:
            f.write(r.stdout)
        return out

    def dn(self, name):
        return "C=XX, O=nhrpd topotest, CN=%s" % name

    def issue(self, name, san=None, dn=None):
        """Key and certificate of `name` (subject dn, default ...CN=name;
        san: an extra subjectAltName such as the NBMA address).  Returns
        (cert path, key path, subject)."""
        key = os.path.join(self.dir, name + ".key")
        cert = os.path.join(self.dir, name + ".pem")
        dn = dn or self.dn(name)
        self._pki(["--gen", "--type", "ecdsa", "--size", "256", "--outform", "pem"], out=key)
        args = ["--issue", "--cacert", self.ca_cert, "--cakey", self.ca_key, "--type", "priv",
                "--in", key, "--dn", dn, "--lifetime", "30", "--outform", "pem"]
        if san:
            args += ["--san", san]
        self._pki(args, out=cert)
        self.certs[name] = (cert, key, dn)
        return cert, key, dn


class Charon:
    """charon-systemd in one node, with its configuration under
    <node etcdir>/ipsec and its VICI socket in the node's run directory."""

    def __init__(self, node, variant, pki=None, reqid=None, dpd_delay=None, local_addr=None,
                 cert_name=None, name="charon", extra=""):
        """extra: swanctl.conf text appended to the DMVPN connection's
        (more connections, secrets: strongSwan merges sections of the
        same name)."""
        self.node = node
        self.extra = extra
        self.variant = variant
        self.name = name
        self.reqid = reqid
        self.dpd_delay = dpd_delay
        self.local_addr = local_addr or str(node.nbma.ip)
        self.dir = os.path.join(node.etcdir, "ipsec")
        self.conf = os.path.join(self.dir, "strongswan.conf")
        self.swanctl_file = os.path.join(self.dir, "swanctl.conf")
        self.socket = os.path.join(node.rundir, name + ".vici")
        self.uri = "unix://" + self.socket
        self.log = os.path.join(node.logdir, name + ".log")
        self.pki = pki
        self.cert_name = cert_name or node.name
        self.identity = None        # our IKE identity as charon prints it
        self.daemon = None
        if variant == IKEV2_CERT and pki is None:
            raise ValueError("IKEV2_CERT needs a Pki")

    def write(self):
        node = self.node
        node._ensure_frr_dirs()
        for sub in ("", "x509", "x509ca", "private"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        cert = None
        if self.variant == IKEV2_CERT:
            c, k, dn = self.pki.certs.get(self.cert_name) or self.pki.issue(
                self.cert_name, san=self.local_addr)
            cert = os.path.basename(c)
            for src, dst in ((c, "x509/" + cert), (k, "private/" + os.path.basename(k)),
                             (self.pki.ca_cert, "x509ca/" + Pki.CA_CERT)):
                with open(src, "rb") as f, open(os.path.join(self.dir, dst), "wb") as g:
                    g.write(f.read())
            self.identity = dn
        else:
            self.identity = self.local_addr
        with open(self.conf, "w") as f:
            f.write(strongswan_conf(self.socket, self.log))
        with open(self.swanctl_file, "w") as f:
            f.write(swanctl_conf(self.variant, self.local_addr, cert=cert, reqid=self.reqid,
                                 dpd_delay=self.dpd_delay))
            f.write(self.extra)

    def spawn(self):
        """Start charon without waiting (see wait_ready)."""
        if os.path.exists(self.socket):
            os.unlink(self.socket)
        self.daemon = self.node.spawn(
            self.name, ["env", "STRONGSWAN_CONF=" + self.conf, CHARON], ready=None, log=self.log)
        return self

    def wait_ready(self, timeout=30):
        d = self.daemon
        wait_until(lambda: not d.running() or os.path.exists(self.socket), timeout)
        if not d.running() or not os.path.exists(self.socket):
            raise RuntimeError("[%s] charon %s (no VICI socket %s)\n%s" % (
                self.node.name, "exited" if not d.running() else "not ready", self.socket,
                _tail(d.out) + _tail(self.log)))
        return self

    def load(self):
        """swanctl --load-all from our swanctl.conf (certs from its directory)."""
        return self.swanctl("--load-all", "--noprompt", "--file", self.swanctl_file)

    def start(self, timeout=30):
        self.write()
        self.spawn().wait_ready(timeout)
        self.load()
        return self

    def stop(self, timeout=10):
        return self.daemon.stop(timeout) if self.daemon else None

    def kill(self):
        """SIGKILL by pid (a crash: no DELETE sent to the peers)."""
        import signal
        d = self.daemon
        d.stopping = True
        d.signal(signal.SIGKILL)
        d.proc.wait(10)

    def restart(self, timeout=30):
        self.stop()
        self.spawn().wait_ready(timeout)
        self.load()
        return self

    def swanctl(self, *args, check=True):
        r = self.node.run([SWANCTL] + list(args) + ["--uri", self.uri], check=False)
        if check and r.returncode != 0:
            raise RuntimeError("[%s] swanctl %s: %s%s" % (self.node.name, " ".join(args),
                                                          r.stdout[-800:], r.stderr[-800:]))
        return r.stdout

    def sas(self):
        """[IKE SA dict] from list-sas over VICI (values decoded to str),
        each with 'conn' = its connection name."""
        out = []
        for conn, sas in vici_proto.list_sas(self.socket).items():
            for sa in sas:
                sa = _text(sa)
                sa["conn"] = conn
                out.append(sa)
        return out

    def established(self, remote=None):
        """ESTABLISHED IKE SAs (to remote host, if given) having an INSTALLED child."""
        return [sa for sa in self.sas()
                if sa.get("state") == "ESTABLISHED"
                and (remote is None or sa.get("remote-host") == remote)
                and any(c.get("state") == "INSTALLED" for c in sa.get("child-sas", {}).values())]


def _text(v):
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, dict):
        return {k: _text(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_text(x) for x in v]
    return v


def _tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def start_charons(nodes, variant, pki=None, reqid=None, dpd_delay=None, timeout=60):
    """One charon per node, started in parallel and loaded; {node name: Charon}."""
    if variant == IKEV2_CERT and pki is None:
        raise ValueError("IKEV2_CERT needs a Pki")
    subprocess.run(["modprobe", "-q", "esp4"], capture_output=True)
    subprocess.run(["modprobe", "-q", "xfrm_user"], capture_output=True)
    ch = {n.name: Charon(n, variant, pki=pki, reqid=reqid, dpd_delay=dpd_delay) for n in nodes}
    for c in ch.values():
        c.write()
        c.spawn()
    for c in ch.values():
        c.wait_ready(timeout)
    for c in ch.values():
        c.load()
    return ch


class TransitCounters:
    """Packet counters of what the transit router forwards between NBMA
    segments, by netfilter rules (no capture process): GRE (protocol 47,
    i.e. in clear), ESP (50), IKE (UDP 500) and NAT-T (UDP 4500).  Install
    before the first packet."""
    CHAIN = "NHRPD-TRANSIT"
    RULES = (("gre", "-p gre"), ("esp", "-p esp"), ("ike", "-p udp --dport 500"),
             ("natt", "-p udp --dport 4500"))

    def __init__(self, inet):
        self.node = inet
        rules = ["*filter", ":%s - [0:0]" % self.CHAIN,
                 "-I FORWARD 1 -j %s" % self.CHAIN]
        for name, match in self.RULES:
            rules.append("-A %s %s -m comment --comment %s" % (self.CHAIN, match, name))
        rules.append("COMMIT")
        inet.iptables_restore("\n".join(rules) + "\n")

    def read(self):
        """{"gre": packets, "esp": ..., "ike": ..., "natt": ...}"""
        out = self.node.run(["iptables", "-w", "-L", self.CHAIN, "-n", "-v", "-x"]).stdout
        res = {name: 0 for name, _ in self.RULES}
        for line in out.splitlines():
            f = line.split()
            if len(f) > 2 and f[0].isdigit() and "/*" in f:
                name = f[f.index("/*") + 1]
                if name in res:
                    res[name] += int(f[0])
        return res


def xfrm_stats(node):
    """/proc/net/xfrm_stat of a node's namespace as {name: count}."""
    out = node.run(["cat", "/proc/net/xfrm_stat"], check=False).stdout
    res = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 2 and f[1].isdigit():
            res[f[0]] = int(f[1])
    return res


__all__ = ["CHARON", "SWANCTL", "PKI", "PACKAGES", "IKEV1_PSK", "IKEV2_CERT", "IKEV2_PSK",
           "VARIANTS", "PSK", "CONN", "Charon", "Pki", "TransitCounters", "have_strongswan",
           "have_xfrm", "start_charons", "strongswan_conf", "swanctl_conf", "xfrm_stats"]
