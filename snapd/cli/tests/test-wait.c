/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake-server.h"
#include "wait.h"

#define ENV_SYNC(result) "{\"type\":\"sync\",\"status-code\":200,\"status\":\"OK\",\"result\":" result "}"

/* A change script: the n-th GET of the change gets steps[min(n, last)]. */
typedef struct Script {
    const char *steps[8];
    size_t n;
    char *responses[8];
    bool raise_sigint_at_second;
} Script;

static const char *scripted(FakeServer *s, const FakeRequest *req, size_t index, void *userdata)
{
    Script *sc = userdata;
    if (SN_STREQ(req->method, "POST")) {
        static char *abort_rsp;
        if (!abort_rsp)
            abort_rsp = fake_json_response(200, "OK", ENV_SYNC("{\"id\":\"1\",\"status\":\"Abort\"}"));
        return abort_rsp;
    }
    size_t gets = 0;
    for (size_t i = 0; i < index; i++)
        gets += SN_STREQ(s->requests[i].method, "GET");
    if (sc->raise_sigint_at_second && gets == 1)
        kill(getpid(), SIGINT);
    size_t k = gets < sc->n ? gets : sc->n - 1;
    return sc->responses[k];
}

static void script_start(FakeServer *s, Script *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        sc->responses[i] = fake_json_response(200, "OK", sc->steps[i]);
    fake_server_start(s, scripted, sc);
}

static void script_done(Script *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        free(sc->responses[i]);
}

static SnClient *client_for(FakeServer *s)
{
    SnClient *c = NULL;
    cr_assert_eq(sn_client_new(s->path, &c), 0);
    return c;
}

#define DOING                                                                                                          \
    ENV_SYNC(                                                                                                          \
        "{\"id\":\"1\",\"status\":\"Doing\",\"ready\":false,\"tasks\":[{\"id\":\"10\",\"kind\":\"mount-snap\","        \
        "\"summary\":\"Mount snap\",\"status\":\"Doing\",\"progress\":{\"label\":\"\",\"done\":0,\"total\":1}}]}")
#define DONE ENV_SYNC("{\"id\":\"1\",\"kind\":\"install-snap\",\"status\":\"Done\",\"ready\":true}")

Test(wait, polls_until_the_change_is_done)
{
    Script sc = {.steps = {DOING, DOING, DONE}, .n = 3};
    FakeServer s = {0};
    script_start(&s, &sc);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnWaitOptions o = {.poll_ms = 5};
    json_t *chg = NULL;
    SnError *err = NULL;
    int r = sn_wait_change(c, "1", &o, &chg, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_str_eq(json_string_value(json_object_get(chg, "kind")), "install-snap");
    json_decref(chg);
    cr_assert_eq(fake_server_count(&s), 3);
    cr_assert_str_eq(s.requests[2].url, "/v2/changes/1");
    fake_server_stop(&s);
    script_done(&sc);
}

Test(wait, a_failed_change_reports_its_err)
{
    Script sc = {.steps = {DOING, ENV_SYNC("{\"id\":\"1\",\"status\":\"Error\",\"ready\":true,\"err\":\"cannot perform "
                                           "the following tasks:\\n- Mount snap (boom)\"}")},
                 .n = 2};
    FakeServer s = {0};
    script_start(&s, &sc);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnWaitOptions o = {.poll_ms = 5};
    json_t *chg = NULL;
    SnError *err = NULL;
    int r = sn_wait_change(c, "1", &o, &chg, &err);
    cr_assert_eq(r, -EREMOTEIO);
    cr_assert_null(chg);
    cr_assert_str_eq(sn_error_message(err, r), "cannot perform the following tasks:\n- Mount snap (boom)");
    sn_error_free(err);
    fake_server_stop(&s);
    script_done(&sc);
}

Test(wait, undone_without_err_names_the_status)
{
    Script sc = {.steps = {ENV_SYNC("{\"id\":\"1\",\"status\":\"Undone\",\"ready\":true}")}, .n = 1};
    FakeServer s = {0};
    script_start(&s, &sc);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    int r = sn_wait_change(c, "1", NULL, NULL, &err);
    cr_assert_eq(r, -EREMOTEIO);
    cr_assert_str_eq(sn_error_message(err, r), "change finished in status \"Undone\" with no error message");
    sn_error_free(err);
    fake_server_stop(&s);
    script_done(&sc);
}

static const char *fixed(FakeServer *s, const FakeRequest *req, size_t index, void *userdata)
{
    return userdata;
}

Test(wait, unknown_change_is_the_daemons_error)
{
    _sn_free_ char *rsp = fake_json_response(
        404, "Not Found", "{\"type\":\"error\",\"result\":{\"message\":\"cannot find change with id \\\"9\\\"\"}}");
    FakeServer s = {0};
    fake_server_start(&s, fixed, rsp);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnError *err = NULL;
    int r = sn_wait_change(c, "9", NULL, NULL, &err);
    cr_assert_eq(r, -EREMOTEIO);
    cr_assert_str_eq(sn_error_message(err, r), "cannot find change with id \"9\"");
    sn_error_free(err);
    cr_assert_eq(fake_server_count(&s), 1, "an error envelope ends the wait at once");
    fake_server_stop(&s);
}

#define WAITING                                                                                                        \
    ENV_SYNC("{\"id\":\"1\",\"status\":\"Wait\",\"ready\":false,\"tasks\":[{\"id\":\"10\",\"kind\":\"link-snap\","     \
             "\"summary\":\"Make snap available\",\"status\":\"Wait\",\"log\":[\"2024-01-01T00:00:00Z INFO "           \
             "Task set to wait until a system restart allows to continue\"],\"progress\":{\"done\":1,\"total\":1}}]}")

Test(wait, status_wait_returns_early_and_prints_the_log_once)
{
    Script sc = {.steps = {WAITING}, .n = 1};
    FakeServer s = {0};
    script_start(&s, &sc);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    SnWaitOptions o = {.poll_ms = 5, .out = f};
    json_t *chg = NULL;
    int r = sn_wait_change(c, "1", &o, &chg, NULL);
    fclose(f);
    cr_assert_eq(r, 0);
    cr_assert_str_eq(json_string_value(json_object_get(chg, "status")), "Wait");
    json_decref(chg);
    cr_assert_str_eq(out, "2024-01-01T00:00:00Z INFO Task set to wait until a system restart allows to continue\n");
    free(out);
    fake_server_stop(&s);
    script_done(&sc);
}

Test(wait, wait_for_wait_status_keeps_waiting_and_logs_once)
{
    Script sc = {.steps = {WAITING, WAITING, WAITING, DONE}, .n = 4};
    FakeServer s = {0};
    script_start(&s, &sc);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    SnWaitOptions o = {.poll_ms = 5, .out = f, .wait_for_wait_status = true};
    int r = sn_wait_change(c, "1", &o, NULL, NULL);
    fclose(f);
    cr_assert_eq(r, 0);
    cr_assert_eq(fake_server_count(&s), 4);
    cr_assert_str_eq(out, "2024-01-01T00:00:00Z INFO Task set to wait until a system restart allows to continue\n");
    free(out);
    fake_server_stop(&s);
    script_done(&sc);
}

Test(wait, first_ctrl_c_asks_the_daemon_to_abort)
{
    Script sc = {.steps = {DOING, DOING, DOING,
                           ENV_SYNC("{\"id\":\"1\",\"status\":\"Undone\",\"ready\":true,"
                                    "\"err\":\"cannot perform the following tasks:\\n- Mount "
                                    "snap (change aborted)\"}")},
                 .n = 4,
                 .raise_sigint_at_second = true};
    FakeServer s = {0};
    script_start(&s, &sc);
    _sn_cleanup_(sn_client_freep) SnClient *c = client_for(&s);
    SnWaitOptions o = {.poll_ms = 20};
    SnError *err = NULL;
    int r = sn_wait_change(c, "1", &o, NULL, &err);
    cr_assert_eq(r, -EREMOTEIO);
    cr_assert(strstr(sn_error_message(err, r), "change aborted"));
    sn_error_free(err);
    size_t posts = 0;
    for (size_t i = 0; i < fake_server_count(&s); i++)
        if (SN_STREQ(s.requests[i].method, "POST")) {
            posts++;
            cr_assert_str_eq(s.requests[i].url, "/v2/changes/1");
            cr_assert_str_eq(s.requests[i].body.data, "{\"action\":\"abort\"}");
        }
    cr_assert_eq(posts, 1, "one abort, sent once");
    struct sigaction now;
    sigaction(SIGINT, NULL, &now);
    cr_assert_eq(now.sa_handler, SIG_DFL, "the previous SIGINT disposition is back");
    fake_server_stop(&s);
    script_done(&sc);
}

Test(wait, a_daemon_gone_too_long_is_an_error)
{
    _sn_cleanup_(sn_client_freep) SnClient *c = NULL;
    cr_assert_eq(sn_client_new("/nonexistent/snapd.socket", &c), 0);
    SnWaitOptions o = {.poll_ms = 10, .max_gone_ms = 100};
    SnError *err = NULL;
    int r = sn_wait_change(c, "1", &o, NULL, &err);
    cr_assert_eq(r, -ENOENT);
    cr_assert(sn_startswith(sn_error_message(err, r), "cannot communicate with server: "));
    sn_error_free(err);
}

Test(meter, quantities_as_snapd_prints_them)
{
    char b[32];
    sn_format_duration(0.5, b, sizeof(b));
    cr_assert_str_eq(b, "500ms");
    sn_format_duration(1.234, b, sizeof(b));
    cr_assert_str_eq(b, "1.23s");
    sn_format_duration(12.34, b, sizeof(b));
    cr_assert_str_eq(b, "12.3s");
    sn_format_duration(83, b, sizeof(b));
    cr_assert_str_eq(b, "1m23s");
    sn_format_duration(3600 * 2 + 300, b, sizeof(b));
    cr_assert_str_eq(b, "2h05m");
    sn_format_bps(12345678, 1, b, sizeof(b));
    cr_assert_str_eq(b, "12.3MB/s");
    sn_format_bps(4000, 1, b, sizeof(b));
    cr_assert_str_eq(b, " 4000B/s");
}

Test(meter, ansi_bar_reverses_the_done_part)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    SnMeter m;
    sn_meter_init(&m, f, true);
    m.width = 40;
    sn_meter_start(&m, "Download snap", 100);
    sn_meter_set(&m, 50);
    sn_meter_finished(&m);
    sn_meter_done(&m);
    fclose(f);
    /* 40 columns: label padded, " 50%", a speed and time left; the first 20 columns reversed. */
    const char *bar = strstr(out, "\r\033[7m");
    cr_assert_not_null(bar, "%s", out);
    const char *end = strstr(bar, "\033[0m");
    cr_assert_not_null(end);
    cr_assert_eq(end - (bar + 5), 20, "half of 40 columns in reverse video");
    cr_assert(strstr(out, " 50%"));
    cr_assert(strstr(out, "\033[?25h"), "the cursor comes back");
    free(out);
}

Test(meter, quiet_meter_prints_only_notifications)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    SnMeter m;
    sn_meter_init(&m, f, false);
    sn_meter_start(&m, "Download", 10);
    sn_meter_set(&m, 5);
    sn_meter_spin(&m, "spinning");
    sn_meter_notify(&m, "a log line");
    sn_meter_finished(&m);
    sn_meter_done(&m);
    fclose(f);
    cr_assert_str_eq(out, "a log line\n");
    free(out);
}

Test(meter, ansi_notify_wraps_at_spaces)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    SnMeter m;
    sn_meter_init(&m, f, true);
    m.width = 20;
    sn_meter_notify(&m, "aaaa bbbb cccc dddd eeee ffff");
    sn_meter_done(&m);
    fclose(f);
    cr_assert_str_eq(out, "\r\033[0m\033[Kaaaa bbbb cccc dddd\neeee ffff\n");
    free(out);
}
