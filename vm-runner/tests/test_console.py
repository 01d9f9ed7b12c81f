"""Unit tests: console watching, crash detection, timeouts and the verdict, without a VM.

A small Python program replays a canned serial console in place of QEMU (qemu.boot's fake_cmd),
so the reading loop, the kill-on-timeout path and the judge are tested in a fraction of a second.
"""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lib import kernels, ktap, qemu, runner  # noqa: E402

BOOT = """\
[    0.044000] tsc: Unable to calibrate against PIT
[    2.728291] amd_pstate: the _CPC object is not present in SBIOS or ACPI disabled
lockstep-vm: init start 5.356
lockstep-vm: uname 6.12.95+deb12-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.12.95-1~bpo12+1
lockstep-vm: landlock-abi 6 errata 7
lockstep-vm: lsm lockdown,capability,landlock,yama,apparmor,bpf,ima,evm
lockstep-vm: payload start 5.394 /bin/payload
"""
KTAP_OK = """\
KTAP version 1
1..2
# BUG: this is the payload talking, not the kernel
ok 1 a[    5.400000] random: some kernel noise
 # and a split line
ok 2 b
"""
END = """\

lockstep-vm: payload exit {rc} 5.526
[    5.502988] reboot: Power down
"""
WARN = """\
[    5.410000] ------------[ cut here ]------------
[    5.410001] WARNING: CPU: 1 PID: 99 at security/landlock/fs.c:123 hook+0x1/0x2
[    5.410002] Modules linked in:
[    5.410003] CPU: 1 UID: 0 PID: 99 Comm: payload Not tainted 6.12.95 #1
[    5.410004] RIP: 0010:hook+0x1/0x2
[    5.410005] Call Trace:
[    5.410006]  <TASK>
[    5.410007]  ? __warn+0x1/0x2
[    5.410008]  hook+0x1/0x2
[    5.410009]  do_syscall_64+0x87/0x1b0
[    5.410010]  </TASK>
[    5.410011] ---[ end trace 0000000000000000 ]---
"""
PANIC = """\
payload: crashing the kernel now
[    8.806980] sysrq: Trigger a crash
[    8.807609] Kernel panic - not syncing: sysrq triggered crash
[    8.808281] CPU: 1 UID: 0 PID: 136 Comm: payload Not tainted 6.12.95+deb12-amd64 #1
[    8.808885] Call Trace:
[    8.809622]  <TASK>
[    8.817807]  panic+0x344/0x3a0
[    8.836046]  </TASK>
[    8.840310] Kernel Offset: 0x2f800000 from 0xffffffff81000000
"""


def fake(console, then="exit", rc=0):
    """A command that prints `console` (with CRLF, like a serial console), then exits or hangs.

    'hang' also starts a grandchild, which must die with the process group."""
    prog = (
        "import sys, os, time, subprocess\n"
        f"data = {console!r}.replace('\\n', '\\r\\n')\n"
        "sys.stdout.write(data); sys.stdout.flush()\n"
    )
    if then == "hang":
        prog += ("subprocess.Popen(['sleep', '1000'])\n"
                 "time.sleep(1000)\n")
    prog += f"sys.exit({rc})\n"
    return [sys.executable, "-c", prog]


class Boot(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def boot(self, console, timeout=20, **kw):
        return qemu.boot("vmlinuz", "initrd", self.dir, timeout=timeout,
                         fake_cmd=fake(console, **kw))

    def judge(self, res):
        k = kernels.Kernel("/nonexistent/vmlinuz", release="6.12.95+deb12-amd64")
        return runner.judge(k, res)

    def test_clean_run(self):
        res = self.boot(BOOT + KTAP_OK + END.format(rc=0))
        self.assertEqual(res.outcome, "exited")
        self.assertEqual(res.payload_exit, 0)
        self.assertEqual(res.crash_idx, [])  # the payload's "BUG:" has no printk timestamp
        self.assertEqual(res.guest["landlock_abi"], 6)
        self.assertEqual(res.guest["landlock_errata"], 7)
        self.assertEqual(res.guest["uname"], "6.12.95+deb12-amd64")
        self.assertIn("landlock", res.guest["lsm"])
        for k in ("first_output", "init", "payload_start", "payload_first_line", "payload_exit",
                  "end"):
            self.assertIn(k, res.t)
        v = self.judge(res)
        self.assertTrue(v.ok, v.problems)
        self.assertEqual([r.description for r in v.block.results], ["a", "b"])
        with open(os.path.join(self.dir, "console.log"), "rb") as f:
            self.assertIn(b"ok 2 b\r\n", f.read())  # the log is the raw console

    def test_payload_failure(self):
        res = self.boot(BOOT + KTAP_OK.replace("ok 2 b", "not ok 2 b") + END.format(rc=1))
        v = self.judge(res)
        self.assertFalse(v.ok)
        self.assertIsNone(v.directive)
        self.assertEqual(v.reason, "payload exit 1")
        self.assertIn("2 b failed", v.problems)

    def test_plan_not_met(self):
        res = self.boot(BOOT + "KTAP version 1\n1..3\nok 1 a\n" + END.format(rc=0))
        v = self.judge(res)
        self.assertFalse(v.ok)
        self.assertIn("planned 3 tests, saw 1", v.reason)

    def test_no_ktap(self):
        v = self.judge(self.boot(BOOT + "hello\n" + END.format(rc=0)))
        self.assertFalse(v.ok)
        self.assertEqual(v.reason, "no KTAP output from the payload")

    def test_warning_fails_a_passing_run(self):
        res = self.boot(BOOT + KTAP_OK + WARN + END.format(rc=0))
        self.assertEqual(res.outcome, "exited")
        v = self.judge(res)
        self.assertFalse(v.ok)
        self.assertEqual(v.directive, "ERROR")
        self.assertIn("WARNING: CPU: 1 PID: 99 at security/landlock/fs.c:123", v.reason)
        ex = res.excerpt()
        # 5 lines of context before, and the whole report after (up to the end marker)
        self.assertIn("ok 2 b", ex)
        self.assertTrue(any("end trace" in l for l in ex))
        self.assertTrue(any("do_syscall_64" in l for l in ex))
        diag = runner.diagnostics(v, "LOG")
        self.assertTrue(any("console excerpt" in d for d in diag))

    def test_known_kernel_bug_is_not_a_failure(self):
        """The disconnected-directory WARNING of kernels without erratum 3's fix is reported
        as a known kernel bug, not a failure; with the fix reported, it fails as any WARNING."""
        warn = WARN.replace("fs.c:123 hook+0x1/0x2", "fs.c:1070 collect_domain_accesses+0x1/0x2")
        for errata, ok in ((3, True), (12, False)):
            console = BOOT.replace("errata 7", f"errata {errata}")
            res = self.boot(console + KTAP_OK + warn + END.format(rc=0))
            v = self.judge(res)
            self.assertEqual(v.ok, ok, (errata, v.problems))
            if ok:
                self.assertEqual([i.ident for i, _ in v.known], ["landlock-disconnected-dir-warn"])
                diag = runner.diagnostics(v, "LOG")
                self.assertTrue(any("known kernel bug landlock-disconnected-dir-warn" in d
                                    for d in diag), diag)
                self.assertTrue(any("console excerpt" in d for d in diag))
            else:
                self.assertEqual(v.directive, "ERROR")

    def test_landlock_disabled(self):
        console = BOOT.replace("landlock-abi 6 errata 7",
                               "landlock-abi -1 errno 95 (Operation not supported)")
        v = self.judge(self.boot(console + KTAP_OK + END.format(rc=0)))
        self.assertFalse(v.ok)
        self.assertIn("Landlock is not enabled", v.reason)

    def test_panic(self):
        t0 = time.monotonic()
        res = self.boot(BOOT + PANIC)
        self.assertLess(time.monotonic() - t0, 10)
        self.assertEqual(res.outcome, "panic")
        v = self.judge(res)
        self.assertEqual(v.directive, "ERROR")
        self.assertEqual(v.reason, "kernel panic: Kernel panic - not syncing: sysrq triggered crash")
        ex = res.excerpt()
        self.assertIn("payload: crashing the kernel now", ex)
        self.assertTrue(any("Kernel Offset" in l for l in ex))

    def test_panic_before_init(self):
        console = ("[    5.016403] VFS: Cannot open root device \"\" or unknown-block(0,0)\n"
                   "[    5.027140] Kernel panic - not syncing: VFS: Unable to mount root fs\n")
        v = self.judge(self.boot(console))
        self.assertIn("Unable to mount root fs", v.reason)
        self.assertEqual(v.res.t.get("init"), None)

    def retried(self, consoles, retries):
        """runner.boot_with_retries over canned consoles, one per boot, in order."""
        seq, real = iter(consoles), qemu.boot
        opts = type("Opts", (), {"boot_retries": retries, "timeout": 20, "smp": 2,
                                 "mem": "512M", "append": ()})
        k = kernels.Kernel("/nonexistent/vmlinuz", release="6.12.95+deb12-amd64")

        def boot(*a, **kw):
            return real(*a, **kw, fake_cmd=fake(next(seq)))
        runner.qemu.boot = boot
        try:
            return runner.boot_with_retries(k, "vmlinuz", "initrd", self.dir,
                                            "02-k.console.log", "tcg", opts, None)
        finally:
            runner.qemu.boot = real

    EARLY = ("[    2.100000] Oops: int3: 0000 [#1] PREEMPT SMP NOPTI\n"
             "[    2.100100] Kernel panic - not syncing: Fatal exception in interrupt\n")

    def test_early_panic_boots_again(self):
        res, early = self.retried([self.EARLY, BOOT + KTAP_OK + END.format(rc=0)], retries=1)
        self.assertEqual(res.outcome, "exited")
        self.assertEqual(early, [("Oops: int3: 0000 [#1] PREEMPT SMP NOPTI",
                                  "02-k.panic1.console.log")])
        with open(os.path.join(self.dir, "02-k.panic1.console.log")) as f:
            self.assertIn("Fatal exception", f.read())
        with open(os.path.join(self.dir, "02-k.console.log")) as f:
            self.assertIn("payload exit 0", f.read())

    def test_early_panic_retries_run_out(self):
        res, early = self.retried([self.EARLY] * 3, retries=2)
        self.assertTrue(res.panicked)
        self.assertEqual(len(early), 2)
        res, early = self.retried([self.EARLY], retries=0)
        self.assertTrue(res.panicked)
        self.assertEqual(early, [])

    def test_panic_in_the_payload_is_not_retried(self):
        res, early = self.retried([BOOT + PANIC, BOOT + KTAP_OK + END.format(rc=0)], retries=1)
        self.assertTrue(res.panicked)
        self.assertEqual(early, [])

    def test_hang_is_killed_with_its_process_group(self):
        t0 = time.monotonic()
        res = self.boot(BOOT + "payload: sleeping forever\n", timeout=2, then="hang")
        self.assertLess(time.monotonic() - t0, 8)
        self.assertEqual(res.outcome, "timeout")
        v = self.judge(res)
        self.assertEqual(v.directive, "TIMEOUT")
        self.assertIn("hang while the payload ran", v.reason)
        self.assertEqual(qemu._live, {})
        self.assertFalse(os.path.exists(os.path.join(self.dir, "qemu.pid")))
        # the fake's grandchild (sleep 1000) was in its process group: gone too
        time.sleep(0.2)
        out = subprocess.run(["pgrep", "-f", "^sleep 1000$"], stdout=subprocess.PIPE, text=True)
        mine = [p for p in out.stdout.split() if _ppid_chain_has(int(p), os.getpid())]
        self.assertEqual(mine, [])

    def test_no_power_off(self):
        grace, qemu.POWEROFF_GRACE = qemu.POWEROFF_GRACE, 1.0
        try:
            res = self.boot(BOOT + KTAP_OK + END.format(rc=0), then="hang")
        finally:
            qemu.POWEROFF_GRACE = grace
        self.assertEqual(res.outcome, "exited")
        self.assertFalse(res.qemu_exited)
        v = self.judge(res)
        self.assertEqual(v.directive, "TIMEOUT")
        self.assertIn("did not power off", v.reason)
        self.assertTrue(v.block.passed)  # the payload's own results are still reported

    def test_markers_only_at_line_start(self):
        res = self.boot(BOOT + "KTAP version 1\n1..1\nok 1 echo lockstep-vm: payload exit 0\n"
                        + END.format(rc=0))
        self.assertEqual(res.payload_exit, 0)
        self.assertTrue(self.judge(res).ok)

    def test_vm_stops_without_end_marker(self):
        v = self.judge(self.boot(BOOT + "KTAP version 1\n"))
        self.assertEqual(v.res.outcome, "no-payload-exit")
        self.assertEqual(v.directive, "ERROR")

    def test_qemu_error(self):
        res = qemu.boot("vmlinuz", "initrd", self.dir, timeout=10, fake_cmd=[
            sys.executable, "-c",
            "import sys; sys.stderr.write('qemu: linux kernel too old to load a ram disk\\n');"
            "sys.exit(1)"])
        v = self.judge(res)
        self.assertEqual(res.outcome, "qemu-error")
        self.assertEqual(v.reason, "QEMU failed: qemu: linux kernel too old to load a ram disk")


def _ppid_chain_has(pid, ancestor):
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if pid == ancestor:
            return True
    return False


class KernelMeta(unittest.TestCase):
    def test_bzimage_release(self):
        with tempfile.NamedTemporaryFile() as f:
            hdr = bytearray(0x400)
            hdr[0x202:0x206] = b"HdrS"
            hdr[0x20E:0x210] = (0x100).to_bytes(2, "little")
            s = b"6.12.95+deb12-amd64 (debian-kernel@lists.debian.org) #1 SMP\0"
            hdr[0x300:0x300 + len(s)] = s
            f.write(hdr)
            f.flush()
            self.assertEqual(kernels.bzimage_release(f.name), "6.12.95+deb12-amd64")
            self.assertEqual(kernels.Kernel(f.name).name, "kernel-6.12.95+deb12-amd64")
        self.assertIsNone(kernels.bzimage_release("/nonexistent"))

    def test_check_config(self):
        with tempfile.NamedTemporaryFile("w") as f:
            f.write("\n".join(f"CONFIG_{o}=y" for o in kernels.REQUIRED_CONFIG if o != "TMPFS"))
            f.write("\nCONFIG_TMPFS=m\nCONFIG_OVERLAY_FS=m\nCONFIG_LSM=\"landlock\"\n")
            f.flush()
            missing, notes = kernels.check_config(f.name)
        self.assertEqual(missing, ["TMPFS"])
        self.assertIn("CONFIG_OVERLAY_FS=m (module)", notes)

    @staticmethod
    def fake_elf(pvh=True):
        """A minimal ELF64 with one PT_NOTE: Xen's PHYS32_ENTRY (18) when pvh, else type 17."""
        import struct
        desc = struct.pack("<I", 0x1000000)
        note = struct.pack("<III", 4, len(desc), 18 if pvh else 17) + b"Xen\0" + desc
        ehdr = bytearray(64)
        ehdr[:5] = b"\x7fELF\x02"
        struct.pack_into("<Q", ehdr, 32, 64)           # e_phoff
        struct.pack_into("<HH", ehdr, 54, 56, 1)       # e_phentsize, e_phnum
        ph = struct.pack("<IIQQQQQQ", 4, 0, 64 + 56, 0, 0, len(note), len(note), 4)
        return bytes(ehdr) + ph + note

    def fake_bzimage(self, payload):
        setup_sects = 1
        d = bytearray(512 * (setup_sects + 1))
        d[0x1F1] = setup_sects
        d[0x202:0x206] = b"HdrS"
        d[0x248:0x24C] = (16).to_bytes(4, "little")
        d[0x24C:0x250] = len(payload).to_bytes(4, "little")
        return bytes(d) + bytes(16) + payload + bytes(64)

    def test_extract_vmlinux_for_pvh(self):
        import gzip
        import lzma
        with tempfile.TemporaryDirectory() as d:
            for comp in (gzip.compress, lambda b: lzma.compress(b, format=lzma.FORMAT_XZ)):
                bz = os.path.join(d, "bzImage")
                with open(bz, "wb") as f:
                    f.write(self.fake_bzimage(comp(self.fake_elf())))
                out = os.path.join(d, "vmlinux")
                self.assertTrue(kernels.extract_vmlinux(bz, out))
                with open(out, "rb") as f:
                    self.assertEqual(f.read(), self.fake_elf())
                # and the Kernel caches the decision next to it
                k = kernels.Kernel(bz, release="x")
                self.assertTrue(k.pvh_image(d).startswith(d))
            with open(bz, "wb") as f:
                f.write(self.fake_bzimage(gzip.compress(self.fake_elf(pvh=False))))
            self.assertFalse(kernels.extract_vmlinux(bz, os.path.join(d, "other")))
            self.assertFalse(os.path.exists(os.path.join(d, "other")))
            later = time.time() + 5  # the image changed after the vmlinux was extracted
            os.utime(bz, (later, later))
            self.assertIsNone(kernels.Kernel(bz, release="y").pvh_image(d))

    def test_sources_never_mix_in_the_system(self):
        c = kernels.Cache("/tmp/nonexistent-cache")
        text = c._sources_text(kernels.DEFAULT_SERIES)
        self.assertIn("Suites: bookworm bookworm-updates bookworm-backports sid experimental",
                      text)
        self.assertIn("debian-security", text)
        opts = " ".join(c._apt_opts())
        self.assertIn("Dir::Etc::SourceList=/dev/null", opts)
        self.assertIn("Dir::State::status=/dev/null", opts)
        self.assertTrue(re.search(r"Dir::State::Lists=/tmp/nonexistent-cache/apt/lists", opts))


if __name__ == "__main__":
    unittest.main()
