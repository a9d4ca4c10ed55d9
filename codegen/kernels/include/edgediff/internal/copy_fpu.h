/* Internal to the scalar FPU data-movement kernels (concat, upsample); not part of the API.
 * Bit-for-bit copies that never go through float: aligned 16-byte blocks as one struct
 * assignment (one ldm/stm pair on Armv7-M, four lw/sw on RISC-V), then words, then a
 * last half. */
#ifndef EDGEDIFF_COPY_FPU_H
#define EDGEDIFF_COPY_FPU_H

#include <stdint.h>

typedef struct {
    uint32_t w[4];
} edgediff_fpu_block_t;

/* bytes (even) from src to dst, not overlapping. */
static inline void edgediff_fpu_copy(void *dst, const void *src, int32_t bytes) {
    uint8_t *d = (uint8_t *)dst;
    const uint8_t *s = (const uint8_t *)src;
    if ((((uintptr_t)d | (uintptr_t)s) & 3u) == 0) {
        for (; bytes >= 16; bytes -= 16, d += 16, s += 16) {
            *(edgediff_fpu_block_t *)(void *)d = *(const edgediff_fpu_block_t *)(const void *)s;
        }
        for (; bytes >= 4; bytes -= 4, d += 4, s += 4) {
            *(uint32_t *)(void *)d = *(const uint32_t *)(const void *)s;
        }
    }
    for (; bytes >= 2; bytes -= 2, d += 2, s += 2) {
        *(uint16_t *)(void *)d = *(const uint16_t *)(const void *)s;
    }
}

#endif /* EDGEDIFF_COPY_FPU_H */
