#!/usr/bin/env bats
# linux.resources without cgroups (issue 16): what runlock cannot enforce is
# refused at create, naming the field, unless the annotation
# io.github.runlock.resources.ignore-unsupported=true runs it anyway with a
# warning per field. Values that set nothing pass silently, and the
# defaults Podman and containerd send run unchanged.

load helpers

ANNOT=io.github.runlock.resources.ignore-unsupported

# refused FILTER FIELD: the config changed by FILTER is refused at create,
# naming FIELD, and nothing is left behind.
refused() {
	setup_bundle true
	update_config "$1"
	run runlock run --bundle "$BUNDLE" ctr
	assert_failure
	assert_output --partial "config.json: $2: runlock creates no cgroup and cannot enforce this limit (annotation $ANNOT=true runs without it)"
	run runlock state ctr
	assert_failure
	run ls -A "$RUNLOCK_STATE"
	assert_output ''
}

@test "resources: memory swappiness, and a swap limit the memory limit cannot hold, are refused, named" {
	refused '.linux.resources.memory = {swappiness: 10}' linux.resources.memory.swappiness
	# memory+swap below the memory limit (runc refuses it too), or with no
	# memory limit to hold it.
	refused '.linux.resources.memory = {limit: 67108864, swap: 33554432}' linux.resources.memory.swap
	refused '.linux.resources.memory = {swap: 67108864}' linux.resources.memory.swap
}

@test "resources: memory limit, reservation and a swap limit at or above the limit are held (memory.bats)" {
	setup_bundle sh -c 'echo ran'
	update_config '.linux.resources.memory = {limit: 67108864, reservation: 33554432, swap: 67108864}'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output ran
	assert_equal "$stderr" ''
	update_config '.linux.resources.memory.swap = -1'
	run runlock run --bundle "$BUNDLE" ctr2
	assert_success
	assert_output ran
}

@test "resources: CPU burst and realtime runtime are refused, each named (quota is enforced)" {
	refused '.linux.resources.cpu = {burst: 1000}' linux.resources.cpu.burst
	refused '.linux.resources.cpu = {realtimeRuntime: 950000}' linux.resources.cpu.realtimeRuntime
}

@test "resources: blockIO, hugepages, network, rdma and unified keys are refused, named" {
	refused '.linux.resources.blockIO = {weight: 500, leafWeight: 300}' linux.resources.blockIO.leafWeight
	refused '.linux.resources.hugepageLimits = [{pageSize: "2MB", limit: 1048576}]' \
		'linux.resources.hugepageLimits[0]'
	refused '.linux.resources.network = {classID: 1048577}' linux.resources.network.classID
	refused '.linux.resources.rdma = {mlx5_1: {hcaHandles: 3}}' linux.resources.rdma.mlx5_1
	refused '.linux.resources.unified = {"memory.max": "64M"}' 'linux.resources.unified[\"memory.max\"]'
}

@test "resources: the annotation runs the container anyway, with a warning per field" {
	setup_bundle sh -c 'echo ran'
	update_config ".linux.resources.memory = {swappiness: 10} | .linux.resources.cpu = {burst: 50000}
		| .annotations[\"$ANNOT\"] = \"true\""
	run --separate-stderr runlock --log "$BATS_TEST_TMPDIR/log.json" --log-format json \
		run --bundle "$BUNDLE" ctr
	assert_success
	assert_output ran
	run cat "$BATS_TEST_TMPDIR/log.json"
	assert_output --partial '"level":"warning"'
	assert_output --partial "linux.resources.memory.swappiness: not enforced (no cgroup), ignored as $ANNOT=true asks"
	assert_output --partial "linux.resources.cpu.burst: not enforced (no cgroup), ignored as $ANNOT=true asks"
	# Any other value of the annotation refuses.
	update_config ".annotations[\"$ANNOT\"] = \"yes\""
	run runlock run --bundle "$BUNDLE" ctr2
	assert_failure
	assert_output --partial 'linux.resources.memory.swappiness: runlock creates no cgroup'
}

@test "resources: values that set no limit run silently" {
	setup_bundle sh -c 'echo ran'
	update_config '.linux.resources = {memory: {limit: -1, swap: -1, reservation: 0, kernel: 0,
		disableOOMKiller: false}, cpu: {period: 100000, quota: -1, shares: 0, cpus: "", mems: ""},
		pids: {limit: 0}, unified: {}, hugepageLimits: [], blockIO: {}}'
	run --separate-stderr runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output ran
	assert_equal "$stderr" ''
}

@test "resources: Podman's and containerd's defaults (deny-all devices, pids.limit) run" {
	setup_bundle sh -c 'echo ran'
	# podman run's config.json on this machine; containerd's adds allow
	# rules for its default devices.
	update_config '.linux.resources = {devices: [{allow: false, access: "rwm"}], pids: {limit: 2048}}'
	run runlock run --bundle "$BUNDLE" ctr
	assert_success
	assert_output ran
}
