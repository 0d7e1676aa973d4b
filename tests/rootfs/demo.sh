#!/bin/sh
# Run one busybox container with runlock and show what it sees.
#
#   tests/rootfs/demo.sh RUNLOCK ROOTFS
#
# Makes a throwaway bundle whose config.json comes from `RUNLOCK spec`, points
# it at ROOTFS (read-only), runs the container in the foreground with a private
# state directory, prints its exit status and removes everything it made.
set -eu

if [ "$#" -ne 2 ]; then
	echo "usage: $0 RUNLOCK ROOTFS" >&2
	exit 2
fi
runlock=$1
rootfs=$(cd "$2" && pwd -P)

command -v jq >/dev/null 2>&1 || {
	echo "demo: jq is needed (make deps)" >&2
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/runlock-demo.XXXXXX")
id="demo-$$"
cleanup() {
	"$runlock" --root "$tmp/state" delete --force "$id" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' HUP INT TERM
mkdir "$tmp/bundle" "$tmp/state"

"$runlock" spec --bundle "$tmp/bundle"
jq --arg root "$rootfs" '
	.root.path = $root
	| .root.readonly = true
	| .process.terminal = false
	| .process.args = ["sh", "-c",
		"echo \"hello from runlock: $(uname -sr), uid $(id -u), pid $$\"; ls /;
		 echo \"/dev: $(ls /dev | tr \"\\n\" \" \")\"; echo \"processes: $(ps -o pid= | tr -s \" \\n\" \" \")\";
		 head -3 /proc/self/mounts"]
' "$tmp/bundle/config.json" >"$tmp/bundle/config.json.new"
mv "$tmp/bundle/config.json.new" "$tmp/bundle/config.json"

echo "\$ runlock run $id    (bundle: $tmp/bundle, rootfs: $rootfs)"
status=0
"$runlock" --root "$tmp/state" run --bundle "$tmp/bundle" "$id" </dev/null || status=$?
echo "container exited with status $status"
exit "$status"
