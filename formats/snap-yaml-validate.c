/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's snap.Validate (snap/validate.go) over an SnSnapInfo. Messages keep snapd's wording and
 * add " (line N)" where the item has a line.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epoch.h"
#include "naming.h"
#include "snap-yaml-internal.h"
#include "snap-yaml.h"
#include "spdx.h"
#include "strutil.h"
#include "timer-schedule.h"
#include "yaml-tree.h"

#define VERR(reterr, line, ...) sn_snap_yaml_error(reterr, NULL, line, __VA_ARGS__)

/* ---- paths ---- */

char *sn_snap_yaml_clean_path(const char *path)
{
    size_t n = strlen(path);
    if (n == 0)
        return strdup(".");
    bool rooted = path[0] == '/';
    char *out = malloc(n + 2);
    if (!out)
        return NULL;
    size_t w = 0, dotdot = 0; /* dotdot: where ".." can no longer be backtracked */
    if (rooted) {
        out[w++] = '/';
        dotdot = 1;
    }
    size_t r = rooted ? 1 : 0;
    while (r < n) {
        if (path[r] == '/') {
            r++;
        } else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
            r++;
        } else if (path[r] == '.' && path[r + 1] == '.' && (r + 2 == n || path[r + 2] == '/')) {
            r += 2;
            if (w > dotdot) {
                w--;
                while (w > dotdot && out[w] != '/')
                    w--;
            } else if (!rooted) {
                if (w > 0)
                    out[w++] = '/';
                out[w++] = '.';
                out[w++] = '.';
                dotdot = w;
            }
        } else {
            if ((rooted && w != 1) || (!rooted && w != 0))
                out[w++] = '/';
            for (; r < n && path[r] != '/'; r++)
                out[w++] = path[r];
        }
    }
    if (w == 0)
        out[w++] = '.';
    out[w] = '\0';
    return out;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* os.Expand with $SNAP, $SNAP_DATA and $SNAP_COMMON of an unset revision; other variables expand to "". */
static char *expand_snap_vars(const SnSnapInfo *info, const char *path)
{
    SnBuf b = {0};
    const char *name = info->name ? info->name : "";
    for (const char *p = path; *p;) {
        if (*p != '$' || !p[1]) {
            sn_buf_putc(&b, *p++);
            continue;
        }
        const char *v = p + 1;
        size_t vlen = 0, skip;
        if (*v == '{') {
            const char *close = strchr(v, '}');
            if (!close || close == v + 1) {
                /* Bad syntax: eat "${" (or "${}"). */
                p += close ? 3 : 2;
                continue;
            }
            v++;
            vlen = (size_t)(close - v);
            skip = vlen + 3;
        } else if (strchr("*#$@!?-0123456789", *v)) {
            vlen = 1;
            skip = 2;
        } else {
            while (is_name_char(v[vlen]))
                vlen++;
            if (vlen == 0) {
                sn_buf_putc(&b, *p++);
                continue;
            }
            skip = vlen + 1;
        }
        if (vlen == 4 && memcmp(v, "SNAP", 4) == 0)
            sn_buf_printf(&b, "/snap/%s/unset", name);
        else if (vlen == 9 && memcmp(v, "SNAP_DATA", 9) == 0)
            sn_buf_printf(&b, "/var/snap/%s/unset", name);
        else if (vlen == 11 && memcmp(v, "SNAP_COMMON", 11) == 0)
            sn_buf_printf(&b, "/var/snap/%s/common", name);
        p += skip;
    }
    return sn_buf_steal(&b);
}

/* ---- quoting for messages (Go's strconv.QuoteToASCII) ---- */

static char *quote_ascii(const char *s)
{
    SnBuf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    sn_buf_putc(&b, '"');
    while (*p) {
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            sn_buf_putc(&b, '\\');
            sn_buf_putc(&b, (char)c);
            p++;
        } else if (c >= 0x20 && c < 0x7f) {
            sn_buf_putc(&b, (char)c);
            p++;
        } else if (c < 0x80) {
            static const char esc[] = "abtnvfr";
            if (c >= 7 && c <= 13)
                sn_buf_printf(&b, "\\%c", esc[c - 7]);
            else
                sn_buf_printf(&b, "\\x%02x", c);
            p++;
        } else {
            unsigned cp = 0;
            size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
            bool ok = len > 0 && c < 0xf5;
            if (ok) {
                cp = c & (0x7fu >> len);
                for (size_t i = 1; i < len; i++) {
                    if ((p[i] & 0xc0) != 0x80) {
                        ok = false;
                        break;
                    }
                    cp = (cp << 6) | (p[i] & 0x3fu);
                }
            }
            if (!ok) {
                sn_buf_printf(&b, "\\x%02x", c);
                p++;
            } else {
                sn_buf_printf(&b, cp > 0xffff ? "\\U%08x" : "\\u%04x", cp);
                p += len;
            }
        }
    }
    sn_buf_putc(&b, '"');
    return sn_buf_steal(&b);
}

static size_t count_runes(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
        if ((*p & 0xc0) != 0x80)
            n++;
    return n;
}

/* ---- version ---- */

static bool version_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool version_middle_char(char c)
{
    return version_char(c) || c == ':' || c == '.' || c == '+' || c == '~' || c == '-';
}

static bool version_last_char(char c)
{
    return version_char(c) || c == '+' || c == '~';
}

static bool version_valid(const char *v)
{
    size_t n = strlen(v);
    if (n < 1 || n > 32 || !version_char(v[0]))
        return false;
    if (n == 1)
        return true;
    for (size_t i = 1; i + 1 < n; i++)
        if (!version_middle_char(v[i]))
            return false;
    return version_last_char(v[n - 1]);
}

static int validate_version(const SnSnapInfo *info, SnError **reterr)
{
    const char *v = info->version ? info->version : "";
    int line = info->lines.version;
    if (version_valid(v))
        return 0;
    size_t n = strlen(v);
    if (n == 0)
        return VERR(reterr, line, "invalid snap version: cannot be empty");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f) {
            _sn_free_ char *q = quote_ascii(v);
            return VERR(reterr, line, "invalid snap version %s: must be printable, non-whitespace ASCII",
                        q ? q : "(?)");
        }
    /* Up to four reasons, joined as "a, b, and c" the way snapd joins them. */
    SnBuf reasons[4] = {{0}, {0}, {0}, {0}};
    size_t nr = 0;
    if (n > 32)
        sn_buf_printf(&reasons[nr++], "cannot be longer than 32 characters (got: %zu)", n);
    if (!version_char(v[0]))
        sn_buf_printf(&reasons[nr++], "must start with an ASCII alphanumeric (and not '%c')", v[0]);
    if (n > 1) {
        if (!version_last_char(v[n - 1]))
            sn_buf_printf(&reasons[nr++], "must end with an ASCII alphanumeric or one of '+' or '~' (and not '%c')",
                          v[n - 1]);
        if (n > 2) {
            SnBuf bad = {0};
            bool in_run = false;
            for (size_t i = 1; i + 1 < n; i++) {
                if (!version_middle_char(v[i])) {
                    if (!in_run)
                        sn_buf_puts(&bad, bad.len ? ", \"" : "\"");
                    sn_buf_putc(&bad, v[i]);
                    in_run = true;
                } else if (in_run) {
                    sn_buf_putc(&bad, '"');
                    in_run = false;
                }
            }
            if (in_run)
                sn_buf_putc(&bad, '"');
            if (bad.len)
                sn_buf_printf(&reasons[nr++], "contains invalid characters: %s", bad.data);
            sn_buf_done(&bad);
        }
    }
    SnBuf all = {0};
    for (size_t i = 0; i < nr; i++) {
        if (i > 0)
            sn_buf_puts(&all, i + 1 == nr ? ", and " : ", ");
        sn_buf_puts(&all, reasons[i].data ? reasons[i].data : "");
    }
    int r;
    if (!sn_buf_ok(&all))
        r = -ENOMEM;
    else if (nr == 0)
        r = VERR(reterr, line, "invalid snap version \"%s\"", v);
    else
        r = VERR(reterr, line, "invalid snap version \"%s\": %s", v, all.data);
    sn_buf_done(&all);
    for (size_t i = 0; i < SN_ELEMENTSOF(reasons); i++)
        sn_buf_done(&reasons[i]);
    return r;
}

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

static const SnPlugSlot *find_ps(const SnPlugSlot *arr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(arr[i].name, name))
            return &arr[i];
    return NULL;
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
        _sn_free_ char *clean = sn_snap_yaml_clean_path(addr);
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
        const SnPlugSlot *slot = find_ps(info->slots, info->n_slots, *s);
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

static int validate_app(const SnSnapInfo *info, const SnApp *app, SnError **reterr)
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
static int validate_order_cycles(const SnSnapInfo *info, SnError **reterr)
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

/* ---- hooks, plugs, slots, base, users, links, common ids ---- */

static int validate_hook(const SnHook *hook, SnError **reterr)
{
    if (!sn_name_plug_valid(hook->name))
        return VERR(reterr, hook->line, "invalid hook name: \"%s\"", hook->name);
    for (char **c = hook->command_chain; c && *c; c++)
        if (!whitelisted(*c, true))
            return VERR(reterr, hook->line, "hook command-chain contains illegal \"%s\" (legal: '%s')", *c,
                        CHAIN_WHITELIST);
    return 0;
}

static int validate_hooks(const SnSnapInfo *info, SnError **reterr)
{
    for (size_t i = 0; i < info->n_hooks; i++) {
        int r = validate_hook(&info->hooks[i], reterr);
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

static int validate_plugs_slots(const SnSnapInfo *info, SnError **reterr)
{
    for (size_t i = 0; i < info->n_plugs; i++) {
        const SnPlugSlot *p = &info->plugs[i];
        if (!sn_name_plug_valid(p->name))
            return VERR(reterr, p->line, "invalid plug name: \"%s\"", p->name);
        if (!sn_name_plug_valid(p->interface))
            return VERR(reterr, p->line, "invalid interface name \"%s\" for plug \"%s\"", p->interface, p->name);
    }
    for (size_t i = 0; i < info->n_slots; i++) {
        const SnPlugSlot *s = &info->slots[i];
        if (!sn_name_plug_valid(s->name))
            return VERR(reterr, s->line, "invalid slot name: \"%s\"", s->name);
        if (!sn_name_plug_valid(s->interface))
            return VERR(reterr, s->line, "invalid interface name \"%s\" for slot \"%s\"", s->interface, s->name);
    }
    for (size_t i = 0; i < info->n_plugs; i++) {
        const SnPlugSlot *s = find_ps(info->slots, info->n_slots, info->plugs[i].name);
        if (s)
            return VERR(reterr, s->line, "cannot have plug and slot with the same name: \"%s\"", s->name);
    }
    return 0;
}

static int validate_base(const SnSnapInfo *info, SnError **reterr)
{
    const char *base = info->base ? info->base : "";
    int line = info->lines.base;
    if ((info->type == SN_SNAP_TYPE_OS || info->type == SN_SNAP_TYPE_BASE) && *base && !SN_STREQ(base, "none"))
        return VERR(reterr, line, "cannot have \"base\" field with value other than \"none\" on \"%s\" snap \"%s\"",
                    sn_snap_type_to_string(info->type), info->name);
    if (SN_STREQ(base, "none") && (info->n_hooks > 0 || info->n_apps > 0))
        return VERR(reterr, line, "cannot have apps or hooks with base \"none\"");
    if (*base) {
        if (strchr(base, '_'))
            return VERR(reterr, line, "base cannot specify a snap instance name: \"%s\"", base);
        if (!sn_name_snap_valid(base))
            return VERR(reterr, line, "invalid base name: invalid snap name: \"%s\"", base);
    }
    return 0;
}

/* osutil.IsValidSnapSystemUsername: ^([_][-a-z0-9._]+[_]|[a-z0-9][-a-z0-9._]*)$ */
static bool system_username_valid(const char *s)
{
    size_t n = strlen(s);
#define UCHAR(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9') || (c) == '-' || (c) == '.' || (c) == '_')
    if (n == 0)
        return false;
    if (s[0] == '_') {
        if (n < 3 || s[n - 1] != '_')
            return false;
        for (size_t i = 1; i + 1 < n; i++)
            if (!UCHAR(s[i]))
                return false;
        return true;
    }
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!UCHAR(s[i]))
            return false;
    return true;
#undef UCHAR
}

static int validate_system_usernames(const SnSnapInfo *info, SnError **reterr)
{
    /* snapd's SupportedSystemUsernames (snap/system_usernames.go): snapd refuses the others at install time. */
    static const char *const supported[] = {"snap_daemon", "snap_microk8s", "snap_aziotedge", "snap_aziotdu",
                                            "_daemon_"};
    for (size_t i = 0; i < info->n_system_usernames; i++) {
        const SnSystemUsername *u = &info->system_usernames[i];
        if (!system_username_valid(u->name))
            return VERR(reterr, u->line, "invalid system username \"%s\"", u->name);
        bool ok = false;
        for (size_t k = 0; k < SN_ELEMENTSOF(supported); k++)
            ok = ok || SN_STREQ(u->name, supported[k]);
        if (!ok)
            return VERR(reterr, u->line,
                        "invalid system username \"%s\": not one of the supported system usernames (snap_daemon, "
                        "snap_microk8s, snap_aziotedge, snap_aziotdu, _daemon_)",
                        u->name);
    }
    return 0;
}

static int validate_links(const SnSnapInfo *info, SnError **reterr)
{
    for (size_t i = 0; i < info->n_links; i++) {
        const SnLinks *l = &info->links[i];
        if (!l->values || !l->values[0])
            return VERR(reterr, l->line, "\"%s\" links cannot be specified and empty", l->key);
        for (char **v = l->values; *v; v++) {
            const char *link = *v;
            if (!*link)
                return VERR(reterr, l->line, "empty \"%s\" link", l->key);
            for (const char *p = link; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                    return VERR(reterr, l->line, "invalid \"%s\" link \"%s\"", l->key, link);
            /* url.Parse's scheme: ^[a-zA-Z][a-zA-Z0-9+.-]*: */
            size_t sl = 0;
            bool has_scheme = false;
            for (const char *p = link; *p; p++, sl++) {
                char c = *p;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                    continue;
                if (((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.') && sl > 0)
                    continue;
                if (c == ':') {
                    if (sl == 0)
                        return VERR(reterr, l->line, "invalid \"%s\" link \"%s\"", l->key, link);
                    has_scheme = true;
                }
                break;
            }
            bool mail = !has_scheme || (sl == 6 && strncasecmp(link, "mailto", 6) == 0);
            if (mail) {
                if (!strchr(link, '@'))
                    return VERR(reterr, l->line, "invalid \"%s\" email address \"%s\"", l->key, link);
            } else if (!((sl == 4 && strncasecmp(link, "http", 4) == 0) ||
                         (sl == 5 && strncasecmp(link, "https", 5) == 0))) {
                return VERR(reterr, l->line,
                            "\"%s\" link must have one of http|https schemes or it must be an email address: \"%s\"",
                            l->key, link);
            }
        }
    }
    return 0;
}

static int validate_common_ids(const SnSnapInfo *info, SnError **reterr)
{
    for (size_t i = 0; i < info->n_apps; i++) {
        const char *id = info->apps[i].common_id;
        if (!id || !*id)
            continue;
        for (size_t j = 0; j < i; j++)
            if (info->apps[j].common_id && SN_STREQ(info->apps[j].common_id, id))
                return VERR(reterr, info->apps[i].line,
                            "application \"%s\" common-id \"%s\" must be unique, already used by application \"%s\"",
                            info->apps[i].name, id, info->apps[j].name);
    }
    return 0;
}

/* ---- layout ---- */

#define AARE_CHARS "?*[]{}^\""

static bool has_aare(const char *s)
{
    return strpbrk(s, AARE_CHARS) != NULL;
}

static bool path_variables_ok(const char *path, char **ret_bad)
{
    for (const char *p = strchr(path, '$'); p; p = strchr(p, '$')) {
        p++;
        size_t n = 0;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || p[n] == '_')
            n++;
        if (!((n == 4 && memcmp(p, "SNAP", 4) == 0) || (n == 9 && memcmp(p, "SNAP_DATA", 9) == 0) ||
              (n == 11 && memcmp(p, "SNAP_COMMON", 11) == 0))) {
            *ret_bad = strndup(p, n);
            return false;
        }
        p += n;
    }
    return true;
}

static bool abs_and_clean(const char *path)
{
    if (path[0] != '/' && path[0] != '$')
        return false;
    _sn_free_ char *c = sn_snap_yaml_clean_path(path);
    return c && SN_STREQ(c, path);
}

static bool under(const char *path, const char *mount)
{
    size_t n = strlen(mount);
    return SN_STREQ(path, mount) || (strncmp(path, mount, n) == 0 && path[n] == '/');
}

typedef struct ExpandedLayout {
    const SnLayout *l;
    char *path; /* expanded mount point */
} ExpandedLayout;

static int cmp_layout(const void *a, const void *b)
{
    return strcmp(((const ExpandedLayout *)a)->l->path, ((const ExpandedLayout *)b)->l->path);
}

/* Source or symlink target: known variables only, absolute and clean, under $SNAP / $SNAP_DATA / $SNAP_COMMON. */
static int check_source(const SnSnapInfo *info, const SnLayout *l, const char *what, const char *src, SnError **reterr)
{
    _sn_free_ char *bad = NULL, *ex = NULL, *snap = NULL, *data = NULL, *common = NULL;
    if (!path_variables_ok(src, &bad))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid %s \"%s\": reference to unknown variable \"$%s\"",
                    l->path, what, src, bad ? bad : "");
    ex = expand_snap_vars(info, src);
    snap = expand_snap_vars(info, "$SNAP");
    data = expand_snap_vars(info, "$SNAP_DATA");
    common = expand_snap_vars(info, "$SNAP_COMMON");
    if (!ex || !snap || !data || !common)
        return -ENOMEM;
    if (!abs_and_clean(ex))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid %s \"%s\": must be absolute and clean", l->path, what,
                    ex);
    if (!sn_startswith(ex, snap) && !sn_startswith(ex, data) && !sn_startswith(ex, common))
        return VERR(reterr, l->line,
                    "layout \"%s\" uses invalid %s \"%s\": must start with $SNAP, $SNAP_DATA or $SNAP_COMMON", l->path,
                    what, ex);
    if (has_aare(ex))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid %s: \"%s\" contains a reserved apparmor char from %s",
                    l->path, SN_STREQ(what, "symlink old name") ? "symlink" : "mount source", ex, AARE_CHARS);
    return 0;
}

static int validate_layout_item(const SnSnapInfo *info, const ExpandedLayout *e, const ExpandedLayout *prior,
                                size_t n_prior, SnError **reterr)
{
    static const char *const rejected[] = {"/dev",          "/proc",
                                           "/sys",          "/media",
                                           "/run",          "/var/run",
                                           "/tmp",          "/var/lib/snapd",
                                           "/lib/firmware", "/usr/lib/firmware",
                                           "/lib/modules",  "/usr/lib/modules",
                                           "/var/snap",     "/home",
                                           "/boot",         "/lost+found"};
    const SnLayout *l = e->l;
    _sn_free_ char *bad = NULL;
    int r;

    if (!*l->path)
        return VERR(reterr, l->line, "layout cannot use an empty path");
    if (!path_variables_ok(l->path, &bad))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid mount point: reference to unknown variable \"$%s\"",
                    l->path, bad ? bad : "");
    if (!abs_and_clean(e->path))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid mount point: must be absolute and clean", l->path);
    for (size_t i = 0; i < SN_ELEMENTSOF(rejected); i++)
        if (under(e->path, rejected[i]))
            return VERR(reterr, l->line, "layout \"%s\" in an off-limits area", l->path);
    for (size_t i = 0; i < n_prior; i++)
        if (under(e->path, prior[i].path))
            return VERR(reterr, l->line, "layout \"%s\" underneath prior layout item \"%s\"", l->path, prior[i].path);

    int used =
        (l->bind && *l->bind) + (l->bind_file && *l->bind_file) + (l->type && *l->type) + (l->symlink && *l->symlink);
    if (used != 1)
        return VERR(reterr, l->line, "layout \"%s\" must define a bind mount, a filesystem mount or a symlink",
                    l->path);
    if ((l->bind && *l->bind) || (l->bind_file && *l->bind_file)) {
        r = check_source(info, l, "bind mount source", l->bind && *l->bind ? l->bind : l->bind_file, reterr);
        if (r < 0)
            return r;
    }
    if (l->type && *l->type && !SN_STREQ(l->type, "tmpfs"))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid filesystem \"%s\"", l->path, l->type);
    if (l->symlink && *l->symlink) {
        r = check_source(info, l, "symlink old name", l->symlink, reterr);
        if (r < 0)
            return r;
    }
    if (l->user && *l->user && !SN_STREQ(l->user, "root"))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid user \"%s\"", l->path, l->user);
    if (l->group && *l->group && !SN_STREQ(l->group, "root"))
        return VERR(reterr, l->line, "layout \"%s\" uses invalid group \"%s\"", l->path, l->group);
    if ((l->mode & 01777u) != l->mode)
        return VERR(reterr, l->line, "layout \"%s\" uses invalid mode %#o", l->path, l->mode);
    return 0;
}

static int validate_layouts(const SnSnapInfo *info, SnError **reterr)
{
    size_t n = info->n_layout;
    int r = 0;
    _sn_free_ char *own = NULL;
    if (n == 0)
        return 0;
    ExpandedLayout *ex = calloc(n, sizeof(*ex));
    if (!ex)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        ex[i].l = &info->layout[i];
        ex[i].path = expand_snap_vars(info, info->layout[i].path);
        if (!ex[i].path) {
            r = -ENOMEM;
            goto out;
        }
    }

    /* No new top-level directories (and no AppArmor patterns in the path). */
    for (size_t i = 0; i < n; i++) {
        const SnLayout *l = ex[i].l;
        if (has_aare(l->path)) {
            r = VERR(reterr, l->line, "invalid layout path: \"%s\" contains a reserved apparmor char from %s", l->path,
                     AARE_CHARS);
            goto out;
        }
        _sn_free_ char *clean = sn_snap_yaml_clean_path(l->path);
        _sn_free_ char *cex = clean ? expand_snap_vars(info, clean) : NULL;
        if (!cex) {
            r = -ENOMEM;
            goto out;
        }
        char *slash = strchr(cex, '/');
        if (!slash)
            continue;
        if (slash != cex) {
            r = VERR(reterr, l->line, "layout \"%s\" is a relative filename", l->path);
            goto out;
        }
        const char *top = cex + 1;
        size_t tl = strcspn(top, "/");
        if (tl == 0)
            continue;
        static const char *const allowed[] = {"bin",  "etc",  "lib",  "lib64", "meta", "mnt", "opt",
                                              "root", "sbin", "snap", "srv",   "usr",  "var", "writable"};
        bool ok = false;
        for (size_t k = 0; k < SN_ELEMENTSOF(allowed); k++)
            ok = ok || (strlen(allowed[k]) == tl && memcmp(allowed[k], top, tl) == 0);
        if (!ok) {
            r = VERR(reterr, l->line, "layout \"%s\" defines a new top-level directory \"/%.*s\"", l->path, (int)tl,
                     top);
            goto out;
        }
    }

    qsort(ex, n, sizeof(*ex), cmp_layout);

    /* A source is used as a directory (bind) or as a file (bind-file), not both. */
    for (size_t i = 0; i < n; i++) {
        const SnLayout *l = ex[i].l;
        const char *src = l->bind && *l->bind ? l->bind : l->bind_file && *l->bind_file ? l->bind_file : NULL;
        if (!src)
            continue;
        bool dir = l->bind && *l->bind;
        _sn_free_ char *s1 = expand_snap_vars(info, src);
        if (!s1) {
            r = -ENOMEM;
            goto out;
        }
        for (size_t j = 0; j < i; j++) {
            const SnLayout *o = ex[j].l;
            const char *osrc = o->bind && *o->bind ? o->bind : o->bind_file && *o->bind_file ? o->bind_file : NULL;
            if (!osrc)
                continue;
            bool odir = o->bind && *o->bind;
            _sn_free_ char *s2 = expand_snap_vars(info, osrc);
            if (!s2) {
                r = -ENOMEM;
                goto out;
            }
            if (SN_STREQ(s1, s2) && dir != odir) {
                r = dir ? VERR(reterr, l->line,
                               "layout \"%s\" refers to directory \"%s\" but another layout treats it as file", l->path,
                               src)
                        : VERR(reterr, l->line,
                               "layout \"%s\" refers to file \"%s\" but another layout treats it as a directory",
                               l->path, src);
                goto out;
            }
        }
    }

    own = sn_strdup_printf("/snap/%s", info->name ? info->name : "");
    if (!own) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (sn_startswith(ex[i].l->path, "/snap/") && !sn_startswith(ex[i].l->path, own)) {
            r = VERR(reterr, ex[i].l->line, "layout \"%s\" defines a layout in space belonging to another snap",
                     ex[i].l->path);
            goto out;
        }

    for (size_t i = 0; i < n; i++) {
        r = validate_layout_item(info, &ex[i], ex, i, reterr);
        if (r < 0)
            goto out;
    }
out:
    for (size_t i = 0; i < n; i++)
        free(ex[i].path);
    free(ex);
    return r;
}

/* ---- the whole ---- */

int sn_snap_info_validate(const SnSnapInfo *info, SnError **reterr)
{
    int r;
    if (!info)
        return sn_error_set(reterr, -EINVAL, "no snap info");
    const char *name = info->name ? info->name : "";
    if (!*name)
        return VERR(reterr, info->lines.name, "snap name cannot be empty");

    if (info->provenance && *info->provenance) {
        if (SN_STREQ(info->provenance, "global-upload"))
            return VERR(reterr, info->lines.provenance,
                        "provenance cannot be set to default (global-upload) explicitly");
        if (!sn_name_provenance_valid(info->provenance))
            return VERR(reterr, info->lines.provenance, "invalid provenance: \"%s\"", info->provenance);
    }
    if (!sn_name_snap_valid(name))
        return VERR(reterr, info->lines.name, "invalid snap name: \"%s\"", name);

    for (size_t i = 0; i < info->n_components; i++) {
        const SnComponent *c = &info->components[i];
        if (!sn_name_snap_valid(c->name))
            return VERR(reterr, c->line, "invalid snap name: \"%s\"", c->name);
        if (count_runes(c->summary) > 128)
            return VERR(reterr, c->line, "summary can have up to 128 codepoints, got %zu", count_runes(c->summary));
        if (count_runes(c->description) > 4096)
            return VERR(reterr, c->line, "description can have up to 4096 codepoints, got %zu",
                        count_runes(c->description));
        for (size_t j = 0; j < c->n_hooks; j++)
            if ((r = validate_hook(&c->hooks[j], reterr)) < 0)
                return r;
    }

    if (count_runes(info->title) > 40)
        return VERR(reterr, info->lines.title, "title can have up to 40 codepoints, got %zu", count_runes(info->title));
    if (count_runes(info->description) > 4096)
        return VERR(reterr, info->lines.description, "description can have up to 4096 codepoints, got %zu",
                    count_runes(info->description));
    if ((r = validate_version(info, reterr)) < 0)
        return r;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    r = sn_epoch_validate(&info->epoch, &e);
    if (r < 0)
        return VERR(reterr, info->lines.epoch, "%s", sn_error_message(e, r));
    if (info->license && *info->license) {
        r = sn_spdx_validate_license(info->license, &e);
        if (r < 0)
            return VERR(reterr, info->lines.license, "cannot validate license \"%s\": %s", info->license,
                        sn_error_message(e, r));
    }

    for (size_t i = 0; i < info->n_apps; i++) {
        _sn_cleanup_(sn_error_freep) SnError *ae = NULL;
        r = validate_app(info, &info->apps[i], &ae);
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            return sn_error_set_at(reterr, r, ae ? ae->line : info->apps[i].line,
                                   "invalid definition of application \"%s\": %s", info->apps[i].name,
                                   sn_error_message(ae, r));
    }
    if ((r = validate_order_cycles(info, reterr)) < 0)
        return r;
    for (size_t i = 0; i < info->n_apps; i++)
        for (char **a = info->apps[i].aliases; a && *a; a++)
            if (!sn_name_alias_valid(*a))
                return VERR(reterr, info->apps[i].line,
                            "cannot have \"%s\" as alias name for app \"%s\" - use only letters, digits, dash, "
                            "underscore and dot characters",
                            *a, info->apps[i].name);
    if ((r = validate_hooks(info, reterr)) < 0 || (r = validate_plugs_slots(info, reterr)) < 0 ||
        (r = validate_base(info, reterr)) < 0 || (r = validate_system_usernames(info, reterr)) < 0 ||
        (r = validate_links(info, reterr)) < 0 || (r = validate_common_ids(info, reterr)) < 0 ||
        (r = validate_layouts(info, reterr)) < 0)
        return r;
    return 0;
}
