/* Curve points; see ge25519.h. The a = -1 extended-coordinates addition ("add-2008-hwcd-3",
 * 9 multiplications) is complete on Ed25519, as d is not a square, so it needs no special
 * cases for P + P or the neutral point; doubling has its own cheaper formula. */
#include "ge25519.h"

/* Limbs in radix 2^25.5 (fe25519.h), computed from d = -121665/121666, sqrt(-1) = 2^((p-1)/4)
 * and B = (x, 4/5) with x even. */
static const fe25519 curve_d = {{56195235, 13857412, 51736253, 6949390, 114729, 24766616, 60832955, 30306712, 48412415, 21499315}};
static const fe25519 curve_2d = {{45281625, 27714825, 36363642, 13898781, 229458, 15978800, 54557047, 27058993, 29715967, 9444199}};
static const fe25519 sqrt_minus_1 = {{34513072, 25610706, 9377949, 3500415, 12389472, 33281959, 41962654, 31548777, 326685, 11406482}};
/* The base point B (y = 4/5, x even), Z = 1, T = x y. */
static const ge25519 base_point = {
    {{52811034, 25909283, 16144682, 17082669, 27570973, 30858332, 40966398, 8378388, 20764389, 8758491}},
    {{40265304, 26843545, 13421772, 20132659, 26843545, 6710886, 53687091, 13421772, 40265318, 26843545}},
    {{1}},
    {{28827043, 27438313, 39759291, 244362, 8635006, 11264893, 19351346, 13413597, 16611511, 27139452}},
};

bool ge25519_decode(ge25519 *out, const uint8_t in[32])
{
    fe25519 one, y2, u, v, v3, v7, x, check;
    if (!fe25519_from_bytes(&out->y, in)) {
        return false;
    }
    int sign = in[31] >> 7;
    fe25519_set(&one, 1);
    fe25519_mul(&y2, &out->y, &out->y);
    fe25519_sub(&u, &y2, &one);      /* u = y^2 - 1 */
    fe25519_mul(&v, &y2, &curve_d);
    fe25519_add(&v, &v, &one);       /* v = d y^2 + 1 */
    fe25519_mul(&v3, &v, &v);
    fe25519_mul(&v3, &v3, &v);       /* v^3 */
    fe25519_mul(&v7, &v3, &v3);
    fe25519_mul(&v7, &v7, &v);       /* v^7 */
    fe25519_mul(&x, &u, &v7);
    fe25519_pow_p58(&x, &x);
    fe25519_mul(&x, &x, &v3);
    fe25519_mul(&x, &x, &u);         /* x = u v^3 (u v^7)^((p-5)/8) */
    fe25519_mul(&check, &x, &x);
    fe25519_mul(&check, &check, &v); /* v x^2: u (x is a root), -u (x sqrt(-1) is), or neither */
    if (!fe25519_equal(&check, &u)) {
        fe25519 minus_u, zero;
        fe25519_set(&zero, 0);
        fe25519_sub(&minus_u, &zero, &u);
        if (!fe25519_equal(&check, &minus_u)) {
            return false;
        }
        fe25519_mul(&x, &x, &sqrt_minus_1);
    }
    if (fe25519_is_zero(&x) && sign) {
        return false;
    }
    if (fe25519_parity(&x) != sign) {
        fe25519 zero;
        fe25519_set(&zero, 0);
        fe25519_sub(&x, &zero, &x);
    }
    out->x = x;
    fe25519_set(&out->z, 1);
    fe25519_mul(&out->t, &x, &out->y);
    return true;
}

void ge25519_encode(uint8_t out[32], const ge25519 *p)
{
    fe25519 z_inv, x, y;
    fe25519_invert(&z_inv, &p->z);
    fe25519_mul(&x, &p->x, &z_inv);
    fe25519_mul(&y, &p->y, &z_inv);
    fe25519_to_bytes(out, &y);
    out[31] |= (uint8_t)(fe25519_parity(&x) << 7);
}

void ge25519_add(ge25519 *out, const ge25519 *p, const ge25519 *q)
{
    fe25519 a, b, c, d, e, f, g, h, s1, s2;
    fe25519_sub(&s1, &p->y, &p->x);
    fe25519_sub(&s2, &q->y, &q->x);
    fe25519_mul(&a, &s1, &s2);       /* A = (Y1 - X1)(Y2 - X2) */
    fe25519_add(&s1, &p->y, &p->x);
    fe25519_add(&s2, &q->y, &q->x);
    fe25519_mul(&b, &s1, &s2);       /* B = (Y1 + X1)(Y2 + X2) */
    fe25519_mul(&c, &p->t, &curve_2d);
    fe25519_mul(&c, &c, &q->t);      /* C = 2d T1 T2 */
    fe25519_mul(&d, &p->z, &q->z);
    fe25519_add(&d, &d, &d);         /* D = 2 Z1 Z2 */
    fe25519_sub(&e, &b, &a);
    fe25519_sub(&f, &d, &c);
    fe25519_add(&g, &d, &c);
    fe25519_add(&h, &b, &a);
    fe25519_mul(&out->x, &e, &f);
    fe25519_mul(&out->y, &g, &h);
    fe25519_mul(&out->t, &e, &h);
    fe25519_mul(&out->z, &f, &g);
}

/* 2P ("dbl-2008-hwcd" with a = -1): 4 squarings and 4 multiplications where the addition
 * formula takes 9 multiplications; T is not read. */
void ge25519_double(ge25519 *out, const ge25519 *p)
{
    fe25519 a, b, c, e, f, g, h;
    fe25519_square(&a, &p->x);        /* A = X^2 */
    fe25519_square(&b, &p->y);        /* B = Y^2 */
    fe25519_square(&c, &p->z);
    fe25519_add(&c, &c, &c);          /* C = 2 Z^2 */
    fe25519_add(&e, &p->x, &p->y);
    fe25519_square(&e, &e);
    fe25519_sub(&e, &e, &a);
    fe25519_sub(&e, &e, &b);          /* E = (X + Y)^2 - A - B */
    fe25519_sub(&g, &b, &a);          /* G = -A + B */
    fe25519_sub(&f, &g, &c);          /* F = G - C */
    fe25519_add(&h, &a, &b);
    fe25519_set(&a, 0);
    fe25519_sub(&h, &a, &h);          /* H = -A - B */
    fe25519_mul(&out->x, &e, &f);
    fe25519_mul(&out->y, &g, &h);
    fe25519_mul(&out->t, &e, &h);
    fe25519_mul(&out->z, &f, &g);
}

void ge25519_negate(ge25519 *out, const ge25519 *p)
{
    fe25519 zero;
    fe25519_set(&zero, 0);
    fe25519_sub(&out->x, &zero, &p->x);
    out->y = p->y;
    out->z = p->z;
    fe25519_sub(&out->t, &zero, &p->t);
}

/* The width-4 non-adjacent form of a 256-bit scalar: digits[i] in {0, +-1, +-3, +-5, +-7}
 * with scalar = sum digits[i] 2^i and at least three zeros after each non-zero digit, so a
 * multiplication needs about 256 / 5 additions instead of 128. Works on nine 32-bit words
 * (the ninth takes the carry when a negative digit is subtracted). */
static void wnaf4(int8_t digits[257], const uint8_t scalar[32])
{
    uint32_t w[9] = {0};
    for (int i = 0; i < 32; i++) {
        w[i / 4] |= (uint32_t)scalar[i] << (8 * (i % 4));
    }
    for (int i = 0; i < 257; i++) {
        int d = 0;
        if (w[0] & 1u) {
            d = (int)(w[0] & 15u);
            if (d > 7) {
                d -= 16;
            }
            /* w -= d: the low four bits become 0, which no borrow or carry passes beyond word 0
             * unless d < 0 (w + |d| may carry) */
            uint64_t carry = (uint64_t)w[0] - (uint64_t)(int64_t)d;
            w[0] = (uint32_t)carry;
            for (int k = 1; k < 9 && (carry >> 32) != 0; k++) {
                carry = (uint64_t)w[k] + 1u;
                w[k] = (uint32_t)carry;
            }
        }
        digits[i] = (int8_t)d;
        for (int k = 0; k < 8; k++) {
            w[k] = w[k] >> 1 | w[k + 1] << 31;
        }
        w[8] >>= 1;
    }
}

/* P, 3P, 5P, 7P. */
static void odd_multiples(ge25519 table[4], const ge25519 *p)
{
    ge25519 twice;
    ge25519_double(&twice, p);
    table[0] = *p;
    for (int i = 1; i < 4; i++) {
        ge25519_add(&table[i], &table[i - 1], &twice);
    }
}

static void add_digit(ge25519 *acc, const ge25519 table[4], int digit)
{
    if (digit > 0) {
        ge25519_add(acc, acc, &table[digit / 2]);
    } else if (digit < 0) {
        ge25519 negated;
        ge25519_negate(&negated, &table[-digit / 2]);
        ge25519_add(acc, acc, &negated);
    }
}

void ge25519_double_scalarmult(ge25519 *out, const uint8_t a[32], const uint8_t b[32], const ge25519 *p)
{
    int8_t a_digits[257], b_digits[257];
    ge25519 base_table[4], p_table[4], acc;
    wnaf4(a_digits, a);
    wnaf4(b_digits, b);
    odd_multiples(base_table, &base_point);
    odd_multiples(p_table, p);
    fe25519_set(&acc.x, 0);
    fe25519_set(&acc.y, 1);
    fe25519_set(&acc.z, 1);
    fe25519_set(&acc.t, 0);
    int top = 256;
    while (top >= 0 && a_digits[top] == 0 && b_digits[top] == 0) {
        top--;
    }
    for (int i = top; i >= 0; i--) {
        ge25519_double(&acc, &acc);
        add_digit(&acc, base_table, a_digits[i]);
        add_digit(&acc, p_table, b_digits[i]);
    }
    *out = acc;
}
