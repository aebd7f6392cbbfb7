/* SPDX-License-Identifier: GPL-3.0-only */
/* `snap list [--all] [<snap>...]`: GET /v2/snaps, snapd's columns. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client-util.h"
#include "client.h"
#include "cmd.h"

static const char list_help[] = "Usage:\n"
                                "  snap list [list-OPTIONS] [<snap>...]\n"
                                "\n"
                                "The list command displays a summary of snaps installed in the current system.\n"
                                "\n"
                                "A green check mark (given color and unicode support) after a publisher name\n"
                                "indicates that the publisher has been verified.\n"
                                "\n"
                                "[list command options]\n"
                                "      --all              Show all revisions\n"
                                "      --color=[auto|never|always]\n"
                                "                         Use a little bit of color to highlight some things.\n"
                                "                         (default: auto)\n"
                                "      --unicode=[auto|never|always]\n"
                                "                         Use a little bit of Unicode to improve legibility.\n"
                                "                         (default: auto)\n";

static int cmp_name(const void *a, const void *b)
{
    const char *x = json_string_value(json_object_get(*(json_t *const *)a, "name"));
    const char *y = json_string_value(json_object_get(*(json_t *const *)b, "name"));
    return strcmp(x ? x : "", y ? y : "");
}

int sn_cmd_list(int argc, char **argv)
{
    static const struct option options[] = {
        {"all", no_argument, NULL, 'a'},
        {"color", required_argument, NULL, 'c'},
        {"unicode", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool all = false;
    const char *color = "auto", *unicode = "auto";
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'a':
            all = true;
            break;
        case 'c':
            color = optarg;
            break;
        case 'u':
            unicode = optarg;
            break;
        case 'h':
            fputs(list_help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    SnEscapes esc;
    if (sn_escapes_get(color, "auto", false, &esc) < 0)
        return sn_cli_failf("Invalid value `%s' for option `--color'. Allowed values are: auto, never or always",
                            color);
    if (sn_escapes_get(color, unicode, isatty(STDOUT_FILENO), &esc) < 0)
        return sn_cli_failf("Invalid value `%s' for option `--unicode'. Allowed values are: auto, never or always",
                            unicode);

    SnBuf q = {0};
    if (all)
        sn_buf_puts(&q, "select=all");
    for (int i = optind; i < argc; i++) {
        _sn_free_ char *name = sn_client_escape(argv[i]);
        if (!name)
            q.failed = true;
        else if (i == optind)
            sn_buf_printf(&q, "%ssnaps=%s", q.len ? "&" : "", name);
        else
            sn_buf_printf(&q, ",%s", name);
    }
    if (!sn_buf_ok(&q)) {
        sn_buf_done(&q);
        return sn_cli_fail(-ENOMEM, NULL);
    }
    _sn_free_ char *query = sn_buf_steal(&q);
    bool named = optind < argc;

    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    json_t *snaps = NULL;
    int r = sn_client_sync(client, "GET", "/v2/snaps", *query ? query : NULL, NULL, &snaps, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, "list", NULL, NULL);
    size_t n = json_array_size(snaps);
    if (n == 0) {
        json_decref(snaps);
        if (!named) {
            fprintf(stderr, "No snaps are installed yet. Try 'snap install hello-world'.\n");
            return 0;
        }
        return sn_cli_failf("no matching snaps installed");
    }
    json_t **v = calloc(n, sizeof(json_t *));
    if (!v) {
        json_decref(snaps);
        return sn_cli_fail(-ENOMEM, NULL);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(snaps, i);
    qsort(v, n, sizeof(json_t *), cmp_name);

    SnTable t = SN_TABLE_INIT;
    time_t now = time(NULL);
    sn_table_printf(&t, "Name\tVersion\tRev\tTracking\tPublisher%s%s\tNotes\n", esc.green, esc.end);
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_object_get(v[i], "name"));
        const char *version = json_string_value(json_object_get(v[i], "version"));
        const char *rev = json_string_value(json_object_get(v[i], "revision"));
        _sn_free_ char *channel = sn_fmt_channel(json_string_value(json_object_get(v[i], "tracking-channel")));
        _sn_free_ char *publisher = sn_short_publisher(&esc, json_object_get(v[i], "publisher"));
        _sn_free_ char *notes = sn_snap_notes(v[i], now);
        sn_table_printf(&t, "%s\t%s\t%s\t%s\t%s\t%s\n", name ? name : "", version && *version ? version : "-",
                        rev ? rev : "", channel ? channel : "-", publisher ? publisher : "-", notes ? notes : "-");
    }
    free(v);
    json_decref(snaps);
    r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
    return r < 0 ? sn_cli_fail(r, NULL) : 0;
}
