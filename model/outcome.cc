// SPDX-License-Identifier: GPL-2.0-only
/*
 * lockstep model - Outcomes of operations
 */
#include "model/outcome.h"

#include <algorithm>
#include <cerrno>
#include <charconv>

namespace lockstep {

namespace {

struct ErrnoName {
	int value;
	std::string_view name;
};

/* Every errno the model or the executor can produce. */
constexpr ErrnoName errno_names[] = {
	{EPERM, "EPERM"},	{ENOENT, "ENOENT"},
	{ESRCH, "ESRCH"},	{EINTR, "EINTR"},
	{EIO, "EIO"},		{ENXIO, "ENXIO"},
	{E2BIG, "E2BIG"},	{ENOEXEC, "ENOEXEC"},
	{EBADF, "EBADF"},	{ECHILD, "ECHILD"},
	{EAGAIN, "EAGAIN"},	{ENOMEM, "ENOMEM"},
	{EACCES, "EACCES"},	{EFAULT, "EFAULT"},
	{EBUSY, "EBUSY"},	{EEXIST, "EEXIST"},
	{EXDEV, "EXDEV"},	{ENODEV, "ENODEV"},
	{ENOTDIR, "ENOTDIR"},	{EISDIR, "EISDIR"},
	{EINVAL, "EINVAL"},	{ENFILE, "ENFILE"},
	{EMFILE, "EMFILE"},	{ENOTTY, "ENOTTY"},
	{ETXTBSY, "ETXTBSY"},	{EFBIG, "EFBIG"},
	{ENOSPC, "ENOSPC"},	{ESPIPE, "ESPIPE"},
	{EROFS, "EROFS"},	{EMLINK, "EMLINK"},
	{EPIPE, "EPIPE"},	{ERANGE, "ERANGE"},
	{EDEADLK, "EDEADLK"},	{ENAMETOOLONG, "ENAMETOOLONG"},
	{ENOSYS, "ENOSYS"},	{ENOTEMPTY, "ENOTEMPTY"},
	{ELOOP, "ELOOP"},	{ENOMSG, "ENOMSG"},
	{EBADFD, "EBADFD"},	{ENOTSOCK, "ENOTSOCK"},
	{EDESTADDRREQ, "EDESTADDRREQ"}, {EPROTOTYPE, "EPROTOTYPE"},
	{ENOPROTOOPT, "ENOPROTOOPT"}, {EPROTONOSUPPORT, "EPROTONOSUPPORT"},
	{EOPNOTSUPP, "EOPNOTSUPP"}, {EAFNOSUPPORT, "EAFNOSUPPORT"},
	{EADDRINUSE, "EADDRINUSE"}, {EADDRNOTAVAIL, "EADDRNOTAVAIL"},
	{ENETUNREACH, "ENETUNREACH"}, {ECONNRESET, "ECONNRESET"},
	{EISCONN, "EISCONN"},	{ENOTCONN, "ENOTCONN"},
	{ETIMEDOUT, "ETIMEDOUT"}, {ECONNREFUSED, "ECONNREFUSED"},
	{EALREADY, "EALREADY"}, {EINPROGRESS, "EINPROGRESS"},
	{ESTALE, "ESTALE"},	{EDQUOT, "EDQUOT"},
	{ECANCELED, "ECANCELED"}, {EOWNERDEAD, "EOWNERDEAD"},
	{err_blocked, "BLOCKED"},
	{err_paused, "PAUSED"},
};

} // namespace

bool Outcome::admits(const Outcome &observed) const
{
	if (err != observed.err)
		return false;
	if (err)
		return true;
	return !value || (observed.value && *value == *observed.value);
}

void OutcomeSet::add(const Outcome &o)
{
	if (std::find(items_.begin(), items_.end(), o) == items_.end())
		items_.push_back(o);
}

void OutcomeSet::merge(const OutcomeSet &other)
{
	for (const auto &o : other.items_)
		add(o);
}

bool OutcomeSet::admits(const Outcome &observed) const
{
	return match(observed) != nullptr;
}

bool OutcomeSet::overlaps(const OutcomeSet &pins) const
{
	for (const auto &a : items_)
		for (const auto &b : pins.items_)
			if (a.err == b.err &&
			    (a.err || !a.value || !b.value || *a.value == *b.value))
				return true;
	return false;
}

const Outcome *OutcomeSet::match(const Outcome &observed) const
{
	for (const auto &o : items_)
		if (o.admits(observed))
			return &o;
	return nullptr;
}

std::string errno_name(int err)
{
	for (const auto &e : errno_names)
		if (e.value == err && e.value)
			return std::string(e.name);
	return "errno " + std::to_string(err);
}

int errno_from_name(std::string_view name)
{
	for (const auto &e : errno_names)
		if (e.name == name)
			return e.value;
	return 0;
}

std::string format_outcome(const Outcome &o)
{
	if (o.err)
		return errno_name(o.err);
	if (o.value)
		return "ok(" + std::to_string(*o.value) + ")";
	return "ok";
}

std::string format_outcomes(const OutcomeSet &s)
{
	std::string out;

	for (const auto &o : s.items()) {
		if (!out.empty())
			out += '|';
		out += format_outcome(o);
	}
	return out.empty() ? "(none)" : out;
}

std::optional<Outcome> parse_outcome(std::string_view text)
{
	std::int64_t v = 0;

	if (text == "ok")
		return Outcome::ok();
	if (text.starts_with("ok(") && text.ends_with(")"))
		text = text.substr(3, text.size() - 4);
	const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
	if (ec == std::errc{} && p == text.data() + text.size() && !text.empty())
		return Outcome::ok(v);
	if (const int e = errno_from_name(text))
		return Outcome::error(e);
	return std::nullopt;
}

} // namespace lockstep
