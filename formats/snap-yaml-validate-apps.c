/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's snap.Validate for apps and hooks (snap/validate.go): daemons and their options,
 * sockets, activation, before/after ordering and its cycles, hook names and command chains.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naming.h"
#include "path-util.h"
#include "snap-yaml-validate-internal.h"
#include "strutil.h"
#include "timer-schedule.h"
#include "yaml-tree.h"

/* ---- apps ---- */

static bool is_service(const SnApp *app)
{
    return app->daemon && *app->daemon;
}

/* ^[A-Za-z0-9/. _#:$-]*$ (spaces allowed unless command_chain) */
static bool whitelisted(const char *s, bool command_chain)
{
    for (const char *p = s; p && *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
                  c == '_' || c == '#' || c == ':' || c == '$' || c == '-' || (c == ' ' && !command_chain);
        if (!ok)
            return false;
    }
    return true;
}

#define APP_WHITELIST "^[A-Za-z0-9/. _#:$-]*$"
#define CHAIN_WHITELIST "^[A-Za-z0-9/._#:$-]*$"

static bool set_duration(SnDuration d)
{
    return d != SN_DURATION_UNSET && d != 0;
}

static int validate_socket(const SnSnapInfo *info, const SnApp *app, const SnSocket *s, SnError **reterr)
{
    const char *addr = s->listen_stream ? s->listen_stream : "";
    if (!sn_name_socket_valid(s->name))
        return VERR(reterr, s->line, "invalid socket name: \"%s\"", s->name);
    if (s->has_socket_mode && s->socket_mode > 0777)
        return VERR(reterr, s->line, "cannot use mode: %04o", s->socket_mode);
    if (!*addr)
        return VERR(reterr, s->line, "\"listen-stream\" is not defined");
    if (addr[0] == '/' || addr[0] == '$') {
        _sn_free_ char *clean = sn_path_clean(addr);
        if (!clean)
            return -ENOMEM;
        if (!SN_STREQ(clean, addr))
            return VERR(reterr, s->line, "invalid \"listen-stream\": \"%s\" should be written as \"%s\"", addr, clean);
        const char *scope = app->daemon_scope ? app->daemon_scope : "";
        if (SN_STREQ(scope, "system")) {
            if (!sn_startswith(addr, "$SNAP_DATA/") && !sn_startswith(addr, "$SNAP_COMMON/") &&
                !sn_startswith(addr, "$XDG_RUNTIME_DIR/"))
                return VERR(reterr, s->line,
                            "invalid \"listen-stream\": system daemon sockets must have a prefix of $SNAP_DATA, "
                            "$SNAP_COMMON or $XDG_RUNTIME_DIR");
        } else if (SN_STREQ(scope, "user")) {
            if (!sn_startswith(addr, "$SNAP_USER_DATA/") && !sn_startswith(addr, "$SNAP_USER_COMMON/") &&
                !sn_startswith(addr, "$XDG_RUNTIME_DIR/"))
                return VERR(reterr, s->line,
                            "invalid \"listen-stream\": user daemon sockets must have a prefix of $SNAP_USER_DATA, "
                            "$SNAP_USER_COMMON, or $XDG_RUNTIME_DIR");
        } else {
            return VERR(reterr, s->line, "invalid \"listen-stream\": cannot validate sockets for daemon-scope \"%s\"",
                        scope);
        }
        return 0;
    }
    if (addr[0] == '@') {
        _sn_free_ char *prefix = sn_strdup_printf("@snap.%s.", info->name ? info->name : "");
        if (!prefix)
            return -ENOMEM;
        if (!sn_startswith(addr, prefix))
            return VERR(reterr, s->line, "path for \"listen-stream\" must be prefixed with \"%s\"", prefix);
        return 0;
    }
    const char *colon = strrchr(addr, ':');
    const char *port = addr;
    if (colon) {
        size_t hl = (size_t)(colon - addr);
        static const char *const hosts[] = {"127.0.0.1", "[::1]", "[::]"};
        bool ok = false;
        for (size_t i = 0; i < SN_ELEMENTSOF(hosts); i++)
            if (strlen(hosts[i]) == hl && memcmp(hosts[i], addr, hl) == 0)
                ok = true;
        if (!ok)
            return VERR(reterr, s->line,
                        "invalid \"listen-stream\" address \"%.*s\", must be one of: 127.0.0.1, [::1], [::]", (int)hl,
                        addr);
        port = colon + 1;
    }
    uint64_t p;
    const char *digits = port;
    while (*digits == '0' && digits[1])
        digits++;
    if (!*port || sn_parse_u64(digits, &p) < 0 || p < 1 || p > 65535)
        return VERR(reterr, s->line, "invalid \"listen-stream\" port number \"%s\"", port);
    return 0;
}

static int check_order_names(const SnSnapInfo *info, const SnApp *app, char **deps, SnError **reterr)
{
    if (deps && deps[0] && !is_service(app))
        return VERR(reterr, app->line, "must be a service to define before/after ordering");
    for (char **d = deps; d && *d; d++) {
        const SnApp *other = sn_snap_info_find_app(info, *d);
        if (!other)
            return VERR(reterr, app->line, "before/after references a missing application \"%s\"", *d);
        if (!is_service(other))
            return VERR(reterr, app->line, "before/after references a non-service application \"%s\"", *d);
        const char *a = app->daemon_scope ? app->daemon_scope : "", *b = other->daemon_scope ? other->daemon_scope : "";
        if (!SN_STREQ(a, b))
            return VERR(reterr, app->line, "before/after references service with different daemon-scope \"%s\"", *d);
    }
    return 0;
}

static int validate_activates_on(const SnSnapInfo *info, const SnApp *app, SnError **reterr)
{
    if (!app->activates_on || !app->activates_on[0])
        return 0;
    if (!is_service(app))
        return VERR(reterr, app->line, "activates-on is only applicable to services");
    for (char **s = app->activates_on; *s; s++) {
        const SnPlugSlot *slot = sn_snap_yaml_find_plug_slot(info->slots, info->n_slots, *s);
        if (!slot)
            return VERR(reterr, app->line, "invalid activates-on value \"%s\": slot not found", *s);
        if (!SN_STREQ(slot->interface, "dbus"))
            return VERR(reterr, app->line, "invalid activates-on value \"%s\": slot does not use dbus interface", *s);
        const SnYamlNode *bus = sn_yaml_node_get(&slot->attrs, "bus");
        const char *busv = bus && bus->kind == SN_YAML_SCALAR ? bus->scalar : "";
        const char *scope = app->daemon_scope ? app->daemon_scope : "";
        if ((SN_STREQ(scope, "system") && !SN_STREQ(busv, "system")) ||
            (SN_STREQ(scope, "user") && !SN_STREQ(busv, "session")))
            return VERR(reterr, app->line,
                        "invalid activates-on value \"%s\": bus \"%s\" does not match daemon-scope \"%s\"", *s, busv,
                        scope);
        for (size_t i = 0; i < info->n_apps; i++) {
            const SnApp *other = &info->apps[i];
            if (other == app)
                continue;
            if (sn_strv_contains(other->activates_on, *s))
                return VERR(reterr, app->line,
                            "invalid activates-on value \"%s\": slot is also activatable on app \"%s\"", *s,
                            other->name);
        }
    }
    return 0;
}

int sn_snap_yaml_validate_app(const SnSnapInfo *info, const SnApp *app, SnError **reterr)
{
    int r;
    const char *daemon = app->daemon ? app->daemon : "";
    static const char *const daemons[] = {"", "simple", "forking", "oneshot", "dbus", "notify"};
    bool ok = false;
    for (size_t i = 0; i < SN_ELEMENTSOF(daemons); i++)
        ok = ok || SN_STREQ(daemon, daemons[i]);
    if (!ok)
        return VERR(reterr, app->line, "\"daemon\" field contains invalid value \"%s\"", daemon);

    if (!app->daemon_scope) {
        if (*daemon)
            return VERR(reterr, app->line, "\"daemon-scope\" must be set for daemons");
    } else if (SN_STREQ(app->daemon_scope, "system") || SN_STREQ(app->daemon_scope, "user")) {
        if (!*daemon)
            return VERR(reterr, app->line, "\"daemon-scope\" can only be set for daemons");
    } else {
        return VERR(reterr, app->line, "invalid \"daemon-scope\": \"%s\"", app->daemon_scope);
    }

    if (!sn_name_app_valid(app->name))
        return VERR(reterr, app->line, "cannot have \"%s\" as app name - use letters, digits, and dash as separator",
                    app->name);

    const struct {
        const char *field;
        const char *value;
    } checks[] = {
        {"command", app->command},
        {"stop-command", app->stop_command},
        {"reload-command", app->reload_command},
        {"post-stop-command", app->post_stop_command},
        {"bus-name", app->bus_name},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(checks); i++)
        if (!whitelisted(checks[i].value, false))
            return VERR(reterr, app->line, "app description field '%s' contains illegal \"%s\" (legal: '%s')",
                        checks[i].field, checks[i].value, APP_WHITELIST);
    for (char **c = app->command_chain; c && *c; c++)
        if (!whitelisted(*c, true))
            return VERR(reterr, app->line,
                        "app description field 'command-chain' contains illegal \"%s\" (legal: '%s')", *c,
                        CHAIN_WHITELIST);

    if (app->n_sockets > 0 && !sn_strv_contains(app->plugs, "network-bind") &&
        info->confinement != SN_CONFINEMENT_CLASSIC)
        return VERR(reterr, app->line, "\"network-bind\" interface plug is required when sockets are used");
    for (size_t i = 0; i < app->n_sockets; i++) {
        _sn_cleanup_(sn_error_freep) SnError *e = NULL;
        r = validate_socket(info, app, &app->sockets[i], &e);
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            return sn_error_set_at(reterr, r, e ? e->line : 0, "invalid definition of socket \"%s\": %s",
                                   app->sockets[i].name, sn_error_message(e, r));
    }

    if ((r = validate_activates_on(info, app, reterr)) < 0)
        return r;

    if (set_duration(app->restart_delay)) {
        if (!is_service(app))
            return VERR(reterr, app->line, "restart-delay is only applicable to services");
        if (app->restart_delay < 0)
            return VERR(reterr, app->line, "restart-delay cannot be negative");
    }
    if (app->restart_condition && *app->restart_condition && !is_service(app))
        return VERR(reterr, app->line, "restart-condition is only applicable to services");

    if ((r = check_order_names(info, app, app->before, reterr)) < 0 ||
        (r = check_order_names(info, app, app->after, reterr)) < 0)
        return r;

    const struct {
        const char *desc;
        SnDuration d;
    } timeouts[] = {
        {"start-timeout", app->start_timeout},
        {"stop-timeout", app->stop_timeout},
        {"watchdog-timeout", app->watchdog_timeout},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(timeouts); i++) {
        if (!set_duration(timeouts[i].d))
            continue;
        if (!is_service(app))
            return VERR(reterr, app->line, "%s is only applicable to services", timeouts[i].desc);
        if (timeouts[i].d < 0)
            return VERR(reterr, app->line, "%s cannot be negative", timeouts[i].desc);
    }

    if (app->n_success_exit_status > 0) {
        if (!is_service(app))
            return VERR(reterr, app->line, "success exit status is only applicable to services");
        for (size_t i = 0; i < app->n_success_exit_status; i++)
            if (app->success_exit_status[i] < 1 || app->success_exit_status[i] > 255)
                return VERR(reterr, app->line, "exit code must be an integer in range 1 to 255");
    }

    const char *stop_mode = app->stop_mode ? app->stop_mode : "";
    static const char *const stop_modes[] = {"",          "sigterm",     "sigterm-all", "sighup",      "sighup-all",
                                             "sigusr1",   "sigusr1-all", "sigusr2",     "sigusr2-all", "sigint",
                                             "sigint-all"};
    ok = false;
    for (size_t i = 0; i < SN_ELEMENTSOF(stop_modes); i++)
        ok = ok || SN_STREQ(stop_mode, stop_modes[i]);
    if (!ok)
        return VERR(reterr, app->line, "\"stop-mode\" field contains invalid value \"%s\"", stop_mode);

    const char *refresh = app->refresh_mode ? app->refresh_mode : "";
    if (!SN_STREQ(refresh, "") && !SN_STREQ(refresh, "endure") && !SN_STREQ(refresh, "restart") &&
        !SN_STREQ(refresh, "ignore-running"))
        return VERR(reterr, app->line, "\"refresh-mode\" field contains invalid value \"%s\"", refresh);
    const char *install = app->install_mode ? app->install_mode : "";
    if (!SN_STREQ(install, "") && !SN_STREQ(install, "enable") && !SN_STREQ(install, "disable"))
        return VERR(reterr, app->line, "\"install-mode\" field contains invalid value \"%s\"", install);
    if (*stop_mode && !*daemon)
        return VERR(reterr, app->line, "\"stop-mode\" cannot be used for \"%s\", only for services", app->name);
    if (*refresh) {
        if (*daemon && SN_STREQ(refresh, "ignore-running"))
            return VERR(reterr, app->line, "\"refresh-mode\" cannot be set to \"ignore-running\" for services");
        if (!*daemon && !SN_STREQ(refresh, "ignore-running"))
            return VERR(reterr, app->line, "\"refresh-mode\" for app \"%s\" can only have value \"ignore-running\"",
                        app->name);
    }
    if (*install && !*daemon)
        return VERR(reterr, app->line, "\"install-mode\" cannot be used for \"%s\", only for services", app->name);

    if (app->timer && *app->timer) {
        if (!is_service(app))
            return VERR(reterr, app->line, "timer is only applicable to services");
        _sn_cleanup_(sn_error_freep) SnError *e = NULL;
        r = sn_timer_schedule_validate(app->timer, &e);
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            return VERR(reterr, app->line, "timer has invalid format: %s", sn_error_message(e, r));
    }
    return 0;
}

/* Kahn's algorithm over services, as snapd's SortServices. */
int sn_snap_yaml_validate_order_cycles(const SnSnapInfo *info, SnError **reterr)
{
    size_t n = info->n_apps;
    if (n == 0)
        return 0;
    _sn_free_ size_t *pred = calloc(n, sizeof(size_t));
    _sn_free_ size_t *queue = calloc(n, sizeof(size_t));
    _sn_free_ bool *done = calloc(n, sizeof(bool));
    if (!pred || !queue || !done)
        return -ENOMEM;
        /* Edge i -> j when j must start after i. */
#define SVC_INDEX(name)                                                                                                \
    ({                                                                                                                 \
        const SnApp *_a = sn_snap_info_find_app(info, (name));                                                         \
        (_a && is_service(_a)) ? (ssize_t)(_a - info->apps) : (ssize_t)-1;                                             \
    })
    for (size_t i = 0; i < n; i++) {
        if (!is_service(&info->apps[i]))
            continue;
        for (char **a = info->apps[i].after; a && *a; a++)
            if (SVC_INDEX(*a) >= 0)
                pred[i]++;
        for (char **b = info->apps[i].before; b && *b; b++) {
            ssize_t j = SVC_INDEX(*b);
            if (j >= 0)
                pred[j]++;
        }
    }
    size_t qh = 0, qt = 0;
    for (size_t i = 0; i < n; i++)
        if (is_service(&info->apps[i]) && pred[i] == 0)
            queue[qt++] = i;
    while (qh < qt) {
        size_t i = queue[qh++];
        done[i] = true;
        /* successors of i: apps listing i in after, and apps i lists in before */
        for (size_t j = 0; j < n; j++) {
            if (!is_service(&info->apps[j]))
                continue;
            size_t dec = 0;
            for (char **a = info->apps[j].after; a && *a; a++)
                if (SN_STREQ(*a, info->apps[i].name))
                    dec++;
            for (char **b = info->apps[i].before; b && *b; b++)
                if (SN_STREQ(*b, info->apps[j].name))
                    dec++;
            if (dec == 0)
                continue;
            bool was_positive = pred[j] > 0;
            pred[j] = pred[j] > dec ? pred[j] - dec : 0;
            if (was_positive && pred[j] == 0 && !done[j])
                queue[qt++] = j;
        }
    }
#undef SVC_INDEX
    SnBuf names = {0};
    int line = 0;
    for (size_t i = 0; i < n; i++)
        if (is_service(&info->apps[i]) && !done[i]) {
            sn_buf_printf(&names, "%s%s", names.len ? ", " : "", info->apps[i].name);
            if (!line)
                line = info->apps[i].line;
        }
    if (!sn_buf_ok(&names)) {
        sn_buf_done(&names);
        return -ENOMEM;
    }
    int r = 0;
    if (names.len)
        r = VERR(reterr, line, "applications are part of a before/after cycle: %s", names.data);
    sn_buf_done(&names);
    return r;
}

int sn_snap_yaml_validate_hook(const SnHook *hook, SnError **reterr)
{
    if (!sn_name_plug_valid(hook->name))
        return VERR(reterr, hook->line, "invalid hook name: \"%s\"", hook->name);
    for (char **c = hook->command_chain; c && *c; c++)
        if (!whitelisted(*c, true))
            return VERR(reterr, hook->line, "hook command-chain contains illegal \"%s\" (legal: '%s')", *c,
                        CHAIN_WHITELIST);
    return 0;
}

int sn_snap_yaml_validate_hooks(const SnSnapInfo *info, SnError **reterr)
{
    for (size_t i = 0; i < info->n_hooks; i++) {
        int r = sn_snap_yaml_validate_hook(&info->hooks[i], reterr);
        if (r < 0)
            return r;
    }
    const SnHook *dc = sn_snap_info_find_hook(info, "default-configure");
    const SnHook *c = sn_snap_info_find_hook(info, "configure");
    SnSnapType t = info->type;
    if (t == SN_SNAP_TYPE_SNAPD || t == SN_SNAP_TYPE_BASE || t == SN_SNAP_TYPE_OS) {
        bool bad_c = c && t != SN_SNAP_TYPE_OS;
        if (dc || bad_c)
            return VERR(reterr, (dc ? dc : c)->line, "cannot specify %s%s%s hook for \"%s\" snap \"%s\"",
                        dc ? "\"default-configure\"" : "", dc && bad_c ? " or " : "", bad_c ? "\"configure\"" : "",
                        sn_snap_type_to_string(t), info->name);
    }
    if (dc && !c)
        return VERR(reterr, dc->line, "cannot specify \"default-configure\" hook without \"configure\" hook");
    return 0;
}
