#!/bin/sh
# The whole test suite: format check, unit tests and fuzz-corpus replay in build/, the
# integration tests in spread-tests/, and the same unit and fuzz tests again in build-asan/
# (ASan + UBSan, leak detection on, fault injection compiled in), then the integration tests
# again against the sanitized binaries. Stops at the first failing stage.
set -eu
cd "$(dirname "$0")/.."

stage() { printf '\n==> %s\n' "$*"; }

stage "format check (clang-format)"
scripts/format.sh --check

stage "docs (a man page per verb, pages render cleanly)"
scripts/check-docs.sh

stage "unit tests and fuzz-corpus replay (build/)"
meson test -C build --print-errorlogs --num-processes 2

stage "integration tests (spread-tests/)"
build/spread-tests/spread-run -b build spread-tests

stage "ASan + UBSan build (build-asan/)"
if [ ! -f build-asan/build.ninja ]; then
    meson setup build-asan -Dtests=enabled -Dfault_injection=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debug >/dev/null
fi
ninja -C build-asan >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
LSAN_OPTIONS=report_objects=1 \
    meson test -C build-asan --print-errorlogs --num-processes 2 --suite unit --suite fuzz

stage "integration tests against the ASan + UBSan binaries"
# The sanitized daemon, snap and tools, with build/'s setuid snap-confine and static snap-exec inside
# the sandbox (a sanitizer runtime cannot be linked statically or run setuid): SN_CONFINE_BUILD, see
# spread-tests/interfaces/iface-lib.sh. A sanitizer report fails the command that printed it, and the
# daemon's log is checked by the suites that start it. Left out: confine/ and run/ test those two
# helpers themselves, and demo/ installs its own build with meson.
SN_CONFINE_BUILD="$PWD/build" \
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    build-asan/spread-tests/spread-run -b build-asan -x confine/ -x run/ -x demo/ spread-tests

stage "all checks passed"
