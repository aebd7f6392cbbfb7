#!/bin/sh
# Installs the Debian packages in scripts/packages.txt that are missing (apt-get update once, only
# when something is missing), then configures and builds build/ (release-like, the binaries the
# demo and the integration tests use).
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
    meson setup build -Dtests=enabled >/dev/null
fi
ninja -C build >/dev/null
echo "setup: build/ is up to date"
