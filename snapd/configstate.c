/* SPDX-License-Identifier: GPL-3.0-only */
#include "configstate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "assert-types.h"
#include "state-snap.h"
#include "strutil.h"
#include "timer-schedule.h"

/* snapd waits this long for a configure hook (ConfigureHookTimeout), in ns as Go's Duration. */
#define CONFIGURE_HOOK_TIMEOUT_NS (5LL * 60 * 1000000000)

const char *sn_configstate_remap(const char *snap)
{
    return SN_STREQ(snap, "system") ? "core" : snap;
}

/* snapd's validKey ^(?:[a-z0-9]+-?)*[a-z](?:-?[a-z0-9])*$, without a regex engine. */
static bool valid_key(const char *s, size_t len)
{
    bool letter = false;
    if (len == 0 || s[0] == '-' || s[len - 1] == '-')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= 'a' && c <= 'z')
            letter = true;
        else if (c == '-') {
            if (s[i + 1] == '-')
                return false;
        } else if (!(c >= '0' && c <= '9'))
            return false;
    }
    return letter;
}

int sn_configstate_parse_key(const char *key, char ***ret_parts, SnError **reterr)
{
    char **parts = NULL;
    int n = 0;
    for (const char *p = key; *key;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        if (!valid_key(p, len)) {
            sn_strv_free(parts);
            return sn_error_set(reterr, -EINVAL, "invalid option name: \"%.*s\"", (int)len, p);
        }
        _sn_free_ char *part = strndup(p, len);
        if (!part || sn_strv_push(&parts, part) < 0) {
            sn_strv_free(parts);
            return -ENOMEM;
        }
        n++;
        if (!dot)
            break;
        p = dot + 1;
    }
    *ret_parts = parts;
    return n;
}

/* "a.b" of parts[0..n). Caller frees. */
static char *join_parts(char **parts, size_t n)
{
    SnBuf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i)
            sn_buf_putc(&b, '.');
        sn_buf_puts(&b, parts[i]);
    }
    if (n == 0)
        sn_buf_puts(&b, "");
    return sn_buf_steal(&b);
}

static int not_a_map(SnError **reterr, const char *snap, char **parts, size_t n)
{
    _sn_free_ char *path = join_parts(parts, n);
    return sn_error_set(reterr, -EINVAL, "snap \"%s\" option \"%s\" is not a map", snap, path ? path : "");
}

int sn_configstate_get_doc(SnState *st, const char *snap, json_t **ret_doc, SnError **reterr)
{
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "SELECT doc FROM config WHERE snap = ?", &s, reterr);
    if (r < 0)
        return r;
    if (sqlite3_bind_text(s, 1, snap, -1, SQLITE_STATIC) != SQLITE_OK)
        return sn_state_sql_error(st, reterr, "cannot read the configuration");
    int k = sqlite3_step(s);
    if (k == SQLITE_DONE) {
        json_t *doc = json_object();
        if (!doc)
            return -ENOMEM;
        *ret_doc = doc;
        return 0;
    }
    if (k != SQLITE_ROW)
        return sn_state_sql_error(st, reterr, "cannot read the configuration");
    json_error_t jerr;
    json_t *doc = json_loads((const char *)sqlite3_column_text(s, 0), 0, &jerr);
    if (!json_is_object(doc)) {
        json_decref(doc);
        return sn_error_set(reterr, -EIO, "internal error: cannot unmarshal the configuration of snap \"%s\"", snap);
    }
    *ret_doc = doc;
    return 0;
}

static int put_doc(SnState *st, const char *snap, json_t *doc, SnError **reterr)
{
    _sn_free_ char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    if (!text)
        return -ENOMEM;
    _sn_stmt_ sqlite3_stmt *s = NULL;
    int r = sn_state_prepare(st, "INSERT OR REPLACE INTO config (snap, doc) VALUES (?, ?)", &s, reterr);
    if (r < 0)
        return r;
    if (sqlite3_bind_text(s, 1, snap, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC) != SQLITE_OK || sqlite3_step(s) != SQLITE_DONE)
        return sn_state_sql_error(st, reterr, "cannot store the configuration");
    return 0;
}

int sn_configstate_get_in(json_t *doc, const char *snap, const char *key, json_t **ret_value, SnError **reterr)
{
    _sn_strv_free_ char **parts = NULL;
    int n = sn_configstate_parse_key(key, &parts, reterr);
    if (n < 0)
        return n;
    if (n == 0) {
        if (json_object_size(doc) == 0)
            return sn_error_set(reterr, -ENOENT, "snap \"%s\" has no configuration", snap);
        *ret_value = json_incref(doc);
        return 0;
    }
    json_t *cur = doc;
    for (int i = 0; i < n; i++) {
        if (i > 0 && !json_is_object(cur))
            return not_a_map(reterr, snap, parts, (size_t)i);
        cur = json_object_get(cur, parts[i]);
        if (!cur) {
            _sn_free_ char *path = join_parts(parts, (size_t)i + 1);
            return sn_error_set(reterr, -ENOENT, "snap \"%s\" has no \"%s\" configuration option", snap,
                                path ? path : key);
        }
    }
    *ret_value = json_incref(cur);
    return 0;
}

int sn_configstate_get(SnState *st, const char *snap, const char *key, json_t **ret_value, SnError **reterr)
{
    _sn_strv_free_ char **parts = NULL;
    int r = sn_configstate_parse_key(key, &parts, reterr);
    if (r < 0)
        return r;
    json_t *doc = NULL;
    r = sn_configstate_get_doc(st, snap, &doc, reterr);
    if (r < 0)
        return r;
    r = sn_configstate_get_in(doc, snap, key, ret_value, reterr);
    json_decref(doc);
    return r;
}

/* Map keys inside a value set on "core" must be valid option names (snapd's validateMapKeys). */
static int check_map_keys(json_t *v, SnError **reterr)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *sub;
        json_object_foreach(v, k, sub)
        {
            if (!valid_key(k, strlen(k)))
                return sn_error_set(reterr, -EINVAL, "invalid option name: \"%s\"", k);
            int r = check_map_keys(sub, reterr);
            if (r < 0)
                return r;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *sub;
        json_array_foreach(v, i, sub)
        {
            int r = check_map_keys(sub, reterr);
            if (r < 0)
                return r;
        }
    }
    return 0;
}

/* snapd's purgeNulls: null members of maps go, at every depth of maps (not inside lists). */
static void purge_nulls(json_t *o)
{
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(o, tmp, k, v)
    {
        if (json_is_null(v))
            json_object_del(o, k);
        else if (json_is_object(v))
            purge_nulls(v);
    }
}

/* snapd's Transaction.Changes(): the leaves of what was set, a non-empty map being descended into. */
static int collect_changes(const char *prefix, json_t *v, char ***changes)
{
    if (json_is_object(v) && json_object_size(v) > 0) {
        const char *k;
        json_t *sub;
        json_object_foreach(v, k, sub)
        {
            _sn_free_ char *p = sn_strdup_printf("%s.%s", prefix, k);
            if (!p)
                return -ENOMEM;
            int r = collect_changes(p, sub, changes);
            if (r < 0)
                return r;
        }
        return 0;
    }
    return sn_strv_push(changes, prefix);
}

static size_t depth(const char *key)
{
    size_t n = 0;
    for (; *key; key++)
        n += *key == '.';
    return n;
}

static int key_order(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t dx = depth(x), dy = depth(y);
    if (dx != dy)
        return dx < dy ? -1 : 1;
    return strcmp(x, y);
}

static int str_order(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int sn_configstate_patch(json_t *doc, const char *snap, json_t *patch, char ***ret_changes, SnError **reterr)
{
    if (!json_is_object(doc) || !json_is_object(patch))
        return sn_error_set(reterr, -EINVAL, "internal error: configuration and patch must be objects");
    size_t n = json_object_size(patch);
    _sn_free_ const char **keys = calloc(n + 1, sizeof(*keys));
    if (!keys)
        return -ENOMEM;
    size_t i = 0;
    const char *k;
    json_t *v;
    json_object_foreach(patch, k, v) keys[i++] = k;
    qsort(keys, n, sizeof(*keys), key_order);

    /* what was there before: a longer key must not go through one of its non-map values */
    json_t *pristine = json_deep_copy(doc);
    if (!pristine)
        return -ENOMEM;
    _sn_strv_free_ char **changes = NULL;
    int r = 0;
    for (i = 0; r >= 0 && i < n; i++) {
        json_t *value = json_object_get(patch, keys[i]);
        _sn_strv_free_ char **parts = NULL;
        int np = sn_configstate_parse_key(keys[i], &parts, reterr);
        if (np < 0) {
            r = np;
            break;
        }
        if (np == 0) {
            r = sn_error_set(reterr, -EINVAL, "internal error: key cannot be an empty string");
            break;
        }
        if (SN_STREQ(snap, "core") && (r = check_map_keys(value, reterr)) < 0)
            break;
        json_t *cur = pristine;
        for (int p = 0; p + 1 < np && cur; p++) {
            cur = json_object_get(cur, parts[p]);
            if (cur && !json_is_object(cur)) {
                r = not_a_map(reterr, snap, parts, (size_t)p + 1);
                break;
            }
        }
        if (r < 0)
            break;
        cur = doc;
        for (int p = 0; p + 1 < np; p++) {
            json_t *next = json_object_get(cur, parts[p]);
            if (!next || json_is_null(next)) {
                next = json_object();
                if (!next || json_object_set_new(cur, parts[p], next) < 0) {
                    r = -ENOMEM;
                    break;
                }
            } else if (!json_is_object(next)) {
                r = not_a_map(reterr, snap, parts, (size_t)p + 1);
                break;
            }
            cur = next;
        }
        if (r < 0)
            break;
        json_t *copy = json_deep_copy(value);
        if (!copy || json_object_set_new(cur, parts[np - 1], copy) < 0) {
            r = -ENOMEM;
            break;
        }
        _sn_free_ char *prefix = sn_strdup_printf("%s.%s", snap, keys[i]);
        r = prefix ? collect_changes(prefix, value, &changes) : -ENOMEM;
    }
    json_decref(pristine);
    if (r < 0)
        return r;
    purge_nulls(doc);
    if (changes)
        qsort(changes, sn_strv_length(changes), sizeof(*changes), str_order);
    if (ret_changes)
        *ret_changes = SN_TAKE_PTR(changes);
    return 0;
}

/* ---- the system options (snapd's configcore) ---- */

static const char *const supported_options[] = {
    "core.homedirs",
    "core.journal.persistent",
    "core.network.disable-ipv6",
    "core.pki.certs.custom",
    "core.proxy.ftp",
    "core.proxy.http",
    "core.proxy.https",
    "core.proxy.no-proxy",
    "core.proxy.store",
    "core.refresh.hold",
    "core.refresh.max-inhibition-days",
    "core.refresh.metered",
    "core.refresh.rate-limit",
    "core.refresh.retain",
    "core.refresh.schedule",
    "core.refresh.timer",
    "core.resilience.vitality-hint",
    "core.service.console-conf.disable",
    "core.service.rsyslog.disable",
    "core.service.ssh.disable",
    "core.service.ssh.listen-address",
    "core.service.systemd-resolved.disable",
    "core.snapshots.automatic.retention",
    "core.store.access",
    "core.swap.size",
    "core.system.coredump.enable",
    "core.system.coredump.maxuse",
    "core.system.ctrl-alt-del-action",
    "core.system.disable-backlight-service",
    "core.system.hostname",
    "core.system.kernel.cmdline-append",
    "core.system.kernel.dangerous-cmdline-append",
    "core.system.kernel.printk.console-loglevel",
    "core.system.motd",
    "core.system.network.netplan",
    "core.system.power-key-action",
    "core.system.timezone",
    "core.tmp.size",
    "core.users.create.automatic",
    "core.users.lockout",
    "core.watchdog.runtime-timeout",
    "core.watchdog.shutdown-timeout",
    "core.debug.snapd.log",
    "core.debug.systemd.log-level",
};

/* features.KnownFeatures() (core.experimental.NAME), and the graduated ones snapd still accepts. */
static const char *const experimental_flags[] = {
    "parallel-instances",
    "hotplug",
    "user-daemons",
    "hidden-snap-folder",
    "move-snap-home-dir",
    "check-disk-space-install",
    "check-disk-space-refresh",
    "check-disk-space-remove",
    "gate-auto-refresh-hook",
    "quota-groups",
    "refresh-app-awareness-ux",
    "confdb",
    "confdb-control",
    "apparmor-prompting",
    "content-compatibility-label",
    "clustering",
    "remote-device-management",
    "seed-refresh",
    "snap-delta-format",
};
static const char *const graduated_flags[] = {
    "layouts",         "robust-mount-namespace-updates", "classic-preserves-xdg-runtime-dir", "refresh-app-awareness",
    "dbus-activation",
};

/* Raspberry Pi config.txt options (core.pi-config.NAME, with '_' written '-'). */
static const char *const pi_config_keys[] = {
    "disable-overscan",   "force-turbo",       "framebuffer-width",
    "framebuffer-height", "framebuffer-depth", "framebuffer-ignore-alpha",
    "overscan-left",      "overscan-right",    "overscan-top",
    "overscan-bottom",    "overscan-scale",    "display-rotate",
    "hdmi-cvt",           "hdmi-group",        "hdmi-mode",
    "hdmi-timings",       "hdmi-drive",        "avoid-warnings",
    "gpu-mem-256",        "gpu-mem-512",       "gpu-mem",
    "sdtv-aspect",        "sdtv-mode",         "config-hdmi-boost",
    "hdmi-force-hotplug", "start-x",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(s, list[i]))
            return true;
    return false;
}

/* [\w](?:-?[\w])* (Go's \w: ASCII letters, digits, '_'). */
static bool valid_cert_name(const char *s)
{
    if (!*s || *s == '-')
        return false;
    for (const char *p = s; *p; p++) {
        bool word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
        if (*p == '-') {
            if (p[1] == '-' || !p[1])
                return false;
        } else if (!word)
            return false;
    }
    return true;
}

static int check_change(const char *k, SnError **reterr)
{
    const char *rest;
    if (sn_startswith(k, "core.store-certs.")) {
        rest = k + strlen("core.store-certs.");
        if (!valid_cert_name(rest))
            return sn_error_set(reterr, -EINVAL,
                                "cannot set store ssl certificate under name \"%s\": name must only contain word "
                                "characters or a dash",
                                k);
        return 0;
    }
    if (sn_startswith(k, "core.pki.certs.custom.") || sn_startswith(k, "core.system.network.netplan.") ||
        sn_startswith(k, "core.interface."))
        return 0;
    if (sn_startswith(k, "core.experimental.")) {
        rest = k + strlen("core.experimental.");
        if (in_list(rest, experimental_flags, SN_ELEMENTSOF(experimental_flags)) ||
            in_list(rest, graduated_flags, SN_ELEMENTSOF(graduated_flags)))
            return 0;
    }
    if (sn_startswith(k, "core.pi-config.") &&
        in_list(k + strlen("core.pi-config."), pi_config_keys, SN_ELEMENTSOF(pi_config_keys)))
        return 0;
    if (in_list(k, supported_options, SN_ELEMENTSOF(supported_options)))
        return 0;
    return sn_error_set(reterr, -EINVAL, "cannot set \"%s\": unsupported system option", k);
}

/* snapd's coreCfg: the option as fmt.Sprintf("%v") prints it, "" when unset. Caller frees. */
static char *core_string(json_t *doc, const char *key)
{
    json_t *cur = doc;
    _sn_free_ char *copy = strdup(key);
    if (!copy)
        return NULL;
    for (char *save = NULL, *part = strtok_r(copy, ".", &save); part && cur; part = strtok_r(NULL, ".", &save))
        cur = json_is_object(cur) ? json_object_get(cur, part) : NULL;
    if (!cur || json_is_null(cur))
        return strdup("");
    if (json_is_string(cur))
        return strdup(json_string_value(cur));
    return json_dumps(cur, JSON_ENCODE_ANY | JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
}

/* Go's strconv.ParseUint(s, 10, 8) within [min, max]. */
static bool small_uint_in(const char *s, unsigned min, unsigned max)
{
    uint64_t v;
    if (!*s || !(*s >= '0' && *s <= '9') || sn_parse_u64(s, &v) < 0 || v > 255)
        return false;
    return v >= min && v <= max;
}

int sn_configstate_validate_core(json_t *doc, char *const *changes, SnError **reterr)
{
    for (char *const *c = changes; c && *c; c++) {
        int r = check_change(*c, reterr);
        if (r < 0)
            return r;
    }
    _sn_free_ char *days = core_string(doc, "refresh.max-inhibition-days");
    _sn_free_ char *retain = core_string(doc, "refresh.retain");
    _sn_free_ char *hold = core_string(doc, "refresh.hold");
    _sn_free_ char *metered = core_string(doc, "refresh.metered");
    _sn_free_ char *timer = core_string(doc, "refresh.timer");
    if (!days || !retain || !hold || !metered || !timer)
        return -ENOMEM;
    if (*days && !small_uint_in(days, 1, 21))
        return sn_error_set(reterr, -EINVAL, "max-inhibition-days must be a number between 1 and 21, not \"%s\"", days);
    if (*retain && !small_uint_in(retain, SN_CONFIG_REFRESH_RETAIN_MIN, SN_CONFIG_REFRESH_RETAIN_MAX))
        return sn_error_set(reterr, -EINVAL, "retain must be a number between %d and %d, not \"%s\"",
                            SN_CONFIG_REFRESH_RETAIN_MIN, SN_CONFIG_REFRESH_RETAIN_MAX, retain);
    int64_t t;
    if (*hold && !SN_STREQ(hold, "forever") && sn_assert_parse_time(hold, &t) < 0)
        return sn_error_set(reterr, -EINVAL,
                            "refresh.hold cannot be parsed: parsing time \"%s\" as \"2006-01-02T15:04:05Z07:00\": "
                            "cannot parse \"%s\" as RFC3339",
                            hold, hold);
    if (*metered && !SN_STREQ(metered, "hold"))
        return sn_error_set(reterr, -EINVAL, "refresh.metered value \"%s\" is invalid", metered);
    if (SN_STREQ(timer, "managed")) {
        /* no snap may manage refreshes here (snapd: a gadget/model-sanctioned snap-refresh-control) */
        for (char *const *c = changes; c && *c; c++)
            if (SN_STREQ(*c, "core.refresh.timer"))
                return sn_error_set(reterr, -EINVAL, "cannot set schedule to managed");
    } else if (*timer) {
        int r = sn_timer_schedule_validate(timer, reterr);
        if (r < 0)
            return r;
    }
    const char *const *lists[] = {experimental_flags, graduated_flags};
    const size_t sizes[] = {SN_ELEMENTSOF(experimental_flags), SN_ELEMENTSOF(graduated_flags)};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < sizes[l]; i++) {
            _sn_free_ char *key = sn_strdup_printf("experimental.%s", lists[l][i]);
            _sn_free_ char *v = key ? core_string(doc, key) : NULL;
            if (!v)
                return -ENOMEM;
            if (*v && !SN_STREQ(v, "true") && !SN_STREQ(v, "false"))
                return sn_error_set(reterr, -EINVAL, "%s can only be set to 'true' or 'false'", key);
        }
    return 0;
}

int sn_configstate_apply(SnState *st, const char *snap, json_t *patch, SnError **reterr)
{
    if (!patch || json_object_size(patch) == 0)
        return 0;
    json_t *doc = NULL;
    int r = sn_configstate_get_doc(st, snap, &doc, reterr);
    if (r < 0)
        return r;
    _sn_strv_free_ char **changes = NULL;
    r = sn_configstate_patch(doc, snap, patch, &changes, reterr);
    if (r >= 0 && SN_STREQ(snap, "core"))
        r = sn_configstate_validate_core(doc, changes, reterr);
    if (r >= 0)
        r = put_doc(st, snap, doc, reterr);
    json_decref(doc);
    return r;
}

unsigned sn_configstate_refresh_retain(SnState *st)
{
    json_t *doc = NULL;
    if (sn_configstate_get_doc(st, "core", &doc, NULL) < 0)
        return SN_CONFIG_REFRESH_RETAIN_DEFAULT;
    _sn_free_ char *v = core_string(doc, "refresh.retain");
    json_decref(doc);
    uint64_t n;
    if (!v || !small_uint_in(v, SN_CONFIG_REFRESH_RETAIN_MIN, SN_CONFIG_REFRESH_RETAIN_MAX) || sn_parse_u64(v, &n) < 0)
        return SN_CONFIG_REFRESH_RETAIN_DEFAULT;
    return (unsigned)n;
}

/* ---- the change and its task ---- */

int sn_configstate_configure(SnState *st, const char *snap, json_t *patch, int64_t *ret_change_id,
                             SnConflict *ret_conflict, SnError **reterr)
{
    const char *name = sn_configstate_remap(snap);
    if (!SN_STREQ(name, "core")) {
        _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
        int r = sn_snap_state_get(st, name, &s, NULL);
        if (r == -ENOENT)
            return sn_error_set(reterr, -ENOENT, "snap \"%s\" is not installed", name);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot read the state of snap \"%s\"", name);
        if (SN_STREQ(s->type, "snapd"))
            return sn_error_set(reterr, -EINVAL, "cannot configure the \"snapd\" snap, please use \"system\" instead");
        if (SN_STREQ(s->type, "base"))
            return sn_error_set(reterr, -EINVAL, "cannot configure snap \"%s\" because it is of type 'base'", name);
    }
    bool empty = !patch || json_object_size(patch) == 0;
    _sn_free_ char *summary = sn_strdup_printf("Change configuration of \"%s\" snap", name);
    _sn_free_ char *task_summary = sn_strdup_printf(
        empty ? "Run configure hook of \"%s\" snap if present" : "Run configure hook of \"%s\" snap", name);
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = summary ? sn_new_change_new("configure-snap", summary) : NULL;
    json_t *data = json_pack("{s:{s:s, s:s, s:b, s:I}}", "hook-setup", "snap", name, "hook", "configure", "optional",
                             empty, "timeout", (json_int_t)CONFIGURE_HOOK_TIMEOUT_NS);
    json_t *api_data = json_pack("{s:[s]}", "snap-names", name);
    int r = c && task_summary && data && api_data ? 0 : -ENOMEM;
    if (r >= 0 && !empty)
        r = json_object_set(data, "patch", patch) < 0 ? -ENOMEM : 0;
    if (r >= 0)
        r = sn_new_change_add_snap(c, name);
    if (r >= 0)
        r = sn_new_change_set(c, "api-data", api_data);
    if (r >= 0)
        r = sn_new_change_add_task(c, "run-hook", task_summary, data, NULL);
    json_decref(data);
    json_decref(api_data);
    if (r < 0)
        return r;
    return sn_change_create(st, c, ret_change_id, ret_conflict, reterr);
}
