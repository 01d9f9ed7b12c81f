"""Compile the small static C programs of the runner (init, the smoke payload), cached by content."""

import hashlib
import os
import shutil
import subprocess

from . import util

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # vm-runner/
INIT_SRC = os.path.join(HERE, "init.c")
SMOKE_SRC = os.path.join(HERE, "tests", "payload.c")
CFLAGS = ["-static", "-Os", "-s", "-Wall", "-Wextra", "-Werror"]


def compile_static(src, cache_dir):
    """gcc -static -Os src -> cache_dir/<name>-<hash>; reused while the source and gcc are unchanged."""
    cc = os.environ.get("CC", "gcc")
    if shutil.which(cc) is None:
        raise util.Error(f"{cc} not found (apt install gcc libc6-dev)")
    with open(src, "rb") as f:
        text = f.read()
    ver = subprocess.run([cc, "--version"], stdout=subprocess.PIPE, text=True).stdout
    h = hashlib.sha256(text + ver.encode() + " ".join(CFLAGS).encode()).hexdigest()[:16]
    name = os.path.splitext(os.path.basename(src))[0]
    out = os.path.join(cache_dir, f"{name}-{h}")
    if os.path.isfile(out):
        return out
    os.makedirs(cache_dir, exist_ok=True)
    tmp = f"{out}.{os.getpid()}.tmp"
    r = subprocess.run([cc, *CFLAGS, "-o", tmp, src], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        first = r.stdout.strip().splitlines()[:5]
        hint = " (static libc missing? apt install libc6-dev)" if "cannot find -lc" in r.stdout else ""
        raise util.Error(f"compiling {src} failed{hint}:\n" + "\n".join(first))
    os.replace(tmp, out)
    return out
