/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "openpgp.h"
#include "strutil.h"

#define PGP_TAG_SIGNATURE 2
#define PGP_TAG_SECRET_KEY 5
#define PGP_TAG_PUBLIC_KEY 6
#define PGP_ALGO_RSA 1
#define PGP_ALGO_RSA_ENCRYPT_ONLY 2
#define PGP_ALGO_RSA_SIGN_ONLY 3

/* Caps: an RSA modulus of 16384 bits is far beyond anything snapd makes (8192 for roots). */
#define PGP_MAX_MPI_BITS 16384u

static void bn_freep(BIGNUM **p)
{
    BN_free(*p);
}
static void bn_ctx_freep(BN_CTX **p)
{
    BN_CTX_free(*p);
}
static void pkey_freep(EVP_PKEY **p)
{
    EVP_PKEY_free(*p);
}
static void pkey_ctx_freep(EVP_PKEY_CTX **p)
{
    EVP_PKEY_CTX_free(*p);
}
static void md_ctx_freep(EVP_MD_CTX **p)
{
    EVP_MD_CTX_free(*p);
}

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

/* ---- packets ---- */

typedef struct Reader {
    const uint8_t *p;
    size_t left;
} Reader;

static bool rd_take(Reader *r, size_t n, const uint8_t **ret)
{
    if (r->left < n)
        return false;
    *ret = r->p;
    r->p += n;
    r->left -= n;
    return true;
}

static bool rd_u8(Reader *r, uint8_t *ret)
{
    const uint8_t *p;
    if (!rd_take(r, 1, &p))
        return false;
    *ret = p[0];
    return true;
}

static bool rd_be16(Reader *r, uint32_t *ret)
{
    const uint8_t *p;
    if (!rd_take(r, 2, &p))
        return false;
    *ret = (uint32_t)p[0] << 8 | p[1];
    return true;
}

static bool rd_be32(Reader *r, uint32_t *ret)
{
    const uint8_t *p;
    if (!rd_take(r, 4, &p))
        return false;
    *ret = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return true;
}

/* Reads one packet header (old or new format, no partial lengths) and its body. */
static int read_packet(Reader *r, unsigned *ret_tag, Reader *ret_body, SnError **reterr, const char *kind)
{
    uint8_t h;
    if (!rd_u8(r, &h) || !(h & 0x80))
        return sn_error_set(reterr, -EBADMSG, "cannot decode %s: not an OpenPGP packet", kind);
    unsigned tag;
    size_t len;
    if (h & 0x40) {
        tag = h & 0x3f;
        uint8_t b0;
        if (!rd_u8(r, &b0))
            return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
        if (b0 < 192) {
            len = b0;
        } else if (b0 < 224) {
            uint8_t b1;
            if (!rd_u8(r, &b1))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = ((size_t)(b0 - 192) << 8) + b1 + 192;
        } else if (b0 == 255) {
            uint32_t l;
            if (!rd_be32(r, &l))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = l;
        } else {
            return sn_error_set(reterr, -EBADMSG, "cannot decode %s: partial packet lengths are not supported", kind);
        }
    } else {
        tag = (h >> 2) & 0xf;
        switch (h & 3) {
        case 0: {
            uint8_t l;
            if (!rd_u8(r, &l))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = l;
            break;
        }
        case 1: {
            uint32_t l;
            if (!rd_be16(r, &l))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = l;
            break;
        }
        case 2: {
            uint32_t l;
            if (!rd_be32(r, &l))
                return sn_error_set(reterr, -EBADMSG, "cannot decode %s: truncated packet header", kind);
            len = l;
            break;
        }
        default:
            len = r->left; /* indeterminate: to the end */
            break;
        }
    }
    const uint8_t *body;
    if (!rd_take(r, len, &body))
        return sn_error_set(reterr, -EBADMSG, "cannot decode %s: packet longer than its data", kind);
    *ret_tag = tag;
    *ret_body = (Reader){body, len};
    return 0;
}

/* Reads an MPI; returns a pointer to its bytes without leading zero bytes. */
static int read_mpi(Reader *r, const uint8_t **ret, size_t *ret_len)
{
    uint32_t bits;
    if (!rd_be16(r, &bits) || bits > PGP_MAX_MPI_BITS)
        return -EBADMSG;
    const uint8_t *p;
    size_t n = (bits + 7) / 8;
    if (!rd_take(r, n, &p))
        return -EBADMSG;
    while (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    *ret = p;
    *ret_len = n;
    return 0;
}

static int append_mpi(SnBuf *b, const uint8_t *p, size_t n)
{
    while (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    unsigned bits = 0;
    if (n > 0) {
        bits = (unsigned)(n - 1) * 8;
        for (uint8_t top = p[0]; top; top >>= 1)
            bits++;
    }
    uint8_t hdr[2] = {(uint8_t)(bits >> 8), (uint8_t)bits};
    sn_buf_append(b, hdr, 2);
    return sn_buf_append(b, p, n);
}

static int append_packet_header(SnBuf *b, unsigned tag, size_t len)
{
    uint8_t h[6];
    size_t n = 0;
    h[n++] = (uint8_t)(0xc0 | tag);
    if (len < 192) {
        h[n++] = (uint8_t)len;
    } else if (len < 8384) {
        h[n++] = (uint8_t)(((len - 192) >> 8) + 192);
        h[n++] = (uint8_t)((len - 192) & 0xff);
    } else {
        h[n++] = 255;
        h[n++] = (uint8_t)(len >> 24);
        h[n++] = (uint8_t)(len >> 16);
        h[n++] = (uint8_t)(len >> 8);
        h[n++] = (uint8_t)len;
    }
    return sn_buf_append(b, h, n);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
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
    put_be32(head + 1, SN_PGP_FIXED_KEY_TIME);
    sn_buf_append(&body, head, sizeof(head));
    append_mpi(&body, n, nlen);
    append_mpi(&body, e, elen);
    if (!sn_buf_ok(&body)) {
        sn_buf_done(&body);
        return -ENOMEM;
    }

    SnBuf enc = {0};
    uint8_t v1 = SN_PGP_FORMAT_V1;
    sn_buf_append(&enc, &v1, 1);
    append_packet_header(&enc, PGP_TAG_PUBLIC_KEY, body.len);
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
    Reader rd = {raw + 1, rawlen - 1}, body;
    unsigned tag;
    r = read_packet(&rd, &tag, &body, reterr, "public key");
    if (r < 0)
        return r;
    if (rd.left != 0)
        return sn_error_set(reterr, -EBADMSG, "public key has spurious trailing data");
    if (tag != PGP_TAG_PUBLIC_KEY)
        return sn_error_set(reterr, -EBADMSG, "expected public key, got instead packet tag %u", tag);
    uint8_t version, algo;
    uint32_t created;
    if (!rd_u8(&body, &version) || !rd_be32(&body, &created) || !rd_u8(&body, &algo))
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: truncated packet");
    if (version != 4)
        return sn_error_set(reterr, -EBADMSG, "cannot decode public key: unsupported packet version %u", version);
    if (algo != PGP_ALGO_RSA && algo != PGP_ALGO_RSA_ENCRYPT_ONLY && algo != PGP_ALGO_RSA_SIGN_ONLY)
        return sn_error_set(reterr, -EBADMSG, "expected RSA public key, got instead algorithm %u", algo);
    const uint8_t *n, *e;
    size_t nlen, elen;
    if (read_mpi(&body, &n, &nlen) < 0 || read_mpi(&body, &e, &elen) < 0)
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

/* ---- signatures ---- */

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
static int parse_subpackets(Reader area, bool hashed, uint32_t *created, bool *has_created)
{
    while (area.left > 0) {
        uint8_t b0;
        size_t len;
        rd_u8(&area, &b0);
        if (b0 < 192) {
            len = b0;
        } else if (b0 < 255) {
            uint8_t b1;
            if (!rd_u8(&area, &b1))
                return -EBADMSG;
            len = ((size_t)(b0 - 192) << 8) + b1 + 192;
        } else {
            uint32_t l;
            if (!rd_be32(&area, &l))
                return -EBADMSG;
            len = l;
        }
        const uint8_t *sp;
        if (len < 1 || !rd_take(&area, len, &sp))
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
    Reader rd = {raw + 1, rawlen - 1}, body;
    unsigned tag;
    r = read_packet(&rd, &tag, &body, reterr, "signature");
    if (r < 0)
        return r;
    if (rd.left != 0)
        return sn_error_set(reterr, -EBADMSG, "signature has spurious trailing data");
    if (tag != PGP_TAG_SIGNATURE)
        return sn_error_set(reterr, -EBADMSG, "expected signature, got instead packet tag %u", tag);

    const uint8_t *start = body.p;
    uint8_t version, sigtype, pkalgo, hashalgo;
    uint32_t hlen, ulen;
    if (!rd_u8(&body, &version))
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated packet");
    if (version != 4)
        return sn_error_set(reterr, -EBADMSG, "expected a v4 signature, got version %u", version);
    if (!rd_u8(&body, &sigtype) || !rd_u8(&body, &pkalgo) || !rd_u8(&body, &hashalgo) || !rd_be16(&body, &hlen))
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated packet");
    Reader hashed_area, unhashed_area;
    const uint8_t *p;
    if (!rd_take(&body, hlen, &p))
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated hashed subpackets");
    hashed_area = (Reader){p, hlen};
    size_t hashed_len = (size_t)(body.p - start);
    if (!rd_be16(&body, &ulen) || !rd_take(&body, ulen, &p))
        return sn_error_set(reterr, -EBADMSG, "cannot decode signature: truncated unhashed subpackets");
    unhashed_area = (Reader){p, ulen};
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
    if (!rd_take(&body, 2, &tagp) || read_mpi(&body, &mpi, &mpilen) < 0)
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
    put_be32(trailer + 2, (uint32_t)hashed_len);
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
    put_be32(hashed + 8, created);
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
    append_mpi(&body, rsasig, siglen);

    SnBuf pkt = {0};
    uint8_t v1 = SN_PGP_FORMAT_V1;
    sn_buf_append(&pkt, &v1, 1);
    append_packet_header(&pkt, PGP_TAG_SIGNATURE, body.len);
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

/* ---- armored secret keys ---- */

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

static int secret_key_from_packet(Reader body, EVP_PKEY **ret, SnError **reterr)
{
    uint8_t version, algo, usage;
    uint32_t created;
    if (!rd_u8(&body, &version) || !rd_be32(&body, &created) || !rd_u8(&body, &algo))
        return sn_error_set(reterr, -EBADMSG, "truncated secret key packet");
    if (version != 4 || (algo != PGP_ALGO_RSA && algo != PGP_ALGO_RSA_SIGN_ONLY))
        return sn_error_set(reterr, -EBADMSG, "only v4 RSA secret keys are supported");
    const uint8_t *mp[6];
    size_t ml[6];
    if (read_mpi(&body, &mp[0], &ml[0]) < 0 || read_mpi(&body, &mp[1], &ml[1]) < 0 || !rd_u8(&body, &usage))
        return sn_error_set(reterr, -EBADMSG, "truncated secret key packet");
    if (usage != 0)
        return sn_error_set(reterr, -EBADMSG, "passphrase-protected OpenPGP secret keys are not supported");
    for (int i = 2; i < 6; i++)
        if (read_mpi(&body, &mp[i], &ml[i]) < 0)
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
    Reader rd = {raw, rawlen};
    while (rd.left > 0) {
        unsigned tag;
        Reader body;
        r = read_packet(&rd, &tag, &body, reterr, "private key");
        if (r < 0)
            return r;
        if (tag == PGP_TAG_SECRET_KEY)
            return secret_key_from_packet(body, ret, reterr);
    }
    return sn_error_set(reterr, -EBADMSG, "no secret key packet in armor");
}
