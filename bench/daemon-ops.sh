#!/bin/bash
# Snap operations in the daemon: install of a 4 KiB snap and of a 100 MB snap (client upload + the
# change, measured end to end) against the cost of `openssl dgst -sha3-384` + `cp` of the same bytes,
# fsyncs per install (strace -f -c on the daemon), and daemon memory with 20 snaps installed.
# Anchors: Debian's snapd 2.57.6 (../shared/reference/machine-and-anchors.md). Needs root (mounts).
# Prints the "### Snap operations" part of docs/benchmarks.md's "## Daemon" section.
#
#   bench/daemon-ops.sh [BUILD_DIR]     (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
snapd="$build/snapd/snapd"
pack="$build/snapd/snap"
[ -x "$snapd" ] && [ -x "$pack" ] || { echo "bench/daemon-ops.sh: build $snapd and $pack first" >&2; exit 1; }
for tool in curl strace openssl sqlite3 mksquashfs; do
    command -v "$tool" >/dev/null || { echo "bench/daemon-ops.sh: needs $tool" >&2; exit 1; }
done

work=$(mktemp -d /tmp/sn-bench-ops-XXXXXX)
root=$work/root
mkdir -p "$root"
pid=
stop_daemon() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    pid=
}
cleanup() {
    stop_daemon
    for m in $(awk -v r="$root/" 'index($5, r) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
    rm -rf "$work"
}
trap cleanup EXIT

start_daemon() {
    SNAPPY_GLOBAL_ROOT="$root" "$snapd" 2>>"$work/daemon.log" &
    pid=$!
    for _ in $(seq 200); do [ -S "$root/run/snapd.socket" ] && break; sleep 0.01; done
}
sock=$root/run/snapd.socket
db=$root/var/lib/snapd/state.db

# A snap directory packed with our snap pack; for 100 MB of incompressible data, mksquashfs without
# data compression (packing 100 MB with xz would take most of a minute and does not change install).
mk_snap() { # NAME SIZE_BYTES OUT
    local d=$work/src-$1
    mkdir -p "$d/meta" "$d/bin"
    printf 'name: %s\nversion: "1"\nsummary: bench\ndescription: bench\napps:\n  %s:\n    command: bin/run\n' "$1" "$1" >"$d/meta/snap.yaml"
    printf '#!/bin/sh\n' >"$d/bin/run"
    chmod 0755 "$d/bin/run"
    if [ "$2" -gt 0 ]; then head -c "$2" /dev/urandom >"$d/payload"; fi
    if [ "$2" -gt 1000000 ]; then
        mksquashfs "$d" "$3" -noappend -noD -all-root -no-xattrs -quiet >/dev/null
    else
        "$pack" pack "$d" "$work" >/dev/null
        mv "$work/${1}_1_all.snap" "$3"
    fi
}

now_ns() { date +%s%N; }

# One sideload, end to end: the upload (curl, as snapd's client sends it: it returns once the daemon
# has the file and has made the change) plus the change's own span (spawn to ready, from the state).
# The wait polls gently (every 20 ms): polling hard would load the 2 CPUs and the state database,
# and the span comes from the state's timestamps anyway. Prints "TOTAL|IN-THE-DAEMON" in ms.
install_ms() { # FILE
    local t0 t1 id ready
    t0=$(now_ns)
    id=$(curl -s --unix-socket "$sock" -F action=install -F dangerous=true -F "snap=@$1" http://localhost/v2/snaps |
        sed -n 's/.*"change":"\([0-9]*\)".*/\1/p')
    t1=$(now_ns)
    [ -n "$id" ] || { echo "the sideload was refused" >&2; exit 1; }
    for _ in $(seq 3000); do
        ready=$(sqlite3 "$db" "SELECT status FROM changes WHERE id = $id AND ready_time IS NOT NULL" 2>/dev/null || true)
        [ -n "$ready" ] && break
        sleep 0.02
    done
    [ "$ready" = 4 ] || { echo "change $id ended with status $ready" >&2; exit 1; }
    sqlite3 "$db" "SELECT round(($t1 - $t0) / 1e6 + (ready_time - spawn_time) / 1e6, 1),
                          round((ready_time - spawn_time) / 1e6, 1) FROM changes WHERE id = $id"
}

remove_all() {
    local n
    for n in $(sqlite3 "$db" 'SELECT name FROM snaps'); do
        curl -s --unix-socket "$sock" -H 'Content-Type: application/json' -d '{"action":"remove"}' \
            "http://localhost/v2/snaps/$n" >/dev/null
    done
    for _ in $(seq 2000); do
        [ "$(sqlite3 "$db" 'SELECT COUNT(*) FROM changes WHERE ready_time IS NULL')" = 0 ] && break
        sleep 0.005
    done
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

start_daemon

# ---- 4 KiB snap: first installs (removed between runs) and refreshes ----
mk_snap small 0 "$work/small.snap"
small_size=$(stat -c %s "$work/small.snap")
first=() first_daemon=() refresh=() refresh_daemon=()
for i in $(seq 10); do
    read -r a b < <(install_ms "$work/small.snap" | tr '|' ' ')
    first+=("$a") first_daemon+=("$b")
    read -r a b < <(install_ms "$work/small.snap" | tr '|' ' ')
    refresh+=("$a") refresh_daemon+=("$b")
    remove_all
done
m_first=$(printf '%s\n' "${first[@]}" | median)
m_first_d=$(printf '%s\n' "${first_daemon[@]}" | median)
m_refresh=$(printf '%s\n' "${refresh[@]}" | median)
m_refresh_d=$(printf '%s\n' "${refresh_daemon[@]}" | median)

# ---- fsyncs (and fdatasyncs, syncfs) per install, counted in the daemon ----
count_syncs() { # what-to-run
    strace -f -c -e trace=fsync,fdatasync,syncfs -p "$pid" -o "$work/strace.out" 2>/dev/null &
    local spid=$!
    sleep 0.5
    "$@" >/dev/null
    sleep 0.2
    kill -INT "$spid"
    wait "$spid" 2>/dev/null || true
    awk '$NF ~ /^(fsync|fdatasync|syncfs)$/ { n += $4 } END { print n + 0 }' "$work/strace.out"
}
sync_first=$(count_syncs install_ms "$work/small.snap")
sync_refresh=$(count_syncs install_ms "$work/small.snap")
remove_all

# ---- 100 MB snap against hash + copy of the same bytes ----
mk_snap big 100000000 "$work/big.snap"
big_size=$(stat -c %s "$work/big.snap")
cat "$work/big.snap" >/dev/null # warm the page cache (it evicts idle pages after ~60 s)
hashcopy=()
big=() big_d=()
for i in 1 2 3; do
    cat "$work/big.snap" >/dev/null
    t0=$(now_ns)
    openssl dgst -sha3-384 "$work/big.snap" >/dev/null
    cp "$work/big.snap" "$work/copy.snap"
    t1=$(now_ns)
    rm -f "$work/copy.snap"
    hashcopy+=("$(( (t1 - t0) / 1000000 ))")
    cat "$work/big.snap" >/dev/null
    read -r a b < <(install_ms "$work/big.snap" | tr '|' ' ')
    big+=("$a") big_d+=("$b")
    remove_all
done
m_hashcopy=$(printf '%s\n' "${hashcopy[@]}" | median)
m_big=$(printf '%s\n' "${big[@]}" | median)
m_big_d=$(printf '%s\n' "${big_d[@]}" | median)

# ---- memory with 20 snaps installed ----
for i in $(seq 20); do
    mk_snap "app$i" 0 "$work/app$i.snap"
    install_ms "$work/app$i.snap" >/dev/null
done
sleep 1
rss=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$pid/status")
anon=$(awk '$1 == "RssAnon:" { print $2 }' "/proc/$pid/status")
threads=$(awk '$1 == "Threads:" { print $2 }' "/proc/$pid/status")
mounts=$(awk -v r="$root/snap/" 'index($5, r) == 1' /proc/self/mountinfo | wc -l)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }
cat <<OUT
### Snap operations

Measured by \`bench/daemon-ops.sh $build\` on $(date -u +%Y-%m-%d), $(nproc) CPUs, kernel $(uname -r). An install is
timed end to end: the multipart upload with \`curl\` (as snapd's client sends it) and the change until it is
ready; "in the daemon" is the change's own span (spawn to ready, from the state). Medians of 10 runs (3 for
100 MB). Sideloads are \`--dangerous\`: nothing is hashed (an asserted install hashes while the upload streams).

| measure | microsnap | anchor | ratio |
| --- | --- | --- | --- |
| install of a ${small_size}-byte snap (first) | ${m_first} ms (in the daemon ${m_first_d} ms) | snapd 310-508 ms (daemon side 221-393); aim < 30 ms | $(ratio "$m_first" 310) |
| the same again (a refresh: data copy, retain) | ${m_refresh} ms (in the daemon ${m_refresh_d} ms) | | |
| install of a ${big_size}-byte snap | ${m_big} ms (in the daemon ${m_big_d} ms) | openssl dgst -sha3-384 + cp: ${m_hashcopy} ms; aim within 1.3x | $(ratio "$m_big" "$m_hashcopy") |
| fsync + fdatasync + syncfs per install (first / refresh) | ${sync_first} / ${sync_refresh} | snapd 134-144 per remove+install; aim at most 20 | |
| daemon RSS with 20 snaps installed ($mounts mounts) | $(mib "$rss") MiB (RssAnon $(mib "$anon") MiB, $threads threads) | snapd 33-37 MB with 4 snaps | |
OUT
