"""`run --host`: the same payload and corpus, run directly on the running (host) kernel.

The payload's arguments are the VM's, with `/corpus` (where the corpus is in the VM) replaced by
the corpus directory on the host. It runs in its own process group (killed on timeout or when
the runner is interrupted), with its working directory in the run directory, so anything it
writes there (lockstep's `lockstep-failures/`) lands next to the logs.
"""

import ctypes
import os
import subprocess
import time

from . import qemu

NR_LANDLOCK_CREATE_RULESET = 444  # x86-64
CREATE_RULESET_VERSION = 1
CREATE_RULESET_ERRATA = 2
VM_CORPUS = "/corpus"


def landlock_probe():
    """(abi, errata) of the running kernel: abi None if Landlock is unusable, errata None if
    the kernel does not answer the errata query."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long

    def q(flag):
        r = libc.syscall(ctypes.c_long(NR_LANDLOCK_CREATE_RULESET), None, ctypes.c_size_t(0),
                         ctypes.c_uint32(flag))
        return None if r < 0 else int(r)
    abi = q(CREATE_RULESET_VERSION)
    return abi, (q(CREATE_RULESET_ERRATA) if abi else None)


def host_args(args, corpus):
    """The VM's payload arguments for the host: /corpus[/...] -> the corpus directory."""
    if not corpus:
        return list(args)
    out = []
    for a in args:
        if a == VM_CORPUS or a.startswith(VM_CORPUS + "/"):
            a = corpus + a[len(VM_CORPUS):]
        out.append(a)
    return out


class HostResult:
    def __init__(self):
        self.outcome = None  # "exited", "timeout", "error"
        self.exit = None
        self.signal = None
        self.lines = []
        self.stderr = ""
        self.seconds = None
        self.cmd = []
        self.uname = os.uname().release
        self.abi, self.errata = landlock_probe()
        self.error = ""

    def to_json(self):
        return {"outcome": self.outcome, "payload_exit": self.exit,
                "payload_signal": self.signal, "seconds": self.seconds, "cmd": self.cmd,
                "guest": {"uname": self.uname, "landlock_abi": self.abi,
                          "landlock_errata": self.errata}, "error": self.error}


def run(path, args, corpus, work_dir, log_path, timeout, env=()):
    """Run the payload on the host; its stdout (KTAP) and stderr go to log_path."""
    res = HostResult()
    res.cmd = [path] + host_args(args, corpus)
    os.makedirs(work_dir, exist_ok=True)
    e = dict(os.environ)
    for kv in env:
        k, _, v = kv.partition("=")
        e[k] = v
    t0 = time.monotonic()
    try:
        with open(log_path + ".stderr", "w") as err:
            p = qemu.spawn(res.cmd, stdout=subprocess.PIPE, stderr=err, cwd=work_dir, env=e,
                           text=True)
            try:
                out, _ = p.communicate(timeout=timeout)
                res.outcome = "exited"
            except subprocess.TimeoutExpired:
                qemu.kill(p)
                out, _ = p.communicate()
                res.outcome = "timeout"
            finally:
                qemu.kill(p)
    except OSError as ex:
        res.outcome, res.error, out = "error", f"{path}: {ex.strerror}", ""
        p = None
    res.seconds = time.monotonic() - t0
    res.lines = (out or "").splitlines()
    with open(log_path, "w") as f:
        f.write(out or "")
    try:
        with open(log_path + ".stderr") as f:
            res.stderr = f.read()
    except OSError:
        pass
    if p is not None and res.outcome == "exited":
        rc = p.returncode
        res.exit, res.signal = (rc, None) if rc >= 0 else (128 - rc, -rc)
    return res
