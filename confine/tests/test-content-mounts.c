/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * What sn_confine_apply_content_mounts decides before any mount: the record it writes, the entries it
 * skips and the ones it refuses. The mounts themselves need root and a namespace: the spread task
 * interfaces/content-new-namespace runs them for real.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content-mounts.h"
#include "fd-util.h"
#include "fileio.h"
#include "strutil.h"

static char nsdir_path[64];

static void make_dir(void)
{
    strcpy(nsdir_path, "/tmp/sn-content-ns-XXXXXX");
    cr_assert_not_null(mkdtemp(nsdir_path));
}

static void remove_dir(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", nsdir_path);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(content_mounts, .init = make_dir, .fini = remove_dir);

/* An unrestricted blob with one command and the given mounts (source, target pairs). */
static SnPolicyBlob *blob_with(const char *const (*mounts)[2], size_t n, bool read_only)
{
    uint8_t buf[4096] = {0};
    SnPolicyBlobHeader h = {0};
    memcpy(h.magic, SN_POLICY_BLOB_MAGIC, SN_POLICY_BLOB_MAGIC_LEN);
    h.version = SN_POLICY_BLOB_VERSION;
    h.header_size = SN_POLICY_BLOB_HEADER_SIZE;
    h.flags = SN_POLICY_FLAG_UNRESTRICTED;
    size_t off = SN_POLICY_BLOB_HEADER_SIZE;
    static const char exec[] = "cbin/app";
    h.exec = (SnPolicyBlobSection){(uint32_t)off, sizeof(exec)};
    memcpy(buf + off, exec, sizeof(exec));
    off += 16;
    SnBuf strings = {0};
    if (n) {
        h.mounts = (SnPolicyBlobSection){(uint32_t)off, (uint32_t)(n * sizeof(SnPolicyMountEntry))};
        for (size_t i = 0; i < n; i++) {
            SnPolicyMountEntry e = {.flags = read_only ? SN_POLICY_MOUNT_READ_ONLY : 0};
            e.source_offset = (uint32_t)strings.len;
            e.source_len = (uint32_t)strlen(mounts[i][0]);
            sn_buf_append(&strings, mounts[i][0], e.source_len + 1);
            e.target_offset = (uint32_t)strings.len;
            e.target_len = (uint32_t)strlen(mounts[i][1]);
            sn_buf_append(&strings, mounts[i][1], e.target_len + 1);
            memcpy(buf + off + i * sizeof(e), &e, sizeof(e));
        }
        off += n * sizeof(SnPolicyMountEntry);
        h.strings = (SnPolicyBlobSection){(uint32_t)off, (uint32_t)strings.len};
        cr_assert_lt(off + strings.len, sizeof(buf));
        memcpy(buf + off, strings.data, strings.len);
        off += strings.len;
    }
    sn_buf_done(&strings);
    h.total_size = (uint32_t)off;
    memcpy(buf, &h, sizeof(h));
    SnPolicyBlob *blob = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_policy_blob_parse(buf, off, &blob, &err), 0, "%s", err ? err->message : "");
    return blob;
}

static char *record(void)
{
    _sn_free_ char *path = sn_strdup_printf("%s/snap.cons.content", nsdir_path);
    char *text = NULL;
    cr_assert_eq(sn_read_file_at(AT_FDCWD, path, 1 << 16, &text, NULL), 0, "%s is missing", path);
    return text;
}

static void apply(const SnPolicyBlob *blob)
{
    SnInvocation inv = {.snap_name = "cons", .security_tag = "snap.cons.app", .base = "core"};
    _sn_close_ int nsdir = open(nsdir_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cr_assert_geq(nsdir, 0);
    sn_confine_apply_content_mounts(&inv, blob, nsdir);
}

Test(content_mounts, no_mounts_writes_an_empty_record_over_a_stale_one)
{
    _sn_free_ char *path = sn_strdup_printf("%s/snap.cons.content", nsdir_path);
    static const char stale[] = "ro /snap/prov/1/shared /snap/cons/1/data\n";
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, stale, strlen(stale), 0644), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = blob_with(NULL, 0, false);
    apply(blob);
    _sn_free_ char *text = record();
    cr_assert_str_eq(text, "");
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0644);
}

Test(content_mounts, skips_an_entry_whose_source_is_missing_and_leaves_it_out_of_the_record)
{
    /* Nothing of this exists on the machine: both entries are skipped before any mount is tried. */
    static const char *const m[][2] = {
        {"/snap/sn-no-such-provider/1/shared", "/snap/cons/x1/data"},
        {"/var/snap/sn-no-such-provider/common/w", "/var/snap/cons/common/w"},
    };
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = blob_with(m, 2, true);
    apply(blob);
    _sn_free_ char *text = record();
    cr_assert_str_eq(text, "");
}

Test(content_mounts, dies_on_an_entry_aimed_at_another_snap, .exit_code = 1)
{
    /* The blob parser accepts it (one snap name throughout); only the helper knows it is not "cons". */
    static const char *const m[][2] = {{"/snap/prov/1/shared", "/snap/victim/1/data"}};
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = blob_with(m, 1, true);
    apply(blob);
    /* Not reached: the record is never written. */
    exit(0);
}
