/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "service-def.h"
#include "strutil.h"

static SnSnapInfo *parse(const char *yaml)
{
    SnSnapInfo *info = NULL;
    SnError *err = NULL;
    int r = sn_snap_yaml_parse(yaml, strlen(yaml), &info, &err);
    cr_assert_eq(r, 0, "yaml: %s", sn_error_message(err, r));
    sn_error_free(err);
    return info;
}

static char *argv_str(char **v)
{
    SnBuf b = {0};
    for (char **a = v; a && *a; a++)
        sn_buf_printf(&b, "%s%s", a == v ? "" : " ", *a);
    return sn_buf_steal(&b);
}

Test(service_def, defs_carry_launcher_commands_and_snapd_defaults)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse("name: hello\nversion: 1\napps:\n"
                                                              "  hello:\n    command: bin/h\n    daemon: simple\n"
                                                              "  tool:\n    command: bin/t\n"
                                                              "  job:\n    command: bin/j\n    daemon: oneshot\n"
                                                              "    stop-command: bin/stop\n"
                                                              "    post-stop-command: bin/post\n"
                                                              "    restart-condition: always\n");
    SnServiceDef *defs = NULL;
    size_t n = 0;
    SnServiceExecOptions o = {.snap_command = "/build/snap", .root = "/tmp/r"};
    cr_assert_eq(sn_service_defs_from_snap(info, NULL, "7", &o, &defs, &n, NULL), 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(defs[0].name, "hello.hello");
    _sn_free_ char *s0 = argv_str(defs[0].start_argv);
    cr_assert_str_eq(s0, "/build/snap run hello");
    cr_assert_str_eq(defs[0].working_dir, "/tmp/r/var/snap/hello/7");
    cr_assert_eq(defs[0].type, SN_SERVICE_SIMPLE);
    cr_assert_eq(defs[0].restart, SN_RESTART_ON_FAILURE);
    cr_assert_eq(defs[0].restart_delay_ns, SN_SERVICE_DEFAULT_RESTART_DELAY_NS);
    cr_assert_eq(defs[0].stop_timeout_ns, SN_SERVICE_DEFAULT_STOP_TIMEOUT_NS);
    cr_assert_eq(defs[0].start_timeout_ns, SN_SERVICE_DEFAULT_START_TIMEOUT_NS);
    cr_assert_eq(defs[0].kill_signal, SIGTERM);
    cr_assert(defs[0].kill_all);
    cr_assert(defs[0].enabled);
    cr_assert_null(defs[0].stop_argv);

    cr_assert_str_eq(defs[1].name, "hello.job");
    _sn_free_ char *stop = argv_str(defs[1].stop_argv);
    cr_assert_str_eq(stop, "/build/snap run --command=stop hello.job");
    _sn_free_ char *post = argv_str(defs[1].post_stop_argv);
    cr_assert_str_eq(post, "/build/snap run --command=post-stop hello.job");
    cr_assert_eq(defs[1].restart, SN_RESTART_NO, "oneshot never restarts");
    cr_assert(defs[1].remain_after_exit);
    cr_assert_eq(defs[1].start_timeout_ns, 0, "oneshot has no start timeout by default");

    SnServiceDef copy;
    cr_assert_eq(sn_service_def_copy(&defs[1], &copy), 0);
    cr_assert_str_eq(copy.post_stop_argv[3], "hello.job");
    cr_assert_neq(copy.post_stop_argv, defs[1].post_stop_argv);
    sn_service_def_done(&copy);
    sn_service_defs_free(defs, n);
}

Test(service_def, policies_come_from_snap_yaml)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse("name: sx\nversion: 1\napps:\n"
                                                              "  a:\n    command: bin/a\n    daemon: notify\n"
                                                              "    restart-condition: never\n"
                                                              "    restart-delay: 2s\n    start-timeout: 3s\n"
                                                              "    stop-timeout: 4s\n    watchdog-timeout: 5s\n"
                                                              "    stop-mode: sigusr2\n    install-mode: disable\n"
                                                              "    refresh-mode: endure\n    after: [b]\n"
                                                              "    success-exit-status: [9]\n"
                                                              "  b:\n    command: bin/b\n    daemon: simple\n"
                                                              "    stop-mode: sighup-all\n    timer: 10:00\n"
                                                              "  u:\n    command: bin/u\n    daemon: simple\n"
                                                              "    daemon-scope: user\n");
    SnServiceDef *defs = NULL;
    size_t n = 0;
    cr_assert_eq(sn_service_defs_from_snap(info, "sx_inst", "x2", NULL, &defs, &n, NULL), 0);
    cr_assert_eq(n, 3);
    SnServiceDef *a = &defs[0], *b = &defs[1];
    cr_assert_str_eq(a->name, "sx_inst.a");
    _sn_free_ char *sa = argv_str(a->start_argv);
    cr_assert_str_eq(sa, "/usr/bin/snap run sx_inst.a");
    cr_assert_str_eq(a->working_dir, "/var/snap/sx_inst/x2");
    cr_assert_eq(a->type, SN_SERVICE_NOTIFY);
    cr_assert_eq(a->restart, SN_RESTART_NO);
    cr_assert_eq(a->restart_delay_ns, 2000000000LL);
    cr_assert_eq(a->start_timeout_ns, 3000000000LL);
    cr_assert_eq(a->stop_timeout_ns, 4000000000LL);
    cr_assert_eq(a->watchdog_ns, 5000000000LL);
    cr_assert_eq(a->kill_signal, SIGUSR2);
    cr_assert(!a->kill_all);
    cr_assert(!a->enabled);
    cr_assert(a->endure);
    cr_assert_str_eq(a->after[0], "sx_inst.b");
    cr_assert_eq(a->n_success_exit_status, 1);
    cr_assert_eq(a->success_exit_status[0], 9);
    cr_assert_eq(b->kill_signal, SIGHUP);
    cr_assert(b->kill_all);
    cr_assert(b->timer_activated);
    cr_assert(!b->user_daemon);
    cr_assert(defs[2].user_daemon);
    _sn_free_ char *sb = argv_str(b->start_argv);
    cr_assert_str_eq(sb, "/usr/bin/snap run --timer=10:00 sx_inst.b");
    sn_service_defs_free(defs, n);
}

Test(service_def, names_convert_both_ways)
{
    SnRestartCondition c;
    cr_assert_eq(sn_restart_condition_from_string("never", &c), 0);
    cr_assert_eq(c, SN_RESTART_NO);
    cr_assert_eq(sn_restart_condition_from_string("on-watchdog", &c), 0);
    cr_assert_str_eq(sn_restart_condition_to_string(c), "on-watchdog");
    cr_assert_eq(sn_restart_condition_from_string("sometimes", &c), -EINVAL);
    SnServiceType t;
    cr_assert_eq(sn_service_type_from_string("forking", &t), 0);
    cr_assert_str_eq(sn_service_type_to_string(t), "forking");
    cr_assert_eq(sn_service_type_from_string("daemon", &t), -EINVAL);
    int sig;
    bool all;
    cr_assert_eq(sn_stop_mode_parse(NULL, &sig, &all), 0);
    cr_assert(sig == SIGTERM && all);
    cr_assert_eq(sn_stop_mode_parse("sigint", &sig, &all), 0);
    cr_assert(sig == SIGINT && !all);
    cr_assert_eq(sn_stop_mode_parse("sigusr1-all", &sig, &all), 0);
    cr_assert(sig == SIGUSR1 && all);
    cr_assert_eq(sn_stop_mode_parse("sigkill", &sig, &all), -EINVAL);
    cr_assert_eq(sn_stop_mode_parse("sigterm-some", &sig, &all), -EINVAL);
}
