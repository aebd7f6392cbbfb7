#!/bin/sh
# The app of the test snap: runs inside the sandbox. "probe.sh report" prints what it sees; any other
# first argument is passed to $SNAP/bin/sn-probe (the forbidden-operation checks).
case "${1:-report}" in
report)
    shift || true
    echo "args: $*"
    echo "greeting: $GREETING"
    echo "uid: $(id -u)"
    echo "cwd: $(pwd)"
    echo "mntns: $(readlink /proc/self/ns/mnt)"
    echo "tmp-entries: $(ls -A /tmp | wc -l)"
    echo "ld_preload: ${LD_PRELOAD:-unset}"
    echo "snap_saved: ${SNAP_SAVED_LD_PRELOAD:-unset}"
    grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
    ;;
exitcode)
    exit "$2"
    ;;
files)
    set -e
    echo private > /tmp/inside
    mkdir -p "$SNAP_USER_DATA" "$SNAP_USER_COMMON"
    echo data > "$SNAP_USER_DATA/file"
    echo common > "$SNAP_USER_COMMON/file"
    cat "$SNAP/meta/snap.yaml" > /dev/null
    if touch "$SNAP/written" 2>/dev/null; then echo "FAIL wrote into \$SNAP"; exit 1; fi
    echo "OK \$SNAP is read-only"
    if [ -e "/tmp/$HOST_MARKER" ]; then echo "FAIL sees the host's /tmp"; exit 1; fi
    echo "OK host /tmp invisible"
    ;;
*)
    exec "$SNAP/bin/sn-probe" "$@"
    ;;
esac
