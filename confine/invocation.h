/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The one validation gate of snap-confine: every input, labelled with where it came from, is checked
 * here once and copied into an SnInvocation. Nothing else in the helper reads argv or the environment.
 *
 *   argv:  snap-confine [--base BASE] SECURITY_TAG EXECUTABLE [ARGS...]
 *   env:   SNAPPY_GLOBAL_ROOT (optional; its tree is checked later by sn_confine_open_root),
 *          SNAP_INSTANCE_NAME (optional; must name the tag's snap), SNAP_REAL_HOME or else HOME
 *          (optional; absolute: the caller's home, where ~/snap/NAME is created and granted)
 *   other: the real uid/gid and the cwd, read by the caller of sn_invocation_parse.
 */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "macros.h"

/* The only executable snap-confine runs: the in-namespace path of the host's snap-exec. */
#define SN_CONFINE_SNAP_EXEC "/usr/lib/snapd/snap-exec"

typedef struct SnInvocation {
    char *security_tag; /* argv: snap.NAME.APP or snap.NAME.hook.HOOK */
    char *snap_name;    /* derived: the instance name NAME (may carry _KEY) */
    char *app;          /* derived: APP, or NULL for a hook */
    char *hook;         /* derived: HOOK, or NULL for an app */
    char *base;         /* argv --base, default "core" */
    char **argv;        /* argv: EXECUTABLE then ARGS, NULL-terminated; argv[0] is SN_CONFINE_SNAP_EXEC */
    char *root;         /* env SNAPPY_GLOBAL_ROOT normalised, or "" for the real root */
    char *home;         /* env HOME when absolute and without "..", else NULL */
    char *cwd;          /* getcwd() of the caller, or NULL */
    uid_t uid;          /* real uid */
    gid_t gid;          /* real gid */
} SnInvocation;

/* Inputs as the process received them, so tests can pass their own. */
typedef struct SnInvocationInputs {
    int argc;
    char *const *argv;
    const char *env_root;     /* SNAPPY_GLOBAL_ROOT or NULL */
    const char *env_instance; /* SNAP_INSTANCE_NAME or NULL */
    const char *env_home;     /* HOME or NULL */
    const char *cwd;          /* or NULL */
    uid_t uid;
    gid_t gid;
} SnInvocationInputs;

/*
 * Validates the inputs and returns a new invocation (*ret, free with sn_invocation_free). Refuses
 * (-EINVAL, message naming the input): a malformed or missing tag, a snap/app/hook/base name outside
 * snapd's grammar, a SNAP_INSTANCE_NAME other than the tag's snap, an executable other than
 * SN_CONFINE_SNAP_EXEC, unknown options (--classic is refused: classic confinement is not built yet),
 * a SNAPPY_GLOBAL_ROOT that is not an absolute, normalised path.
 */
int sn_invocation_parse(const SnInvocationInputs *in, SnInvocation **ret, SnError **reterr);

SnInvocation *sn_invocation_free(SnInvocation *inv);
SN_DEFINE_CLEANUP_FUNC(SnInvocation *, sn_invocation_free)

/* snapd's snap name rule (1..40 chars of [a-z0-9-], at least one letter, no leading, trailing or double '-'). */
bool sn_confine_valid_snap_name(const char *s);
/* A snap instance name: NAME or NAME_KEY with KEY 1..10 chars of [a-z0-9]. */
bool sn_confine_valid_instance_name(const char *s);
/* App names: [A-Za-z0-9] with single inner '-'. Hook names: lower case, starting with a letter. */
bool sn_confine_valid_app_name(const char *s);
bool sn_confine_valid_hook_name(const char *s);
/* An absolute path without "//", "." or ".." components and no trailing '/' (except "/"). */
bool sn_confine_valid_abs_path(const char *s);
