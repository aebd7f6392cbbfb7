# Helpers for the daemon's spread tasks: . "$TASK_DIR/../daemon-lib.sh"
# The daemon runs detached (its own session), logs to $SN_WORK/daemon.log, and its pid is kept in
# $SN_WORK/daemon.pid so that restore can stop it whatever happened in execute.

SOCK="$SNAPPY_GLOBAL_ROOT/run/snapd.socket"
SNAP_SOCK="$SNAPPY_GLOBAL_ROOT/run/snapd-snap.socket"
API_CLIENT="$SN_BUILD/snapd/tests/api-client"

# The stock client from Debian's snapd package (extracted, never installed).
stock_snap() {
    "$SN_SRC/build/stock-snap/usr/bin/snap" "$@"
}

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

# Sends SIGTERM and waits up to 5 s for the daemon to exit. Fails if it had to be killed.
stop_daemon() {
    [ -f "$SN_WORK/daemon.pid" ] || return 0
    pid=$(cat "$SN_WORK/daemon.pid")
    rm -f "$SN_WORK/daemon.pid"
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.05
    done
    echo "the daemon did not stop on SIGTERM within 5 s"
    kill -KILL "$pid" 2>/dev/null || true
    return 1
}

# unmount_snap_dir: for restores, after the daemon stopped and the snaps' own mounts went. The daemon
# makes $ROOT/snap a shared mount point (bound onto itself) at its start and keeps it for its next.
unmount_snap_dir() {
    while mountpoint -q "$SNAPPY_GLOBAL_ROOT/snap" 2>/dev/null; do umount -l "$SNAPPY_GLOBAL_ROOT/snap" || break; done
}

# expect_match TEXT REGEX DESCRIPTION
expect_match() {
    if ! printf '%s\n' "$1" | grep -Eq -- "$2"; then
        echo "expected $3 to match /$2/, got:"
        printf '%s\n' "$1"
        return 1
    fi
}
