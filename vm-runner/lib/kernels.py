"""Fetch Debian kernel images by series into a cache, with a private apt state.

Only `apt-get update`, `apt-cache`, `apt-get download` and `dpkg -x` are used, all pointed at a
private state under the cache directory (its own deb822 sources file, lists and archives), so the
system's apt sources and package database are never touched.

Cache layout (default ~/.cache/lockstep/kernels):
    apt/sources/lockstep-vm.sources   the private sources (all known series at once)
    apt/lists/, apt/cache/            apt's private lists and download cache
    <release>/vmlinuz                 the kernel image (bzImage)
    <release>/config                  its .config
    <release>/version                 "<release> <package version>"
    <release>/kernel.json             series, suite, packages (name, version, sha256), fetched_at
    <release>/modules/                only the modules asked for (--module), with modules.dep
    series/<series>.json              which release a series resolved to (makes fetch idempotent)
"""

import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

from . import util

DEFAULT_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "lockstep", "kernels")
DEFAULT_MIRROR = "http://deb.debian.org/debian"
DEFAULT_SECURITY_MIRROR = "http://deb.debian.org/debian-security"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"

# series -> [(archive, suite)]. A series is "the newest kernel among these suites".
# bookworm includes its point-release updates and security suites: that is where the newest 6.1 is.
SERIES = {
    "bookworm": [("main", "bookworm"), ("main", "bookworm-updates"),
                 ("security", "bookworm-security")],
    "bookworm-backports": [("main", "bookworm-backports")],
    "trixie": [("main", "trixie"), ("main", "trixie-updates"), ("security", "trixie-security")],
    "trixie-backports": [("main", "trixie-backports")],
    "sid": [("main", "sid")],
    "experimental": [("main", "experimental")],
}
# The series fetched by default and listed in the matrix (6.1, 6.12, 7.2, 7.3 at the time of writing).
DEFAULT_SERIES = ["bookworm", "bookworm-backports", "sid", "experimental"]

# What our initramfs boot needs built in (=y): no module is needed for the runner itself.
REQUIRED_CONFIG = [
    "SERIAL_8250", "SERIAL_8250_CONSOLE", "BLK_DEV_INITRD", "RD_GZIP", "BINFMT_ELF", "PROC_FS",
    "SYSFS", "DEVTMPFS", "TMPFS", "UNIX", "NET", "INET", "SECURITY", "SECURITY_LANDLOCK",
    "MAGIC_SYSRQ", "PRINTK_TIME",
]
# Nice to have for the conformance suite; reported (as =m or missing), never fatal.
USEFUL_CONFIG = ["IPV6", "MPTCP", "NET_NS", "KEYS", "TMPFS_XATTR", "OVERLAY_FS", "AUDIT",
                 "SECURITYFS", "CGROUPS", "SHMEM", "FUSE_FS"]


class FetchError(util.Error):
    pass


def parse_config(path):
    """Return {OPTION: value} from a kernel .config ('y', 'm', '"str"', numbers)."""
    opts = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^CONFIG_([A-Za-z0-9_]+)=(.*)$", line.strip())
            if m:
                opts[m.group(1)] = m.group(2)
    return opts


def check_config(path):
    """Return (missing_required, notes): what our boot needs but is not =y, and remarks."""
    opts = parse_config(path)
    missing = [o for o in REQUIRED_CONFIG if opts.get(o) != "y"]
    notes = []
    for o in USEFUL_CONFIG:
        v = opts.get(o)
        if v == "m":
            notes.append(f"CONFIG_{o}=m (module)")
        elif v is None:
            notes.append(f"CONFIG_{o} not set")
    if "LSM" in opts:
        notes.append(f"CONFIG_LSM={opts['LSM']}")
    return missing, notes


def bzimage_release(path):
    """The kernel release (uname -r) from a bzImage's setup header (or, for an ELF vmlinux, from
    its "Linux version ..." banner), or None."""
    try:
        with open(path, "rb") as f:
            hdr = f.read(0x300)
            if hdr[:4] == b"\x7fELF":
                f.seek(0)
                m = re.search(rb"Linux version (\S+) \(", f.read())
                return m.group(1).decode("ascii", "replace") if m else None
            if len(hdr) < 0x210 or hdr[0x202:0x206] != b"HdrS":
                return None
            off = int.from_bytes(hdr[0x20E:0x210], "little")
            if off == 0:
                return None
            f.seek(off + 0x200)
            s = f.read(256).split(b"\0", 1)[0].decode("ascii", "replace")
            return s.split()[0] if s.split() else None
    except OSError:
        return None


# --- the kernel proper out of a bzImage, for a PVH boot -------------------------------------------
# QEMU boots an ELF vmlinux that has a PVH entry note directly, skipping the bzImage decompressor.
# Under TCG the decompressor is slow (xz: 5-9 s for Debian's 6.1, zstd: 2-4 s), so this roughly
# halves the boot time. Debian's amd64 kernels all have CONFIG_PVH=y.

_MAGICS = [(b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"), (b"\x28\xb5\x2f\xfd", "zstd"),
           (b"BZh", "bzip2"), (b"\x5d\x00\x00", "lzma")]


def _decompress(kind, blob):
    import bz2
    import gzip
    import lzma
    if kind == "gzip":
        return gzip.GzipFile(fileobj=__import__("io").BytesIO(blob)).read()
    if kind == "xz":
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(blob)
    if kind == "lzma":
        return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE).decompress(blob)
    if kind == "bzip2":
        return bz2.BZ2Decompressor().decompress(blob)
    if kind == "zstd":
        if shutil.which("zstd") is None:
            return None  # Python 3.11 has no zstd: use the bzImage (apt install zstd to speed up)
        # the kernel appends the uncompressed size (le32) after the frame: drop it
        r = subprocess.run(["zstd", "-dcq"], input=blob[:-4], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
        return r.stdout if r.returncode == 0 else None
    return None


def elf_has_pvh_note(path):
    """True if path is an x86-64 ELF with a Xen PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY=18)."""
    import struct
    try:
        with open(path, "rb") as f:
            h = f.read(64)
            if h[:4] != b"\x7fELF" or h[4] != 2:
                return False
            phoff, = struct.unpack_from("<Q", h, 32)
            phentsize, phnum = struct.unpack_from("<HH", h, 54)
            f.seek(phoff)
            phs = [f.read(phentsize) for _ in range(phnum)]
            for ph in phs:
                p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", ph)
                if p_type != 4:  # PT_NOTE
                    continue
                f.seek(p_offset)
                notes, off = f.read(p_filesz), 0
                while off + 12 <= len(notes):
                    namesz, descsz, ntype = struct.unpack_from("<III", notes, off)
                    name = notes[off + 12:off + 12 + namesz].rstrip(b"\0")
                    if name == b"Xen" and ntype == 18:
                        return True
                    off += 12 + ((namesz + 3) & ~3) + ((descsz + 3) & ~3)
    except (OSError, struct.error):
        return False
    return False


def extract_vmlinux(bzimage, out):
    """Write the decompressed kernel ELF of a bzImage to `out`. True if it can boot by PVH."""
    try:
        with open(bzimage, "rb") as f:
            d = f.read()
    except OSError:
        return False
    if len(d) < 0x250 or d[0x202:0x206] != b"HdrS":
        return False
    setup_sects = d[0x1F1] or 4
    pm = (setup_sects + 1) * 512
    off = int.from_bytes(d[0x248:0x24C], "little")
    length = int.from_bytes(d[0x24C:0x250], "little")
    blob = d[pm + off:pm + off + length]
    kind = next((k for m, k in _MAGICS if blob.startswith(m)), None)
    try:
        elf = _decompress(kind, blob) if kind else None
    except (OSError, EOFError, ValueError, __import__("lzma").LZMAError):
        elf = None
    if not elf or elf[:4] != b"\x7fELF":
        return False
    tmp = f"{out}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(elf)
    if not elf_has_pvh_note(tmp):
        os.unlink(tmp)
        return False
    os.replace(tmp, out)
    return True


class Kernel:
    """A bootable kernel: image path, release string and optional metadata."""

    def __init__(self, vmlinuz, release=None, config=None, meta=None, modules_dir=None,
                 cache_dir=None):
        self.vmlinuz = vmlinuz
        self.cache_dir = cache_dir  # set when the kernel lives in our cache (vmlinux kept there)
        self.release = release or bzimage_release(vmlinuz) or os.path.basename(vmlinuz)
        self.config = config
        self.meta = meta or {}
        self.modules_dir = modules_dir

    @property
    def name(self):
        return "kernel-" + re.sub(r"[^A-Za-z0-9._+~-]", "_", self.release)

    @classmethod
    def from_path(cls, path):
        """--kernel PATH: a vmlinuz/bzImage file, or a cache directory <release>/."""
        if os.path.isdir(path):
            d = path
            path = os.path.join(d, "vmlinuz")
        else:
            d = os.path.dirname(os.path.abspath(path))
        if not os.path.isfile(path):
            raise util.Error(f"kernel image not found: {path}")
        meta, release, config = {}, None, None
        if os.path.isfile(os.path.join(d, "kernel.json")) and os.path.basename(path) == "vmlinuz":
            with open(os.path.join(d, "kernel.json")) as f:
                meta = json.load(f)
            release = meta.get("release")
        if os.path.isfile(os.path.join(d, "config")) and os.path.basename(path) == "vmlinuz":
            config = os.path.join(d, "config")
        mods = os.path.join(d, "modules")
        in_cache = bool(meta) and os.access(d, os.W_OK)
        return cls(os.path.abspath(path), release, config, meta,
                   mods if os.path.isdir(mods) else None, d if in_cache else None)

    def pvh_image(self, tmp_dir):
        """An ELF vmlinux to boot by PVH, or None (then boot the bzImage). Kept in the cache
        directory for cached kernels, extracted into tmp_dir for the others."""
        if elf_has_pvh_note(self.vmlinuz):  # --kernel given an ELF vmlinux already
            return self.vmlinuz
        d = self.cache_dir or tmp_dir
        out = os.path.join(d, "vmlinux" if self.cache_dir else
                           "vmlinux-" + hashlib.sha256(self.vmlinuz.encode()).hexdigest()[:12])
        failed = out + ".no-pvh"
        newest = os.path.getmtime(self.vmlinuz)
        if os.path.isfile(out) and os.path.getmtime(out) >= newest:
            return out
        if os.path.isfile(failed) and os.path.getmtime(failed) >= newest:
            return None
        if extract_vmlinux(self.vmlinuz, out):
            return out
        with open(failed, "w") as f:
            f.write("no PVH-bootable ELF could be extracted from the bzImage\n")
        return None


def modname(path):
    """Module name from a module file name: "nf_tables.ko.xz" -> "nf_tables"."""
    return re.sub(r"\.ko(\.(xz|zst|gz))?$", "", os.path.basename(path)).replace("-", "_")


def module_order(kernel):
    """Module file paths of a cached kernel, in load order (dependencies first)."""
    if not kernel.modules_dir:
        return []
    p = os.path.join(kernel.modules_dir, "order")
    if not os.path.isfile(p):
        return []
    with open(p) as f:
        return [os.path.join(kernel.modules_dir, l.strip()) for l in f if l.strip()]


def _compare_versions(a, b):
    if a == b:
        return 0
    if subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0:
        return -1
    return 1


class Cache:
    def __init__(self, root=None, mirror=None, security_mirror=None, log=None):
        self.root = os.path.abspath(root or DEFAULT_CACHE)
        self.mirror = mirror or os.environ.get("LOCKSTEP_DEBIAN_MIRROR") or DEFAULT_MIRROR
        self.security_mirror = (security_mirror or os.environ.get("LOCKSTEP_DEBIAN_SECURITY_MIRROR")
                                or DEFAULT_SECURITY_MIRROR)
        self.apt = os.path.join(self.root, "apt")
        self.log = log or (lambda msg: None)

    # --- apt plumbing -------------------------------------------------------------------------

    def _apt_opts(self):
        a = self.apt
        return [
            "-o", "Dir::Etc::SourceList=/dev/null",
            "-o", f"Dir::Etc::SourceParts={a}/sources",
            "-o", f"Dir::State::Lists={a}/lists",
            "-o", f"Dir::Cache={a}/cache",
            "-o", "Dir::State::status=/dev/null",
            "-o", "Acquire::Languages=none",
            "-o", "APT::Architecture=amd64",
            "-o", "APT::Architectures=amd64",
            "-o", "APT::Sandbox::User=root",
            "-o", "Debug::NoLocking=false",
        ]

    def _sources_text(self, series_names):
        by_archive = {}
        for s in series_names:
            for archive, suite in SERIES[s]:
                lst = by_archive.setdefault(archive, [])
                if suite not in lst:
                    lst.append(suite)
        out = ["# Written by lockstep-vm: a private apt state, used only for apt-get download."]
        for archive in ("main", "security"):
            if archive not in by_archive:
                continue
            uri = self.mirror if archive == "main" else self.security_mirror
            out += ["", "Types: deb", f"URIs: {uri}", "Suites: " + " ".join(by_archive[archive]),
                    "Components: main", f"Signed-By: {KEYRING}"]
        return "\n".join(out) + "\n"

    def _ensure_apt(self, series_names, refresh):
        for tool in ("apt-get", "apt-cache", "dpkg"):
            if shutil.which(tool) is None:
                raise FetchError(f"{tool} not found (kernel fetching needs a Debian system)")
        if not os.path.isfile(KEYRING):
            raise FetchError(f"{KEYRING} not found (apt install debian-archive-keyring)")
        for s in series_names:
            if s not in SERIES:
                raise FetchError(f"unknown series {s!r} (known: {', '.join(SERIES)})")
        names = list(dict.fromkeys(DEFAULT_SERIES + list(series_names)))
        os.makedirs(os.path.join(self.apt, "sources"), exist_ok=True)
        os.makedirs(os.path.join(self.apt, "lists", "partial"), exist_ok=True)
        os.makedirs(os.path.join(self.apt, "cache", "archives", "partial"), exist_ok=True)
        src = os.path.join(self.apt, "sources", "lockstep-vm.sources")
        text = self._sources_text(names)
        old = None
        if os.path.isfile(src):
            with open(src) as f:
                old = f.read()
        stamp = os.path.join(self.apt, "updated")
        if old != text or refresh or not os.path.exists(stamp):
            with open(src, "w") as f:
                f.write(text)
            self.log("apt-get update (private state in %s)" % self.apt)
            r = subprocess.run(["apt-get", "-q", *self._apt_opts(), "update"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0 or re.search(r"^(E|W): Failed", r.stdout, re.M):
                if old is not None and old != text:  # do not leave a broken sources file
                    with open(src, "w") as f:
                        f.write(old)
                tail = "\n".join(r.stdout.strip().splitlines()[-5:])
                raise FetchError(f"apt-get update failed (private state {self.apt}):\n{tail}")
            with open(stamp, "w") as f:
                f.write(time.strftime("%Y-%m-%dT%H:%M:%SZ\n", time.gmtime()))

    def _apt_cache(self, *args, check=True):
        r = subprocess.run(["apt-cache", *self._apt_opts(), *args], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if check and r.returncode != 0:
            raise FetchError(f"apt-cache {' '.join(args)} failed: {r.stderr.strip()}")
        return r

    def _show(self, pkg, version):
        """Fields of package pkg=version, or None if it does not exist."""
        r = self._apt_cache("show", f"{pkg}={version}", check=False)
        if r.returncode != 0 or not r.stdout.strip():
            return None
        fields, key = {}, None
        for line in r.stdout.split("\n\n")[0].splitlines():
            if line.startswith(" ") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, val = line.partition(":")
                fields[key] = val.strip()
        return fields

    @staticmethod
    def _depends(fields):
        deps = []
        for alt in fields.get("Depends", "").split(","):
            first = alt.split("|")[0].strip()
            m = re.match(r"^(\S+)(?:\s*\((\S+)\s*(\S+)\))?", first)
            if m:
                deps.append((m.group(1), m.group(3)))
        return deps

    def resolve(self, series):
        """(suite, metapackage version, [package names to download]) for the newest kernel."""
        if series not in SERIES:
            raise FetchError(f"unknown series {series!r} (known: {', '.join(SERIES)})")
        suites = [s for _, s in SERIES[series]]
        r = self._apt_cache("madison", "linux-image-amd64")
        cands = []
        for line in r.stdout.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 3:
                continue
            m = re.search(r"\s(\S+?)/main\s", " " + parts[2] + " ")
            if m and m.group(1) in suites:
                cands.append((parts[1], m.group(1)))
        if not cands:
            raise FetchError(f"no linux-image-amd64 in series {series} (suites: {' '.join(suites)})")
        cands.sort(key=functools.cmp_to_key(lambda a, b: _compare_versions(a[0], b[0])))
        version, suite = cands[-1]
        meta = self._show("linux-image-amd64", version)
        images = [(n, v) for n, v in self._depends(meta) if n.startswith("linux-image-")]
        if not images:
            raise FetchError(f"linux-image-amd64={version} ({suite}) depends on no linux-image-*")
        image, _ = images[0]
        # 1. Debian <= 6.x layout: the -unsigned package holds /boot/vmlinuz-*, config and modules.
        if self._show(image + "-unsigned", version):
            return suite, version, [image + "-unsigned"], image
        # 2. Newer layout: linux-image-X is a metapackage over linux-binary-X (vmlinuz),
        #    linux-base-X (config, System.map) and linux-modules-X.
        fields = self._show(image, version)
        parts = [n for n, _ in self._depends(fields)
                 if n.startswith("linux-binary-") or n.startswith("linux-base-")]
        if any(n.startswith("linux-binary-") for n in parts):
            return suite, version, parts, image
        # 3. Fallback: the (signed) image package itself holds the vmlinuz.
        return suite, version, [image], image

    def _modules_package(self, image, version, packages):
        if any(p.endswith("-unsigned") for p in packages):
            return None  # modules are in the unsigned image package itself
        mp = image.replace("linux-image-", "linux-modules-", 1)
        return mp if self._show(mp, version) else image

    # --- public API ---------------------------------------------------------------------------

    def series_record(self, series):
        p = os.path.join(self.root, "series", series + ".json")
        if not os.path.isfile(p):
            return None
        with open(p) as f:
            return json.load(f)

    def kernel_dir(self, release):
        return os.path.join(self.root, release)

    def get(self, series):
        """The cached Kernel for a series, or None if not fetched yet."""
        rec = self.series_record(series)
        if not rec:
            return None
        d = self.kernel_dir(rec["release"])
        if not os.path.isfile(os.path.join(d, "vmlinuz")):
            return None
        return Kernel.from_path(d)

    def list(self):
        out = []
        if not os.path.isdir(self.root):
            return out
        series_of = {}
        sdir = os.path.join(self.root, "series")
        if os.path.isdir(sdir):
            for fn in sorted(os.listdir(sdir)):
                if fn.endswith(".json"):
                    with open(os.path.join(sdir, fn)) as f:
                        series_of.setdefault(json.load(f)["release"], []).append(fn[:-5])
        for name in sorted(os.listdir(self.root)):
            d = os.path.join(self.root, name)
            if os.path.isfile(os.path.join(d, "vmlinuz")):
                k = Kernel.from_path(d)
                out.append((k, series_of.get(k.release, [])))
        return out

    def fetch(self, series, refresh=False, modules=()):
        """Make sure the newest kernel of `series` is in the cache; return (Kernel, downloaded)."""
        os.makedirs(self.root, exist_ok=True)
        with open(os.path.join(self.root, ".lock"), "w") as lockf:
            fcntl.flock(lockf, fcntl.LOCK_EX)
            for d in os.listdir(self.root):  # left over by a fetch that was killed
                if d.startswith("lockstep-vm-fetch-") or d.endswith(".new"):
                    shutil.rmtree(os.path.join(self.root, d), ignore_errors=True)
            wanted = [m.replace("-", "_") for m in modules]
            cached = self.get(series)
            if cached:  # a new download keeps the modules fetched before
                modules = sorted(set(wanted) | {modname(p) for p in module_order(cached)})
            if not refresh and cached and all(self._has_module(cached, m) for m in wanted):
                return cached, False
            self._ensure_apt([series], refresh)
            suite, version, packages, image = self.resolve(series)
            if (cached and cached.meta.get("version") == version
                    and all(self._has_module(cached, m) for m in wanted)):
                return cached, False  # --refresh found nothing newer
            if modules:
                mp = self._modules_package(image, version, packages)
                if mp and mp not in packages:
                    packages = packages + [mp]
            k = self._download_extract(series, suite, version, packages, modules)
            k.pvh_image(None)  # the decompressed vmlinux, for fast boots
            return k, True

    @staticmethod
    def _has_module(kernel, name):
        return name.replace("-", "_") in [modname(p) for p in module_order(kernel)]

    def _download_extract(self, series, suite, version, packages, modules):
        with tempfile.TemporaryDirectory(prefix="lockstep-vm-fetch-", dir=self.root) as tmp:
            debs, root = os.path.join(tmp, "debs"), os.path.join(tmp, "root")
            os.makedirs(debs)
            os.makedirs(root)
            self.log(f"{series}: downloading {' '.join(packages)} ({version}, {suite})")
            r = subprocess.run(["apt-get", "-q", *self._apt_opts(), "download",
                                *[f"{p}={version}" for p in packages]],
                               cwd=debs, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            if r.returncode != 0:
                tail = "\n".join(r.stdout.strip().splitlines()[-5:])
                raise FetchError(f"apt-get download {' '.join(packages)} failed:\n{tail}")
            pkgs = []
            for fn in sorted(os.listdir(debs)):
                path = os.path.join(debs, fn)
                h = hashlib.sha256()
                with open(path, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
                name, ver = fn.split("_")[0], fn.split("_")[1]
                pkgs.append({"name": name, "version": ver.replace("%3a", ":"), "file": fn,
                             "sha256": h.hexdigest()})
                subprocess.run(["dpkg", "-x", path, root], check=True)
                os.unlink(path)  # keep the disk use down: only what we need is kept below
            # Debian <= 7.1: /boot/vmlinuz-<release>; newer: /usr/lib/modules/<release>/vmlinuz.
            vmlinuz = (self._find(root, r"^(usr/)?boot/vmlinuz-(.+)$")
                       or self._find(root, r"^(usr/)?lib/modules/([^/]+)/vmlinuz$"))
            if not vmlinuz:
                raise FetchError(f"no vmlinuz in {' '.join(packages)}")
            release = (re.match(r"^(usr/)?boot/vmlinuz-(.+)$", vmlinuz)
                       or re.match(r"^(usr/)?lib/modules/([^/]+)/vmlinuz$", vmlinuz)).group(2)
            config = (self._find(root, r"^(usr/)?boot/config-" + re.escape(release) + "$")
                      or self._find(root, r"^(usr/)?lib/modules/" + re.escape(release) + "/config$"))
            dest = self.kernel_dir(release)
            stage = dest + ".new"
            shutil.rmtree(stage, ignore_errors=True)
            os.makedirs(stage)
            shutil.copy2(os.path.join(root, vmlinuz), os.path.join(stage, "vmlinuz"))
            if config:
                shutil.copy2(os.path.join(root, config), os.path.join(stage, "config"))
            if modules:
                self._copy_modules(root, release, modules, os.path.join(stage, "modules"))
            meta = {"release": release, "series": series, "suite": suite, "version": version,
                    "packages": pkgs, "fetched_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                  time.gmtime())}
            with open(os.path.join(stage, "kernel.json"), "w") as f:
                json.dump(meta, f, indent=2)
            with open(os.path.join(stage, "version"), "w") as f:
                f.write(f"{release} {version}\n")
            shutil.rmtree(dest, ignore_errors=True)
            os.rename(stage, dest)
            os.makedirs(os.path.join(self.root, "series"), exist_ok=True)
            tmpj = os.path.join(self.root, "series", series + ".json.new")
            with open(tmpj, "w") as f:
                json.dump({"release": release, "version": version, "suite": suite}, f)
            os.rename(tmpj, os.path.join(self.root, "series", series + ".json"))
            return Kernel.from_path(dest)

    @staticmethod
    def _find(root, pattern):
        rx = re.compile(pattern)
        for dirpath, _, files in os.walk(root):
            for fn in files:
                rel = os.path.relpath(os.path.join(dirpath, fn), root)
                if rx.match(rel):
                    return rel
        return None

    @staticmethod
    def _copy_modules(root, release, names, dest):
        """Copy modules `names` and their dependencies, dependencies first, to dest/.

        Debian's packages do not ship modules.dep (depmod makes it at install time), so the
        dependencies are read from each module's .modinfo "depends=" field."""
        base = None
        for cand in (f"lib/modules/{release}", f"usr/lib/modules/{release}"):
            if os.path.isdir(os.path.join(root, cand)):
                base = os.path.join(root, cand)
        if not base:
            raise FetchError(f"no modules for {release} in the downloaded packages")
        by_name = {}
        for dirpath, _, files in os.walk(base):
            for fn in files:
                if re.search(r"\.ko(\.(xz|zst|gz))?$", fn):
                    by_name[modname(fn)] = os.path.join(dirpath, fn)
        order = []

        def visit(name, stack=()):
            path = by_name.get(name)
            if not path:
                raise FetchError(f"module {name} not found for {release} (built in, or absent?)")
            if path in order or name in stack:
                return
            for d in module_depends(path):
                visit(d, stack + (name,))
            order.append(path)

        for n in names:
            visit(n.replace("-", "_"))
        os.makedirs(dest, exist_ok=True)
        for p in order:
            shutil.copy2(p, os.path.join(dest, os.path.basename(p)))
        with open(os.path.join(dest, "order"), "w") as f:
            # one module file name per line, dependencies first
            f.write("\n".join(os.path.basename(p) for p in order) + "\n")


def module_depends(path):
    """The "depends=" list of a module's .modinfo (module names)."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        import lzma
        data = lzma.decompress(data)
    elif path.endswith(".gz"):
        import gzip
        data = gzip.decompress(data)
    elif path.endswith(".zst"):
        if shutil.which("zstd") is None:
            raise FetchError(f"{os.path.basename(path)} is zstd-compressed: apt install zstd")
        data = subprocess.run(["zstd", "-dc", path], stdout=subprocess.PIPE, check=True).stdout
    m = re.search(rb"(?:^|\0)depends=([^\0]*)\0", data)
    if not m or not m.group(1):
        return []
    return [d.decode().replace("-", "_") for d in m.group(1).split(b",") if d]
