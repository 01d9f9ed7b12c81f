// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Worker: the caller's side of a worker process
 */
#include "kernel/executor/executor.h"

#include "kernel/executor/tree.h"
#include "kernel/executor/wire.h"
#include "kernel/executor/worker_process.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
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

/* Wait up to @ms for @fd to be readable (or closed). */
bool readable(int fd, int ms)
{
	pollfd p{fd, POLLIN, 0};
	int r;

	while ((r = poll(&p, 1, ms)) < 0 && errno == EINTR) {
	}
	return r > 0;
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

	TraceRun run(const Trace &t);

	ExecOptions opts_;
	std::string error_;
	std::string scratch_;
	Hello hello_;
	pid_t pid_ = -1;
	int fd_ = -1;

private:
	void start();
	void stop();
	TraceRun lost(const Trace &t, TraceRun::Status status, const std::string &why);
};

void WorkerClient::start()
{
	std::string dir = scratch_base(opts_) + "/lockstep-XXXXXX";
	int sv[2];

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

	pid_ = fork();
	if (pid_ == 0) {
		close(sv[0]);
		worker_main(sv[1], opts_, scratch_, parent);
	}
	close(sv[1]);
	fd_ = sv[0];
	if (pid_ < 0) {
		error_ = "fork: " + errno_name(errno);
		return;
	}
	std::string bytes;

	if (!readable(fd_, hello_timeout_ms) || !recv_message(fd_, bytes) ||
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

TraceRun WorkerClient::lost(const Trace &t, TraceRun::Status status, const std::string &why)
{
	TraceRun r;

	r.status = status;
	r.message = why;
	r.steps.resize(t.steps.size());
	stop();
	return r;
}

TraceRun WorkerClient::run(const Trace &t)
{
	std::string bytes;
	TraceRun r;

	/* A worker that died since the last run is replaced first. */
	if (pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == pid_)
		pid_ = -1;
	if (pid_ <= 0 || fd_ < 0) {
		stop();
		start();
	}
	if (!error_.empty()) {
		r.status = TraceRun::Status::setup_error;
		r.message = "worker: " + error_;
		r.steps.resize(t.steps.size());
		return r;
	}
	const int wait_ms = static_cast<int>(opts_.trace_timeout.count()) + reply_grace_ms;
	const std::string request = encode(t);

	/* Not sent: the worker died since the last run; a new one gets it. */
	if (!send_message(fd_, request)) {
		stop();
		start();
		if (!error_.empty() || !send_message(fd_, request))
			return lost(t, TraceRun::Status::crashed, "the worker process died");
	}
	if (!readable(fd_, wait_ms))
		return lost(t, TraceRun::Status::timeout, "the worker process did not answer");
	if (!recv_message(fd_, bytes) || !decode(bytes, r))
		return lost(t, TraceRun::Status::crashed, "the worker process died");
	return r;
}

Worker::Worker(const ExecOptions &opts) : client_(std::make_unique<WorkerClient>(opts)) {}
Worker::~Worker() = default;

TraceRun Worker::run(const Trace &trace) { return client_->run(trace); }
const std::string &Worker::error() const { return client_->error_; }
bool Worker::privileged() const { return client_->hello_.privileged; }
const Profile &Worker::profile() const { return client_->hello_.profile; }
const std::string &Worker::scratch_dir() const { return client_->scratch_; }
pid_t Worker::pid() const { return client_->pid_; }

} // namespace lockstep::exec
