#!/bin/sh
# The app of this task's test snap. "status": what the kernel says about the app's ids, capability
# sets and filters, and the snapctl context it was given; "report": the argument check of the
# shared probe; anything else goes to $SNAP/bin/sn-probe (the forbidden-operation checks).
case "${1:-status}" in
status)
    grep -E '^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status
    echo "cookie: ${SNAP_COOKIE-unset}"
    echo "context: ${SNAP_CONTEXT-unset}"
    echo "ld_preload: ${LD_PRELOAD-unset}"
    ;;
report)
    shift
    echo "args: $*"
    echo "uid: $(id -u)"
    echo "mntns: $(readlink /proc/self/ns/mnt)"
    ;;
*)
    exec "$SNAP/bin/sn-probe" "$@"
    ;;
esac
