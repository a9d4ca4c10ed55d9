/*
 * Internal: the fixed-point 1/sqrt of EdgeDiff's int8 group norm (not API), shared by
 * ref/group_norm_s8.c and mve/group_norm_s8_mve.c so both run the one Newton iteration
 * (codegen/int8/group_norm.py is its numpy twin).
 */
#ifndef EDGEDIFF_GROUP_NORM_S8_H
#define EDGEDIFF_GROUP_NORM_S8_H

#include <stdint.h>

/* 1/sqrt(d), d >= 1: returns Y with 1/sqrt(d) ~= Y * 2^(-46 - *j). Shifts d by two bits at a
 * time into x in [2^30, 2^32), then four Newton steps y <- y (3 - X y^2) / 2 on y = Y / 2^30
 * from y0 = 2.25 - 1.25 X (X = x / 2^32), every product truncated; all terms stay positive
 * and below 2^63. */
static inline int32_t edgediff_inv_sqrt_s8(uint64_t d, int32_t *j) {
    uint64_t x = d;
    int32_t e = 0;
    while (x >= ((uint64_t)1 << 32)) {
        x >>= 2;
        ++e;
    }
    while (x < ((uint64_t)1 << 30)) {
        x <<= 2;
        --e;
    }
    uint64_t y = 9 * ((uint64_t)1 << 28) - (x >> 2) - (x >> 4);
    for (int32_t step = 0; step < 4; ++step) {
        const uint64_t t = (x * y) >> 32;
        const uint64_t u = (t * y) >> 30;
        y = (y * (3 * ((uint64_t)1 << 30) - u)) >> 31;
    }
    *j = e;
    return y > (uint64_t)INT32_MAX ? INT32_MAX : (int32_t)y;
}

#endif /* EDGEDIFF_GROUP_NORM_S8_H */
