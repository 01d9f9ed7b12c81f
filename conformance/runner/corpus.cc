// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep runner - Loading the corpus of cases
 */
#include "conformance/runner/corpus.h"

#include "conformance/trace/parser.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace lockstep::runner {

namespace fs = std::filesystem;

namespace {

bool add_file(const fs::path &root, const fs::path &file, std::vector<Case> &out,
	      std::string *error)
{
	const auto parsed = trace::parse_trace_file(file.string());

	if (!parsed.ok()) {
		*error = parsed.error().format();
		return false;
	}
	Case c;
	/* Lexical: @file was found beneath @root (no stat or readlink each). */
	const fs::path rel = file.lexically_relative(root);
	const std::string dir = rel.parent_path().generic_string();

	c.group = dir.empty() ? root.filename().string() : dir;
	c.name = c.group + "/" + file.stem().string();
	c.file = file.string();
	c.trace = parsed.trace();
	out.push_back(std::move(c));
	return true;
}

} // namespace

bool load_cases(const std::vector<std::string> &paths, std::vector<Case> &out,
		std::string *error)
{
	for (const auto &p : paths) {
		std::error_code ec;
		const fs::path root(p);

		if (fs::is_regular_file(root, ec)) {
			if (!add_file(root.parent_path(), root, out, error))
				return false;
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
		for (const auto &f : files)
			if (!add_file(root, f, out, error))
				return false;
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
