#!/bin/sh
# The demo: on a throw-away root, pack the example snap, validate it, print its metadata, and
# show that real squashfs tools and the kernel read what we wrote. Later issues grow it (daemon,
# install, confined run, refresh, revert); it stays one command: `make demo`.
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
snap="$src/build/snapd/snap"

root=$(mktemp -d /tmp/microsnap-demo-XXXXXX)
export SNAPPY_GLOBAL_ROOT="$root"
loop=""
cleanup() {
    if mountpoint -q "$root/snap/hello-microsnap/x1" 2>/dev/null; then umount "$root/snap/hello-microsnap/x1"; fi
    if [ -n "$loop" ]; then losetup -d "$loop" 2>/dev/null || true; fi
    rm -rf "$root"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

echo "microsnap demo on the throw-away root $root"

say snap version
"$snap" version

say snap pack --check-skeleton examples/hello-microsnap
"$snap" pack --check-skeleton examples/hello-microsnap && echo "(valid)"

say snap pack examples/hello-microsnap "$root/out"
mkdir -p "$root/out"
"$snap" pack examples/hello-microsnap "$root/out"
file=$(ls "$root"/out/hello-microsnap_*.snap)

say snap info --verbose "$file"
"$snap" info --verbose "$file"

say unsquashfs -l "$file"
unsquashfs -l "$file"

if [ "$(id -u)" -eq 0 ] && loop=$(losetup --find --show --read-only "$file" 2>/dev/null); then
    say "mount -t squashfs -o ro,nodev $loop \$ROOT/snap/hello-microsnap/x1"
    mkdir -p "$root/snap/hello-microsnap/x1"
    mount -t squashfs -o ro,nodev "$loop" "$root/snap/hello-microsnap/x1"
    say "\$ROOT/snap/hello-microsnap/x1/bin/hello"
    SNAP_NAME=hello-microsnap SNAP_VERSION=1.0 SNAP_REVISION=x1 "$root/snap/hello-microsnap/x1/bin/hello"
else
    echo "(not root or no loop device: skipping the kernel mount)"
fi

say "snap pack of a hostile snap.yaml is refused"
mkdir -p "$root/bad/meta"
printf 'name: Bad--Name\nversion: 1.0\n' > "$root/bad/meta/snap.yaml"
if "$snap" pack "$root/bad" "$root/out"; then
    echo "demo: a bad snap.yaml was accepted" >&2
    exit 1
fi

echo
echo "demo: done"
