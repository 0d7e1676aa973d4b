#!/bin/bash
# Build the root filesystem of the outer image for tests/nested/: a "CI
# job" container holding the static runlock, bats and runlock's own
# integration suite, made from the project's fixtures and the installed
# Debian packages' own file lists (dpkg -L), nothing downloaded.
#
#   tests/nested/build-image.sh DEST PYROOT BUSYBOX_ROOTFS RUNLOCK HELPERS TESTS
#
# DEST is made anew: PYROOT (libc, merged /usr) plus bash, bats, jq, GNU
# coreutils, grep, sed and findutils from their packages, busybox's applets
# for every other command, RUNLOCK as /usr/local/bin/runlock, and under
# /rl the busybox rootfs, the static helpers and the TESTS tree.
set -eu

[ "$#" -eq 6 ] || {
	echo "usage: $0 DEST PYROOT BUSYBOX_ROOTFS RUNLOCK HELPERS TESTS" >&2
	exit 2
}
dest=${1%/}
pyroot=${2%/}
bbroot=${3%/}
runlock=$4
helpers=${5%/}
tests=${6%/}
pkgs="bash libtinfo6 bats bats-support bats-assert jq libjq1 libonig5 coreutils libacl1 \
libattr1 libselinux1 libpcre2-8-0 libgmp10 grep sed findutils"

for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || {
		echo "nested: package $p is not installed (contrib/install-deps.sh $p)" >&2
		exit 1
	}
done
rm -rf "$dest"
cp -a "$pyroot" "$dest"
# shellcheck disable=SC2086
dpkg -L $pkgs | sort -u | while IFS= read -r f; do
	case "$f" in /usr/share/doc/* | /usr/share/man/* | /usr/share/locale/* | /usr/share/info/*) continue ;; esac
	if [ -L "$f" ] && [ -d "$f" ]; then continue; fi
	if [ -f "$f" ] || [ -L "$f" ]; then printf '%s\n' "${f#/}"; fi
done | while IFS= read -r f; do
	# Debian 12's merged /usr: /bin/x is /usr/bin/x.
	case "$f" in bin/* | lib/* | lib64/* | sbin/*) t=usr/$f ;; *) t=$f ;; esac
	mkdir -p "$dest/$(dirname "$t")"
	rm -f "$dest/$t" # a busybox link there: cp would write through it
	cp -P "/$f" "$dest/$t"
done
# Every other command from busybox, where no file of that name is.
for a in $("$bbroot/bin/busybox" --list-full); do
	case "$a" in bin/* | sbin/*) a=usr/$a ;; esac
	[ -e "$dest/$a" ] || [ -L "$dest/$a" ] || ln -s /usr/bin/busybox "$dest/$a"
done
mkdir -p "$dest/usr/local/bin" "$dest/rl/rootfs" "$dest/root" "$dest/tmp"
chmod 1777 "$dest/tmp"
install -m 0755 "$runlock" "$dest/usr/local/bin/runlock"
cp -a "$bbroot" "$dest/rl/rootfs/busybox"
cp -a "$helpers" "$dest/rl/helpers"
cp -a "$tests" "$dest/rl/tests"
echo "root:x:0:0:root:/root:/bin/bash" >"$dest/etc/passwd.rl"
grep -q '^root:' "$dest/etc/passwd" 2>/dev/null || cat "$dest/etc/passwd.rl" >>"$dest/etc/passwd"
rm -f "$dest/etc/passwd.rl"
