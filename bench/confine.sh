#!/bin/bash
# The confinement benchmark: launch time of `snap run` for a shell-script app (warm: the preserved
# mount namespace is joined; cold: it is created), of snap-confine alone, of the script run
# directly, and of bwrap --unshare-all of /bin/true, all in one run with hyperfine, against the
# anchors for Debian's snapd 2.57.6 on this kind of machine (../shared/reference/machine-and-anchors.md).
# Prints the "## Confinement" section of docs/benchmarks.md.
#
#   bench/confine.sh [BUILD_DIR]     (default build/; run as root: it mounts a throw-away root)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
for f in "$build/snapd/snap" "$build/confine/snap-confine" "$build/confine/snap-exec" "$build/policy/snap-policy-compile"; do
    [ -x "$f" ] || { echo "bench/confine.sh: build $f first" >&2; exit 1; }
done
command -v hyperfine >/dev/null && command -v bwrap >/dev/null ||
    { echo "bench/confine.sh: needs hyperfine and bwrap (scripts/packages.txt)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench/confine.sh: run as root" >&2; exit 1; }

# The spread tests' set-up: busybox base and the test snap loop-mounted in a throw-away root.
export SN_SRC=$PWD SN_BUILD=$build
SN_WORK=$(mktemp -d /tmp/sn-bench-confine-XXXXXX)
SNAPPY_GLOBAL_ROOT=$(mktemp -d /tmp/sn-bench-root-XXXXXX)
export SN_WORK SNAPPY_GLOBAL_ROOT
. spread-tests/run/lib.sh
cleanup() {
    restore_run_root >/dev/null 2>&1 || true
    rm -rf "$SN_WORK" "$SNAPPY_GLOBAL_ROOT" /root/snap/sntest
}
trap cleanup EXIT
(cd "$SN_WORK" && setup_run_root) >/dev/null

app="$SNAP_NAME.probe"
script="$ROOT/snap/$SNAP_NAME/x1/bin/probe"
ns="$ROOT/run/snapd/ns/snap.$SNAP_NAME.mnt"
user="setpriv --reuid $TEST_USER --regid $TEST_USER --init-groups --"
# What snap run would pass to snap-confine, for the helper-alone row.
export SNAP="/snap/$SNAP_NAME/x1" SNAP_NAME SNAP_INSTANCE_NAME=$SNAP_NAME SNAP_REVISION=x1 HOME=/root
"$SNAP_CLI" run "$app" exit 0 # creates the namespace and the user dirs once
$user "$SNAP_CLI" run "$app" exit 0

json="$SN_WORK/hf.json"
hf() { # NAME ARGS...: mean and stddev in ms of one command
    local name="$1"; shift
    hyperfine -N --style none --warmup 5 --runs "${RUNS:-60}" --export-json "$json" "$@" >/dev/null 2>&1
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print("%s %.2f %.2f" % (sys.argv[2], r["median"]*1e3, r["stddev"]*1e3))' "$json" "$name"
}
results=$(
    hf true /bin/true
    hf script "$script exit 0"
    hf confine "$LIBEXEC/snap-confine --base $BASE_NAME snap.$app /usr/lib/snapd/snap-exec $app exit 0"
    hf cli "$SNAP_CLI run --help"
    hf warm "$SNAP_CLI run $app exit 0"
    hf cold --prepare "umount -l $ns" "$SNAP_CLI run $app exit 0"
    hf user-true "$user /bin/true"
    hf user-warm "$user $SNAP_CLI run $app exit 0"
    hf bwrap "bwrap --unshare-all --ro-bind / / /bin/true"
    hf bwrap-net "bwrap --unshare-all --share-net --ro-bind / / /bin/true"
)
get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$results"; }
sd() { awk -v k="$1" '$1 == k { print $3 }' <<<"$results"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

cat <<MD
## Confinement

\`bench/confine.sh\`: one run on $(nproc) CPUs, kernel $(uname -r), hyperfine (${RUNS:-60} runs after 5
warm-ups, no shell). The app is a shell script (busybox \`sh\` in the base snap, \`exit 0\`) in a
snap loop-mounted on a throw-away root, with its policy compiled by \`snap-policy-compile\`;
\`snap run\` goes through the setuid snap-confine (namespace, device cgroup, privilege drop,
Landlock, seccomp) and snap-exec. Run as root unless the row says otherwise. Anchors: Debian's
snapd 2.57.6 on this kind of machine (\`machine-and-anchors.md\`).

| launch | here, median ms ± sd | snapd anchor, ms | anchor / here |
| --- | --- | --- | --- |
| \`snap run\`, warm (namespace joined) | $(get warm) ± $(sd warm) | 23.5 | $(ratio 23.5 "$(get warm)")x |
| \`snap run\`, cold (namespace created) | $(get cold) ± $(sd cold) | 46.4 | $(ratio 46.4 "$(get cold)")x |
| snap-confine + snap-exec alone, warm | $(get confine) ± $(sd confine) | 9.8 | $(ratio 9.8 "$(get confine)")x |
| the script alone (host \`sh\`) | $(get script) ± $(sd script) | 0.73 | |
| \`snap run\`, warm, as the non-root user, over \`setpriv\` of /bin/true | $(minus "$(get user-warm)" "$(get user-true)") | | |
| \`snap run --help\` (the CLI's start-up alone) | $(get cli) ± $(sd cli) | | |
| \`bwrap --unshare-all --ro-bind / / /bin/true\` | $(get bwrap) ± $(sd bwrap) | 6.3 | |
| the same with \`--share-net\` | $(get bwrap-net) ± $(sd bwrap-net) | 4.5 | |
| \`/bin/true\` | $(get true) ± $(sd true) | 0.8 | |

Ratios in this run: a warm \`snap run\` adds **$(minus "$(get warm)" "$(get script)") ms** over running the
script directly (the aim: within 2 ms); it takes $(ratio "$(get warm)" "$(get bwrap)")x the time of bwrap's
\`--unshare-all\` launch of /bin/true (bwrap builds a new user, pid, net, ipc and uts namespace and a
new mount namespace every time; \`snap run\` joins a preserved mount namespace, and also parses
snap.yaml, loads and checks the policy, applies the device cgroup, Landlock and two seccomp
filters); a cold \`snap run\` costs $(ratio "$(get cold)" "$(get warm)")x a warm one.

Where a warm launch goes: the \`snap\` process costs $(minus "$(get cli)" "$(get true)") ms over /bin/true before it does
anything (the dynamic loading of the libraries the one \`snap\` binary links for its other verbs:
libcrypto, libsquashfs and its compressors, libyaml, jansson), reading snap.yaml and building the
environment the rest of $(minus "$(minus "$(get warm)" "$(get confine)")" "$(minus "$(get cli)" "$(get true)")") ms; snap-confine
and snap-exec $(minus "$(get confine)" "$(get script)") ms (a setuid exec, the trusted-path walks, the
blob checks, the device-cgroup writes, Landlock and two seccomp filters, then a static snap-exec).
The aim (within 2 ms of a direct exec, faster than bwrap) is $(awk -v o="$(minus "$(get warm)" "$(get script)")" -v w="$(get warm)" -v b="$(get bwrap)" 'BEGIN { if (o <= 2 && w < b) print "met"; else if (o <= 2) print "met for the 2 ms, not against bwrap"; else if (w < b) print "met against bwrap, not for the 2 ms"; else print "not met" }'); against snapd the same launch is
$(ratio 23.5 "$(get warm)")x faster warm and $(ratio 46.4 "$(get cold)")x cold.
MD
