/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap connect/disconnect/connections/interface against a fake snapd: the requests they send and
 * what they print. Byte-for-byte agreement with the stock client against the real daemon is
 * checked in spread-tests/interfaces/cli; these cover what that daemon cannot produce (gadget
 * connections, labels, number attributes) and the exact bodies.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "fake-server.h"

/* main.c's error printers (main.c has the verb table and main()). */
int sn_cli_fail(int r, const SnError *err)
{
    fprintf(stderr, "error: %s\n", sn_error_message(err, r));
    return 1;
}

int sn_cli_failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

typedef struct Answers {
    const char *sync_result; /* result of any GET but /v2/changes */
    const char *post_error;  /* error envelope body for the POST, or NULL for an async answer */
    int post_status;
    char *owned[FAKE_MAX_REQUESTS];
} Answers;

static const char *answer(FakeServer *s, const FakeRequest *req, size_t index, void *userdata)
{
    Answers *a = userdata;
    char *rsp;
    if (strcmp(req->method, "POST") == 0 && a->post_error)
        rsp = fake_json_response(a->post_status, "Bad Request", a->post_error);
    else if (strcmp(req->method, "POST") == 0)
        rsp = fake_json_response(202, "Accepted",
                                 "{\"type\":\"async\",\"status-code\":202,\"status\":\"Accepted\",\"change\":\"7\"}");
    else if (strncmp(req->url, "/v2/changes/7", 13) == 0)
        rsp = fake_json_response(200, "OK",
                                 "{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":{\"id\":\"7\","
                                 "\"kind\":\"connect-snap\",\"status\":\"Done\",\"ready\":true,\"tasks\":[]}}");
    else {
        _sn_free_ char *body =
            sn_strdup_printf("{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":%s}", a->sync_result);
        rsp = fake_json_response(200, "OK", body);
    }
    a->owned[index] = rsp;
    return rsp;
}

static FakeServer server;
static Answers answers;
static char root[64];
static char sock_link[PATH_MAX + 16];

/* Serves answers and points SNAPPY_GLOBAL_ROOT/run/snapd.socket at the fake server. */
static void serve(void)
{
    fake_server_start(&server, answer, &answers);
    strcpy(root, "/tmp/sn-cmd-ifaces-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    char run[128];
    snprintf(run, sizeof(run), "%s/run", root);
    cr_assert_eq(mkdir(run, 0755), 0);
    snprintf(sock_link, sizeof(sock_link), "%s/snapd.socket", run);
    cr_assert_eq(symlink(server.path, sock_link), 0);
    setenv("SNAPPY_GLOBAL_ROOT", root, 1);
}

static void stop(void)
{
    fake_server_stop(&server);
    for (size_t i = 0; i < FAKE_MAX_REQUESTS; i++)
        free(answers.owned[i]);
    unlink(sock_link);
    char run[128];
    snprintf(run, sizeof(run), "%s/run", root);
    rmdir(run);
    rmdir(root);
}

static void redirect(void)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
}

static int run(int (*verb)(int, char **), ...)
{
    char *argv[16];
    int argc = 0;
    va_list ap;
    va_start(ap, verb);
    for (char *a; argc < 15 && (a = va_arg(ap, char *));)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    serve();
    int r = verb(argc, argv);
    fflush(stdout);
    fflush(stderr);
    return r;
}

/* The JSON body of the first request must equal want. */
static void assert_body(const char *want)
{
    cr_assert_geq(fake_server_count(&server), 1);
    json_t *got = json_loadb(server.requests[0].body.data, server.requests[0].body.len, 0, NULL);
    json_t *exp = json_loads(want, 0, NULL);
    cr_assert_not_null(got);
    cr_assert_not_null(exp);
    _sn_free_ char *text = json_dumps(got, JSON_SORT_KEYS);
    cr_assert(json_equal(got, exp), "body %s, want %s", text, want);
    json_decref(got);
    json_decref(exp);
}

Test(cmd_interfaces, connect_sends_plug_and_slot_and_waits_for_the_change, .init = redirect)
{
    int r = run(sn_cmd_connect, "connect", "app:serial", "gadget:ser0", NULL);
    cr_assert_eq(r, 0);
    assert_body("{\"action\":\"connect\",\"plugs\":[{\"snap\":\"app\",\"plug\":\"serial\"}],"
                "\"slots\":[{\"snap\":\"gadget\",\"slot\":\"ser0\"}]}");
    cr_assert_str_eq(server.requests[0].url, "/v2/interfaces");
    cr_assert_geq(fake_server_count(&server), 2, "the change was not waited for");
    stop();
    cr_assert_stdout_eq_str("");
}

Test(cmd_interfaces, connect_with_a_lone_name_names_a_system_plug, .init = redirect)
{
    cr_assert_eq(run(sn_cmd_connect, "connect", "--no-wait", "network", NULL), 0);
    assert_body("{\"action\":\"connect\",\"plugs\":[{\"snap\":\"\",\"plug\":\"network\"}],"
                "\"slots\":[{\"snap\":\"\",\"slot\":\"\"}]}");
    cr_assert_eq(fake_server_count(&server), 1, "--no-wait must not poll the change");
    stop();
    cr_assert_stdout_eq_str("7\n");
}

Test(cmd_interfaces, disconnect_of_one_end_sends_it_as_the_slot_with_forget, .init = redirect)
{
    cr_assert_eq(run(sn_cmd_disconnect, "disconnect", "--forget", "app:home", NULL), 0);
    assert_body("{\"action\":\"disconnect\",\"forget\":true,\"plugs\":[{\"snap\":\"\",\"plug\":\"\"}],"
                "\"slots\":[{\"snap\":\"app\",\"slot\":\"home\"}]}");
    stop();
}

Test(cmd_interfaces, disconnect_of_nothing_is_not_an_error, .init = redirect)
{
    answers.post_status = 400;
    answers.post_error = "{\"type\":\"error\",\"status-code\":400,\"status\":\"Bad Request\",\"result\":"
                         "{\"kind\":\"interfaces-unchanged\",\"message\":\"nothing to do\"}}";
    cr_assert_eq(run(sn_cmd_disconnect, "disconnect", "app:x", ":y", NULL), 0);
    stop();
    cr_assert_stdout_eq_str("No connections to disconnect\n");
}

Test(cmd_interfaces, connect_error_is_printed_in_snapd_words, .init = redirect)
{
    answers.post_status = 400;
    answers.post_error = "{\"type\":\"error\",\"status-code\":400,\"status\":\"Bad Request\",\"result\":"
                         "{\"message\":\"snap \\\"app\\\" has no plug named \\\"x\\\"\"}}";
    cr_assert_eq(run(sn_cmd_connect, "connect", "app:x", NULL), 1);
    stop();
    cr_assert_stderr_eq_str("error: snap \"app\" has no plug named \"x\"\n");
}

Test(cmd_interfaces, argument_errors_exit_as_snapd, .init = redirect)
{
    char *a1[] = {"disconnect", "app", NULL};
    cr_assert_eq(sn_cmd_disconnect(2, a1), 1);
    char *a2[] = {"connect", NULL};
    cr_assert_eq(sn_cmd_connect(1, a2), 64);
    char *a3[] = {"connections", "--all", "app", NULL};
    cr_assert_eq(sn_cmd_connections(3, a3), 1);
    fflush(stderr);
    cr_assert_stderr_eq_str("error: invalid value: \"app\" (want snap:name or :name)\n"
                            "error: the required argument `<snap>:<plug>` was not provided\n"
                            "error: cannot use --all with snap name\n");
}

static const char connections_result[] =
    "{\"established\":["
    "{\"slot\":{\"snap\":\"gadget\",\"slot\":\"ser0\"},\"plug\":{\"snap\":\"app\",\"plug\":\"serial\"},"
    "\"interface\":\"serial-port\",\"manual\":true,\"gadget\":true},"
    "{\"slot\":{\"snap\":\"snapd\",\"slot\":\"network\"},\"plug\":{\"snap\":\"app\",\"plug\":\"network\"},"
    "\"interface\":\"network\"},"
    "{\"slot\":{\"snap\":\"prov\",\"slot\":\"docs\"},\"plug\":{\"snap\":\"app\",\"plug\":\"docs\"},"
    "\"interface\":\"content\",\"gadget\":true,\"plug-attrs\":{},\"slot-attrs\":{\"content\":\"tag\"}}],"
    "\"plugs\":["
    "{\"snap\":\"app\",\"plug\":\"serial\",\"interface\":\"serial-port\",\"connections\":[{}]},"
    "{\"snap\":\"app\",\"plug\":\"network\",\"interface\":\"network\",\"connections\":[{}]},"
    "{\"snap\":\"app\",\"plug\":\"docs\",\"interface\":\"content\",\"connections\":[{}]},"
    "{\"snap\":\"app\",\"plug\":\"bus\",\"interface\":\"i2c\"}],"
    "\"slots\":["
    "{\"snap\":\"snapd\",\"slot\":\"home\",\"interface\":\"home\"},"
    "{\"snap\":\"gadget\",\"slot\":\"i2c0\",\"interface\":\"i2c\"}]}";

Test(cmd_interfaces, connections_table_with_notes_tags_and_unconnected_ends, .init = redirect)
{
    answers.sync_result = connections_result;
    cr_assert_eq(run(sn_cmd_connections, "connections", "--all", NULL), 0);
    cr_assert_str_eq(server.requests[0].url, "/v2/connections?select=all");
    stop();
    cr_assert_stdout_eq_str("Interface     Plug         Slot         Notes\n"
                            "content[tag]  app:docs     prov:docs    gadget\n"
                            "i2c           -            gadget:i2c0  -\n"
                            "i2c           app:bus      -            -\n"
                            "network       app:network  :network     -\n"
                            "serial-port   app:serial   gadget:ser0  manual,gadget\n");
}

Test(cmd_interfaces, connections_without_all_lists_only_connected, .init = redirect)
{
    answers.sync_result = connections_result;
    cr_assert_eq(run(sn_cmd_connections, "connections", NULL), 0);
    cr_assert_str_eq(server.requests[0].url, "/v2/connections");
    stop();
    cr_assert_stdout_eq_str("Interface     Plug         Slot         Notes\n"
                            "content[tag]  app:docs     prov:docs    gadget\n"
                            "network       app:network  :network     -\n"
                            "serial-port   app:serial   gadget:ser0  manual,gadget\n");
}

Test(cmd_interfaces, connections_of_nothing_print_nothing, .init = redirect)
{
    answers.sync_result = "{\"established\":[],\"plugs\":[],\"slots\":[]}";
    cr_assert_eq(run(sn_cmd_connections, "connections", "app", NULL), 0);
    cr_assert_str_eq(server.requests[0].url, "/v2/connections?select=all&snap=app");
    stop();
    cr_assert_stdout_eq_str("");
}

Test(cmd_interfaces, one_interface_with_labels_and_scalar_attrs, .init = redirect)
{
    answers.sync_result = "[{\"name\":\"serial-port\",\"summary\":\"allows accessing a specific serial port\","
                          "\"plugs\":[{\"snap\":\"app\",\"plug\":\"serial-port\"},{\"snap\":\"app\",\"plug\":\"ser\","
                          "\"attrs\":{\"z\":1}}],"
                          "\"slots\":[{\"snap\":\"gadget\",\"slot\":\"ser0\",\"label\":\"the port\",\"attrs\":"
                          "{\"path\":\"/dev/ttyS0\",\"usb-product\":42,\"ratio\":0.5,\"on\":true,\"list\":[1]}}]}]";
    cr_assert_eq(run(sn_cmd_interface, "interface", "--attrs", "serial-port", NULL), 0);
    cr_assert_str_eq(server.requests[0].url,
                     "/v2/interfaces?doc=true&names=serial-port&plugs=true&select=all&slots=true");
    stop();
    cr_assert_stdout_eq_str("name:    serial-port\n"
                            "summary: allows accessing a specific serial port\n"
                            "plugs:\n"
                            "  - app\n"
                            "  - app:ser:\n"
                            "      z: 1\n"
                            "slots:\n"
                            "  - gadget:ser0 (the port):\n"
                            "      on:          true\n"
                            "      path:        /dev/ttyS0\n"
                            "      ratio:       0.5\n"
                            "      usb-product: 42\n");
}

Test(cmd_interfaces, interface_list_and_its_errors, .init = redirect)
{
    answers.sync_result = "[{\"name\":\"home\",\"summary\":\"allows access to non-hidden files in the home "
                          "directory\"},{\"name\":\"network\",\"summary\":\"allows access to the network\"}]";
    cr_assert_eq(run(sn_cmd_interface, "interface", NULL), 0);
    cr_assert_str_eq(server.requests[0].url, "/v2/interfaces?select=connected");
    stop();
    cr_assert_stdout_eq_str("Name     Summary\n"
                            "home     allows access to non-hidden files in the home directory\n"
                            "network  allows access to the network\n");
}

Test(cmd_interfaces, no_such_interface, .init = redirect)
{
    answers.sync_result = "[]";
    cr_assert_eq(run(sn_cmd_interface, "interface", "nope", NULL), 1);
    stop();
    cr_assert_stderr_eq_str("error: no such interface\n");
}
