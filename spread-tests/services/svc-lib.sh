# Helpers for the services tasks: . "$TASK_DIR/../svc-lib.sh"
# A real daemon on the throw-away root, the busybox base and a strict snap whose services run under
# the daemon's supervisor (as `snap run NAME.APP`, confined through snap-confine).
. "$SN_SRC/spread-tests/interfaces/iface-lib.sh"
SVC_SNAP=snsvc
SVC_PORT=${SVC_PORT:-47321}

# make_svc_snap VERSION [broken]: web (busybox httpd on 127.0.0.1:$SVC_PORT, restart-condition on-failure,
# network-bind) and idle (install-mode: disable) into $SN_WORK/$SVC_SNAP-VERSION.snap.
make_svc_snap() {
    local v=$1 broken=${2:-} d="$SN_WORK/src-svc-$1"
    rm -rf "$d"
    mkdir -p "$d/bin" "$d/meta" "$d/www"
    echo "hello from $SVC_SNAP $v" >"$d/www/index.html"
    cat >"$d/bin/serve" <<EOS
#!/bin/sh
echo "web $v serving on port $SVC_PORT"
${broken:+echo "web $v is broken"; exit 1}
exec /bin/busybox httpd -f -v -p 127.0.0.1:$SVC_PORT -h "\$SNAP/www"
EOS
    printf '#!/bin/sh\necho idle started\nexec sleep 100000\n' >"$d/bin/idle"
    chmod 0755 "$d/bin/serve" "$d/bin/idle"
    cat >"$d/meta/snap.yaml" <<EOS
name: $SVC_SNAP
version: "$v"
base: $BASE_NAME
plugs:
  network-bind:
apps:
  web:
    command: bin/serve
    daemon: simple
    restart-condition: on-failure
  idle:
    command: bin/idle
    daemon: simple
    install-mode: disable
EOS
    pack_snap "$d" "$SN_WORK/$SVC_SNAP-$v.snap"
}

# fetch: the page the web service serves; fails when nothing answers (busybox wget's -T never returns).
fetch() {
    timeout 3 busybox wget -q -O - "http://127.0.0.1:$SVC_PORT/" 2>/dev/null
}

# wait_for CMD...: retries for up to 10 s.
wait_for() {
    for _ in $(seq 100); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

web_pid() {
    pgrep -f "httpd -f -v -p 127.0.0.1:$SVC_PORT" | head -1
}

restore_svc_root() {
    if [ -f "$SN_WORK/daemon.pid" ]; then
        snap_cli remove "$SVC_SNAP" >/dev/null 2>&1 || true
    fi
    restore_iface_root
    # nothing of the snap may outlive the daemon
    pkill -KILL -f "httpd -f -v -p 127.0.0.1:$SVC_PORT" 2>/dev/null || true
}

# stop_and_check_daemon: stops the daemon (services stop with it) and fails on a sanitizer report in its log.
stop_and_check_daemon() {
    stop_daemon
    if grep -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error' "$SN_WORK/daemon.log"; then
        echo "expected a clean daemon log"
        return 1
    fi
    if fetch; then echo "expected the services to stop with the daemon"; return 1; fi
}
