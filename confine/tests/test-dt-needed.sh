#!/bin/sh
# Fails when the helper needs a shared library outside its allow-list (STYLE.md, the privileged helper).
# usage: test-dt-needed.sh BINARY [b_sanitize value]
set -eu
bin="$1"
sanitize="${2:-none}"
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
test -n "$needed" || { echo "no DT_NEEDED entries read from $bin"; exit 1; }
status=0
for lib in $needed; do
    case "$lib" in
    libc.so.*|libcap.so.*|libapparmor.so.*) echo "ok: $lib" ;;
    libasan.so.*|libubsan.so.*)
        if [ "$sanitize" != none ]; then echo "ok (sanitizer build): $lib"; else echo "NOT ALLOWED: $lib"; status=1; fi ;;
    *) echo "NOT ALLOWED: $bin needs $lib"; status=1 ;;
    esac
done
exit $status
