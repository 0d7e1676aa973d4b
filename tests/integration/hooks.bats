#!/usr/bin/env bats
# OCI hooks: the six kinds, their moment, context, state, argv and env;
# failures, timeouts and validation.
#
# Hooks are the static `hookrec` helper (tests/helpers/hookrec.c): on the host
# as $RUNLOCK_HELPERS/hookrec, in the container as /usr/local/bin/hookrec. It
# writes KIND.{argv,env,stdin,info} into an output directory and appends KIND
# to its `order` file; the output directory is the rootfs's /hookout, so hooks
# on both sides of the chroot share it.

load helpers

CTR_HOOKREC=/usr/local/bin/hookrec

setup() {
	common_setup
	skip_unless_helper hookrec
	HOOKREC="$RUNLOCK_HELPERS/hookrec"
}

# json_array ARGS...: the arguments as a JSON array of strings.
json_array() {
	printf '%s\n' "$@" | jq -R . | jq -sc .
}

# hooks_bundle ARGS...: a bundle running ARGS with a writable rootfs and a
# world-writable /hookout ($OUT on the host). process.args is set here, not
# through setup_bundle's jq --args, which jq 1.6 mangles.
hooks_bundle() {
	setup_bundle
	update_config '.root.readonly = false | .process.args = $a' --argjson a "$(json_array "$@")"
	OUT="$BUNDLE/rootfs/hookout"
	mkdir -p "$OUT"
	chmod 0777 "$OUT"
}

# set_program SCRIPT: process.args = sh -c SCRIPT.
set_program() {
	update_config '.process.args = ["sh", "-c", $s]' --arg s "$1"
}

# add_hook KIND EXTRA_JSON PATH ARG0 ARGS...: append {path, args} + EXTRA to
# hooks.KIND.
add_hook() {
	local kind=$1 extra=$2 path=$3 args
	shift 3
	args=$(json_array "$@")
	update_config '.hooks[$k] += [{path: $p, args: $a} + $x]' --arg k "$kind" --arg p "$path" \
		--argjson a "$args" --argjson x "$extra"
}

# record KIND [EXTRA_JSON [ACTION ARG]...]: a recording hook of KIND in its
# context (the container's for createContainer and startContainer).
record() {
	local kind=$1 extra=${2:-'{}'}
	shift
	[ "$#" -eq 0 ] || shift
	case "$kind" in
	createContainer | startContainer)
		add_hook "$kind" "$extra" "$CTR_HOOKREC" "rec-$kind" "$kind" /hookout "$@"
		;;
	*)
		add_hook "$kind" "$extra" "$HOOKREC" "rec-$kind" "$kind" "$OUT" "$@"
		;;
	esac
}

order() {
	grep -v '^program$' "$OUT/order" 2>/dev/null | tr '\n' ' '
}

info() {
	sed -n "s/^$2=//p" "$OUT/$1.info"
}

refute_container() {
	run runlock state "$1"
	assert_failure
	assert_output --partial "container does not exist"
}

@test "features lists the six hook kinds" {
	run runlock features
	assert_success
	assert_equal "$(jq -c .hooks <<<"$output")" \
		'["prestart","createRuntime","createContainer","startContainer","poststart","poststop"]'
}

@test "all six kinds run in order with their state, argv, env and context" {
	hooks_bundle sleep 30
	set_program 'echo program >>/hookout/order; exec sleep 30'
	update_config '.process.user.uid = 1000 | .process.user.gid = 1000 |
		.annotations = {"org.example.hooks": "yes"}'
	record prestart '{"env": ["HOOK=prestart", "SPACED=a b"]}'
	add_hook prestart '{}' "$HOOKREC" rec-prestart2 prestart2 "$OUT" # no env: an empty one
	record createRuntime '{"env": ["HOOK=createRuntime"], "timeout": 10}'
	record createContainer '{"env": ["HOOK=createContainer"]}'
	record startContainer '{"env": ["HOOK=startContainer"], "timeout": 10}'
	record poststart '{"env": ["HOOK=poststart"]}'
	record poststop '{"env": ["HOOK=poststop"]}'

	create_container ctr
	# The hooks' own output never reaches runlock's (or the container's) stdio.
	assert_equal "$(cat "$stdout_file")" ""
	assert_equal "$(cat "$stderr_file")" ""
	local pid create_out=$stdout_file
	pid=$(pid_of ctr)
	assert_equal "$(order)" "prestart prestart2 createRuntime createContainer "
	[ ! -e "$OUT/startContainer.info" ] || fail "startContainer ran at create"

	run --separate-stderr runlock start ctr
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	assert_equal "$(order)" "prestart prestart2 createRuntime createContainer startContainer poststart "
	wait_for_status ctr running
	run runlock kill ctr KILL
	assert_success
	wait_for_status ctr stopped
	run --separate-stderr runlock delete ctr
	assert_success
	assert_output ""
	assert_equal "$stderr" ""
	refute_container ctr
	assert_equal "$(order)" \
		"prestart prestart2 createRuntime createContainer startContainer poststart poststop "
	# startContainer came right before the program; poststart, run by
	# `start` once the program is released, may come between them.
	sed -n '/^startContainer$/,/^program$/p' "$OUT/order" | tr '\n' ' ' |
		grep -Eqx 'startContainer (poststart )?program ' ||
		fail "the program did not run right after startContainer: $(cat "$OUT/order")"
	assert_equal "$(cat "$create_out")" "" # init's stdout: no startContainer output

	# Timestamps agree with the order.
	local k prev=0 t
	for k in prestart prestart2 createRuntime createContainer startContainer poststart poststop; do
		t=$(info "$k" time)
		[ "$t" -ge "$prev" ] || fail "$k ran at $t, before the previous hook ($prev)"
		prev=$t
	done

	# State on stdin: created until the program runs, then running, stopped.
	local want
	for k in prestart prestart2 createRuntime createContainer startContainer poststart poststop; do
		case "$k" in
		poststart) want=running ;;
		poststop) want=stopped ;;
		*) want=created ;;
		esac
		run jq -r '[.ociVersion != null, .id, .status, .pid, .bundle,
			.annotations["org.example.hooks"]] | map(tostring) | join(" ")' "$OUT/$k.stdin"
		assert_success
		if [ "$k" = poststop ]; then
			assert_output "true ctr $want 0 $BUNDLE yes"
		else
			assert_output "true ctr $want $pid $BUNDLE yes"
		fi
	done

	# argv exactly as given, args[0] included; env exactly as given.
	assert_equal "$(cat "$OUT/prestart.argv")" "$(printf '%s\n' rec-prestart prestart "$OUT")"
	assert_equal "$(cat "$OUT/startContainer.argv")" \
		"$(printf '%s\n' rec-startContainer startContainer /hookout)"
	assert_equal "$(cat "$OUT/prestart.env")" "$(printf '%s\n' HOOK=prestart 'SPACED=a b')"
	assert_equal "$(cat "$OUT/prestart2.env")" ""
	for k in createRuntime createContainer startContainer poststart poststop; do
		assert_equal "$(cat "$OUT/$k.env")" "HOOK=$k"
	done

	# Context: the runtime's (host root, runlock's uid) or the container's
	# (its root, its user).
	local host_root ctr_root
	host_root=$(stat -c '%d:%i' /)
	ctr_root=$(stat -c '%d:%i' "$BUNDLE/rootfs")
	for k in prestart createRuntime poststart poststop; do
		assert_equal "$k root=$(info "$k" root) uid=$(info "$k" uid)" \
			"$k root=$host_root uid=$(id -u)"
	done
	for k in createContainer startContainer; do
		assert_equal "$k root=$(info "$k" root) uid=$(info "$k" uid) gid=$(info "$k" gid)" \
			"$k root=$ctr_root uid=1000 gid=1000"
	done
	assert_no_leftovers
}

@test "run: hooks' stdout stays off runlock's; poststop runs when run deletes" {
	hooks_bundle echo hello
	record prestart
	record createRuntime
	record createContainer
	record startContainer
	record poststart
	record poststop
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output hello
	assert_equal "$stderr" ""
	assert_equal "$(order)" \
		"prestart createRuntime createContainer startContainer poststart poststop "
	refute_container ctr
}

@test "container hooks also run under the early seccomp filters (noNewPrivileges false)" {
	hooks_bundle echo hello
	update_config '.process.noNewPrivileges = false'
	record createContainer
	record startContainer
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output hello
	assert_equal "$(order)" "createContainer startContainer "
}

# A container hook comes from the image's rootfs: it must not run with less
# than the user program. io_uring is the probe: allowed on this host (the
# prestart control, in the runtime's context, gets OK), denied by runlock's
# filter in the container's context (EPERM), with noNewPrivileges set so the
# bundle's own filter would only go in at execve.
@test "container hooks run under runlock's mandatory seccomp filter" {
	skip_unless_helper sysprobe
	[ "$("$RUNLOCK_HELPERS/sysprobe" io-uring)" = OK ] ||
		skip "io_uring is disabled on this host (kernel.io_uring_disabled)"
	hooks_bundle echo hello
	update_config '.process.noNewPrivileges = true'
	add_hook prestart '{}' /bin/sh sh -c "[ \"\$($RUNLOCK_HELPERS/sysprobe io-uring)\" = OK ]"
	add_hook createContainer '{}' /bin/sh sh -c '[ "$(/usr/local/bin/sysprobe io-uring)" = EPERM ]'
	add_hook startContainer '{}' /bin/sh sh -c '[ "$(/usr/local/bin/sysprobe io-uring)" = EPERM ]'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output hello
}

# The runtime spec runs startContainer hooks in the container, after start;
# runc runs them under the bundle's profile. With noNewPrivileges the
# profile goes in after start: the startContainer hook meets its denial
# (mkdir -> EDOM), the createContainer hook before it does not (the
# control).
@test "the startContainer hook runs under the bundle's seccomp profile" {
	skip_unless_helper sysprobe
	hooks_bundle echo hello
	update_config '.process.noNewPrivileges = true | .linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW",
		architectures: ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_ERRNO", errnoRet: 33}]}'
	add_hook createContainer '{}' /bin/sh sh -c '/usr/local/bin/sysprobe mkdir /hookout/c >/hookout/create.out'
	add_hook startContainer '{}' /bin/sh sh -c '/usr/local/bin/sysprobe mkdir /hookout/s >/hookout/start.out'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output hello
	assert_equal "$(cat "$OUT/create.out")" OK
	assert_equal "$(cat "$OUT/start.out")" EDOM
}

# create_fails_on KIND INDEX PATH STATUS: create failed because hook INDEX of
# KIND exited with STATUS, with its output in the message; nothing is left.
create_fails_on() {
	local kind=$1 index=$2 path=$3 code=$4
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial \
		"error running $kind hook #$index ($path): exit status $code, stdout: $kind out, stderr: $kind err"
	refute_container ctr
	[ -z "$(ls -A "$RUNLOCK_STATE")" ] || fail "state left behind: $(ls -A "$RUNLOCK_STATE")"
	assert_no_sanitizer_report "$stdout_file" "$stderr_file"
	assert_no_leftovers
}

@test "a failing prestart hook fails create; the container is gone, poststop ran" {
	hooks_bundle sleep 30
	record prestart '{}' exit 3
	record createRuntime
	record poststop
	create_fails_on prestart 0 "$HOOKREC" 3
	assert_equal "$(order)" "prestart poststop "
	assert_equal "$(jq -r .status "$OUT/poststop.stdin")" stopped
}

@test "a failing createRuntime hook fails create, naming its index" {
	hooks_bundle sleep 30
	record createRuntime
	add_hook createRuntime '{}' "$HOOKREC" rec createRuntime "$OUT" exit 4
	record createContainer
	create_fails_on createRuntime 1 "$HOOKREC" 4
	assert_equal "$(order)" "createRuntime createRuntime "
}

@test "a failing createContainer hook fails create from inside the container" {
	hooks_bundle sleep 30
	record createRuntime
	record createContainer '{}' exit 5
	record poststop
	create_fails_on createContainer 0 "$CTR_HOOKREC" 5
	assert_equal "$(order)" "createRuntime createContainer poststop "
}

@test "a failing startContainer hook fails start; the program never runs, the container is stopped" {
	hooks_bundle sleep 30
	set_program 'echo program >>/hookout/order; exec sleep 30'
	record startContainer '{}' exit 6
	record poststart
	record poststop
	create_container ctr
	local pid
	pid=$(pid_of ctr)
	run runlock start ctr
	assert_failure 1
	assert_output --partial "error running startContainer hook #0 ($CTR_HOOKREC): exit status 6, stdout: startContainer out, stderr: startContainer err"
	# Stopped by the time start returns.
	! pid_alive "$pid" || fail "init $pid still alive after the failed start"
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" stopped
	assert_equal "$(cat "$OUT/order")" "startContainer"
	run runlock delete ctr
	assert_success
	assert_equal "$(order)" "startContainer poststop "
	assert_no_leftovers
}

@test "a failing poststart hook fails start after the container is stopped" {
	hooks_bundle sleep 30
	record poststart '{}' exit 7
	record poststop
	create_container ctr
	local pid
	pid=$(pid_of ctr)
	run runlock start ctr
	assert_failure 1
	assert_output --partial "error running poststart hook #0 ($HOOKREC): exit status 7, stdout: poststart out, stderr: poststart err"
	! pid_alive "$pid" || fail "init $pid still alive after the failed poststart"
	run runlock state ctr
	assert_success
	assert_equal "$(jq -r .status <<<"$output")" stopped
	run runlock delete ctr
	assert_success
	assert_equal "$(order)" "poststart poststop "
	assert_no_leftovers
}

@test "a failing poststop hook is a warning: delete succeeds, later hooks still run" {
	hooks_bundle sleep 30
	record poststop '{}' exit 8
	add_hook poststop '{}' "$HOOKREC" rec poststop2 "$OUT"
	start_container ctr
	run runlock kill ctr KILL
	assert_success
	wait_for_status ctr stopped
	run --separate-stderr runlock delete ctr
	assert_success
	assert_output ""
	assert_equal "$(grep -c 'level=warning' <<<"$stderr")" 1
	[[ "$stderr" == *"error running poststop hook #0 ($HOOKREC): exit status 8, stdout: poststop out, stderr: poststop err"* ]] ||
		fail "no warning naming the hook: $stderr"
	assert_equal "$(order)" "poststop poststop2 "
	refute_container ctr
}

@test "a hook past its timeout is killed with its process group and fails create" {
	hooks_bundle sleep 30
	record createRuntime '{"timeout": 1}' spawn 60 sleep 60
	local t0=$SECONDS
	# Through a pipe: a hook (or its child) holding runlock's stdout would
	# keep this waiting for the full minute.
	run runlock create --bundle "$BUNDLE" ctr
	[ $((SECONDS - t0)) -le 6 ] || fail "create took $((SECONDS - t0))s with a 1s hook timeout"
	assert_failure 1
	assert_output --partial "error running createRuntime hook #0 ($HOOKREC): hook ran past specified timeout of 1s and was killed, stdout: createRuntime out, stderr: createRuntime err"
	wait_pid_gone "$(info createRuntime pid)" 2
	wait_pid_gone "$(cat "$OUT/createRuntime.child")" 2
	refute_container ctr
	assert_no_leftovers
}

@test "a startContainer hook past its timeout fails start; the container is stopped" {
	hooks_bundle sleep 30
	record startContainer '{"timeout": 1}' sleep 60
	create_container ctr
	local t0=$SECONDS
	run runlock start ctr
	[ $((SECONDS - t0)) -le 6 ] || fail "start took $((SECONDS - t0))s with a 1s hook timeout"
	assert_failure 1
	assert_output --partial "error running startContainer hook #0 ($CTR_HOOKREC): hook ran past specified timeout of 1s"
	run runlock state ctr
	assert_equal "$(jq -r .status <<<"$output")" stopped
	run runlock delete ctr
	assert_success
	assert_no_leftovers
}

@test "a hook's background child holds neither runlock's stdio nor its descriptors" {
	hooks_bundle sleep 30
	record prestart '{}' spawn 60
	local t0=$SECONDS child
	create_container ctr
	[ $((SECONDS - t0)) -le 5 ] || fail "create waited for the hook's child ($((SECONDS - t0))s)"
	child=$(cat "$OUT/prestart.child")
	pid_alive "$child" || fail "the hook's child is gone already"
	# Only stdio, and those are the hook's pipes, not runlock's files.
	assert_equal "$(ls /proc/"$child"/fd | sort -n | tr '\n' ' ')" "0 1 2 "
	[[ "$(readlink /proc/"$child"/fd/1)" == pipe:* ]] || fail "stdout: $(readlink /proc/"$child"/fd/1)"
	[[ "$(readlink /proc/"$child"/fd/2)" == pipe:* ]] || fail "stderr: $(readlink /proc/"$child"/fd/2)"
	# Its own session: not in the container's, not in the caller's.
	local sid
	sid=$(sed 's/.*) //' /proc/"$child"/stat | awk '{print $4}')
	[ "$sid" = "$(info prestart pid)" ] || fail "child's session $sid is not the hook's"
	kill -KILL "$child"
	run runlock delete -f ctr
	assert_success
}

@test "validation: a relative hook path and a non-positive timeout are refused, naming the field" {
	hooks_bundle sleep 30
	add_hook prestart '{}' bin/hook hook
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial 'hooks.prestart[0].path: must be an absolute path'
	refute_container ctr

	update_config 'del(.hooks)'
	record poststop '{"timeout": 0}'
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial 'hooks.poststop[0].timeout: must be greater than 0'
	refute_container ctr
	[ ! -e "$OUT/order" ] || fail "a hook ran: $(cat "$OUT/order")"
}

@test "a hook that cannot be executed fails create with the errno" {
	hooks_bundle sleep 30
	add_hook createRuntime '{}' /nonexistent/hook hook
	runlock_detached create --bundle "$BUNDLE" ctr
	assert_equal "$status" 1
	assert_output --partial "error running createRuntime hook #0 (/nonexistent/hook): exec: No such file or directory"
	refute_container ctr
}
