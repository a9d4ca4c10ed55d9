/* Field arithmetic modulo 2^255 - 19; see fe25519.h for the representation. Reduction uses
 * 2^256 = 38 (mod p): a carry out of limb 15 (weight 2^256) comes back into limb 0 times 38. */
#include "fe25519.h"

#include <string.h>

/* p - 2, for inversion by Fermat's little theorem. */
static const uint8_t exponent_p_minus_2[32] = {
    0xeb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
};

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

void fe25519_mul(fe25519 *out, const fe25519 *a, const fe25519 *b)
{
    int64_t t[31] = {0};
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            t[i + j] += (int64_t)a->v[i] * b->v[j];
        }
    }
    for (int i = 0; i < 15; i++) {
        t[i] += 38 * t[i + 16]; /* weight 2^(16 (i + 16)) = 2^256 * 2^(16 i) */
    }
    carry(t);
    for (int i = 0; i < 16; i++) {
        out->v[i] = (int32_t)t[i];
    }
}

void fe25519_pow(fe25519 *out, const fe25519 *a, const uint8_t e[32])
{
    fe25519 acc;
    fe25519_set(&acc, 1);
    for (int bit = 254; bit >= 0; bit--) {
        fe25519_mul(&acc, &acc, &acc);
        if ((e[bit >> 3] >> (bit & 7)) & 1) {
            fe25519_mul(&acc, &acc, a);
        }
    }
    *out = acc;
}

void fe25519_invert(fe25519 *out, const fe25519 *a)
{
    fe25519_pow(out, a, exponent_p_minus_2);
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
