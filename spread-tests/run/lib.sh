# Shared set-up for the `snap run` tasks: the confine suite's throw-away root (busybox base and the
# test snap loop-mounted under $SNAPPY_GLOBAL_ROOT/snap with `current` symlinks, snap-confine setuid at
# its compiled-in path), with this suite's app and hook, the policy compiled by the library tool, and
# the /snap/bin wrappers written. Sourced by task.yaml scripts (bash -eu -o pipefail).

. "$SN_SRC/spread-tests/confine/lib.sh"
SNAP_CLI="$SN_BUILD/snapd/snap"

# build_run_app: the test snap with bin/probe (app.sh), the implicit hook configure, two apps (one
# named like the snap) and an app-level environment.
build_run_app() {
    local d="$SN_WORK/app"
    rm -rf "$d"
    mkdir -p "$d/bin" "$d/meta/hooks"
    install -m 0755 "$SN_SRC/spread-tests/run/app.sh" "$d/bin/probe"
    install -m 0755 "$SN_SRC/spread-tests/run/hook.sh" "$d/meta/hooks/configure"
    cat > "$d/meta/snap.yaml" <<YAML
name: $SNAP_NAME
version: "1.2"
base: $BASE_NAME
environment:
  GREETING: hello from \$SNAP_NAME
apps:
  probe:
    command: bin/probe
    environment:
      APPVAR: app-\$SNAP_REVISION
  $SNAP_NAME:
    command: bin/probe env
YAML
    pack_snap "$d" "$SN_WORK/app.snap"
}

setup_run_root() {
    chmod 0755 "$ROOT"
    ensure_user
    build_base
    build_run_app
    mount_snap "$BASE_NAME" "$SN_WORK/base.snap"
    mount_snap "$SNAP_NAME" "$SN_WORK/app.snap"
    mkdir -p "$ROOT/var/snap/$SNAP_NAME/x1" "$ROOT/var/snap/$SNAP_NAME/common" "$ROOT/var/lib/snapd"
    mkdir -p "$LIBEXEC"
    # SN_CONFINE_BUILD (as in iface-lib.sh): the setuid helper and static snap-exec from another build,
    # so that a sanitizer build's snap and policy compiler can be tested.
    local cb="${SN_CONFINE_BUILD:-$SN_BUILD}"
    install -m 4755 -o root -g root "$cb/confine/snap-confine" "$LIBEXEC/snap-confine"
    install -m 0755 -o root -g root "$cb/confine/snap-exec" "$LIBEXEC/snap-exec"
    "$SN_BUILD/policy/snap-policy-compile" --wrappers "$SNAP_CLI" "$ROOT/snap/$SNAP_NAME/x1" x1 > tags.txt
    make_user_runtime_dir
}

# make_user_runtime_dir: the test user's runtime dir as logind makes it (0700, the user's), in the
# root's /run, which is /run inside the sandbox: $ROOT/run/user/UID.
make_user_runtime_dir() {
    local uid
    uid=$(id -u "$TEST_USER")
    mkdir -p -m 0755 "$ROOT/run/user"
    install -d -m 0700 -o "$TEST_USER" -g "$TEST_USER" "$ROOT/run/user/$uid"
}

# as_user CMD...: CMD as the test user with a clean login-like environment pointing at the root.
as_user() {
    setpriv --reuid "$TEST_USER" --regid "$TEST_USER" --init-groups -- env -i \
        HOME="$TEST_HOME" USER="$TEST_USER" PATH=/usr/bin:/bin SNAPPY_GLOBAL_ROOT="$ROOT" ${EXTRA_ENV:-} "$@"
}

# as_user_exec CMD...: as_user, replacing the calling (sub)shell, so that `(as_user_exec ...) &` makes $! the
# pid of the command itself.
as_user_exec() {
    exec setpriv --reuid "$TEST_USER" --regid "$TEST_USER" --init-groups -- env -i \
        HOME="$TEST_HOME" USER="$TEST_USER" PATH=/usr/bin:/bin SNAPPY_GLOBAL_ROOT="$ROOT" ${EXTRA_ENV:-} "$@"
}

# expect_line FILE LINE: FILE must contain LINE exactly.
expect_line() {
    grep -qxF -- "$2" "$1" || { echo "expected the line \"$2\" in $1, got:"; cat "$1"; return 1; }
}

restore_run_root() {
    restore_root
    rm -rf "${TEST_HOME:-/nonexistent}/snap/$SNAP_NAME"
    rmdir "/sys/fs/cgroup/devices/snap.$SNAP_NAME.$SNAP_NAME" 2>/dev/null || true
    rmdir "/sys/fs/cgroup/devices/snap.$SNAP_NAME.hook.configure" 2>/dev/null || true
}
