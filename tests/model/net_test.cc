// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network: TCP and UDP port rules, autobind, port 0, AF_UNSPEC, address
 * lengths and erratum 1 (SPEC.md chapter 11).
 */
#include "tests/model/model_test_util.h"

#include <gtest/gtest.h>

#include <string>

namespace lockstep {
namespace {

using testing::at_abi;
using testing::last;
using testing::profile;

/* A sandbox handling @handled net rights, with @rules ("PORT RIGHTS" lines). */
std::string sandbox(const std::string &handled, const std::string &rules = "")
{
	std::string t = "main: set_no_new_privs\n"
			"main: r = create_ruleset net=" + handled + "\n";
	std::size_t pos = 0;

	while (pos < rules.size()) {
		const auto end = rules.find(';', pos);
		const std::string rule = rules.substr(pos, end - pos);
		const auto space = rule.find(' ');

		t += "main: add_rule r net_port " + rule.substr(0, space) +
		     " net=" + rule.substr(space + 1) + "\n";
		pos = end == std::string::npos ? rules.size() : end + 1;
	}
	return t + "main: restrict_self r\n";
}

/* TCP listeners on 8081, IPv4 and IPv6, created before any sandbox. */
const std::string listeners = "main: l4 = socket tcp4\nmain: bind l4 8081\nmain: listen l4\n"
			      "main: l6 = socket tcp6\nmain: bind l6 8081\nmain: listen l6\n";

// [net.tcp]
TEST(Net, TcpBindAndConnectNeedPortRules)
{
	for (const std::string fam : {"tcp4", "tcp6"})
		EXPECT_PINS(at_abi(4),
			    listeners + sandbox("bind_tcp,connect_tcp",
						"8080 bind_tcp;8081 connect_tcp") +
				    "main: s1 = socket " + fam + "\n"
				    "main: bind s1 8080 => ok\n"
				    "main: s2 = socket " + fam + "\n"
				    "main: bind s2 8082 => EACCES\n"
				    "main: bind s2 8081 => EACCES\n"
				    "main: c1 = socket " + fam + "\n"
				    "main: connect c1 8081 => ok\n"
				    "main: c2 = socket " + fam + "\n"
				    "main: connect c2 8080 => EACCES\n");
}

// [net.tcp] Every layer handling the right needs a rule for the port.
TEST(Net, TcpEveryLayerMustGrantThePort)
{
	EXPECT_PINS(at_abi(4), sandbox("bind_tcp", "8080 bind_tcp") +
				       "main: r2 = create_ruleset net=bind_tcp\n"
				       "main: add_rule r2 net_port 8081 net=bind_tcp\n"
				       "main: restrict_self r2\n"
				       "main: s = socket tcp4\n"
				       "main: bind s 8080 => EACCES\n"
				       "main: bind s 8081 => EACCES\n");
	/* A layer handling only connect_tcp does not restrict bind. */
	EXPECT_PINS(at_abi(4), sandbox("connect_tcp") + "main: s = socket tcp4\n"
							"main: bind s 8080 => ok\n");
}

// [net.udp]
TEST(Net, UdpBindConnectAndSendtoNeedPortRules)
{
	EXPECT_PINS(at_abi(10), sandbox("bind_udp,connect_send_udp",
					"5353 bind_udp;53 connect_send_udp") +
					"main: u = socket udp4\n"
					"main: bind u 5353 => ok\n"
					"main: v = socket udp4\n"
					"main: bind v 5354 => EACCES\n"
					"main: connect u 53 => ok\n"
					"main: connect u 54 => EACCES\n"
					"main: sendto u 54 => EACCES\n"
					"main: sendto u 53 => ok\n"
					"main: sendto u => ok|ECONNREFUSED\n");
	/* TCP rights say nothing about UDP. */
	EXPECT_PINS(at_abi(10), sandbox("bind_tcp,connect_tcp") + "main: u = socket udp6\n"
								  "main: bind u 5353 => ok\n"
								  "main: sendto u 53 => ok\n");
}

// [net.udp.autobind]
TEST(Net, UdpAutobindNeedsBindOnPortZero)
{
	const std::string send_only = "53 connect_send_udp";

	EXPECT_PINS(at_abi(10), sandbox("bind_udp,connect_send_udp", send_only) +
					"main: u = socket udp4\n"
					"main: connect u 53 => EACCES\n"
					"main: sendto u 53 => EACCES\n");
	EXPECT_PINS(at_abi(10), sandbox("bind_udp,connect_send_udp", send_only + ";0 bind_udp") +
					"main: u = socket udp4\n"
					"main: connect u 53 => ok\n"
					"main: v = socket udp6\n"
					"main: sendto v 53 => ok\n");
	/* Not handled, or already bound: no autobind check. */
	EXPECT_PINS(at_abi(10), sandbox("connect_send_udp", send_only) +
					"main: u = socket udp4\n"
					"main: connect u 53 => ok\n");
	EXPECT_PINS(at_abi(10), "main: u = socket udp4\nmain: bind u 5353\n" +
					sandbox("bind_udp,connect_send_udp", send_only) +
					"main: connect u 53 => ok\n");
}

// [net.udp.addrlen] The length check of udp_sendmsg(), with or without Landlock.
TEST(Net, UdpSendtoShortAddressIsEinval)
{
	EXPECT_PINS(at_abi(7), "main: u = socket udp4\n"
			       "main: sendto u 53 addrlen=15 => EINVAL\n"
			       "main: sendto u 53 addrlen=16 => ok\n"
			       "main: v = socket udp6\n"
			       "main: sendto v 53 addrlen=23 => EINVAL\n"
			       "main: sendto v 53 addrlen=24 => ok\n");
	EXPECT_PINS(at_abi(10), sandbox("connect_send_udp", "53 connect_send_udp") +
					"main: u = socket udp4\n"
					"main: sendto u 53 addrlen=15 => EINVAL\n");
}

// [net.udp.autobind] A failed sendto() has already autobound the socket.
TEST(Net, FailedSendtoStillAutobinds)
{
	EXPECT_PINS(at_abi(10), "main: u = socket udp4\n"
				"main: sendto u => EDESTADDRREQ\n" +
					sandbox("bind_udp") + "main: sendto u 53 => ok\n");
}

// [net.port0]
TEST(Net, PortZeroNeedsItsOwnRule)
{
	EXPECT_PINS(at_abi(4), sandbox("bind_tcp", "8080 bind_tcp") +
				       "main: s = socket tcp4\n"
				       "main: bind s 0 => EACCES\n");
	EXPECT_PINS(at_abi(4), sandbox("bind_tcp", "0 bind_tcp") + "main: s = socket tcp4\n"
								   "main: bind s 8080 => EACCES\n"
								   "main: bind s 0 => ok\n");
}

// [net.listen]
TEST(Net, ListenIsNotRestricted)
{
	EXPECT_PINS(at_abi(4), sandbox("bind_tcp,connect_tcp") + "main: s = socket tcp4\n"
								 "main: listen s => ok\n");
}

// [net.unspec] connect(AF_UNSPEC) disconnects: always allowed.
TEST(Net, UnspecConnectIsAlwaysAllowed)
{
	EXPECT_PINS(at_abi(10), sandbox("bind_tcp,connect_tcp,bind_udp,connect_send_udp") +
					"main: s = socket tcp4\n"
					"main: connect s unspec:80 => ok\n"
					"main: t = socket tcp6\n"
					"main: connect t unspec:80 => ok\n"
					"main: u = socket udp4\n"
					"main: connect u unspec:53 => ok\n"
					"main: v = socket udp6\n"
					"main: connect v unspec:53 => ok\n");
}

// [net.unspec] bind(AF_UNSPEC), on a kernel with the short AF_UNSPEC fix.
TEST(Net, UnspecBind)
{
	EXPECT_PINS(at_abi(8), sandbox("bind_tcp", "8080 bind_tcp") +
				       "main: s = socket tcp4\n"
				       "main: bind s unspec-any:8081 => EACCES\n"
				       "main: bind s unspec:8080 => EAFNOSUPPORT\n"
				       "main: bind s unspec-any:8080 => ok\n"
				       "main: t = socket tcp6\n"
				       "main: bind t unspec-any:8080 => EAFNOSUPPORT\n"
				       "main: bind t unspec-any:8080 addrlen=16 => EINVAL\n");
}

// [net.unspec] ABI 4 to 7 may predate the short AF_UNSPEC fix (no erratum
// reports it): an IPv6 AF_UNSPEC bind and a short AF_UNSPEC connect may also
// be EINVAL once any network right is handled; from ABI 8 only the fix.
TEST(Net, UnspecShortFixUnreported)
{
	const std::string trace = "main: l = socket tcp4\n"
				  "main: bind l 8080\n"
				  "main: listen l\n"
				  "main: c = socket tcp4\n"
				  "main: connect c 8080\n" +
				  sandbox("bind_tcp", "8080 bind_tcp");

	for (const int abi : {4, 6, 7}) {
		EXPECT_PINS(at_abi(abi), trace + "main: connect c unspec-any:0 addrlen=8 => ok|EINVAL\n"
						 "main: t = socket tcp6\n"
						 "main: bind t unspec-any:8080 => EAFNOSUPPORT|EINVAL\n"
						 "main: bind t unspec-any:8080 addrlen=16 => EINVAL\n");
	}
	EXPECT_PINS(at_abi(8), trace + "main: connect c unspec-any:0 addrlen=8 => ok\n"
				       "main: t = socket tcp6\n"
				       "main: bind t unspec-any:8080 => EAFNOSUPPORT\n");
}

// [net.unspec] sendto(AF_UNSPEC) on UDP.
TEST(Net, UnspecSendto)
{
	EXPECT_PINS(at_abi(10), sandbox("connect_send_udp", "53 connect_send_udp") +
					"main: u = socket udp4\n"
					"main: sendto u unspec:54 => EACCES\n"
					"main: sendto u unspec:53 => ok\n"
					"main: v = socket udp6\n"
					"main: sendto v unspec:53 => EACCES\n");
}

// [net.addrlen] Short addresses, when a check applies.
TEST(Net, ShortAddressesAreEinval)
{
	EXPECT_PINS(at_abi(4), sandbox("bind_tcp", "80 bind_tcp") +
				       "main: s = socket tcp4\n"
				       "main: bind s 80 addrlen=1 => EINVAL\n"
				       "main: bind s 80 addrlen=8 => EINVAL\n"
				       "main: t = socket tcp6\n"
				       "main: bind t 80 addrlen=20 => EINVAL\n"
				       "main: bind t 80 => ok\n");
}

// [net.addrlen] Landlock leaves other families to the network stack.
TEST(Net, OtherFamiliesAreNotChecked)
{
	EXPECT_PINS(at_abi(4), sandbox("bind_tcp,connect_tcp") +
				       "main: s = socket tcp4\n"
				       "main: bind s /a/x => EAFNOSUPPORT\n"
				       "main: bind s /a/x addrlen=8 => EINVAL\n"
				       "main: connect s @x => EAFNOSUPPORT\n"
				       "main: t = socket tcp6\n"
				       "main: connect t @x addrlen=20 => EINVAL\n");
}

// [net.addrlen] UDP: no autobind check for an unreadable family...
TEST(Net, UdpConnectShortAddressSkipsAutobind)
{
	EXPECT_PINS(at_abi(10), sandbox("bind_udp") + "main: u = socket udp4\n"
						      "main: connect u 53 addrlen=1 => EINVAL\n");
}

// [net.addrlen] ...but an AF_UNIX address still autobinds.
TEST(Net, UdpConnectToOtherFamilyStillChecksAutobind)
{
	EXPECT_PINS(at_abi(10), sandbox("bind_udp") + "main: u = socket udp4\n"
						      "main: connect u /a/x => EACCES\n");
	EXPECT_PINS(at_abi(10), sandbox("bind_udp", "0 bind_udp") +
					"main: u = socket udp4\n"
					"main: connect u /a/x => EAFNOSUPPORT\n"
					"main: v = socket udp6\n"
					"main: sendto v /a/x => EINVAL\n"
					"main: w = socket udp4\n"
					"main: sendto w /a/x => EAFNOSUPPORT\n");
}

// [net.udp.port0] No datagram to port 0, after Landlock's check.
TEST(Net, UdpSendtoPortZeroIsEinval)
{
	EXPECT_PINS(at_abi(7), "main: u = socket udp4\n"
			       "main: sendto u any:0 => EINVAL\n"
			       "main: sendto u 0 => EINVAL\n"
			       "main: sendto u unspec:0 => EINVAL\n"
			       "main: v = socket udp6\n"
			       "main: sendto v 0 => EINVAL\n"
			       "main: sendto v 53 => ok\n");
	EXPECT_PINS(at_abi(10), sandbox("connect_send_udp") + "main: u = socket udp4\n"
							    "main: sendto u 0 => EACCES\n");
}

// [net.fd] Socket calls on an O_PATH fd: EBADF, before the address.
TEST(Net, OpathFdIsEbadf)
{
	EXPECT_PINS(at_abi(7), "main: f = open / path\n"
			       "main: connect f unspec:19 addrlen=0 => EBADF\n"
			       "main: connect f 80 addrlen=200 => EBADF\n"
			       "main: bind f 80 => EBADF\n"
			       "main: listen f => EBADF\n"
			       "main: sendto f 80 => EBADF\n"
			       "main: g = open / rdonly directory\n"
			       "main: connect g 80 addrlen=200 => EINVAL\n"
			       "main: connect g 80 => ENOTSOCK\n");
}

// [net.unix.addrlen] Two bytes or fewer, or more than a sockaddr_un: EINVAL.
TEST(Net, UnixAddrlenOutOfRangeIsEinval)
{
	EXPECT_PINS(at_abi(7), "main: l = socket unix_stream\n"
			       "main: bind l /a\n"
			       "main: listen l\n"
			       "main: s = socket unix_stream\n"
			       "main: connect s /a addrlen=2 => EINVAL\n"
			       "main: connect s /a addrlen=111 => EINVAL\n"
			       "main: connect s /a => ok\n");
}

// [net.unix.addrlen] bind(2) of the bare family autobinds, once.
TEST(Net, UnixBindOfBareFamilyAutobinds)
{
	EXPECT_PINS(at_abi(7), "main: d = socket unix_dgram\n"
			       "main: bind d /b addrlen=2 => ok\n"
			       "main: bind d /c addrlen=2 => ok\n"
			       "main: bind d /e => EINVAL\n");
}

// [net.unix.addrlen] A shorter addrlen cuts the name as the trace wrote it.
TEST(Net, UnixAddrlenCutsNames)
{
	EXPECT_PINS(at_abi(7), "main: l = socket unix_stream\n"
			       "main: bind l /a\n"
			       "main: listen l\n"
			       "main: s = socket unix_stream\n"
			       "main: connect s /ab addrlen=3 => ok\n"
			       "main: m = socket unix_stream\n"
			       "main: bind m @abc addrlen=5 => ok\n"
			       "main: listen m\n"
			       "main: t = socket unix_stream\n"
			       "main: connect t @abc => ECONNREFUSED\n"
			       "main: connect t @abx addrlen=5 => ok\n");
}

// [net.unix.addrlen] A padded abstract name may not fit with the tag.
TEST(Net, UnixPaddedAbstractNameMayNotFit)
{
	EXPECT_PINS(at_abi(7), "main: d = socket unix_dgram\n"
			       "main: connect d @q addrlen=50 => ECONNREFUSED|EINVAL\n"
			       "main: sendto d @q addrlen=0 => ENOTCONN\n");
}

// [net.tcp.erratum1] MPTCP is only restricted before the fix.
TEST(Net, MptcpRestrictedOnlyBeforeErratum1)
{
	const std::string t = sandbox("bind_tcp,connect_tcp") +
			      "main: m = socket mptcp4 => ok|EPROTONOSUPPORT\n"
			      "main: bind m 8080\n";

	EXPECT_EQ(last(t, profile("abi=4,errata=1+2+3")), "ok");
	EXPECT_EQ(last(t, profile("abi=4,errata=2+3")), "EACCES");
	EXPECT_EQ(last(t, profile("abi=4,errata=?1+2+3")), "ok|EACCES");
}

// [vfs.socket] Landlock's port check comes before the stack's errors.
TEST(Net, PortCheckBeforeStackErrors)
{
	EXPECT_PINS(at_abi(4), "main: s = socket tcp4\nmain: bind s 8080\n"
			       "main: l = socket tcp4\nmain: bind l 9090\n" +
				       sandbox("bind_tcp", "8081 bind_tcp;9090 bind_tcp") +
				       "main: bind s 8082 => EACCES\n"
				       "main: bind s 8081 => EINVAL\n"
				       "main: t = socket tcp4\n"
				       "main: bind t 9090 => EADDRINUSE\n"
				       "main: bind t 9091 => EACCES\n");
	/* Allowed by Landlock, refused without CAP_NET_BIND_SERVICE. */
	const auto r = testing::run(sandbox("bind_tcp", "80 bind_tcp") +
					    "main: s = socket tcp4\n"
					    "main: bind s 80 => EACCES\n",
				    profile("abi=4,root=0"));
	ASSERT_EQ(r.error, "");
	EXPECT_EQ(format_outcomes(r.results.back().allowed), "EACCES");
	bool stack = false;
	for (const auto &line : r.results.back().why)
		stack = stack || line.find("CAP_NET_BIND_SERVICE") != std::string::npos;
	EXPECT_TRUE(stack);
}

// [net.tcp.self] A bound TCP socket connecting to its own port meets
// itself; another socket's port with no listener is still refused.
// [net.tcp.close] Its close frees the port at once.
TEST(Net, TcpSelfConnectAndCloseFreesThePort)
{
	EXPECT_PINS(at_abi(7), "main: s = socket tcp4\n"
			       "main: bind s 10418\n"
			       "main: t = socket tcp4\n"
			       "main: connect t 10418 => ECONNREFUSED\n"
			       "main: connect s 10418 => ok\n"
			       "main: connect s 10418 => EISCONN\n"
			       "main: u = socket tcp4\n"
			       "main: bind u 10418 => EADDRINUSE\n"
			       "main: close s\n"
			       "main: bind u 10418 => ok\n");
	EXPECT_PINS(at_abi(7), "main: s = socket tcp6\n"
			       "main: bind s any:10418\n"
			       "main: connect s 10418 => ok\n");
}

// [net.udp.addrlen] IPv6 takes AF_UNSPEC as no address only from 2 bytes on.
TEST(Net, Udp6UnspecSendtoNeedsItsFamily)
{
	EXPECT_PINS(at_abi(7), "main: s = socket udp6\n"
			       "main: sendto s unspec:53 addrlen=0 => EINVAL\n"
			       "main: sendto s unspec:53 addrlen=1 => EINVAL\n"
			       "main: sendto s unspec:53 addrlen=2 => EDESTADDRREQ\n");
}

// [net.unix.at] A socket path at a non-directory $D: ENOTDIR where the path
// is resolved, ENOENT for a closed $D; earlier checks come first.
TEST(Net, UnixPathAtANonDirectory)
{
	EXPECT_PINS(at_abi(7), "main: s = socket unix_stream\n"
			       "main: connect s $s/b addrlen=0 => EINVAL\n"
			       "main: connect s $s/b => ENOTDIR\n"
			       "main: sendto s $s/b => EOPNOTSUPP\n"
			       "main: d = socket unix_dgram\n"
			       "main: u = socket unix_dgram\n"
			       "main: close d\n"
			       "main: sendto u $d/b => ENOENT\n"
			       "main: bind u $d/b => ENOENT\n");
}

// [net.tcp.state] A connected or listening TCP socket: EISCONN before the
// address's length and family are read.
TEST(Net, TcpConnectStateBeforeAddress)
{
	EXPECT_PINS(at_abi(7), "main: s = socket tcp4\n"
			       "main: connect s / => EAFNOSUPPORT\n"
			       "main: connect s 80 addrlen=15 => EINVAL\n"
			       "main: bind s 10433\n"
			       "main: connect s 10433 => ok\n"
			       "main: connect s / => EISCONN\n"
			       "main: connect s 80 addrlen=15 => EISCONN\n");
}

// [net.udp.icmp] Only after a connected send may a send fail with
// ECONNREFUSED, once.
TEST(Net, UdpIcmpErrorAfterAConnectedSend)
{
	const std::string connected = "main: u = socket udp4\n"
				      "main: sendto u 10542 => ok\n"
				      "main: connect u 10542\n";

	EXPECT_EQ(testing::last(connected + "main: sendto u\n", at_abi(7)), "ok");
	EXPECT_EQ(testing::last(connected + "main: sendto u\nmain: sendto u 10541\n", at_abi(7)),
		  "ok|ECONNREFUSED");
	EXPECT_EQ(testing::last(connected + "main: sendto u\n"
					    "main: sendto u 10541 => ECONNREFUSED\n"
					    "main: sendto u\n",
				at_abi(7)),
		  "ok");
}

// [sock.unix.send] seqpacket: ENOTCONN until connected, then the address is
// ignored; stream: an address is EOPNOTSUPP or EISCONN.
TEST(Net, UnixSeqpacketSendtoNeedsAConnection)
{
	EXPECT_PINS(at_abi(7), "main: l = socket unix_seqpacket\n"
			       "main: bind l @srv\n"
			       "main: listen l\n"
			       "main: s = socket unix_seqpacket\n"
			       "main: sendto s @srv => ENOTCONN\n"
			       "main: connect s @srv => ok\n"
			       "main: sendto s @nobody => ok\n"
			       "main: t = socket unix_stream\n"
			       "main: sendto t @srv => EOPNOTSUPP\n");
}

} // namespace
} // namespace lockstep
