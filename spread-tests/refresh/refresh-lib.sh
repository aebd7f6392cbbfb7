# Helpers for the refresh tasks: . "$TASK_DIR/../refresh-lib.sh"
# The real daemon on the throw-away root (busybox base, snap-confine, the non-root user sn-test as in
# the interfaces and services suites), revision x1 of a strict snap whose service answers on a
# localhost port through network-bind (auto-connected), and a revision x2 that breaks in one way.
# A free port per task run (kept for execute and restore): other runs of these tasks may be going on.
if [ -s "$SN_WORK/rf-port" ]; then
    SVC_PORT=$(cat "$SN_WORK/rf-port")
else
    while :; do
        SVC_PORT=$((20000 + RANDOM % 30000))
        ss -ltn | awk '{print $4}' | grep -q ":$SVC_PORT\$" || break
    done
    echo "$SVC_PORT" >"$SN_WORK/rf-port"
fi
. "$SN_SRC/spread-tests/services/svc-lib.sh"
. "$SN_SRC/spread-tests/snaps/snaps-lib.sh" # check_consistent, wait_change
RF=snrf
RF_MARK="rev1 data, written before the refresh"

# make_rf_snap VERSION BREAK [OUT]: $RF at VERSION into OUT (default $SN_WORK/$RF-VERSION.snap).
# web: busybox httpd on 127.0.0.1:$SVC_PORT serving "hello from snrf VERSION"; it appends a line to
# $SNAP_DATA/marker when it starts (x1's to started.log: x1's marker stays as the test wrote it). keeper: an endure service (refresh-mode: endure). BREAK:
#   none          nothing breaks
#   pre-refresh   a pre-refresh hook that fails (snapd runs the OLD revision's: build it into x1)
#   post-refresh  a post-refresh hook that changes $SNAP_DATA/marker and fails
#   configure     a configure hook that changes $SNAP_DATA/marker and fails
#   service       web changes $SNAP_DATA/marker, serves for 0.3 s and dies (inside the start window)
#   check-health  a check-health hook that changes $SNAP_DATA/marker and exits 1 with a message
#   profile       web's environment holds a newline: its policy blob cannot be compiled
make_rf_snap() {
    local v=$1 brk=$2 out=${3:-$SN_WORK/$RF-$1.snap} d="$SN_WORK/src-rf-$1-$2"
    rm -rf "$d"
    mkdir -p "$d/bin" "$d/meta/hooks" "$d/www"
    echo "hello from $RF $v" >"$d/www/index.html"
    cat >"$d/bin/serve" <<EOS
#!/bin/sh
echo "web $v started" >> "\$SNAP_DATA/\$([ $v = 1 ] && echo started.log || echo marker)"
echo "web $v serving on port $SVC_PORT"
EOS
    if [ "$brk" = service ]; then
        cat >>"$d/bin/serve" <<EOS
/bin/busybox httpd -f -p 127.0.0.1:$SVC_PORT -h "\$SNAP/www" &
sleep 0.3
kill \$!
echo "web $v: giving up"
exit 3
EOS
    else
        echo "exec /bin/busybox httpd -f -v -p 127.0.0.1:$SVC_PORT -h \"\$SNAP/www\"" >>"$d/bin/serve"
    fi
    printf '#!/bin/sh\necho "keeper %s"\nexec sleep 100031\n' "$v" >"$d/bin/keeper"
    local env=""
    [ "$brk" = profile ] && env=$'    environment:\n      GREETING: "two\\nlines"\n'
    case $brk in
    pre-refresh) printf '#!/bin/sh\necho "pre-refresh of %s: refusing to be refreshed" >&2\nexit 1\n' "$v" >"$d/meta/hooks/pre-refresh" ;;
    post-refresh | configure | check-health)
        printf '#!/bin/sh\necho "%s of %s was here" >> "$SNAP_DATA/marker"\necho "%s of %s: broken on purpose" >&2\nexit 1\n' \
            "$brk" "$v" "$brk" "$v" >"$d/meta/hooks/$brk" ;;
    esac
    chmod 0755 "$d"/bin/* "$d"/meta/hooks/* 2>/dev/null || true
    rmdir "$d/meta/hooks" 2>/dev/null || true
    cat >"$d/meta/snap.yaml" <<EOS
name: $RF
version: "$v"
base: $BASE_NAME
plugs:
  network-bind:
apps:
  web:
    command: bin/serve
    daemon: simple
    restart-condition: on-failure
$env  keeper:
    command: bin/keeper
    daemon: simple
    refresh-mode: endure
EOS
    pack_snap "$d" "$out"
}

rf_fetch() { fetch; }
keeper_pid() { pgrep -f "^sleep 100031$" | head -1; }

# policy_sums: checksums of every policy and profile file of the root (what setup-profiles wrote).
policy_sums() {
    (cd "$ROOT/var/lib/snapd" && find policy apparmor -type f 2>/dev/null | sort | xargs -r sha256sum)
}

# setup_rf_root [X1-BREAK]: daemon, base, x1 installed and answering, the marker in x1's data, and the
# "before" snapshot of connections and profiles in $SN_WORK/before.*.
setup_rf_root() {
    # The daemon makes $ROOT/snap a shared mount at start (this machine's / is private), so the undo
    # of mount-snap reaches x1's preserved namespace: nothing to prepare here.
    setup_iface_root
    make_rf_snap 1 "${1:-none}"
    snap_cli install --dangerous "$SN_WORK/$RF-1.snap" >/dev/null
    wait_for fetch || { echo "expected x1's web service to answer on $SVC_PORT"; cat "$SN_WORK/daemon.log"; return 1; }
    test "$(fetch)" = "hello from $RF 1"
    echo "$RF_MARK" >"$ROOT/var/snap/$RF/x1/marker"
    cp "$ROOT/var/snap/$RF/x1/marker" "$SN_WORK/before.marker"
    snap_cli connections "$RF" >"$SN_WORK/before.connections"
    grep -Eq "^network-bind +$RF:network-bind +:network-bind +-" "$SN_WORK/before.connections" ||
        { echo "expected network-bind auto-connected:"; cat "$SN_WORK/before.connections"; return 1; }
    policy_sums >"$SN_WORK/before.policy"
    cp -a "$ROOT/var/lib/snapd/apparmor" "$SN_WORK/before.apparmor" 2>/dev/null || true
    grep -q "policy/snap\.$RF\.web" "$SN_WORK/before.policy" ||
        { echo "expected x1's policy blobs under $ROOT/var/lib/snapd/policy:"; cat "$SN_WORK/before.policy"; return 1; }
    snap_cli changes >/dev/null
}

# refresh_must_fail WHAT ERROR-RE: `snap install --dangerous` of x2 fails with an error matching
# ERROR-RE; leaves the change id in $RF_CHG.
refresh_must_fail() {
    local what=$1 re=$2
    echo "== refresh to x2 with $what"
    if snap_cli install --dangerous "$SN_WORK/$RF-2.snap" >refresh.out 2>&1; then
        echo "expected the refresh with $what to fail:"; cat refresh.out; return 1
    fi
    cat refresh.out
    grep -Eq "$re" refresh.out || { echo "expected the error to match /$re/"; return 1; }
    RF_CHG=$(snap_cli changes | awk 'NR>1 && $1 {id=$1} END {print id}')
}

# check_rolled_back FAILED-TASK-SUMMARY-RE [UNDONE-RE...]: x1 current and everything as it was.
check_rolled_back() {
    local failed=$1; shift
    echo "== after the failed refresh: x1 is current"
    snap_cli list >list.txt
    cat list.txt
    grep -Eq "^$RF +1 +x1 " list.txt || { echo "expected $RF 1 x1 in snap list"; return 1; }
    [ "$(readlink "$ROOT/snap/$RF/current")" = x1 ] || { echo "expected /snap/$RF/current -> x1"; return 1; }
    [ "$(readlink "$ROOT/var/snap/$RF/current")" = x1 ] || { echo "expected /var/snap/$RF/current -> x1"; return 1; }
    check_consistent || { echo "expected the blobs, mounts, loop devices and data dirs to agree with the state"; return 1; }
    echo "== its data as it was"
    cmp "$SN_WORK/before.marker" "$ROOT/var/snap/$RF/x1/marker" ||
        { echo "x1's marker changed:"; cat "$ROOT/var/snap/$RF/x1/marker"; return 1; }
    [ ! -e "$ROOT/var/snap/$RF/x2" ] || { echo "x2's data copy was left behind"; ls -la "$ROOT/var/snap/$RF"; return 1; }
    echo "== its connections as they were"
    snap_cli connections "$RF" >after.connections
    diff -u "$SN_WORK/before.connections" after.connections || { echo "the connections changed"; return 1; }
    echo "== its profiles as they were"
    policy_sums >after.policy
    diff -u "$SN_WORK/before.policy" after.policy || {
        echo "the policy files changed"
        diff -ru "$SN_WORK/before.apparmor" "$ROOT/var/lib/snapd/apparmor" | head -40 || true
        return 1
    }
    echo "== its service answering again"
    wait_for fetch || { echo "expected x1's web to answer again"; snap_cli services; tail -30 "$SN_WORK/daemon.log"; return 1; }
    test "$(fetch)" = "hello from $RF 1" || { echo "expected x1's page, got: $(fetch)"; return 1; }
    snap_cli services "$RF" | grep -Eq "^$RF.web +enabled +active" || { snap_cli services; return 1; }
    snap_cli services "$RF" | grep -Eq "^$RF.keeper +enabled +active" || { snap_cli services; return 1; }
    echo "== the change: Error, with the failed task and the undone ones"
    snap_cli changes >changes.txt
    cat changes.txt
    grep -Eq "^$RF_CHG +Error +" changes.txt || { echo "expected change $RF_CHG in Error"; return 1; }
    snap_cli tasks "$RF_CHG" >tasks.txt
    cat tasks.txt
    grep -Eq "^Error +.*$failed" tasks.txt || { echo "expected the task /$failed/ in Error"; return 1; }
    [ "$(grep -c '^Error ' tasks.txt)" = 1 ] || { echo "expected one task in Error (an undo failed too?)"; return 1; }
    local u
    for u in "$@"; do
        grep -Eq "^Undone +.*$u" tasks.txt || { echo "expected the task /$u/ Undone"; return 1; }
    done
    grep -Eq "^Hold +.*Clean up|^Hold +.*Run health check" tasks.txt || true
    grep -q 'ERROR' tasks.txt || { echo "expected the task's error in snap tasks"; return 1; }
}

restore_rf_root() {
    local bad=0
    # under the ASan+UBSan build: a report in the daemon's log fails the task
    if [ -f "$SN_WORK/daemon.log" ] && grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$SN_WORK/daemon.log"; then
        echo "sanitizer report in the daemon's log:"
        cat "$SN_WORK/daemon.log"
        bad=1
    fi
    if [ -f "$SN_WORK/daemon.pid" ]; then
        snap_cli remove "$RF" >/dev/null 2>&1 || true
    fi
    restore_iface_root
    # a refresh discards and re-makes the preserved namespace: its mounts may be stacked
    local f i
    for i in 1 2 3 4; do
        for f in "$ROOT"/run/snapd/ns/*.mnt "$ROOT/run/snapd/ns"; do
            mountpoint -q "$f" 2>/dev/null && umount -l "$f" 2>/dev/null || true
        done
    done
    while mountpoint -q "$ROOT/snap" 2>/dev/null; do umount -l "$ROOT/snap" || break; done
    pkill -KILL -f "httpd -f (-v )?-p 127.0.0.1:$SVC_PORT" 2>/dev/null || true
    return $bad
}
