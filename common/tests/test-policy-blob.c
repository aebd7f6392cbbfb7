/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/filter.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "policy-blob.h"

/*
 * A well-formed blob assembled by hand: 2 deny insns, 3 allow insns, 2 landlock rules, 1 device rule,
 * 2 mount entries.
 */
typedef struct TestBlob {
    uint8_t bytes[4096];
    size_t len;
} TestBlob;

static SnPolicyBlobHeader *hdr(TestBlob *t)
{
    return (SnPolicyBlobHeader *)t->bytes;
}

static void build(TestBlob *t)
{
    memset(t, 0, sizeof(*t));
    SnPolicyBlobHeader *h = hdr(t);
    memcpy(h->magic, SN_POLICY_BLOB_MAGIC, SN_POLICY_BLOB_MAGIC_LEN);
    h->version = SN_POLICY_BLOB_VERSION;
    h->header_size = SN_POLICY_BLOB_HEADER_SIZE;
    h->landlock_fs_handled = 0xffff;
    size_t off = SN_POLICY_BLOB_HEADER_SIZE;

    struct sock_filter deny[2] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_K, 0x7fff0000)};
    h->seccomp_deny = (SnPolicyBlobSection){(uint32_t)off, sizeof(deny)};
    memcpy(t->bytes + off, deny, sizeof(deny));
    off += sizeof(deny);

    struct sock_filter allow[3] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_K, 0x7fff0000),
                                   BPF_STMT(BPF_RET | BPF_K, 0x7fff0000)};
    h->seccomp_allow = (SnPolicyBlobSection){(uint32_t)off, sizeof(allow)};
    memcpy(t->bytes + off, allow, sizeof(allow));
    off += sizeof(allow); /* 16 + 24 = 40 bytes: still 8-aligned */

    /* Offsets: 0 "/usr", 5 "snap/foo", 14 source 0, 39 target 0, 62 source 1, 88 target 1. */
    const char strings[] = "/usr\0snap/foo\0/snap/prov/12/shared/doc\0/snap/cons/x1/data-dir\0"
                           "/var/snap/prov/common/out\0/var/snap/cons/x1/incoming";
    SnPolicyLandlockRule rules[2] = {
        {.access = 0x5, .path_offset = 0, .path_len = 4, .anchor = SN_POLICY_ANCHOR_ROOT},
        {.access = 0xffff, .path_offset = 5, .path_len = 8, .anchor = SN_POLICY_ANCHOR_HOME},
    };
    h->landlock = (SnPolicyBlobSection){(uint32_t)off, sizeof(rules)};
    memcpy(t->bytes + off, rules, sizeof(rules));
    off += sizeof(rules);

    SnPolicyDeviceRule dev = {.type = 'c', .access = 3, .major = 1, .minor = 3};
    h->devices = (SnPolicyBlobSection){(uint32_t)off, sizeof(dev)};
    memcpy(t->bytes + off, &dev, sizeof(dev));
    off += 16;

    const char exec[] = "c$SNAP/bin/app --flag\0h$SNAP/chain\0eFOO=bar";
    h->exec = (SnPolicyBlobSection){(uint32_t)off, sizeof(exec)};
    memcpy(t->bytes + off, exec, sizeof(exec));
    off += (sizeof(exec) + 7) & ~(size_t)7;

    SnPolicyMountEntry mounts[2] = {
        {.flags = SN_POLICY_MOUNT_READ_ONLY,
         .source_offset = 14,
         .source_len = 24,
         .target_offset = 39,
         .target_len = 22},
        {.flags = 0, .source_offset = 62, .source_len = 25, .target_offset = 88, .target_len = 26},
    };
    h->mounts = (SnPolicyBlobSection){(uint32_t)off, sizeof(mounts)};
    memcpy(t->bytes + off, mounts, sizeof(mounts));
    off += sizeof(mounts);

    h->strings = (SnPolicyBlobSection){(uint32_t)off, sizeof(strings)};
    memcpy(t->bytes + off, strings, sizeof(strings));
    off += sizeof(strings);

    t->len = off;
    h->total_size = (uint32_t)off;
}

static int parse(TestBlob *t, char **msg)
{
    SnPolicyBlob *blob = NULL;
    SnError *err = NULL;
    int r = sn_policy_blob_parse(t->bytes, t->len, &blob, &err);
    if (r >= 0)
        cr_assert_not_null(blob);
    else
        cr_assert_null(blob);
    if (msg)
        *msg = err ? strdup(err->message) : NULL;
    sn_policy_blob_free(blob);
    sn_error_free(err);
    return r;
}

static void expect_fail(TestBlob *t, int code, const char *needle)
{
    _sn_free_ char *msg = NULL;
    int r = parse(t, &msg);
    cr_assert_eq(r, code, "expected %d, got %d (%s)", code, r, msg ? msg : "");
    cr_assert(msg && strstr(msg, needle), "message \"%s\" lacks \"%s\"", msg ? msg : "", needle);
}

Test(policy_blob, header_layout_is_pinned)
{
    /* The same numbers as the static_asserts: a change of layout must change the version. */
    cr_assert_eq(sizeof(SnPolicyBlobHeader), 128);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, magic), 0);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, version), 8);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, header_size), 12);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, total_size), 16);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, flags), 20);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, landlock_fs_handled), 24);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, landlock_net_handled), 32);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, landlock_scoped), 40);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, seccomp_deny), 48);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, seccomp_allow), 56);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, landlock), 64);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, devices), 72);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, exec), 80);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, strings), 88);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, mounts), 96);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, reserved), 104);
    cr_assert_eq(sizeof(((SnPolicyBlobHeader *)0)->reserved), 24);
    cr_assert_eq(sizeof(SnPolicyLandlockRule), 24);
    cr_assert_eq(sizeof(SnPolicyDeviceRule), 12);
    cr_assert_eq(sizeof(SnPolicyMountEntry), 24);
    cr_assert_eq(SN_POLICY_BLOB_VERSION, 3);
    cr_assert_eq(SN_POLICY_BLOB_MIN_VERSION, 2);
    cr_assert_eq(SN_POLICY_ANCHOR_ROOT, 0);
    cr_assert_eq(SN_POLICY_ANCHOR_HOME, 1);
    cr_assert_eq(SN_POLICY_ANCHOR_RUNTIME, 2);
    cr_assert_eq(memcmp(SN_POLICY_BLOB_MAGIC, "SNPOLICY", 8), 0);
}

Test(policy_blob, parses_a_well_formed_blob_and_exposes_its_sections)
{
    TestBlob t;
    build(&t);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_parse(t.bytes, t.len, &blob, NULL), 0);
    size_t n = 0;
    const struct sock_filter *deny = sn_policy_blob_seccomp_deny(blob, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(deny[1].k, 0x7fff0000);
    cr_assert_not_null(sn_policy_blob_seccomp_allow(blob, &n));
    cr_assert_eq(n, 3);
    const SnPolicyLandlockRule *rules = sn_policy_blob_landlock_rules(blob, &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(sn_policy_blob_landlock_path(blob, &rules[0]), "/usr");
    cr_assert_str_eq(sn_policy_blob_landlock_path(blob, &rules[1]), "snap/foo");
    const SnPolicyDeviceRule *dev = sn_policy_blob_device_rules(blob, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(dev[0].minor, 3);
    size_t cursor = 0;
    const char *text = NULL;
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'c');
    cr_assert_str_eq(text, "$SNAP/bin/app --flag");
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'h');
    cr_assert_str_eq(text, "$SNAP/chain");
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'e');
    cr_assert_str_eq(text, "FOO=bar");
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 0);
    const SnPolicyMountEntry *m = sn_policy_blob_mounts(blob, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(m[0].flags, SN_POLICY_MOUNT_READ_ONLY);
    cr_assert_str_eq(sn_policy_blob_mount_source(blob, &m[0]), "/snap/prov/12/shared/doc");
    cr_assert_str_eq(sn_policy_blob_mount_target(blob, &m[0]), "/snap/cons/x1/data-dir");
    cr_assert_eq(m[1].flags, 0);
    cr_assert_str_eq(sn_policy_blob_mount_source(blob, &m[1]), "/var/snap/prov/common/out");
    cr_assert_str_eq(sn_policy_blob_mount_target(blob, &m[1]), "/var/snap/cons/x1/incoming");
}

Test(policy_blob, rejects_bad_magic)
{
    TestBlob t;
    build(&t);
    hdr(&t)->magic[0] = 'X';
    expect_fail(&t, -EBADMSG, "magic");
}

Test(policy_blob, rejects_a_truncated_header)
{
    TestBlob t;
    build(&t);
    t.len = 100;
    expect_fail(&t, -EBADMSG, "shorter");
}

Test(policy_blob, rejects_other_versions)
{
    TestBlob t;
    build(&t);
    hdr(&t)->version = 4;
    expect_fail(&t, -EPROTONOSUPPORT, "version 4");
    /* Version 1 had no mounts section: its blobs lack the snap's content and are recompiled, not trusted. */
    build(&t);
    hdr(&t)->version = 1;
    expect_fail(&t, -EPROTONOSUPPORT, "version 1");
}

Test(policy_blob, rejects_a_size_mismatch)
{
    TestBlob t;
    build(&t);
    t.len -= 1;
    expect_fail(&t, -ERANGE, "header says");
}

Test(policy_blob, rejects_more_than_the_size_cap)
{
    TestBlob t;
    build(&t);
    hdr(&t)->total_size = SN_POLICY_BLOB_MAX_SIZE + 8;
    expect_fail(&t, -EFBIG, "larger than");
}

Test(policy_blob, rejects_unknown_flags_and_reserved_bytes)
{
    TestBlob t;
    build(&t);
    hdr(&t)->flags = 1u << 20;
    expect_fail(&t, -EINVAL, "unknown flags");
    build(&t);
    hdr(&t)->reserved[23] = 1;
    expect_fail(&t, -EINVAL, "reserved");
}

Test(policy_blob, rejects_sections_out_of_bounds)
{
    TestBlob t;
    build(&t);
    hdr(&t)->strings.size = 0xfffffff0u;
    expect_fail(&t, -ERANGE, "strings");
    build(&t);
    hdr(&t)->seccomp_deny.offset = 0x80000000u;
    hdr(&t)->seccomp_deny.size = 0x80000000u; /* offset + size wraps to 0 in 32 bits */
    expect_fail(&t, -ERANGE, "seccomp_deny");
}

Test(policy_blob, rejects_a_section_inside_the_header)
{
    TestBlob t;
    build(&t);
    hdr(&t)->seccomp_deny.offset = 8;
    expect_fail(&t, -ERANGE, "misplaced");
}

Test(policy_blob, rejects_overlapping_sections)
{
    TestBlob t;
    build(&t);
    hdr(&t)->seccomp_allow.offset = hdr(&t)->seccomp_deny.offset;
    expect_fail(&t, -ERANGE, "overlap");
}

Test(policy_blob, rejects_a_partial_bpf_instruction)
{
    TestBlob t;
    build(&t);
    hdr(&t)->seccomp_allow.size = 12;
    expect_fail(&t, -EINVAL, "multiple of 8");
}

Test(policy_blob, rejects_a_restricted_blob_without_an_allow_filter)
{
    TestBlob t;
    build(&t);
    hdr(&t)->seccomp_allow = (SnPolicyBlobSection){0, 0};
    expect_fail(&t, -EINVAL, "no seccomp allow filter");
}

Test(policy_blob, rejects_an_unrestricted_blob_with_filters)
{
    TestBlob t;
    build(&t);
    hdr(&t)->flags = SN_POLICY_FLAG_UNRESTRICTED;
    expect_fail(&t, -EINVAL, "unrestricted");
}

static SnPolicyLandlockRule *rule(TestBlob *t, size_t i)
{
    return (SnPolicyLandlockRule *)(t->bytes + hdr(t)->landlock.offset) + i;
}

Test(policy_blob, rejects_landlock_paths_out_of_the_string_table)
{
    TestBlob t;
    build(&t);
    rule(&t, 1)->path_len = 9; /* runs onto the final NUL and past it */
    expect_fail(&t, -ERANGE, "rule 1 path is out of bounds");
    build(&t);
    rule(&t, 0)->path_len = 3; /* "/us" is not followed by a NUL */
    expect_fail(&t, -ERANGE, "rule 0 path is out of bounds");
}

Test(policy_blob, rejects_dotdot_and_wrongly_anchored_paths)
{
    TestBlob t;
    build(&t);
    memcpy(t.bytes + hdr(&t)->strings.offset + 5, "snap/../", 8);
    expect_fail(&t, -EINVAL, "\"..\"");
    build(&t);
    rule(&t, 0)->anchor = SN_POLICY_ANCHOR_HOME;
    expect_fail(&t, -EINVAL, "home path is absolute");
    build(&t);
    rule(&t, 1)->anchor = SN_POLICY_ANCHOR_ROOT;
    expect_fail(&t, -EINVAL, "not absolute");
    build(&t);
    rule(&t, 1)->anchor = 7;
    expect_fail(&t, -EINVAL, "unknown anchor");
}

/* Rule 1 ("snap/foo", 8 bytes at offset 5 of the strings) re-anchored under the runtime dir, with path p. */
static void runtime_rule(TestBlob *t, const char p[8])
{
    build(t);
    rule(t, 1)->anchor = SN_POLICY_ANCHOR_RUNTIME;
    memcpy(t->bytes + hdr(t)->strings.offset + 5, p, 8);
}

Test(policy_blob, accepts_relative_runtime_anchored_paths)
{
    static const char *const ok[] = {"snap.foo", "snap/foo", "snap/.fo", "..snap.f", "snap/..x"};
    for (size_t i = 0; i < SN_ELEMENTSOF(ok); i++) {
        TestBlob t;
        runtime_rule(&t, ok[i]);
        _sn_free_ char *msg = NULL;
        cr_assert_eq(parse(&t, &msg), 0, "%s: %s", ok[i], msg ? msg : "");
    }
    TestBlob t;
    runtime_rule(&t, "snap.foo");
    SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_parse(t.bytes, t.len, &blob, NULL), 0);
    size_t n = 0;
    const SnPolicyLandlockRule *r = sn_policy_blob_landlock_rules(blob, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(r[1].anchor, SN_POLICY_ANCHOR_RUNTIME);
    cr_assert_str_eq(sn_policy_blob_landlock_path(blob, &r[1]), "snap.foo");
    sn_policy_blob_free(blob);
}

Test(policy_blob, rejects_runtime_paths_that_are_absolute_or_have_empty_dot_or_dotdot_components)
{
    static const struct {
        char path[9];
        const char *needle;
    } bad[] = {
        {"/snap.fo", "runtime path is absolute"},
        {"snap//fo", "empty or \".\" component"},
        {"snapfoo/", "empty or \".\" component"},
        {"./snapfo", "empty or \".\" component"},
        {"snap/./f", "empty or \".\" component"},
        {"snap/fo.", NULL},
        {"sn/../fo", "\"..\""},
        {"../snapf", "\"..\""},
        {"snapf/..", "\"..\""},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        TestBlob t;
        runtime_rule(&t, bad[i].path);
        if (!bad[i].needle) {
            cr_assert_eq(parse(&t, NULL), 0, "%s is a valid name", bad[i].path);
            continue;
        }
        expect_fail(&t, -EINVAL, bad[i].needle);
    }
}

Test(policy_blob, reads_version_2_blobs_but_not_a_runtime_anchor_in_them)
{
    /* A version 2 blob is a version 3 one without the RUNTIME anchor: read until the daemon recompiles it. */
    TestBlob t;
    build(&t);
    hdr(&t)->version = 2;
    cr_assert_eq(parse(&t, NULL), 0);
    runtime_rule(&t, "snap.foo");
    hdr(&t)->version = 2;
    expect_fail(&t, -EINVAL, "rule 1 has unknown anchor 2");
}

Test(policy_blob, rejects_rights_outside_the_handled_set)
{
    TestBlob t;
    build(&t);
    hdr(&t)->landlock_fs_handled = 0x7;
    expect_fail(&t, -EINVAL, "outside the handled set");
    build(&t);
    hdr(&t)->landlock_fs_handled = 1ull << 40;
    expect_fail(&t, -EINVAL, "unknown landlock");
}

Test(policy_blob, rejects_malformed_device_rules)
{
    TestBlob t;
    build(&t);
    SnPolicyDeviceRule *d = (SnPolicyDeviceRule *)(t.bytes + hdr(&t)->devices.offset);
    d->type = 'x';
    expect_fail(&t, -EINVAL, "device rule 0");
    build(&t);
    d->access = 0;
    expect_fail(&t, -EINVAL, "invalid access");
    build(&t);
    d->major = -2;
    expect_fail(&t, -EINVAL, "invalid number");
}

Test(policy_blob, rejects_malformed_exec_records)
{
    TestBlob t;
    build(&t);
    char *e = (char *)t.bytes + hdr(&t)->exec.offset;
    e[0] = 'h'; /* no command left */
    expect_fail(&t, -EINVAL, "exactly one command");
    build(&t);
    e[hdr(&t)->exec.size - 1] = 'x';
    expect_fail(&t, -EINVAL, "not NUL-terminated");
    build(&t);
    e[0] = 'z';
    expect_fail(&t, -EINVAL, "unknown kind");
    build(&t);
    char *env = memmem(e, hdr(&t)->exec.size, "eFOO=bar", 8);
    env[4] = '_';
    expect_fail(&t, -EINVAL, "KEY=VALUE");
}

static SnPolicyMountEntry *mount_entry(TestBlob *t, size_t i)
{
    return (SnPolicyMountEntry *)(t->bytes + hdr(t)->mounts.offset) + i;
}

/* Overwrites the string at off in the blob's string table with s (same length or shorter, NUL-padded). */
static void set_string(TestBlob *t, uint32_t off, uint32_t old_len, const char *s)
{
    char *p = (char *)t->bytes + hdr(t)->strings.offset + off;
    cr_assert_leq(strlen(s), old_len);
    memset(p, '\0', old_len);
    memcpy(p, s, strlen(s));
}

Test(policy_blob, rejects_malformed_mount_entries)
{
    TestBlob t;
    build(&t);
    mount_entry(&t, 1)->flags = 1u << 5;
    expect_fail(&t, -EINVAL, "mount entry 1: content mount has unknown flags");
    build(&t);
    mount_entry(&t, 0)->reserved = 1;
    expect_fail(&t, -EINVAL, "mount entry 0 reserved");
    build(&t);
    mount_entry(&t, 0)->source_len = 23; /* not followed by its NUL */
    expect_fail(&t, -ERANGE, "mount entry 0 path is out of bounds");
    build(&t);
    mount_entry(&t, 1)->target_offset = 0xfffffff0u;
    expect_fail(&t, -ERANGE, "mount entry 1 path is out of bounds");
    build(&t);
    mount_entry(&t, 0)->source_len = 25; /* runs over the NUL into the next string */
    expect_fail(&t, -ERANGE, "out of bounds");
    build(&t);
    mount_entry(&t, 1)->target_len = SN_POLICY_MOUNT_MAX_PATH + 1;
    expect_fail(&t, -EINVAL, "longer than");
    build(&t);
    hdr(&t)->mounts.size = sizeof(SnPolicyMountEntry) + 4;
    expect_fail(&t, -EINVAL, "mounts size");
}

Test(policy_blob, rejects_mount_paths_outside_the_rule)
{
    static const struct {
        bool target;
        const char *path;
        const char *needle;
    } cases[] = {
        {false, "/snap/prov/12/../../..", "\"..\" component"},
        {false, "/snap/prov//12/shared", "empty"},
        {false, "/snap/prov/12/./shared", "component"},
        {false, "/snap/prov/12/shared/", "empty"},
        {false, "snap/prov/12/shared/doc", "not absolute"},
        {false, "/etc/passwd", "not under /snap/NAME/"},
        {false, "/var/lib/snapd/state", "not under /snap/NAME/"},
        {false, "/snap/prov", "not under /snap/NAME/"},
        {false, "/snap/prov/", "empty"},
        {false, "/snap/Prov/12/shared", "not under /snap/NAME/"},
        {false, "/snap/prov/12/sha red", "space or control"},
        {false, "/snap/prov/12/sha\nred", "space or control"},
        {true, "/snap/cons", "not under /snap/NAME/"},
        {true, "/home/user/x", "not under /snap/NAME/"},
        {true, "/snap/cons/x1/../../..", "\"..\""},
        {true, "/var/snapx/cons/x1", "not under /snap/NAME/"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        TestBlob t;
        build(&t);
        SnPolicyMountEntry *m = mount_entry(&t, 0);
        uint32_t off = cases[i].target ? m->target_offset : m->source_offset;
        uint32_t len = cases[i].target ? m->target_len : m->source_len;
        set_string(&t, off, len, cases[i].path);
        if (cases[i].target)
            m->target_len = (uint32_t)strlen(cases[i].path);
        else
            m->source_len = (uint32_t)strlen(cases[i].path);
        expect_fail(&t, -EINVAL, cases[i].needle);
    }
}

Test(policy_blob, rejects_mounts_for_two_snaps)
{
    TestBlob t;
    build(&t);
    /* "/var/snap/cons/x1/incoming" -> "/var/snap/evil/x1/incoming" */
    memcpy(t.bytes + hdr(&t)->strings.offset + 88 + 10, "evil", 4);
    expect_fail(&t, -EINVAL, "mount entry 1 targets another snap");
}

Test(policy_blob, rejects_more_mounts_than_the_cap_and_mounts_without_strings)
{
    TestBlob t;
    build(&t);
    /* 65 copies of entry 0 at the end of the blob. */
    size_t off = (t.len + 7) & ~(size_t)7, size = (SN_POLICY_BLOB_MAX_MOUNTS + 1) * sizeof(SnPolicyMountEntry);
    cr_assert_leq(off + size, sizeof(t.bytes));
    for (size_t i = 0; i <= SN_POLICY_BLOB_MAX_MOUNTS; i++)
        memcpy(t.bytes + off + i * sizeof(SnPolicyMountEntry), mount_entry(&t, 0), sizeof(SnPolicyMountEntry));
    hdr(&t)->mounts = (SnPolicyBlobSection){(uint32_t)off, (uint32_t)size};
    t.len = off + size;
    hdr(&t)->total_size = (uint32_t)t.len;
    expect_fail(&t, -EFBIG, "mounts has more than");
    build(&t);
    hdr(&t)->landlock = (SnPolicyBlobSection){0, 0};
    hdr(&t)->strings = (SnPolicyBlobSection){0, 0};
    expect_fail(&t, -ERANGE, "mount entries without a string table");
}

Test(policy_blob, mount_check_accepts_content_paths_and_names_the_consumer)
{
    cr_assert_eq(
        sn_policy_mount_check("cons", SN_POLICY_MOUNT_READ_ONLY, "/snap/prov/x2/shared", "/snap/cons/x1/data", NULL),
        0);
    cr_assert_eq(sn_policy_mount_check("cons", 0, "/var/snap/prov/common/w", "/var/snap/cons/common/w", NULL), 0);
    cr_assert_eq(sn_policy_mount_check("cons_key", 0, "/snap/prov/1", "/var/snap/cons_key/5/x", NULL), 0);
    cr_assert_eq(sn_policy_mount_check(NULL, 0, "/snap/prov/1/a", "/snap/anyone/1/b", NULL), 0);

    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    cr_assert_eq(sn_policy_mount_check("cons", 0, "/snap/prov/1/a", "/snap/other/1/b", &err), -EINVAL);
    cr_assert(strstr(err->message, "outside the directories of snap \"cons\""), "%s", err->message);
    cr_assert_eq(sn_policy_mount_check("con", 0, "/snap/prov/1/a", "/snap/cons/1/b", NULL), -EINVAL);
    cr_assert_eq(sn_policy_mount_check("cons", 0, NULL, "/snap/cons/1/b", NULL), -EINVAL);
    char longp[SN_POLICY_MOUNT_MAX_PATH + 8];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[sizeof(longp) - 1] = '\0';
    memcpy(longp, "/snap/prov/1/", 13);
    cr_assert_eq(sn_policy_mount_check("cons", 0, longp, "/snap/cons/1/b", NULL), -EINVAL);
    size_t n = 0;
    const char *name = sn_policy_mount_target_snap("/var/snap/cons/x1", &n);
    cr_assert(name && n == 4 && strncmp(name, "cons", 4) == 0);
    cr_assert_null(sn_policy_mount_target_snap("/snapx/cons/1", &n));
}

/* A tree standing in for a namespace's root: /snap/prov/1/{shared,link->/etc,file}, /var/snap/cons/x1. */
static int make_tree(char *dir)
{
    strcpy(dir, "/tmp/sn-mount-walk-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char p[256];
    static const char *const dirs[] = {"snap",          "snap/prov",        "snap/prov/1",   "snap/prov/1/shared",
                                       "snap/cons",     "snap/cons/x1",     "var",           "var/snap",
                                       "var/snap/cons", "var/snap/cons/x1", "var/snap/prov", "var/snap/prov/common"};
    for (size_t i = 0; i < SN_ELEMENTSOF(dirs); i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
        cr_assert_eq(mkdir(p, 0755), 0);
    }
    snprintf(p, sizeof(p), "%s/snap/prov/1/link", dir);
    cr_assert_eq(symlink("/etc", p), 0);
    snprintf(p, sizeof(p), "%s/var/snap/prov/common/up", dir);
    cr_assert_eq(symlink("../../../../etc", p), 0);
    snprintf(p, sizeof(p), "%s/snap/prov/1/file", dir);
    _sn_close_ int f = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    cr_assert_geq(f, 0);
    int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    return fd;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    return remove(path);
}

static void remove_tree(const char *dir)
{
    cr_assert_eq(nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static bool exists(const char *dir, const char *rel)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

Test(policy_blob, mount_open_dir_walks_without_following_symlinks)
{
    char dir[64];
    _sn_close_ int root = make_tree(dir);
    _sn_close_ int ok = sn_policy_mount_open_dir(root, "/snap/prov/1/shared", false, NULL);
    cr_assert_geq(ok, 0);
    struct stat a, b;
    char p[256];
    snprintf(p, sizeof(p), "%s/snap/prov/1/shared", dir);
    cr_assert_eq(fstat(ok, &a), 0);
    cr_assert_eq(stat(p, &b), 0);
    cr_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);

    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    cr_assert_eq(sn_policy_mount_open_dir(root, "/snap/prov/1/link", false, &err), -ELOOP);
    cr_assert(strstr(err->message, "symlink"), "%s", err->message);
    cr_assert_eq(sn_policy_mount_open_dir(root, "/snap/prov/1/link/ssl", false, NULL), -ELOOP);
    cr_assert_eq(sn_policy_mount_open_dir(root, "/var/snap/prov/common/up", false, NULL), -ELOOP);
    cr_assert_eq(sn_policy_mount_open_dir(root, "/snap/prov/1/file", false, NULL), -ENOTDIR);
    cr_assert_eq(sn_policy_mount_open_dir(root, "/snap/prov/1/missing", false, NULL), -ENOENT);
    cr_assert_eq(sn_policy_mount_open_dir(root, "/snap/prov/1/../1/shared", false, NULL), -EINVAL);
    cr_assert_eq(sn_policy_mount_open_dir(root, "snap/prov/1/shared", false, NULL), -EINVAL);
    remove_tree(dir);
}

Test(policy_blob, mount_open_dir_creates_only_below_var_snap_name)
{
    char dir[64];
    _sn_close_ int root = make_tree(dir);
    _sn_close_ int fd = sn_policy_mount_open_dir(root, "/var/snap/cons/x1/a/b", true, NULL);
    cr_assert_geq(fd, 0);
    cr_assert(exists(dir, "var/snap/cons/x1/a/b"));
    /* Not in a squashfs path, not the snap's own /var/snap/NAME, not without create. */
    cr_assert_eq(sn_policy_mount_open_dir(root, "/snap/cons/x1/new", true, NULL), -ENOENT);
    cr_assert(!exists(dir, "snap/cons/x1/new"));
    cr_assert_eq(sn_policy_mount_open_dir(root, "/var/snap/newsnap/x1", true, NULL), -ENOENT);
    cr_assert(!exists(dir, "var/snap/newsnap"));
    cr_assert_eq(sn_policy_mount_open_dir(root, "/var/snap/cons/x1/c", false, NULL), -ENOENT);
    cr_assert(!exists(dir, "var/snap/cons/x1/c"));
    /* A symlink on the way is never replaced or followed by the creating walk either. */
    cr_assert_eq(sn_policy_mount_open_dir(root, "/var/snap/prov/common/up/x", true, NULL), -ELOOP);
    remove_tree(dir);
}

static int write_tmp(TestBlob *t, mode_t mode, char *path)
{
    strcpy(path, "/tmp/sn-policy-blob-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(sn_write_all(fd, t->bytes, t->len), 0);
    cr_assert_eq(fchmod(fd, mode), 0);
    cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

Test(policy_blob, loads_a_root_owned_file)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to own the file");
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0644, path);
    unlink(path);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, NULL), 0);
    cr_assert_eq(blob->size, t.len);
}

Test(policy_blob, refuses_a_group_or_world_writable_file)
{
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0666, path);
    unlink(path);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, &err), -EPERM);
    cr_assert_null(blob);
}

Test(policy_blob, refuses_a_file_not_owned_by_root)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to chown");
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0644, path);
    unlink(path);
    cr_assert_eq(fchown(fd, 65534, 65534), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, &err), -EPERM);
    cr_assert(strstr(err->message, "not root"));
}

Test(policy_blob, refuses_a_non_regular_file)
{
    _sn_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, NULL), -EINVAL);
}

Test(policy_blob, refuses_an_oversized_file_before_reading_it)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to own the file");
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0644, path);
    unlink(path);
    cr_assert_eq(ftruncate(fd, SN_POLICY_BLOB_MAX_SIZE + 1), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, NULL), -EFBIG);
}

Test(policy_blob, fails_closed_when_reading_fails)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to own the file");
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0644, path);
    unlink(path);
    setenv("SN_FAULTS", "policy-blob-read", 1);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    int r = sn_policy_blob_load_fd(fd, &blob, NULL);
    unsetenv("SN_FAULTS");
    if (r == 0)
        cr_skip_test("fault injection is compiled out");
    cr_assert_eq(r, -EIO);
    cr_assert_null(blob);
}
