#!/bin/bash
# Build a root filesystem holding Debian's python3.11, for the tests and the
# benchmarks: a real interpreter's start-up inside a container.
#
#   tests/rootfs/build-python.sh DEST BUSYBOX_ROOTFS
#
# The files come from the installed Debian packages' own lists (dpkg -L),
# nothing is downloaded (debootstrap would need a mirror): libc6,
# libpython3.11-minimal, libpython3.11-stdlib, python3.11-minimal, zlib1g, libexpat1, libssl3,
# with Debian 12's merged /usr. sh, seq and true are the static busybox of
# BUSYBOX_ROOTFS. Cached: when DEST/usr/bin/python3.11 exists it does
# nothing. Built next to DEST and renamed into place.
set -eu

[ "$#" -eq 2 ] || {
	echo "usage: $0 DEST BUSYBOX_ROOTFS" >&2
	exit 2
}
dest=${1%/}
fixture=${2%/}
pkgs="libc6 libpython3.11-minimal libpython3.11-stdlib python3.11-minimal zlib1g libexpat1 libssl3"

[ -x "$dest/usr/bin/python3.11" ] && exit 0
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || {
		echo "build-python: package $p is not installed (contrib/install-deps.sh $pkgs)" >&2
		exit 1
	}
done
tmp=$dest.tmp
rm -rf "$tmp"
mkdir -p "$tmp"/usr/{bin,lib,lib64,sbin}
for d in bin lib lib64 sbin; do ln -s "usr/$d" "$tmp/$d"; done
# Nothing named *.d: the Makefile -includes every *.d under build/ (and
# ld.so.conf.d is not needed: there is no ld.so.cache here).
# shellcheck disable=SC2086
dpkg -L $pkgs | sort -u | while IFS= read -r f; do
	case "$f" in *.d/* | *.d) continue ;; esac
	if [ -L "$f" ] && [ -d "$f" ]; then continue; fi
	if [ -f "$f" ] || [ -L "$f" ]; then printf '%s\n' "${f#/}"; fi
done | tar -C / --no-recursion -cf - -T - | tar -C "$tmp" -xf -
mkdir -p "$tmp"/{tmp,dev,proc,sys,etc}
chmod 1777 "$tmp/tmp"
cp "$fixture/bin/busybox" "$tmp/bin/busybox"
for a in sh seq true cat; do ln -sf busybox "$tmp/bin/$a"; done
ln -sf python3.11 "$tmp/usr/bin/python3"
cp "$fixture/etc/passwd" "$fixture/etc/group" "$tmp/etc/"
rm -rf "$dest"
mv "$tmp" "$dest"
echo "build-python: built $dest"
