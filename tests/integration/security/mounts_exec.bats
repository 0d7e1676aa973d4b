#!/usr/bin/env bats
# Programs, working directories, xattrs and inotify watches in mounts
# (docs/mounts.md, "Programs and working directories in mounts"). Under
# chroot no path reaches a bind mount's source: the view switches execve and
# chdir for their descriptor forms and makes the xattr and inotify calls on
# behalf. Each test's control shows the rootfs alone has nothing there.

load ../helpers
load security_helpers

# exec_src: a bind source $SRC holding busybox, a script run by the rootfs's
# sh, and a script whose interpreter is that first script.
exec_src() {
	SRC="$BATS_TEST_TMPDIR/src"
	mkdir -p "$SRC/sub"
	cp "$BUNDLE/rootfs/bin/busybox" "$SRC/busybox"
	printf '#!/bin/sh\necho "script $0 $*"; exit 3\n' >"$SRC/s.sh"
	printf '#!/data/s.sh  one arg \n' >"$SRC/nested"
	echo in-sub >"$SRC/sub/f"
	chmod 0755 "$SRC" "$SRC/sub" "$SRC/s.sh" "$SRC/nested"
}

@test "exec: a program, a script and a nested script run from a bind mount, with the kernel's argv" {
	sec_bundle
	exec_src
	# Control: the rootfs has no /data.
	[ ! -e "$BUNDLE/rootfs/data" ]
	bind_mount /data "$SRC" ro
	probe '/data/busybox echo from-bind; /data/s.sh a b; echo "rc=$?"; /data/nested x;
		cd /data && ./busybox echo relative'
	assert_success
	assert_lines from-bind "script /data/s.sh a b" rc=3 "script /data/s.sh one arg /data/nested x" \
		relative
}

@test "exec: the container's init itself may be a program in a bind mount" {
	sec_bundle
	exec_src
	bind_mount /data "$SRC" ro
	update_config '.process.args = ["/data/busybox", "echo", "init-from-bind"]'
	ctr_run
	assert_success
	assert_output init-from-bind
}

@test "exec: the container's init may be a file bind mount's destination itself (podman --init)" {
	sec_bundle
	exec_src
	# Control: the rootfs has no /run/podman-init.
	[ ! -e "$BUNDLE/rootfs/run/podman-init" ]
	bind_mount /run/podman-init "$SRC/s.sh" ro
	update_config '.process.args = ["/run/podman-init", "a"]'
	ctr_run
	assert_failure 3
	assert_output "script /run/podman-init a"
}

@test "exec: through a symlink to /proc/self/exe, the caller's own program runs again" {
	sec_bundle
	set_readonly false
	probe 'ln -s /proc/self/exe /tmp/busybox && /tmp/busybox echo re-exec; rm /tmp/busybox'
	assert_success
	assert_output re-exec
}

@test "exec: noexec bind mounts refuse execution (EACCES); the same source without it runs" {
	sec_bundle
	exec_src
	bind_mount /data "$SRC" ro noexec
	probe '{ /data/busybox echo ran; echo "rc=$?"; /data/s.sh; echo "rc=$?"; } 2>&1'
	assert_success
	assert_line rc=126
	refute_line ran
	assert_line --partial 'Permission denied'

	update_config '.mounts |= map(select(.destination != "/data"))'
	bind_mount /data "$SRC" ro
	probe '/data/busybox echo ran'
	assert_success
	assert_output ran
}

@test "exec: uid 1000 cannot run a root-only (0700) program in a bind mount, nor cd into a root-only directory; uid 0 can" {
	sec_bundle
	exec_src
	# busybox runs the applet its name says: "echo".
	cp "$SRC/busybox" "$SRC/echo"
	chmod 0700 "$SRC/echo"
	mkdir -m 0700 "$SRC/private"
	echo private-data >"$SRC/private/f"
	bind_mount /data "$SRC" ro
	probe '/data/echo root-ran; cd /data/private && cat f'
	assert_success
	assert_lines root-ran private-data

	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe '{ /data/echo ran; echo "rc=$?"; cd /data/private; echo "rc=$?"; } 2>&1'
	assert_success
	refute_line ran
	assert_line rc=126
	assert_line rc=2
	assert_line --partial "can't cd to /data/private: Permission denied"
}

@test "cwd: cd into a bind mount; pwd, getcwd, relative paths and .. are the container's" {
	sec_bundle
	exec_src
	echo "host-only-$RANDOM" >"$BATS_TEST_TMPDIR/next-to-src"
	# Control: from the source on the host, .. reaches the file beside it.
	run cat "$SRC/../next-to-src"
	assert_success
	bind_mount /data "$SRC" ro
	probe 'cd /data/sub && pwd && /bin/pwd && sysprobe getcwd && cat f && ls;
		cat ../next-to-src 2>&1; sysprobe read ../../etc/passwd | head -1;
		cd .. && pwd && ls | tr "\n" " "; echo; cd .. && /bin/pwd'
	assert_success
	# ../next-to-src from /data is the container's /next-to-src: none.
	assert_lines /data/sub /data/sub OK /data/sub in-sub f \
		"cat: can't open '../next-to-src': No such file or directory" OK \
		/data "busybox nested s.sh sub " /
}

@test "cwd: a directory missing from the rootfs that holds a mount point can be the working directory" {
	sec_bundle
	exec_src
	bind_mount /srv/app "$SRC" ro
	# Control: the rootfs has no /srv.
	[ ! -e "$BUNDLE/rootfs/srv" ]
	probe 'cd /srv && pwd && ls && cd app/sub && cat f'
	assert_success
	assert_lines /srv app in-sub
}

@test "xattr: get, list, set and remove act on a bind mount's file; a ro bind and the read-only rootfs refuse changes" {
	sec_bundle
	exec_src
	local rw="$BATS_TEST_TMPDIR/rw"
	mkdir -p "$rw"
	echo x >"$rw/f"
	"$SYSPROBE" setxattr "$SRC/sub/f" >/dev/null
	bind_mount /data "$SRC" ro
	bind_mount /rw "$rw" rw
	probe 'sysprobe getxattr /data/sub/f; sysprobe listxattr /data/sub/f;
		sysprobe setxattr /data/sub/f; sysprobe removexattr /data/sub/f;
		sysprobe setxattr /rw/f; sysprobe getxattr /rw/f;
		sysprobe setxattr /etc/passwd; sysprobe getxattr /etc/passwd'
	assert_success
	assert_lines OK 1 OK user.sysprobe EROFS EROFS OK OK 1 EROFS ENODATA
	# The rw bind's change is on the host file.
	host_probe getxattr "$rw/f"
	assert_lines OK 1
	set_script 'sysprobe removexattr /rw/f; sysprobe getxattr /rw/f'
	ctr_run
	assert_lines OK ENODATA
}

@test "xattr: uid 1000 cannot read a user xattr of a root-only (0600) file in a bind mount; uid 0 can" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	echo secret >"$src/f"
	chmod 0600 "$src/f"
	"$SYSPROBE" setxattr "$src/f" >/dev/null
	bind_mount /data "$src" ro
	probe 'sysprobe getxattr /data/f'
	assert_success
	assert_lines OK 1
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe getxattr /data/f'
	assert_success
	assert_lines EACCES
}

@test "utimes: the old call sets a rw bind's file times; EROFS in a ro bind and the read-only rootfs" {
	sec_bundle
	exec_src
	local rw="$BATS_TEST_TMPDIR/rw"
	mkdir -p "$rw"
	echo x >"$rw/f"
	bind_mount /data "$SRC" ro
	bind_mount /rw "$rw" rw
	probe 'sysprobe utimes /rw/f; sysprobe utimes /data/sub/f; sysprobe utimes /etc/passwd'
	assert_success
	assert_lines OK EROFS EROFS
	assert_equal "$(stat -c %Y "$rw/f")" 978307200
}

@test "inotify: a watch on a bind mount's directory gets the events of the host directory" {
	sec_bundle
	local rw="$BATS_TEST_TMPDIR/rw"
	mkdir -p "$rw"
	bind_mount /rw "$rw" rw
	probe 'sysprobe inotify /rw; cd /rw && sysprobe inotify .'
	assert_success
	assert_lines OK inotified OK inotified
	[ -f "$rw/inotified" ]
	# Control: the rootfs has no /rw to watch.
	[ ! -e "$BUNDLE/rootfs/rw" ]
}

@test "i386 entry (int \$0x80): stat, statfs, truncate64, 16-bit chown, chdir+getcwd, execve and socketcall connect in bind mounts" {
	skip_unless_int80
	sec_bundle
	exec_src
	local rw="$BATS_TEST_TMPDIR/rw"
	mkdir -p "$rw"
	printf 'twelve bytes' >"$rw/f"
	"$NETLISTEN" unix "$rw/s" "$BATS_TEST_TMPDIR/ready" >/dev/null 3>&- &
	SEC_PIDS+=($!)
	disown $!
	retry 5 test -s "$BATS_TEST_TMPDIR/ready"
	bind_mount /data "$SRC" ro
	bind_mount /rw "$rw" rw
	grant_caps CAP_CHOWN
	# The host's network: without it runlock's filter refuses socketcall.
	without_namespace network
	probe 'sysprobe int80 stat /rw/f; sysprobe int80 statfs /data; sysprobe int80 truncate64 /rw/f 5;
		sysprobe int80 chown16 /rw/f 1234; sysprobe int80 chown16 /data/s.sh 1;
		sysprobe int80 connect-unix /rw/s; sysprobe int80 chdir /data/sub;
		sysprobe int80 execve /data/busybox echo int80-exec'
	assert_success
	# Control for each: the rootfs has no /rw or /data (ENOENT without the view).
	assert_lines OK "100644 12 0" OK "$(stat -f -c %t "$SRC")" OK OK EROFS OK OK /data/sub int80-exec
	assert_equal "$(stat -c '%s %u' "$rw/f")" "5 1234"
}

@test "cwd: getcwd names rootfs directories as the container sees them; a removed working directory is ENOENT, as on the host" {
	sec_bundle
	set_readonly false
	# Control: the host kernel's answer for a removed working directory.
	mkdir "$BATS_TEST_TMPDIR/gone"
	run sh -c "cd '$BATS_TEST_TMPDIR/gone' && rmdir '$BATS_TEST_TMPDIR/gone' && '$SYSPROBE' getcwd"
	assert_output ENOENT
	probe 'cd /etc && sysprobe getcwd; mkdir /tmp/gone && cd /tmp/gone && rmdir /tmp/gone && sysprobe getcwd'
	assert_success
	assert_lines OK /etc ENOENT
}

@test "exec: runlock exec runs a program from a bind mount, and --cwd may name a directory in one" {
	sec_bundle
	exec_src
	bind_mount /data "$SRC" ro
	update_config '.process.args = ["sleep", "100"]'
	create_container ctr
	run runlock start ctr
	assert_success
	run runlock exec ctr /data/busybox echo exec-from-bind
	assert_success
	assert_output exec-from-bind
	run runlock exec --cwd /data/sub ctr sh -c 'pwd; cat f'
	assert_success
	assert_output $'/data/sub\nin-sub'
	# Control: a directory that is in neither the rootfs nor a mount.
	run runlock exec --cwd /nowhere ctr true
	assert_failure
}

@test "exec: a setuid program in a nosuid bind mount is refused (EPERM) unless no_new_privs withholds its privilege; without nosuid it runs as its owner" {
	sec_bundle
	exec_src
	# sysprobe, setuid root (busybox drops the privilege of most applets).
	cp "$SYSPROBE" "$SRC/suidprobe"
	chmod 4755 "$SRC/suidprobe"
	update_config '.process.user = {uid: 1000, gid: 1000} | .process.noNewPrivileges = false'
	# Control: with no nosuid mount in the table (with one, a program run
	# from a mount gets no_new_privs: docs/mounts.md) the kernel grants
	# root's capabilities.
	update_config '.mounts |= map(.options |= (. // [] | map(select(. != "nosuid"))))'
	bind_mount /data "$SRC" ro
	probe '/data/suidprobe getcaps | head -1'
	assert_success
	refute_output "CapEff: 0000000000000000"
	assert_output --regexp '^CapEff: '

	update_config '.mounts |= map(select(.destination != "/data"))'
	bind_mount /data "$SRC" ro nosuid
	probe '{ /data/suidprobe getcaps; echo "rc=$?"; } 2>&1'
	assert_success
	assert_line --partial 'Operation not permitted'
	assert_line rc=126
	refute_line --partial CapEff

	update_config '.process.noNewPrivileges = true'
	probe '/data/suidprobe getcaps | head -1'
	assert_success
	assert_output "CapEff: 0000000000000000"
}

@test "devices in a bind mount: nodev refuses every one (EACCES); without it only the devices the container's /dev has open (EPERM for others, as runc's devices cgroup)" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/devs"
	mkdir -p "$src"
	mknod "$src/null" c 1 3
	mknod "$src/kmsg" c 1 11
	chmod 0666 "$src/null" "$src/kmsg"
	# Control: on the host both open (the kernel's log, always there).
	host_probe open "$src/kmsg"
	assert_output OK
	host_probe open "$src/null" rw
	assert_output OK
	bind_mount /data "$src" rw
	probe 'sysprobe open /data/null rw; sysprobe open /data/kmsg rw; sysprobe open /data/kmsg'
	assert_success
	assert_lines OK EPERM EPERM

	update_config '.mounts |= map(select(.destination != "/data"))'
	bind_mount /data "$src" rw nodev
	probe 'sysprobe open /data/null rw; sysprobe open /data/kmsg'
	assert_success
	assert_lines EACCES EACCES
}

@test "exec: a nested interpreter script in a bind mount that the caller may not execute is EACCES, as the kernel answers; executable, it runs" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/nest"
	mkdir -p "$src"
	printf '#!/data/inner\n' >"$src/outer"
	printf '#!/bin/sh -e\necho "inner $*"\n' >"$src/inner"
	chmod 0755 "$src" "$src/outer"
	chmod 0644 "$src/inner"
	bind_mount /data "$src" ro
	probe '/data/outer x; echo "rc=$?"'
	assert_success
	assert_output rc=126
	# Control: executable, the chain runs with the kernel's argv.
	chmod 0755 "$src/inner"
	probe '/data/outer x'
	assert_success
	assert_output "inner /data/outer x"
}
