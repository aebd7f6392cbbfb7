/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * `snap services [SNAP[.APP]...]`, `snap start|stop|restart [--enable|--disable|--reload] [--no-wait]
 * NAME[.APP]...` and `snap logs [-n=N] [-f] NAME[.APP]...` in snapd's layout: GET /v2/apps, POST
 * /v2/apps, GET /v2/logs (application/json-seq). `logs -f` asks with follow=true and prints each
 * record as the daemon streams it, until the daemon ends the stream or the command is killed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client-util.h"
#include "client.h"
#include "cmd.h"
#include "strutil.h"
#include "wait.h"

static const char services_help[] = "Usage:\n"
                                    "  snap services [<service>...]\n"
                                    "\n"
                                    "The services command lists information about the services specified, or about\n"
                                    "the services in all currently installed snaps.\n";

static const char start_help[] = "Usage:\n"
                                 "  snap start [start-OPTIONS] <service>...\n"
                                 "\n"
                                 "The start command starts, and optionally enables, the given services.\n"
                                 "\n"
                                 "[start command options]\n"
                                 "      --no-wait     Do not wait for the operation to finish but just print the\n"
                                 "                    change id.\n"
                                 "      --enable      As well as starting the service now, arrange for it to be\n"
                                 "                    started on boot.\n";

static const char stop_help[] = "Usage:\n"
                                "  snap stop [stop-OPTIONS] <service>...\n"
                                "\n"
                                "The stop command stops, and optionally disables, the given services.\n"
                                "\n"
                                "[stop command options]\n"
                                "      --no-wait     Do not wait for the operation to finish but just print the\n"
                                "                    change id.\n"
                                "      --disable     As well as stopping the service now, arrange for it to no\n"
                                "                    longer be started on boot.\n";

static const char restart_help[] = "Usage:\n"
                                   "  snap restart [restart-OPTIONS] <service>...\n"
                                   "\n"
                                   "The restart command restarts the given services.\n"
                                   "\n"
                                   "If the --reload option is given, for each service whose app has a reload\n"
                                   "command, a reload is performed instead of a restart.\n"
                                   "\n"
                                   "[restart command options]\n"
                                   "      --no-wait     Do not wait for the operation to finish but just print the\n"
                                   "                    change id.\n"
                                   "      --reload      If the service has a reload command, use it instead of\n"
                                   "                    restarting.\n";

static const char logs_help[] = "Usage:\n"
                                "  snap logs [logs-OPTIONS] <service>...\n"
                                "\n"
                                "The logs command fetches logs of the given services and displays them in\n"
                                "chronological order.\n"
                                "\n"
                                "[logs command options]\n"
                                "      -n=           Show only the given number of lines, or 'all'. (default: 10)\n"
                                "      -f            Wait for new lines and print them as they come in.\n";

/* "a,b,c" of argv[from..argc), escaped for a query: NULL on ENOMEM. */
static char *names_query(int argc, char **argv, int from)
{
    SnBuf b = {0};
    for (int i = from; i < argc; i++) {
        _sn_free_ char *e = sn_client_escape(argv[i]);
        sn_buf_printf(&b, "%s%s", i > from ? "," : "", e ? e : "");
    }
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return NULL;
    }
    return b.data ? sn_buf_steal(&b) : strdup("");
}

int sn_cmd_services(int argc, char **argv)
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {0}};
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        if (c == 'h') {
            fputs(services_help, stdout);
            return 0;
        }
        return sn_cli_unknown_flag(argv);
    }
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *names = names_query(argc, argv, optind);
    _sn_free_ char *query = names ? sn_strdup_printf("select=service%s%s", *names ? "&names=" : "", names) : NULL;
    if (!query)
        return sn_cli_failf("out of memory");
    json_t *apps = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_client_sync(client, "GET", "/v2/apps", query, NULL, &apps, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    if (json_array_size(apps) == 0) {
        json_decref(apps);
        fputs("There are no services provided by installed snaps.\n", stderr);
        return 0;
    }
    SnTable t = SN_TABLE_INIT;
    sn_table_printf(&t, "Service\tStartup\tCurrent\tNotes\n");
    size_t i;
    json_t *a;
    json_array_foreach(apps, i, a)
    {
        const char *notes = "-";
        json_t *acts = json_object_get(a, "activators");
        if (json_array_size(acts) > 0) {
            const char *type = json_string_value(json_object_get(json_array_get(acts, 0), "Type"));
            notes = type && SN_STREQ(type, "timer") ? "timer-activated" : "socket-activated";
        }
        const char *scope = json_string_value(json_object_get(a, "daemon-scope"));
        if (scope && SN_STREQ(scope, "user"))
            notes = "user";
        sn_table_printf(&t, "%s.%s\t%s\t%s\t%s\n", json_string_value(json_object_get(a, "snap")),
                        json_string_value(json_object_get(a, "name")),
                        json_is_true(json_object_get(a, "enabled")) ? "enabled" : "disabled",
                        json_is_true(json_object_get(a, "active")) ? "active" : "inactive", notes);
    }
    json_decref(apps);
    r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
    return r < 0 ? 1 : 0;
}

static int service_op(int argc, char **argv, const char *action, const char *help, const char *flag,
                      const char *done_msg)
{
    static const struct option options[] = {
        {"no-wait", no_argument, NULL, 'w'}, {"enable", no_argument, NULL, 'e'}, {"disable", no_argument, NULL, 'd'},
        {"reload", no_argument, NULL, 'r'},  {"help", no_argument, NULL, 'h'},   {0},
    };
    bool no_wait = false, flag_set = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "h", options, NULL)) >= 0;) {
        switch (c) {
        case 'w':
            no_wait = true;
            break;
        case 'e':
        case 'd':
        case 'r': {
            const char *name = c == 'e' ? "enable" : c == 'd' ? "disable" : "reload";
            if (!SN_STREQ(name, flag))
                return sn_cli_unknown_flag(argv);
            flag_set = true;
            break;
        }
        case 'h':
            fputs(help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    if (optind >= argc)
        return sn_cli_failf("the required argument `<service> (at least 1 argument)` was not provided");
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    json_t *names = json_array();
    for (int i = optind; names && i < argc; i++)
        json_array_append_new(names, json_string(argv[i]));
    json_t *body = names ? json_pack("{s:s, s:o}", "action", action, "names", names) : NULL;
    if (!body)
        return sn_cli_failf("out of memory");
    if (flag_set)
        json_object_set_new(body, flag, json_true());
    _sn_free_ char *id = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_client_async(client, "POST", "/v2/apps", NULL, body, &id, &err);
    json_decref(body);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    if (no_wait) {
        printf("%s\n", id);
        return 0;
    }
    SnWaitOptions opts = {.ansi = isatty(STDOUT_FILENO)};
    json_t *chg = NULL;
    r = sn_wait_change(client, id, &opts, &chg, &err);
    json_decref(chg);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    printf("%s\n", done_msg);
    return 0;
}

int sn_cmd_start(int argc, char **argv)
{
    return service_op(argc, argv, "start", start_help, "enable", "Started.");
}

int sn_cmd_stop(int argc, char **argv)
{
    return service_op(argc, argv, "stop", stop_help, "disable", "Stopped.");
}

int sn_cmd_restart(int argc, char **argv)
{
    return service_op(argc, argv, "restart", restart_help, "reload", "Restarted.");
}

/* One log entry as snapd's client.Log.String() prints it (RFC 3339, whole seconds). */
static void print_entry(json_t *e)
{
    const char *ts = json_string_value(json_object_get(e, "timestamp"));
    SnTime t = {0};
    char when[64] = "";
    if (ts && sn_time_parse(ts, &t) >= 0) {
        time_t sec = (time_t)t.sec;
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    printf("%s %s[%s]: %s\n", when, json_string_value(json_object_get(e, "sid")) ?: "",
           json_string_value(json_object_get(e, "pid")) ?: "", json_string_value(json_object_get(e, "message")) ?: "");
}

/* GET /v2/logs: the entries (a JSON array) of the json-seq body. */
static int get_logs(SnClient *c, const char *query, json_t **ret, SnError **reterr)
{
    SnClientRequest req = {.method = "GET", .path = "/v2/logs", .query = query};
    SnClientResponse rsp = {0};
    int r = sn_client_do(c, &req, &rsp, reterr);
    if (r < 0)
        return r;
    if (rsp.status != 200 || !rsp.content_type || !sn_startswith(rsp.content_type, "application/json-seq")) {
        json_t *env = NULL;
        r = sn_client_decode(c, &rsp, &env, reterr);
        json_decref(env);
        sn_client_response_done(&rsp);
        return r < 0 ? r : sn_error_set(reterr, -EBADMSG, "unexpected answer to GET /v2/logs");
    }
    json_t *out = json_array();
    for (char *p = rsp.body; out && p && *p;) {
        char *rs = strchr(p, '\x1e');
        if (!rs)
            break;
        char *next = strchr(rs + 1, '\x1e');
        size_t len = next ? (size_t)(next - rs - 1) : strlen(rs + 1);
        json_t *e = json_loadb(rs + 1, len, 0, NULL);
        if (json_is_object(e))
            json_array_append(out, e);
        json_decref(e);
        p = next;
    }
    sn_client_response_done(&rsp);
    if (!out)
        return -ENOMEM;
    *ret = out;
    return 0;
}

/* The records of a streamed json-seq body, printed as they complete (RS, JSON, LF each). */
typedef struct SeqPrinter {
    SnBuf pending; /* an incomplete record */
} SeqPrinter;

static int seq_on_body(void *userdata, const char *data, size_t len)
{
    SeqPrinter *p = userdata;
    if (sn_buf_append(&p->pending, data, len) < 0)
        return -ENOMEM;
    char *start = p->pending.data;
    char *end = p->pending.data + p->pending.len;
    for (;;) {
        char *lf = memchr(start, '\n', (size_t)(end - start));
        if (!lf)
            break;
        char *rec = start;
        if (rec < lf && *rec == '\x1e')
            rec++;
        json_t *e = json_loadb(rec, (size_t)(lf - rec), 0, NULL);
        if (json_is_object(e))
            print_entry(e);
        json_decref(e);
        start = lf + 1;
    }
    fflush(stdout);
    size_t rest = (size_t)(end - start);
    memmove(p->pending.data, start, rest);
    p->pending.len = rest;
    p->pending.data[rest] = '\0';
    return 0;
}

/* GET /v2/logs?follow=true: prints records as they come; returns when the daemon ends the stream. */
static int follow_logs(SnClient *c, const char *query, SnError **reterr)
{
    SeqPrinter p = {0};
    SnClientRequest req = {.method = "GET",
                           .path = "/v2/logs",
                           .query = query,
                           .timeout_ms = -1,
                           .on_body = seq_on_body,
                           .on_body_userdata = &p};
    SnClientResponse rsp = {0};
    int r = sn_client_do(c, &req, &rsp, reterr);
    sn_buf_done(&p.pending);
    if (r < 0)
        return r;
    if (rsp.status != 200 || !rsp.content_type || !sn_startswith(rsp.content_type, "application/json-seq")) {
        json_t *env = NULL;
        r = sn_client_decode(c, &rsp, &env, reterr);
        json_decref(env);
        sn_client_response_done(&rsp);
        return r < 0 ? r : sn_error_set(reterr, -EBADMSG, "unexpected answer to GET /v2/logs");
    }
    sn_client_response_done(&rsp);
    return 0;
}

int sn_cmd_logs(int argc, char **argv)
{
    static const struct option options[] = {{"help", no_argument, NULL, 'h'}, {0}};
    const char *n_arg = "10";
    bool follow = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "hn:f", options, NULL)) >= 0;) {
        switch (c) {
        case 'n':
            n_arg = optarg[0] == '=' ? optarg + 1 : optarg;
            break;
        case 'f':
            follow = true;
            break;
        case 'h':
            fputs(logs_help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    long n = 10;
    if (SN_STREQ(n_arg, "all"))
        n = -1;
    else {
        int64_t v;
        if (sn_parse_i64(n_arg, &v) < 0 || v < -1)
            return sn_cli_failf("invalid argument for flag `-n': expected a non-negative integer argument, or "
                                "\"all\"");
        n = (long)v;
    }
    if (optind >= argc)
        return sn_cli_failf("the required argument `<service> (at least 1 argument)` was not provided");
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *names = names_query(argc, argv, optind);
    _sn_free_ char *query = names ? sn_strdup_printf("names=%s&n=%ld%s", names, n, follow ? "&follow=true" : "") : NULL;
    if (!query)
        return sn_cli_failf("out of memory");
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    if (follow) {
        int r = follow_logs(client, query, &err);
        return r < 0 ? sn_cli_report(client, r, err, NULL, NULL, NULL, NULL) : 0;
    }
    json_t *entries = NULL;
    int r = get_logs(client, query, &entries, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) print_entry(e);
    json_decref(entries);
    return 0;
}
