/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep fuzz - Fuzzer bytes to valid traces, and back
 *
 * Every byte string decodes into a valid trace (one that parses back from
 * its printed form), so that libFuzzer's mutations always reach the model
 * or the kernel instead of the parser's error paths.  An input is:
 *
 *   byte 0       mode: even = codec, odd = generator
 *   bytes 1..8   the profile (ABI, errata, privilege) and a seed for the
 *                outcomes a harness picks among the allowed ones
 *   the rest     codec: a compact serialisation of a whole trace (every
 *                operation, argument form and tree entry of LANGUAGE.md);
 *                generator: the choices of gen::generate_trace() (layered
 *                traces over a fixed tree: few bytes, many layers)
 *
 * Numbers are read as the fewest little-endian bytes that hold the bound,
 * modulo the bound, and a missing byte reads as zero, so inputs grow and
 * shrink gracefully.  The codec mode has an encoder: a corpus trace (after
 * renaming its paths, names and tasks into the codec's pools) becomes an
 * input that decodes into it, which is how seeds are made from
 * conformance/cases/.  The generator mode's encoder records a seeded
 * generator's choices.
 */
#pragma once

#include "conformance/generate/generator.h"
#include "model/ops.h"
#include "model/profile.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lockstep::fuzz {

using Bytes = std::vector<std::uint8_t>;

/* Reads bounded numbers from fuzzer bytes; zeros once they run out. */
class ByteReader {
public:
	explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

	/* A number in [0, bound); 0 when bound <= 1 (no byte read). */
	std::uint64_t choose(std::uint64_t bound);
	/* A full 64-bit number (8 bytes). */
	std::uint64_t raw64();
	bool exhausted() const { return pos_ >= data_.size(); }
	std::size_t position() const { return pos_; }

private:
	std::span<const std::uint8_t> data_;
	std::size_t pos_ = 0;
};

/* Writes what ByteReader reads back. */
class ByteWriter {
public:
	void put(std::uint64_t value, std::uint64_t bound);
	void put_raw64(std::uint64_t value);
	Bytes &bytes() { return out_; }

private:
	Bytes out_;
};

/* How many bytes choose(@bound) reads. */
int bytes_for(std::uint64_t bound);

/**
 * struct Header - the first bytes of every input
 *
 * @generator: the trace comes from gen::generate_trace().
 * @profile: the kernel the model predicts (fuzz_model, fuzz_variants); the
 *           kernel target uses the probed profile instead.
 * @explain: build the model's explanations (they must not change outcomes).
 * @seed: which allowed outcome a harness follows at each step.
 */
struct Header {
	bool generator = false;
	Profile profile;
	bool explain = false;
	std::uint8_t seed = 0;
};

inline constexpr std::size_t header_size = 9;

Header decode_header(ByteReader &in);
void encode_header(ByteWriter &out, const Header &h);

/**
 * struct DecodeOptions - what decoded traces may contain
 *
 * @mainline: for the running kernel: no model-only steps (resume, pause=),
 *            no variant or requires lines but "requires root", no signal
 *            that kills a task (the model has no task death).
 * @max_steps: a longer input is cut there.
 * @profile: the running kernel's profile, which replaces the header's.
 */
struct DecodeOptions {
	bool mainline = false;
	std::size_t max_steps = 48;
	std::optional<Profile> profile;
};

/* The trace of @in (after the header), in codec mode. */
Trace decode_trace(ByteReader &in, const DecodeOptions &opts);

/*
 * The trace of @in in generator mode, for ABI @abi: GenOptions (layers,
 * steps, net, scopes) are read first, then the generator's choices.
 */
Trace decode_generated(ByteReader &in, int abi, bool root);

/*
 * Clear what gen::generate_trace() sets but no trace line says: a unix
 * address's abstract name when it is a path, its path when it is abstract
 * (the generator fills in both).  Otherwise a generated trace and its
 * printed form differ, and the targets' round-trip check stops on every
 * generated input.
 */
void clear_unprinted(Trace &t);

/* A whole input: header, then the trace in the header's mode. */
struct Decoded {
	Header header;
	Trace trace;
};
Decoded decode_input(std::span<const std::uint8_t> data, const DecodeOptions &opts);

/*
 * Rename @t's paths, fd names, tasks and abstract socket names into the
 * codec's pools, drop what the codec does not carry (doc, pinned outcomes)
 * and sort out what it cannot say.  nullopt (and *why) when @t uses more
 * distinct names than the pools hold, or numbers out of the codec's range.
 */
std::optional<Trace> canonicalize(const Trace &t, std::string *why);

/* The codec bytes of a canonical trace (canonicalize()), after the header. */
std::optional<Bytes> encode_trace(const Trace &canonical, std::string *why);

/*
 * A whole codec-mode input for corpus trace @t: header @h, then @t.  The
 * result decodes into canonicalize(@t) (checked); nullopt and *why if not.
 */
std::optional<Bytes> encode_input(const Trace &t, const Header &h, std::string *why);

/* A whole generator-mode input: the choices of a generator seeded with @seed. */
Bytes generator_input(std::uint64_t seed, const Header &h);

/* The name decoded traces carry: parse_trace(text, "fuzz.trace") gives it. */
inline constexpr const char *trace_name = "fuzz";

} // namespace lockstep::fuzz
