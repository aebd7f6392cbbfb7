/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The task chains of a connection change with its interface hooks (snapd's ifacestate connect()
 * and disconnectTasks()):
 *
 *   connect:    [run-hook prepare-plug-P] [run-hook prepare-slot-S] connect
 *               [run-hook connect-slot-S] [run-hook connect-plug-P]
 *   disconnect: [run-hook disconnect-slot-S] [run-hook disconnect-plug-P] disconnect
 *
 * each task waiting for the one before it. A hook task is added only when its snap has the hook
 * (declared in snap.yaml or an implicit meta/hooks file), as snapd does; it is optional all the same
 * (a revision without it skips it). Each hook task carries an undo hook, as snapd's
 * HookTaskWithUndo: unprepare-plug-P / unprepare-slot-S for the prepare hooks and
 * disconnect-slot-S / disconnect-plug-P for the connect hooks (optional, errors ignored), and
 * connect-slot-S / connect-plug-P for the disconnect hooks. Every hook task has "attrs-task": the id
 * of the connect (or disconnect) task, whose data holds the two ends ("plug": {"snap","plug"},
 * "slot": {"snap","slot"}) and their "plug-static", "plug-dynamic", "slot-static",
 * "slot-dynamic" attributes; `snapctl get :NAME` reads them and `snapctl set :NAME` in a
 * prepare hook writes the dynamic ones there (hookstate.h), which the connect task stores with the
 * connection.
 *
 * A set of such tasks is built first (SnIfaceTaskSet), then added to a new change or injected into
 * a running one after a task of it (the auto-connect of an install, the auto-disconnect of a remove),
 * as snapd's InjectTasks: the set waits for that task, and the tasks that waited for it wait for
 * the set's last task.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "state-change.h"
#include "state.h"

/* The interface hooks two snaps have for one connection (bits). */
typedef enum SnIfaceHooks {
    SN_IFACE_HOOK_PREPARE_PLUG = 1 << 0,
    SN_IFACE_HOOK_PREPARE_SLOT = 1 << 1,
    SN_IFACE_HOOK_CONNECT_SLOT = 1 << 2,
    SN_IFACE_HOOK_CONNECT_PLUG = 1 << 3,
    SN_IFACE_HOOK_DISCONNECT_SLOT = 1 << 4,
    SN_IFACE_HOOK_DISCONNECT_PLUG = 1 << 5,
} SnIfaceHooks;

/* Flags of a connect or disconnect task. */
typedef enum SnIfaceTaskFlags {
    SN_IFACE_TASK_AUTO = 1 << 0,            /* connect: an auto-connection ("auto": true) */
    SN_IFACE_TASK_BY_GADGET = 1 << 1,       /* connect: "by-gadget": true */
    SN_IFACE_TASK_FORGET = 1 << 2,          /* disconnect: "forget": true */
    SN_IFACE_TASK_AUTO_DISCONNECT = 1 << 3, /* disconnect of a removal: the record goes, hooks' errors are ignored */
} SnIfaceTaskFlags;

/* The two ends of a connection (borrowed strings). */
typedef struct SnIfaceConnRef {
    const char *plug_snap, *plug, *slot_snap, *slot;
} SnIfaceConnRef;

typedef struct SnIfaceTask {
    char *kind;
    char *summary;
    json_t *data;
    ssize_t attrs_task; /* index in the set of the task whose id goes into data's "attrs-task", or -1 */
} SnIfaceTask;

/* Tasks in order; each waits for the one before it. */
typedef struct SnIfaceTaskSet {
    SnIfaceTask *tasks;
    size_t n;
} SnIfaceTaskSet;

void sn_iface_task_set_done(SnIfaceTaskSet *ts);

/*
 * Appends the connect chain of ref to ts. plug_static and slot_static (borrowed; NULL for {}) are
 * the ends' snap.yaml attributes; hooks says which of the four connect-side hooks exist; flags
 * SN_IFACE_TASK_AUTO / SN_IFACE_TASK_BY_GADGET. 0 or -ENOMEM.
 */
int sn_iface_tasks_connect(SnIfaceTaskSet *ts, const SnIfaceConnRef *ref, json_t *plug_static, json_t *slot_static,
                           unsigned hooks, unsigned flags);

/*
 * Appends the disconnect chain of ref to ts with the connection's attributes (borrowed; NULL for
 * {}); hooks says which disconnect hooks exist (the caller leaves out those of an inactive snap, as
 * snapd does); flags SN_IFACE_TASK_FORGET / SN_IFACE_TASK_AUTO_DISCONNECT. 0 or -ENOMEM.
 */
int sn_iface_tasks_disconnect(SnIfaceTaskSet *ts, const SnIfaceConnRef *ref, json_t *plug_static, json_t *plug_dynamic,
                              json_t *slot_static, json_t *slot_dynamic, unsigned hooks, unsigned flags);

/*
 * Adds the set's tasks to c, chained, the first waiting for task index `after` of c when it is >= 0.
 * *ret_last (may be NULL) gets the index of the last one added. 0 or -ENOMEM.
 */
int sn_iface_tasks_add_to_change(const SnIfaceTaskSet *ts, SnNewChange *c, ssize_t after, size_t *ret_last);

/*
 * Injects the set into change change_id after task main_task as snapd's InjectTasks (lock held,
 * inside the caller's transaction; the run-hook handler's on-commit step is the place, so that the
 * tasks and the main task's success are stored together): the tasks are stored in Do, chained, each
 * waiting for main_task, and every task that waited for main_task now waits for all of them
 * (sn_change_insert_tasks). An empty set does nothing. 0 or -errno with a message.
 */
int sn_iface_tasks_inject(SnState *st, const SnIfaceTaskSet *ts, int64_t change_id, int64_t main_task,
                          SnError **reterr);

/* The hook name of a bit of SnIfaceHooks for plug or slot name (e.g. "prepare-plug-NAME"). Caller frees. */
char *sn_iface_hook_name(SnIfaceHooks hook, const char *plug, const char *slot);
