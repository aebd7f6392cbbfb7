/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "snap-container.h"
#include "squashfs-pack.h"
#include "squashfs-read.h"
#include "strutil.h"

static char tmpdir[64];

static void setup(void)
{
    strcpy(tmpdir, "/tmp/sn-test-container-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    chmod(tmpdir, 0755); /* the snap's root must be world-readable */
}

static void teardown(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", tmpdir);
    (void)!system(cmd);
}

static void put(const char *rel, const char *data, mode_t mode)
{
    _sn_free_ char *path = sn_strdup_printf("%s/%s", tmpdir, rel);
    _sn_free_ char *dir = strdup(path);
    *strrchr(dir, '/') = '\0';
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, data, strlen(data), mode), 0);
    chmod(path, mode);
}

static void sh(const char *fmt, const char *arg)
{
    _sn_free_ char *cmd = NULL;
    cr_assert(asprintf(&cmd, "cd '%s' && %s", tmpdir, fmt) > 0);
    (void)arg;
    cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static const char yaml[] = "name: demo\nversion: '1'\n"
                           "apps:\n"
                           "  demo:\n    command: bin/demo --flag\n"
                           "  svc:\n    command: sbin/svc\n    daemon: simple\n    stop-command: sbin/stop\n";

static SnSnapInfo *parse(const char *text)
{
    SnSnapInfo *info = NULL;
    SnError *err = NULL;
    int r = sn_snap_yaml_parse(text, strlen(text), &info, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    return info;
}

static void make_valid(void)
{
    put("meta/snap.yaml", yaml, 0644);
    put("bin/demo", "#!/bin/sh\n", 0755);
    put("sbin/svc", "#!/bin/sh\n", 0755);
    put("sbin/stop", "#!/bin/sh\n", 0755);
    put("meta/hooks/configure", "#!/bin/sh\n", 0755);
}

typedef struct Log {
    SnBuf text;
} Log;

static void log_cb(const char *msg, void *userdata)
{
    Log *l = userdata;
    sn_buf_printf(&l->text, "%s\n", msg);
}

static int check_dir(const char *text, SnError **err, Log *log)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(text);
    int fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    SnContainer c = sn_container_from_dir(fd);
    int r = sn_snap_container_validate(&c, info, log ? log_cb : NULL, log, err);
    close(fd);
    return r;
}

static void expect(int code, const char *message)
{
    SnError *err = NULL;
    int r = check_dir(yaml, &err, NULL);
    cr_assert_eq(r, code, "got %d: %s", r, sn_error_message(err, r));
    if (message)
        cr_assert_str_eq(err->message, message);
    sn_error_free(err);
}

TestSuite(snap_container, .init = setup, .fini = teardown);

Test(snap_container, a_complete_snap_passes)
{
    make_valid();
    expect(0, NULL);
}

Test(snap_container, missing_command_is_reported_and_logged)
{
    make_valid();
    sh("rm bin/demo", NULL);
    Log log = {0};
    SnError *err = NULL;
    cr_assert_eq(check_dir(yaml, &err, &log), -ENOENT);
    cr_assert_str_eq(err->message, "snap is unusable due to missing files: path \"bin/demo\" does not exist");
    cr_assert_str_eq(log.text.data, "in snap \"demo\": path \"bin/demo\" does not exist\n");
    sn_error_free(err);
    sn_buf_done(&log.text);
}

Test(snap_container, unreadable_snap_yaml)
{
    make_valid();
    sh("chmod 0600 meta/snap.yaml", NULL);
    expect(-EACCES, "snap is unusable due to bad permissions: \"meta/snap.yaml\" should be world-readable, and "
                    "isn't: -rw-------");
}

Test(snap_container, hooks_must_be_executable)
{
    make_valid();
    sh("chmod 0644 meta/hooks/configure", NULL);
    expect(-EACCES, "snap is unusable due to bad permissions: \"meta/hooks/configure\" should be executable, and "
                    "isn't: -rw-r--r--");
}

Test(snap_container, service_commands_must_be_executable)
{
    make_valid();
    sh("chmod 0644 sbin/stop", NULL);
    expect(-EACCES, "snap is unusable due to bad permissions: \"sbin/stop\" should be executable, and isn't: "
                    "-rw-r--r--");
}

Test(snap_container, command_directories_need_rx)
{
    make_valid();
    sh("chmod 0700 bin", NULL);
    expect(-EACCES, "snap is unusable due to bad permissions: \"bin\" should be world-readable and executable, "
                    "and isn't: drwx------");
}

Test(snap_container, symlinks_under_meta_must_stay_inside)
{
    make_valid();
    sh("mkdir -p meta/gui && ln -s /etc/passwd meta/gui/x.desktop", NULL);
    expect(-EACCES, "snap is unusable due to bad permissions: external symlink found: meta/gui/x.desktop -> "
                    "/etc/passwd");
    sh("rm meta/gui/x.desktop && ln -s ../../.. meta/gui/up", NULL);
    expect(-EACCES, "snap is unusable due to bad permissions: external symlink found: meta/gui/up -> ../../..");
    sh("rm meta/gui/up && ln -s .. meta/gui/root", NULL);
    expect(-EACCES, "snap is unusable due to bad permissions: bad symlink found: meta/gui/root -> ..");
    sh("rm meta/gui/root && ln -s ../../bin/demo meta/gui/ok", NULL);
    expect(0, NULL);
}

Test(snap_container, meta_cannot_be_a_symlink)
{
    make_valid();
    sh("mv meta realmeta && ln -s realmeta meta", NULL);
    /* The walk does not follow the symlink, so meta/snap.yaml is missing: that error wins, as in snapd. */
    Log log = {0};
    SnError *err = NULL;
    cr_assert_eq(check_dir(yaml, &err, &log), -ENOENT);
    cr_assert_str_eq(err->message, "snap is unusable due to missing files: path \"meta/snap.yaml\" does not exist");
    cr_assert(strstr(log.text.data, "in snap \"demo\": meta directory cannot be a symlink\n"), "%s", log.text.data);
    sn_error_free(err);
    sn_buf_done(&log.text);
}

Test(snap_container, fifo_in_meta_is_refused)
{
    make_valid();
    sh("mkfifo meta/pipe", NULL);
    expect(-EACCES, "snap is unusable due to bad permissions: \"meta/pipe\" should be a regular file (or a symlink) "
                    "and isn't");
}

Test(snap_container, works_on_a_squashfs_image)
{
    make_valid();
    sh("rm sbin/stop", NULL);
    _sn_free_ char *out = sn_strdup_printf("%s.sqfs", tmpdir);
    SnSquashfsPackOptions o = {.all_root = true};
    cr_assert_eq(sn_squashfs_pack(tmpdir, out, &o, NULL, NULL), 0);
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
    cr_assert_eq(sn_squashfs_open_at(AT_FDCWD, out, &sq, NULL), 0);
    unlink(out);
    SnContainer c = sn_container_from_squashfs(sq);
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    SnError *err = NULL;
    cr_assert_eq(sn_snap_container_validate(&c, info, NULL, NULL, &err), -ENOENT);
    cr_assert_str_eq(err->message, "snap is unusable due to missing files: path \"sbin/stop\" does not exist");
    sn_error_free(err);
}

Test(snap_container, layouts_and_content_targets_on_new_bases)
{
    make_valid();
    static const char y[] = "name: demo\nversion: '1'\nbase: core26\n"
                            "layout:\n  /usr/share/demo:\n    bind: $SNAP/usr/share/demo\n"
                            "plugs:\n  themes:\n    interface: content\n    target: $SNAP/data-dir/themes\n";
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(y);
    int fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    SnContainer c = sn_container_from_dir(fd);
    SnError *err = NULL;
    cr_assert_eq(sn_snap_container_validate_layout_and_content(&c, info, &err), -ENOENT);
    cr_assert_str_eq(err->message, "content interface plug \"themes\" target $SNAP/data-dir/themes must exist and "
                                   "must be a directory, ensure it is present in the snap or created before packing");
    sn_error_free(err);
    sh("mkdir -p data-dir/themes", NULL);
    err = NULL;
    cr_assert_eq(sn_snap_container_validate_layout_and_content(&c, info, &err), -ENOENT);
    cr_assert_str_eq(err->message, "layout \"/usr/share/demo\" source \"$SNAP/usr/share/demo\" must exist and be a "
                                   "directory, ensure it is present in the snap or created before packing");
    sn_error_free(err);
    sh("mkdir -p usr/share/demo", NULL);
    cr_assert_eq(sn_snap_container_validate_layout_and_content(&c, info, NULL), 0);
    close(fd);

    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *old = parse("name: demo\nversion: '1'\nbase: core24\n"
                                                             "plugs:\n  t:\n    interface: content\n"
                                                             "    target: $SNAP/nope\n");
    cr_assert_eq(sn_snap_container_validate_layout_and_content(&c, old, NULL), 0, "core24 and older: not checked");
}

Test(snap_container_helpers, go_quote_and_modes)
{
    _sn_free_ char *q = sn_go_quote("a\"b\\c\n\x01\xff é");
    cr_assert_str_eq(q, "\"a\\\"b\\\\c\\n\\x01\\xff é\"");
    char m[16];
    sn_go_mode_string(S_IFDIR | 0755, m);
    cr_assert_str_eq(m, "drwxr-xr-x");
    sn_go_mode_string(S_IFREG | 04755, m);
    cr_assert_str_eq(m, "urwxr-xr-x");
    sn_go_mode_string(S_IFLNK | 0777, m);
    cr_assert_str_eq(m, "Lrwxrwxrwx");
    sn_go_mode_string(S_IFCHR | 0600, m);
    cr_assert_str_eq(m, "Dcrw-------");
    sn_go_mode_string(S_IFDIR | 01777, m);
    cr_assert_str_eq(m, "dtrwxrwxrwx");
}
