/* RVV W1A16 convolution (f32 activations, 1-bit weights): the +-1 weights of a block of
 * output channels expanded to floats, conv2d_f32_rvv's loop on them (vfmacc.vf by +-1.0,
 * exact products, 8 lanes per instruction, 2 chunks x 6 output channels per block), then
 * * scale, + bias and the folded steps per vector in FP32 (binary_weight_conv2d_rvv.h).
 * FP32 accumulation, like the reference, in another order; 3x3 pad 1 stride 1 or 2, or
 * 1x1 stride 1 (overrides/rvv.py). */
/* conv2d_f32_rvv's code under this file's own external name (conv2d_f16_rvv.h says why). */
#define EDGEDIFF_RVV_CONV2D_NAME edgediff_binary_weight_conv2d_f32_rvv_conv
#include "edgediff/internal/conv2d_f32_rvv.h"

#define EDGEDIFF_HALF 0
#define EDGEDIFF_RVV_BW_CONV edgediff_binary_weight_conv2d_f32_rvv_conv
#include "edgediff/internal/binary_weight_conv2d_rvv.h"

void edgediff_binary_weight_conv2d_f32_rvv(const binary_conv2d_params_t *p, const float *in,
                                           const uint32_t *weight, const float *scale,
                                           const float *bias, const float *shift_in,
                                           const float *slope, const float *shift_out,
                                           const float *res_scale, const float *residual,
                                           float *out, void *scratch) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    bw_conv2d_blocks(p, in, weight, scale, bias, &post, out, scratch);
}
