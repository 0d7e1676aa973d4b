#!/usr/bin/env bats
# linux.resources.devices without a devices cgroup (issue 16, item 5): the
# filesystem view checks the rules at every device open it carries out
# (the container's /dev, linux.devices, a reopen through /proc/self/fd) and
# answers EPERM as runc's devices cgroup does; the image's own device nodes
# are checked at create. The target is /dev/kmsg (1:11), which is always
# there and which runc's defaults do not allow; opening it for writing
# writes nothing. Each test has its control: the same open allowed by a
# rule succeeds.

load ../helpers
load security_helpers

KMSG='{path: "/dev/kmsg", type: "c", major: 1, minor: 11, fileMode: 438, uid: 0, gid: 0}'
DENY_ALL='{allow: false, access: "rwm"}'

setup() {
	common_setup
	skip_unless_root
	[ -c /dev/kmsg ] || skip "no /dev/kmsg on this host"
	sec_bundle
}

@test "devices: a deny-all rule makes a linux.devices node EPERM; an allow rule opens it, only for the access it names" {
	# Control on the host.
	host_probe open /dev/kmsg w
	assert_output OK
	update_config ".linux.devices += [$KMSG] | .linux.resources.devices = [$DENY_ALL]"
	probe 'sysprobe open /dev/kmsg w; sysprobe open /dev/kmsg rw; sysprobe open /dev/null rw; sysprobe open /dev/zero'
	assert_success
	assert_lines EPERM EPERM OK OK
	# No rule at all is runc's deny-all too (its list starts empty).
	update_config 'del(.linux.resources)'
	probe 'sysprobe open /dev/kmsg w'
	assert_success
	assert_lines EPERM
	# Allowed for writing only: w opens, rw does not.
	update_config ".linux.resources.devices = [$DENY_ALL, {allow: true, type: \"c\", major: 1, minor: 11, access: \"w\"}]"
	probe 'sysprobe open /dev/kmsg w; sysprobe open /dev/kmsg rw'
	assert_success
	assert_lines OK EPERM
	# A wildcard allow, then a deny of the one device: runc's order holds.
	update_config ".linux.resources.devices = [{allow: true, type: \"c\", major: 1, access: \"rwm\"}]"
	probe 'sysprobe open /dev/kmsg w'
	assert_success
	assert_lines OK
}

@test "devices: runc's defaults (null, zero, full, random, urandom, tty, ptys) stay allowed under deny-all" {
	update_config ".linux.resources.devices = [$DENY_ALL]"
	probe 'for d in null zero full random urandom; do sysprobe open /dev/$d rw; done'
	assert_success
	assert_lines OK OK OK OK OK
}

@test "devices: a denied device's descriptor passed in does not reopen through /proc/self/fd" {
	# The host's kmsg, open for reading, passed in as fd 3: reopening it
	# for writing is a new open the devices cgroup would check. (It is in
	# linux.devices, so Landlock lets the reopen reach the rule.)
	update_config ".linux.devices += [$KMSG] | .linux.resources.devices = [$DENY_ALL]"
	set_script 'sysprobe open /proc/self/fd/3 w; sysprobe open /proc/self/fd/0 r'
	ctr_run_fd3 /dev/kmsg
	assert_success
	assert_lines EPERM OK
	# Control: allowed, the reopen works.
	update_config ".linux.resources.devices += [{allow: true, type: \"c\", major: 1, minor: 11, access: \"rw\"}]"
	ctr_run_fd3 /dev/kmsg
	assert_success
	assert_lines OK OK
}

@test "devices: a denied device node in the image is refused at create, named; an allowed one runs" {
	set_readonly false # the control writes to it
	mknod "$BUNDLE/rootfs/kmsg2" c 1 11
	chmod 0666 "$BUNDLE/rootfs/kmsg2"
	update_config ".linux.resources.devices = [$DENY_ALL]"
	set_script 'sysprobe open /kmsg2 w'
	ctr_run
	assert_failure
	assert_equal "$output" ''
	output=$stderr assert_output --partial 'rootfs: /kmsg2 (character device 1:11) is denied by linux.resources.devices'
	run ls -A "$RUNLOCK_STATE"
	assert_output ''
	# Control: allowed by a rule, the container runs and opens it.
	update_config ".linux.resources.devices += [{allow: true, type: \"c\", major: 1, minor: 11, access: \"rw\"}]"
	ctr_run
	assert_success
	assert_output OK
}

@test "devices: a node the image has under a mount destination is shadowed, not refused" {
	mkdir -p "$BUNDLE/rootfs/dev"
	mknod "$BUNDLE/rootfs/dev/kmsg" c 1 11
	update_config ".linux.resources.devices = [$DENY_ALL]"
	probe 'sysprobe open /dev/kmsg w'
	assert_success
	assert_lines ENOENT
}
