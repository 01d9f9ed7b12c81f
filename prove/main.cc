// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep-prove - Bounded proofs of the model's promises (Z3)
 *
 * Run by `lockstep prove` (which execs it from its own directory), or
 * directly.  Prints one line per claim: proved, or refuted with the
 * counterexample trace; exit 0 when every claim came out as expected
 * (promises proved, design alternatives refuted), 1 otherwise, 2 for bad
 * usage.
 */
#include "prove/prove.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

using namespace lockstep::prove;

constexpr const char *help_text =
	"usage: lockstep prove [--bound K=V,...] [--depth N] [--rules N] [--layers N]\n"
	"                      [--rights N] [--tasks N] [--supervisors N] [--steps N]\n"
	"                      [--mutant any-layer|skip-object] [--validate N]\n"
	"                      [--trace-dir DIR] [--quiet] [P1 P2 P3 P4 P5]\n"
	"\n"
	"Bounded proofs, with Z3, of what the model promises, and counterexamples\n"
	"(traces in the trace language, runnable by 'lockstep explain --profile\n"
	"abi=12') to the design alternatives that break it:\n"
	"  P1  the kernel's walk (per-layer masks, early exit) decides as the\n"
	"      declarative definition\n"
	"  P2  check=snapshot is atomic under commits between walk steps;\n"
	"      check=per-step is not\n"
	"  P3  commit=copy-swap is atomic; commit=in-place is not\n"
	"  P4  acyclic=bind-on-first-use: no wait-for deadlock; commit-outside: no\n"
	"      self-supervision, but a two-supervisor cycle; none: self-supervision\n"
	"  P5  the shortest trace on which the optional= variants differ\n"
	"\n"
	"Bounds (defaults): depth=4 dentries, rules=3 per ruleset, layers=3,\n"
	"rights=2 (read_file, write_file; 3 adds truncate), tasks=3,\n"
	"supervisors=2, steps=9 operations (P4, P5).\n"
	"  --mutant M      prove P1 for a deliberately wrong walk (expects a\n"
	"                  counterexample)\n"
	"  --validate N    also check the encodings of P1-P3 against the model\n"
	"                  on N random instances each\n"
	"  --trace-dir D   write each counterexample to D/ID-N.trace\n"
	"  --quiet         no traces on stdout\n"
	"\n"
	"Exit status: 0 when every claim came out as expected, 1 otherwise, 2 for\n"
	"bad usage.\n";

bool is_directory(const std::string &path)
{
	struct stat st;

	return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int usage(const std::string &msg)
{
	std::fprintf(stderr, "lockstep prove: %s (see lockstep prove --help)\n", msg.c_str());
	return 2;
}

void print_claim(const Claim &c, bool quiet)
{
	std::printf("%-4s %-8s %7.2f s  %s%s\n", c.id.c_str(), status_name(c.status),
		    c.seconds, c.text.c_str(), c.as_expected() ? "" : "   [UNEXPECTED]");
	if (!c.note.empty())
		std::printf("                        %s\n", c.note.c_str());
	if (!c.trace.empty() && !quiet) {
		std::string line;

		for (const char ch : c.trace) {
			if (ch != '\n') {
				line += ch;
				continue;
			}
			std::printf("    %s\n", line.c_str());
			line.clear();
		}
	}
}

} // namespace

int main(int argc, char **argv)
{
	Bounds b;
	std::vector<std::string> which;
	std::string mutant, trace_dir;
	int validate_n = 0;
	bool quiet = false;
	std::string error;

	/* "--K=V" is "--K V". */
	std::vector<std::string> words;
	for (int i = 1; i < argc; i++) {
		const std::string a = argv[i];
		const auto eq = a.find('=');

		if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
			words.push_back(a.substr(0, eq));
			words.push_back(a.substr(eq + 1));
		} else {
			words.push_back(a);
		}
	}
	for (std::size_t i = 0; i < words.size(); i++) {
		const std::string &a = words[i];
		const auto next = [&]() -> const std::string * {
			return i + 1 < words.size() ? &words[++i] : nullptr;
		};

		if (a == "--help" || a == "-h") {
			std::fputs(help_text, stdout);
			return 0;
		}
		if (a == "prove")
			continue;
		if (a == "--quiet" || a == "-q") {
			quiet = true;
		} else if (a == "--bound" || a == "--bounds") {
			const std::string *v = next();
			if (!v || !parse_bounds(*v, b, &error))
				return usage(v ? error : "--bound needs K=V,...");
		} else if (a == "--mutant") {
			const std::string *v = next();
			if (!v || (*v != "any-layer" && *v != "skip-object"))
				return usage("--mutant: expected any-layer or skip-object");
			mutant = *v;
		} else if (a == "--validate") {
			const std::string *v = next();
			if (!v || (validate_n = std::atoi(v->c_str())) <= 0)
				return usage("--validate needs a positive number");
		} else if (a == "--trace-dir") {
			const std::string *v = next();
			if (!v)
				return usage("--trace-dir needs a directory");
			if (!is_directory(*v))
				return usage("--trace-dir: " + *v + " is not a directory");
			trace_dir = *v;
		} else if (a.rfind("--", 0) == 0) {
			/* --depth N and the other bounds; anything else is unknown. */
			Bounds probe;
			if (!parse_bounds(a.substr(2) + "=2", probe, &error) &&
			    error.rfind("unknown", 0) == 0)
				return usage("unknown option '" + a + "'");
			const std::string *v = next();
			if (!v || !parse_bounds(a.substr(2) + "=" + *v, b, &error))
				return usage(v ? error : a + " needs a value");
		} else if (a.size() == 2 && a[0] == 'P' && a[1] >= '1' && a[1] <= '5') {
			which.push_back(a);
		} else {
			return usage("unknown argument '" + a + "'");
		}
	}
	if (which.empty())
		which = {"P1", "P2", "P3", "P4", "P5"};
	std::printf("lockstep prove: bounds %s\n", format_bounds(b).c_str());
	bool ok = true;
	int n = 0;
	for (const auto &p : which) {
		std::vector<Claim> claims;

		if (p == "P1")
			claims = prove_p1(b, mutant);
		else if (p == "P2")
			claims = prove_p2(b);
		else if (p == "P3")
			claims = prove_p3(b);
		else if (p == "P4")
			claims = prove_p4(b);
		else
			claims = prove_p5(b);
		for (const auto &c : claims) {
			print_claim(c, quiet);
			ok = ok && c.as_expected() && c.note.find("DISAGREE") == std::string::npos;
			if (!c.trace.empty() && !trace_dir.empty()) {
				std::string id = c.id;
				for (auto &ch : id)
					if (ch == '+' || ch == '-')
						ch = ch == '+' ? 'p' : 'n';
				const std::string file = trace_dir + "/" + id + "-" +
							 std::to_string(++n) + ".trace";
				std::ofstream out(file);

				if (!(out << c.trace)) {
					std::fprintf(stderr, "lockstep prove: cannot write %s\n",
						     file.c_str());
					return 2;
				}
			}
		}
		if (validate_n && (p == "P1" || p == "P2" || p == "P3")) {
			const auto errors = validate(p, b, validate_n, 1);

			std::printf("%-4s %-8s            encoding against the model on %d random "
				    "instances\n",
				    p.c_str(), errors.empty() ? "agrees" : "DISAGREES", validate_n);
			for (const auto &e : errors)
				std::printf("                        %s\n", e.c_str());
			ok = ok && errors.empty();
		}
	}
	return ok ? 0 : 1;
}
