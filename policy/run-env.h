/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * What `snap run` prepares before it execs snap-confine (snapd's snap/snapenv and cmd_run.go): the
 * environment of an app or hook, and the user's data directories. Kept here, beside the policy, so
 * that the daemon (hooks) and the CLI build the same thing, and so that it is unit-tested.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

typedef struct SnRunEnvInput {
    const char *instance_name; /* NAME or NAME_KEY */
    const char *revision;      /* "12" or "x1" */
    const char *version;       /* snap.yaml's version */
    const char *real_home;     /* the calling user's home directory, or NULL when it has none */
    uid_t uid;                 /* real uid */
    uid_t euid;                /* effective uid */
} SnRunEnvInput;

/* snapd's SNAP_ARCH for this build: the Debian architecture name (amd64, arm64, armhf, i386, ...). */
const char *sn_run_env_arch(void);

/*
 * The variables glibc removes for privileged programs (its UNSECURE_ENVVARS). `snap run` renames each
 * one it finds to SNAP_SAVED_NAME so that it survives snap-confine; snap-exec restores them for the app.
 */
extern const char *const sn_run_env_unsafe[];

/*
 * Builds the environment for the app or hook from base (the caller's environment, KEY=VALUE,
 * NULL-terminated, may be NULL): every variable of base is kept except the unsafe ones (renamed
 * SNAP_SAVED_*) and the ones set here: SNAP, SNAP_COMMON, SNAP_DATA, SNAP_NAME, SNAP_INSTANCE_NAME,
 * SNAP_INSTANCE_KEY, SNAP_VERSION, SNAP_REVISION, SNAP_ARCH, SNAP_LIBRARY_PATH, SNAP_UID, SNAP_EUID,
 * SNAP_USER_DATA, SNAP_USER_COMMON, SNAP_REAL_HOME, HOME (= SNAP_USER_DATA) and XDG_RUNTIME_DIR
 * (/run/user/UID/snap.INSTANCE). Without a home, the user variables are not set and HOME is kept.
 * Returns 0 and *ret_env (free with sn_strv_free), -EINVAL for an invalid instance name or revision,
 * or -ENOMEM.
 */
int sn_run_env_build(char *const *base, const SnRunEnvInput *in, char ***ret_env);

/*
 * Creates, as the calling process, the user's data directories under home: ~/snap (0700 when created,
 * the CVE-2021-3155 lesson), ~/snap/INSTANCE, ~/snap/INSTANCE/REVISION and ~/snap/INSTANCE/common
 * (0755), and points ~/snap/INSTANCE/current at REVISION (replaced atomically when it points
 * elsewhere). No path component below home is followed if it is a symlink (-ELOOP or -ENOTDIR).
 * Returns 0 or -errno with the path in the message.
 */
int sn_run_make_user_dirs(const char *home, const char *instance_name, const char *revision, SnError **reterr);
