/* SPDX-License-Identifier: GPL-3.0-only */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *program = "microsnap";
static SnLogLevel max_level = SN_LOG_INFO;

void sn_log_set_program(const char *name)
{
    program = name;
}

void sn_log_set_level(SnLogLevel level)
{
    max_level = level;
}

void sn_log_init_from_env(void)
{
    const char *v = secure_getenv("SNAPD_DEBUG");
    if (v && (SN_STREQ(v, "1") || SN_STREQ(v, "true")))
        max_level = SN_LOG_DEBUG;
}

void sn_log(SnLogLevel level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "", "debug"};
    if (level > max_level)
        return;
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    flockfile(stderr);
    if (level == SN_LOG_INFO)
        fprintf(stderr, "%s: ", program);
    else
        fprintf(stderr, "%s: %s: ", program, names[level]);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    funlockfile(stderr);
    va_end(ap);
    errno = saved;
}

void sn_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(EXIT_FAILURE);
}

void sn_die_errno(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", program);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, ": %s\n", strerror(saved));
    va_end(ap);
    exit(EXIT_FAILURE);
}
