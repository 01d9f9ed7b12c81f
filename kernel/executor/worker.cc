// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Worker: the caller's side of a worker process
 */
#include "kernel/executor/executor.h"

#include "kernel/executor/tree.h"
#include "kernel/executor/wire.h"
#include "kernel/executor/worker_process.h"

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <string_view>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lockstep::exec {

namespace {

/* How long the worker may take beyond a trace's own timeout to answer. */
constexpr int reply_grace_ms = 5000;
/* How long the worker may take to set its sandbox up. */
constexpr int hello_timeout_ms = 10000;

std::string scratch_base(const ExecOptions &opts)
{
	if (!opts.scratch_base.empty())
		return opts.scratch_base;
	const char *tmp = std::getenv("TMPDIR");

	return tmp && *tmp ? tmp : "/tmp";
}

/*
 * Remove the scratch directories of runs that were killed (SIGKILL) before
 * they could: lockstep-PID-XXXXXX whose PID is gone.  rmdir() only ever
 * removes an empty one: the worker's tmpfs and the trace trees on it die
 * with its mount namespace, and anything else is left alone.
 */
void sweep_stale_scratch(const std::string &base)
{
	DIR *d = opendir(base.c_str());

	if (!d)
		return;
	while (const dirent *e = readdir(d)) {
		char *end = nullptr;
		const std::string_view name = e->d_name;

		if (!name.starts_with("lockstep-") || name.size() < 10 ||
		    !std::isdigit(static_cast<unsigned char>(name[9])))
			continue;
		const long pid = std::strtol(e->d_name + 9, &end, 10);

		if (*end != '-' || pid <= 0 || kill(static_cast<pid_t>(pid), 0) == 0 ||
		    errno != ESRCH)
			continue;
		rmdir((base + "/" + e->d_name).c_str());
	}
	closedir(d);
}

} // namespace

/*
 * The parent's handle on one worker process: its socket, its pid and the
 * scratch directory it works in.
 */
class WorkerClient {
public:
	explicit WorkerClient(const ExecOptions &opts) : opts_(opts) { start(); }
	~WorkerClient() { stop(); }

	void run_each(std::size_t n, const TraceAt &at, const TraceDone &done);

	ExecOptions opts_;
	std::string error_;
	std::string scratch_;
	Hello hello_;
	pid_t pid_ = -1;
	int fd_ = -1;
	Channel channel_;

private:
	/*
	 * Requests in flight: the worker prepares one while it runs another,
	 * and answers in batches (worker_process.cc), so a few more; at most
	 * this many bytes, so that sending never waits for the worker.
	 */
	static constexpr std::size_t window = 16;
	static constexpr std::size_t window_bytes = 64 * 1024;

	void start();
	void stop();
	bool ready();
	std::size_t send_ahead(std::size_t n, const TraceAt &at, std::size_t done, std::size_t sent);
	TraceRun failed(const Trace &t, TraceRun::Status status, const std::string &why);
	TraceRun lost(const Trace &t, TraceRun::Status status, const std::string &why);
};

void WorkerClient::start()
{
	const std::string base = scratch_base(opts_);
	std::string dir = base + "/lockstep-" + std::to_string(getpid()) + "-XXXXXX";
	int sv[2];

	sweep_stale_scratch(base);
	error_.clear();
	if (!mkdtemp(dir.data())) {
		error_ = "mkdtemp " + dir + ": " + errno_name(errno);
		return;
	}
	scratch_ = dir;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		error_ = "socketpair: " + errno_name(errno);
		return;
	}
	const pid_t parent = getpid();
	const std::vector<std::string> env = worker_environment(parent);
	std::vector<char *> envp;

	for (const auto &e : env)
		envp.push_back(const_cast<char *>(e.c_str()));
	envp.push_back(nullptr);
	pid_ = fork();
	if (pid_ == 0) {
		close(sv[0]);
		become_worker(sv[1], parent, envp.data());
	}
	close(sv[1]);
	fd_ = sv[0];
	channel_ = Channel(fd_);
	if (pid_ < 0) {
		error_ = "fork: " + errno_name(errno);
		return;
	}
	std::string bytes;
	const Setup setup{scratch_, opts_.step_timeout.count(), opts_.trace_timeout.count()};

	if (!channel_.send(encode(setup)) ||
	    channel_.receive(bytes, hello_timeout_ms) != Channel::Got::message ||
	    !decode(bytes, hello_))
		error_ = "worker process did not start";
	else
		error_ = hello_.error;
}

void WorkerClient::stop()
{
	if (fd_ >= 0)
		close(fd_);
	fd_ = -1;
	/* Between runs the worker is idle: killing it loses nothing. */
	if (pid_ > 0) {
		kill(pid_, SIGKILL);
		while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
		}
	}
	pid_ = -1;
	/* Empty when privileged: the tmpfs lived in the worker's namespace. */
	if (!scratch_.empty() && rmdir(scratch_.c_str()) != 0 && errno != ENOENT)
		remove_tree(AT_FDCWD, scratch_);
	scratch_.clear();
}

TraceRun WorkerClient::failed(const Trace &t, TraceRun::Status status, const std::string &why)
{
	TraceRun r;

	r.status = status;
	r.message = why;
	r.steps.resize(t.steps.size());
	return r;
}

TraceRun WorkerClient::lost(const Trace &t, TraceRun::Status status, const std::string &why)
{
	stop();
	return failed(t, status, why);
}

bool WorkerClient::ready()
{
	/* A worker that died since the last run is replaced. */
	if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == pid_)
		pid_ = -1;
	if (pid_ <= 0 || fd_ < 0) {
		stop();
		start();
	}
	return error_.empty();
}

/* Send requests @sent.. while few are unanswered. */
std::size_t WorkerClient::send_ahead(std::size_t n, const TraceAt &at, std::size_t done,
				     std::size_t sent)
{
	std::size_t bytes = 0;

	while (sent < n && sent < done + window && (sent == done || bytes < window_bytes)) {
		const std::string request = encode(at(sent));

		bytes += request.size();
		channel_.queue(request);
		sent++;
	}
	return channel_.flush() ? sent : done;
}

void WorkerClient::run_each(std::size_t n, const TraceAt &at, const TraceDone &done)
{
	std::size_t sent = 0;

	for (std::size_t i = 0; i < n; i++) {
		const Trace &t = at(i);
		std::string bytes;
		TraceRun r;

		if (sent == i && !ready()) {
			done(i, failed(t, TraceRun::Status::setup_error, "worker: " + error_));
			sent++;
			continue;
		}
		sent = send_ahead(n, at, i, sent);
		/* Nothing in flight: the worker died since the last reply. */
		if (sent == i) {
			done(i, lost(t, TraceRun::Status::crashed, "the worker process died"));
			sent++;
			continue;
		}
		/*
		 * Each request in flight may take a whole trace timeout; two
		 * values only, so that SO_RCVTIMEO is seldom changed.
		 */
		const std::size_t in_flight = sent - i > 1 ? window : 1;
		const auto wait_ms = static_cast<int>(
			in_flight * static_cast<std::size_t>(opts_.trace_timeout.count()) +
			reply_grace_ms);
		const Channel::Got got = channel_.receive(bytes, wait_ms);

		if (got == Channel::Got::timeout) {
			done(i, lost(t, TraceRun::Status::timeout, "the worker process did not answer"));
		} else if (got == Channel::Got::eof || !decode(bytes, r)) {
			done(i, lost(t, TraceRun::Status::crashed, "the worker process died"));
		} else {
			/*
			 * The worker goes on with the requests in flight
			 * while the caller looks at this result.
			 */
			done(i, std::move(r));
			continue;
		}
		/* Requests sent to the lost worker go to the next one. */
		sent = i + 1;
	}
}

Worker::Worker(const ExecOptions &opts) : client_(std::make_unique<WorkerClient>(opts)) {}
Worker::~Worker() = default;

TraceRun Worker::run(const Trace &trace)
{
	return std::move(run_all(std::span(&trace, 1)).front());
}

std::vector<TraceRun> Worker::run_all(std::span<const Trace> traces)
{
	std::vector<TraceRun> out(traces.size());

	client_->run_each(
		traces.size(), [&](std::size_t i) -> const Trace & { return traces[i]; },
		[&](std::size_t i, TraceRun &&r) { out[i] = std::move(r); });
	return out;
}

void Worker::run_each(std::size_t n, const TraceAt &at, const TraceDone &done)
{
	client_->run_each(n, at, done);
}
const std::string &Worker::error() const { return client_->error_; }
bool Worker::privileged() const { return client_->hello_.privileged; }
const Profile &Worker::profile() const { return client_->hello_.profile; }
const std::string &Worker::scratch_dir() const { return client_->scratch_; }
pid_t Worker::pid() const { return client_->pid_; }

} // namespace lockstep::exec
