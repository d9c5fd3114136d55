#!/usr/bin/env bash
# deps.sh - install the Debian packages hwpsim needs to build and test, if
# any is missing.  `make`, `make test`, ... run it before compiling anything.
#
# When everything is present it is a quick, silent no-op: no apt call, no
# output.  Otherwise it installs exactly the missing packages - as root
# directly, else through `sudo -n` when that works without a password - or,
# failing both, says which packages to install and exits 1.
#
#   what is checked                    Debian package
#   cc, make                           build-essential
#   pkg-config                         pkg-config
#   glib-2.0, gio-2.0 (pkg-config)     libglib2.0-dev
#   glib-compile-resources             libglib2.0-dev-bin
#   lua5.4 (pkg-config)                liblua5.4-dev
#   yaml-0.1 (pkg-config)              libyaml-dev
#   check (pkg-config)                 check
#   valgrind (and valgrind/valgrind.h) valgrind
#   gcovr, lcov                        gcovr, lcov
set -euo pipefail

have() { command -v "$1" >/dev/null 2>&1; }

missing=()
need() {
	local p
	for p in "${missing[@]}"; do
		[[ $p == "$1" ]] && return 0
	done
	missing+=("$1")
}

# Is the Debian package installed?  Only used when pkg-config itself is
# missing and so cannot be asked about the library modules.
dpkg_has() {
	have dpkg-query &&
		dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

check_all() {
	missing=()
	have cc || need build-essential
	have make || need build-essential
	have glib-compile-resources || need libglib2.0-dev-bin
	have valgrind || need valgrind
	have gcovr || need gcovr
	have lcov || need lcov

	local mod pkg
	if have pkg-config; then
		for mod in glib-2.0:libglib2.0-dev gio-2.0:libglib2.0-dev \
			   lua5.4:liblua5.4-dev yaml-0.1:libyaml-dev check:check; do
			pkg=${mod#*:}
			pkg-config --exists "${mod%%:*}" || need "$pkg"
		done
	else
		need pkg-config
		for pkg in libglib2.0-dev liblua5.4-dev libyaml-dev check; do
			dpkg_has "$pkg" || need "$pkg"
		done
	fi
}

check_all
((${#missing[@]} == 0)) && exit 0

echo "deps: missing packages: ${missing[*]}"

fail() {
	echo "deps: $1" >&2
	echo "deps: please install: apt-get install --no-install-recommends ${missing[*]}" >&2
	exit 1
}

have apt-get || fail "apt-get not found (not a Debian-like system)"

if ((EUID == 0)); then
	as_root=()
elif have sudo && sudo -n true 2>/dev/null; then
	as_root=(sudo -n)
else
	fail "not root, and sudo is missing or needs a password"
fi

# env(1) rather than an exported variable: sudo would drop it.
apt=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
echo "deps: installing: ${missing[*]}"
"${apt[@]}" update || fail "apt-get update failed"
"${apt[@]}" install -y --no-install-recommends "${missing[@]}" ||
	fail "apt-get install failed"

# Trust but verify: a package may not provide what was checked for.
check_all
((${#missing[@]} == 0)) || fail "still missing after installing"
echo "deps: done"
