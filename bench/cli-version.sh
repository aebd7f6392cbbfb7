#!/bin/bash
# `snap version` start-to-exit: our client against the stock one from Debian's snapd package
# (scripts/stock-snap.sh), both asking our daemon on a throw-away root; /bin/true is the cost of
# fork+exec from this shell loop. Usage: bench/cli-version.sh BUILD_DIR [RUNS]
set -eu
build=$(cd "${1:?usage: bench/cli-version.sh BUILD_DIR [RUNS]}" && pwd)
runs=${2:-300}
cd "$(dirname "$0")/.."
stock=$(scripts/stock-snap.sh)
root=$(mktemp -d)
export SNAPPY_GLOBAL_ROOT=$root SNAP_REEXEC=0
setsid "$build/snapd/snapd" >"$root.log" 2>&1 </dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; umount -l "$root/snap" 2>/dev/null; rm -rf "$root" "$root.log"' EXIT
for _ in $(seq 100); do [ -S "$root/run/snapd.socket" ] && break; sleep 0.05; done

per_run() { # BIN ARGS...: mean milliseconds per run
    local start end
    start=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do "$@" >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo "scale=2; ($end - $start) / 1000000 / $runs" | bc
}
ours=$(per_run "$build/snapd/snap" version)
theirs=$(per_run "$stock" version)
help=$(per_run "$build/snapd/snap" help)
base=$(per_run /bin/true)
echo "ours snap version: $ours ms; stock snap version: $theirs ms; ours snap help (no request): $help ms; /bin/true: $base ms"
echo "ratio ours/stock: $(echo "scale=2; $ours / $theirs" | bc)"
