/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - Kernel profile and model variants
 *
 * A profile names the kernel whose behaviour is predicted: its Landlock ABI,
 * which errata it has fixed, and (for the supervisor extension) which answer
 * to each open design question it implements ([profile]).
 */
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lockstep {

/* [profile.errata] What the model knows about one erratum. */
enum class Erratum : std::uint8_t {
	fixed,
	not_fixed,
	unknown, /* both behaviours are allowed */
};

inline constexpr int num_errata = 4;

/* [sup.check] Which committed supervisor ruleset a path walk reads. */
enum class CheckVariant : std::uint8_t { snapshot, per_step };
/* [sup.commit] How a commit publishes the staged rules. */
enum class CommitVariant : std::uint8_t { copy_swap, in_place };
/* [sup.optional] When truncate and device ioctl are decided. */
enum class OptionalVariant : std::uint8_t { open_time, operation_time };
/* [sup.acyclic] Which rule prevents self-supervision deadlocks. */
enum class AcyclicVariant : std::uint8_t { commit_outside, bind_on_first_use, none };

/**
 * struct Variants - one answer to each open question of the supervisor RFC
 *
 * The defaults are the proposal's answers, see SPEC.md [sup.defaults].
 */
struct Variants {
	CheckVariant check = CheckVariant::snapshot;
	CommitVariant commit = CommitVariant::copy_swap;
	OptionalVariant optional = OptionalVariant::open_time;
	AcyclicVariant acyclic = AcyclicVariant::commit_outside;

	bool operator==(const Variants &) const = default;
};

/**
 * struct Profile - the kernel being predicted
 *
 * @abi: value of landlock_create_ruleset(NULL, 0, VERSION); 0 means Landlock
 *       is built in but disabled at boot (every syscall gives EOPNOTSUPP).
 *       supervisor_abi (12) means mainline 11 plus the supervisor extension.
 * @errata: state of errata 1..4 (index 0 is erratum 1).
 * @errata_queryable: whether the ERRATA flag is understood by the kernel.
 * @root: whether the tasks run with CAP_SYS_ADMIN (and the other
 *        capabilities) in the initial user namespace.
 */
struct Profile {
	int abi = 7;
	std::array<Erratum, num_errata> errata{Erratum::fixed, Erratum::fixed,
					       Erratum::fixed, Erratum::not_fixed};
	bool errata_queryable = true;
	bool root = true;
	Variants variants{};

	bool supervisor() const;
	Erratum erratum(int number) const { return errata.at(number - 1); }
	/* The bitmask a kernel of this profile returns for the errata query. */
	std::uint32_t errata_mask() const;

	bool operator==(const Profile &) const = default;
};

/*
 * The profile of this machine's kernel as measured (6.18: ABI 7, errata 1-3
 * fixed, erratum 4 not fixed), which is the default of `lockstep explain`.
 */
Profile host_reference_profile();

/*
 * Parse "abi=7,errata=1+2+3" (errata not listed are not fixed), "errata=unknown",
 * "errata=1+2?4" ("?" before a number: unknown), "root=0", "check=per-step"...
 * Returns nullopt and sets *error on bad input.
 */
std::optional<Profile> parse_profile(std::string_view text, std::string *error,
				     Profile base = host_reference_profile());
/* Apply one "key=value" variant setting ("check=per-step"). */
bool parse_variant(std::string_view text, Variants &v, std::string *error);

std::string format_profile(const Profile &p);
std::string format_variants(const Variants &v);
/* Only the settings that differ from the defaults, "" if none. */
std::string format_variant_overrides(const Variants &v);

} // namespace lockstep
