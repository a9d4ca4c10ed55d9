/* Helpers of the MVE layer norms (layer_norm_f32_mve.c, _f16_mve.c), internal to
 * codegen/kernels: per-lane statistics for the channels form (inner > 1), where each lane is
 * one pixel and the C values of a pixel are inner elements apart. MVE has no vector divide
 * or square root, so the per-lane 1 / sqrt(var + eps) goes through the scalar FPU, lane by
 * lane, exactly as the reference computes it (once per 4 pixels, not per element). */
#ifndef EDGEDIFF_LAYER_NORM_MVE_H
#define EDGEDIFF_LAYER_NORM_MVE_H

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

/* 1 / sqrt(sq * inv_size + eps) in each lane, FP32 as the reference. */
EDGEDIFF_MVE_INLINE float32x4_t edgediff_ln_rstd(float32x4_t sq, float inv_size, float eps) {
    const float32x4_t var = vaddq_n_f32(vmulq_n_f32(sq, inv_size), eps);
    float32x4_t r = var;
    r = vsetq_lane_f32(1.0f / __builtin_sqrtf(vgetq_lane_f32(var, 0)), r, 0);
    r = vsetq_lane_f32(1.0f / __builtin_sqrtf(vgetq_lane_f32(var, 1)), r, 1);
    r = vsetq_lane_f32(1.0f / __builtin_sqrtf(vgetq_lane_f32(var, 2)), r, 2);
    r = vsetq_lane_f32(1.0f / __builtin_sqrtf(vgetq_lane_f32(var, 3)), r, 3);
    return r;
}

#endif /* EDGEDIFF_LAYER_NORM_MVE_H */
