# Shared set-up for the hooks tasks: the confine suite's throw-away root (busybox base, snap-confine,
# snap-exec and snapctl at their compiled-in place) with a test snap whose hooks record their
# environment and use snapctl, registered in the daemon's state as installed (x1), and our daemon
# running on it. Sourced by task.yaml scripts (bash -eu -o pipefail).
#
# The snap socket: inside the sandbox snapctl talks to /run/snapd-snap.socket, and under a test root
# snap-confine makes the sandbox's /run the root's own $SNAPPY_GLOBAL_ROOT/run, where this daemon
# listens: nothing is created or bound in the machine's /run.

. "$SN_SRC/spread-tests/confine/lib.sh"
. "$SN_SRC/spread-tests/daemon/daemon-lib.sh"
SNAP_CLI="$SN_BUILD/snapd/snap"

# expect_line FILE LINE: FILE must contain LINE exactly.
expect_line() {
    grep -qxF -- "$2" "$1" || { echo "expected the line \"$2\" in $1, got:"; cat "$1"; return 1; }
}

# build_hook_snap: sntest with hooks configure, install, pre-refresh, post-refresh, remove, check-health
# (each writes its environment to $SNAP_COMMON/HOOK.env); configure reads `key` with snapctl and sets
# `derived`, fails when key=fail, and sets the health from `health`.
build_hook_snap() {
    local d="$SN_WORK/app"
    rm -rf "$d"
    mkdir -p "$d/meta/hooks"
    for h in install pre-refresh post-refresh remove check-health; do
        printf '#!/bin/sh\nenv | grep -E "^SNAP" | sort > "$SNAP_COMMON/%s.env"\n' "$h" > "$d/meta/hooks/$h"
    done
    cat > "$d/meta/hooks/configure" <<'HOOK'
#!/bin/sh
env | grep -E '^SNAP' | sort > "$SNAP_COMMON/configure.env"
v=$(/usr/lib/snapd/snapctl get key)
echo "configure saw key=$v"
if [ "$v" = fail ]; then
    echo "refusing key=fail"
    exit 1
fi
/usr/lib/snapd/snapctl set derived="from-$v"
h=$(/usr/lib/snapd/snapctl get health)
if [ -n "$h" ]; then /usr/lib/snapd/snapctl set-health blocked "$h"; fi
HOOK
    chmod 0755 "$d"/meta/hooks/*
    printf 'name: %s\nversion: "1"\nbase: %s\n' "$SNAP_NAME" "$BASE_NAME" > "$d/meta/snap.yaml"
    pack_snap "$d" "$SN_WORK/app.snap"
}

setup_hooks_root() {
    chmod 0755 "$ROOT"
    build_base
    build_hook_snap
    mount_snap "$BASE_NAME" "$SN_WORK/base.snap"
    mount_snap "$SNAP_NAME" "$SN_WORK/app.snap"
    mkdir -p "$ROOT/var/snap/$SNAP_NAME/x1" "$ROOT/var/snap/$SNAP_NAME/common" "$ROOT/var/lib/snapd" "$LIBEXEC"
    # SN_CONFINE_BUILD (as in iface-lib.sh): what runs in the sandbox from another build, so that a
    # sanitizer build's daemon and CLI can be tested with the plain setuid helper
    local cb="${SN_CONFINE_BUILD:-$SN_BUILD}"
    install -m 4755 -o root -g root "$cb/confine/snap-confine" "$LIBEXEC/snap-confine"
    install -m 0755 -o root -g root "$cb/confine/snap-exec" "$LIBEXEC/snap-exec"
    install -m 0755 -o root -g root "$cb/snapd/snapctl" "$LIBEXEC/snapctl"
    compile_policy
    # the daemon's state: the snap installed at x1 (what the snap manager's install would leave)
    start_daemon
    stop_daemon
    sqlite3 "$ROOT/var/lib/snapd/state.db" \
        "INSERT INTO snaps (name, type, active, current) VALUES ('$BASE_NAME', 'base', 1, -1), ('$SNAP_NAME', 'app', 1, -1);
         INSERT INTO snap_revisions (snap, seq, revision) VALUES ('$BASE_NAME', 0, -1), ('$SNAP_NAME', 0, -1);"
    start_daemon
}

restore_hooks_root() {
    stop_daemon || true
    restore_root
    for h in configure install pre-refresh post-refresh remove check-health; do
        rmdir "/sys/fs/cgroup/devices/snap.$SNAP_NAME.hook.$h" 2>/dev/null || true
    done
}
