/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * sn_ifacestate_ns_update before it enters a namespace: the mount rule, and what counts as no
 * namespace. The mounts inside a real preserved namespace are run by the spread tasks
 * interfaces/content and interfaces/content-new-namespace.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "ifacestate-internal.h"
#include "strutil.h"

static char root[64];

static void make_root(void)
{
    strcpy(root, "/tmp/sn-ifacestate-ns-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    _sn_free_ char *ns = sn_strdup_printf("%s/run/snapd/ns", root);
    _sn_free_ char *lock = sn_strdup_printf("%s/run/snapd/lock", root);
    cr_assert_eq(sn_mkdir_p(ns, 0755), 0);
    cr_assert_eq(sn_mkdir_p(lock, 0755), 0);
}

static void remove_root(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(ifacestate_ns, .init = make_root, .fini = remove_root);

static void put(const char *rel, const char *text)
{
    _sn_free_ char *p = sn_strdup_printf("%s/%s", root, rel);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, p, text, strlen(text), 0644), 0);
}

static bool exists(const char *rel)
{
    _sn_free_ char *p = sn_strdup_printf("%s/%s", root, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

static SnIfaceMount docs = {"/snap/prov/x1/shared", "/snap/cons/x1/data-dir", true};

Test(ifacestate_ns, refuses_a_mount_outside_the_rule_before_touching_anything)
{
    put("run/snapd/ns/snap.cons.content", "ro /snap/prov/x1/shared /snap/cons/x1/data-dir\n");
    SnIfaceMount bad[] = {
        {"/snap/prov/x1/shared", "/snap/other/x1/data-dir", true},
        {"/etc", "/snap/cons/x1/data-dir", true},
        {"/snap/prov/x1/../../../etc", "/snap/cons/x1/data-dir", false},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        _sn_cleanup_(sn_error_freep) SnError *err = NULL;
        cr_assert_eq(sn_ifacestate_ns_update(root, "cons", &bad[i], 1, true, &err), -EINVAL, "case %zu", i);
        cr_assert_not_null(err);
    }
    cr_assert(exists("run/snapd/ns/snap.cons.content"), "a refused update must leave the record alone");
}

Test(ifacestate_ns, without_a_namespace_drops_the_record)
{
    put("run/snapd/ns/snap.cons.content", "ro /snap/prov/x1/shared /snap/cons/x1/data-dir\n");
    cr_assert_eq(sn_ifacestate_ns_update(root, "cons", &docs, 1, true, NULL), 0);
    cr_assert_not(exists("run/snapd/ns/snap.cons.content"));
}

Test(ifacestate_ns, an_ns_file_that_is_not_a_namespace_counts_as_none)
{
    /* What a launch that died before its capture helper leaves: an empty regular file. */
    put("run/snapd/ns/snap.cons.mnt", "");
    put("run/snapd/lock/cons.lock", "");
    put("run/snapd/ns/snap.cons.content", "ro /snap/prov/x1/shared /snap/cons/x1/data-dir\n");
    cr_assert_eq(sn_ifacestate_ns_update(root, "cons", &docs, 1, true, NULL), 0);
    cr_assert_not(exists("run/snapd/ns/snap.cons.content"));
    cr_assert(exists("run/snapd/ns/snap.cons.mnt"), "the file is snap-confine's to replace");
}
