/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * `snap changes [<snap>]`, `snap tasks <id>` (alias `snap change`), `snap watch <id>` and
 * `snap abort <id>`: GET /v2/changes[?select=all&for=SNAP], GET/POST /v2/changes/ID.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-util.h"
#include "client.h"
#include "cmd.h"
#include "wait.h"

static const char changes_help[] = "Usage:\n"
                                   "  snap changes [changes-OPTIONS] [<snap>]\n"
                                   "\n"
                                   "The changes command displays a summary of system changes performed recently.\n"
                                   "\n"
                                   "[changes command options]\n"
                                   "      --abs-time         Display absolute times (in RFC 3339 format). Otherwise,\n"
                                   "                         display relative times up to 60 days, then YYYY-MM-DD.\n";

static const char tasks_help[] = "Usage:\n"
                                 "  snap tasks [tasks-OPTIONS] [<change-id>]\n"
                                 "\n"
                                 "The tasks command displays a summary of tasks associated with an individual\n"
                                 "change.\n"
                                 "\n"
                                 "[tasks command options]\n"
                                 "      --last=        Select last change of given type (install, refresh, remove,\n"
                                 "                     try, auto-refresh, etc.). A question mark at the end of the\n"
                                 "                     type means to do nothing (instead of returning an error) if\n"
                                 "                     no change of the given type is found. Note the question mark\n"
                                 "                     could need protecting from the shell.\n"
                                 "      --abs-time     Display absolute times (in RFC 3339 format). Otherwise,\n"
                                 "                     display relative times up to 60 days, then YYYY-MM-DD.\n"
                                 "\n"
                                 "[tasks command arguments]\n"
                                 "  <change-id>:       Change ID\n";

static const char watch_help[] = "Usage:\n"
                                 "  snap watch [watch-OPTIONS] [<change-id>]\n"
                                 "\n"
                                 "The watch command waits for the given change-id to finish and shows progress\n"
                                 "(if available).\n"
                                 "\n"
                                 "[watch command options]\n"
                                 "      --last=        Select last change of given type (install, refresh, remove,\n"
                                 "                     try, auto-refresh, etc.). A question mark at the end of the\n"
                                 "                     type means to do nothing (instead of returning an error) if\n"
                                 "                     no change of the given type is found.\n"
                                 "\n"
                                 "[watch command arguments]\n"
                                 "  <change-id>:       Change ID\n";

static const char abort_help[] = "Usage:\n"
                                 "  snap abort [abort-OPTIONS] [<change-id>]\n"
                                 "\n"
                                 "The abort command attempts to abort a change that still has pending tasks.\n"
                                 "\n"
                                 "[abort command options]\n"
                                 "      --last=        Select last change of given type (install, refresh, remove,\n"
                                 "                     try, auto-refresh, etc.). A question mark at the end of the\n"
                                 "                     type means to do nothing (instead of returning an error) if\n"
                                 "                     no change of the given type is found.\n"
                                 "\n"
                                 "[abort command arguments]\n"
                                 "  <change-id>:       Change ID\n";

/* snapd's warnMaintenance: a pending restart is worth a warning on stderr. */
static void warn_maintenance(SnClient *c)
{
    json_t *m = sn_client_maintenance(c);
    if (!m)
        return;
    const char *kind = json_string_value(json_object_get(m, "kind"));
    const char *msg = json_string_value(json_object_get(m, "message"));
    if (kind && SN_STREQ(kind, "system-restart")) {
        const char *op = json_string_value(json_object_get(json_object_get(m, "value"), "op"));
        fprintf(stderr, "WARNING: snapd is about to %s the system\n",
                op && SN_STREQ(op, "halt")       ? "halt"
                : op && SN_STREQ(op, "poweroff") ? "power off"
                                                 : "reboot");
    } else if (msg) {
        fprintf(stderr, "WARNING: %s\n", msg);
    }
}

static int64_t spawn_key(json_t *chg)
{
    SnTime t;
    if (sn_time_parse(json_string_value(json_object_get(chg, "spawn-time")), &t) < 0 || !t.set)
        return INT64_MIN;
    return t.sec * 1000000000LL + t.nsec;
}

static int cmp_spawn(const void *a, const void *b)
{
    int64_t x = spawn_key(*(json_t *const *)a), y = spawn_key(*(json_t *const *)b);
    return x < y ? -1 : x > y;
}

static void fmt_time_field(json_t *o, const char *key, bool abs_time, char *buf, size_t size)
{
    SnTime t;
    if (sn_time_parse(json_string_value(json_object_get(o, key)), &t) < 0)
        t = (SnTime){0};
    sn_time_format(&t, abs_time, buf, size);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* GET /v2/changes?select=all[&for=SNAP]. */
static int query_changes(SnClient *c, const char *snap, json_t **ret, SnError **reterr)
{
    _sn_free_ char *esc = snap ? sn_client_escape(snap) : NULL;
    _sn_free_ char *query = snap ? sn_strdup_printf("select=all&for=%s", esc ? esc : "") : strdup("select=all");
    if (!query)
        return -ENOMEM;
    return sn_client_sync(c, "GET", "/v2/changes", query, NULL, ret, reterr);
}

int sn_cmd_changes(int argc, char **argv)
{
    static const struct option options[] = {
        {"abs-time", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool abs_time = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'a':
            abs_time = true;
            break;
        case 'h':
            fputs(changes_help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    const char *snap = optind < argc ? argv[optind] : NULL;
    if (snap && all_digits(snap))
        return sn_cli_failf("'snap changes' command expects a snap name, try 'snap tasks %s'", snap);
    if (snap && SN_STREQ(snap, "everything")) {
        puts("Yes, yes it does.");
        return 0;
    }

    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    json_t *changes = NULL;
    int r = query_changes(client, snap && *snap ? snap : NULL, &changes, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, snap, NULL, NULL, NULL);
    warn_maintenance(client);
    size_t n = json_array_size(changes);
    if (n == 0) {
        json_decref(changes);
        fprintf(stderr, "no changes found\n");
        return 0;
    }
    json_t **v = calloc(n, sizeof(json_t *));
    if (!v) {
        json_decref(changes);
        return sn_cli_fail(-ENOMEM, NULL);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(changes, i);
    qsort(v, n, sizeof(json_t *), cmp_spawn);
    SnTable t = SN_TABLE_INIT;
    sn_table_printf(&t, "ID\tStatus\tSpawn\tReady\tSummary\n");
    for (size_t i = 0; i < n; i++) {
        char spawn[128], ready[128];
        fmt_time_field(v[i], "spawn-time", abs_time, spawn, sizeof(spawn));
        fmt_time_field(v[i], "ready-time", abs_time, ready, sizeof(ready));
        const char *id = json_string_value(json_object_get(v[i], "id"));
        const char *status = json_string_value(json_object_get(v[i], "status"));
        const char *summary = json_string_value(json_object_get(v[i], "summary"));
        sn_table_printf(&t, "%s\t%s\t%s\t%s\t%s\n", id ? id : "", status ? status : "", spawn, ready,
                        summary ? summary : "");
    }
    free(v);
    json_decref(changes);
    r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
    putchar('\n');
    return r < 0 ? sn_cli_fail(r, NULL) : 0;
}

/* Kinds --last accepts in short form ("install" for "install-snap"). */
static const char *const short_kinds[] = {"install", "refresh", "remove",     "revert",    "enable", "disable",
                                          "switch",  "connect", "disconnect", "configure", "try"};

/*
 * snapd's changeIDMixin: the id given, or the latest change of --last's kind. Returns 1 when
 * none was found and the kind ended in '?' (nothing to do), 0 with *ret_id, or the exit status
 * of a printed error as a negative number.
 */
static int get_change_id(SnClient *c, const char *id, const char *last, char **ret_id)
{
    if (!id && !last) {
        sn_cli_failf("please provide change ID or type with --last=<type>");
        return -1;
    }
    if (id) {
        if (last) {
            sn_cli_failf("cannot use change ID and type together");
            return -1;
        }
        *ret_id = strdup(id);
        return *ret_id ? 0 : -1;
    }
    _sn_free_ char *kind = strdup(last);
    if (!kind)
        return -1;
    bool optional = false;
    size_t len = strlen(kind);
    if (len > 0 && kind[len - 1] == '?') {
        optional = true;
        kind[--len] = '\0';
    }
    for (size_t i = 0; i < SN_ELEMENTSOF(short_kinds); i++)
        if (SN_STREQ(kind, short_kinds[i])) {
            char *k = sn_strdup_printf("%s-snap", kind);
            if (!k)
                return -1;
            free(kind);
            kind = k;
            break;
        }
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    json_t *changes = NULL;
    int r = query_changes(c, NULL, &changes, &err);
    if (r < 0) {
        sn_cli_report(c, r, err, NULL, NULL, NULL, NULL);
        return -1;
    }
    warn_maintenance(c);
    if (json_array_size(changes) == 0) {
        json_decref(changes);
        if (optional)
            return 1;
        sn_cli_failf("no changes found");
        return -1;
    }
    json_t *latest = NULL, *chg;
    size_t i;
    json_array_foreach(changes, i, chg)
    {
        const char *k = json_string_value(json_object_get(chg, "kind"));
        if (k && SN_STREQ(k, kind) && (!latest || spawn_key(latest) < spawn_key(chg)))
            latest = chg;
    }
    if (!latest) {
        json_decref(changes);
        if (optional)
            return 1;
        sn_cli_failf("no changes of type \"%s\" found", last);
        return -1;
    }
    *ret_id = strdup(json_string_value(json_object_get(latest, "id")) ?: "");
    json_decref(changes);
    return *ret_id ? 0 : -1;
}

/* The options every change-id verb takes; returns -1 to go on, or an exit status. */
static int parse_change_args(int argc, char **argv, const char *help, bool *abs_time, const char **ret_id,
                             const char **ret_last)
{
    static const struct option options[] = {
        {"last", required_argument, NULL, 'l'},
        {"abs-time", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    optind = 0;
    opterr = 0;
    *ret_last = NULL;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'l':
            *ret_last = optarg;
            break;
        case 'a':
            if (!abs_time)
                return sn_cli_unknown_flag(argv);
            *abs_time = true;
            break;
        case 'h':
            fputs(help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    *ret_id = optind < argc ? argv[optind] : NULL;
    return -1;
}

int sn_cmd_tasks(int argc, char **argv)
{
    bool abs_time = false;
    const char *id_arg, *last;
    int ex = parse_change_args(argc, argv, tasks_help, &abs_time, &id_arg, &last);
    if (ex >= 0)
        return ex;
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *id = NULL;
    int r = get_change_id(client, id_arg, last, &id);
    if (r != 0)
        return r > 0 ? 0 : 1;

    _sn_free_ char *esc = sn_client_escape(id);
    _sn_free_ char *path = esc ? sn_strdup_printf("/v2/changes/%s", esc) : NULL;
    if (!path)
        return sn_cli_fail(-ENOMEM, NULL);
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    json_t *chg = NULL;
    r = sn_client_sync(client, "GET", path, NULL, NULL, &chg, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    warn_maintenance(client);

    json_t *tasks = json_object_get(chg, "tasks"), *task;
    size_t i;
    SnTable t = SN_TABLE_INIT;
    sn_table_printf(&t, "Status\tSpawn\tReady\tSummary\n");
    json_array_foreach(tasks, i, task)
    {
        char spawn[128], ready[128];
        fmt_time_field(task, "spawn-time", abs_time, spawn, sizeof(spawn));
        fmt_time_field(task, "ready-time", abs_time, ready, sizeof(ready));
        const char *status = json_string_value(json_object_get(task, "status")) ?: "";
        const char *summary = json_string_value(json_object_get(task, "summary")) ?: "";
        json_t *progress = json_object_get(task, "progress");
        json_int_t done = json_integer_value(json_object_get(progress, "done"));
        json_int_t total = json_integer_value(json_object_get(progress, "total"));
        if (SN_STREQ(status, "Doing") && total > 1)
            sn_table_printf(&t, "%s\t%s\t%s\t%s (%.2f%%)\n", status, spawn, ready, summary,
                            (double)done / (double)total * 100.0);
        else
            sn_table_printf(&t, "%s\t%s\t%s\t%s\n", status, spawn, ready, summary);
    }
    r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
    json_array_foreach(tasks, i, task)
    {
        json_t *log = json_object_get(task, "log"), *line;
        if (json_array_size(log) == 0)
            continue;
        printf("\n......................................................................\n%s\n\n",
               json_string_value(json_object_get(task, "summary")) ?: "");
        size_t k;
        json_array_foreach(log, k, line)
        {
            printf("%s\n", json_string_value(line) ?: "");
        }
    }
    putchar('\n');
    json_decref(chg);
    return r < 0 ? sn_cli_fail(r, NULL) : 0;
}

int sn_cmd_watch(int argc, char **argv)
{
    const char *id_arg, *last;
    int ex = parse_change_args(argc, argv, watch_help, NULL, &id_arg, &last);
    if (ex >= 0)
        return ex;
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *id = NULL;
    int r = get_change_id(client, id_arg, last, &id);
    if (r != 0)
        return r > 0 ? 0 : 1;
    SnWaitOptions opts = {.skip_abort = true, .wait_for_wait_status = true, .ansi = isatty(STDOUT_FILENO)};
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    r = sn_wait_change(client, id, &opts, NULL, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    return 0;
}

int sn_cmd_abort(int argc, char **argv)
{
    const char *id_arg, *last;
    int ex = parse_change_args(argc, argv, abort_help, NULL, &id_arg, &last);
    if (ex >= 0)
        return ex;
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *id = NULL;
    int r = get_change_id(client, id_arg, last, &id);
    if (r != 0)
        return r > 0 ? 0 : 1;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    r = sn_client_abort(client, id, NULL, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    return 0;
}
