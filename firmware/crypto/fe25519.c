/* Field arithmetic modulo 2^255 - 19; see fe25519.h for the representation. Reduction uses
 * 2^256 = 38 (mod p): a carry out of limb 15 (weight 2^256) comes back into limb 0 times 38. */
#include "fe25519.h"

#include <string.h>

void fe25519_set(fe25519 *out, int32_t small)
{
    memset(out, 0, sizeof *out);
    out->v[0] = small;
}

void fe25519_add(fe25519 *out, const fe25519 *a, const fe25519 *b)
{
    for (int i = 0; i < 16; i++) {
        out->v[i] = a->v[i] + b->v[i];
    }
}

void fe25519_sub(fe25519 *out, const fe25519 *a, const fe25519 *b)
{
    for (int i = 0; i < 16; i++) {
        out->v[i] = a->v[i] - b->v[i];
    }
}

/* One pass moving each limb's excess above 16 bits into the next; the carry out of limb 15
 * lands in limb 0 again. Division by 2^16 rounds toward minus infinity (an arithmetic shift),
 * so a negative limb borrows from the next one. */
static void carry_pass(int64_t t[16])
{
    for (int i = 0; i < 16; i++) {
        int64_t c = t[i] >> 16;
        t[i] -= c * 65536;
        if (i < 15) {
            t[i + 1] += c;
        } else {
            t[0] += 38 * c;
        }
    }
}

/* Two passes bring wide limbs (a product's) back to [0, 2^16), limb 0 up to a little above. */
static void carry(int64_t t[16])
{
    carry_pass(t);
    carry_pass(t);
}

/* Column by column, each output limb summed in a register: limb k is the sum of a[i] b[k-i]
 * and, for the products of weight 2^(16 (k + 16)) = 2^256 2^(16 k), 38 a[i] b[k+16-i]. With
 * limbs below 2^18 in magnitude (a product's, or a sum or difference of two such), 38 b[j]
 * stays below 2^24 and each column below 2^46. */
void fe25519_mul(fe25519 *out, const fe25519 *a, const fe25519 *b)
{
    int32_t b38[16];
    for (int j = 0; j < 16; j++) {
        b38[j] = 38 * b->v[j];
    }
    int64_t t[16];
    for (int k = 0; k < 16; k++) {
        int64_t sum = 0;
#pragma GCC unroll 16
        for (int i = 0; i <= k; i++) {
            sum += (int64_t)a->v[i] * b->v[k - i];
        }
#pragma GCC unroll 16
        for (int i = k + 1; i < 16; i++) {
            sum += (int64_t)a->v[i] * b38[k + 16 - i];
        }
        t[k] = sum;
    }
    carry(t);
    for (int i = 0; i < 16; i++) {
        out->v[i] = (int32_t)t[i];
    }
}

/* a^2 with each cross product once, doubled (about 136 products where fe25519_mul takes 256):
 * column k holds a[k/2]^2 and 2 a[i] a[k-i] for i < k-i, plus 38 times the same for k + 16. */
void fe25519_square(fe25519 *out, const fe25519 *a)
{
    int32_t twice[16], times38[16];
    for (int i = 0; i < 16; i++) {
        twice[i] = 2 * a->v[i];
        times38[i] = 38 * a->v[i];
    }
    int64_t t[16];
    for (int k = 0; k < 16; k++) {
        int64_t sum = 0;
        for (int i = 0; 2 * i < k; i++) {
            sum += (int64_t)twice[i] * a->v[k - i];
        }
        for (int i = k + 1; 2 * i < k + 16; i++) {
            sum += (int64_t)twice[i] * times38[k + 16 - i];
        }
        if (k % 2 == 0) {
            sum += (int64_t)a->v[k / 2] * a->v[k / 2] + (int64_t)a->v[(k + 16) / 2] * times38[(k + 16) / 2];
        }
        t[k] = sum;
    }
    carry(t);
    for (int i = 0; i < 16; i++) {
        out->v[i] = (int32_t)t[i];
    }
}

static void square_times(fe25519 *out, const fe25519 *a, int times)
{
    *out = *a;
    for (int i = 0; i < times; i++) {
        fe25519_square(out, out);
    }
}

/* z^(2^250 - 1) and z^11, the common part of both exponents below, in 250 squarings and 10
 * multiplications (each z_n_0 below is z^(2^n - 1)). */
static void pow_2_250_minus_1(fe25519 *z_250_0, fe25519 *z11, const fe25519 *z)
{
    fe25519 z2, z9, t, z_5_0, z_10_0, z_20_0, z_50_0, z_100_0;
    fe25519_square(&z2, z);
    square_times(&t, &z2, 2);
    fe25519_mul(&z9, &t, z);
    fe25519_mul(z11, &z9, &z2);
    fe25519_square(&t, z11);
    fe25519_mul(&z_5_0, &t, &z9);           /* z^22 z^9 = z^31 */
    square_times(&t, &z_5_0, 5);
    fe25519_mul(&z_10_0, &t, &z_5_0);
    square_times(&t, &z_10_0, 10);
    fe25519_mul(&z_20_0, &t, &z_10_0);
    square_times(&t, &z_20_0, 20);
    fe25519_mul(&t, &t, &z_20_0);           /* z_40_0 */
    square_times(&t, &t, 10);
    fe25519_mul(&z_50_0, &t, &z_10_0);
    square_times(&t, &z_50_0, 50);
    fe25519_mul(&z_100_0, &t, &z_50_0);
    square_times(&t, &z_100_0, 100);
    fe25519_mul(&t, &t, &z_100_0);          /* z_200_0 */
    square_times(&t, &t, 50);
    fe25519_mul(z_250_0, &t, &z_50_0);
}

void fe25519_invert(fe25519 *out, const fe25519 *a)
{
    fe25519 z_250_0, z11;
    pow_2_250_minus_1(&z_250_0, &z11, a);
    square_times(out, &z_250_0, 5);
    fe25519_mul(out, out, &z11);            /* (2^250 - 1) 2^5 + 11 = 2^255 - 21 = p - 2 */
}

void fe25519_pow_p58(fe25519 *out, const fe25519 *a)
{
    fe25519 z_250_0, z11, z = *a; /* out may be a */
    pow_2_250_minus_1(&z_250_0, &z11, &z);
    square_times(out, &z_250_0, 2);
    fe25519_mul(out, out, &z);               /* (2^250 - 1) 2^2 + 1 = 2^252 - 3 = (p - 5) / 8 */
}

void fe25519_to_bytes(uint8_t out[32], const fe25519 *a)
{
    int64_t t[16];
    for (int i = 0; i < 16; i++) {
        t[i] = a->v[i];
    }
    bool reduced;
    do { /* until every limb is in [0, 2^16): then the value is below 2^256 = 2p + 38 */
        carry_pass(t);
        reduced = true;
        for (int i = 0; i < 16; i++) {
            reduced = reduced && t[i] >= 0 && t[i] < 65536;
        }
    } while (!reduced);
    for (int round = 0; round < 2; round++) {
        /* subtract p = (2^16 - 19, 2^16 - 1 x 14, 2^15 - 1) when that does not go negative */
        int64_t m[16];
        int64_t borrow = 0;
        for (int i = 0; i < 16; i++) {
            int64_t limb_p = i == 0 ? 0xffed : (i == 15 ? 0x7fff : 0xffff);
            m[i] = t[i] - limb_p - borrow;
            borrow = m[i] < 0;
            m[i] += borrow * 65536;
        }
        if (!borrow) {
            memcpy(t, m, sizeof t);
        }
    }
    for (int i = 0; i < 16; i++) {
        out[2 * i] = (uint8_t)t[i];
        out[2 * i + 1] = (uint8_t)(t[i] >> 8);
    }
}

bool fe25519_from_bytes(fe25519 *out, const uint8_t in[32])
{
    for (int i = 0; i < 16; i++) {
        out->v[i] = in[2 * i] | (int32_t)in[2 * i + 1] << 8;
    }
    out->v[15] &= 0x7fff;
    /* canonical: the 255-bit value is below p = 2^255 - 19, i.e. not 2^255 - 19 .. 2^255 - 1 */
    if (out->v[15] != 0x7fff || out->v[0] < 0xffed) {
        return true;
    }
    for (int i = 1; i < 15; i++) {
        if (out->v[i] != 0xffff) {
            return true;
        }
    }
    return false;
}

bool fe25519_equal(const fe25519 *a, const fe25519 *b)
{
    uint8_t x[32], y[32];
    fe25519_to_bytes(x, a);
    fe25519_to_bytes(y, b);
    return memcmp(x, y, 32) == 0;
}

bool fe25519_is_zero(const fe25519 *a)
{
    fe25519 zero;
    fe25519_set(&zero, 0);
    return fe25519_equal(a, &zero);
}

int fe25519_parity(const fe25519 *a)
{
    uint8_t bytes[32];
    fe25519_to_bytes(bytes, a);
    return bytes[0] & 1;
}
