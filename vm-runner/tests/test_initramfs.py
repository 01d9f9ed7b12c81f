"""Unit tests: the newc cpio writer and the initramfs layout."""

import gzip
import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lib import initramfs  # noqa: E402


def archive(fill):
    buf = io.BytesIO()
    w = initramfs.CpioWriter(buf)
    fill(w)
    w.close()
    return buf.getvalue()


class Writer(unittest.TestCase):
    def sample(self, w):
        w.add_dir("etc")
        w.add_file("etc/hello", b"hello\n", 0o644)
        w.add_file("bin/tool", b"\x7fELF" + bytes(range(256)) * 3, 0o755)  # parent auto-created
        w.add_symlink("bin/link", "tool")
        w.add_chardev("dev/console", 5, 1, 0o600)
        w.add_file("empty", b"")
        w.add_file("odd/name-of-length-13", b"abc")

    def test_roundtrip(self):
        data = archive(self.sample)
        entries = {n: (m, b, r) for n, m, b, r in initramfs.read_newc(data)}
        self.assertEqual(entries["etc/hello"][1], b"hello\n")
        self.assertEqual(stat.S_IMODE(entries["bin/tool"][0]), 0o755)
        self.assertTrue(stat.S_ISDIR(entries["bin"][0]))
        self.assertTrue(stat.S_ISLNK(entries["bin/link"][0]))
        self.assertEqual(entries["bin/link"][1], b"tool")
        self.assertTrue(stat.S_ISCHR(entries["dev/console"][0]))
        self.assertEqual(entries["dev/console"][2], (5, 1))
        self.assertEqual(entries["empty"][1], b"")
        self.assertEqual(entries["odd/name-of-length-13"][1], b"abc")

    def test_format_details(self):
        data = archive(lambda w: w.add_file("a", b"xyz"))
        self.assertEqual(data[:6], b"070701")
        self.assertEqual(len(data) % 4, 0)
        # header, "a\0" padded to 4 with the header (110+2 -> 112), "xyz" padded to 4
        self.assertEqual(data[112:116], b"xyz\0")
        self.assertIn(b"TRAILER!!!\0", data)
        # namesize field (12th) counts the NUL
        self.assertEqual(int(data[6 + 8 * 11:6 + 8 * 12], 16), 2)

    def test_parent_directories_come_first(self):
        names = [n for n, *_ in initramfs.read_newc(archive(lambda w: w.add_file("a/b/c/d", b"")))]
        self.assertEqual(names, ["a", "a/b", "a/b/c", "a/b/c/d"])

    def test_duplicates_rejected(self):
        def fill(w):
            w.add_file("x", b"1")
            w.add_file("x", b"2")
        with self.assertRaises(ValueError):
            archive(fill)

    def test_deterministic(self):
        self.assertEqual(archive(self.sample), archive(self.sample))
        self.assertEqual(initramfs.gzip_bytes(b"abc"), initramfs.gzip_bytes(b"abc"))

    @unittest.skipIf(shutil.which("cpio") is None, "no cpio(1) to cross-check with")
    def test_gnu_cpio_extracts_it(self):
        data = archive(lambda w: (w.add_file("etc/hello", b"hello\n", 0o640),
                                  w.add_file("bin/tool", b"#!/bin/sh\n", 0o755),
                                  w.add_symlink("bin/link", "tool")))
        listing = subprocess.run(["cpio", "-it", "--quiet"], input=data, stdout=subprocess.PIPE,
                                 check=True).stdout.decode().split()
        self.assertEqual(sorted(listing), ["bin", "bin/link", "bin/tool", "etc", "etc/hello"])
        with tempfile.TemporaryDirectory() as d:
            subprocess.run(["cpio", "-idm", "--quiet", "--no-absolute-filenames"], input=data,
                           cwd=d, check=True)
            with open(os.path.join(d, "etc/hello"), "rb") as f:
                self.assertEqual(f.read(), b"hello\n")
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(d, "etc/hello")).st_mode), 0o640)
            self.assertEqual(os.readlink(os.path.join(d, "bin/link")), "tool")


class Build(unittest.TestCase):
    def test_layout(self):
        with tempfile.TemporaryDirectory() as d:
            init = os.path.join(d, "init-bin")
            pay = os.path.join(d, "payload-bin")
            for p in (init, pay):
                with open(p, "wb") as f:
                    f.write(b"\x7fELF fake")
                os.chmod(p, 0o755)
            corpus = os.path.join(d, "corpus")
            os.makedirs(os.path.join(corpus, "fs"))
            with open(os.path.join(corpus, "fs", "a.trace"), "w") as f:
                f.write("trace\n")
            out = os.path.join(d, "initrd.gz")
            initramfs.build(out, init, pay, ["run", "/corpus", "--flag=a b"], corpus,
                            env=["X=1"])
            with open(out, "rb") as f:
                entries = {n: (m, b, r) for n, m, b, r in
                           initramfs.read_newc(gzip.decompress(f.read()))}
        self.assertEqual(stat.S_IMODE(entries["init"][0]), 0o755)
        self.assertEqual(entries["bin/payload"][1], b"\x7fELF fake")
        self.assertEqual(entries["lockstep-vm/argv"][1],
                         b"/bin/payload\0run\0/corpus\0--flag=a b\0")
        self.assertEqual(entries["lockstep-vm/env"][1], b"X=1\0")
        self.assertEqual(entries["corpus/fs/a.trace"][1], b"trace\n")
        self.assertTrue(stat.S_ISCHR(entries["dev/console"][0]))
        self.assertEqual(stat.S_IMODE(entries["tmp"][0]), 0o1777)
        self.assertNotIn("lockstep-vm/modules", entries)


if __name__ == "__main__":
    unittest.main()
