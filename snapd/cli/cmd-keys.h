/* SPDX-License-Identifier: GPL-3.0-only */
/* Passphrase helpers shared by the key verbs (cmd-keys.c) and `snap sign` (cmd-sign.c). */
#pragma once

#include <stdbool.h>

#include <openssl/evp.h>

#include "error.h"

/* The environment variable that gives the passphrase of a key to `snap sign` without a terminal. */
#define SN_KEY_PASSPHRASE_ENV "MICROSNAP_KEY_PASSPHRASE"

/*
 * Asks for a passphrase on /dev/tty without echo (twice when confirm, refusing a mismatch).
 * Returns 0 and *ret (caller frees), -ENXIO when there is no terminal, or -EINVAL on mismatch.
 */
int sn_cli_ask_passphrase(const char *prompt, bool confirm, char **ret);

/* Reads one line from stdin (the trailing newline dropped). */
int sn_cli_read_passphrase_stdin(char **ret);

/*
 * The private key `name` of the key store in dir: read directly when unencrypted, else with the
 * passphrase from $MICROSNAP_KEY_PASSPHRASE or asked on the terminal.
 */
int sn_cli_load_private_key(const char *dir, const char *name, EVP_PKEY **ret, SnError **reterr);
