/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap.yaml decode: apps (with their sockets, restart conditions, exit statuses and plug/slot
 * bindings), hooks, and components with their hooks.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml-decode-internal.h"
#include "strutil.h"
#include "yaml-tree.h"

/* ---- apps ---- */

static int decode_sockets(SnSnapYamlDecoder *d, SnApp *app, const SnYamlNode *v)
{
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(d->reterr, v, app->name, "sockets", "a map");
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
        if (!sn_snap_yaml_map_or_null(s))
            return sn_snap_yaml_type_error(d->reterr, s, app->name, "sockets", "a map");
        int r = sn_snap_yaml_get_str(sn_yaml_node_get(s, "listen-stream"), app->name, "listen-stream",
                                     &sock->listen_stream, d->reterr);
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
        if (sn_strv_contains(info->apps[i].aliases, alias)) {
            *ret_app = info->apps[i].name;
            return 1;
        }
    return 0;
}

static int decode_app(SnSnapYamlDecoder *d, const char *name, const SnYamlNode *v, SnApp *app)
{
    SnError **reterr = d->reterr;
    int r;

    app->line = v->line;
    app->stop_timeout = app->start_timeout = app->watchdog_timeout = app->restart_delay = SN_DURATION_UNSET;
    if ((r = sn_snap_yaml_dup(name, &app->name)) < 0)
        return r;
    if (!sn_snap_yaml_map_or_null(v))
        return sn_snap_yaml_type_error(reterr, v, NULL, "apps", "a map");

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
        r = sn_snap_yaml_get_str(sn_yaml_node_get(v, strings[i].key), name, strings[i].key,
                                 (char **)((char *)app + strings[i].offset), reterr);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < SN_ELEMENTSOF(lists); i++) {
        r = sn_snap_yaml_get_strv(sn_yaml_node_get(v, lists[i].key), name, lists[i].key,
                                  (char ***)((char *)app + lists[i].offset), reterr);
        if (r < 0)
            return r;
    }
    for (size_t i = 0; i < SN_ELEMENTSOF(durations); i++) {
        r = sn_snap_yaml_get_duration(sn_yaml_node_get(v, durations[i].key), name, durations[i].key,
                                      (SnDuration *)((char *)app + durations[i].offset), reterr);
        if (r < 0)
            return r;
    }

    const SnYamlNode *scope = sn_yaml_node_get(v, "daemon-scope");
    if (scope && scope->kind != SN_YAML_NULL) {
        if (scope->kind != SN_YAML_SCALAR)
            return sn_snap_yaml_type_error(reterr, scope, name, "daemon-scope", "a string");
        if (!SN_STREQ(scope->scalar, "system") && !SN_STREQ(scope->scalar, "user"))
            return PERR(reterr, scope->line, "app \"%s\": invalid daemon scope: \"%s\"", name, scope->scalar);
        if ((r = sn_snap_yaml_dup(scope->scalar, &app->daemon_scope)) < 0)
            return r;
    }
    /* Daemons default to system daemons. */
    if (app->daemon && *app->daemon && !app->daemon_scope && (r = sn_snap_yaml_dup("system", &app->daemon_scope)) < 0)
        return r;

    const SnYamlNode *rc = sn_yaml_node_get(v, "restart-condition");
    if (rc && rc->kind != SN_YAML_NULL) {
        const char *canon = NULL;
        if (rc->kind != SN_YAML_SCALAR)
            return sn_snap_yaml_type_error(reterr, rc, name, "restart-condition", "a string");
        for (size_t i = 0; i < SN_ELEMENTSOF(restart_conditions); i++)
            if (SN_STREQ(rc->scalar, restart_conditions[i][0]))
                canon = restart_conditions[i][1];
        if (!canon)
            return PERR(reterr, rc->line, "app \"%s\": restart-condition: invalid restart condition \"%s\"", name,
                        rc->scalar);
        if ((r = sn_snap_yaml_dup(canon, &app->restart_condition)) < 0)
            return r;
    }

    _sn_strv_free_ char **exit_status = NULL;
    r = sn_snap_yaml_get_strv(sn_yaml_node_get(v, "success-exit-status"), name, "success-exit-status", &exit_status,
                              reterr);
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

    r = sn_snap_yaml_get_env(sn_yaml_node_get(v, "environment"), name, &app->environment, &app->n_environment, reterr);
    if (r < 0)
        return r;
    r = decode_sockets(d, app, sn_yaml_node_get(v, "sockets"));
    if (r < 0)
        return r;

    /* plugs, slots and activates-on bind to the snap's plugs and slots (created when missing). */
    _sn_strv_free_ char **plugs = NULL, **slots = NULL, **activates = NULL;
    if ((r = sn_snap_yaml_get_strv(sn_yaml_node_get(v, "plugs"), name, "plugs", &plugs, reterr)) < 0 ||
        (r = sn_snap_yaml_get_strv(sn_yaml_node_get(v, "slots"), name, "slots", &slots, reterr)) < 0 ||
        (r = sn_snap_yaml_get_strv(sn_yaml_node_get(v, "activates-on"), name, "activates-on", &activates, reterr)) < 0)
        return r;
    for (char **p = plugs; p && *p; p++) {
        size_t idx;
        if ((r = sn_snap_yaml_bind_named(d, true, *p, v->line, &idx)) < 0)
            return r;
        if ((r = sn_snap_yaml_strv_add_unique(&app->plugs, *p)) < 0 ||
            (r = sn_snap_yaml_strv_add_unique(&d->info->plugs[idx].apps, name)) < 0)
            return r;
    }
    for (char **p = slots; p && *p; p++) {
        size_t idx;
        if ((r = sn_snap_yaml_bind_named(d, false, *p, v->line, &idx)) < 0)
            return r;
        if ((r = sn_snap_yaml_strv_add_unique(&app->slots, *p)) < 0 ||
            (r = sn_snap_yaml_strv_add_unique(&d->info->slots[idx].apps, name)) < 0)
            return r;
    }
    for (char **p = activates; p && *p; p++) {
        SnPlugSlot *slot = sn_snap_yaml_find_plug_slot(d->info->slots, d->info->n_slots, *p);
        if (!slot)
            return ERR(reterr, v->line, "invalid activates-on value \"%s\" on app \"%s\": slot not found", *p, name);
        size_t idx = (size_t)(slot - d->info->slots);
        if ((r = sn_snap_yaml_count_binding(d)) < 0 || (r = sn_snap_yaml_ensure_scoped(d)) < 0)
            return r;
        d->slot_scoped[idx] = true;
        if ((r = sn_strv_push(&app->activates_on, *p)) < 0 || (r = sn_snap_yaml_strv_add_unique(&app->slots, *p)) < 0 ||
            (r = sn_snap_yaml_strv_add_unique(&slot->apps, name)) < 0)
            return r;
    }
    return 0;
}

int sn_snap_yaml_decode_apps(SnSnapYamlDecoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(d->reterr, v, NULL, "apps", "a map");
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

static int decode_hook(SnSnapYamlDecoder *d, const char *name, const SnYamlNode *v, SnHook *hook, bool component)
{
    SnError **reterr = d->reterr;
    int r;
    hook->line = v->line;
    if ((r = sn_snap_yaml_dup(name, &hook->name)) < 0)
        return r;
    if (!sn_snap_yaml_map_or_null(v))
        return sn_snap_yaml_type_error(reterr, v, NULL, "hooks", "a map");
    if ((r = sn_snap_yaml_get_strv(sn_yaml_node_get(v, "command-chain"), name, "command-chain", &hook->command_chain,
                                   reterr)) < 0 ||
        (r = sn_snap_yaml_get_env(sn_yaml_node_get(v, "environment"), name, &hook->environment, &hook->n_environment,
                                  reterr)) < 0)
        return r;
    _sn_strv_free_ char **plugs = NULL, **slots = NULL;
    if ((r = sn_snap_yaml_get_strv(sn_yaml_node_get(v, "plugs"), name, "plugs", &plugs, reterr)) < 0 ||
        (r = sn_snap_yaml_get_strv(sn_yaml_node_get(v, "slots"), name, "slots", &slots, reterr)) < 0)
        return r;
    if (component && slots && slots[0])
        return ERR(reterr, v->line, "component hooks cannot have slots");
    for (char **p = plugs; p && *p; p++) {
        size_t idx;
        if ((r = sn_snap_yaml_bind_named(d, true, *p, v->line, &idx)) < 0)
            return r;
        if ((r = sn_snap_yaml_strv_add_unique(&hook->plugs, *p)) < 0)
            return r;
        if (!component && (r = sn_snap_yaml_strv_add_unique(&d->info->plugs[idx].hooks, name)) < 0)
            return r;
    }
    for (char **p = slots; p && *p; p++) {
        size_t idx;
        if ((r = sn_snap_yaml_bind_named(d, false, *p, v->line, &idx)) < 0)
            return r;
        if ((r = sn_snap_yaml_strv_add_unique(&hook->slots, *p)) < 0 ||
            (r = sn_snap_yaml_strv_add_unique(&d->info->slots[idx].hooks, name)) < 0)
            return r;
    }
    return 0;
}

int sn_snap_yaml_decode_hooks(SnSnapYamlDecoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(d->reterr, v, NULL, "hooks", "a map");
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

int sn_snap_yaml_decode_components(SnSnapYamlDecoder *d, const SnYamlNode *v)
{
    SnSnapInfo *info = d->info;
    int r;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(d->reterr, v, NULL, "components", "a map");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(d->reterr, v->line, "components: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    info->components = calloc(v->n_items ? v->n_items : 1, sizeof(*info->components));
    if (!info->components)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *c = &v->items[i];
        SnComponent *comp = &info->components[info->n_components++];
        comp->line = c->line;
        if ((r = sn_snap_yaml_dup(v->keys[i], &comp->name)) < 0)
            return r;
        if (!sn_snap_yaml_map_or_null(c))
            return sn_snap_yaml_type_error(d->reterr, c, NULL, "components", "a map");
        if ((r = sn_snap_yaml_get_str(sn_yaml_node_get(c, "summary"), comp->name, "summary", &comp->summary,
                                      d->reterr)) < 0 ||
            (r = sn_snap_yaml_get_str(sn_yaml_node_get(c, "description"), comp->name, "description", &comp->description,
                                      d->reterr)) < 0 ||
            (r = sn_snap_yaml_get_str(sn_yaml_node_get(c, "type"), comp->name, "type", &comp->type, d->reterr)) < 0)
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
            return sn_snap_yaml_type_error(d->reterr, hooks, comp->name, "hooks", "a map");
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
