/* MVE W1A16 convolution (f32 activations, 1-bit weights): the +-1 weights of a block of
 * output channels expanded to floats, conv2d_f32_mve's loop on them (4 output pixels per
 * vector, 3 output channels x 2 vectors per tile, FP32 fused multiply-adds: by +-1.0 each
 * is one rounding of acc +- x), then * scale, + bias and the folded steps per vector in
 * FP32 (binary_weight_conv2d_mve.h). FP32 accumulation, like the reference, in another
 * order; 3x3 pad 1 stride 1 or 2, or 1x1 stride 1 (overrides/mve.py). */
/* GCC 12 schedule-before-allocation spills the unrolled tile (conv2d_f32_mve.c). */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_ELEM_F32
#include "edgediff/internal/conv2d_mve.h"

#define EDGEDIFF_LOAD edgediff_load_f32
#include "edgediff/internal/binary_weight_conv2d_mve.h"

void edgediff_binary_weight_conv2d_f32_mve(const binary_conv2d_params_t *p, const float *in,
                                           const uint32_t *weight, const float *scale,
                                           const float *bias, const float *shift_in,
                                           const float *slope, const float *shift_out,
                                           const float *res_scale, const float *residual,
                                           float *out, void *scratch) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    bw_conv2d_blocks(p, in, weight, scale, bias, &post, out, scratch);
}
