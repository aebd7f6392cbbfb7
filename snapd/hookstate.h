/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Hooks (snapd's overlord/hookstate): the "run-hook" task, the snap cookies, and the hook contexts
 * that snapctl calls read and write.
 *
 * A run-hook task's data holds snapd's hook-setup:
 *   {"hook-setup": {"snap": S, "hook": H, "revision"?: "x1", "optional"?: b, "always"?: b,
 *                   "ignore-error"?: b, "timeout"?: NS}}
 * and optionally "undo-hook-setup" (the same shape, run by the undo handler) and "patch" (a
 * configure task's config patch, from configstate). The handler, as snapd's doRunHook:
 *   - resolves the snap's current revision (the hook of the revision current when the task runs: the
 *     old one for pre-refresh, the new one after link-snap) and whether it has the hook (declared in
 *     snap.yaml or an implicit meta/hooks/HOOK file);
 *   - a missing hook: skipped when optional, else fails ("snap \"S\" has no \"H\" hook");
 *   - runs `snap run --hook=H -r REV S` as root, its own process group, stdin /dev/null, stdout and
 *     stderr captured together (the last 100 lines / 10 KiB, as snapd's LimitedBuffer), with the
 *     daemon's environment plus SNAP_COOKIE and SNAP_CONTEXT set to a fresh hook context id, and
 *     SNAPPY_GLOBAL_ROOT when the state has a root;
 *   - the timeout is hook-setup's, else snapd's: 5 min for configure and default-configure
 *     (ConfigureHookTimeout; SNAPD_CONFIGURE_HOOK_TIMEOUT overrides), 30 s for check-health
 *     (SNAPD_CHECK_HEALTH_HOOK_TIMEOUT overrides), 10 min for every other hook. Past it the process
 *     group is killed and the output ends with "<exceeded maximum runtime of 5m0s>";
 *   - a non-zero exit fails the task with snapd's message: "run hook \"H\": OUTPUT" (the trimmed
 *     output; a multi-line output between "\n-----\n" lines; the exit status when there is no
 *     output), unless ignore-error is set (or the hook is "remove", whose failures snapd ignores):
 *     then the failure is logged and the task succeeds;
 *   - what snapctl staged in the hook's context (config set/unset, set-health) is stored only when
 *     the hook succeeded, in the transaction that marks the task done. So a failing configure hook
 *     leaves the old configuration, and the configure patch of `snap set` (applied to the context
 *     before the hook runs, so that `snapctl get` sees it) is stored with it;
 *   - check-health: the health the hook set, else status unknown with code
 *     "snapd-hook-no-health-set"; a failing check-health stores code "snapd-hook-failed";
 *   - snap "core" (the system) has no hook program: its configure patch is applied directly (snapd's
 *     hijacked configure of core), checked by configstate's system option rules.
 * A hook's output is added to the task log ("hook \"H\" output: ...") when it succeeded and printed
 * anything.
 *
 * Snap cookies (snapd's snapstate/cookies.go): each installed snap has a random cookie (39 random
 * bytes, unpadded base64url: 52 characters) in the state ("snap-cookies": {cookie: snap}) and in
 * $ROOT/var/lib/snapd/cookie/snap.NAME (0600, directory 0700). Apps pass it to snapctl through
 * SNAP_COOKIE; hooks get their own context id instead.
 *
 * Health (snapd's healthstate) is kept in the state ("health": {snap: {"revision", "timestamp",
 * "status" (0 unknown, 1 okay, 2 waiting, 3 blocked, 4 error), "message", "code"}}).
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "state-change.h"
#include "state.h"
#include "taskrunner.h"

#define SN_HOOK_TIMEOUT_DEFAULT_NS (10LL * 60 * 1000000000)
#define SN_HOOK_TIMEOUT_CONFIGURE_NS (5LL * 60 * 1000000000)
#define SN_HOOK_TIMEOUT_CHECK_HEALTH_NS (30LL * 1000000000)

/* ---- building run-hook tasks (for the snap manager and configstate) ---- */

typedef enum SnHookFlags {
    SN_HOOK_OPTIONAL = 1 << 0,     /* skipped when the snap does not have the hook */
    SN_HOOK_ALWAYS = 1 << 1,       /* run the hook's handler (context commit) even without the hook */
    SN_HOOK_IGNORE_ERROR = 1 << 2, /* a failing hook is logged, the task succeeds */
} SnHookFlags;

/*
 * The data of a run-hook task: {"hook-setup": {...}} for snap and hook with flags; timeout_ns 0
 * leaves the per-hook default. NULL on allocation failure. Caller owns the reference.
 */
json_t *sn_hookstate_task_data(const char *snap, const char *hook, unsigned flags, int64_t timeout_ns);

/*
 * Appends a run-hook task to c (sn_new_change_add_task) with that data and summary. *ret_index (may
 * be NULL) as sn_new_change_add_task. 0 or -ENOMEM.
 */
int sn_hookstate_add_task(SnNewChange *c, const char *snap, const char *hook, unsigned flags, const char *summary,
                          size_t *ret_index);

/* ---- snap cookies (lock held; files under the state's root) ---- */

/*
 * Gives snap a cookie if it has none (state and file; the file is rewritten when missing). In the
 * caller's transaction for the state part. 0 or -errno with a message.
 */
int sn_hookstate_cookie_create(SnState *st, const char *snap, SnError **reterr);
/* Removes snap's cookie from the state and its file. 0 (also when it had none) or -errno. */
int sn_hookstate_cookie_remove(SnState *st, const char *snap, SnError **reterr);
/*
 * snapd's SyncCookies: every installed snap gets a cookie, cookies of snaps that are gone are
 * dropped, and the cookie directory is made to hold exactly one snap.NAME file per cookie. Opens
 * its own transaction. 0 or -errno.
 */
int sn_hookstate_sync_cookies(SnState *st, SnError **reterr);
/* The snap a cookie belongs to: 0 and *ret_snap (caller frees), or -ENOENT. */
int sn_hookstate_cookie_snap(SnState *st, const char *cookie, char **ret_snap, SnError **reterr);

/* ---- health (lock held) ---- */

/*
 * The health of snap as the API shows it ({"revision","timestamp","status":"okay",...}), or NULL
 * in *ret when none was set. 0 or -errno.
 */
int sn_hookstate_health_json(SnState *st, const char *snap, json_t **ret);
/* Stores a health record (the state's form above; borrowed) for snap, in the caller's transaction. */
int sn_hookstate_health_store(SnState *st, const char *snap, json_t *health, SnError **reterr);

/* ---- the manager ---- */

typedef struct SnHookMgr SnHookMgr;

typedef struct SnHookMgrOptions {
    /*
     * The command that runs a hook, before "run --hook=H -r REV SNAP" (NULL-terminated, copied):
     * NULL for the `snap` beside the daemon's executable when there is one, else `snap` on PATH.
     * Tests put a fake runner here.
     */
    char *const *snap_command;
} SnHookMgrOptions;

/* A manager over st (borrowed, must outlive it). opts may be NULL. 0 or -ENOMEM. */
int sn_hookmgr_new(SnState *st, const SnHookMgrOptions *opts, SnHookMgr **ret);
/* Frees it. No hook may be running. Accepts NULL; returns NULL. */
SnHookMgr *sn_hookmgr_free(SnHookMgr *m);
SN_DEFINE_CLEANUP_FUNC(SnHookMgr *, sn_hookmgr_free)
/* Registers the "run-hook" do and undo handlers on the runner (before it starts). -EEXIST twice. */
int sn_hookmgr_register(SnHookMgr *m, SnTaskRunner *runner);

/* ---- hook contexts (snapctl) ---- */

typedef struct SnHookContext SnHookContext;

/*
 * The context of a context id: a running hook's (its SNAP_COOKIE), else an ephemeral context of
 * the snap whose cookie it is. Lock not held. 0 and *ret (release with sn_hook_context_unref), or
 * -ENOENT for an id that is neither (also for NULL or ""), or -errno.
 */
int sn_hookmgr_context(SnHookMgr *m, const char *id, SnHookContext **ret);
SnHookContext *sn_hook_context_unref(SnHookContext *c);
SN_DEFINE_CLEANUP_FUNC(SnHookContext *, sn_hook_context_unref)

const char *sn_hook_context_snap(const SnHookContext *c);
/* The hook's name, NULL for an ephemeral context. */
const char *sn_hook_context_hook(const SnHookContext *c);
bool sn_hook_context_ephemeral(const SnHookContext *c);
/* The revision of the hook's snap (0 for an ephemeral context). */
int64_t sn_hook_context_revision(const SnHookContext *c);

/*
 * The value of key ("" for the whole document) of the context's snap, as the hook sees it: the
 * stored configuration with what the context staged on top. Errors as sn_configstate_get (-ENOENT
 * when unset). Lock held. *ret_value is a new reference.
 */
int sn_hook_context_config_get(SnHookContext *c, SnState *st, const char *key, json_t **ret_value, SnError **reterr);
/*
 * Stages patch (dotted key -> value, null unsets; borrowed) in the context, checked against the
 * current view (a key through a non-map fails with configstate's message; nothing is staged then).
 * Lock held.
 */
int sn_hook_context_config_patch(SnHookContext *c, SnState *st, json_t *patch, SnError **reterr);
/* Stages a health record (the state's form; borrowed). */
int sn_hook_context_set_health(SnHookContext *c, json_t *health);
/*
 * Interface hooks (prepare-, unprepare-, connect-, disconnect- plug and slot hooks): their run-hook
 * task has "attrs-task", the id of the connect or disconnect task whose data holds the connection
 * ("plug": {"snap","plug"}, "slot": {"snap","slot"}) and its attributes ("plug-static",
 * "plug-dynamic", "slot-static", "slot-dynamic"), as snapd's hook context does.
 */
/* The attrs task's id, 0 when the context has none. */
int64_t sn_hook_context_attrs_task(const SnHookContext *c);
/*
 * The name of the connection's plug (plug_side) or slot, and that side's static and dynamic
 * attributes as the hook sees them (what it staged on top of the task's). Lock held. 0 with new
 * references (and *ret_name, caller frees), or -ENOENT "internal error: cannot find attrs task"
 * (no attrs task, or it is gone), -EINVAL when the task lacks the data.
 */
int sn_hook_context_attrs(SnHookContext *c, SnState *st, bool plug_side, char **ret_name, json_t **ret_static,
                          json_t **ret_dynamic, SnError **reterr);
/*
 * Stages the whole dynamic attributes object (borrowed, copied) of one side; stored into the attrs
 * task's data by sn_hook_context_commit, so only when the hook succeeds. 0, -EINVAL (not an object)
 * or -ENOMEM.
 */
int sn_hook_context_stage_attrs(SnHookContext *c, bool plug_side, json_t *dynamic);
/*
 * Stores what the context staged (configuration patches in order, then health, then interface
 * attributes into the attrs task) and clears it. In
 * the caller's transaction; lock held. For ephemeral contexts, after each snapctl call (snapd's
 * context.Done()); hook contexts are committed by the task handler.
 */
int sn_hook_context_commit(SnHookContext *c, SnState *st, SnError **reterr);
