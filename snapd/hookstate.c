/* SPDX-License-Identifier: GPL-3.0-only */
/* hookstate.h: the manager, hook contexts and the run-hook task handler. */
#include "hookstate.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "configstate.h"
#include "fd-util.h"
#include "hook-run.h"
#include "naming.h"
#include "snap-yaml.h"
#include "state-snap.h"
#include "strutil.h"

extern char **environ;

struct SnHookContext {
    int refs; /* atomic */
    char *id;
    char *snap;
    char *hook; /* NULL: ephemeral */
    int64_t revision;
    pthread_mutex_t lock; /* the staged data below */
    json_t *patches;      /* array of config patches, in the order they were made */
    json_t *health;       /* staged health record, or NULL */
    int64_t attrs_task;   /* interface hooks: the connect/disconnect task with the attributes, or 0 */
    json_t *attrs;        /* staged dynamic attributes: {"plug-dynamic"?: {...}, "slot-dynamic"?: {...}} */
};

struct SnHookMgr {
    SnState *st;
    char **snap_command;
    pthread_mutex_t lock; /* the active contexts */
    SnHookContext **active;
    size_t n_active;
};

/* ---- contexts ---- */

static SnHookContext *context_new(const char *id, const char *snap, const char *hook, int64_t revision)
{
    SnHookContext *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->refs = 1;
    c->id = strdup(id);
    c->snap = strdup(snap);
    c->hook = hook ? strdup(hook) : NULL;
    c->revision = revision;
    c->patches = json_array();
    pthread_mutex_init(&c->lock, NULL);
    if (!c->id || !c->snap || (hook && !c->hook) || !c->patches)
        return sn_hook_context_unref(c);
    return c;
}

static SnHookContext *context_ref(SnHookContext *c)
{
    __atomic_add_fetch(&c->refs, 1, __ATOMIC_SEQ_CST);
    return c;
}

SnHookContext *sn_hook_context_unref(SnHookContext *c)
{
    if (!c || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_SEQ_CST) > 0)
        return NULL;
    free(c->id);
    free(c->snap);
    free(c->hook);
    json_decref(c->patches);
    json_decref(c->health);
    json_decref(c->attrs);
    pthread_mutex_destroy(&c->lock);
    free(c);
    return NULL;
}

const char *sn_hook_context_snap(const SnHookContext *c)
{
    return c->snap;
}

const char *sn_hook_context_hook(const SnHookContext *c)
{
    return c->hook;
}

bool sn_hook_context_ephemeral(const SnHookContext *c)
{
    return !c->hook;
}

int64_t sn_hook_context_revision(const SnHookContext *c)
{
    return c->revision;
}

/* The stored document with the staged patches applied. Lock held; context lock held. */
static int context_view(SnHookContext *c, SnState *st, json_t **ret_doc, SnError **reterr)
{
    json_t *doc = NULL;
    int r = sn_configstate_get_doc(st, c->snap, &doc, reterr);
    if (r < 0)
        return r;
    size_t i;
    json_t *patch;
    json_array_foreach(c->patches, i, patch)
    {
        r = sn_configstate_patch(doc, c->snap, patch, NULL, reterr);
        if (r < 0) {
            json_decref(doc);
            return r;
        }
    }
    *ret_doc = doc;
    return 0;
}

int sn_hook_context_config_get(SnHookContext *c, SnState *st, const char *key, json_t **ret_value, SnError **reterr)
{
    pthread_mutex_lock(&c->lock);
    json_t *doc = NULL;
    int r = context_view(c, st, &doc, reterr);
    pthread_mutex_unlock(&c->lock);
    if (r < 0)
        return r;
    r = sn_configstate_get_in(doc, c->snap, key, ret_value, reterr);
    json_decref(doc);
    return r;
}

int sn_hook_context_config_patch(SnHookContext *c, SnState *st, json_t *patch, SnError **reterr)
{
    if (!json_is_object(patch))
        return sn_error_set(reterr, -EINVAL, "internal error: a configuration patch must be an object");
    if (json_object_size(patch) == 0)
        return 0;
    pthread_mutex_lock(&c->lock);
    json_t *doc = NULL;
    int r = context_view(c, st, &doc, reterr);
    if (r >= 0)
        r = sn_configstate_patch(doc, c->snap, patch, NULL, reterr);
    json_t *copy = r >= 0 ? json_deep_copy(patch) : NULL;
    if (r >= 0 && (!copy || json_array_append_new(c->patches, copy) < 0))
        r = -ENOMEM;
    pthread_mutex_unlock(&c->lock);
    json_decref(doc);
    return r;
}

int sn_hook_context_set_health(SnHookContext *c, json_t *health)
{
    json_t *copy = json_deep_copy(health);
    if (!copy)
        return -ENOMEM;
    pthread_mutex_lock(&c->lock);
    json_decref(c->health);
    c->health = copy;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* ---- interface hooks: the connection's attributes in the attrs task ---- */

int64_t sn_hook_context_attrs_task(const SnHookContext *c)
{
    return c->attrs_task;
}

static const char *side_key(bool plug_side, bool dynamic)
{
    return plug_side ? (dynamic ? "plug-dynamic" : "plug-static") : (dynamic ? "slot-dynamic" : "slot-static");
}

int sn_hook_context_attrs(SnHookContext *c, SnState *st, bool plug_side, char **ret_name, json_t **ret_static,
                          json_t **ret_dynamic, SnError **reterr)
{
    _sn_cleanup_(sn_task_freep) SnTask *t = NULL;
    if (c->attrs_task <= 0 || sn_task_load(st, c->attrs_task, &t, NULL) < 0)
        return sn_error_set(reterr, -ENOENT, "internal error: cannot find attrs task");
    const char *which = plug_side ? "plug" : "slot";
    const char *name = json_string_value(json_object_get(json_object_get(t->data, which), which));
    if (!name)
        return sn_error_set(reterr, -EINVAL, "internal error: cannot find plug or slot data in the appropriate task");
    json_t *stat = json_object_get(t->data, side_key(plug_side, false));
    pthread_mutex_lock(&c->lock);
    json_t *dyn = json_object_get(c->attrs, side_key(plug_side, true));
    if (!dyn)
        dyn = json_object_get(t->data, side_key(plug_side, true));
    json_t *dcopy = json_is_object(dyn) ? json_deep_copy(dyn) : NULL;
    pthread_mutex_unlock(&c->lock);
    if (!json_is_object(stat) || !dcopy) {
        json_decref(dcopy);
        return sn_error_set(reterr, -EINVAL, "internal error: cannot get %s from appropriate task", which);
    }
    char *n = strdup(name);
    json_t *scopy = json_deep_copy(stat);
    if (!n || !scopy) {
        free(n);
        json_decref(scopy);
        json_decref(dcopy);
        return -ENOMEM;
    }
    *ret_name = n;
    *ret_static = scopy;
    *ret_dynamic = dcopy;
    return 0;
}

int sn_hook_context_stage_attrs(SnHookContext *c, bool plug_side, json_t *dynamic)
{
    json_t *copy = json_deep_copy(dynamic);
    if (!json_is_object(copy)) {
        json_decref(copy);
        return copy ? -EINVAL : -ENOMEM;
    }
    pthread_mutex_lock(&c->lock);
    int r = 0;
    if (!c->attrs && !(c->attrs = json_object()))
        r = -ENOMEM;
    if (r >= 0 && json_object_set_new(c->attrs, side_key(plug_side, true), copy) < 0)
        r = -ENOMEM;
    else
        copy = NULL;
    pthread_mutex_unlock(&c->lock);
    json_decref(copy);
    return r;
}

/* Writes the staged dynamic attributes into the attrs task's data. Lock held; context lock held. */
static int commit_attrs(SnHookContext *c, SnState *st, SnError **reterr)
{
    _sn_cleanup_(sn_task_freep) SnTask *t = NULL;
    if (sn_task_load(st, c->attrs_task, &t, NULL) < 0)
        return sn_error_set(reterr, -ENOENT, "internal error: cannot find attrs task");
    const char *key;
    json_t *v;
    json_object_foreach(c->attrs, key, v)
    {
        if (json_object_set(t->data, key, v) < 0)
            return -ENOMEM;
    }
    return sn_task_set_data(st, t->id, t->data, reterr);
}

int sn_hook_context_commit(SnHookContext *c, SnState *st, SnError **reterr)
{
    pthread_mutex_lock(&c->lock);
    int r = 0;
    size_t i;
    json_t *patch;
    json_array_foreach(c->patches, i, patch)
    {
        r = sn_configstate_apply(st, c->snap, patch, reterr);
        if (r < 0)
            break;
    }
    if (r >= 0 && c->health)
        r = sn_hookstate_health_store(st, c->snap, c->health, reterr);
    if (r >= 0 && c->attrs)
        r = commit_attrs(c, st, reterr);
    if (r >= 0) {
        json_array_clear(c->patches);
        json_decref(c->health);
        c->health = NULL;
        json_decref(c->attrs);
        c->attrs = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* snapd's randutil.CryptoToken(32): 43 characters of unpadded base64url. */
static char *make_context_id(void)
{
    unsigned char raw[32];
    size_t got = 0;
    while (got < sizeof(raw)) {
        ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL;
        got += (size_t)n;
    }
    return sn_base64url_encode(raw, sizeof(raw));
}

static int mgr_activate(SnHookMgr *m, SnHookContext *c)
{
    pthread_mutex_lock(&m->lock);
    SnHookContext **v = reallocarray(m->active, m->n_active + 1, sizeof(*v));
    if (v) {
        m->active = v;
        m->active[m->n_active++] = context_ref(c);
    }
    pthread_mutex_unlock(&m->lock);
    return v ? 0 : -ENOMEM;
}

static void mgr_deactivate(SnHookMgr *m, SnHookContext *c)
{
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->n_active; i++)
        if (m->active[i] == c) {
            m->active[i] = m->active[--m->n_active];
            sn_hook_context_unref(c);
            break;
        }
    pthread_mutex_unlock(&m->lock);
}

int sn_hookmgr_context(SnHookMgr *m, const char *id, SnHookContext **ret)
{
    if (!id || !*id)
        return -ENOENT;
    SnHookContext *found = NULL;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; !found && i < m->n_active; i++)
        if (SN_STREQ(m->active[i]->id, id))
            found = context_ref(m->active[i]);
    pthread_mutex_unlock(&m->lock);
    if (found) {
        *ret = found;
        return 0;
    }
    _sn_free_ char *snap = NULL;
    int64_t rev = 0;
    sn_state_lock(m->st);
    int r = sn_hookstate_cookie_snap(m->st, id, &snap, NULL);
    if (r >= 0) {
        _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
        if (sn_snap_state_get(m->st, snap, &s, NULL) >= 0)
            rev = s->current;
    }
    sn_state_unlock(m->st);
    if (r < 0)
        return r;
    SnHookContext *c = context_new(id, snap, NULL, rev);
    if (!c)
        return -ENOMEM;
    *ret = c;
    return 0;
}

/* ---- the manager ---- */

/* The `snap` beside the daemon's executable (a build tree), else the installed one at the compiled-in
 * bindir (below SNAPPY_GLOBAL_ROOT, as the helpers are), else `snap` on PATH (snapd's snapCmd()). */
static char *default_snap_command(void)
{
    const char *root = secure_getenv("SNAPPY_GLOBAL_ROOT");
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            _sn_free_ char *p = sn_strdup_printf("%s/snap", self);
            if (p && access(p, X_OK) == 0)
                return SN_TAKE_PTR(p);
        }
    }
    _sn_free_ char *installed = sn_strdup_printf("%s%s/snap", root ? root : "", SN_BINDIR);
    if (installed && access(installed, X_OK) == 0)
        return SN_TAKE_PTR(installed);
    return strdup("snap");
}

int sn_hookmgr_new(SnState *st, const SnHookMgrOptions *opts, SnHookMgr **ret)
{
    SnHookMgr *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->st = st;
    pthread_mutex_init(&m->lock, NULL);
    int r = 0;
    if (opts && opts->snap_command && opts->snap_command[0]) {
        for (char *const *a = opts->snap_command; r >= 0 && *a; a++)
            r = sn_strv_push(&m->snap_command, *a);
    } else {
        _sn_free_ char *cmd = default_snap_command();
        r = cmd ? sn_strv_push(&m->snap_command, cmd) : -ENOMEM;
    }
    if (r < 0) {
        sn_hookmgr_free(m);
        return r;
    }
    *ret = m;
    return 0;
}

SnHookMgr *sn_hookmgr_free(SnHookMgr *m)
{
    if (!m)
        return NULL;
    for (size_t i = 0; i < m->n_active; i++)
        sn_hook_context_unref(m->active[i]);
    free(m->active);
    sn_strv_free(m->snap_command);
    pthread_mutex_destroy(&m->lock);
    free(m);
    return NULL;
}

/* ---- the run-hook handler ---- */

typedef struct HookSetup {
    const char *snap;
    const char *hook;
    const char *revision; /* NULL: the snap's current one */
    bool optional, always, ignore_error;
    int64_t timeout_ns;
} HookSetup;

static int64_t env_timeout(const char *var, int64_t fallback)
{
    const char *v = secure_getenv(var);
    int64_t ns;
    if (v && sn_hook_parse_duration(v, &ns) >= 0 && ns > 0)
        return ns;
    return fallback;
}

static int parse_setup(json_t *j, HookSetup *ret, SnError **reterr)
{
    HookSetup s = {
        .snap = json_string_value(json_object_get(j, "snap")),
        .hook = json_string_value(json_object_get(j, "hook")),
        .revision = json_string_value(json_object_get(j, "revision")),
        .optional = json_is_true(json_object_get(j, "optional")),
        .always = json_is_true(json_object_get(j, "always")),
        .ignore_error = json_is_true(json_object_get(j, "ignore-error")),
        .timeout_ns = json_integer_value(json_object_get(j, "timeout")),
    };
    if (!s.snap || !s.hook || !sn_name_instance_valid(s.snap) || !sn_name_hook_valid(s.hook))
        return sn_error_set(reterr, -EINVAL, "cannot extract hook setup from task: invalid hook setup");
    if (s.revision && SN_STREQ(s.revision, "unset"))
        s.revision = NULL;
    /* snapd's remove hook: its failures never stop a removal */
    if (SN_STREQ(s.hook, "remove") && !json_object_get(j, "ignore-error"))
        s.ignore_error = true;
    if (s.timeout_ns <= 0) {
        if (SN_STREQ(s.hook, "configure") || SN_STREQ(s.hook, "default-configure"))
            s.timeout_ns = env_timeout("SNAPD_CONFIGURE_HOOK_TIMEOUT", SN_HOOK_TIMEOUT_CONFIGURE_NS);
        else if (SN_STREQ(s.hook, "check-health"))
            s.timeout_ns = env_timeout("SNAPD_CHECK_HEALTH_HOOK_TIMEOUT", SN_HOOK_TIMEOUT_CHECK_HEALTH_NS);
        else
            s.timeout_ns = SN_HOOK_TIMEOUT_DEFAULT_NS;
    }
    *ret = s;
    return 0;
}

/* Whether revision rev of snap has the hook: declared in its snap.yaml, or an implicit meta/hooks file. */
static int snap_has_hook(SnState *st, const char *snap, const char *rev, const char *hook, bool *ret, SnError **reterr)
{
    _sn_free_ char *dir = sn_strdup_printf("%s/snap/%s/%s", sn_state_root(st), snap, rev);
    if (!dir)
        return -ENOMEM;
    _sn_close_ int dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return sn_error_set(reterr, -errno, "cannot read \"%s\" snap details: cannot open %s: %m", snap, dir);
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    int r = sn_read_file_at(dfd, "meta/snap.yaml", SN_SNAP_YAML_MAX_SIZE, &yaml, &len);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read \"%s\" snap details: cannot read %s/meta/snap.yaml: %s", snap, dir,
                            strerror(-r));
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    SnError *e = NULL;
    r = sn_snap_yaml_parse(yaml, len, &info, &e);
    if (r < 0) {
        sn_error_set(reterr, r, "cannot read \"%s\" snap details: %s", snap, sn_error_message(e, r));
        sn_error_free(e);
        return r;
    }
    if (sn_snap_info_find_hook(info, hook)) {
        *ret = true;
        return 0;
    }
    _sn_free_ char *rel = sn_strdup_printf("meta/hooks/%s", hook);
    struct stat sb;
    *ret = rel && fstatat(dfd, rel, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode);
    return rel ? 0 : -ENOMEM;
}

/* The daemon's environment with the hook's cookie and the root. Caller frees. */
static int hook_env(SnState *st, const char *cookie, char ***ret)
{
    char **env = NULL;
    int r = 0;
    for (char **e = environ; r >= 0 && e && *e; e++)
        if (!sn_startswith(*e, "SNAP_COOKIE=") && !sn_startswith(*e, "SNAP_CONTEXT=") &&
            !sn_startswith(*e, "SNAPPY_GLOBAL_ROOT="))
            r = sn_strv_push(&env, *e);
    _sn_free_ char *a = sn_strdup_printf("SNAP_COOKIE=%s", cookie);
    _sn_free_ char *b = sn_strdup_printf("SNAP_CONTEXT=%s", cookie);
    _sn_free_ char *c = *sn_state_root(st) ? sn_strdup_printf("SNAPPY_GLOBAL_ROOT=%s", sn_state_root(st)) : NULL;
    if (r >= 0 && (!a || !b || (*sn_state_root(st) && !c)))
        r = -ENOMEM;
    if (r >= 0)
        r = sn_strv_push(&env, a);
    if (r >= 0)
        r = sn_strv_push(&env, b);
    if (r >= 0 && c)
        r = sn_strv_push(&env, c);
    if (r < 0) {
        sn_strv_free(env);
        return r;
    }
    *ret = env;
    return 0;
}

static bool task_stopping(void *userdata)
{
    return sn_task_ctx_stopping(userdata);
}

static int commit_context(SnState *st, void *userdata, SnError **reterr)
{
    return sn_hook_context_commit(userdata, st, reterr);
}

static void unref_context(void *userdata)
{
    sn_hook_context_unref(userdata);
}

/* The health record snapd's healthstate stores when a check-health hook did not set one. */
static json_t *health_record(int64_t rev, int status, const char *code, const char *message)
{
    char rb[24];
    _sn_free_ char *ts = sn_time_format_rfc3339nano(sn_state_now());
    return ts ? json_pack("{s:s, s:s, s:i, s:s, s:s}", "revision", sn_revision_format(rev, rb), "timestamp", ts,
                          "status", status, "message", message, "code", code)
              : NULL;
}

/* The configure of "core": no program, the patch is stored (with the system option checks). */
static int configure_core(SnTaskCtx *ctx, json_t *patch)
{
    _sn_cleanup_(sn_hook_context_unrefp) SnHookContext *c = context_new("-", "core", "configure", 0);
    if (!c)
        return -ENOMEM;
    if (json_is_object(patch) && json_object_size(patch) > 0) {
        json_t *copy = json_deep_copy(patch);
        if (!copy || json_array_append_new(c->patches, copy) < 0)
            return -ENOMEM;
    }
    return sn_task_ctx_on_commit(ctx, commit_context, context_ref(c), unref_context);
}

static int run_hook(SnHookMgr *m, SnTaskCtx *ctx, const char *setup_key, SnError **reterr)
{
    json_t *data = sn_task_ctx_data(ctx);
    json_t *sj = json_object_get(data, setup_key);
    if (!sj) {
        if (sn_task_ctx_undoing(ctx))
            return 0;
        return sn_error_set(reterr, -EINVAL, "cannot extract hook setup from task: no hook-setup");
    }
    HookSetup hs = {0};
    int r = parse_setup(sj, &hs, reterr);
    if (r < 0)
        return r;
    bool configure = SN_STREQ(hs.hook, "configure") || SN_STREQ(hs.hook, "default-configure");
    json_t *patch = configure && !sn_task_ctx_undoing(ctx) ? json_object_get(data, "patch") : NULL;

    SnState *st = m->st;
    int64_t rev = 0;
    sn_state_lock(st);
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    r = sn_snap_state_get(st, hs.snap, &s, NULL);
    if (r >= 0 && hs.revision && sn_revision_parse(hs.revision, &rev) < 0)
        r = -EINVAL;
    if (r >= 0 && !hs.revision)
        rev = s->current;
    /* Apps and hooks of an installed snap talk to snapctl with its cookie: make sure it has one. */
    SnError *cerr = NULL;
    if (r >= 0 && sn_hookstate_cookie_create(st, hs.snap, &cerr) < 0)
        sn_task_ctx_logf(ctx, "cannot create the cookie of snap \"%s\": %s", hs.snap, sn_error_message(cerr, -EIO));
    sn_error_free(cerr);
    sn_state_unlock(st);
    if (r == -ENOENT && SN_STREQ(hs.snap, "core") && SN_STREQ(hs.hook, "configure"))
        return configure_core(ctx, patch);
    if (r == -ENOENT)
        return sn_error_set(reterr, -ENOENT, "cannot find \"%s\" snap", hs.snap);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot handle \"%s\" snap: invalid revision", hs.snap);

    char rb[24];
    const char *revstr = sn_revision_format(rev, rb);
    bool exists = false;
    r = snap_has_hook(st, hs.snap, revstr, hs.hook, &exists, reterr);
    if (r < 0)
        return r;
    if (!exists && !hs.optional)
        return sn_error_set(reterr, -ENOENT, "snap \"%s\" has no \"%s\" hook", hs.snap, hs.hook);
    if (!exists && !hs.always)
        return 0;

    _sn_free_ char *id = make_context_id();
    if (!id)
        return sn_error_set(reterr, -EIO, "cannot obtain 32 crypto random bytes");
    _sn_cleanup_(sn_hook_context_unrefp) SnHookContext *c = context_new(id, hs.snap, hs.hook, rev);
    if (!c)
        return -ENOMEM;
    /* interface hooks: snapd's hook-context "attrs-task", the connect or disconnect task */
    c->attrs_task = json_integer_value(json_object_get(data, "attrs-task"));
    /* Before: the configure patch is what `snapctl get` sees while the hook runs. */
    if (json_is_object(patch) && json_object_size(patch) > 0) {
        sn_state_lock(st);
        r = sn_hook_context_config_patch(c, st, patch, reterr);
        sn_state_unlock(st);
        if (r < 0)
            return r;
    }
    bool health_hook = SN_STREQ(hs.hook, "check-health");

    bool failed = false;
    _sn_free_ char *output = NULL;
    if (exists) {
        _sn_strv_free_ char **argv = NULL;
        _sn_strv_free_ char **env = NULL;
        _sn_free_ char *hook_opt = sn_strdup_printf("--hook=%s", hs.hook);
        r = hook_opt ? 0 : -ENOMEM;
        for (char **a = m->snap_command; r >= 0 && *a; a++)
            r = sn_strv_push(&argv, *a);
        const char *rest[] = {"run", hook_opt, "-r", revstr, hs.snap};
        for (size_t i = 0; r >= 0 && i < SN_ELEMENTSOF(rest); i++)
            r = sn_strv_push(&argv, rest[i]);
        if (r >= 0)
            r = hook_env(st, id, &env);
        if (r < 0)
            return r;
        r = mgr_activate(m, c);
        if (r < 0)
            return r;
        SnHookRunEnd end;
        int status = 0;
        r = sn_hook_run_process(argv, env, hs.timeout_ns, task_stopping, ctx, &end, &status, &output, reterr);
        mgr_deactivate(m, c);
        if (r < 0)
            return r;
        if (end == SN_HOOK_RUN_ABORTED)
            return sn_error_set(reterr, -EINTR, "run hook \"%s\": aborted", hs.hook);
        if (end == SN_HOOK_RUN_TIMEOUT || status != 0) {
            failed = true;
            _sn_free_ char *msg = sn_hook_output_error(output);
            _sn_free_ char *fallback = NULL;
            if (msg && !*msg) {
                char db[32];
                fallback = end == SN_HOOK_RUN_TIMEOUT ? sn_strdup_printf("exceeded maximum runtime of %s",
                                                                         sn_hook_format_duration(hs.timeout_ns, db))
                           : status < 0               ? sn_strdup_printf("signal: %s", strsignal(-status))
                                                      : sn_strdup_printf("exit status %d", status);
            }
            const char *why = fallback ? fallback : msg ? msg : "";
            if (hs.ignore_error) {
                sn_task_ctx_logf(ctx, "ignoring failure in hook \"%s\": %s", hs.hook, why);
            } else {
                if (health_hook) {
                    /* snapd's healthHandler.Error: stored although the task fails */
                    json_t *h = health_record(rev, 0, "snapd-hook-failed", "hook failed");
                    sn_state_lock(st);
                    if (h && sn_state_begin(st, NULL) >= 0) {
                        if (sn_hookstate_health_store(st, hs.snap, h, NULL) >= 0)
                            (void)sn_state_commit(st, NULL);
                        else
                            sn_state_rollback(st);
                    }
                    sn_state_unlock(st);
                    json_decref(h);
                }
                return sn_error_set(reterr, -EIO, "run hook \"%s\": %s", hs.hook, why);
            }
        }
    }
    if (health_hook && !c->health) {
        json_t *h = health_record(rev, 0, "snapd-hook-no-health-set", "hook did not call set-health");
        r = h ? sn_hook_context_set_health(c, h) : -ENOMEM;
        json_decref(h);
        if (r < 0)
            return r;
    }
    if (!failed && output) {
        _sn_free_ char *shown = sn_hook_output_error(output);
        if (shown && *shown)
            sn_task_ctx_logf(ctx, "hook \"%s\" output: %s", hs.hook, shown);
    }
    return sn_task_ctx_on_commit(ctx, commit_context, context_ref(c), unref_context);
}

static int do_run_hook(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    return run_hook(userdata, ctx, "hook-setup", reterr);
}

static int undo_run_hook(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    return run_hook(userdata, ctx, "undo-hook-setup", reterr);
}

int sn_hookmgr_register(SnHookMgr *m, SnTaskRunner *runner)
{
    return sn_taskrunner_add_handler(runner, "run-hook", do_run_hook, undo_run_hook, m);
}
