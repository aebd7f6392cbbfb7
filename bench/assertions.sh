#!/bin/bash
# Verifications per second of a real snap-revision chain (Canonical root key RSA-8192 -> store
# account-key RSA-4096 -> snap-declaration + snap-revision) with microsnap's verifier, against
# the raw cost of the RSA verifications that chain needs, measured by `openssl speed` in the same
# run: ratio = (1 / chain time) / (1 / (1/v8192 + 2/v4096)). 1.0 would mean zero overhead.
#
# usage: bench/assertions.sh [BUILD_DIR] [SECONDS]
set -eu -o pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
SECS=${2:-5}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
ninja -C "$BUILD" formats/libsnassert.a formats/libsnnaming.a common/libsncommon.a >/dev/null
C=$SRC/formats/tests/conformance/assertions
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# the chain: the store key (first assertion of that stream), core's declaration and revision
cat > "$tmp/bench.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include "assert-db.h"
#include "assert-trusted.h"
#include "fd-util.h"
#include "openpgp.h"
#include <openssl/rsa.h>

static double now(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return ts.tv_sec + ts.tv_nsec / 1e9; }

int main(int argc, char **argv)
{
    double secs = atof(argv[1]);
    /* decode once; each round verifies the chain in a fresh database (no cached keys) */
    char *texts[8]; size_t lens[8]; int n = argc - 2;
    for (int i = 0; i < n; i++)
        if (sn_read_file_at(AT_FDCWD, argv[i + 2], 1 << 20, &texts[i], &lens[i]) < 0) return 2;
    long rounds = 0, verified = 0;
    double t0 = now(), t;
    do {
        SnAssertDb *db; sn_assert_db_new(&db); sn_assert_db_add_builtin(db, NULL);
        SnAssertion *list[16]; size_t k = 0;
        for (int i = 0; i < n; i++) {
            SnAssertion **l; size_t m;
            if (sn_assert_decode_stream(texts[i], lens[i], &l, &m, NULL) < 0) return 3;
            for (size_t j = 0; j < m; j++) list[k++] = l[j];
            free(l);
        }
        char **errors = NULL;
        int failed = sn_assert_db_add_many(db, list, k, 0, &errors);
        if (failed) { for (size_t j = 0; j < k; j++) if (errors[j]) fprintf(stderr, "%s\n", errors[j]); return 4; }
        sn_assert_db_errors_free(errors, k);
        sn_assert_db_free(db);
        rounds++; verified += (long)k;
        t = now();
    } while (t - t0 < secs);
    printf("%ld %ld %.6f", rounds, verified, t - t0);
    /* the raw cost of one RSA verification with each key of the chain, through OpenSSL only */
    SnAssertDb *db; sn_assert_db_new(&db); sn_assert_db_add_builtin(db, NULL);
    const char *ids[] = {"-CvQKAwRQ5h3Ffn10FILJoEZUXOv6km9FwA80-Rcj-f-6jadQ89VRswHNiEB9Lxk", NULL};
    SnAssertion **l; size_t m;
    sn_assert_decode_stream(texts[0], lens[0], &l, &m, NULL);
    const SnAssertion *keys[2] = {sn_assert_db_find(db, "account-key", ids, 1), l[0]};
    for (int i = 0; i < 2; i++) {
        SnPgpPublicKey *k; sn_pgp_public_key_decode(keys[i]->body, keys[i]->body_len, &k, NULL);
        size_t sz = EVP_PKEY_get_size(k->pkey); unsigned char *sig = calloc(1, sz), dg[64] = {1};
        sig[sz - 1] = 7;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey, NULL);
        EVP_PKEY_verify_init(ctx); EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING); EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha512());
        long c = 0; double s0 = now();
        do { EVP_PKEY_verify(ctx, sig, sz, dg, 64); c++; t = now(); } while (t - s0 < secs / 2);
        printf(" %u %.1f", k->bits, c / (t - s0));
        EVP_PKEY_CTX_free(ctx); free(sig); sn_pgp_public_key_free(k);
    }
    printf("\n");
    return 0;
}
C
# only the store account-key of that stream: split it out
python3 - "$C/canonical-store-chain/fde-on-classic-model-etc.assert" "$tmp/store.account-key" <<'P'
import sys
data = open(sys.argv[1], 'rb').read()
first = data.split(b'\n\ntype: ')[0] + b'\n'
open(sys.argv[2], 'wb').write(first)
P
cc -O2 -D_GNU_SOURCE -I"$SRC/formats" -I"$SRC/common" -I"$BUILD" "$tmp/bench.c" \
    "$BUILD/formats/libsnassert.a" "$BUILD/formats/libsnnaming.a" "$BUILD/common/libsncommon.a" \
    -lcrypto -ljansson -lyaml -lpthread -o "$tmp/bench"
chain=("$tmp/store.account-key" "$C/snapd-spread-log-2022/snap-declaration-core.assert"
       "$C/snapd-spread-log-2022/snap-revision-core-14430.assert")
read -r rounds verified elapsed bits_root v_root bits_store v_store < <("$tmp/bench" "$SECS" "${chain[@]}")

# openssl's raw RSA verify rates, same machine, same run, one core like our loop
v4096=$( (openssl speed -seconds "$SECS" rsa4096 2>/dev/null || true) | awk '/^rsa 4096 bits/ {print $NF}')
test -n "$v4096" || { echo "openssl speed gave no RSA verify rate" >&2; exit 1; }

python3 - "$rounds" "$verified" "$elapsed" "$v4096" "$bits_root" "$v_root" "$v_store" <<'P'
import sys
rounds, verified, elapsed, v4096 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
bits_root, v_root, v_store = int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
chains = rounds / elapsed
# openssl speed has no rsa8192: the root key's raw verify rate is measured with EVP_PKEY_verify
raw = 1 / (1 / v_root + 2 / v4096)
print(f"chain: root key RSA-{bits_root} -> store account-key -> snap-declaration + snap-revision (RSA-4096), fresh database each round")
print(f"  microsnap verifier: {chains:8.1f} chains/s ({verified/elapsed:8.1f} assertions/s, {1e6/chains:7.1f} us/chain)")
print(f"  raw RSA: openssl speed rsa4096 {v4096:.1f} verify/s (EVP on the store key: {v_store:.1f}); EVP on the RSA-{bits_root} root key {v_root:.1f} verify/s")
print(f"  raw RSA cost of the chain: {raw:8.1f} chains/s")
print(f"  ratio microsnap / raw RSA: {chains/raw:.2f}")
P
