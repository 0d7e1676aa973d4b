#!/usr/bin/env bats
# The network namespace without a path means "no network": Landlock denies
# TCP bind/connect (except the ports the annotations name), seccomp denies
# every other inet socket type and family. The ipc namespace maps onto
# Landlock's abstract-UNIX-socket scope.
#
# Each target is a live listener on the host started by the test
# (tests/helpers/netlisten.c), whose log shows whether anything reached it.

load ../helpers
load security_helpers

_log_has() {
	[ "$(log_count "$1" "$2")" -ge "$3" ]
}

# wait_log FILE WORD N: FILE has N lines starting with WORD (listener logs
# are written after the accept, so a control may return first).
wait_log() {
	retry 5 _log_has "$@" || fail "$1: expected $3 '$2' lines, have: $(cat "$1")"
}

@test "net: without network, TCP connect to a live host listener is EACCES and nothing reaches it" {
	sec_bundle
	start_listener tcp TCP
	probe "sysprobe connect-tcp 127.0.0.1 $TCP_PORT"
	assert_success
	assert_output EACCES
	assert_equal "$(log_count "$TCP_LOG" accepted)" 0
}

@test "net: control: with host networking, the same connect succeeds and reaches the listener" {
	sec_bundle
	without_namespace network
	start_listener tcp TCP
	probe "sysprobe connect-tcp 127.0.0.1 $TCP_PORT"
	assert_success
	assert_output OK
	wait_log "$TCP_LOG" accepted 1
}

@test "net: without network, TCP bind is EACCES; with host networking it succeeds" {
	sec_bundle
	local port
	port=$(free_tcp_port)
	probe "sysprobe bind-tcp $port"
	assert_success
	assert_output EACCES

	without_namespace network
	probe "sysprobe bind-tcp $port"
	assert_success
	assert_output OK
}

@test "net: annotation tcp-connect opens exactly that port without network" {
	sec_bundle
	start_listener tcp ALLOWED
	start_listener tcp OTHER
	set_annotation io.github.runlock.network.tcp-connect "$ALLOWED_PORT"
	probe "sysprobe connect-tcp 127.0.0.1 $ALLOWED_PORT; sysprobe connect-tcp 127.0.0.1 $OTHER_PORT"
	assert_success
	assert_lines OK EACCES
	wait_log "$ALLOWED_LOG" accepted 1
	assert_equal "$(log_count "$OTHER_LOG" accepted)" 0
}

@test "net: annotation tcp-bind opens exactly that port without network" {
	sec_bundle
	local allowed other
	allowed=$(free_tcp_port)
	other=$(free_tcp_port)
	[ "$allowed" != "$other" ] || other=$(free_tcp_port)
	set_annotation io.github.runlock.network.tcp-bind "$allowed"
	probe "sysprobe bind-tcp $allowed; sysprobe bind-tcp $other"
	assert_success
	assert_lines OK EACCES
}

@test "net: without network, UDP to a live host listener is EACCES (socket() denied); with host networking it arrives" {
	sec_bundle
	start_listener udp UDP
	probe "sysprobe udp-send 127.0.0.1 $UDP_PORT; sysprobe socket inet6 dgram"
	assert_success
	assert_lines EACCES EACCES
	assert_equal "$(log_count "$UDP_LOG" received)" 0

	without_namespace network
	probe "sysprobe udp-send 127.0.0.1 $UDP_PORT"
	assert_success
	assert_output OK
	wait_log "$UDP_LOG" "received 8" 1
}

# runlock's seccomp rule on the socket type answers EACCES before the kernel
# looks at CAP_NET_RAW (which would give EPERM: see capabilities.bats), so
# the container here holds CAP_NET_RAW and is still refused.
@test "net: without network, raw and packet sockets are refused even with CAP_NET_RAW (EACCES, EAFNOSUPPORT)" {
	sec_bundle
	grant_caps CAP_NET_RAW
	probe 'sysprobe raw-socket; sysprobe socket inet6 raw 58; sysprobe socket packet raw;
		sysprobe socket netlink raw'
	assert_success
	assert_lines EACCES EACCES EAFNOSUPPORT EAFNOSUPPORT

	without_namespace network
	probe 'sysprobe raw-socket; sysprobe socket inet6 raw 58; sysprobe socket packet raw;
		sysprobe socket netlink raw'
	assert_success
	assert_lines OK OK OK OK
}

# MPTCP is a stream socket that Landlock's TCP rules do not see.
@test "net: without network, an MPTCP stream socket is EACCES; with host networking OK" {
	[ "$("$SYSPROBE" socket inet stream 262)" = OK ] || skip "MPTCP is not available on this host"
	sec_bundle
	probe 'sysprobe socket inet stream 262; sysprobe socket inet stream 0; sysprobe socket unix stream'
	assert_success
	assert_lines EACCES OK OK

	without_namespace network
	probe 'sysprobe socket inet stream 262'
	assert_success
	assert_output OK
}

@test "net: with the ipc namespace, connecting to a live host abstract UNIX socket is EPERM" {
	sec_bundle
	start_abstract_listener
	# Control on the host: the listener answers.
	host_probe connect-abstract "$ABSTRACT_NAME"
	assert_output OK
	wait_log "$ABSTRACT_LOG" accepted 1

	probe "sysprobe connect-abstract $ABSTRACT_NAME"
	assert_success
	assert_output EPERM
	sleep 0.1
	assert_equal "$(log_count "$ABSTRACT_LOG" accepted)" 1
}

@test "net: control: without the ipc namespace, the same abstract socket is reachable" {
	sec_bundle
	without_namespace ipc
	start_abstract_listener
	probe "sysprobe connect-abstract $ABSTRACT_NAME"
	assert_success
	assert_output OK
	wait_log "$ABSTRACT_LOG" accepted 1
}

# The kernel reads socket()'s protocol as an int, so the rule compares 32
# bits: with the upper half set the request is still MPTCP, which Landlock's
# TCP rules do not cover.
@test "net: without network, MPTCP asked for with the protocol's upper 32 bits set is EACCES too" {
	[ "$("$SYSPROBE" socket inet stream 262)" = OK ] || skip "MPTCP is not available on this host"
	sec_bundle
	start_listener tcp TCP
	# Control on the host: the call makes a working stream socket.
	host_probe connect-stream 127.0.0.1 "$TCP_PORT" 0x100000106
	assert_output OK
	wait_log "$TCP_LOG" accepted 1

	probe "sysprobe connect-stream 127.0.0.1 $TCP_PORT 0x100000106; sysprobe connect-stream 127.0.0.1 $TCP_PORT 262"
	assert_success
	assert_lines EACCES EACCES
	sleep 0.1
	assert_equal "$(log_count "$TCP_LOG" accepted)" 1
}

@test "net: without network, listen() on an unbound TCP socket (an ephemeral port Landlock never saw) is EACCES; a granted port listens; with host networking both do" {
	skip_unless_helper racer
	sec_bundle
	local port
	port=$(free_tcp_port)
	set_annotation io.github.runlock.network.tcp-bind "$port"
	probe "racer listen 0; racer listen $port"
	assert_success
	assert_lines EACCES "OK $port"
	# Control: with the host's network the kernel's autobind listens.
	without_namespace network
	probe 'racer listen 0'
	assert_success
	assert_output --regexp '^OK [1-9][0-9]*$'
}
