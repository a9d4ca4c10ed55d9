/* Scalars mod L; see sc25519.h. Reduction runs one bit at a time (r = 2r + bit, minus L when
 * that reaches L) over eight 32-bit words: 512 steps of a few dozen instructions, a small
 * part of a verification, and short enough to check by reading. */
#include "sc25519.h"

#define WORDS 8

static const uint32_t order[WORDS] = { /* L, little-endian 32-bit words */
    0x5cf5d3edu, 0x5812631au, 0xa2f79cd6u, 0x14def9deu, 0x00000000u, 0x00000000u, 0x00000000u, 0x10000000u,
};

static void load_words(uint32_t w[WORDS], const uint8_t b[32])
{
    for (int i = 0; i < WORDS; i++) {
        w[i] = b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 | (uint32_t)b[4 * i + 3] << 24;
    }
}

/* a >= L, comparing from the most significant word. */
static bool at_least_order(const uint32_t a[WORDS])
{
    for (int i = WORDS - 1; i >= 0; i--) {
        if (a[i] != order[i]) {
            return a[i] > order[i];
        }
    }
    return true;
}

static void subtract_order(uint32_t a[WORDS])
{
    uint32_t borrow = 0;
    for (int i = 0; i < WORDS; i++) {
        uint64_t d = (uint64_t)a[i] - order[i] - borrow;
        a[i] = (uint32_t)d;
        borrow = (uint32_t)(d >> 63);
    }
}

void sc25519_reduce(uint8_t out[32], const uint8_t in[64])
{
    uint32_t r[WORDS] = {0}; /* always < L < 2^253, so 2r + 1 < 2^254 fits */
    for (int bit = 511; bit >= 0; bit--) {
        for (int i = WORDS - 1; i > 0; i--) {
            r[i] = r[i] << 1 | r[i - 1] >> 31;
        }
        r[0] = r[0] << 1 | ((in[bit >> 3] >> (bit & 7)) & 1u);
        if (at_least_order(r)) {
            subtract_order(r);
        }
    }
    for (int i = 0; i < WORDS; i++) {
        for (int k = 0; k < 4; k++) {
            out[4 * i + k] = (uint8_t)(r[i] >> (8 * k));
        }
    }
}

bool sc25519_is_canonical(const uint8_t s[32])
{
    uint32_t w[WORDS];
    load_words(w, s);
    return !at_least_order(w);
}
