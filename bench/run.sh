#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-only
# Benchmarks for snap pack and SHA3-384, as ratios against the anchors in one run:
#   - our `snap pack` vs mksquashfs with snapd's options vs Debian snapd's own `snap pack`,
#     on a ~300 MB mixed tree (a copy of parts of /usr/lib);
#   - our SHA3-384 (formats/digest.c) vs `openssl dgst -sha3-384` on the packed snap and a 1 GiB file.
# The page cache is warmed before every timed run (this machine evicts pages idle for ~60 s).
#
# Usage: bench/run.sh [BUILD_DIR]   (default: build). Needs root only for apt-get download.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
SNAP="$BUILD/snapd/snap"
WORK=${BENCH_WORK:-/tmp/sn-bench}
RUNS=${BENCH_RUNS:-3}
mkdir -p "$WORK"
cd "$WORK"

echo "== inputs"
if [ ! -d tree ]; then
    mkdir -p tree/meta
    # ~300 MB of mixed content: shared libraries, Python sources and bytecode, gcc's files.
    cp -a /usr/lib/python3 /usr/lib/gcc tree/
    mkdir -p tree/lib && cp -a /usr/lib/x86_64-linux-gnu/perl-base /usr/lib/x86_64-linux-gnu/gconv tree/lib/ 2>/dev/null || true
    find /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f -name '*.so*' -size -4M | head -400 | xargs cp -t tree/lib/
    printf 'name: bench-tree\nversion: "1"\nsummary: bench\ndescription: bench\n' > tree/meta/snap.yaml
fi
if [ ! -x debsnapd/usr/bin/snap ]; then
    mkdir -p dl && (cd dl && apt-get download snapd >/dev/null 2>&1)
    dpkg-deb -x dl/snapd_*.deb debsnapd
fi
echo "tree: $(du -sh --apparent-size tree | cut -f1), $(find tree | wc -l) entries; cores: $(nproc)"
echo "Debian snapd: $(SNAP_REEXEC=0 debsnapd/usr/bin/snap version 2>/dev/null | sed -n 's/^snap  *//p')"

warm_tree='find '"$WORK"'/tree -type f -print0 | xargs -0 cat > /dev/null'
MKSQ="mksquashfs $WORK/tree $WORK/mk.snap -noappend -comp xz -no-fragments -no-progress -all-root -no-xattrs"
OURS="$SNAP pack $WORK/tree $WORK/ours"
STOCK="env SNAP_REEXEC=0 $WORK/debsnapd/usr/bin/snap pack $WORK/tree $WORK/stock"

echo
echo "== snap pack (xz, no fragments, all-root, no xattrs), $RUNS runs each, cache warmed before each"
hyperfine --style basic --runs "$RUNS" --prepare "$warm_tree; rm -rf $WORK/ours $WORK/stock $WORK/mk.snap" \
    --export-json pack.json -n "microsnap snap pack" "$OURS" -n "mksquashfs" "$MKSQ" -n "snapd 2.57 snap pack" "$STOCK"
rm -rf "$WORK/ours" "$WORK/stock"
"$SNAP" pack "$WORK/tree" "$WORK/ours" >/dev/null
ours_snap=$(ls "$WORK"/ours/*.snap)
SNAP_REEXEC=0 debsnapd/usr/bin/snap pack "$WORK/tree" "$WORK/stock" >/dev/null
$MKSQ >/dev/null
echo "sizes: microsnap $(stat -c %s "$ours_snap"), mksquashfs $(stat -c %s mk.snap), snapd $(stat -c %s stock/*.snap) bytes"
python3 - pack.json <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
m = {k: v["mean"] for k, v in r.items()}
ours = m["microsnap snap pack"]
for k in ("mksquashfs", "snapd 2.57 snap pack"):
    print("pack time ratio %s / microsnap: %.2f (%.2f s vs %.2f s)" % (k, m[k] / ours, m[k], ours))
PY

echo
echo "== SHA3-384, cache warmed before each run"
HELPER="$WORK/sn-sha3"
cc -O2 -std=gnu11 -D_GNU_SOURCE -I"$SRC/common" -I"$SRC/formats" -I"$BUILD" "$SRC/bench/sn-sha3.c" \
    "$BUILD/formats/libsnsquashfs.a" "$BUILD/common/libsncommon.a" -lcrypto -o "$HELPER"
[ -f big.bin ] || head -c 1073741824 /dev/urandom > big.bin
for f in "$ours_snap" "$WORK/big.bin"; do
    want=$(openssl dgst -sha3-384 -r "$f" | cut -d' ' -f1)
    got=$("$HELPER" "$f" | cut -d' ' -f1)
    [ "$want" = "$got" ] || { echo "digest mismatch on $f: $got vs openssl $want" >&2; exit 1; }
    echo "$(basename "$f"): $(stat -c %s "$f") bytes, digests agree"
    hyperfine --style basic --runs $((RUNS * 3)) --warmup 1 --prepare "cat $f > /dev/null" \
        --export-json "hash-$(basename "$f").json" -n "microsnap sha3-384" "$HELPER $f" \
        -n "openssl dgst -sha3-384" "openssl dgst -sha3-384 $f"
    python3 - "hash-$(basename "$f").json" "$(stat -c %s "$f")" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
size = int(sys.argv[2])
ours, ossl = r["microsnap sha3-384"], r["openssl dgst -sha3-384"]
print("hash ratio openssl / microsnap: %.2f (%.0f MB/s vs %.0f MB/s)" % (ossl / ours, size / ours / 1e6, size / ossl / 1e6))
PY
done
