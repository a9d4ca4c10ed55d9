/* Field arithmetic modulo 2^255 - 19; see fe25519.h for the representation. Limb i holds
 * bits OFFSET[i] .. OFFSET[i] + WIDTH[i] - 1 (26 bits for even i, 25 for odd), so limb i + 10
 * would sit at bit OFFSET[i] + 255, and 2^255 = 19 (mod p): a carry out of limb 9 comes back
 * into limb 0 times 19. A product of limbs i and j lands at bit OFFSET[i + j] when one of
 * them is even, one bit higher (a factor 2) when both are odd. */
#include "fe25519.h"

#include <string.h>

static const int OFFSET[10] = {0, 26, 51, 77, 102, 128, 153, 179, 204, 230};

static int width(int i)
{
    return (i & 1) ? 25 : 26;
}

/* One pass moving each limb's excess above its width into the next; limb 9's excess into
 * limb 0 times 19. Division rounds toward minus infinity (an arithmetic shift), so a
 * negative limb borrows from the next one. */
static void carry_pass(int64_t t[10])
{
    for (int i = 0; i < 10; i++) {
        int64_t c = t[i] >> width(i);
        t[i] -= c * ((int64_t)1 << width(i));
        if (i < 9) {
            t[i + 1] += c;
        } else {
            t[0] += 19 * c;
        }
    }
}

static void store(fe25519 *out, const int64_t t[10])
{
    for (int i = 0; i < 10; i++) {
        out->v[i] = (int32_t)t[i];
    }
}

void fe25519_set(fe25519 *out, int32_t small)
{
    memset(out, 0, sizeof *out);
    out->v[0] = small;
}

/* Sums and differences are carried at once (one pass, some 50 instructions), so every input of
 * a multiplication has limbs within a few units of their width: that keeps 19 b[j] within
 * 32 bits and each product column within 61 bits. */
void fe25519_add(fe25519 *out, const fe25519 *a, const fe25519 *b)
{
    int64_t t[10];
    for (int i = 0; i < 10; i++) {
        t[i] = (int64_t)a->v[i] + b->v[i];
    }
    carry_pass(t);
    store(out, t);
}

void fe25519_sub(fe25519 *out, const fe25519 *a, const fe25519 *b)
{
    int64_t t[10];
    for (int i = 0; i < 10; i++) {
        t[i] = (int64_t)a->v[i] - b->v[i];
    }
    carry_pass(t);
    store(out, t);
}

/* Column k sums a[i] b[k-i] and 19 a[i] b[k+10-i] (the products past 2^255), doubled when i
 * and j are both odd: 100 products of 32 x 32 -> 64 bits. */
void fe25519_mul(fe25519 *out, const fe25519 *a, const fe25519 *b)
{
    int32_t b19[10], a2[10];
    for (int i = 0; i < 10; i++) {
        b19[i] = 19 * b->v[i];
        a2[i] = (i & 1) ? 2 * a->v[i] : a->v[i];
    }
    int64_t t[10];
#pragma GCC unroll 10
    for (int k = 0; k < 10; k++) {
        int64_t sum = 0;
#pragma GCC unroll 10
        for (int i = 0; i <= k; i++) {
            sum += (int64_t)(((k - i) & 1) ? a2[i] : a->v[i]) * b->v[k - i];
        }
#pragma GCC unroll 10
        for (int i = k + 1; i < 10; i++) {
            sum += (int64_t)(((k + 10 - i) & 1) ? a2[i] : a->v[i]) * b19[k + 10 - i];
        }
        t[k] = sum;
    }
    carry_pass(t);
    carry_pass(t);
    store(out, t);
}

/* a^2 with each cross product once, doubled (55 products where fe25519_mul takes 100): column
 * k holds 2 a[i] a[k-i] for i < k - i, a[k/2]^2, and 19 times the same for k + 10, each
 * doubled once more when both limbs are odd. */
void fe25519_square(fe25519 *out, const fe25519 *a)
{
    int32_t a2[10], a4[10], a19[10];
    for (int i = 0; i < 10; i++) {
        a2[i] = 2 * a->v[i];
        a4[i] = 4 * a->v[i];
        a19[i] = 19 * a->v[i];
    }
    int64_t t[10];
#pragma GCC unroll 10
    for (int k = 0; k < 10; k++) {
        int64_t sum = 0;
#pragma GCC unroll 10
        for (int i = 0; 2 * i < k; i++) {
            sum += (int64_t)((i & (k - i) & 1) ? a4[i] : a2[i]) * a->v[k - i];
        }
#pragma GCC unroll 10
        for (int i = k + 1; 2 * i < k + 10; i++) {
            sum += (int64_t)((i & (k + 10 - i) & 1) ? a4[i] : a2[i]) * a19[k + 10 - i];
        }
        if (k % 2 == 0) {
            int low = k / 2, high = k / 2 + 5;
            sum += (int64_t)((low & 1) ? a2[low] : a->v[low]) * a->v[low];
            sum += (int64_t)((high & 1) ? a2[high] : a->v[high]) * a19[high];
        }
        t[k] = sum;
    }
    carry_pass(t);
    carry_pass(t);
    store(out, t);
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
    int64_t t[10];
    for (int i = 0; i < 10; i++) {
        t[i] = a->v[i];
    }
    bool reduced;
    do { /* until every limb is within its width: then the value is below 2^255 < 2p */
        carry_pass(t);
        reduced = true;
        for (int i = 0; i < 10; i++) {
            reduced = reduced && t[i] >= 0 && t[i] < ((int64_t)1 << width(i));
        }
    } while (!reduced);
    /* subtract p = (2^26 - 19, 2^25 - 1, 2^26 - 1, ...) when that does not go negative */
    int64_t m[10];
    int64_t borrow = 0;
    for (int i = 0; i < 10; i++) {
        int64_t limb_p = ((int64_t)1 << width(i)) - (i == 0 ? 19 : 1);
        m[i] = t[i] - limb_p - borrow;
        borrow = m[i] < 0;
        m[i] += borrow * ((int64_t)1 << width(i));
    }
    if (!borrow) {
        memcpy(t, m, sizeof t);
    }
    memset(out, 0, 32);
    for (int i = 0; i < 10; i++) {
        for (int bit = 0; bit < width(i); bit++) {
            int at = OFFSET[i] + bit;
            out[at >> 3] |= (uint8_t)(((t[i] >> bit) & 1) << (at & 7));
        }
    }
}

bool fe25519_from_bytes(fe25519 *out, const uint8_t in[32])
{
    for (int i = 0; i < 10; i++) {
        int32_t limb = 0;
        for (int bit = 0; bit < width(i); bit++) {
            int at = OFFSET[i] + bit;
            limb |= (int32_t)((in[at >> 3] >> (at & 7)) & 1) << bit;
        }
        out->v[i] = limb;
    }
    /* canonical: the 255-bit value is below p = 2^255 - 19, i.e. not 2^255 - 19 .. 2^255 - 1 */
    if ((in[31] & 0x7f) != 0x7f || in[0] < 0xed) {
        return true;
    }
    for (int i = 1; i < 31; i++) {
        if (in[i] != 0xff) {
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
