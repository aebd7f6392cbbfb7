# Helpers for the client's spread tasks: . "$TASK_DIR/../cli-lib.sh"
# The real daemon runs detached on $SNAPPY_GLOBAL_ROOT; its pid is in $SN_WORK/daemon.pid.

SOCK="$SNAPPY_GLOBAL_ROOT/run/snapd.socket"
SNAP="$SN_BUILD/snapd/snap"

start_daemon() {
    rm -f "$SOCK"
    setsid "$SN_BUILD/snapd/snapd" >>"$SN_WORK/daemon.log" 2>&1 </dev/null &
    echo $! >"$SN_WORK/daemon.pid"
    for _ in $(seq 100); do
        [ -S "$SOCK" ] && return 0
        kill -0 "$(cat "$SN_WORK/daemon.pid")" 2>/dev/null || break
        sleep 0.05
    done
    echo "the daemon did not start; its log:"
    cat "$SN_WORK/daemon.log"
    return 1
}

stop_daemon() {
    [ -f "$SN_WORK/daemon.pid" ] || return 0
    pid=$(cat "$SN_WORK/daemon.pid")
    rm -f "$SN_WORK/daemon.pid"
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# unmount_snap_dir: for restores, after the daemon stopped and the snaps' own mounts went. The daemon
# makes $ROOT/snap a shared mount point (bound onto itself) at its start and keeps it for its next.
unmount_snap_dir() {
    while mountpoint -q "$SNAPPY_GLOBAL_ROOT/snap" 2>/dev/null; do umount -l "$SNAPPY_GLOBAL_ROOT/snap" || break; done
}

# run_snap ARGS...: runs our snap, keeping stdout in $out, stderr in $err and the status in $rc.
run_snap() {
    rc=0
    "$SNAP" "$@" >"$SN_WORK/out" 2>"$SN_WORK/err" || rc=$?
    out=$(cat "$SN_WORK/out")
    err=$(cat "$SN_WORK/err")
}

# expect_eq GOT WANT WHAT
expect_eq() {
    if [ "$1" != "$2" ]; then
        echo "expected $3 to be:"
        printf '%s\n' "$2"
        echo "got:"
        printf '%s\n' "$1"
        return 1
    fi
}

# expect_match TEXT REGEX WHAT
expect_match() {
    if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then
        echo "expected $3 to match /$2/, got:"
        printf '%s\n' "$1"
        return 1
    fi
}
