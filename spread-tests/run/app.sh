#!/bin/sh
# The app of the `snap run` test snap: runs confined. The first argument picks what it does.
case "${1:-env}" in
env)
    env | sort
    echo "uid=$(id -u)"
    ;;
args)
    shift
    echo "argc=$#"
    for a in "$@"; do echo "arg:[$a]"; done
    ;;
exit)
    exit "$2"
    ;;
kill-self)
    kill -"$2" $$
    sleep 5
    ;;
xdg)
    # XDG_RUNTIME_DIR as the app finds it
    if [ -d "$XDG_RUNTIME_DIR" ]; then echo "xdg=$XDG_RUNTIME_DIR present"; else echo "xdg=$XDG_RUNTIME_DIR missing"; fi
    if (echo hi > "$XDG_RUNTIME_DIR/sn-xdg") 2>/dev/null; then echo "xdg writable"; else echo "xdg not writable"; fi
    ;;
wait)
    # Replaces itself with sleep: the process `snap run` started is the one that gets the signal.
    echo ready > "$SNAP_USER_DATA/ready"
    exec sleep 30
    ;;
esac
