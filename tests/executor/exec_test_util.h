/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers of the executor tests: traces from text, and the processes of a
 * worker, seen through /proc.
 */
#pragma once

#include "conformance/trace/parser.h"
#include "kernel/executor/executor.h"

#include <dirent.h>
#include <fstream>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <unistd.h>

namespace lockstep::exec::test {

/* A trace from its text; a parse error fails the test. */
inline Trace parse(std::string_view text, std::string_view name = "test.trace")
{
	auto r = trace::parse_trace(text, name);

	if (!r.ok()) {
		ADD_FAILURE() << r.error().format();
		return Trace{};
	}
	return r.trace();
}

/* Fields 4 (ppid) and 5 (pgrp) of /proc/PID/stat. */
struct ProcIds {
	pid_t pid = 0;
	pid_t ppid = 0;
	pid_t pgrp = 0;
};

inline std::vector<ProcIds> all_processes()
{
	std::vector<ProcIds> out;
	DIR *d = opendir("/proc");

	while (const dirent *e = d ? readdir(d) : nullptr) {
		const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
		std::ifstream in("/proc/" + std::string(e->d_name) + "/stat");
		std::string line;

		if (pid <= 0 || !std::getline(in, line))
			continue;
		/* The command may hold spaces: parse after its closing ')'. */
		std::istringstream rest(line.substr(line.rfind(')') + 2));
		char state;
		ProcIds p{pid, 0, 0};

		rest >> state >> p.ppid >> p.pgrp;
		out.push_back(p);
	}
	if (d)
		closedir(d);
	return out;
}

/* The processes of process group @pgrp that still exist (zombies too). */
inline std::set<pid_t> group_members(pid_t pgrp)
{
	std::set<pid_t> out;

	for (const auto &p : all_processes())
		if (p.pgrp == pgrp)
			out.insert(p.pid);
	return out;
}

/* The children of @parent. */
inline std::set<pid_t> children_of(pid_t parent)
{
	std::set<pid_t> out;

	for (const auto &p : all_processes())
		if (p.ppid == parent)
			out.insert(p.pid);
	return out;
}

inline std::string outcome_of(const TraceRun &r, std::size_t step)
{
	return step < r.steps.size() ? format_outcome(r.steps[step].outcome) : "(no step)";
}

/* Skip a test that needs privilege when we do not have it. */
#define LOCKSTEP_NEEDS_ROOT()                                                  \
	do {                                                                   \
		if (!has_cap_sys_admin())                                      \
			GTEST_SKIP() << "needs CAP_SYS_ADMIN (run as root)";   \
	} while (0)

} // namespace lockstep::exec::test
