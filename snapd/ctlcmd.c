/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The snapctl commands: Go's indented JSON, argument parsing, set-health, is-connected and the dispatch;
 * get/set/unset are ctlcmd-config.c's, the service commands ctlcmd-services.c's.
 */
#include "ctlcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "configstate.h"
#include "ctlcmd-internal.h"
#include "fd-util.h"
#include "ifacestate.h"
#include "snap-yaml.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"

void sn_ctl_output_done(SnCtlOutput *o)
{
    free(o->out);
    free(o->err);
    *o = (SnCtlOutput){0};
}

/* ---- Go's json.MarshalIndent with tabs ---- */

static void put_json_string(SnBuf *b, const char *s)
{
    json_t *j = json_string(s);
    _sn_free_ char *text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    json_decref(j);
    for (const char *p = text ? text : "\"\""; *p; p++) {
        /* Go's encoder escapes these for HTML safety */
        if (*p == '<')
            sn_buf_puts(b, "\\u003c");
        else if (*p == '>')
            sn_buf_puts(b, "\\u003e");
        else if (*p == '&')
            sn_buf_puts(b, "\\u0026");
        else
            sn_buf_putc(b, *p);
    }
}

static void indent(SnBuf *b, int depth)
{
    sn_buf_putc(b, '\n');
    for (int i = 0; i < depth; i++)
        sn_buf_putc(b, '\t');
}

int sn_ctlcmd_key_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void put_json(SnBuf *b, json_t *v, int depth)
{
    if (json_is_object(v)) {
        size_t n = json_object_size(v);
        if (n == 0) {
            sn_buf_puts(b, "{}");
            return;
        }
        const char **keys = calloc(n, sizeof(*keys));
        if (!keys) {
            sn_buf_puts(b, "{}");
            return;
        }
        size_t i = 0;
        const char *k;
        json_t *sub;
        json_object_foreach(v, k, sub) keys[i++] = k;
        qsort(keys, n, sizeof(*keys), sn_ctlcmd_key_cmp);
        sn_buf_putc(b, '{');
        for (i = 0; i < n; i++) {
            indent(b, depth + 1);
            put_json_string(b, keys[i]);
            sn_buf_puts(b, ": ");
            put_json(b, json_object_get(v, keys[i]), depth + 1);
            if (i + 1 < n)
                sn_buf_putc(b, ',');
        }
        free(keys);
        indent(b, depth);
        sn_buf_putc(b, '}');
    } else if (json_is_array(v)) {
        size_t n = json_array_size(v);
        if (n == 0) {
            sn_buf_puts(b, "[]");
            return;
        }
        sn_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            indent(b, depth + 1);
            put_json(b, json_array_get(v, i), depth + 1);
            if (i + 1 < n)
                sn_buf_putc(b, ',');
        }
        indent(b, depth);
        sn_buf_putc(b, ']');
    } else if (json_is_string(v)) {
        put_json_string(b, json_string_value(v));
    } else {
        _sn_free_ char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        sn_buf_puts(b, text ? text : "null");
    }
}

char *sn_ctl_json_indent(json_t *v)
{
    SnBuf b = {0};
    put_json(&b, v, 0);
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return NULL;
    }
    return sn_buf_steal(&b);
}

/* ---- argument parsing (the part of go-flags snapctl relies on) ---- */

void sn_ctlcmd_parsed_done(Parsed *p)
{
    sn_strv_free(p->positional);
}

int sn_ctlcmd_parse_args(char *const *args, const Flag *flags, size_t n_flags, Parsed *p, SnError **reterr)
{
    bool options = true;
    for (char *const *a = args; *a; a++) {
        const char *arg = *a;
        if (options && SN_STREQ(arg, "--")) {
            options = false;
            continue;
        }
        if (options && sn_startswith(arg, "--")) {
            const char *name = arg + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            size_t i;
            for (i = 0; i < n_flags; i++)
                if (flags[i].long_name && strlen(flags[i].long_name) == len &&
                    strncmp(flags[i].long_name, name, len) == 0)
                    break;
            if (i == n_flags)
                return sn_error_set(reterr, -EINVAL, "unknown flag `%.*s'", (int)len, name);
            if (flags[i].takes_value) {
                if (eq)
                    p->values[i] = eq + 1;
                else if (a[1])
                    p->values[i] = *++a;
                else
                    return sn_error_set(reterr, -EINVAL, "expected argument for flag `--%s'", flags[i].long_name);
            } else if (eq) {
                return sn_error_set(reterr, -EINVAL, "bool flag `--%s' cannot have an argument", flags[i].long_name);
            } else
                p->values[i] = "";
            continue;
        }
        if (options && arg[0] == '-' && arg[1]) {
            for (const char *c = arg + 1; *c; c++) {
                size_t i;
                for (i = 0; i < n_flags; i++)
                    if (flags[i].short_name == *c)
                        break;
                if (i == n_flags)
                    return sn_error_set(reterr, -EINVAL, "unknown flag `%c'", *c);
                if (flags[i].takes_value) {
                    if (c[1])
                        p->values[i] = c + 1;
                    else if (a[1])
                        p->values[i] = *++a;
                    else
                        return sn_error_set(reterr, -EINVAL, "expected argument for flag `-%c'", *c);
                    break;
                }
                p->values[i] = "";
            }
            continue;
        }
        if (sn_strv_push(&p->positional, arg) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* ---- shared helpers ---- */

int sn_ctlcmd_need_context(Cmd *c, SnError **reterr)
{
    if (!c->ctx)
        return sn_error_set(reterr, -EINVAL,
                            "cannot invoke snapctl operation commands (here \"%s\") from outside of a snap", c->name);
    return 0;
}

/* The snap.yaml of the context's snap at its current revision. */
int sn_ctlcmd_current_info(Cmd *c, SnSnapInfo **ret, SnError **reterr)
{
    const char *snap = sn_hook_context_snap(c->ctx);
    sn_state_lock(c->st);
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    int r = sn_snap_state_get(c->st, snap, &s, NULL);
    int64_t rev = r >= 0 ? s->current : 0;
    sn_state_unlock(c->st);
    if (r < 0)
        return sn_error_set(reterr, r, "internal error: cannot get snap info: snap \"%s\" is not installed", snap);
    char rb[24];
    _sn_free_ char *path =
        sn_strdup_printf("%s/snap/%s/%s/meta/snap.yaml", sn_state_root(c->st), snap, sn_revision_format(rev, rb));
    if (!path)
        return -ENOMEM;
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    r = sn_read_file_at(AT_FDCWD, path, SN_SNAP_YAML_MAX_SIZE, &yaml, &len);
    if (r < 0)
        return sn_error_set(reterr, r, "internal error: cannot get snap info: cannot read %s: %s", path, strerror(-r));
    SnError *e = NULL;
    r = sn_snap_yaml_parse(yaml, len, ret, &e);
    if (r < 0) {
        sn_error_set(reterr, r, "internal error: cannot get snap info: %s", sn_error_message(e, r));
        sn_error_free(e);
    }
    return r;
}

bool sn_ctlcmd_is_interface_hook(const char *hook)
{
    static const char *const prefixes[] = {"prepare-plug-", "prepare-slot-", "unprepare-plug-",  "unprepare-slot-",
                                           "connect-plug-", "connect-slot-", "disconnect-plug-", "disconnect-slot-"};
    for (size_t i = 0; hook && i < SN_ELEMENTSOF(prefixes); i++)
        if (sn_startswith(hook, prefixes[i]))
            return true;
    return false;
}

/* ---- set-health ---- */

static bool valid_health_code(const char *s)
{
    /* ^[a-z](?:-?[a-z0-9])+$ */
    if (!(*s >= 'a' && *s <= 'z') || !s[1])
        return false;
    for (const char *p = s + 1; *p; p++) {
        if (*p == '-') {
            if (!p[1] || p[1] == '-')
                return false;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return false;
    }
    return true;
}

static size_t utf8_runes(const char *s, size_t *ret_offset_of_69)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (n == 69 && ret_offset_of_69)
                *ret_offset_of_69 = (size_t)(p - s);
            n++;
        }
    return n;
}

static int cmd_set_health(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {{"code", 0, true}};
    _sn_cleanup_(sn_ctlcmd_parsed_done) Parsed p = {0};
    int r = sn_ctlcmd_parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL, "the required argument `<status>` was not provided");
    if (sn_strv_length(p.positional) > 2)
        return sn_error_set(reterr, -EINVAL, "too many arguments for command");
    const char *status = p.positional[0];
    const char *message = p.positional[1] ? p.positional[1] : "";
    const char *code = p.values[0] ? p.values[0] : "";
    if (SN_STREQ(status, "okay") && (*message || *code))
        return sn_error_set(reterr, -EINVAL, "when status is \"okay\", message and code must be empty");
    static const char *const statuses[] = {"unknown", "okay", "waiting", "blocked", "error"};
    int st = -1;
    for (size_t i = 0; i < SN_ELEMENTSOF(statuses); i++)
        if (SN_STREQ(status, statuses[i]))
            st = (int)i;
    if (st < 0)
        return sn_error_set(reterr, -EINVAL,
                            "invalid status \"%s\", must be one of \"unknown\", \"okay\", \"waiting\", \"blocked\", "
                            "\"error\"",
                            status);
    if (st == 0)
        return sn_error_set(reterr, -EINVAL, "status cannot be manually set to \"unknown\"");
    if (*code) {
        size_t n = strlen(code);
        if (n < 3 || n > 30)
            return sn_error_set(reterr, -EINVAL, "code must have between 3 and 30 characters, got %zu", n);
        if (!valid_health_code(code))
            return sn_error_set(reterr, -EINVAL,
                                "invalid code \"%s\" (code must start with lowercase ASCII letters, and contain only "
                                "ASCII letters and numbers, optionally separated by single dashes)",
                                code);
    }
    _sn_free_ char *msg = NULL;
    if (st != 1) {
        if (!*message)
            return sn_error_set(reterr, -EINVAL, "when status is not \"okay\", message is required");
        size_t cut = 0, runes = utf8_runes(message, &cut);
        if (runes < 7)
            return sn_error_set(reterr, -EINVAL, "message must be at least 7 characters long (got %zu)", runes);
        msg = runes > 70 ? sn_strdup_printf("%.*s\xe2\x80\xa6", (int)cut, message) : strdup(message);
    } else
        msg = strdup("");
    if (!msg)
        return -ENOMEM;
    r = sn_ctlcmd_need_context(c, reterr);
    if (r < 0)
        return r;
    char rb[24];
    _sn_free_ char *ts = sn_time_format_rfc3339nano(sn_state_now());
    /* snapd's context.SnapRevision(): a hook's revision; an app's (cookie) context has none ("unset") */
    int64_t rev = sn_hook_context_ephemeral(c->ctx) ? 0 : sn_hook_context_revision(c->ctx);
    json_t *h =
        ts ? json_pack("{s:s, s:s, s:i}", "revision", sn_revision_format(rev, rb), "timestamp", ts, "status", st)
           : NULL;
    if (h && *msg)
        json_object_set_new(h, "message", json_string(msg));
    if (h && *code)
        json_object_set_new(h, "code", json_string(code));
    r = h ? sn_hook_context_set_health(c->ctx, h) : -ENOMEM;
    json_decref(h);
    return r;
}

/* ---- is-connected ---- */

static bool has_plug_or_slot(const SnSnapInfo *info, const char *name)
{
    for (size_t i = 0; i < info->n_plugs; i++)
        if (SN_STREQ(info->plugs[i].name, name))
            return true;
    for (size_t i = 0; i < info->n_slots; i++)
        if (SN_STREQ(info->slots[i].name, name))
            return true;
    return false;
}

static const char *slot_interface(const SnSnapInfo *info, const char *name)
{
    for (size_t i = 0; i < info->n_slots; i++)
        if (SN_STREQ(info->slots[i].name, name))
            return info->slots[i].interface;
    return NULL;
}

/* "SNAP:PLUG SNAP:SLOT" split into its four parts (borrowed into buf). */
static bool parse_conn_ref(const char *ref, char *buf, size_t size, const char **ps, const char **pp, const char **ss,
                           const char **sl)
{
    if (strlen(ref) >= size)
        return false;
    strcpy(buf, ref);
    char *space = strchr(buf, ' ');
    if (!space)
        return false;
    *space = '\0';
    char *c1 = strchr(buf, ':'), *c2 = strchr(space + 1, ':');
    if (!c1 || !c2)
        return false;
    *c1 = *c2 = '\0';
    *ps = buf;
    *pp = c1 + 1;
    *ss = space + 1;
    *sl = c2 + 1;
    return true;
}

static int cmd_is_connected(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {{"list", 0, false}, {"pid", 0, true}, {"apparmor-label", 0, true}};
    _sn_cleanup_(sn_ctlcmd_parsed_done) Parsed p = {0};
    int r = sn_ctlcmd_parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    bool list = p.values[0];
    const char *name = p.positional ? p.positional[0] : NULL;
    if (name && list)
        return sn_error_set(reterr, -EINVAL, "cannot specify both a plug/slot name and --list");
    if (!name && !list)
        return sn_error_set(reterr, -EINVAL, "must specify either a plug/slot name or --list");
    r = sn_ctlcmd_need_context(c, reterr);
    if (r < 0)
        return r;
    const char *snap = sn_hook_context_snap(c->ctx);
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    r = sn_ctlcmd_current_info(c, &info, reterr);
    if (r < 0)
        return r;
    if (name && !has_plug_or_slot(info, name))
        return sn_error_set(reterr, -EINVAL, "snap \"%s\" has no plug or slot named \"%s\"", snap, name);
    const char *other = p.values[1] ? "pid" : p.values[2] ? "apparmor-label" : NULL;
    if (other) {
        if (!name)
            return sn_error_set(reterr, -EINVAL, "cannot use --%s check without plug/slot", other);
        const char *iface = slot_interface(info, name);
        if (!iface ||
            !(SN_STREQ(iface, "pulseaudio") || SN_STREQ(iface, "audio-record") || SN_STREQ(iface, "cups-control")))
            return sn_error_set(reterr, -EINVAL, "cannot use --%s check with %s:%s", other, snap, name);
        /* the peer's snap cannot be told here yet: snapd's "not a snap" answer */
        c->exit_code = 11;
        return SN_CTL_UNSUCCESSFUL;
    }

    _sn_free_ char *text = NULL;
    sn_state_lock(c->st);
    r = sn_state_kv_get(c->st, "conns", &text, NULL);
    sn_state_unlock(c->st);
    if (r < 0)
        return sn_error_set(reterr, r, "internal error: cannot get connections");
    json_t *conns = text ? json_loads(text, 0, NULL) : json_object();
    if (!json_is_object(conns)) {
        json_decref(conns);
        return sn_error_set(reterr, -EIO, "internal error: cannot get connections: not an object");
    }
    char **names = NULL;
    bool connected = false;
    const char *ref;
    json_t *cs;
    json_object_foreach(conns, ref, cs)
    {
        if (json_is_true(json_object_get(cs, "undesired")) || json_is_true(json_object_get(cs, "hotplug-gone")))
            continue;
        char buf[512];
        const char *ps, *pp, *ss, *sl;
        if (!parse_conn_ref(ref, buf, sizeof(buf), &ps, &pp, &ss, &sl))
            continue;
        if (list) {
            if (SN_STREQ(ps, snap) && !sn_strv_contains(names, pp))
                r = sn_strv_push(&names, pp);
            if (r >= 0 && SN_STREQ(ss, snap) && !sn_strv_contains(names, sl))
                r = sn_strv_push(&names, sl);
        } else if ((SN_STREQ(ps, snap) && SN_STREQ(pp, name)) || (SN_STREQ(ss, snap) && SN_STREQ(sl, name)))
            connected = true;
    }
    json_decref(conns);
    /* the interface manager's connections table (ifacestate.h) */
    json_t *ifc = NULL;
    sn_state_lock(c->st);
    int ir = sn_ifacestate_connections_json(c->st, snap, NULL, false, &ifc, NULL);
    sn_state_unlock(c->st);
    size_t k;
    json_t *e;
    json_array_foreach(ir >= 0 ? json_object_get(ifc, "established") : NULL, k, e)
    {
        json_t *pj = json_object_get(e, "plug"), *sj = json_object_get(e, "slot");
        const char *ps = json_string_value(json_object_get(pj, "snap")),
                   *pp = json_string_value(json_object_get(pj, "plug"));
        const char *ss = json_string_value(json_object_get(sj, "snap")),
                   *sl = json_string_value(json_object_get(sj, "slot"));
        if (!ps || !pp || !ss || !sl)
            continue;
        if (list) {
            if (r >= 0 && SN_STREQ(ps, snap) && !sn_strv_contains(names, pp))
                r = sn_strv_push(&names, pp);
            if (r >= 0 && SN_STREQ(ss, snap) && !sn_strv_contains(names, sl))
                r = sn_strv_push(&names, sl);
        } else if ((SN_STREQ(ps, snap) && SN_STREQ(pp, name)) || (SN_STREQ(ss, snap) && SN_STREQ(sl, name)))
            connected = true;
    }
    json_decref(ifc);
    if (list) {
        size_t n = sn_strv_length(names);
        if (n)
            qsort(names, n, sizeof(*names), sn_ctlcmd_key_cmp);
        for (size_t i = 0; i < n; i++)
            sn_buf_printf(&c->out, "%s\n", names[i]);
        sn_strv_free(names);
        return r;
    }
    if (connected)
        return 0;
    c->exit_code = 1;
    return SN_CTL_UNSUCCESSFUL;
}

/* ---- dispatch ---- */

typedef struct Command {
    const char *name;
    int (*fn)(Cmd *c, char *const *args, SnError **reterr);
    const char *summary;
} Command;

static const Command commands[] = {
    {"get", sn_ctlcmd_get, "Print either configuration options or interface connection settings"},
    {"set", sn_ctlcmd_set, "Set either configuration options or interface connection settings"},
    {"unset", sn_ctlcmd_unset, "Remove configuration options"},
    {"set-health", cmd_set_health, "Report the health status of a snap"},
    {"is-connected", cmd_is_connected, "Return success if the given plug or slot is connected"},
    {"services", sn_ctlcmd_services, "Query the status of services"},
    {"start", sn_ctlcmd_service_control, "Start services"},
    {"stop", sn_ctlcmd_service_control, "Stop services"},
    {"restart", sn_ctlcmd_service_control, "Restart services"},
};

/* snapd's nonRootAllowed */
static const char *const non_root_allowed[] = {"get",         "services", "set-health", "is-connected",
                                               "system-mode", "refresh",  "model",      "version",
                                               "is-ready",    "tasks",    "change"};

static bool allowed_to_run(uid_t uid, char *const *args)
{
    if (uid == 0)
        return true;
    for (size_t i = 0; args[i]; i++) {
        if (i == 0)
            for (size_t k = 0; k < SN_ELEMENTSOF(non_root_allowed); k++)
                if (SN_STREQ(args[0], non_root_allowed[k]))
                    return true;
        if (SN_STREQ(args[i], "-h") || SN_STREQ(args[i], "--help"))
            return true;
        if (SN_STREQ(args[i], "--"))
            break;
    }
    return false;
}

static bool wants_help(char *const *args)
{
    for (char *const *a = args; *a && !SN_STREQ(*a, "--"); a++)
        if (SN_STREQ(*a, "-h") || SN_STREQ(*a, "--help"))
            return true;
    return false;
}

static void put_help(SnBuf *b, const Command *only)
{
    if (only) {
        sn_buf_printf(b, "Usage:\n  snapctl [OPTIONS] %s\n\n%s\n", only->name, only->summary);
        return;
    }
    sn_buf_puts(b, "Usage:\n  snapctl [OPTIONS] <command>\n\nAvailable commands:\n");
    for (size_t i = 0; i < SN_ELEMENTSOF(commands); i++)
        sn_buf_printf(b, "  %-13s %s\n", commands[i].name, commands[i].summary);
}

int sn_ctlcmd_run(SnState *st, SnHookContext *ctx, const SnCtlServices *services, char *const *args, uid_t uid,
                  SnCtlOutput *ret, SnError **reterr)
{
    if (!args || !args[0])
        return sn_error_set(reterr, -EINVAL, "internal error: snapctl cannot run without args");
    if (!allowed_to_run(uid, args))
        return sn_error_set(reterr, -EPERM, "cannot use \"%s\" with uid %u, try with sudo", args[0], (unsigned)uid);
    Cmd c = {.st = st, .ctx = ctx, .services = services, .name = args[0], .uid = uid};
    const Command *cmd = NULL;
    for (size_t i = 0; i < SN_ELEMENTSOF(commands); i++)
        if (SN_STREQ(commands[i].name, args[0]))
            cmd = &commands[i];
    int r;
    if (wants_help(args) || SN_STREQ(args[0], "help")) {
        put_help(&c.out, cmd);
        r = 0;
    } else if (!cmd) {
        SnBuf names = {0};
        for (size_t i = 0; i < SN_ELEMENTSOF(commands); i++)
            sn_buf_printf(&names, "%s%s", i ? ", " : "", commands[i].name);
        r = sn_error_set(reterr, -EINVAL, "Unknown command `%s'. Please specify one command of: %s", args[0],
                         names.data ? names.data : "");
        sn_buf_done(&names);
    } else
        r = cmd->fn(&c, args + 1, reterr);
    if (r >= 0 && (!sn_buf_ok(&c.out) || !sn_buf_ok(&c.err)))
        r = -ENOMEM;
    if (r < 0) {
        sn_buf_done(&c.out);
        sn_buf_done(&c.err);
        return r;
    }
    ret->out = c.out.data ? sn_buf_steal(&c.out) : strdup("");
    ret->err = c.err.data ? sn_buf_steal(&c.err) : strdup("");
    ret->exit_code = c.exit_code;
    ret->wait_change = c.wait_change;
    if (!ret->out || !ret->err) {
        sn_ctl_output_done(ret);
        return -ENOMEM;
    }
    return r;
}
