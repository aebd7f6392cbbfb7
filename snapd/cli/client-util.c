/* SPDX-License-Identifier: GPL-3.0-only */
#include "client-util.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- columns ---- */

void sn_table_printf(SnTable *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) >= 0) {
        sn_buf_puts(&t->text, s);
        free(s);
    } else {
        t->text.failed = true;
    }
    va_end(ap);
}

typedef struct Line {
    char **cells;
    size_t n;
} Line;

static size_t text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void write_lines(SnBuf *out, const Line *lines, size_t from, size_t to, const size_t *widths, size_t nw)
{
    for (size_t i = from; i < to; i++) {
        for (size_t j = 0; j < lines[i].n; j++) {
            sn_buf_puts(out, lines[i].cells[j]);
            if (j < nw)
                for (size_t w = text_width(lines[i].cells[j]); w < widths[j]; w++)
                    sn_buf_putc(out, ' ');
        }
        sn_buf_putc(out, '\n');
    }
}

/* Go's tabwriter.format: a column is a block of consecutive lines with a terminated cell there. */
static void format_block(const SnTable *t, SnBuf *out, const Line *lines, size_t from, size_t to, size_t *widths,
                         size_t column)
{
    size_t pos = from;
    for (size_t this = from; this < to; this ++) {
        if (column + 1 >= lines[this].n)
            continue;
        write_lines(out, lines, pos, this, widths, column);
        size_t start = this, width = t->minwidth;
        for (; this < to && column + 1 < lines[this].n; this ++) {
            size_t w = text_width(lines[this].cells[column]) + t->padding;
            if (w > width)
                width = w;
        }
        widths[column] = width;
        format_block(t, out, lines, start, this, widths, column + 1);
        pos = this;
        if (this == to)
            break;
    }
    write_lines(out, lines, pos, to, widths, column);
}

char *sn_table_format(SnTable *t)
{
    if (!sn_buf_ok(&t->text)) {
        sn_buf_done(&t->text);
        return NULL;
    }
    _sn_free_ char *text = sn_buf_steal(&t->text);
    if (!text)
        return NULL;
    size_t n_lines = 0, max_cells = 1;
    for (const char *p = text; *p; p++)
        n_lines += *p == '\n';
    bool unterminated = *text && text[strlen(text) - 1] != '\n';
    n_lines += unterminated;
    _sn_free_ Line *lines = calloc(n_lines ? n_lines : 1, sizeof(Line));
    _sn_free_ char **all_cells = NULL;
    size_t n_tabs = 0;
    for (const char *p = text; *p; p++)
        n_tabs += *p == '\t';
    all_cells = calloc(n_tabs + n_lines + 1, sizeof(char *));
    if (!lines || !all_cells)
        return NULL;
    /* Split in place: every cell points into text. */
    size_t li = 0, ci = 0;
    for (char *p = text; li < n_lines; li++) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lines[li].cells = &all_cells[ci];
        for (char *cell = p;;) {
            char *tab = strchr(cell, '\t');
            if (tab)
                *tab = '\0';
            all_cells[ci++] = cell;
            lines[li].n++;
            if (!tab)
                break;
            cell = tab + 1;
        }
        if (lines[li].n > max_cells)
            max_cells = lines[li].n;
        p = nl ? nl + 1 : p + strlen(p);
    }
    _sn_free_ size_t *widths = calloc(max_cells, sizeof(size_t));
    if (!widths)
        return NULL;
    SnBuf out = {0};
    format_block(t, &out, lines, 0, n_lines, widths, 0);
    if (unterminated && out.len > 0)
        out.data[--out.len] = '\0';
    return sn_buf_steal(&out);
}

int sn_table_flush(SnTable *t, FILE *out)
{
    _sn_free_ char *s = sn_table_format(t);
    if (!s)
        return -ENOMEM;
    fputs(s, out);
    fflush(out);
    return 0;
}

void sn_table_done(SnTable *t)
{
    sn_buf_done(&t->text);
}

/* ---- times ---- */

static int parse_digits(const char **p, int n, int *ret)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -EINVAL;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *ret = v;
    return 0;
}

static int expect(const char **p, char c)
{
    if (**p != c)
        return -EINVAL;
    (*p)++;
    return 0;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int sn_time_parse(const char *s, SnTime *ret)
{
    SnTime t = {0};
    if (!s || !*s) {
        *ret = t;
        return 0;
    }
    const char *p = s;
    int Y, M, D, h, m, sec;
    if (parse_digits(&p, 4, &Y) < 0 || expect(&p, '-') < 0 || parse_digits(&p, 2, &M) < 0 || expect(&p, '-') < 0 ||
        parse_digits(&p, 2, &D) < 0 || (*p != 'T' && *p != 't') || !++p || parse_digits(&p, 2, &h) < 0 ||
        expect(&p, ':') < 0 || parse_digits(&p, 2, &m) < 0 || expect(&p, ':') < 0 || parse_digits(&p, 2, &sec) < 0)
        return -EINVAL;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60)
        return -EINVAL;
    if (*p == '.') {
        p++;
        int digits = 0;
        int64_t ns = 0;
        for (; isdigit((unsigned char)*p); p++, digits++)
            if (digits < 9)
                ns = ns * 10 + (*p - '0');
        if (digits == 0)
            return -EINVAL;
        for (int i = digits; i < 9; i++)
            ns *= 10;
        t.nsec = (int32_t)ns;
    }
    int offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (parse_digits(&p, 2, &oh) < 0 || expect(&p, ':') < 0 || parse_digits(&p, 2, &om) < 0 || oh > 23 || om > 59)
            return -EINVAL;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return -EINVAL;
    }
    if (*p)
        return -EINVAL;
    if (Y == 1 && M == 1 && D == 1 && h == 0 && m == 0 && sec == 0 && t.nsec == 0 && offset == 0) {
        *ret = (SnTime){0}; /* Go's zero time: "not set" */
        return 0;
    }
    t.sec = days_from_civil(Y, M, D) * 86400 + h * 3600 + m * 60 + sec - offset;
    t.offset = offset;
    t.set = true;
    *ret = t;
    return 0;
}

void sn_time_rfc3339(const SnTime *t, char *buf, size_t size)
{
    time_t local = (time_t)(t->sec + t->offset);
    struct tm tm;
    gmtime_r(&local, &tm);
    char zone[16] = "Z";
    if (t->offset != 0) {
        int o = t->offset < 0 ? -t->offset : t->offset;
        snprintf(zone, sizeof(zone), "%c%02d:%02d", t->offset < 0 ? '-' : '+', o / 3600, o / 60 % 60);
    }
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec, zone);
}

void sn_time_human(const SnTime *t, time_t now, char *buf, size_t size)
{
    time_t then = (time_t)t->sec;
    struct tm tt, tn;
    localtime_r(&then, &tt);
    localtime_r(&now, &tn);
    int64_t d = days_from_civil(tt.tm_year + 1900, tt.tm_mon + 1, tt.tm_mday) -
                days_from_civil(tn.tm_year + 1900, tn.tm_mon + 1, tn.tm_mday);
    char hm[64];
    strftime(hm, sizeof(hm), "%H:%M %Z", &tt);
    if (d < -1 && d >= -60)
        snprintf(buf, size, "%lld days ago, at %s", (long long)-d, hm);
    else if (d == -1)
        snprintf(buf, size, "yesterday at %s", hm);
    else if (d == 0)
        snprintf(buf, size, "today at %s", hm);
    else if (d == 1)
        snprintf(buf, size, "tomorrow at %s", hm);
    else if (d > 1 && d <= 60)
        snprintf(buf, size, "in %lld days, at %s", (long long)d, hm);
    else
        strftime(buf, size, "%Y-%m-%d", &tt);
}

void sn_time_format(const SnTime *t, bool abs_time, char *buf, size_t size)
{
    if (!t->set)
        snprintf(buf, size, "-");
    else if (abs_time)
        sn_time_rfc3339(t, buf, size);
    else
        sn_time_human(t, time(NULL), buf, size);
}

/* ---- escapes, publisher, notes ---- */

int sn_escapes_get(const char *color, const char *unicode, bool stdout_tty, SnEscapes *ret)
{
    static const SnEscapes colored = {"\033[32m", "\033[93m", "\033[1m", "\033[0m", "", "", ""};
    static const SnEscapes mono = {"\033[1m", "\033[2m", "\033[1m", "\033[0m", "", "", ""};
    static const SnEscapes plain = {"", "", "", "", "", "", ""};
    SnEscapes e;
    if (!color || SN_STREQ(color, "auto")) {
        const char *term = getenv("TERM");
        if (!stdout_tty)
            e = plain;
        else if (getenv("NO_COLOR") || (term && (SN_STREQ(term, "xterm-mono") || SN_STREQ(term, "linux-m"))))
            e = mono;
        else
            e = colored;
    } else if (SN_STREQ(color, "always")) {
        e = colored;
    } else if (SN_STREQ(color, "never")) {
        e = plain;
    } else {
        return -EINVAL;
    }
    bool uni;
    if (!unicode || SN_STREQ(unicode, "auto")) {
        uni = false;
        if (stdout_tty) {
            const char *lang = NULL;
            const char *vars[] = {"LC_MESSAGES", "LC_ALL", "LANG"};
            for (size_t i = 0; i < SN_ELEMENTSOF(vars) && !(lang && *lang); i++)
                lang = getenv(vars[i]);
            uni = lang && (strcasestr(lang, "UTF-8") || strcasestr(lang, "UTF8"));
        }
    } else if (SN_STREQ(unicode, "always")) {
        uni = true;
    } else if (SN_STREQ(unicode, "never")) {
        uni = false;
    } else {
        return -EINVAL;
    }
    e.dash = uni ? "–" : "--";
    e.tick = uni ? "✓" : "**";
    e.star = uni ? "✪" : "*";
    *ret = e;
    return 0;
}

static void badge(const SnEscapes *esc, json_t *publisher, const char **ret_color, const char **ret_badge)
{
    const char *v = json_string_value(json_object_get(publisher, "validation"));
    *ret_color = esc->green;
    *ret_badge = "";
    if (v && SN_STREQ(v, "verified")) {
        *ret_badge = esc->tick;
    } else if (v && SN_STREQ(v, "starred")) {
        *ret_badge = esc->star;
        *ret_color = esc->bright_yellow;
    }
}

char *sn_short_publisher(const SnEscapes *esc, json_t *publisher)
{
    if (!json_is_object(publisher))
        return sn_strdup_printf("-%s%s", esc->green, esc->end);
    const char *color, *b;
    badge(esc, publisher, &color, &b);
    const char *user = json_string_value(json_object_get(publisher, "username"));
    return sn_strdup_printf("%s%s%s%s", user ? user : "", color, b, esc->end);
}

char *sn_long_publisher(const SnEscapes *esc, json_t *publisher)
{
    if (!json_is_object(publisher))
        return sn_strdup_printf("%s%s%s", esc->dash, esc->green, esc->end);
    const char *color, *b;
    badge(esc, publisher, &color, &b);
    const char *user = json_string_value(json_object_get(publisher, "username")) ?: "";
    const char *display = json_string_value(json_object_get(publisher, "display-name")) ?: "";
    _sn_free_ char *spaced = strdup(user);
    if (!spaced)
        return NULL;
    for (char *p = spaced; *p; p++)
        if (*p == '-')
            *p = ' ';
    if (strcasecmp(spaced, display) == 0)
        return sn_strdup_printf("%s%s%s%s", display, color, b, esc->end);
    return sn_strdup_printf("%s (%s%s%s%s)", display, user, color, b, esc->end);
}

static bool obj_true(json_t *o, const char *key)
{
    return json_is_true(json_object_get(o, key));
}

static const char *json_str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

char *sn_snap_notes(json_t *snap, time_t now)
{
    SnBuf b = {0};
#define NOTE(s) sn_buf_printf(&b, "%s%s", b.len ? "," : "", (s))
    const char *type = json_str(snap, "type");
    if (SN_STREQ(type, "os"))
        NOTE("core");
    else if (*type && !SN_STREQ(type, "app"))
        NOTE(type);
    json_t *comps = json_object_get(snap, "components");
    size_t available = json_array_size(comps), installed = 0, i;
    json_t *comp;
    json_array_foreach(comps, i, comp)
    {
        if (json_object_get(comp, "install-date"))
            installed++;
    }
    if (installed > 0) {
        char s[64];
        snprintf(s, sizeof(s), "components[%zu/%zu]", installed, available);
        NOTE(s);
    } else if (available > 0) {
        char s[64];
        snprintf(s, sizeof(s), "components[%zu]", available);
        NOTE(s);
    }
    if (!SN_STREQ(json_str(snap, "status"), "active"))
        NOTE("disabled");
    bool jail = obj_true(snap, "jailmode");
    if (obj_true(snap, "devmode"))
        NOTE("devmode");
    if (jail)
        NOTE("jailmode");
    if (!jail && SN_STREQ(json_str(snap, "confinement"), "classic"))
        NOTE("classic");
    if (obj_true(snap, "private"))
        NOTE("private");
    if (obj_true(snap, "trymode"))
        NOTE("try");
    if (*json_str(snap, "broken"))
        NOTE("broken");
    if (obj_true(snap, "ignore-validation"))
        NOTE("ignore-validation");
    if (*json_str(snap, "cohort-key"))
        NOTE("in-cohort");
    const char *health = json_str(json_object_get(snap, "health"), "status");
    if (*health && !SN_STREQ(health, "okay"))
        NOTE(health);
    SnTime hold;
    if (sn_time_parse(json_string_value(json_object_get(snap, "hold")), &hold) >= 0 && hold.set && hold.sec > now)
        NOTE("held");
#undef NOTE
    if (b.len == 0)
        sn_buf_puts(&b, "-");
    return sn_buf_steal(&b);
}

char *sn_fmt_channel(const char *channel)
{
    if (!channel || !*channel)
        return strdup("-");
    size_t slashes = 0;
    for (const char *p = channel; *p; p++)
        slashes += *p == '/';
    if (slashes != 2)
        return strdup(channel);
    return sn_strdup_printf("%.*s…", (int)(strrchr(channel, '/') - channel + 1), channel);
}

/* ---- configuration ---- */

int sn_config_parse_values(char *const *args, size_t n, bool as_string, bool typed, json_t **ret_patch,
                           char ***ret_keys, SnError **reterr)
{
    json_t *patch = json_object();
    _sn_strv_free_ char **keys = NULL;
    if (!patch)
        return -ENOMEM;
    int r = 0;
    for (size_t i = 0; i < n && r >= 0; i++) {
        const char *arg = args[i];
        const char *eq = strchr(arg, '=');
        _sn_free_ char *key = NULL;
        json_t *value = NULL;
        if (!eq && sn_endswith(arg, "!")) {
            key = strndup(arg, strlen(arg) - 1);
            if (!key) {
                r = -ENOMEM;
                break;
            }
            if (!*key) {
                r = sn_error_set(reterr, -EINVAL, "configuration keys cannot be empty (use key! to unset a key)");
                break;
            }
            value = json_null();
        } else if (!eq) {
            r = sn_error_set(reterr, -EINVAL, "invalid configuration: \"%s\" (want key=value)", arg);
            break;
        } else {
            key = strndup(arg, (size_t)(eq - arg));
            if (!key) {
                r = -ENOMEM;
                break;
            }
            if (!*key) {
                r = sn_error_set(reterr, -EINVAL, "configuration keys cannot be empty");
                break;
            }
            const char *text = eq + 1;
            if (!as_string) {
                json_error_t jerr;
                value = json_loads(text, JSON_DECODE_ANY, &jerr);
                if (!value && typed) {
                    r = sn_error_set(reterr, -EINVAL, "failed to parse JSON: %s", jerr.text);
                    break;
                }
            }
            if (!value)
                value = json_string(text);
        }
        if (!value || json_object_set_new(patch, key, value) < 0 || sn_strv_push(&keys, key) < 0)
            r = -ENOMEM;
    }
    if (r < 0) {
        json_decref(patch);
        return r;
    }
    *ret_patch = patch;
    if (ret_keys)
        *ret_keys = SN_TAKE_PTR(keys);
    return 0;
}

char *sn_config_format_value(json_t *v, bool typed)
{
    if (json_is_string(v) && !typed)
        return strdup(json_string_value(v));
    /*
     * Go's json.MarshalIndent(v, "", "\t") with sorted keys. jansson indents with spaces (one per
     * level here); newlines inside strings are escaped, so every leading space is one level.
     */
    _sn_free_ char *s = json_dumps(v, JSON_INDENT(1) | JSON_ENCODE_ANY | JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    if (!s)
        return NULL;
    bool line_start = true;
    for (char *p = s; *p; p++) {
        if (*p == '\n')
            line_start = true;
        else if (line_start && *p == ' ')
            *p = '\t';
        else
            line_start = false;
    }
    return SN_TAKE_PTR(s);
}

typedef struct ConfigRow {
    char *path;
    json_t *value; /* NULL: "{...}" */
} ConfigRow;

/* snapd's byConfigPath: '.' sorts before every other character, so "a.b" < "a-b". */
static int cmp_path(const void *a, const void *b)
{
    const char *x = ((const ConfigRow *)a)->path, *y = ((const ConfigRow *)b)->path;
    for (; *x && *x == *y; x++, y++)
        ;
    if (*x == *y)
        return 0;
    if (!*x)
        return -1;
    if (!*y)
        return 1;
    if (*x == '.')
        return -1;
    if (*y == '.')
        return 1;
    return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
}

void sn_config_list(SnTable *t, json_t *conf, bool root)
{
    size_t cap = 0;
    const char *k;
    json_t *v;
    json_object_foreach(conf, k, v)
    {
        cap += json_is_object(v) && !root ? json_object_size(v) : 1;
    }
    ConfigRow *rows = calloc(cap ? cap : 1, sizeof(ConfigRow));
    size_t n = 0;
    if (!rows) {
        t->text.failed = true;
        return;
    }
    json_object_foreach(conf, k, v)
    {
        if (json_is_object(v) && !root) {
            const char *kk;
            json_t *vv;
            json_object_foreach(v, kk, vv)
            {
                rows[n].path = sn_strdup_printf("%s.%s", k, kk);
                rows[n++].value = json_is_object(vv) ? NULL : vv;
            }
        } else {
            rows[n].path = strdup(k);
            rows[n++].value = json_is_object(v) ? NULL : v;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (!rows[i].path)
            t->text.failed = true;
    if (!t->text.failed)
        qsort(rows, n, sizeof(ConfigRow), cmp_path);
    sn_table_printf(t, "Key\tValue\n");
    for (size_t i = 0; i < n && !t->text.failed; i++) {
        _sn_free_ char *s = NULL;
        if (!rows[i].value)
            s = strdup("{...}");
        else if (json_is_string(rows[i].value))
            s = strdup(json_string_value(rows[i].value));
        else
            s = json_dumps(rows[i].value, JSON_COMPACT | JSON_ENCODE_ANY);
        sn_table_printf(t, "%s\t%s\n", rows[i].path, s ? s : "");
    }
    for (size_t i = 0; i < n; i++)
        free(rows[i].path);
    free(rows);
}

/* ---- shared by the client verbs ---- */

SnClient *sn_cli_client_new(void)
{
    SnClient *c = NULL;
    int r = sn_client_new(NULL, &c);
    if (r < 0) {
        fprintf(stderr, "error: cannot use the snapd socket: %s\n", strerror(-r));
        return NULL;
    }
    sn_client_set_interactive(c, isatty(STDIN_FILENO));
    return c;
}

char *sn_cli_fill(const char *msg)
{
    const size_t width = 72;
    if (strchr(msg, '\n') || strlen(msg) <= width)
        return strdup(msg);
    SnBuf b = {0};
    size_t line = 0;
    for (const char *p = msg; *p;) {
        while (*p == ' ')
            p++;
        size_t w = strcspn(p, " ");
        if (w == 0)
            break;
        if (line > 0 && line + 1 + w > width) {
            sn_buf_puts(&b, "\n       ");
            line = 0;
        } else if (line > 0) {
            sn_buf_putc(&b, ' ');
            line++;
        }
        sn_buf_append(&b, p, w);
        line += w;
        p += w;
    }
    return sn_buf_steal(&b);
}

int sn_cli_report(SnClient *c, int r, const SnError *err, const char *snap_name, const char *op, const char *revision,
                  const char *channel)
{
    const SnClientApiError *e = r == -EREMOTEIO && c ? sn_client_last_error(c) : NULL;
    if (!e) {
        fprintf(stderr, "error: %s\n", sn_error_message(err, r));
        return 1;
    }
    bool is_error = true;
    _sn_free_ char *msg = sn_client_error_message(e, snap_name, op, revision, channel, &is_error);
    _sn_free_ char *filled = msg ? sn_cli_fill(msg) : NULL;
    const char *text = filled ? filled : e->message;
    if (!is_error) {
        fprintf(stderr, "%s\n", text);
        return 0;
    }
    fprintf(stderr, "error: %s\n", text);
    return 1;
}

int sn_cli_unknown_flag(char **argv)
{
    extern int optind, optopt;
    const char *arg = argv[optind - 1];
    if (optopt && !sn_startswith(arg, "--"))
        fprintf(stderr, "error: unknown flag `%c'\n", optopt);
    else
        fprintf(stderr, "error: unknown flag `%.*s'\n", (int)strcspn(arg + strspn(arg, "-"), "="),
                arg + strspn(arg, "-"));
    return 1;
}
