#!/bin/bash
# The transactional refresh, timed on a throw-away root through the real daemon (the helpers of
# spread-tests/refresh: busybox base, snap-confine, a strict snap whose web service answers on a
# localhost port through network-bind, and an endure service):
#   - `snap install --dangerous` of the next revision until the new revision's page is served;
#   - a refresh whose post-refresh hook fails: from the hook's exit (it writes /proc/uptime last)
#     until the old revision's page is served again, and the whole failed refresh end to end.
# Medians of N runs (default 7). Needs root. Prints the "## Refresh" section of docs/benchmarks.md.
#
#   bench/refresh.sh [BUILD_DIR] [N]     (default build/, 7)
set -euo pipefail
cd "$(dirname "$0")/.."
SN_SRC=$PWD
build=$(cd "${1:-build}" && pwd)
n=${2:-7}
[ -x "$build/snapd/snapd" ] && [ -x "$build/confine/snap-confine" ] || { echo "bench/refresh.sh: build $build first" >&2; exit 1; }
export SN_SRC SN_BUILD=$build
SN_WORK=$(mktemp -d /tmp/sn-bench-refresh-XXXXXX)
SNAPPY_GLOBAL_ROOT=$(mktemp -d /tmp/sn-bench-refresh-root-XXXXXX)
export SN_WORK SNAPPY_GLOBAL_ROOT TASK_DIR=$SN_SRC/spread-tests/refresh/kill9
export PATH="$build/snapd:$PATH"
cd "$SN_WORK"
set +u
. "$SN_SRC/spread-tests/refresh/refresh-lib.sh"
set -u
trap - ERR
cleanup() {
    restore_rf_root >/dev/null 2>&1 || true
    restore_snaps >/dev/null 2>&1 || true
    cd /
    rm -rf "$SN_WORK" "$SNAPPY_GLOBAL_ROOT"
}
trap cleanup EXIT

now() { cut -d' ' -f1 /proc/uptime; } # 10 ms resolution, the same clock inside the sandbox
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%d", (b - a) * 1000 }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

setup_rf_root >/dev/null
# pages "a" and "b" alternate, so every refresh has a new page to wait for
make_rf_snap a none "$SN_WORK/a.snap" >/dev/null
make_rf_snap b none "$SN_WORK/b.snap" >/dev/null
make_rf_snap bad post-refresh "$SN_WORK/bad.snap" >/dev/null
d="$SN_WORK/src-rf-bad-post-refresh"
printf '#!/bin/sh\necho "post-refresh: broken on purpose" >&2\ncut -d" " -f1 /proc/uptime > "$SNAP_COMMON/failed-at"\nexit 1\n' \
    >"$d/meta/hooks/post-refresh"
pack_snap "$d" "$SN_WORK/bad.snap" >/dev/null

page_is() { [ "$(fetch)" = "hello from $RF $1" ]; }
poll_page() { # PAGE: polls (no sleep) for up to 20 s
    local end=$(($(date +%s) + 20))
    until page_is "$1"; do [ "$(date +%s)" -lt "$end" ] || return 1; done
}

: >refresh.ms
: >done.ms
next=a
for _ in $(seq "$n"); do
    sleep 2.5 # the supervisor's start limit (5 starts in 10 s, systemd's default) counts refreshes too
    t0=$(now)
    snap_cli install --dangerous "$SN_WORK/$next.snap" >/dev/null &
    ipid=$!
    poll_page "$next" || { echo "the refresh to $next never answered" >&2; exit 1; }
    ms "$t0" "$(now)" >>refresh.ms
    echo >>refresh.ms
    wait $ipid || { echo "the refresh to $next failed" >&2; exit 1; }
    ms "$t0" "$(now)" >>done.ms
    echo >>done.ms
    next=$([ $next = a ] && echo b || echo a)
done
cur=$([ $next = a ] && echo b || echo a)

: >back.ms
: >failed.ms
for _ in $(seq "$n"); do
    sleep 2.5
    rm -f "$ROOT/var/snap/$RF/common/failed-at"
    t0=$(now)
    if snap_cli install --dangerous "$SN_WORK/bad.snap" >/dev/null 2>&1; then echo "the bad refresh passed" >&2; exit 1; fi
    poll_page "$cur" || { echo "$cur never answered again" >&2; exit 1; }
    t1=$(now)
    [ -s "$ROOT/var/snap/$RF/common/failed-at" ] || { echo "the hook left no time" >&2; exit 1; }
    ms "$(cat "$ROOT/var/snap/$RF/common/failed-at")" "$t1" >>back.ms
    echo >>back.ms
    ms "$t0" "$t1" >>failed.ms
    echo >>failed.ms
done

r=$(grep . refresh.ms | median)
dn=$(grep . done.ms | median)
b=$(grep . back.ms | median)
f=$(grep . failed.ms | median)
cat <<OUT
## Refresh

Measured by \`bench/refresh.sh\` on $(date -u +%F), $(nproc) CPUs, kernel $(uname -r); medians of $n runs,
clock /proc/uptime (10 ms steps). The snap: a strict busybox-base snap whose web service (busybox
httpd, network-bind) and an endure service run confined under the daemon's supervisor; the client is
our \`snap\`; "answering" is the first \`busybox wget\` of the port that gets the expected page.

| measure | median | runs (ms) |
| --- | --- | --- |
| \`snap install --dangerous\` of the next revision until its service answers | $r ms | $(grep . refresh.ms | tr '\n' ' ') |
| ... until the client returns (the change is Done: the 1 s start window, configure, check-health) | $dn ms | $(grep . done.ms | tr '\n' ' ') |
| failed post-refresh hook's exit until the old revision's service answers again | $b ms | $(grep . back.ms | tr '\n' ' ') |
| the failed refresh end to end (install call until the old page again) | $f ms | $(grep . failed.ms | tr '\n' ' ') |

A refresh stops the service (the endure one keeps running), switches revisions, copies SNAP_DATA,
compiles the policy, runs the hooks and starts the new service inside its start window (1 s); the
rollback undoes the tasks in reverse and starts the old revision's service again without a window.
OUT
