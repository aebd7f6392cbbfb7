/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "fd-util.h"
#include "fileio.h"

static char root[] = "/tmp/sn-fault-XXXXXX";
static int rootfd = -1;

static void setup(void)
{
    if (!SN_FAULT_INJECTION)
        cr_skip_test("built without -Dfault_injection=true (build-asan/ runs these)");
    cr_assert_not_null(mkdtemp(root));
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cr_assert_eq(sn_write_file_atomic(rootfd, "state", "old", 3, 0600), 0);
}

static void teardown(void)
{
    if (rootfd < 0)
        return;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
    close(rootfd);
}

TestSuite(fault, .init = setup, .fini = teardown);

static void assert_old_state_and_no_temporaries(void)
{
    char *data = NULL;
    cr_assert_eq(sn_read_file_at(rootfd, "state", 100, &data, NULL), 0);
    cr_assert_str_eq(data, "old");
    free(data);
    DIR *d = opendir(root);
    struct dirent *de;
    unsigned n = 0;
    while ((de = readdir(d)))
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            n++;
    closedir(d);
    cr_assert_eq(n, 1, "a failed atomic write must leave no temporary behind");
}

Test(fault, full_disk_during_write_keeps_old_contents)
{
    setenv("SN_FAULTS", "write", 1);
    cr_assert_eq(sn_write_file_atomic(rootfd, "state", "new", 3, 0600), -ENOSPC);
    assert_old_state_and_no_temporaries();
}

Test(fault, failed_fsync_or_rename_keeps_old_contents)
{
    setenv("SN_FAULTS", "fsync", 1);
    cr_assert_lt(sn_write_file_atomic(rootfd, "state", "new", 3, 0600), 0);
    assert_old_state_and_no_temporaries();
    setenv("SN_FAULTS", "rename", 1);
    cr_assert_lt(sn_write_file_atomic(rootfd, "state", "new", 3, 0600), 0);
    assert_old_state_and_no_temporaries();
}

Test(fault, nth_call_selects_one_failure)
{
    setenv("SN_FAULTS", "other,write:2", 1);
    cr_assert_eq(sn_write_file_atomic(rootfd, "state", "one", 3, 0600), 0);
    cr_assert_eq(sn_write_file_atomic(rootfd, "state", "two", 3, 0600), -ENOSPC);
    cr_assert_eq(sn_write_file_atomic(rootfd, "state", "old", 3, 0600), 0);
    assert_old_state_and_no_temporaries();
}

Test(fault, openat2_fallback_is_used_when_injected)
{
    setenv("SN_FAULTS", "openat2", 1);
    cr_assert_eq(mkdirat(rootfd, "d", 0755), 0);
    cr_assert_eq(symlinkat("/etc", rootfd, "d/l"), 0);
    cr_assert_eq(sn_openat_beneath(rootfd, "d/l/passwd", O_RDONLY, 0), -ELOOP);
    int fd = sn_openat_beneath(rootfd, "state", O_RDONLY, 0);
    cr_assert_geq(fd, 0);
    close(fd);
}
