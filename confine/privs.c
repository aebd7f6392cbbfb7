/* SPDX-License-Identifier: GPL-3.0-only */
#include "privs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fault.h"

static uid_t caller_uid = 0;
static gid_t caller_gid = 0;
static SnConfineMode mode = SN_CONFINE_MODE_SETUID;

/* The three capability sets of the calling thread, 64 bits each. */
typedef struct CapSets {
    uint64_t effective;
    uint64_t permitted;
    uint64_t inheritable;
} CapSets;

static int get_caps(CapSets *ret)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {0};
    if (capget(&hdr, data) < 0)
        return -errno;
    ret->effective = (uint64_t)data[1].effective << 32 | data[0].effective;
    ret->permitted = (uint64_t)data[1].permitted << 32 | data[0].permitted;
    ret->inheritable = (uint64_t)data[1].inheritable << 32 | data[0].inheritable;
    return 0;
}

static int set_caps(const CapSets *sets)
{
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
        {(uint32_t)sets->effective, (uint32_t)sets->permitted, (uint32_t)sets->inheritable},
        {(uint32_t)(sets->effective >> 32), (uint32_t)(sets->permitted >> 32), (uint32_t)(sets->inheritable >> 32)},
    };
    return capset(&hdr, data) < 0 ? -errno : 0;
}

int sn_confine_privilege_mode(uid_t uid, uid_t euid, uint64_t permitted, SnConfineMode *ret_mode, SnError **reterr)
{
    SnConfineMode m;
    if (uid == 0 && euid == 0)
        m = SN_CONFINE_MODE_ROOT;
    else if (uid == 0)
        return sn_error_set(reterr, -EPERM, "refusing a root caller with effective uid %u", (unsigned)euid);
    else if (euid == 0)
        m = SN_CONFINE_MODE_SETUID;
    else if (euid == uid && (permitted & SN_CONFINE_FILE_CAPS) == SN_CONFINE_FILE_CAPS)
        m = SN_CONFINE_MODE_FILE_CAPS;
    else
        return sn_error_set(reterr, -EPERM,
                            "must be run setuid root, with its file capabilities, or as root "
                            "(uid %u, euid %u, permitted capabilities %#llx of the needed %#llx)",
                            (unsigned)uid, (unsigned)euid, (unsigned long long)(permitted & SN_CONFINE_FILE_CAPS),
                            (unsigned long long)SN_CONFINE_FILE_CAPS);
    *ret_mode = m;
    return 0;
}

int sn_confine_permitted_caps(uint64_t *ret_permitted)
{
    CapSets sets;
    int r = get_caps(&sets);
    if (r < 0)
        return r;
    *ret_permitted = sets.permitted;
    return 0;
}

void sn_confine_set_caller(uid_t uid, gid_t gid)
{
    caller_uid = uid;
    caller_gid = gid;
}

void sn_confine_set_mode(SnConfineMode m)
{
    mode = m;
}

SnConfineMode sn_confine_init_privileges(void)
{
    uid_t uid = getuid();
    sn_confine_set_caller(uid, getgid());
    uint64_t permitted = 0;
    int r = sn_confine_permitted_caps(&permitted);
    if (r < 0)
        sn_confine_die("cannot read the capabilities: %s", strerror(-r));
    SnError *err = NULL;
    SnConfineMode m;
    r = sn_confine_privilege_mode(uid, geteuid(), permitted, &m, &err);
    if (r < 0)
        sn_confine_die_error(err, r, "refusing to run");
    sn_confine_set_mode(m);
    return m;
}

/* setfsuid/setfsgid return the previous value and never fail visibly: an invalid id reads it back. */
static uid_t current_fsuid(void)
{
    return (uid_t)setfsuid((uid_t)-1);
}

static gid_t current_fsgid(void)
{
    return (gid_t)setfsgid((gid_t)-1);
}

void sn_confine_raise_privileges(void)
{
    if (mode != SN_CONFINE_MODE_FILE_CAPS)
        return;
    CapSets sets;
    int r = get_caps(&sets);
    if (r < 0)
        sn_confine_die("cannot read the capabilities: %s", strerror(-r));
    sets.effective = sets.permitted;
    if (sn_faulty("capset-raise") || (r = set_caps(&sets)) < 0)
        sn_confine_die("cannot raise the effective capabilities: %s", strerror(r < 0 ? -r : EPERM));
    CapSets back;
    if (get_caps(&back) < 0 || (back.effective & SN_CONFINE_FILE_CAPS) != SN_CONFINE_FILE_CAPS)
        sn_confine_die("the effective capabilities were not raised");
    /* Group first: setfsuid(0) would not stop a failed setfsgid from leaving files group-owned by the caller. */
    setfsgid(0);
    setfsuid(0);
    if (sn_faulty("setfsuid") || current_fsgid() != 0 || current_fsuid() != 0)
        sn_confine_die("cannot set the filesystem ids to 0 (fsuid %u, fsgid %u)", (unsigned)current_fsuid(),
                       (unsigned)current_fsgid());
}

static void best_effort_drop(void)
{
    if (caller_uid == 0)
        return;
    if (mode == SN_CONFINE_MODE_FILE_CAPS) {
        setfsgid(caller_gid);
        setfsuid(caller_uid);
        CapSets none = {0};
        /* Dropping never needs a capability: a failure here means something else is wrong. */
        if (set_caps(&none) < 0)
            _exit(1);
    } else if (geteuid() == 0) {
        /* Ignoring failures on purpose: we are about to exit either way. */
        if (setresgid(caller_gid, caller_gid, caller_gid) < 0 || setresuid(caller_uid, caller_uid, caller_uid) < 0)
            _exit(1);
    }
}

void sn_confine_die(const char *fmt, ...)
{
    int saved = errno;
    best_effort_drop();
    va_list ap;
    va_start(ap, fmt);
    fputs("snap-confine: ", stderr);
    errno = saved;
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void sn_confine_die_error(const SnError *err, int code, const char *what)
{
    sn_confine_die("%s: %s", what, sn_error_message(err, code));
}

static void check_ids(uid_t uid, gid_t gid)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
        sn_confine_die("cannot read back ids: %m");
    if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid)
        sn_confine_die("privileges were not dropped: uids %u/%u/%u gids %u/%u/%u", ru, eu, su, rg, eg, sg);
    uid_t fu = current_fsuid();
    gid_t fg = current_fsgid();
    if (fu != uid || fg != gid)
        sn_confine_die("privileges were not dropped: fsuid %u fsgid %u", (unsigned)fu, (unsigned)fg);
}

static void check_no_caps(void)
{
    CapSets sets;
    if (get_caps(&sets) < 0)
        sn_confine_die("cannot read back capabilities: %m");
    if (sn_faulty("caps-left") || sets.effective || sets.permitted || sets.inheritable)
        sn_confine_die("capabilities are left after dropping privileges: effective %#llx permitted %#llx "
                       "inheritable %#llx",
                       (unsigned long long)sets.effective, (unsigned long long)sets.permitted,
                       (unsigned long long)sets.inheritable);
    for (int c = 0; c <= CAP_LAST_CAP; c++) {
        int r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
        if (r != 0 && !(r < 0 && errno == EINVAL))
            sn_confine_die("ambient capability %d is left after dropping privileges", c);
    }
}

void sn_confine_drop_privileges(void)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        sn_confine_die("cannot clear ambient capabilities: %m");
    if (caller_uid != 0) {
        if (mode == SN_CONFINE_MODE_FILE_CAPS) {
            setfsgid(caller_gid);
            setfsuid(caller_uid);
            if (current_fsgid() != caller_gid || current_fsuid() != caller_uid)
                sn_confine_die("cannot set the filesystem ids back to %u/%u", caller_uid, caller_gid);
        }
        if (sn_faulty("setresgid") || setresgid(caller_gid, caller_gid, caller_gid) < 0)
            sn_confine_die("cannot set gid %u: %m", caller_gid);
        if (sn_faulty("setresuid") || setresuid(caller_uid, caller_uid, caller_uid) < 0)
            sn_confine_die("cannot set uid %u: %m", caller_uid);
        /* The kernel cleared permitted and effective when euid 0 went away (setuid), not the inheritable
         * set a caller may have brought, nor anything in file-capabilities mode: clear all three. */
        CapSets none = {0};
        int r = set_caps(&none);
        if (r < 0)
            sn_confine_die("cannot clear the capabilities: %s", strerror(-r));
        check_ids(caller_uid, caller_gid);
        /* The read-back bubblewrap does: root must be out of reach now. */
        if (setuid(0) == 0 || seteuid(0) == 0)
            sn_confine_die("uid 0 can still be regained");
        check_no_caps();
        return;
    }
    /* A root caller keeps CAP_DAC_OVERRIDE only (snapd does the same); seccomp and Landlock do the rest. */
    check_ids(0, caller_gid);
    /* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
        if (c != CAP_DAC_OVERRIDE && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            sn_confine_die("cannot drop capability %d from the bounding set: %m", (int)c);
    CapSets keep = {
        .effective = SN_CONFINE_CAP_BIT(CAP_DAC_OVERRIDE),
        .permitted = SN_CONFINE_CAP_BIT(CAP_DAC_OVERRIDE),
    };
    int r = set_caps(&keep);
    if (r < 0)
        sn_confine_die("cannot drop capabilities: %s", strerror(-r));
    CapSets back;
    if (get_caps(&back) < 0 || back.permitted != keep.permitted || back.effective != keep.effective || back.inheritable)
        sn_confine_die("capabilities other than CAP_DAC_OVERRIDE are left after dropping them");
}

void sn_confine_set_no_new_privs(void)
{
    if (sn_faulty("no-new-privs") || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        sn_confine_die("cannot set no_new_privs: %m");
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
        sn_confine_die("no_new_privs did not stick");
}
