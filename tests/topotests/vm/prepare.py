#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Prepare (once) and locate the VM boot artefacts for run-in-vm.

Cache layout (outside the repository, shared by every checkout):
  $CACHE/<kver>/root/        dpkg-deb -x of linux-image-<kver> (+ depmod)
  $CACHE/<kver>/vmlinux      uncompressed ELF kernel, boots through PVH
  $CACHE/<kver>/initrd-<h>   busybox-static + virtio/9p/overlay modules + init
  $CACHE/<kver>/.complete    written last: the kernel part is usable
Prints three shell assignments (KVER, VMLINUX, INITRD, MODDIR) for the
caller to eval.  Idempotent: a second call only checks stamps.
"""
import fcntl
import glob
import hashlib
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

CACHE = os.environ.get("NHRPD_VM_CACHE", "/var/cache/nhrpd/vm")
HERE = os.path.dirname(os.path.abspath(__file__))
INIT = os.path.join(HERE, "initramfs-init")
BUSYBOX = "/bin/busybox"
# modules the initramfs needs to reach the 9p root; dependencies are added
# from modules.dep
BOOT_MODULES = ["virtio_pci", "9pnet_virtio", "9p", "overlay"]
# preloaded from the initramfs after the root is mounted (modprobe over 9p
# is slow under TCG); run-in-vm --modules can still ask for others
# (crc32c_generic: the softdep of libcrc32c, which nf_tables needs)
# (nft_log, nft_limit: nhrpd's own table inet nhrpd, nhrpd/nhrp_netfilter.c)
RUNTIME_MODULES = ["crc32c_generic", "ip_gre", "nfnetlink_log", "xt_NFLOG", "xt_hashlimit",
                   "veth", "dummy", "nft_compat", "nft_log", "nft_limit", "esp4", "xfrm_user",
                   "bridge"]
KPKG_RE = re.compile(r"^linux-image-(6\.1\.0-(\d+)-amd64)$")


def log(msg):
    sys.stderr.write("run-in-vm: %s\n" % msg)
    sys.stderr.flush()


def die(msg):
    log("error: " + msg)
    sys.exit(2)


class DownloadError(Exception):
    pass


def cached_kernels():
    out = []
    for d in glob.glob(os.path.join(CACHE, "6.1.0-*-amd64")):
        if os.path.exists(os.path.join(d, ".complete")):
            m = re.match(r"6\.1\.0-(\d+)-amd64$", os.path.basename(d))
            if m:
                out.append((int(m.group(1)), os.path.basename(d)))
    return [k for _, k in sorted(out)]


def apt_stamp():
    st = []
    for f in ("/var/cache/apt/pkgcache.bin", "/var/lib/apt/lists"):
        try:
            st.append("%s:%d" % (f, os.stat(f).st_mtime_ns))
        except OSError:
            st.append(f + ":-")
    return " ".join(st)


def newest_available():
    """Newest linux-image-6.1.0-N-amd64 Debian's apt knows, or None.  The
    answer is remembered until apt's lists change (apt-cache takes ~0.7 s)."""
    memo = os.path.join(CACHE, ".newest")
    stamp = apt_stamp()
    try:
        with open(memo) as f:
            old_stamp, old = f.read().split("\n")[:2]
        if old_stamp == stamp and old:
            return old
    except (OSError, ValueError):
        pass
    best = newest_from_apt()
    if best:
        with open(memo + ".tmp", "w") as f:
            f.write(stamp + "\n" + best + "\n")
        os.rename(memo + ".tmp", memo)
    return best


def newest_from_apt():
    try:
        r = subprocess.run(["apt-cache", "search", "--names-only",
                            r"^linux-image-6\.1\.0-[0-9]+-amd64$"],
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    best = None
    for line in r.stdout.splitlines():
        m = KPKG_RE.match(line.split(" ", 1)[0])
        if m and (best is None or int(m.group(2)) > best[0]):
            best = (int(m.group(2)), m.group(1))
    return best[1] if best else None


def extract_vmlinux(bzimage, out):
    """The bzImage's payload (setup header fields payload_offset/length)
    is an xz stream holding the ELF vmlinux; PVH boots the ELF directly."""
    with open(bzimage, "rb") as f:
        data = f.read()
    if data[0x202:0x206] != b"HdrS":
        die("%s: not a bzImage" % bzimage)
    setup_sects = data[0x1F1] or 4
    poff, plen = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + poff
    payload = data[start:start + plen]
    if not payload.startswith(b"\xfd7zXZ\x00"):
        die("%s: payload is not xz (unsupported kernel compression)" % bzimage)
    elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    if not elf.startswith(b"\x7fELF"):
        die("%s: payload is not an ELF vmlinux" % bzimage)
    with open(out + ".tmp", "wb") as f:
        f.write(elf)
    os.rename(out + ".tmp", out)


def prepare_kernel(kver):
    kdir = os.path.join(CACHE, kver)
    if os.path.exists(os.path.join(kdir, ".complete")):
        return kdir
    pkg = "linux-image-" + kver
    log("fetching %s (once; cached in %s)" % (pkg, kdir))
    shutil.rmtree(kdir, ignore_errors=True)
    dl = os.path.join(kdir, "deb")
    os.makedirs(dl)
    r = subprocess.run(["apt-get", "download", "-q", pkg], cwd=dl,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    debs = glob.glob(os.path.join(dl, "*.deb"))
    if r.returncode != 0 or not debs:
        shutil.rmtree(kdir, ignore_errors=True)
        raise DownloadError("apt-get download %s failed: %s" % (pkg, r.stderr.strip()))
    root = os.path.join(kdir, "root")
    subprocess.run(["dpkg-deb", "-x", debs[0], root], check=True)
    subprocess.run(["depmod", "-b", root, kver], check=True)
    extract_vmlinux(os.path.join(root, "boot", "vmlinuz-" + kver),
                    os.path.join(kdir, "vmlinux"))
    for d in debs:
        os.unlink(d)
    os.rmdir(dl)
    with open(os.path.join(kdir, ".complete"), "w") as f:
        f.write(kver + "\n")
    return kdir


def module_closure(moddir, names):
    deps = {}
    with open(os.path.join(moddir, "modules.dep")) as f:
        for line in f:
            path, _, rest = line.partition(":")
            deps[path] = rest.split()
    byname = {}
    for path in deps:
        n = os.path.basename(path).split(".ko")[0]
        byname[n] = path
        byname.setdefault(n.replace("-", "_"), path)
    order = []

    def visit(path):
        if path in order:
            return
        # modules.dep lists a module's dependencies so that the last one is
        # loaded first
        for d in reversed(deps[path]):
            visit(d)
        order.append(path)
    for n in names:
        if n not in byname:
            die("module %s not found in %s" % (n, moddir))
        visit(byname[n])
    return order


def prepare_initrd(kdir, kver):
    moddir = os.path.join(kdir, "root", "lib", "modules", kver)
    mods = module_closure(moddir, BOOT_MODULES)
    runtime = [m for m in module_closure(moddir, RUNTIME_MODULES) if m not in mods]
    h = hashlib.sha256()
    with open(INIT, "rb") as f:
        h.update(f.read())
    with open(BUSYBOX, "rb") as f:
        h.update(f.read())
    h.update(" ".join(mods).encode())
    h.update(b"|" + " ".join(runtime).encode())
    out = os.path.join(kdir, "initrd-" + h.hexdigest()[:16])
    if os.path.exists(out):
        return out
    log("building initramfs %s" % out)
    with tempfile.TemporaryDirectory(dir=kdir) as tmp:
        for d in ("bin", "dev", "proc", "sys", "lower", "rw", "newroot", "modules"):
            os.makedirs(os.path.join(tmp, d))
        shutil.copy(BUSYBOX, os.path.join(tmp, "bin", "busybox"))
        os.symlink("busybox", os.path.join(tmp, "bin", "sh"))
        shutil.copy(INIT, os.path.join(tmp, "init"))
        os.chmod(os.path.join(tmp, "init"), 0o755)
        i = 0
        for listname, lst in (("boot", mods), ("runtime", runtime)):
            with open(os.path.join(tmp, "modules", listname), "w") as f:
                for m in lst:
                    name = "%02d-%s" % (i, os.path.basename(m))
                    shutil.copy(os.path.join(moddir, m), os.path.join(tmp, "modules", name))
                    f.write(name + "\n")
                    i += 1
        files = subprocess.run("find . -print0 | LC_ALL=C sort -z", shell=True, cwd=tmp,
                               capture_output=True, check=True).stdout
        with open(out + ".tmp", "wb") as f:
            subprocess.run(["cpio", "--null", "-o", "-H", "newc", "--quiet"], cwd=tmp,
                           input=files, stdout=f, check=True)
    os.rename(out + ".tmp", out)
    # images built from other versions of the init script: another checkout
    # (or a VM about to start) may still use them, so only remove old ones
    for old in glob.glob(os.path.join(kdir, "initrd-*")):
        try:
            if old != out and time.time() - os.path.getmtime(old) > 86400:
                os.unlink(old)
        except OSError:
            pass
    return out


def main():
    missing = [p for p, f in (("busybox-static", BUSYBOX),
                              ("qemu-system-x86", "/usr/bin/qemu-system-x86_64"),
                              ("cpio", "/usr/bin/cpio"),
                              ("kmod", "/usr/sbin/depmod"))
               if not os.access(f, os.X_OK)]
    if missing:
        die("missing packages: %s (apt-get install %s)" % (", ".join(missing), " ".join(missing)))
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kver = os.environ.get("NHRPD_VM_KERNEL") or newest_available()
        if kver is None and not cached_kernels():
            # a fresh machine whose apt lists were never fetched
            log("no kernel package known to apt: apt-get update")
            subprocess.run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
            kver = newest_available()
        if kver is None:
            have = cached_kernels()
            if not have:
                die("no linux-image-6.1.0-*-amd64 known to apt and none cached in %s "
                    "(run apt-get update)" % CACHE)
            kver = have[-1]
        try:
            kdir = prepare_kernel(kver)
        except DownloadError as e:
            have = cached_kernels()
            if not have:
                die(str(e))
            log("%s; using the cached %s" % (e, have[-1]))
            kver = have[-1]
            kdir = prepare_kernel(kver)
        initrd = prepare_initrd(kdir, kver)
    print("KVER=%s" % kver)
    print("VMLINUX=%s" % os.path.join(kdir, "vmlinux"))
    print("INITRD=%s" % initrd)
    print("MODDIR=%s" % os.path.join(kdir, "root", "lib", "modules", kver))


if __name__ == "__main__":
    main()
