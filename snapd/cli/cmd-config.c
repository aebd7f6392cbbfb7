/* SPDX-License-Identifier: GPL-3.0-only */
/* `snap set`, `snap get`, `snap unset`: GET / PUT /v2/snaps/NAME/conf with snapd's dotted keys. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client-util.h"
#include "client.h"
#include "cmd.h"
#include "wait.h"

static const char set_help[] = "Usage:\n"
                               "  snap set [set-OPTIONS] <snap> <conf value>...\n"
                               "\n"
                               "The set command changes the provided configuration options as requested.\n"
                               "\n"
                               "    $ snap set snap-name username=frank password=$PASSWORD\n"
                               "\n"
                               "All configuration changes are persisted at once, and only after the\n"
                               "snap's configuration hook returns successfully.\n"
                               "\n"
                               "Nested values may be modified via a dotted path:\n"
                               "\n"
                               "    $ snap set snap-name author.name=frank\n"
                               "\n"
                               "Configuration option may be unset with exclamation mark:\n"
                               "\n"
                               "    $ snap set snap-name author!\n"
                               "\n"
                               "[set command options]\n"
                               "      --no-wait          Do not wait for the operation to finish but just print\n"
                               "                         the change id.\n"
                               "  -t                     Parse the value strictly as JSON document\n"
                               "  -s                     Parse the value as a string\n";

static const char unset_help[] = "Usage:\n"
                                 "  snap unset [unset-OPTIONS] <snap> <conf key>...\n"
                                 "\n"
                                 "The unset command removes the provided configuration options as requested.\n"
                                 "\n"
                                 "    $ snap unset snap-name name address\n"
                                 "\n"
                                 "All configuration changes are persisted at once, and only after the\n"
                                 "snap's configuration hook returns successfully.\n"
                                 "\n"
                                 "Nested values may be removed via a dotted path:\n"
                                 "\n"
                                 "    $ snap unset snap-name user.name\n"
                                 "\n"
                                 "[unset command options]\n"
                                 "      --no-wait          Do not wait for the operation to finish but just print\n"
                                 "                         the change id.\n";

static const char get_help[] = "Usage:\n"
                               "  snap get [get-OPTIONS] <snap> [<key>...]\n"
                               "\n"
                               "The get command prints configuration options for the provided snap.\n"
                               "\n"
                               "    $ snap get snap-name username\n"
                               "    frank\n"
                               "\n"
                               "If multiple option names are provided, the corresponding values are returned:\n"
                               "\n"
                               "    $ snap get snap-name username password\n"
                               "    Key       Value\n"
                               "    username  frank\n"
                               "    password  ...\n"
                               "\n"
                               "Nested values may be retrieved via a dotted path:\n"
                               "\n"
                               "    $ snap get snap-name author.name\n"
                               "    frank\n"
                               "\n"
                               "[get command options]\n"
                               "  -d                     Always return document, even with single key\n"
                               "  -l                     Always return list, even with single key\n"
                               "  -t                     Strict typing with nulls and quoted strings\n";

/* PUT /v2/snaps/NAME/conf with patch, then wait unless no_wait. */
static int put_conf(const char *snap, json_t *patch, bool no_wait)
{
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    _sn_free_ char *esc = sn_client_escape(snap);
    _sn_free_ char *path = esc ? sn_strdup_printf("/v2/snaps/%s/conf", esc) : NULL;
    if (!path)
        return sn_cli_fail(-ENOMEM, NULL);
    _sn_free_ char *id = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_client_async(client, "PUT", path, NULL, patch, &id, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, snap, "set", NULL, NULL);
    if (no_wait) {
        printf("%s\n", id);
        return 0;
    }
    SnWaitOptions opts = {.ansi = isatty(STDOUT_FILENO)};
    r = sn_wait_change(client, id, &opts, NULL, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
    return 0;
}

int sn_cmd_set(int argc, char **argv)
{
    static const struct option options[] = {
        {"no-wait", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool no_wait = false, typed = false, as_string = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "+tsh", options, NULL)) >= 0;) {
        switch (c) {
        case 'n':
            no_wait = true;
            break;
        case 't':
            typed = true;
            break;
        case 's':
            as_string = true;
            break;
        case 'h':
            fputs(set_help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    if (argc - optind < 1)
        return sn_cli_failf("the required arguments `<snap>` and `<conf value> (at least 1 argument)` were not "
                            "provided");
    if (argc - optind < 2)
        return sn_cli_failf("the required argument `<conf value> (at least 1 argument)` was not provided");
    if (typed && as_string)
        return sn_cli_failf("cannot use -t and -s together");
    json_t *patch = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r =
        sn_config_parse_values(argv + optind + 1, (size_t)(argc - optind - 1), as_string, typed, &patch, NULL, &err);
    if (r < 0)
        return sn_cli_fail(r, err);
    r = put_conf(argv[optind], patch, no_wait);
    json_decref(patch);
    return r;
}

int sn_cmd_unset(int argc, char **argv)
{
    static const struct option options[] = {
        {"no-wait", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool no_wait = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", options, NULL)) >= 0;) {
        switch (c) {
        case 'n':
            no_wait = true;
            break;
        case 'h':
            fputs(unset_help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    if (argc - optind < 2)
        return sn_cli_failf("the required argument `<conf key> (at least 1 argument)` was not provided");
    json_t *patch = json_object();
    if (!patch)
        return sn_cli_fail(-ENOMEM, NULL);
    for (int i = optind + 1; i < argc; i++) {
        if (!*argv[i]) {
            json_decref(patch);
            return sn_cli_failf("configuration keys cannot be empty");
        }
        json_object_set_new(patch, argv[i], json_null());
    }
    int r = put_conf(argv[optind], patch, no_wait);
    json_decref(patch);
    return r;
}

static int output_json(json_t *v)
{
    _sn_free_ char *s = sn_config_format_value(v, true);
    if (!s)
        return sn_cli_fail(-ENOMEM, NULL);
    printf("%s\n", s);
    return 0;
}

static int output_list(json_t *conf, bool root, const char *snap)
{
    if (root && json_object_size(conf) == 0)
        return sn_cli_failf("snap \"%s\" has no configuration", snap);
    SnTable t = SN_TABLE_INIT;
    sn_config_list(&t, conf, root);
    int r = sn_table_flush(&t, stdout);
    sn_table_done(&t);
    return r < 0 ? sn_cli_fail(r, NULL) : 0;
}

int sn_cmd_get(int argc, char **argv)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    bool typed = false, document = false, list = false;
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "+tdlh", options, NULL)) >= 0;) {
        switch (c) {
        case 't':
            typed = true;
            break;
        case 'd':
            document = true;
            break;
        case 'l':
            list = true;
            break;
        case 'h':
            fputs(get_help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    if (argc - optind < 1)
        return sn_cli_failf("the required argument `<snap>` was not provided");
    if (document && typed)
        return sn_cli_failf("cannot use -d and -t together");
    if (document && list)
        return sn_cli_failf("cannot use -d and -l together");
    const char *snap = argv[optind];
    int nkeys = argc - optind - 1;
    SnBuf q = {0};
    for (int i = 0; i < nkeys; i++) {
        _sn_free_ char *k = sn_client_escape(argv[optind + 1 + i]);
        if (!k)
            q.failed = true;
        else
            sn_buf_printf(&q, "%s%s", i ? "," : "keys=", k);
    }
    _sn_free_ char *query = sn_buf_steal(&q);
    _sn_free_ char *esc = sn_client_escape(snap);
    _sn_free_ char *path = esc ? sn_strdup_printf("/v2/snaps/%s/conf", esc) : NULL;
    if (!query || !path)
        return sn_cli_fail(-ENOMEM, NULL);

    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    json_t *conf = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_client_sync(client, "GET", path, *query ? query : NULL, NULL, &conf, &err);
    if (r < 0)
        return sn_cli_report(client, r, err, snap, "get", NULL, NULL);
    if (!json_is_object(conf)) {
        json_decref(conf);
        return sn_cli_failf("cannot decode the configuration of snap \"%s\": not an object", snap);
    }
    bool root = nkeys == 0;
    if (document)
        r = output_json(conf);
    else if (list)
        r = output_list(conf, root, snap);
    else {
        /* snapd's outputDefault. */
        json_t *v = conf;
        if (nkeys == 1 && !json_is_object(json_object_get(conf, argv[optind + 1])))
            v = json_object_get(conf, argv[optind + 1]);
        if (root && json_object_size(conf) == 0)
            r = sn_cli_failf("snap \"%s\" has no configuration", snap);
        else if (json_is_object(v) && isatty(STDOUT_FILENO))
            r = output_list(v, root, snap);
        else if (json_is_object(v)) {
            fprintf(stderr, "WARNING: The output of 'snap get' will become a list with columns - use -d or -l to "
                            "force the output format.\n");
            r = output_json(v);
        } else if (json_is_string(v) && !typed) {
            printf("%s\n", json_string_value(v));
            r = 0;
        } else if (v || typed) {
            json_t *nul = v ? NULL : json_null();
            r = output_json(v ? v : nul);
            json_decref(nul);
        } else {
            putchar('\n');
            r = 0;
        }
    }
    json_decref(conf);
    return r;
}
