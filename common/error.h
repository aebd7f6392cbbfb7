/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The error type for messages a person will read.
 *
 * Library functions return int: >= 0 success, -errno failure. Those whose failures need words take
 * a last parameter `SnError **reterr`; it may be NULL when the caller only wants the code.
 */
#pragma once

#include "macros.h"

typedef struct SnError {
    int code;      /* negative errno */
    int line;      /* 1-based line in the input the message is about, or 0 when none */
    char *message; /* owned, never NULL */
} SnError;

/*
 * Stores a new error in *reterr (when reterr is not NULL and *reterr is still NULL: the first
 * error wins) and returns code, so "return sn_error_set(reterr, -EINVAL, "...");" is one line.
 * code must be negative. Never fails: on allocation failure the message becomes a fixed text.
 */
int sn_error_set(SnError **reterr, int code, const char *fmt, ...) _sn_printf_(3, 4);

/* The same, with the line of the input the error is about (0: none). */
int sn_error_set_at(SnError **reterr, int code, int line, const char *fmt, ...) _sn_printf_(4, 5);

/*
 * Prepends "prefix: " to the message of *reterr, if there is one. Returns code unchanged so it
 * can be used as "return sn_error_prefix(reterr, r, "cannot read %s", path);".
 */
int sn_error_prefix(SnError **reterr, int code, const char *fmt, ...) _sn_printf_(3, 4);

/* Frees an error. Accepts NULL; returns NULL. */
SnError *sn_error_free(SnError *e);
SN_DEFINE_CLEANUP_FUNC(SnError *, sn_error_free)

/* The message of e, or strerror(-code) when e is NULL. Never NULL. */
const char *sn_error_message(const SnError *e, int code);
