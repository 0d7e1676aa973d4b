#!/bin/bash
# Print bench/run.sh's results.json as plain-text tables.
#
#   bench/table.sh build/bench/results.json
#
# Times are medians with min-max; ratios compare medians.
set -euo pipefail
[ "$#" -eq 1 ] || {
	echo "usage: $0 RESULTS.json" >&2
	exit 2
}
r=$1

tbl() { column -t -s $'\t'; }

jq -r '"machine: \(.machine.nproc) CPUs, \(.machine.cpu), \(.machine.mem_kib / 1048576 | floor) GiB, Linux \(.machine.kernel)",
  "runlock: \(.versions.runlock)| runc: \(.versions.runc) | crun: \(.versions.crun)",
  "date: \(.date)  command: \(.command)"' "$r"

if jq -e '.startup' "$r" >/dev/null; then
	echo
	echo "== start-up: run /bin/true, $(jq .startup.rounds "$r") runs each, alternating (ms)"
	{
		printf 'runtime\tmedian\tmin-max\tp90\tp99\trunlock/this\n'
		jq -r '.startup.runtimes as $t | $t | keys_unsorted[] as $k |
		  [$k, ($t[$k].median / 1e6 | . * 100 | round / 100 | tostring),
		   "\($t[$k].min / 1e6 | . * 100 | round / 100)-\($t[$k].max / 1e6 | . * 100 | round / 100)",
		   ($t[$k].p90 / 1e6 | . * 100 | round / 100 | tostring),
		   ($t[$k].p99 / 1e6 | . * 100 | round / 100 | tostring),
		   ($t.runlock.median / $t[$k].median | . * 100 | round / 100 | tostring)] | @tsv' "$r"
	} | tbl
fi

if jq -e '.lifecycle' "$r" >/dev/null; then
	echo
	echo "== create + start + wait + delete, $(jq .lifecycle.rounds "$r") cycles each, alternating (ms: p50 / p90 / p99)"
	{
		printf 'runtime\tcreate\tstart\twait(exit)\tdelete\ttotal\ttotal min-max\n'
		jq -r 'def f: . / 1e6 | . * 100 | round / 100 | tostring;
		  def p: "\(.median | f) / \(.p90 | f) / \(.p99 | f)";
		  .lifecycle.runtimes | to_entries[] |
		  [.key, (.value.create | p), (.value.start | p), (.value.wait | p), (.value.delete | p),
		   (.value.total | p), "\(.value.total.min | f)-\(.value.total.max | f)"] | @tsv' "$r"
	} | tbl
fi

if jq -e '.syscalls' "$r" >/dev/null; then
	echo
	echo "== syscall cost, ns per call (open: open+close pair), median of $(jq .syscalls.reps "$r") reps [min-max]"
	{
		printf 'mode\tgetpid\tstat\topen+close\n'
		jq -r 'def c: "\(.median | round) [\(.min | round)-\(.max | round)]";
		  .syscalls.modes | to_entries[] |
		  [(if .key == "runlock" then "runlock (Landlock+seccomp, NO notification yet)" else .key end),
		   (.value.getpid | c), (.value.stat | c), (.value.open | c)] | @tsv' "$r"
	} | tbl
	jq -r '.syscalls | (.floor_roundtrip_ns | to_entries[] | "notification round trip, \(.key) - unconfined: stat \(.value.stat | round) ns, open \(.value.open | round) ns"),
	  "floor/unconfined: stat \(.ratios["floor/unconfined"].stat * 100 | round / 100)x, open \(.ratios["floor/unconfined"].open * 100 | round / 100)x",
	  "runlock/unconfined: getpid \(.ratios["runlock/unconfined"].getpid * 100 | round / 100)x, stat \(.ratios["runlock/unconfined"].stat * 100 | round / 100)x, open \(.ratios["runlock/unconfined"].open * 100 | round / 100)x; runlock/runc: getpid \(.ratios["runlock/runc"].getpid * 100 | round / 100)x, stat \(.ratios["runlock/runc"].stat * 100 | round / 100)x, open \(.ratios["runlock/runc"].open * 100 | round / 100)x",
	  "runlock/floor: not measurable yet (runlock traps nothing: no supervisor)"' "$r"
fi

if jq -e '.workloads' "$r" >/dev/null; then
	echo
	echo "== workloads, median of $(jq .workloads.reps "$r") reps (ms) [min-max]"
	{
		printf 'metric\tunconfined\trunlock\trunc\trunlock/unconfined\trunlock/runc\n'
		jq -r 'def f: . / 1e6 | . * 100 | round / 100 | tostring;
		  def c: "\(.median | f) [\(.min | f)-\(.max | f)]";
		  .workloads as $w | $w.modes.runlock | keys_unsorted[] as $k |
		  [$k, ($w.modes.unconfined[$k] | c), ($w.modes.runlock[$k] | c), ($w.modes.runc[$k] | c),
		   ($w.ratios["runlock/unconfined"][$k] * 100 | round / 100 | tostring),
		   ($w.ratios["runlock/runc"][$k] * 100 | round / 100 | tostring)] | @tsv' "$r"
	} | tbl
fi

if jq -e '.concurrent' "$r" >/dev/null; then
	echo
	echo "== $(jq '.concurrent.runtimes.runlock.n' "$r") concurrent idle containers (sleep 3600)"
	{
		printf 'runtime\tstart all (s)\tper container: rss+kernel (KiB)\tof it kernel\tPss of inits, total (KiB)\tprocesses left running\tkill+delete all (s)\tclean\n'
		jq -r '.concurrent.runtimes | to_entries[] |
		  [.key, (.value.start_all_ns / 1e9 | . * 100 | round / 100 | tostring),
		   (.value.per_container_kib.rss_plus_kernel | round | tostring),
		   (.value.per_container_kib.kernel | round | tostring),
		   (.value.pss_of_container_processes_kib | tostring),
		   (.value.processes_left_running | tostring),
		   (.value.stop_delete_all_ns / 1e9 | . * 100 | round / 100 | tostring),
		   (if .value.clean then "yes" else "NO (stopped \(.value.stopped), deleted \(.value.deleted), listed \(.value.still_listed), cgroups \(.value.cgroup_dirs_left))" end)] | @tsv' "$r"
	} | tbl
	jq -r '.concurrent.note' "$r"
fi

echo
echo "== targets"
jq -r '.targets | to_entries[] | "\(.key): " +
  (if .value == null then "not run"
   elif .value.met == null then "not measurable yet (\(.value.why))"
   elif .value.met then "met (\(.value.ratio * 100 | round / 100)x)"
   else "NOT met (\(.value.ratio * 100 | round / 100)x)" end)' "$r"
