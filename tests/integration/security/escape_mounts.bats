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

# ---- item 13 ---------------------------------------------------------------

@test "item 13: an rro bind is read-only (EROFS, nothing on the host, ro in mountinfo); control: rw" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	bind_mount /mnt "$src" rro
	probe 'sysprobe open /mnt/foo creat; grep " /mnt " /proc/self/mountinfo | cut -d" " -f5,6'
	assert_success
	assert_line --index 0 EROFS
	assert_line --index 1 --regexp '^/mnt ro(,|$)'
	[ ! -e "$src/foo" ] || fail "the rro bind wrote to the host"
	# Control: the same bind without rro is writable, on the host.
	sec_bundle
	bind_mount /mnt "$src"
	probe 'sysprobe open /mnt/foo creat; grep " /mnt " /proc/self/mountinfo | cut -d" " -f5,6'
	assert_success
	assert_line --index 0 OK
	assert_line --index 1 --regexp '^/mnt rw(,|$)'
	[ -e "$src/foo" ] || fail "control: the rw bind did not write"
}

@test "item 13: an option runlock does not honour is refused at create, naming the mount and option" {
	local opt
	for opt in nosymfollow idmap ridmap copy-symlink mand sync; do
		sec_bundle
		bind_mount /mnt "$BATS_TEST_TMPDIR" "$opt"
		create_fails
		[[ "$(cat "$stderr_file")" == *"config.json: mounts[7] (/mnt): option \\\"$opt\\\" is not supported by runlock"* ]] ||
			fail "$opt: $output"
		assert_no_container
	done
	# A tmpfs option is no bind option.
	sec_bundle
	bind_mount /mnt "$BATS_TEST_TMPDIR" size=1m
	create_fails
	[[ "$output" == *'option \"size=1m\" is not supported'* ]] || fail "$output"
	# Id-mapped mounts (uidMappings) are refused too.
	sec_bundle
	bind_mount /mnt "$BATS_TEST_TMPDIR"
	update_config '.mounts[7] += {uidMappings: [{containerID: 0, hostID: 1000, size: 1}],
		gidMappings: [{containerID: 0, hostID: 1000, size: 1}]}'
	create_fails
	[[ "$output" == *'mounts[7] (/mnt): uidMappings/gidMappings: id-mapped mounts are not supported'* ]] ||
		fail "$output"
	assert_no_container
}

@test "item 13: every option of the runc, containerd and Podman defaults is accepted (control)" {
	sec_bundle
	mkdir -p "$BATS_TEST_TMPDIR/vol" "$BUNDLE/rootfs/run/lock"
	echo ctr-host >"$BATS_TEST_TMPDIR/hostname"
	echo from-image >"$BUNDLE/rootfs/run/img"
	ln -s lock "$BUNDLE/rootfs/run/lk"
	# Podman: cgroup with rprivate, binds with bind/rbind and rprivate,
	# its --read-only tmpfs with tmpcopyup; containerd: rbind, rprivate, ro.
	update_config '.mounts += [
		{destination: "/vol", type: "bind", source: $v,
			options: ["rbind", "rprivate", "nosuid", "noexec", "nodev", "rw"]},
		{destination: "/etc/hostname", type: "bind", source: $h,
			options: ["bind", "rprivate", "ro", "relatime", "private", "rslave"]},
		{destination: "/run", type: "tmpfs", source: "tmpfs",
			options: ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup", "size=65536k", "noexec"]},
		{destination: "/var/tmp", type: "tmpfs", source: "tmpfs",
			options: ["rw", "rprivate", "nosuid", "nodev", "notmpcopyup", "exec", "mode=1777", "uid=0", "gid=0"]}]
		| (.mounts[] | select(.type == "cgroup") | .options) += ["rprivate"]' \
		--arg v "$BATS_TEST_TMPDIR/vol" --arg h "$BATS_TEST_TMPDIR/hostname"
	probe 'cat /run/img; readlink /run/lk; ls -d /run/lock; echo new >/run/new && cat /run/new;
		ls -A /var/tmp | wc -l; cat /etc/hostname'
	assert_success
	assert_lines from-image lock /run/lock new 0 ctr-host
	# The copy is the container's: the image is unchanged.
	[ ! -e "$BUNDLE/rootfs/run/new" ]
}

# ---- item 10 ---------------------------------------------------------------

# state_sockets: the sockets of the state root, as find prints them.
state_sockets() {
	find "$RUNLOCK_STATE" -type s | sort
}

@test "item 10: container-writable directories live in <root>/@scratch/<id>, no socket or state file there" {
	sec_bundle
	update_config '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs", options: ["mode=1777"]}]
		| .process.args = ["sleep", "100"]'
	create_container ctr
	run runlock start ctr
	assert_success
	run runlock exec ctr sh -c 'for d in /dev /dev/shm /dev/mqueue /scratch; do echo x >$d/marker-$RANDOM; done; ls /proc >/dev/null'
	assert_success
	# Control: the state directory does hold the sockets.
	run state_sockets
	assert_output --partial "$RUNLOCK_STATE/ctr/ctl.sock"
	# Every place the container wrote is in the scratch tree...
	run find "$RUNLOCK_STATE/@scratch/ctr" -name 'marker-*'
	assert_equal "$(echo "$output" | grep -c .)" 4
	# ...none in the state directory, which holds no directory at all.
	run find "$RUNLOCK_STATE/ctr" -mindepth 1 -type d
	assert_output ""
	run find "$RUNLOCK_STATE/@scratch" -type s -o -name state.json
	assert_output ""
	# Two ".." from a scratch directory (the issue's ../../ctl.sock) name
	# <root>/@scratch/ctr: no ctl.sock there.
	local shm
	shm=$(dirname "$(find "$RUNLOCK_STATE/@scratch/ctr" -name 'marker-*' | head -1)")
	[ ! -e "$shm/../../ctl.sock" ] || fail "ctl.sock two levels above $shm"
	assert_equal "$(stat -c %a "$RUNLOCK_STATE/@scratch")" 700
	assert_equal "$(stat -c %a "$RUNLOCK_STATE/@scratch/ctr")" 700
	run runlock delete -f ctr
	assert_success
	run ls -A "$RUNLOCK_STATE"
	assert_output ""
}

@test "item 10: delete, delete -f and a failed create leave no scratch behind; another container's stays" {
	sec_bundle
	update_config '.process.args = ["sleep", "100"]'
	create_container one
	create_container two
	[ -d "$RUNLOCK_STATE/@scratch/one/mnt" ] && [ -d "$RUNLOCK_STATE/@scratch/two/mnt" ] ||
		fail "no scratch trees: $(ls -R "$RUNLOCK_STATE")"
	run runlock delete one
	assert_success
	[ ! -e "$RUNLOCK_STATE/@scratch/one" ] || fail "delete left one's scratch"
	[ -d "$RUNLOCK_STATE/@scratch/two/mnt" ] || fail "delete of one removed two's scratch"
	run runlock start two
	assert_success
	run runlock delete -f two
	assert_success
	run ls -A "$RUNLOCK_STATE"
	assert_output ""
	# A create that fails after its scratch directories were made.
	update_config '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs"},
		{destination: "/mnt", type: "bind", source: "/tmp", options: ["rbind", "nosymfollow"]}]'
	create_fails
	[[ "$output" == *'option \"nosymfollow\" is not supported'* ]] || fail "$output"
	run ls -A "$RUNLOCK_STATE"
	assert_output ""
}
