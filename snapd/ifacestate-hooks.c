/* SPDX-License-Identifier: GPL-3.0-only */
/* ifacestate-hooks.h: the connect / disconnect task chains with their interface hooks. */
#include "ifacestate-hooks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hookstate.h"
#include "strutil.h"

void sn_iface_task_set_done(SnIfaceTaskSet *ts)
{
    for (size_t i = 0; ts && i < ts->n; i++) {
        free(ts->tasks[i].kind);
        free(ts->tasks[i].summary);
        json_decref(ts->tasks[i].data);
    }
    if (ts) {
        free(ts->tasks);
        *ts = (SnIfaceTaskSet){0};
    }
}

/* Appends a task (data: a new reference, taken). *ret_index (may be NULL) is its index. */
static int set_add(SnIfaceTaskSet *ts, const char *kind, char *summary, json_t *data, size_t *ret_index)
{
    SnIfaceTask *n = summary && data ? reallocarray(ts->tasks, ts->n + 1, sizeof(*n)) : NULL;
    if (!n) {
        free(summary);
        json_decref(data);
        return -ENOMEM;
    }
    ts->tasks = n;
    n[ts->n] = (SnIfaceTask){.kind = strdup(kind), .summary = summary, .data = data, .attrs_task = -1};
    if (!n[ts->n].kind) {
        free(summary);
        json_decref(data);
        return -ENOMEM;
    }
    if (ret_index)
        *ret_index = ts->n;
    ts->n++;
    return 0;
}

static const struct {
    SnIfaceHooks bit;
    const char *prefix;
    bool plug;
} hook_names[] = {
    {SN_IFACE_HOOK_PREPARE_PLUG, "prepare-plug-", true},
    {SN_IFACE_HOOK_PREPARE_SLOT, "prepare-slot-", false},
    {SN_IFACE_HOOK_CONNECT_SLOT, "connect-slot-", false},
    {SN_IFACE_HOOK_CONNECT_PLUG, "connect-plug-", true},
    {SN_IFACE_HOOK_DISCONNECT_SLOT, "disconnect-slot-", false},
    {SN_IFACE_HOOK_DISCONNECT_PLUG, "disconnect-plug-", true},
};

char *sn_iface_hook_name(SnIfaceHooks hook, const char *plug, const char *slot)
{
    for (size_t i = 0; i < SN_ELEMENTSOF(hook_names); i++)
        if (hook_names[i].bit == hook)
            return sn_strdup_printf("%s%s", hook_names[i].prefix, hook_names[i].plug ? plug : slot);
    return NULL;
}

/*
 * Appends a run-hook task of snap for hook (SnHookFlags hook_flags) with undo_hook as its
 * undo-hook-setup (undo_flags); its attrs task is set by the caller (link_attrs).
 */
static int add_hook(SnIfaceTaskSet *ts, const char *snap, const char *hook, unsigned hook_flags, const char *undo_hook,
                    unsigned undo_flags)
{
    json_t *data = sn_hookstate_task_data(snap, hook, hook_flags, 0);
    json_t *undo = sn_hookstate_task_data(snap, undo_hook, undo_flags, 0);
    json_t *undo_setup = json_object_get(undo, "hook-setup");
    if (!data || !undo_setup || json_object_set(data, "undo-hook-setup", undo_setup) < 0) {
        json_decref(data);
        json_decref(undo);
        return -ENOMEM;
    }
    json_decref(undo);
    return set_add(ts, "run-hook", sn_strdup_printf("Run hook %s of snap \"%s\"", hook, snap), data, NULL);
}

static json_t *ref_json(const SnIfaceConnRef *ref)
{
    return json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "plug", "snap", ref->plug_snap, "plug", ref->plug, "slot", "snap",
                     ref->slot_snap, "slot", ref->slot);
}

static json_t *attrs_or_empty(json_t *attrs)
{
    return json_is_object(attrs) ? json_deep_copy(attrs) : json_object();
}

/* Points the hook tasks from index first on at the attrs task. */
static void link_attrs(SnIfaceTaskSet *ts, size_t first, size_t attrs)
{
    for (size_t i = first; i < ts->n; i++)
        if (SN_STREQ(ts->tasks[i].kind, "run-hook"))
            ts->tasks[i].attrs_task = (ssize_t)attrs;
}

int sn_iface_tasks_connect(SnIfaceTaskSet *ts, const SnIfaceConnRef *ref, json_t *plug_static, json_t *slot_static,
                           unsigned hooks, unsigned flags)
{
    size_t first = ts->n, connect = 0;
    int r = 0;
    /* snapd: the prepare hooks' undo are the unprepare hooks, the connect hooks' the disconnect ones */
    const struct {
        SnIfaceHooks bit;
        bool plug;
        const char *undo_prefix;
    } before[] = {{SN_IFACE_HOOK_PREPARE_PLUG, true, "unprepare-plug-"},
                  {SN_IFACE_HOOK_PREPARE_SLOT, false, "unprepare-slot-"}},
      after[] = {{SN_IFACE_HOOK_CONNECT_SLOT, false, "disconnect-slot-"},
                 {SN_IFACE_HOOK_CONNECT_PLUG, true, "disconnect-plug-"}};
    for (size_t i = 0; r >= 0 && i < SN_ELEMENTSOF(before); i++) {
        if (!(hooks & before[i].bit))
            continue;
        _sn_free_ char *hook = sn_iface_hook_name(before[i].bit, ref->plug, ref->slot);
        _sn_free_ char *undo = sn_strdup_printf("%s%s", before[i].undo_prefix, before[i].plug ? ref->plug : ref->slot);
        r = hook && undo ? add_hook(ts, before[i].plug ? ref->plug_snap : ref->slot_snap, hook, SN_HOOK_OPTIONAL, undo,
                                    SN_HOOK_OPTIONAL | SN_HOOK_IGNORE_ERROR)
                         : -ENOMEM;
    }
    if (r < 0)
        return r;
    json_t *data = ref_json(ref);
    if (!data || json_object_set_new(data, "plug-static", attrs_or_empty(plug_static)) < 0 ||
        json_object_set_new(data, "slot-static", attrs_or_empty(slot_static)) < 0 ||
        json_object_set_new(data, "plug-dynamic", json_object()) < 0 ||
        json_object_set_new(data, "slot-dynamic", json_object()) < 0 ||
        ((flags & SN_IFACE_TASK_AUTO) && json_object_set_new(data, "auto", json_true()) < 0) ||
        ((flags & SN_IFACE_TASK_BY_GADGET) && json_object_set_new(data, "by-gadget", json_true()) < 0)) {
        json_decref(data);
        return -ENOMEM;
    }
    r = set_add(ts, "connect",
                sn_strdup_printf("Connect %s:%s to %s:%s", ref->plug_snap, ref->plug, ref->slot_snap, ref->slot), data,
                &connect);
    for (size_t i = 0; r >= 0 && i < SN_ELEMENTSOF(after); i++) {
        if (!(hooks & after[i].bit))
            continue;
        _sn_free_ char *hook = sn_iface_hook_name(after[i].bit, ref->plug, ref->slot);
        _sn_free_ char *undo = sn_strdup_printf("%s%s", after[i].undo_prefix, after[i].plug ? ref->plug : ref->slot);
        r = hook && undo ? add_hook(ts, after[i].plug ? ref->plug_snap : ref->slot_snap, hook, SN_HOOK_OPTIONAL, undo,
                                    SN_HOOK_OPTIONAL | SN_HOOK_IGNORE_ERROR)
                         : -ENOMEM;
    }
    if (r >= 0)
        link_attrs(ts, first, connect);
    return r;
}

int sn_iface_tasks_disconnect(SnIfaceTaskSet *ts, const SnIfaceConnRef *ref, json_t *plug_static, json_t *plug_dynamic,
                              json_t *slot_static, json_t *slot_dynamic, unsigned hooks, unsigned flags)
{
    size_t first = ts->n, disconnect = 0;
    int r = 0;
    /* snapd: a removal's disconnect hooks (and their undo, the connect hooks) may fail without effect */
    unsigned hflags = SN_HOOK_OPTIONAL | ((flags & SN_IFACE_TASK_AUTO_DISCONNECT) ? SN_HOOK_IGNORE_ERROR : 0);
    const struct {
        SnIfaceHooks bit;
        bool plug;
        const char *undo_prefix;
    } order[] = {{SN_IFACE_HOOK_DISCONNECT_SLOT, false, "connect-slot-"},
                 {SN_IFACE_HOOK_DISCONNECT_PLUG, true, "connect-plug-"}};
    for (size_t i = 0; r >= 0 && i < SN_ELEMENTSOF(order); i++) {
        if (!(hooks & order[i].bit))
            continue;
        _sn_free_ char *hook = sn_iface_hook_name(order[i].bit, ref->plug, ref->slot);
        _sn_free_ char *undo = sn_strdup_printf("%s%s", order[i].undo_prefix, order[i].plug ? ref->plug : ref->slot);
        r = hook && undo ? add_hook(ts, order[i].plug ? ref->plug_snap : ref->slot_snap, hook, hflags, undo, hflags)
                         : -ENOMEM;
    }
    if (r < 0)
        return r;
    json_t *data = ref_json(ref);
    if (!data || json_object_set_new(data, "plug-static", attrs_or_empty(plug_static)) < 0 ||
        json_object_set_new(data, "plug-dynamic", attrs_or_empty(plug_dynamic)) < 0 ||
        json_object_set_new(data, "slot-static", attrs_or_empty(slot_static)) < 0 ||
        json_object_set_new(data, "slot-dynamic", attrs_or_empty(slot_dynamic)) < 0 ||
        ((flags & SN_IFACE_TASK_FORGET) && json_object_set_new(data, "forget", json_true()) < 0) ||
        ((flags & SN_IFACE_TASK_AUTO_DISCONNECT) && json_object_set_new(data, "auto-disconnect", json_true()) < 0)) {
        json_decref(data);
        return -ENOMEM;
    }
    r = set_add(ts, "disconnect",
                sn_strdup_printf("Disconnect %s:%s from %s:%s", ref->plug_snap, ref->plug, ref->slot_snap, ref->slot),
                data, &disconnect);
    if (r >= 0)
        link_attrs(ts, first, disconnect);
    return r;
}

int sn_iface_tasks_add_to_change(const SnIfaceTaskSet *ts, SnNewChange *c, ssize_t after, size_t *ret_last)
{
    size_t base = sn_new_change_n_tasks(c);
    for (size_t i = 0; i < ts->n; i++) {
        const SnIfaceTask *t = &ts->tasks[i];
        size_t idx;
        int r = sn_new_change_add_task(c, t->kind, t->summary, t->data, &idx);
        if (r >= 0 && (i > 0 || after >= 0))
            r = sn_new_change_wait(c, idx, i > 0 ? idx - 1 : (size_t)after);
        if (r < 0)
            return r;
        if (ret_last)
            *ret_last = idx;
    }
    /* once every task is in: a prepare hook points at the connect task after it */
    for (size_t i = 0; i < ts->n; i++) {
        int r = ts->tasks[i].attrs_task >= 0
                    ? sn_new_change_link(c, base + i, "attrs-task", base + (size_t)ts->tasks[i].attrs_task)
                    : 0;
        if (r < 0)
            return r;
    }
    return 0;
}

int sn_iface_tasks_inject(SnState *st, const SnIfaceTaskSet *ts, int64_t change_id, int64_t main_task, SnError **reterr)
{
    if (ts->n == 0)
        return 0;
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = sn_new_change_new("inject", "");
    if (!c || sn_iface_tasks_add_to_change(ts, c, -1, NULL) < 0)
        return -ENOMEM;
    /* The tasks that waited for main_task wait for the set too (snapd's InjectTasks). */
    _sn_free_ int64_t *halted = NULL;
    size_t n_halted = 0;
    {
        _sn_stmt_ sqlite3_stmt *s = NULL;
        int r = sn_state_prepare(st, "SELECT task_id FROM task_waits WHERE wait_id = ?1", &s, reterr);
        if (r < 0)
            return r;
        sqlite3_bind_int64(s, 1, main_task);
        int rc;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            int64_t *n = reallocarray(halted, n_halted + 1, sizeof(*n));
            if (!n)
                return -ENOMEM;
            halted = n;
            halted[n_halted++] = sqlite3_column_int64(s, 0);
        }
        if (rc != SQLITE_DONE)
            return sn_state_sql_error(st, reterr, "cannot read the tasks that wait for a task");
    }
    return sn_change_insert_tasks(st, change_id, c, sn_state_now(), &main_task, 1, halted, n_halted, reterr);
}
