/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep executor - Messages between a Worker and its worker process
 *
 * The worker process is forked once, so a trace given to Worker::run() later
 * is not in its memory: it travels as bytes over a socket, and so does the
 * result.  The encoding is private to one build (both ends are the same
 * binary): fixed-size fields in host order, strings and vectors with a
 * 32-bit length.
 */
#pragma once

#include "kernel/executor/executor.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep::exec {

/**
 * struct Hello - the worker process's first message
 *
 * @error: why the sandbox could not be set up; empty on success.
 * @privileged: namespaces and tmpfs are in place.
 * @profile: the kernel as the worker process probed it.
 */
struct Hello {
	std::string error;
	bool privileged = false;
	Profile profile;
	bool operator==(const Hello &) const = default;
};

/**
 * struct Setup - the parent's first message to a new worker process
 *
 * @scratch: the worker's directory, created (empty) by the parent.
 */
struct Setup {
	std::string scratch;
	std::int64_t step_timeout_ms = 0;
	std::int64_t trace_timeout_ms = 0;
	bool operator==(const Setup &) const = default;
};

std::string encode(const Trace &t);
std::string encode(const Setup &s);
std::string encode(const TraceRun &r);
std::string encode(const Hello &h);

/* Each returns false on truncated or malformed input. */
bool decode(std::string_view bytes, Trace &t);
bool decode(std::string_view bytes, TraceRun &r);
bool decode(std::string_view bytes, Hello &h);
bool decode(std::string_view bytes, Setup &s);

/**
 * class Channel - framed messages on a stream socket
 *
 * A message is a 32-bit length, then the bytes; it is sent with one
 * system call, and reads are buffered, so that a message usually costs one
 * send() and one recv() (the socket carries one per trace each way).
 * Does not own the fd.
 */
class Channel {
public:
	enum class Got : std::uint8_t { message, eof, timeout };

	explicit Channel(int fd = -1) : fd_(fd) {}

	int fd() const { return fd_; }
	/* Send one message now; false if the peer is gone (no SIGPIPE). */
	bool send(const std::string &bytes);
	/* Keep a message to send with the next flush(); how many are kept. */
	std::size_t queue(const std::string &bytes);
	/* Send the kept messages, in one system call if the socket takes them. */
	bool flush();
	/*
	 * The next message: waits up to @timeout_ms (-1: forever, 0: only
	 * a message already there).  A malformed stream counts as eof.
	 */
	Got receive(std::string &bytes, int timeout_ms);

private:
	bool take(std::string &bytes);

	int fd_;
	std::string out_;
	std::size_t queued_ = 0;
	int rcvtimeo_ms_ = -1; /* SO_RCVTIMEO as set: -1 none */
	std::vector<char> buf_;
	std::size_t begin_ = 0, end_ = 0;
};

} // namespace lockstep::exec
