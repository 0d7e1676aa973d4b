#!/usr/bin/env bats
# Filesystem confinement: chroot + Landlock keep the container inside its
# rootfs; root.readonly is enforced by Landlock.
#
# Every host file targeted here exists and is readable by the caller (a host
# control run of the same probe shows it), so a denial is the runtime's doing.

load ../helpers
load security_helpers

# A host file outside the rootfs: $BATS_TEST_TMPDIR/hostsecret. The rootfs is
# $BATS_TEST_TMPDIR/bundle/rootfs, so "../../hostsecret" from the rootfs'
# top reaches it on the host.
plant_host_secret() {
	HOST_SECRET="$BATS_TEST_TMPDIR/hostsecret"
	echo "host-secret-$RANDOM" >"$HOST_SECRET"
}

@test "fs: '..' above the root stays inside the rootfs (ENOENT), '..' to a rootfs file works" {
	sec_bundle
	plant_host_secret
	# Control on the host: the same relative walk from the rootfs reaches the file.
	host_probe read "$BUNDLE/rootfs/../../hostsecret"
	assert_lines OK "$(cat "$HOST_SECRET")"
	[ -e /etc/hostname ] || skip "the host has no /etc/hostname"

	probe 'cd / && sysprobe read ../../hostsecret; sysprobe read /../../hostsecret;
		sysprobe read /../../etc/hostname; sysprobe read /../../etc/passwd'
	assert_success
	assert_lines ENOENT ENOENT ENOENT OK "root:x:0:0:root:/root:/bin/sh"
}

@test "fs: an absolute symlink planted in the rootfs resolves inside the root (ENOENT); a symlink to a rootfs file works" {
	sec_bundle
	plant_host_secret
	ln -s "$HOST_SECRET" "$BUNDLE/rootfs/escape-abs"
	ln -s ../../hostsecret "$BUNDLE/rootfs/escape-rel"
	ln -s /etc/passwd "$BUNDLE/rootfs/inside"
	# Control on the host: both planted links reach the host file.
	host_probe read "$BUNDLE/rootfs/escape-abs"
	assert_lines OK "$(cat "$HOST_SECRET")"
	host_probe read "$BUNDLE/rootfs/escape-rel"
	assert_lines OK "$(cat "$HOST_SECRET")"

	probe 'sysprobe read /escape-abs; sysprobe read /escape-rel; sysprobe read /inside'
	assert_success
	assert_lines ENOENT ENOENT OK "root:x:0:0:root:/root:/bin/sh"
}

# A hard link planted from the host beforehand is the host's own doing and no
# runtime can undo it: not tested as an escape. What the container can try is
# link(2) of a path outside its root.
@test "fs: link(2) of a host file from inside fails (ENOENT); link of a rootfs file works" {
	sec_bundle
	plant_host_secret
	set_readonly false
	probe 'sysprobe link /../../hostsecret /tmp/stolen; sysprobe link ../../hostsecret /tmp/stolen2;
		sysprobe link /etc/group /tmp/group-link'
	assert_success
	assert_lines ENOENT ENOENT OK
	[ ! -e "$BUNDLE/rootfs/tmp/stolen" ]
	[ "$(stat -c %h "$BUNDLE/rootfs/etc/group")" -eq 2 ]
	[ "$(stat -c %h "$HOST_SECRET")" -eq 1 ]
}

# /proc/PID/root of a container process is the container's root, never the
# host's: the host's secret is not there, the container's own files are.
@test "fs: /proc/self/root and /proc/1/root lead to the container's root, not the host's" {
	sec_bundle
	plant_host_secret
	host_probe read "/proc/self/root$HOST_SECRET"
	assert_lines OK "$(cat "$HOST_SECRET")"

	echo container-passwd >"$BUNDLE/rootfs/etc/marker"
	probe "sysprobe read /proc/self/root$HOST_SECRET; sysprobe read /proc/self/root/etc/marker;
		sysprobe read /proc/1/root$HOST_SECRET; sysprobe read /proc/1/root/etc/marker"
	assert_success
	assert_lines ENOENT OK container-passwd ENOENT OK container-passwd
}

# fds opened before the Landlock domain exists are not restricted for the
# open file itself, but every lookup relative to them is refused: the view
# has no container name for the directory, so nothing is done on behalf and
# the kernel may not start a lookup outside the root (EACCES, link too).
@test "fs: a --preserve-fds directory fd outside the rootfs gives no access beneath it (EACCES)" {
	sec_bundle
	set_readonly false
	local hostdir="$BATS_TEST_TMPDIR/hostdir"
	mkdir -p "$hostdir/sub"
	echo secret >"$hostdir/secret"
	echo secret2 >"$hostdir/sub/file"
	local up=../../../../../../../../../../../../../../../..
	# Control on the host: through the same fd, every one of these works.
	run --separate-stderr sh -c "'$SYSPROBE' openat-fd 3 secret; '$SYSPROBE' openat-fd 3 sub/file;
		'$SYSPROBE' openat-fd 3 $up/etc/passwd; '$SYSPROBE' openat-fd 3 . dir" 3<"$hostdir"
	assert_lines OK OK OK OK

	set_script "sysprobe fds; sysprobe openat-fd 3 secret; sysprobe openat-fd 3 sub/file;
		sysprobe openat-fd 3 $up/etc/passwd; sysprobe openat-fd 3 . dir;
		sysprobe openat-fd 3 planted creat; sysprobe link-fd 3 secret /tmp/stolen"
	ctr_run_fd3 "$hostdir"
	assert_success
	assert_lines "0 1 2 3" EACCES EACCES EACCES EACCES EACCES EACCES
	[ ! -e "$hostdir/planted" ]
	[ ! -e "$BUNDLE/rootfs/tmp/stolen" ]
}

@test "fs: control: a --preserve-fds directory fd inside the rootfs works" {
	sec_bundle
	set_readonly false
	mkdir -p "$BUNDLE/rootfs/data/sub"
	echo inside >"$BUNDLE/rootfs/data/file"
	echo inside2 >"$BUNDLE/rootfs/data/sub/file"
	set_script 'sysprobe fds; sysprobe openat-fd 3 file; sysprobe openat-fd 3 sub/file;
		sysprobe openat-fd 3 . dir; sysprobe openat-fd 3 created creat;
		sysprobe link-fd 3 file /tmp/linked'
	ctr_run_fd3 "$BUNDLE/rootfs/data"
	assert_success
	assert_lines "0 1 2 3" OK OK OK OK OK
	[ -f "$BUNDLE/rootfs/data/created" ]
	[ -f "$BUNDLE/rootfs/tmp/linked" ]
}

@test "fs: root.readonly true: writes and creations in the rootfs fail with EACCES" {
	sec_bundle
	set_readonly true
	local before
	before=$(sha256sum <"$BUNDLE/rootfs/etc/passwd")
	probe 'sysprobe open /etc/passwd w; sysprobe open /etc/passwd rw; sysprobe open /newfile creat;
		sysprobe mkdir /newdir; sysprobe truncate /etc/passwd; sysprobe mknod /tmp/fifo p;
		sysprobe link /etc/group /tmp/group-link; sysprobe open /etc/passwd r'
	assert_success
	assert_lines EACCES EACCES EACCES EACCES EACCES EACCES EACCES OK
	assert_equal "$(sha256sum <"$BUNDLE/rootfs/etc/passwd")" "$before"
	[ ! -e "$BUNDLE/rootfs/newfile" ]
	[ ! -e "$BUNDLE/rootfs/newdir" ]
}

@test "fs: control: root.readonly false: the same writes succeed" {
	sec_bundle
	set_readonly false
	probe 'sysprobe open /etc/passwd w; sysprobe open /etc/passwd rw; sysprobe open /newfile creat;
		sysprobe mkdir /newdir; sysprobe truncate /etc/passwd; sysprobe mknod /tmp/fifo p;
		sysprobe link /etc/group /tmp/group-link; sysprobe open /etc/passwd r'
	assert_success
	assert_lines OK OK OK OK OK OK OK OK
	[ -f "$BUNDLE/rootfs/newfile" ]
	[ -d "$BUNDLE/rootfs/newdir" ]
	[ ! -s "$BUNDLE/rootfs/etc/passwd" ]
}

# Landlock has no right for metadata (chmod, chown, utimes, xattrs): with
# root.readonly runlock's seccomp filter answers them EROFS, as runc's ro
# mount does.
@test "fs: root.readonly true: metadata of rootfs files cannot be changed (chmod, utimes, xattr)" {
	sec_bundle
	set_readonly true
	local before
	before=$(stat -c '%a %Y' "$BUNDLE/rootfs/bin/busybox")
	probe 'sysprobe chmod /bin/busybox 4755; sysprobe utime /bin/busybox;
		sysprobe setxattr /bin/busybox'
	assert_success
	assert_lines EROFS EROFS EROFS
	assert_equal "$(stat -c '%a %Y' "$BUNDLE/rootfs/bin/busybox")" "$before"
}

@test "fs: control: root.readonly false: metadata changes are allowed" {
	sec_bundle
	set_readonly false
	probe 'sysprobe chmod /etc/group 600; sysprobe utime /etc/group'
	assert_success
	assert_lines OK OK
	assert_equal "$(stat -c '%a %Y' "$BUNDLE/rootfs/etc/group")" "600 978307200"
}

# A preserved fd on a bind source is inside the mount, as the container sees
# it: a 'ro' mount refuses writes with EROFS, as runc's read-only mount does.
@test "fs: a 'ro' bind source is read-only (EROFS on write), a rw one is writable" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/bindsrc"
	mkdir -p "$src"
	echo data >"$src/file"
	update_config '.mounts += [{destination: "/data", type: "bind", source: $s,
		options: ["rbind", "ro"]}]' --arg s "$src"
	set_script 'sysprobe openat-fd 3 file r; sysprobe openat-fd 3 file w; sysprobe openat-fd 3 new creat'
	ctr_run_fd3 "$src"
	assert_success
	assert_lines OK EROFS EROFS
	[ ! -e "$src/new" ]

	update_config '.mounts[-1].options = ["rbind", "rw"]'
	ctr_run_fd3 "$src"
	assert_success
	assert_lines OK OK OK
	[ -e "$src/new" ]
}

@test "fs: the container holds only fds 0 1 2 (plus --preserve-fds), whatever the caller had open" {
	sec_bundle
	plant_host_secret
	exec 5<"$HOST_SECRET" 7<"$BATS_TEST_TMPDIR"
	# Control: the caller really has 5 and 7 open, and a child inherits them.
	host_probe fds
	assert_output --regexp '(^| )5( |$)'
	assert_output --regexp '(^| )7( |$)'

	probe 'sysprobe fds; fdlist'
	assert_success
	assert_lines "0 1 2" "0 1 2"

	set_script 'sysprobe fds'
	ctr_run_fd3 "$BATS_TEST_TMPDIR"
	assert_success
	assert_lines "0 1 2 3"
	exec 5<&- 7<&-
}
