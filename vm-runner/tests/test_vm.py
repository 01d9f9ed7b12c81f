"""Integration tests: boot a real Debian kernel under QEMU (TCG) with the smoke payload.

    python3 tests/test_vm.py [TestClass ...]

Environment: LOCKSTEP_VM_SERIES (default bookworm-backports, the fastest to boot),
LOCKSTEP_VM_CACHE (default ~/.cache/lockstep/kernels). Exits 77 (ctest: skipped) when QEMU or gcc
is missing, or the kernel is neither cached nor fetchable. Runs one QEMU at a time.
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

from lib import kernels, ktap  # noqa: E402

TOOL = os.path.join(HERE, "lockstep-vm")
SERIES = os.environ.get("LOCKSTEP_VM_SERIES", "bookworm-backports")
CACHE = os.environ.get("LOCKSTEP_VM_CACHE", kernels.DEFAULT_CACHE)
SKIP = 77


def lockstep_vm(*args, timeout=400, **kw):
    """Run lockstep-vm; return (CompletedProcess-like, runner pid)."""
    p = subprocess.Popen([sys.executable, TOOL, *args, "--cache", CACHE], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, **kw)
    out, err = p.communicate(timeout=timeout)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err), p.pid


def leftovers(runner_pid):
    """QEMU processes and temp dirs that a run with this runner pid left behind."""
    r = subprocess.run(["pgrep", "-f", f"lockstep-vm-{runner_pid}-"], stdout=subprocess.PIPE,
                       text=True)
    procs = [p for p in r.stdout.split() if int(p) != os.getpid()]
    dirs = glob.glob(os.path.join(tempfile.gettempdir(), f"lockstep-vm-{runner_pid}-*"))
    return procs, dirs


class VMTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="lockstep-vm-test-")
        self.run_dir = os.path.join(self.tmp.name, "run")

    def tearDown(self):
        self.tmp.cleanup()

    def run_vm(self, *args, timeout=400):
        t0 = time.monotonic()
        r, pid = lockstep_vm("run", "--series", SERIES, "--payload", "builtin:smoke",
                             "--accel", "tcg", "--run-dir", self.run_dir, *args, timeout=timeout)
        self.elapsed = time.monotonic() - t0
        sys.stderr.write(r.stdout + r.stderr)  # ctest --output-on-failure shows the KTAP
        sys.stderr.write(f"[{self.id()}: {self.elapsed:.1f} s]\n")
        self.assert_clean(pid)
        return r

    def assert_clean(self, pid):
        procs, dirs = leftovers(pid)
        self.assertEqual(procs, [], "QEMU left running")
        self.assertEqual(dirs, [], "temp files left behind")
        self.assertFalse(os.path.exists(os.path.join(self.run_dir, "qemu.pid")))

    def kernel_block(self, stdout):
        top = ktap.parse(stdout.splitlines())
        self.assertIsNotNone(top, stdout)
        self.assertEqual(top.version, "KTAP version 1")
        self.assertEqual(top.plan, 1)
        self.assertEqual(len(top.results), 1)
        return top.results[0]

    def results_json(self):
        with open(os.path.join(self.run_dir, "results.json")) as f:
            return json.load(f)["kernels"][0]


class Smoke(VMTest):
    """A tiny KTAP stream, with kernel log lines written in between, parsed and re-nested."""

    def test_smoke(self):
        r = self.run_vm("--payload-args", "noise extra")
        self.assertEqual(r.returncode, 0, r.stdout)
        k = self.kernel_block(r.stdout)
        self.assertTrue(k.ok)
        self.assertTrue(k.description.startswith("kernel-"), k.description)
        inner = k.subtest
        self.assertEqual(inner.plan, 4)
        self.assertEqual([x.description for x in inner.results],
                         ["landlock-abi", "nested", "landlock-denies-create", "args-extra"])
        nested = inner.results[1].subtest
        self.assertEqual([x.directive for x in nested.results], [None, "SKIP", "XFAIL"])
        self.assertTrue(any(d.startswith("landlock abi ") for d in inner.diagnostics))
        self.assertIn("landlock abi ", r.stdout)
        rec = self.results_json()
        self.assertGreaterEqual(rec["guest"]["landlock_abi"], 1)
        self.assertIn("landlock", rec["guest"]["lsm"])
        self.assertEqual(rec["totals"], {"pass": 4, "fail": 0, "skip": 1, "xfail": 1})
        t = rec["times"]
        sys.stderr.write(f"[boot to payload first line {t['payload_first_line']:.1f} s, "
                         f"to power-off {t['end']:.1f} s]\n")
        self.assertTrue(os.path.isfile(os.path.join(self.run_dir, rec["console_log"])))


class Failure(VMTest):
    def test_payload_failure(self):
        r = self.run_vm("--payload-args", "fail")
        self.assertEqual(r.returncode, 1)
        k = self.kernel_block(r.stdout)
        self.assertFalse(k.ok)
        self.assertIsNone(k.directive)
        self.assertEqual(k.reason, "payload exit 1")
        self.assertEqual(k.subtest.results[-1].description, "deliberate-failure")


class Panic(VMTest):
    """The payload crashes the kernel (sysrq c): a clear failure, long before the timeout."""

    def test_panic(self):
        r = self.run_vm("--payload-args", "panic", "--timeout", "120")
        self.assertEqual(r.returncode, 1)
        k = self.kernel_block(r.stdout)
        self.assertFalse(k.ok)
        self.assertEqual(k.directive, "ERROR")
        self.assertIn("Kernel panic - not syncing: sysrq triggered crash", k.reason)
        self.assertIn("# | ", r.stdout)  # the console excerpt
        self.assertIn("Call Trace", r.stdout)
        self.assertLess(self.elapsed, 100)


class InitFails(VMTest):
    """rdinit=/nonexistent: the kernel has no init and panics at boot."""

    def test_no_init(self):
        r = self.run_vm("--append", "rdinit=/nonexistent", "--timeout", "120")
        self.assertEqual(r.returncode, 1)
        k = self.kernel_block(r.stdout)
        self.assertEqual(k.directive, "ERROR")
        self.assertIn("kernel panic", k.reason)
        self.assertIsNone(k.subtest)
        # It panics before the payload starts, so it is booted once more (--boot-retries 1).
        self.assertIn(": boot 1 panicked before the payload started: Kernel panic", r.stdout)
        self.assertLess(self.elapsed, 100)


class Hang(VMTest):
    """The payload sleeps forever: TIMEOUT after --timeout seconds, and QEMU is gone."""

    def test_hang(self):
        r = self.run_vm("--payload-args", "hang", "--timeout", "30")
        self.assertEqual(r.returncode, 1)
        k = self.kernel_block(r.stdout)
        self.assertEqual(k.directive, "TIMEOUT")
        self.assertIn("no result within 30 s", k.reason)
        self.assertIn("payload: sleeping forever", r.stdout)  # the last console lines
        self.assertLess(self.elapsed, 30 + 20)


class Signals(VMTest):
    """SIGTERM to the runner while the VM runs: QEMU and the temp files are gone."""

    def test_sigterm(self):
        p = subprocess.Popen([sys.executable, TOOL, "run", "--series", SERIES, "--payload",
                              "builtin:smoke", "--payload-args", "hang", "--accel", "tcg",
                              "--run-dir", self.run_dir, "--cache", CACHE],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        pidfile = os.path.join(self.run_dir, "qemu.pid")
        deadline = time.monotonic() + 60
        while not os.path.exists(pidfile) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertTrue(os.path.exists(pidfile), "QEMU never started")
        time.sleep(1)
        procs, _ = leftovers(p.pid)
        self.assertTrue(procs, "QEMU is not running (the pgrep check would be vacuous)")
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=30)
        self.assertEqual(p.returncode, 128 + signal.SIGTERM, err)
        self.assertIn("interrupted by SIGTERM", err)
        self.assert_clean(p.pid)


class Matrix(VMTest):
    """The host and two kernels in one stream: the host and a real kernel pass, a bogus image
    fails; exit 1; the matrix table follows."""

    def test_mixed(self):
        bogus = os.path.join(self.tmp.name, "bogus-vmlinuz")
        with open(bogus, "wb") as f:
            f.write(os.urandom(4096))
        r = self.run_vm("--host", "--kernel", bogus)
        self.assertEqual(r.returncode, 1)
        top = ktap.parse(r.stdout.splitlines())
        self.assertEqual(top.plan, 3)
        self.assertTrue(top.results[0].ok, r.stdout)
        self.assertTrue(top.results[0].description.startswith("host-"))
        self.assertFalse(top.results[1].ok)
        self.assertEqual(top.results[1].directive, "ERROR")
        self.assertIn("QEMU failed", top.results[1].reason)
        self.assertTrue(top.results[2].ok, r.stdout)
        self.assertIn("# matrix: kernels x feature groups", r.stdout)
        self.assertIn("NOT OK (ERROR)", r.stdout)


class Fetch(unittest.TestCase):
    """A second fetch of a cached series downloads nothing."""

    def test_idempotent(self):
        r, _ = lockstep_vm("fetch", SERIES)
        self.assertEqual(r.returncode, 0, r.stderr)
        r, _ = lockstep_vm("fetch", SERIES)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(" cached ", r.stdout)
        self.assertNotIn("apt-get", r.stderr)
        self.assertNotIn("downloading", r.stderr)
        r, _ = lockstep_vm("list")
        self.assertIn(SERIES, r.stdout)


def prerequisites():
    for tool, pkg in (("qemu-system-x86_64", "qemu-system-x86"), ("gcc", "gcc")):
        if shutil.which(tool) is None:
            return f"{tool} not found (apt install {pkg})"
    if kernels.Cache(CACHE).get(SERIES) is None:
        r, _ = lockstep_vm("fetch", SERIES, timeout=1800)
        if r.returncode != 0:
            return f"no {SERIES} kernel and the fetch failed: {r.stderr.strip()}"
    return None


if __name__ == "__main__":
    why = prerequisites()
    if why:
        print(f"SKIP: {why}", file=sys.stderr)
        sys.exit(SKIP)
    unittest.main()
