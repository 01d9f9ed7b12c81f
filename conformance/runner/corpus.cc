// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep runner - Loading the corpus of cases
 */
#include "conformance/runner/corpus.h"

#include "conformance/trace/parser.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <system_error>
#include <thread>
#include <utility>

namespace lockstep::runner {

namespace fs = std::filesystem;

namespace {

/* A file to load, and the corpus root its group is relative to. */
struct Source {
	fs::path root;
	fs::path file;
};

/* Parse @src into @c; on a malformed trace, *error says where. */
bool load_one(const Source &src, Case &c, std::string *error)
{
	auto parsed = trace::parse_trace_file(src.file.string());

	if (!parsed.ok()) {
		*error = parsed.error().format();
		return false;
	}
	/* Lexical: @file was found beneath @root (no stat or readlink each). */
	const fs::path rel = src.file.lexically_relative(src.root);
	const std::string dir = rel.parent_path().generic_string();

	c.group = dir.empty() ? src.root.filename().string() : dir;
	c.name = c.group + "/" + src.file.stem().string();
	c.file = src.file.string();
	c.trace = std::move(parsed.trace());
	return true;
}

/* Every file named by @paths, in order; false (with *error) if one is missing. */
bool list_sources(const std::vector<std::string> &paths, std::vector<Source> &out,
		  std::string *error)
{
	for (const auto &p : paths) {
		std::error_code ec;
		const fs::path root(p);

		if (fs::is_regular_file(root, ec)) {
			out.push_back({root.parent_path(), root});
			continue;
		}
		if (!fs::is_directory(root, ec)) {
			*error = p + ": no such file or directory";
			return false;
		}
		std::vector<fs::path> files;
		for (const auto &e : fs::recursive_directory_iterator(root, ec))
			if (e.is_regular_file() && e.path().extension() == ".trace")
				files.push_back(e.path());
		if (ec) {
			*error = p + ": " + ec.message();
			return false;
		}
		std::sort(files.begin(), files.end());
		for (auto &f : files)
			out.push_back({root, std::move(f)});
	}
	return true;
}

} // namespace

bool load_cases(const std::vector<std::string> &paths, std::vector<Case> &out,
		std::string *error)
{
	std::vector<Source> sources;

	if (!list_sources(paths, sources, error))
		return false;
	/*
	 * Parsing is most of the start-up of a large campaign: on every core,
	 * each thread taking the next file; the first error in file order wins,
	 * as if the files were read one by one.
	 */
	std::vector<Case> cases(sources.size());
	std::vector<std::string> errors(sources.size());
	std::vector<char> ok(sources.size(), 0);
	std::atomic<std::size_t> next{0};
	const auto work = [&] {
		for (std::size_t i; (i = next++) < sources.size();)
			ok[i] = load_one(sources[i], cases[i], &errors[i]);
	};
	const unsigned threads = std::clamp<unsigned>(std::thread::hardware_concurrency(), 1,
						      sources.size() / 64 + 1);
	std::vector<std::thread> pool;

	for (unsigned t = 1; t < threads; t++)
		pool.emplace_back(work);
	work();
	for (auto &t : pool)
		t.join();
	for (std::size_t i = 0; i < sources.size(); i++) {
		if (!ok[i]) {
			*error = errors[i];
			return false;
		}
		out.push_back(std::move(cases[i]));
	}
	return true;
}

std::string default_corpus(const char *argv0)
{
	std::error_code ec;
	std::vector<fs::path> candidates{"conformance/cases", "/cases",
					 "/usr/share/lockstep/cases"};
	const fs::path self = fs::read_symlink("/proc/self/exe", ec);

	(void)argv0;
	if (!ec) {
		/* build/tools/lockstep/lockstep -> ../../../conformance/cases */
		candidates.insert(candidates.begin() + 1,
				  self.parent_path() / "../../../conformance/cases");
		candidates.insert(candidates.begin() + 2,
				  self.parent_path() / "cases");
	}
	for (const auto &c : candidates)
		if (fs::is_directory(c, ec))
			return fs::weakly_canonical(c, ec).string();
	return "";
}

} // namespace lockstep::runner
