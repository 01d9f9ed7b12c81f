// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep-prove-bench - How long the proofs take, and how fast RapidCheck
 * finds each known violation
 *
 * Printed, never asserted: the time of each claim at the default bounds,
 * how it grows with one bound at a time (a small table), and for each
 * known violation of tests/property the cases and seconds RapidCheck needed
 * to find it (and shrink it), over several seeds.
 *
 * usage: lockstep-prove-bench [--quick] [--seeds N]
 */
#include "prove/prove.h"
#include "tests/property/properties.h"
#include "tests/property/rc_support.h"

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace lockstep;

using Prover = std::vector<prove::Claim> (*)(const prove::Bounds &);

std::vector<prove::Claim> p1(const prove::Bounds &b)
{
	return prove::prove_p1(b);
}

/* Each claim's time at the default bounds. */
void defaults()
{
	const std::pair<const char *, Prover> all[] = {{"P1", p1},
						       {"P2", prove::prove_p2},
						       {"P3", prove::prove_p3},
						       {"P4", prove::prove_p4},
						       {"P5", prove::prove_p5}};
	double total = 0;
	/* Wall time depends on what else runs on the machine: CPU time too. */
	const std::clock_t cpu = std::clock();

	std::printf("## Proofs at the default bounds (%s)\n\n",
		    prove::format_bounds(prove::Bounds{}).c_str());
	std::printf("| claim | result | seconds | claim text |\n|---|---|---|---|\n");
	for (const auto &[name, f] : all) {
		for (const auto &c : f(prove::Bounds{})) {
			std::printf("| %s | %s | %.2f | %s |\n", c.id.c_str(),
				    prove::status_name(c.status), c.seconds, c.text.c_str());
			total += c.seconds;
		}
	}
	std::printf("\ntotal: %.2f s wall, %.2f s CPU\n\n", total,
		    static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC);
}

/* One bound varied, the others at their defaults: seconds per claim group. */
void growth(bool quick)
{
	struct Row {
		const char *claim;
		Prover f;
		const char *bound;
		int prove::Bounds::*member;
		std::vector<int> values;
	};
	const std::vector<Row> rows = {
		{"P1", p1, "depth", &prove::Bounds::depth, {3, 4, 5, 6, 8}},
		{"P1", p1, "layers", &prove::Bounds::layers, {2, 3, 4, 6, 8}},
		{"P1", p1, "rules", &prove::Bounds::rules, {2, 3, 4, 6}},
		{"P2", prove::prove_p2, "depth", &prove::Bounds::depth, {3, 4, 5, 6}},
		{"P2", prove::prove_p2, "layers", &prove::Bounds::layers, {1, 2, 3, 4}},
		{"P3", prove::prove_p3, "depth", &prove::Bounds::depth, {3, 4, 5, 6}},
		{"P3", prove::prove_p3, "layers", &prove::Bounds::layers, {1, 2, 3, 4}},
		{"P4", prove::prove_p4, "steps", &prove::Bounds::steps, {5, 7, 9, 10}},
		{"P4", prove::prove_p4, "tasks", &prove::Bounds::tasks, {2, 3, 4}},
		{"P5", prove::prove_p5, "steps", &prove::Bounds::steps, {3, 6, 9}},
	};

	std::printf("## Growth with one bound (others at their defaults), seconds\n\n");
	std::printf("| claims | bound | values: seconds (all as expected?) |\n|---|---|---|\n");
	for (const auto &r : rows) {
		std::string cells;

		for (std::size_t i = 0; i < r.values.size(); i++) {
			prove::Bounds b;
			bool ok = true;
			double t = 0;

			if (quick && i > 2)
				break;
			b.*r.member = r.values[i];
			for (const auto &c : r.f(b)) {
				ok = ok && c.as_expected();
				t += c.seconds;
			}
			char cell[64];
			std::snprintf(cell, sizeof(cell), "%s%d: %.2f%s", i ? ", " : "", r.values[i],
				      t, ok ? "" : " (!)");
			cells += cell;
		}
		std::printf("| %s | %s | %s |\n", r.claim, r.bound, cells.c_str());
		std::fflush(stdout);
	}
	std::printf("\n(!): not every claim came out as expected at that bound, e.g. a\n"
		    "refutation whose shortest counterexample needs more operations.\n\n");
}

/* RapidCheck: cases and seconds to find (and shrink) each known violation. */
void violations(int seeds)
{
	std::printf("## RapidCheck: finding each known violation (%d seeds)\n\n", seeds);
	std::printf("| violation | found | cases to find (mean, max) | seconds with shrinking "
		    "(mean, max) |\n|---|---|---|---|\n");
	for (const auto &v : prop::known_violations()) {
		int found = 0, max_cases = 0;
		double sum_cases = 0, sum_s = 0, max_s = 0;

		for (int s = 0; s < seeds; s++) {
			const prop::Search r =
				prop::search(v.name, v.property, v.runs, 1000 + s * 7919);

			found += r.found;
			sum_cases += r.tests;
			max_cases = std::max(max_cases, r.tests);
			sum_s += r.seconds;
			max_s = std::max(max_s, r.seconds);
		}
		std::printf("| %s | %d/%d | %.1f, %d | %.2f, %.2f |\n", v.name.c_str(), found, seeds,
			    sum_cases / seeds, max_cases, sum_s / seeds, max_s);
		std::fflush(stdout);
	}
	std::printf("\n");
}

} // namespace

int main(int argc, char **argv)
{
	bool quick = false;
	int seeds = 5;

	for (int i = 1; i < argc; i++) {
		if (!std::strcmp(argv[i], "--quick"))
			quick = true;
		else if (!std::strcmp(argv[i], "--seeds") && i + 1 < argc)
			seeds = std::atoi(argv[++i]);
		else {
			std::fprintf(stderr, "usage: lockstep-prove-bench [--quick] [--seeds N]\n");
			return 2;
		}
	}
	defaults();
	growth(quick);
	violations(quick ? 3 : seeds);
	return 0;
}
