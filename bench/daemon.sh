#!/bin/bash
# The daemon's benchmark: idle memory (RSS and RssAnon, from /proc/PID/status) of our snapd, the
# size of its binary, and API requests per second on one kept-open connection, against the
# anchor figures for Debian's snapd 2.57.6 measured on this kind of machine
# (../shared/reference/machine-and-anchors.md). Prints the "## Daemon" section of docs/benchmarks.md.
#
#   bench/daemon.sh [BUILD_DIR]     (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
snapd="$build/snapd/snapd"
client="$build/snapd/tests/api-client"
[ -x "$snapd" ] && [ -x "$client" ] || { echo "bench/daemon.sh: build $snapd and $client first" >&2; exit 1; }

root=$(mktemp -d /tmp/sn-bench-daemon-XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    umount -l "$root/snap" 2>/dev/null || true # the daemon made it a shared mount point
    rm -rf "$root"
}
trap cleanup EXIT

SNAPPY_GLOBAL_ROOT="$root" "$snapd" 2>/dev/null &
pid=$!
for _ in $(seq 200); do [ -S "$root/run/snapd.socket" ] && break; sleep 0.01; done
sock="$root/run/snapd.socket"

status_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }
mib() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# Idle: after start-up and one request of each kind, as an idle snapd would have served.
"$client" "$sock" GET /v2/system-info >/dev/null
"$client" "$sock" GET /v2/snaps >/dev/null
sleep 1
rss=$(status_kb VmRSS)
anon=$(status_kb RssAnon)
threads=$(status_kb Threads)
size=$(stat -c %s "$snapd")

rate() { "$client" --repeat "$1" "$sock" GET "$2" 2>&1 >/dev/null | awk '/requests\/s/ { print $2 }'; }
"$client" --repeat 2000 "$sock" GET /v2/snaps >/dev/null 2>&1 # warm up
snaps_rate=$(rate 50000 /v2/snaps)
info_rate=$(rate 20000 /v2/system-info)
after_rss=$(status_kb VmRSS)

cat <<MD
## Daemon

Measured by \`bench/daemon.sh $build\` on $(date -u +%Y-%m-%d), $(nproc) CPUs, kernel $(uname -r); the client is
\`snapd/tests/api-client\` (C, one kept-open connection, requests one after another).
Anchors: Debian's snapd 2.57.6 as measured in \`../shared/reference/machine-and-anchors.md\`.

| measure | microsnap snapd | snapd 2.57.6 (anchor) | ratio |
| --- | --- | --- | --- |
| idle RSS | $(mib "$rss") MiB | 24.2 MB | $(awk -v a="$rss" 'BEGIN { printf "%.2f", a * 1024 / 24.2e6 }') |
| idle RssAnon | $(mib "$anon") MiB | 7.6 MB | $(awk -v a="$anon" 'BEGIN { printf "%.2f", a * 1024 / 7.6e6 }') |
| threads | $threads | 7 | |
| daemon binary (unstripped) | $(awk -v s="$size" 'BEGIN { printf "%.0f KiB", s / 1024 }') | 19.8 MB | $(awk -v s="$size" 'BEGIN { printf "%.3f", s / 19.8e6 }') |
| GET /v2/snaps, kept-open connection | $snaps_rate req/s ($(awk -v r="$snaps_rate" 'BEGIN { printf "%.3f", 1000 / r }') ms) | 0.09 ms, "about 2,600 req/s" | |
| GET /v2/system-info, kept-open connection | $info_rate req/s ($(awk -v r="$info_rate" 'BEGIN { printf "%.3f", 1000 / r }') ms) | 0.25 ms | |
| RSS after $((50000 + 20000 + 2000)) requests | $(mib "$after_rss") MiB | | |

The daemon holds the state (SQLite, WAL), the task runner's threads and both API sockets while idle;
the snaps list is empty here (no install handlers yet), so /v2/snaps measures the request path:
HTTP parsing, routing, one state read and the JSON envelope.
MD
