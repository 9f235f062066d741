#!/bin/sh
# Builds the go-sql-driver probe offline, against Debian's packaged driver source (no module
# download): build.sh OUTPUT. Exits 4, saying what to install, when Go or the driver is missing.
set -eu

EXIT_DRIVER_MISSING=4
GOPATH_DEBIAN=/usr/share/gocode
DRIVER_SOURCE="$GOPATH_DEBIAN/src/github.com/go-sql-driver/mysql"

if [ "$#" -ne 1 ]; then
  echo "usage: build.sh OUTPUT" >&2
  exit 64
fi
if ! command -v go >/dev/null 2>&1; then
  echo "go-sql-driver probe: the go compiler is not installed; install Debian's golang-go" >&2
  exit "$EXIT_DRIVER_MISSING"
fi
if [ ! -f "$DRIVER_SOURCE/driver.go" ]; then
  echo "go-sql-driver probe: $DRIVER_SOURCE is missing; install Debian's golang-github-go-sql-driver-mysql-dev" >&2
  exit "$EXIT_DRIVER_MISSING"
fi

cd "$(dirname "$0")"
# CGO_ENABLED=0: pure-Go net and no C toolchain needed (golang-go does not pull in gcc).
CGO_ENABLED=0 GO111MODULE=off GOPATH="$GOPATH_DEBIAN" go build -o "$1" main.go
