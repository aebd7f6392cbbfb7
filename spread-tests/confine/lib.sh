# Shared set-up for the confine tasks: a busybox base snap, a test app snap, both loop-mounted under
# $SNAPPY_GLOBAL_ROOT/snap, the policy compiled, and snap-confine installed setuid root at its
# compiled-in path inside the throw-away root ($ROOT/usr/local/libexec/snapd, root-owned).
# Sourced by task.yaml scripts (bash -eu -o pipefail).

ROOT="$SNAPPY_GLOBAL_ROOT"
TEST_USER=sn-test
LIBEXEC="$ROOT/usr/local/libexec/snapd"
SNAP_NAME=sntest
BASE_NAME=busybase
TEST_HOME=$(getent passwd "$TEST_USER" 2>/dev/null | cut -d: -f6 || true)

# pack_snap DIR OUT: our own `snap pack`; plain mksquashfs (what snapd runs) only when the CLI is not built.
pack_snap() {
    if [ -x "$SN_BUILD/snapd/snap" ]; then
        "$SN_BUILD/snapd/snap" pack --filename="$2" "$1" >/dev/null
    else
        mksquashfs "$1" "$2" -noappend -comp xz -no-fragments -no-progress -all-root -no-xattrs >/dev/null
    fi
}

ensure_user() {
    id "$TEST_USER" >/dev/null 2>&1 || useradd -m -s /bin/sh "$TEST_USER"
    TEST_HOME=$(getent passwd "$TEST_USER" | cut -d: -f6)
    mkdir -p "$TEST_HOME"
    chown "$TEST_USER:$TEST_USER" "$TEST_HOME"
}

build_base() {
    local d="$SN_WORK/base"
    rm -rf "$d"
    mkdir -p "$d/bin" "$d/meta"
    for dir in dev etc home root proc sys tmp var/snap var/lib/snapd var/tmp var/log run lib/modules usr/src \
        usr/lib/snapd usr/bin media mnt snap; do
        mkdir -p "$d/$dir"
    done
    chmod 1777 "$d/tmp"
    cp /bin/busybox "$d/bin/busybox"
    for applet in sh cat ls echo mkdir touch rm id test stat mount umount chmod readlink sleep printf grep \
        mkfifo ln env kill true false head wc cut tr ps; do
        ln -s busybox "$d/bin/$applet"
    done
    # As core bases do: snapctl on PATH, pointing at the host's helper bound at /usr/lib/snapd.
    ln -s ../lib/snapd/snapctl "$d/usr/bin/snapctl"
    printf 'name: %s\nversion: "1"\ntype: base\n' "$BASE_NAME" > "$d/meta/snap.yaml"
    pack_snap "$d" "$SN_WORK/base.snap"
}

# build_app: an app snap whose bin/probe is the given file (default: the shared probe.sh), with the
# statically linked forbidden-operation checker bin/sn-probe beside it
build_app() {
    local d="$SN_WORK/app" probe="${1:-$SN_SRC/spread-tests/confine/probe.sh}"
    rm -rf "$d"
    mkdir -p "$d/bin" "$d/meta"
    cp "$probe" "$d/bin/probe"
    chmod 0755 "$d/bin/probe"
    cc -static -O1 -o "$d/bin/sn-probe" "$SN_SRC/spread-tests/confine/sn-probe.c"
    printf 'name: %s\nversion: "1"\nbase: %s\nenvironment:\n  GREETING: hello from $SNAP_NAME\napps:\n  probe:\n    command: bin/probe\n' \
        "$SNAP_NAME" "$BASE_NAME" > "$d/meta/snap.yaml"
    pack_snap "$d" "$SN_WORK/app.snap"
}

mount_snap() { # NAME FILE
    mkdir -p "$ROOT/snap/$1/x1"
    mount -t squashfs -o ro,nodev,loop "$2" "$ROOT/snap/$1/x1"
    ln -sfn x1 "$ROOT/snap/$1/current"
}

setup_root() {
    chmod 0755 "$ROOT"
    ensure_user
    build_base
    build_app "$@"
    mount_snap "$BASE_NAME" "$SN_WORK/base.snap"
    mount_snap "$SNAP_NAME" "$SN_WORK/app.snap"
    mkdir -p "$ROOT/var/snap/$SNAP_NAME/x1" "$ROOT/var/snap/$SNAP_NAME/common" "$ROOT/var/lib/snapd"
    mkdir -p "$LIBEXEC"
    install -m 4755 -o root -g root "$SN_BUILD/confine/snap-confine" "$LIBEXEC/snap-confine"
    install -m 0755 -o root -g root "$SN_BUILD/confine/snap-exec" "$LIBEXEC/snap-exec"
    install -m 0755 -o root -g root "$SN_BUILD/snapd/snapctl" "$LIBEXEC/snapctl"
    compile_policy
}

# compile_policy [OPTIONS]: the setup-profiles step for the mounted test snap (blobs and AppArmor text).
compile_policy() {
    "$SN_BUILD/policy/snap-policy-compile" "$@" "$ROOT/snap/$SNAP_NAME/x1" x1 >/dev/null
}

# run_confined USER ARGS...: runs the app through snap-confine as USER, with the environment snap run builds.
run_confined() {
    local user="$1"; shift
    local home
    home=$(getent passwd "$user" | cut -d: -f6)
    setpriv --reuid "$user" --regid "$user" --init-groups -- env -i \
        HOME="$home" USER="$user" PATH=/usr/bin:/bin \
        SNAPPY_GLOBAL_ROOT="$ROOT" \
        SNAP="/snap/$SNAP_NAME/x1" SNAP_NAME="$SNAP_NAME" SNAP_INSTANCE_NAME="$SNAP_NAME" SNAP_REVISION=x1 \
        SNAP_DATA="/var/snap/$SNAP_NAME/x1" SNAP_COMMON="/var/snap/$SNAP_NAME/common" \
        SNAP_USER_DATA="$home/snap/$SNAP_NAME/x1" SNAP_USER_COMMON="$home/snap/$SNAP_NAME/common" \
        ${EXTRA_ENV:-} \
        "$LIBEXEC/snap-confine" --base "$BASE_NAME" "snap.$SNAP_NAME.probe" /usr/lib/snapd/snap-exec \
        "$SNAP_NAME.probe" "$@"
}

# Undo everything: the preserved namespace, the snap mounts, their loop devices, the device cgroup.
restore_root() {
    local f
    for f in "$ROOT"/run/snapd/ns/*.mnt; do
        [ -e "$f" ] && umount -l "$f" 2>/dev/null || true
    done
    umount -l "$ROOT/run/snapd/ns" 2>/dev/null || true
    for f in "$ROOT/snap/$SNAP_NAME/x1" "$ROOT/snap/$BASE_NAME/x1"; do
        if mountpoint -q "$f" 2>/dev/null; then
            local dev
            dev=$(findmnt -n -o SOURCE "$f" || true)
            umount -l "$f" || true
            case "$dev" in /dev/loop*) losetup -d "$dev" 2>/dev/null || true ;; esac
        fi
    done
    for f in "$SN_WORK/base.snap" "$SN_WORK/app.snap"; do
        [ -e "$f" ] && losetup -j "$f" | cut -d: -f1 | xargs -r -n1 losetup -d 2>/dev/null || true
    done
    # a daemon (hooks, run suites) made $ROOT/snap a shared mount point of its own
    while mountpoint -q "$ROOT/snap" 2>/dev/null; do umount -l "$ROOT/snap" || break; done
    rmdir "/sys/fs/cgroup/devices/snap.$SNAP_NAME.probe" 2>/dev/null || true
}

# expect_refused PATTERN CMD...: CMD must fail before the app runs, with PATTERN on stderr.
expect_refused() {
    local pattern="$1"; shift
    local rc=0
    "$@" > refused.out 2> refused.err || rc=$?
    if [ "$rc" -eq 0 ]; then
        echo "expected a refusal (\"$pattern\"), but it ran:"; cat refused.out refused.err; return 1
    fi
    if grep -q '^args:' refused.out; then
        echo "the app ran although the helper failed:"; cat refused.out; return 1
    fi
    if ! grep -q -- "$pattern" refused.err; then
        echo "expected \"$pattern\" on stderr, got:"; cat refused.err; return 1
    fi
    echo "refused as expected: $(head -n1 refused.err)"
}
