/* RVV W1A16 convolution (f32 activations, 1-bit weights): the +-1 weights of a block of
 * output channels expanded to floats, conv2d_f32_rvv's loop on them (vfmacc.vf by +-1.0,
 * exact products, 8 lanes per instruction, 2 chunks x 6 output channels per block), then
 * * scale, + bias and the folded steps per vector in FP32 (binary_weight_conv2d_rvv.h).
 * FP32 accumulation, like the reference, in another order; 3x3 pad 1 stride 1 or 2, or
 * 1x1 stride 1 (overrides/rvv.py). */
/* conv2d_f32_rvv.c's source compiled in here under another external name, so the
 * convolution is the same code (an externally visible function is not specialised for
 * this file's constant arguments: a copy specialised for bias NULL broke the ordering
 * of its asm blocks against the compiler's vsetvli and hung or gave wrong sums). */
#define conv2d_f32_rvv binary_weight_conv2d_f32_rvv_conv
#include "conv2d_f32_rvv.c"
#undef conv2d_f32_rvv

#define HALF 0
#define BW_CONV binary_weight_conv2d_f32_rvv_conv
#include "binary_weight_conv2d_rvv.h"

void edgediff_binary_weight_conv2d_f32_rvv(const binary_conv2d_params_t *p, const float *in,
                                           const uint32_t *weight, const float *scale, const float *bias,
                                           const float *shift_in, const float *slope,
                                           const float *shift_out, const float *res_scale,
                                           const float *residual, float *out) {
    const edgediff_binary_post_t post = {shift_in, slope, shift_out, res_scale, residual};
    binary_weight_conv2d_rvv(p, in, weight, scale, bias, &post, out);
}
