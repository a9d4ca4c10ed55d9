/* RVV W1A16 convolution (f16 activations, 1-bit weights): the +-1 weights of a block of
 * output channels expanded to halves, conv2d_f16_rvv's loop on them (vfmacc.vf by +-1.0,
 * exact products, 16 lanes per instruction, 2 chunks x 6 output channels per block), then
 * * scale, + bias and the folded steps per vector in FP32 on the widened sums, rounded
 * once to half (binary_weight_conv2d_rvv.h).
 * ACCUMULATION: FP16 (flagged in overrides/rvv.py, so validation bounds widen), in another
 * order than the reference's; 3x3 pad 1 stride 1 or 2, or 1x1 stride 1. */
/* conv2d_f16_rvv's code under this file's own external name (conv2d_f16_rvv.h says why). */
#define EDGEDIFF_RVV_CONV2D_NAME edgediff_binary_weight_conv2d_f16_rvv_conv
#include "edgediff/internal/conv2d_f16_rvv.h"

#define EDGEDIFF_HALF 1
#define EDGEDIFF_RVV_BW_CONV edgediff_binary_weight_conv2d_f16_rvv_conv
#include "edgediff/internal/binary_weight_conv2d_rvv.h"

void edgediff_binary_weight_conv2d_f16_rvv(const binary_conv2d_params_t *p,
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
