"""Write the initramfs ourselves: a newc ("070701") cpio archive, gzip-compressed.

No external tool: the format is 110-byte ASCII headers, the NUL-terminated name padded to 4 bytes,
then the data padded to 4 bytes, ending with an entry named "TRAILER!!!" (see the kernel's
Documentation/driver-api/early-userspace/buffer-format.rst). The output is deterministic:
mtimes are 0, inode numbers count up, gzip's own timestamp is 0.
"""

import gzip
import io
import os
import stat

MAGIC = b"070701"
TRAILER = "TRAILER!!!"

# Layout inside the VM (init.c reads the same paths).
INIT = "init"
PAYLOAD = "bin/payload"
CORPUS = "corpus"
ARGV = "lockstep-vm/argv"
ENV = "lockstep-vm/env"
MODULES_LIST = "lockstep-vm/modules"
MODULES_DIR = "lib/modules"


def _pad4(n):
    return (4 - n % 4) % 4


class CpioWriter:
    """Accumulates entries, creating missing parent directories, then writes newc (+gzip)."""

    def __init__(self, fileobj):
        self.f = fileobj
        self.ino = 1
        self.dirs = set()
        self.names = set()
        self.closed = False

    def _entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        name = name.strip("/") if name != TRAILER else name
        if not name:
            raise ValueError("empty cpio name")
        if name != TRAILER:
            if name in self.names:
                raise ValueError(f"duplicate cpio entry: {name}")
            self.names.add(name)
        nameb = name.encode() + b"\0"
        fields = [self.ino if name != TRAILER else 0, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(nameb), 0]
        self.ino += 1
        hdr = MAGIC + b"".join(b"%08X" % v for v in fields)
        assert len(hdr) == 110
        self.f.write(hdr + nameb + b"\0" * _pad4(len(hdr) + len(nameb)))
        self.f.write(data + b"\0" * _pad4(len(data)))

    def _parents(self, name):
        parts = name.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in self.dirs:
                self.add_dir(d)

    def add_dir(self, name, mode=0o755):
        name = name.strip("/")
        if name in self.dirs:
            return
        self._parents(name)
        self.dirs.add(name)
        self._entry(name, stat.S_IFDIR | mode, nlink=2)

    def add_file(self, name, data, mode=0o644):
        if isinstance(data, str):
            data = data.encode()
        self._parents(name)
        self._entry(name, stat.S_IFREG | mode, data)

    def add_symlink(self, name, target):
        self._parents(name)
        self._entry(name, stat.S_IFLNK | 0o777, target.encode())

    def add_chardev(self, name, major, minor, mode=0o600):
        self._parents(name)
        self._entry(name, stat.S_IFCHR | mode, rdev=(major, minor))

    def add_path(self, name, src):
        """Copy a host file (keeping its permission bits) into the archive."""
        st = os.lstat(src)
        if stat.S_ISLNK(st.st_mode):
            self.add_symlink(name, os.readlink(src))
        elif stat.S_ISREG(st.st_mode):
            with open(src, "rb") as f:
                self.add_file(name, f.read(), stat.S_IMODE(st.st_mode))
        elif stat.S_ISDIR(st.st_mode):
            self.add_dir(name, stat.S_IMODE(st.st_mode))
        else:
            raise ValueError(f"unsupported file type: {src}")

    def add_tree(self, name, src):
        """Copy a host directory tree, sorted, so the archive does not depend on readdir order."""
        self.add_path(name, src)
        for dirpath, dirnames, filenames in os.walk(src):
            dirnames.sort()
            rel = os.path.relpath(dirpath, src)
            base = name if rel == "." else f"{name}/{rel}"
            for fn in sorted(dirnames + filenames):
                p = os.path.join(dirpath, fn)
                if fn in dirnames and not os.path.islink(p):
                    self.add_dir(f"{base}/{fn}", stat.S_IMODE(os.lstat(p).st_mode))
                else:
                    self.add_path(f"{base}/{fn}", p)

    def close(self):
        if not self.closed:
            self._entry(TRAILER, 0, nlink=1)
            self.closed = True


def read_newc(data):
    """Parse an (uncompressed) newc archive: [(name, mode, bytes, (rdevmajor, rdevminor))].

    Used by the tests and by `lockstep-vm initramfs --list`."""
    out, off = [], 0
    while True:
        if data[off:off + 6] != MAGIC:
            raise ValueError(f"bad cpio magic at offset {off}")
        fields = [int(data[off + 6 + 8 * i: off + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize, mode = fields[11], fields[6], fields[1]
        nstart = off + 110
        name = data[nstart:nstart + namesize - 1].decode()
        dstart = nstart + namesize + _pad4(110 + namesize)
        body = data[dstart:dstart + filesize]
        off = dstart + filesize + _pad4(filesize)
        if name == TRAILER:
            return out
        out.append((name, mode, body, (fields[9], fields[10])))


def gzip_bytes(raw):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=6, mtime=0) as gz:
        gz.write(raw)
    return buf.getvalue()


def build(out_path, init_bin, payload, argv, corpus=None, env=(), modules=(), extra=()):
    """Write the gzip'd initramfs to out_path.

    argv: the payload's argv *after* argv[0] (argv[0] is /bin/payload).
    modules: host paths of kernel modules, in load order. extra: (name-in-archive, host path)."""
    raw = io.BytesIO()
    w = CpioWriter(raw)
    for d in ("dev", "proc", "sys", "tmp", "bin", "lockstep-vm", "root"):
        w.add_dir(d, 0o1777 if d == "tmp" else 0o755)
    # The kernel opens /dev/console for init before any devtmpfs is mounted.
    w.add_chardev("dev/console", 5, 1, 0o600)
    w.add_chardev("dev/null", 1, 3, 0o666)
    w.add_path(INIT, init_bin)
    w.add_path(PAYLOAD, payload)
    full_argv = ["/" + PAYLOAD] + list(argv)
    w.add_file(ARGV, b"".join(a.encode() + b"\0" for a in full_argv))
    if env:
        w.add_file(ENV, b"".join(e.encode() + b"\0" for e in env))
    if corpus:
        w.add_tree(CORPUS, corpus)
    if modules:
        names = []
        for m in modules:
            n = os.path.basename(m)
            w.add_path(f"{MODULES_DIR}/{n}", m)
            names.append(n)
        w.add_file(MODULES_LIST, "\n".join(names) + "\n")
    for name, src in extra:
        w.add_path(name, src)
    w.close()
    data = gzip_bytes(raw.getvalue())
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out_path)
    return len(data)
