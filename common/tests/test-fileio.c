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

#include "fd-util.h"
#include "fileio.h"

static char root[] = "/tmp/sn-fileio-XXXXXX";
static int rootfd = -1;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
    close(rootfd);
}

TestSuite(fileio, .init = setup, .fini = teardown);

static unsigned count_entries(void)
{
    unsigned n = 0;
    DIR *d = opendir(root);
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.' || strncmp(de->d_name, ".#", 2) == 0)
            n++;
    closedir(d);
    return n;
}

Test(fileio, atomic_write_replaces_with_mode)
{
    umask(077);
    cr_assert_eq(sn_write_file_atomic(rootfd, "state", "one", 3, 0644), 0);
    cr_assert_eq(sn_write_file_atomic(rootfd, "state", "two!", 4, 0644), 0);
    char *data = NULL;
    cr_assert_eq(sn_read_file_at(rootfd, "state", 100, &data, NULL), 0);
    cr_assert_str_eq(data, "two!");
    free(data);
    struct stat st;
    cr_assert_eq(fstatat(rootfd, "state", &st, 0), 0);
    cr_assert_eq(st.st_mode & 07777, 0644, "umask must not change the requested mode");
    cr_assert_eq(count_entries(), 1, "no temporary may be left behind");
}

Test(fileio, atomic_write_into_missing_dir_fails_cleanly)
{
    cr_assert_eq(sn_write_file_atomic(rootfd, "nodir/state", "x", 1, 0600), -ENOENT);
    cr_assert_eq(count_entries(), 0);
}

Test(fileio, mkdir_p_creates_parents)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/a/b/c", root);
    cr_assert_eq(sn_mkdir_p(path, 0755), 0);
    cr_assert_eq(sn_mkdir_p(path, 0755), 0);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
}
