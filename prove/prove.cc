// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - Bounds, and the validation of the encodings
 */
#include "prove/claims.h"
#include "prove/instance.h"

#include <charconv>

namespace lockstep::prove {

std::vector<std::string> validate_p1(const Bounds &b, int samples, std::uint64_t seed);
std::vector<std::string> validate_p2(const Bounds &b, int samples, std::uint64_t seed);
std::vector<std::string> validate_p3(const Bounds &b, int samples, std::uint64_t seed);

namespace {

struct Field {
	const char *name;
	int Bounds::*member;
	int min, max;
};

/* Each bound, and the range an encoding supports. */
const Field kFields[] = {
	{"depth", &Bounds::depth, 2, 10},	  {"rules", &Bounds::rules, 0, 10},
	{"layers", &Bounds::layers, 1, 16},	  {"rights", &Bounds::rights, 1, kMaxRights},
	{"tasks", &Bounds::tasks, 1, 6},	  {"supervisors", &Bounds::supervisors, 1, 4},
	{"steps", &Bounds::steps, 1, 20},
};

} // namespace

bool parse_bounds(const std::string &text, Bounds &b, std::string *error)
{
	std::size_t at = 0;

	while (at < text.size()) {
		const std::size_t end = std::min(text.find(',', at), text.size());
		const std::string item = text.substr(at, end - at);
		const std::size_t eq = item.find('=');
		bool known = false;

		at = end + 1;
		for (const auto &f : kFields) {
			int v = 0;

			if (eq == std::string::npos || item.substr(0, eq) != f.name)
				continue;
			known = true;
			const auto r = std::from_chars(item.data() + eq + 1,
						       item.data() + item.size(), v);
			if (r.ec != std::errc() || r.ptr != item.data() + item.size() ||
			    v < f.min || v > f.max) {
				*error = "bound " + std::string(f.name) + ": expected " +
					 std::to_string(f.min) + ".." + std::to_string(f.max);
				return false;
			}
			b.*f.member = v;
		}
		if (!known) {
			*error = "unknown bound '" + item + "' (expected depth, rules, layers, "
				 "rights, tasks, supervisors or steps =N)";
			return false;
		}
	}
	return true;
}

std::string format_bounds(const Bounds &b)
{
	std::string s;

	for (const auto &f : kFields)
		s += std::string(s.empty() ? "" : ",") + f.name + "=" + std::to_string(b.*f.member);
	return s;
}

std::vector<std::string> validate(const std::string &claim, const Bounds &b, int samples,
				  std::uint64_t seed)
{
	if (claim == "P1")
		return validate_p1(b, samples, seed);
	if (claim == "P2")
		return validate_p2(b, samples, seed);
	if (claim == "P3")
		return validate_p3(b, samples, seed);
	return {"no validation for " + claim};
}

} // namespace lockstep::prove
