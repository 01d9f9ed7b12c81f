// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Sockets and signals
 *
 * TCP and UDP port rules ([net]) follow security/landlock/net.c; UNIX
 * sockets and signals are IPC scopes ([scope]) following task.c, and
 * pathname UNIX sockets the RESOLVE_UNIX right ([fs.resolve_unix]).
 */
#include "model/fs_check.h"
#include "model/step.h"
#include "model/supervisor.h"

namespace lockstep {

namespace {

bool is_unix(SockKind k)
{
	return k == SockKind::unix_stream || k == SockKind::unix_dgram ||
	       k == SockKind::unix_seqpacket;
}

bool is_udp(SockKind k) { return k == SockKind::udp4 || k == SockKind::udp6; }
bool is_mptcp(SockKind k) { return k == SockKind::mptcp4 || k == SockKind::mptcp6; }
bool is_stream_inet(SockKind k)
{
	return k == SockKind::tcp4 || k == SockKind::tcp6 || is_mptcp(k);
}

bool is_v6(SockKind k)
{
	return k == SockKind::tcp6 || k == SockKind::udp6 || k == SockKind::mptcp6;
}

bool is_unix_addr(const SockAddr &a)
{
	return a.family == AddrFamily::unix_path || a.family == AddrFamily::unix_abstract;
}

/* The length of sockaddr_in or sockaddr_in6, what inet sockets read. */
unsigned inet_len(SockKind k) { return is_v6(k) ? 24u : 16u; }

/* The natural address length for the socket's family. */
unsigned natural_len(const SockAddr &a, SockKind k)
{
	if (a.family == AddrFamily::unix_path || a.family == AddrFamily::unix_abstract)
		return 110;
	return is_v6(k) ? 28 : 16;
}

/*
 * [net.tcp.erratum1] Only TCP sockets are subject to TCP rights; before
 * erratum 1 was fixed, any IPv4/IPv6 stream socket (MPTCP here) was.
 */
bool tcp_rights_apply(StepCtx &c, SockKind k)
{
	if (k == SockKind::tcp4 || k == SockKind::tcp6)
		return true;
	return is_mptcp(k) && !c.erratum(1);
}

struct SockRef {
	int file = -1;
	int sock = -1;
};

/*
 * [net.addrlen] An address longer than a sockaddr_storage is never copied
 * into the kernel (move_addr_to_kernel()): EINVAL, whatever the domain.
 */
bool addr_too_long(const SockAddr &a)
{
	return a.addrlen && *a.addrlen > 128;
}

/*
 * [net.unix.addrlen] What a UNIX socket makes of an address: 0 with @eff
 * the address it reads, or EINVAL (unix_validate_addr(): 2 bytes or
 * fewer, more than a sockaddr_un, or another family).  An explicit addrlen
 * counts the address as the trace wrote it: a pathname relative to the
 * trace root ("/a/b" as "a/b", "/" as "."), an abstract name without the
 * executor's tag.  A shorter addrlen cuts the name; a longer one pads an
 * abstract name with NULs, and then whether it still fits a sockaddr_un
 * depends on the tag's length: @padded.
 */
int unix_addr(const SockAddr &a, SockAddr &eff, bool &padded)
{
	eff = a;
	padded = false;
	if (!a.addrlen)
		return is_unix_addr(a) ? 0 : EINVAL;
	const unsigned len = *a.addrlen;

	if (len <= 2 || len > 110 || !is_unix_addr(a))
		return EINVAL;
	if (a.family == AddrFamily::unix_abstract) {
		const std::size_t natural = 3 + a.name.size();

		padded = len > natural;
		if (len < natural)
			eff.name.resize(len - 3);
		return 0;
	}
	const std::string &p = a.path.path;
	std::string rel = !a.path.at.empty() ? p : p == "/" ? "." : p.substr(1);

	if (len - 2 < rel.size()) {
		rel.resize(len - 2);
		eff.path.path = !a.path.at.empty() ? rel : "/" + rel;
	}
	return 0;
}

/* [net.unix.addrlen] sendto(2) with a zero addrlen sends to no address. */
bool no_address(const std::optional<SockAddr> &a)
{
	return !a || (a->addrlen && *a->addrlen == 0);
}

/*
 * [net.fd] The file the socket calls look up: fdget() does not return
 * O_PATH files, so an O_PATH fd is EBADF like a closed one; -1 then.
 */
int socket_file(StepCtx &c, const FdRef &ref)
{
	const int f = c.file_of(ref);

	return f >= 0 && c.s.files[f].kind == FileKind::path ? -1 : f;
}

bool socket_of(StepCtx &c, const FdRef &ref, SockRef &out)
{
	const int f = socket_file(c, ref);

	if (f < 0) {
		c.fail(EBADF);
		return false;
	}
	if (c.s.files[f].kind != FileKind::socket) {
		c.fail(ENOTSOCK);
		return false;
	}
	out = SockRef{f, c.s.files[f].socket};
	return true;
}

/*
 * [net.unspec] Whether the kernel may predate "landlock: Fix TCP handling of
 * short AF_UNSPEC addresses" (Linux 7.0, ABI 8).  That fix is no erratum, so
 * no kernel reports it; stable kernels of ABI 4 to 7 may have the backport or
 * not.  Before it, once the domain handles any network right, an AF_UNSPEC
 * address shorter than a sockaddr_in gives EINVAL even for connect(2), and
 * bind(2) on an IPv6 socket gives EINVAL, not EAFNOSUPPORT.  Both behaviours
 * are allowed on those kernels.
 */
bool unspec_fix_unsure(StepCtx &c, SockKind k)
{
	return c.p.abi >= 4 && c.p.abi <= 7 && !is_udp(k) && tcp_rights_apply(c, k) &&
	       domain_handles(c.self().domain, 0, net::bind_tcp | net::connect_tcp, 0);
}

/*
 * Linux's current_check_access_socket(): 0, or the errno Landlock gives
 * (EINVAL and EAFNOSUPPORT for malformed addresses, EACCES for a denied
 * port).  @connecting distinguishes connect() from sendto().
 */
int check_port(StepCtx &c, SockKind k, const SockAddr &a, AccessMask access,
	       bool connecting, bool *applies)
{
	const Domain &d = c.self().domain;
	const unsigned len = a.addrlen.value_or(natural_len(a, k));
	const bool v6 = is_v6(k);

	*applies = domain_handles(d, 0, access, 0);
	if (!*applies)
		return 0;
	if (len < 2)
		return EINVAL;
	/*
	 * [net.addrlen] Landlock only reads AF_INET, AF_INET6 and AF_UNSPEC
	 * addresses: the network stack refuses the others after the hook.
	 */
	if (is_unix_addr(a))
		return 0;
	if (a.family == AddrFamily::unspec) {
		if (access == net::connect_tcp ||
		    (access == net::connect_send_udp && connecting)) {
			c.note("[net.unspec] AF_UNSPEC disconnects: always allowed");
			return 0;
		}
		if (access == net::connect_send_udp) {
			if (v6) {
				c.note("[net.unspec] AF_UNSPEC destination on an IPv6 "
				       "socket is denied");
				return EACCES;
			}
		} else if (v6) {
			return len < 24 ? EINVAL : EAFNOSUPPORT;
		} else {
			if (len < 16)
				return EINVAL;
			if (!a.any)
				return EAFNOSUPPORT;
		}
	}
	if (len < (v6 && a.family != AddrFamily::unspec ? 24u : 16u))
		return EINVAL;
	/* [net.port0] The port as given: port 0 needs a rule for port 0. */
	LayerMasks m = init_net_masks(d, access);
	/* [sup.check] a supervised layer also takes its supervisor's rules. */
	const auto extra = sup_committed(c.s, d);
	for (std::size_t i = 0; i < m.n; i++) {
		auto unmask = [&](const NetRules &rules) {
			const auto it = rules.find(a.port);

			if (it != rules.end()) {
				m.denied[i] &= ~it->second.access;
				m.quiet[i] = m.quiet[i] || it->second.quiet;
			}
		};

		unmask(d[i].rules.net);
		if (i < extra.size() && extra[i])
			unmask(extra[i]->net);
	}
	for (std::size_t i = 0; i < m.n; i++) {
		if (!(access & d[i].handled.net))
			continue;
		c.note("  layer " + std::to_string(i + 1) + " (" + d[i].label + "): " +
		       (m.denied[i] ? "no rule grants " + format_net(access) +
					      " on port " + std::to_string(a.port)
				    : format_net(access) + " granted on port " +
					      std::to_string(a.port)));
	}
	if (m.allowed())
		return 0;
	return sup_denial(c, m, d, true, "port " + std::to_string(a.port));
}

/*
 * [net.udp.autobind] Connecting or sending on an unbound UDP socket binds
 * it to an ephemeral port: that needs bind_udp on port 0.
 */
int check_autobind(StepCtx &c, const SocketObj &s)
{
	if (!is_udp(s.kind) || s.bound)
		return 0;
	SockAddr port0;
	bool applies = false;

	port0.any = true;
	const int err = check_port(c, s.kind, port0, net::bind_udp, false, &applies);
	if (applies)
		c.note("[net.udp.autobind] the socket is unbound: bind_udp on port 0 "
		       "is needed too");
	return err;
}

int port_space(SockKind k)
{
	return is_udp(k) ? 1 : 0;
}

/* Whether a bound socket already holds @port for a new bind. */
bool port_in_use(const State &st, const SocketObj &me, std::uint16_t port, bool any,
		 bool *unsure)
{
	*unsure = false;
	for (const auto &o : st.sockets) {
		if (&o == &me || !o.bound || o.port != port || port == 0 ||
		    is_unix(o.kind) || port_space(o.kind) != port_space(me.kind))
			continue;
		/* Same family: loopback and wildcard binds all overlap. */
		if (is_v6(o.kind) == is_v6(me.kind))
			return true;
		/* Dual-stack wildcard binds overlap across families. */
		if ((is_v6(o.kind) && o.any) || (is_v6(me.kind) && any))
			*unsure = true;
	}
	return false;
}

/* The domain a UNIX server socket carries (its file's f_cred). */
const Domain &socket_domain(StepCtx &c, int sock)
{
	for (const auto &f : c.s.files)
		if (f.kind == FileKind::socket && f.socket == sock)
			return f.opener;
	static const Domain none;
	return none;
}

/*
 * [scope.hierarchy] Linux's domain_is_scoped(): the client may reach the
 * server only if, at every layer that sets @scope, the server is in the
 * same domain (a descendant of that layer).
 */
bool domain_is_scoped(const Domain &client, const Domain &server, AccessMask scope)
{
	const int cn = static_cast<int>(client.size());
	const int sn = static_cast<int>(server.size());

	for (int i = cn - 1; i >= 0; i--) {
		if (!(client[i].handled.scope & scope))
			continue;
		/* Deepest scoping layer: the server must share it. */
		return !(i < sn && server[i].id == client[i].id);
	}
	return false;
}

bool alive(const State &st, int sock)
{
	for (const auto &p : st.processes)
		for (const auto &[fd, f] : p.fds)
			if (st.files[f].kind == FileKind::socket && st.files[f].socket == sock)
				return true;
	return false;
}

int find_abstract(StepCtx &c, const std::string &name, SockKind kind, bool *other_type)
{
	*other_type = false;
	for (std::size_t i = 0; i < c.s.sockets.size(); i++) {
		const auto &s = c.s.sockets[i];

		if (s.abstract != name || !alive(c.s, static_cast<int>(i)))
			continue;
		if (s.kind == kind)
			return static_cast<int>(i);
		*other_type = true;
	}
	return -1;
}

int find_by_inode(StepCtx &c, InodeId ino)
{
	for (std::size_t i = 0; i < c.s.sockets.size(); i++) {
		const auto &s = c.s.sockets[i];

		if (s.path >= 0 && c.s.vfs.dentry(s.path).inode == ino &&
		    alive(c.s, static_cast<int>(i)))
			return static_cast<int>(i);
	}
	return -1;
}

/*
 * [fs.resolve_unix] Linux's hook_unix_find(): a pathname socket created
 * in the same (or a nested) domain is always reachable; otherwise the
 * socket file's path needs resolve_unix.
 */
int check_resolve_unix(StepCtx &c, const VPath &path, int server)
{
	const Domain &d = c.self().domain;

	if (!domain_handles(d, fs::resolve_unix, 0, 0))
		return 0;
	const Domain &sd = socket_domain(c, server);
	FsWalk w = start_fs_walk(c.s.vfs, d, path, fs::resolve_unix, c.erratum(3));

	for (std::size_t i = 0; i < d.size(); i++) {
		if (i < sd.size() && sd[i].id == d[i].id && w.masks.denied[i]) {
			w.masks.denied[i] = 0;
			c.note("  layer " + std::to_string(i + 1) +
			       ": the server socket was created in this domain");
		}
	}
	fs_walk_finish(w, c.s.vfs, d, sup_committed(c.s, d), c.audit);
	c.note("resolve_unix on " + c.s.vfs.path_name(path));
	for (auto &line : explain_fs_walk(w, c.s.vfs, d))
		c.note("  " + line);
	return w.allowed() ? 0 : EACCES;
}

/* [scope.unix] Abstract sockets: a scoped client cannot reach outside. */
int check_unix_scope(StepCtx &c, int server)
{
	const Domain &d = c.self().domain;

	if (!domain_handles(d, 0, 0, scope::abstract_unix_socket))
		return 0;
	if (!domain_is_scoped(d, socket_domain(c, server), scope::abstract_unix_socket)) {
		c.note("[scope.unix] the server is in the client's scope");
		return 0;
	}
	c.note("[scope.unix] the abstract socket was created outside the "
	       "client's scoped domain");
	return EPERM;
}

/*
 * Find the peer of a UNIX connect or sendto: 0 and @peer, or the errno.
 */
int unix_target(StepCtx &c, const SocketObj &me, const SockAddr &a, int &peer)
{
	bool other_type = false;

	if (a.family == AddrFamily::unix_abstract) {
		peer = find_abstract(c, a.name, me.kind, &other_type);
		if (peer < 0)
			return ECONNREFUSED;
		return 0;
	}
	/* [net.unix.at] connect(2) and sendto(2) have no *at form. */
	const Lookup l = c.lookup_via_proc_fd(a.path, lookup_flag::follow);
	if (l.err || !l.target)
		return l.err ? l.err : ENOENT;
	if (c.s.vfs.type_of(*l.target) != FileType::sock)
		return ECONNREFUSED;
	peer = find_by_inode(c, c.s.vfs.inode_of(*l.target));
	if (peer < 0)
		return ECONNREFUSED;
	if (c.s.sockets[peer].kind != me.kind)
		return EPROTOTYPE;
	/* [vfs.socket] ECONNREFUSED and EPROTOTYPE came first. */
	return check_resolve_unix(c, *l.target, peer);
}

/*
 * [net.unix.addrlen] A NUL-padded abstract name that no socket here bears:
 * ECONNREFUSED, or EINVAL if the executor's tag made it too long.  Returns
 * false when a socket bears it (the step goes on as for any name; the
 * padded bind succeeded, so the name fits).
 */
bool padded_refused(StepCtx &c, SockAddr &a, SockKind kind)
{
	bool other_type = false;

	a.name += std::string(*a.addrlen - 3 - a.name.size(), '\0');
	if (find_abstract(c, a.name, kind, &other_type) >= 0)
		return false;
	c.note("[net.unix.addrlen] a NUL-padded abstract name: EINVAL if the executor's tag "
	       "makes it longer than a sockaddr_un");
	c.decide({Outcome::error(ECONNREFUSED), Outcome::error(EINVAL)});
	return true;
}

void unix_bind(StepCtx &c, SocketObj &me, const SockAddr &given)
{
	SockAddr a;
	bool padded = false;

	/* [net.unix.addrlen] unix_bind(): a bare family autobinds. */
	if (given.addrlen && *given.addrlen == 2 && is_unix_addr(given)) {
		c.note("[net.unix.addrlen] addrlen 2: autobind to an abstract name");
		c.ok();
		if (!me.bound) {
			me.bound = true;
			me.abstract = "\x01autobind-" + std::to_string(&me - c.s.sockets.data());
		}
		return;
	}
	if (const int err = unix_addr(given, a, padded)) {
		c.fail(err);
		return;
	}
	if (padded) {
		c.note("[net.unix.addrlen] a NUL-padded abstract name: EINVAL if the "
		       "executor's tag makes it longer than a sockaddr_un");
		if (me.bound) {
			c.fail(EINVAL);
			return;
		}
		c.decide({Outcome::ok(), Outcome::error(EINVAL)});
		if (c.chosen.success()) {
			me.bound = true;
			me.abstract = a.name + std::string(*given.addrlen - 3 - a.name.size(), '\0');
		}
		return;
	}
	if (a.family == AddrFamily::unix_abstract) {
		bool other_type = false;

		if (me.bound) {
			c.fail(EINVAL);
			return;
		}
		if (find_abstract(c, a.name, me.kind, &other_type) >= 0) {
			c.fail(EADDRINUSE);
			return;
		}
		if (other_type) {
			c.decide({Outcome::ok(), Outcome::error(EADDRINUSE)});
		} else {
			c.ok();
		}
		if (c.chosen.success()) {
			me.bound = true;
			me.abstract = a.name;
		}
		return;
	}
	/* [net.unix.at] bind(2) has no *at form. */
	const Lookup l = c.lookup_via_proc_fd(a.path, 0);
	if (l.err) {
		c.fail(l.err);
		return;
	}
	if (l.target) {
		c.fail(EADDRINUSE);
		return;
	}
	/* [fs.make] unix_bind_bsd() -> security_path_mknod(S_IFSOCK) */
	if (domain_handles(c.self().domain, fs::make_sock, 0, 0)) {
		FsWalk w = start_fs_walk(c.s.vfs, c.self().domain, l.parent,
					 fs::make_sock, c.erratum(3));

		fs_walk_finish(w, c.s.vfs, c.self().domain,
			       sup_committed(c.s, c.self().domain), c.audit);
		c.note("bind: needs make_sock on " + c.s.vfs.path_name(l.parent));
		for (auto &line : explain_fs_walk(w, c.s.vfs, c.self().domain))
			c.note("  " + line);
		if (!w.allowed()) {
			c.fail(EACCES);
			return;
		}
	}
	if (me.bound) {
		c.fail(EINVAL);
		return;
	}
	c.ok();
	me.path = c.s.vfs.create(l.parent, l.last, FileType::sock);
	me.bound = true;
}

/*
 * [net.udp.icmp] A datagram sent by a connected UDP socket may draw an ICMP
 * "port unreachable", which the socket keeps as a pending error: a later
 * send may return ECONNREFUSED, once, whatever its address.  The ICMP comes
 * back asynchronously, so it may also come after that send.
 */
void udp_sent(StepCtx &c, SocketObj &me)
{
	if (me.icmp_error) {
		c.note("[net.udp.icmp] an earlier datagram may have drawn an ICMP error");
		if (!c.decide({Outcome::ok(), Outcome::error(ECONNREFUSED)}).success()) {
			me.icmp_error = false;
			return;
		}
	} else {
		c.ok();
	}
	if (me.connected)
		me.icmp_error = true;
}

} // namespace

void op_socket(StepCtx &c, const Socket &op)
{
	SocketObj s;

	s.kind = op.kind;
	c.s.sockets.push_back(s);
	OpenFile f;
	f.kind = FileKind::socket;
	f.socket = static_cast<int>(c.s.sockets.size()) - 1;
	f.readable = f.writable = true;
	f.opener = c.self().domain;
	c.add_file(f);
	if (is_mptcp(op.kind))
		c.decide({Outcome::ok(), Outcome::error(EPROTONOSUPPORT)});
	else
		c.ok();
}

void op_bind(StepCtx &c, const Bind &op)
{
	SockRef r;

	if (!socket_of(c, op.fd, r))
		return;
	if (addr_too_long(op.addr)) {
		c.fail(EINVAL);
		return;
	}
	SocketObj &me = c.s.sockets[r.sock];
	if (is_unix(me.kind)) {
		unix_bind(c, me, op.addr);
		return;
	}
	/* [net.tcp] [net.udp] hook_socket_bind() */
	const AccessMask access = is_udp(me.kind) ? net::bind_udp : net::bind_tcp;
	const bool checked = is_udp(me.kind) || tcp_rights_apply(c, me.kind);
	bool applies = false;
	const unsigned len = op.addr.addrlen.value_or(natural_len(op.addr, me.kind));
	const bool v6 = is_v6(me.kind);

	if (v6 && op.addr.family == AddrFamily::unspec && len >= 24 &&
	    unspec_fix_unsure(c, me.kind)) {
		c.note("[net.unspec] AF_UNSPEC bind on an IPv6 socket: EINVAL on a kernel "
		       "without the short AF_UNSPEC fix (ABI 4 to 7 may lack it)");
		c.decide({Outcome::error(EAFNOSUPPORT), Outcome::error(EINVAL)});
		return;
	}
	if (checked) {
		if (const int err = check_port(c, me.kind, op.addr, access, false, &applies)) {
			c.fail(err);
			return;
		}
	}
	/* [vfs.socket] inet_bind() / inet6_bind(), after Landlock */
	if (len < inet_len(me.kind)) {
		c.fail(EINVAL);
		return;
	}
	if (is_unix_addr(op.addr)) {
		c.fail(EAFNOSUPPORT);
		return;
	}
	if (op.addr.family == AddrFamily::unspec && (v6 || !op.addr.any)) {
		c.fail(EAFNOSUPPORT);
		return;
	}
	if (op.addr.port && op.addr.port < 1024 && !c.self().caps) {
		c.note("ports below 1024 need CAP_NET_BIND_SERVICE (not Landlock)");
		c.fail(EACCES);
		return;
	}
	if (me.bound) {
		c.fail(EINVAL);
		return;
	}
	bool unsure = false;
	if (port_in_use(c.s, me, op.addr.port, op.addr.any, &unsure)) {
		c.fail(EADDRINUSE);
		return;
	}
	if (unsure)
		c.decide({Outcome::ok(), Outcome::error(EADDRINUSE)});
	else
		c.ok();
	if (c.chosen.success()) {
		me.bound = true;
		me.port = op.addr.port;
		me.any = op.addr.any;
	}
}

void op_listen(StepCtx &c, const Listen &op)
{
	SockRef r;

	if (!socket_of(c, op.fd, r))
		return;
	SocketObj &me = c.s.sockets[r.sock];
	if (me.kind == SockKind::unix_dgram || is_udp(me.kind)) {
		c.fail(EOPNOTSUPP);
		return;
	}
	if (me.connected) {
		c.fail(EINVAL);
		return;
	}
	/* [net.listen] listen() is not restricted, even when it autobinds. */
	if (!me.bound && !is_unix(me.kind)) {
		me.bound = true;
		me.port = 0;
	}
	if (is_unix(me.kind) && !me.bound) {
		c.fail(EINVAL);
		return;
	}
	me.listening = true;
	c.ok();
}

namespace {

/* Whether a TCP connect to @port on loopback finds a listener. */
bool has_listener(const State &st, const SocketObj &me, std::uint16_t port)
{
	for (std::size_t i = 0; i < st.sockets.size(); i++) {
		const auto &o = st.sockets[i];

		if (!o.listening || o.port != port || port == 0 ||
		    !is_stream_inet(o.kind) || !alive(st, static_cast<int>(i)))
			continue;
		if (is_v6(o.kind) == is_v6(me.kind) || (is_v6(o.kind) && o.any))
			return true;
	}
	return false;
}

void inet_connect(StepCtx &c, SocketObj &me, const SockAddr &a)
{
	const bool udp = is_udp(me.kind);
	/* [net.tcp] [net.udp] hook_socket_connect() */
	const AccessMask access = udp ? net::connect_send_udp : net::connect_tcp;
	const bool checked = udp || tcp_rights_apply(c, me.kind);
	bool applies = false;
	const unsigned len = a.addrlen.value_or(natural_len(a, me.kind));

	if (checked) {
		if (const int err = check_port(c, me.kind, a, access, true, &applies)) {
			c.fail(err);
			return;
		}
		/*
		 * [net.udp.autobind] hook_socket_connect() checks the
		 * autobind of any readable family but AF_UNSPEC.
		 */
		if (udp && len >= 2 && a.family != AddrFamily::unspec) {
			if (const int err = check_autobind(c, me)) {
				c.fail(err);
				return;
			}
		}
	}
	/* inet_stream_connect() / inet_dgram_connect() */
	if (len < 2) {
		c.fail(EINVAL);
		return;
	}
	if (a.family == AddrFamily::unspec) {
		/* Disconnect; always allowed. */
		if (len < 16 && unspec_fix_unsure(c, me.kind)) {
			c.note("[net.unspec] an AF_UNSPEC address shorter than 16 bytes: "
			       "EINVAL on a kernel without the short AF_UNSPEC fix "
			       "(ABI 4 to 7 may lack it)");
			if (c.decide({Outcome::ok(), Outcome::error(EINVAL)}).success())
				me.connected = me.listening = false;
			return;
		}
		/* [net.tcp.state] tcp_disconnect() also stops a listener. */
		c.ok();
		me.connected = me.listening = false;
		return;
	}
	/* inet_dgram_connect() autobinds before the protocol reads the address. */
	if (udp)
		me.bound = true;
	/*
	 * [net.tcp.state] __inet_stream_connect() refuses a connected or
	 * listening socket before the protocol reads the address.
	 */
	if (!udp && me.connected) {
		c.fail(EISCONN);
		return;
	}
	if (!udp && me.listening) {
		c.decide({Outcome::error(EINVAL), Outcome::error(EISCONN)});
		return;
	}
	if (len < inet_len(me.kind)) {
		c.fail(EINVAL);
		return;
	}
	if (is_unix_addr(a)) {
		c.fail(EAFNOSUPPORT);
		return;
	}
	if (udp) {
		c.ok();
		me.connected = true;
		me.bound = true;
		return;
	}
	if (me.bound && me.port != 0 && me.port == a.port) {
		/* Its own SYN finds it (established lookup) before any listener. */
		c.note("[net.tcp.self] connected to itself (simultaneous open)");
		c.ok();
		me.connected = true;
		return;
	}
	if (!has_listener(c.s, me, a.port)) {
		c.note("no listener on port " + std::to_string(a.port));
		c.fail(ECONNREFUSED);
		return;
	}
	c.ok();
	me.connected = true;
	me.bound = true;
}

/*
 * [sock.unix.may_send] unix_may_send(): a datagram socket connected to
 * a peer accepts datagrams (and connects) from that peer only; anyone
 * else gets EPERM, checked before Landlock's security_unix_may_send().
 */
bool dgram_refuses(const State &st, int target, int self)
{
	const SocketObj &t = st.sockets[target];

	return t.kind == SockKind::unix_dgram && t.connected && t.peer >= 0 &&
	       t.peer != self;
}

void unix_connect(StepCtx &c, SocketObj &me, const SockAddr &given)
{
	const unsigned len = given.addrlen.value_or(natural_len(given, me.kind));
	int peer = -1;
	SockAddr a;
	bool padded = false;

	/*
	 * unix_dgram_connect(): AF_UNSPEC of at least 2 bytes disconnects;
	 * unix_stream_connect() validates the address first.
	 */
	if (given.family == AddrFamily::unspec && me.kind == SockKind::unix_dgram && len >= 2) {
		c.ok();
		me.peer = -1;
		me.connected = false;
		return;
	}
	if (const int err = unix_addr(given, a, padded)) {
		c.fail(err);
		return;
	}
	if (padded && padded_refused(c, a, me.kind))
		return;
	if (const int err = unix_target(c, me, a, peer)) {
		c.fail(err);
		return;
	}
	if (me.kind != SockKind::unix_dgram && !c.s.sockets[peer].listening) {
		c.fail(ECONNREFUSED);
		return;
	}
	/*
	 * [vfs.socket] Only an unconnected, non-listening stream socket
	 * connects, checked once the listener is found (this also refuses a
	 * listener connecting to itself).
	 */
	if (me.kind != SockKind::unix_dgram && (me.connected || me.listening)) {
		c.fail(me.connected ? EISCONN : EINVAL);
		return;
	}
	if (me.kind == SockKind::unix_dgram &&
	    dgram_refuses(c.s, peer, static_cast<int>(&me - c.s.sockets.data()))) {
		c.note("[sock.unix.may_send] the target is connected to another socket");
		c.fail(EPERM);
		return;
	}
	if (c.s.sockets[peer].abstract) {
		if (const int err = check_unix_scope(c, peer)) {
			c.fail(err);
			return;
		}
	}
	c.ok();
	me.connected = true;
	me.peer = peer;
}

} // namespace

void op_connect(StepCtx &c, const Connect &op)
{
	SockRef r;

	/* __sys_connect() copies the address in before it looks for a socket. */
	if (socket_file(c, op.fd) >= 0 && addr_too_long(op.addr)) {
		c.fail(EINVAL);
		return;
	}
	if (!socket_of(c, op.fd, r))
		return;
	SocketObj &me = c.s.sockets[r.sock];
	if (is_unix(me.kind))
		unix_connect(c, me, op.addr);
	else
		inet_connect(c, me, op.addr);
}

void op_sendto(StepCtx &c, const SendTo &op)
{
	SockRef r;

	if (!socket_of(c, op.fd, r))
		return;
	if (op.addr && addr_too_long(*op.addr)) {
		c.fail(EINVAL);
		return;
	}
	SocketObj &me = c.s.sockets[r.sock];
	if (is_unix(me.kind)) {
		const bool addressed = !no_address(op.addr);

		/*
		 * [sock.unix.send] unix_seqpacket_sendmsg() needs a connection
		 * and then drops the address; unix_stream_sendmsg() refuses
		 * an address, whatever the state.
		 */
		if (me.kind == SockKind::unix_seqpacket) {
			if (me.connected)
				c.ok();
			else
				c.fail(ENOTCONN);
			return;
		}
		if (me.kind != SockKind::unix_dgram) {
			if (addressed)
				c.fail(me.connected ? EISCONN : EOPNOTSUPP);
			else if (me.connected)
				c.ok();
			else
				c.fail(ENOTCONN);
			return;
		}
		int peer = me.peer;
		if (addressed) {
			SockAddr a;
			bool padded = false;

			if (const int err = unix_addr(*op.addr, a, padded)) {
				c.fail(err);
				return;
			}
			if (padded && padded_refused(c, a, me.kind))
				return;
			if (const int err = unix_target(c, me, a, peer)) {
				c.fail(err);
				return;
			}
		} else if (peer < 0) {
			c.fail(ENOTCONN);
			return;
		}
		if (dgram_refuses(c.s, peer, r.sock)) {
			c.note("[sock.unix.may_send] the target is connected to another socket");
			c.fail(EPERM);
			return;
		}
		/* [scope.unix.peer] The connected peer is not checked again. */
		if (peer != me.peer && c.s.sockets[peer].abstract) {
			if (const int err = check_unix_scope(c, peer)) {
				c.fail(err);
				return;
			}
		}
		c.ok();
		return;
	}
	if (!is_udp(me.kind)) {
		/* TCP ignores the address; MSG_NOSIGNAL is used. */
		if (me.connected)
			c.ok();
		else
			c.fail(EPIPE);
		return;
	}
	bool applies = false;
	if (op.addr) {
		if (const int err = check_port(c, me.kind, *op.addr, net::connect_send_udp,
					       false, &applies)) {
			c.fail(err);
			return;
		}
	}
	if (const int err = check_autobind(c, me)) {
		c.fail(err);
		return;
	}
	/*
	 * [net.udp.autobind] inet_send_prepare() autobinds before
	 * udp_sendmsg() looks at the address: a failed send binds too.
	 */
	me.bound = true;
	if (!op.addr && !me.connected) {
		c.fail(EDESTADDRREQ);
		return;
	}
	if (op.addr && is_unix_addr(*op.addr)) {
		/* udp_sendmsg(): short, else not AF_INET; udpv6_sendmsg(): EINVAL. */
		const unsigned len = op.addr->addrlen.value_or(natural_len(*op.addr, me.kind));

		c.fail(is_v6(me.kind) || len < inet_len(me.kind) ? EINVAL : EAFNOSUPPORT);
		return;
	}
	if (op.addr && (op.addr->family == AddrFamily::inet ||
			(op.addr->family == AddrFamily::unspec && !is_v6(me.kind))) &&
	    op.addr->addrlen.value_or(natural_len(*op.addr, me.kind)) < inet_len(me.kind)) {
		/*
		 * [net.udp.addrlen] udp_sendmsg(): shorter than a sockaddr_in;
		 * udpv6_sendmsg(): shorter than SIN6_LEN_RFC2133.  Landlock's
		 * own check, when it applies, said EINVAL first.
		 */
		c.fail(EINVAL);
		return;
	}
	if (op.addr && op.addr->family == AddrFamily::unspec && is_v6(me.kind)) {
		/*
		 * udpv6_sendmsg() takes a zero family as "no address", once the
		 * address is long enough to hold it ([net.udp.addrlen]).
		 */
		if (op.addr->addrlen.value_or(natural_len(*op.addr, me.kind)) < 2)
			c.fail(EINVAL);
		else if (me.connected)
			udp_sent(c, me);
		else
			c.fail(EDESTADDRREQ);
	} else if (!op.addr) {
		udp_sent(c, me);
	} else if (op.addr->port == 0) {
		/* [net.udp.port0] udp_sendmsg(), udpv6_sendmsg(): no port 0. */
		c.fail(EINVAL);
	} else {
		udp_sent(c, me);
	}
}

void op_kill(StepCtx &c, const Kill &op)
{
	const auto target = c.s.task_index(op.target);

	if (!target) {
		c.fail(ESRCH);
		return;
	}
	/* kill() acts on the thread-group leader, tgkill() on the thread. */
	const int t = op.thread ? *target
				: c.s.processes[c.s.tasks[*target].process].leader;
	const Task &self = c.self();
	const Task &other = c.s.tasks[t];

	/* [scope.signal.thread] erratum 2: same process, always allowed. */
	if (other.process == self.process && c.erratum(2)) {
		c.note("[scope.signal.thread] signals within a process are always "
		       "allowed (erratum 2 fixed)");
		c.ok();
		return;
	}
	if (domain_handles(self.domain, 0, 0, scope::signal) &&
	    domain_is_scoped(self.domain, other.domain, scope::signal)) {
		c.note("[scope.signal] the target is outside the sender's "
		       "signal-scoped domain");
		c.fail(EPERM);
		return;
	}
	c.note("[scope.signal] allowed");
	c.ok();
}

} // namespace lockstep
