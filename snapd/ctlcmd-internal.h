/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The snapctl commands' own types and helpers, shared by ctlcmd.c (argument parsing, set-health,
 * is-connected, dispatch), ctlcmd-config.c (get, set, unset) and ctlcmd-services.c (services, start,
 * stop, restart).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctlcmd.h"
#include "error.h"
#include "snap-yaml.h"
#include "strutil.h"

/* A flag of a command, as go-flags takes it. */
typedef struct Flag {
    const char *long_name; /* without "--" */
    char short_name;       /* 0 when none */
    bool takes_value;
} Flag;

/* The arguments of a command: positional ones and the flags' values, by index of the Flag table. */
typedef struct Parsed {
    char **positional;
    const char *values[16]; /* per flag: "" for a bool flag given, the value, or NULL */
} Parsed;

/* One snapctl run: its context, and what it prints and exits with. */
typedef struct Cmd {
    SnState *st;
    SnHookContext *ctx;
    const SnCtlServices *services;
    const char *name;
    uid_t uid;
    SnBuf out;
    SnBuf err;
    int exit_code;
    int64_t wait_change; /* start/stop/restart: the change the answer waits for */
} Cmd;

/* qsort comparator of char * (strcmp). */
int sn_ctlcmd_key_cmp(const void *a, const void *b);

/* Frees p's contents. */
void sn_ctlcmd_parsed_done(Parsed *p);

/*
 * Parses args (after the command name) against the n_flags flags (at most 16) into p: --long, --long=V, -s,
 * -sV, bundled short bools, "--" ends the flags. -EINVAL with go-flags' message, -ENOMEM.
 */
int sn_ctlcmd_parse_args(char *const *args, const Flag *flags, size_t n_flags, Parsed *p, SnError **reterr);

/* -EINVAL with snapd's message when c runs outside of a snap (no context), else 0. */
int sn_ctlcmd_need_context(Cmd *c, SnError **reterr);

/* The snap.yaml of the context's snap at its current revision. */
int sn_ctlcmd_current_info(Cmd *c, SnSnapInfo **ret, SnError **reterr);

/* Whether hook (NULL accepted) is a (un)prepare-/(dis)connect- plug or slot hook. */
bool sn_ctlcmd_is_interface_hook(const char *hook);

/* The commands (ctlcmd-config.c, ctlcmd-services.c): args after the command name; see ctlcmd.h. */
int sn_ctlcmd_get(Cmd *c, char *const *args, SnError **reterr);
int sn_ctlcmd_set(Cmd *c, char *const *args, SnError **reterr);
int sn_ctlcmd_unset(Cmd *c, char *const *args, SnError **reterr);
int sn_ctlcmd_services(Cmd *c, char *const *args, SnError **reterr);
int sn_ctlcmd_service_control(Cmd *c, char *const *args, SnError **reterr);
