#!/usr/bin/env bats
# A real program from Debian's packages: python3.11's normal start-up inside
# a rootfs made from the installed packages (tests/rootfs/build-python.sh),
# through the filesystem view (/proc, /dev, a bind mount).

load helpers

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

# A profile of 2017 (tests/integration/security/data/docker-2017-default-seccomp.json:
# the allow list of Docker's default profile of that year, flattened for
# x86_64 with Docker's default capabilities; default action EPERM) knows
# nothing of clone3, close_range, pidfd_open or faccessat2. As runc does,
# runlock answers ENOSYS for calls newer than the newest the profile names,
# per architecture, so glibc falls back (faccessat2 -> faccessat for
# access(AT_EACCESS), clone3 -> clone for pthread_create), and the profile
# never breaks runlock's own set-up, with no_new_privs off (the profile then
# goes in before the identity change) or on.
write_probe() {
	cat >"$BUNDLE/rootfs/probe.py" <<-'PY'
		import os, threading
		def attempt(name, f):
		    try:
		        f()
		        print(name, "ok")
		    except OSError as e:
		        print(name, os.strerror(e.errno))
		    except RuntimeError as e:
		        print(name, e)
		attempt("faccessat2", lambda: os.access("/etc/passwd", os.R_OK, effective_ids=True) or 1 / 0)
		t = threading.Thread(target=lambda: None)
		attempt("clone3", t.start)
		t.is_alive() and t.join()
		attempt("pidfd_open", lambda: os.close(os.pidfd_open(os.getpid())))
	PY
}

@test "an old (2017) seccomp profile: newer calls answer ENOSYS, glibc falls back, create and exec work with noNewPrivileges false and true" {
	setup_pybundle
	write_probe
	set_args python3 /probe.py
	# Control: without the profile every call works.
	run runlock run --bundle "$BUNDLE" py
	assert_success
	assert_lines_are "faccessat2 ok" "clone3 ok" "pidfd_open ok"

	update_config '.linux.seccomp = $p[0]' \
		--slurpfile p "$BATS_TEST_DIRNAME/security/data/docker-2017-default-seccomp.json"
	for nnp in false true; do
		update_config ".process.noNewPrivileges = $nnp"
		run runlock run --bundle "$BUNDLE" py
		assert_success
		assert_lines_are "faccessat2 ok" "clone3 ok" "pidfd_open Function not implemented"
	done

	update_config '.process.noNewPrivileges = false'
	set_args python3 -c 'import time; time.sleep(30)'
	create_container py2
	run runlock start py2
	assert_success
	run runlock exec py2 python3 /probe.py
	assert_success
	assert_lines_are "faccessat2 ok" "clone3 ok" "pidfd_open Function not implemented"
}

# The stub goes by the newest call the profile names: naming openat2 (437)
# makes clone3 (435), pidfd_open (434) and close_range (436) known-and-denied
# (EPERM, the default), as under runc, while faccessat2 (439) stays ENOSYS.
# runlock's own close_range then fails, and set-up falls back to marking each
# descriptor close-on-exec: create still works with noNewPrivileges false.
@test "an old profile naming a newer call: calls up to it get the default errno, later ones ENOSYS, and set-up survives close_range's EPERM" {
	setup_pybundle
	write_probe
	set_args python3 /probe.py
	update_config '.linux.seccomp = ($p[0] | .syscalls += [{names: ["openat2"], action: "SCMP_ACT_ALLOW"}])
		| .process.noNewPrivileges = false' \
		--slurpfile p "$BATS_TEST_DIRNAME/security/data/docker-2017-default-seccomp.json"
	run runlock run --bundle "$BUNDLE" py
	assert_success
	assert_lines_are "faccessat2 ok" "clone3 can't start new thread" "pidfd_open Operation not permitted"
}
