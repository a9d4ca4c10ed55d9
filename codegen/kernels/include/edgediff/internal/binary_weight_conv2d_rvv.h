/* The W1A16 loop of binary_weight_conv2d_f16_rvv.c and binary_weight_conv2d_f32_rvv.c,
 * internal to codegen/kernels/rvv/: the including file first instantiates the float
 * convolution under its own name (conv2d_<dtype>_rvv.h with EDGEDIFF_RVV_CONV2D_NAME, also
 * passed here as EDGEDIFF_RVV_BW_CONV; the element and vector types of conv2d_rvv.h) and
 * defines EDGEDIFF_HALF (1: f16 tensors, 0: f32). The input is float NCHW, as the float
 * convolutions', so the work is theirs:
 *
 *   1. per block of output channels, the packed weight bits (bit 1 = -1) are expanded into
 *      +-1.0 elements in conv2d's [c_out][c_in][kh][kw] layout in a table (scratch);
 *   2. EDGEDIFF_RVV_BW_CONV (conv2d_rvv.h: the output plane cut into chunks of vector
 *      lanes, 2 chunks x up to 6 output channels per block, borders from zero-padded copies
 *      of the input rows) sums sign * x into out with vfmacc.vf by +-1.0: the product is
 *      exact, so each is one rounding of acc +- x, the predicated add/subtract without a
 *      branch or mask per tap;
 *   3. per vector of outputs of one channel: * scale[co] once, + bias[co], then the folded
 *      steps of edgediff_binary_post (binary_util.h), each one instruction rounded as the
 *      scalar step, in FP32 (halves widened exactly, rounded once to half on store).
 *
 * Padding is conv2d's zero padding: a tap outside the input adds +-0, the reference's
 * skipped tap. The sums run in the element precision (FP16 for the f16 kernel, flagged in
 * overrides/rvv.py) and in another order than the reference's. */
#ifndef EDGEDIFF_RVV_BINARY_WEIGHT_CONV2D_RVV_H
#define EDGEDIFF_RVV_BINARY_WEIGHT_CONV2D_RVV_H

#include "edgediff/internal/binary_util.h"

/* vl elements from p on, as floats (halves widen exactly). */
static inline vfloat32m2_t bw_load(const elem_t *p, size_t vl) {
#if EDGEDIFF_HALF
    return vfwcvt_f_f_v_f32m2(vle16_v_f16m1(p, vl), vl);
#else
    return vle32_v_f32m2(p, vl);
#endif
}

/* out[0 .. count-1] (raw sums of channel co) through the output step, in place; res: the
 * residual of the same elements or NULL. */
static void bw_output(elem_t *out, int32_t count, int32_t co, const elem_t *scale,
                      const elem_t *bias, const edgediff_binary_post_t *post, const elem_t *res) {
    const float alpha = (float)scale[co];
    const float b = bias ? (float)bias[co] : 0.0f;
    const float si = post->shift_in ? (float)((const elem_t *)post->shift_in)[co] : 0.0f;
    const float sl = post->slope ? (float)((const elem_t *)post->slope)[co] : 0.0f;
    const float so = post->shift_out ? (float)((const elem_t *)post->shift_out)[co] : 0.0f;
    const float rs = post->res_scale ? (float)((const elem_t *)post->res_scale)[co] : 0.0f;
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vfloat32m2_t y = vfmul_vf_f32m2(bw_load(out + i, vl), alpha, vl);
        if (bias) {
            y = vfadd_vf_f32m2(y, b, vl);
        }
        if (post->shift_in) {
            y = vfsub_vf_f32m2(y, si, vl);
        }
        if (post->slope) { /* s * y where !(y > 0), as the scalar select (NaN included) */
            const vbool16_t scaled = vmnot_m_b16(vmfgt_vf_f32m2_b16(y, 0.0f, vl), vl);
            y = vfmul_vf_f32m2_m(scaled, y, y, sl, vl);
        }
        if (post->shift_out) {
            y = vfadd_vf_f32m2(y, so, vl);
        }
        if (res) {
            vfloat32m2_t r = bw_load(res + i, vl);
            if (post->res_scale) {
                r = vfmul_vf_f32m2(r, rs, vl);
            }
            y = vfadd_vv_f32m2(y, r, vl);
        }
#if EDGEDIFF_HALF
        vse16_v_f16m1(out + i, vfncvt_f_f_w_f16m1(y, vl), vl);
#else
        vse32_v_f32m2(out + i, y, vl);
#endif
        i += (int32_t)vl;
    }
}

#define EDGEDIFF_BW_CONV(q, in, table, out, scratch) \
    EDGEDIFF_RVV_BW_CONV(q, in, table, (const elem_t *)0, out, scratch)
#define EDGEDIFF_BW_TILE EDGEDIFF_CB_MAX /* conv2d_rvv.h's block of output channels */
#include "edgediff/internal/binary_weight_blocks.h"

/* The includer's parameters end here. */
#undef EDGEDIFF_HALF
#undef EDGEDIFF_RVV_BW_CONV

#endif /* EDGEDIFF_RVV_BINARY_WEIGHT_CONV2D_RVV_H */
