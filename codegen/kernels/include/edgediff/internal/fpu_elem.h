/* Internal to the scalar FPU kernels; not part of the API. Element access for the
 * templates (group_norm_fpu.h, binary_fpu.h, linear_fpu.h): a kernel file defines
 * EDGEDIFF_FPU_F16 (halves) or nothing (floats) and includes this first. Widening a half
 * is exact (one fcvt.s.h on Zfh, vcvtb on FPv4/FPv5); a store rounds once. */
#ifndef EDGEDIFF_FPU_ELEM_H
#define EDGEDIFF_FPU_ELEM_H

#include <stdint.h>

#include "edgediff/internal/fpu_math.h"
#include "edgediff/kernels.h"

#ifdef EDGEDIFF_FPU_F16
typedef edgediff_f16_t elem_t;
#define EDGEDIFF_FPU_LOAD(p) ((float)*(p))
#define EDGEDIFF_FPU_STORE(p, v) (*(p) = (edgediff_f16_t)(v))
#else
typedef float elem_t;
#define EDGEDIFF_FPU_LOAD(p) (*(p))
#define EDGEDIFF_FPU_STORE(p, v) (*(p) = (v))
#endif

/* Two adjacent elements at once: p[0] -> a, p[1] -> b (LOAD2) and back (STORE2). Halves on
 * Arm go through one 32-bit load or store (fpu_math.h EDGEDIFF_FPU_PAIRS: 3 instructions
 * for two halves instead of 6), which needs p 4-byte aligned: EDGEDIFF_FPU_ALIGNED(p) tells,
 * and a loop peels one element first when it is not. Elsewhere these are two plain
 * accesses and every pointer counts as aligned. */
#if defined(EDGEDIFF_FPU_F16) && EDGEDIFF_FPU_PAIRS
#define EDGEDIFF_FPU_PAIRED 1 /* the pair loops pay: loops without pairs keep their own form */
#define EDGEDIFF_FPU_ALIGNED(p) ((((uintptr_t)(p)) & 3u) == 0)
#define EDGEDIFF_FPU_LOAD2(p, a, b)                                                         \
    do {                                                                                    \
        const float pair_ = edgediff_fpu_pair_load(p);                                      \
        (a) = edgediff_fpu_pair_lo(pair_);                                                  \
        (b) = edgediff_fpu_pair_hi(pair_);                                                  \
    } while (0)
#define EDGEDIFF_FPU_STORE2(p, a, b) edgediff_fpu_pair_store((p), (a), (b))
#else
#define EDGEDIFF_FPU_PAIRED 0
#define EDGEDIFF_FPU_ALIGNED(p) 1
#define EDGEDIFF_FPU_LOAD2(p, a, b) ((a) = EDGEDIFF_FPU_LOAD(p), (b) = EDGEDIFF_FPU_LOAD((p) + 1))
#define EDGEDIFF_FPU_STORE2(p, a, b) (EDGEDIFF_FPU_STORE(p, a), EDGEDIFF_FPU_STORE((p) + 1, b))
#endif

#endif /* EDGEDIFF_FPU_ELEM_H */
