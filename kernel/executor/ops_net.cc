// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Sockets and their addresses
 *
 * Pathname UNIX addresses are relative to the current directory (the trace
 * root, or $D for the time of the call): the absolute path of the scratch
 * directory could exceed the 108 bytes of sun_path, a relative one is as
 * short as the trace wrote it.  Abstract names get the trace's unique
 * prefix, so that workers sharing a network namespace never collide.
 */
#include "kernel/executor/ops.h"

#include "kernel/executor/uapi.h"

#include <arpa/inet.h>
#include <cstddef>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

namespace lockstep::exec {

namespace {

/* listen(2) backlog: a few pending connections, like a small server. */
constexpr int listen_backlog = 16;

struct Addr {
	sockaddr_storage ss{};
	socklen_t len = 0;

	const sockaddr *sa() const { return reinterpret_cast<const sockaddr *>(&ss); }
};

/* The family of the socket behind @fd; AF_INET if it is not a socket. */
int socket_domain(int fd)
{
	int domain = AF_INET;
	socklen_t len = sizeof domain;

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0)
		return AF_INET;
	return domain;
}

/* Loopback or wildcard in @domain's layout; sa_family AF_UNSPEC if @unspec. */
Addr inet_addr(int domain, const SockAddr &a)
{
	const bool unspec = a.family == AddrFamily::unspec;
	Addr out;

	if (domain == AF_INET6) {
		auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&out.ss);

		sin6->sin6_family = unspec ? AF_UNSPEC : AF_INET6;
		sin6->sin6_port = htons(a.port);
		sin6->sin6_addr = a.any ? in6addr_any : in6addr_loopback;
		out.len = sizeof *sin6;
	} else {
		auto *sin = reinterpret_cast<sockaddr_in *>(&out.ss);

		sin->sin_family = unspec ? AF_UNSPEC : AF_INET;
		sin->sin_port = htons(a.port);
		sin->sin_addr.s_addr = htonl(a.any ? INADDR_ANY : INADDR_LOOPBACK);
		out.len = sizeof *sin;
	}
	return out;
}

Addr unix_addr(const std::string &name, bool abstract)
{
	Addr out;
	auto *sun = reinterpret_cast<sockaddr_un *>(&out.ss);
	const std::size_t skip = abstract ? 1 : 0;
	const std::size_t n = std::min(name.size(), sizeof sun->sun_path - skip);

	sun->sun_family = AF_UNIX;
	std::memcpy(sun->sun_path + skip, name.data(), n);
	/* Pathnames count their NUL when it fits; abstract names never do. */
	out.len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + skip + n +
					 (!abstract && n < sizeof sun->sun_path ? 1 : 0));
	return out;
}

/*
 * [net.unix.at] A pathname relative to $D is resolved from D's directory,
 * entered with fchdir().  When D is no directory (or no open fd), the
 * kernel is given /proc/self/fd/D/PATH instead: it then fails on the path
 * (ENOTDIR, or ENOENT for a closed fd) only if it resolves the path at all,
 * after its own earlier checks (the address length, the socket type).  An
 * explicit addrlen above 2 counts the path as the trace wrote it.
 */
template <class C, class F>
Outcome unix_path_call(Task &t, const SockAddr &a, C call_unix, F fn)
{
	const Where w = where(t, a.path);

	if (a.path.at.empty())
		return call_unix(unix_addr(w.rel, false));
	if (fchdir(w.dirfd) == 0) {
		const Outcome o = call_unix(unix_addr(w.rel, false));

		fchdir(t.env->root_fd);
		return o;
	}
	const std::string via = "/proc/self/fd/" + std::to_string(w.dirfd) + "/";
	Addr addr = unix_addr(via + w.rel, false);

	/* An addrlen the kernel refuses for its size stays as it is. */
	if (a.addrlen)
		addr.len = *a.addrlen <= 2 || *a.addrlen > sizeof(sockaddr_un)
				   ? static_cast<socklen_t>(*a.addrlen)
				   : static_cast<socklen_t>(std::min<std::size_t>(
					     *a.addrlen + via.size(), sizeof(sockaddr_un)));
	t.note = "$" + a.path.at + " is no directory: the path goes through " + via;
	return fn(addr);
}

/* Call @fn(addr) with @a built for the socket @fd. */
template <class F> Outcome with_addr(Task &t, int fd, const SockAddr &a, F fn)
{
	auto call = [&](Addr addr) {
		if (a.addrlen)
			addr.len = static_cast<socklen_t>(*a.addrlen);
		return fn(addr);
	};

	/*
	 * A UNIX address given to an inet socket has the length of a whole
	 * sockaddr_un, as the model assumes ([net.addrlen]): its real length
	 * depends on the scratch layout, which the model cannot know.
	 */
	auto call_unix = [&](Addr addr) {
		if (!a.addrlen && socket_domain(fd) != AF_UNIX)
			addr.len = sizeof(sockaddr_un);
		return call(addr);
	};
	int type = 0;
	socklen_t tlen = sizeof type;
	const bool is_socket = getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0;

	switch (a.family) {
	case AddrFamily::inet:
	case AddrFamily::unspec:
		return call(inet_addr(socket_domain(fd), a));
	case AddrFamily::unix_abstract: {
		Addr addr = unix_addr(t.env->abstract_prefix + a.name, true);

		/*
		 * [net.unix.addrlen] An explicit addrlen above 2 counts the
		 * name as the trace wrote it: the tag before it is added.
		 */
		if (a.addrlen && *a.addrlen > 2 && socket_domain(fd) == AF_UNIX)
			return fn(Addr{addr.ss, static_cast<socklen_t>(
						*a.addrlen + t.env->abstract_prefix.size())});
		return call_unix(addr);
	}
	case AddrFamily::unix_path:
		/*
		 * Not a socket: the call fails (EBADF, ENOTSOCK) before the
		 * kernel reads the address; not a UNIX socket: its family
		 * never resolves a path.  Either way the directory the path
		 * is relative to is never entered.
		 */
		if (!is_socket || socket_domain(fd) != AF_UNIX)
			return call_unix(unix_addr(a.path.path, false));
		return unix_path_call(t, a, call_unix, fn);
	}
	return Outcome::error(EINVAL);
}

/*
 * [net.tcp.close] A TCP socket's close resets its connection rather than
 * leaving a TIME_WAIT socket behind: that one would hold the port for
 * 60 s, failing a later step's bind(2), or a later trace's in the same
 * worker, with EADDRINUSE.  SO_LINGER rather than the netns's
 * tcp_max_tw_buckets, which needs CONFIG_PROC_SYSCTL.  An MPTCP socket
 * that refuses the option is left as it is.
 */
void no_time_wait(int fd)
{
	const linger l{.l_onoff = 1, .l_linger = 0};

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

} // namespace

Outcome run(Task &, const Socket &op, std::size_t)
{
	int domain = AF_INET, type = SOCK_STREAM, proto = 0;

	switch (op.kind) {
	case SockKind::tcp4:
		break;
	case SockKind::tcp6:
		domain = AF_INET6;
		break;
	case SockKind::udp4:
		type = SOCK_DGRAM;
		break;
	case SockKind::udp6:
		domain = AF_INET6;
		type = SOCK_DGRAM;
		break;
	case SockKind::mptcp4:
		proto = uapi::ipproto_mptcp;
		break;
	case SockKind::mptcp6:
		domain = AF_INET6;
		proto = uapi::ipproto_mptcp;
		break;
	case SockKind::unix_stream:
		domain = AF_UNIX;
		break;
	case SockKind::unix_dgram:
		domain = AF_UNIX;
		type = SOCK_DGRAM;
		break;
	case SockKind::unix_seqpacket:
		domain = AF_UNIX;
		type = SOCK_SEQPACKET;
		break;
	}
	const int fd = socket(domain, type | SOCK_CLOEXEC, proto);

	if (fd >= 0 && type == SOCK_STREAM && domain != AF_UNIX)
		no_time_wait(fd);
	return result(fd);
}

Outcome run(Task &t, const Bind &op, std::size_t)
{
	const int fd = fd_of(t, op.fd);

	return with_addr(t, fd, op.addr,
			 [&](const Addr &a) { return result(bind(fd, a.sa(), a.len)); });
}

Outcome run(Task &t, const Listen &op, std::size_t)
{
	return result(listen(fd_of(t, op.fd), listen_backlog));
}

Outcome run(Task &t, const Connect &op, std::size_t)
{
	const int fd = fd_of(t, op.fd);

	return with_addr(t, fd, op.addr,
			 [&](const Addr &a) { return result(connect(fd, a.sa(), a.len)); });
}

Outcome run(Task &t, const SendTo &op, std::size_t)
{
	const int fd = fd_of(t, op.fd);

	if (!op.addr)
		return result(sendto(fd, "x", 1, 0, nullptr, 0));
	return with_addr(t, fd, *op.addr, [&](const Addr &a) {
		return result(sendto(fd, "x", 1, 0, a.sa(), a.len));
	});
}

} // namespace lockstep::exec
