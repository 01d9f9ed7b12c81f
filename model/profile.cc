// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Kernel profile and model variants
 */
#include "model/profile.h"

#include "model/access.h"

#include <charconv>
#include <string>
#include <vector>

namespace lockstep {

namespace {

struct VariantName {
	std::string_view key;
	std::string_view value;
	void (*apply)(Variants &);
};

const VariantName variant_names[] = {
	{"check", "snapshot", [](Variants &v) { v.check = CheckVariant::snapshot; }},
	{"check", "per-step", [](Variants &v) { v.check = CheckVariant::per_step; }},
	{"commit", "copy-swap", [](Variants &v) { v.commit = CommitVariant::copy_swap; }},
	{"commit", "in-place", [](Variants &v) { v.commit = CommitVariant::in_place; }},
	{"optional", "open-time",
	 [](Variants &v) { v.optional = OptionalVariant::open_time; }},
	{"optional", "operation-time",
	 [](Variants &v) { v.optional = OptionalVariant::operation_time; }},
	{"acyclic", "commit-outside",
	 [](Variants &v) { v.acyclic = AcyclicVariant::commit_outside; }},
	{"acyclic", "bind-on-first-use",
	 [](Variants &v) { v.acyclic = AcyclicVariant::bind_on_first_use; }},
	{"acyclic", "none", [](Variants &v) { v.acyclic = AcyclicVariant::none; }},
};

std::vector<std::string_view> split(std::string_view s, char sep)
{
	std::vector<std::string_view> out;

	while (true) {
		const auto pos = s.find(sep);

		out.push_back(s.substr(0, pos));
		if (pos == std::string_view::npos)
			return out;
		s = s.substr(pos + 1);
	}
}

bool parse_int(std::string_view s, int &out)
{
	const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);

	return ec == std::errc{} && p == s.data() + s.size();
}

bool parse_errata(std::string_view value, Profile &p, std::string *error)
{
	if (value == "unknown" || value == "none-queryable") {
		p.errata.fill(Erratum::unknown);
		p.errata_queryable = false;
		return true;
	}
	p.errata.fill(Erratum::not_fixed);
	p.errata_queryable = true;
	if (value == "none" || value == "0")
		return true;
	for (auto item : split(value, '+')) {
		Erratum state = Erratum::fixed;
		int n = 0;

		if (item.starts_with("?")) {
			state = Erratum::unknown;
			item.remove_prefix(1);
		}
		if (!parse_int(item, n) || n < 1 || n > num_errata) {
			*error = "errata: expected numbers 1.." +
				 std::to_string(num_errata) +
				 " joined by '+' (a '?' prefix means unknown), "
				 "'none' or 'unknown', got '" +
				 std::string(item) + "'";
			return false;
		}
		p.errata[n - 1] = state;
	}
	return true;
}

} // namespace

bool Profile::supervisor() const { return abi >= supervisor_abi; }

std::uint32_t Profile::errata_mask() const
{
	std::uint32_t mask = 0;

	for (int i = 0; i < num_errata; i++)
		if (errata[i] == Erratum::fixed)
			mask |= 1u << i;
	return mask;
}

/* [profile.abi] The host: ABI 7, errata 1-3 fixed, erratum 4 not, root. */
Profile host_reference_profile() { return Profile{}; }

bool parse_variant(std::string_view text, Variants &v, std::string *error)
{
	const auto eq = text.find('=');

	if (eq == std::string_view::npos) {
		*error = "expected key=value, got '" + std::string(text) + "'";
		return false;
	}
	const auto key = text.substr(0, eq);
	const auto value = text.substr(eq + 1);
	std::string known;

	for (const auto &n : variant_names) {
		if (n.key != key)
			continue;
		if (n.value == value) {
			n.apply(v);
			return true;
		}
		known += known.empty() ? "" : ", ";
		known += n.value;
	}
	if (known.empty())
		*error = "unknown variant '" + std::string(key) +
			 "' (known: check, commit, optional, acyclic)";
	else
		*error = "unknown value '" + std::string(value) + "' for " +
			 std::string(key) + " (known: " + known + ")";
	return false;
}

std::optional<Profile> parse_profile(std::string_view text, std::string *error,
				     Profile base)
{
	Profile p = base;

	if (text.empty())
		return p;
	for (const auto item : split(text, ',')) {
		const auto eq = item.find('=');
		const auto key = item.substr(0, eq);
		const auto value = eq == std::string_view::npos
					   ? std::string_view{}
					   : item.substr(eq + 1);

		if (eq == std::string_view::npos) {
			*error = "profile: expected key=value, got '" +
				 std::string(item) + "'";
			return std::nullopt;
		}
		if (key == "abi") {
			if (!parse_int(value, p.abi) || p.abi < 0 ||
			    p.abi > supervisor_abi) {
				*error = "profile: abi must be 0.." +
					 std::to_string(supervisor_abi) +
					 ", got '" + std::string(value) + "'";
				return std::nullopt;
			}
		} else if (key == "errata") {
			if (!parse_errata(value, p, error))
				return std::nullopt;
		} else if (key == "root") {
			if (value != "0" && value != "1") {
				*error = "profile: root must be 0 or 1";
				return std::nullopt;
			}
			p.root = value == "1";
		} else if (!parse_variant(item, p.variants, error)) {
			*error = "profile: " + *error;
			return std::nullopt;
		}
	}
	return p;
}

std::string format_variants(const Variants &v)
{
	std::string out;

	for (const auto &n : variant_names) {
		Variants probe = v;

		n.apply(probe);
		if (probe == v) {
			out += out.empty() ? "" : ",";
			out += std::string(n.key) + "=" + std::string(n.value);
		}
	}
	return out;
}

std::string format_variant_overrides(const Variants &v)
{
	const Variants def{};
	std::string out;

	for (const auto &n : variant_names) {
		Variants probe = v, probe_def = def;

		n.apply(probe);
		n.apply(probe_def);
		/* This name is v's value for its key, and not the default's. */
		if (probe == v && !(probe_def == def)) {
			out += out.empty() ? "" : ",";
			out += std::string(n.key) + "=" + std::string(n.value);
		}
	}
	return out;
}

std::string format_profile(const Profile &p)
{
	std::string out = "abi=" + std::to_string(p.abi) + ",errata=";

	if (!p.errata_queryable) {
		out += "unknown";
	} else {
		std::string list;

		for (int i = 0; i < num_errata; i++) {
			if (p.errata[i] == Erratum::not_fixed)
				continue;
			list += list.empty() ? "" : "+";
			list += (p.errata[i] == Erratum::unknown ? "?" : "") +
				std::to_string(i + 1);
		}
		out += list.empty() ? "none" : list;
	}
	if (!p.root)
		out += ",root=0";
	const auto v = format_variant_overrides(p.variants);
	if (!v.empty())
		out += "," + v;
	return out;
}

} // namespace lockstep
