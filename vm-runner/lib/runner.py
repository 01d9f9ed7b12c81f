"""`lockstep-vm run`: boot each kernel, judge it, and print one KTAP stream (a subtest per kernel)."""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

from . import build, hostrun, initramfs, kernels, known, ktap, matrix, qemu, util

RUNS_KEEP = 30  # run directories kept under the default runs root


class Verdict:
    def __init__(self, kernel, res, block):
        self.kernel = kernel
        self.res = res
        self.block = block
        self.ok = True
        self.directive = None
        self.reason = ""
        self.problems = []
        self.known = []  # (KnownIssue, report): kernel reports explained by a known kernel bug

    def fail(self, reason, directive=None):
        if self.ok:  # the first reason is the headline; all are kept
            self.ok, self.directive, self.reason = False, directive, reason
        self.problems.append(reason)


def judge(kernel, res, require_landlock=True):
    """Turn a BootResult into a Verdict (pass, or the reasons it is a failure)."""
    user, _ = ktap.split_kernel_noise(res.payload_lines())
    block = ktap.parse(user)
    v = Verdict(kernel, res, block)
    crash = [res.lines[i][1] for i in res.crash_idx]
    first_crash = ktap.KERNEL_TS.sub("", crash[0]).strip() if crash else ""
    if res.outcome == "qemu-error":
        last = res.qemu_stderr.splitlines()[-1] if res.qemu_stderr else f"exit {res.qemu_rc}"
        v.fail(f"QEMU failed: {last}", "ERROR")
    elif res.outcome == "timeout":
        where = ("before init started" if "init" not in res.t else
                 "before the payload started" if "payload_start" not in res.t else
                 "while the payload ran" if "payload_exit" not in res.t else "at power-off")
        v.fail(f"no result within {res.timeout:g} s: hang {where}", "TIMEOUT")
    elif res.panicked:
        v.fail(f"kernel panic: {first_crash}", "ERROR")
    elif res.outcome == "no-payload-exit":
        v.fail("the VM stopped before the payload ended", "ERROR")
    if crash and not res.panicked:
        errata = res.guest.get("landlock_errata")
        v.known, unknown = known.classify(errata if isinstance(errata, int) else None,
                                          res.reports())
        if unknown:
            v.fail(f"kernel reported: {unknown[0][0]}", "ERROR")
    if res.outcome == "exited" and res.qemu_exited is False:
        v.fail("the VM did not power off after the payload ended: hang at shutdown", "TIMEOUT")
    if res.outcome == "exited":
        abi = res.guest.get("landlock_abi")
        if require_landlock and (abi is None or abi < 1):
            v.fail("Landlock is not enabled in the VM (" +
                   res.guest.get("landlock_errno", "no ABI reported") + ")", "ERROR")
        _payload_failures(v, res.payload_exit, res.payload_signal, block)
    return v


def _payload_failures(v, exit_code, signal, block):
    """What the payload's exit and its KTAP block say, in a VM or on the host."""
    if exit_code != 0:
        sig = f" (signal {signal})" if signal else ""
        v.fail(f"payload exit {exit_code}{sig}")
    if block is None:
        v.fail("no KTAP output from the payload")
    else:
        for p in block.problems():
            v.fail(p)


def _fmt(t):
    return "-" if t is None else f"{t:.1f} s"


def diagnostics(v, log_path):
    k, r, n = v.kernel, v.res, v.kernel.name
    out = []
    meta = k.meta
    pkgs = [p["name"] for p in meta.get("packages", [])]
    image = next((p for p in pkgs if p.endswith("-unsigned") or p.startswith("linux-binary-")),
                 pkgs[0] if pkgs else None)
    src = f", package {image} {meta.get('version', '')} ({meta.get('suite', '')})" if image else ""
    out.append(f"{n}: image {k.vmlinuz}{src}, accel {r.accel}, boot {getattr(r, 'boot', '?')}")
    g = r.guest
    if g:
        out.append(f"{n}: uname {g.get('uname', '?')}, landlock abi {g.get('landlock_abi', '?')}"
                   f" errata {g.get('landlock_errata', '?')}, lsm {g.get('lsm', '?')}")
    for m in g.get("modules", []):
        out.append(f"{n}: module {m}")
    ran = r.t["payload_exit"] - r.t["payload_start"] if "payload_exit" in r.t else None
    out.append(f"{n}: boot to payload {_fmt(r.t.get('payload_start'))} (its first line "
               f"{_fmt(r.t.get('payload_first_line'))}), payload ran {_fmt(ran)}, QEMU ran "
               f"{_fmt(r.t.get('end'))} using {_fmt(r.t.get('qemu_cpu'))} of CPU")
    if v.block is not None:
        t = v.block.totals()
        out.append(f"{n}: totals pass:{t['pass']} fail:{t['fail']} xfail:{t['xfail']} "
                   f"skip:{t['skip']}")
    for p in v.problems[1:]:
        out.append(f"{n}: also: {p}")
    for issue, rep in v.known:
        out.append(f"{n}: known kernel bug {issue.ident} (not a divergence): {rep[0]}")
        out.append(f"{n}:   {issue.summary}")
        out.append(f"{n}:   fixed by {issue.fix}")
    out.append(f"{n}: console log {log_path}")
    if r.crash_idx:
        out.append(f"{n}: console excerpt:")
        out += [f"| {line}" for line in r.excerpt()]
    elif not v.ok and (v.directive in ("TIMEOUT", "ERROR") or v.block is None):
        out.append(f"{n}: last console lines:")
        out += [f"| {line}" for line in r.tail()]
    if r.qemu_stderr and r.outcome == "qemu-error":
        out += [f"| qemu: {line}" for line in r.qemu_stderr.splitlines()[-5:]]
    return out


def default_runs_root():
    return os.path.join(os.path.expanduser("~"), ".cache", "lockstep", "runs")


def _prune(root, keep):
    try:
        dirs = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    except OSError:
        return
    for d in dirs[:-keep] if len(dirs) > keep else []:
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)


def stripped(path, tmp):
    """A copy of the payload without debug info (44 MB -> 4 MB for lockstep): the guest unpacks
    the initramfs under TCG, where every megabyte costs. The original if strip(1) is missing."""
    if shutil.which("strip") is None:
        return path
    out = os.path.join(tmp, "payload")
    r = subprocess.run(["strip", "--strip-debug", "-o", out, path], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return out if r.returncode == 0 else path


def clean_stale_tmp():
    """Remove temp dirs of runs that died without cleaning up (SIGKILL): lockstep-vm-<pid>-*."""
    root = tempfile.gettempdir()
    for d in os.listdir(root):
        m = re.match(r"^lockstep-vm-(\d+)-", d)
        if not m:
            continue
        try:
            os.kill(int(m.group(1)), 0)
            continue  # its runner is alive
        except ProcessLookupError:
            shutil.rmtree(os.path.join(root, d), ignore_errors=True)
        except PermissionError:
            continue


def choose_accel(opt, vmlinuz, initrd, cache_dir, run_dir):
    if opt in ("tcg", "kvm"):
        return opt
    if not qemu.kvm_usable():
        util.debug("accel: tcg (no usable /dev/kvm)")
        return "tcg"
    ok, why = qemu.probe_kvm(vmlinuz, initrd, cache_dir, run_dir)
    util.log(f"KVM probe: {why}; using {'kvm' if ok else 'tcg'}")
    return "kvm" if ok else "tcg"


def column(name, v, guest):
    """The matrix column of one judged kernel."""
    errata = guest.get("landlock_errata")
    verdict = "ok" if v.ok else f"NOT OK ({v.directive or 'fail'})"
    note = ""
    if v.ok and v.known:
        idents = ", ".join(dict.fromkeys(i.ident for i, _ in v.known))
        verdict = "ok (known bug)"
        note = f"known kernel bug {idents} (see the kernel's diagnostics)"
    elif not v.ok:
        note = v.reason
    return matrix.Column(name, v.block, abi=guest.get("landlock_abi"),
                         errata=errata if isinstance(errata, int) else None,
                         verdict=verdict, note=note)


def judge_host(res):
    """A Verdict for a host run (no console, no kernel reports)."""
    user = res.lines
    block = ktap.parse(user)
    v = Verdict(None, res, block)
    if res.outcome == "error":
        v.fail(f"cannot run the payload: {res.error}", "ERROR")
    elif res.outcome == "timeout":
        v.fail(f"no result within {res.timeout:g} s", "TIMEOUT")
    else:
        _payload_failures(v, res.exit, res.signal, block)
    return v


def run_host(pl, opts, run_dir, out):
    """Subtest 1 of the stream: the payload on the running kernel. Returns (ok, record, column)."""
    name = f"host-{os.uname().release}"
    log_name = f"00-{name}.log"
    util.log(f"running on the host ({name}, timeout {opts.timeout:g} s)")
    res = hostrun.run(pl.path, pl.args, pl.corpus, os.path.join(run_dir, "host"),
                      os.path.join(run_dir, log_name), opts.timeout, env=opts.env)
    res.timeout = opts.timeout
    v = judge_host(res)
    lines = v.block.emit(2) if v.block is not None else []
    lines.append(f"# {name}: running kernel, payload {shlex.join(res.cmd)}")
    lines.append(f"# {name}: landlock abi {res.abi if res.abi is not None else '?'} errata "
                 f"{res.errata if res.errata is not None else 'unknown'}")
    lines.append(f"# {name}: payload ran {_fmt(res.seconds)}")
    if v.block is not None:
        t = v.block.totals()
        lines.append(f"# {name}: totals pass:{t['pass']} fail:{t['fail']} xfail:{t['xfail']} "
                     f"skip:{t['skip']}")
    for p in v.problems[1:]:
        lines.append(f"# {name}: also: {p}")
    lines.append(f"# {name}: output {os.path.join(run_dir, log_name)}")
    if not v.ok and v.block is None:
        lines += [f"# | {t}" for t in (res.lines + res.stderr.splitlines())[-12:]]
    lines.append(ktap.Result(v.ok, 1, name, v.directive, ktap.escape(v.reason)).line())
    print("\n".join(lines), file=out, flush=True)
    rec = {"n": 1, "name": name, "release": res.uname, "host": True, "ok": v.ok,
           "directive": v.directive, "reason": v.reason, "problems": v.problems,
           "totals": v.block.totals() if v.block else None, "log": log_name, **res.to_json()}
    guest = {"landlock_abi": res.abi, "landlock_errata": res.errata}
    return v.ok, rec, column(name, v, guest)


def boot_with_retries(k, image, initrd, run_dir, log_name, accel, opts, live):
    """Boot once, and again (up to opts.boot_retries more times) while the kernel panics before
    the payload starts. Such a panic says nothing about Landlock, and Debian's 6.12 is seen to hit
    one under TCG now and then (an int3 Oops in early boot). Returns the last BootResult and, for
    each earlier boot, (its first crash line, its console log, renamed *.panicN.console.log):
    the output reports them."""
    early, retries = [], max(0, getattr(opts, "boot_retries", 0))
    for attempt in range(1 + retries):
        res = qemu.boot(image, initrd, run_dir, log_name=log_name, timeout=opts.timeout,
                        accel=accel, smp=opts.smp, mem=opts.mem, append=opts.append,
                        on_line=live)
        if not res.panicked or "payload_start" in res.t or attempt == retries:
            break
        first = ktap.KERNEL_TS.sub("", res.lines[res.crash_idx[0]][1]).strip()
        util.log(f"{k.name}: the kernel panicked before the payload started ({first}); "
                 "booting again")
        kept = log_name.replace(".console.log", f".panic{attempt + 1}.console.log")
        os.replace(os.path.join(run_dir, log_name), os.path.join(run_dir, kept))
        early.append((first, kept))
    return res, early


def run(kernel_list, pl, opts, out=sys.stdout):
    """Boot each Kernel with the Payload; print KTAP to `out`; return True if all passed."""
    bin_cache = os.path.join(opts.cache, "bin")
    init_bin = None
    if kernel_list:
        qemu.find_qemu()
        init_bin = build.compile_static(build.INIT_SRC, bin_cache)
    if opts.run_dir:
        run_dir = os.path.abspath(opts.run_dir)
    else:
        root = default_runs_root()
        os.makedirs(root, exist_ok=True)
        _prune(root, RUNS_KEEP - 1)
        run_dir = os.path.join(root, time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}")
    os.makedirs(run_dir, exist_ok=True)
    clean_stale_tmp()
    tmp = tempfile.mkdtemp(prefix=f"lockstep-vm-{os.getpid()}-")
    summary = {"payload": pl.path, "args": pl.args, "corpus": pl.corpus, "kernels": []}
    all_ok = True
    try:
        payload_bin = stripped(pl.path, tmp) if opts.strip else pl.path
        initrds = {}

        def initrd_for(k):
            mods = tuple(kernels.module_order(k)) if opts.modules else ()
            if mods not in initrds:
                path = os.path.join(tmp, f"initrd-{len(initrds)}.gz")
                size = initramfs.build(path, init_bin, payload_bin, pl.args, pl.corpus,
                                       env=opts.env, modules=mods)
                util.debug(f"initramfs {path}: {size} bytes")
                initrds[mods] = path
            return initrds[mods]

        def image_for(k):
            if opts.boot == "bzimage":
                return k.vmlinuz, "bzimage"
            img = k.pvh_image(tmp)
            if img:
                return img, "pvh"
            if opts.boot == "pvh":
                raise util.Error(f"{k.vmlinuz}: no PVH-bootable vmlinux could be extracted "
                                 "(a kernel without CONFIG_PVH, or zstd-compressed and no zstd "
                                 "tool); use --boot bzimage")
            return k.vmlinuz, "bzimage"

        host = getattr(opts, "host", False)
        print("KTAP version 1", file=out)
        print(f"1..{len(kernel_list) + (1 if host else 0)}", file=out)
        print(f"# lockstep-vm: payload {pl.path} args {shlex.join(pl.args) or '(none)'}, corpus "
              f"{pl.corpus or '(none)'}, logs in {run_dir}", file=out, flush=True)
        columns = []
        if host:
            ok, rec, col = run_host(pl, opts, run_dir, out)
            all_ok &= ok
            summary["kernels"].append(rec)
            columns.append(col)
        accel = None
        for n, k in enumerate(kernel_list, 1 + (1 if host else 0)):
            initrd = initrd_for(k)
            image, how = image_for(k)
            if accel is None:
                accel = choose_accel(opts.accel, image, initrd, opts.cache, run_dir)
            util.log(f"booting {k.name} ({accel}, {how}, timeout {opts.timeout:g} s)")
            log_name = f"{n:02d}-{k.name}.console.log"
            live = None
            if opts.verbose:
                def live(t, text):
                    print(f"  [{t:7.2f}] {text}", file=sys.stderr, flush=True)
            res, early = boot_with_retries(k, image, initrd, run_dir, log_name, accel, opts, live)
            res.boot = how
            v = judge(k, res, require_landlock=not opts.no_landlock_check)
            all_ok &= v.ok
            lines = v.block.emit(2) if v.block is not None else []
            lines += [f"# {k.name}: boot {i} panicked before the payload started: {why} "
                      f"(console log {log}); booted again" for i, (why, log) in enumerate(early, 1)]
            lines += ["# " + d for d in diagnostics(v, os.path.join(run_dir, log_name))]
            reason = v.reason
            if v.ok and v.known:
                reason = "known kernel bug: " + ", ".join(dict.fromkeys(i.ident for i, _ in v.known))
            rl = ktap.Result(v.ok, n, k.name, v.directive, ktap.escape(reason))
            lines.append(rl.line())
            print("\n".join(lines), file=out, flush=True)
            rec = {"n": n, "name": k.name, "release": k.release, "vmlinuz": k.vmlinuz,
                   "meta": k.meta, "ok": v.ok, "directive": v.directive, "reason": v.reason,
                   "problems": v.problems, "totals": v.block.totals() if v.block else None,
                   "console_log": log_name, "boot": how, **res.to_json()}
            summary["kernels"].append(rec)
            columns.append(column(k.name, v, res.guest))
            with open(os.path.join(run_dir, "results.json"), "w") as f:
                json.dump(summary, f, indent=2)
        if getattr(opts, "matrix", True) and columns:
            lines = matrix.table(columns)
            print("\n".join("# " + t for t in lines), file=out, flush=True)
            with open(os.path.join(run_dir, "matrix.txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
            summary["matrix"] = {c.name: {"abi": c.abi, "errata": c.errata, "verdict": c.verdict,
                                          "groups": c.groups, "affected": c.affected}
                                 for c in columns}
        with open(os.path.join(run_dir, "results.json"), "w") as f:
            json.dump(summary, f, indent=2)
        util.log(f"logs in {run_dir}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return all_ok
