/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Interfaces, part two: auto-connect (which slots a new snap's plugs connect to, with their hooks) and the
 * task handlers of connect, disconnect, auto-connect, auto-disconnect and discard-conns. The records and the
 * repository they work on are ifacestate.c's (ifacestate-internal.h).
 */
#include "ifacestate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ifacestate-hooks.h"
#include "ifacestate-internal.h"
#include "interfaces-policy.h"
#include "interfaces.h"
#include "state-snap.h"
#include "strutil.h"

/* ---- auto-connect ---- */

static bool plug_has_conn(const Conn *conns, size_t n, const End *plug)
{
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(conns[i].plug_snap, plug->snap) && SN_STREQ(conns[i].plug, plug->name))
            return true;
    return false;
}

static bool conn_exists(const Conn *conns, size_t n, const End *plug, const End *slot)
{
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(conns[i].plug_snap, plug->snap) && SN_STREQ(conns[i].plug, plug->name) &&
            SN_STREQ(conns[i].slot_snap, slot->snap) && SN_STREQ(conns[i].slot, slot->name))
            return true;
    return false;
}

/* The slots plug would auto-connect to (NULL-terminated array of pointers into repo), or NULL when ambiguous. */
static End **auto_candidates(Repo *repo, const End *plug, SnError **reterr)
{
    End **v = calloc(repo->n_ends + 1, sizeof(End *));
    if (!v)
        return NULL;
    size_t n = 0;
    bool any = false;
    for (size_t i = 0; i < repo->n_ends; i++) {
        End *slot = &repo->ends[i];
        if (!slot->is_slot || !SN_STREQ(slot->interface, plug->interface) || SN_STREQ(slot->snap, plug->snap))
            continue;
        SnIfaceCandidate c = sn_ifacestate_candidate(repo, plug, slot);
        bool a = false;
        if (sn_iface_check_auto_connection(&c, &a, NULL) < 0)
            continue;
        any |= a;
        v[n++] = slot;
    }
    if (n > 1 && !any)
        v[0] = NULL; /* ambiguous: snapd connects nothing */
    return v;
}

static int make_auto(Conn *c, const End *plug, const End *slot)
{
    *c = (Conn){.plug_snap = strdup(plug->snap),
                .plug = strdup(plug->name),
                .slot_snap = strdup(slot->snap),
                .slot = strdup(slot->name),
                .interface = strdup(plug->interface),
                .autoc = true,
                .plug_static = json_deep_copy(plug->attrs),
                .slot_static = json_deep_copy(slot->attrs),
                .plug_dynamic = json_object(),
                .slot_dynamic = json_object()};
    return c->plug_snap && c->plug && c->slot_snap && c->slot && c->interface && c->plug_static && c->slot_static &&
                   c->plug_dynamic && c->slot_dynamic
               ? 0
               : -ENOMEM;
}

/*
 * sn_ifacestate_auto_connect; with hooked, the connections whose snaps have interface hooks are not
 * stored but appended to hooked as connect chains (for the caller to inject into its change).
 */
static int auto_connect(SnState *st, const char *name, SnIfaceTaskSet *hooked, json_t **ret_made, SnError **reterr)
{
    Repo repo = {0};
    Conn *conns = NULL;
    size_t n = 0;
    _sn_strv_free_ char **affected = NULL;
    json_t *made = json_array();
    if (!made)
        return -ENOMEM;
    sn_state_lock(st);
    int r = sn_ifacestate_repo_load(st, &repo, reterr);
    if (r >= 0)
        r = sn_ifacestate_conns_load(st, &conns, &n, reterr);
    Conn *add = NULL;
    size_t n_add = 0;
    for (size_t i = 0; r >= 0 && i < repo.n_ends; i++) {
        End *e = &repo.ends[i];
        bool mine = SN_STREQ(e->snap, name);
        if (e->is_slot && !mine)
            continue;
        if (!e->is_slot && !mine) {
            /* Another snap's unconnected plug: does one of this snap's slots serve it alone? */
            if (plug_has_conn(conns, n, e))
                continue;
        } else if (!e->is_slot && plug_has_conn(conns, n, e))
            continue; /* connected, or disconnected by the user (undesired) */
        if (e->is_slot) {
            for (size_t k = 0; r >= 0 && k < repo.n_ends; k++) {
                End *plug = &repo.ends[k];
                if (plug->is_slot || SN_STREQ(plug->snap, name) || !SN_STREQ(plug->interface, e->interface) ||
                    plug_has_conn(conns, n, plug))
                    continue;
                End **cands = auto_candidates(&repo, plug, reterr);
                if (!cands) {
                    r = -ENOMEM;
                    break;
                }
                bool ok = cands[0] == e && !cands[1];
                free(cands);
                if (!ok)
                    continue;
                Conn *na = realloc(add, (n_add + 1) * sizeof(*na));
                if (!na) {
                    r = -ENOMEM;
                    break;
                }
                add = na;
                r = make_auto(&add[n_add++], plug, e);
            }
            continue;
        }
        if (!mine)
            continue;
        End **cands = auto_candidates(&repo, e, reterr);
        if (!cands) {
            r = -ENOMEM;
            break;
        }
        for (size_t k = 0; r >= 0 && cands[k]; k++) {
            if (conn_exists(add, n_add, e, cands[k]))
                continue;
            Conn *na = realloc(add, (n_add + 1) * sizeof(*na));
            if (!na) {
                r = -ENOMEM;
                break;
            }
            add = na;
            r = make_auto(&add[n_add++], e, cands[k]);
        }
        free(cands);
    }
    _sn_free_ bool *injected = calloc(n_add + 1, sizeof(bool));
    if (!injected && r >= 0)
        r = -ENOMEM;
    for (size_t i = 0; r >= 0 && hooked && i < n_add; i++) {
        unsigned hooks = sn_ifacestate_conn_hooks(&repo, add[i].plug_snap, add[i].plug, add[i].slot_snap, add[i].slot,
                                                  CONNECT_HOOKS);
        if (!hooks)
            continue;
        SnIfaceConnRef ref = {add[i].plug_snap, add[i].plug, add[i].slot_snap, add[i].slot};
        r = sn_iface_tasks_connect(hooked, &ref, add[i].plug_static, add[i].slot_static, hooks, SN_IFACE_TASK_AUTO);
        injected[i] = true;
    }
    /* Store them all at once. */
    if (r >= 0 && n_add > 0 && (r = sn_state_begin(st, reterr)) >= 0) {
        for (size_t i = 0; r >= 0 && i < n_add; i++)
            if (!injected[i])
                r = sn_ifacestate_conn_put(st, &add[i], reterr);
        if (r < 0)
            sn_state_rollback(st);
        else
            r = sn_state_commit(st, reterr);
    }
    sn_state_unlock(st);
    for (size_t i = 0; r >= 0 && i < n_add; i++) {
        if (injected[i])
            continue;
        _sn_free_ char *id = sn_ifacestate_conn_id(add[i].plug_snap, add[i].plug, add[i].slot_snap, add[i].slot);
        if (!id || json_array_append_new(made, json_string(id)) < 0 ||
            sn_ifacestate_push_unique(&affected, add[i].plug_snap) < 0 ||
            sn_ifacestate_push_unique(&affected, add[i].slot_snap) < 0)
            r = -ENOMEM;
    }
    if (r >= 0)
        r = sn_ifacestate_push_unique(&affected, name);
    /* Regenerate with the stored set. */
    Conn *all = NULL;
    size_t n_all = 0;
    if (r >= 0) {
        sn_state_lock(st);
        r = sn_ifacestate_conns_load(st, &all, &n_all, reterr);
        sn_state_unlock(st);
    }
    /*
     * The snaps already connected to this one too (snapd's affected snaps): a refreshed provider's
     * content source moved to its new revision, and a slot's attributes may have changed.
     */
    for (size_t i = 0; r >= 0 && i < n_all; i++) {
        if (all[i].undesired)
            continue;
        if (SN_STREQ(all[i].plug_snap, name))
            r = sn_ifacestate_push_unique(&affected, all[i].slot_snap);
        else if (SN_STREQ(all[i].slot_snap, name))
            r = sn_ifacestate_push_unique(&affected, all[i].plug_snap);
    }
    /*
     * Not strict: an install or refresh does not fail because another snap's preserved namespace
     * cannot follow (a new revision mounted after that namespace was made does not show in it where
     * /snap does not propagate); that namespace is discarded and rebuilt at its next launch.
     */
    if (r >= 0)
        r = sn_ifacestate_gpio_sync_snaps(&repo, all, n_all, affected, reterr);
    for (char **s = affected; r >= 0 && s && *s; s++)
        r = sn_ifacestate_regenerate(&repo, all, n_all, *s, false, reterr);
    sn_ifacestate_conns_free(all, n_all);
    sn_ifacestate_conns_free(add, n_add);
    sn_ifacestate_conns_free(conns, n);
    sn_ifacestate_repo_done(&repo);
    if (r < 0) {
        json_decref(made);
        return r;
    }
    if (ret_made)
        *ret_made = made;
    else
        json_decref(made);
    return 0;
}

int sn_ifacestate_auto_connect(SnState *st, const char *name, json_t **ret_made, SnError **reterr)
{
    return auto_connect(st, name, NULL, ret_made, reterr);
}

int sn_ifacestate_forget(SnState *st, json_t *ids, SnError **reterr)
{
    _sn_strv_free_ char **affected = NULL;
    size_t i;
    json_t *id;
    int r = 0;
    sn_state_lock(st);
    json_array_foreach(ids, i, id)
    {
        const char *s = json_string_value(id);
        if (!s)
            continue;
        /* "ps:p ss:s": both snaps are affected. */
        _sn_free_ char *copy = strdup(s);
        char *sp = copy ? strchr(copy, ' ') : NULL;
        if (!sp) {
            r = -ENOMEM;
            break;
        }
        *sp = '\0';
        *strchrnul(copy, ':') = '\0';
        *strchrnul(sp + 1, ':') = '\0';
        if ((r = sn_ifacestate_push_unique(&affected, copy)) < 0 ||
            (r = sn_ifacestate_push_unique(&affected, sp + 1)) < 0)
            break;
        if ((r = sn_ifacestate_in_transaction(st, sn_ifacestate_delete_fn, s, reterr)) < 0)
            break;
    }
    sn_state_unlock(st);
    return r < 0 ? r : sn_ifacestate_regenerate_snaps(st, affected, reterr);
}

/* ---- tasks ---- */

static json_t *conn_to_json(const Conn *c)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:O, s:O, s:O, s:O}", "plug-snap", c->plug_snap, "plug",
                     c->plug, "slot-snap", c->slot_snap, "slot", c->slot, "interface", c->interface, "auto", c->autoc,
                     "by-gadget", c->by_gadget, "undesired", c->undesired, "plug-static", c->plug_static, "slot-static",
                     c->slot_static, "plug-dynamic", c->plug_dynamic, "slot-dynamic", c->slot_dynamic);
}

static int conn_from_json(json_t *j, Conn *c)
{
    const char *ps = NULL, *p = NULL, *ss = NULL, *s = NULL, *i = NULL;
    int a = 0, g = 0, u = 0;
    json_t *pst = NULL, *sst = NULL, *pd = NULL, *sd = NULL;
    if (json_unpack(j, "{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:o, s:o, s:o, s:o}", "plug-snap", &ps, "plug", &p,
                    "slot-snap", &ss, "slot", &s, "interface", &i, "auto", &a, "by-gadget", &g, "undesired", &u,
                    "plug-static", &pst, "slot-static", &sst, "plug-dynamic", &pd, "slot-dynamic", &sd) < 0)
        return -EINVAL;
    *c = (Conn){.plug_snap = strdup(ps),
                .plug = strdup(p),
                .slot_snap = strdup(ss),
                .slot = strdup(s),
                .interface = strdup(i),
                .autoc = a,
                .by_gadget = g,
                .undesired = u,
                .plug_static = json_incref(pst),
                .slot_static = json_incref(sst),
                .plug_dynamic = json_incref(pd),
                .slot_dynamic = json_incref(sd)};
    return c->plug_snap && c->plug && c->slot_snap && c->slot && c->interface ? 0 : -ENOMEM;
}

typedef struct Ref {
    const char *plug_snap, *plug, *slot_snap, *slot;
} Ref;

static int task_ref(SnTaskCtx *ctx, Ref *ret, SnError **reterr)
{
    json_t *d = sn_task_ctx_data(ctx);
    if (json_unpack(d, "{s:{s:s, s:s}, s:{s:s, s:s}}", "plug", "snap", &ret->plug_snap, "plug", &ret->plug, "slot",
                    "snap", &ret->slot_snap, "slot", &ret->slot) < 0)
        return sn_error_set(reterr, -EINVAL, "internal error: %s task without plug and slot", sn_task_ctx_kind(ctx));
    return 0;
}

static int find_conn(SnState *st, const char *id, Conn *ret, bool *ret_found, SnError **reterr)
{
    Conn *v = NULL;
    size_t n = 0;
    *ret_found = false;
    int r = sn_ifacestate_conns_load(st, &v, &n, reterr);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        _sn_free_ char *cid = sn_ifacestate_conn_id(v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot);
        if (cid && SN_STREQ(cid, id)) {
            *ret = v[i];
            v[i] = (Conn){0};
            *ret_found = true;
            break;
        }
    }
    sn_ifacestate_conns_free(v, n);
    return 0;
}

/*
 * The dynamic attributes of a connect task (what prepare hooks set with snapctl set :NAME) into c;
 * a task without them (an existing connection connected again) keeps old's (may be NULL).
 */
static int take_dynamic_attrs(json_t *data, Conn *c, const Conn *old)
{
    json_t *pd = json_object_get(data, "plug-dynamic"), *sd = json_object_get(data, "slot-dynamic");
    json_t *np = json_is_object(pd) ? json_deep_copy(pd) : old ? json_deep_copy(old->plug_dynamic) : json_object();
    json_t *ns = json_is_object(sd) ? json_deep_copy(sd) : old ? json_deep_copy(old->slot_dynamic) : json_object();
    if (!np || !ns) {
        json_decref(np);
        json_decref(ns);
        return -ENOMEM;
    }
    json_decref(c->plug_dynamic);
    json_decref(c->slot_dynamic);
    c->plug_dynamic = np;
    c->slot_dynamic = ns;
    return 0;
}

/* The static attributes (borrowed; NULL for none) over the dynamic ones (borrowed, may be NULL): a new object. */
static json_t *with_dynamic(json_t *stat, json_t *dyn)
{
    json_t *m = json_is_object(dyn) ? json_deep_copy(dyn) : json_object();
    if (m && json_is_object(stat) && json_object_update(m, stat) < 0) {
        json_decref(m);
        return NULL;
    }
    return m;
}

static int do_connect(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnState *st = sn_task_ctx_state(ctx);
    Ref ref;
    int r = task_ref(ctx, &ref, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *id = sn_ifacestate_conn_id(ref.plug_snap, ref.plug, ref.slot_snap, ref.slot);
    if (!id)
        return -ENOMEM;
    Repo repo = {0};
    Conn c = {0}, old = {0};
    bool had = false;
    sn_state_lock(st);
    r = sn_ifacestate_repo_load(st, &repo, reterr);
    if (r >= 0)
        r = find_conn(st, id, &old, &had, reterr);
    End *plug = r >= 0 ? sn_ifacestate_repo_find(&repo, ref.plug_snap, ref.plug, false) : NULL;
    End *slot = r >= 0 ? sn_ifacestate_repo_find(&repo, ref.slot_snap, ref.slot, true) : NULL;
    if (r >= 0 && !plug)
        r = sn_error_set(reterr, -ENOENT, "snap \"%s\" has no plug named \"%s\"", ref.plug_snap, ref.plug);
    else if (r >= 0 && !slot)
        r = sn_error_set(reterr, -ENOENT, "snap \"%s\" has no slot named \"%s\"", ref.slot_snap, ref.slot);
    if (r >= 0) {
        /* snapd's policy check sees the attributes the prepare hooks added (a static one wins) */
        json_t *pa = with_dynamic(plug->attrs, json_object_get(sn_task_ctx_data(ctx), "plug-dynamic"));
        json_t *sa = with_dynamic(slot->attrs, json_object_get(sn_task_ctx_data(ctx), "slot-dynamic"));
        SnIfaceEnd pe = plug->e, se = slot->e;
        pe.attrs = pa;
        se.attrs = sa;
        SnIfaceCandidate cand = sn_ifacestate_candidate(&repo, plug, slot);
        cand.plug = &pe;
        cand.slot = &se;
        SnError *perr = NULL;
        r = pa && sa ? sn_iface_check_connection(&cand, &perr) : -ENOMEM;
        if (r < 0)
            sn_error_set(reterr, r, "cannot connect plug \"%s\" of snap \"%s\": %s", ref.plug, ref.plug_snap,
                         sn_error_message(perr, r));
        sn_error_free(perr);
        json_decref(pa);
        json_decref(sa);
    }
    if (r >= 0 && (r = make_auto(&c, plug, slot)) >= 0) {
        c.autoc = json_is_true(json_object_get(sn_task_ctx_data(ctx), "auto"));
        c.by_gadget = json_is_true(json_object_get(sn_task_ctx_data(ctx), "by-gadget"));
        r = take_dynamic_attrs(sn_task_ctx_data(ctx), &c, had ? &old : NULL);
        r = sn_ifacestate_in_transaction(st, sn_ifacestate_put_fn, &c, reterr);
    }
    sn_state_unlock(st);
    if (r >= 0) {
        char *snaps[] = {c.plug_snap, c.slot_snap, NULL};
        r = sn_ifacestate_regenerate_snaps(st, snaps, reterr);
        if (r < 0 && !had) {
            /* A failed task is not undone: take the connection back now. */
            sn_state_lock(st);
            (void)sn_ifacestate_in_transaction(st, sn_ifacestate_delete_fn, id, NULL);
            sn_state_unlock(st);
            (void)sn_ifacestate_regenerate_snaps(st, snaps, NULL);
        }
    }
    if (r >= 0)
        json_object_set_new(sn_task_ctx_data(ctx), "existed", json_boolean(had));
    sn_ifacestate_conn_done(&c);
    sn_ifacestate_conn_done(&old);
    sn_ifacestate_repo_done(&repo);
    return r;
}

static int undo_connect(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnState *st = sn_task_ctx_state(ctx);
    Ref ref;
    int r = task_ref(ctx, &ref, reterr);
    if (r < 0)
        return r;
    if (json_is_true(json_object_get(sn_task_ctx_data(ctx), "existed")))
        return 0;
    _sn_free_ char *id = sn_ifacestate_conn_id(ref.plug_snap, ref.plug, ref.slot_snap, ref.slot);
    if (!id)
        return -ENOMEM;
    sn_state_lock(st);
    r = sn_ifacestate_in_transaction(st, sn_ifacestate_delete_fn, id, reterr);
    sn_state_unlock(st);
    char *snaps[] = {(char *)ref.plug_snap, (char *)ref.slot_snap, NULL};
    return r < 0 ? r : sn_ifacestate_regenerate_snaps(st, snaps, reterr);
}

static int do_disconnect(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnState *st = sn_task_ctx_state(ctx);
    json_t *data = sn_task_ctx_data(ctx);
    Ref ref;
    int r = task_ref(ctx, &ref, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *id = sn_ifacestate_conn_id(ref.plug_snap, ref.plug, ref.slot_snap, ref.slot);
    if (!id)
        return -ENOMEM;
    /* a removal's disconnect drops the record, so that a reinstall auto-connects again (snapd) */
    bool forget =
        json_is_true(json_object_get(data, "forget")) || json_is_true(json_object_get(data, "auto-disconnect"));
    Conn c = {0};
    bool found = false;
    sn_state_lock(st);
    r = find_conn(st, id, &c, &found, reterr);
    if (r >= 0 && found) {
        /* A rerun after a crash finds the record already changed: keep the first "old" for undo. */
        if (!json_object_get(data, "old-conn"))
            json_object_set_new(data, "old-conn", conn_to_json(&c));
        if (c.autoc && !forget && !c.undesired) {
            c.undesired = true;
            r = sn_ifacestate_in_transaction(st, sn_ifacestate_put_fn, &c, reterr);
        } else if (!c.autoc || forget)
            r = sn_ifacestate_in_transaction(st, sn_ifacestate_delete_fn, id, reterr);
    }
    sn_state_unlock(st);
    sn_ifacestate_conn_done(&c);
    char *snaps[] = {(char *)ref.plug_snap, (char *)ref.slot_snap, NULL};
    return r < 0 ? r : sn_ifacestate_regenerate_snaps(st, snaps, reterr);
}

static int undo_disconnect(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnState *st = sn_task_ctx_state(ctx);
    json_t *old = json_object_get(sn_task_ctx_data(ctx), "old-conn");
    if (!old)
        return 0;
    Conn c = {0};
    int r = conn_from_json(old, &c);
    if (r < 0) {
        sn_ifacestate_conn_done(&c);
        return sn_error_set(reterr, r, "internal error: bad old-conn in disconnect task");
    }
    sn_state_lock(st);
    r = sn_ifacestate_in_transaction(st, sn_ifacestate_put_fn, &c, reterr);
    sn_state_unlock(st);
    char *snaps[] = {c.plug_snap, c.slot_snap, NULL};
    if (r >= 0)
        r = sn_ifacestate_regenerate_snaps(st, snaps, reterr);
    sn_ifacestate_conn_done(&c);
    return r;
}

typedef struct Inject {
    SnIfaceTaskSet ts;
    int64_t change_id, task_id;
} Inject;

static int inject_fn(SnState *st, void *userdata, SnError **reterr)
{
    Inject *in = userdata;
    return sn_iface_tasks_inject(st, &in->ts, in->change_id, in->task_id, reterr);
}

static void inject_free(void *userdata)
{
    Inject *in = userdata;
    sn_iface_task_set_done(&in->ts);
    free(in);
}

/* Injects ts (taken, emptied) after the task when it has tasks, with the task's success. */
static int inject_on_commit(SnTaskCtx *ctx, SnIfaceTaskSet *ts)
{
    if (ts->n == 0)
        return 0;
    Inject *in = calloc(1, sizeof(*in));
    if (!in) {
        sn_iface_task_set_done(ts);
        return -ENOMEM;
    }
    *in = (Inject){.ts = *ts, .change_id = sn_task_ctx_change_id(ctx), .task_id = sn_task_ctx_id(ctx)};
    *ts = (SnIfaceTaskSet){0};
    return sn_task_ctx_on_commit(ctx, inject_fn, in, inject_free);
}

static int do_auto_connect(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    _sn_free_ char *name = sn_task_ctx_snap_name(ctx, reterr);
    if (!name)
        return -EINVAL;
    json_t *made = NULL;
    /* snapd injects connect chains with their hooks; here only connections with hooks need that */
    SnIfaceTaskSet hooked = {0};
    int r = auto_connect(sn_task_ctx_state(ctx), name, &hooked, &made, reterr);
    if (r >= 0)
        r = inject_on_commit(ctx, &hooked);
    sn_iface_task_set_done(&hooked);
    if (r < 0) {
        json_decref(made);
        return r;
    }
    if (json_array_size(made) > 0)
        sn_task_ctx_logf(ctx, "Connected %zu plugs and slots of snap \"%s\" automatically", json_array_size(made),
                         name);
    json_object_set_new(sn_task_ctx_data(ctx), "auto-connections", made);
    return 0;
}

static int undo_auto_connect(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    json_t *made = json_object_get(sn_task_ctx_data(ctx), "auto-connections");
    return made ? sn_ifacestate_forget(sn_task_ctx_state(ctx), made, reterr) : 0;
}

/* auto-disconnect and discard-conns: the snap's connections go (kept in the task for undo). */
static int do_drop_conns(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    _sn_free_ char *name = sn_task_ctx_snap_name(ctx, reterr);
    if (!name)
        return -EINVAL;
    SnState *st = sn_task_ctx_state(ctx);
    json_t *data = sn_task_ctx_data(ctx);
    bool undesired_too = SN_STREQ(sn_task_ctx_kind(ctx), "discard-conns");
    Conn *v = NULL;
    size_t n = 0;
    _sn_strv_free_ char **affected = NULL;
    json_t *dropped = json_object_get(data, "dropped");
    if (!dropped) {
        dropped = json_array();
        json_object_set_new(data, "dropped", dropped);
    }
    /* a removal's connections whose snaps have disconnect hooks get snapd's injected disconnect chains */
    SnIfaceTaskSet hooked = {0};
    Repo repo = {0};
    sn_state_lock(st);
    int r = undesired_too ? 0 : sn_ifacestate_repo_load(st, &repo, reterr);
    if (r >= 0)
        r = sn_ifacestate_conns_load(st, &v, &n, reterr);
    for (size_t i = 0; r >= 0 && i < n; i++) {
        if (!SN_STREQ(v[i].plug_snap, name) && !SN_STREQ(v[i].slot_snap, name))
            continue;
        if (v[i].undesired && !undesired_too)
            continue;
        unsigned hooks = undesired_too ? 0
                                       : sn_ifacestate_conn_hooks(&repo, v[i].plug_snap, v[i].plug, v[i].slot_snap,
                                                                  v[i].slot, DISCONNECT_HOOKS);
        if (hooks) {
            SnIfaceConnRef ref = {v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot};
            r = sn_iface_tasks_disconnect(&hooked, &ref, v[i].plug_static, v[i].plug_dynamic, v[i].slot_static,
                                          v[i].slot_dynamic, hooks, SN_IFACE_TASK_AUTO_DISCONNECT);
            continue;
        }
        _sn_free_ char *id = sn_ifacestate_conn_id(v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot);
        if (!id || json_array_append_new(dropped, conn_to_json(&v[i])) < 0)
            r = -ENOMEM;
        if (r >= 0)
            r = sn_ifacestate_in_transaction(st, sn_ifacestate_delete_fn, id, reterr);
        if (r >= 0)
            r = sn_ifacestate_push_unique(&affected, SN_STREQ(v[i].plug_snap, name) ? v[i].slot_snap : v[i].plug_snap);
        /* the slot snap's own gpio units go with the connection (ifacestate-gpio.h) */
        if (r >= 0 && SN_STREQ(v[i].slot_snap, name) && SN_STREQ(v[i].interface, "gpio"))
            r = sn_ifacestate_push_unique(&affected, name);
    }
    sn_state_unlock(st);
    sn_ifacestate_repo_done(&repo);
    sn_ifacestate_conns_free(v, n);
    if (r >= 0)
        r = inject_on_commit(ctx, &hooked);
    sn_iface_task_set_done(&hooked);
    return r < 0 ? r : sn_ifacestate_regenerate_snaps(st, affected, reterr);
}

static int undo_drop_conns(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnState *st = sn_task_ctx_state(ctx);
    json_t *dropped = json_object_get(sn_task_ctx_data(ctx), "dropped");
    _sn_strv_free_ char **affected = NULL;
    size_t i;
    json_t *j;
    int r = 0;
    sn_state_lock(st);
    json_array_foreach(dropped, i, j)
    {
        Conn c = {0};
        r = conn_from_json(j, &c);
        if (r >= 0)
            r = sn_ifacestate_in_transaction(st, sn_ifacestate_put_fn, &c, reterr);
        if (r >= 0 && (r = sn_ifacestate_push_unique(&affected, c.plug_snap)) >= 0)
            r = sn_ifacestate_push_unique(&affected, c.slot_snap);
        sn_ifacestate_conn_done(&c);
        if (r < 0)
            break;
    }
    sn_state_unlock(st);
    return r < 0 ? r : sn_ifacestate_regenerate_snaps(st, affected, reterr);
}

int sn_ifacestate_register(SnTaskRunner *runner)
{
    static const struct {
        const char *kind;
        SnTaskHandler do_fn, undo_fn;
    } kinds[] = {
        {"connect", do_connect, undo_connect},
        {"disconnect", do_disconnect, undo_disconnect},
        {"auto-connect", do_auto_connect, undo_auto_connect},
        {"auto-disconnect", do_drop_conns, undo_drop_conns},
        {"discard-conns", do_drop_conns, undo_drop_conns},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(kinds); i++) {
        int r = sn_taskrunner_add_handler(runner, kinds[i].kind, kinds[i].do_fn, kinds[i].undo_fn, NULL);
        if (r < 0)
            return r;
    }
    return 0;
}
