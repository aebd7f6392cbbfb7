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
#include "policy-blob.h"
#include "read-snap.h"
#include "strutil.h"

static char root[64];

static void make_root(void)
{
    strcpy(root, "/tmp/sn-read-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

static void remove_root(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(read_snap, .init = make_root, .fini = remove_root);

static const char yaml[] = "name: hello\n"
                           "version: '1.0'\n"
                           "environment:\n"
                           "  A: snap\n"
                           "  B: b\n"
                           "apps:\n"
                           "  hello:\n"
                           "    command: bin/hello --greet\n"
                           "    command-chain: [bin/chain]\n"
                           "    environment:\n"
                           "      A: app\n"
                           "  other:\n"
                           "    command: bin/other\n"
                           "hooks:\n"
                           "  configure:\n"
                           "    environment:\n"
                           "      H: hook\n";

static void put(const char *rel, const char *text)
{
    _sn_free_ char *p = sn_strdup_printf("%s/%s", root, rel);
    _sn_free_ char *dir = strdup(p);
    *strrchr(dir, '/') = '\0';
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, p, text, strlen(text), 0755), 0);
}

Test(read_snap, reads_a_snap_directory_with_its_implicit_hooks)
{
    put("snap/meta/snap.yaml", yaml);
    put("snap/meta/hooks/install", "#!/bin/sh\n");
    put("snap/meta/hooks/configure", "#!/bin/sh\n");
    put("snap/meta/hooks/Bad_Name", "#!/bin/sh\n");
    put("snap/meta/hooks/remove", "#!/bin/sh\n");
    put("snap/meta/hooks/adir/x", "");
    _sn_free_ char *dir = sn_strdup_printf("%s/snap", root);
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
    _sn_strv_free_ char **hooks = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_policy_read_snap(dir, &info, &hooks, &err), 0, "%s", err ? err->message : "");
    cr_assert_str_eq(info->name, "hello");
    cr_assert_eq(sn_strv_length(hooks), 2);
    cr_assert_str_eq(hooks[0], "install");
    cr_assert_str_eq(hooks[1], "remove");
}

Test(read_snap, refuses_a_snap_yaml_symlink)
{
    put("etc-yaml", yaml);
    _sn_free_ char *meta = sn_strdup_printf("%s/snap/meta", root);
    cr_assert_eq(sn_mkdir_p(meta, 0755), 0);
    _sn_free_ char *target = sn_strdup_printf("%s/etc-yaml", root);
    _sn_free_ char *link = sn_strdup_printf("%s/snap.yaml", meta);
    cr_assert_eq(symlink(target, link), 0);
    _sn_free_ char *dir = sn_strdup_printf("%s/snap", root);
    SnSnapInfo *info = NULL;
    char **hooks = NULL;
    SnError *err = NULL;
    cr_assert_lt(sn_policy_read_snap(dir, &info, &hooks, &err), 0);
    cr_assert_null(info);
    sn_error_free(err);
}
