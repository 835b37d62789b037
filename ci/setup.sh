#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Installs what vigil needs on Debian 12 (when missing), then configures and
# builds it into build/. Safe to run again: it only installs what is absent.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="gcc pkg-config meson ninja-build python3 git openssl
  libpcre2-dev libyaml-dev libssl-dev libxml2-dev libjansson-dev libcmocka-dev
  libgit2-dev libnftnl-dev libmnl-dev nftables iproute2 ${VIGIL_EXTRA_PACKAGES:-}"
# Hyperscan (the secrets prefilter) is packaged for amd64 only; elsewhere
# vigil uses its own Aho-Corasick automaton.
if [ "$(dpkg --print-architecture)" = amd64 ]; then
	PACKAGES="$PACKAGES libhyperscan-dev"
fi

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "ci/setup.sh: missing packages:$missing (run as root to install them)" >&2
		exit 2
	fi
	echo "ci/setup.sh: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -f build/build.ninja ]; then
	meson setup build --buildtype=debugoptimized
fi
ninja -C build
