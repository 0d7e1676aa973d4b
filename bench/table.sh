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
		printf 'mode\tgetpid\tuname\tstat\topen+close\n'
		jq -r 'def c: if . == null then "-" else "\(.median | round) [\(.min | round)-\(.max | round)]" end;
		  .syscalls.modes | to_entries[] |
		  [(if .key == "runlock" then "runlock (Landlock+seccomp, NO notification yet)"
		    elif .key == "runlock-uts" then "runlock, uts ns (uname trapped, emulated)"
		    elif .key == "runlock-no-uts" then "runlock, no uts ns (stat, open trapped by the view)"
		    else .key end),
		   (.value.getpid | c), (.value.uname | c), (.value.stat | c), (.value.open | c)] | @tsv' "$r"
	} | tbl
	if jq -e '.syscalls.modes["runlock-uts"]' "$r" >/dev/null; then
		jq -r 'def x: if . == null then "-" else "\(. * 100 | round / 100)x" end;
		  def ns: "\(round) ns";
		  .syscalls | .ratios as $q |
		  (.floor_roundtrip_ns | to_entries[] | "notification round trip, \(.key) - unconfined: uname \(.value.uname | ns), stat \(.value.stat | ns), open \(.value.open | ns)"),
		  "runlock uname: \(.runlock_uname_ns["runlock-uts - unconfined"] | ns) above unconfined, \(.runlock_uname_ns["runlock-uts - runlock-no-uts"] | ns) above runlock without uts",
		  "runlock/floor (uname, runlock-uts): floor \($q["runlock/floor"].uname | x), floor-sync \($q["runlock/floor-sync"].uname | x), floor-1cpu \($q["runlock/floor-1cpu"].uname | x); above unconfined only: floor \($q["runlock/floor, above unconfined"].floor | x), floor-sync \($q["runlock/floor, above unconfined"]["floor-sync"] | x), floor-1cpu \($q["runlock/floor, above unconfined"]["floor-1cpu"] | x)",
		  "floor/unconfined: uname \($q["floor/unconfined"].uname | x), stat \($q["floor/unconfined"].stat | x), open \($q["floor/unconfined"].open | x); floor-sync/unconfined: uname \($q["floor-sync/unconfined"].uname | x), stat \($q["floor-sync/unconfined"].stat | x), open \($q["floor-sync/unconfined"].open | x)",
		  (("runlock-uts", "runlock-no-uts") as $m | ("unconfined", "runc") as $b | $q["\($m)/\($b)"] |
		   "\($m)/\($b): getpid \(.getpid | x), uname \(.uname | x), stat \(.stat | x), open \(.open | x)"),
		  (if $q["runlock/floor-sync"].stat then "runlock/floor (stat trapped and continued, open of /dev/null emulated; runlock-no-uts): stat: floor \($q["runlock/floor"].stat | x), floor-sync \($q["runlock/floor-sync"].stat | x), floor-1cpu \($q["runlock/floor-1cpu"].stat | x); open: floor \($q["runlock/floor"].open | x), floor-sync \($q["runlock/floor-sync"].open | x), floor-1cpu \($q["runlock/floor-1cpu"].open | x)" else "stat and open: not trapped by runlock in this run: no runlock/floor ratio for them" end)' "$r"
	else # results.json of a run before runlock had a supervisor
		jq -r '.syscalls | (.floor_roundtrip_ns | to_entries[] | "notification round trip, \(.key) - unconfined: stat \(.value.stat | round) ns, open \(.value.open | round) ns"),
		  "floor/unconfined: stat \(.ratios["floor/unconfined"].stat * 100 | round / 100)x, open \(.ratios["floor/unconfined"].open * 100 | round / 100)x",
		  "runlock/unconfined: getpid \(.ratios["runlock/unconfined"].getpid * 100 | round / 100)x, stat \(.ratios["runlock/unconfined"].stat * 100 | round / 100)x, open \(.ratios["runlock/unconfined"].open * 100 | round / 100)x; runlock/runc: getpid \(.ratios["runlock/runc"].getpid * 100 | round / 100)x, stat \(.ratios["runlock/runc"].stat * 100 | round / 100)x, open \(.ratios["runlock/runc"].open * 100 | round / 100)x",
		  "runlock/floor: not measurable (runlock trapped nothing)"' "$r"
	fi
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

if jq -e '.footprint' "$r" >/dev/null; then
	echo
	echo "== footprint: $(jq -r .footprint.container "$r") (KiB, smaps_rollup)"
	{
		printf 'process\tRss\tPss\tPss_Anon\tPss_File\tPrivate\n'
		jq -r '.footprint | (.processes | to_entries[]), {key: "supervisor+agent", value: .["supervisor+agent"]},
		  {key: "sum of the three", value: .sum} |
		  [.key, (.value.rss | tostring), (.value.pss | tostring), (.value.pss_anon | tostring),
		   (.value.pss_file | tostring), (.value.private | tostring)] | @tsv' "$r"
	} | tbl
fi

if jq -e '.concurrent' "$r" >/dev/null; then
	echo
	echo "== $(jq '.concurrent.runtimes.runlock.n' "$r") concurrent idle containers (sleep 3600)"
	{
		printf 'runtime\tstart all (s)\tper container: rss+kernel (KiB)\tof it kernel\tPss of inits, total (KiB)\tprocesses left running\truntime processes: Pss total (KiB)\tper container\tkill+delete all (s)\tclean\n'
		jq -r '.concurrent.runtimes | to_entries[] |
		  [.key, (.value.start_all_ns / 1e9 | . * 100 | round / 100 | tostring),
		   (.value.per_container_kib.rss_plus_kernel | round | tostring),
		   (.value.per_container_kib.kernel | round | tostring),
		   (.value.pss_of_container_processes_kib | tostring),
		   (.value.processes_left_running | tostring),
		   (if .value.runtime_processes then "\(.value.runtime_processes.kib.pss) (\(.value.runtime_processes.count) processes)" else "-" end),
		   (if .value.runtime_processes then (.value.runtime_processes.pss_per_container_kib | round | tostring) else "-" end),
		   (.value.stop_delete_all_ns / 1e9 | . * 100 | round / 100 | tostring),
		   (if .value.clean then "yes" else "NO (stopped \(.value.stopped), deleted \(.value.deleted), listed \(.value.still_listed), cgroups \(.value.cgroup_dirs_left), processes left \(.value.processes_left_after_delete // "?"))" end)] | @tsv' "$r"
	} | tbl
	jq -r '.concurrent.note' "$r"
	jq -r '.concurrent.runtimes | to_entries[] | select((.value.processes_outside_harness_memcg // 0) > 0) |
	  "\(.key): \(.value.processes_outside_harness_memcg) held processes outside the harness memory cgroup (their cgroups were added)"' "$r"
fi

echo
echo "== targets"
jq -r '.targets | to_entries[] | "\(.key): " +
  (if .value == null then "not run"
   elif .value.met == null then "not measurable yet (\(.value.why))"
   elif .value.met then "met (\(.value.ratio * 100 | round / 100)x)"
   else "NOT met (\(.value.ratio * 100 | round / 100)x)" end)
  + (if .value.detail then "\n    \(.value.detail)" else "" end)' "$r"
