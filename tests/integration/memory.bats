#!/usr/bin/env bats
# linux.resources.memory.limit without a memory cgroup
# (shim/supervisor/handlers_mem.c): calls that would commit memory past the
# limit get ENOMEM, a program that gets past them is killed by the sampler.
# Each check has a control run without the limit (or under a larger one).

load helpers

memhog() {
	echo /usr/local/bin/memhog
}

# set_mem_limit BYTES
set_mem_limit() {
	update_config '.linux.resources.memory.limit = $n' --argjson n "$1"
}

MIB=$((1024 * 1024))

@test "memory.limit: mmap of 128 MiB anonymous RW gets ENOMEM under 64m; reservations pass" {
	skip_unless_helper memhog
	setup_bundle "$(memhog)" probe
	set_mem_limit $((64 * MIB))
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output --regexp '^anon128=ENOMEM none1g=OK noreserve1g=OK i386-anon128=(ENOMEM|NOIA32)$'
}

@test "memory.limit control: without it the same mmaps succeed" {
	skip_unless_helper memhog
	setup_bundle "$(memhog)" probe
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output --regexp '^anon128=OK none1g=OK noreserve1g=OK i386-anon128=(OK|NOIA32)$'
}

@test "memory.limit: memhog taking 1 MiB mmaps stops with ENOMEM under 64m; completes 128 MiB under 256m" {
	skip_unless_helper memhog
	setup_bundle "$(memhog)" mmap 1024 128
	set_mem_limit $((64 * MIB))
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_line --regexp '^stopped mib=[0-9]+ errno=ENOMEM$'
	local got
	got=$(sed -n 's/^stopped mib=\([0-9]*\) .*/\1/p' <<<"$output")
	[ "$got" -le 64 ]
	[ "$got" -ge 48 ]
	set_mem_limit $((256 * MIB))
	run runlock run --bundle "$BUNDLE" ctr2
	assert_success
	assert_line "done mib=128"
}
