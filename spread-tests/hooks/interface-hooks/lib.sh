# Helpers of the interface-hooks task: . "$TASK_DIR/lib.sh" after iface-lib.sh.

# make_hook_snap NAME YAML-TAIL HOOK...: a snap on the busybox base with the given hooks. Each writes
# $SNAP_COMMON/HOOK.txt: its SNAP_* environment, its device cgroup and what snapctl answers.
make_hook_snap() {
    local name=$1 tail=$2 d="$SN_WORK/src-$1"
    shift 2
    rm -rf "$d"
    mkdir -p "$d/meta/hooks"
    printf 'name: %s\nversion: "1"\nbase: %s\n%s\n' "$name" "$BASE_NAME" "$tail" > "$d/meta/snap.yaml"
    local h
    for h in "$@"; do
        cat > "$d/meta/hooks/$h" <<'HOOK'
#!/bin/sh
h=${0##*/}
out="$SNAP_COMMON/$h.txt"
ctl=/usr/lib/snapd/snapctl
env | grep '^SNAP' > "$out"
grep devices /proc/self/cgroup >> "$out" || true
# get ARGS... : one line "get ARGS: ANSWER"
get() { echo "get $*: $($ctl get "$@" 2>&1)" >> "$out"; }
case "$h" in
prepare-plug-serial)
    get --slot :serial path
    $ctl set :serial mode=raw ;;
prepare-slot-ser)
    get :ser path
    get --plug :ser mode
    $ctl set :ser baud=9600
    if [ -e "$SNAP_COMMON/fail-prepare" ]; then echo "prepare-slot-ser refuses"; exit 1; fi
    echo "set :ser path=/dev/ttyS1: $($ctl set :ser path=/dev/ttyS1 2>&1)" >> "$out" ;;
connect-slot-ser)
    get :ser baud
    if $ctl set :ser late=1 2>/dev/null; then echo "set :ser late=1: allowed"; else echo "set :ser late=1: refused"; fi >> "$out" ;;
connect-plug-serial)
    get :serial mode
    get --slot :serial baud
    if [ -e "$SNAP_COMMON/fail-connect" ]; then echo "connect-plug-serial refuses"; exit 1; fi ;;
disconnect-slot-ser) get :ser baud ;;
disconnect-plug-serial) get :serial mode ;;
prepare-plug-net)
    a=$($ctl get --slot :net path 2>/dev/null) || a="(none)"
    echo "get --slot :net: ${a:-(none)}" >> "$out" ;;
esac
exit 0
HOOK
        chmod 0755 "$d/meta/hooks/$h"
    done
    pack_snap "$d" "$SN_WORK/$name.snap"
}

# expect_line FILE LINE: FILE must contain LINE exactly.
expect_line() {
    grep -qxF -- "$2" "$1" || { echo "expected the line \"$2\" in $1, got:"; cat "$1"; return 1; }
}

# expect_in_order FILE REGEX...: lines matching each REGEX exist in FILE, in that order.
expect_in_order() {
    local f=$1 last=0 n re
    shift
    for re in "$@"; do
        n=$(grep -nE -- "$re" "$f" | head -1 | cut -d: -f1)
        if [ -z "$n" ] || [ "$n" -le "$last" ]; then
            echo "expected a line /$re/ after line $last of $f:"
            cat "$f"
            return 1
        fi
        last=$n
    done
}
