/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"

static char root[] = "/tmp/sn-fd-util-XXXXXX";
static int rootfd = -1;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cr_assert_geq(rootfd, 0);
    cr_assert_eq(mkdirat(rootfd, "d", 0755), 0);
    cr_assert_eq(sn_write_file_atomic(rootfd, "d/f", "hello", 5, 0644), 0);
    cr_assert_eq(symlinkat("/etc", rootfd, "d/link"), 0);
    cr_assert_eq(symlinkat("f", rootfd, "d/flink"), 0);
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
    close(rootfd);
}

TestSuite(fd_util, .init = setup, .fini = teardown);

typedef int (*opener)(int, const char *, int, mode_t);

static void check_beneath(opener open_fn)
{
    int fd = open_fn(rootfd, "d/f", O_RDONLY, 0);
    cr_assert_geq(fd, 0);
    char buf[8] = {0};
    cr_assert_eq(read(fd, buf, sizeof(buf)), 5);
    cr_assert_str_eq(buf, "hello");
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    cr_assert_eq(open_fn(rootfd, "d/link/passwd", O_RDONLY, 0), -ELOOP);
    cr_assert_eq(open_fn(rootfd, "d/flink", O_RDONLY, 0), -ELOOP);
    cr_assert_eq(open_fn(rootfd, "../etc/passwd", O_RDONLY, 0), -EXDEV);
    cr_assert_eq(open_fn(rootfd, "/etc/passwd", O_RDONLY, 0), -EXDEV);
    cr_assert_eq(open_fn(rootfd, "d/missing", O_RDONLY, 0), -ENOENT);
}

Test(fd_util, openat_beneath_refuses_symlinks_and_escapes)
{
    check_beneath(sn_openat_beneath);
}

Test(fd_util, fallback_behaves_like_openat2)
{
    check_beneath(sn_openat_beneath_fallback);
}

Test(fd_util, read_fd_all_caps_size)
{
    int fd = openat(rootfd, "d/f", O_RDONLY | O_CLOEXEC);
    char *data = NULL;
    cr_assert_eq(sn_read_fd_all(fd, 4, &data, NULL), -EFBIG);
    cr_assert_null(data);
    lseek(fd, 0, SEEK_SET);
    size_t len = 0;
    cr_assert_eq(sn_read_fd_all(fd, 5, &data, &len), 0);
    cr_assert_eq(len, 5);
    cr_assert_str_eq(data, "hello");
    free(data);
    close(fd);
}
