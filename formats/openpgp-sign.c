/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * OpenPGP v4 signatures as snapd's assertions use them: decoding (with the subpacket rules),
 * RSA PKCS#1 v1.5 verification and signing with SHA-512.
 */
#include <errno.h>
#include <string.h>

#include <openssl/rsa.h>

#include "openpgp-internal.h"
#include "strutil.h"

SnPgpSignature *sn_pgp_signature_free(SnPgpSignature *sig)
{
    if (sig) {
        free(sig->hashed);
        free(sig->mpi);
        free(sig);
    }
    return NULL;
}

static const EVP_MD *hash_md(uint8_t algo)
{
    switch (algo) {
    case SN_PGP_HASH_SHA256:
        return EVP_sha256();
    case SN_PGP_HASH_SHA384:
        return EVP_sha384();
    case SN_PGP_HASH_SHA512:
        return EVP_sha512();
    case SN_PGP_HASH_SHA224:
        return EVP_sha224();
    default:
        return NULL;
    }
}

/* Walks a subpacket area; records the creation time; refuses unknown critical subpackets. */
static int parse_subpackets(SnPgpReader area, bool hashed, uint32_t *created, bool *has_created)
{
    while (area.left > 0) {
        uint8_t b0;
        size_t len;
        sn_pgp_reader_u8(&area, &b0);
        if (b0 < 192) {
            len = b0;
        } else if (b0 < 255) {
            uint8_t b1;
            if (!sn_pgp_reader_u8(&area, &b1))
                return -EBADMSG;
            len = ((size_t)(b0 - 192) << 8) + b1 + 192;
        } else {
            uint32_t l;
            if (!sn_pgp_reader_be32(&area, &l))
                return -EBADMSG;
            len = l;
        }
        const uint8_t *sp;
        if (len < 1 || !sn_pgp_reader_take(&area, len, &sp))
            return -EBADMSG;
        uint8_t type = sp[0] & 0x7f;
        bool critical = sp[0] & 0x80;
        /* The unhashed area is not signed: we accept only the issuer key ID there (all that snapd's
         * and GnuPG's signers put there), so that it cannot carry anything else unauthenticated. */
        if (!hashed && type != 16)
            return -EBADMSG;
        switch (type) {
        case 2: /* signature creation time */
            if (len != 5)
                return -EBADMSG;
            if (hashed) {
                *created = (uint32_t)sp[1] << 24 | (uint32_t)sp[2] << 16 | (uint32_t)sp[3] << 8 | sp[4];
                *has_created = true;
            }
            break;
        case 16: /* issuer */
            if (len != 9)
                return -EBADMSG;
            break;
        case 3: /* signature expiration time */
        case 9: /* key expiration time */
            if (len != 5)
                return -EBADMSG;
            break;
        case 11: /* preferred symmetric */
        case 21: /* preferred hash */
        case 22: /* preferred compression */
        case 25: /* primary user id */
        case 27: /* key flags */
            break;
        default:
            if (critical)
                return -EBADMSG;
            break;
        }
    }
    return 0;
}

int sn_pgp_signature_decode(const char *text, size_t len, SnPgpSignature **ret, SnError **reterr)
{
    if (len == 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: no data");
    _sn_free_ uint8_t *raw = NULL;
    size_t rawlen = 0;
    int r = sn_base64_decode(text, len, &raw, &rawlen);
    if (r == -ENOMEM)
        return r;
    if (r < 0)
        return sn_error_set(reterr, r, "cannot decode signature: invalid base64");
    if (rawlen == 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: base64 without data");
    if (raw[0] != SN_PGP_FORMAT_V1)
        return sn_error_set(reterr, -EBADMSG, "unsupported signature format version: %u", raw[0]);
    SnPgpReader rd = {raw + 1, rawlen - 1}, body;
    unsigned tag;
    r = sn_pgp_read_packet(&rd, &tag, &body, reterr, "signature");
    if (r < 0)
        return r;
    if (rd.left != 0)
        return sn_error_set(reterr, -EBADMSG, "signature has spurious trailing data");
    if (tag != PGP_TAG_SIGNATURE)
        return sn_error_set(reterr, -EBADMSG, "expected signature, got instead packet tag %u", tag);

    const uint8_t *start = body.p;
    uint8_t version, sigtype, pkalgo, hashalgo;
    uint32_t hlen, ulen;
    if (!sn_pgp_reader_u8(&body, &version))
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated packet");
    if (version != 4)
        return sn_error_set(reterr, -EBADMSG, "expected a v4 signature, got version %u", version);
    if (!sn_pgp_reader_u8(&body, &sigtype) || !sn_pgp_reader_u8(&body, &pkalgo) ||
        !sn_pgp_reader_u8(&body, &hashalgo) || !sn_pgp_reader_be16(&body, &hlen))
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated packet");
    SnPgpReader hashed_area, unhashed_area;
    const uint8_t *p;
    if (!sn_pgp_reader_take(&body, hlen, &p))
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated hashed subpackets");
    hashed_area = (SnPgpReader){p, hlen};
    size_t hashed_len = (size_t)(body.p - start);
    if (!sn_pgp_reader_be16(&body, &ulen) || !sn_pgp_reader_take(&body, ulen, &p))
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated unhashed subpackets");
    unhashed_area = (SnPgpReader){p, ulen};
    if (sigtype != 0x00)
        return sn_error_set(reterr, -EBADMSG, "unexpected signature type 0x%02x (want binary document)", sigtype);
    if (pkalgo != PGP_ALGO_RSA && pkalgo != PGP_ALGO_RSA_SIGN_ONLY)
        return sn_error_set(reterr, -EBADMSG, "unsupported signature public key algorithm %u", pkalgo);
    if (!hash_md(hashalgo))
        return sn_error_set(reterr, -EBADMSG, "unsupported signature hash algorithm %u", hashalgo);
    uint32_t created = 0;
    bool has_created = false;
    if (parse_subpackets(hashed_area, true, &created, &has_created) < 0 ||
        parse_subpackets(unhashed_area, false, &created, &has_created) < 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: invalid or unknown critical subpacket");
    if (!has_created)
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: no creation time in signature");
    const uint8_t *tagp, *mpi;
    size_t mpilen;
    if (!sn_pgp_reader_take(&body, 2, &tagp) || sn_pgp_read_mpi(&body, &mpi, &mpilen) < 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated signature value");
    if (body.left != 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: trailing data in packet");
    if (mpilen == 0)
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: empty signature value");

    _sn_cleanup_(sn_pgp_signature_freep) SnPgpSignature *sig = calloc(1, sizeof(*sig));
    if (!sig)
        return -ENOMEM;
    sig->hash_algo = hashalgo;
    sig->hashed = malloc(hashed_len);
    sig->mpi = malloc(mpilen);
    if (!sig->hashed || !sig->mpi)
        return -ENOMEM;
    memcpy(sig->hashed, start, hashed_len);
    sig->hashed_len = hashed_len;
    memcpy(sig->mpi, mpi, mpilen);
    sig->mpi_len = mpilen;
    memcpy(sig->hash_tag, tagp, 2);
    sig->created = created;
    *ret = SN_TAKE_PTR(sig);
    return 0;
}

static int signature_digest(const EVP_MD *mdtype, const void *content, size_t len, const uint8_t *hashed,
                            size_t hashed_len, uint8_t *out, unsigned *outlen)
{
    uint8_t trailer[6] = {0x04, 0xff};
    sn_pgp_put_be32(trailer + 2, (uint32_t)hashed_len);
    _sn_cleanup_(md_ctx_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, mdtype, NULL) != 1 || EVP_DigestUpdate(md, content, len) != 1 ||
        EVP_DigestUpdate(md, hashed, hashed_len) != 1 || EVP_DigestUpdate(md, trailer, sizeof(trailer)) != 1 ||
        EVP_DigestFinal_ex(md, out, outlen) != 1)
        return -ENOMEM;
    return 0;
}

int sn_pgp_verify(const SnPgpPublicKey *key, const void *content, size_t len, const SnPgpSignature *sig,
                  SnError **reterr)
{
    const EVP_MD *mdtype = hash_md(sig->hash_algo);
    if (!mdtype)
        return sn_error_set(reterr, -EBADMSG, "failed signature verification: unsupported hash");
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    int r = signature_digest(mdtype, content, len, sig->hashed, sig->hashed_len, digest, &dlen);
    if (r < 0)
        return r;
    if (digest[0] != sig->hash_tag[0] || digest[1] != sig->hash_tag[1])
        return sn_error_set(reterr, -EBADMSG, "failed signature verification: hash tag doesn't match");

    size_t modlen = (size_t)EVP_PKEY_get_size(key->pkey);
    if (sig->mpi_len > modlen)
        return sn_error_set(reterr, -EBADMSG, "failed signature verification: signature longer than the key");
    _sn_free_ uint8_t *padded = calloc(1, modlen);
    if (!padded)
        return -ENOMEM;
    memcpy(padded + modlen - sig->mpi_len, sig->mpi, sig->mpi_len);

    _sn_cleanup_(pkey_ctx_freep) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    if (!ctx || EVP_PKEY_verify_init(ctx) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx, mdtype) != 1)
        return sn_error_set(reterr, -ENOMEM, "cannot set up RSA verification");
    if (EVP_PKEY_verify(ctx, padded, modlen, digest, dlen) != 1)
        return sn_error_set(reterr, -EBADMSG, "failed signature verification: crypto/rsa: verification error");
    return 0;
}

int sn_pgp_sign(EVP_PKEY *priv, const void *content, size_t len, uint32_t created, char **ret_text, SnError **reterr)
{
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *pub = NULL;
    int r = sn_pgp_public_key_from_pkey(priv, &pub, reterr);
    if (r < 0)
        return r;

    /* version, type, algorithms, hashed subpackets: creation time */
    uint8_t hashed[12] = {4, 0x00, PGP_ALGO_RSA, SN_PGP_HASH_SHA512, 0, 6, 5, 2};
    sn_pgp_put_be32(hashed + 8, created);
    uint8_t digest[EVP_MAX_MD_SIZE];
    unsigned dlen = 0;
    r = signature_digest(EVP_sha512(), content, len, hashed, sizeof(hashed), digest, &dlen);
    if (r < 0)
        return r;

    size_t siglen = (size_t)EVP_PKEY_get_size(priv);
    _sn_free_ uint8_t *rsasig = malloc(siglen);
    if (!rsasig)
        return -ENOMEM;
    _sn_cleanup_(pkey_ctx_freep) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
    if (!ctx || EVP_PKEY_sign_init(ctx) != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha512()) != 1 || EVP_PKEY_sign(ctx, rsasig, &siglen, digest, dlen) != 1)
        return sn_error_set(reterr, -EINVAL, "cannot sign: RSA signing failed (is this a private key?)");

    SnBuf body = {0};
    sn_buf_append(&body, hashed, sizeof(hashed));
    uint8_t unhashed[12] = {0, 10, 9, 16};
    memcpy(unhashed + 4, pub->issuer, 8);
    sn_buf_append(&body, unhashed, sizeof(unhashed));
    sn_buf_append(&body, digest, 2);
    sn_pgp_append_mpi(&body, rsasig, siglen);

    SnBuf pkt = {0};
    uint8_t v1 = SN_PGP_FORMAT_V1;
    sn_buf_append(&pkt, &v1, 1);
    sn_pgp_append_packet_header(&pkt, PGP_TAG_SIGNATURE, body.len);
    sn_buf_append(&pkt, body.data, body.len);
    bool ok = sn_buf_ok(&body) && sn_buf_ok(&pkt);
    sn_buf_done(&body);
    char *text = ok ? sn_base64_encode_wrapped(pkt.data, pkt.len) : NULL;
    sn_buf_done(&pkt);
    if (!text)
        return -ENOMEM;
    *ret_text = text;
    return 0;
}
