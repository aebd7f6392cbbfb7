/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Interfaces, part three: the API's view (the JSON of /v2/connections and /v2/interfaces) and the connect /
 * disconnect changes that POST /v2/interfaces queues.
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

/* ---- the API's view ---- */

static bool has_conn_end(const Conn *v, size_t n, const End *e)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i].undesired)
            continue;
        if (e->is_slot ? (SN_STREQ(v[i].slot_snap, e->snap) && SN_STREQ(v[i].slot, e->name))
                       : (SN_STREQ(v[i].plug_snap, e->snap) && SN_STREQ(v[i].plug, e->name)))
            return true;
    }
    return false;
}

/* {"snap","plug"|"slot","interface","attrs","apps","label","connections"} as snapd's plugJSON/slotJSON. */
static json_t *end_json(Repo *repo, const End *e, const Conn *v, size_t n)
{
    json_t *j =
        json_pack("{s:s, s:s, s:s}", "snap", e->snap, e->is_slot ? "slot" : "plug", e->name, "interface", e->interface);
    if (!j)
        return NULL;
    if (json_object_size(e->attrs) > 0)
        json_object_set(j, "attrs", e->attrs);
    json_t *apps = json_array();
    RepoSnap *rs = sn_ifacestate_repo_snap(repo, e->snap);
    if (e->apps)
        for (char **a = e->apps; *a; a++)
            json_array_append_new(apps, json_string(*a));
    else if (rs)
        for (size_t i = 0; i < rs->info->n_apps; i++)
            json_array_append_new(apps, json_string(rs->info->apps[i].name));
    if (json_array_size(apps) > 0)
        json_object_set_new(j, "apps", apps);
    else
        json_decref(apps);
    if (e->label)
        json_object_set_new(j, "label", json_string(e->label));
    json_t *conns = json_array();
    for (size_t i = 0; i < n; i++) {
        if (v[i].undesired)
            continue;
        if (e->is_slot && SN_STREQ(v[i].slot_snap, e->snap) && SN_STREQ(v[i].slot, e->name))
            json_array_append_new(conns, json_pack("{s:s, s:s}", "snap", v[i].plug_snap, "plug", v[i].plug));
        else if (!e->is_slot && SN_STREQ(v[i].plug_snap, e->snap) && SN_STREQ(v[i].plug, e->name))
            json_array_append_new(conns, json_pack("{s:s, s:s}", "snap", v[i].slot_snap, "slot", v[i].slot));
    }
    if (json_array_size(conns) > 0)
        json_object_set_new(j, "connections", conns);
    else
        json_decref(conns);
    return j;
}

static json_t *conn_json(const Conn *c)
{
    json_t *j = json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s}", "slot", "snap", c->slot_snap, "slot", c->slot, "plug",
                          "snap", c->plug_snap, "plug", c->plug, "interface", c->interface);
    if (!j)
        return NULL;
    if (!c->autoc)
        json_object_set_new(j, "manual", json_true());
    if (c->by_gadget)
        json_object_set_new(j, "gadget", json_true());
    json_t *sa = json_deep_copy(c->slot_static), *pa = json_deep_copy(c->plug_static);
    json_object_update(sa, c->slot_dynamic);
    json_object_update(pa, c->plug_dynamic);
    if (json_object_size(sa) > 0)
        json_object_set_new(j, "slot-attrs", sa);
    else
        json_decref(sa);
    if (json_object_size(pa) > 0)
        json_object_set_new(j, "plug-attrs", pa);
    else
        json_decref(pa);
    return j;
}

static int cmp_end(const void *a, const void *b)
{
    const End *x = *(End *const *)a, *y = *(End *const *)b;
    int r = strcmp(x->snap, y->snap);
    return r ? r : strcmp(x->name, y->name);
}

int sn_ifacestate_connections_json(SnState *st, const char *snap, const char *iface, bool all, json_t **ret,
                                   SnError **reterr)
{
    Repo repo = {0};
    Conn *v = NULL;
    size_t n = 0;
    int r = sn_ifacestate_repo_load(st, &repo, reterr);
    if (r < 0)
        return r;
    if ((r = sn_ifacestate_conns_load(st, &v, &n, reterr)) < 0) {
        sn_ifacestate_repo_done(&repo);
        return r;
    }
    if (snap && SN_STREQ(snap, "system"))
        snap = repo.system;
    json_t *res = json_pack("{s:[], s:[], s:[], s:[]}", "established", "undesired", "plugs", "slots");
    End **sorted = calloc(repo.n_ends + 1, sizeof(End *));
    if (!res || !sorted) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const Conn *c = &v[i];
        if (snap && !SN_STREQ(c->plug_snap, snap) && !SN_STREQ(c->slot_snap, snap))
            continue;
        if (iface && !SN_STREQ(c->interface, iface))
            continue;
        if (!c->undesired && (!sn_ifacestate_repo_find(&repo, c->plug_snap, c->plug, false) ||
                              !sn_ifacestate_repo_find(&repo, c->slot_snap, c->slot, true)))
            continue; /* an end is gone (a disabled snap): not established now */
        json_array_append_new(json_object_get(res, c->undesired ? "undesired" : "established"), conn_json(c));
    }
    for (size_t i = 0; i < repo.n_ends; i++)
        sorted[i] = &repo.ends[i];
    qsort(sorted, repo.n_ends, sizeof(End *), cmp_end);
    for (size_t i = 0; i < repo.n_ends; i++) {
        End *e = sorted[i];
        if (iface && !SN_STREQ(e->interface, iface))
            continue;
        bool connected = has_conn_end(v, n, e);
        if (!all && !connected)
            continue;
        if (snap && !SN_STREQ(e->snap, snap)) {
            /* Another snap's end counts when it is connected to this snap. */
            bool related = false;
            for (size_t k = 0; k < n && !related; k++)
                related = !v[k].undesired &&
                          (e->is_slot ? SN_STREQ(v[k].slot_snap, e->snap) && SN_STREQ(v[k].slot, e->name) &&
                                            SN_STREQ(v[k].plug_snap, snap)
                                      : SN_STREQ(v[k].plug_snap, e->snap) && SN_STREQ(v[k].plug, e->name) &&
                                            SN_STREQ(v[k].slot_snap, snap));
            if (!related)
                continue;
        }
        json_array_append_new(json_object_get(res, e->is_slot ? "slots" : "plugs"), end_json(&repo, e, v, n));
    }
    *ret = SN_TAKE_PTR(res);
out:
    json_decref(res);
    free(sorted);
    sn_ifacestate_conns_free(v, n);
    sn_ifacestate_repo_done(&repo);
    return r;
}

int sn_ifacestate_interfaces_json(SnState *st, char *const *names, bool connected, bool doc, bool plugs, bool slots,
                                  json_t **ret, SnError **reterr)
{
    Repo repo = {0};
    Conn *v = NULL;
    size_t n = 0;
    int r = sn_ifacestate_repo_load(st, &repo, reterr);
    if (r < 0)
        return r;
    if ((r = sn_ifacestate_conns_load(st, &v, &n, reterr)) < 0) {
        sn_ifacestate_repo_done(&repo);
        return r;
    }
    json_t *res = json_array();
    for (const SnInterface *const *i = sn_iface_all(); res && *i; i++) {
        const char *name = sn_iface_name(*i);
        if (names && *names && !sn_strv_contains(names, name))
            continue;
        bool any = false;
        for (size_t k = 0; k < n && !any; k++)
            any = !v[k].undesired && SN_STREQ(v[k].interface, name);
        if (connected && !any)
            continue;
        json_t *j = json_pack("{s:s, s:s}", "name", name, "summary", sn_iface_summary(*i));
        if (doc)
            json_object_set_new(j, "doc-url", json_string(sn_iface_doc_url(*i)));
        for (int side = 0; side < 2; side++) {
            if (side ? !slots : !plugs)
                continue;
            json_t *list = json_array();
            for (size_t k = 0; k < repo.n_ends; k++) {
                End *e = &repo.ends[k];
                if (e->is_slot != (side == 1) || !SN_STREQ(e->interface, name))
                    continue;
                if (connected && !has_conn_end(v, n, e))
                    continue;
                json_t *ej = json_pack("{s:s, s:s}", "snap", e->snap, e->is_slot ? "slot" : "plug", e->name);
                if (json_object_size(e->attrs) > 0)
                    json_object_set(ej, "attrs", e->attrs);
                if (e->label)
                    json_object_set_new(ej, "label", json_string(e->label));
                json_array_append_new(list, ej);
            }
            json_object_set_new(j, side ? "slots" : "plugs", list);
        }
        json_array_append_new(res, j);
    }
    sn_ifacestate_conns_free(v, n);
    sn_ifacestate_repo_done(&repo);
    if (!res)
        return -ENOMEM;
    *ret = res;
    return 0;
}

static int check_installed(SnState *st, const char *system, const char *name, SnError **reterr)
{
    if (!*name || SN_STREQ(name, system))
        return 0;
    SnSnapState *s = NULL;
    int r = sn_snap_state_get(st, name, &s, NULL);
    sn_snap_state_free(s);
    return r < 0 ? sn_error_set(reterr, -ENOENT, "snap \"%s\" is not installed", name) : 0;
}

static json_t *ref_data(const char *ps, const char *p, const char *ss, const char *s)
{
    return json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}", "plug", "snap", ps, "plug", p, "slot", "snap", ss, "slot", s);
}

static int add_affected(SnNewChange *c, const char *system, const char *a, const char *b)
{
    int r = 0;
    if (!SN_STREQ(a, system))
        r = sn_new_change_add_snap(c, a);
    if (r >= 0 && !SN_STREQ(b, system) && !SN_STREQ(a, b))
        r = sn_new_change_add_snap(c, b);
    return r;
}

int sn_ifacestate_connect_change(SnState *st, const char *plug_snap, const char *plug, const char *slot_snap,
                                 const char *slot, SnNewChange **ret_change, SnError **reterr)
{
    if (!plug_snap || !*plug_snap)
        return sn_error_set(reterr, -EINVAL, "cannot resolve connection, plug snap name is empty");
    if (!plug || !*plug)
        return sn_error_set(reterr, -EINVAL, "cannot resolve connection, plug name is empty");
    Repo repo = {0};
    int r = sn_ifacestate_repo_load(st, &repo, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *summary = NULL;
    Conn *v = NULL;
    size_t n = 0;
    const char *ss = slot_snap && *slot_snap ? slot_snap : repo.system;
    if (SN_STREQ(ss, "system"))
        ss = repo.system;
    End *p = NULL, *s = NULL;
    if ((r = check_installed(st, repo.system, plug_snap, reterr)) < 0 ||
        (r = check_installed(st, repo.system, ss, reterr)) < 0)
        goto out;
    p = sn_ifacestate_repo_find(&repo, plug_snap, plug, false);
    if (!p) {
        r = sn_error_set(reterr, -ENOENT, "snap \"%s\" has no plug named \"%s\"", plug_snap, plug);
        goto out;
    }
    if (!slot || !*slot) {
        SnBuf names = {0};
        size_t count = 0;
        for (size_t i = 0; i < repo.n_ends; i++) {
            End *e = &repo.ends[i];
            if (e->is_slot && SN_STREQ(e->snap, ss) && SN_STREQ(e->interface, p->interface)) {
                sn_buf_printf(&names, "%s%s", count++ ? ", " : "", e->name);
                s = e;
            }
        }
        _sn_free_ char *list = sn_buf_steal(&names);
        if (count == 0)
            r = sn_error_set(reterr, -EINVAL, "snap \"%s\" has no \"%s\" interface slots", ss, p->interface);
        else if (count > 1)
            r = sn_error_set(reterr, -EINVAL, "snap \"%s\" has multiple \"%s\" interface slots: %s", ss, p->interface,
                             list ? list : "");
        if (r < 0)
            goto out;
    } else if (!(s = sn_ifacestate_repo_find(&repo, ss, slot, true))) {
        r = sn_error_set(reterr, -ENOENT, "snap \"%s\" has no slot named \"%s\"", ss, slot);
        goto out;
    }
    if (!SN_STREQ(s->interface, p->interface)) {
        r = sn_error_set(reterr, -EINVAL, "cannot connect %s:%s (\"%s\" interface) to %s:%s (\"%s\" interface)",
                         plug_snap, plug, p->interface, ss, s->name, s->interface);
        goto out;
    }
    if ((r = sn_ifacestate_conns_load(st, &v, &n, reterr)) < 0)
        goto out;
    bool existing = false;
    for (size_t i = 0; i < n; i++)
        existing |= !v[i].undesired && SN_STREQ(v[i].plug_snap, p->snap) && SN_STREQ(v[i].plug, p->name) &&
                    SN_STREQ(v[i].slot_snap, s->snap) && SN_STREQ(v[i].slot, s->name);
    sn_ifacestate_conns_free(v, n);
    summary = sn_strdup_printf("Connect %s:%s to %s:%s", p->snap, p->name, s->snap, s->name);
    SnNewChange *c = summary ? sn_new_change_new("connect-snap", summary) : NULL;
    if (!c) {
        r = -ENOMEM;
        goto out;
    }
    json_t *data = ref_data(p->snap, p->name, s->snap, s->name);
    r = add_affected(c, repo.system, p->snap, s->snap);
    /* Connecting an existing connection again is a change that does nothing and succeeds. */
    if (r >= 0 && existing)
        r = sn_new_change_add_task(c, "connect", summary, data, NULL);
    else if (r >= 0) {
        SnIfaceTaskSet ts = {0};
        SnIfaceConnRef ref = {p->snap, p->name, s->snap, s->name};
        r = sn_iface_tasks_connect(&ts, &ref, p->attrs, s->attrs,
                                   sn_ifacestate_conn_hooks(&repo, p->snap, p->name, s->snap, s->name, CONNECT_HOOKS),
                                   0);
        if (r >= 0)
            r = sn_iface_tasks_add_to_change(&ts, c, -1, NULL);
        sn_iface_task_set_done(&ts);
    }
    json_decref(data);
    if (r < 0) {
        sn_new_change_free(c);
        goto out;
    }
    *ret_change = c;
    r = 0;
out:
    sn_ifacestate_repo_done(&repo);
    return r;
}

int sn_ifacestate_disconnect_change(SnState *st, const char *plug_snap, const char *plug, const char *slot_snap,
                                    const char *slot, bool forget, SnNewChange **ret_change, SnError **reterr)
{
    const char *system = sn_ifacestate_system_snap(st);
    plug_snap = plug_snap ? plug_snap : "";
    plug = plug ? plug : "";
    slot_snap = slot_snap ? slot_snap : "";
    slot = slot ? slot : "";
    if (SN_STREQ(plug_snap, "system"))
        plug_snap = system;
    if (SN_STREQ(slot_snap, "system"))
        slot_snap = system;
    int r;
    if ((r = check_installed(st, system, plug_snap, reterr)) < 0 ||
        (r = check_installed(st, system, slot_snap, reterr)) < 0)
        return r;
    Conn *v = NULL;
    size_t n = 0;
    if ((r = sn_ifacestate_conns_load(st, &v, &n, reterr)) < 0)
        return r;
    _sn_free_ bool *pick = calloc(n + 1, sizeof(bool));
    size_t count = 0;
    if (!pick) {
        sn_ifacestate_conns_free(v, n);
        return -ENOMEM;
    }
    if (*plug && *slot) {
        const char *ps = *plug_snap ? plug_snap : system, *ss = *slot_snap ? slot_snap : system;
        for (size_t i = 0; i < n; i++)
            if ((forget || !v[i].undesired) && SN_STREQ(v[i].plug_snap, ps) && SN_STREQ(v[i].plug, plug) &&
                SN_STREQ(v[i].slot_snap, ss) && SN_STREQ(v[i].slot, slot))
                pick[i] = true, count++;
        if (count == 0) {
            sn_ifacestate_conns_free(v, n);
            return sn_error_set(reterr, -EINVAL,
                                forget ? "cannot forget connection %s:%s from %s:%s, it was not connected"
                                       : "cannot disconnect %s:%s from %s:%s, it is not connected",
                                ps, plug, ss, slot);
        }
    } else if ((*plug && !*slot && !*slot_snap) || (!*plug_snap && !*plug && *slot)) {
        const char *sn = *plug ? (*plug_snap ? plug_snap : system) : (*slot_snap ? slot_snap : system);
        const char *nm = *plug ? plug : slot;
        for (size_t i = 0; i < n; i++)
            if ((forget || !v[i].undesired) && ((SN_STREQ(v[i].plug_snap, sn) && SN_STREQ(v[i].plug, nm)) ||
                                                (SN_STREQ(v[i].slot_snap, sn) && SN_STREQ(v[i].slot, nm))))
                pick[i] = true, count++;
    } else {
        sn_ifacestate_conns_free(v, n);
        return sn_error_set(reterr, -EINVAL, "allowed forms are <snap>:<plug> <snap>:<slot> or <snap>:<plug or slot>");
    }
    if (count == 0) {
        sn_ifacestate_conns_free(v, n);
        return sn_error_set(reterr, -ENODATA, "nothing to do");
    }
    _sn_free_ char *summary = sn_strdup_printf("Disconnect %s:%s from %s:%s", plug_snap, plug, slot_snap, slot);
    SnNewChange *c = summary ? sn_new_change_new("disconnect-snap", summary) : NULL;
    r = c ? 0 : -ENOMEM;
    Repo repo = {0};
    if (r >= 0)
        r = sn_ifacestate_repo_load(st, &repo, reterr);
    /* One after the other: each regenerates profiles from the state the previous one left. */
    SnIfaceTaskSet set = {0};
    for (size_t i = 0; r >= 0 && i < n; i++) {
        if (!pick[i])
            continue;
        SnIfaceConnRef ref = {v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot};
        r = sn_iface_tasks_disconnect(
            &set, &ref, v[i].plug_static, v[i].plug_dynamic, v[i].slot_static, v[i].slot_dynamic,
            sn_ifacestate_conn_hooks(&repo, v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot, DISCONNECT_HOOKS),
            forget ? SN_IFACE_TASK_FORGET : 0);
        if (r >= 0)
            r = add_affected(c, system, v[i].plug_snap, v[i].slot_snap);
    }
    if (r >= 0)
        r = sn_iface_tasks_add_to_change(&set, c, -1, NULL);
    sn_iface_task_set_done(&set);
    sn_ifacestate_repo_done(&repo);
    sn_ifacestate_conns_free(v, n);
    if (r < 0) {
        sn_new_change_free(c);
        return r;
    }
    *ret_change = c;
    return 0;
}
