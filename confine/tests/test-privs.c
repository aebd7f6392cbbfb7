/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "privs.h"
#include "strutil.h"

/* Criterion runs each test in its own process, so dropping privileges here is real and contained. */

Test(privs, drops_to_the_caller_and_cannot_get_back)
{
    if (geteuid() != 0)
        cr_skip_test("needs root");
    sn_confine_set_caller(65534, 65534);
    sn_confine_drop_privileges();
    uid_t r, e, s;
    cr_assert_eq(getresuid(&r, &e, &s), 0);
    cr_assert(r == 65534 && e == 65534 && s == 65534);
    cr_assert_neq(setuid(0), 0);
    cap_t caps = cap_get_proc();
    cap_flag_value_t v = CAP_SET;
    cr_assert_eq(cap_get_flag(caps, CAP_SYS_ADMIN, CAP_PERMITTED, &v), 0);
    cr_assert_eq(v, CAP_CLEAR);
    cap_free(caps);
}

Test(privs, a_root_caller_keeps_only_dac_override)
{
    if (geteuid() != 0)
        cr_skip_test("needs root");
    sn_confine_set_caller(0, 0);
    sn_confine_drop_privileges();
    cap_t caps = cap_get_proc();
    cap_flag_value_t v = CAP_SET;
    cr_assert_eq(cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v), 0);
    cr_assert_eq(v, CAP_CLEAR);
    cr_assert_eq(cap_get_flag(caps, CAP_DAC_OVERRIDE, CAP_EFFECTIVE, &v), 0);
    cr_assert_eq(v, CAP_SET);
    cap_free(caps);
    cr_assert_eq(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0), 0);
}

Test(privs, sets_no_new_privs)
{
    sn_confine_set_no_new_privs();
    cr_assert_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
}

Test(privs, dies_when_setresuid_fails, .exit_code = 1)
{
    if (geteuid() != 0)
        exit(1);
    setenv("SN_FAULTS", "setresuid", 1);
    sn_confine_set_caller(65534, 65534);
    sn_confine_drop_privileges();
    /* Only reached when fault injection is compiled out: exit like the helper would have. */
    exit(geteuid() == 65534 ? 1 : 0);
}

/* ---- mode detection (pure) ---- */

typedef struct ModeCase {
    uid_t uid;
    uid_t euid;
    uint64_t permitted;
    int result;
    SnConfineMode mode;
} ModeCase;

#define ALL_CAPS UINT64_C(0x1ffffffffff)
#define NO_PTRACE (SN_CONFINE_FILE_CAPS & ~SN_CONFINE_CAP_BIT(CAP_SYS_PTRACE))

static const ModeCase mode_cases[] = {
    {0, 0, ALL_CAPS, 0, SN_CONFINE_MODE_ROOT},
    {0, 0, 0, 0, SN_CONFINE_MODE_ROOT}, /* root whose caps were taken away: the kernel will refuse later */
    {1000, 0, ALL_CAPS, 0, SN_CONFINE_MODE_SETUID},
    {1000, 1000, SN_CONFINE_FILE_CAPS, 0, SN_CONFINE_MODE_FILE_CAPS},
    {1000, 1000, ALL_CAPS, 0, SN_CONFINE_MODE_FILE_CAPS},
    {1000, 1000, 0, -EPERM, 0},         /* a copy: setuid bit and file capabilities gone */
    {1000, 1000, NO_PTRACE, -EPERM, 0}, /* a set missing one capability */
    {1000, 1000, SN_CONFINE_CAP_BIT(CAP_SYS_ADMIN), -EPERM, 0},
    {1000, 2000, SN_CONFINE_FILE_CAPS, -EPERM, 0}, /* setuid to someone else */
    {0, 1000, ALL_CAPS, -EPERM, 0},                /* root with another euid */
};

Test(privs, tells_setuid_file_capabilities_and_root_apart)
{
    for (size_t i = 0; i < SN_ELEMENTSOF(mode_cases); i++) {
        const ModeCase *c = &mode_cases[i];
        SnConfineMode mode = (SnConfineMode)-1;
        _sn_cleanup_(sn_error_freep) SnError *err = NULL;
        int r = sn_confine_privilege_mode(c->uid, c->euid, c->permitted, &mode, &err);
        cr_assert_eq(r, c->result, "case %zu: %d", i, r);
        if (r == 0) {
            cr_assert_eq(mode, c->mode, "case %zu", i);
            cr_assert_null(err);
        } else {
            cr_assert_eq(mode, (SnConfineMode)-1, "case %zu: written on failure", i);
            cr_assert_not_null(err);
        }
    }
}

Test(privs, says_what_it_found_when_it_cannot_run)
{
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    SnConfineMode mode;
    cr_assert_eq(sn_confine_privilege_mode(1000, 1000, NO_PTRACE, &mode, &err), -EPERM);
    cr_assert(strstr(err->message, "must be run setuid root, with its file capabilities, or as root"), "%s",
              err->message);
    cr_assert(strstr(err->message, "uid 1000, euid 1000"), "%s", err->message);
}

/* The meson list the install script hands to setcap and the set the helper checks for are the same. */
Test(privs, the_installed_capabilities_are_the_ones_the_helper_needs)
{
    const char *text = getenv("SN_CONFINE_FILE_CAPS");
    cr_assert_not_null(text, "meson sets SN_CONFINE_FILE_CAPS");
    _sn_free_ char *spec = sn_strdup_printf("%s=p", text);
    cap_t caps = cap_from_text(spec);
    cr_assert_not_null(caps, "%s", spec);
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
        cap_flag_value_t p = CAP_CLEAR, e = CAP_SET;
        cr_assert_eq(cap_get_flag(caps, c, CAP_PERMITTED, &p), 0);
        cr_assert_eq(cap_get_flag(caps, c, CAP_EFFECTIVE, &e), 0);
        bool want = (SN_CONFINE_FILE_CAPS & SN_CONFINE_CAP_BIT(c)) != 0;
        cr_assert_eq(p == CAP_SET, want, "capability %s: meson says %d, privs.h %d", cap_to_name(c), p == CAP_SET,
                     want);
        cr_assert_eq(e, CAP_CLEAR, "no effective bit: the helper raises it itself");
    }
    cap_free(caps);
}

/* ---- the file-capabilities phases, for real: root turns itself into such a caller first ---- */

typedef struct Sets {
    uint64_t eff, prm, inh;
} Sets;

static Sets read_sets(void)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2] = {0};
    cr_assert_eq(capget(&h, d), 0);
    return (Sets){(uint64_t)d[1].effective << 32 | d[0].effective, (uint64_t)d[1].permitted << 32 | d[0].permitted,
                  (uint64_t)d[1].inheritable << 32 | d[0].inheritable};
}

/* What exec of a 0755 helper with "SN_CONFINE_FILE_CAPS=p" gives uid 65534: those permitted, none effective. */
static void become_file_caps_caller(uint64_t permitted)
{
    if (geteuid() != 0)
        cr_skip_test("needs root");
    cr_assert_eq(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), 0);
    cr_assert_eq(setresgid(65534, 65534, 65534), 0);
    cr_assert_eq(setresuid(65534, 65534, 65534), 0);
    cr_assert_eq(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), 0);
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2] = {{0, (uint32_t)permitted, 0}, {0, (uint32_t)(permitted >> 32), 0}};
    cr_assert_eq(capset(&h, d), 0);
    cr_assert_eq(read_sets().prm, permitted);
    cr_assert_eq(read_sets().eff, 0);
}

static char tmpdir[64];

/* A tmpfs on /tmp in a mount namespace of the test's own: what the dropped test leaves goes with it. */
static void mk_tmpdir(void)
{
    if (geteuid() != 0)
        cr_skip_test("needs root");
    cr_assert_eq(unshare(CLONE_NEWNS), 0);
    cr_assert_eq(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), 0);
    cr_assert_eq(mount("tmpfs", "/tmp", "tmpfs", 0, "mode=0755"), 0);
    strcpy(tmpdir, "/tmp/sn-privs-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    cr_assert_eq(chmod(tmpdir, 0755), 0); /* root's: only fsuid 0 can create in it */
}

static struct stat create_in_tmpdir(const char *name, int *ret_errno)
{
    _sn_free_ char *p = sn_strdup_printf("%s/%s", tmpdir, name);
    struct stat st = {0};
    *ret_errno = 0;
    if (mkdir(p, 0700) < 0 || stat(p, &st) < 0)
        *ret_errno = errno;
    return st;
}

Test(privs, file_capabilities_mode_creates_root_owned_files_then_drops_everything, .init = mk_tmpdir)
{
    become_file_caps_caller(SN_CONFINE_FILE_CAPS);
    cr_assert_eq(sn_confine_init_privileges(), SN_CONFINE_MODE_FILE_CAPS);
    int e = 0;
    create_in_tmpdir("before", &e);
    cr_assert_eq(e, EACCES, "the caller cannot write a root-owned directory before the raise");

    sn_confine_raise_privileges();
    cr_assert_eq(setfsuid((uid_t)-1), 0);
    cr_assert_eq(setfsgid((gid_t)-1), 0);
    cr_assert_eq(read_sets().eff, SN_CONFINE_FILE_CAPS);
    struct stat st = create_in_tmpdir("while-privileged", &e);
    cr_assert_eq(e, 0, "%s", strerror(e));
    cr_assert(st.st_uid == 0 && st.st_gid == 0, "created as %u:%u, not root's", st.st_uid, st.st_gid);
    /* fsuid 0 owns root's 0700 directories: no CAP_DAC_OVERRIDE needed to work inside them. */
    st = create_in_tmpdir("while-privileged/inner", &e);
    cr_assert_eq(e, 0, "%s", strerror(e));

    sn_confine_drop_privileges();
    uid_t r, eu, s;
    cr_assert_eq(getresuid(&r, &eu, &s), 0);
    cr_assert(r == 65534 && eu == 65534 && s == 65534);
    cr_assert_eq(setfsuid((uid_t)-1), 65534);
    cr_assert_eq(setfsgid((gid_t)-1), 65534);
    Sets sets = read_sets();
    cr_assert(sets.eff == 0 && sets.prm == 0 && sets.inh == 0, "%llx %llx %llx", (unsigned long long)sets.eff,
              (unsigned long long)sets.prm, (unsigned long long)sets.inh);
    cr_assert_neq(setuid(0), 0);
    create_in_tmpdir("after", &e);
    cr_assert_eq(e, EACCES, "the dropped helper cannot write a root-owned directory");
}

Test(privs, file_capabilities_without_one_needed_capability_refuses_to_run, .exit_code = 1)
{
    become_file_caps_caller(NO_PTRACE);
    sn_confine_init_privileges();
    exit(0);
}

static void caps_gone_at_exit(void)
{
    Sets s = read_sets();
    if (s.eff || s.prm || setfsuid((uid_t)-1) != 65534)
        _exit(2);
}

/* A death while privileged first gives everything up: the message is written without privileges. */
Test(privs, dying_in_file_capabilities_mode_drops_first, .exit_code = 1)
{
    become_file_caps_caller(SN_CONFINE_FILE_CAPS);
    sn_confine_init_privileges();
    sn_confine_raise_privileges();
    cr_assert_eq(atexit(caps_gone_at_exit), 0);
    sn_confine_die("failing on purpose");
}

Test(privs, setuid_mode_clears_inheritable_bits_the_caller_brought)
{
    if (geteuid() != 0)
        cr_skip_test("needs root");
    cap_t caps = cap_get_proc();
    cap_value_t admin[] = {CAP_SYS_ADMIN};
    cr_assert_eq(cap_set_flag(caps, CAP_INHERITABLE, 1, admin, CAP_SET), 0);
    cr_assert_eq(cap_set_proc(caps), 0);
    cap_free(caps);
    cr_assert_neq(read_sets().inh, 0);
    sn_confine_set_caller(65534, 65534);
    sn_confine_set_mode(SN_CONFINE_MODE_SETUID);
    sn_confine_drop_privileges();
    Sets s = read_sets();
    cr_assert(s.eff == 0 && s.prm == 0 && s.inh == 0);
}

Test(privs, dies_when_the_effective_set_cannot_be_raised, .exit_code = 1)
{
    become_file_caps_caller(SN_CONFINE_FILE_CAPS);
    if (!SN_FAULT_INJECTION)
        exit(1);
    setenv("SN_FAULTS", "capset-raise", 1);
    sn_confine_init_privileges();
    sn_confine_raise_privileges();
    exit(0);
}
