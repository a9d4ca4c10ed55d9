/* The W1A16 loop of binary_weight_conv2d_f16_mve.c and binary_weight_conv2d_f32_mve.c,
 * internal to codegen/kernels/mve/: include conv2d_mve.h (with mve_elem.h's element type)
 * first. The input is float NCHW, as the float convolutions', so the work is theirs:
 *
 *   1. per block of output channels, the packed weight bits (bit 1 = -1) are expanded into
 *      +-1.0 elements in conv2d's [c_out][c_in][kh][kw] layout in a table (scratch);
 *   2. conv2d_mve (conv2d_mve.h: outputs vectorized along x, a zero-padded band of input
 *      rows, 3 output channels x 2 vectors per tile) sums sign * x into out. A product by
 *      +-1.0 is exact, so each fused multiply-add is one rounding of acc +- x: the
 *      predicated add/subtract, at the cost of one FMA by a scalar and without a branch or
 *      predicate per tap;
 *   3. per output vector: * scale[co] once, + bias[co], then the folded steps of
 *      edgediff_binary_post (binary_util.h), each one rounding, in FP32 (halves are widened
 *      and rounded once on store, as the reference).
 *
 * Padding is conv2d_mve's zero padding: a tap outside the input adds +-0, the reference's
 * skipped tap. The sums run in the element precision (FP16 for the f16 kernel, flagged in
 * overrides/mve.py) and in another order than the reference's; the float steps are the
 * reference's operations, except that MVE vector arithmetic may flush subnormals. */
#ifndef EDGEDIFF_MVE_BINARY_WEIGHT_CONV2D_MVE_H
#define EDGEDIFF_MVE_BINARY_WEIGHT_CONV2D_MVE_H

#include "edgediff/internal/binary_util.h"

/* One convolution instance (not inlined per call site: conv2d_mve instantiates its 3x3
 * loop for several widths). The widths are those of conv2d_<dtype>_mve.c. */
static void __attribute__((noinline)) bw_conv(const conv2d_params_t *q, const elem_t *in,
                                              const elem_t *table, elem_t *out, void *scratch) {
#if defined(EDGEDIFF_MVE_ELEM_F32)
    conv2d_mve(q, in, table, (const elem_t *)0, out, 2, 4, 2, scratch);
#else
    conv2d_mve(q, in, table, (const elem_t *)0, out, 1, 2, 1, scratch);
#endif
}

/* The output step on 4 FP32 lanes of channel co: separate instructions, each rounded. */
EDGEDIFF_MVE_INLINE float32x4_t bw_step(float32x4_t acc, float alpha, const float *k,
                                        const int32_t *has, float32x4_t r) {
    float32x4_t y = vmulq_n_f32(acc, alpha);
    if (has[0]) {
        y = vaddq_n_f32(y, k[0]);
    }
    if (has[1]) {
        y = vsubq_n_f32(y, k[1]);
    }
    if (has[2]) {
        y = vpselq_f32(y, vmulq_n_f32(y, k[2]), vcmpgtq_n_f32(y, 0.0f));
    }
    if (has[3]) {
        y = vaddq_n_f32(y, k[3]);
    }
    if (has[5]) {
        if (has[4]) {
            r = vmulq_n_f32(r, k[4]);
        }
        y = vaddq_f32(y, r);
    }
    return y;
}

/* out[0 .. count-1] (raw sums of channel co) through the output step, in place. */
static void bw_output(elem_t *out, int32_t count, int32_t co, const void *scale,
                      const void *bias, const edgediff_binary_post_t *post, const elem_t *res) {
    const edgediff_load_t load = EDGEDIFF_LOAD;
    const float alpha = load(scale, co);
    const void *src[5] = {bias, post->shift_in, post->slope, post->shift_out, post->res_scale};
    float k[5];
    int32_t has[6];
    for (int32_t s = 0; s < 5; ++s) {
        has[s] = src[s] != 0;
        k[s] = has[s] ? load(src[s], co) : 0.0f;
    }
    has[5] = res != 0;
#if defined(EDGEDIFF_MVE_ELEM_F32)
    for (int32_t i = 0; i < count; i += 4) {
        const mve_pred16_t m = vctp32q((uint32_t)(count - i));
        const float32x4_t r = has[5] ? vldrwq_z_f32(res + i, m) : vdupq_n_f32(0.0f);
        vstrwq_p_f32(out + i, bw_step(vldrwq_z_f32(out + i, m), alpha, k, has, r), m);
    }
#else
    for (int32_t i = 0; i < count; i += 8) {
        const mve_pred16_t m = vctp16q((uint32_t)(count - i));
        const float16x8_t v = vldrhq_z_f16(EDGEDIFF_CH(out + i), m);
        const float16x8_t rh = has[5] ? vldrhq_z_f16(EDGEDIFF_CH(res + i), m) : vdupq_n_f16(0.0f);
        const float32x4_t even = bw_step(edgediff_mve_widen_b(v), alpha, k, has,
                                         edgediff_mve_widen_b(rh));
        const float32x4_t odd = bw_step(edgediff_mve_widen_t(v), alpha, k, has,
                                        edgediff_mve_widen_t(rh));
        vstrhq_p_f16(EDGEDIFF_H(out + i), edgediff_mve_narrow(even, odd), m);
    }
#endif
}

#define EDGEDIFF_BW_CONV(q, in, table, out, scratch) bw_conv(q, in, table, out, scratch)
#define EDGEDIFF_BW_TILE 3 /* conv2d_mve.h's tile: 3 output channels */
#include "edgediff/internal/binary_weight_blocks.h"

/* The includer's parameters end here. */
#undef EDGEDIFF_LOAD

#endif /* EDGEDIFF_MVE_BINARY_WEIGHT_CONV2D_MVE_H */
