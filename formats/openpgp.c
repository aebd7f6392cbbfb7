/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * OpenPGP public keys as snapd encodes them (v4 RSA, normalised packet, SHA3-384 key ID) and the
 * strict base64 the encoded forms use. Packets are framed by openpgp-packet.c; signatures live
 * in openpgp-sign.c, armored secret keys in openpgp-armor.c.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "openpgp-internal.h"
#include "strutil.h"

/* ---- base64 ---- */

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int sn_base64_decode(const char *s, size_t len, uint8_t **ret, size_t *ret_len)
{
    _sn_free_ uint8_t *out = malloc(len / 4 * 3 + 4);
    if (!out)
        return -ENOMEM;
    size_t n = 0, group = 0, pad = 0;
    bool done = false;
    uint32_t acc = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n' || c == '\r')
            continue;
        if (c == '=') {
            /* padding only in the last two positions of a group, and only padding after it */
            if (group < 2)
                return -EBADMSG;
            pad++;
            group++;
            if (group == 4) {
                if (pad > 2)
                    return -EBADMSG;
                done = true;
                break;
            }
            continue;
        }
        if (pad > 0)
            return -EBADMSG;
        int v = b64_value(c);
        if (v < 0)
            return -EBADMSG;
        acc = acc << 6 | (uint32_t)v;
        group++;
        if (group == 4) {
            out[n++] = (uint8_t)(acc >> 16);
            out[n++] = (uint8_t)(acc >> 8);
            out[n++] = (uint8_t)acc;
            group = 0;
            acc = 0;
        }
    }
    if (pad > 0 && !done)
        return -EBADMSG;
    if (pad > 0) {
        /* everything after the final '=' must be newlines */
        const char *end = memchr(s, '=', len);
        size_t rest = (size_t)(end - s);
        size_t seen = 0;
        for (size_t i = rest; i < len; i++) {
            if (s[i] == '=')
                seen++;
            else if (s[i] != '\n' && s[i] != '\r')
                return -EBADMSG;
        }
        if (seen != pad)
            return -EBADMSG;
        if (pad == 2) {
            if (acc & 0xf) /* 2 chars = 12 bits, 8 used */
                return -EBADMSG;
            out[n++] = (uint8_t)(acc >> 4);
        } else {
            if (acc & 0x3) /* 3 chars = 18 bits, 16 used */
                return -EBADMSG;
            out[n++] = (uint8_t)(acc >> 10);
            out[n++] = (uint8_t)(acc >> 2);
        }
    } else if (group != 0) {
        return -EBADMSG;
    }
    out[n] = 0;
    *ret = SN_TAKE_PTR(out);
    *ret_len = n;
    return 0;
}

char *sn_base64_encode_wrapped(const void *data, size_t len)
{
    _sn_free_ char *flat = sn_base64_encode(data, len);
    if (!flat)
        return NULL;
    size_t flen = strlen(flat);
    char *out = malloc(flen + flen / 76 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < flen; i += 76) {
        if (i > 0)
            out[o++] = '\n';
        size_t chunk = SN_MIN((size_t)76, flen - i);
        memcpy(out + o, flat + i, chunk);
        o += chunk;
    }
    out[o] = 0;
    return out;
}

int sn_sha3_384_digest_string(const void *data, size_t len, char ret[SN_PGP_KEY_ID_LEN + 1])
{
    unsigned char md[48];
    unsigned int mdlen = 0;
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha3_384(), NULL) != 1 || mdlen != sizeof(md))
        return -EIO;
    _sn_free_ char *s = sn_base64url_encode(md, sizeof(md));
    if (!s)
        return -ENOMEM;
    if (strlen(s) != SN_PGP_KEY_ID_LEN)
        return -EIO;
    memcpy(ret, s, SN_PGP_KEY_ID_LEN + 1);
    return 0;
}

/* ---- RSA keys ---- */

static int rsa_pkey_from_parts(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen, EVP_PKEY **ret)
{
    _sn_cleanup_(bn_freep) BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL);
    _sn_cleanup_(bn_freep) BIGNUM *bn_e = BN_bin2bn(e, (int)elen, NULL);
    if (!bn_n || !bn_e)
        return -ENOMEM;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    if (!bld)
        return -ENOMEM;
    OSSL_PARAM *params = NULL;
    if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1 || !(params = OSSL_PARAM_BLD_to_param(bld))) {
        OSSL_PARAM_BLD_free(bld);
        return -ENOMEM;
    }
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    int ok = ctx && EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    if (!ok)
        return -EBADMSG;
    *ret = pkey;
    return 0;
}

static int bn_to_bytes(const BIGNUM *bn, uint8_t **ret, size_t *ret_len)
{
    int n = BN_num_bytes(bn);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    if (!p)
        return -ENOMEM;
    BN_bn2bin(bn, p);
    *ret = p;
    *ret_len = (size_t)n;
    return 0;
}

/* Builds the normalised public key packet body (v4, fixed time, RSA, n, e) and the SnPgpPublicKey. */
static int public_key_build(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen, EVP_PKEY *pkey,
                            SnPgpPublicKey **ret, SnError **reterr)
{
    SnBuf body = {0};
    uint8_t head[6] = {4, 0, 0, 0, 0, PGP_ALGO_RSA};
    sn_pgp_put_be32(head + 1, SN_PGP_FIXED_KEY_TIME);
    sn_buf_append(&body, head, sizeof(head));
    sn_pgp_append_mpi(&body, n, nlen);
    sn_pgp_append_mpi(&body, e, elen);
    if (!sn_buf_ok(&body)) {
        sn_buf_done(&body);
        return -ENOMEM;
    }

    SnBuf enc = {0};
    uint8_t v1 = SN_PGP_FORMAT_V1;
    sn_buf_append(&enc, &v1, 1);
    sn_pgp_append_packet_header(&enc, PGP_TAG_PUBLIC_KEY, body.len);
    sn_buf_append(&enc, body.data, body.len);

    /* v4 key ID: low 64 bits of SHA-1(0x99 || be16(len) || body) */
    uint8_t fp[20];
    uint8_t pre[3] = {0x99, (uint8_t)(body.len >> 8), (uint8_t)body.len};
    _sn_cleanup_(md_ctx_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned fplen = 0;
    bool ok = md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(md, pre, 3) == 1 &&
              EVP_DigestUpdate(md, body.data, body.len) == 1 && EVP_DigestFinal_ex(md, fp, &fplen) == 1;
    sn_buf_done(&body);
    if (!ok || !sn_buf_ok(&enc)) {
        sn_buf_done(&enc);
        return sn_error_set(reterr, -ENOMEM, "cannot encode public key");
    }

    SnPgpPublicKey *k = calloc(1, sizeof(*k));
    if (!k) {
        sn_buf_done(&enc);
        return -ENOMEM;
    }
    k->encoded_len = enc.len;
    k->encoded = (uint8_t *)sn_buf_steal(&enc);
    if (!k->encoded || sn_sha3_384_digest_string(k->encoded, k->encoded_len, k->id) < 0) {
        sn_pgp_public_key_free(k);
        return -ENOMEM;
    }
    memcpy(k->issuer, fp + 12, 8);
    k->pkey = pkey;
    k->bits = (unsigned)EVP_PKEY_get_bits(pkey);
    *ret = k;
    return 0;
}

SnPgpPublicKey *sn_pgp_public_key_free(SnPgpPublicKey *key)
{
    if (key) {
        EVP_PKEY_free(key->pkey);
        free(key->encoded);
        free(key);
    }
    return NULL;
}

int sn_pgp_public_key_decode(const char *text, size_t len, SnPgpPublicKey **ret, SnError **reterr)
{
    if (len == 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: no data");
    _sn_free_ uint8_t *raw = NULL;
    size_t rawlen = 0;
    int r = sn_base64_decode(text, len, &raw, &rawlen);
    if (r == -ENOMEM)
        return r;
    if (r < 0)
        return sn_error_set(reterr, r, "cannot decode public key: invalid base64");
    if (rawlen == 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: base64 without data");
    if (raw[0] != SN_PGP_FORMAT_V1)
        return sn_error_set(reterr, -EBADMSG, "unsupported public key format version: %u", raw[0]);
    SnPgpReader rd = {raw + 1, rawlen - 1}, body;
    unsigned tag;
    r = sn_pgp_read_packet(&rd, &tag, &body, reterr, "public key");
    if (r < 0)
        return r;
    if (rd.left != 0)
        return sn_error_set(reterr, -EBADMSG, "public key has spurious trailing data");
    if (tag != PGP_TAG_PUBLIC_KEY)
        return sn_error_set(reterr, -EBADMSG, "expected public key, got instead packet tag %u", tag);
    uint8_t version, algo;
    uint32_t created;
    if (!sn_pgp_reader_u8(&body, &version) || !sn_pgp_reader_be32(&body, &created) || !sn_pgp_reader_u8(&body, &algo))
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: truncated packet");
    if (version != 4)
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: unsupported packet version %u", version);
    if (algo != PGP_ALGO_RSA && algo != PGP_ALGO_RSA_ENCRYPT_ONLY && algo != PGP_ALGO_RSA_SIGN_ONLY)
        return sn_error_set(reterr, -EBADMSG, "expected RSA public key, got instead algorithm %u", algo);
    const uint8_t *n, *e;
    size_t nlen, elen;
    if (sn_pgp_read_mpi(&body, &n, &nlen) < 0 || sn_pgp_read_mpi(&body, &e, &elen) < 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: bad MPI");
    if (body.left != 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: trailing data in packet");
    if (elen > 3)
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: unsupported large public exponent");
    if (nlen == 0 || elen == 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: empty RSA parameter");
    _sn_cleanup_(pkey_freep) EVP_PKEY *pkey = NULL;
    r = rsa_pkey_from_parts(n, nlen, e, elen, &pkey);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot decode public key: invalid RSA key");
    r = public_key_build(n, nlen, e, elen, pkey, ret, reterr);
    if (r < 0)
        return r;
    pkey = NULL;
    return 0;
}

int sn_pgp_public_key_from_pkey(EVP_PKEY *pkey, SnPgpPublicKey **ret, SnError **reterr)
{
    if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
        return sn_error_set(reterr, -EINVAL, "expected an RSA key");
    _sn_cleanup_(bn_freep) BIGNUM *bn_n = NULL;
    _sn_cleanup_(bn_freep) BIGNUM *bn_e = NULL;
    if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &bn_n) != 1 ||
        EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &bn_e) != 1)
        return sn_error_set(reterr, -EINVAL, "cannot read RSA key parameters");
    _sn_free_ uint8_t *n = NULL;
    _sn_free_ uint8_t *e = NULL;
    size_t nlen, elen;
    if (bn_to_bytes(bn_n, &n, &nlen) < 0 || bn_to_bytes(bn_e, &e, &elen) < 0)
        return -ENOMEM;
    _sn_cleanup_(pkey_freep) EVP_PKEY *pub = NULL;
    int r = rsa_pkey_from_parts(n, nlen, e, elen, &pub);
    if (r < 0)
        return sn_error_set(reterr, r, "invalid RSA key");
    r = public_key_build(n, nlen, e, elen, pub, ret, reterr);
    if (r < 0)
        return r;
    pub = NULL;
    return 0;
}

char *sn_pgp_public_key_encode(const SnPgpPublicKey *key)
{
    return sn_base64_encode_wrapped(key->encoded, key->encoded_len);
}
