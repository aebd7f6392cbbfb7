/* SPDX-License-Identifier: GPL-3.0-only */
/* `snap ack FILE` (POST /v2/assertions) and `snap known TYPE [HEADER=VALUE...]` (GET /v2/assertions/TYPE). */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client-util.h"
#include "client.h"
#include "cmd.h"
#include "fd-util.h"

/* Assertions are small; a file past this is not one. */
#define ACK_MAX (16U << 20)

static const char ack_help[] = "Usage:\n"
                               "  snap ack [ack-OPTIONS] <assertion file>\n"
                               "\n"
                               "The ack command tries to add an assertion to the system assertion database.\n"
                               "\n"
                               "The assertion may also be a newer revision of a pre-existing assertion that it\n"
                               "will replace.\n"
                               "\n"
                               "To succeed the assertion must be valid, its signature verified with a known\n"
                               "public key and the assertion consistent with and its prerequisite in the\n"
                               "database.\n"
                               "\n"
                               "[ack command arguments]\n"
                               "  <assertion file>:      Assertion file\n";

static const char known_help[] = "Usage:\n"
                                 "  snap known [known-OPTIONS] <assertion type> [<header filter>...]\n"
                                 "\n"
                                 "The known command shows known assertions of the provided type.\n"
                                 "If header=value pairs are provided after the assertion type, the assertions\n"
                                 "shown must also have the specified headers matching the provided values.\n"
                                 "\n"
                                 "[known command options]\n"
                                 "      --remote           Query the store for the assertion, via snapd if possible\n"
                                 "\n"
                                 "[known command arguments]\n"
                                 "  <assertion type>:      Assertion type name\n"
                                 "  <header filter>:       Constrain listing to those matching header=value\n";

static int only_help(int argc, char **argv, const char *help, bool *remote)
{
    static const struct option options[] = {
        {"remote", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {0},
    };
    optind = 0;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", options, NULL)) >= 0;) {
        switch (c) {
        case 'r':
            if (!remote)
                return sn_cli_unknown_flag(argv);
            *remote = true;
            break;
        case 'h':
            fputs(help, stdout);
            return 0;
        default:
            return sn_cli_unknown_flag(argv);
        }
    }
    return -1;
}

int sn_cmd_ack(int argc, char **argv)
{
    int ex = only_help(argc, argv, ack_help, NULL);
    if (ex >= 0)
        return ex;
    if (argc - optind < 1)
        return sn_cli_failf("the required argument `<assertion file>` was not provided");
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    const char *file = argv[optind];
    _sn_free_ char *data = NULL;
    size_t len = 0;
    int r = sn_read_file_at(AT_FDCWD, file, ACK_MAX, &data, &len);
    if (r < 0)
        return sn_cli_failf("cannot assert: open %s: %s", file, r == -EFBIG ? "file too large" : strerror(-r));
    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    SnClientRequest req = {
        .method = "POST",
        .path = "/v2/assertions",
        .content_type = "application/x.ubuntu.assertion",
        .body = data,
        .body_len = len,
    };
    _sn_cleanup_(sn_client_response_done) SnClientResponse rsp = {0};
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    r = sn_client_do(client, &req, &rsp, &err);
    json_t *env = NULL;
    if (r >= 0)
        r = sn_client_decode(client, &rsp, &env, &err);
    json_decref(env);
    if (r < 0)
        return sn_cli_failf("cannot assert: %s", sn_error_message(err, r));
    return 0;
}

int sn_cmd_known(int argc, char **argv)
{
    bool remote = false;
    int ex = only_help(argc, argv, known_help, &remote);
    if (ex >= 0)
        return ex;
    if (argc - optind < 1)
        return sn_cli_failf("the required argument `<assertion type>` was not provided");
    const char *type = argv[optind];
    SnBuf q = {0};
    for (int i = optind + 1; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (!eq) {
            sn_buf_done(&q);
            return sn_cli_failf("invalid header filter: \"%s\" (want key=value)", argv[i]);
        }
        _sn_free_ char *key = strndup(argv[i], (size_t)(eq - argv[i]));
        _sn_free_ char *k = key ? sn_client_escape(key) : NULL;
        _sn_free_ char *v = sn_client_escape(eq + 1);
        if (!k || !v)
            q.failed = true;
        else
            sn_buf_printf(&q, "%s%s=%s", q.len ? "&" : "", k, v);
    }
    if (remote)
        sn_buf_printf(&q, "%sremote=true", q.len ? "&" : "");
    _sn_free_ char *query = sn_buf_steal(&q);
    _sn_free_ char *esc = sn_client_escape(type);
    _sn_free_ char *path = esc ? sn_strdup_printf("/v2/assertions/%s", esc) : NULL;
    if (!query || !path)
        return sn_cli_fail(-ENOMEM, NULL);

    _sn_cleanup_(sn_client_freep) SnClient *client = sn_cli_client_new();
    if (!client)
        return 1;
    SnClientRequest req = {.method = "GET", .path = path, .query = *query ? query : NULL};
    _sn_cleanup_(sn_client_response_done) SnClientResponse rsp = {0};
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    int r = sn_client_do(client, &req, &rsp, &err);
    if (r < 0)
        return sn_cli_fail(r, err);
    if (rsp.status != 200 || !rsp.content_type || !sn_startswith(rsp.content_type, "application/x.ubuntu.assertion")) {
        json_t *env = NULL;
        r = sn_client_decode(client, &rsp, &env, &err);
        json_decref(env);
        if (r < 0)
            return sn_cli_report(client, r, err, NULL, NULL, NULL, NULL);
        return sn_cli_failf("unexpected response to GET %s: %d (%s)", path, rsp.status,
                            rsp.content_type ? rsp.content_type : "no content type");
    }
    /* The stream as the daemon sends it: assertions separated by a blank line. */
    fwrite(rsp.body, 1, rsp.body_len, stdout);
    if (rsp.body_len > 0 && rsp.body[rsp.body_len - 1] != '\n')
        putchar('\n');
    return 0;
}
