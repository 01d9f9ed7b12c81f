"""Known kernel bugs: kernel reports (WARNING, BUG...) that an old kernel is known to print.

A kernel report on the console fails the kernel, except when it matches an entry here *and* the
kernel does not report the erratum whose fix removes the bug (Landlock's errata are exactly
that: fixes a kernel can be asked about). Such a kernel is reported `ok` with a `# known kernel bug`
note, the console excerpt and the entry's explanation, in the KTAP stream and in the matrix: the
suite does not hide it, but it is not an unexplained failure of the model or the runner.

Add an entry only for a bug that is understood and fixed upstream, with the fix named.
"""

import re


class KnownIssue:
    def __init__(self, ident, headline, function, erratum, summary, fix):
        self.ident = ident
        self.headline = re.compile(headline)   # the report's first line (after the timestamp)
        self.function = function               # must appear in the report (headline or trace)
        self.erratum = erratum                 # the Landlock erratum whose fix removes the bug
        self.summary = summary
        self.fix = fix

    def applies(self, errata):
        """Only on a kernel that does not report the fix: errata is the mask the kernel
        reports (landlock_create_ruleset ERRATA), None when it cannot report errata."""
        return errata is None or not (errata >> (self.erratum - 1)) & 1

    def matches(self, errata, report):
        return (self.applies(errata) and bool(report) and self.headline.search(report[0])
                and any(self.function in line for line in report))


ISSUES = [
    KnownIssue(
        "landlock-disconnected-dir-warn",
        r"WARNING: .*security/landlock/fs\.c",
        "collect_domain_accesses",
        3,
        "WARN_ON_ONCE(IS_ROOT(dir)) in collect_domain_accesses(): a rename/link whose source or "
        "destination directory is disconnected from its mount's root (moved out from under a "
        "bind mount) walks up to a root other than the mount root. The access decision is "
        "right; only the warning is wrong.",
        "'landlock: Fix handling of disconnected directories' (Landlock erratum 3, "
        "security/landlock/errata/abi-1.h; backported to stable kernels, e.g. Debian's 6.1.192 "
        "reports it fixed) drops the WARN_ON_ONCE and continues the walk at the mount's root"),
]


def classify(errata, reports):
    """Split kernel reports (each a list of lines, headline first) into (known, unknown):
    known is a list of (KnownIssue, report), unknown a list of reports."""
    known, unknown = [], []
    for rep in reports:
        issue = next((k for k in ISSUES if k.matches(errata, rep)), None)
        if issue:
            known.append((issue, rep))
        else:
            unknown.append(rep)
    return known, unknown
