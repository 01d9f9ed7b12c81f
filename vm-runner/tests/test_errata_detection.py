"""The suite detects each erratum: a profile that lies about one erratum makes its cases fail.

    python3 tests/test_errata_detection.py LOCKSTEP_BINARY [CORPUS]

For each erratum N that applies at the running kernel's ABI, `lockstep run --profile` forces the
kernel's own profile with erratum N flipped (claimed fixed when the kernel lacks the fix, claimed
not fixed when it has it) and runs the corpus on the running kernel. The suite must then report
divergences, among them a case about erratum N, and every divergence must be explained by the lie
(a case whose trace names erratum N, or the errata query itself). A control run with the true
profile has no divergence. This is the matrix's erratum check on a kernel that lacks a fix
(here 6.18's erratum 4) and, flipped, on one that has it. Exit 77 (skipped) without Landlock or
without the errata query. About 2 s per run on the host.
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from lib import hostrun, matrix  # noqa: E402

LOCKSTEP = None
CORPUS = os.path.join(os.path.dirname(HERE), "conformance", "cases")
NUM_ERRATA = 4


def profile(abi, mask):
    fixed = [str(n) for n in range(1, NUM_ERRATA + 1) if (mask >> (n - 1)) & 1]
    return f"abi={abi},errata={'+'.join(fixed)}"


def run(prof, save_dir):
    r = subprocess.run([LOCKSTEP, "run", "--no-progress", "--profile", prof, "--save-dir",
                        save_dir, CORPUS], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    failed = re.findall(r"^  not ok \d+ (\S+)", r.stdout, re.M)
    return r.returncode, failed, r.stdout


def trace_text(case):
    try:
        with open(os.path.join(CORPUS, case + ".trace")) as f:
            return f.read()
    except OSError:
        return ""


class Detection(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.abi, cls.mask = hostrun.landlock_probe()
        cls.tmp = tempfile.TemporaryDirectory(prefix="lockstep-errata-")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_control_true_profile_passes(self):
        rc, failed, out = run(profile(self.abi, self.mask), self.tmp.name)
        self.assertEqual((rc, failed), (0, []), out[-3000:])

    def test_each_erratum_is_detected(self):
        applicable = [n for n in range(1, NUM_ERRATA + 1) if matrix.ERRATUM_ABI[n] <= self.abi]
        self.assertTrue(applicable)
        for n in applicable:
            with self.subTest(erratum=n):
                lie = self.mask ^ (1 << (n - 1))
                claim = "fixed" if lie & (1 << (n - 1)) else "not fixed"
                rc, failed, out = run(profile(self.abi, lie), self.tmp.name)
                print(f"erratum {n} claimed {claim} ({profile(self.abi, lie)}): "
                      f"{len(failed)} case(s) fail: {' '.join(failed)}", file=sys.stderr)
                self.assertEqual(rc, 1, out[-3000:])
                self.assertTrue(any(f"erratum{n}" in c for c in failed),
                                f"no erratum{n} case among the failures {failed}")
                for c in failed:
                    explained = ("errata" in c or f"erratum{n}" in c or
                                 re.search(rf"\berratum\s+{n}\b", trace_text(c)) is not None)
                    self.assertTrue(explained, f"{c} fails but does not concern erratum {n}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    LOCKSTEP = os.path.abspath(sys.argv.pop(1))
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        CORPUS = os.path.abspath(sys.argv.pop(1))
    abi, mask = hostrun.landlock_probe()
    if not os.access(LOCKSTEP, os.X_OK) or not abi or mask is None or os.geteuid() != 0:
        print("skipped: needs the lockstep binary, root, Landlock and the errata query",
              file=sys.stderr)
        sys.exit(77)
    unittest.main()
