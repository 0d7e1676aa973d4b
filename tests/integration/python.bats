#!/usr/bin/env bats
# A real program from Debian's packages: python3.11's normal start-up inside
# a rootfs made from the installed packages (tests/rootfs/build-python.sh),
# through the filesystem view (/proc, /dev, a bind mount).

load helpers

setup_pybundle() {
	[ -x "${RUNLOCK_PYROOT:-}/usr/bin/python3.11" ] ||
		fail "no python rootfs at '${RUNLOCK_PYROOT:-}' (make rootfs builds it)"
	rm -rf "$BUNDLE"
	mkdir -p "$BUNDLE"
	cp -a "$RUNLOCK_PYROOT" "$BUNDLE/rootfs"
	"$RUNLOCK" spec --bundle "$BUNDLE" </dev/null 3>&-
	update_config '.process.terminal = false | .root.path = "rootfs"'
}

@test "python3 starts, imports its standard library, and sees the container's /proc and /dev" {
	setup_pybundle
	set_args python3 -c 'import os, sys, json, hashlib, random, subprocess
print(sys.version.split()[0])
print(open("/proc/self/mounts").readline().split()[1])
print(len(os.urandom(16)), os.path.exists("/dev/null"))
print(sorted(int(p) for p in os.listdir("/proc") if p.isdigit()) == [os.getpid()])
print(subprocess.run(["/bin/sh", "-c", "echo child"], capture_output=True).stdout.decode().strip())'
	run runlock run --bundle "$BUNDLE" py
	assert_success
	assert_line --index 0 --regexp '^3\.11\.'
	assert_line --index 1 /
	assert_line --index 2 "16 True"
	assert_line --index 3 True
	assert_line --index 4 child
}

@test "python3 runs a script from a read-only bind mount and writes to a tmpfs" {
	setup_pybundle
	local src="$BATS_TEST_TMPDIR/app"
	mkdir -p "$src"
	cat >"$src/app.py" <<-'PY'
		import json, os
		with open("/scratch/out.json", "w") as f:
		    json.dump({"pid": os.getpid()}, f)
		print(json.load(open("/scratch/out.json"))["pid"] == os.getpid())
		try:
		    open("/app/new", "w")
		except OSError as e:
		    print(e.strerror)
	PY
	update_config '.mounts += [{destination: "/app", type: "bind", source: $s,
		options: ["rbind", "ro"]}, {destination: "/scratch", type: "tmpfs", source: "tmpfs"}]' \
		--arg s "$src"
	set_args python3 /app/app.py
	run runlock run --bundle "$BUNDLE" py
	assert_success
	assert_lines_are True "Read-only file system"
}

@test "python3 from a bind mount: an executable script run by its #! line, a working directory there, os.getcwd, os.listdir, xattrs, /proc/self from a thread" {
	setup_pybundle
	local src="$BATS_TEST_TMPDIR/app"
	mkdir -p "$src/data"
	echo payload >"$src/data/f"
	cat >"$src/tool" <<-'PY'
		#!/usr/bin/python3 -S
		import os, sys, threading
		print(sys.argv[0], sys.argv[1:])
		os.chdir("/app/data")
		print(os.getcwd(), sorted(os.listdir(".")), open("f").read().strip())
		os.setxattr("f", "user.k", b"v")
		print(os.getxattr("/app/data/f", "user.k"), os.listxattr("f"))
		seen = []
		t = threading.Thread(target=lambda: seen.append(os.readlink("/proc/self")))
		t.start(); t.join()
		print(seen[0] == str(os.getpid()))
		os.chdir("..")
		print(os.getcwd())
	PY
	chmod 0755 "$src/tool"
	update_config '.mounts += [{destination: "/app", type: "bind", source: $s,
		options: ["rbind", "rw"]}] | .process.cwd = "/app"' --arg s "$src"
	set_args ./tool one two
	run runlock run --bundle "$BUNDLE" py
	assert_success
	assert_lines_are "./tool ['one', 'two']" "/app/data ['f'] payload" "b'v' ['user.k']" True /app
}

assert_lines_are() {
	assert_equal "$output" "$(printf '%s\n' "$@")"
}
