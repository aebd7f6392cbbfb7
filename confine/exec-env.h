/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap-exec's environment and command line, as snapd's snap-exec builds them: SNAP_SAVED_* restored,
 * the snap's then the app's environment applied in order with $VAR expansion, and
 * [$SNAP/CHAIN...] $SNAP/CMD ARGS... USER-ARGS... Pure functions on string vectors, for tests.
 */
#pragma once

#include "macros.h"

/* The value of key in a NULL-terminated KEY=VALUE vector, or NULL. */
const char *sn_exec_env_get(char *const *env, const char *key);

/* Sets key=value in *env (replacing an existing entry or appending). Returns 0 or -ENOMEM. */
int sn_exec_env_set(char ***env, const char *key, const char *value);

/* Removes key from env. */
void sn_exec_env_unset(char **env, const char *key);

/*
 * Expands $NAME and ${NAME} (NAME: letters, digits, '_') from env; unknown names expand to "".
 * A '$' not followed by a name or '{' stays. Returns a new string (caller frees) or NULL on ENOMEM.
 */
char *sn_exec_expand(const char *s, char *const *env);

/* Turns every SNAP_SAVED_X=v into X=v (replacing X) and drops the SNAP_SAVED_X entry. 0 or -ENOMEM. */
int sn_exec_restore_saved(char ***env);

/* Applies one "KEY=VALUE" record: VALUE is expanded against *env first. 0, -EINVAL or -ENOMEM. */
int sn_exec_apply_env_record(char ***env, const char *record);

/*
 * Builds the argv: each chain entry as $SNAP/entry, then the command split on spaces with each part
 * $VAR-expanded and the first made $SNAP/part, then user_args unchanged. snap is the value of $SNAP.
 * Returns 0 and *ret_argv (free with sn_strv_free), -EINVAL for an empty command, or -ENOMEM.
 */
int sn_exec_build_argv(const char *snap, const char *command, char *const *chain, char *const *user_args,
                       char *const *env, char ***ret_argv);
