/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"

static char root[] = "/tmp/sn-daemon-XXXXXX";
static char sock[256];

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    snprintf(sock, sizeof(sock), "%s/run/snapd.socket", root);
}

static void teardown(void)
{
    char cmd[300];
    /* The daemon makes $ROOT/snap a shared mount point (mount.h) and leaves it for its next start. */
    snprintf(cmd, sizeof(cmd), "%s/snap", root);
    (void)umount2(cmd, MNT_DETACH);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(daemon, .init = setup, .fini = teardown, .timeout = 60);

static pid_t start(void)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        SnDaemonOptions o = {.root = root};
        _exit(sn_daemon_run(&o, NULL) < 0 ? 1 : 0);
    }
    for (int i = 0; i < 200; i++) {
        struct stat s;
        if (stat(sock, &s) == 0)
            return pid;
        poll(NULL, 0, 10);
    }
    cr_assert_fail("the daemon did not create its socket");
    return -1;
}

Test(daemon, serves_refuses_a_second_and_stops_cleanly_on_sigterm)
{
    pid_t pid = start();

    SnDaemonOptions o = {.root = root};
    SnError *err = NULL;
    cr_assert_eq(sn_daemon_run(&o, &err), -EBUSY);
    cr_assert_not_null(strstr(err->message, "another snapd is running"), "%s", err->message);
    sn_error_free(err);

    cr_assert_eq(kill(pid, SIGTERM), 0);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
    struct stat s;
    cr_assert_neq(stat(sock, &s), 0, "the socket was left behind");

    /* The lock went with it: a new daemon starts on the same state. */
    pid = start();
    kill(pid, SIGINT);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

Test(daemon, refuses_a_relative_root)
{
    SnDaemonOptions o = {.root = "relative/root"};
    SnError *err = NULL;
    cr_assert_eq(sn_daemon_run(&o, &err), -EINVAL);
    cr_assert_not_null(strstr(err->message, "absolute"));
    sn_error_free(err);
}
