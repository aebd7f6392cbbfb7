#!/bin/sh
# Extracts the `snap` client of Debian's snapd package into build/stock-snap/ (or $1), for tests
# and benchmarks that prove our daemon against the stock client. snapd is never installed and
# none of its services is started: the .deb is downloaded with `apt-get download` into a
# temporary directory and unpacked with `dpkg-deb -x`. Idempotent: does nothing when the client
# is already there. Prints the path of the stock `snap` binary.
set -eu
cd "$(dirname "$0")/.."
dest=${1:-build/stock-snap}
case "$dest" in /*) ;; *) dest="$PWD/$dest" ;; esac

if [ -x "$dest/usr/bin/snap" ] && [ -x "$dest/usr/lib/snapd/snapd" ]; then
    echo "$dest/usr/bin/snap"
    exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp" # apt's download user must be able to write there
if ! (cd "$tmp" && apt-get download snapd >/dev/null 2>&1); then
    apt-get update -qq >/dev/null
    (cd "$tmp" && apt-get download snapd >/dev/null 2>&1)
fi
deb=$(ls "$tmp"/snapd_*.deb)
mkdir -p "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
# Keep the package's version beside the tree, for the benchmark notes.
dpkg-deb -f "$deb" Version >"$tmp/x/VERSION"
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.new"
mv "$tmp/x" "$dest.new"
rm -rf "$dest"
mv "$dest.new" "$dest"
echo "$dest/usr/bin/snap"
