/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Interfaces, part one: the connection records (the connections table), the repository of the installed snaps'
 * plugs and slots, and the regeneration of profiles and content mounts from them. Auto-connect and the task
 * handlers are ifacestate-tasks.c's, the API's view ifacestate-api.c's.
 */
#include "ifacestate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd-util.h"
#include "ifacestate-gpio.h"
#include "ifacestate-hooks.h"
#include "ifacestate-internal.h"
#include "interfaces-policy.h"
#include "interfaces.h"
#include "log.h"
#include "policy-blob.h"
#include "read-snap.h"
#include "sandbox-features.h"
#include "setup-profiles.h"
#include "state-snap.h"
#include "strutil.h"

/* ---- connection records ---- */

void sn_ifacestate_conn_done(Conn *c)
{
    free(c->plug_snap);
    free(c->plug);
    free(c->slot_snap);
    free(c->slot);
    free(c->interface);
    json_decref(c->plug_static);
    json_decref(c->slot_static);
    json_decref(c->plug_dynamic);
    json_decref(c->slot_dynamic);
    *c = (Conn){0};
}

void sn_ifacestate_conns_free(Conn *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        sn_ifacestate_conn_done(&v[i]);
    free(v);
}

char *sn_ifacestate_conn_id(const char *ps, const char *p, const char *ss, const char *s)
{
    return sn_strdup_printf("%s:%s %s:%s", ps, p, ss, s);
}

int sn_ifacestate_init(SnState *st, SnError **reterr)
{
    sn_state_lock(st);
    int r = sn_state_exec(st,
                          "CREATE TABLE IF NOT EXISTS connections ("
                          "  id TEXT PRIMARY KEY," /* snapd's ConnRef.ID(): "ps:p ss:s" */
                          "  plug_snap TEXT NOT NULL, plug TEXT NOT NULL,"
                          "  slot_snap TEXT NOT NULL, slot TEXT NOT NULL,"
                          "  interface TEXT NOT NULL,"
                          "  auto INTEGER NOT NULL DEFAULT 0,"
                          "  by_gadget INTEGER NOT NULL DEFAULT 0,"
                          "  undesired INTEGER NOT NULL DEFAULT 0,"
                          "  plug_static TEXT NOT NULL DEFAULT '{}', plug_dynamic TEXT NOT NULL DEFAULT '{}',"
                          "  slot_static TEXT NOT NULL DEFAULT '{}', slot_dynamic TEXT NOT NULL DEFAULT '{}'"
                          ");",
                          reterr);
    sn_state_unlock(st);
    return r;
}

static json_t *json_col(sqlite3_stmt *s, int col)
{
    const char *t = (const char *)sqlite3_column_text(s, col);
    json_t *j = t ? json_loads(t, 0, NULL) : NULL;
    return j ? j : json_object();
}

/* Every record, by id. Lock held. */
int sn_ifacestate_conns_load(SnState *st, Conn **ret, size_t *ret_n, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st,
                             "SELECT plug_snap, plug, slot_snap, slot, interface, auto, by_gadget, undesired,"
                             " plug_static, slot_static, plug_dynamic, slot_dynamic FROM connections ORDER BY id",
                             &s, reterr);
    if (r < 0)
        return r;
    Conn *v = NULL;
    size_t n = 0;
    while ((r = sqlite3_step(s)) == SQLITE_ROW) {
        Conn *nv = realloc(v, (n + 1) * sizeof(*nv));
        if (!nv) {
            sn_ifacestate_conns_free(v, n);
            return -ENOMEM;
        }
        v = nv;
        Conn *c = &v[n++];
        *c = (Conn){
            .plug_snap = strdup((const char *)sqlite3_column_text(s, 0)),
            .plug = strdup((const char *)sqlite3_column_text(s, 1)),
            .slot_snap = strdup((const char *)sqlite3_column_text(s, 2)),
            .slot = strdup((const char *)sqlite3_column_text(s, 3)),
            .interface = strdup((const char *)sqlite3_column_text(s, 4)),
            .autoc = sqlite3_column_int(s, 5),
            .by_gadget = sqlite3_column_int(s, 6),
            .undesired = sqlite3_column_int(s, 7),
            .plug_static = json_col(s, 8),
            .slot_static = json_col(s, 9),
            .plug_dynamic = json_col(s, 10),
            .slot_dynamic = json_col(s, 11),
        };
        if (!c->plug_snap || !c->plug || !c->slot_snap || !c->slot || !c->interface) {
            sn_ifacestate_conns_free(v, n);
            return -ENOMEM;
        }
    }
    if (r != SQLITE_DONE) {
        sn_ifacestate_conns_free(v, n);
        return sn_state_sql_error(st, reterr, "cannot read the connections");
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int sn_ifacestate_conn_put(SnState *st, const Conn *c, SnError **reterr)
{
    _sn_free_ char *id = sn_ifacestate_conn_id(c->plug_snap, c->plug, c->slot_snap, c->slot);
    _sn_free_ char *ps = json_dumps(c->plug_static, JSON_COMPACT), *ss = json_dumps(c->slot_static, JSON_COMPACT);
    _sn_free_ char *pd = json_dumps(c->plug_dynamic, JSON_COMPACT), *sd = json_dumps(c->slot_dynamic, JSON_COMPACT);
    if (!id || !ps || !ss || !pd || !sd)
        return -ENOMEM;
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r =
        sn_state_prepare(st,
                         "INSERT OR REPLACE INTO connections (id, plug_snap, plug, slot_snap, slot, interface, auto,"
                         " by_gadget, undesired, plug_static, slot_static, plug_dynamic, slot_dynamic)"
                         " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         &s, reterr);
    if (r < 0)
        return r;
    const char *texts[] = {id, c->plug_snap, c->plug, c->slot_snap, c->slot, c->interface};
    for (int i = 0; i < 6; i++)
        sqlite3_bind_text(s, i + 1, texts[i], -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 7, c->autoc);
    sqlite3_bind_int(s, 8, c->by_gadget);
    sqlite3_bind_int(s, 9, c->undesired);
    const char *attrs[] = {ps, ss, pd, sd};
    for (int i = 0; i < 4; i++)
        sqlite3_bind_text(s, 10 + i, attrs[i], -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot store a connection");
    return 0;
}

static int conn_delete(SnState *st, const char *id, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "DELETE FROM connections WHERE id = ?", &s, reterr);
    if (r < 0)
        return r;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    return sqlite3_step(s) == SQLITE_DONE ? 0 : sn_state_sql_error(st, reterr, "cannot delete a connection");
}

/* Runs fn in a transaction of its own. Lock held. */
int sn_ifacestate_in_transaction(SnState *st, int (*fn)(SnState *, const void *, SnError **), const void *arg,
                                 SnError **reterr)
{
    int r = sn_state_begin(st, reterr);
    if (r < 0)
        return r;
    r = fn(st, arg, reterr);
    if (r < 0) {
        sn_state_rollback(st);
        return r;
    }
    return sn_state_commit(st, reterr);
}

int sn_ifacestate_put_fn(SnState *st, const void *c, SnError **reterr)
{
    return sn_ifacestate_conn_put(st, c, reterr);
}

int sn_ifacestate_delete_fn(SnState *st, const void *id, SnError **reterr)
{
    return conn_delete(st, id, reterr);
}

/* ---- the repository: plugs and slots of what is installed ---- */

void sn_ifacestate_repo_done(Repo *r)
{
    for (size_t i = 0; i < r->n_ends; i++) {
        End *e = &r->ends[i];
        free(e->snap);
        free(e->name);
        free(e->interface);
        free(e->label);
        free(e->revision);
        free(e->snap_type);
        json_decref(e->attrs);
        sn_strv_free(e->apps);
        sn_strv_free(e->hooks);
    }
    free(r->ends);
    for (size_t i = 0; i < r->n_snaps; i++) {
        free(r->snaps[i].name);
        free(r->snaps[i].revision);
        sn_snap_info_free(r->snaps[i].info);
        sn_strv_free(r->snaps[i].implicit_hooks);
    }
    free(r->snaps);
    *r = (Repo){0};
}

static const char *const snap_types[] = {"app", "gadget", "kernel", "base", "snapd", "os"};

static char **strv_or_empty(char **v)
{
    if (v) {
        char **c = NULL;
        for (char **p = v; *p; p++)
            if (sn_strv_push(&c, *p) < 0)
                return sn_strv_free(c);
        if (c)
            return c;
    }
    return calloc(1, sizeof(char *));
}

static int add_end(Repo *repo, const char *snap, const char *type, const char *rev, const char *name,
                   const char *iface_name, const char *label, json_t *attrs, char **apps, char **hooks, bool all,
                   bool is_slot)
{
    End *n = realloc(repo->ends, (repo->n_ends + 1) * sizeof(*n));
    if (!n) {
        json_decref(attrs);
        return -ENOMEM;
    }
    repo->ends = n;
    End *e = &repo->ends[repo->n_ends++];
    *e = (End){.snap = strdup(snap),
               .name = strdup(name),
               .interface = strdup(iface_name),
               .label = label ? strdup(label) : NULL,
               .revision = rev ? strdup(rev) : NULL,
               .snap_type = strdup(type),
               .attrs = attrs,
               .is_slot = is_slot};
    if (!all) {
        e->apps = strv_or_empty(apps);
        e->hooks = strv_or_empty(hooks);
        if (!e->apps || !e->hooks)
            return -ENOMEM;
    }
    if (!e->snap || !e->name || !e->interface || !e->snap_type || (rev && !e->revision))
        return -ENOMEM;
    return 0;
}

/* SnIfaceEnd views point into the End; set them once the array stops moving. */
static void repo_fix_views(Repo *repo)
{
    for (size_t i = 0; i < repo->n_ends; i++) {
        End *e = &repo->ends[i];
        e->e = (SnIfaceEnd){.snap = e->snap,
                            .name = e->name,
                            .interface = e->interface,
                            .snap_type = e->snap_type,
                            .revision = e->revision,
                            .attrs = e->attrs,
                            .apps = e->apps,
                            .hooks = e->hooks};
    }
}

static bool on_classic(const char *root)
{
    _sn_free_ char *p = sn_strdup_printf("%s/var/lib/snapd/modeenv", root);
    return !p || access(p, F_OK) < 0;
}

/* Lock held. */
const char *sn_ifacestate_system_snap(SnState *st)
{
    SnSnapState *s = NULL;
    if (sn_snap_state_get(st, "snapd", &s, NULL) >= 0) {
        sn_snap_state_free(s);
        return "snapd";
    }
    if (sn_snap_state_get(st, "core", &s, NULL) >= 0) {
        sn_snap_state_free(s);
        return "core";
    }
    return "snapd";
}

static int add_snap_ends(Repo *repo, const RepoSnap *rs)
{
    const SnSnapInfo *info = rs->info;
    const char *type = snap_types[info->type];
    for (int side = 0; side < 2; side++) {
        const SnPlugSlot *v = side ? info->slots : info->plugs;
        size_t n = side ? info->n_slots : info->n_plugs;
        for (size_t i = 0; i < n; i++) {
            const SnInterface *iface = sn_iface_lookup(v[i].interface);
            if (!iface)
                continue; /* an interface this build does not know */
            json_t *attrs = sn_iface_attrs_from_yaml(v[i].attrs.kind ? &v[i].attrs : NULL);
            if (!attrs)
                return -ENOMEM;
            if (!json_is_object(attrs)) {
                json_decref(attrs);
                attrs = json_object();
            }
            int r = side ? sn_iface_sanitize_slot(iface, v[i].name, attrs, NULL)
                         : sn_iface_sanitize_plug(iface, v[i].name, attrs, NULL);
            if (r < 0) {
                json_decref(attrs);
                continue; /* snapd drops such plugs and slots from the repository too */
            }
            r = add_end(repo, rs->name, type, rs->revision, v[i].name, v[i].interface, v[i].label, attrs, v[i].apps,
                        v[i].hooks, v[i].unscoped, side == 1);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/*
 * Loads every active snap's plugs and slots (and those of the snap named also, active or not: the
 * undo of a refresh sets up the old revision's profiles before it is active again), and the system
 * snap's implicit slots. Lock held.
 */
static int repo_load_also(SnState *st, Repo *repo, const char *also, SnError **reterr)
{
    *repo = (Repo){.root = sn_state_root(st)};
    repo->on_classic = on_classic(repo->root);
    repo->system = sn_ifacestate_system_snap(st);
    SnSnapState **v = NULL;
    size_t n = 0;
    int r = sn_snap_state_list(st, &v, &n, reterr);
    if (r < 0)
        return r;
    repo->snaps = calloc(n + 1, sizeof(RepoSnap));
    if (!repo->snaps) {
        sn_snap_state_array_free(v, n);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n && r >= 0; i++) {
        if ((!v[i]->active && !(also && SN_STREQ(v[i]->name, also))) || v[i]->current == 0)
            continue;
        char rev[24];
        sn_revision_format(v[i]->current, rev);
        _sn_free_ char *dir = sn_strdup_printf("%s/snap/%s/%s", repo->root, v[i]->name, rev);
        if (!dir) {
            r = -ENOMEM;
            break;
        }
        RepoSnap rs = {0};
        if (sn_policy_read_snap(dir, &rs.info, &rs.implicit_hooks, NULL) < 0)
            continue; /* not mounted: it has no plugs or slots to offer now */
        rs.name = strdup(v[i]->name);
        rs.revision = strdup(rev);
        repo->snaps[repo->n_snaps++] = rs;
        if (!rs.name || !rs.revision)
            r = -ENOMEM;
        else
            r = add_snap_ends(repo, &rs);
    }
    sn_snap_state_array_free(v, n);
    for (const SnInterface *const *i = sn_iface_all(); r >= 0 && *i; i++)
        if (sn_iface_implicit(*i, repo->on_classic))
            r = add_end(repo, repo->system, "snapd", NULL, sn_iface_name(*i), sn_iface_name(*i), NULL, json_object(),
                        NULL, NULL, true, true);
    if (r < 0) {
        sn_ifacestate_repo_done(repo);
        return sn_error_set(reterr, r, "cannot load the interfaces of the installed snaps");
    }
    repo_fix_views(repo);
    return 0;
}

int sn_ifacestate_repo_load(SnState *st, Repo *repo, SnError **reterr)
{
    return repo_load_also(st, repo, NULL, reterr);
}

End *sn_ifacestate_repo_find(Repo *repo, const char *snap, const char *name, bool is_slot)
{
    for (size_t i = 0; i < repo->n_ends; i++) {
        End *e = &repo->ends[i];
        if (e->is_slot == is_slot && SN_STREQ(e->snap, snap) && SN_STREQ(e->name, name))
            return e;
    }
    return NULL;
}

RepoSnap *sn_ifacestate_repo_snap(Repo *repo, const char *name)
{
    for (size_t i = 0; i < repo->n_snaps; i++)
        if (SN_STREQ(repo->snaps[i].name, name))
            return &repo->snaps[i];
    return NULL;
}

/* Whether snap (active and mounted) has the hook: declared in snap.yaml or an implicit meta/hooks file. */
static bool repo_snap_has_hook(Repo *repo, const char *snap, const char *hook)
{
    RepoSnap *rs = hook ? sn_ifacestate_repo_snap(repo, snap) : NULL;
    return rs && (sn_snap_info_find_hook(rs->info, hook) || sn_strv_contains(rs->implicit_hooks, hook));
}

/* The SnIfaceHooks bits (of want) of connection ps:p ss:s whose hooks its snaps have. */
unsigned sn_ifacestate_conn_hooks(Repo *repo, const char *ps, const char *p, const char *ss, const char *s,
                                  unsigned want)
{
    static const SnIfaceHooks bits[] = {SN_IFACE_HOOK_PREPARE_PLUG,    SN_IFACE_HOOK_PREPARE_SLOT,
                                        SN_IFACE_HOOK_CONNECT_SLOT,    SN_IFACE_HOOK_CONNECT_PLUG,
                                        SN_IFACE_HOOK_DISCONNECT_SLOT, SN_IFACE_HOOK_DISCONNECT_PLUG};
    const unsigned plug_side = SN_IFACE_HOOK_PREPARE_PLUG | SN_IFACE_HOOK_CONNECT_PLUG | SN_IFACE_HOOK_DISCONNECT_PLUG;
    unsigned v = 0;
    for (size_t i = 0; i < SN_ELEMENTSOF(bits); i++) {
        if (!(want & bits[i]))
            continue;
        _sn_free_ char *hook = sn_iface_hook_name(bits[i], p, s);
        if (repo_snap_has_hook(repo, (bits[i] & plug_side) ? ps : ss, hook))
            v |= bits[i];
    }
    return v;
}

SnIfaceCandidate sn_ifacestate_candidate(const Repo *repo, const End *plug, const End *slot)
{
    return (SnIfaceCandidate){.plug = &plug->e, .slot = &slot->e, .on_classic = repo->on_classic};
}

/* ---- profiles ---- */

static int landlock_flags(void)
{
    SnSandboxProbe p = {0};
    int flags = 0;
    if (sn_sandbox_probe(NULL, -1, &p) >= 0 && p.landlock_abi < 1)
        flags |= SN_POLICY_FLAG_LANDLOCK_OPTIONAL;
    sn_sandbox_probe_done(&p);
    return flags;
}

/*
 * Regenerates snap `name`'s profiles and content mounts from the connections conns. Lock not held.
 * strict: a content mount that cannot be applied in the snap's preserved namespace is an error (the
 * namespace is discarded either way, see sn_ifacestate_ns_update).
 */
int sn_ifacestate_regenerate(const Repo *repo, const Conn *conns, size_t n_conns, const char *name, bool strict,
                             SnError **reterr)
{
    RepoSnap *rs = sn_ifacestate_repo_snap((Repo *)repo, name);
    if (!rs)
        return 0; /* the system snap, or a snap that is not installed or not mounted */
    _sn_cleanup_(sn_iface_grants_freep) SnIfaceGrants *g = NULL;
    int r = sn_iface_grants_new(&g);
    if (r < 0)
        return r;
    SnIfaceContext ctx = {.root = repo->root, .on_classic = repo->on_classic};
    SnIfaceMount *mounts = NULL;
    size_t n_mounts = 0;
    for (size_t i = 0; i < n_conns && r >= 0; i++) {
        const Conn *c = &conns[i];
        if (c->undesired || (!SN_STREQ(c->plug_snap, name) && !SN_STREQ(c->slot_snap, name)))
            continue;
        End *plug = sn_ifacestate_repo_find((Repo *)repo, c->plug_snap, c->plug, false);
        End *slot = sn_ifacestate_repo_find((Repo *)repo, c->slot_snap, c->slot, true);
        if (!plug || !slot || !SN_STREQ(plug->interface, slot->interface))
            continue;
        if (SN_STREQ(c->plug_snap, name)) {
            r = sn_iface_grants_add(g, &ctx, &plug->e, &slot->e, false, reterr);
            SnIfaceMount *m = NULL;
            size_t n = 0;
            if (r >= 0)
                r = sn_iface_mounts(&plug->e, &slot->e, &m, &n, reterr);
            if (r >= 0 && n > 0) {
                SnIfaceMount *nm = realloc(mounts, (n_mounts + n) * sizeof(*nm));
                if (!nm) {
                    sn_iface_mounts_free(m, n);
                    r = -ENOMEM;
                    break;
                }
                mounts = nm;
                memcpy(&mounts[n_mounts], m, n * sizeof(*m));
                n_mounts += n;
                free(m);
            }
        }
        if (r >= 0 && SN_STREQ(c->slot_snap, name))
            r = sn_iface_grants_add(g, &ctx, &plug->e, &slot->e, true, reterr);
    }
    /* The content mounts go into every blob too: snap-confine applies them to a namespace it creates. */
    SnPolicyMountGrant *pm = n_mounts ? calloc(n_mounts, sizeof(*pm)) : NULL;
    if (r >= 0 && n_mounts && !pm)
        r = -ENOMEM;
    for (size_t i = 0; r >= 0 && i < n_mounts; i++)
        pm[i] = (SnPolicyMountGrant){mounts[i].source, mounts[i].target, mounts[i].read_only};
    if (r >= 0) {
        size_t n = 0;
        const SnPolicyGrant *grants = sn_iface_grants_get(g, &n);
        SnPolicySetup setup = {.info = rs->info,
                               .instance_name = name,
                               .revision = rs->revision,
                               .implicit_hooks = rs->implicit_hooks,
                               .grants = grants,
                               .n_grants = n,
                               .mounts = pm,
                               .n_mounts = n_mounts,
                               .flags = (uint32_t)landlock_flags()};
        r = sn_policy_setup_profiles(repo->root, &setup, NULL, reterr);
    }
    free(pm);
    if (r >= 0)
        r = sn_ifacestate_ns_update(repo->root, name, mounts, n_mounts, strict, reterr);
    sn_iface_mounts_free(mounts, n_mounts);
    return r;
}

/* The gpio pins the connections to snap `name`'s gpio slots want exported (ifacestate-gpio.h). */
static int gpio_pins(const Repo *repo, const Conn *conns, size_t n_conns, const char *name, int64_t **ret,
                     size_t *ret_n)
{
    int64_t *pins = NULL;
    size_t n = 0;
    for (size_t i = 0; i < n_conns; i++) {
        const Conn *c = &conns[i];
        if (c->undesired || !SN_STREQ(c->slot_snap, name))
            continue;
        End *plug = sn_ifacestate_repo_find((Repo *)repo, c->plug_snap, c->plug, false);
        End *slot = sn_ifacestate_repo_find((Repo *)repo, c->slot_snap, c->slot, true);
        json_t *num = slot ? json_object_get(slot->attrs, "number") : NULL;
        if (!plug || !SN_STREQ(slot->interface, "gpio") || !SN_STREQ(plug->interface, "gpio") ||
            !json_is_integer(num) || json_integer_value(num) < 0)
            continue;
        int64_t *np = realloc(pins, (n + 1) * sizeof(*np));
        if (!np) {
            free(pins);
            return -ENOMEM;
        }
        pins = np;
        pins[n++] = json_integer_value(num);
    }
    *ret = pins;
    *ret_n = n;
    return 0;
}

/*
 * Exports the gpio pins of the connected gpio slots of the snaps named in snaps, and unexports those
 * no longer connected (a snap that is gone or inactive keeps none), before their plugs' profiles are
 * compiled (the AppArmor rule names the exported pin's sysfs directory). What snapd only logs (a pin
 * that cannot be exported) is logged. Lock not held.
 */
int sn_ifacestate_gpio_sync_snaps(const Repo *repo, const Conn *conns, size_t n_conns, char *const *snaps,
                                  SnError **reterr)
{
    int r = 0;
    for (char *const *s = snaps; s && *s && r >= 0; s++) {
        if (SN_STREQ(*s, repo->system))
            continue;
        _sn_free_ int64_t *pins = NULL;
        size_t n = 0;
        if ((r = gpio_pins(repo, conns, n_conns, *s, &pins, &n)) < 0)
            return sn_error_set(reterr, r, "out of memory");
        SnError *warn = NULL;
        r = sn_ifacestate_gpio_sync(repo->root, *s, pins, n, &warn, reterr);
        if (warn)
            sn_log_warning("gpio of snap \"%s\": %s", *s, warn->message);
        sn_error_free(warn);
    }
    return r;
}

/*
 * Loads the repository (with also, see repo_load_also) and the connections, and regenerates every
 * snap named in snaps. Lock not held.
 */
static int regenerate_snaps_also(SnState *st, char *const *snaps, const char *also, SnError **reterr)
{
    Repo repo = {0};
    Conn *conns = NULL;
    size_t n = 0;
    sn_state_lock(st);
    int r = repo_load_also(st, &repo, also, reterr);
    if (r >= 0 && (r = sn_ifacestate_conns_load(st, &conns, &n, reterr)) < 0)
        sn_ifacestate_repo_done(&repo);
    sn_state_unlock(st);
    if (r < 0)
        return r;
    r = sn_ifacestate_gpio_sync_snaps(&repo, conns, n, snaps, reterr);
    for (char *const *s = snaps; s && *s && r >= 0; s++)
        r = sn_ifacestate_regenerate(&repo, conns, n, *s, true, reterr);
    sn_ifacestate_conns_free(conns, n);
    sn_ifacestate_repo_done(&repo);
    return r;
}

int sn_ifacestate_regenerate_snaps(SnState *st, char *const *snaps, SnError **reterr)
{
    return regenerate_snaps_also(st, snaps, NULL, reterr);
}

int sn_ifacestate_setup_profiles(SnState *st, const char *name, SnError **reterr)
{
    char *snaps[] = {(char *)name, NULL};
    return regenerate_snaps_also(st, snaps, name, reterr);
}

int sn_ifacestate_push_unique(char ***v, const char *s)
{
    return sn_strv_contains(*v, s) ? 0 : sn_strv_push(v, s);
}

/* Whether snap `name` has a blob written for another blob version, or none though it has apps or hooks. */
static bool blobs_stale(const char *root, const char *name, bool has_tags)
{
    _sn_free_ char *dir = sn_strdup_printf("%s" SN_POLICY_DIR, root);
    _sn_free_ char *prefix = sn_strdup_printf("snap.%s.", name);
    if (!dir || !prefix)
        return false;
    DIR *d = opendir(dir);
    if (!d)
        return has_tags;
    bool any = false, stale = false;
    for (struct dirent *de; !stale && (de = readdir(d));) {
        if (!sn_startswith(de->d_name, prefix) || !sn_endswith(de->d_name, ".policy"))
            continue;
        any = true;
        SnPolicyBlobHeader h = {0};
        _sn_close_ int fd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        stale = fd < 0 || sn_read_full(fd, &h, sizeof(h)) != (ssize_t)sizeof(h) ||
                memcmp(h.magic, SN_POLICY_BLOB_MAGIC, SN_POLICY_BLOB_MAGIC_LEN) != 0 ||
                h.version != SN_POLICY_BLOB_VERSION;
    }
    closedir(d);
    return stale || (!any && has_tags);
}

int sn_ifacestate_refresh_stale_profiles(SnState *st, unsigned *ret_n, SnError **reterr)
{
    Repo repo = {0};
    Conn *conns = NULL;
    size_t n = 0;
    unsigned done = 0;
    sn_state_lock(st);
    int r = sn_ifacestate_repo_load(st, &repo, reterr);
    if (r >= 0 && (r = sn_ifacestate_conns_load(st, &conns, &n, reterr)) < 0)
        sn_ifacestate_repo_done(&repo);
    sn_state_unlock(st);
    if (r < 0)
        return r;
    /* the pins the kernel forgot at a reboot (systemd re-runs the enabled units itself) */
    for (size_t i = 0; r >= 0 && i < repo.n_snaps; i++) {
        char *one[] = {repo.snaps[i].name, NULL};
        r = sn_ifacestate_gpio_sync_snaps(&repo, conns, n, one, reterr);
    }
    for (size_t i = 0; r >= 0 && i < repo.n_snaps; i++) {
        const RepoSnap *rs = &repo.snaps[i];
        bool has_tags = rs->info->n_apps || rs->info->n_hooks || (rs->implicit_hooks && rs->implicit_hooks[0]);
        if (!blobs_stale(repo.root, rs->name, has_tags))
            continue;
        r = sn_ifacestate_regenerate(&repo, conns, n, repo.snaps[i].name, false, reterr);
        done++;
    }
    sn_ifacestate_conns_free(conns, n);
    sn_ifacestate_repo_done(&repo);
    if (r >= 0 && ret_n)
        *ret_n = done;
    return r;
}
