/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "strutil.h"
#include "wrappers.h"

static char root[64];

static void make_root(void)
{
    strcpy(root, "/tmp/sn-wrap-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

static void remove_root(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(wrappers, .init = make_root, .fini = remove_root);

static SnSnapInfo *parse(const char *text)
{
    SnSnapInfo *info = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_snap_yaml_parse(text, strlen(text), &info, &err), 0, "%s", err ? err->message : "");
    return info;
}

static char *link_of(const char *name)
{
    _sn_free_ char *p = sn_strdup_printf("%s/snap/bin/%s", root, name);
    char buf[256];
    ssize_t n = readlink(p, buf, sizeof(buf) - 1);
    if (n < 0)
        return NULL;
    buf[n] = '\0';
    return strdup(buf);
}

static const char yaml[] = "name: hello\nversion: '1'\napps:\n"
                           "  hello:\n    command: bin/hello\n"
                           "  world:\n    command: bin/world\n"
                           "  svc:\n    command: bin/svc\n    daemon: simple\n";

Test(wrappers, writes_a_symlink_per_app_but_not_for_services)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    SnError *err = NULL;
    cr_assert_eq(sn_policy_write_wrappers(root, info, "hello", "/usr/bin/snap", &err), 0, "%s",
                 err ? err->message : "");
    _sn_free_ char *a = link_of("hello");
    _sn_free_ char *b = link_of("hello.world");
    _sn_free_ char *c = link_of("hello.svc");
    _sn_free_ char *d = link_of("hello.hello");
    cr_assert_str_eq(a, "/usr/bin/snap");
    cr_assert_str_eq(b, "/usr/bin/snap");
    cr_assert_null(c, "services get no wrapper");
    cr_assert_null(d, "the app named like the snap is /snap/bin/NAME");
    sn_error_free(err);
}

Test(wrappers, a_refresh_removes_wrappers_of_dropped_apps_only)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    cr_assert_eq(sn_policy_write_wrappers(root, info, "hello", "/usr/bin/snap", NULL), 0);
    /* Another instance, another snap with a shared prefix, and a user's own file. */
    _sn_free_ char *other = sn_strdup_printf("%s/snap/bin/hello_k.world", root);
    _sn_free_ char *other2 = sn_strdup_printf("%s/snap/bin/hellox", root);
    _sn_free_ char *mine = sn_strdup_printf("%s/snap/bin/hello.mine", root);
    cr_assert_eq(symlink("/usr/bin/snap", other), 0);
    cr_assert_eq(symlink("/usr/bin/snap", other2), 0);
    cr_assert_eq(symlink("/usr/bin/elsewhere", mine), 0);

    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info2 =
        parse("name: hello\nversion: '2'\napps:\n  hello:\n    command: bin/hello\n");
    cr_assert_eq(sn_policy_write_wrappers(root, info2, "hello", "/usr/bin/snap", NULL), 0);
    _sn_free_ char *a = link_of("hello");
    _sn_free_ char *b = link_of("hello.world");
    _sn_free_ char *c = link_of("hello_k.world");
    _sn_free_ char *d = link_of("hellox");
    _sn_free_ char *e = link_of("hello.mine");
    cr_assert_not_null(a);
    cr_assert_null(b, "the dropped app's wrapper stayed");
    cr_assert_not_null(c);
    cr_assert_not_null(d);
    cr_assert_not_null(e, "a symlink that is not a wrapper was removed");

    cr_assert_eq(sn_policy_remove_wrappers(root, "hello", "/usr/bin/snap", NULL), 0);
    _sn_free_ char *a2 = link_of("hello");
    _sn_free_ char *c2 = link_of("hello_k.world");
    cr_assert_null(a2);
    cr_assert_not_null(c2);
}

Test(wrappers, instances_get_their_own_names)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    cr_assert_eq(sn_policy_write_wrappers(root, info, "hello_foo", NULL, NULL), 0);
    _sn_free_ char *a = link_of("hello_foo");
    _sn_free_ char *b = link_of("hello_foo.world");
    cr_assert_not_null(a);
    cr_assert_not_null(b);
    cr_assert_eq(sn_policy_write_wrappers(root, info, "world", NULL, NULL), -EINVAL);
    cr_assert_eq(sn_policy_write_wrappers(root, info, "hellox", NULL, NULL), -EINVAL);
    cr_assert_eq(sn_policy_remove_wrappers(root, "../x", NULL, NULL), -EINVAL);
    _sn_free_ char *n1 = sn_policy_wrapper_name("hello_foo", "hello");
    _sn_free_ char *n2 = sn_policy_wrapper_name("hello", "hello-x");
    cr_assert_str_eq(n1, "hello_foo");
    cr_assert_str_eq(n2, "hello.hello-x");
}
