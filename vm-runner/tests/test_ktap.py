"""Unit tests: the KTAP parser, the console noise splitter and the KTAP emitter."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from lib import ktap  # noqa: E402

SIMPLE = """\
KTAP version 1
1..4
# a diagnostic
ok 1 first
not ok 2 second
ok 3 third # SKIP not here
not ok 4 - fourth # XFAIL erratum 4
"""

NESTED = """\
KTAP version 1
1..2
  KTAP version 1
  1..2
    KTAP version 1
    1..1
    ok 1 leaf
  ok 1 middle
  not ok 2 other # TIMEOUT 30 s
not ok 1 outer
ok 2 plain
"""


class ParseResult(unittest.TestCase):
    def test_plain(self):
        r = ktap.parse_result("ok 1 name")
        self.assertEqual((r.ok, r.number, r.description, r.directive), (True, 1, "name", None))

    def test_directives(self):
        for text, d, reason, passed in [
            ("ok 2 x # SKIP no ipv6", "SKIP", "no ipv6", True),
            ("not ok 2 x # SKIP", "SKIP", "", True),
            ("not ok 3 x # XFAIL erratum 4", "XFAIL", "erratum 4", True),
            ("ok 3 x # xfail lower case", "XFAIL", "lower case", True),
            ("not ok 4 x # TIMEOUT after 30 s", "TIMEOUT", "after 30 s", False),
            ("not ok 5 x # ERROR crashed", "ERROR", "crashed", False),
            ("not ok 6 x # TODO later", "TODO", "later", True),
        ]:
            r = ktap.parse_result(text)
            self.assertEqual((r.directive, r.reason, r.passed), (d, reason, passed), text)

    def test_diag_after_hash_is_not_a_directive(self):
        r = ktap.parse_result("not ok 7 name # some words")
        self.assertIsNone(r.directive)
        self.assertEqual(r.reason, "some words")
        self.assertFalse(r.passed)

    def test_escaped_hash_and_dash(self):
        r = ktap.parse_result(r"ok 8 - a \# b # SKIP why")
        self.assertEqual(r.description, r"a \# b")
        self.assertEqual(r.directive, "SKIP")

    def test_no_description(self):
        r = ktap.parse_result("ok 9")
        self.assertEqual((r.number, r.description), (9, ""))
        self.assertIsNone(ktap.parse_result("okay 1"))
        self.assertIsNone(ktap.parse_result("ok"))

    def test_roundtrip_line(self):
        for text in ["ok 1 a", "not ok 2 b # SKIP c", "not ok 3 # TIMEOUT", "ok 4 d # XFAIL e f"]:
            self.assertEqual(ktap.parse_result(text).line(), text)


class Parse(unittest.TestCase):
    def test_simple(self):
        b = ktap.parse(SIMPLE.splitlines())
        self.assertEqual(b.version, "KTAP version 1")
        self.assertEqual(b.plan, 4)
        self.assertEqual([r.number for r in b.results], [1, 2, 3, 4])
        self.assertEqual(b.diagnostics, ["a diagnostic"])
        self.assertEqual(b.results[3].description, "fourth")
        self.assertEqual(b.problems(), ["2 second failed"])
        self.assertEqual(b.totals(), {"pass": 1, "fail": 1, "skip": 1, "xfail": 1})

    def test_nested(self):
        b = ktap.parse(NESTED.splitlines())
        self.assertEqual(b.plan, 2)
        outer = b.results[0]
        self.assertFalse(outer.ok)
        self.assertEqual(outer.subtest.plan, 2)
        middle = outer.subtest.results[0]
        self.assertEqual(middle.subtest.results[0].description, "leaf")
        self.assertEqual(outer.subtest.results[1].directive, "TIMEOUT")
        self.assertIsNone(b.results[1].subtest)
        self.assertEqual(b.totals(), {"pass": 2, "fail": 1, "skip": 0, "xfail": 0})

    def test_emit_roundtrip(self):
        for text in (SIMPLE, NESTED):
            b = ktap.parse(text.splitlines())
            self.assertEqual("\n".join(b.emit()) + "\n", text.replace(" - fourth", " fourth"))

    def test_emit_indented(self):
        b = ktap.parse(NESTED.splitlines())
        lines = b.emit(2)
        self.assertTrue(all(l.startswith("  ") for l in lines))
        again = ktap.parse(lines)
        self.assertEqual(again.emit(), b.emit())

    def test_unknown_lines_ignored(self):
        noisy = ["random boot text", "KTAP version 1", "garbage: 1..2 not a plan", "1..2",
                 "ok 1 a", "Some payload chatter", "   ", "ok 2 b", "trailing"]
        b = ktap.parse(noisy)
        self.assertEqual([r.description for r in b.results], ["a", "b"])
        self.assertTrue(b.passed)

    def test_missing_tests_fail_the_plan(self):
        b = ktap.parse(["KTAP version 1", "1..3", "ok 1 a"])
        self.assertFalse(b.passed)
        self.assertIn("planned 3 tests, saw 1", b.problems())

    def test_tap13_and_no_version(self):
        b = ktap.parse(["TAP version 13", "1..1", "ok 1 x"])
        self.assertEqual(b.version, "TAP version 13")
        b = ktap.parse(["1..1", "ok 1 x"])
        self.assertEqual(b.plan, 1)
        self.assertIsNone(ktap.parse(["nothing", "here"]))

    def test_plan_at_end(self):
        b = ktap.parse(["KTAP version 1", "ok 1 a", "ok 2 b", "1..2"])
        self.assertEqual(b.plan, 2)
        self.assertTrue(b.passed)

    def test_subtest_without_result_line(self):
        b = ktap.parse(["KTAP version 1", "1..1", "  KTAP version 1", "  1..2", "  ok 1 a"])
        self.assertEqual(len(b.results), 1)
        self.assertFalse(b.results[0].passed)
        self.assertEqual(b.results[0].subtest.results[0].description, "a")

    def test_deeper_block_start_indented_stream(self):
        # a stream that is entirely indented is parsed relative to its first line
        b = ktap.parse(["    KTAP version 1", "    1..1", "    ok 1 a"])
        self.assertEqual(b.plan, 1)
        self.assertTrue(b.passed)

    def test_tabs_and_crlf(self):
        b = ktap.parse(["KTAP version 1\r", "1..1\r", "ok 1 a\r"])
        self.assertTrue(b.passed)


class Noise(unittest.TestCase):
    def test_kernel_lines_removed(self):
        lines = ["KTAP version 1", "[    3.600849] random: crng init done", "1..1",
                 "[   12.000001] WARNING: at foo", "ok 1 a"]
        user, kernel = ktap.split_kernel_noise(lines)
        self.assertEqual(user, ["KTAP version 1", "1..1", "ok 1 a"])
        self.assertEqual(len(kernel), 2)

    def test_kernel_line_in_the_middle_of_a_user_line(self):
        lines = ["KTAP version 1", "1..1", "ok 1 ar[    3.116458] some kernel message", "gs"]
        user, kernel = ktap.split_kernel_noise(lines)
        self.assertEqual(user[-1], "ok 1 args")
        self.assertEqual(kernel, ["[    3.116458] some kernel message"])
        self.assertTrue(ktap.parse(user).passed)

    def test_kernel_line_before_the_users_newline(self):
        lines = ["  ok 2 x # SKIP why[    4.253544] kernel says", "", "ok 3 y"]
        user, _ = ktap.split_kernel_noise(lines)
        self.assertEqual(user, ["  ok 2 x # SKIP why", "ok 3 y"])

    def test_carriage_returns(self):
        user, _ = ktap.split_kernel_noise(["ok 1 a\r", "\rok 2 b"])
        self.assertEqual(user, ["ok 1 a", "ok 2 b"])

    def test_escape(self):
        self.assertEqual(ktap.escape("panic: a # b\nc"), r"panic: a \# b c")


if __name__ == "__main__":
    unittest.main()
