"""KTAP v1: parse a payload's stream out of a noisy serial console, and emit nested streams.

Grammar (Documentation/dev-tools/ktap.rst):
    KTAP version 1                    (also accepted: "TAP version 13/14")
    1..N                              plan (optional)
    # diagnostic
    ok|not ok N [description][ # [DIRECTIVE] [reason]]
Subtests are full KTAP blocks indented by 2 more spaces, placed before their parent's result line.
Anything else ("unknown lines") is ignored. Directives: SKIP, TODO, XFAIL, TIMEOUT, ERROR.
"""

import re

DIRECTIVES = ("SKIP", "TODO", "XFAIL", "TIMEOUT", "ERROR")

_VERSION = re.compile(r"^(KTAP version \d+|TAP version \d+)\s*$")
_PLAN = re.compile(r"^1\.\.(\d+)\s*$")
_RESULT = re.compile(r"^(ok|not ok)\s+(\d+)\b\s*(?:-\s+)?(.*)$")
_DIAG = re.compile(r"^#(?: (.*)|)$")

# A printk record on the console: "[    1.234567] ..." (printk.time=1 on our command line).
KERNEL_TS = re.compile(r"\[\s*\d+\.\d{6}\]")


class Result:
    def __init__(self, ok, number, description="", directive=None, reason="", subtest=None):
        self.ok = ok
        self.number = number
        self.description = description
        self.directive = directive  # one of DIRECTIVES or None
        self.reason = reason
        self.subtest = subtest  # Block or None

    @property
    def passed(self):
        """Not a failure: ok, or a SKIP/XFAIL/TODO (KTAP: skips and xfails do not bubble up)."""
        if self.directive in ("SKIP", "XFAIL", "TODO"):
            return True
        if self.directive in ("TIMEOUT", "ERROR"):
            return False
        return self.ok

    @property
    def kind(self):
        if self.directive == "SKIP":
            return "skip"
        if self.directive == "XFAIL":
            return "xfail"
        return "pass" if self.passed else "fail"

    def line(self):
        s = ("ok" if self.ok else "not ok") + f" {self.number}"
        if self.description:
            s += " " + self.description
        if self.directive or self.reason:
            s += " #"
            if self.directive:
                s += " " + self.directive
            if self.reason:
                s += " " + self.reason
        return s

    def __repr__(self):
        return f"Result({self.line()!r})"


class Block:
    """One KTAP (sub)stream: version, plan and an ordered list of items.

    items: ("diag", text) or ("result", Result), in stream order."""

    def __init__(self, version="KTAP version 1", plan=None):
        self.version = version
        self.plan = plan
        self.items = []

    @property
    def results(self):
        return [r for kind, r in self.items if kind == "result"]

    @property
    def diagnostics(self):
        return [t for kind, t in self.items if kind == "diag"]

    def problems(self):
        """Why this block is not a pass (empty list: pass)."""
        out = []
        rs = self.results
        if self.plan is not None and self.plan != len(rs):
            out.append(f"planned {self.plan} tests, saw {len(rs)}")
        for r in rs:
            if not r.passed:
                out.append(f"{r.number} {r.description}".strip() + " failed"
                           + (f" ({r.directive})" if r.directive else ""))
        return out

    @property
    def passed(self):
        return not self.problems()

    def totals(self):
        """Counts over the leaves (results without subtests)."""
        t = {"pass": 0, "fail": 0, "skip": 0, "xfail": 0}
        for r in self.results:
            if r.subtest is not None and r.subtest.results:  # a skipped group: its leaves
                for k, v in r.subtest.totals().items():
                    t[k] += v
                if not r.passed and r.subtest.passed:
                    t["fail"] += 1  # the parent failed on its own (e.g. a crash after the leaves)
            else:
                t[r.kind] += 1
        return t

    def emit(self, indent=0):
        """The block as KTAP lines, indented by `indent` spaces."""
        pad = " " * indent
        lines = [pad + self.version]
        if self.plan is not None:
            lines.append(f"{pad}1..{self.plan}")
        for kind, item in self.items:
            if kind == "diag":
                lines.append(f"{pad}# {item}" if item else f"{pad}#")
            else:
                if item.subtest is not None:
                    lines += item.subtest.emit(indent + 2)
                lines.append(pad + item.line())
        return lines


def parse_result(text):
    """Parse 'ok 1 desc # SKIP why' (no indentation) into a Result, or None."""
    m = _RESULT.match(text)
    if not m:
        return None
    ok = m.group(1) == "ok"
    rest = m.group(3).rstrip()
    desc, directive, reason = rest, None, ""
    # the description ends at the first '#' not escaped as '\#'
    hm = re.search(r"(?<!\\)#", rest)
    if hm:
        desc = rest[:hm.start()].rstrip()
        tail = rest[hm.end():].strip()
        word = tail.split(None, 1)
        if word and word[0].upper() in DIRECTIVES:
            directive = word[0].upper()
            reason = word[1].strip() if len(word) > 1 else ""
        else:
            reason = tail
    return Result(ok, int(m.group(2)), desc, directive, reason)


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _classify(text):
    if _VERSION.match(text):
        return "version"
    if _PLAN.match(text):
        return "plan"
    if _RESULT.match(text):
        return "result"
    if _DIAG.match(text):
        return "diag"
    return None


def parse(lines):
    """Parse KTAP lines (already cleaned of console noise). Returns the top-level Block or None.

    Indentation is relative: the top-level block is where the first version line (or, failing
    that, the first plan/result line) appears."""
    toks = []
    for raw in lines:
        line = raw.rstrip("\r\n").expandtabs(8)
        text = line.strip()
        kind = _classify(text)
        if kind:
            toks.append((_indent(line), kind, text))
    start = next((i for i, t in enumerate(toks) if t[1] == "version"), None)
    if start is None:
        start = next((i for i, t in enumerate(toks) if t[1] in ("plan", "result")), None)
    if start is None:
        return None
    block, _ = _parse_block(toks, start, toks[start][0])
    return block


def _parse_block(toks, i, indent):
    block = Block()
    if i < len(toks) and toks[i][0] == indent and toks[i][1] == "version":
        block.version = toks[i][2]
        i += 1
    pending = None  # a subtest block waiting for its result line
    while i < len(toks):
        ind, kind, text = toks[i]
        if ind < indent:
            break
        if ind > indent:
            if kind in ("version", "plan", "result"):
                sub, i = _parse_block(toks, i, ind)
                pending = sub
                continue
            # a deeper diagnostic outside any subtest: keep it as ours
            if kind == "diag":
                block.items.append(("diag", _DIAG.match(text).group(1) or ""))
            i += 1
            continue
        if kind == "version":
            if block.results or block.plan is not None:
                break  # a second stream at the same level: stop here
            block.version = text
        elif kind == "plan":
            if block.plan is None:  # TAP also allows the plan at the end
                block.plan = int(_PLAN.match(text).group(1))
        elif kind == "result":
            r = parse_result(text)
            r.subtest, pending = pending, None
            block.items.append(("result", r))
        elif kind == "diag":
            block.items.append(("diag", _DIAG.match(text).group(1) or ""))
        i += 1
    if pending is not None:
        # a subtest that never got its result line (the payload died): keep it visible
        block.items.append(("result", Result(False, len(block.results) + 1, "(no result line)",
                                             None, "", pending)))
    return block, i


def split_kernel_noise(lines):
    """Separate kernel printk lines from user output on a shared serial console.

    A printk record can start in the middle of a user line ("ok 1 fo[  2.0] msg\\n" then "o\\n"):
    the prefix is held and joined with the next user line. Returns (user_lines, kernel_lines)."""
    user, kernel, pending = [], [], None
    for raw in lines:
        line = raw.replace("\r", "")
        m = KERNEL_TS.search(line)
        if m:
            prefix = line[:m.start()]
            kernel.append(line[m.start():])
            if prefix.strip():
                pending = (pending or "") + prefix
            continue
        if pending is not None:
            line = pending + line
            pending = None
        user.append(line)
    if pending is not None:
        user.append(pending)
    return user, kernel


def escape(desc):
    """Make free text safe as a KTAP description: no '#', no newlines."""
    return re.sub(r"\s+", " ", desc.replace("#", "\\#")).strip()
