// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep prove - Shared machinery of the claims
 */
#include "prove/claims.h"

namespace lockstep::prove {

std::optional<z3::model> find_model(Enc &e, const z3::expr &query,
				    const std::optional<z3::expr> &minimise, bool *unknown)
{
	z3::params p(e.ctx);

	*unknown = false;
	p.set("timeout", kTimeoutMs);
	if (minimise) {
		z3::optimize o(e.ctx);

		o.set(p);
		o.add(query);
		o.minimize(*minimise);
		const auto r = o.check();
		if (r == z3::unknown)
			*unknown = true;
		if (r != z3::sat)
			return std::nullopt;
		return o.get_model();
	}
	z3::solver s(e.ctx);
	s.set(p);
	s.add(query);
	const auto r = s.check();
	if (r == z3::unknown)
		*unknown = true;
	if (r != z3::sat)
		return std::nullopt;
	return s.get_model();
}

Claim make_claim(const std::string &id, const std::string &text, Status expect)
{
	Claim c;

	c.id = id;
	c.text = text;
	c.expect = expect;
	return c;
}

Outcome decision(bool allowed)
{
	return allowed ? Outcome::ok() : Outcome::error(EACCES);
}

std::string decision_name(bool allowed)
{
	return allowed ? "ok" : "EACCES";
}

std::uint64_t Rng::next()
{
	std::uint64_t z = (x_ += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

const char *status_name(Status s)
{
	switch (s) {
	case Status::proved:
		return "proved";
	case Status::refuted:
		return "refuted";
	case Status::unknown:
		break;
	}
	return "unknown";
}

} // namespace lockstep::prove
