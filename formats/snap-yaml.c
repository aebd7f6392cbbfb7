/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap.yaml decode: a bounded YAML tree (yaml-tree.c) into SnSnapInfo, following snapd's
 * InfoFromSnapYaml (snap/info_snap_yaml.go). Validation lives in snap-yaml-validate.c.
 */
#include "snap-yaml.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "epoch.h"
#include "naming.h"
#include "snap-yaml-internal.h"
#include "strutil.h"
#include "yaml-tree.h"

#define PARSE_PREFIX "cannot parse snap.yaml: "

int sn_snap_yaml_error(SnError **reterr, const char *prefix, int line, const char *fmt, ...)
{
    _sn_free_ char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return sn_error_set_at(reterr, -EINVAL, line, "%sinvalid snap.yaml", prefix ? prefix : "");
    if (line > 0)
        return sn_error_set_at(reterr, -EINVAL, line, "%s%s (line %d)", prefix ? prefix : "", msg, line);
    return sn_error_set_at(reterr, -EINVAL, line, "%s%s", prefix ? prefix : "", msg);
}

#define PERR(reterr, line, ...) sn_snap_yaml_error(reterr, PARSE_PREFIX, line, __VA_ARGS__)
#define ERR(reterr, line, ...) sn_snap_yaml_error(reterr, NULL, line, __VA_ARGS__)

/* ---- freeing ---- */

static void env_free(SnEnvVar *env, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(env[i].key);
        free(env[i].value);
    }
    free(env);
}

static void plug_slot_done(SnPlugSlot *p)
{
    free(p->name);
    free(p->interface);
    free(p->label);
    sn_yaml_node_done(&p->attrs);
    sn_strv_free(p->apps);
    sn_strv_free(p->hooks);
}

static void app_done(SnApp *a)
{
    free(a->name);
    free(a->command);
    sn_strv_free(a->command_chain);
    free(a->daemon);
    free(a->daemon_scope);
    free(a->stop_command);
    free(a->reload_command);
    free(a->post_stop_command);
    free(a->bus_name);
    free(a->restart_condition);
    free(a->stop_mode);
    free(a->refresh_mode);
    free(a->install_mode);
    free(a->timer);
    sn_strv_free(a->after);
    sn_strv_free(a->before);
    sn_strv_free(a->plugs);
    sn_strv_free(a->slots);
    sn_strv_free(a->aliases);
    sn_strv_free(a->activates_on);
    free(a->common_id);
    free(a->completer);
    free(a->autostart);
    free(a->desktop);
    free(a->success_exit_status);
    for (size_t i = 0; i < a->n_sockets; i++) {
        free(a->sockets[i].name);
        free(a->sockets[i].listen_stream);
    }
    free(a->sockets);
    env_free(a->environment, a->n_environment);
}

static void hook_done(SnHook *h)
{
    free(h->name);
    sn_strv_free(h->command_chain);
    sn_strv_free(h->plugs);
    sn_strv_free(h->slots);
    env_free(h->environment, h->n_environment);
}

SnSnapInfo *sn_snap_info_free(SnSnapInfo *info)
{
    if (!info)
        return NULL;
    free(info->name);
    free(info->version);
    free(info->summary);
    free(info->description);
    free(info->title);
    free(info->license);
    free(info->base);
    free(info->provenance);
    sn_strv_free(info->architectures);
    sn_strv_free(info->assumes);
    env_free(info->environment, info->n_environment);
    for (size_t i = 0; i < info->n_plugs; i++)
        plug_slot_done(&info->plugs[i]);
    free(info->plugs);
    for (size_t i = 0; i < info->n_slots; i++)
        plug_slot_done(&info->slots[i]);
    free(info->slots);
    for (size_t i = 0; i < info->n_apps; i++)
        app_done(&info->apps[i]);
    free(info->apps);
    for (size_t i = 0; i < info->n_hooks; i++)
        hook_done(&info->hooks[i]);
    free(info->hooks);
    for (size_t i = 0; i < info->n_layout; i++) {
        SnLayout *l = &info->layout[i];
        free(l->path);
        free(l->bind);
        free(l->bind_file);
        free(l->type);
        free(l->symlink);
        free(l->user);
        free(l->group);
    }
    free(info->layout);
    for (size_t i = 0; i < info->n_system_usernames; i++) {
        free(info->system_usernames[i].name);
        free(info->system_usernames[i].scope);
        sn_yaml_node_done(&info->system_usernames[i].attrs);
    }
    free(info->system_usernames);
    sn_yaml_node_done(&info->unknown);
    for (size_t i = 0; i < info->n_components; i++) {
        SnComponent *c = &info->components[i];
        free(c->name);
        free(c->type);
        free(c->summary);
        free(c->description);
        for (size_t j = 0; j < c->n_hooks; j++)
            hook_done(&c->hooks[j]);
        free(c->hooks);
    }
    free(info->components);
    for (size_t i = 0; i < info->n_links; i++) {
        free(info->links[i].key);
        sn_strv_free(info->links[i].values);
    }
    free(info->links);
    free(info);
    return NULL;
}

/* ---- small helpers ---- */

/* Appends a zeroed element to *arr (of *n elements), growing by doubling. NULL on -ENOMEM. */
static void *array_push(void *arr_ptr, size_t *n, size_t elem_size)
{
    void **arr = arr_ptr;
    size_t cap = 1;
    while (cap < *n)
        cap *= 2;
    if (*n == 0 || *n == cap) {
        size_t ncap = *n == 0 ? 4 : cap * 2;
        void *na = reallocarray(*arr, ncap, elem_size);
        if (!na)
            return NULL;
        *arr = na;
    }
    char *elem = (char *)*arr + *n * elem_size;
    memset(elem, 0, elem_size);
    (*n)++;
    return elem;
}

static int dup_or_null(const char *s, char **ret)
{
    if (!s) {
        *ret = NULL;
        return 0;
    }
    *ret = strdup(s);
    return *ret ? 0 : -ENOMEM;
}

static int type_error(SnError **reterr, const SnYamlNode *v, const char *where, const char *field, const char *want)
{
    return PERR(reterr, v->line, "%s%s%s: cannot unmarshal a %s into %s", where ? where : "", where ? ": " : "", field,
                sn_yaml_kind_to_string(v->kind), want);
}

/* A string field: null gives NULL; a scalar its text (yaml.v2 keeps the raw text of 1.0 or true). */
static int get_str(const SnYamlNode *v, const char *where, const char *field, char **ret, SnError **reterr)
{
    char *s = NULL;
    if (v && v->kind == SN_YAML_SCALAR) {
        s = strdup(v->scalar);
        if (!s)
            return -ENOMEM;
    } else if (v && v->kind != SN_YAML_NULL) {
        return type_error(reterr, v, where, field, "a string");
    }
    free(*ret);
    *ret = s;
    return 0;
}

/* A list of strings: null gives NULL; null items become "". */
static int get_strv(const SnYamlNode *v, const char *where, const char *field, char ***ret, SnError **reterr)
{
    _sn_strv_free_ char **strv = NULL;
    if (!v || v->kind == SN_YAML_NULL) {
        *ret = sn_strv_free(*ret);
        return 0;
    }
    if (v->kind != SN_YAML_SEQ)
        return type_error(reterr, v, where, field, "a list of strings");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(reterr, v->line, "%s%s%s: more than %u entries", where ? where : "", where ? ": " : "", field,
                    SN_SNAP_YAML_MAX_ITEMS);
    strv = calloc(v->n_items + 1, sizeof(char *));
    if (!strv)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *it = &v->items[i];
        if (it->kind == SN_YAML_SEQ || it->kind == SN_YAML_MAP)
            return type_error(reterr, it, where, field, "a string");
        strv[i] = strdup(it->scalar ? it->scalar : "");
        if (!strv[i])
            return -ENOMEM;
    }
    sn_strv_free(*ret);
    *ret = SN_TAKE_PTR(strv);
    return 0;
}

/* An ordered map of strings (snapd's strutil.OrderedMap). */
static int get_env(const SnYamlNode *v, const char *where, SnEnvVar **ret, size_t *ret_n, SnError **reterr)
{
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(reterr, v, where, "environment", "a map of strings");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(reterr, v->line, "environment: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    SnEnvVar *env = calloc(v->n_items ? v->n_items : 1, sizeof(*env));
    if (!env)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *it = &v->items[i];
        if (it->kind == SN_YAML_SEQ || it->kind == SN_YAML_MAP) {
            env_free(env, i);
            return type_error(reterr, it, where, "environment", "a string");
        }
        env[i].key = strdup(v->keys[i]);
        env[i].value = strdup(it->scalar ? it->scalar : "");
        if (!env[i].key || !env[i].value) {
            env_free(env, i + 1);
            return -ENOMEM;
        }
    }
    env_free(*ret, *ret_n);
    *ret = env;
    *ret_n = v->n_items;
    return 0;
}

static int get_duration(const SnYamlNode *v, const char *app, const char *field, SnDuration *ret, SnError **reterr)
{
    int64_t d;
    const char *reason = NULL;
    *ret = SN_DURATION_UNSET;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_SCALAR)
        return type_error(reterr, v, NULL, field, "a duration");
    if (sn_duration_parse(v->scalar, &d, &reason) < 0)
        return PERR(reterr, v->line, "app \"%s\": %s: time: %s \"%s\"", app, field, reason, v->scalar);
    /* -1 would read as "unset": keep it negative so validation still refuses it. */
    *ret = d == SN_DURATION_UNSET ? -2 : d;
    return 0;
}

static bool strv_has(char *const *v, const char *s)
{
    return sn_strv_contains(v, s);
}

static int strv_add_unique(char ***v, const char *s)
{
    if (strv_has(*v, s))
        return 0;
    return sn_strv_push(v, s);
}

static bool map_or_null(const SnYamlNode *v)
{
    return !v || v->kind == SN_YAML_NULL || v->kind == SN_YAML_MAP;
}

/* ---- plugs and slots ---- */

typedef struct Decoder {
    SnSnapInfo *info;
    SnError **reterr;
    bool *plug_scoped; /* parallel to info->plugs */
    bool *slot_scoped;
    size_t cap_scoped_plugs;
    size_t cap_scoped_slots;
    size_t n_bindings;
} Decoder;

static SnPlugSlot *find_ps(SnPlugSlot *arr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(arr[i].name, name))
            return &arr[i];
    return NULL;
}

/* snapd's metautil.NormalizeValue: every leaf must be a non-null scalar. */
static int check_attr_value(const SnYamlNode *v, const char *kind, const char *name, const char *key, SnError **reterr)
{
    switch (v->kind) {
    case SN_YAML_NULL:
        return ERR(reterr, v->line, "attribute \"%s\" of %s \"%s\": invalid scalar: <nil>", key, kind, name);
    case SN_YAML_SCALAR:
        return 0;
    case SN_YAML_SEQ:
    case SN_YAML_MAP:
        for (size_t i = 0; i < v->n_items; i++) {
            int r = check_attr_value(&v->items[i], kind, name, key, reterr);
            if (r < 0)
                return r;
        }
        return 0;
    }
    return 0;
}

/* convertToSlotOrPlugData: null, a string (the interface), or a map of interface/label/attributes. */
static int decode_plug_slot(const char *kind, const char *name, const SnYamlNode *v, SnPlugSlot *ps, SnError **reterr)
{
    int r;
    ps->line = v->line;
    if ((r = dup_or_null(name, &ps->name)) < 0)
        return r;
    SnYamlScalarType t = sn_yaml_node_type(v);
    if (v->kind == SN_YAML_NULL)
        return dup_or_null(name, &ps->interface);
    if (v->kind == SN_YAML_SCALAR) {
        if (t != SN_YAML_TYPE_STR)
            return ERR(reterr, v->line, "%s \"%s\" has malformed definition (found a non-string scalar \"%s\")", kind,
                       name, v->scalar);
        return dup_or_null(v->scalar, &ps->interface);
    }
    if (v->kind != SN_YAML_MAP)
        return ERR(reterr, v->line, "%s \"%s\" has malformed definition (found a %s)", kind, name,
                   sn_yaml_kind_to_string(v->kind));
    for (size_t i = 0; i < v->n_items; i++) {
        const char *key = v->keys[i];
        const SnYamlNode *val = &v->items[i];
        if (key[0] == '$')
            return ERR(reterr, val->line, "%s \"%s\" uses reserved attribute \"%s\"", kind, name, key);
        if (!*key)
            return ERR(reterr, val->line, "%s \"%s\" has an empty attribute key", kind, name);
        if (SN_STREQ(key, "interface") || SN_STREQ(key, "label")) {
            if (sn_yaml_node_type(val) != SN_YAML_TYPE_STR)
                return ERR(reterr, val->line, "%s of %s \"%s\" is not a string",
                           SN_STREQ(key, "interface") ? "interface name" : "label", kind, name);
            r = dup_or_null(val->scalar, SN_STREQ(key, "interface") ? &ps->interface : &ps->label);
            if (r < 0)
                return r;
            continue;
        }
        r = check_attr_value(val, kind, name, key, reterr);
        if (r < 0)
            return r;
        if (ps->attrs.kind == SN_YAML_NULL) {
            ps->attrs = (SnYamlNode){.kind = SN_YAML_MAP, .line = v->line};
            ps->attrs.items = calloc(v->n_items, sizeof(SnYamlNode));
            ps->attrs.keys = calloc(v->n_items, sizeof(char *));
            if (!ps->attrs.items || !ps->attrs.keys)
                return -ENOMEM;
        }
        size_t j = ps->attrs.n_items;
        ps->attrs.keys[j] = strdup(key);
        if (!ps->attrs.keys[j])
            return -ENOMEM;
        ps->attrs.n_items++;
        r = sn_yaml_node_copy(val, &ps->attrs.items[j]);
        if (r < 0)
            return r;
    }
    if (!ps->interface)
        return dup_or_null(name, &ps->interface);
    return 0;
}

static int decode_top_plugs_slots(Decoder *d, const SnYamlNode *v, bool plugs)
{
    const char *kind = plugs ? "plug" : "slot";
    SnPlugSlot **arr = plugs ? &d->info->plugs : &d->info->slots;
    size_t *n = plugs ? &d->info->n_plugs : &d->info->n_slots;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(d->reterr, v, NULL, plugs ? "plugs" : "slots", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "%ss: more than %u entries", kind, SN_SNAP_YAML_MAX_ITEMS);
    for (size_t i = 0; i < v->n_items; i++) {
        SnPlugSlot *ps = array_push(arr, n, sizeof(**arr));
        if (!ps)
            return -ENOMEM;
        int r = decode_plug_slot(kind, v->keys[i], &v->items[i], ps, d->reterr);
        if (r < 0)
            return r;
    }
    return 0;
}

static int count_binding(Decoder *d)
{
    if (++d->n_bindings > SN_SNAP_YAML_MAX_BINDINGS)
        return PERR(d->reterr, 0, "more than %u plug and slot bindings", SN_SNAP_YAML_MAX_BINDINGS);
    return 0;
}

static int ensure_scoped_arrays(Decoder *d)
{
    if (d->info->n_plugs > d->cap_scoped_plugs) {
        bool *nb = reallocarray(d->plug_scoped, d->info->n_plugs * 2, sizeof(bool));
        if (!nb)
            return -ENOMEM;
        memset(nb + d->cap_scoped_plugs, 0, (d->info->n_plugs * 2 - d->cap_scoped_plugs) * sizeof(bool));
        d->plug_scoped = nb;
        d->cap_scoped_plugs = d->info->n_plugs * 2;
    }
    if (d->info->n_slots > d->cap_scoped_slots) {
        bool *nb = reallocarray(d->slot_scoped, d->info->n_slots * 2, sizeof(bool));
        if (!nb)
            return -ENOMEM;
        memset(nb + d->cap_scoped_slots, 0, (d->info->n_slots * 2 - d->cap_scoped_slots) * sizeof(bool));
        d->slot_scoped = nb;
        d->cap_scoped_slots = d->info->n_slots * 2;
    }
    return 0;
}

/* Finds or creates (implicitly, interface = name) a plug or slot, marks it scoped, returns its index. */
static int bind_named(Decoder *d, bool plug, const char *name, int line, size_t *ret_index)
{
    SnPlugSlot **arr = plug ? &d->info->plugs : &d->info->slots;
    size_t *n = plug ? &d->info->n_plugs : &d->info->n_slots;
    SnPlugSlot *ps = find_ps(*arr, *n, name);
    int r = count_binding(d);
    if (r < 0)
        return r;
    if (!ps) {
        if (*n >= 2 * SN_SNAP_YAML_MAX_ITEMS)
            return PERR(d->reterr, line, "too many %ss", plug ? "plug" : "slot");
        ps = array_push(arr, n, sizeof(**arr));
        if (!ps)
            return -ENOMEM;
        ps->line = line;
        ps->implicit = true;
        ps->name = strdup(name);
        ps->interface = strdup(name);
        if (!ps->name || !ps->interface)
            return -ENOMEM;
    }
    r = ensure_scoped_arrays(d);
    if (r < 0)
        return r;
    size_t idx = (size_t)(ps - *arr);
    (plug ? d->plug_scoped : d->slot_scoped)[idx] = true;
    *ret_index = idx;
    return 0;
}

/* ---- apps ---- */

static int decode_sockets(Decoder *d, SnApp *app, const SnYamlNode *v)
{
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(d->reterr, v, app->name, "sockets", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "app \"%s\": sockets: more than %u entries", app->name, SN_SNAP_YAML_MAX_ITEMS);
    app->sockets = calloc(v->n_items ? v->n_items : 1, sizeof(*app->sockets));
    if (!app->sockets)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *s = &v->items[i];
        SnSocket *sock = &app->sockets[app->n_sockets++];
        sock->line = s->line;
        sock->name = strdup(v->keys[i]);
        if (!sock->name)
            return -ENOMEM;
        if (!map_or_null(s))
            return type_error(d->reterr, s, app->name, "sockets", "a map");
        int r =
            get_str(sn_yaml_node_get(s, "listen-stream"), app->name, "listen-stream", &sock->listen_stream, d->reterr);
        if (r < 0)
            return r;
        const SnYamlNode *mode = sn_yaml_node_get(s, "socket-mode");
        if (mode && mode->kind != SN_YAML_NULL) {
            int64_t m;
            if (sn_yaml_node_type(mode) != SN_YAML_TYPE_INT || sn_yaml_parse_int(mode->scalar, &m) < 0 || m < 0 ||
                m > UINT32_MAX)
                return PERR(d->reterr, mode->line,
                            "app \"%s\": socket \"%s\": socket-mode: cannot unmarshal \"%s\" "
                            "into a file mode",
                            app->name, sock->name, mode->scalar ? mode->scalar : sn_yaml_kind_to_string(mode->kind));
            sock->socket_mode = (uint32_t)m;
            sock->has_socket_mode = true;
        }
    }
    return 0;
}

static const char *const restart_conditions[][2] = {
    {"no", "never"},
    {"never", "never"},
    {"on-success", "on-success"},
    {"on-failure", "on-failure"},
    {"on-abnormal", "on-abnormal"},
    {"on-abort", "on-abort"},
    {"on-watchdog", "on-watchdog"},
    {"always", "always"},
};

static int legacy_alias_owner(const SnSnapInfo *info, size_t upto, const char *alias, const char **ret_app)
{
    for (size_t i = 0; i < upto; i++)
        if (strv_has(info->apps[i].aliases, alias)) {
            *ret_app = info->apps[i].name;
            return 1;
        }
    return 0;
}

static int decode_app(Decoder *d, const char *name, const SnYamlNode *v, SnApp *app)
{
    SnError **reterr = d->reterr;
    int r;

    app->line = v->line;
    app->stop_timeout = app->start_timeout = app->watchdog_timeout = app->restart_delay = SN_DURATION_UNSET;
    if ((r = dup_or_null(name, &app->name)) < 0)
        return r;
    if (!map_or_null(v))
        return type_error(reterr, v, NULL, "apps", "a map");

    static const struct {
        const char *key;
        size_t offset;
    } strings[] = {
        {"command", offsetof(SnApp, command)},
        {"daemon", offsetof(SnApp, daemon)},
        {"stop-command", offsetof(SnApp, stop_command)},
        {"reload-command", offsetof(SnApp, reload_command)},
        {"post-stop-command", offsetof(SnApp, post_stop_command)},
        {"bus-name", offsetof(SnApp, bus_name)},
        {"stop-mode", offsetof(SnApp, stop_mode)},
        {"refresh-mode", offsetof(SnApp, refresh_mode)},
        {"install-mode", offsetof(SnApp, install_mode)},
        {"timer", offsetof(SnApp, timer)},
        {"common-id", offsetof(SnApp, common_id)},
        {"completer", offsetof(SnApp, completer)},
        {"autostart", offsetof(SnApp, autostart)},
        {"desktop", offsetof(SnApp, desktop)},
    };
    static const struct {
        const char *key;
        size_t offset;
    } lists[] = {
        {"command-chain", offsetof(SnApp, command_chain)},
        {"after", offsetof(SnApp, after)},
        {"before", offsetof(SnApp, before)},
        {"aliases", offsetof(SnApp, aliases)},
    };
    static const struct {
        const char *key;
        size_t offset;
    } durations[] = {
        {"stop-timeout", offsetof(SnApp, stop_timeout)},
        {"start-timeout", offsetof(SnApp, start_timeout)},
        {"watchdog-timeout", offsetof(SnApp, watchdog_timeout)},
        {"restart-delay", offsetof(SnApp, restart_delay)},
    };

    for (size_t i = 0; i < SN_ELEMENTSOF(strings); i++) {
        r = get_str(sn_yaml_node_get(v, strings[i].key), name, strings[i].key,
                    (char **)((char *)app + strings[i].offset), reterr);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < SN_ELEMENTSOF(lists); i++) {
        r = get_strv(sn_yaml_node_get(v, lists[i].key), name, lists[i].key, (char ***)((char *)app + lists[i].offset),
                     reterr);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < SN_ELEMENTSOF(durations); i++) {
        r = get_duration(sn_yaml_node_get(v, durations[i].key), name, durations[i].key,
                         (SnDuration *)((char *)app + durations[i].offset), reterr);
        if (r < 0)
            return r;
    }

    const SnYamlNode *scope = sn_yaml_node_get(v, "daemon-scope");
    if (scope && scope->kind != SN_YAML_NULL) {
        if (scope->kind != SN_YAML_SCALAR)
            return type_error(reterr, scope, name, "daemon-scope", "a string");
        if (!SN_STREQ(scope->scalar, "system") && !SN_STREQ(scope->scalar, "user"))
            return PERR(reterr, scope->line, "app \"%s\": invalid daemon scope: \"%s\"", name, scope->scalar);
        if ((r = dup_or_null(scope->scalar, &app->daemon_scope)) < 0)
            return r;
    }
    /* Daemons default to system daemons. */
    if (app->daemon && *app->daemon && !app->daemon_scope && (r = dup_or_null("system", &app->daemon_scope)) < 0)
        return r;

    const SnYamlNode *rc = sn_yaml_node_get(v, "restart-condition");
    if (rc && rc->kind != SN_YAML_NULL) {
        const char *canon = NULL;
        if (rc->kind != SN_YAML_SCALAR)
            return type_error(reterr, rc, name, "restart-condition", "a string");
        for (size_t i = 0; i < SN_ELEMENTSOF(restart_conditions); i++)
            if (SN_STREQ(rc->scalar, restart_conditions[i][0]))
                canon = restart_conditions[i][1];
        if (!canon)
            return PERR(reterr, rc->line, "app \"%s\": restart-condition: invalid restart condition \"%s\"", name,
                        rc->scalar);
        if ((r = dup_or_null(canon, &app->restart_condition)) < 0)
            return r;
    }

    _sn_strv_free_ char **exit_status = NULL;
    r = get_strv(sn_yaml_node_get(v, "success-exit-status"), name, "success-exit-status", &exit_status, reterr);
    if (r < 0)
        return r;
    size_t n_status = sn_strv_length(exit_status);
    if (n_status > 0) {
        app->success_exit_status = calloc(n_status, sizeof(int));
        if (!app->success_exit_status)
            return -ENOMEM;
        for (size_t i = 0; i < n_status; i++) {
            int64_t code;
            const char *s = exit_status[i];
            /* strconv.Atoi: decimal with an optional sign. */
            bool ok = sn_parse_i64(s[0] == '+' ? s + 1 : s, &code) == 0 && code >= INT_MIN + 1 && code <= INT_MAX;
            if (!ok) {
                /* sn_parse_i64 refuses leading zeros, Atoi does not: "007" is 7. */
                const char *p = s[0] == '+' || s[0] == '-' ? s + 1 : s;
                while (*p == '0' && p[1])
                    p++;
                ok = sn_parse_i64(p, &code) == 0 && code <= INT_MAX && s[0] != '-';
            }
            app->success_exit_status[i] = ok ? (int)code : INT_MIN;
        }
        app->n_success_exit_status = n_status;
    }

    r = get_env(sn_yaml_node_get(v, "environment"), name, &app->environment, &app->n_environment, reterr);
    if (r < 0)
        return r;
    r = decode_sockets(d, app, sn_yaml_node_get(v, "sockets"));
    if (r < 0)
        return r;

    /* plugs, slots and activates-on bind to the snap's plugs and slots (created when missing). */
    _sn_strv_free_ char **plugs = NULL, **slots = NULL, **activates = NULL;
    if ((r = get_strv(sn_yaml_node_get(v, "plugs"), name, "plugs", &plugs, reterr)) < 0 ||
        (r = get_strv(sn_yaml_node_get(v, "slots"), name, "slots", &slots, reterr)) < 0 ||
        (r = get_strv(sn_yaml_node_get(v, "activates-on"), name, "activates-on", &activates, reterr)) < 0)
        return r;
    for (char **p = plugs; p && *p; p++) {
        size_t idx;
        if ((r = bind_named(d, true, *p, v->line, &idx)) < 0)
            return r;
        if ((r = strv_add_unique(&app->plugs, *p)) < 0 || (r = strv_add_unique(&d->info->plugs[idx].apps, name)) < 0)
            return r;
    }
    for (char **p = slots; p && *p; p++) {
        size_t idx;
        if ((r = bind_named(d, false, *p, v->line, &idx)) < 0)
            return r;
        if ((r = strv_add_unique(&app->slots, *p)) < 0 || (r = strv_add_unique(&d->info->slots[idx].apps, name)) < 0)
            return r;
    }
    for (char **p = activates; p && *p; p++) {
        SnPlugSlot *slot = find_ps(d->info->slots, d->info->n_slots, *p);
        if (!slot)
            return ERR(reterr, v->line, "invalid activates-on value \"%s\" on app \"%s\": slot not found", *p, name);
        size_t idx = (size_t)(slot - d->info->slots);
        if ((r = count_binding(d)) < 0 || (r = ensure_scoped_arrays(d)) < 0)
            return r;
        d->slot_scoped[idx] = true;
        if ((r = sn_strv_push(&app->activates_on, *p)) < 0 || (r = strv_add_unique(&app->slots, *p)) < 0 ||
            (r = strv_add_unique(&slot->apps, name)) < 0)
            return r;
    }
    return 0;
}

static int decode_apps(Decoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(d->reterr, v, NULL, "apps", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "apps: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->apps = calloc(v->n_items ? v->n_items : 1, sizeof(*info->apps));
    if (!info->apps)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        SnApp *app = &info->apps[info->n_apps++];
        int r = decode_app(d, v->keys[i], &v->items[i], app);
        if (r < 0)
            return r;
        for (char **a = app->aliases; a && *a; a++) {
            const char *other;
            if (legacy_alias_owner(info, i, *a, &other))
                return ERR(d->reterr, app->line, "cannot set \"%s\" as alias for both \"%s\" and \"%s\"", *a, other,
                           app->name);
        }
    }
    return 0;
}

/* ---- hooks ---- */

static bool match_prefix_rest(const char *s, const char *prefix, bool dash_alnum_only)
{
    if (!sn_startswith(s, prefix))
        return false;
    const char *rest = s + strlen(prefix);
    if (!*rest)
        return false;
    if (!dash_alnum_only)
        return true;
    for (; *rest; rest++)
        if (!((*rest >= 'a' && *rest <= 'z') || (*rest >= '0' && *rest <= '9') || *rest == '-'))
            return false;
    return true;
}

/* snap/hooktypes.go supportedHooks: names snapd knows (unknown ones are ignored, not refused). */
static bool hook_supported(const char *name)
{
    static const char *const exact[] = {"prepare-device",    "install-device", "prepare-serial-request",
                                        "default-configure", "configure",      "install",
                                        "pre-refresh",       "post-refresh",   "remove",
                                        "check-health",      "fde-setup",      "gate-auto-refresh"};
    for (size_t i = 0; i < SN_ELEMENTSOF(exact); i++)
        if (SN_STREQ(name, exact[i]))
            return true;
    static const char *const iface[] = {"prepare-", "unprepare-", "connect-", "disconnect-"};
    for (size_t i = 0; i < SN_ELEMENTSOF(iface); i++)
        if (sn_startswith(name, iface[i])) {
            const char *rest = name + strlen(iface[i]);
            if (match_prefix_rest(rest, "plug-", true) || match_prefix_rest(rest, "slot-", true))
                return true;
        }
    static const char *const views[] = {"change-view-", "save-view-", "query-view-", "load-view-", "observe-view-"};
    for (size_t i = 0; i < SN_ELEMENTSOF(views); i++)
        if (match_prefix_rest(name, views[i], false))
            return true;
    return false;
}

static bool component_hook_supported(const char *name)
{
    return SN_STREQ(name, "install") || SN_STREQ(name, "pre-refresh") || SN_STREQ(name, "post-refresh") ||
           SN_STREQ(name, "remove");
}

static int decode_hook(Decoder *d, const char *name, const SnYamlNode *v, SnHook *hook, bool component)
{
    SnError **reterr = d->reterr;
    int r;
    hook->line = v->line;
    if ((r = dup_or_null(name, &hook->name)) < 0)
        return r;
    if (!map_or_null(v))
        return type_error(reterr, v, NULL, "hooks", "a map");
    if ((r = get_strv(sn_yaml_node_get(v, "command-chain"), name, "command-chain", &hook->command_chain, reterr)) < 0 ||
        (r = get_env(sn_yaml_node_get(v, "environment"), name, &hook->environment, &hook->n_environment, reterr)) < 0)
        return r;
    _sn_strv_free_ char **plugs = NULL, **slots = NULL;
    if ((r = get_strv(sn_yaml_node_get(v, "plugs"), name, "plugs", &plugs, reterr)) < 0 ||
        (r = get_strv(sn_yaml_node_get(v, "slots"), name, "slots", &slots, reterr)) < 0)
        return r;
    if (component && slots && slots[0])
        return ERR(reterr, v->line, "component hooks cannot have slots");
    for (char **p = plugs; p && *p; p++) {
        size_t idx;
        if ((r = bind_named(d, true, *p, v->line, &idx)) < 0)
            return r;
        if ((r = strv_add_unique(&hook->plugs, *p)) < 0)
            return r;
        if (!component && (r = strv_add_unique(&d->info->plugs[idx].hooks, name)) < 0)
            return r;
    }
    for (char **p = slots; p && *p; p++) {
        size_t idx;
        if ((r = bind_named(d, false, *p, v->line, &idx)) < 0)
            return r;
        if ((r = strv_add_unique(&hook->slots, *p)) < 0 || (r = strv_add_unique(&d->info->slots[idx].hooks, name)) < 0)
            return r;
    }
    return 0;
}

static int decode_hooks(Decoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(d->reterr, v, NULL, "hooks", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "hooks: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->hooks = calloc(v->n_items ? v->n_items : 1, sizeof(*info->hooks));
    if (!info->hooks)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        if (!hook_supported(v->keys[i]))
            continue;
        int r = decode_hook(d, v->keys[i], &v->items[i], &info->hooks[info->n_hooks++], false);
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- components ---- */

static int decode_components(Decoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    int r;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(d->reterr, v, NULL, "components", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "components: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->components = calloc(v->n_items ? v->n_items : 1, sizeof(*info->components));
    if (!info->components)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *c = &v->items[i];
        SnComponent *comp = &info->components[info->n_components++];
        comp->line = c->line;
        if ((r = dup_or_null(v->keys[i], &comp->name)) < 0)
            return r;
        if (!map_or_null(c))
            return type_error(d->reterr, c, NULL, "components", "a map");
        if ((r = get_str(sn_yaml_node_get(c, "summary"), comp->name, "summary", &comp->summary, d->reterr)) < 0 ||
            (r = get_str(sn_yaml_node_get(c, "description"), comp->name, "description", &comp->description,
                         d->reterr)) < 0 ||
            (r = get_str(sn_yaml_node_get(c, "type"), comp->name, "type", &comp->type, d->reterr)) < 0)
            return r;
        if (comp->type && !SN_STREQ(comp->type, "test") && !SN_STREQ(comp->type, "standard") &&
            !SN_STREQ(comp->type, "kernel-modules"))
            return PERR(d->reterr, c->line, "component \"%s\": unknown component type \"%s\"", comp->name, comp->type);
        if (comp->type && SN_STREQ(comp->type, "kernel-modules") && info->type != SN_SNAP_TYPE_KERNEL)
            return ERR(d->reterr, c->line, "kernel-modules components can exist only for kernel snaps");
        const SnYamlNode *hooks = sn_yaml_node_get(c, "hooks");
        if (!hooks || hooks->kind == SN_YAML_NULL)
            continue;
        if (hooks->kind != SN_YAML_MAP)
            return type_error(d->reterr, hooks, comp->name, "hooks", "a map");
        comp->hooks = calloc(hooks->n_items ? hooks->n_items : 1, sizeof(*comp->hooks));
        if (!comp->hooks)
            return -ENOMEM;
        for (size_t j = 0; j < hooks->n_items; j++) {
            if (!component_hook_supported(hooks->keys[j]))
                return ERR(d->reterr, hooks->items[j].line, "unsupported component hook: \"%s\"", hooks->keys[j]);
            r = decode_hook(d, hooks->keys[j], &hooks->items[j], &comp->hooks[comp->n_hooks++], true);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* ---- binding of unscoped plugs and slots ---- */

/* Appends copies of add[0..n_add) to the NULL-terminated *v in one allocation (no duplicate check). */
static int strv_extend(char ***v, char *const *add, size_t n_add)
{
    size_t n = sn_strv_length(*v);
    if (n_add == 0)
        return 0;
    char **nv = reallocarray(*v, n + n_add + 1, sizeof(char *));
    if (!nv)
        return -ENOMEM;
    *v = nv;
    for (size_t i = 0; i < n_add; i++) {
        nv[n + i] = strdup(add[i]);
        nv[n + i + 1] = NULL;
        if (!nv[n + i])
            return -ENOMEM;
    }
    return 0;
}

/*
 * Plugs and slots that no app or hook listed are bound to every app and hook (and plugs to every
 * component hook). Such a plug is in no app's list yet, so lists are extended without duplicate
 * checks, in linear time.
 */
static int bind_unscoped_kind(Decoder *d, bool plugs)
{
    SnSnapInfo *info = d->info;
    SnPlugSlot *arr = plugs ? info->plugs : info->slots;
    size_t n = plugs ? info->n_plugs : info->n_slots;
    const bool *scoped = plugs ? d->plug_scoped : d->slot_scoped;
    _sn_free_ char **names = calloc(n + 1, sizeof(char *));
    _sn_free_ char **app_names = calloc(info->n_apps + 1, sizeof(char *));
    _sn_free_ char **hook_names = calloc(info->n_hooks + 1, sizeof(char *));
    size_t k = 0;
    int r;

    if (!names || !app_names || !hook_names)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (!scoped || !scoped[i]) {
            arr[i].unscoped = true;
            names[k++] = arr[i].name;
        }
    if (k == 0)
        return 0;
    size_t n_component_hooks = 0;
    if (plugs)
        for (size_t c = 0; c < info->n_components; c++)
            n_component_hooks += info->components[c].n_hooks;
    size_t targets = info->n_apps + info->n_hooks + n_component_hooks;
    if (targets > 0 && k > (SN_SNAP_YAML_MAX_BINDINGS - SN_MIN(d->n_bindings, SN_SNAP_YAML_MAX_BINDINGS)) / targets)
        return PERR(d->reterr, 0, "more than %u plug and slot bindings", SN_SNAP_YAML_MAX_BINDINGS);
    d->n_bindings += k * targets;

    for (size_t a = 0; a < info->n_apps; a++) {
        app_names[a] = info->apps[a].name;
        if ((r = strv_extend(plugs ? &info->apps[a].plugs : &info->apps[a].slots, names, k)) < 0)
            return r;
    }
    for (size_t h = 0; h < info->n_hooks; h++) {
        hook_names[h] = info->hooks[h].name;
        if ((r = strv_extend(plugs ? &info->hooks[h].plugs : &info->hooks[h].slots, names, k)) < 0)
            return r;
    }
    for (size_t c = 0; plugs && c < info->n_components; c++)
        for (size_t h = 0; h < info->components[c].n_hooks; h++)
            if ((r = strv_extend(&info->components[c].hooks[h].plugs, names, k)) < 0)
                return r;
    for (size_t i = 0; i < n; i++)
        if (arr[i].unscoped) {
            if ((r = strv_extend(&arr[i].apps, app_names, info->n_apps)) < 0 ||
                (r = strv_extend(&arr[i].hooks, hook_names, info->n_hooks)) < 0)
                return r;
        }
    return 0;
}

static int bind_unscoped(Decoder *d)
{
    int r = ensure_scoped_arrays(d);
    if (r < 0)
        return r;
    if ((r = bind_unscoped_kind(d, true)) < 0)
        return r;
    return bind_unscoped_kind(d, false);
}

/* snapd renames two plugs of the core snap that clash with slots of the same name. */
static int rename_clashing_core_plugs(SnSnapInfo *info)
{
    static const char *const names[] = {"network-bind", "core-support"};
    if (!info->name || !SN_STREQ(info->name, "core") || info->type != SN_SNAP_TYPE_OS)
        return 0;
    for (size_t k = 0; k < SN_ELEMENTSOF(names); k++) {
        SnPlugSlot *p = find_ps(info->plugs, info->n_plugs, names[k]);
        if (!p)
            continue;
        char *renamed = sn_strdup_printf("%s-plug", names[k]);
        if (!renamed)
            return -ENOMEM;
        free(p->name);
        p->name = renamed;
        for (size_t a = 0; a < info->n_apps; a++)
            for (char **s = info->apps[a].plugs; s && *s; s++)
                if (SN_STREQ(*s, names[k])) {
                    char *c = strdup(renamed);
                    if (!c)
                        return -ENOMEM;
                    free(*s);
                    *s = c;
                }
        for (size_t h = 0; h < info->n_hooks; h++)
            for (char **s = info->hooks[h].plugs; s && *s; s++)
                if (SN_STREQ(*s, names[k])) {
                    char *c = strdup(renamed);
                    if (!c)
                        return -ENOMEM;
                    free(*s);
                    *s = c;
                }
    }
    return 0;
}

/* ---- layout, system-usernames, links ---- */

static int decode_layout(Decoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    int r;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(d->reterr, v, NULL, "layout", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "layout: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->layout = calloc(v->n_items ? v->n_items : 1, sizeof(*info->layout));
    if (!info->layout)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *e = &v->items[i];
        SnLayout *l = &info->layout[info->n_layout++];
        l->line = e->line;
        l->mode = 0755;
        if ((r = dup_or_null(v->keys[i], &l->path)) < 0)
            return r;
        if (!map_or_null(e))
            return type_error(d->reterr, e, l->path, "layout", "a map");
        static const struct {
            const char *key;
            size_t offset;
        } fields[] = {
            {"bind", offsetof(SnLayout, bind)}, {"bind-file", offsetof(SnLayout, bind_file)},
            {"type", offsetof(SnLayout, type)}, {"symlink", offsetof(SnLayout, symlink)},
            {"user", offsetof(SnLayout, user)}, {"group", offsetof(SnLayout, group)},
        };
        for (size_t f = 0; f < SN_ELEMENTSOF(fields); f++) {
            r = get_str(sn_yaml_node_get(e, fields[f].key), l->path, fields[f].key,
                        (char **)((char *)l + fields[f].offset), d->reterr);
            if (r < 0)
                return r;
        }
        _sn_free_ char *mode = NULL;
        if ((r = get_str(sn_yaml_node_get(e, "mode"), l->path, "mode", &mode, d->reterr)) < 0)
            return r;
        if (mode && *mode) {
            /* strconv.ParseUint(mode, 8, 32) */
            uint64_t m = 0;
            bool ok = true;
            for (const char *p = mode; *p && ok; p++) {
                if (*p < '0' || *p > '7' || __builtin_mul_overflow(m, 8, &m) || m + (uint64_t)(*p - '0') > UINT32_MAX)
                    ok = false;
                else
                    m += (uint64_t)(*p - '0');
            }
            if (!ok)
                return ERR(d->reterr, e->line, "layout \"%s\": mode: cannot parse \"%s\" as an octal number", l->path,
                           mode);
            l->mode = (uint32_t)m;
            l->has_mode = true;
        }
    }
    return 0;
}

static int decode_system_usernames(Decoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    int r;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(d->reterr, v, NULL, "system-usernames", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "system-usernames: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->system_usernames = calloc(v->n_items ? v->n_items : 1, sizeof(*info->system_usernames));
    if (!info->system_usernames)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const char *user = v->keys[i];
        const SnYamlNode *e = &v->items[i];
        SnSystemUsername *su = &info->system_usernames[info->n_system_usernames++];
        su->line = e->line;
        if ((r = dup_or_null(user, &su->name)) < 0)
            return r;
        if (!*user)
            return ERR(d->reterr, e->line, "system username cannot be empty");
        if (e->kind == SN_YAML_SCALAR) {
            if (sn_yaml_node_type(e) != SN_YAML_TYPE_STR)
                return ERR(d->reterr, e->line, "system username \"%s\" has malformed definition (found \"%s\")", user,
                           e->scalar);
            if ((r = dup_or_null(e->scalar, &su->scope)) < 0)
                return r;
        } else if (e->kind == SN_YAML_MAP) {
            for (size_t k = 0; k < e->n_items; k++) {
                const char *key = e->keys[k];
                const SnYamlNode *val = &e->items[k];
                if (SN_STREQ(key, "scope")) {
                    if (sn_yaml_node_type(val) != SN_YAML_TYPE_STR)
                        return ERR(d->reterr, val->line, "scope on system username \"%s\" is not a string", user);
                    if ((r = dup_or_null(val->scalar, &su->scope)) < 0)
                        return r;
                } else if (!*key) {
                    return ERR(d->reterr, val->line, "system username \"%s\" has an empty attribute key", user);
                } else {
                    if ((r = check_attr_value(val, "system username", user, key, d->reterr)) < 0)
                        return r;
                    if (su->attrs.kind == SN_YAML_NULL) {
                        su->attrs = (SnYamlNode){.kind = SN_YAML_MAP, .line = e->line};
                        su->attrs.items = calloc(e->n_items, sizeof(SnYamlNode));
                        su->attrs.keys = calloc(e->n_items, sizeof(char *));
                        if (!su->attrs.items || !su->attrs.keys)
                            return -ENOMEM;
                    }
                    size_t j = su->attrs.n_items;
                    su->attrs.keys[j] = strdup(key);
                    if (!su->attrs.keys[j])
                        return -ENOMEM;
                    su->attrs.n_items++;
                    if ((r = sn_yaml_node_copy(val, &su->attrs.items[j])) < 0)
                        return r;
                }
            }
        } else if (e->kind != SN_YAML_NULL) {
            return ERR(d->reterr, e->line, "system username \"%s\" has malformed definition (found a %s)", user,
                       sn_yaml_kind_to_string(e->kind));
        }
        if (!su->scope || !*su->scope)
            return ERR(d->reterr, e->line, "system username \"%s\" does not specify a scope", user);
    }
    return 0;
}

static bool valid_links_key(const char *s)
{
    /* ^[a-zA-Z](?:-?[a-zA-Z0-9])*$ */
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return false;
    for (const char *p = s; *p; p++) {
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        if (*p == '-') {
            if (p[1] == '-' || p[1] == '\0')
                return false;
        } else if (!alnum) {
            return false;
        }
    }
    return true;
}

static int decode_links(Decoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    int r;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return type_error(d->reterr, v, NULL, "links", "a map of lists");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "links: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->links = calloc(v->n_items ? v->n_items : 1, sizeof(*info->links));
    if (!info->links)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        SnLinks *l = &info->links[info->n_links++];
        l->line = v->items[i].line;
        if ((r = dup_or_null(v->keys[i], &l->key)) < 0)
            return r;
        if ((r = get_strv(&v->items[i], "links", l->key, &l->values, d->reterr)) < 0)
            return r;
        if (!*l->key)
            return ERR(d->reterr, l->line, "links key cannot be empty");
        if (!valid_links_key(l->key))
            return ERR(d->reterr, l->line, "links key is invalid: %s", l->key);
    }
    return 0;
}

/* ---- top level ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_unknown(SnSnapInfo *info, const char *key, const SnYamlNode *v, size_t capacity)
{
    SnYamlNode *u = &info->unknown;
    if (u->kind == SN_YAML_NULL) {
        *u = (SnYamlNode){.kind = SN_YAML_MAP, .line = 1};
        u->items = calloc(capacity, sizeof(*u->items));
        u->keys = calloc(capacity, sizeof(*u->keys));
        if (!u->items || !u->keys)
            return -ENOMEM;
    }
    size_t j = u->n_items;
    u->keys[j] = strdup(key);
    if (!u->keys[j])
        return -ENOMEM;
    u->n_items++;
    return sn_yaml_node_copy(v, &u->items[j]);
}

static int decode_scalar_enum(const SnYamlNode *v, const char *field, const char *const *names, size_t n,
                              const char *msg, int *ret, SnError **reterr)
{
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_SCALAR)
        return type_error(reterr, v, NULL, field, "a string");
    for (size_t i = 0; i < n; i++)
        if (names[i] && SN_STREQ(v->scalar, names[i])) {
            *ret = (int)i;
            return 0;
        }
    return PERR(reterr, v->line, "%s: %s: \"%s\"", field, msg, v->scalar);
}

static const char *const type_names[] = {
    [SN_SNAP_TYPE_APP] = "app",   [SN_SNAP_TYPE_GADGET] = "gadget", [SN_SNAP_TYPE_KERNEL] = "kernel",
    [SN_SNAP_TYPE_BASE] = "base", [SN_SNAP_TYPE_SNAPD] = "snapd",   [SN_SNAP_TYPE_OS] = "os",
};
static const char *const confinement_names[] = {
    [SN_CONFINEMENT_STRICT] = "strict",
    [SN_CONFINEMENT_DEVMODE] = "devmode",
    [SN_CONFINEMENT_CLASSIC] = "classic",
};
static const char *const grade_names[] = {
    [SN_GRADE_UNSET] = "",
    [SN_GRADE_STABLE] = "stable",
    [SN_GRADE_DEVEL] = "devel",
};

static int decode(Decoder *d, const SnYamlNode *root)
{
    SnSnapInfo *info = d->info;
    SnError **reterr = d->reterr;
    const SnYamlNode *plugs = NULL, *slots = NULL, *apps = NULL, *hooks = NULL, *layout = NULL, *usernames = NULL,
                     *links = NULL, *components = NULL;
    int r;

    sn_epoch_init_default(&info->epoch);
    if (root->kind == SN_YAML_NULL)
        return 0;
    if (root->kind != SN_YAML_MAP)
        return PERR(reterr, root->line, "the document is a %s, not a map", sn_yaml_kind_to_string(root->kind));

    for (size_t i = 0; i < root->n_items; i++) {
        const char *k = root->keys[i];
        const SnYamlNode *v = &root->items[i];
        static const struct {
            const char *key;
            size_t offset;
            size_t line_offset;
        } strings[] = {
            {"name", offsetof(SnSnapInfo, name), offsetof(SnSnapInfo, lines.name)},
            {"version", offsetof(SnSnapInfo, version), offsetof(SnSnapInfo, lines.version)},
            {"title", offsetof(SnSnapInfo, title), offsetof(SnSnapInfo, lines.title)},
            {"summary", offsetof(SnSnapInfo, summary), offsetof(SnSnapInfo, lines.summary)},
            {"description", offsetof(SnSnapInfo, description), offsetof(SnSnapInfo, lines.description)},
            {"license", offsetof(SnSnapInfo, license), offsetof(SnSnapInfo, lines.license)},
            {"base", offsetof(SnSnapInfo, base), offsetof(SnSnapInfo, lines.base)},
            {"provenance", offsetof(SnSnapInfo, provenance), offsetof(SnSnapInfo, lines.provenance)},
        };
        bool done = false;
        for (size_t s = 0; s < SN_ELEMENTSOF(strings); s++)
            if (SN_STREQ(k, strings[s].key)) {
                r = get_str(v, NULL, k, (char **)((char *)info + strings[s].offset), reterr);
                if (r < 0)
                    return r;
                *(int *)((char *)info + strings[s].line_offset) = v->line;
                done = true;
            }
        if (done)
            continue;

        if (SN_STREQ(k, "type")) {
            int t = SN_SNAP_TYPE_APP;
            info->lines.type = v->line;
            if (v->kind == SN_YAML_SCALAR && SN_STREQ(v->scalar, "application"))
                t = SN_SNAP_TYPE_APP;
            else if ((r = decode_scalar_enum(v, "type", type_names, SN_ELEMENTSOF(type_names), "invalid snap type", &t,
                                             reterr)) < 0)
                return r;
            info->type = (SnSnapType)t;
        } else if (SN_STREQ(k, "confinement")) {
            int c = SN_CONFINEMENT_STRICT;
            info->lines.confinement = v->line;
            if ((r = decode_scalar_enum(v, "confinement", confinement_names, SN_ELEMENTSOF(confinement_names),
                                        "invalid confinement type", &c, reterr)) < 0)
                return r;
            info->confinement = (SnConfinement)c;
        } else if (SN_STREQ(k, "grade")) {
            int g = SN_GRADE_UNSET;
            info->lines.grade = v->line;
            if ((r = decode_scalar_enum(v, "grade", grade_names, SN_ELEMENTSOF(grade_names), "unknown grade type", &g,
                                        reterr)) < 0)
                return r;
            info->grade = (SnGrade)g;
        } else if (SN_STREQ(k, "architectures")) {
            if ((r = get_strv(v, NULL, k, &info->architectures, reterr)) < 0)
                return r;
            if (info->architectures && !info->architectures[0])
                info->architectures = sn_strv_free(info->architectures);
        } else if (SN_STREQ(k, "assumes")) {
            if ((r = get_strv(v, NULL, k, &info->assumes, reterr)) < 0)
                return r;
            if (info->assumes)
                qsort(info->assumes, sn_strv_length(info->assumes), sizeof(char *), cmp_str);
        } else if (SN_STREQ(k, "epoch")) {
            info->lines.epoch = v->line;
            _sn_cleanup_(sn_error_freep) SnError *e = NULL;
            r = sn_epoch_from_yaml(v, &info->epoch, &e);
            if (r == -ENOMEM)
                return r;
            if (r < 0)
                return PERR(reterr, e ? e->line : v->line, "epoch: %s", sn_error_message(e, r));
        } else if (SN_STREQ(k, "environment")) {
            if ((r = get_env(v, NULL, &info->environment, &info->n_environment, reterr)) < 0)
                return r;
        } else if (SN_STREQ(k, "layouts")) {
            return PERR(reterr, v->line, "typo detected: use singular \"layout\" instead of plural \"layouts\"");
        } else if (SN_STREQ(k, "plugs")) {
            plugs = v;
        } else if (SN_STREQ(k, "slots")) {
            slots = v;
        } else if (SN_STREQ(k, "apps")) {
            apps = v;
        } else if (SN_STREQ(k, "hooks")) {
            hooks = v;
            info->lines.hooks = v->line;
        } else if (SN_STREQ(k, "layout")) {
            layout = v;
        } else if (SN_STREQ(k, "system-usernames")) {
            usernames = v;
        } else if (SN_STREQ(k, "links")) {
            links = v;
        } else if (SN_STREQ(k, "components")) {
            components = v;
        } else {
            if ((r = add_unknown(info, k, v, root->n_items)) < 0)
                return r;
        }
    }

    /* A snap named snapd is of type snapd. */
    if (info->name && SN_STREQ(info->name, "snapd"))
        info->type = SN_SNAP_TYPE_SNAPD;

    if ((r = decode_top_plugs_slots(d, plugs, true)) < 0 || (r = decode_top_plugs_slots(d, slots, false)) < 0 ||
        (r = decode_components(d, components)) < 0 || (r = decode_apps(d, apps)) < 0 ||
        (r = decode_hooks(d, hooks)) < 0 || (r = bind_unscoped(d)) < 0 || (r = decode_layout(d, layout)) < 0 ||
        (r = rename_clashing_core_plugs(info)) < 0 || (r = decode_system_usernames(d, usernames)) < 0 ||
        (r = decode_links(d, links)) < 0)
        return r;
    return 0;
}

int sn_snap_yaml_parse_unvalidated(const char *data, size_t len, SnSnapInfo **ret_info, SnError **reterr)
{
    SnYamlNode root = {0};
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    int r;

    if (!data && len > 0)
        return sn_error_set(reterr, -EINVAL, "cannot parse snap.yaml: no data");
    if (len > SN_SNAP_YAML_MAX_SIZE)
        return sn_error_set(reterr, -EFBIG, "cannot parse snap.yaml: %zu bytes is larger than the limit of %u", len,
                            SN_SNAP_YAML_MAX_SIZE);
    r = sn_yaml_tree_load(data ? data : "", len, &root, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "cannot parse snap.yaml");

    info = calloc(1, sizeof(*info));
    if (!info) {
        sn_yaml_node_done(&root);
        return -ENOMEM;
    }
    Decoder d = {.info = info, .reterr = reterr};
    r = decode(&d, &root);
    free(d.plug_scoped);
    free(d.slot_scoped);
    sn_yaml_node_done(&root);
    if (r < 0) {
        if (r == -ENOMEM)
            sn_error_set(reterr, r, "cannot parse snap.yaml: out of memory");
        return r;
    }
    *ret_info = SN_TAKE_PTR(info);
    return 0;
}

int sn_snap_yaml_parse(const char *data, size_t len, SnSnapInfo **ret_info, SnError **reterr)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    int r = sn_snap_yaml_parse_unvalidated(data, len, &info, reterr);
    if (r < 0)
        return r;
    r = sn_snap_info_validate(info, reterr);
    if (r < 0)
        return r;
    *ret_info = SN_TAKE_PTR(info);
    return 0;
}

const char *sn_snap_type_to_string(SnSnapType type)
{
    if ((size_t)type < SN_ELEMENTSOF(type_names))
        return type_names[type];
    return "app";
}

const char *sn_confinement_to_string(SnConfinement c)
{
    if ((size_t)c < SN_ELEMENTSOF(confinement_names))
        return confinement_names[c];
    return "strict";
}

const char *sn_grade_to_string(SnGrade g)
{
    if ((size_t)g < SN_ELEMENTSOF(grade_names))
        return grade_names[g];
    return "";
}

const SnApp *sn_snap_info_find_app(const SnSnapInfo *info, const char *name)
{
    if (!info || !name)
        return NULL;
    for (size_t i = 0; i < info->n_apps; i++)
        if (SN_STREQ(info->apps[i].name, name))
            return &info->apps[i];
    return NULL;
}

const SnHook *sn_snap_info_find_hook(const SnSnapInfo *info, const char *name)
{
    if (!info || !name)
        return NULL;
    for (size_t i = 0; i < info->n_hooks; i++)
        if (SN_STREQ(info->hooks[i].name, name))
            return &info->hooks[i];
    return NULL;
}
