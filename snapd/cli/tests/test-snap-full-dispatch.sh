#!/bin/sh
# `snap` runs the verbs it lacks (pack, info, sign, keys, create-key, export-key, debug) through
# snap-full: beside itself first, else at its installed path (issue 5).
# usage: test-snap-full-dispatch.sh SNAP SNAP_FULL INSTALLED_SNAP_FULL
set -eu
snap="$1"
full="$2"
installed="$3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The same help text either way, for a verb snap has and for one it hands over.
for verb in pack keys run; do
    "$snap" help "$verb" >"$tmp/lite" 2>&1 || { echo "snap help $verb failed:"; cat "$tmp/lite"; exit 1; }
    "$full" help "$verb" >"$tmp/full" 2>&1
    cmp -s "$tmp/lite" "$tmp/full" || { echo "snap help $verb differs from snap-full's:"; diff "$tmp/lite" "$tmp/full"; exit 1; }
done

# A relocated pair: snap finds snap-full beside itself.
mkdir "$tmp/bin"
cp "$snap" "$tmp/bin/snap"
cp "$full" "$tmp/bin/snap-full"
"$tmp/bin/snap" pack --help | grep -q 'snap pack' || { echo "expected snap pack's help through the sibling snap-full"; exit 1; }
"$tmp/bin/snap" debug sandbox-features | grep -q '^confinement' || { echo "expected snap debug through snap-full"; exit 1; }

# Alone, it says which snap-full it could not run (unless one is installed there).
rm "$tmp/bin/snap-full"
if [ ! -e "$installed" ]; then
    if "$tmp/bin/snap" keys >"$tmp/out" 2>&1; then echo "expected snap keys to fail without snap-full"; exit 1; fi
    grep -q "cannot run $installed" "$tmp/out" || { echo "expected the missing snap-full named, got:"; cat "$tmp/out"; exit 1; }
fi
echo ok
