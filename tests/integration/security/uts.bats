#!/usr/bin/env bats
# The uts namespace maps onto the supervisor's uname/sethostname emulation:
# the container sees and changes its own names, never the host's.

load ../helpers
load security_helpers

@test "uts: uname shows the bundle's hostname and domainname; the host's are untouched" {
	sec_bundle
	update_config '.hostname = "ctr-host" | .domainname = "ctr.domain"'
	probe 'sysprobe uname'
	assert_success
	assert_lines OK ctr-host ctr.domain
	[ "$(uname -n)" != ctr-host ]
}

@test "uts: control: without the uts namespace uname shows the host's name" {
	sec_bundle
	update_config '.hostname = "ctr-host"'
	without_namespace uts
	probe 'sysprobe uname'
	assert_success
	assert_lines OK "$(uname -n)" "$(cat /proc/sys/kernel/domainname)"
}

@test "uts: sethostname without CAP_SYS_ADMIN is EPERM, and the name stays" {
	sec_bundle
	update_config '.hostname = "ctr-host"'
	probe 'sysprobe sethostname other; sysprobe setdomainname other; uname -n'
	assert_success
	assert_lines EPERM EPERM ctr-host
}

@test "uts: with CAP_SYS_ADMIN sethostname changes the container's view only" {
	local host
	host=$(uname -n)
	sec_bundle
	update_config '.hostname = "ctr-host"'
	grant_caps CAP_SYS_ADMIN
	probe 'sysprobe sethostname renamed; sysprobe setdomainname dom2; sysprobe uname; hostname'
	assert_success
	assert_lines OK OK OK renamed dom2 renamed
	assert_equal "$(uname -n)" "$host"
}

@test "uts: a name longer than 64 bytes is EINVAL, as in the kernel" {
	sec_bundle
	grant_caps CAP_SYS_ADMIN
	probe "sysprobe sethostname $(printf 'x%.0s' {1..65})"
	assert_success
	assert_lines EINVAL
}

@test "uts i386: uname and olduname through int \$0x80 show the container's name; sethostname is emulated" {
	skip_unless_int80
	sec_bundle
	update_config '.hostname = "ctr-host"'
	grant_caps CAP_SYS_ADMIN
	probe 'sysprobe int80 uname; sysprobe int80 olduname; sysprobe int80 sethostname i386name; uname -n'
	assert_success
	assert_lines OK ctr-host OK ctr-host OK i386name
}

@test "uts: the name a container sets is seen by a process exec'd into it later" {
	sec_bundle
	update_config '.hostname = "ctr-host"'
	grant_caps CAP_SYS_ADMIN
	set_argv sleep 100
	create_container ctr
	runlock start ctr
	run runlock exec ctr sysprobe sethostname changed
	assert_success
	assert_output OK
	run runlock exec ctr uname -n
	assert_success
	assert_output changed
}
