# Helpers for the interface tasks: . "$TASK_DIR/../iface-lib.sh"
# A real daemon on the throw-away root installs a busybox base and the test snaps (sideloaded,
# --dangerous); apps run confined as the non-root user sn-test through `snap run` and snap-confine
# (setuid at its compiled-in path under the root), as in the confine and run suites.
. "$SN_SRC/spread-tests/daemon/daemon-lib.sh"
. "$SN_SRC/spread-tests/confine/lib.sh"
export SNAP_REEXEC=0
SNAP_CLI="$SN_BUILD/snapd/snap"
trap 'echo "FAILED (status $?): $BASH_COMMAND" >&2' ERR

snap_cli() { "$SNAP_CLI" "$@"; }

as_user() {
    setpriv --reuid "$TEST_USER" --regid "$TEST_USER" --init-groups -- env -i \
        HOME="$TEST_HOME" USER="$TEST_USER" PATH=/usr/bin:/bin SNAPPY_GLOBAL_ROOT="$ROOT" "$@"
}

# make_app NAME YAML-TAIL: a strict app snap on the busybox base whose bin/probe is probe.sh plus the
# iface-probe checker; YAML-TAIL is appended to snap.yaml (plugs, slots).
make_app() {
    local name=$1 tail=$2 d="$SN_WORK/src-$1"
    rm -rf "$d"
    mkdir -p "$d/bin" "$d/meta"
    install -m 0755 "$TASK_DIR/../probe.sh" "$d/bin/probe"
    [ -x "$SN_WORK/iface-probe" ] || cc -static -O1 -o "$SN_WORK/iface-probe" "$TASK_DIR/../iface-probe.c"
    install -m 0755 "$SN_WORK/iface-probe" "$d/bin/iface-probe"
    printf 'name: %s\nversion: "1"\nbase: %s\napps:\n  probe:\n    command: bin/probe\n%s\n' "$name" "$BASE_NAME" "$tail" \
        > "$d/meta/snap.yaml"
    [ -n "${EXTRA_DIRS:-}" ] && for x in $EXTRA_DIRS; do mkdir -p "$d/$x"; done
    pack_snap "$d" "$SN_WORK/$name.snap"
}

setup_iface_root() {
    chmod 0755 "$ROOT"
    ensure_user
    build_base
    mkdir -p "$LIBEXEC"
    # SN_CONFINE_BUILD: take snap-confine and snap-exec from another build (a sanitizer build's daemon
    # and CLI with the plain setuid helper and static snap-exec, which sanitizers cannot build).
    local cb="${SN_CONFINE_BUILD:-$SN_BUILD}"
    install -m 4755 -o root -g root "$cb/confine/snap-confine" "$LIBEXEC/snap-confine"
    install -m 0755 -o root -g root "$cb/confine/snap-exec" "$LIBEXEC/snap-exec"
    install -m 0755 -o root -g root "$cb/snapd/snapctl" "$LIBEXEC/snapctl"
    start_daemon
    snap_cli install --dangerous "$SN_WORK/base.snap" >/dev/null
}

# run_probe SNAP ARGS...: the snap's probe app as the test user; prints its output, keeps its status.
run_probe() {
    local snap=$1; shift
    as_user "$SNAP_CLI" run "$snap.probe" "$@"
}

# expect_ok / expect_denied DESCRIPTION CMD...: the command must succeed / fail.
expect_ok() {
    local what=$1; shift
    "$@" >out.txt 2>&1 || { echo "expected $what to work, it failed:"; cat out.txt; return 1; }
}
expect_denied() {
    local what=$1; shift
    if "$@" >out.txt 2>&1; then echo "expected $what to be denied, it worked:"; cat out.txt; return 1; fi
}

# check_daemon_log: fails on a sanitizer report in the daemon's log (for runs with an ASan+UBSan build).
check_daemon_log() {
    if [ -f "$SN_WORK/daemon.log" ] && grep -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error' "$SN_WORK/daemon.log"; then
        echo "expected no sanitizer report in the daemon's log"
        return 1
    fi
}

restore_iface_root() {
    stop_daemon || true
    local f
    for f in "$ROOT"/run/snapd/ns/*.mnt; do
        [ -e "$f" ] && umount -l "$f" 2>/dev/null || true
    done
    umount -l "$ROOT/run/snapd/ns" 2>/dev/null || true
    for f in "$ROOT"/snap/*/*; do
        [ -L "$f" ] && continue
        if mountpoint -q "$f" 2>/dev/null; then
            local dev
            dev=$(findmnt -n -o SOURCE "$f" || true)
            umount -l "$f" || true
            case "$dev" in /dev/loop*) losetup -d "$dev" 2>/dev/null || true ;; esac
        fi
    done
    # the daemon made $ROOT/snap a shared mount point of its own
    while mountpoint -q "$ROOT/snap" 2>/dev/null; do umount -l "$ROOT/snap" || break; done
    for f in /sys/fs/cgroup/devices/snap.sniface*; do
        [ -d "$f" ] && rmdir "$f" 2>/dev/null || true
    done
    rm -rf "${TEST_HOME:-/nonexistent}"/snap/sniface* "${TEST_HOME:-/nonexistent}/sniface-x"
    rm -f /dev/ttyS77 /dev/sniface-i2c-77
}
