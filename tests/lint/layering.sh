#!/bin/bash
# The layout's two rules, checked (make lint runs this):
#
# 1. Folders are layered. Each folder of common/, oci/, hooks/, runtime/*/
#    and shim/*/ has a rank below; a file may include headers of its own
#    folder and of folders of lower rank only, never of a folder of equal or
#    higher rank. docs/design.md draws the same picture.
# 2. No call circle between files: with an edge from a.o to b.o whenever a.o
#    uses a symbol b.o defines, the graph of the objects in OBJDIR has no
#    cycle (tsort finds any).
#
#   tests/lint/layering.sh OBJDIR     (OBJDIR: build/obj after `make`)
set -u
cd "$(dirname "$0")/../.."
objdir=${1:-build/obj}

rank() {
	case $1 in
	common) echo 0 ;;
	oci) echo 10 ;;
	shim/ipc) echo 20 ;;
	shim/mounts) echo 30 ;;
	runtime/state) echo 31 ;;
	runtime/confine) echo 40 ;;
	hooks) echo 50 ;;
	runtime/init) echo 60 ;;
	shim/notify) echo 61 ;;
	shim/agent) echo 70 ;;
	shim/spawner) echo 71 ;;
	shim/fsview) echo 80 ;;
	shim/supervisor) echo 90 ;;
	runtime/lifecycle) echo 100 ;;
	runtime/cli) echo 110 ;;
	*) echo "" ;;
	esac
}

fail=0
for f in $(ls common/*.[ch] oci/*.[ch] hooks/*.[ch] runtime/*/*.[ch] shim/*/*.[ch] 2>/dev/null); do
	dir=$(dirname "$f")
	r=$(rank "$dir")
	if [ -z "$r" ]; then
		echo "layering: $dir has no rank (add it to tests/lint/layering.sh and docs/design.md)"
		fail=1
		continue
	fi
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		idir=$(dirname "$inc")
		[ "$idir" = "$dir" ] && continue
		ir=$(rank "$idir")
		if [ -z "$ir" ] || [ "$ir" -ge "$r" ]; then
			echo "layering: $f ($dir, rank $r) includes $inc (${idir}, rank ${ir:-none})"
			fail=1
		fi
	done
done

if [ ! -d "$objdir" ]; then
	echo "layering: no objects in $objdir (run make first)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
objs=$(cd "$objdir" && find common oci hooks runtime shim -name '*.o' | sort)
for o in $objs; do
	# Only objects whose source still exists (a moved file leaves a stale one).
	[ -f "${o%.o}.c" ] || continue
	nm --defined-only -g "$objdir/$o" | awk -v f="${o%.o}" 'NF == 3 {print $3, f}'
done | sort >"$tmp/defs"
for o in $objs; do
	[ -f "${o%.o}.c" ] || continue
	nm -u "$objdir/$o" | awk -v f="${o%.o}" '{print $2, f}'
done | sort >"$tmp/uses"
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 {print $2, $3}' | sort -u >"$tmp/edges"
if ! tsort "$tmp/edges" >/dev/null 2>"$tmp/loops"; then
	echo "layering: call circles between files (each block is one circle):"
	sed 's/^tsort: //' "$tmp/loops"
	fail=1
fi
[ "$fail" = 0 ] && echo "layering: folders layered, no call circle ($(wc -l <"$tmp/edges") edges)"
exit $fail
