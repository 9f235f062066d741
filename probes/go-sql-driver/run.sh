#!/bin/sh
# Runs the go-sql-driver probe with the given arguments, building it first (build.sh, offline
# against Debian's packaged driver) into a cache folder named after the source's hash, so the
# audit builds it once. Exits 4, saying what to install, when Go or the driver is missing.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
hash="$(cat "$here/main.go" "$here/build.sh" | cksum | cut -d' ' -f1)"
cache="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/mysql-tls-mock"
binary="$cache/go-sql-driver-probe-$hash"
if [ ! -x "$binary" ]; then
  mkdir -p "$cache"
  GOCACHE="${GOCACHE:-$cache/go-build}" "$here/build.sh" "$binary.$$"
  mv "$binary.$$" "$binary"
fi
exec "$binary" "$@"
