/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Cleanup macros and small helpers used everywhere.
 *
 *   _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *info = NULL;
 *   _sn_close_ int fd = -1;
 *   _sn_free_ char *s = NULL;
 *   ...
 *   *ret_info = SN_TAKE_PTR(info);
 */
#pragma once

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _sn_cleanup_(f) __attribute__((cleanup(f)))
#define _sn_unused_ __attribute__((unused))
#define _sn_printf_(a, b) __attribute__((format(printf, a, b)))
#define _sn_noreturn_ __attribute__((noreturn))
#define _sn_must_check_ __attribute__((warn_unused_result))

#define SN_ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Takes ownership of a pointer: returns it and sets the variable to NULL. */
#define SN_TAKE_PTR(p)                                                                                                 \
    ({                                                                                                                 \
        __typeof__(p) _sn_p = (p);                                                                                     \
        (p) = NULL;                                                                                                    \
        _sn_p;                                                                                                         \
    })

/* Takes ownership of an fd: returns it and sets the variable to -1. */
#define SN_TAKE_FD(fd)                                                                                                 \
    ({                                                                                                                 \
        int _sn_fd = (fd);                                                                                             \
        (fd) = -1;                                                                                                     \
        _sn_fd;                                                                                                        \
    })

/* Declares name##p, a cleanup function that calls func(*p) when *p is not NULL. */
#define SN_DEFINE_CLEANUP_FUNC(type, func)                                                                             \
    static inline void func##p(type *p)                                                                                \
    {                                                                                                                  \
        if (*p)                                                                                                        \
            func(*p);                                                                                                  \
    }

static inline void sn_freep(void *p)
{
    free(*(void **)p);
    *(void **)p = NULL;
}

/* Closes fd if >= 0, preserving errno. Returns -1 so that "fd = sn_safe_close(fd);" resets it. */
static inline int sn_safe_close(int fd)
{
    if (fd >= 0) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return -1;
}

static inline void sn_closep(int *fd)
{
    *fd = sn_safe_close(*fd);
}

/* Frees a NULL-terminated vector of strings and the vector itself. Accepts NULL. */
static inline char **sn_strv_free(char **v)
{
    if (v) {
        for (char **i = v; *i; i++)
            free(*i);
        free(v);
    }
    return NULL;
}

static inline void sn_strv_freep(char ***v)
{
    *v = sn_strv_free(*v);
}

#define _sn_free_ _sn_cleanup_(sn_freep)
#define _sn_close_ _sn_cleanup_(sn_closep)
#define _sn_strv_free_ _sn_cleanup_(sn_strv_freep)

#define SN_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SN_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Returns -errno after a failed libc call, never 0 (-EIO when errno was not set). */
static inline int sn_negative_errno(void)
{
    return errno > 0 ? -errno : -EIO;
}

#define SN_STREQ(a, b) (strcmp((a), (b)) == 0)
