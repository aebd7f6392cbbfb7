/* SPDX-License-Identifier: GPL-3.0-only */
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

typedef struct Conn {
    char *plug_snap, *plug, *slot_snap, *slot, *interface;
    bool autoc, by_gadget, undesired;
    json_t *plug_static, *slot_static, *plug_dynamic, *slot_dynamic;
} Conn;

static void conn_done(Conn *c)
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

static void conns_free(Conn *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        conn_done(&v[i]);
    free(v);
}

static char *conn_id(const char *ps, const char *p, const char *ss, const char *s)
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
static int conns_load(SnState *st, Conn **ret, size_t *ret_n, SnError **reterr)
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
            conns_free(v, n);
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
            conns_free(v, n);
            return -ENOMEM;
        }
    }
    if (r != SQLITE_DONE) {
        conns_free(v, n);
        return sn_state_sql_error(st, reterr, "cannot read the connections");
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

static int conn_put(SnState *st, const Conn *c, SnError **reterr)
{
    _sn_free_ char *id = conn_id(c->plug_snap, c->plug, c->slot_snap, c->slot);
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
static int in_transaction(SnState *st, int (*fn)(SnState *, const void *, SnError **), const void *arg,
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

static int put_fn(SnState *st, const void *c, SnError **reterr)
{
    return conn_put(st, c, reterr);
}

static int delete_fn(SnState *st, const void *id, SnError **reterr)
{
    return conn_delete(st, id, reterr);
}

/* ---- the repository: plugs and slots of what is installed ---- */

typedef struct End {
    SnIfaceEnd e; /* points into the fields below */
    char *snap, *name, *interface, *label, *revision, *snap_type;
    json_t *attrs;
    char **apps, **hooks;
    bool is_slot;
} End;

typedef struct RepoSnap {
    char *name;
    char *revision;
    SnSnapInfo *info;
    char **implicit_hooks;
} RepoSnap;

typedef struct Repo {
    End *ends;
    size_t n_ends;
    RepoSnap *snaps;
    size_t n_snaps;
    const char *system;
    bool on_classic;
    const char *root;
} Repo;

static void repo_done(Repo *r)
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
        repo_done(repo);
        return sn_error_set(reterr, r, "cannot load the interfaces of the installed snaps");
    }
    repo_fix_views(repo);
    return 0;
}

static int repo_load(SnState *st, Repo *repo, SnError **reterr)
{
    return repo_load_also(st, repo, NULL, reterr);
}

static End *repo_find(Repo *repo, const char *snap, const char *name, bool is_slot)
{
    for (size_t i = 0; i < repo->n_ends; i++) {
        End *e = &repo->ends[i];
        if (e->is_slot == is_slot && SN_STREQ(e->snap, snap) && SN_STREQ(e->name, name))
            return e;
    }
    return NULL;
}

static RepoSnap *repo_snap(Repo *repo, const char *name)
{
    for (size_t i = 0; i < repo->n_snaps; i++)
        if (SN_STREQ(repo->snaps[i].name, name))
            return &repo->snaps[i];
    return NULL;
}

/* Whether snap (active and mounted) has the hook: declared in snap.yaml or an implicit meta/hooks file. */
static bool repo_snap_has_hook(Repo *repo, const char *snap, const char *hook)
{
    RepoSnap *rs = hook ? repo_snap(repo, snap) : NULL;
    return rs && (sn_snap_info_find_hook(rs->info, hook) || sn_strv_contains(rs->implicit_hooks, hook));
}

#define CONNECT_HOOKS                                                                                                  \
    (SN_IFACE_HOOK_PREPARE_PLUG | SN_IFACE_HOOK_PREPARE_SLOT | SN_IFACE_HOOK_CONNECT_SLOT | SN_IFACE_HOOK_CONNECT_PLUG)
#define DISCONNECT_HOOKS (SN_IFACE_HOOK_DISCONNECT_SLOT | SN_IFACE_HOOK_DISCONNECT_PLUG)

/* The SnIfaceHooks bits (of want) of connection ps:p ss:s whose hooks its snaps have. */
static unsigned conn_hooks(Repo *repo, const char *ps, const char *p, const char *ss, const char *s, unsigned want)
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

static SnIfaceCandidate candidate(const Repo *repo, const End *plug, const End *slot)
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
static int regenerate(const Repo *repo, const Conn *conns, size_t n_conns, const char *name, bool strict,
                      SnError **reterr)
{
    RepoSnap *rs = repo_snap((Repo *)repo, name);
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
        End *plug = repo_find((Repo *)repo, c->plug_snap, c->plug, false);
        End *slot = repo_find((Repo *)repo, c->slot_snap, c->slot, true);
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
        End *plug = repo_find((Repo *)repo, c->plug_snap, c->plug, false);
        End *slot = repo_find((Repo *)repo, c->slot_snap, c->slot, true);
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
static int gpio_sync_snaps(const Repo *repo, const Conn *conns, size_t n_conns, char *const *snaps, SnError **reterr)
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
    if (r >= 0 && (r = conns_load(st, &conns, &n, reterr)) < 0)
        repo_done(&repo);
    sn_state_unlock(st);
    if (r < 0)
        return r;
    r = gpio_sync_snaps(&repo, conns, n, snaps, reterr);
    for (char *const *s = snaps; s && *s && r >= 0; s++)
        r = regenerate(&repo, conns, n, *s, true, reterr);
    conns_free(conns, n);
    repo_done(&repo);
    return r;
}

static int regenerate_snaps(SnState *st, char *const *snaps, SnError **reterr)
{
    return regenerate_snaps_also(st, snaps, NULL, reterr);
}

int sn_ifacestate_setup_profiles(SnState *st, const char *name, SnError **reterr)
{
    char *snaps[] = {(char *)name, NULL};
    return regenerate_snaps_also(st, snaps, name, reterr);
}

static int push_unique(char ***v, const char *s)
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
    int r = repo_load(st, &repo, reterr);
    if (r >= 0 && (r = conns_load(st, &conns, &n, reterr)) < 0)
        repo_done(&repo);
    sn_state_unlock(st);
    if (r < 0)
        return r;
    /* the pins the kernel forgot at a reboot (systemd re-runs the enabled units itself) */
    for (size_t i = 0; r >= 0 && i < repo.n_snaps; i++) {
        char *one[] = {repo.snaps[i].name, NULL};
        r = gpio_sync_snaps(&repo, conns, n, one, reterr);
    }
    for (size_t i = 0; r >= 0 && i < repo.n_snaps; i++) {
        const RepoSnap *rs = &repo.snaps[i];
        bool has_tags = rs->info->n_apps || rs->info->n_hooks || (rs->implicit_hooks && rs->implicit_hooks[0]);
        if (!blobs_stale(repo.root, rs->name, has_tags))
            continue;
        r = regenerate(&repo, conns, n, repo.snaps[i].name, false, reterr);
        done++;
    }
    conns_free(conns, n);
    repo_done(&repo);
    if (r >= 0 && ret_n)
        *ret_n = done;
    return r;
}

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
        SnIfaceCandidate c = candidate(repo, plug, slot);
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
    int r = repo_load(st, &repo, reterr);
    if (r >= 0)
        r = conns_load(st, &conns, &n, reterr);
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
        unsigned hooks = conn_hooks(&repo, add[i].plug_snap, add[i].plug, add[i].slot_snap, add[i].slot, CONNECT_HOOKS);
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
                r = conn_put(st, &add[i], reterr);
        if (r < 0)
            sn_state_rollback(st);
        else
            r = sn_state_commit(st, reterr);
    }
    sn_state_unlock(st);
    for (size_t i = 0; r >= 0 && i < n_add; i++) {
        if (injected[i])
            continue;
        _sn_free_ char *id = conn_id(add[i].plug_snap, add[i].plug, add[i].slot_snap, add[i].slot);
        if (!id || json_array_append_new(made, json_string(id)) < 0 || push_unique(&affected, add[i].plug_snap) < 0 ||
            push_unique(&affected, add[i].slot_snap) < 0)
            r = -ENOMEM;
    }
    if (r >= 0)
        r = push_unique(&affected, name);
    /* Regenerate with the stored set. */
    Conn *all = NULL;
    size_t n_all = 0;
    if (r >= 0) {
        sn_state_lock(st);
        r = conns_load(st, &all, &n_all, reterr);
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
            r = push_unique(&affected, all[i].slot_snap);
        else if (SN_STREQ(all[i].slot_snap, name))
            r = push_unique(&affected, all[i].plug_snap);
    }
    /*
     * Not strict: an install or refresh does not fail because another snap's preserved namespace
     * cannot follow (a new revision mounted after that namespace was made does not show in it where
     * /snap does not propagate); that namespace is discarded and rebuilt at its next launch.
     */
    if (r >= 0)
        r = gpio_sync_snaps(&repo, all, n_all, affected, reterr);
    for (char **s = affected; r >= 0 && s && *s; s++)
        r = regenerate(&repo, all, n_all, *s, false, reterr);
    conns_free(all, n_all);
    conns_free(add, n_add);
    conns_free(conns, n);
    repo_done(&repo);
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
        if ((r = push_unique(&affected, copy)) < 0 || (r = push_unique(&affected, sp + 1)) < 0)
            break;
        if ((r = in_transaction(st, delete_fn, s, reterr)) < 0)
            break;
    }
    sn_state_unlock(st);
    return r < 0 ? r : regenerate_snaps(st, affected, reterr);
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
    int r = conns_load(st, &v, &n, reterr);
    if (r < 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        _sn_free_ char *cid = conn_id(v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot);
        if (cid && SN_STREQ(cid, id)) {
            *ret = v[i];
            v[i] = (Conn){0};
            *ret_found = true;
            break;
        }
    }
    conns_free(v, n);
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
    _sn_free_ char *id = conn_id(ref.plug_snap, ref.plug, ref.slot_snap, ref.slot);
    if (!id)
        return -ENOMEM;
    Repo repo = {0};
    Conn c = {0}, old = {0};
    bool had = false;
    sn_state_lock(st);
    r = repo_load(st, &repo, reterr);
    if (r >= 0)
        r = find_conn(st, id, &old, &had, reterr);
    End *plug = r >= 0 ? repo_find(&repo, ref.plug_snap, ref.plug, false) : NULL;
    End *slot = r >= 0 ? repo_find(&repo, ref.slot_snap, ref.slot, true) : NULL;
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
        SnIfaceCandidate cand = candidate(&repo, plug, slot);
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
        r = in_transaction(st, put_fn, &c, reterr);
    }
    sn_state_unlock(st);
    if (r >= 0) {
        char *snaps[] = {c.plug_snap, c.slot_snap, NULL};
        r = regenerate_snaps(st, snaps, reterr);
        if (r < 0 && !had) {
            /* A failed task is not undone: take the connection back now. */
            sn_state_lock(st);
            (void)in_transaction(st, delete_fn, id, NULL);
            sn_state_unlock(st);
            (void)regenerate_snaps(st, snaps, NULL);
        }
    }
    if (r >= 0)
        json_object_set_new(sn_task_ctx_data(ctx), "existed", json_boolean(had));
    conn_done(&c);
    conn_done(&old);
    repo_done(&repo);
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
    _sn_free_ char *id = conn_id(ref.plug_snap, ref.plug, ref.slot_snap, ref.slot);
    if (!id)
        return -ENOMEM;
    sn_state_lock(st);
    r = in_transaction(st, delete_fn, id, reterr);
    sn_state_unlock(st);
    char *snaps[] = {(char *)ref.plug_snap, (char *)ref.slot_snap, NULL};
    return r < 0 ? r : regenerate_snaps(st, snaps, reterr);
}

static int do_disconnect(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnState *st = sn_task_ctx_state(ctx);
    json_t *data = sn_task_ctx_data(ctx);
    Ref ref;
    int r = task_ref(ctx, &ref, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *id = conn_id(ref.plug_snap, ref.plug, ref.slot_snap, ref.slot);
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
            r = in_transaction(st, put_fn, &c, reterr);
        } else if (!c.autoc || forget)
            r = in_transaction(st, delete_fn, id, reterr);
    }
    sn_state_unlock(st);
    conn_done(&c);
    char *snaps[] = {(char *)ref.plug_snap, (char *)ref.slot_snap, NULL};
    return r < 0 ? r : regenerate_snaps(st, snaps, reterr);
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
        conn_done(&c);
        return sn_error_set(reterr, r, "internal error: bad old-conn in disconnect task");
    }
    sn_state_lock(st);
    r = in_transaction(st, put_fn, &c, reterr);
    sn_state_unlock(st);
    char *snaps[] = {c.plug_snap, c.slot_snap, NULL};
    if (r >= 0)
        r = regenerate_snaps(st, snaps, reterr);
    conn_done(&c);
    return r;
}

/* The snap an auto-connect / auto-disconnect / discard-conns task of the snap manager is about. */
static char *task_snap_name(SnTaskCtx *ctx, SnError **reterr)
{
    json_t *data = sn_task_ctx_data(ctx);
    const char *name = json_string_value(json_object_get(json_object_get(data, "snap-setup"), "name"));
    if (name)
        return strdup(name);
    json_t *tid = json_object_get(data, "snap-setup-task");
    if (!json_is_integer(tid)) {
        sn_error_set(reterr, -EINVAL, "internal error: %s task has no snap-setup", sn_task_ctx_kind(ctx));
        return NULL;
    }
    SnState *st = sn_task_ctx_state(ctx);
    _sn_cleanup_(sn_task_freep) SnTask *t = NULL;
    sn_state_lock(st);
    int r = sn_task_load(st, json_integer_value(tid), &t, reterr);
    sn_state_unlock(st);
    if (r < 0)
        return NULL;
    name = json_string_value(json_object_get(json_object_get(t->data, "snap-setup"), "name"));
    if (!name) {
        sn_error_set(reterr, -EINVAL, "internal error: snap-setup without a name");
        return NULL;
    }
    return strdup(name);
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
    _sn_free_ char *name = task_snap_name(ctx, reterr);
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
    _sn_free_ char *name = task_snap_name(ctx, reterr);
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
    int r = undesired_too ? 0 : repo_load(st, &repo, reterr);
    if (r >= 0)
        r = conns_load(st, &v, &n, reterr);
    for (size_t i = 0; r >= 0 && i < n; i++) {
        if (!SN_STREQ(v[i].plug_snap, name) && !SN_STREQ(v[i].slot_snap, name))
            continue;
        if (v[i].undesired && !undesired_too)
            continue;
        unsigned hooks =
            undesired_too ? 0
                          : conn_hooks(&repo, v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot, DISCONNECT_HOOKS);
        if (hooks) {
            SnIfaceConnRef ref = {v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot};
            r = sn_iface_tasks_disconnect(&hooked, &ref, v[i].plug_static, v[i].plug_dynamic, v[i].slot_static,
                                          v[i].slot_dynamic, hooks, SN_IFACE_TASK_AUTO_DISCONNECT);
            continue;
        }
        _sn_free_ char *id = conn_id(v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot);
        if (!id || json_array_append_new(dropped, conn_to_json(&v[i])) < 0)
            r = -ENOMEM;
        if (r >= 0)
            r = in_transaction(st, delete_fn, id, reterr);
        if (r >= 0)
            r = push_unique(&affected, SN_STREQ(v[i].plug_snap, name) ? v[i].slot_snap : v[i].plug_snap);
        /* the slot snap's own gpio units go with the connection (ifacestate-gpio.h) */
        if (r >= 0 && SN_STREQ(v[i].slot_snap, name) && SN_STREQ(v[i].interface, "gpio"))
            r = push_unique(&affected, name);
    }
    sn_state_unlock(st);
    repo_done(&repo);
    conns_free(v, n);
    if (r >= 0)
        r = inject_on_commit(ctx, &hooked);
    sn_iface_task_set_done(&hooked);
    return r < 0 ? r : regenerate_snaps(st, affected, reterr);
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
            r = in_transaction(st, put_fn, &c, reterr);
        if (r >= 0 && (r = push_unique(&affected, c.plug_snap)) >= 0)
            r = push_unique(&affected, c.slot_snap);
        conn_done(&c);
        if (r < 0)
            break;
    }
    sn_state_unlock(st);
    return r < 0 ? r : regenerate_snaps(st, affected, reterr);
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
    RepoSnap *rs = repo_snap(repo, e->snap);
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
    int r = repo_load(st, &repo, reterr);
    if (r < 0)
        return r;
    if ((r = conns_load(st, &v, &n, reterr)) < 0) {
        repo_done(&repo);
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
        if (!c->undesired &&
            (!repo_find(&repo, c->plug_snap, c->plug, false) || !repo_find(&repo, c->slot_snap, c->slot, true)))
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
    conns_free(v, n);
    repo_done(&repo);
    return r;
}

int sn_ifacestate_interfaces_json(SnState *st, char *const *names, bool connected, bool doc, bool plugs, bool slots,
                                  json_t **ret, SnError **reterr)
{
    Repo repo = {0};
    Conn *v = NULL;
    size_t n = 0;
    int r = repo_load(st, &repo, reterr);
    if (r < 0)
        return r;
    if ((r = conns_load(st, &v, &n, reterr)) < 0) {
        repo_done(&repo);
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
    conns_free(v, n);
    repo_done(&repo);
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
    int r = repo_load(st, &repo, reterr);
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
    p = repo_find(&repo, plug_snap, plug, false);
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
    } else if (!(s = repo_find(&repo, ss, slot, true))) {
        r = sn_error_set(reterr, -ENOENT, "snap \"%s\" has no slot named \"%s\"", ss, slot);
        goto out;
    }
    if (!SN_STREQ(s->interface, p->interface)) {
        r = sn_error_set(reterr, -EINVAL, "cannot connect %s:%s (\"%s\" interface) to %s:%s (\"%s\" interface)",
                         plug_snap, plug, p->interface, ss, s->name, s->interface);
        goto out;
    }
    if ((r = conns_load(st, &v, &n, reterr)) < 0)
        goto out;
    bool existing = false;
    for (size_t i = 0; i < n; i++)
        existing |= !v[i].undesired && SN_STREQ(v[i].plug_snap, p->snap) && SN_STREQ(v[i].plug, p->name) &&
                    SN_STREQ(v[i].slot_snap, s->snap) && SN_STREQ(v[i].slot, s->name);
    conns_free(v, n);
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
                                   conn_hooks(&repo, p->snap, p->name, s->snap, s->name, CONNECT_HOOKS), 0);
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
    repo_done(&repo);
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
    if ((r = conns_load(st, &v, &n, reterr)) < 0)
        return r;
    _sn_free_ bool *pick = calloc(n + 1, sizeof(bool));
    size_t count = 0;
    if (!pick) {
        conns_free(v, n);
        return -ENOMEM;
    }
    if (*plug && *slot) {
        const char *ps = *plug_snap ? plug_snap : system, *ss = *slot_snap ? slot_snap : system;
        for (size_t i = 0; i < n; i++)
            if ((forget || !v[i].undesired) && SN_STREQ(v[i].plug_snap, ps) && SN_STREQ(v[i].plug, plug) &&
                SN_STREQ(v[i].slot_snap, ss) && SN_STREQ(v[i].slot, slot))
                pick[i] = true, count++;
        if (count == 0) {
            conns_free(v, n);
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
        conns_free(v, n);
        return sn_error_set(reterr, -EINVAL, "allowed forms are <snap>:<plug> <snap>:<slot> or <snap>:<plug or slot>");
    }
    if (count == 0) {
        conns_free(v, n);
        return sn_error_set(reterr, -ENODATA, "nothing to do");
    }
    _sn_free_ char *summary = sn_strdup_printf("Disconnect %s:%s from %s:%s", plug_snap, plug, slot_snap, slot);
    SnNewChange *c = summary ? sn_new_change_new("disconnect-snap", summary) : NULL;
    r = c ? 0 : -ENOMEM;
    Repo repo = {0};
    if (r >= 0)
        r = repo_load(st, &repo, reterr);
    /* One after the other: each regenerates profiles from the state the previous one left. */
    SnIfaceTaskSet set = {0};
    for (size_t i = 0; r >= 0 && i < n; i++) {
        if (!pick[i])
            continue;
        SnIfaceConnRef ref = {v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot};
        r = sn_iface_tasks_disconnect(
            &set, &ref, v[i].plug_static, v[i].plug_dynamic, v[i].slot_static, v[i].slot_dynamic,
            conn_hooks(&repo, v[i].plug_snap, v[i].plug, v[i].slot_snap, v[i].slot, DISCONNECT_HOOKS),
            forget ? SN_IFACE_TASK_FORGET : 0);
        if (r >= 0)
            r = add_affected(c, system, v[i].plug_snap, v[i].slot_snap);
    }
    if (r >= 0)
        r = sn_iface_tasks_add_to_change(&set, c, -1, NULL);
    sn_iface_task_set_done(&set);
    repo_done(&repo);
    conns_free(v, n);
    if (r < 0) {
        sn_new_change_free(c);
        return r;
    }
    *ret_change = c;
    return 0;
}
