// SPDX-License-Identifier: GPL-2.0-only
/*
 * Robustness of the parser on mutated traces: whatever the input, the parser
 * either reports one positioned error line, or returns a trace that prints
 * and parses back to itself.
 */
#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"

#include <gtest/gtest.h>

#include <random>

namespace lockstep::trace {
namespace {

constexpr std::string_view seed_trace =
	"# seed\n"
	"requires abi >= 4\n"
	"variant check=per-step\n"
	"dir /a\n"
	"file /a/f exec\n"
	"symlink /a/l -> f\n"
	"chardev /a/c 1:5\n"
	"mount bind /a /a\n"
	"main: r = create_ruleset fs=read_file,execute net=bind_tcp flags=0 size=48\n"
	"main: d = open /a path directory\n"
	"main: add_rule r path_beneath $d/f fs=read_file flags=quiet\n"
	"main: add_rule r net_port 80 net=bind_tcp\n"
	"main: add_rule r type=0 attr=null flags=commit\n"
	"main: restrict_self r flags=tsync => ok|EINVAL\n"
	"main: fork c\n"
	"c: thread t\n"
	"t: s = socket unix_stream\n"
	"t: connect s unspec-any:8 addrlen=4\n"
	"t: x = pass_fd s to main\n"
	"main: mknod /a/n char 1:7 pause=2 => EACCES\n"
	"main: rename /a/f $d/g exchange\n"
	"main: tkill t sig=9\n"
	"main: resume t\n";

/* One random edit: delete, insert or duplicate a few bytes. */
std::string mutate(std::string text, std::mt19937 &rng)
{
	constexpr std::string_view alphabet = " \t\n=:/$|#,>-_.@0123456789xrfdsat";
	const std::size_t pos = rng() % (text.size() + 1);

	switch (rng() % 3) {
	case 0:
		text.erase(pos, 1 + rng() % 3);
		break;
	case 1:
		text.insert(pos, 1, alphabet[rng() % alphabet.size()]);
		break;
	default:
		text.insert(pos, text.substr(rng() % text.size(), 1 + rng() % 6));
		break;
	}
	return text;
}

void check_one(const std::string &text)
{
	const ParseResult r = parse_trace(text, "m.trace", "m");

	if (!r.ok()) {
		const ParseError &e = r.error();

		EXPECT_GE(e.line, 1) << text;
		EXPECT_GE(e.col, 1) << text;
		EXPECT_EQ(e.format().find('\n'), std::string::npos) << e.format();
		return;
	}
	const std::string printed = print_trace(r.trace());
	const ParseResult again = parse_trace(printed, "m.trace", "m");

	ASSERT_TRUE(again.ok()) << again.error().format() << "\nprinted:\n"
				<< printed << "\nfrom:\n" << text;
	EXPECT_EQ(again.trace(), r.trace()) << text;
	EXPECT_EQ(print_trace(again.trace()), printed);
}

TEST(Mutation, SeedParses)
{
	EXPECT_TRUE(parse_trace(seed_trace, "m.trace").ok())
		<< parse_trace(seed_trace, "m.trace").error().format();
}

TEST(Mutation, ErrorsArePositionedOrTracesRoundTrip)
{
	std::mt19937 rng(55213);
	int parsed = 0;

	for (int i = 0; i < 3000; i++) {
		std::string text(seed_trace);

		for (unsigned k = 1 + (rng() % 4 == 0); k > 0; k--)
			text = mutate(std::move(text), rng);
		check_one(text);
		parsed += parse_trace(text, "m.trace").ok();
	}
	/* Both outcomes are exercised, or the test proves little. */
	EXPECT_GT(parsed, 100) << "parsed";
	EXPECT_LT(parsed, 2900) << "parsed";
}

} // namespace
} // namespace lockstep::trace
