#!/usr/bin/env bats
# Issue 14, items 7, 8, 10 and 13: what a hostile image or config could do
# through the mount table. Each test checks that its host target is live on
# the host first, asserts the exact error, and runs a control that does
# what the attack must not.
#
# item 8  image symlinks under maskedPaths/readonlyPaths must not pin a host
#         object (nor earn it a Landlock rule)
# item 7  a proc or sysfs destination that is a symlink is refused, as runc
#         refuses it; maskedPaths apply to /proc whatever the image holds
# item 13 mount options runlock does not honour are refused, never dropped
# item 10 container-writable scratch directories live outside the state
#         directory's tree

load ../helpers
load security_helpers

# host_secret: a root-only 0600 file of the host, outside every bundle;
# sets SECRET. Control: the host reads it.
host_secret() {
	mkdir -p "$BATS_TEST_TMPDIR/host"
	SECRET="$BATS_TEST_TMPDIR/host/secret"
	echo host-secret >"$SECRET"
	chmod 600 "$SECRET"
	run cat "$SECRET"
	assert_success
	assert_output host-secret
}

# hostile_tree: the image of issue 14, item 8. /proc -> x, /tmp -> h/d and
# x/sys -> ../../..(x9)/tmp/..: on the host, <rootfs>/proc/sys leads to the
# host's "/"; inside the root, /proc/sys is /tmp/.. = /h/d/.. = /h.
hostile_tree() {
	local r="$BUNDLE/rootfs"
	rm -rf "$r/proc" "$r/tmp"
	mkdir -p "$r/x" "$r/h/d"
	ln -s x "$r/proc"
	ln -s h/d "$r/tmp"
	ln -s ../../../../../../../../../tmp/.. "$r/x/sys"
	# Control: followed on the host, the image's path is the host's root.
	[ "$(stat -L -c %i "$r/proc/sys")" = "$(stat -c %i /)" ] || fail "hostile tree not built"
}

# create_fails: `create` (stdio to files: a container that does get created
# must not hold bats' pipe) exits 1.
create_fails() {
	runlock_detached create --bundle "$BUNDLE" ctr
	[ "$status" -eq 1 ] || fail "create: status $status: $output"
}

assert_no_container() {
	run runlock list -q
	assert_success
	assert_output ""
	[ ! -e "$RUNLOCK_STATE/ctr" ] || fail "state left: $(ls -A "$RUNLOCK_STATE/ctr")"
}

# ---- item 8 ----------------------------------------------------------------

@test "item 8: readonlyPaths through image symlinks pin the container's object, not the host's /" {
	sec_bundle
	host_secret
	hostile_tree
	# Without a proc mount, /proc is the image's symlink (item 7 refuses
	# it as a proc destination); readonlyPaths keeps /proc/sys.
	update_config '.mounts |= map(select(.type != "proc"))'
	set_readonly false
	probe "ls /h; sysprobe read /h$SECRET; sysprobe open /h/d/f creat; sysprobe open /x/f creat"
	assert_success
	# /proc/sys resolves to /h inside the root: the image's own /h, read-only.
	assert_lines d ENOENT EROFS OK
	[ -e "$BUNDLE/rootfs/x/f" ] || fail "control: the rootfs beside the entry is writable"
	[ ! -e "$BUNDLE/rootfs/h/d/f" ] || fail "the read-only entry was not applied"
}

@test "item 8: maskedPaths through image symlinks mask the container's object only" {
	sec_bundle
	host_secret
	hostile_tree
	update_config '.mounts |= map(select(.type != "proc")) | .linux.maskedPaths = ["/proc/sys"]
		| .linux.readonlyPaths = []'
	probe "ls -A /h; sysprobe read /h$SECRET; ls /"
	assert_success
	# /h is masked: an empty directory, not the host's root.
	assert_line --index 0 ENOENT
	refute_output --partial host-secret
}

# ---- item 7 ----------------------------------------------------------------

@test "item 7: the issue's image (symlinked /proc, default config) fails create, naming /proc" {
	sec_bundle
	hostile_tree
	create_fails
	[[ "$(cat "$stderr_file")" == *'mounts[0]: mount destination /proc: filesystem \"proc\" must be mounted on ordinary directory'* ]] ||
		fail "stderr: $output"
	assert_no_container
}

@test "item 7: /proc -> /symlink is refused (runc: must be mounted on ordinary directory)" {
	sec_bundle
	rm -rf "$BUNDLE/rootfs/proc"
	ln -s /symlink "$BUNDLE/rootfs/proc"
	create_fails
	[[ "$(cat "$stderr_file")" == *'mount destination /proc: filesystem \"proc\" must be mounted on ordinary directory (it is a symlink in the rootfs)'* ]] ||
		fail "stderr: $output"
	assert_no_container
}

@test "item 7: /sys -> /symlink is refused; a regular file at /proc too" {
	sec_bundle
	rm -rf "$BUNDLE/rootfs/sys"
	ln -s /symlink "$BUNDLE/rootfs/sys"
	create_fails
	[[ "$(cat "$stderr_file")" == *'mount destination /sys: filesystem \"sysfs\" must be mounted on ordinary directory'* ]] ||
		fail "stderr: $output"
	assert_no_container
	rm "$BUNDLE/rootfs/sys" && mkdir "$BUNDLE/rootfs/sys"
	rmdir "$BUNDLE/rootfs/proc" && touch "$BUNDLE/rootfs/proc"
	create_fails
	[[ "$(cat "$stderr_file")" == *'mount destination /proc: filesystem \"proc\" must be mounted on ordinary directory'* ]] ||
		fail "stderr: $output"
	assert_no_container
}

@test "item 7: maskedPaths apply to /proc whatever the image holds beneath it; control: a plain /proc" {
	sec_bundle
	# Live on the host: the kernel's timers, thousands of bytes.
	[ "$(head -c 100 /proc/timer_list | wc -c)" = 100 ] || skip "no /proc/timer_list on this host"
	# Control: a plain /proc, the mask applies.
	probe 'wc -c </proc/timer_list; test -d /proc/self && echo self'
	assert_success
	assert_lines 0 self
	# The image hides a symlink under its /proc (covered by the proc
	# mount): the mask must stay on /proc/timer_list, not follow it.
	mkdir -p "$BUNDLE/rootfs/proc" "$BUNDLE/rootfs/elsewhere"
	ln -s /elsewhere/t "$BUNDLE/rootfs/proc/timer_list"
	probe 'wc -c </proc/timer_list; ls /elsewhere'
	assert_success
	assert_lines 0
}
