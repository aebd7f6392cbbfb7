/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's snap.Validate (snap/validate.go) over an SnSnapInfo. Messages keep snapd's wording and
 * add " (line N)" where the item has a line. This file holds the top level, names, version,
 * plugs and slots, base, system usernames, links and common ids; apps and hooks are checked in
 * snap-yaml-validate-apps.c, layouts in snap-yaml-validate-layout.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "epoch.h"
#include "naming.h"
#include "snap-yaml-validate-internal.h"
#include "snap-yaml.h"
#include "spdx.h"
#include "strutil.h"
#include "timer-schedule.h"
#include "yaml-tree.h"

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

/* ---- plugs, slots, base, users, links, common ids ---- */

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
        const SnPlugSlot *s = sn_snap_yaml_find_plug_slot(info->slots, info->n_slots, info->plugs[i].name);
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
            if ((r = sn_snap_yaml_validate_hook(&c->hooks[j], reterr)) < 0)
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
        r = sn_snap_yaml_validate_app(info, &info->apps[i], &ae);
        if (r == -ENOMEM)
            return r;
        if (r < 0)
            return sn_error_set_at(reterr, r, ae ? ae->line : info->apps[i].line,
                                   "invalid definition of application \"%s\": %s", info->apps[i].name,
                                   sn_error_message(ae, r));
    }
    if ((r = sn_snap_yaml_validate_order_cycles(info, reterr)) < 0)
        return r;
    for (size_t i = 0; i < info->n_apps; i++)
        for (char **a = info->apps[i].aliases; a && *a; a++)
            if (!sn_name_alias_valid(*a))
                return VERR(reterr, info->apps[i].line,
                            "cannot have \"%s\" as alias name for app \"%s\" - use only letters, digits, dash, "
                            "underscore and dot characters",
                            *a, info->apps[i].name);
    if ((r = sn_snap_yaml_validate_hooks(info, reterr)) < 0 || (r = validate_plugs_slots(info, reterr)) < 0 ||
        (r = validate_base(info, reterr)) < 0 || (r = validate_system_usernames(info, reterr)) < 0 ||
        (r = validate_links(info, reterr)) < 0 || (r = validate_common_ids(info, reterr)) < 0 ||
        (r = sn_snap_yaml_validate_layouts(info, reterr)) < 0)
        return r;
    return 0;
}
