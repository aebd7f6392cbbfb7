#!/bin/sh
# `snap` (the launch path: snap run and the /snap/bin wrappers) must not load the heavy libraries that
# only snap-full's verbs use (issue 5): fails on libcrypto, libsquashfs, its compressors or libseccomp.
# usage: test-snap-dt-needed.sh SNAP SNAP_FULL
set -eu
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
lite=$(needed "$1")
full=$(needed "$2")
test -n "$lite" || { echo "no DT_NEEDED entries read from $1"; exit 1; }
# The check must be able to fail: snap-full does link the heavy ones.
echo "$full" | grep -q '^libcrypto\.so' || { echo "expected snap-full ($2) to need libcrypto, got: $full"; exit 1; }
status=0
for lib in $lite; do
    case "$lib" in
    libcrypto.so.* | libssl.so.* | libsquashfs.so.* | liblzma.so.* | liblzo2.so.* | libz.so.* | liblz4.so.* | \
        libzstd.so.* | libseccomp.so.* | libapparmor.so.*)
        echo "NOT ALLOWED: $1 needs $lib (a snap-full library)"
        status=1
        ;;
    *) echo "ok: $lib" ;;
    esac
done
exit $status
