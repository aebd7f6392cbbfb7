#!/bin/sh
# An implicit hook (not declared in snap.yaml): prints its identity and arguments.
echo "hook=configure"
echo "args=$#"
echo "SNAP=$SNAP"
echo "SNAP_REVISION=$SNAP_REVISION"
echo "HOOKVAR=${HOOKVAR:-unset}"
grep -E '^Seccomp:' /proc/self/status
