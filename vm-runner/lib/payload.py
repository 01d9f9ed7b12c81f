"""What runs inside the VM: the payload binary, its arguments and the corpus.

The default payload is the project's static conformance binary. When `lockstep run` lands, the
integration is this file's two constants (binary path and arguments); nothing else changes.
"""

import os
import shlex
import struct

from . import build, util

REPO = os.path.dirname(build.HERE)  # the repository root (vm-runner/..)

# --- the one place to change when `lockstep run` exists -----------------------------------------
LOCKSTEP_BIN = os.path.join("build", "tools", "lockstep", "lockstep")  # relative to the repo root
LOCKSTEP_ARGS = ["run", "--no-progress", "--generate", "1000", "--seed", "1", "/corpus"]  # the corpus is at /corpus in the VM;
# --no-progress: stderr is the serial console, a TTY, where a progress bar would garble KTAP
DEFAULT_CORPUS = os.path.join("conformance", "cases")        # relative to the repository root
# ------------------------------------------------------------------------------------------------

BUILTIN_SMOKE = "builtin:smoke"  # vm-runner/tests/payload.c, compiled on demand


class Payload:
    def __init__(self, path, args, corpus, label):
        self.path = path
        self.args = args
        self.corpus = corpus
        self.label = label


def elf_check(path):
    """Raise unless path is a static x86-64 ELF executable (there are no libraries in the VM)."""
    try:
        with open(path, "rb") as f:
            hdr = f.read(64)
            if len(hdr) < 64 or hdr[:4] != b"\x7fELF":
                raise util.Error(f"payload {path} is not an ELF executable")
            if hdr[4] != 2 or struct.unpack_from("<H", hdr, 18)[0] != 62:
                raise util.Error(f"payload {path} is not an x86-64 (ELF64) executable")
            phoff = struct.unpack_from("<Q", hdr, 32)[0]
            phentsize, phnum = struct.unpack_from("<HH", hdr, 54)
            f.seek(phoff)
            for _ in range(phnum):
                ph = f.read(phentsize)
                if struct.unpack_from("<I", ph, 0)[0] == 3:  # PT_INTERP
                    raise util.Error(f"payload {path} is dynamically linked; the VM has no "
                                     "libraries (link it with -static)")
    except OSError as e:
        raise util.Error(f"payload {path}: {e.strerror}")


def resolve(payload_opt, args_opt, corpus_opt, bin_cache):
    """Payload from the CLI options. payload_opt: None (the lockstep binary), a path, or
    builtin:smoke. args_opt: None (defaults) or a shell-quoted string. corpus_opt: None (default
    corpus if it exists), a directory, or "" (no corpus)."""
    if payload_opt is None:
        path = os.path.join(REPO, LOCKSTEP_BIN)
        if not os.path.isfile(path):
            raise util.Error(f"no payload: {path} not found (build it with `make build`, or pass "
                             f"--payload PATH or --payload {BUILTIN_SMOKE})")
        default_args, label = LOCKSTEP_ARGS, "lockstep"
    elif payload_opt == BUILTIN_SMOKE:
        path = build.compile_static(build.SMOKE_SRC, bin_cache)
        default_args, label = [], BUILTIN_SMOKE
    else:
        path = os.path.abspath(payload_opt)
        if not os.path.isfile(path):
            raise util.Error(f"payload not found: {payload_opt}")
        # The lockstep binary named explicitly (make vm-matrix, ctest) gets lockstep's arguments too.
        is_lockstep = os.path.basename(path) == "lockstep"
        default_args, label = (LOCKSTEP_ARGS, "lockstep") if is_lockstep else ([], os.path.basename(path))
    elf_check(path)
    args = default_args if args_opt is None else shlex.split(args_opt)
    if corpus_opt is None:
        corpus = os.path.join(REPO, DEFAULT_CORPUS)
        corpus = corpus if os.path.isdir(corpus) else None
    elif corpus_opt == "":
        corpus = None
    else:
        corpus = os.path.abspath(corpus_opt)
        if not os.path.isdir(corpus):
            raise util.Error(f"corpus directory not found: {corpus_opt}")
    return Payload(path, args, corpus, label)
