/* SPDX-License-Identifier: GPL-3.0-only */
#include "privs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fault.h"

static uid_t caller_uid = 0;
static gid_t caller_gid = 0;

void sn_confine_set_caller(uid_t uid, gid_t gid)
{
    caller_uid = uid;
    caller_gid = gid;
}

static void best_effort_drop(void)
{
    if (geteuid() == 0 && caller_uid != 0) {
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
}

void sn_confine_drop_privileges(void)
{
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
        sn_confine_die("cannot clear ambient capabilities: %m");
    if (caller_uid != 0) {
        if (sn_faulty("setresgid") || setresgid(caller_gid, caller_gid, caller_gid) < 0)
            sn_confine_die("cannot set gid %u: %m", caller_gid);
        if (sn_faulty("setresuid") || setresuid(caller_uid, caller_uid, caller_uid) < 0)
            sn_confine_die("cannot set uid %u: %m", caller_uid);
        check_ids(caller_uid, caller_gid);
        /* The read-back bubblewrap does: root must be out of reach now. */
        if (setuid(0) == 0 || seteuid(0) == 0)
            sn_confine_die("uid 0 can still be regained");
        cap_t caps = cap_get_proc();
        cap_t none = cap_init();
        if (!caps || !none)
            sn_confine_die("cannot read capabilities: %m");
        int same = cap_compare(caps, none);
        cap_free(caps);
        cap_free(none);
        if (same != 0)
            sn_confine_die("capabilities are left after dropping privileges");
        return;
    }
    /* A root caller keeps CAP_DAC_OVERRIDE only (snapd does the same); seccomp and Landlock do the rest. */
    check_ids(0, caller_gid);
    /* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
    for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
        if (c != CAP_DAC_OVERRIDE && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
            sn_confine_die("cannot drop capability %d from the bounding set: %m", (int)c);
    cap_t caps = cap_init();
    cap_value_t keep[] = {CAP_DAC_OVERRIDE};
    if (!caps || cap_set_flag(caps, CAP_PERMITTED, 1, keep, CAP_SET) < 0 ||
        cap_set_flag(caps, CAP_EFFECTIVE, 1, keep, CAP_SET) < 0 || cap_set_proc(caps) < 0)
        sn_confine_die("cannot drop capabilities: %m");
    cap_free(caps);
    cap_flag_value_t v = CAP_CLEAR;
    caps = cap_get_proc();
    if (!caps || cap_get_flag(caps, CAP_SYS_ADMIN, CAP_PERMITTED, &v) < 0 || v != CAP_CLEAR)
        sn_confine_die("CAP_SYS_ADMIN is left after dropping capabilities");
    cap_free(caps);
}

void sn_confine_set_no_new_privs(void)
{
    if (sn_faulty("no-new-privs") || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        sn_confine_die("cannot set no_new_privs: %m");
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
        sn_confine_die("no_new_privs did not stick");
}
