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

std::string encode(const Trace &t);
std::string encode(const TraceRun &r);
std::string encode(const Hello &h);

/* Each returns false on truncated or malformed input. */
bool decode(std::string_view bytes, Trace &t);
bool decode(std::string_view bytes, TraceRun &r);
bool decode(std::string_view bytes, Hello &h);

/*
 * Framed messages on a stream socket: a 32-bit length, then the bytes.
 * Both retry on EINTR; they return false on EOF or error.
 */
bool send_message(int fd, const std::string &bytes);
bool recv_message(int fd, std::string &bytes);

} // namespace lockstep::exec
