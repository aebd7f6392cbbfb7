/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Compiles snapd's seccomp source syntax into the two BPF programs of a policy blob.
 *
 * One rule a line; '#' starts a comment line; blank lines are ignored.
 *   NAME [ARG0 ... ARG5]     allow (goes to the allow filter, whose default is EPERM)
 *   ~NAME [ARG0 ... ARG5]    explicit denial: EACCES (goes to the deny filter, whose default is allow)
 *   @complain                the allow filter logs instead of denying (devmode)
 *   @unrestricted            no filter at all (classic)
 * Argument tokens: "-" any; N or SYMBOL equal; !N not equal; <N <=N >N >=N; |MASK (arg & MASK) == MASK;
 * MASK|VAL (arg & MASK) == VAL. N is decimal or 0x hex; "u:root" and "g:root" are 0 (other user and
 * group names are refused: the base's passwd is not consulted yet). The request argument of ioctl is
 * always compared on its low 32 bits, as the kernel reads it (CVE-2019-7303). Unknown syscall names
 * are skipped, as snapd does (they may exist on other architectures or kernels).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct SnSeccompProgram {
    void *deny; /* struct sock_filter[] or NULL */
    size_t n_deny;
    void *allow; /* struct sock_filter[] or NULL when unrestricted */
    size_t n_allow;
    bool unrestricted;
    bool complain;
} SnSeccompProgram;

/*
 * Compiles source (NUL-terminated) for the native architecture and its compat architecture (x86 on
 * x86_64, arm on aarch64). Returns 0 and fills *ret (release with sn_seccomp_program_done), or
 * -EINVAL with the line number in the error for a malformed line or unknown symbol, -E2BIG when a
 * program exceeds the kernel's instruction limit, -ENOMEM.
 */
int sn_seccomp_compile(const char *source, SnSeccompProgram *ret, SnError **reterr);

void sn_seccomp_program_done(SnSeccompProgram *p);

/* The default template: what every strict snap may do (our own list, in snapd's syntax and semantics). */
extern const char sn_seccomp_default_template[];
