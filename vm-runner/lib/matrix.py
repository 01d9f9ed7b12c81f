"""The matrix table: kernels x feature groups, from each kernel's KTAP block.

`lockstep run` prints one subtest per feature group (abi, fs, net, ...), each holding one result
per case; a case the oracle attributes to an erratum the kernel reports as not fixed is
`ok N name # XFAIL erratum 4 not fixed on this kernel` (several numbers: `erratum 1 4 ...`).
A payload without groups (flat results) counts as one group named after the payload.

The table is printed as KTAP diagnostic lines, so the whole stream stays valid KTAP.
"""

import re

_ERRATA = re.compile(r"^errat(?:um|a)\s+((?:\d+[\s,]*)+)")

KINDS = ("pass", "fail", "skip", "xfail")

# The ABI whose feature each erratum is about (security/landlock/errata/abi-N.h): a kernel below
# it reports the erratum as not fixed because the feature is absent, not because the bug is there.
ERRATUM_ABI = {1: 4, 2: 6, 3: 1, 4: 1}


def errata_of(reason):
    """The erratum numbers an XFAIL reason names ('erratum 1 4 not fixed ...' -> [1, 4])."""
    m = _ERRATA.match(reason or "")
    return [int(n) for n in re.findall(r"\d+", m.group(1))] if m else []


class Column:
    """One kernel's results: name, what it reports (ABI, errata) and its counts per group."""

    def __init__(self, name, block, abi=None, errata=None, verdict="ok", note=""):
        self.name = name
        self.abi = abi
        self.errata = errata  # the mask the kernel reports, None if it cannot (ABI < 7, old)
        self.verdict = verdict
        self.note = note
        self.groups = {}    # group -> {"pass": n, ..., "errata": {n: [case, ...]}}
        self.affected = {}  # erratum -> [group/case, ...]
        if block is not None:
            self._count(block)

    def _count(self, block):
        flat = [r for r in block.results if r.subtest is None or not r.subtest.results]
        nested = [r for r in block.results if r not in flat]
        for r in nested:
            self._leaves(r.description or f"#{r.number}", r.subtest)
            if not r.passed and r.subtest.passed:  # the group failed on its own (a crash)
                self._cell(r.description or f"#{r.number}")["fail"] += 1
        if flat:
            cell = self._cell("(top level)")
            for r in flat:
                self._add(cell, "(top level)", r)

    def _cell(self, group):
        return self.groups.setdefault(group, {"pass": 0, "fail": 0, "skip": 0, "xfail": 0,
                                              "errata": {}})

    def _leaves(self, group, block):
        cell = self._cell(group)
        for r in block.results:
            if r.subtest is not None and r.subtest.results:
                self._leaves(group, r.subtest)
            else:
                self._add(cell, group, r)

    def _add(self, cell, group, r):
        cell[r.kind] += 1
        if r.kind == "xfail":
            for n in errata_of(r.reason):
                cell["errata"].setdefault(n, []).append(r.description)
                named = (r.description if group == "(top level)" or
                         r.description.startswith(group + "/") else f"{group}/{r.description}")
                self.affected.setdefault(n, []).append(named)

    def lacking(self, known=4):
        """Errata the kernel reports as not fixed (None: it cannot report errata)."""
        if self.errata is None:
            return None
        return [n for n in range(1, known + 1) if not (self.errata >> (n - 1)) & 1]

    def errata_text(self):
        if self.errata is None:
            return "not reported"
        fixed = [str(n) for n in range(1, 5) if (self.errata >> (n - 1)) & 1]
        lack = self.lacking()
        return (f"{self.errata}: fixed {'+'.join(fixed) or '-'}"
                + (f", lacks {'+'.join(map(str, lack))}" if lack else ""))


def lacking_text(c):
    lack = c.lacking()
    if lack is None:
        return "unknown (not reportable)"
    parts = [f"{n}(n/a: abi<{ERRATUM_ABI[n]})" if c.abi is not None and
             c.abi < ERRATUM_ABI.get(n, 0) else str(n) for n in lack]
    return "+".join(parts) or "none"


def cell_text(cell):
    if cell is None:
        return "-"
    s = "/".join(str(cell[k]) for k in KINDS)
    if cell["errata"]:
        s += " e" + "+".join(str(n) for n in sorted(cell["errata"]))
    return s


def short(name):
    return name[len("kernel-"):] if name.startswith("kernel-") else name


def table(columns, max_cases=12):
    """The matrix as text lines (no '# ' prefix)."""
    groups = []
    for c in columns:
        for g in c.groups:
            if g not in groups:
                groups.append(g)
    groups.sort(key=lambda g: (g == "(top level)", g))
    heads = [short(c.name) for c in columns]
    rows = [["kernel"] + heads,
            ["verdict"] + [c.verdict for c in columns],
            ["landlock abi"] + ["-" if c.abi is None else str(c.abi) for c in columns],
            ["errata mask"] + ["-" if c.errata is None else str(c.errata) for c in columns],
            ["errata lacking"] + [lacking_text(c) for c in columns]]
    sep = len(rows)
    for g in groups:
        rows.append([g] + [cell_text(c.groups.get(g)) for c in columns])
    total = {}
    for c in columns:
        t = {k: 0 for k in KINDS}
        t["errata"] = {}
        for cell in c.groups.values():
            for k in KINDS:
                t[k] += cell[k]
            for n, cases in cell["errata"].items():
                t["errata"].setdefault(n, []).extend(cases)
        total[c.name] = t
    rows.append(["total"] + [cell_text(total[c.name]) for c in columns])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    fmt = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
    out = ["matrix: kernels x feature groups, cells pass/fail/skip/xfail, eN = XFAIL cases "
           "attributed to erratum N (not fixed on that kernel)"]
    out += [fmt(r) for r in rows[:sep]]
    out.append("  ".join("-" * w for w in widths))
    out += [fmt(r) for r in rows[sep:]]
    for c in columns:
        if c.note:
            out.append(f"{short(c.name)}: {c.note}")
        lack = c.lacking()
        if lack is None:
            out.append(f"{short(c.name)}: errata not reportable (ABI {c.abi}): both outcomes "
                       "are accepted for erratum-dependent operations")
        for n in sorted(set(lack or []) | set(c.affected)):
            cases = c.affected.get(n, [])
            if c.abi is not None and c.abi < ERRATUM_ABI.get(n, 0):
                out.append(f"{short(c.name)}: erratum {n} is about an ABI {ERRATUM_ABI[n]} "
                           f"feature this kernel (ABI {c.abi}) lacks; {len(cases)} case(s) XFAIL"
                           + (": " + ", ".join(cases[:max_cases]) if cases else ""))
                continue
            shown = ", ".join(cases[:max_cases]) + (f", ... ({len(cases) - max_cases} more)"
                                                     if len(cases) > max_cases else "")
            out.append(f"{short(c.name)}: erratum {n} not fixed: {len(cases)} case(s) XFAIL"
                       + (f": {shown}" if cases else ""))
    return out
