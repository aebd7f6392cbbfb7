/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "landlock-support.h"

Test(landlock_support, masks_rights_by_abi)
{
    cr_assert_eq(sn_confine_landlock_fs_mask(0), 0);
    cr_assert_eq(sn_confine_landlock_fs_mask(1), 0x1fff);
    cr_assert_eq(sn_confine_landlock_fs_mask(2), 0x3fff);
    cr_assert_eq(sn_confine_landlock_fs_mask(4), 0x7fff);
    cr_assert_eq(sn_confine_landlock_fs_mask(5), 0xffff);
    cr_assert_eq(sn_confine_landlock_fs_mask(7), 0xffff);
    cr_assert_eq(sn_confine_landlock_net_mask(3), 0);
    cr_assert_eq(sn_confine_landlock_net_mask(4), 3);
    cr_assert_eq(sn_confine_landlock_scope_mask(5), 0);
    cr_assert_eq(sn_confine_landlock_scope_mask(6), 3);
}

Test(landlock_support, reads_the_kernel_abi)
{
    /* This machine documents ABI 7; elsewhere anything >= 0 is a valid answer. */
    int abi = sn_confine_landlock_abi();
    cr_assert_geq(abi, 0);
}

/* ---- the RUNTIME anchor ---- */

#define LL_EXECUTE (UINT64_C(1) << 0)
#define LL_READ_FILE (UINT64_C(1) << 2)
#define LL_READ_DIR (UINT64_C(1) << 3)
#define LL_ALL ((UINT64_C(1) << 16) - 1)

/* A scratch tree: DIR/run/user/UID with snap.foo and snap.bar in it, the caller's. */
typedef struct Tree {
    char dir[64];
    char runtime[128];
} Tree;

static void tree_make(Tree *t)
{
    strcpy(t->dir, "/tmp/sn-ll-runtime-XXXXXX");
    cr_assert_not_null(mkdtemp(t->dir));
    char p[256];
    snprintf(p, sizeof(p), "%s/run", t->dir);
    cr_assert_eq(mkdir(p, 0755), 0);
    snprintf(p, sizeof(p), "%s/run/user", t->dir);
    cr_assert_eq(mkdir(p, 0755), 0);
    snprintf(t->runtime, sizeof(t->runtime), "%s/run/user/%u", t->dir, (unsigned)getuid());
    cr_assert_eq(mkdir(t->runtime, 0700), 0);
    snprintf(p, sizeof(p), "%s/snap.foo", t->runtime);
    cr_assert_eq(mkdir(p, 0700), 0);
    snprintf(p, sizeof(p), "%s/snap.bar", t->runtime);
    cr_assert_eq(mkdir(p, 0700), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void tree_remove(Tree *t)
{
    nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void same_inode(int fd, const char *path)
{
    struct stat a, b;
    cr_assert_eq(fstat(fd, &a), 0);
    cr_assert_eq(stat(path, &b), 0, "%s: %m", path);
    cr_assert(a.st_dev == b.st_dev && a.st_ino == b.st_ino, "the fd is not %s", path);
}

Test(landlock_support, opens_a_directory_beneath_the_runtime_dir)
{
    Tree t;
    tree_make(&t);
    char p[256];
    snprintf(p, sizeof(p), "%s/snap.foo", t.runtime);
    int fd = sn_confine_landlock_open_runtime(t.runtime, getuid(), "snap.foo");
    cr_assert_geq(fd, 0, "got %d", fd);
    same_inode(fd, p);
    int fl = fcntl(fd, F_GETFL);
    cr_assert(fl & O_PATH, "expected an O_PATH fd");
    cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
    /* nested */
    snprintf(p, sizeof(p), "%s/snap.foo/sub", t.runtime);
    cr_assert_eq(mkdir(p, 0700), 0);
    fd = sn_confine_landlock_open_runtime(t.runtime, getuid(), "snap.foo/sub");
    cr_assert_geq(fd, 0, "got %d", fd);
    same_inode(fd, p);
    close(fd);
    tree_remove(&t);
}

Test(landlock_support, runtime_dir_refuses_missing_symlinked_and_non_directory_paths)
{
    Tree t;
    tree_make(&t);
    char p[256], q[256];
    cr_assert_eq(sn_confine_landlock_open_runtime(t.runtime, getuid(), "snap.none"), -ENOENT);
    /* no runtime dir at all (logind made none) */
    snprintf(p, sizeof(p), "%s/run/user/%u", t.dir, (unsigned)getuid() + 1);
    cr_assert_eq(sn_confine_landlock_open_runtime(p, getuid(), "snap.foo"), -ENOENT);
    /* the rule's directory a symlink to another snap's */
    snprintf(p, sizeof(p), "%s/snap.link", t.runtime);
    cr_assert_eq(symlink("snap.bar", p), 0);
    int r = sn_confine_landlock_open_runtime(t.runtime, getuid(), "snap.link");
    cr_assert(r == -ELOOP || r == -ENOTDIR, "got %d", r);
    /* a symlink above it */
    snprintf(p, sizeof(p), "%s/snap.link/x", t.runtime);
    snprintf(q, sizeof(q), "%s/snap.bar/x", t.runtime);
    cr_assert_eq(mkdir(q, 0700), 0);
    r = sn_confine_landlock_open_runtime(t.runtime, getuid(), "snap.link/x");
    cr_assert(r == -ELOOP || r == -ENOTDIR, "got %d", r);
    /* a symlink in the runtime dir's own path */
    snprintf(p, sizeof(p), "%s/run/user-link", t.dir);
    cr_assert_eq(symlink("user", p), 0);
    snprintf(p, sizeof(p), "%s/run/user-link/%u", t.dir, (unsigned)getuid());
    r = sn_confine_landlock_open_runtime(p, getuid(), "snap.foo");
    cr_assert(r == -ELOOP || r == -ENOTDIR, "got %d", r);
    /* a file */
    snprintf(p, sizeof(p), "%s/file", t.runtime);
    int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(sn_confine_landlock_open_runtime(t.runtime, getuid(), "file"), -ENOTDIR);
    /* what the blob parser refuses is refused here too */
    cr_assert_eq(sn_confine_landlock_open_runtime(t.runtime, getuid(), "/snap.foo"), -EINVAL);
    cr_assert_eq(sn_confine_landlock_open_runtime("run/user/0", getuid(), "snap.foo"), -EINVAL);
    cr_assert_eq(sn_confine_landlock_open_runtime("/", getuid(), "snap.foo"), -EINVAL);
    cr_assert_lt(sn_confine_landlock_open_runtime(t.runtime, getuid(), "../snap.foo"), 0);
    tree_remove(&t);
}

Test(landlock_support, runtime_dir_must_belong_to_the_caller)
{
    Tree t;
    tree_make(&t);
    cr_assert_eq(sn_confine_landlock_open_runtime(t.runtime, getuid() + 1, "snap.foo"), -EPERM);
    if (geteuid() != 0) {
        tree_remove(&t);
        cr_skip("chown needs root");
    }
    char p[256];
    snprintf(p, sizeof(p), "%s/snap.foo", t.runtime);
    cr_assert_eq(chown(p, 4242, 4242), 0);
    cr_assert_eq(sn_confine_landlock_open_runtime(t.runtime, getuid(), "snap.foo"), -EPERM);
    cr_assert_geq(sn_confine_landlock_open_runtime(t.runtime, getuid(), "snap.bar"), 0);
    tree_remove(&t);
}

/* A parsed blob: "/" readable, then one rule per runtime path with every right. */
static SnPolicyBlob *runtime_blob(const char *const *paths, size_t n_paths)
{
    static uint8_t bytes[4096];
    memset(bytes, 0, sizeof(bytes));
    SnPolicyBlobHeader *h = (SnPolicyBlobHeader *)bytes;
    memcpy(h->magic, SN_POLICY_BLOB_MAGIC, SN_POLICY_BLOB_MAGIC_LEN);
    h->version = SN_POLICY_BLOB_VERSION;
    h->header_size = SN_POLICY_BLOB_HEADER_SIZE;
    h->flags = SN_POLICY_FLAG_UNRESTRICTED;
    h->landlock_fs_handled = LL_ALL;
    char strings[512] = "/";
    size_t slen = 2;
    SnPolicyLandlockRule rules[8] = {{.access = LL_EXECUTE | LL_READ_FILE | LL_READ_DIR, .path_len = 1}};
    cr_assert_lt(n_paths, SN_ELEMENTSOF(rules));
    for (size_t i = 0; i < n_paths; i++) {
        size_t l = strlen(paths[i]);
        cr_assert_lt(slen + l + 1, sizeof(strings));
        rules[i + 1] = (SnPolicyLandlockRule){.access = LL_ALL,
                                              .path_offset = (uint32_t)slen,
                                              .path_len = (uint32_t)l,
                                              .anchor = SN_POLICY_ANCHOR_RUNTIME};
        memcpy(strings + slen, paths[i], l + 1);
        slen += l + 1;
    }
    size_t off = SN_POLICY_BLOB_HEADER_SIZE;
    h->landlock = (SnPolicyBlobSection){(uint32_t)off, (uint32_t)((n_paths + 1) * sizeof(SnPolicyLandlockRule))};
    memcpy(bytes + off, rules, h->landlock.size);
    off += h->landlock.size;
    h->strings = (SnPolicyBlobSection){(uint32_t)off, (uint32_t)slen};
    memcpy(bytes + off, strings, slen);
    off += slen;
    h->total_size = (uint32_t)off;
    SnPolicyBlob *blob = NULL;
    SnError *err = NULL;
    int r = sn_policy_blob_parse(bytes, off, &blob, &err);
    cr_assert_eq(r, 0, "%s", err ? err->message : "");
    return blob;
}

/* Creates DIR/NAME/f with content, or returns -errno. */
static int write_in(const char *dir, const char *name)
{
    char p[256];
    snprintf(p, sizeof(p), "%s/%s/f", dir, name);
    int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    ssize_t w = write(fd, "hi\n", 3);
    close(fd);
    return w == 3 ? 0 : -EIO;
}

static void need_landlock(void)
{
    if (sn_confine_landlock_abi() < 1)
        cr_skip("no Landlock on this kernel");
}

/*
 * Applies a blob of runtime rules for paths in a child (Landlock cannot be undone, and the parent
 * removes the tree), then runs check there; the child's exit status is check's line of failure.
 */
#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c))                                                                                                      \
            return __LINE__;                                                                                           \
    } while (0)

static void run_confined(const char *const *paths, size_t n_paths, bool with_runtime, int (*check)(const Tree *))
{
    need_landlock();
    Tree t;
    tree_make(&t);
    char p[256];
    snprintf(p, sizeof(p), "%s/snap.link", t.runtime);
    cr_assert_eq(symlink("snap.bar", p), 0);
    SnPolicyBlob *blob = runtime_blob(paths, n_paths);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        sn_confine_apply_landlock(blob, NULL, with_runtime ? t.runtime : NULL, getuid());
        _exit(check(&t));
    }
    sn_policy_blob_free(blob);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    tree_remove(&t);
    cr_assert(WIFEXITED(status), "the confined child died: status 0x%x", status);
    cr_assert_eq(WEXITSTATUS(status), 0, "the check at line %d failed", WEXITSTATUS(status));
}

static int check_foo_only(const Tree *t)
{
    CHECK(write_in(t->runtime, "snap.foo") == 0);
    char p[256], buf[8] = {0};
    snprintf(p, sizeof(p), "%s/snap.foo/f", t->runtime);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    CHECK(read(fd, buf, sizeof(buf) - 1) == 3);
    close(fd);
    CHECK(strcmp(buf, "hi\n") == 0);
    /* another snap's runtime dir, the runtime dir itself */
    CHECK(write_in(t->runtime, "snap.bar") == -EACCES);
    snprintf(p, sizeof(p), "%s/snap.new", t->runtime);
    CHECK(mkdir(p, 0700) < 0 && errno == EACCES);
    return 0;
}

static int check_nothing_writable(const Tree *t)
{
    CHECK(write_in(t->runtime, "snap.foo") == -EACCES);
    CHECK(write_in(t->runtime, "snap.bar") == -EACCES);
    CHECK(write_in(t->runtime, "snap.link") == -EACCES);
    return 0;
}

Test(landlock_support, runtime_rule_grants_its_directory_and_nothing_beside_it)
{
    /* snap.none does not exist: skipped */
    const char *paths[] = {"snap.foo", "snap.none"};
    run_confined(paths, SN_ELEMENTSOF(paths), true, check_foo_only);
}

Test(landlock_support, runtime_rule_through_a_symlink_is_skipped_not_followed)
{
    const char *paths[] = {"snap.link"};
    run_confined(paths, SN_ELEMENTSOF(paths), true, check_nothing_writable);
}

Test(landlock_support, runtime_rules_are_skipped_without_a_runtime_dir)
{
    const char *paths[] = {"snap.foo"};
    run_confined(paths, SN_ELEMENTSOF(paths), false, check_nothing_writable);
}
