// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep fuzz - What the targets share: findings, replays, invariants
 */
#include "fuzz/harness.h"

#include "conformance/trace/parser.h"
#include "conformance/trace/printer.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <algorithm>
#include <functional>

namespace lockstep::fuzz {

namespace {

struct Current {
	std::string target;
	Trace trace;
	Profile profile;
};

Current &current()
{
	static Current c;

	return c;
}

std::string findings_dir()
{
	const char *d = std::getenv("LOCKSTEP_FUZZ_FINDINGS");

	return d && *d ? d : ".";
}

} // namespace

std::string finding_text(const Finding &f)
{
	Trace t = f.trace;

	t.doc.clear();
	t.doc.push_back(f.target + " finding");
	t.doc.push_back("");
	for (const auto &line : f.doc)
		t.doc.push_back(line);
	t.doc.push_back("");
	t.doc.push_back(explain_command(f.profile));
	if (f.pin_step && *f.pin_step < t.steps.size())
		t.steps[*f.pin_step].expect = OutcomeSet(f.pin);
	return trace::print_trace(t);
}

void report(const Finding &f)
{
	const std::string text = finding_text(f);
	const std::string path = findings_dir() + "/" + f.target + "-" +
				 std::to_string(std::hash<std::string>{}(text) % 1000000007) +
				 ".trace";

	std::fprintf(stderr, "\n==== lockstep %s: FINDING ====\n%s==== end of trace ====\n",
		     f.target.c_str(), text.c_str());
	if (std::ofstream(path) << text)
		std::fprintf(stderr, "lockstep %s: trace written to %s\n", f.target.c_str(),
			     path.c_str());
	std::fflush(stderr);
	std::abort();
}

void set_current(const std::string &target, const Trace &t, const Profile &p)
{
	current() = Current{target, t, p};
}

void fail_current(const std::string &what)
{
	Finding f;

	f.target = current().target;
	f.trace = current().trace;
	f.profile = current().profile;
	f.doc.push_back(what);
	report(f);
}

void check_roundtrip(const Trace &t)
{
	const std::string text = trace::print_trace(t);
	const auto back = trace::parse_trace(text, std::string(trace_name) + ".trace");

	if (!back.ok())
		fail_current("the printed trace does not parse: " + back.error().format());
	if (!(back.trace() == t))
		fail_current("the printed trace parses into another trace");
}

std::uint64_t Rng::next()
{
	std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

Outcome as_observed(const OutcomeSet &allowed, std::size_t i)
{
	Outcome o = allowed.items().at(i);

	/* A file descriptor: the kernel returns some number. */
	if (o.success() && !o.value)
		o.value = 5;
	return o;
}

std::string profile_flag(const Profile &p)
{
	Profile q = p;

	q.variants = Variants{};
	return format_profile(q);
}

std::string explain_command(const Profile &p)
{
	std::string cmd = "lockstep explain --profile " + profile_flag(p);
	const std::string v = format_variants(p.variants);

	for (std::size_t start = 0; start < v.size();) {
		const auto comma = std::min(v.find(',', start), v.size());

		cmd += " --variant " + v.substr(start, comma - start);
		start = comma + 1;
	}
	return cmd + " FILE";
}

const Ruleset *ruleset_of(const State &s, const std::string &task, const FdRef &ref)
{
	const auto t = s.task_index(task);

	if (!t)
		return nullptr;
	const Process &proc = s.processes[s.tasks[*t].process];
	int fd = ref.raw;
	if (!ref.is_raw()) {
		const auto it = proc.names.find(ref.name);

		fd = it == proc.names.end() ? -1 : it->second;
	}
	const auto f = proc.fds.find(fd);
	if (f == proc.fds.end() || s.files[f->second].kind != FileKind::ruleset)
		return nullptr;
	return &s.rulesets[s.files[f->second].ruleset];
}

bool print_requested()
{
	static const bool on = [] {
		const char *v = std::getenv("LOCKSTEP_FUZZ_PRINT");

		return v && *v && *v != '0';
	}();

	return on;
}

} // namespace lockstep::fuzz
