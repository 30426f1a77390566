# SPDX-License-Identifier: GPL-2.0-or-later
"""What both packages ship, checked on the host: the systemd unit (systemd-
analyze verify, and the properties the packages promise), the FRR init
wrapper, nhrpd(8) (renders with man -l; names every command nhrpd installs
and every JSON key it prints), and the RPM spec (rpmlint).  Building the
packages is tools/package; installing the .deb and running DMVPN from it is
tests/topotests/test_doc_guide.py."""
import os
import re
import shutil
import subprocess

import pytest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.abspath(os.environ.get("top_builddir", TOP))
SRC = os.path.abspath(os.environ.get("top_srcdir", TOP))
NHRPD = os.path.join(BUILD, "nhrpd", "nhrpd")
MAN8 = os.path.join(BUILD, "doc", "_build", "man", "nhrpd.8")
MAN1 = os.path.join(BUILD, "doc", "_build", "man", "nhrpd-vtysh.1")
MAN_RST = os.path.join(SRC, "doc", "nhrpd.rst")


def subst(name, tmp_path, **paths):
    """redhat/NAME.in with the @...@ filled in as redhat/subdir.am does."""
    text = open(os.path.join(SRC, "redhat", name + ".in")).read()
    vals = {"sbindir": "/usr/sbin", "pkglibexecdir": "/usr/libexec/nhrpd",
            "FRR_SYSCONFDIR": "/etc/frr", "FRR_RUNDIR": "/run/frr"}
    vals.update(paths)
    for k, v in vals.items():
        text = text.replace("@%s@" % k, v)
    assert not re.search(r"@\w+@", text), "redhat/subdir.am fills in more than this test"
    out = tmp_path / name
    out.write_text(text)
    return out


def unit_props(path):
    props = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith(("#", "[")):
            k, _, v = line.partition("=")
            props.setdefault(k, []).append(v)
    return props


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze")
@pytest.mark.skipif(not os.path.exists(MAN8) or not os.access(NHRPD, os.X_OK),
                    reason="nhrpd or nhrpd.8 not built")
def test_unit_verifies(tmp_path):
    """systemd-analyze verify, with ExecStart pointing at the built nhrpd
    and man:nhrpd(8) resolvable: no warning at all."""
    unit = subst("nhrpd.service", tmp_path, sbindir=os.path.dirname(NHRPD))
    man = tmp_path / "man" / "man8"
    man.mkdir(parents=True)
    shutil.copy(MAN8, man)
    env = dict(os.environ, MANPATH=str(tmp_path / "man"), SYSTEMD_LOG_LEVEL="info")
    r = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 0 and not (r.stdout + r.stderr).strip(), r.stdout + r.stderr


def test_unit_properties(tmp_path):
    p = unit_props(subst("nhrpd.service", tmp_path))
    assert p["Type"] == ["forking"] and p["PIDFile"] == ["/run/frr/nhrpd.pid"]
    assert p["ExecStart"][0].startswith("/usr/sbin/nhrpd -d ")
    assert p["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert p["Restart"] == ["on-failure"]
    assert p["CapabilityBoundingSet"] == ["CAP_NET_ADMIN CAP_NET_RAW CAP_DAC_OVERRIDE"]
    assert p["AmbientCapabilities"] == ["CAP_NET_ADMIN CAP_NET_RAW CAP_DAC_OVERRIDE"]
    assert p["User"] == ["frr"]
    after = " ".join(p["After"]).split()
    assert "network-online.target" in after and "frr.service" in after
    assert "network-online.target" in " ".join(p["Wants"]).split()


def test_nhrpd_keeps_the_capabilities_the_unit_bounds():
    """The unit's bounding set is what nhrpd_main.c asks FRR's privs for."""
    main = open(os.path.join(SRC, "nhrpd", "nhrp_main.c")).read()
    caps = re.search(r"nhrpd_caps\[\] = \{([^}]*)\}", main).group(1)
    assert sorted(c.strip() for c in caps.split(",")) == ["ZCAP_DAC_OVERRIDE", "ZCAP_NET_ADMIN",
                                                          "ZCAP_NET_RAW"]


def test_frr_wrap_runs_our_nhrpd(tmp_path):
    """frrcommon.sh runs `$nhrpd_wrap /usr/lib/frr/nhrpd OPTIONS`."""
    fake = tmp_path / "sbin"
    fake.mkdir()
    (fake / "nhrpd").write_text("#!/bin/sh\necho ours \"$@\"\n")
    (fake / "nhrpd").chmod(0o755)
    wrap = subst("frr-wrap", tmp_path, sbindir=str(fake))
    wrap.chmod(0o755)
    r = subprocess.run([str(wrap), "/usr/lib/frr/nhrpd", "-d", "-A", "127.0.0.1"],
                       capture_output=True, text=True)
    assert r.stdout == "ours -d -A 127.0.0.1\n"
    r = subprocess.run([str(wrap), "/bin/echo", "other"], capture_output=True, text=True)
    assert r.stdout == "other\n"
    assert subprocess.run([str(wrap)], capture_output=True).returncode == 2


# ---- nhrpd(8) -------------------------------------------------------------


@pytest.mark.skipif(not os.path.exists(MAN8), reason="nhrpd.8 not built (python3-sphinx)")
@pytest.mark.parametrize("page", [MAN8, MAN1])
def test_man_page_renders(page):
    r = subprocess.run(["man", "-l", "-P", "cat", page], capture_output=True, text=True,
                       env=dict(os.environ, MANWIDTH="80"), timeout=60)
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr.lower(), r.stderr
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "SEE ALSO"):
        assert re.search(r"^%s$" % section, r.stdout, re.M), section
    if page == MAN8:
        for section in ("OPTIONS", "SIGNALS", "FILES", "CONFIGURATION COMMANDS"):
            assert re.search(r"^%s$" % section, r.stdout, re.M), section


def command_strings():
    """The command strings of every DEF* that nhrpd installs."""
    cmds = []
    for f in ("nhrp_vty.c", "nhrp_show.c", "nhrp_debug.c", "nhrp_commit.c"):
        text = open(os.path.join(SRC, "nhrpd", f)).read()
        installed = set(re.findall(r"install_element\(\w+,\s*&(\w+)_cmd\)", text))
        for m in re.finditer(r"DEF\w*\(\s*(\w+),\s*\w+,\s*\n?\s*\"([^\"]+)\"", text):
            if m.group(1) in installed:
                cmds.append(m.group(2))
    return cmds


def keywords(cmd):
    """The leading keywords of a command, one phrase per alternative:
    '[no] <ip|ipv6>$afi nhrp <shortcut|redirect>$flag' -> ['ip nhrp
    shortcut', 'ip nhrp redirect'].  A documented 'ip nhrp
    (shortcut|redirect)' counts for both (see documented())."""
    cmd = re.sub(r"\$\w+", "", cmd)
    cmd = re.sub(r"^\[no\] |^no ", "", cmd)
    phrases = [[]]
    for tok in cmd.split():
        m = re.fullmatch(r"[<\[]([a-z0-9|-]+)[>\]]", tok)
        if m and all(re.fullmatch(r"[a-z][a-z-]*", a) for a in m.group(1).split("|")):
            alts = m.group(1).split("|")
            if alts[:2] == ["ip", "ipv6"]:
                alts = ["ip"]
            if tok[0] == "[" or len(alts) > 1 and len(phrases) > 1:
                break
            phrases = [p + [a] for p in phrases for a in alts]
        elif re.fullmatch(r"[a-z][a-z-]*", tok):
            phrases = [p + [tok] for p in phrases]
        else:
            break
    return [" ".join(p) for p in phrases]


def documented(phrase, man):
    if phrase in man:
        return True
    # 'debug nhrp common' as 'debug nhrp (all|common|...)'
    head, _, last = phrase.rpartition(" ")
    for m in re.finditer(re.escape(head) + r" \(([a-z|-]+)\)", man):
        if last in m.group(1).split("|"):
            return True
    return False


def test_man_page_names_every_command():
    man = re.sub(r"\s+", " ", open(MAN_RST).read())
    cmds = command_strings()
    assert len(cmds) >= 20, cmds
    missing = [k for c in cmds for k in keywords(c) if not documented(k, man)]
    assert not missing, "nhrpd(8) does not document: %s" % sorted(set(missing))


def test_man_page_lists_every_json_key():
    man = open(MAN_RST).read()
    show = open(os.path.join(SRC, "nhrpd", "nhrp_show.c")).read()
    keys = set(re.findall(r"json_object_\w+_add\w*\(\s*\w+,\s*\"(\w+)\"", show))
    keys |= set(re.findall(r"op_keys\[\] = \{(.*?)\};", show, re.S)[0].replace(
        "\"", " ").replace(",", " ").replace("NULL", " ").split())
    assert len(keys) > 40
    missing = sorted(k for k in keys if "``%s``" % k not in man)
    assert not missing, "nhrpd(8) does not list the JSON keys %s" % missing


def test_man_page_options_are_nhrpd_options():
    """Every long option of nhrpd --help is in nhrpd(8)."""
    if not os.access(NHRPD, os.X_OK):
        pytest.skip("nhrpd not built")
    r = subprocess.run([NHRPD, "--help"], capture_output=True, text=True)
    opts = set(re.findall(r"(--[a-z_-]+)", r.stdout))
    assert "--pid_file" in opts
    man = open(MAN_RST).read()
    missing = sorted(o for o in opts if "``%s``" % o not in man)
    assert not missing, missing


# ---- the packages' definitions ---------------------------------------------


def test_debian_package_depends_on_exactly_the_frr_it_was_built_for():
    control = open(os.path.join(SRC, "debian", "control")).read()
    assert "frr (= ${frr:Version})" in control
    rules = open(os.path.join(SRC, "debian", "rules")).read()
    assert "-Vfrr:Version=" in rules and "dpkg-query -W -f='$${Version}' frr" in rules


def test_rpm_requires_exactly_its_frr():
    spec = open(os.path.join(SRC, "redhat", "nhrpd.spec.in")).read()
    assert re.search(r"^Requires: +frr = %\{frr_version\}$", spec, re.M)
    assert re.search(r"^Source1: .*frr-%\{frr_version\}\.tar\.gz$", spec, re.M)
    for m in ("%systemd_post nhrpd.service", "%systemd_preun nhrpd.service",
              "%systemd_postun_with_restart nhrpd.service"):
        assert m in spec


@pytest.mark.skipif(not shutil.which("rpmlint"), reason="no rpmlint")
def test_spec_is_rpmlint_clean(tmp_path):
    spec = os.path.join(BUILD, "redhat", "nhrpd.spec")
    if not os.path.exists(spec):
        pytest.skip("redhat/nhrpd.spec not configured")
    r = subprocess.run(["rpmlint", "-r", os.path.join(SRC, "redhat", "rpmlintrc"), spec],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"0 errors, 0 warnings", r.stdout), r.stdout
