#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""ctest kernel.coverage.unit: gcov-run and the host's decoding of its dump,
on the host (no VM): the KTAP it prints, the exit mapping, the timeout, and
the gcda dump round trip, including a dump damaged on the console."""

import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
_loader = importlib.machinery.SourceFileLoader("coverage_tool", str(HERE / "coverage"))
_spec = importlib.util.spec_from_loader("coverage_tool", _loader)
cov = importlib.util.module_from_spec(_spec)
_loader.exec_module(cov)


class GcovRun(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="lockstep-coverage-test-")
        cls.bin = Path(cls.tmp.name) / "gcov-run"
        subprocess.run(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", cls.bin,
                        HERE / "gcov-run.c"], check=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def run_it(self, *args, timeout=20):
        return subprocess.run([str(self.bin), *args], capture_output=True, text=True,
                              timeout=timeout)

    def test_ktap_and_exit_mapping(self):
        r = self.run_it("/bin/echo", "hello", "--", "/bin/false", "--",
                        "/bin/sh", "-c", "exit 4")
        self.assertEqual(r.returncode, 1)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[:2], ["KTAP version 1", "1..3"])
        self.assertIn("  hello", lines)  # the command's output, one subtest deeper
        self.assertIn("ok 1 echo", lines)
        self.assertIn("not ok 2 false", lines)
        self.assertIn("ok 3 sh # SKIP exit 4", lines)
        self.assertNotIn("# gcda-end", r.stdout)  # no -g, no dump

    def test_timeout_kills_the_group(self):
        r = self.run_it("-t", "1", "/bin/sh", "-c", "sleep 30 & sleep 30")
        self.assertEqual(r.returncode, 1)
        self.assertIn("not ok 1 sh", r.stdout)
        self.assertRegex(r.stdout, r"# gcov-run: sh exit 137, 1\.\d s")

    def test_bad_usage(self):
        self.assertEqual(self.run_it().returncode, 2)
        self.assertEqual(self.run_it("true").returncode, 2)  # not an absolute path

    def dump(self, files):
        d = Path(tempfile.mkdtemp(dir=self.tmp.name)) / "gcov"
        for name, data in files.items():
            (d / name).parent.mkdir(parents=True, exist_ok=True)
            (d / name).write_bytes(data)
        (d / "b/security/landlock/fs.gcno").symlink_to("/nonexistent")
        r = self.run_it("-g", "-d", str(d), "/bin/true")
        self.assertEqual(r.returncode, 0, r.stdout)
        return r.stdout

    def test_dump_round_trip(self):
        fs, ruleset = os.urandom(4000), os.urandom(57 * 3)  # a partial and a full last line
        out = self.dump({".cache/b/security/landlock/fs.gcda": fs,
                         "b/security/landlock/ruleset.gcda": ruleset,
                         "b/kernel/fork.gcda": b"not landlock"})
        self.assertIn("# gcda-end 3", out)
        console = Path(self.tmp.name) / "console.log"
        # As on the serial console: CR LF, kernel lines in between.
        console.write_text("[    1.000000] booting\r\n" + out.replace("\n", "\r\n"))
        got = Path(self.tmp.name) / "got"
        self.assertEqual(cov.decode_gcda(console, got), 2)
        self.assertEqual((got / "fs.gcda").read_bytes(), fs)  # under a .cache directory
        self.assertEqual((got / "ruleset.gcda").read_bytes(), ruleset)
        self.assertFalse((got / "fork.gcda").exists())

    def test_damaged_dump(self):
        out = self.dump({"b/security/landlock/fs.gcda": os.urandom(300)})
        lines = out.splitlines()
        i = next(n for n, ln in enumerate(lines) if ln.startswith("# gcda "))
        console = Path(self.tmp.name) / "console.log"
        # A kernel message landing in the middle of a base64 line is stitched out.
        cut = lines[:i] + [lines[i][:20] + "[    2.000000] random: crng init done",
                           lines[i][20:]] + lines[i + 1:]
        console.write_text("\n".join(cut) + "\n")
        self.assertEqual(cov.decode_gcda(console, Path(self.tmp.name) / "got1"), 1)
        # A character lost on the way is not.
        lines[i] = lines[i][:20] + lines[i][21:]
        console.write_text("\n".join(lines) + "\n")
        with self.assertRaisesRegex(cov.Fatal, "corrupt"):
            cov.decode_gcda(console, Path(self.tmp.name) / "got2")
        console.write_text("\n".join(ln for ln in lines if "gcda-end" not in ln) + "\n")
        with self.assertRaisesRegex(cov.Fatal, "no gcda dump"):
            cov.decode_gcda(console, Path(self.tmp.name) / "got3")


class Table(unittest.TestCase):
    def test_union_and_totals(self):
        ours = {"fs.c": {1: 1, 2: 0, 3: 5, 4: 0}}
        sel = {"fs.c": {1: 0, 2: 2, 3: 1, 4: 0}, "net.c": {7: 1}}
        text, rows = cov.table(ours, sel)
        self.assertEqual(dict(rows)["fs.c"], [4, 2, 2, 3])
        self.assertEqual(dict(rows)["net.c"], [1, 0, 1, 1])
        self.assertEqual(dict(rows)["total"], [5, 2, 3, 4])
        self.assertIn("| fs.c | 4 | 50.0 | 50.0 | 75.0 |", text)


class MissingPieces(unittest.TestCase):
    def test_no_gcov_kernel(self):
        with tempfile.TemporaryDirectory() as kb:
            r = subprocess.run([sys.executable, str(HERE / "coverage"), "--kbuild", kb,
                                "--work", os.path.join(kb, "w")], capture_output=True, text=True)
            self.assertEqual(r.returncode, 2)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1)
            self.assertIn("the gcov kernel", r.stderr)
            self.assertFalse(os.path.exists(os.path.join(kb, "w")))


if __name__ == "__main__":
    unittest.main()
