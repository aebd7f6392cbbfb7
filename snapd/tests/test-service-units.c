/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fd-util.h"
#include "fileio.h"
#include "service-units.h"
#include "snap-yaml.h"
#include "strutil.h"

static char root[] = "/tmp/sn-units-XXXXXX";

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(service_units, .init = setup, .fini = teardown);

static SnSnapInfo *parse(const char *yaml)
{
    SnSnapInfo *info = NULL;
    SnError *err = NULL;
    int r = sn_snap_yaml_parse(yaml, strlen(yaml), &info, &err);
    cr_assert_eq(r, 0, "yaml: %s", sn_error_message(err, r));
    sn_error_free(err);
    return info;
}

typedef struct Units {
    SnUnitFile *v;
    size_t n;
} Units;

static Units gen(const SnSnapInfo *info, const char *instance, const char *rev)
{
    Units u = {0};
    SnError *err = NULL;
    int r = sn_service_units_generate(info, instance, rev, &u.v, &u.n, &err);
    cr_assert_eq(r, 0, "generate: %s", sn_error_message(err, r));
    sn_error_free(err);
    return u;
}

static const SnUnitFile *unit(const Units *u, const char *name)
{
    for (size_t i = 0; i < u->n; i++)
        if (SN_STREQ(u->v[i].name, name))
            return &u->v[i];
    cr_assert_fail("no unit %s", name);
    return NULL;
}

/* snapd's own expectation (wrappers/internal/service_unit_gen_test.go), with /snap as mount dir. */
Test(service_units, a_simple_service_is_snapds_unit_byte_for_byte)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse("name: snap\nversion: 1.0\napps:\n"
                                                              "    app:\n"
                                                              "        command: bin/start\n"
                                                              "        stop-command: bin/stop\n"
                                                              "        reload-command: bin/reload\n"
                                                              "        post-stop-command: bin/stop --post\n"
                                                              "        stop-timeout: 10s\n"
                                                              "        daemon: simple\n");
    Units u = gen(info, NULL, "44");
    cr_assert_eq(u.n, 1);
    cr_assert_str_eq(u.v[0].name, "snap.snap.app.service");
    cr_assert_str_eq(u.v[0].dir, "etc/systemd/system");
    cr_assert_str_eq(u.v[0].wanted_by, "multi-user.target");
    cr_assert_str_eq(u.v[0].content, "[Unit]\n"
                                     "# Auto-generated, DO NOT EDIT\n"
                                     "Description=Service for snap application snap.app\n"
                                     "Requires=snap-snap-44.mount\n"
                                     "Wants=network.target\n"
                                     "After=snap-snap-44.mount network.target snapd.apparmor.service\n"
                                     "X-Snappy=yes\n"
                                     "\n"
                                     "[Service]\n"
                                     "EnvironmentFile=-/etc/environment\n"
                                     "ExecStart=/usr/bin/snap run snap.app\n"
                                     "SyslogIdentifier=snap.app\n"
                                     "Restart=on-failure\n"
                                     "WorkingDirectory=/var/snap/snap/44\n"
                                     "ExecStop=/usr/bin/snap run --command=stop snap.app\n"
                                     "ExecReload=/usr/bin/snap run --command=reload snap.app\n"
                                     "ExecStopPost=/usr/bin/snap run --command=post-stop snap.app\n"
                                     "TimeoutStopSec=10s\n"
                                     "Type=simple\n"
                                     "\n"
                                     "[Install]\n"
                                     "WantedBy=multi-user.target\n");
    sn_unit_files_free(u.v, u.n);
}

Test(service_units, an_app_named_after_its_snap_runs_as_the_snap_and_the_mount_unit_is_escaped)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: xkcd-webserver\nversion: 1\napps:\n  xkcd-webserver:\n    command: bin/s\n    daemon: forking\n");
    Units u = gen(info, NULL, "44");
    const char *c = unit(&u, "snap.xkcd-webserver.xkcd-webserver.service")->content;
    cr_assert(strstr(c, "\nRequires=snap-xkcd\\x2dwebserver-44.mount\n"), "%s", c);
    cr_assert(strstr(c, "\nExecStart=/usr/bin/snap run xkcd-webserver\n"), "%s", c);
    cr_assert(strstr(c, "\nSyslogIdentifier=xkcd-webserver.xkcd-webserver\n"), "%s", c);
    cr_assert(strstr(c, "\nTimeoutStopSec=30s\nType=forking\n\n[Install]\n"), "%s", c);
    sn_unit_files_free(u.v, u.n);
}

Test(service_units, oneshot_with_a_stop_command_remains_after_exit_and_never_restarts)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: snap\nversion: 1\napps:\n  app:\n    command: bin/s\n    stop-command: bin/stop\n"
              "    daemon: oneshot\n");
    Units u = gen(info, NULL, "44");
    const char *c = u.v[0].content;
    cr_assert(strstr(c, "\nRestart=no\n"), "%s", c);
    cr_assert(strstr(c, "\nType=oneshot\nRemainAfterExit=yes\n"), "%s", c);
    sn_unit_files_free(u.v, u.n);
}

Test(service_units, service_keys_carry_snap_yaml_values)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse("name: snap\nversion: 1\napps:\n"
                                                              "  app:\n"
                                                              "    command: bin/s\n"
                                                              "    daemon: notify\n"
                                                              "    restart-condition: never\n"
                                                              "    restart-delay: 500ms\n"
                                                              "    start-timeout: 1m30s\n"
                                                              "    watchdog-timeout: 20s\n"
                                                              "    success-exit-status: [3, 42]\n"
                                                              "    stop-mode: sigusr1\n"
                                                              "    after: [db]\n"
                                                              "    before: [web]\n"
                                                              "  db:\n    command: bin/db\n    daemon: simple\n"
                                                              "    stop-mode: sighup-all\n"
                                                              "  web:\n    command: bin/web\n    daemon: simple\n");
    Units u = gen(info, NULL, "x1");
    const char *c = unit(&u, "snap.snap.app.service")->content;
    cr_assert(strstr(c, "\nAfter=snap-snap-x1.mount network.target snap.snap.db.service snapd.apparmor.service\n"
                        "Before=snap.snap.web.service\nX-Snappy=yes\n"),
              "%s", c);
    cr_assert(strstr(c, "\nRestart=no\nRestartSec=500ms\nSuccessExitStatus=3 42\nWorkingDirectory=/var/snap/snap/x1\n"),
              "%s", c);
    cr_assert(strstr(c, "\nTimeoutStopSec=30s\nTimeoutStartSec=1m30s\nType=notify\nWatchdogSec=20s\n"
                        "KillMode=process\nKillSignal=SIGUSR1\n"),
              "%s", c);
    const char *db = unit(&u, "snap.snap.db.service")->content;
    cr_assert(strstr(db, "\nType=simple\nKillSignal=SIGHUP\n"), "%s", db);
    cr_assert_null(strstr(db, "KillMode"), "%s", db);
    sn_unit_files_free(u.v, u.n);
}

Test(service_units, dbus_activated_service_gets_its_bus_name_and_no_install_section)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: snap\nversion: 1\nslots:\n  dbus-slot:\n    interface: dbus\n    bus: system\n"
              "    name: org.example.Foo\n"
              "apps:\n  app:\n    command: bin/s\n    daemon: dbus\n    activates-on: [dbus-slot]\n");
    Units u = gen(info, NULL, "1");
    const char *c = u.v[0].content;
    cr_assert(strstr(c, "\nType=dbus\nBusName=org.example.Foo\n"), "%s", c);
    cr_assert_null(strstr(c, "[Install]"), "%s", c);
    cr_assert_null(u.v[0].wanted_by);
    sn_unit_files_free(u.v, u.n);
}

Test(service_units, user_daemons_go_to_the_user_directory_without_the_mount_dependency)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: snap\nversion: 1\napps:\n  app:\n    command: bin/s\n    daemon: simple\n"
              "    daemon-scope: user\n");
    Units u = gen(info, NULL, "44");
    cr_assert_str_eq(u.v[0].dir, "etc/systemd/user");
    cr_assert_str_eq(u.v[0].wanted_by, "default.target");
    cr_assert_str_eq(u.v[0].content, "[Unit]\n# Auto-generated, DO NOT EDIT\n"
                                     "Description=Service for snap application snap.app\nX-Snappy=yes\n\n"
                                     "[Service]\nEnvironmentFile=-/etc/environment\n"
                                     "ExecStart=/usr/bin/snap run snap.app\nSyslogIdentifier=snap.app\n"
                                     "Restart=on-failure\nWorkingDirectory=/var/snap/snap/44\n"
                                     "TimeoutStopSec=30s\nType=simple\n\n[Install]\nWantedBy=default.target\n");
    sn_unit_files_free(u.v, u.n);
}

Test(service_units, a_timer_gets_a_timer_unit_with_oncalendar_events)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: snap\nversion: 1\napps:\n  app:\n    command: bin/s\n    daemon: simple\n"
              "    timer: 10:00-12:00/2\n");
    Units u = gen(info, NULL, "44");
    cr_assert_eq(u.n, 2);
    const char *svc = unit(&u, "snap.snap.app.service")->content;
    cr_assert(strstr(svc, "\nExecStart=/usr/bin/snap run --timer=\"10:00-12:00/2\" snap.app\n"), "%s", svc);
    cr_assert_null(strstr(svc, "[Install]"), "%s", svc);
    const SnUnitFile *t = unit(&u, "snap.snap.app.timer");
    cr_assert_str_eq(t->wanted_by, "timers.target");
    cr_assert_str_eq(t->content, "[Unit]\n# Auto-generated, DO NOT EDIT\n"
                                 "Description=Timer app for snap application snap.app\n"
                                 "Requires=snap-snap-44.mount\nAfter=snap-snap-44.mount\nX-Snappy=yes\n\n"
                                 "[Timer]\nUnit=snap.snap.app.service\n"
                                 "OnCalendar=*-*-* 10:00\nOnCalendar=*-*-* 11:00\n\n"
                                 "[Install]\nWantedBy=timers.target\n");
    sn_unit_files_free(u.v, u.n);
}

static char *calendar_of(const char *schedule, int *ret)
{
    _sn_free_ char *yaml = sn_strdup_printf(
        "name: snap\nversion: 1\napps:\n  app:\n    command: bin/s\n    daemon: simple\n    timer: \"%s\"\n", schedule);
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    Units u = {0};
    *ret = sn_service_units_generate(info, NULL, "1", &u.v, &u.n, NULL);
    if (*ret < 0)
        return NULL;
    const char *c = unit(&u, "snap.snap.app.timer")->content;
    SnBuf b = {0};
    for (const char *p = strstr(c, "OnCalendar="); p; p = strstr(p + 1, "OnCalendar=")) {
        const char *nl = strchr(p, '\n');
        sn_buf_append(&b, p + strlen("OnCalendar="), (size_t)(nl - p) - strlen("OnCalendar="));
        sn_buf_putc(&b, '|');
    }
    sn_unit_files_free(u.v, u.n);
    return sn_buf_steal(&b);
}

/* snapd's own table (service_timer_gen_test.go), the cases without week positions. */
Test(service_units, schedules_convert_as_snapd_converts_them)
{
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"9:00-11:00,,20:00-22:00", "*-*-* 09:00|*-*-* 20:00|"},
        {"9:00-11:00/2,,20:00", "*-*-* 09:00|*-*-* 10:00|*-*-* 20:00|"},
        {"mon,10:00,,fri,15:00", "Mon *-*-* 10:00|Fri *-*-* 15:00|"},
        {"mon-fri,10:00-11:00", "Mon,Tue,Wed,Thu,Fri *-*-* 10:00|"},
        {"fri-mon,10:00-11:00", "Fri,Sat,Sun,Mon *-*-* 10:00|"},
        {"23:00-01:00/4", "*-*-* 23:00|*-*-* 23:30|*-*-* 00:00|*-*-* 00:30|"},
        {"24:00", "*-*-* 00:00|"},
        {"mon", "Mon *-*-*|"},
        {"mon,fri", "Mon *-*-*|Fri *-*-*|"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        int r;
        _sn_free_ char *got = calendar_of(cases[i].in, &r);
        cr_assert_eq(r, 0, "%s: %d", cases[i].in, r);
        cr_assert_str_eq(got, cases[i].out, "%s", cases[i].in);
    }
}

Test(service_units, spread_schedules_pick_a_minute_inside_each_window)
{
    for (int i = 0; i < 20; i++) {
        int r;
        _sn_free_ char *got = calendar_of("23:00~24:00/4", &r);
        cr_assert_eq(r, 0);
        int m[4];
        cr_assert_eq(sscanf(got, "*-*-* 23:%d|*-*-* 23:%d|*-*-* 23:%d|*-*-* 23:%d|", &m[0], &m[1], &m[2], &m[3]), 4,
                     "%s", got);
        for (int k = 0; k < 4; k++)
            cr_assert(m[k] >= 15 * k && m[k] < 15 * k + 15, "%s", got);
    }
}

Test(service_units, week_positions_are_refused_with_a_reason)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: snap\nversion: 1\napps:\n  app:\n    command: bin/s\n    daemon: simple\n    timer: mon1,10:00\n");
    SnUnitFile *v = NULL;
    size_t n = 0;
    SnError *err = NULL;
    cr_assert_eq(sn_service_units_generate(info, NULL, "1", &v, &n, &err), -EOPNOTSUPP);
    cr_assert(strstr(err->message, "app app") && strstr(err->message, "week positions"), "%s", err->message);
    sn_error_free(err);
}

Test(service_units, sockets_get_socket_units_with_the_paths_resolved)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: snap\nversion: 1\n"
              "apps:\n  app:\n    command: bin/s\n    daemon: simple\n    plugs: [network-bind]\n    sockets:\n"
              "      sock1:\n        listen-stream: $SNAP_DATA/sock1.socket\n        socket-mode: 0666\n"
              "      sock2:\n        listen-stream: 8080\n");
    Units u = gen(info, NULL, "44");
    cr_assert_eq(u.n, 3);
    const SnUnitFile *s1 = unit(&u, "snap.snap.app.sock1.socket");
    cr_assert_str_eq(s1->wanted_by, "sockets.target");
    cr_assert_str_eq(s1->content, "[Unit]\n# Auto-generated, DO NOT EDIT\n"
                                  "Description=Socket sock1 for snap application snap.app\n"
                                  "Requires=snap-snap-44.mount\nAfter=snap-snap-44.mount\nX-Snappy=yes\n\n"
                                  "[Socket]\nService=snap.snap.app.service\nFileDescriptorName=sock1\n"
                                  "ListenStream=/var/snap/snap/44/sock1.socket\nSocketMode=0666\n\n"
                                  "[Install]\nWantedBy=sockets.target\n");
    const char *s2 = unit(&u, "snap.snap.app.sock2.socket")->content;
    cr_assert(strstr(s2, "\nListenStream=8080\n\n"), "%s", s2);
    cr_assert_null(strstr(unit(&u, "snap.snap.app.service")->content, "[Install]"));
    sn_unit_files_free(u.v, u.n);
}

Test(service_units, escape_path_follows_systemd)
{
    static const char *const cases[][2] = {
        {"/snap/hello-world/29", "snap-hello\\x2dworld-29"},
        {"/snap/foo_bar/x1", "snap-foo_bar-x1"},
        {"/", "-"},
        {"/a//b/", "a-b"},
        {"/.hidden/x", "\\x2ehidden-x"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        _sn_free_ char *got = sn_systemd_escape_path(cases[i][0]);
        cr_assert_str_eq(got, cases[i][1]);
    }
}

static const char *two_services = "name: snap\nversion: 1\napps:\n"
                                  "  one:\n    command: bin/s\n    daemon: simple\n"
                                  "  two:\n    command: bin/s\n    daemon: simple\n    timer: 10:00\n"
                                  "  tool:\n    command: bin/t\n";

static char *path(const char *rel)
{
    char *p = sn_strdup_printf("%s/%s", root, rel);
    cr_assert_not_null(p);
    return p;
}

static bool exists(const char *rel)
{
    _sn_free_ char *p = path(rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

Test(service_units, write_is_atomic_idempotent_and_prunes_what_is_gone)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(two_services);
    bool changed = false;
    SnError *err = NULL;
    int r = sn_service_units_write(root, info, NULL, "1", &changed, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert(changed);
    cr_assert(exists("etc/systemd/system/snap.snap.one.service"));
    cr_assert(exists("etc/systemd/system/snap.snap.two.service"));
    cr_assert(exists("etc/systemd/system/snap.snap.two.timer"));
    cr_assert(!exists("etc/systemd/system/snap.snap.tool.service"));
    _sn_free_ char *p = path("etc/systemd/system/snap.snap.one.service");
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0644);

    cr_assert_eq(sn_service_units_write(root, info, NULL, "1", &changed, NULL), 0);
    cr_assert(!changed, "an unchanged unit was rewritten");

    /* another snap's unit and a hand-written one of ours stay */
    _sn_free_ char *other = path("etc/systemd/system/snap.other.x.service");
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, other, "[Unit]\nX-Snappy=yes\n", 20, 0644), 0);
    _sn_free_ char *mine = path("etc/systemd/system/snap.snap.admin.service");
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, mine, "[Unit]\n", 7, 0644), 0);

    /* the next revision drops "two" */
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *next =
        parse("name: snap\nversion: 2\napps:\n  one:\n    command: bin/s\n    daemon: simple\n");
    cr_assert_eq(sn_service_units_set_enabled(root, "snap", sn_snap_info_find_app(info, "two"), true, NULL), 0);
    cr_assert_eq(sn_service_units_write(root, next, NULL, "2", &changed, NULL), 0);
    cr_assert(changed);
    cr_assert(!exists("etc/systemd/system/snap.snap.two.service"));
    cr_assert(!exists("etc/systemd/system/snap.snap.two.timer"));
    cr_assert(!exists("etc/systemd/system/timers.target.wants/snap.snap.two.timer"));
    cr_assert(exists("etc/systemd/system/snap.other.x.service"));
    cr_assert(exists("etc/systemd/system/snap.snap.admin.service"));
    _sn_free_ char *data = NULL;
    cr_assert_eq(sn_read_file_at(AT_FDCWD, p, 1 << 16, &data, NULL), 0);
    cr_assert(strstr(data, "WorkingDirectory=/var/snap/snap/2\n"));

    cr_assert_eq(sn_service_units_remove(root, "snap", NULL), 0);
    cr_assert(!exists("etc/systemd/system/snap.snap.one.service"));
    cr_assert(exists("etc/systemd/system/snap.other.x.service"));
}

Test(service_units, enable_links_the_activating_unit_as_systemctl_does)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(two_services);
    const SnApp *one = sn_snap_info_find_app(info, "one");
    const SnApp *two = sn_snap_info_find_app(info, "two");
    cr_assert_eq(sn_service_units_is_enabled(root, "snap", one), 0);
    cr_assert_eq(sn_service_units_set_enabled(root, "snap", one, true, NULL), 0);
    cr_assert_eq(sn_service_units_set_enabled(root, "snap", one, true, NULL), 0);
    cr_assert_eq(sn_service_units_set_enabled(root, "snap", two, true, NULL), 0);
    cr_assert_eq(sn_service_units_is_enabled(root, "snap", one), 1);
    cr_assert_eq(sn_service_units_is_enabled(root, "snap", two), 1);
    _sn_free_ char *link = path("etc/systemd/system/multi-user.target.wants/snap.snap.one.service");
    char target[256] = {0};
    cr_assert_gt(readlink(link, target, sizeof(target) - 1), 0);
    cr_assert_str_eq(target, "/etc/systemd/system/snap.snap.one.service");
    cr_assert(exists("etc/systemd/system/timers.target.wants/snap.snap.two.timer"));
    cr_assert(!exists("etc/systemd/system/multi-user.target.wants/snap.snap.two.service"));
    cr_assert_eq(sn_service_units_set_enabled(root, "snap", one, false, NULL), 0);
    cr_assert_eq(sn_service_units_set_enabled(root, "snap", one, false, NULL), 0);
    cr_assert_eq(sn_service_units_is_enabled(root, "snap", one), 0);
}

/* systemd-analyze verify over every generated unit: no complaint, exit 0. */
Test(service_units, systemd_analyze_verify_accepts_the_units)
{
    cr_assert_eq(access("/usr/bin/systemd-analyze", X_OK), 0,
                 "systemd-analyze is missing (scripts/packages.txt: systemd)");
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: snap-x\nversion: 1\napps:\n"
              "  web:\n    command: bin/s\n    daemon: notify\n    stop-command: bin/stop\n"
              "    post-stop-command: bin/post\n    reload-command: bin/reload\n    restart-condition: on-abnormal\n"
              "    restart-delay: 250ms\n    start-timeout: 1m\n    stop-timeout: 5s\n    watchdog-timeout: 10s\n"
              "    success-exit-status: [7]\n    stop-mode: sigint\n    after: [db]\n    before: [job]\n"
              "  db:\n    command: bin/db\n    daemon: forking\n    stop-mode: sigusr2-all\n"
              "  job:\n    command: bin/job\n    daemon: oneshot\n    stop-command: bin/stop\n"
              "  tick:\n    command: bin/t\n    daemon: simple\n    timer: mon-fri,9:00~17:00/4,,sun,12:00\n"
              "  sock:\n    command: bin/s\n    daemon: simple\n    plugs: [network-bind]\n    sockets:\n"
              "      api:\n        listen-stream: $SNAP_COMMON/api.sock\n        socket-mode: 0660\n"
              "  usr:\n    command: bin/u\n    daemon: simple\n    daemon-scope: user\n");
    Units u = gen(info, NULL, "12");
    /* the unit path holds our units (ExecStart pointed at a binary that exists here) and the mount unit */
    _sn_free_ char *dir = path("verify");
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    const char *mount = "[Unit]\nDescription=Mount unit for snap-x, revision 12\n\n[Mount]\n"
                        "What=/var/lib/snapd/snaps/snap-x_12.snap\nWhere=/snap/snap-x/12\nType=squashfs\n"
                        "Options=nodev,ro,x-gdu.hide,x-gvfs-hide\nLazyUnmount=yes\n";
    _sn_free_ char *mp = sn_strdup_printf("%s/snap-snap\\x2dx-12.mount", dir);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, mp, mount, strlen(mount), 0644), 0);
    SnBuf args = {0};
    for (size_t i = 0; i < u.n; i++) {
        SnBuf text = {0};
        const char *c = u.v[i].content;
        for (const char *p = c;;) {
            const char *hit = strstr(p, "/usr/bin/snap ");
            if (!hit) {
                sn_buf_puts(&text, p);
                break;
            }
            sn_buf_append(&text, p, (size_t)(hit - p));
            sn_buf_puts(&text, "/bin/true ");
            p = hit + strlen("/usr/bin/snap ");
        }
        _sn_free_ char *up = sn_strdup_printf("%s/%s", dir, u.v[i].name);
        cr_assert_eq(sn_write_file_atomic(AT_FDCWD, up, text.data, text.len, 0644), 0);
        sn_buf_done(&text);
        if (SN_STREQ(u.v[i].dir, "etc/systemd/system"))
            sn_buf_printf(&args, " '%s'", up);
    }
    cr_assert_eq(u.n, 8);
    _sn_free_ char *out = path("verify.out");
    _sn_free_ char *cmd =
        sn_strdup_printf("SYSTEMD_UNIT_PATH='%s': systemd-analyze verify --man=no%s > '%s' 2>&1", dir, args.data, out);
    int rc = system(cmd);
    _sn_free_ char *log = NULL;
    cr_assert_eq(sn_read_file_at(AT_FDCWD, out, 1 << 20, &log, NULL), 0);
    cr_assert_eq(rc, 0, "systemd-analyze failed:\n%s", log);
    cr_assert_str_eq(log, "", "systemd-analyze complained:\n%s", log);
    sn_buf_done(&args);
    sn_unit_files_free(u.v, u.n);
}
