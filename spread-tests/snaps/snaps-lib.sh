# Helpers for the snap-operation spread tasks: . "$TASK_DIR/../snaps-lib.sh"
# Builds on the daemon's helpers (start_daemon, stop_daemon, stock_snap, expect_match).
. "$SN_SRC/spread-tests/daemon/daemon-lib.sh"
export SNAP_REEXEC=0
export PATH="$PATH:$SNAPPY_GLOBAL_ROOT/snap/bin" # quiets the stock client's PATH warning

# Say where a script stopped: set -e alone exits without a word.
trap 'echo "FAILED (status $?): $BASH_COMMAND" >&2' ERR

ROOT=$SNAPPY_GLOBAL_ROOT
DB=$ROOT/var/lib/snapd/state.db

# make_snap DIR NAME VERSION [EXTRA-YAML]: a directory packed with our `snap pack` into $SN_WORK.
# Prints the path of the .snap.
make_snap() {
    local dir=$SN_WORK/src-$1 name=$2 version=$3 extra=${4:-}
    rm -rf "$dir"
    mkdir -p "$dir/meta" "$dir/bin"
    printf 'name: %s\nversion: "%s"\nsummary: test snap %s\ndescription: a snap for the spread tests\n%s\napps:\n  %s:\n    command: bin/run\n' \
        "$name" "$version" "$name" "$extra" "$name" >"$dir/meta/snap.yaml"
    printf '#!/bin/sh\necho %s %s\n' "$name" "$version" >"$dir/bin/run"
    chmod 0755 "$dir/bin/run"
    "$SN_BUILD/snapd/snap" pack "$dir" "$SN_WORK" >/dev/null
    echo "$SN_WORK/${name}_${version}_all.snap"
}

# rev_sql: the revision column as snapd prints it (x1 for -1).
REV_SQL="CASE WHEN revision < 0 THEN 'x' || (-revision) ELSE revision END"

# snap_revs NAME: the sequence, oldest first, space separated.
snap_revs() {
    sqlite3 "$DB" "SELECT $REV_SQL FROM snap_revisions WHERE snap = '$1' ORDER BY seq" | tr '\n' ' ' | sed 's/ $//'
}

snap_current() {
    sqlite3 "$DB" "SELECT CASE WHEN current < 0 THEN 'x' || (-current) ELSE current END FROM snaps WHERE name = '$1'"
}

# wait_change ID [SECONDS]: waits until the change is ready; prints its status.
wait_change() {
    local id=$1 n=$((${2:-20} * 20)) st
    for _ in $(seq "$n"); do
        st=$(sqlite3 "$DB" "SELECT status, ready_time IS NOT NULL FROM changes WHERE id = $id" 2>/dev/null || true)
        case "$st" in *"|1") echo "${st%|1}"; return 0 ;; esac
        sleep 0.05
    done
    echo "change $id not ready after ${2:-20} s: $st"
    return 1
}

# wait_all_ready: every change ready.
wait_all_ready() {
    for _ in $(seq 400); do
        [ "$(sqlite3 "$DB" 'SELECT COUNT(*) FROM changes WHERE ready_time IS NULL' 2>/dev/null)" = 0 ] && return 0
        sleep 0.05
    done
    echo "changes still in flight:"
    sqlite3 "$DB" 'SELECT id, kind, status FROM changes WHERE ready_time IS NULL'
    return 1
}

mounted_at() {
    awk -v p="$1" '$5 == p { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# check_consistent: state, blobs, mounts, loop devices, current symlinks and data agree, with no
# leftovers. Call it when no change is in flight.
check_consistent() {
    local bad=0 snap rev cur active blob
    local want_blobs="" want_mounts="" want_data=""
    for snap in $(sqlite3 "$DB" 'SELECT name FROM snaps'); do
        cur=$(snap_current "$snap")
        active=$(sqlite3 "$DB" "SELECT active FROM snaps WHERE name = '$snap'")
        for rev in $(snap_revs "$snap"); do
            blob=$ROOT/var/lib/snapd/snaps/${snap}_$rev.snap
            want_blobs="$want_blobs $blob"
            want_mounts="$want_mounts $ROOT/snap/$snap/$rev"
            want_data="$want_data $ROOT/var/snap/$snap/$rev"
            [ -f "$blob" ] || { echo "INCONSISTENT: $snap $rev in the state, no $blob"; bad=1; }
            mounted_at "$ROOT/snap/$snap/$rev" || { echo "INCONSISTENT: $snap $rev not mounted"; bad=1; }
            [ "$(losetup -j "$blob" | wc -l)" = 1 ] || { echo "INCONSISTENT: $blob has $(losetup -j "$blob" | wc -l) loop devices"; bad=1; }
            [ -d "$ROOT/var/snap/$snap/$rev" ] || { echo "INCONSISTENT: no data dir for $snap $rev"; bad=1; }
        done
        [ -d "$ROOT/var/snap/$snap/common" ] || { echo "INCONSISTENT: no common dir for $snap"; bad=1; }
        if [ "$active" = 1 ]; then
            [ "$(readlink "$ROOT/snap/$snap/current")" = "$cur" ] || { echo "INCONSISTENT: $ROOT/snap/$snap/current is '$(readlink "$ROOT/snap/$snap/current")', state says $cur"; bad=1; }
            [ "$(readlink "$ROOT/var/snap/$snap/current")" = "$cur" ] || { echo "INCONSISTENT: $ROOT/var/snap/$snap/current is not $cur"; bad=1; }
        else
            [ ! -e "$ROOT/snap/$snap/current" ] || { echo "INCONSISTENT: disabled $snap has a current symlink"; bad=1; }
        fi
    done
    local f
    for f in "$ROOT"/var/lib/snapd/snaps/* "$ROOT"/var/lib/snapd/snaps/.[!.]*; do
        [ -e "$f" ] || continue
        [ -d "$f" ] && continue
        case " $want_blobs " in *" $f "*) ;; *) echo "LEFTOVER: $f"; bad=1 ;; esac
    done
    while read -r f; do
        case " $want_mounts " in *" $f "*) ;; *) echo "LEFTOVER mount: $f"; bad=1 ;; esac
    done < <(awk -v r="$ROOT/snap/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo)
    while read -r f; do
        case " $want_blobs " in *" $f "*) ;; *) echo "LEFTOVER loop device on $f"; bad=1 ;; esac
    done < <(losetup -n -O BACK-FILE 2>/dev/null | sed 's/ (deleted)$//' | grep -F "$ROOT/" || true)
    for f in "$ROOT"/var/snap/*/* "$ROOT"/var/snap/*/.[!.]* "$ROOT"/snap/*/*; do
        [ -e "$f" ] || [ -L "$f" ] || continue
        case "$f" in */common | */current) continue ;; esac
        case "$f" in "$ROOT"/snap/*) case " $want_mounts " in *" $f "*) ;; *) echo "LEFTOVER: $f"; bad=1 ;; esac; continue ;; esac
        case " $want_data " in *" $f "*) ;; *) echo "LEFTOVER: $f"; bad=1 ;; esac
    done
    return $bad
}

# restore_snaps: stop the daemon, unmount everything under the root and detach its loop devices.
restore_snaps() {
    stop_daemon || true
    local m bad=0
    # Under the ASan+UBSan build: any report in the daemon's log fails the task.
    if [ -f "$SN_WORK/daemon.log" ] && grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$SN_WORK/daemon.log"; then
        echo "sanitizer report in the daemon's log:"
        cat "$SN_WORK/daemon.log"
        bad=1
    fi
    for m in $(awk -v r="$ROOT/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
        umount -l "$m" 2>/dev/null || true
    done
    for m in $(losetup -n -O NAME,BACK-FILE 2>/dev/null | awk -v r="$ROOT/" 'index($2, r) == 1 { print $1 }'); do
        losetup -d "$m" 2>/dev/null || true
    done
    return $bad
}
