/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * ASCII-armored OpenPGP secret keys (RFC 4880 section 6.2) with their CRC-24, read into an
 * OpenSSL RSA key: how snapd's published test keys are imported for signing.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "openpgp-internal.h"
#include "strutil.h"

static uint32_t crc24(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xb704ceu;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)p[i] << 16;
        for (int b = 0; b < 8; b++) {
            crc <<= 1;
            if (crc & 0x1000000u)
                crc ^= 0x1864cfbu;
        }
    }
    return crc & 0xffffffu;
}

static int secret_key_from_packet(SnPgpReader body, EVP_PKEY **ret, SnError **reterr)
{
    uint8_t version, algo, usage;
    uint32_t created;
    if (!sn_pgp_reader_u8(&body, &version) || !sn_pgp_reader_be32(&body, &created) || !sn_pgp_reader_u8(&body, &algo))
        return sn_error_set(reterr, -EBADMSG, "truncated secret key packet");
    if (version != 4 || (algo != PGP_ALGO_RSA && algo != PGP_ALGO_RSA_SIGN_ONLY))
        return sn_error_set(reterr, -EBADMSG, "only v4 RSA secret keys are supported");
    const uint8_t *mp[6];
    size_t ml[6];
    if (sn_pgp_read_mpi(&body, &mp[0], &ml[0]) < 0 || sn_pgp_read_mpi(&body, &mp[1], &ml[1]) < 0 ||
        !sn_pgp_reader_u8(&body, &usage))
        return sn_error_set(reterr, -EBADMSG, "truncated secret key packet");
    if (usage != 0)
        return sn_error_set(reterr, -EBADMSG, "passphrase-protected OpenPGP secret keys are not supported");
    for (int i = 2; i < 6; i++)
        if (sn_pgp_read_mpi(&body, &mp[i], &ml[i]) < 0)
            return sn_error_set(reterr, -EBADMSG, "truncated secret key packet");
    /* mp: n, e, d, p, q, u (p^-1 mod q) */
    _sn_cleanup_(bn_ctx_freep) BN_CTX *bnctx = BN_CTX_new();
    BIGNUM *bn[6] = {NULL};
    for (int i = 0; i < 6; i++)
        bn[i] = BN_bin2bn(mp[i], (int)ml[i], NULL);
    _sn_cleanup_(bn_freep) BIGNUM *dmp1 = BN_new();
    _sn_cleanup_(bn_freep) BIGNUM *dmq1 = BN_new();
    _sn_cleanup_(bn_freep) BIGNUM *iqmp = BN_new();
    _sn_cleanup_(bn_freep) BIGNUM *tmp = BN_new();
    int r = -ENOMEM;
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    for (int i = 0; i < 6; i++)
        if (!bn[i])
            goto out;
    if (!bnctx || !dmp1 || !dmq1 || !iqmp || !tmp)
        goto out;
    if (!BN_sub(tmp, bn[3], BN_value_one()) || !BN_mod(dmp1, bn[2], tmp, bnctx) ||
        !BN_sub(tmp, bn[4], BN_value_one()) || !BN_mod(dmq1, bn[2], tmp, bnctx) ||
        !BN_mod_inverse(iqmp, bn[4], bn[3], bnctx)) {
        r = sn_error_set(reterr, -EBADMSG, "invalid RSA secret key parameters");
        goto out;
    }
    r = -ENOMEM;
    bld = OSSL_PARAM_BLD_new();
    if (!bld || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn[0]) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn[1]) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, bn[2]) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, bn[3]) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, bn[4]) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dmp1) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dmq1) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, iqmp) != 1 ||
        !(params = OSSL_PARAM_BLD_to_param(bld)))
        goto out;
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 || EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1) {
        r = sn_error_set(reterr, -EBADMSG, "cannot build RSA key from OpenPGP secret key");
        goto out;
    }
    *ret = pkey;
    r = 0;
out:
    for (int i = 0; i < 6; i++)
        BN_clear_free(bn[i]);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return r;
}

int sn_pgp_private_key_from_armor(const char *text, size_t len, EVP_PKEY **ret, SnError **reterr)
{
    static const char begin[] = "-----BEGIN PGP PRIVATE KEY";
    const char *s = memmem(text, len, begin, sizeof(begin) - 1);
    if (!s)
        return sn_error_set(reterr, -EBADMSG, "no armored OpenPGP private key found");
    const char *end = text + len;
    /* skip the BEGIN line and the armor headers, up to the blank line */
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl)
        return sn_error_set(reterr, -EBADMSG, "truncated armor");
    const char *p = nl + 1;
    while (p < end && *p != '\n' && *p != '\r') {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol || !colon || colon > eol)
            break; /* no headers */
        p = eol + 1;
    }
    SnBuf b64 = {0};
    const char *crc_line = NULL;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        size_t l = (size_t)(eol - p);
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l >= 5 && memcmp(p, "-----", 5) == 0)
            break;
        if (l > 0 && p[0] == '=')
            crc_line = p + 1;
        else
            sn_buf_append(&b64, p, l);
        p = eol + 1;
    }
    if (!sn_buf_ok(&b64))
        return -ENOMEM;
    _sn_free_ uint8_t *raw = NULL;
    size_t rawlen = 0;
    int r = sn_base64_decode(b64.data ? b64.data : "", b64.len, &raw, &rawlen);
    sn_buf_done(&b64);
    if (r < 0)
        return sn_error_set(reterr, r, "invalid base64 in armor");
    if (crc_line) {
        _sn_free_ uint8_t *crc = NULL;
        size_t crclen = 0;
        if (sn_base64_decode(crc_line, 4, &crc, &crclen) < 0 || crclen != 3)
            return sn_error_set(reterr, -EBADMSG, "invalid armor checksum line");
        uint32_t want = (uint32_t)crc[0] << 16 | (uint32_t)crc[1] << 8 | crc[2];
        if (want != crc24(raw, rawlen))
            return sn_error_set(reterr, -EBADMSG, "armor checksum mismatch");
    }
    SnPgpReader rd = {raw, rawlen};
    while (rd.left > 0) {
        unsigned tag;
        SnPgpReader body;
        r = sn_pgp_read_packet(&rd, &tag, &body, reterr, "private key");
        if (r < 0)
            return r;
        if (tag == PGP_TAG_SECRET_KEY)
            return secret_key_from_packet(body, ret, reterr);
    }
    return sn_error_set(reterr, -EBADMSG, "no secret key packet in armor");
}
