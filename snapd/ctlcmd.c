/* SPDX-License-Identifier: GPL-3.0-only */
#include "ctlcmd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "configstate.h"
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

static int key_cmp(const void *a, const void *b)
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
        qsort(keys, n, sizeof(*keys), key_cmp);
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

typedef struct Flag {
    const char *long_name; /* without "--" */
    char short_name;       /* 0 when none */
    bool takes_value;
} Flag;

typedef struct Parsed {
    char **positional;
    const char *values[16]; /* per flag: "" for a bool flag given, the value, or NULL */
} Parsed;

static void parsed_done(Parsed *p)
{
    sn_strv_free(p->positional);
}

static int parse_args(char *const *args, const Flag *flags, size_t n_flags, Parsed *p, SnError **reterr)
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

typedef struct Cmd {
    SnState *st;
    SnHookContext *ctx;
    const SnCtlServices *services;
    const char *name;
    uid_t uid;
    SnBuf out;
    SnBuf err;
    int exit_code;
    int64_t wait_change; /* start/stop/restart: the change the answer waits for */
} Cmd;

static int need_context(Cmd *c, SnError **reterr)
{
    if (!c->ctx)
        return sn_error_set(reterr, -EINVAL,
                            "cannot invoke snapctl operation commands (here \"%s\") from outside of a snap", c->name);
    return 0;
}

/* The snap.yaml of the context's snap at its current revision. */
static int current_info(Cmd *c, SnSnapInfo **ret, SnError **reterr)
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

static bool is_interface_hook(const char *hook)
{
    static const char *const prefixes[] = {"prepare-plug-", "prepare-slot-", "unprepare-plug-",  "unprepare-slot-",
                                           "connect-plug-", "connect-slot-", "disconnect-plug-", "disconnect-slot-"};
    for (size_t i = 0; hook && i < SN_ELEMENTSOF(prefixes); i++)
        if (sn_startswith(hook, prefixes[i]))
            return true;
    return false;
}

/* ---- get ---- */

/* snapd's printPatch: one key prints its value (strings bare, unless typed), else the document. */
static int print_patch(Cmd *c, json_t *patch, char *const *keys, bool document, bool typed)
{
    json_t *show = patch;
    if (!document && keys[0] && !keys[1])
        show = json_object_get(patch, keys[0]); /* NULL when unset */
    if (typed && !show)
        sn_buf_puts(&c->out, "null\n");
    else if (!typed && json_is_string(show))
        sn_buf_printf(&c->out, "%s\n", json_string_value(show));
    else if (!show)
        sn_buf_puts(&c->out, "\n");
    else {
        _sn_free_ char *text = sn_ctl_json_indent(show);
        if (!text)
            return -ENOMEM;
        sn_buf_printf(&c->out, "%s\n", text);
    }
    return 0;
}

/* ---- interface attributes: snapctl get/set :NAME in interface hooks ---- */

/* Whether an interface hook is of the plug side ("prepare-plug-X", "disconnect-plug-X", ...). */
static bool is_plug_hook(const char *hook)
{
    const char *dash = hook ? strchr(hook, '-') : NULL;
    return dash && sn_startswith(dash, "-plug-");
}

/*
 * snapd's getAttribute: the value (new reference) at the dotted path parts of attrs; -ENOENT
 * "no \"a.b\" attribute" naming the path up to the missing part, -EINVAL when it goes through a
 * value that is not a map.
 */
static int attr_lookup(json_t *attrs, char *const *parts, const char *snap, json_t **ret, SnError **reterr)
{
    json_t *v = attrs;
    SnBuf path = {0};
    int r = 0;
    for (size_t i = 0; parts[i]; i++) {
        sn_buf_printf(&path, "%s%s", i ? "." : "", parts[i]);
        if (!json_is_object(v)) {
            r = sn_error_set(reterr, -EINVAL, "snap \"%s\" attribute \"%.*s\" is not a map", snap,
                             (int)(path.len - strlen(parts[i]) - 1), path.data ? path.data : "");
            break;
        }
        v = json_object_get(v, parts[i]);
        if (!v) {
            r = sn_error_set(reterr, -ENOENT, "no \"%s\" attribute", path.data ? path.data : "");
            break;
        }
    }
    sn_buf_done(&path);
    if (r >= 0)
        *ret = json_incref(v);
    return r;
}

/* The own side of the hook is plug_side; its plug or slot must be name (snapd's validatePlugOrSlot). */
static int own_side_check(Cmd *c, bool plug_side, const char *name, SnError **reterr)
{
    _sn_free_ char *own = NULL;
    json_t *st = NULL, *dyn = NULL;
    int r = sn_hook_context_attrs(c->ctx, c->st, plug_side, &own, &st, &dyn, reterr);
    json_decref(st);
    json_decref(dyn);
    if (r >= 0 && !SN_STREQ(own, name))
        r = sn_error_set(reterr, -EINVAL, "unknown plug or slot \"%s\"", name);
    return r;
}

/* snapctl get [--plug|--slot] :NAME KEY...: the static attribute, else the dynamic one, of the chosen side. */
static int get_interface_setting(Cmd *c, const char *name, char *const *keys, bool document, bool typed,
                                 bool force_plug, bool force_slot, SnError **reterr)
{
    const char *hook = sn_hook_context_hook(c->ctx);
    if (!is_interface_hook(hook))
        return sn_error_set(reterr, -EINVAL,
                            "interface attributes can only be read during the execution of interface hooks");
    if (sn_hook_context_attrs_task(c->ctx) <= 0)
        return sn_error_set(reterr, -ENOENT, "internal error: cannot find attrs task");
    if (force_plug && force_slot)
        return sn_error_set(reterr, -EINVAL, "cannot use --plug and --slot together");
    bool plug_side = is_plug_hook(hook);
    _sn_free_ char *side_name = NULL;
    json_t *stat = NULL, *dyn = NULL, *patch = json_object();
    sn_state_lock(c->st);
    int r = patch ? own_side_check(c, plug_side, name, reterr) : -ENOMEM;
    if (r >= 0)
        r = sn_hook_context_attrs(c->ctx, c->st, force_plug || (plug_side && !force_slot), &side_name, &stat, &dyn,
                                  reterr);
    sn_state_unlock(c->st);
    for (char *const *k = keys; r >= 0 && *k; k++) {
        _sn_strv_free_ char **parts = NULL;
        json_t *value = NULL;
        r = sn_configstate_parse_key(*k, &parts, reterr);
        if (r >= 0 && !parts)
            r = sn_error_set(reterr, -EINVAL, "invalid option name: \"\"");
        if (r < 0)
            break;
        r = attr_lookup(stat, parts, sn_hook_context_snap(c->ctx), &value, NULL);
        if (r == -ENOENT)
            r = attr_lookup(dyn, parts, sn_hook_context_snap(c->ctx), &value, reterr);
        else if (r < 0)
            r = attr_lookup(stat, parts, sn_hook_context_snap(c->ctx), &value, reterr);
        if (r >= 0 && json_object_set_new(patch, *k, value) < 0)
            r = -ENOMEM;
    }
    if (r >= 0)
        r = print_patch(c, patch, keys, document, typed);
    json_decref(patch);
    json_decref(stat);
    json_decref(dyn);
    return r;
}

/*
 * snapctl set :NAME KEY=VALUE... in a prepare hook: stages the own side's dynamic attributes (JSON
 * values when they parse, else strings); a static attribute cannot be overwritten.
 */
static int set_interface_setting(Cmd *c, const char *name, char *const *values, SnError **reterr)
{
    if (sn_hook_context_attrs_task(c->ctx) <= 0)
        return sn_error_set(reterr, -ENOENT, "internal error: cannot find attrs task");
    bool plug_side = is_plug_hook(sn_hook_context_hook(c->ctx));
    const char *snap = sn_hook_context_snap(c->ctx);
    _sn_free_ char *own = NULL;
    json_t *stat = NULL, *dyn = NULL;
    sn_state_lock(c->st);
    int r = own_side_check(c, plug_side, name, reterr);
    if (r >= 0)
        r = sn_hook_context_attrs(c->ctx, c->st, plug_side, &own, &stat, &dyn, reterr);
    sn_state_unlock(c->st);
    for (char *const *a = values; r >= 0 && a && *a; a++) {
        const char *eq = strchr(*a, '=');
        if (!eq) {
            r = sn_error_set(reterr, -EINVAL, "invalid parameter: \"%s\" (want key=value)", *a);
            break;
        }
        _sn_free_ char *key = strndup(*a, (size_t)(eq - *a));
        _sn_strv_free_ char **parts = NULL;
        SnError *e = NULL;
        r = key ? sn_configstate_parse_key(key, &parts, &e) : -ENOMEM;
        if (r >= 0 && !parts)
            r = sn_error_set(&e, -EINVAL, "invalid option name: \"\"");
        if (r >= 0 && json_object_get(stat, parts[0]))
            r = sn_error_set(&e, -EINVAL, "attribute \"%s\" cannot be overwritten", key);
        json_t *value = r >= 0 ? json_loads(eq + 1, JSON_DECODE_ANY, NULL) : NULL;
        if (r >= 0 && !value)
            value = json_string(eq + 1);
        json_t *one = value ? json_object() : NULL;
        if (r >= 0 && (!one || json_object_set_new(one, key, value) < 0)) {
            if (!one)
                json_decref(value);
            r = -ENOMEM;
        } else if (r >= 0)
            r = sn_configstate_patch(dyn, snap, one, NULL, &e);
        json_decref(one);
        if (r < 0 && r != -ENOMEM)
            sn_error_set(reterr, r, "cannot set attribute: %s", sn_error_message(e, r));
        sn_error_free(e);
    }
    if (r >= 0)
        r = sn_hook_context_stage_attrs(c->ctx, plug_side, dyn);
    json_decref(stat);
    json_decref(dyn);
    return r;
}

static int cmd_get(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {
        {"d", 'd', false},      {"t", 't', false},    {"slot", 0, false}, {"plug", 0, false},    {"view", 0, false},
        {"previous", 0, false}, {"default", 0, true}, {"with", 0, true},  {"wait-for", 0, true},
    };
    _sn_cleanup_(parsed_done) Parsed p = {0};
    int r = parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    bool document = p.values[0], typed = p.values[1];
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL, "get which option?");
    r = need_context(c, reterr);
    if (r < 0)
        return r;
    if (typed && document)
        return sn_error_set(reterr, -EINVAL, "cannot use -d and -t together");
    if (p.values[5] && !p.values[4])
        return sn_error_set(reterr, -EINVAL, "cannot use --previous without --view");
    if (p.values[6] && !p.values[4])
        return sn_error_set(reterr, -EINVAL, "cannot use --default with non-confdb read (missing --view)");
    if (p.values[7] && !p.values[4])
        return sn_error_set(reterr, -EINVAL, "cannot use --with with non-confdb read (missing --view)");
    const char *spec = p.positional[0];
    if (strchr(spec, ':')) {
        const char *colon = strchr(spec, ':');
        if (!colon[1])
            return sn_error_set(reterr, -EINVAL, "plug or slot name not provided");
        if (colon != spec)
            return sn_error_set(reterr, -EINVAL, "\"snapctl get %s\" not supported, use \"snapctl get :%s\" instead",
                                spec, colon + 1);
        if (p.values[4])
            return sn_error_set(reterr, -EINVAL, "cannot use --view: confdb is not supported by this daemon");
        if (!p.positional[1])
            return sn_error_set(reterr, -EINVAL, "get which attribute?");
        return get_interface_setting(c, colon + 1, p.positional + 1, document, typed, p.values[3], p.values[2], reterr);
    }
    if (p.values[2] || p.values[3])
        return sn_error_set(reterr, -EINVAL, "cannot use --plug or --slot without <snap>:<plug|slot> argument");

    json_t *patch = json_object();
    if (!patch)
        return -ENOMEM;
    sn_state_lock(c->st);
    for (char **k = p.positional; r >= 0 && *k; k++) {
        json_t *value = NULL;
        SnError *e = NULL;
        int g = sn_hook_context_config_get(c->ctx, c->st, *k, &value, &e);
        if (g == -ENOENT) {
            /* not set: left out */
        } else if (g < 0) {
            r = sn_error_set(reterr, g, "%s", sn_error_message(e, g));
        } else if (json_object_set_new(patch, *k, value) < 0)
            r = -ENOMEM;
        sn_error_free(e);
    }
    sn_state_unlock(c->st);
    if (r < 0) {
        json_decref(patch);
        return r;
    }
    r = print_patch(c, patch, p.positional, document, typed);
    json_decref(patch);
    return r;
}

/* ---- set / unset ---- */

static int cmd_set(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {{"s", 's', false}, {"t", 't', false}, {"view", 0, false}, {"wait-for", 0, true}};
    _sn_cleanup_(parsed_done) Parsed p = {0};
    int r = parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL, "set which option?");
    r = need_context(c, reterr);
    if (r < 0)
        return r;
    bool string = p.values[0], typed = p.values[1];
    if (typed && string)
        return sn_error_set(reterr, -EINVAL, "cannot use -t and -s together");
    const char *spec = p.positional[0];
    if (!strchr(spec, '=') && strchr(spec, ':')) {
        const char *colon = strchr(spec, ':');
        if (!colon[1])
            return sn_error_set(reterr, -EINVAL, "plug or slot name not provided");
        if (colon != spec)
            return sn_error_set(reterr, -EINVAL, "\"snapctl set %s\" not supported, use \"snapctl set :%s\" instead",
                                spec, colon + 1);
        if (p.values[2])
            return sn_error_set(reterr, -EINVAL, "cannot use --view: confdb is not supported by this daemon");
        const char *hook = sn_hook_context_hook(c->ctx);
        if (!hook || !(sn_startswith(hook, "prepare-plug-") || sn_startswith(hook, "prepare-slot-")))
            return sn_error_set(reterr, -EINVAL,
                                "interface attributes can only be set during the execution of prepare hooks");
        return set_interface_setting(c, colon + 1, p.positional + 1, reterr);
    }
    /* snapd's ParseConfigValues, then one Set per key in order */
    json_t *patches = json_array();
    if (!patches)
        return -ENOMEM;
    for (char **a = p.positional; r >= 0 && *a; a++) {
        const char *eq = strchr(*a, '=');
        json_t *value = NULL;
        _sn_free_ char *key = NULL;
        size_t len = strlen(*a);
        if (!eq && len > 0 && (*a)[len - 1] == '!') {
            if (len == 1) {
                r = sn_error_set(reterr, -EINVAL, "configuration keys cannot be empty (use key! to unset a key)");
                break;
            }
            key = strndup(*a, len - 1);
            value = json_null();
        } else if (!eq) {
            r = sn_error_set(reterr, -EINVAL, "invalid configuration: \"%s\" (want key=value)", *a);
            break;
        } else if (eq == *a) {
            r = sn_error_set(reterr, -EINVAL, "configuration keys cannot be empty");
            break;
        } else {
            key = strndup(*a, (size_t)(eq - *a));
            json_error_t jerr;
            value = string ? NULL : json_loads(eq + 1, JSON_DECODE_ANY, &jerr);
            if (!value && typed && !string) {
                r = sn_error_set(reterr, -EINVAL, "failed to parse JSON: %s", jerr.text);
                break;
            }
            if (!value)
                value = json_string(eq + 1);
        }
        json_t *one = key && value ? json_object() : NULL;
        if (!one || json_object_set_new(one, key, value) < 0 || json_array_append_new(patches, one) < 0) {
            if (!one)
                json_decref(value);
            r = -ENOMEM;
        }
    }
    if (r >= 0) {
        sn_state_lock(c->st);
        size_t i;
        json_t *one;
        json_array_foreach(patches, i, one)
        {
            r = sn_hook_context_config_patch(c->ctx, c->st, one, reterr);
            if (r < 0)
                break;
        }
        sn_state_unlock(c->st);
    }
    json_decref(patches);
    return r;
}

static int cmd_unset(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {{"view", 0, false}, {"wait-for", 0, true}};
    _sn_cleanup_(parsed_done) Parsed p = {0};
    int r = parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL, "unset which option?");
    r = need_context(c, reterr);
    if (r < 0)
        return r;
    if (p.values[0])
        return sn_error_set(reterr, -EINVAL, "cannot use --view: confdb is not supported by this daemon");
    sn_state_lock(c->st);
    for (char **k = p.positional; *k; k++) {
        json_t *one = json_pack("{s:n}", *k);
        /* snapd ignores what Set says here (an invalid key unsets nothing) */
        if (one)
            (void)sn_hook_context_config_patch(c->ctx, c->st, one, NULL);
        json_decref(one);
    }
    sn_state_unlock(c->st);
    return 0;
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
    _sn_cleanup_(parsed_done) Parsed p = {0};
    int r = parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
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
    r = need_context(c, reterr);
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
    _sn_cleanup_(parsed_done) Parsed p = {0};
    int r = parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    bool list = p.values[0];
    const char *name = p.positional ? p.positional[0] : NULL;
    if (name && list)
        return sn_error_set(reterr, -EINVAL, "cannot specify both a plug/slot name and --list");
    if (!name && !list)
        return sn_error_set(reterr, -EINVAL, "must specify either a plug/slot name or --list");
    r = need_context(c, reterr);
    if (r < 0)
        return r;
    const char *snap = sn_hook_context_snap(c->ctx);
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    r = current_info(c, &info, reterr);
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
            qsort(names, n, sizeof(*names), key_cmp);
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

/* ---- services ---- */

/* snapd's getServiceInfos: NAME.APP names (or NAME: all) of the snap's services. */
static int service_names(Cmd *c, const SnSnapInfo *info, char *const *wanted, char ***ret, SnError **reterr)
{
    const char *snap = sn_hook_context_snap(c->ctx);
    char **out = NULL;
    bool all = !wanted || !wanted[0];
    for (char *const *w = wanted; !all && w && *w; w++)
        all = SN_STREQ(*w, snap);
    int r = 0;
    if (all) {
        for (size_t i = 0; r >= 0 && i < info->n_apps; i++)
            if (info->apps[i].daemon) {
                _sn_free_ char *n = sn_strdup_printf("%s.%s", snap, info->apps[i].name);
                r = n ? sn_strv_push(&out, n) : -ENOMEM;
            }
    } else {
        for (char *const *w = wanted; r >= 0 && *w; w++) {
            const SnApp *app = NULL;
            size_t len = strlen(snap);
            if (strncmp(*w, snap, len) == 0 && (*w)[len] == '.')
                app = sn_snap_info_find_app(info, *w + len + 1);
            if (!app || !app->daemon) {
                r = sn_error_set(reterr, -ENOENT, "unknown service: \"%s\"", *w);
                break;
            }
            r = sn_strv_push(&out, *w);
        }
    }
    if (r < 0) {
        sn_strv_free(out);
        return r;
    }
    if (out)
        qsort(out, sn_strv_length(out), sizeof(*out), key_cmp);
    *ret = out;
    return 0;
}

/* Go's tabwriter (minwidth 5, tabwidth 3, padding 2, ' ') over rows of 4 cells; the last is not padded. */
static void put_table(SnBuf *b, char *rows[][4], size_t n)
{
    size_t width[3] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < 3; k++)
            width[k] = SN_MAX(width[k], strlen(rows[i][k]) + 2);
    for (size_t k = 0; k < 3; k++)
        width[k] = SN_MAX(width[k], 5);
    for (size_t i = 0; i < n; i++)
        sn_buf_printf(b, "%-*s%-*s%-*s%s\n", (int)width[0], rows[i][0], (int)width[1], rows[i][1], (int)width[2],
                      rows[i][2], rows[i][3]);
}

static const char *service_notes(const SnSnapInfo *info, const char *svc)
{
    const SnApp *app = sn_snap_info_find_app(info, strchr(svc, '.') + 1);
    if (app && app->timer)
        return "timer-activated";
    if (app && app->n_sockets)
        return "socket-activated";
    if (app && app->activates_on)
        return "dbus-activated";
    return "-";
}

static int cmd_services(Cmd *c, char *const *args, SnError **reterr)
{
    static const Flag flags[] = {{"global", 'g', false}, {"user", 'u', false}};
    _sn_cleanup_(parsed_done) Parsed p = {0};
    int r = parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    r = need_context(c, reterr);
    if (r < 0)
        return r;
    if (p.values[0] && p.values[1])
        return sn_error_set(reterr, -EINVAL, "cannot combine --global and --user switches.");
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    r = current_info(c, &info, reterr);
    if (r < 0)
        return r;
    _sn_strv_free_ char **names = NULL;
    r = service_names(c, info, p.positional, &names, reterr);
    if (r < 0 || !names)
        return r;
    if (!c->services || !c->services->status)
        return sn_error_set(reterr, -ENOTSUP, "cannot query services: no service manager is running");
    size_t n = sn_strv_length(names);
    char *(*rows)[4] = calloc(n + 1, sizeof(*rows));
    if (!rows)
        return -ENOMEM;
    rows[0][0] = "Service";
    rows[0][1] = "Startup";
    rows[0][2] = "Current";
    rows[0][3] = "Notes";
    for (size_t i = 0; r >= 0 && i < n; i++) {
        bool enabled = false, active = false;
        SnError *e = NULL;
        r = c->services->status(c->services->userdata, names[i], &enabled, &active);
        if (r < 0)
            r = sn_error_set(reterr, r, "cannot get the status of service \"%s\": %s", names[i], strerror(-r));
        sn_error_free(e);
        rows[i + 1][0] = names[i];
        rows[i + 1][1] = enabled ? "enabled" : "disabled";
        rows[i + 1][2] = active ? "active" : "inactive";
        rows[i + 1][3] = (char *)service_notes(info, names[i]);
    }
    if (r >= 0)
        put_table(&c->out, rows, n + 1);
    free(rows);
    return r;
}

static int cmd_service_control(Cmd *c, char *const *args, SnError **reterr)
{
    const char *flag = SN_STREQ(c->name, "start") ? "enable" : SN_STREQ(c->name, "stop") ? "disable" : "reload";
    const Flag flags[] = {{flag, 0, false}, {"system", 0, false}, {"user", 0, false}, {"users", 0, true}};
    _sn_cleanup_(parsed_done) Parsed p = {0};
    int r = parse_args(args, flags, SN_ELEMENTSOF(flags), &p, reterr);
    if (r < 0)
        return r;
    if (p.values[2] || p.values[3])
        return sn_error_set(reterr, -EINVAL, "user services are not supported");
    if (!p.positional)
        return sn_error_set(reterr, -EINVAL,
                            "the required argument `<service> (at least 1 argument)` was not provided");
    if (!c->ctx)
        return sn_error_set(reterr, -EINVAL,
                            "cannot invoke snapctl operation commands (here \"%s\") from outside of a snap", c->name);
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    r = current_info(c, &info, reterr);
    if (r < 0)
        return r;
    _sn_strv_free_ char **names = NULL;
    r = service_names(c, info, p.positional, &names, reterr);
    if (r < 0 || !names)
        return r;
    if (!c->services || !c->services->control)
        return sn_error_set(reterr, -ENOTSUP, "cannot %s services: no service manager is running", c->name);
    return c->services->control(c->services->userdata, c->ctx, c->name, names, p.values[0], &c->wait_change, reterr);
}

/* ---- dispatch ---- */

typedef struct Command {
    const char *name;
    int (*fn)(Cmd *c, char *const *args, SnError **reterr);
    const char *summary;
} Command;

static const Command commands[] = {
    {"get", cmd_get, "Print either configuration options or interface connection settings"},
    {"set", cmd_set, "Set either configuration options or interface connection settings"},
    {"unset", cmd_unset, "Remove configuration options"},
    {"set-health", cmd_set_health, "Report the health status of a snap"},
    {"is-connected", cmd_is_connected, "Return success if the given plug or slot is connected"},
    {"services", cmd_services, "Query the status of services"},
    {"start", cmd_service_control, "Start services"},
    {"stop", cmd_service_control, "Stop services"},
    {"restart", cmd_service_control, "Restart services"},
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
