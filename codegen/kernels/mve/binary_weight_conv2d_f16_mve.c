/* MVE W1A16 convolution (f16 activations, 1-bit weights): the +-1 weights of a block of
 * output channels expanded to halves, conv2d_f16_mve's loop on them (8 output pixels per
 * vector, 3 output channels x 2 vectors per tile, FP16 fused multiply-adds: by +-1.0 each
 * is one rounding of acc +- x), then * scale, + bias and the folded steps per vector in
 * FP32 on the widened sums, rounded once to half (binary_weight_conv2d_mve.h).
 * ACCUMULATION: FP16 (flagged in overrides/mve.py, so validation bounds widen), in another
 * order than the reference's; 3x3 pad 1 stride 1 or 2, or 1x1 stride 1. */
/* GCC 12 schedule-before-allocation spills the unrolled tile (conv2d_f16_mve.c). */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_ELEM_F16
#include "edgediff/internal/conv2d_mve.h"

#define EDGEDIFF_LOAD edgediff_load_f16
#include "edgediff/internal/binary_weight_conv2d_mve.h"

void edgediff_binary_weight_conv2d_f16_mve(const binary_conv2d_params_t *p,
                                           const edgediff_f16_t *in, const uint32_t *weight,
                                           const edgediff_f16_t *scale, const edgediff_f16_t *bias,
                                           const edgediff_f16_t *shift_in,
                                           const edgediff_f16_t *slope,
                                           const edgediff_f16_t *shift_out,
                                           const edgediff_f16_t *res_scale,
                                           const edgediff_f16_t *residual, edgediff_f16_t *out,
                                           void *scratch) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    bw_conv2d_blocks(p, in, weight, scale, bias, &post, out, scratch);
}
