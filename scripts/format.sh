#!/bin/sh
# Formats the project's C sources with .clang-format; with --check, fails on any difference.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files -- '*.c' '*.h' | grep -v '^formats/tests/conformance/' || true)
[ -n "$files" ] || exit 0
if [ "${1:-}" = "--check" ]; then
    # shellcheck disable=SC2086
    clang-format --dry-run --Werror $files
    echo "format: $(echo "$files" | wc -l) files clean"
else
    # shellcheck disable=SC2086
    clang-format -i $files
fi
