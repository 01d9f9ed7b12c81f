/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * lockstep model - The state a trace acts on
 *
 * Everything is a value: a State can be copied to explore another outcome
 * (unknown errata, model variants) without affecting the original.
 */
#pragma once

#include "model/fs_check.h"
#include "model/ops.h"
#include "model/ruleset.h"
#include "model/vfs.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lockstep {

/* Linux's struct file, for the kinds of files traces open. */
enum class FileKind : std::uint8_t { ruleset, fs, path, pipe_read, pipe_write, socket };

/**
 * struct OpenFile - an open file description, shared by dup, fork, SCM_RIGHTS
 *
 * @allowed: [fs.optional] the rights Landlock granted at open time
 *           (landlock_file(file)->allowed_access): all rights for files not
 *           opened by a sandboxed task.
 * @opener: domain of the task that opened it (f_cred), used by sockets'
 *          scope checks and by the supervisor's operation-time variant.
 */
struct OpenFile {
	FileKind kind = FileKind::fs;
	int ruleset = -1;
	int socket = -1;
	VPath path;
	bool readable = false;
	bool writable = false;
	bool append = false;
	bool nonblock = false;
	/* [vfs.pipe] the pipe buffer of a pipe end or an open FIFO, or -1 */
	int pipe = -1;
	AccessMask allowed = fs::all;
	Domain opener;

	static OpenFile of_ruleset(int ruleset)
	{
		OpenFile f;

		f.kind = FileKind::ruleset;
		f.ruleset = ruleset;
		f.readable = f.writable = true;
		return f;
	}
};

/* A socket object ([net], [scope.unix]). */
struct SocketObj {
	SockKind kind = SockKind::tcp4;
	bool bound = false;
	std::uint16_t port = 0;	/* 0 with bound: an ephemeral port */
	bool any = false;	/* bound to the wildcard address */
	bool listening = false;
	bool connected = false;
	int peer = -1;		/* connected datagram peer socket */
	/* [net.udp.icmp] an ICMP error may be pending (a connected send) */
	bool icmp_error = false;
	/* The abstract name it is bound to; the empty name is a name too. */
	std::optional<std::string> abstract;
	DentryId path = -1;	/* socket file when bound to a path */
};

/* A notification queued to a supervisor ([sup.notify]). */
struct Event {
	int id = 0;
	int task = -1;
	AccessMask access = 0;
	bool net = false;
	std::string object; /* the object, or "parent + name" */
};

/**
 * struct Blocked - a task waiting for its supervisor's answer
 *
 * @step: the denied step, evaluated again when the supervisor answers.
 * @result: its outcome once answered (and not denied again by a
 *          notifying layer); "resume" reports it.
 */
struct Blocked {
	int supervisor = -1;
	int event = 0;
	Step step;
	std::optional<Outcome> result;
	std::vector<std::string> why;
};

/**
 * struct Supervisor - the kernel object behind a supervisor ruleset
 *
 * @staged: what add_rule() on the supervisor fd edits ([sup.stage]).
 * @published: every committed ruleset ever published; @current indexes
 *             the live one (-1: never committed, acts as empty).  A walk's
 *             snapshot is an index into it, like the kernel's reference on
 *             a committed ruleset: commit=in-place edits the live one, so a
 *             snapshot of it sees the edits ([sup.commit]).
 * @creator_layers: domain (layer ids) of the task that created it, for
 *                  acyclic=bind-on-first-use ([sup.acyclic]).
 */
struct Supervisor {
	Handled handled;
	Rules staged;
	std::vector<Rules> published;
	int current = -1;
	bool notify = false;
	std::vector<int> creator_layers;
	std::string label;
	std::vector<Event> queued; /* not read yet */
	std::vector<Event> read;   /* read, not answered yet */
	int next_event = 1;
};

/**
 * struct Paused - an operation stopped at an interleaving point ([sup.pause])
 *
 * @step: the step, run again (and finished) by "resume".
 * @walk: the path walk so far, with the committed rulesets it captured.
 * @snapshot: check=snapshot: the committed ruleset of each layer at the
 *            start of the walk.
 */
struct Paused {
	Step step;
	bool in_walk = false;
	FsWalk walk;
	std::vector<int> snapshot;
};

/* A thread, with its credentials. */
struct Task {
	std::string name;
	int process = 0;
	Domain domain;
	bool no_new_privs = false;
	bool caps = true; /* CAP_SYS_ADMIN (and the other capabilities) */
	bool log_subdomains_off = false;
	std::optional<Paused> paused;
	std::optional<Blocked> blocked;
};

/* A process: its threads share the fd table and the names bound to fds. */
struct Process {
	std::map<int, int> fds; /* fd number -> OpenFile index */
	std::map<std::string, int> names;
	int next_fd = 3; /* the lowest number a trace's fds may get */
	int leader = 0; /* task index of the main thread */

	/*
	 * [task.fd_number] Like the kernel, a new fd takes the lowest free
	 * number: a closed fd's number is reused by the next open, so a name
	 * bound to it then refers to the new file.
	 */
	int alloc_fd() const
	{
		int fd = next_fd;

		while (fds.count(fd))
			fd++;
		return fd;
	}
};

struct State {
	Vfs vfs;
	std::vector<Task> tasks;
	std::vector<Process> processes;
	std::vector<OpenFile> files;
	std::vector<Ruleset> rulesets;
	std::vector<SocketObj> sockets;
	/* [vfs.pipe] bytes waiting in each pipe buffer */
	std::vector<int> pipes;
	std::vector<Supervisor> supervisors;
	int next_layer_id = 1;

	std::optional<int> task_index(const std::string &name) const;
};

} // namespace lockstep
