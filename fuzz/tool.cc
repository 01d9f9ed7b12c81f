// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep-fuzz-tool - seeds, decoding and the dictionary of the fuzz targets
 *
 *   seeds OUTDIR [--generated N] [PATH...]
 *        one codec input per corpus trace (conformance/cases/ by default) the
 *        codec can carry, its header naming the kernel the trace is about,
 *        plus N generator inputs (seeded generator runs); the corpus traces
 *        themselves go to OUTDIR/text (the parser target's seeds)
 *   decode [--mainline] [--profile P] INPUT...
 *        print the trace each input decodes into, as the targets see it
 *        (--mainline: as fuzz_kernel does, for the kernel profile P)
 *   dict
 *        print the libFuzzer dictionary of the trace language (fuzz/trace.dict)
 */
#include "conformance/runner/corpus.h"
#include "conformance/trace/printer.h"
#include "conformance/trace/words.h"
#include "fuzz/codec.h"
#include "fuzz/harness.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

using namespace lockstep;
using namespace lockstep::fuzz;

namespace {

int usage()
{
	std::fputs("usage: lockstep-fuzz-tool seeds OUTDIR [--generated N] [PATH...]\n"
		   "       lockstep-fuzz-tool decode [--mainline] [--profile P] INPUT...\n"
		   "       lockstep-fuzz-tool dict\n",
		   stderr);
	return 2;
}

bool write_file(const std::string &path, const void *data, std::size_t size)
{
	std::ofstream out(path, std::ios::binary);

	out.write(static_cast<const char *>(data), static_cast<std::streamsize>(size));
	return static_cast<bool>(out);
}

/* The kernel a corpus trace is about: the supervisor's, or the host's. */
Header header_for(const Trace &t)
{
	Header h;

	h.profile = host_reference_profile();
	for (const auto &r : t.requires_)
		if (r.kind == Requirement::Kind::supervisor ||
		    (r.kind == Requirement::Kind::abi_at_least && r.abi > h.profile.abi))
			h.profile.abi = r.kind == Requirement::Kind::supervisor ? supervisor_abi : r.abi;
	return h;
}

int seeds(std::vector<std::string> args)
{
	std::size_t generated = 0;
	std::vector<std::string> paths;

	if (args.empty())
		return usage();
	const std::string out = args[0];
	for (std::size_t i = 1; i < args.size(); i++) {
		if (args[i] == "--generated" && i + 1 < args.size())
			generated = std::stoul(args[++i]);
		else
			paths.push_back(args[i]);
	}
	if (paths.empty())
		paths.push_back(runner::default_corpus(nullptr));
	std::vector<runner::Case> cases;
	std::string error;
	if (!runner::load_cases(paths, cases, &error)) {
		std::fprintf(stderr, "lockstep-fuzz-tool: %s\n", error.c_str());
		return 2;
	}
	std::filesystem::create_directories(out + "/codec");
	std::filesystem::create_directories(out + "/text");
	std::size_t encoded = 0;
	for (const auto &c : cases) {
		std::string stem = c.name, why;

		for (auto &ch : stem)
			ch = ch == '/' ? '_' : ch;
		const std::string text = trace::print_trace(c.trace);
		write_file(out + "/text/" + stem + ".trace", text.data(), text.size());
		const auto bytes = encode_input(c.trace, header_for(c.trace), &why);
		if (!bytes) {
			std::fprintf(stderr, "lockstep-fuzz-tool: %s: not carried by the codec: %s\n",
				     c.name.c_str(), why.c_str());
			continue;
		}
		write_file(out + "/codec/" + stem, bytes->data(), bytes->size());
		encoded++;
	}
	for (std::size_t i = 0; i < generated; i++) {
		const Bytes b = generator_input(0x10c5'7e90 + i, Header{});

		write_file(out + "/codec/generated-" + std::to_string(i), b.data(), b.size());
	}
	std::fprintf(stderr, "lockstep-fuzz-tool: %zu of %zu corpus traces encoded, %zu generated\n",
		     encoded, cases.size(), generated);
	return 0;
}

int decode(std::vector<std::string> args)
{
	DecodeOptions opts;

	opts.max_steps = 64;
	for (std::size_t i = 0; i < args.size(); i++) {
		if (args[i] == "--mainline") {
			opts.mainline = true;
			opts.max_steps = 32;
			if (!opts.profile)
				opts.profile = host_reference_profile();
			continue;
		}
		if (args[i] == "--profile" && i + 1 < args.size()) {
			std::string error;
			const auto p = parse_profile(args[++i], &error);

			if (!p) {
				std::fprintf(stderr, "lockstep-fuzz-tool: %s\n", error.c_str());
				return 2;
			}
			opts.profile = *p;
			continue;
		}
		std::ifstream in(args[i], std::ios::binary);
		const Bytes data{std::istreambuf_iterator<char>(in), {}};
		if (!in && !in.eof()) {
			std::fprintf(stderr, "lockstep-fuzz-tool: cannot read %s\n", args[i].c_str());
			return 2;
		}
		const Decoded d = decode_input(data, opts);
		Profile p = d.header.profile;
		if (d.trace.variants)
			p.variants = *d.trace.variants;
		std::printf("# %s\n# %s\n\n%s", args[i].c_str(), explain_command(p).c_str(),
			    trace::print_trace(d.trace).c_str());
	}
	return 0;
}

/* ---- The dictionary ---- */

void add_names(std::set<std::string> &out, std::span<const FlagName> names)
{
	for (const auto &n : names)
		out.insert(std::string(n.name));
}

template <class T, std::size_t N>
void add_words(std::set<std::string> &out, const std::array<trace::Word<T>, N> &words)
{
	for (const auto &w : words)
		out.insert(std::string(w.name));
}

/* Every operation keyword, as the printer spells it. */
template <std::size_t... I> void add_ops(std::set<std::string> &out, std::index_sequence<I...>)
{
	(out.insert(trace::op_keyword(Op{std::variant_alternative_t<I, Op>{}})), ...);
	Kill tk;
	tk.thread = true;
	out.insert(trace::op_keyword(Op{tk}));
}

int dict()
{
	std::set<std::string> words{
		/* header and tree lines */
		"requires", "abi", ">=", "<=", "root", "supervisor", "model", "variant",
		"check=snapshot", "check=per-step", "commit=copy-swap", "commit=in-place",
		"optional=open-time", "optional=operation-time",
		"acyclic=commit-outside", "acyclic=bind-on-first-use", "acyclic=none",
		"dir", "file", "exec", "symlink", "fifo", "chardev", "mount", "tmpfs", "bind",
		/* step syntax */
		"main:", "=", "=>", "->", "|", "#", "$", "@", "/", ":", "to",
		"path_beneath", "net_port", "fd=", "type=", "attr=null", "trailing=garbage",
		"fs=", "net=", "scoped=", "quiet_fs=", "quiet_net=", "quiet_scoped=", "size=",
		"flags=", "port=", "sig=", "pause=", "addrlen=", "any:", "unspec:",
		"unspec-any:", "all", "0x", "-1", "ok", "ok(", "BLOCKED", "EACCES", "EPERM",
		"ENOENT", "EXDEV", "EINVAL", "EBADF", "EEXIST", "ENOTDIR", "EISDIR",
		"ENOTEMPTY", "EBUSY", "EOPNOTSUPP", "E2BIG", "EBADFD", "ENOTTY", "EAFNOSUPPORT",
		"ECONNREFUSED", "EADDRINUSE", "ENOSYS", "EAGAIN", "ELOOP",
	};

	add_ops(words, std::make_index_sequence<std::variant_size_v<Op>>{});
	add_names(words, fs_access_names());
	add_names(words, net_access_names());
	add_names(words, scope_names());
	add_names(words, create_flag_names());
	add_names(words, rule_flag_names());
	add_names(words, restrict_flag_names());
	add_words(words, trace::sock_kind_words);
	add_words(words, trace::ioctl_cmd_words);
	add_words(words, trace::mknod_kind_words);
	add_words(words, trace::open_mode_words);
	add_words(words, trace::open_flag_words);
	add_words(words, trace::rename_flag_words);
	words.insert(std::string(trace::open_path_mode));
	std::printf("# libFuzzer dictionary of the lockstep trace language\n"
		    "# (conformance/LANGUAGE.md), for fuzz_trace_parser.\n"
		    "# Generated by `lockstep-fuzz-tool dict`; a test keeps it current.\n");
	for (const auto &w : words)
		std::printf("\"%s\"\n", w.c_str());
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const std::string cmd = argv[1];
	const std::vector<std::string> args(argv + 2, argv + argc);

	if (cmd == "seeds")
		return seeds(args);
	if (cmd == "decode")
		return decode(args);
	if (cmd == "dict")
		return dict();
	return usage();
}
