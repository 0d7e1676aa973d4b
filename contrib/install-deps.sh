#!/bin/sh
# Install, with apt-get, only the Debian packages runlock's build, demo and
# tests need that are not installed yet. Safe to run repeatedly; it does
# nothing (and needs no network) when everything is present.
#   contrib/install-deps.sh            build + test dependencies
#   contrib/install-deps.sh PKG...     only these packages (used by optional suites)
set -eu

if [ "$#" -gt 0 ]; then
	wanted="$*"
else
	wanted="build-essential pkg-config libseccomp-dev libyajl-dev libcap-dev \
bats bats-support bats-assert busybox-static clang clang-format cppcheck \
libclang-rt-14-dev jq python3.11-minimal libpython3.11-stdlib"
fi

missing=""
for p in $wanted; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
