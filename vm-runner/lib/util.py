"""Shared helpers: the error type every module raises, and stderr logging."""

import sys

PROG = "lockstep-vm"


class Error(Exception):
    """A one-line, user-facing error: lockstep-vm prints it and exits non-zero."""


_verbose = False


def set_verbose(v):
    global _verbose
    _verbose = v


def log(msg):
    """Progress on stderr (stdout is reserved for KTAP)."""
    print(f"{PROG}: {msg}", file=sys.stderr, flush=True)


def debug(msg):
    if _verbose:
        log(msg)
