/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * `snap info NAME` for an installed snap: GET /v2/snaps/NAME, printed in snapd's layout (the
 * store part of snapd's info, GET /v2/find, has no counterpart here). cmd-info.c calls this for
 * arguments that are not files.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "client-util.h"
#include "client.h"
#include "cmd.h"

static const char info_installed_help[] = "Usage:\n"
                                          "  snap info [info-OPTIONS] <snap>...\n"
                                          "\n"
                                          "The info command shows detailed information about snaps.\n"
                                          "\n"
                                          "[info command options]\n"
                                          "      --color=[auto|never|always]\n"
                                          "      --unicode=[auto|never|always]\n"
                                          "      --abs-time             Display absolute times (in RFC 3339 format)\n"
                                          "      --verbose              Include more details on the snap (expanded "
                                          "notes,\n"
                                          "                             base, etc.)\n";

static int term_width(void)
{
    struct winsize ws;
    int w = 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        w = ws.ws_col;
    const char *cols = getenv("COLUMNS");
    if (w <= 0 && cols)
        w = atoi(cols); /* a bad value is 0 here, then the default below */
    if (w < 40)
        w = 80;
    w -= 3;
    return w > 100 ? 100 : w;
}

/* Words of text after first (then indent2 on later lines), wrapped to width columns. */
static void word_wrap(SnTable *t, const char *text, const char *first, const char *indent2, int width)
{
    SnBuf line = {0};
    sn_buf_puts(&line, first);
    size_t col = strlen(first), start_col = col;
    for (const char *p = text; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t w = strcspn(p, " \t");
        if (w == 0)
            break;
        if (col > start_col && col + 1 + w > (size_t)width) {
            sn_table_printf(t, "%s\n", line.data);
            sn_buf_done(&line);
            sn_buf_puts(&line, indent2);
            col = start_col = strlen(indent2);
        } else if (col > start_col) {
            sn_buf_putc(&line, ' ');
            col++;
        }
        sn_buf_append(&line, p, w);
        col += w;
        p += w;
    }
    sn_table_printf(t, "%s\n", line.data ? line.data : "");
    sn_buf_done(&line);
}

/* snapd quotes a summary that would not read back as the same YAML string. */
static char *quoted_if_needed(const char *raw)
{
    while (*raw == ' ')
        raw++;
    size_t n = strlen(raw);
    while (n > 0 && raw[n - 1] == ' ')
        n--;
    if (n == 0)
        return strdup("\"\"");
    bool quote = strchr("!&*-?:,[]{}#|>@`\"'%", raw[0]) != NULL;
    for (size_t i = 0; i + 1 < n && !quote; i++)
        quote = (raw[i] == ':' && raw[i + 1] == ' ') || (raw[i] == ' ' && raw[i + 1] == '#');
    quote |= raw[n - 1] == ':';
    if (!quote)
        return strndup(raw, n);
    SnBuf b = {0};
    sn_buf_putc(&b, '"');
    for (size_t i = 0; i < n; i++) {
        if (raw[i] == '"' || raw[i] == '\\')
            sn_buf_putc(&b, '\\');
        sn_buf_putc(&b, raw[i]);
    }
    sn_buf_putc(&b, '"');
    return sn_buf_steal(&b);
}

/* snapd's fmtSize: FormatAmount(size, auto width) + "B", trimmed. */
static void fmt_size(json_int_t size, char *buf, size_t len)
{
    uint64_t v = size < 0 ? 0 : (uint64_t)size;
    if (v <= 5000) {
        snprintf(buf, len, "%lluB", (unsigned long long)v);
        return;
    }
    static const char prefixes[] = "kMGTPEZY";
    double r = (double)v;
    char prefix = 'k';
    for (size_t i = 0; i < sizeof(prefixes) - 1; i++) {
        prefix = prefixes[i];
        r /= 1000;
        if (r < 999.5)
            break;
    }
    int digits = r < 0.95 ? 0 : r < 9.5 ? 1 : r < 99.5 ? 2 : 3;
    int precision = 4 - digits > 1 ? 4 - digits - 1 : 0;
    snprintf(buf, len, "%.*f%cB", precision, r, prefix);
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int cmp_apps(const void *a, const void *b)
{
    return strcmp(str(*(json_t *const *)a, "name"), str(*(json_t *const *)b, "name"));
}

static void print_snap(SnTable *t, json_t *s, const SnEscapes *esc, bool verbose, bool abs_time, int width)
{
    const char *name = str(s, "name");
    sn_table_printf(t, "name:\t%s\n", name);
    _sn_free_ char *summary = quoted_if_needed(str(s, "summary"));
    word_wrap(t, summary ? summary : "", "summary:\t", "  ", width);
    json_t *health = json_object_get(s, "health");
    const char *hstatus = str(health, "status");
    if ((health && !SN_STREQ(hstatus, "okay")) || verbose) {
        sn_table_printf(t, "health:\n  status:\t%s\n", health ? hstatus : "unknown");
        const char *msg = health ? str(health, "message") : "health has not been set";
        if (*msg) {
            _sn_free_ char *q = quoted_if_needed(msg);
            word_wrap(t, q ? q : msg, "  message:\t", "    ", width);
        }
        if (*str(health, "code"))
            sn_table_printf(t, "  code:\t%s\n", str(health, "code"));
        /* as snapd's maybePrintHealth: when it was checked, and for which revision (not "unset") */
        SnTime checked;
        if (sn_time_parse(json_string_value(json_object_get(health, "timestamp")), &checked) >= 0 && checked.set) {
            char when[128];
            sn_time_format(&checked, abs_time, when, sizeof(when));
            sn_table_printf(t, "  checked:\t%s\n", when);
        }
        const char *hrev = str(health, "revision");
        if (*hrev && !SN_STREQ(hrev, "unset"))
            sn_table_printf(t, "  revision:\t%s\n", hrev);
    }
    _sn_free_ char *publisher = sn_long_publisher(esc, json_object_get(s, "publisher"));
    sn_table_printf(t, "publisher:\t%s\n", publisher ? publisher : "");
    if (*str(s, "store-url"))
        sn_table_printf(t, "store-url:\t%s\n", str(s, "store-url"));
    const char *contact = str(s, "contact");
    if (sn_startswith(contact, "mailto:"))
        contact += strlen("mailto:");
    if (*contact)
        sn_table_printf(t, "contact:\t%s\n", contact);
    sn_table_printf(t, "license:\t%s\n", *str(s, "license") ? str(s, "license") : "unset");
    sn_table_printf(t, "description: |\n");
    _sn_free_ char *descr = strdup(str(s, "description"));
    if (descr) {
        size_t n = strlen(descr);
        while (n > 0 && (descr[n - 1] == ' ' || descr[n - 1] == '\n' || descr[n - 1] == '\t'))
            descr[--n] = '\0';
        for (char *line = descr, *next; line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            word_wrap(t, line, "  ", "  ", width);
        }
    }
    json_t *apps = json_object_get(s, "apps");
    size_t napps = json_array_size(apps);
    json_t **sorted = napps ? calloc(napps, sizeof(json_t *)) : NULL;
    if (sorted) {
        for (size_t i = 0; i < napps; i++)
            sorted[i] = json_array_get(apps, i);
        qsort(sorted, napps, sizeof(json_t *), cmp_apps);
        bool header = false;
        for (size_t i = 0; i < napps; i++) {
            if (*str(sorted[i], "daemon"))
                continue;
            if (!header)
                sn_table_printf(t, "commands:\n");
            header = true;
            const char *app = str(sorted[i], "name");
            if (SN_STREQ(app, name))
                sn_table_printf(t, "  - %s\n", name);
            else
                sn_table_printf(t, "  - %s.%s\n", name, app);
        }
        header = false;
        for (size_t i = 0; i < napps; i++) {
            if (!*str(sorted[i], "daemon"))
                continue;
            if (!header)
                sn_table_printf(t, "services:\n");
            header = true;
            const char *app = str(sorted[i], "name");
            sn_table_printf(t, "  %s%s%s:\t%s, %s, %s\n", name, SN_STREQ(app, name) ? "" : ".",
                            SN_STREQ(app, name) ? "" : app, str(sorted[i], "daemon"),
                            json_is_true(json_object_get(sorted[i], "enabled")) ? "enabled" : "disabled",
                            json_is_true(json_object_get(sorted[i], "active")) ? "active" : "inactive");
        }
        free(sorted);
    }
    if (verbose) {
        bool devmode = json_is_true(json_object_get(s, "devmode"));
        sn_table_printf(t, "notes:\t\n  private:\t%s\n",
                        json_is_true(json_object_get(s, "private")) ? "true" : "false");
        if (*str(s, "grade"))
            sn_table_printf(t, "  grade:\t%s\n", str(s, "grade"));
        sn_table_printf(t, "  confinement:\t%s\n", str(s, "confinement"));
        sn_table_printf(t, "  devmode:\t%s\n", devmode ? "true" : "false");
        sn_table_printf(t, "  jailmode:\t%s\n",
                        SN_STREQ(str(s, "confinement"), "devmode") && !devmode ? "true" : "false");
        sn_table_printf(t, "  trymode:\t%s\n", json_is_true(json_object_get(s, "trymode")) ? "true" : "false");
        sn_table_printf(t, "  enabled:\t%s\n", SN_STREQ(str(s, "status"), "active") ? "true" : "false");
        if (*str(s, "broken"))
            sn_table_printf(t, "  broken:\ttrue (%s)\n", str(s, "broken"));
        else
            sn_table_printf(t, "  broken:\tfalse\n");
        sn_table_printf(t, "  ignore-validation:\t%s\n",
                        json_is_true(json_object_get(s, "ignore-validation")) ? "true" : "false");
    }
    /* snapd flushes its tabwriter here: the lines below form their own columns. */
    _sn_free_ char *head = sn_table_format(t);
    if (head)
        fputs(head, stdout);
    const char *type = str(s, "type");
    if (*type && !SN_STREQ(type, "app") && !SN_STREQ(type, "application"))
        sn_table_printf(t, "type:\t%s\n", SN_STREQ(type, "os") ? "core" : type);
    if (verbose && *str(s, "base"))
        sn_table_printf(t, "base:\t%s\n", str(s, "base"));
    if (*str(s, "id"))
        sn_table_printf(t, "snap-id:\t%s\n", str(s, "id"));
    if (verbose && *str(s, "cohort-key"))
        sn_table_printf(t, "cohort:\t%s\n", str(s, "cohort-key"));
    if (*str(s, "tracking-channel"))
        sn_table_printf(t, "tracking:\t%s\n", str(s, "tracking-channel"));
    SnTime installed;
    if (sn_time_parse(json_string_value(json_object_get(s, "install-date")), &installed) >= 0 && installed.set) {
        char when[128];
        sn_time_format(&installed, abs_time, when, sizeof(when));
        sn_table_printf(t, "refresh-date:\t%s\n", when);
    }
    SnTime hold;
    if (sn_time_parse(json_string_value(json_object_get(s, "hold")), &hold) >= 0 && hold.set && hold.sec > time(NULL)) {
        char when[128];
        if (hold.sec > time(NULL) + 100LL * 365 * 24 * 3600)
            snprintf(when, sizeof(when), "forever");
        else
            sn_time_format(&hold, abs_time, when, sizeof(when));
        sn_table_printf(t, "hold:\t%s\n", when);
    }
    char size[32], rev[64];
    fmt_size(json_integer_value(json_object_get(s, "installed-size")), size, sizeof(size));
    snprintf(rev, sizeof(rev), "(%s)", str(s, "revision"));
    _sn_free_ char *notes = sn_snap_notes(s, time(NULL));
    sn_table_printf(t, "installed:\t%s %s %s %s\n", str(s, "version"), rev, size, notes ? notes : "-");
}

int sn_cmd_info_installed(int argc, char **argv)
{
    static const struct option options[] = {
        {"verbose", no_argument, NULL, 'v'},       {"abs-time", no_argument, NULL, 'a'},
        {"unicode", required_argument, NULL, 'u'}, {"color", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},          {0},
    };
    bool verbose = false, abs_time = false;
    const char *color = "auto", *unicode = "auto";
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'v':
            verbose = true;
            break;
        case 'a':
            abs_time = true;
            break;
        case 'u':
            unicode = optarg;
            break;
        case 'c':
            color = optarg;
            break;
        case 'h':
            fputs(info_installed_help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    int n = argc - optind;
    if (n < 1)
        return sn_cli_failf("the required argument `<snap> (at least 1 argument)` was not provided");
    SnEscapes esc;
    if (sn_escapes_get(color, unicode, isatty(STDOUT_FILENO), &esc) < 0)
        return sn_cli_failf("Invalid value for option `--color' or `--unicode'. Allowed values are: auto, never or "
                            "always");
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    int width = term_width();
    bool none_ok = true;
    SnTable t = SN_TABLE_INFO_INIT;
    for (int i = 0; i < n; i++) {
        const char *name = argv[optind + i];
        if (i > 0)
            sn_table_printf(&t, "---\n");
        if (SN_STREQ(name, "system")) {
            sn_table_printf(&t, "system: You can't have it.\n");
            continue;
        }
        _sn_free_ char *escn = sn_client_escape(name);
        _sn_free_ char *path = escn ? sn_strdup_printf("/v2/snaps/%s", escn) : NULL;
        json_t *s = NULL;
        _sn_cleanup_(sn_error_freep) SnError *err = NULL;
        int r = path ? sn_client_sync(client, "GET", path, NULL, NULL, &s, &err) : -ENOMEM;
        if (r < 0 && r != -EREMOTEIO) {
            /* The daemon could not be asked at all: that is an error of its own, as in snapd's client. */
            sn_table_flush(&t, stdout);
            sn_table_done(&t);
            return sn_cli_fail(r, err);
        }
        if (r < 0 || !json_is_object(s)) {
            json_decref(s);
            if (n == 1) {
                sn_table_flush(&t, stdout);
                sn_table_done(&t);
                return sn_cli_failf("no snap found for \"%s\"", name);
            }
            sn_table_printf(&t, "warning:\tno snap found for \"%s\"\n", name);
            continue;
        }
        none_ok = false;
        print_snap(&t, s, &esc, verbose, abs_time, width);
        json_decref(s);
    }
    int r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
    if (r < 0)
        return sn_cli_fail(r, NULL);
    if (none_ok)
        return sn_cli_failf("no valid snaps given");
    return 0;
}
