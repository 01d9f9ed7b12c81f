"""Boot a kernel + initramfs under QEMU, read the serial console, and never leave QEMU behind.

QEMU runs in its own process group with PR_SET_PDEATHSIG=SIGKILL (if the runner dies, even by
SIGKILL, the kernel kills QEMU), is tracked in a registry that kill_all() empties (the CLI calls it
from its SIGINT/SIGTERM/SIGHUP handlers and at exit), and boot() kills it in a `finally`.
"""

import ctypes
import json
import os
import platform
import re
import resource
import selectors
import shutil
import signal
import subprocess
import time

from . import ktap, util

QEMU = "qemu-system-x86_64"

# Why each word of the kernel command line is there:
#   console=ttyS0        the 8250 UART (built into Debian kernels) is our only I/O channel
#   lsm=...              Landlock must be in the list to be enabled at all; landlock first, then
#                        the rest of Debian's default stack, so Landlock is tested stacked the way
#                        Debian users run it (names a kernel does not know are ignored)
#   loglevel=5           console gets emerg..warning (BUG:, WARNING:, Oops, KASAN, panic are all
#                        <= 4) but not the ~500 notice/info boot lines, which cost time under TCG
#                        and interleave with KTAP
#   printk.time=1        "[ 1.234567]" on every kernel line: how we tell kernel lines from KTAP
#   panic=-1             reboot at once on panic; with -no-reboot QEMU then exits: a panic ends
#                        the run immediately instead of waiting for the timeout
#   rdinit=/init         our static init (the default, stated for clarity)
#   mitigations=off      speculative-execution mitigations (PTI, retpolines...) only slow TCG
#                        down; they do not change Landlock's semantics
#   8250.nr_uarts=1      one UART to probe, not four
#   random.trust_cpu=on  no wait for entropy
#   nowatchdog, rcupdate.rcu_cpu_stall_suppress=1, sysctl.kernel.hung_task_timeout_secs=0
#                        under TCG on a shared, loaded host a vCPU can stall for seconds: the
#                        lockup, RCU-stall and hung-task detectors would then report emulation
#                        artefacts as kernel trouble. A real deadlock still ends as a timeout.
CMDLINE = ["console=ttyS0", "lsm=landlock,lockdown,yama,integrity,apparmor,bpf", "loglevel=5",
           "printk.time=1", "panic=-1", "rdinit=/init", "mitigations=off", "8250.nr_uarts=1",
           "random.trust_cpu=on", "nowatchdog", "rcupdate.rcu_cpu_stall_suppress=1",
           "sysctl.kernel.hung_task_timeout_secs=0"]

# Kernel trouble, matched on kernel lines only (those with a printk timestamp).
CRASH = re.compile(
    r"(BUG:|WARNING:|Oops|Kernel panic|general protection fault|KASAN:|UBSAN:|KFENCE:|"
    r"kernel BUG at|Unable to handle kernel|INFO: task .* blocked for more than|"
    r"rcu: INFO: .*stall|INFO: rcu_.* stall|watchdog: BUG: soft lockup|list_(add|del) corruption)")
# The lines of a kernel report that follow its headline (trace, registers, code).
REPORT_LINE = re.compile(
    r"\s*(\?|[\w.]+\+0x[0-9a-f]+/0x|<\/?(TASK|IRQ|NMI|EOI)>|Call Trace|RIP:|RSP:|R[A-Z0-9]{1,2}:|"
    r"[A-Z]{2}:|CR2:|Code:|Modules linked in|CPU:|Hardware name:|Tainted:|Workqueue:|---\[|"
    r"Kernel Offset|Kernel panic|Oops|PGD |\#PF:)")
PANIC = re.compile(r"Kernel panic - not syncing|end Kernel panic")

MARK = "lockstep-vm: "
# init's markers start a line (it writes a newline before the exit marker)
INIT_START = re.compile(r"^lockstep-vm: init start")
PAYLOAD_START = re.compile(r"^lockstep-vm: payload start")
PAYLOAD_EXIT = re.compile(r"^lockstep-vm: payload exit (\d+)(?: signal (\d+))?")
POWEROFF_GRACE = 30.0  # seconds from the payload's exit marker to QEMU's exit (normally < 1)
EXCERPT_CONTEXT = 5
EXCERPT_MAX = 80

_live = {}  # pid -> Popen


def find_qemu():
    path = shutil.which(QEMU)
    if path is None:
        raise util.Error(f"{QEMU} not found (apt install qemu-system-x86)")
    return path


def _pdeathsig(parent):
    libc = ctypes.CDLL(None, use_errno=True)

    def fn():
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the runner died before prctl took effect
            os._exit(1)
    return fn


def spawn(cmd, **kw):
    """Start cmd in its own process group, killed with the runner; registered for kill_all()."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, start_new_session=True,
                         preexec_fn=_pdeathsig(os.getpid()), **kw)
    _live[p.pid] = p
    return p


def kill(p, grace=2.0):
    """SIGTERM the process group, SIGKILL after `grace` seconds, reap."""
    if p.poll() is None:
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10.0)):
            try:
                os.killpg(p.pid, sig)
            except ProcessLookupError:
                break
            try:
                p.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
    else:
        try:  # the leader is gone; make sure nothing else of its group is left
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    _live.pop(p.pid, None)


def kill_all():
    for p in list(_live.values()):
        kill(p, grace=1.0)


class BootResult:
    def __init__(self):
        self.outcome = None     # "exited" (payload ran, VM powered off), "timeout", "panic",
        #                         "no-payload-exit" (QEMU ended before the end marker), "qemu-error"
        self.payload_exit = None
        self.payload_signal = None
        self.lines = []         # (seconds since QEMU start, text) for every console line
        self.crash_idx = []     # indexes into lines of kernel trouble
        self.t = {}             # "first_output", "init", "payload_start", "payload_first_line",
        #                         "payload_exit", "end" (seconds since QEMU start)
        self.qemu_rc = None
        self.qemu_stderr = ""
        self.guest = {}         # uname, landlock-abi, errata, lsm as init printed them
        self.cmd = []
        self.accel = None
        self.timeout = None
        self.qemu_exited = None  # True: QEMU ended by itself (power-off, reset, error)

    @property
    def panicked(self):
        return any(PANIC.search(self.lines[i][1]) for i in self.crash_idx)

    def payload_lines(self):
        """Console lines between the payload start and exit markers."""
        out, inside = [], False
        for _, text in self.lines:
            if PAYLOAD_START.search(text):
                inside = True
                continue
            if PAYLOAD_EXIT.search(text):
                break
            if inside:
                out.append(text)
        return out

    def excerpt(self):
        """The console lines around each kernel trouble line (+-5, and the rest of its report:
        call trace, registers), merged, at most 80."""
        keep = set()
        for i in self.crash_idx:
            end = i + 1
            while end < len(self.lines):
                m = ktap.KERNEL_TS.search(self.lines[end][1])
                if not m or not REPORT_LINE.match(self.lines[end][1], m.end()):
                    break
                end += 1
            keep.update(range(max(0, i - EXCERPT_CONTEXT),
                              min(len(self.lines), max(end, i + EXCERPT_CONTEXT + 1))))
        out, last = [], None
        for i in sorted(keep):
            if last is not None and i != last + 1:
                out.append("...")
            out.append(self.lines[i][1])
            last = i
        if len(out) > EXCERPT_MAX:
            out = out[:EXCERPT_MAX - 1] + [f"... ({len(out) - EXCERPT_MAX + 1} more lines)"]
        return out

    def reports(self):
        """Each kernel report as a list of lines without timestamps: its headline (a crash_idx
        line), then the lines of the report that follow it (trace, registers, end marker)."""
        out = []
        for i in self.crash_idx:
            rep = [ktap.KERNEL_TS.sub("", self.lines[i][1]).strip()]
            end = i + 1
            while end < len(self.lines):
                m = ktap.KERNEL_TS.search(self.lines[end][1])
                if not m or not REPORT_LINE.match(self.lines[end][1], m.end()):
                    break
                rep.append(self.lines[end][1][m.end():].strip())
                end += 1
            out.append(rep)
        return out

    def tail(self, n=12):
        return [t for _, t in self.lines if t.strip()][-n:]

    def to_json(self):
        return {"outcome": self.outcome, "payload_exit": self.payload_exit,
                "payload_signal": self.payload_signal, "times": self.t, "qemu_rc": self.qemu_rc,
                "guest": self.guest, "crash_lines": [self.lines[i][1] for i in self.crash_idx],
                "accel": self.accel, "timeout": self.timeout, "qemu_exited": self.qemu_exited,
                "cmd": self.cmd}


def command(qemu, vmlinuz, initrd, accel="tcg", smp=2, mem="512M", append=()):
    cmd = [qemu, "-accel", accel, "-smp", str(smp), "-m", mem,
           "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
           # the serial console on our stdout; stdin is /dev/null, no monitor, no Ctrl-C magic
           "-chardev", "stdio,id=con,signal=off", "-serial", "chardev:con",
           "-kernel", vmlinuz, "-initrd", initrd, "-append", " ".join(CMDLINE + list(append))]
    return cmd


def _exits_soon(p, seconds=0.5):
    try:
        p.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        return False


def boot(vmlinuz, initrd, run_dir, log_name="console.log", timeout=180.0, accel="tcg", smp=2,
         mem="512M", append=(), stop_at=None, on_line=None, fake_cmd=None):
    """Boot and watch. Returns a BootResult; QEMU is gone when this returns (or raises).

    stop_at: a regex; stop (kill QEMU) as soon as a console line matches (used by the KVM probe).
    on_line: callback(seconds, text) for each console line (live progress).
    fake_cmd: run this instead of QEMU (the unit tests replay canned consoles with it)."""
    res = BootResult()
    res.accel, res.timeout = accel, timeout
    res.cmd = fake_cmd or command(find_qemu(), vmlinuz, initrd, accel, smp, mem, append)
    log_path = os.path.join(run_dir, log_name)
    err_path = log_path + ".qemu-stderr"
    pidfile = os.path.join(run_dir, "qemu.pid")
    seen_ts = False
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log_path, "wb") as log, open(err_path, "wb") as err:
        t0 = time.monotonic()
        p = spawn(res.cmd, stdout=subprocess.PIPE, stderr=err)
        with open(pidfile, "w") as f:
            f.write(f"{p.pid}\n")
        sel = selectors.DefaultSelector()
        sel.register(p.stdout, selectors.EVENT_READ)
        buf = b""
        deadline = t0 + timeout
        inside = False
        try:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    if res.outcome is None:
                        res.outcome = "timeout"
                    break
                events = sel.select(timeout=min(1.0, deadline - now))
                if not events:
                    continue
                chunk = os.read(p.stdout.fileno(), 65536)
                now = time.monotonic() - t0
                if not chunk:
                    break  # QEMU closed its stdout: it exited
                log.write(chunk)
                log.flush()
                res.t.setdefault("first_output", round(now, 3))
                buf += chunk
                *complete, buf = buf.split(b"\n")
                for raw in complete:
                    text = raw.decode("utf-8", "replace").replace("\r", "")
                    idx = len(res.lines)
                    res.lines.append((round(now, 3), text))
                    if on_line:
                        on_line(now, text)
                    m = ktap.KERNEL_TS.search(text)
                    if m:
                        seen_ts = True
                        if CRASH.search(text, m.end()):
                            res.crash_idx.append(idx)
                    elif not inside and not seen_ts and CRASH.search(text):
                        res.crash_idx.append(idx)  # a kernel without PRINTK_TIME, before init
                    if idx in res.crash_idx[-1:] and PANIC.search(text):
                        res.outcome = res.outcome or "panic"
                        deadline = min(deadline, time.monotonic() + 10)  # panic=-1: ends soon
                    if INIT_START.search(text):
                        res.t.setdefault("init", round(now, 3))
                    elif PAYLOAD_START.search(text):
                        res.t.setdefault("payload_start", round(now, 3))
                        inside = True
                    elif (mx := PAYLOAD_EXIT.search(text)):
                        res.t.setdefault("payload_exit", round(now, 3))
                        res.payload_exit = int(mx.group(1))
                        res.payload_signal = int(mx.group(2)) if mx.group(2) else None
                        inside = False
                        if res.outcome is None:
                            res.outcome = "exited"
                        deadline = min(deadline, time.monotonic() + POWEROFF_GRACE)
                    elif text.startswith(MARK) and "payload_start" not in res.t:
                        _guest_info(res.guest, text[len(MARK):])
                    elif inside and not m and text.strip():
                        res.t.setdefault("payload_first_line", round(now, 3))
                    if stop_at is not None and stop_at.search(text):
                        res.outcome = "stopped"
                        deadline = 0
                if deadline == 0:
                    break
            if buf:
                text = buf.decode("utf-8", "replace").replace("\r", "")
                res.lines.append((round(time.monotonic() - t0, 3), text))
        finally:
            sel.close()
            res.qemu_exited = p.poll() is not None or _exits_soon(p)
            kill(p)
            p.stdout.close()
            res.qemu_rc = p.returncode
            res.t["end"] = round(time.monotonic() - t0, 3)
            # CPU seconds QEMU used (all its threads): unlike wall time, barely depends on load
            ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            res.t["qemu_cpu"] = round(ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime, 3)
            try:
                os.unlink(pidfile)
            except OSError:
                pass
    with open(err_path, "rb") as f:
        res.qemu_stderr = f.read().decode("utf-8", "replace").strip()
    if not res.qemu_stderr:
        os.unlink(err_path)
    if res.outcome is None:
        if not res.lines and res.qemu_rc not in (0, None):
            res.outcome = "qemu-error"
        else:
            res.outcome = "no-payload-exit"
    return res


def _guest_info(info, text):
    if text.startswith("uname "):
        parts = text.split(None, 2)
        info["uname"] = parts[1] if len(parts) > 1 else ""
    elif text.startswith("landlock-abi "):
        parts = text.split()
        try:
            info["landlock_abi"] = int(parts[1])
        except (IndexError, ValueError):
            pass
        if len(parts) > 3 and parts[2] == "errata":
            info["landlock_errata"] = parts[3] if parts[3] == "unknown" else int(parts[3])
        if len(parts) > 3 and parts[2] == "errno":
            info["landlock_errno"] = " ".join(parts[3:])
    elif text.startswith("lsm "):
        info["lsm"] = text[4:].strip()
    elif text.startswith("module "):
        info.setdefault("modules", []).append(text[7:].strip())


# --- KVM probe --------------------------------------------------------------------------------

def kvm_usable():
    try:
        fd = os.open("/dev/kvm", os.O_RDWR)
        os.close(fd)
        return True
    except OSError:
        return False


def probe_kvm(vmlinuz, initrd, cache_dir, run_dir, seconds=6.0, force=False):
    """Does a guest actually boot under KVM? A real boot of our kernel+initramfs to init's first
    line, given `seconds` (a KVM boot takes about 1 s; TCG 5-20 s). The verdict is cached per
    host kernel, QEMU binary and CPU, so the cost is paid once per machine."""
    if not kvm_usable():
        return False, "no usable /dev/kvm"
    qemu = find_qemu()
    st = os.stat(qemu)
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    key = f"{platform.release()}|{qemu}|{st.st_size}|{int(st.st_mtime)}|{cpu}"
    path = os.path.join(cache_dir, "kvm-probe.json")
    if not force and os.path.isfile(path):
        try:
            with open(path) as f:
                rec = json.load(f)
            if rec.get("key") == key:
                return rec["ok"], rec["why"] + " (cached)"
        except (OSError, ValueError, KeyError):
            pass
    res = boot(vmlinuz, initrd, run_dir, log_name="kvm-probe.log", timeout=seconds, accel="kvm",
               stop_at=INIT_START)
    ok = res.outcome == "stopped"
    why = (f"guest reached init in {res.t.get('init')} s under KVM" if ok else
           f"no guest init within {seconds:g} s under KVM ({res.outcome})")
    os.makedirs(cache_dir, exist_ok=True)
    with open(path, "w") as f:
        json.dump({"key": key, "ok": ok, "why": why}, f)
    return ok, why
