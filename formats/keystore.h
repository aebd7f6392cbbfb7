/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The user's signing keys for `snap create-key / keys / export-key / sign` (no GnuPG).
 *
 * Layout: one file per key, DIR/NAME.key, mode 0600, in DIR = ~/.snap/keys (mode 0700). The
 * file is PEM: the public key ("BEGIN PUBLIC KEY", SubjectPublicKeyInfo) so that listing and
 * exporting need no passphrase, then the private key as PKCS#8, encrypted with the passphrase
 * ("BEGIN ENCRYPTED PRIVATE KEY": PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC), or plain
 * ("BEGIN PRIVATE KEY") when the passphrase is empty. Key names follow snapd's account-key name
 * rule. A key's ID is its snapd key ID (sn_pgp_public_key_from_pkey).
 */
#pragma once

#include <stdbool.h>

#include <openssl/evp.h>

#include "error.h"
#include "openpgp.h"

/* ~/.snap/keys ($HOME, else the password database). Caller frees. */
int sn_keystore_default_dir(char **ret, SnError **reterr);

/* True when name is a valid key name (snapd's account-key name rule). */
bool sn_keystore_name_valid(const char *name);

/*
 * Generates an RSA key of `bits` bits (snapd uses 4096) and stores it as name, encrypted with
 * passphrase ("" for none). Creates dir (0700) when missing. -EEXIST when the name is taken.
 */
int sn_keystore_create(const char *dir, const char *name, const char *passphrase, unsigned bits, SnError **reterr);

/* Stores an existing RSA private key as name (for importing keys, e.g. snapd's test keys). */
int sn_keystore_import(const char *dir, const char *name, EVP_PKEY *key, const char *passphrase, SnError **reterr);

/* Lists key names (sorted; *ret_names NULL-terminated, sn_strv_free). A missing dir is an empty list. */
int sn_keystore_list(const char *dir, char ***ret_names, SnError **reterr);

/* The public key of name (no passphrase needed). -ENOENT when there is no such key. */
int sn_keystore_public(const char *dir, const char *name, SnPgpPublicKey **ret, SnError **reterr);

/* True when the private key of name is stored encrypted. */
int sn_keystore_is_encrypted(const char *dir, const char *name, bool *ret, SnError **reterr);

/* The private key of name, decrypted with passphrase. -EACCES on a wrong passphrase. */
int sn_keystore_private(const char *dir, const char *name, const char *passphrase, EVP_PKEY **ret, SnError **reterr);
