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
    # XDG_RUNTIME_DIR as the app finds it: write a file there and read it back; with a second
    # argument, try to write into that directory too (another snap's runtime dir)
    if [ -d "$XDG_RUNTIME_DIR" ]; then echo "xdg=$XDG_RUNTIME_DIR present"; else echo "xdg=$XDG_RUNTIME_DIR missing"; fi
    if (echo "hi from $SNAP_INSTANCE_NAME" > "$XDG_RUNTIME_DIR/sn-xdg") 2>/dev/null; then echo "xdg writable"; else echo "xdg not writable"; fi
    echo "xdg read=$(cat "$XDG_RUNTIME_DIR/sn-xdg" 2>/dev/null)"
    if [ -n "${2:-}" ]; then
        if (echo intruder > "$2/sn-xdg") 2>/dev/null; then echo "other writable"; else echo "other not writable"; fi
        if mkdir "$2/sn-dir" 2>/dev/null; then echo "other mkdir allowed"; else echo "other mkdir denied"; fi
    fi
    ;;
wait)
    # Replaces itself with sleep: the process `snap run` started is the one that gets the signal.
    echo ready > "$SNAP_USER_DATA/ready"
    exec sleep 30
    ;;
esac
