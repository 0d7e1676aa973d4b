#!/usr/bin/env bats
# Capabilities the config does not grant are really gone: the kernel's own
# capability checks refuse (EPERM), and granting the capability in the config
# makes the same action succeed.

load ../helpers
load security_helpers

@test "caps: the default config leaves exactly AUDIT_WRITE, KILL, NET_BIND_SERVICE (eff, prm, bnd), nothing inheritable" {
	sec_bundle
	local want
	want=$(cap_mask AUDIT_WRITE KILL NET_BIND_SERVICE)
	probe 'sysprobe getcaps'
	assert_success
	assert_lines "CapEff: $want" "CapPrm: $want" "CapInh: 0000000000000000" "CapBnd: $want"
}

@test "caps: chown to another uid without CAP_CHOWN is EPERM; with CAP_CHOWN it succeeds" {
	sec_bundle
	set_readonly false
	probe 'sysprobe chown /etc/group 1000'
	assert_success
	assert_output EPERM
	assert_equal "$(stat -c %u "$BUNDLE/rootfs/etc/group")" 0

	grant_caps CAP_CHOWN
	probe 'sysprobe chown /etc/group 1000'
	assert_success
	assert_output OK
	assert_equal "$(stat -c %u "$BUNDLE/rootfs/etc/group")" 1000
}

@test "caps: with host networking, a raw socket without CAP_NET_RAW is EPERM; with CAP_NET_RAW it succeeds" {
	sec_bundle
	without_namespace network
	probe 'sysprobe raw-socket; sysprobe socket packet raw'
	assert_success
	assert_lines EPERM EPERM

	grant_caps CAP_NET_RAW
	probe 'sysprobe raw-socket; sysprobe socket packet raw'
	assert_success
	assert_lines OK OK
}

# Without no_new_privs the kernel gives root every bounding capability at
# execve (as under runc); with it, nothing is gained.
@test "caps: with noNewPrivileges, a capability only in the bounding set is not gained at exec" {
	sec_bundle
	set_readonly false
	update_config '.process.capabilities.bounding += ["CAP_CHOWN"]'
	probe 'sysprobe getcaps; sysprobe chown /etc/group 1000'
	assert_success
	assert_equal "${lines[0]}" "CapEff: $(cap_mask AUDIT_WRITE KILL NET_BIND_SERVICE)"
	assert_equal "${lines[3]}" "CapBnd: $(cap_mask AUDIT_WRITE KILL NET_BIND_SERVICE CHOWN)"
	assert_equal "${lines[-1]}" EPERM
	assert_equal "$(stat -c %u "$BUNDLE/rootfs/etc/group")" 0

	# Control: without noNewPrivileges, root gains it at exec and chown works.
	update_config '.process.noNewPrivileges = false'
	probe 'sysprobe getcaps; sysprobe chown /etc/group 1000'
	assert_success
	assert_equal "${lines[0]}" "CapEff: $(cap_mask AUDIT_WRITE KILL NET_BIND_SERVICE CHOWN)"
	assert_equal "${lines[-1]}" OK
	assert_equal "$(stat -c %u "$BUNDLE/rootfs/etc/group")" 1000
}

# Without ambient capabilities, execve by a non-root user clears the
# effective and permitted sets (runc's semantics too); the bounding set stays.
@test "caps: a non-root container user ends with no effective capability; DAC applies" {
	sec_bundle
	set_readonly false
	update_config '.process.user = {uid: 1000, gid: 1000}'
	echo x >"$BUNDLE/rootfs/tmp/mine"
	chown 1000:1000 "$BUNDLE/rootfs/tmp/mine"
	probe 'sysprobe getcaps; sysprobe chown /tmp/mine 2000; sysprobe open /etc/passwd w;
		sysprobe open /tmp/mine w'
	assert_success
	assert_lines "CapEff: 0000000000000000" "CapPrm: 0000000000000000" \
		"CapInh: 0000000000000000" "CapBnd: $(cap_mask AUDIT_WRITE KILL NET_BIND_SERVICE)" \
		EPERM EACCES OK
	assert_equal "$(stat -c %u "$BUNDLE/rootfs/tmp/mine")" 1000
}
