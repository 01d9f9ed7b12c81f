// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep executor - Encoding of traces and results for the worker process
 *
 * Each struct lists its members through a structured binding: if a member
 * is added to a struct of model/ops.h, the binding no longer matches and
 * this file stops compiling, instead of silently dropping the new member.
 */
#include "kernel/executor/wire.h"

#include <array>
#include <cerrno>
#include <concepts>
#include <cstring>
#include <optional>
#include <type_traits>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <utility>
#include <variant>

namespace lockstep::exec {

namespace {

/* fields(s, f) calls f with every member of s, in declaration order. */
#define LOCKSTEP_WIRE_FIELDS(T, ...)                                         \
	template <class S, class F>                                          \
		requires std::same_as<std::remove_const_t<S>, T>             \
	void fields(S &s, F &&f)                                             \
	{                                                                    \
		auto &[__VA_ARGS__] = s;                                     \
		f(__VA_ARGS__);                                              \
	}

LOCKSTEP_WIRE_FIELDS(Loc, a, b)
LOCKSTEP_WIRE_FIELDS(FdRef, a, b)
LOCKSTEP_WIRE_FIELDS(PathRef, a, b)
LOCKSTEP_WIRE_FIELDS(TreeNode, a, b, c, d, e, f_, g)
LOCKSTEP_WIRE_FIELDS(TreeMount, a, b, c, d)
LOCKSTEP_WIRE_FIELDS(CreateRuleset, a, b, c, d, e, f_, g, h, i, j)
LOCKSTEP_WIRE_FIELDS(AddRule, a, b, c, d, e, f_, g, h)
LOCKSTEP_WIRE_FIELDS(RestrictSelf, a, b)
LOCKSTEP_WIRE_FIELDS(Open, a, b, c)
LOCKSTEP_WIRE_FIELDS(Close, a)
LOCKSTEP_WIRE_FIELDS(Dup, a)
LOCKSTEP_WIRE_FIELDS(Readdir, a)
LOCKSTEP_WIRE_FIELDS(Read, a)
LOCKSTEP_WIRE_FIELDS(Write, a)
LOCKSTEP_WIRE_FIELDS(Truncate, a)
LOCKSTEP_WIRE_FIELDS(Ftruncate, a)
LOCKSTEP_WIRE_FIELDS(Ioctl, a, b)
LOCKSTEP_WIRE_FIELDS(Mkdir, a)
LOCKSTEP_WIRE_FIELDS(Mknod, a, b, c, d)
LOCKSTEP_WIRE_FIELDS(Symlink, a, b)
LOCKSTEP_WIRE_FIELDS(Link, a, b)
LOCKSTEP_WIRE_FIELDS(Rename, a, b, c)
LOCKSTEP_WIRE_FIELDS(Unlink, a)
LOCKSTEP_WIRE_FIELDS(Rmdir, a)
LOCKSTEP_WIRE_FIELDS(Exec, a)
LOCKSTEP_WIRE_FIELDS(Mount, a, b, c)
LOCKSTEP_WIRE_FIELDS(Umount, a)
LOCKSTEP_WIRE_FIELDS(SockAddr, a, b, c, d, e, f_)
LOCKSTEP_WIRE_FIELDS(Socket, a)
LOCKSTEP_WIRE_FIELDS(Bind, a, b)
LOCKSTEP_WIRE_FIELDS(Listen, a)
LOCKSTEP_WIRE_FIELDS(Connect, a, b)
LOCKSTEP_WIRE_FIELDS(SendTo, a, b)
LOCKSTEP_WIRE_FIELDS(Kill, a, b, c)
LOCKSTEP_WIRE_FIELDS(Fork, a)
LOCKSTEP_WIRE_FIELDS(Thread, a)
LOCKSTEP_WIRE_FIELDS(PassFd, a, b)
LOCKSTEP_WIRE_FIELDS(GetSupervisee, a, b)
LOCKSTEP_WIRE_FIELDS(Resume, a)
LOCKSTEP_WIRE_FIELDS(Outcome, a, b)
LOCKSTEP_WIRE_FIELDS(Step, a, b, c, d, e, f_)
LOCKSTEP_WIRE_FIELDS(Requirement, a, b, c, d)
LOCKSTEP_WIRE_FIELDS(Variants, a, b, c, d)
LOCKSTEP_WIRE_FIELDS(Trace, a, b, c, d, e, f_)
LOCKSTEP_WIRE_FIELDS(Profile, a, b, c, d, e)
LOCKSTEP_WIRE_FIELDS(StepRun, a, b, c)
LOCKSTEP_WIRE_FIELDS(TraceRun, a, b, c, d)
LOCKSTEP_WIRE_FIELDS(Hello, a, b, c)
LOCKSTEP_WIRE_FIELDS(Setup, a, b, c)

#undef LOCKSTEP_WIRE_FIELDS

template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T> struct is_vector<std::vector<T>> : std::true_type {};
template <class T> struct is_variant : std::false_type {};
template <class... T> struct is_variant<std::variant<T...>> : std::true_type {};
template <class T> struct is_array : std::false_type {};
template <class T, std::size_t N> struct is_array<std::array<T, N>> : std::true_type {};

/* Members that carry no data (empty operation structs). */
template <class T>
concept empty_struct = std::is_class_v<T> && std::is_empty_v<T>;

class Writer {
public:
	void bytes(const void *p, std::size_t n) { out_.append(static_cast<const char *>(p), n); }
	std::string take() { return std::move(out_); }

private:
	std::string out_;
};

class Reader {
public:
	explicit Reader(std::string_view in) : in_(in) {}

	bool bytes(void *p, std::size_t n)
	{
		if (!ok_ || n > in_.size())
			return ok_ = false;
		std::memcpy(p, in_.data(), n);
		in_.remove_prefix(n);
		return true;
	}
	/* A length that cannot exceed what is left (one byte per item). */
	bool length(std::uint32_t &n)
	{
		return bytes(&n, sizeof n) && (n <= in_.size() || (ok_ = false));
	}
	void fail() { ok_ = false; }
	bool done() const { return ok_ && in_.empty(); }
	bool ok() const { return ok_; }

private:
	std::string_view in_;
	bool ok_ = true;
};

template <class T> void put(Writer &w, const T &v);
template <class T> void get(Reader &r, T &v);

template <class T> void put(Writer &w, const T &v)
{
	if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
		w.bytes(&v, sizeof v);
	} else if constexpr (std::is_same_v<T, std::string>) {
		put(w, static_cast<std::uint32_t>(v.size()));
		w.bytes(v.data(), v.size());
	} else if constexpr (is_optional<T>::value) {
		put(w, v.has_value());
		if (v)
			put(w, *v);
	} else if constexpr (is_vector<T>::value) {
		put(w, static_cast<std::uint32_t>(v.size()));
		for (const auto &item : v)
			put(w, item);
	} else if constexpr (is_array<T>::value) {
		for (const auto &item : v)
			put(w, item);
	} else if constexpr (is_variant<T>::value) {
		put(w, static_cast<std::uint32_t>(v.index()));
		std::visit([&](const auto &alt) { put(w, alt); }, v);
	} else if constexpr (std::is_same_v<T, OutcomeSet>) {
		put(w, v.items());
	} else if constexpr (empty_struct<T>) {
	} else {
		fields(v, [&](const auto &...m) { (put(w, m), ...); });
	}
}

template <class V, std::size_t... I>
void get_alternative(Reader &r, V &v, std::size_t index, std::index_sequence<I...>)
{
	const bool known = ((index == I ? (get(r, v.template emplace<I>()), true) : false) || ...);

	if (!known)
		r.fail();
}

template <class T> void get(Reader &r, T &v)
{
	if constexpr (std::is_same_v<T, bool>) {
		std::uint8_t b = 0;

		r.bytes(&b, 1);
		if (b > 1)
			r.fail();
		v = b;
	} else if constexpr (std::is_arithmetic_v<T> || std::is_enum_v<T>) {
		r.bytes(&v, sizeof v);
	} else if constexpr (std::is_same_v<T, std::string>) {
		std::uint32_t n = 0;

		if (r.length(n)) {
			v.resize(n);
			r.bytes(v.data(), n);
		}
	} else if constexpr (is_optional<T>::value) {
		bool has = false;

		get(r, has);
		if (has)
			get(r, v.emplace());
		else
			v.reset();
	} else if constexpr (is_vector<T>::value) {
		std::uint32_t n = 0;

		if (!r.length(n))
			return;
		v.clear();
		for (std::uint32_t i = 0; i < n && r.ok(); i++)
			get(r, v.emplace_back());
	} else if constexpr (is_array<T>::value) {
		for (auto &item : v)
			get(r, item);
	} else if constexpr (is_variant<T>::value) {
		std::uint32_t index = 0;

		get(r, index);
		get_alternative(r, v, index, std::make_index_sequence<std::variant_size_v<T>>{});
	} else if constexpr (std::is_same_v<T, OutcomeSet>) {
		std::vector<Outcome> items;

		get(r, items);
		v = OutcomeSet{};
		for (const auto &o : items)
			v.add(o);
	} else if constexpr (empty_struct<T>) {
	} else {
		fields(v, [&](auto &...m) { (get(r, m), ...); });
	}
}

template <class T> std::string encode_any(const T &v)
{
	Writer w;

	put(w, v);
	return w.take();
}

template <class T> bool decode_any(std::string_view bytes, T &v)
{
	Reader r(bytes);

	get(r, v);
	return r.done();
}

} // namespace

std::string encode(const Trace &t) { return encode_any(t); }
std::string encode(const TraceRun &r) { return encode_any(r); }
std::string encode(const Hello &h) { return encode_any(h); }
std::string encode(const Setup &s) { return encode_any(s); }
bool decode(std::string_view bytes, Trace &t) { return decode_any(bytes, t); }
bool decode(std::string_view bytes, TraceRun &r) { return decode_any(bytes, r); }
bool decode(std::string_view bytes, Hello &h) { return decode_any(bytes, h); }
bool decode(std::string_view bytes, Setup &s) { return decode_any(bytes, s); }

std::size_t Channel::queue(const std::string &bytes)
{
	const auto n = static_cast<std::uint32_t>(bytes.size());

	out_.append(reinterpret_cast<const char *>(&n), sizeof n);
	out_ += bytes;
	return ++queued_;
}

bool Channel::flush()
{
	std::size_t done = 0;

	while (done < out_.size()) {
		/* MSG_NOSIGNAL: a dead peer is an error, not a SIGPIPE. */
		const ssize_t w = ::send(fd_, out_.data() + done, out_.size() - done, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			out_.clear();
			queued_ = 0;
			return false;
		}
		done += static_cast<std::size_t>(w);
	}
	out_.clear();
	queued_ = 0;
	return true;
}

bool Channel::send(const std::string &bytes)
{
	queue(bytes);
	return flush();
}

/* Move one complete buffered message to @bytes, if there is one. */
bool Channel::take(std::string &bytes)
{
	std::uint32_t n = 0;

	if (end_ - begin_ < sizeof n)
		return false;
	std::memcpy(&n, buf_.data() + begin_, sizeof n);
	if (end_ - begin_ - sizeof n < n)
		return false;
	bytes.assign(buf_.data() + begin_ + sizeof n, n);
	begin_ += sizeof n + n;
	return true;
}

Channel::Got Channel::receive(std::string &bytes, int timeout_ms)
{
	constexpr std::size_t chunk = 64 * 1024;

	/* A blocking recv() with SO_RCVTIMEO: one system call per message. */
	if (timeout_ms != 0 && timeout_ms != rcvtimeo_ms_) {
		const int ms = timeout_ms < 0 ? 0 : timeout_ms;
		const timeval tv{ms / 1000, (ms % 1000) * 1000};

		setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		rcvtimeo_ms_ = timeout_ms;
	}
	while (!take(bytes)) {
		/* Keep the unread part at the front, and room for a chunk. */
		if (begin_) {
			std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
			end_ -= begin_;
			begin_ = 0;
		}
		if (buf_.size() < end_ + chunk)
			buf_.resize(end_ + chunk);
		const ssize_t r = recv(fd_, buf_.data() + end_, chunk, timeout_ms == 0 ? MSG_DONTWAIT : 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return Got::timeout;
		if (r <= 0)
			return Got::eof;
		end_ += static_cast<std::size_t>(r);
	}
	return Got::message;
}

} // namespace lockstep::exec
