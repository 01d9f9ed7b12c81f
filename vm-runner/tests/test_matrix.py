"""Unit tests: the matrix table, known kernel bugs, and the host run (no VM).

    python3 tests/test_matrix.py
"""

import io
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from lib import hostrun, known, ktap, matrix, runner  # noqa: E402

# What `lockstep run` prints: a subtest per feature group, the cases inside.
LOCKSTEP = """\
KTAP version 1
1..3
# lockstep: kernel 6.18.44, profile abi=7,errata=1+2+3
  KTAP version 1
  1..3
  ok 1 abi/version
  ok 2 abi/create_flag_errata # XFAIL erratum 4 not fixed on this kernel
  ok 3 abi/x # SKIP needs Landlock ABI >= 8 (kernel has 7)
ok 1 abi
  KTAP version 1
  1..3
  ok 1 errata/erratum4_rename_whiteout_object # XFAIL erratum 1 4 not fixed on this kernel
  not ok 2 errata/erratum3_disconnected_mkdir # step 3: outcome divergence
  ok 3 errata/erratum3_disconnected_unlink
not ok 2 errata
  KTAP version 1
  1..1
  ok 1 supervisor/a # SKIP needs the supervisor extension
ok 3 supervisor # SKIP every case skipped
"""


class Errata(unittest.TestCase):
    def test_errata_of(self):
        self.assertEqual(matrix.errata_of("erratum 4 not fixed on this kernel"), [4])
        self.assertEqual(matrix.errata_of("erratum 1 2 not fixed on this kernel"), [1, 2])
        self.assertEqual(matrix.errata_of("needs ABI 7"), [])
        self.assertEqual(matrix.errata_of(""), [])


class Table(unittest.TestCase):
    def column(self, name="kernel-6.18.44", abi=7, errata=7, verdict="ok"):
        return matrix.Column(name, ktap.parse(LOCKSTEP.splitlines()), abi=abi, errata=errata,
                             verdict=verdict)

    def test_counts_per_group(self):
        c = self.column()
        self.assertEqual({k: c.groups["abi"][k] for k in matrix.KINDS},
                         {"pass": 1, "fail": 0, "skip": 1, "xfail": 1})
        self.assertEqual({k: c.groups["errata"][k] for k in matrix.KINDS},
                         {"pass": 1, "fail": 1, "skip": 0, "xfail": 1})
        # a skipped group still counts its leaves
        self.assertEqual(c.groups["supervisor"]["skip"], 1)
        self.assertEqual(c.affected[4], ["abi/create_flag_errata",
                                         "errata/erratum4_rename_whiteout_object"])
        self.assertEqual(c.affected[1], ["errata/erratum4_rename_whiteout_object"])
        self.assertEqual(c.lacking(), [4])

    def test_table(self):
        cols = [self.column("host-6.18.44"),
                self.column("kernel-6.1.0-57-amd64", abi=2, errata=12),
                self.column("kernel-x", abi=5, errata=None, verdict="NOT OK (ERROR)")]
        text = "\n".join(matrix.table(cols))
        lines = text.splitlines()
        head = next(l for l in lines if l.startswith("kernel "))
        for name in ("host-6.18.44", "6.1.0-57-amd64", "x"):
            self.assertIn(name, head)
        abi_row = next(l for l in lines if l.split()[0] == "abi")
        self.assertIn("1/0/1/1 e4", abi_row)
        errata_row = next(l for l in lines if l.split()[0] == "errata" and "/0/" in l)
        self.assertIn("1/1/0/1 e1+4", errata_row)
        lack = next(l for l in lines if l.startswith("errata lacking"))
        self.assertIn("1(n/a: abi<4)+2(n/a: abi<6)", lack)  # 6.1: ABI 2, mask 12
        self.assertIn("unknown (not reportable)", lack)
        self.assertIn("NOT OK (ERROR)", next(l for l in lines if l.startswith("verdict")))
        self.assertIn("host-6.18.44: erratum 4 not fixed: 2 case(s) XFAIL: "
                      "abi/create_flag_errata, errata/erratum4_rename_whiteout_object", text)
        self.assertIn("x: errata not reportable (ABI 5): both outcomes are accepted", text)
        self.assertIn("6.1.0-57-amd64: erratum 1 is about an ABI 4 feature", text)
        total = next(l for l in lines if l.startswith("total"))
        self.assertIn("2/1/2/2 e1+4", total)

    def test_flat_payload(self):
        block = ktap.parse("KTAP version 1\n1..2\nok 1 a\nok 2 b # SKIP no\n".splitlines())
        c = matrix.Column("kernel-k", block)
        self.assertEqual(c.groups["(top level)"]["pass"], 1)
        self.assertEqual(c.groups["(top level)"]["skip"], 1)


WARN_DISCONNECTED = [
    "WARNING: CPU: 1 PID: 99 at security/landlock/fs.c:1070 collect_domain_accesses+0x1/0x2",
    "Modules linked in:",
    "RIP: 0010:collect_domain_accesses+0x1/0x2",
    "Call Trace:",
    "current_check_refer_path+0x1/0x2",
]


class Known(unittest.TestCase):
    def test_disconnected_warning_is_known_without_erratum_3(self):
        for errata in (None, 0, 3, 8, 11):  # erratum 3 (bit 2, value 4) not reported fixed
            kn, unk = known.classify(errata, [WARN_DISCONNECTED])
            self.assertEqual([i.ident for i, _ in kn], ["landlock-disconnected-dir-warn"], errata)
            self.assertEqual(unk, [])

    def test_not_known_when_the_kernel_has_the_fix(self):
        for errata in (4, 7, 12, 15):
            kn, unk = known.classify(errata, [WARN_DISCONNECTED])
            self.assertEqual(kn, [])
            self.assertEqual(unk, [WARN_DISCONNECTED])

    def test_other_reports_stay_failures(self):
        other = ["WARNING: CPU: 0 PID: 1 at security/landlock/fs.c:12 hook_file_open+0x1/0x2"]
        bug = ["BUG: kernel NULL pointer dereference, address: 0000000000000000",
               "RIP: 0010:collect_domain_accesses+0x1/0x2"]
        kn, unk = known.classify(None, [other, bug, WARN_DISCONNECTED])
        self.assertEqual(len(kn), 1)
        self.assertEqual(unk, [other, bug])


def sh(script):
    return "/bin/sh", ["-c", script]


class Host(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def test_host_args(self):
        self.assertEqual(hostrun.host_args(["run", "/corpus", "/corpus/fs", "/corpusx"], "/c"),
                         ["run", "/c", "/c/fs", "/corpusx"])
        self.assertEqual(hostrun.host_args(["run", "/corpus"], None), ["run", "/corpus"])

    def test_probe(self):
        abi, errata = hostrun.landlock_probe()
        self.assertTrue(abi is None or abi >= 1)
        if abi is None:
            self.assertIsNone(errata)

    def run_host(self, script, timeout=20):
        path, args = sh(script)
        res = hostrun.run(path, args, None, os.path.join(self.dir, "w"),
                          os.path.join(self.dir, "log"), timeout)
        res.timeout = timeout
        return res, runner.judge_host(res)

    def test_pass_and_cwd(self):
        res, v = self.run_host("printf 'KTAP version 1\\n1..1\\nok 1 a\\n'; pwd >&2")
        self.assertTrue(v.ok, v.problems)
        self.assertEqual(res.exit, 0)
        self.assertEqual(res.stderr.strip(), os.path.join(self.dir, "w"))
        with open(os.path.join(self.dir, "log")) as f:
            self.assertIn("ok 1 a", f.read())

    def test_failure(self):
        res, v = self.run_host("printf 'KTAP version 1\\n1..1\\nnot ok 1 a\\n'; exit 1")
        self.assertFalse(v.ok)
        self.assertEqual(v.reason, "payload exit 1")
        self.assertIn("1 a failed", v.problems)

    def test_timeout_kills_the_group(self):
        marker = os.path.join(self.dir, "child.pid")
        res, v = self.run_host(f"sleep 1000 & echo $! > {marker}; wait", timeout=1)
        self.assertEqual(res.outcome, "timeout")
        self.assertEqual(v.directive, "TIMEOUT")
        with open(marker) as f:
            pid = int(f.read())
        r = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], stdout=subprocess.PIPE,
                           text=True)
        self.assertIn(r.stdout.strip()[:1], ("", "Z"))  # gone (or a zombie of init's)

    def test_stream_and_matrix(self):
        """runner.run with only the host: subtest 1 is the host, then the matrix."""
        payload = os.path.join(self.dir, "payload.sh")
        with open(payload, "w") as f:
            f.write("#!/bin/sh\ncat <<'EOF'\n" + LOCKSTEP.replace("not ok", "ok") + "EOF\n")
        os.chmod(payload, 0o755)

        class Opts:
            cache = os.path.join(self.dir, "cache")
            run_dir = os.path.join(self.dir, "run")
            timeout = 20.0
            env = []
            strip = False
            host = True
            matrix = True
            verbose = False

        class Pl:
            path, args, corpus, label = payload, ["/corpus"], self.dir, "x"

        out = io.StringIO()
        ok = runner.run([], Pl, Opts, out=out)
        text = out.getvalue()
        self.assertTrue(ok, text)
        top = ktap.parse(text.splitlines())
        self.assertEqual(top.plan, 1)
        r = top.results[0]
        self.assertTrue(r.description.startswith("host-"))
        self.assertEqual([g.description for g in r.subtest.results],
                         ["abi", "errata", "supervisor"])
        self.assertIn("# matrix: kernels x feature groups", text)
        self.assertTrue(os.path.exists(os.path.join(Opts.run_dir, "matrix.txt")))
        self.assertIn(f"payload {payload} {self.dir}", text)  # /corpus -> the corpus dir


if __name__ == "__main__":
    unittest.main()
