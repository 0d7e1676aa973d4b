#!/usr/bin/env bats
# The container's filesystem view: /dev, /proc, bind mounts, tmpfs, masked
# and read-only paths, emulated by the supervisor with no mount on the host
# (docs/mounts.md).
#
# The busybox rootfs has an empty /dev and /proc, and none of the mount
# destinations used here: whatever the container sees there comes from the
# view (each test's control shows what the rootfs alone holds).

load ../helpers
load security_helpers

@test "view: /dev holds the default devices, and they work" {
	sec_bundle
	# Control: the rootfs's own /dev is empty.
	run ls -A "$BUNDLE/rootfs/dev"
	assert_output ""
	probe 'echo x >/dev/null && echo null-ok; head -c 8 /dev/urandom | wc -c;
		head -c 4 /dev/zero | od -An -tx1 | tr -d " "; ls /dev | tr "\n" " "; echo;
		stat -c "%F %t:%T" /dev/null /dev/zero'
	assert_success
	assert_line --index 0 null-ok
	assert_line --index 1 8
	assert_line --index 2 00000000
	assert_line --index 3 --regexp '^fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero *$'
	assert_line --index 4 "character special file 1:3"
	assert_line --index 5 "character special file 1:5"
}

# Conformance bundles list /dev/ptmx in linux.devices (runc replaces the
# node with its pts/ptmx link) and give cgroup device rules runc's "rwa";
# both are accepted, and /dev/ptmx still opens a new pty.
@test "view: /dev/ptmx in linux.devices and a devices access \"rwa\" are accepted; ptmx stays the pts/ptmx link" {
	sec_bundle
	update_config '.linux.devices += [{path: "/dev/ptmx", type: "c", major: 5, minor: 2, fileMode: 438, uid: 0, gid: 0}]
		| .linux.resources.devices += [{allow: true, type: "c", major: 5, minor: 2, access: "rwa"}]'
	probe 'readlink /dev/ptmx; sysprobe pty'
	assert_success
	assert_line --index 0 pts/ptmx
	assert_line --index 1 OK
}

@test "view: /dev through the i386 entry (int \$0x80): open and stat64" {
	skip_unless_int80
	sec_bundle
	probe 'sysprobe int80 stat64 /dev/null; sysprobe int80 open /etc/hostname-missing;
		echo hi >/dev/shm/f; sysprobe int80 open /dev/shm/f'
	assert_success
	assert_lines OK "20666 1:3" ENOENT OK hi
}

@test "view: /proc shows the container's processes only; host pids are ENOENT" {
	sec_bundle
	start_host_sleep
	# Control: on the host the process's files are readable.
	host_probe read "/proc/$HOST_SLEEP_PID/cmdline"
	assert_line --index 0 OK
	probe "sysprobe read /proc/$HOST_SLEEP_PID/cmdline; sysprobe read /proc/$HOST_SLEEP_PID/environ;
		sysprobe read /proc/$HOST_SLEEP_PID/status; ls /proc | grep -c '^[0-9]*\$';
		ls /proc | grep -qx $HOST_SLEEP_PID && echo host-pid-listed;
		head -1 /proc/self/status; ps -o pid,comm | wc -l"
	assert_success
	# ls and grep (and sh) are the container's processes at that moment;
	# ps prints its header, sh, itself and wc.
	assert_lines ENOENT ENOENT ENOENT 3 "Name:	head" 4
}

@test "view: /proc/self/mounts and mountinfo show the container's table, not the host's" {
	sec_bundle
	# Control: the host has mounts the container must not see.
	grep -q ' /sys/fs/cgroup\| /run ' /proc/self/mounts
	probe 'cat /proc/self/mounts; echo --; head -1 /proc/self/mountinfo'
	assert_success
	# runlock spec's root.readonly is true
	assert_line --index 0 "rootfs / rootfs ro 0 0"
	assert_line "proc /proc proc rw 0 0"
	assert_line "tmpfs /dev tmpfs rw,nosuid 0 0"
	refute_line --partial " /run "
	assert_line "1 0 0:1 / / ro,relatime - rootfs rootfs ro"
}

@test "view: /proc/PID/environ of a container process owned by another uid is EACCES; root reads it" {
	sec_bundle
	update_config '.process.args = ["sleep", "100"]'
	create_container ctr
	run runlock start ctr
	assert_success
	local init
	init=$(pid_of ctr)
	run runlock exec ctr sysprobe read "/proc/$init/environ"
	assert_success
	assert_line --index 0 OK
	run runlock exec --user 1000:1000 ctr sh -c "sysprobe read /proc/$init/environ;
		sysprobe read /proc/$init/status; sysprobe read /proc/self/environ"
	assert_success
	assert_line --index 0 EACCES
	assert_line --index 1 OK
	assert_line --index 3 OK
}

@test "view: a file bind mount (/etc/hosts) reads the host file; ro refuses writes with EROFS" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/hosts"
	echo "10.1.2.3 from-the-host" >"$src"
	echo "127.0.0.1 rootfs-own" >"$BUNDLE/rootfs/etc/hosts"
	bind_mount /etc/hosts "$src" ro
	probe 'sysprobe read /etc/hosts; sysprobe open /etc/hosts w'
	assert_success
	assert_lines OK "10.1.2.3 from-the-host" EROFS
	assert_equal "$(cat "$src")" "10.1.2.3 from-the-host"

	# Control: rw lets the same write through, to the host file.
	update_config '.mounts[-1].options = ["rbind", "rw"]'
	probe 'echo rewritten >/etc/hosts && sysprobe read /etc/hosts'
	assert_success
	assert_lines OK rewritten
	assert_equal "$(cat "$src")" rewritten
}

@test "view: a directory bind mount: ro gives EROFS, rw writes land in the source" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src/sub"
	echo data >"$src/sub/file"
	bind_mount /data "$src" ro
	probe 'sysprobe read /data/sub/file; sysprobe open /data/new creat; sysprobe mkdir /data/d;
		ls /data'
	assert_success
	assert_lines OK data EROFS EROFS sub
	[ ! -e "$src/new" ]

	update_config '.mounts[-1].options = ["rbind", "rw"]'
	# (Not busybox's `df /data`: it takes the first mount whose st_dev is the
	# path's, and the view's mounts share their host filesystem's st_dev:
	# in config order /dev, a scratch directory, comes first.)
	probe 'echo made >/data/new && cat /data/new; grep -c "^[^ ]* /data " /proc/self/mounts'
	assert_success
	assert_lines made 1
	assert_equal "$(cat "$src/new")" made
}

@test "view: a uid 1000 process cannot open a root-only 0600 file in a bind mount; uid 0 can" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	chmod 0755 "$src"
	echo root-only >"$src/secret"
	chmod 0600 "$src/secret"
	bind_mount /data "$src" rw
	probe 'sysprobe read /data/secret'
	assert_success
	assert_lines OK root-only

	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe read /data/secret; sysprobe open /data/planted creat'
	assert_success
	assert_lines EACCES EACCES
	[ ! -e "$src/planted" ]
}

@test "view: symlinks in a bind source stay inside the container (relative .. and absolute)" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	echo "host-secret-$RANDOM" >"$BATS_TEST_TMPDIR/hostsecret"
	ln -s ../hostsecret "$src/up"
	ln -s "$BATS_TEST_TMPDIR/hostsecret" "$src/abs"
	ln -s /etc/passwd "$src/passwd"
	# Control: on the host both lead to the secret.
	host_probe read "$src/up"
	assert_line --index 0 OK
	host_probe read "$src/abs"
	assert_line --index 0 OK
	bind_mount /data "$src" ro
	probe 'sysprobe read /data/up; sysprobe read /data/abs; sysprobe read /data/passwd'
	assert_success
	# /data/up is /hostsecret of the container (none); /data/passwd the
	# container's own /etc/passwd.
	assert_lines ENOENT ENOENT OK "$(head -1 "$BUNDLE/rootfs/etc/passwd")"
}

@test "view: replacing a bind source with a symlink after create does not redirect the mount" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	echo original >"$src/file"
	bind_mount /data "$src" ro
	update_config '.process.args = ["sleep", "100"]'
	create_container ctr
	run runlock start ctr
	assert_success
	mv "$src" "$src.moved"
	mkdir -p "$BATS_TEST_TMPDIR/evil"
	echo redirected >"$BATS_TEST_TMPDIR/evil/file"
	ln -s "$BATS_TEST_TMPDIR/evil" "$src"
	# Control: on the host the path now leads elsewhere.
	assert_equal "$(cat "$src/file")" redirected
	run runlock exec ctr cat /data/file
	assert_success
	assert_output original
}

@test "view: a tmpfs is writable, private to the container, and gone after delete" {
	sec_bundle
	update_config '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs",
		options: ["mode=1777", "size=1m"]}] | .process.args = ["sleep", "100"]'
	create_container ctr
	run runlock start ctr
	assert_success
	run runlock exec ctr sh -c 'echo kept >/scratch/x && cat /scratch/x && ls -ld /scratch'
	assert_success
	assert_line --index 0 kept
	assert_line --index 1 --regexp '^drwxrwxrwt '
	[ ! -e "$BUNDLE/rootfs/scratch" ]
	run find "$RUNLOCK_STATE/@scratch/ctr/mnt" -name x
	assert_output --regexp "/x$"
	run runlock kill ctr KILL
	wait_for_status ctr stopped
	run runlock delete ctr
	assert_success
	[ ! -e "$RUNLOCK_STATE/ctr" ]
}

@test "view: maskedPaths read as empty; without the mask the same paths read their content" {
	sec_bundle
	mkdir -p "$BUNDLE/rootfs/secrets"
	echo in-the-rootfs >"$BUNDLE/rootfs/secrets/key"
	echo in-the-rootfs >"$BUNDLE/rootfs/etc/token"
	set_script 'sysprobe read /etc/token; ls /secrets | wc -l; sysprobe open /etc/token w'
	ctr_run
	assert_success
	# Control: root.readonly makes the write EACCES (Landlock), the rest reads.
	assert_lines OK in-the-rootfs 1 EACCES
	update_config '.linux.maskedPaths += ["/etc/token", "/secrets"]'
	ctr_run
	assert_success
	assert_lines OK "" 0 EROFS
}

@test "view: readonlyPaths become read-only (EROFS) over a writable rootfs" {
	sec_bundle
	set_readonly false
	mkdir -p "$BUNDLE/rootfs/conf"
	echo v1 >"$BUNDLE/rootfs/conf/app"
	set_script 'sysprobe open /conf/app w; sysprobe read /conf/app'
	ctr_run
	assert_success
	assert_lines OK OK v1
	echo v1 >"$BUNDLE/rootfs/conf/app"
	update_config '.linux.readonlyPaths += ["/conf"]'
	ctr_run
	assert_success
	assert_lines EROFS OK v1
}

# runc masks a device node with /dev/null: still a character device (1:3),
# reads end at once, writes vanish. A read-only device node refuses writes:
# metadata (utimes) with EROFS as under runc, and data too (runlock is
# stricter there: runc's read-only bind governs only the filesystem, so it
# lets a device's own writes through).
@test "view: a masked device node is /dev/null; a read-only one refuses writes" {
	sec_bundle
	set_readonly false
	mknod "$BUNDLE/rootfs/zero" c 1 5
	mknod "$BUNDLE/rootfs/null2" c 1 3
	chmod 0666 "$BUNDLE/rootfs/zero" "$BUNDLE/rootfs/null2"
	local script='head -c 4 /zero | wc -c; stat -c "%F %t:%T" /zero /dev/zero;
		sysprobe open /zero w; sysprobe open /null2 w; touch /null2 2>/dev/null && echo touched; true'
	# Control: unmasked, /zero and /dev/zero read zeros; /null2 is writable.
	probe "$script"
	assert_success
	assert_lines 4 "character special file 1:5" "character special file 1:5" OK OK touched
	update_config '.linux.maskedPaths += ["/zero", "/dev/zero"] | .linux.readonlyPaths += ["/null2"]'
	probe "$script"
	assert_success
	assert_lines 0 "character special file 1:3" "character special file 1:3" OK EROFS
}

# The runtime spec mounts in config.json's order and checkers read the order
# back from mountinfo: the list follows it (runc's /dev, /dev/pts, /dev/shm,
# /dev/mqueue after /proc, a later mount after an earlier one whatever their
# names), then readonlyPaths and maskedPaths in their own order, as runc
# applies them. The table itself is kept by destination for lookups.
@test "view: /proc/self/mountinfo and /proc/self/mounts list the mounts in config.json's order" {
	sec_bundle
	mkdir -p "$BUNDLE/rootfs/r2" "$BUNDLE/rootfs/r1" "$BUNDLE/rootfs/m2" "$BUNDLE/rootfs/m1"
	update_config '.mounts += [{destination: "/zz", type: "tmpfs", source: "tmpfs"},
			{destination: "/aa", type: "tmpfs", source: "tmpfs"}]
		| .linux.readonlyPaths = ["/r2", "/r1"] | .linux.maskedPaths = ["/m2", "/m1"]'
	local expected
	expected=$( (echo /; jq -r '.mounts[].destination' "$BUNDLE/config.json"; printf '%s\n' /r2 /r1 /m2 /m1) | tr '\n' ' ')
	probe "awk '{print \$5}' /proc/self/mountinfo | tr '\n' ' '; echo; awk '{print \$2}' /proc/self/mounts | tr '\n' ' '"
	assert_success
	assert_lines "$expected" "$expected"
	# The config's own order: /proc before /dev and its children.
	[[ "$expected" == "/ /proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup /zz /aa "* ]] ||
		fail "unexpected spec mounts: $expected"
}

# Issue "supervisor": a handler whose work blocks must not stall the others.
@test "view: a process blocked opening a FIFO does not delay another's notified calls" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	mkfifo "$src/fifo"
	bind_mount /data "$src" rw
	update_config '.process.args = ["sleep", "100"]'
	create_container ctr
	run runlock start ctr
	assert_success
	# The reader blocks in open() until a writer comes.
	"$RUNLOCK" --root "$RUNLOCK_STATE" exec ctr cat /data/fifo >"$BATS_TEST_TMPDIR/read.out" \
		2>&1 </dev/null 3>&- &
	local reader=$!
	sleep 0.5
	pid_alive "$reader" || fail "the reader did not block on the FIFO"
	# Meanwhile another process makes 200 notified opens (/dev/null is in
	# the view) and stats: all answered while the reader waits.
	run timeout 10 "$RUNLOCK" --root "$RUNLOCK_STATE" exec ctr sh -c \
		'i=0; while [ $i -lt 200 ]; do : </dev/null; [ -e /dev/zero ]; i=$((i+1)); done; echo done'
	assert_success
	assert_output done
	pid_alive "$reader" || fail "the reader stopped waiting before any writer"
	echo through-the-fifo >"$src/fifo"
	wait "$reader"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/read.out")" through-the-fifo
}

@test "view: readlink of /proc/self/exe, /proc/self and /dev/fd name container paths" {
	sec_bundle
	probe 'readlink /proc/self/exe; readlink /proc/self/cwd; readlink /dev/fd; readlink /dev/stdin'
	assert_success
	assert_lines /bin/busybox / /proc/self/fd /proc/self/fd/0
}

@test "view: files and directories are made, renamed, linked, changed and removed in a tmpfs" {
	sec_bundle
	grant_caps CAP_CHOWN CAP_FOWNER
	update_config '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs",
		options: ["mode=1777"]}]'
	probe 'cd /tmp; mkdir /scratch/d && echo a >/scratch/d/f && mv /scratch/d/f /scratch/d/g &&
		ln -s g /scratch/d/l && ln /scratch/d/g /scratch/d/h && chmod 600 /scratch/d/g &&
		chown 0:6 /scratch/d/h && mkfifo /scratch/d/p && truncate -s 3 /scratch/d/g &&
		touch -d "2001-01-01 00:00" /scratch/d/g /scratch/d/p && touch -h -d "2001-01-01 00:00" /scratch/d/l && ls -ln --full-time /scratch/d | sed 1d | while read m l u g s d t z n r; do echo "$m $u:$g $s $d $n"; done &&
		cat /scratch/d/l && rm /scratch/d/g /scratch/d/h /scratch/d/l /scratch/d/p &&
		rmdir /scratch/d && ls -A /scratch | wc -l'
	assert_success
	assert_lines "-rw------- 0:6 3 2001-01-01 g" "-rw------- 0:6 3 2001-01-01 h" \
		"lrwxrwxrwx 0:0 1 2001-01-01 l" "prw-r--r-- 0:0 0 2001-01-01 p" "a" 0
}

@test "view: changes in a ro bind are EROFS; in the rootfs with root.readonly too; a rw bind takes them" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	echo f >"$src/file"
	bind_mount /data "$src" ro
	probe 'sysprobe mkdir /data/d; sysprobe chmod /data/file 600; sysprobe utime /data/file;
		sysprobe truncate /data/file; sysprobe link /data/file /data/file2;
		sysprobe chmod /bin/busybox 700; sysprobe utime /bin/busybox'
	assert_success
	assert_lines EROFS EROFS EROFS EROFS EROFS EROFS EROFS
	[ "$(stat -c %a "$src/file")" = 644 ]

	update_config '.mounts[-1].options = ["rbind", "rw"]'
	probe 'sysprobe mkdir /data/d; sysprobe chmod /data/file 600; sysprobe truncate /data/file;
		sysprobe utime /data/file; sysprobe link /data/file /data/file2;
		sysprobe link /data/file /tmp/across'
	assert_success
	assert_lines OK OK OK OK OK EXDEV
	[ -d "$src/d" ] && [ "$(stat -c '%a %s %Y' "$src/file")" = "600 0 978307200" ]
	[ "$(stat -c %h "$src/file")" = 2 ]
}

@test "view: a uid 1000 process cannot make or remove names in a root-owned bind directory" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	chmod 0755 "$src"
	echo f >"$src/file"
	bind_mount /data "$src" rw
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe mkdir /data/d; sysprobe open /data/new creat; sysprobe chmod /data/file 666;
		rm -f /data/file 2>/dev/null || echo rm-refused'
	assert_success
	assert_lines EACCES EACCES EPERM rm-refused
	[ -f "$src/file" ] && [ ! -e "$src/d" ]
	# Control: root does it.
	update_config '.process.user = {uid: 0, gid: 0}'
	probe 'sysprobe mkdir /data/d; rm /data/file && echo removed'
	assert_success
	assert_lines OK removed
}

# Landlock has no right for metadata, and the view hands out descriptors of
# host objects: a change through the descriptor must be refused as the path
# form is.
@test "view: metadata changes through a descriptor: EROFS in a ro bind, EPERM on /dev/null; allowed in the rootfs" {
	sec_bundle
	set_readonly false
	grant_caps CAP_FOWNER
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	echo f >"$src/file"
	chmod 0644 "$src/file"
	bind_mount /data "$src" ro
	local null_mode
	null_mode=$(stat -c %a /dev/null)
	probe 'sysprobe fchmod /data/file 600; sysprobe futime /data/file; sysprobe fchmod /dev/null 600;
		sysprobe futime /dev/null; sysprobe fchmod /etc/passwd 600; sysprobe futime /etc/passwd'
	assert_success
	assert_lines EROFS EROFS EPERM EPERM OK OK
	assert_equal "$(stat -c %a "$src/file")" 644
	assert_equal "$(stat -c %a /dev/null)" "$null_mode"
	assert_equal "$(stat -c '%a %Y' "$BUNDLE/rootfs/etc/passwd")" "600 978307200"
	# Control: in a rw bind the same calls change the host file.
	update_config '.mounts[-1].options = ["rbind", "rw"]'
	probe 'sysprobe fchmod /data/file 600; sysprobe futime /data/file'
	assert_success
	assert_lines OK OK
	assert_equal "$(stat -c '%a %Y' "$src/file")" "600 978307200"
}

@test "view: a directory lists the mount points its tree lacks, beside its own entries" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src/sub"
	bind_mount /data "$src" ro
	bind_mount /srv/app/conf "$src" ro
	update_config '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs"}]'
	# Control: the rootfs has none of them.
	[ ! -e "$BUNDLE/rootfs/data" ] && [ ! -e "$BUNDLE/rootfs/srv" ]
	local expected
	expected=$( (ls -A "$BUNDLE/rootfs"; printf '%s\n' data scratch srv) | sort | tr '\n' ' ')
	probe 'ls -A / | sort | tr "\n" " "; echo; ls /srv; ls /srv/app; ls /data; cd / && ls -d data'
	assert_success
	assert_lines "$expected" app conf sub data
}

# Landlock before ABI 9 does not govern named UNIX sockets: a socket inside
# a bind mount is reached on behalf, as the caller; the chroot keeps every
# other host socket out of reach.
@test "view: a named UNIX socket in a bind mount (directory or file mount) can be connected to; one outside cannot" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/sock"
	mkdir -p "$src"
	"$NETLISTEN" unix "$src/s" "$BATS_TEST_TMPDIR/ready" >"$BATS_TEST_TMPDIR/accepts" 3>&- &
	SEC_PIDS+=($!)
	disown $!
	"$NETLISTEN" unix "$BATS_TEST_TMPDIR/outside" "$BATS_TEST_TMPDIR/ready2" >/dev/null 3>&- &
	SEC_PIDS+=($!)
	disown $!
	retry 5 test -s "$BATS_TEST_TMPDIR/ready"
	retry 5 test -s "$BATS_TEST_TMPDIR/ready2"
	# Control: on the host both accept.
	host_probe connect-unix "$BATS_TEST_TMPDIR/outside"
	assert_output OK
	bind_mount /run/app "$src" rw
	bind_mount /run/direct.sock "$src/s" rw
	probe "sysprobe connect-unix /run/app/s; sysprobe connect-unix /run/direct.sock;
		sysprobe connect-unix $BATS_TEST_TMPDIR/outside; sysprobe bind-unix /run/app/mine;
		sysprobe connect-unix /run/app/missing"
	assert_success
	# the host socket outside any mount: ENOENT (the chroot); a missing
	# name in the mount: ENOENT, as the kernel says.
	assert_lines OK OK ENOENT OK ENOENT
	[ -S "$src/mine" ]
	retry 5 grep -c accepted "$BATS_TEST_TMPDIR/accepts"
	[ "$(grep -c accepted "$BATS_TEST_TMPDIR/accepts")" -ge 2 ]
	# uid 1000 needs write permission on the socket, as the kernel asks.
	chmod 0700 "$src"
	update_config '.process.user = {uid: 1000, gid: 1000}'
	probe 'sysprobe connect-unix /run/app/s'
	assert_success
	assert_lines EACCES
}

@test "view: cp into a tmpfs and a bind mount works (open's mode may carry the file type bits)" {
	sec_bundle
	local src="$BATS_TEST_TMPDIR/src"
	mkdir -p "$src"
	bind_mount /data "$src" rw
	probe 'echo hi >/dev/shm/x && cp /dev/shm/x /dev/shm/y && cp /dev/shm/x /data/y &&
		cat /dev/shm/y /data/y'
	assert_success
	assert_lines hi hi
	[ "$(cat "$src/y")" = hi ]
}
