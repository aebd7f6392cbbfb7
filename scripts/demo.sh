#!/bin/sh
# The demo, on a throw-away root ($SNAPPY_GLOBAL_ROOT under /tmp): pack and inspect the example
# snap, install microsnap into the root (snap-confine setuid at its compiled-in path), start the
# daemon, install a busybox base and the example snap, run it confined as a non-root user, refresh,
# revert, list, show the changes, remove. Everything is undone at the end.
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
build="${SN_BUILD:-$src/build}"
snap="$build/snapd/snap"
demo_user=sn-demo

root=$(mktemp -d /tmp/microsnap-demo-XXXXXX)
chmod 0755 "$root"
export SNAPPY_GLOBAL_ROOT="$root"
work="$root/work"
mkdir -p "$work"
daemon_pid=""
cleanup() {
    set +e
    if [ -n "$daemon_pid" ]; then
        for s in hello-microsnap busydemo; do "$snap" remove "$s" >/dev/null 2>&1; done
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    # whatever is still mounted below the root (preserved namespaces, snaps), deepest first
    for m in $(awk '{print $5}' /proc/self/mountinfo | grep "^$root/" | sort -r); do umount -l "$m"; done
    for f in "$root"/var/lib/snapd/snaps/*.snap "$work"/*.snap; do
        [ -e "$f" ] && losetup -j "$f" | cut -d: -f1 | xargs -r -n1 losetup -d 2>/dev/null
    done
    rm -rf "$root"
}
trap cleanup EXIT INT TERM

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
as_user() { setpriv --reuid "$demo_user" --regid "$demo_user" --init-groups -- env -i HOME="$home" \
    PATH=/usr/bin:/bin SNAPPY_GLOBAL_ROOT="$root" "$@"; }

echo "microsnap demo on the throw-away root $root"

say snap pack --check-skeleton examples/hello-microsnap
"$snap" pack --check-skeleton examples/hello-microsnap && echo "(valid)"

# The example runs on a tiny base snap built from Debian's busybox-static.
base="$work/base"
mkdir -p "$base/bin" "$base/meta"
for d in dev etc home root proc sys tmp var/snap var/lib/snapd var/tmp var/log run lib/modules usr/src \
    usr/lib/snapd usr/bin media mnt snap; do mkdir -p "$base/$d"; done
chmod 1777 "$base/tmp"
ln -s ../lib/snapd/snapctl "$base/usr/bin/snapctl" # as core bases do
cp /bin/busybox "$base/bin/busybox"
for a in sh cat echo env grep sort sleep id ls true; do ln -s busybox "$base/bin/$a"; done
printf 'name: busydemo\nversion: "1.36"\nsummary: A busybox base for the demo\ntype: base\n' > "$base/meta/snap.yaml"
cp -r examples/hello-microsnap "$work/app"
sed -i 's/^confinement: strict/base: busydemo\nconfinement: strict/' "$work/app/meta/snap.yaml"

say snap pack examples/hello-microsnap
"$snap" pack "$base" "$work" >/dev/null
"$snap" pack "$work/app" "$work"
app=$(ls "$work"/hello-microsnap_*.snap)

say snap info --verbose "$app"
"$snap" info --verbose "$app"

say unsquashfs -l "$app"
unsquashfs -l "$app"

say "snap pack of a hostile snap.yaml is refused"
mkdir -p "$work/bad/meta"
printf 'name: Bad--Name\nversion: 1.0\n' > "$work/bad/meta/snap.yaml"
if "$snap" pack "$work/bad" "$work"; then
    echo "demo: a bad snap.yaml was accepted" >&2
    exit 1
fi

say "meson install --destdir \$ROOT   (snap-confine setuid root at its compiled-in path)"
meson install -C "$build" --destdir "$root" --quiet >/dev/null
ls -l "$root/usr/local/libexec/snapd/snap-confine"

say "snapd &   (on \$ROOT/run/snapd.socket)"
"$root/usr/local/libexec/snapd/snapd" > "$work/snapd.log" 2>&1 &
daemon_pid=$!
for _ in $(seq 50); do [ -S "$root/run/snapd.socket" ] && break; sleep 0.1; done

say snap version
"$snap" version

say snap install --dangerous busydemo_1.36_all.snap
"$snap" install --dangerous "$work"/busydemo_*.snap
say snap install --dangerous "$(basename "$app")"
"$snap" install --dangerous "$app"

say snap list
"$snap" list

id "$demo_user" >/dev/null 2>&1 || useradd -m -s /bin/sh "$demo_user"
home=$(getent passwd "$demo_user" | cut -d: -f6)
say "snap run hello-microsnap.hello   (as $demo_user, confined)"
as_user "$root/usr/local/bin/snap" run hello-microsnap.hello
say "snap run hello-microsnap.env   (as $demo_user)"
as_user "$root/usr/local/bin/snap" run hello-microsnap.env

say 'snap set hello-microsnap greeting="Hello, device"   (the configure hook runs confined and uses snapctl)'
"$snap" set hello-microsnap greeting="Hello, device"
"$snap" get hello-microsnap greeting
as_user "$root/usr/local/bin/snap" run hello-microsnap.hello

say "snap services; snap logs hello-microsnap   (the greeter service, under the daemon's supervisor)"
"$snap" services
"$snap" logs -n 3 hello-microsnap

say "snap install --dangerous $(basename "$app")   (a refresh: revision x2)"
"$snap" install --dangerous "$app"
as_user "$root/usr/local/bin/snap" run hello-microsnap.hello

say snap revert hello-microsnap
"$snap" revert hello-microsnap
as_user "$root/usr/local/bin/snap" run hello-microsnap.hello

say snap list --all
"$snap" list --all

say snap changes
"$snap" changes

say snap remove hello-microsnap
"$snap" remove hello-microsnap
"$snap" remove busydemo
"$snap" list || true

echo
echo "demo: done"
