#!/bin/sh
# Fails when the helper needs a shared library other than libc (STYLE.md, the privileged helper; issue 5:
# capabilities and AppArmor's exec attribute are raw syscalls and /proc writes, so libcap and libapparmor
# are gone). A static-pie helper (the musl build) needs nothing and must have no program interpreter.
# usage: test-dt-needed.sh BINARY [b_sanitize value]
set -eu
bin="$1"
sanitize="${2:-none}"
needed=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if [ -z "$needed" ]; then
    if readelf -l "$bin" | grep -q 'INTERP'; then
        echo "$bin has a program interpreter but no DT_NEEDED entries were read"
        exit 1
    fi
    readelf -h "$bin" | grep -q 'DYN' || { echo "$bin is static but not position-independent (static-pie)"; exit 1; }
    echo "ok: $bin is static-pie, no shared library"
    exit 0
fi
status=0
for lib in $needed; do
    case "$lib" in
    libc.so.*) echo "ok: $lib" ;;
    libasan.so.*|libubsan.so.*)
        if [ "$sanitize" != none ]; then echo "ok (sanitizer build): $lib"; else echo "NOT ALLOWED: $lib"; status=1; fi ;;
    *) echo "NOT ALLOWED: $bin needs $lib"; status=1 ;;
    esac
done
exit $status
