// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep runner - Running cases on this kernel, in parallel
 */
#include "conformance/runner/runner.h"

#include "conformance/trace/printer.h"
#include "kernel/repro/repro.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace lockstep::runner {

namespace {

using Clock = std::chrono::steady_clock;

/* A one-line progress bar on stderr, redrawn at most ten times a second. */
class Progress {
public:
	Progress(bool on, std::size_t total) : on_(on), total_(total) {}
	~Progress()
	{
		if (on_)
			std::fprintf(stderr, "\r%70s\r", "");
	}

	void tick(bool failed)
	{
		const std::size_t done = ++done_;

		failed_ += failed;
		if (!on_)
			return;
		std::lock_guard<std::mutex> lock(mu_);
		const auto now = Clock::now();
		if (done != total_ && now - last_ < std::chrono::milliseconds(100))
			return;
		last_ = now;
		const int width = 40;
		const int fill = static_cast<int>(width * done / (total_ ? total_ : 1));
		std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu  failed %zu", fill,
			     "########################################", width - fill, "",
			     done, total_, failed_.load());
	}

private:
	bool on_;
	std::size_t total_;
	std::atomic<std::size_t> done_{0};
	std::atomic<std::size_t> failed_{0};
	std::mutex mu_;
	Clock::time_point last_{};
};

/* Keep a failing case: its trace and its C reproducer. */
void save_failure(const std::string &dir, const Case &c, const CaseResult &r)
{
	namespace fs = std::filesystem;
	std::error_code ec;
	std::string stem = c.name;

	for (auto &ch : stem)
		if (ch == '/')
			ch = '_';
	fs::create_directories(dir, ec);
	std::ofstream(dir + "/" + stem + ".trace") << trace::print_trace(c.trace);
	if (!r.divergence || r.divergence->kind == "run")
		return;
	repro::ReproTarget t;
	t.step = r.divergence->step;
	t.kernel_outcome = format_outcome(r.divergence->observed);
	for (const auto &o : r.divergence->allowed.items())
		t.model_outcomes.push_back(format_outcome(o));
	try {
		std::ofstream(dir + "/" + stem + ".c") << repro::write_c_reproducer(c.trace, t);
	} catch (const std::exception &e) {
		std::ofstream(dir + "/" + stem + ".c.txt") << "no reproducer: " << e.what() << "\n";
	}
}

} // namespace

RunReport run_cases(std::vector<Case> cases, const RunOptions &opts)
{
	RunReport report;
	const auto start = Clock::now();
	const exec::KernelProbe probe = exec::probe_kernel();

	report.kernel.uname = probe.uname;
	report.kernel.profile = opts.profile.value_or(probe.profile);
	report.kernel.notes = probe.notes;
	if (opts.profile)
		report.kernel.notes.push_back("profile forced to " +
					      format_profile(*opts.profile) +
					      " (the kernel reports " +
					      format_profile(probe.profile) + ")");
	for (std::size_t i = 0; i < cases.size(); i++)
		if (static_cast<int>(i % opts.shard_count) == opts.shard_index)
			report.cases.push_back(std::move(cases[i]));
	report.results.resize(report.cases.size());

	const int jobs = std::max(1, std::min<int>(opts.jobs, report.cases.size()));
	std::size_t next = 0;
	std::mutex mu; /* @next and report.error */
	Progress progress(opts.progress, report.cases.size());

	/*
	 * Cases go to the workers in chunks, each streamed through the
	 * worker's pipeline: the model judges one case while the kernel runs
	 * the next.  A chunk is small enough near the end that the workers
	 * finish together.
	 */
	auto claim = [&](std::size_t &first) {
		std::lock_guard<std::mutex> lock(mu);
		const std::size_t left = report.cases.size() - next;
		const std::size_t n = std::clamp<std::size_t>(left / (4 * jobs), left ? 1 : 0, 64);

		first = next;
		next += n;
		return n;
	};
	auto work = [&] {
		exec::Worker worker(opts.exec);
		std::size_t first;

		if (!worker.error().empty()) {
			std::lock_guard<std::mutex> lock(mu);
			report.error = worker.error();
		}
		for (std::size_t n; (n = claim(first)) > 0;)
			worker.run_each(
				n,
				[&](std::size_t i) -> const Trace & {
					return report.cases[first + i].trace;
				},
				[&](std::size_t i, exec::TraceRun &&run) {
					const Case &c = report.cases[first + i];
					CaseResult r = judge(c, run, report.kernel.profile);

					if (r.verdict == Verdict::fail && !opts.save_dir.empty())
						save_failure(opts.save_dir, c, r);
					progress.tick(r.verdict == Verdict::fail);
					report.results[first + i] = std::move(r);
				});
	};
	std::vector<std::thread> threads;
	for (int j = 1; j < jobs; j++)
		threads.emplace_back(work);
	work();
	for (auto &t : threads)
		t.join();
	report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
	return report;
}

} // namespace lockstep::runner
