#!/bin/sh
# Builds a static-pie executable against musl:
#   musl-static-pie.sh MUSL_GCC OUTPUT DEPFILE [-I...|-D...] SOURCE.c...
#
# Used for snap-exec (issue 5): glibc's start-up, static or dynamic, asks the CPU for its cache
# geometry with a few dozen CPUID instructions, and under a hypervisor each one traps (25-40 us
# here, so ~0.55 ms a process); musl's start-up asks nothing. musl-gcc's specs cannot link
# static-pie, so the link is spelled out: musl's rcrt1.o (self-relocating), its libc.a, libgcc.
set -eu
musl_gcc="$1"
out="$2"
depfile="$3"
shift 3
# The musl tree the wrapper points gcc at (".../musl-gcc.specs" next to crt1.o and libc.a).
specs=$(sed -n 's/.*-specs "\([^"]*\)".*/\1/p' "$(command -v "$musl_gcc")")
libdir=$(dirname "$specs")
test -f "$libdir/rcrt1.o" && test -f "$libdir/libc.a" || { echo "musl-static-pie.sh: no musl rcrt1.o/libc.a in $libdir" >&2; exit 1; }
multiarch=$(gcc -print-multiarch)
tmp=$(mktemp -d "${out}.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
flags=""
objs=""
i=0
for a in "$@"; do
    case "$a" in
    *.c)
        i=$((i + 1))
        # musl's headers first; the kernel's uapi headers (linux/, asm/) after them
        "$musl_gcc" -std=gnu11 -O2 -g -fPIE -fno-strict-aliasing -fstack-protector-strong -D_GNU_SOURCE \
            -Wall -Werror=implicit-function-declaration -Werror=incompatible-pointer-types -Werror=int-conversion \
            -idirafter /usr/include -idirafter "/usr/include/$multiarch" $flags -MD -MF "$tmp/$i.d" -c "$a" -o "$tmp/$i.o"
        objs="$objs $tmp/$i.o"
        ;;
    *) flags="$flags $a" ;;
    esac
done
# One make rule for ninja: the output depends on every source and header the compiles read.
{
    printf '%s:' "$out"
    sed -e 's/^[^:]*://' -e 's/\\$//' "$tmp"/*.d | tr '\n' ' '
    echo
} >"$depfile"
gcc -nostdlib -static-pie -Wl,-z,relro,-z,now,-z,noexecstack -o "$out" "$libdir/rcrt1.o" "$libdir/crti.o" \
    "$(gcc -print-file-name=crtbeginS.o)" $objs "$libdir/libc.a" "$(gcc -print-libgcc-file-name)" \
    "$(gcc -print-file-name=crtendS.o)" "$libdir/crtn.o"
