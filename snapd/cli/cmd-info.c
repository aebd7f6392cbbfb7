/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap info [--verbose] [--abs-time] [--unicode=auto|never|always] <snap>...
 *
 * For a local .snap file or an unpacked snap directory, prints what snapd's `snap info PATH`
 * prints (cmd/snap/cmd_info.go, the "disk snap" case), in the same order and alignment: Go's
 * tabwriter (minwidth 2, padding 1) is reproduced by a small column formatter below. Names
 * that are not paths would need the daemon, which this verb does not ask yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <yaml.h>

#include "cmd.h"
#include "digest.h"
#include "fd-util.h"
#include "snap-container.h"
#include "snap-yaml.h"
#include "squashfs-read.h"
#include "strutil.h"

static bool arg_verbose, arg_abs_time;
static const char *arg_unicode = "auto";

/* ---- Go's text/tabwriter, the subset snapd uses ---------------------------------------------- */

#define TW_MINWIDTH 2
#define TW_PADDING 1

typedef struct TwLine {
    char **cells; /* split on '\t'; the last one is the text after the last tab */
    size_t n;
} TwLine;

typedef struct TabWriter {
    SnBuf pending; /* text not yet split into lines */
    TwLine *lines;
    size_t n_lines;
    size_t widths[32];
    size_t n_widths;
    FILE *out;
} TabWriter;

static size_t utf8_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void tw_write_lines(TabWriter *tw, size_t line0, size_t line1)
{
    for (size_t i = line0; i < line1; i++) {
        const TwLine *l = &tw->lines[i];
        for (size_t j = 0; j < l->n; j++) {
            fputs(l->cells[j], tw->out);
            if (j < tw->n_widths && j + 1 < l->n)
                for (size_t w = utf8_width(l->cells[j]); w < tw->widths[j]; w++)
                    fputc(' ', tw->out);
        }
        fputc('\n', tw->out);
    }
}

/* A block of consecutive lines that have a cell in this column shares one width. */
static void tw_format(TabWriter *tw, size_t line0, size_t line1)
{
    size_t column = tw->n_widths;
    for (size_t this = line0; this < line1; this ++) {
        if (column + 1 >= tw->lines[this].n)
            continue;
        tw_write_lines(tw, line0, this);
        line0 = this;
        size_t width = TW_MINWIDTH;
        for (; this < line1 && column + 1 < tw->lines[this].n; this ++) {
            size_t w = utf8_width(tw->lines[this].cells[column]) + TW_PADDING;
            if (w > width)
                width = w;
        }
        if (tw->n_widths < SN_ELEMENTSOF(tw->widths)) {
            tw->widths[tw->n_widths++] = width;
            tw_format(tw, line0, this);
            tw->n_widths--;
        } else {
            tw_write_lines(tw, line0, this);
        }
        line0 = this;
    }
    tw_write_lines(tw, line0, line1);
}

static void tw_flush(TabWriter *tw)
{
    /* Split complete lines of the pending text into cells. */
    char *text = tw->pending.data ? tw->pending.data : (char *)"";
    for (char *nl; (nl = strchr(text, '\n')); text = nl + 1) {
        *nl = '\0';
        TwLine *lines = reallocarray(tw->lines, tw->n_lines + 1, sizeof(TwLine));
        if (!lines)
            break;
        tw->lines = lines;
        TwLine l = {0};
        for (char *start = text;;) {
            char *tab = strchr(start, '\t');
            if (tab)
                *tab = '\0';
            char **cells = reallocarray(l.cells, l.n + 1, sizeof(char *));
            if (!cells)
                break;
            l.cells = cells;
            l.cells[l.n++] = strdup(start);
            if (!tab)
                break;
            start = tab + 1;
        }
        tw->lines[tw->n_lines++] = l;
    }
    tw_format(tw, 0, tw->n_lines);
    /* Keep any unterminated text for the next flush. */
    _sn_free_ char *rest = strdup(text);
    sn_buf_done(&tw->pending);
    if (rest && *rest)
        sn_buf_puts(&tw->pending, rest);
    for (size_t i = 0; i < tw->n_lines; i++) {
        for (size_t j = 0; j < tw->lines[i].n; j++)
            free(tw->lines[i].cells[j]);
        free(tw->lines[i].cells);
    }
    free(tw->lines);
    tw->lines = NULL;
    tw->n_lines = 0;
    fflush(tw->out);
}

static void tw_printf(TabWriter *tw, const char *fmt, ...) _sn_printf_(2, 3);
static void tw_printf(TabWriter *tw, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) >= 0) {
        sn_buf_puts(&tw->pending, s);
        free(s);
    }
    va_end(ap);
}

/* ---- snapd's text helpers -------------------------------------------------------------------- */

/* Decodes UTF-8 into code points (invalid bytes become U+FFFD). Caller frees. */
static uint32_t *utf8_decode(const char *s, size_t *ret_n)
{
    size_t len = strlen(s);
    uint32_t *out = calloc(len + 1, sizeof(uint32_t));
    if (!out)
        return NULL;
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        uint32_t c = *p;
        size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (c >= 0x80 && c < 0xC0) {
            out[n++] = 0xFFFD;
            p++;
            continue;
        }
        c &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : extra == 1 ? 0x1F : 0x7F;
        size_t k = 1;
        for (; k <= extra && (p[k] & 0xC0) == 0x80; k++)
            c = c << 6 | (p[k] & 0x3F);
        out[n++] = k == extra + 1 ? c : 0xFFFD;
        p += k;
    }
    *ret_n = n;
    return out;
}

static void utf8_put(SnBuf *b, const uint32_t *cp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t c = cp[i];
        char e[4];
        if (c < 0x80) {
            sn_buf_putc(b, (char)c);
        } else if (c < 0x800) {
            e[0] = (char)(0xC0 | c >> 6);
            e[1] = (char)(0x80 | (c & 0x3F));
            sn_buf_append(b, e, 2);
        } else if (c < 0x10000) {
            e[0] = (char)(0xE0 | c >> 12);
            e[1] = (char)(0x80 | ((c >> 6) & 0x3F));
            e[2] = (char)(0x80 | (c & 0x3F));
            sn_buf_append(b, e, 3);
        } else {
            e[0] = (char)(0xF0 | c >> 18);
            e[1] = (char)(0x80 | ((c >> 12) & 0x3F));
            e[2] = (char)(0x80 | ((c >> 6) & 0x3F));
            e[3] = (char)(0x80 | (c & 0x3F));
            sn_buf_append(b, e, 4);
        }
    }
}

/* Go's unicode.IsSpace. */
static bool is_space(uint32_t c)
{
    switch (c) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

/* snapd's strutil.WordWrap: wraps at word boundaries, counting runes. */
static void word_wrap(TabWriter *tw, const uint32_t *text, size_t n, const char *indent, const char *indent2,
                      int term_width)
{
    long indent_w = (long)utf8_width(indent);
    long delta = indent_w - (long)utf8_width(indent2);
    long width = term_width - indent_w;
    if (width < 1)
        width = 1;
    SnBuf b = {0};
    while ((long)n > width) {
        long idx = -1;
        for (long i = width; i >= 0; i--)
            if (is_space(text[i])) {
                idx = i;
                break;
            }
        if (idx < 0)
            idx = width;
        sn_buf_puts(&b, indent);
        utf8_put(&b, text, (size_t)idx);
        sn_buf_putc(&b, '\n');
        while ((size_t)idx < n && is_space(text[idx]))
            idx++;
        text += idx;
        n -= (size_t)idx;
        width += delta;
        indent = indent2;
        delta = 0;
    }
    sn_buf_puts(&b, indent);
    utf8_put(&b, text, n);
    sn_buf_putc(&b, '\n');
    if (sn_buf_ok(&b))
        sn_buf_puts(&tw->pending, b.data);
    sn_buf_done(&b);
}

/* snapd's quotedIfNeeded: the value as is when YAML reads "s: VALUE" back as a scalar. */
static char *quoted_if_needed(const char *raw_in)
{
    const char *start = raw_in ? raw_in : "";
    while (*start == ' ' || *start == '\t' || *start == '\n' || *start == '\r' || *start == '\v' || *start == '\f')
        start++;
    size_t len = strlen(start);
    while (len > 0 && strchr(" \t\n\r\v\f", start[len - 1]))
        len--;
    _sn_free_ char *raw = strndup(start, len);
    if (!raw)
        return NULL;
    if (len == 0)
        return strdup("\"\"");
    _sn_free_ char *doc = sn_strdup_printf("s: %s", raw);
    if (!doc)
        return NULL;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return NULL;
    yaml_parser_set_input_string(&parser, (const unsigned char *)doc, strlen(doc));
    static const yaml_event_type_t want[] = {
        YAML_STREAM_START_EVENT, YAML_DOCUMENT_START_EVENT, YAML_MAPPING_START_EVENT, YAML_SCALAR_EVENT,
        YAML_SCALAR_EVENT,       YAML_MAPPING_END_EVENT,    YAML_DOCUMENT_END_EVENT};
    bool ok = true;
    for (size_t i = 0; ok && i < SN_ELEMENTSOF(want); i++) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            ok = false;
            break;
        }
        ok = ev.type == want[i];
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return ok ? SN_TAKE_PTR(raw) : sn_go_quote(raw);
}

static void print_descr(TabWriter *tw, const char *descr, int term_width)
{
    _sn_free_ char *copy = strdup(descr ? descr : "");
    if (!copy)
        return;
    size_t len = strlen(copy);
    while (len > 0 && strchr(" \t\n\r\v\f", copy[len - 1]))
        copy[--len] = '\0';
    char *save = copy;
    for (char *line = copy;; line = save) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        save = nl ? nl + 1 : NULL;
        size_t n = 0;
        _sn_free_ uint32_t *cp = utf8_decode(line, &n);
        if (!cp)
            return;
        while (n > 0 && is_space(cp[n - 1]))
            n--;
        size_t lead = 0;
        while (lead < n && is_space(cp[lead]))
            lead++;
        SnBuf indent = {0};
        sn_buf_puts(&indent, "  ");
        utf8_put(&indent, cp, lead);
        if (sn_buf_ok(&indent) && indent.len > (size_t)term_width / 2) {
            sn_buf_done(&indent);
            sn_buf_puts(&indent, "    ");
        }
        if (sn_buf_ok(&indent))
            word_wrap(tw, cp + lead, n - lead, indent.data, indent.data, term_width);
        sn_buf_done(&indent);
        if (!nl)
            break;
    }
}

static int term_width(void)
{
    struct winsize ws;
    int width = 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
        width = ws.ws_col;
    if (width <= 0) {
        const char *cols = getenv("COLUMNS");
        uint64_t v;
        if (cols && sn_parse_u64(cols, &v) >= 0 && v < 10000)
            width = (int)v;
    }
    if (width < 40)
        width = 80;
    width -= 3;
    return width > 100 ? 100 : width;
}

static bool use_unicode(void)
{
    if (SN_STREQ(arg_unicode, "always"))
        return true;
    if (SN_STREQ(arg_unicode, "never"))
        return false;
    if (!isatty(STDOUT_FILENO))
        return false;
    setlocale(LC_CTYPE, "");
    return SN_STREQ(nl_langinfo(CODESET), "UTF-8");
}

/* snapd's timeutil.Human ("today at 15:04 MST", "3 days ago, at ...", or "2006-01-02"). */
static void format_time(time_t t, char *buf, size_t size)
{
    struct tm then, now;
    time_t n = time(NULL);
    localtime_r(&t, &then);
    localtime_r(&n, &now);
    if (arg_abs_time) {
        char off[40];
        strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &then);
        if (then.tm_gmtoff == 0) {
            strncat(buf, "Z", size - strlen(buf) - 1);
        } else {
            long o = then.tm_gmtoff;
            snprintf(off, sizeof(off), "%c%02ld:%02ld", o < 0 ? '-' : '+', labs(o) / 3600, (labs(o) / 60) % 60);
            strncat(buf, off, size - strlen(buf) - 1);
        }
        return;
    }
    long day_then = (long)((t + then.tm_gmtoff) / 86400 - ((t + then.tm_gmtoff) % 86400 < 0));
    long day_now = (long)((n + now.tm_gmtoff) / 86400 - ((n + now.tm_gmtoff) % 86400 < 0));
    long d = day_then - day_now;
    char hm[64];
    strftime(hm, sizeof(hm), "%H:%M %Z", &then);
    if (d < -1 && d >= -60)
        snprintf(buf, size, "%ld days ago, at %s", -d, hm);
    else if (d == -1)
        snprintf(buf, size, "yesterday at %s", hm);
    else if (d == 0)
        snprintf(buf, size, "today at %s", hm);
    else if (d == 1)
        snprintf(buf, size, "tomorrow at %s", hm);
    else if (d > 1 && d <= 60)
        snprintf(buf, size, "in %ld days, at %s", d, hm);
    else
        strftime(buf, size, "%Y-%m-%d", &then);
}

/* ---- reading a snap from disk ---------------------------------------------------------------- */

typedef struct DiskSnap {
    SnSnapInfo *info;
    bool is_dir;
    bool has_build_date;
    uint32_t build_date;
} DiskSnap;

static int walk_nothing(const char *path, const SnSquashfsStat *st, const char *link_target, void *userdata)
{
    (void)path;
    (void)st;
    (void)link_target;
    (void)userdata;
    return 0;
}

static int read_disk_snap(const char *path, DiskSnap *ret, SnError **reterr)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot read %s: %m", path);
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    int r;
    DiskSnap d = {.is_dir = S_ISDIR(st.st_mode)};
    if (d.is_dir) {
        _sn_free_ char *p = sn_strdup_printf("%s/meta/snap.yaml", path);
        if (!p)
            return -ENOMEM;
        r = sn_read_file_at(AT_FDCWD, p, SN_SNAP_YAML_MAX_SIZE, &yaml, &len);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot read %s: %s", p, strerror(-r));
    } else {
        _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
        r = sn_squashfs_open_at(AT_FDCWD, path, &sq, reterr);
        if (r < 0)
            return r;
        /* Check the whole structure, not only the path to meta/snap.yaml: a hostile image is refused. */
        r = sn_squashfs_walk(sq, walk_nothing, NULL, reterr);
        if (r < 0)
            return sn_error_prefix(reterr, r, "cannot read %s", path);
        r = sn_squashfs_read_file(sq, "meta/snap.yaml", SN_SNAP_YAML_MAX_SIZE, &yaml, &len, reterr);
        if (r < 0)
            return sn_error_prefix(reterr, r, "cannot read %s", path);
        d.has_build_date = true;
        d.build_date = sn_squashfs_get_info(sq)->mkfs_time;
    }
    r = sn_snap_yaml_parse(yaml, len, &d.info, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "cannot read snap metadata from %s", path);
    *ret = d;
    return 0;
}

static int cmp_apps(const void *a, const void *b)
{
    return strcmp((*(const SnApp *const *)a)->name, (*(const SnApp *const *)b)->name);
}

/* snapd's JoinSnapApp: "NAME" for the app named like the snap, else "NAME.APP". */
static char *join_snap_app(const char *snap, const char *app)
{
    return SN_STREQ(snap, app) ? strdup(snap) : sn_strdup_printf("%s.%s", snap, app);
}

static void print_disk_snap(TabWriter *tw, const char *arg, const DiskSnap *d, int width)
{
    const SnSnapInfo *info = d->info;
    const char *dash = use_unicode() ? "\u2013" : "-";

    /* path: snapd's norm(): cleaned, with a trailing slash for a directory */
    _sn_free_ char *clean = sn_path_clean(arg);
    _sn_free_ char *shown = clean && d->is_dir && !SN_STREQ(clean, "/") ? sn_strdup_printf("%s/", clean) : NULL;
    _sn_free_ char *qpath = sn_go_quote(shown ? shown : clean ? clean : arg);
    tw_printf(tw, "path:\t%s\n", qpath ? qpath : arg);
    tw_printf(tw, "name:\t%s\n", info->name);

    _sn_free_ char *summary = quoted_if_needed(info->summary);
    size_t n = 0;
    _sn_free_ uint32_t *cp = summary ? utf8_decode(summary, &n) : NULL;
    if (cp)
        word_wrap(tw, cp, n, "summary:\t", "  ", width);

    /* version: VERSION NOTES, notes as snapd's NotesFromRemote for a file */
    SnBuf notes = {0};
    if (info->type != SN_SNAP_TYPE_APP)
        sn_buf_puts(&notes, info->type == SN_SNAP_TYPE_OS ? "core" : sn_snap_type_to_string(info->type));
    if (info->confinement == SN_CONFINEMENT_DEVMODE)
        sn_buf_printf(&notes, "%sdevmode", notes.len ? "," : "");
    if (info->confinement == SN_CONFINEMENT_CLASSIC)
        sn_buf_printf(&notes, "%sclassic", notes.len ? "," : "");
    tw_printf(tw, "version:\t%s %s\n", info->version && *info->version ? info->version : dash,
              notes.len && sn_buf_ok(&notes) ? notes.data : "-");
    sn_buf_done(&notes);

    if (d->has_build_date) {
        char when[96];
        format_time((time_t)d->build_date, when, sizeof(when));
        tw_printf(tw, "build-date:\t%s\n", when);
    }
    tw_printf(tw, "license:\t%s\n", info->license && *info->license ? info->license : "unset");
    tw_printf(tw, "description: |\n");
    print_descr(tw, info->description, width);

    _sn_free_ const SnApp **apps = calloc(info->n_apps + 1, sizeof(SnApp *));
    if (apps) {
        for (size_t i = 0; i < info->n_apps; i++)
            apps[i] = &info->apps[i];
        qsort(apps, info->n_apps, sizeof(SnApp *), cmp_apps);
        bool header = false;
        for (size_t i = 0; i < info->n_apps; i++) {
            if (apps[i]->daemon)
                continue;
            _sn_free_ char *j = join_snap_app(info->name, apps[i]->name);
            if (!header)
                tw_printf(tw, "commands:\n");
            header = true;
            tw_printf(tw, "  - %s\n", j ? j : apps[i]->name);
        }
        header = false;
        for (size_t i = 0; i < info->n_apps; i++) {
            if (!apps[i]->daemon)
                continue;
            _sn_free_ char *j = join_snap_app(info->name, apps[i]->name);
            if (!header)
                tw_printf(tw, "services:\n");
            header = true;
            /* A file is neither enabled nor active. */
            tw_printf(tw, "  %s:\t%s, disabled, inactive\n", j ? j : apps[i]->name, apps[i]->daemon);
        }
    }

    if (arg_verbose) {
        tw_printf(tw, "notes:\t\n");
        tw_printf(tw, "  private:\tfalse\n");
        if (info->grade != SN_GRADE_UNSET)
            tw_printf(tw, "  grade:\t%s\n", sn_grade_to_string(info->grade));
        tw_printf(tw, "  confinement:\t%s\n", sn_confinement_to_string(info->confinement));
    }
    tw_flush(tw);

    if (info->type != SN_SNAP_TYPE_APP)
        tw_printf(tw, "type:\t%s\n", info->type == SN_SNAP_TYPE_OS ? "core" : sn_snap_type_to_string(info->type));
    if (arg_verbose && info->base && *info->base)
        tw_printf(tw, "base:\t%s\n", info->base);
    if (arg_verbose && !d->is_dir) {
        _sn_free_ char *sum = NULL;
        if (sn_digest_file_sha3_384(AT_FDCWD, arg, &sum, NULL, NULL, NULL) >= 0)
            tw_printf(tw, "sha3-384:\t%s\n", sum);
    }
}

static const char info_help[] = "Usage:\n"
                                "  snap info [info-OPTIONS] <snap>...\n"
                                "\n"
                                "The info command shows detailed information about snaps.\n"
                                "\n"
                                "The snaps can be specified by name or by path; names are looked for both in the\n"
                                "store and in the installed snaps; paths can refer to a .snap file, or to a\n"
                                "directory that contains an unpacked snap suitable for 'snap try' (an example\n"
                                "of this would be the 'prime' directory snapcraft produces).\n"
                                "\n"
                                "[info command options]\n"
                                "      --color=[auto|never|always]\n"
                                "      --unicode=[auto|never|always]\n"
                                "      --abs-time             Display absolute times (in RFC 3339 format)\n"
                                "      --verbose              Include more details on the snap (expanded notes,\n"
                                "                             base, etc.)\n";

int sn_cmd_info(int argc, char **argv)
{
    static const struct option options[] = {
        {"verbose", no_argument, NULL, 'v'},       {"abs-time", no_argument, NULL, 'a'},
        {"unicode", required_argument, NULL, 'u'}, {"color", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},          {0},
    };
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", options, NULL)) >= 0;) {
        switch (c) {
        case 'v':
            arg_verbose = true;
            break;
        case 'a':
            arg_abs_time = true;
            break;
        case 'u':
        case 'c':
            if (!SN_STREQ(optarg, "auto") && !SN_STREQ(optarg, "never") && !SN_STREQ(optarg, "always"))
                return sn_cli_failf("Invalid value `%s' for option `--%s'. Allowed values are: auto, never or always",
                                    optarg, c == 'u' ? "unicode" : "color");
            if (c == 'u')
                arg_unicode = optarg;
            break;
        case 'h':
            fputs(info_help, stdout);
            return 0;
        default:
            return sn_cli_failf("unknown flag `%s'", argv[optind - 1] + strspn(argv[optind - 1], "-"));
        }
    }
    int nsnaps = argc - optind;
    if (nsnaps < 1)
        return sn_cli_failf("the required argument `<snap> (at least 1 argument)` was not provided");

    TabWriter tw = {.out = stdout};
    int width = term_width();
    bool none_ok = true;
    for (int i = 0; i < nsnaps; i++) {
        const char *arg = argv[optind + i];
        if (i > 0)
            tw_printf(&tw, "---\n");
        if (SN_STREQ(arg, "system")) {
            tw_printf(&tw, "system: You can't have it.\n");
            continue;
        }
        struct stat st;
        if (stat(arg, &st) < 0) {
            /* Not a path: the name of an installed snap, which the daemon describes. */
            tw_flush(&tw);
            char *sub_argv[4];
            int sub_argc = 0;
            sub_argv[sub_argc++] = (char *)"info";
            if (arg_verbose)
                sub_argv[sub_argc++] = (char *)"--verbose";
            if (arg_abs_time)
                sub_argv[sub_argc++] = (char *)"--abs-time";
            sub_argv[sub_argc++] = (char *)arg;
            int r = sn_cmd_info_installed(sub_argc, sub_argv);
            if (r != 0 && nsnaps == 1) {
                sn_buf_done(&tw.pending);
                return r;
            }
            if (r == 0)
                none_ok = false;
            continue;
        }
        _sn_cleanup_(sn_error_freep) SnError *err = NULL;
        DiskSnap d = {0};
        int r = read_disk_snap(arg, &d, &err);
        if (r < 0) {
            if (nsnaps == 1) {
                tw_flush(&tw);
                return sn_cli_fail(r, err);
            }
            tw_printf(&tw, "warning:\t%s\n", sn_error_message(err, r));
            continue;
        }
        none_ok = false;
        print_disk_snap(&tw, arg, &d, width);
        sn_snap_info_free(d.info);
    }
    tw_flush(&tw);
    sn_buf_done(&tw.pending);
    if (none_ok)
        return sn_cli_failf("no valid snaps given");
    return 0;
}
