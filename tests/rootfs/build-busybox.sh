#!/bin/bash
# Build the busybox root filesystem the integration tests and the demo use.
#
#   tests/rootfs/build-busybox.sh DEST HELPERS_DIR
#
# DEST gets Debian's static busybox (package busybox-static) as /bin/busybox,
# a relative symlink for every applet it lists, a minimal /etc (passwd, group,
# hosts), the usual empty directories, and every static executable found in
# HELPERS_DIR under /usr/local/bin. Nothing is downloaded.
#
# Idempotent: when DEST is newer than busybox, every helper and this script,
# it does nothing. Otherwise it builds a fresh tree next to DEST and renames it
# into place, so a reader never sees a half-built rootfs.
set -eu

BUSYBOX=${BUSYBOX:-/bin/busybox}

usage() {
	echo "usage: $0 DEST HELPERS_DIR" >&2
	exit 2
}
[ "$#" -eq 2 ] || usage
dest=${1%/}
helpers=${2%/}
[ -n "$dest" ] || usage

if [ ! -x "$BUSYBOX" ]; then
	echo "build-busybox: $BUSYBOX not found: install busybox-static (make deps)" >&2
	exit 1
fi
if ! "$BUSYBOX" --list-full >/dev/null 2>&1; then
	echo "build-busybox: $BUSYBOX does not support --list-full" >&2
	exit 1
fi
case "$(file -L "$BUSYBOX" 2>/dev/null)" in
*dynamically*)
	echo "build-busybox: $BUSYBOX is dynamically linked: install busybox-static" >&2
	exit 1
	;;
esac
[ -d "$helpers" ] || {
	echo "build-busybox: helpers directory $helpers does not exist (make helpers)" >&2
	exit 1
}

stamp="$dest/.runlock-rootfs"

# Up to date? The stamp must be newer than busybox, this script and each helper,
# and every helper must already be in place.
up_to_date() {
	[ -f "$stamp" ] || return 1
	[ "$stamp" -nt "$BUSYBOX" ] || return 1
	[ "$stamp" -nt "$0" ] || return 1
	for h in "$helpers"/*; do
		if [ ! -f "$h" ] || [ ! -x "$h" ]; then
			continue
		fi
		[ "$stamp" -nt "$h" ] || return 1
		[ -f "$dest/usr/local/bin/${h##*/}" ] || return 1
	done
	return 0
}
if up_to_date; then
	exit 0
fi

parent=$(dirname "$dest")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.rootfs-build.XXXXXX")
old=""
cleanup() {
	rm -rf "$tmp"
	[ -z "$old" ] || rm -rf "$old"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

chmod 0755 "$tmp"
for d in bin sbin usr/bin usr/sbin usr/local/bin proc dev sys etc root home/user var tmp; do
	mkdir -p "$tmp/$d"
done
chmod 1777 "$tmp/tmp"
chmod 0700 "$tmp/root"
chown 1000:1000 "$tmp/home/user" 2>/dev/null || true

cp "$BUSYBOX" "$tmp/bin/busybox"
chmod 0755 "$tmp/bin/busybox"

# One relative symlink per applet, so the tree also works when it is not the
# process's root: bin/ls -> busybox, usr/bin/id -> ../../bin/busybox.
"$BUSYBOX" --list-full | while IFS= read -r applet; do
	applet=${applet#/}
	case "$applet" in
	"" | bin/busybox) continue ;;
	esac
	dir=${applet%/*}
	[ "$dir" != "$applet" ] || dir=""
	up=""
	rest=$dir
	while [ -n "$rest" ]; do
		up="../$up"
		case "$rest" in
		*/*) rest=${rest%/*} ;;
		*) rest="" ;;
		esac
	done
	[ -n "$dir" ] && mkdir -p "$tmp/$dir"
	ln -sf "${up}bin/busybox" "$tmp/$applet"
done

cat >"$tmp/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000:user:/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$tmp/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
user:x:1000:
extra:x:2000:
nogroup:x:65534:
GROUP
cat >"$tmp/etc/hosts" <<'HOSTS'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
HOSTS
chmod 0644 "$tmp/etc/passwd" "$tmp/etc/group" "$tmp/etc/hosts"

# Static helpers only: a dynamic one would not run inside the busybox rootfs.
for h in "$helpers"/*; do
	if [ ! -f "$h" ] || [ ! -x "$h" ]; then
		continue
	fi
	case "$(file -L "$h" 2>/dev/null)" in
	*dynamically*)
		echo "build-busybox: skipping $h: not statically linked" >&2
		continue
		;;
	esac
	cp "$h" "$tmp/usr/local/bin/${h##*/}"
	chmod 0755 "$tmp/usr/local/bin/${h##*/}"
done

touch "$tmp/.runlock-rootfs"

# Swap the new tree in. rename(2) cannot replace a non-empty directory, so the
# old tree is moved aside first and removed afterwards.
if [ -e "$dest" ]; then
	old=$(mktemp -d "$parent/.rootfs-old.XXXXXX")
	mv "$dest" "$old/"
fi
mv "$tmp" "$dest"
echo "build-busybox: built $dest ($("$BUSYBOX" --list-full | wc -l) applets)"
