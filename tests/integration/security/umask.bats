#!/usr/bin/env bats
# What a process creates in a mount (tmpfs, /dev/shm, bind) is made on its
# behalf by runlock's agent: it must get the mode the kernel gives the caller
# itself, its umask (per process, read at the time of the call) or, in a
# directory with a default ACL, the ACL instead of the umask. The control is
# the rootfs's /tmp, where the kernel creates natively.

load ../helpers
load security_helpers

KINDS="open tmpfile mkdir fifo sock"

# create_all DIR UMASK: every kind of creation in DIR with UMASK.
create_all() {
	local k p
	for k in $KINDS; do
		p="$1/$k$2"
		[ "$k" = tmpfile ] && p=$1
		printf 'sysprobe create %s %s %s; ' "$2" "$k" "$p"
	done
}

# set_default_acl DIR: a default ACL u::rwx g::r-x o::r-x on DIR (the
# binary system.posix_acl_default: version 2, then tag, perm, id per entry),
# without setfacl.
set_default_acl() {
	python3 - "$1" <<'PY'
import os, struct, sys
acl = struct.pack("<I", 2) + b"".join(
    struct.pack("<HHI", tag, perm, 0xFFFFFFFF) for tag, perm in ((1, 7), (4, 5), (0x20, 5)))
os.setxattr(sys.argv[1], "system.posix_acl_default", acl)
PY
}

umask_bundle() {
	sec_bundle
	set_readonly false
	SRC="$BATS_TEST_TMPDIR/src"
	mkdir -p "$SRC" "$BUNDLE/rootfs/tmp"
	chmod 0777 "$SRC"
	bind_mount /b "$SRC" rw
	update_config '.mounts += [{destination: "/t", type: "tmpfs", source: "tmpfs",
		options: ["nosuid", "nodev", "mode=1777"]}]'
}

# expect UMASK: the modes the kernel gives each kind with UMASK.
expect() {
	if [ "$1" = 077 ]; then
		printf '%s\n' "open 600" "tmpfile 600" "mkdir 700" "fifo 600" "sock 700"
	else
		printf '%s\n' "open 666" "tmpfile 666" "mkdir 777" "fifo 666" "sock 777"
	fi
}

@test "umask: open(O_CREAT), O_TMPFILE, mkdir, mknod(FIFO), bind(AF_UNIX) in a tmpfs, /dev/shm and a bind mount get the caller's umask (077 and 0), as in the rootfs" {
	umask_bundle
	local script="" want="" d u
	# /tmp (the rootfs, the kernel's own creation) is the control.
	for d in /tmp /t /dev/shm /b; do
		for u in 077 0; do
			script+="echo $d $u; $(create_all "$d" "$u")"
			want+="$d $u"$'\n'"$(expect "$u")"$'\n'
		done
	done
	probe "$script"
	assert_success
	assert_output "${want%$'\n'}"
	# The host sees the same modes on the bind mount's source.
	[ "$(stat -c %a "$SRC/open077" "$SRC/mkdir077" "$SRC/open0" "$SRC/mkdir0")" = \
		"$(printf '%s\n' 600 700 666 777)" ]
}

@test "umask: a default ACL on the parent directory wins over the umask in a bind mount, as in the rootfs" {
	umask_bundle
	mkdir -m 0777 "$SRC/acl" "$BUNDLE/rootfs/tmp/acl"
	set_default_acl "$SRC/acl" || skip "no POSIX ACLs on $SRC's filesystem"
	set_default_acl "$BUNDLE/rootfs/tmp/acl"
	probe "echo rootfs; $(create_all /tmp/acl 077) echo bind; $(create_all /b/acl 077)"
	assert_success
	local acl
	acl=$(printf "%s\n" "open 644" "tmpfile 644" "mkdir 755" "fifo 644" "sock 700")
	assert_output "rootfs
$acl
bind
$acl"
}
