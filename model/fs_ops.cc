// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Files and directories
 *
 * Each operation follows the order of checks of fs/namei.c and fs/open.c:
 * path resolution errors first, then the errors the VFS finds before the
 * LSM hook, then Landlock's hook, then the errors found after it.  The
 * comments name the Landlock hook each right comes from.
 */
#include "model/fs_check.h"
#include "model/step.h"
#include "model/supervisor.h"

namespace lockstep {

namespace {

const Domain &domain(StepCtx &c) { return c.self().domain; }

/*
 * Linux's current_check_access_path(), with the per-layer explanation
 * ([fs.walk.layers]).  Returns 0, EACCES, err_blocked when a supervisor is
 * notified ([sup.notify]), or err_paused when the step stopped at its
 * interleaving point (the caller's c.fail() keeps that outcome).  @name is
 * the child created or removed in @path, for notifications.
 */
int check_path(StepCtx &c, const VPath &path, AccessMask request, const char *what,
	       const std::string &name = {})
{
	const Domain &d = domain(c);

	if (!domain_handles(d, request, 0, 0)) {
		if (!d.empty())
			c.note(std::string(what) + ": no layer handles " + format_fs(request));
		return 0;
	}
	const auto walk = sup_walk(c, path, request);

	if (!walk)
		return err_paused;
	const FsWalk &w = *walk;
	if (c.explain) {
		c.note(std::string(what) + ": needs " + format_fs(request) + " on " +
		       c.s.vfs.path_name(path));
		for (auto &line : explain_fs_walk(w, c.s.vfs, d))
			c.note("  " + line);
	}
	if (w.allowed())
		return 0;
	return sup_denial(c, w.masks, d, false,
			  c.s.vfs.path_name(path) + (name.empty() ? "" : " + '" + name + "'"));
}

bool is_device(FileType t) { return t == FileType::chr || t == FileType::blk; }

/* The memory devices (null, zero, full, random, urandom) open anywhere. */
bool known_device(const Inode &i)
{
	return i.type == FileType::chr && i.major == 1 &&
	       (i.minor == 3 || i.minor == 5 || i.minor == 7 || i.minor == 8 ||
		i.minor == 9);
}

/*
 * [fs.open] Linux's hook_file_open(): the rights the open mode needs, plus
 * the optional ones (truncate, and ioctl_dev for devices) recorded in the
 * file for later ([fs.optional]).  Returns 0 or EACCES; sets @allowed.
 */
int check_file_open(StepCtx &c, const VPath &path, bool read, bool write,
		    bool exec, AccessMask &allowed)
{
	const Domain &d = domain(c);
	const FileType t = c.s.vfs.type_of(path);
	AccessMask open_req = 0;

	allowed = fs::all;
	if (!domain_handles(d, fs::all, 0, 0))
		return 0;
	if (read)
		open_req = t == FileType::dir ? fs::read_dir : fs::read_file;
	if (write && t != FileType::dir)
		open_req |= fs::write_file;
	if (exec)
		open_req |= fs::execute;
	/* [fs.read_dir] A directory is read with read_dir, not read_file. */
	if (read && t == FileType::dir)
		open_req = fs::read_dir;

	const AccessMask optional = fs::truncate | (is_device(t) ? fs::ioctl_dev : 0);
	const AccessMask full = open_req | optional;
	const auto walk = sup_walk(c, path, full);

	if (!walk)
		return err_paused;
	const FsWalk &w = *walk;
	allowed = w.allowed() ? full : full & ~w.masks.any_denied();
	if (c.explain) {
		c.note("open: needs " + format_fs(open_req) + " on " +
		       c.s.vfs.path_name(path) + " (and records whether " +
		       format_fs(optional) + " is allowed)");
		for (auto &line : explain_fs_walk(w, c.s.vfs, d))
			c.note("  " + line);
	}
	if ((open_req & allowed) != open_req) {
		LayerMasks m = w.masks;

		for (std::size_t i = 0; i < m.n; i++)
			m.denied[i] &= open_req;
		return sup_denial(c, m, d, false, c.s.vfs.path_name(path));
	}
	c.note("  the file remembers " + format_fs(allowed & optional) +
	       " as allowed ([fs.optional])");
	return 0;
}

/* The open file behind an fd that must not be O_PATH (fdget()). */
int file_for_io(StepCtx &c, const FdRef &ref, int &err)
{
	const int f = c.file_of(ref);

	if (f < 0 || c.s.files[f].kind == FileKind::path) {
		err = EBADF;
		return -1;
	}
	return f;
}

/* Whether some process holds a writable fd on @ino. */
bool open_for_writing(StepCtx &c, InodeId ino)
{
	for (const auto &p : c.s.processes)
		for (const auto &[fd, f] : p.fds) {
			const OpenFile &of = c.s.files[f];

			if (of.kind == FileKind::fs && of.writable &&
			    c.s.vfs.inode_of(of.path) == ino)
				return true;
		}
	return false;
}

/* Writing or truncating a program makes it unrunnable. */
void clobber(StepCtx &c, const VPath &path)
{
	c.s.vfs.inode(c.s.vfs.inode_of(path)).program = false;
}

/* Create @type named by @l (after the checks of filename_create()). */
DentryId create_at(StepCtx &c, const Lookup &l, FileType type)
{
	return c.s.vfs.create(l.parent, l.last, type);
}

/*
 * [vfs.create] filename_create(): the parent must resolve, the name must
 * be free, before Landlock's make check.
 */
bool creatable(StepCtx &c, const Lookup &l)
{
	if (l.err) {
		c.fail(l.err);
		return false;
	}
	if (l.last.empty()) {
		c.fail(EEXIST); /* "/" itself */
		return false;
	}
	if (l.target) {
		c.note(c.s.vfs.path_name(*l.target) + " already exists");
		c.fail(EEXIST);
		return false;
	}
	return true;
}

/* Whether an OpenFile keeps mount @m busy. */
bool mount_busy(StepCtx &c, MountId m)
{
	if (c.s.vfs.has_children(m))
		return true;
	/*
	 * [vfs.mount] State::files keeps closed files too: only those an fd
	 * still refers to hold a reference on the mount.
	 */
	for (const auto &p : c.s.processes)
		for (const auto &[fd, i] : p.fds) {
			const OpenFile &f = c.s.files[i];

			if ((f.kind == FileKind::fs || f.kind == FileKind::path) &&
			    f.path.mnt == m)
				return true;
		}
	return false;
}

/* [vfs.pipe] Whether an fd somewhere has a read (@reader) or write end of @pipe. */
bool pipe_end_open(const State &s, int pipe, bool reader)
{
	for (const auto &p : s.processes)
		for (const auto &[fd, i] : p.fds) {
			const OpenFile &f = s.files[i];

			if (f.pipe == pipe && (reader ? f.readable : f.writable))
				return true;
		}
	return false;
}

/* [vfs.pipe] The buffer of FIFO @ino while some fd has it open, or -1. */
int open_fifo_pipe(const State &s, InodeId ino)
{
	for (const auto &p : s.processes)
		for (const auto &[fd, i] : p.fds) {
			const OpenFile &f = s.files[i];

			if (f.kind == FileKind::fs && f.pipe >= 0 && s.vfs.inode_of(f.path) == ino)
				return f.pipe;
		}
	return -1;
}

/*
 * [vfs.open] Whether some fd has FIFO @ino open for reading (@reader) or
 * for writing: then an open for the other end does not wait.
 */
bool fifo_end_open(const State &s, InodeId ino, bool reader)
{
	const int pipe = open_fifo_pipe(s, ino);

	return pipe >= 0 && pipe_end_open(s, pipe, reader);
}

/*
 * [vfs.pipe] The buffer a new open of FIFO @ino shares: the open one, or a
 * new, empty one (the kernel frees a FIFO's buffer with its last fd).
 */
int fifo_pipe(State &s, InodeId ino)
{
	if (const int pipe = open_fifo_pipe(s, ino); pipe >= 0)
		return pipe;
	s.pipes.push_back(0);
	return static_cast<int>(s.pipes.size()) - 1;
}

/* [vfs.pipe] read(2) of one byte from a pipe end or an open FIFO. */
void pipe_read(StepCtx &c, const OpenFile &of)
{
	int &bytes = c.s.pipes[of.pipe];

	if (bytes > 0) {
		bytes--;
		c.ok();
	} else if (!pipe_end_open(c.s, of.pipe, false)) {
		c.note("an empty pipe without a writer: end of file");
		c.ok();
	} else if (of.nonblock) {
		c.fail(EAGAIN);
	} else {
		c.note("an empty pipe with a writer blocks");
		c.fail(err_blocked);
	}
}

/* [vfs.pipe] write(2) of one byte to a pipe end or an open FIFO. */
void pipe_write(StepCtx &c, const OpenFile &of)
{
	if (!pipe_end_open(c.s, of.pipe, true)) {
		c.note("no reader: EPIPE (SIGPIPE is caught)");
		c.fail(EPIPE);
		return;
	}
	c.s.pipes[of.pipe]++;
	c.ok();
}

} // namespace

void op_open(StepCtx &c, const Open &op)
{
	const std::uint32_t fl = op.flags;
	const bool creat = fl & open_flag::creat, excl = fl & open_flag::excl;
	const bool opath = fl & open_flag::path;
	const bool follow = !(fl & open_flag::nofollow) && !(creat && excl && !opath);
	const Lookup l = c.lookup(op.path, follow ? lookup_flag::follow : 0);

	/* [vfs.open] Flags, lookup, creation, type errors, Landlock, then the file. */
	if (!opath && creat && (fl & open_flag::directory)) {
		/* Rejected by build_open_flags() since Linux 6.4. */
		c.note("O_CREAT with O_DIRECTORY");
		if (c.p.abi >= 4)
			c.fail(EINVAL);
		else
			c.decide({Outcome::error(EINVAL), Outcome::error(ENOTDIR)});
		return;
	}
	if (l.err) {
		c.fail(l.err);
		return;
	}
	if (opath) {
		/* [fs.open.path] O_PATH opens are not checked by Landlock. */
		if (!l.target) {
			c.fail(ENOENT);
			return;
		}
		if ((fl & open_flag::directory) && !c.s.vfs.is_dir(*l.target)) {
			c.fail(ENOTDIR);
			return;
		}
		OpenFile f;
		f.kind = FileKind::path;
		f.path = *l.target;
		f.opener = domain(c);
		c.note("O_PATH: not checked by Landlock");
		c.add_file(f);
		c.ok();
		return;
	}

	const bool read = op.accmode == 0 || op.accmode == 2;
	const bool write = op.accmode == 1 || op.accmode == 2;
	const bool may_write = op.accmode != 0 || (fl & open_flag::trunc);
	VPath path;
	bool created = false;

	if (!l.target) {
		if (!creat) {
			c.fail(ENOENT);
			return;
		}
		/* [fs.make] may_o_create() -> security_path_mknod() */
		if (const int err = check_path(c, l.parent, fs::make_reg, "create", l.last)) {
			c.fail(err);
			return;
		}
		path = VPath{l.parent.mnt, create_at(c, l, FileType::reg)};
		created = true;
	} else {
		path = *l.target;
		const FileType t = c.s.vfs.type_of(path);

		if (creat && excl) {
			c.fail(EEXIST);
			return;
		}
		if (creat && t == FileType::dir) {
			c.fail(EISDIR);
			return;
		}
		if ((fl & open_flag::directory) && t != FileType::dir) {
			c.fail(ENOTDIR);
			return;
		}
		if (t == FileType::symlink) {
			c.fail(ELOOP);
			return;
		}
		if (t == FileType::dir && may_write) {
			c.fail(EISDIR);
			return;
		}
	}

	AccessMask allowed = fs::all;
	if (const int err = check_file_open(c, path, read, write, false, allowed)) {
		if (created)
			c.note("the file was created before the open was denied");
		c.fail(err);
		return;
	}
	const FileType t = c.s.vfs.type_of(path);
	if (t == FileType::sock) {
		c.note("a socket file cannot be opened");
		c.fail(ENXIO);
		return;
	}
	if (is_device(t) && !known_device(c.s.vfs.inode(c.s.vfs.inode_of(path)))) {
		c.note("no driver for this device number (a whiteout is 0:0)");
		c.fail(ENXIO);
		return;
	}
	if (t == FileType::fifo && op.accmode != 2 &&
	    !fifo_end_open(c.s, c.s.vfs.inode_of(path), write)) {
		const bool nonblock = fl & open_flag::nonblock;

		if (!nonblock) {
			c.note("a FIFO open waits for the other end");
			c.fail(err_blocked);
			return;
		}
		if (write) {
			c.note("no reader on the FIFO");
			c.fail(ENXIO);
			return;
		}
	}
	if (!created && t == FileType::reg && (fl & open_flag::trunc) &&
	    !(allowed & fs::truncate)) {
		/* [fs.truncate.open] handle_truncate() -> hook_file_truncate() */
		c.note("O_TRUNC needs truncate, not granted at open");
		c.fail(EACCES);
		return;
	}
	OpenFile f;
	f.kind = FileKind::fs;
	f.path = path;
	f.readable = read;
	f.writable = write;
	f.append = fl & open_flag::append;
	f.nonblock = fl & open_flag::nonblock;
	if (t == FileType::fifo)
		f.pipe = fifo_pipe(c.s, c.s.vfs.inode_of(path));
	f.allowed = allowed;
	if (t == FileType::reg && (fl & open_flag::trunc))
		clobber(c, path);
	f.opener = domain(c);
	c.add_file(f);
	c.ok();
}

void op_read(StepCtx &c, const Read &op)
{
	int err = 0;
	const int f = file_for_io(c, op.fd, err);

	if (f < 0) {
		c.fail(err);
		return;
	}
	const OpenFile &of = c.s.files[f];
	switch (of.kind) {
	case FileKind::ruleset:
		if (!sup_read_event(c, of))
			c.fail(EINVAL);
		return;
	case FileKind::pipe_write:
		c.fail(EBADF);
		return;
	case FileKind::pipe_read:
		pipe_read(c, of);
		return;
	case FileKind::socket:
		c.decide({Outcome::error(ENOTCONN), Outcome::error(EINVAL),
			  Outcome::error(err_blocked), Outcome::error(EAGAIN)});
		return;
	default:
		break;
	}
	if (!of.readable) {
		c.fail(EBADF);
		return;
	}
	if (c.s.vfs.is_dir(of.path)) {
		c.fail(EISDIR);
		return;
	}
	c.note("[fs.read] reads are not checked after open");
	if (of.pipe >= 0)
		pipe_read(c, of);
	else
		c.ok();
}

void op_write(StepCtx &c, const Write &op)
{
	int err = 0;
	const int f = file_for_io(c, op.fd, err);

	if (f < 0) {
		c.fail(err);
		return;
	}
	const OpenFile &of = c.s.files[f];
	switch (of.kind) {
	case FileKind::ruleset:
		if (!sup_answer_event(c, of))
			c.fail(EINVAL);
		return;
	case FileKind::pipe_read:
		c.fail(EBADF);
		return;
	case FileKind::pipe_write:
		pipe_write(c, of);
		return;
	case FileKind::socket:
		c.decide({Outcome::error(EPIPE), Outcome::error(ENOTCONN),
			  Outcome::error(EDESTADDRREQ), Outcome::ok()});
		return;
	default:
		break;
	}
	if (!of.writable) {
		c.fail(EBADF);
		return;
	}
	c.note("[fs.read] writes are not checked after open");
	if (of.pipe >= 0) {
		pipe_write(c, of);
		return;
	}
	c.ok();
	if (!of.append)
		clobber(c, of.path);
}

void op_readdir(StepCtx &c, const Readdir &op)
{
	int err = 0;
	const int f = file_for_io(c, op.fd, err);

	if (f < 0) {
		c.fail(err);
		return;
	}
	const OpenFile &of = c.s.files[f];
	if (of.kind != FileKind::fs || !c.s.vfs.is_dir(of.path)) {
		c.fail(ENOTDIR);
		return;
	}
	c.note("[fs.read] listing is checked at open (read_dir), not here");
	if (c.s.vfs.inode(c.s.vfs.inode_of(of.path)).dead) {
		c.note("[fs.read] the directory was removed since it was opened "
		       "(IS_DEADDIR): ENOENT");
		c.fail(ENOENT);
		return;
	}
	c.ok();
}

void op_truncate(StepCtx &c, const Truncate &op)
{
	const Lookup l = c.lookup(op.path, lookup_flag::follow);

	if (l.err || !l.target) {
		c.fail(l.err ? l.err : ENOENT);
		return;
	}
	const FileType t = c.s.vfs.type_of(*l.target);
	if (t == FileType::dir) {
		c.fail(EISDIR);
		return;
	}
	if (t != FileType::reg) {
		c.fail(EINVAL);
		return;
	}
	/* [fs.truncate] [vfs.truncate] security_path_truncate(), after EISDIR/EINVAL */
	if (const int err = check_path(c, *l.target, fs::truncate, "truncate")) {
		c.fail(err);
		return;
	}
	c.ok();
	clobber(c, *l.target);
}

/*
 * [fs.optional] ftruncate() and ioctl() use the rights recorded when the
 * file was opened, whoever uses the fd now.
 */
void op_ftruncate(StepCtx &c, const Ftruncate &op)
{
	int err = 0;
	const int f = file_for_io(c, op.fd, err);

	if (f < 0) {
		c.fail(err);
		return;
	}
	const OpenFile &of = c.s.files[f];
	if (of.kind != FileKind::fs || c.s.vfs.type_of(of.path) != FileType::reg ||
	    !of.writable) {
		c.note("not a regular file opened for writing");
		c.fail(EINVAL);
		return;
	}
	if (const auto r = sup_optional_recheck(c, of, fs::truncate)) {
		c.decide(*r ? Outcome::error(*r) : Outcome::ok());
	} else if (!(of.allowed & fs::truncate)) {
		c.note("the file was opened without truncate");
		c.fail(EACCES);
	} else {
		c.ok();
	}
	if (c.chosen.success())
		clobber(c, of.path);
}

namespace {

/* [fs.ioctl.masked] Commands always allowed on devices (do_vfs_ioctl()). */
bool is_masked_ioctl(IoctlCmd cmd)
{
	switch (cmd) {
	case IoctlCmd::fioclex:
	case IoctlCmd::fionclex:
	case IoctlCmd::fionbio:
	case IoctlCmd::fioasync:
	case IoctlCmd::fiqsize:
	case IoctlCmd::figetbsz:
		return true;
	case IoctlCmd::fionread:
	case IoctlCmd::tcgets:
		return false;
	}
	return false;
}

/* What do_vfs_ioctl() and the file's own ioctl give once allowed. */
OutcomeSet ioctl_result(StepCtx &c, const OpenFile &of, IoctlCmd cmd)
{
	FileType t = FileType::reg;

	if (of.kind == FileKind::fs)
		t = c.s.vfs.type_of(of.path);
	switch (cmd) {
	case IoctlCmd::fioclex:
	case IoctlCmd::fionclex:
	case IoctlCmd::fionbio:
	case IoctlCmd::fioasync:
		return Outcome::ok();
	case IoctlCmd::fiqsize:
		if (of.kind == FileKind::fs &&
		    (t == FileType::reg || t == FileType::dir || t == FileType::symlink))
			return Outcome::ok();
		return Outcome::error(ENOTTY);
	case IoctlCmd::figetbsz:
		if (of.kind == FileKind::fs)
			return Outcome::ok();
		return {Outcome::ok(), Outcome::error(ENOTTY), Outcome::error(EINVAL)};
	case IoctlCmd::fionread:
		/*
		 * [fs.ioctl] file_ioctl() answers it for regular files, and
		 * pipefifo_fops' pipe_ioctl() for named pipes.
		 */
		if (of.kind == FileKind::fs &&
		    (t == FileType::reg || t == FileType::fifo))
			return Outcome::ok();
		if (of.kind == FileKind::pipe_read || of.kind == FileKind::pipe_write)
			return Outcome::ok();
		if (of.kind == FileKind::socket)
			return {Outcome::ok(), Outcome::error(EINVAL)};
		return Outcome::error(ENOTTY);
	case IoctlCmd::tcgets:
		return Outcome::error(ENOTTY);
	}
	return Outcome::error(ENOTTY);
}

} // namespace

void op_ioctl(StepCtx &c, const Ioctl &op)
{
	int err = 0;
	const int f = file_for_io(c, op.fd, err);

	if (f < 0) {
		c.fail(err);
		return;
	}
	const OpenFile &of = c.s.files[f];
	const bool device = of.kind == FileKind::fs && is_device(c.s.vfs.type_of(of.path));

	/* [fs.ioctl] hook_file_ioctl() runs before do_vfs_ioctl(). */
	if (device && !is_masked_ioctl(op.cmd)) {
		const auto r = sup_optional_recheck(c, of, fs::ioctl_dev);

		if (r && *r) {
			c.fail(*r);
			return;
		}
		if (!r && !(of.allowed & fs::ioctl_dev)) {
			c.note("the device was opened without ioctl_dev");
			c.fail(EACCES);
			return;
		}
	} else if (device) {
		c.note("[fs.ioctl.masked] this command is always allowed");
	}
	c.decide(ioctl_result(c, of, op.cmd));
}

void op_mkdir(StepCtx &c, const Mkdir &op)
{
	const Lookup l = c.lookup(op.path, 0);

	if (!creatable(c, l))
		return;
	/* [fs.make] security_path_mkdir() */
	if (const int err = check_path(c, l.parent, fs::make_dir, "mkdir", l.last)) {
		c.fail(err);
		return;
	}
	create_at(c, l, FileType::dir);
	c.ok();
}

void op_mknod(StepCtx &c, const Mknod &op)
{
	static const FileType types[] = {FileType::reg, FileType::fifo,
					 FileType::sock, FileType::chr,
					 FileType::blk,	 FileType::chr};
	const FileType type = types[static_cast<int>(op.kind)];
	const bool whiteout = op.kind == MknodKind::whiteout;
	const Lookup l = c.lookup(op.path, 0);

	if (!creatable(c, l))
		return;
	/* [fs.make] security_path_mknod(); [erratum.4] for whiteouts. */
	const AccessMask need = make_access(type, whiteout, c.erratum(4));
	if (whiteout)
		c.note(std::string("[erratum.4] a whiteout needs ") + format_fs(need) +
		       (c.erratum(4) ? " (erratum 4 fixed)" : " (erratum 4 not fixed)"));
	if (const int err = check_path(c, l.parent, need, "mknod", l.last)) {
		c.fail(err);
		return;
	}
	if ((type == FileType::chr || type == FileType::blk) && !whiteout &&
	    !c.self().caps) {
		c.note("creating a device needs CAP_MKNOD");
		c.fail(EPERM);
		return;
	}
	const DentryId d = create_at(c, l, type);
	Inode &ino = c.s.vfs.inode(c.s.vfs.dentry(d).inode);
	ino.major = whiteout ? 0 : op.major;
	ino.minor = whiteout ? 0 : op.minor;
	c.ok();
}

void op_symlink(StepCtx &c, const Symlink &op)
{
	const Lookup l = c.lookup(op.path, 0);

	if (!creatable(c, l))
		return;
	/* [fs.make] security_path_symlink() */
	if (const int err = check_path(c, l.parent, fs::make_sym, "symlink", l.last)) {
		c.fail(err);
		return;
	}
	const DentryId d = create_at(c, l, FileType::symlink);
	c.s.vfs.inode(c.s.vfs.dentry(d).inode).target = op.target;
	c.ok();
}

void op_link(StepCtx &c, const Link &op)
{
	const Lookup from = c.lookup(op.from, 0);

	if (from.err || !from.target) {
		c.fail(from.err ? from.err : ENOENT);
		return;
	}
	const Lookup to = c.lookup(op.to, 0);
	if (!creatable(c, to))
		return;
	if (from.target->mnt != to.parent.mnt) {
		/* [vfs.link] EXDEV before Landlock, EPERM (directory) after. */
		c.note("link across mounts");
		c.fail(EXDEV);
		return;
	}
	/* [refer] security_path_link() */
	const Domain &d = domain(c);
	const auto extra = sup_committed(c.s, d);
	const ReferResult r = check_refer(c.s.vfs, d, from.parent, from.target->dentry,
					  to.parent, -1, false, false, false,
					  c.erratum(3), c.erratum(4), extra, c.audit);
	for (const auto &line : r.lines)
		c.note(line);
	if (r.err) {
		c.fail(r.err);
		return;
	}
	if (c.s.vfs.is_dir(*from.target)) {
		c.fail(EPERM);
		return;
	}
	c.s.vfs.add_link(to.parent, to.last, c.s.vfs.inode_of(*from.target));
	c.ok();
}

namespace {

/* lock_rename()'s trap: the child of the common ancestor on the way. */
DentryId rename_trap(const Vfs &vfs, DentryId p1, DentryId p2)
{
	auto child_on_way = [&](DentryId ancestor, DentryId d) -> DentryId {
		while (!vfs.is_fs_root(d)) {
			if (vfs.dentry(d).parent == ancestor)
				return d;
			d = vfs.dentry(d).parent;
		}
		return -1;
	};

	if (p1 == p2)
		return -1;
	if (vfs.is_subdir(p2, p1))
		return child_on_way(p1, p2);
	if (vfs.is_subdir(p1, p2))
		return child_on_way(p2, p1);
	return -1;
}

/* Checks of vfs_rename() after the LSM hook; 0 or the errno. */
int rename_after_hook(StepCtx &c, DentryId old_d, std::optional<DentryId> new_d,
		      std::uint32_t flags)
{
	const Vfs &vfs = c.s.vfs;
	const bool is_dir = vfs.inode(vfs.dentry(old_d).inode).type == FileType::dir;

	if (!new_d)
		return vfs.is_mountpoint(old_d) ? EBUSY : 0;
	if (vfs.dentry(old_d).inode == vfs.dentry(*new_d).inode)
		return -1; /* same inode: a successful no-op */
	const bool new_is_dir = vfs.inode(vfs.dentry(*new_d).inode).type == FileType::dir;
	if (!(flags & rename_flag::exchange)) {
		if (is_dir && !new_is_dir)
			return ENOTDIR;
		if (!is_dir && new_is_dir)
			return EISDIR;
	}
	if (vfs.is_mountpoint(old_d) || vfs.is_mountpoint(*new_d))
		return EBUSY;
	if (!(flags & rename_flag::exchange) && new_is_dir &&
	    !vfs.dentry(*new_d).children.empty())
		return ENOTEMPTY;
	return 0;
}

} // namespace

void op_rename(StepCtx &c, const Rename &op)
{
	const std::uint32_t fl = op.flags;
	const bool exchange = fl & rename_flag::exchange;

	if ((fl & (rename_flag::noreplace | rename_flag::whiteout)) && exchange) {
		c.fail(EINVAL);
		return;
	}
	const Lookup from = c.lookup(op.from, 0);
	if (from.err) {
		c.fail(from.err);
		return;
	}
	const Lookup to = c.lookup(op.to, 0);
	if (to.err) {
		c.fail(to.err);
		return;
	}
	if (from.parent.mnt != to.parent.mnt) {
		c.note("rename across mounts");
		c.fail(EXDEV);
		return;
	}
	if (from.last.empty()) {
		c.fail(EBUSY);
		return;
	}
	if (to.last.empty()) {
		c.fail((fl & rename_flag::noreplace) ? EEXIST : EBUSY);
		return;
	}
	if (!from.target) {
		c.fail(ENOENT);
		return;
	}
	if (exchange && !to.target) {
		c.fail(ENOENT);
		return;
	}
	if ((fl & rename_flag::noreplace) && to.target) {
		c.fail(EEXIST);
		return;
	}
	/*
	 * [vfs.rename] do_renameat2() looks the last components up with
	 * lookup_one_qstr_excl(), which does not cross mounts: a mount point
	 * is renamed (and checked by Landlock) as the directory it is, not
	 * as the root mounted on it, and then refused with EBUSY.
	 */
	const Vfs &vfs = c.s.vfs;
	const DentryId old_d = vfs.dentry(from.parent.dentry).children.at(from.last);
	const std::optional<DentryId> new_d =
		to.target ? std::optional<DentryId>(
				    vfs.dentry(to.parent.dentry).children.at(to.last))
			  : std::nullopt;
	const DentryId trap = rename_trap(c.s.vfs, from.parent.dentry, to.parent.dentry);
	if (trap >= 0 && old_d == trap) {
		c.note("the source is an ancestor of the destination");
		c.fail(EINVAL);
		return;
	}
	if (trap >= 0 && new_d && *new_d == trap) {
		c.note("the destination is an ancestor of the source");
		c.fail(exchange ? EINVAL : ENOTEMPTY);
		return;
	}
	/* [refer] security_path_rename() */
	const Domain &d = domain(c);
	const auto extra = sup_committed(c.s, d);
	const ReferResult r = check_refer(
		c.s.vfs, d, from.parent, old_d, to.parent, new_d.value_or(-1), true,
		exchange, fl & rename_flag::whiteout, c.erratum(3), c.erratum(4), extra,
		c.audit);
	for (const auto &line : r.lines)
		c.note(line);
	if (r.err) {
		c.fail(r.err);
		return;
	}
	const int err = rename_after_hook(c, old_d, new_d, fl);
	if (err > 0) {
		c.fail(err);
		return;
	}
	if (err == 0) {
		const VPath old_parent = from.parent;
		const std::string old_name = from.last;

		if (exchange)
			c.s.vfs.exchange(old_d, *new_d);
		else
			c.s.vfs.rename(old_d, to.parent, to.last);
		if (fl & rename_flag::whiteout) {
			const DentryId w = c.s.vfs.create(old_parent, old_name, FileType::chr);
			Inode &ino = c.s.vfs.inode(c.s.vfs.dentry(w).inode);
			ino.major = ino.minor = 0;
		}
	}
	c.ok();
}

void op_unlink(StepCtx &c, const Unlink &op)
{
	const Lookup l = c.lookup(op.path, 0);

	if (l.err) {
		c.fail(l.err);
		return;
	}
	if (l.last.empty()) {
		c.fail(EISDIR);
		return;
	}
	if (!l.target) {
		c.fail(ENOENT);
		return;
	}
	/* [fs.remove] [vfs.remove] security_path_unlink(), then EISDIR, EBUSY */
	if (const int err = check_path(c, l.parent, fs::remove_file, "unlink", l.last)) {
		c.fail(err);
		return;
	}
	/*
	 * [vfs.rename] Like rename, do_unlinkat() looks the name up without
	 * crossing mounts: a file bind-mounted over is busy, not removed.
	 */
	const DentryId d = c.s.vfs.dentry(l.parent.dentry).children.at(l.last);
	if (c.s.vfs.inode(c.s.vfs.dentry(d).inode).type == FileType::dir) {
		c.fail(EISDIR);
		return;
	}
	if (c.s.vfs.is_mountpoint(d)) {
		c.fail(EBUSY);
		return;
	}
	c.s.vfs.unlink(d);
	c.ok();
}

void op_rmdir(StepCtx &c, const Rmdir &op)
{
	const Lookup l = c.lookup(op.path, 0);

	if (l.err) {
		c.fail(l.err);
		return;
	}
	if (l.last.empty()) {
		/*
		 * [vfs.root] The trace's root is a directory the executor
		 * names as ".", not the real root: rmdir(".") is EINVAL.
		 */
		c.fail(EINVAL);
		return;
	}
	if (!l.target) {
		c.fail(ENOENT);
		return;
	}
	/* The lookup crossed into a mount: the name is a mount point. */
	const DentryId d = c.s.vfs.dentry(l.parent.dentry).children.at(l.last);
	/* [fs.remove] security_path_rmdir() */
	if (const int err = check_path(c, l.parent, fs::remove_dir, "rmdir", l.last)) {
		c.fail(err);
		return;
	}
	if (c.s.vfs.inode(c.s.vfs.dentry(d).inode).type != FileType::dir) {
		c.fail(ENOTDIR);
		return;
	}
	if (c.s.vfs.is_mountpoint(d)) {
		c.fail(EBUSY);
		return;
	}
	if (!c.s.vfs.dentry(d).children.empty()) {
		c.fail(ENOTEMPTY);
		return;
	}
	c.s.vfs.rmdir(d);
	c.ok();
}

void op_exec(StepCtx &c, const Exec &op)
{
	const Lookup l = c.lookup(op.path, lookup_flag::follow);

	if (l.err || !l.target) {
		c.fail(l.err ? l.err : ENOENT);
		return;
	}
	const VPath path = *l.target;
	const FileType t = c.s.vfs.type_of(path);
	if (t != FileType::reg) {
		c.note("only regular files can be executed");
		c.fail(EACCES);
		return;
	}
	if (!c.s.vfs.inode(c.s.vfs.inode_of(path)).exec) {
		c.note("no execute permission bit (not Landlock)");
		c.fail(EACCES);
		return;
	}
	/* [fs.exec] [vfs.exec] open_exec(): FMODE_READ and __FMODE_EXEC */
	AccessMask allowed;
	if (const int err = check_file_open(c, path, true, false, true, allowed)) {
		c.fail(err);
		return;
	}
	if (open_for_writing(c, c.s.vfs.inode_of(path))) {
		c.note("the file is open for writing (deny_write_access)");
		c.fail(ETXTBSY);
		return;
	}
	if (!c.s.vfs.inode(c.s.vfs.inode_of(path)).program) {
		c.note("the file no longer holds a program");
		c.fail(ENOEXEC);
		return;
	}
	c.ok();
}

void op_mount(StepCtx &c, const Mount &op)
{
	const Lookup at = c.lookup(op.path, lookup_flag::follow);

	if (at.err || !at.target) {
		c.fail(at.err ? at.err : ENOENT);
		return;
	}
	/* [fs.topology] hook_sb_mount() */
	if (domain_handles(domain(c), fs::all, 0, 0)) {
		c.note("[fs.topology] a sandboxed task cannot change the mount topology");
		c.fail(EPERM);
		return;
	}
	if (!c.self().caps) {
		c.fail(EPERM);
		return;
	}
	if (op.kind == MountKind::tmpfs) {
		if (!c.s.vfs.is_dir(*at.target)) {
			c.fail(ENOTDIR);
			return;
		}
		c.s.vfs.mount_tmpfs(*at.target);
		c.ok();
		return;
	}
	/* [vfs.mount] mount(2) has no *at form. */
	const Lookup src = c.lookup_via_proc_fd(op.source, lookup_flag::follow);
	if (src.err || !src.target) {
		c.fail(src.err ? src.err : ENOENT);
		return;
	}
	if (c.s.vfs.is_dir(*src.target) != c.s.vfs.is_dir(*at.target)) {
		c.fail(ENOTDIR);
		return;
	}
	/*
	 * [fs.walk.mounts] A non-directory may be bind-mounted on another
	 * one; the walk from it then goes to the (hidden) mount point's
	 * parent like for a directory.
	 */
	c.s.vfs.mount_bind(*src.target, *at.target);
	c.ok();
}

void op_umount(StepCtx &c, const Umount &op)
{
	const Lookup at = c.lookup(op.path, lookup_flag::follow);

	if (at.err || !at.target) {
		c.fail(at.err ? at.err : ENOENT);
		return;
	}
	if (!c.self().caps) {
		c.fail(EPERM);
		return;
	}
	/*
	 * [vfs.mount] A path walk ends on the dentry it names, even one that
	 * a mount covers (the trace root, an fd's directory); umount(2) alone
	 * goes on to the topmost mount stacked there.
	 */
	const VPath target = c.s.vfs.topmost(*at.target);

	if (!c.s.vfs.is_mount_root(target) || target.mnt == 0) {
		c.fail(EINVAL);
		return;
	}
	/* [fs.topology] hook_sb_umount() */
	if (domain_handles(domain(c), fs::all, 0, 0)) {
		c.note("[fs.topology] a sandboxed task cannot change the mount topology");
		c.fail(EPERM);
		return;
	}
	if (mount_busy(c, target.mnt)) {
		c.fail(EBUSY);
		return;
	}
	c.s.vfs.umount(target.mnt);
	c.ok();
}

} // namespace lockstep
