#!/bin/sh
# Installs the Debian packages in scripts/packages.txt that are missing (apt-get update once, only
# when something is missing), then configures and builds build/: the binaries the demo and the
# integration tests use. It is a test build: sn_faulty() points are compiled in (the kill -9 walks
# and failure tests drive them through SN_FAULTS; secure_getenv keeps them away from setuid runs).
# A release build is a plain `meson setup`, where they compile to nothing.
set -eu
cd "$(dirname "$0")/.."

missing=""
for pkg in $(sed -e 's/#.*//' scripts/packages.txt); do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
    esac
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing packages:$missing (run as root to install them)" >&2
        exit 1
    fi
    echo "setup: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -f build/build.ninja ]; then
    meson setup build -Dtests=enabled -Dfault_injection=true >/dev/null
fi
ninja -C build >/dev/null
echo "setup: build/ is up to date"
