/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "policy-blob.h"
#include "setup-profiles.h"
#include "strutil.h"

static char root[64];

static void make_root(void)
{
    strcpy(root, "/tmp/sn-setup-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

static void remove_root(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(setup_profiles, .init = make_root, .fini = remove_root);

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

static SnSnapInfo *parse(const char *text)
{
    SnSnapInfo *info = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_snap_yaml_parse(text, strlen(text), &info, &err), 0, "%s", err ? err->message : "");
    return info;
}

static SnPolicyBlob *load(const char *tag)
{
    _sn_free_ char *path = sn_strdup_printf("%s/var/lib/snapd/policy/%s.policy", root, tag);
    _sn_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "%s is missing", path);
    SnPolicyBlob *blob = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, &err), 0, "%s: %s", tag, err ? err->message : "");
    return blob;
}

static char *read_text(const char *rel)
{
    _sn_free_ char *path = sn_strdup_printf("%s/%s", root, rel);
    char *text = NULL;
    if (sn_read_file_at(AT_FDCWD, path, 1 << 20, &text, NULL) < 0)
        return NULL;
    return text;
}

static bool exists(const char *rel)
{
    _sn_free_ char *path = sn_strdup_printf("%s/%s", root, rel);
    return access(path, F_OK) == 0;
}

/* The exec records of a blob as one string: "c:CMD h:CHAIN e:K=V ...". */
static char *exec_records(const SnPolicyBlob *blob)
{
    SnBuf b = {0};
    size_t cursor = 0;
    const char *text = NULL;
    for (int kind; (kind = sn_policy_blob_exec_next(blob, &cursor, &text)) != 0;)
        sn_buf_printf(&b, "%s%c:%s", b.len ? " " : "", kind, text);
    return sn_buf_steal(&b);
}

static bool has_landlock_path(const SnPolicyBlob *blob, const char *path)
{
    size_t n = 0;
    const SnPolicyLandlockRule *rules = sn_policy_blob_landlock_rules(blob, &n);
    for (size_t i = 0; i < n; i++)
        if (SN_STREQ(sn_policy_blob_landlock_path(blob, &rules[i]), path))
            return true;
    return false;
}

Test(setup_profiles, writes_a_blob_and_a_profile_for_every_app_and_hook)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    char *implicit[] = {"install", NULL};
    SnPolicySetup s = {.info = info, .revision = "x1", .implicit_hooks = implicit};
    _sn_strv_free_ char **tags = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_policy_setup_profiles(root, &s, &tags, &err), 0, "%s", err ? err->message : "");
    cr_assert_eq(sn_strv_length(tags), 4);
    const char *want[] = {"snap.hello.hello", "snap.hello.other", "snap.hello.hook.configure",
                          "snap.hello.hook.install"};
    for (size_t i = 0; i < SN_ELEMENTSOF(want); i++) {
        cr_assert(sn_strv_contains(tags, want[i]), "%s not written", want[i]);
        _sn_free_ char *aa = sn_strdup_printf("var/lib/snapd/apparmor/profiles/%s", want[i]);
        _sn_free_ char *text = read_text(aa);
        cr_assert_not_null(text, "%s missing", aa);
        _sn_free_ char *decl = sn_strdup_printf("profile \"%s\"", want[i]);
        cr_assert(strstr(text, decl));
        cr_assert(strstr(text, "@{SNAP_REVISION}=\"x1\""));
    }

    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *app = load("snap.hello.hello");
    _sn_free_ char *rec = exec_records(app);
    cr_assert_str_eq(rec, "c:bin/hello --greet h:bin/chain e:A=snap e:B=b e:A=app");
    cr_assert(has_landlock_path(app, "/snap/hello"));
    cr_assert_eq(app->header->flags & (SN_POLICY_FLAG_COMPLAIN | SN_POLICY_FLAG_UNRESTRICTED), 0);

    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *hook = load("snap.hello.hook.configure");
    _sn_free_ char *hrec = exec_records(hook);
    cr_assert_str_eq(hrec, "c:meta/hooks/configure e:A=snap e:B=b e:H=hook");
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *ihook = load("snap.hello.hook.install");
    _sn_free_ char *irec = exec_records(ihook);
    cr_assert_str_eq(irec, "c:meta/hooks/install e:A=snap e:B=b");

    struct stat st;
    _sn_free_ char *p = sn_strdup_printf("%s/var/lib/snapd/policy/snap.hello.hello.policy", root);
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 07777, 0644);
    sn_error_free(err);
}

Test(setup_profiles, a_refresh_drops_the_profiles_of_removed_apps_and_keeps_other_snaps)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    SnPolicySetup s = {.info = info, .revision = "1"};
    cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, NULL), 0);
    /* Files of other snaps whose names share a prefix with this one. */
    const char *others[] = {"snap.hello-x.app", "snap.hello_k.app", "snap.hellox.app"};
    for (size_t i = 0; i < SN_ELEMENTSOF(others); i++) {
        _sn_free_ char *a = sn_strdup_printf("%s/var/lib/snapd/policy/%s.policy", root, others[i]);
        _sn_free_ char *b = sn_strdup_printf("%s/var/lib/snapd/apparmor/profiles/%s", root, others[i]);
        cr_assert_eq(sn_write_file_atomic(AT_FDCWD, a, "x", 1, 0644), 0);
        cr_assert_eq(sn_write_file_atomic(AT_FDCWD, b, "x", 1, 0644), 0);
    }
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info2 =
        parse("name: hello\nversion: '2'\napps:\n  hello:\n    command: bin/hello\n");
    SnPolicySetup s2 = {.info = info2, .revision = "2"};
    cr_assert_eq(sn_policy_setup_profiles(root, &s2, NULL, NULL), 0);
    cr_assert(exists("var/lib/snapd/policy/snap.hello.hello.policy"));
    cr_assert_not(exists("var/lib/snapd/policy/snap.hello.other.policy"), "the dropped app's blob stayed");
    cr_assert_not(exists("var/lib/snapd/apparmor/profiles/snap.hello.other"), "the dropped app's profile stayed");
    cr_assert_not(exists("var/lib/snapd/policy/snap.hello.hook.configure.policy"));
    for (size_t i = 0; i < SN_ELEMENTSOF(others); i++) {
        _sn_free_ char *a = sn_strdup_printf("var/lib/snapd/policy/%s.policy", others[i]);
        cr_assert(exists(a), "%s was removed", a);
    }

    cr_assert_eq(sn_policy_remove_profiles(root, "hello", NULL), 0);
    cr_assert_not(exists("var/lib/snapd/policy/snap.hello.hello.policy"));
    cr_assert_not(exists("var/lib/snapd/apparmor/profiles/snap.hello.hello"));
    for (size_t i = 0; i < SN_ELEMENTSOF(others); i++) {
        _sn_free_ char *a = sn_strdup_printf("var/lib/snapd/apparmor/profiles/%s", others[i]);
        cr_assert(exists(a), "%s was removed", a);
    }
    cr_assert_eq(sn_policy_remove_profiles(root, "Bad/Name", NULL), -EINVAL);
}

Test(setup_profiles, a_compile_error_leaves_the_files_as_they_were)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    SnPolicySetup s = {.info = info, .revision = "1"};
    cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, NULL), 0);
    _sn_free_ char *before = read_text("var/lib/snapd/policy/snap.hello.hello.policy");
    cr_assert_not_null(before);

    SnPolicyLandlockGrant bad = {.path = "/var/../root", .anchor = SN_POLICY_ANCHOR_ROOT, .access = SN_LANDLOCK_RO};
    SnPolicyGrant g = {.interface = "evil", .landlock = &bad, .n_landlock = 1};
    SnPolicySetup s2 = {.info = info, .revision = "2", .grants = &g, .n_grants = 1};
    SnError *err = NULL;
    cr_assert_eq(sn_policy_setup_profiles(root, &s2, NULL, &err), -EINVAL);
    cr_assert(strstr(err->message, "evil"), "%s", err->message);
    _sn_free_ char *after = read_text("var/lib/snapd/policy/snap.hello.hello.policy");
    cr_assert_not_null(after);
    cr_assert_str_eq(before, after);
    _sn_free_ char *aa = read_text("var/lib/snapd/apparmor/profiles/snap.hello.hello");
    cr_assert(strstr(aa, "@{SNAP_REVISION}=\"1\""), "the profile was rewritten");
    sn_error_free(err);
}

Test(setup_profiles, grants_apply_only_to_the_apps_they_are_bound_to)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    char *apps[] = {"hello", NULL};
    SnPolicyLandlockGrant ll[] = {
        {.path = "/srv/data", .anchor = SN_POLICY_ANCHOR_ROOT, .access = SN_LANDLOCK_RW},
        {.path = "Documents", .anchor = SN_POLICY_ANCHOR_HOME, .access = SN_LANDLOCK_RO},
    };
    SnPolicyDeviceRule dev = {'c', SN_POLICY_DEV_READ | SN_POLICY_DEV_WRITE, 0, 4, 64};
    SnPolicyGrant g = {.interface = "serial-port",
                       .apps = apps,
                       .seccomp = "mount\numount2\n",
                       .apparmor = "  /srv/data/** rw,\n",
                       .landlock = ll,
                       .n_landlock = 2,
                       .devices = &dev,
                       .n_devices = 1};
    SnPolicySetup s = {.info = info, .revision = "3", .grants = &g, .n_grants = 1};
    SnError *err = NULL;
    cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, &err), 0, "%s", err ? err->message : "");

    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *a = load("snap.hello.hello");
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *b = load("snap.hello.other");
    cr_assert(has_landlock_path(a, "/srv/data"));
    cr_assert(has_landlock_path(a, "Documents"));
    cr_assert_not(has_landlock_path(b, "/srv/data"));
    size_t na = 0, nb = 0;
    const SnPolicyDeviceRule *da = sn_policy_blob_device_rules(a, &na);
    sn_policy_blob_device_rules(b, &nb);
    cr_assert_eq(na, nb + 1);
    cr_assert_eq(da[na - 1].major, 4);
    cr_assert_eq(da[na - 1].minor, 64);
    sn_policy_blob_seccomp_allow(a, &na);
    sn_policy_blob_seccomp_allow(b, &nb);
    cr_assert_gt(na, nb, "the grant's seccomp rules must be compiled into the bound app's filter");
    _sn_free_ char *ta = read_text("var/lib/snapd/apparmor/profiles/snap.hello.hello");
    _sn_free_ char *tb = read_text("var/lib/snapd/apparmor/profiles/snap.hello.other");
    cr_assert(strstr(ta, "/srv/data/** rw,"));
    cr_assert_null(strstr(tb, "/srv/data"));
}

Test(setup_profiles, cve_2021_4120_grant_rules_cannot_leave_the_profile)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    const char *bad[] = {"}\nprofile evil {\n", "  }\n  /** rwx,\n  {\n", "  /x r,\n}\n", "  ^hat {\n }\n",
                         "  profile x {\n }\n"};
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        SnPolicyGrant g = {.interface = "home", .apparmor = bad[i]};
        SnPolicySetup s = {.info = info, .revision = "1", .grants = &g, .n_grants = 1};
        cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, NULL), -EINVAL, "case %zu", i);
    }
    SnPolicyGrant g = {.interface = "home\n/** rwx", .apparmor = "  /x r,\n"};
    SnPolicySetup s = {.info = info, .revision = "1", .grants = &g, .n_grants = 1};
    cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, NULL), -EINVAL, "an interface name with a newline");
    cr_assert_not(exists("var/lib/snapd/policy/snap.hello.hello.policy"));
}

Test(setup_profiles, devmode_logs_and_classic_is_unrestricted)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *dev =
        parse("name: dev\nversion: '1'\nconfinement: devmode\ngrade: devel\napps:\n  a:\n    command: bin/a\n");
    SnPolicySetup s = {.info = dev, .revision = "1"};
    cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, NULL), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *d = load("snap.dev.a");
    cr_assert(d->header->flags & SN_POLICY_FLAG_COMPLAIN);
    cr_assert(d->header->flags & SN_POLICY_FLAG_LANDLOCK_OPTIONAL);
    cr_assert(d->header->flags & SN_POLICY_FLAG_DEVICES_SELF_MANAGED);
    cr_assert_eq(d->header->landlock_fs_handled, 0);
    _sn_free_ char *dt = read_text("var/lib/snapd/apparmor/profiles/snap.dev.a");
    cr_assert(strstr(dt, "complain)"));

    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *cl =
        parse("name: cl\nversion: '1'\nconfinement: classic\napps:\n  a:\n    command: bin/a\n");
    SnPolicySetup s2 = {.info = cl, .revision = "1"};
    cr_assert_eq(sn_policy_setup_profiles(root, &s2, NULL, NULL), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *c = load("snap.cl.a");
    cr_assert(c->header->flags & SN_POLICY_FLAG_UNRESTRICTED);
    size_t n = 0;
    cr_assert_null(sn_policy_blob_seccomp_allow(c, &n));
    _sn_free_ char *ct = read_text("var/lib/snapd/apparmor/profiles/snap.cl.a");
    cr_assert(strstr(ct, "unconfined)"));
}

Test(setup_profiles, instances_and_revisions_are_checked)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    SnPolicySetup s = {.info = info, .revision = "1", .instance_name = "hello_k1"};
    _sn_strv_free_ char **tags = NULL;
    cr_assert_eq(sn_policy_setup_profiles(root, &s, &tags, NULL), 0);
    cr_assert(sn_strv_contains(tags, "snap.hello_k1.hello"));
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *b = load("snap.hello_k1.hello");
    cr_assert(has_landlock_path(b, "/snap/hello"), "inside the namespace the instance sees its store name");
    cr_assert(has_landlock_path(b, "snap/hello_k1"), "user data is per instance");

    const char *revs[] = {"0", "01", "x", "x0", "-1", "1a", "12345678901234567890", "", "../1"};
    for (size_t i = 0; i < SN_ELEMENTSOF(revs); i++) {
        SnPolicySetup r = {.info = info, .revision = revs[i]};
        cr_assert_eq(sn_policy_setup_profiles(root, &r, NULL, NULL), -EINVAL, "revision \"%s\"", revs[i]);
    }
    SnPolicySetup other = {.info = info, .revision = "1", .instance_name = "world"};
    cr_assert_eq(sn_policy_setup_profiles(root, &other, NULL, NULL), -EINVAL);
}

Test(setup_profiles, written_profiles_parse_with_apparmor_parser)
{
    if (access("/sbin/apparmor_parser", X_OK) != 0)
        cr_skip_test("apparmor_parser is not installed");
    const char *yamls[] = {yaml,
                           "name: dev\nversion: '1'\nconfinement: devmode\ngrade: devel\napps:\n  a:\n    command: a\n",
                           "name: cl\nversion: '1'\nconfinement: classic\napps:\n  a:\n    command: a\n"};
    SnPolicyGrant g = {.interface = "network-bind", .seccomp = "bind\n", .apparmor = "  network inet stream,\n"};
    for (size_t i = 0; i < SN_ELEMENTSOF(yamls); i++) {
        _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yamls[i]);
        SnPolicySetup s = {.info = info, .revision = "x3", .grants = &g, .n_grants = 1};
        cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, NULL), 0);
    }
    _sn_free_ char *cmd = sn_strdup_printf("for f in '%s'/var/lib/snapd/apparmor/profiles/*; do /sbin/apparmor_parser "
                                           "-Q -K \"$f\" >/dev/null 2>&1 || exit 1; done",
                                           root);
    cr_assert_eq(system(cmd), 0, "apparmor_parser -Q refused a written profile");
}

Test(setup_profiles, puts_the_content_mounts_in_every_blob_and_a_bad_one_writes_nothing)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = parse(yaml);
    char *implicit[] = {"install", NULL};
    const SnPolicyMountGrant mounts[] = {{"/snap/prov/3/shared", "/snap/hello/x1/data", true}};
    SnPolicySetup s = {.info = info, .revision = "x1", .implicit_hooks = implicit, .mounts = mounts, .n_mounts = 1};
    SnError *err = NULL;
    cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, &err), 0, "%s", err ? err->message : "");
    const char *tags[] = {"snap.hello.hello", "snap.hello.other", "snap.hello.hook.configure",
                          "snap.hello.hook.install"};
    for (size_t i = 0; i < SN_ELEMENTSOF(tags); i++) {
        _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = load(tags[i]);
        size_t n = 0;
        const SnPolicyMountEntry *m = sn_policy_blob_mounts(blob, &n);
        cr_assert_eq(n, 1, "%s", tags[i]);
        cr_assert_str_eq(sn_policy_blob_mount_source(blob, m), "/snap/prov/3/shared");
        cr_assert_str_eq(sn_policy_blob_mount_target(blob, m), "/snap/hello/x1/data");
    }
    /* A mount aimed at another snap's directory fails the whole set: the blobs stay as they were. */
    const SnPolicyMountGrant bad[] = {{"/snap/prov/3/shared", "/snap/victim/1/data", true}};
    SnPolicySetup s2 = {.info = info, .revision = "x1", .implicit_hooks = implicit, .mounts = bad, .n_mounts = 1};
    _sn_cleanup_(sn_error_freep) SnError *err2 = NULL;
    cr_assert_eq(sn_policy_setup_profiles(root, &s2, NULL, &err2), -EINVAL);
    cr_assert(strstr(err2->message, "victim"), "%s", err2->message);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *again = load("snap.hello.hello");
    size_t n = 0;
    const SnPolicyMountEntry *m = sn_policy_blob_mounts(again, &n);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(sn_policy_blob_mount_target(again, m), "/snap/hello/x1/data");
    sn_error_free(err);
}

/* A snap declaring an audio-playback slot: its server's blob allows the sound node with no connection. */
Test(setup_profiles, a_permanent_slot_grant_is_in_the_blob_without_any_connection)
{
    _sn_free_ char *snd = sn_strdup_printf("%s/dev/snd", root);
    cr_assert_eq(sn_mkdir_p(snd, 0755), 0);
    _sn_free_ char *node = sn_strdup_printf("%s/controlC7", snd);
    if (mknod(node, S_IFCHR | 0600, makedev(116, 77)) < 0)
        cr_skip_test("mknod needs root");
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info =
        parse("name: audsrv\nversion: 1\nslots:\n  sound:\n    interface: audio-playback\n"
              "apps:\n  server:\n    command: bin/s\n    slots: [sound]\n  tool:\n    command: bin/t\n");
    SnPolicySetup s = {.info = info, .revision = "1", .dev_root = root};
    SnError *err = NULL;
    cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, &err), 0, "%s", err ? err->message : "");
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *server = load("snap.audsrv.server");
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *tool = load("snap.audsrv.tool");
    size_t ns = 0, nt = 0;
    const SnPolicyDeviceRule *ds = sn_policy_blob_device_rules(server, &ns);
    const SnPolicyDeviceRule *dt = sn_policy_blob_device_rules(tool, &nt);
    bool in_server = false, in_tool = false;
    for (size_t i = 0; i < ns; i++)
        in_server |= ds[i].major == 116 && ds[i].minor == 77;
    for (size_t i = 0; i < nt; i++)
        in_tool |= dt[i].major == 116 && dt[i].minor == 77;
    cr_assert(in_server, "the slot's app must reach the sound node");
    cr_assert_not(in_tool, "an app the slot is not bound to must not");
    cr_assert(has_landlock_path(server, "/dev/shm"));
    cr_assert_not(has_landlock_path(tool, "/dev/shm"));
    _sn_free_ char *ta = read_text("var/lib/snapd/apparmor/profiles/snap.audsrv.server");
    _sn_free_ char *tt = read_text("var/lib/snapd/apparmor/profiles/snap.audsrv.tool");
    cr_assert_not_null(strstr(ta, "capability sys_nice,"));
    cr_assert_null(strstr(tt, "capability sys_nice,"));
    /* connection grants come on top of the permanent ones */
    SnPolicyLandlockGrant ll = {.path = "/srv/extra", .anchor = SN_POLICY_ANCHOR_ROOT, .access = SN_LANDLOCK_RO};
    SnPolicyGrant g = {.interface = "network", .landlock = &ll, .n_landlock = 1};
    s.grants = &g;
    s.n_grants = 1;
    cr_assert_eq(sn_policy_setup_profiles(root, &s, NULL, &err), 0, "%s", err ? err->message : "");
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *again = load("snap.audsrv.server");
    cr_assert(has_landlock_path(again, "/srv/extra"));
    cr_assert(has_landlock_path(again, "/dev/shm"));
}
