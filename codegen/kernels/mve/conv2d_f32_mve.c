/* FP32 2-D convolution for Arm MVE (Helium), NCHW, groups = 1, dilation 1:
 *   - 3x3, pad 1, stride 1 or 2;
 *   - 1x1, pad 0, stride 1.
 *
 * Accumulation precision: FP32, like the reference (fused multiply-adds, so one rounding per
 * product-sum instead of two; the order differs from the reference's). The bias seeds the
 * accumulator; fused ReLU / SiLU act on the finished FP32 vector.
 *
 * 3x3 scheme: outputs are vectorized along x (4 lanes). For each band of output rows the
 * needed input rows of all input channels are copied once into a zero-padded scratch on the
 * stack (stride 2: split into even and odd columns), so the three taps of a kernel row are
 * three unit-stride loads at fixed offsets and the inner loop has no borders, predicates or
 * bounds checks. A tile is 3 output channels x 2 output vectors (two x blocks of one row, or
 * the same x block of two rows when a row is one vector): 6 accumulators in Q registers; per
 * input channel and kernel row it costs 6 vector loads + 9 weight loads + 18 FMAs for 72
 * MACs. Lanes past w_out compute garbage from the padding and are never stored (tail-
 * predicated stores).
 *
 * 1x1 scheme: the plane is contiguous, so the tile is 3 output channels x 2 vectors of 4
 * spatial positions; the last tile uses zeroing predicated loads, never reading past the
 * input plane. */
/* GCC 12 schedule-before-allocation hoists every load of the unrolled tile ahead of its
 * FMAs and spills; without it the tile stays in registers (about 109 instructions per
 * input channel for 54 vector FMAs). */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#define LANES 4

typedef float elem_t;

#define CH(p) (p)
#define H(p) (p)

/* Zero-padded copy of one input row (src NULL: the row is padding). stride 1: P[1 + i] =
 * src[i]; stride 2: even columns of the padded row at P[0..], odd ones at P[half..]:
 * P[1 + j] = src[2j + 1], P[half + j] = src[2j]. Other entries stay as zeroed. */
static void prepare_row(elem_t *dst, const elem_t *src, int32_t w_in, int32_t stride,
                        int32_t half) {
    if (stride == 1) {
        for (int32_t i = 0; i < w_in; i += LANES) {
            const mve_pred16_t m = vctp32q((uint32_t)(w_in - i));
            const float32x4_t v = src ? vldrwq_z_f32(CH(src + i), m) : vdupq_n_f32(0.0f);
            vstrwq_p_f32(H(dst + 1 + i), v, m);
        }
        return;
    }
    const uint32x4_t even = vidupq_n_u32(0, 2);
    const int32_t n_odd = w_in / 2, n_even = (w_in + 1) / 2;
    for (int32_t j = 0; j < n_even; j += LANES) {
        const mve_pred16_t m_odd = vctp32q((uint32_t)(n_odd > j ? n_odd - j : 0));
        const mve_pred16_t m_even = vctp32q((uint32_t)(n_even - j));
        float32x4_t vo = vdupq_n_f32(0.0f), ve = vo;
        if (src) {
            vo = vldrwq_gather_shifted_offset_z_f32(CH(src + 2 * j + 1), even, m_odd);
            ve = vldrwq_gather_shifted_offset_z_f32(CH(src + 2 * j), even, m_even);
        }
        vstrwq_p_f32(H(dst + 1 + j), vo, m_odd);
        vstrwq_p_f32(H(dst + half + j), ve, m_even);
    }
}

/* One 3x3 tile: 3 output channels (weights w0..w2, each [c_in][3][3]) x 2 output vectors
 * whose kernel-row-0 inputs start at pa / pb in the band. Taps sit at offsets 0, O1, O2 of a
 * prepared row; kernel rows are RS apart; input channels CS apart. */
EDGEDIFF_MVE_INLINE void tile3x3(const elem_t *pa, const elem_t *pb, const elem_t *w0,
                                 const elem_t *w1, const elem_t *w2, int32_t c_in,
                                 const int32_t cs, const int32_t rs, const int32_t o1,
                                 const int32_t o2, float32x4_t acc[6]) {
    float32x4_t a0 = acc[0], a1 = acc[1], a2 = acc[2], b0 = acc[3], b1 = acc[4], b2 = acc[5];
    for (int32_t ci = 0; ci < c_in; ++ci) {
#define EDGEDIFF_TAP(ROW, OFF, WI)                                                          \
    do {                                                                                    \
        const float s0 = w0[WI], s1 = w1[WI], s2 = w2[WI];                               \
        const float32x4_t va = vld1q_f32(CH(pa + (ROW) * rs + (OFF)));                          \
        a0 = vfmaq_n_f32(a0, va, s0);                                                       \
        a1 = vfmaq_n_f32(a1, va, s1);                                                       \
        a2 = vfmaq_n_f32(a2, va, s2);                                                       \
        const float32x4_t vb = vld1q_f32(CH(pb + (ROW) * rs + (OFF)));                          \
        b0 = vfmaq_n_f32(b0, vb, s0);                                                       \
        b1 = vfmaq_n_f32(b1, vb, s1);                                                       \
        b2 = vfmaq_n_f32(b2, vb, s2);                                                       \
    } while (0)
        EDGEDIFF_TAP(0, 0, 0);
        EDGEDIFF_TAP(0, o1, 1);
        EDGEDIFF_TAP(0, o2, 2);
        EDGEDIFF_TAP(1, 0, 3);
        EDGEDIFF_TAP(1, o1, 4);
        EDGEDIFF_TAP(1, o2, 5);
        EDGEDIFF_TAP(2, 0, 6);
        EDGEDIFF_TAP(2, o1, 7);
        EDGEDIFF_TAP(2, o2, 8);
#undef EDGEDIFF_TAP
        pa += cs;
        pb += cs;
        w0 += 9;
        w1 += 9;
        w2 += 9;
    }
    acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = b0, acc[4] = b1, acc[5] = b2;
}

/* Stores up to 3 channels x 2 vectors of a finished tile (n_a / n_b valid lanes, 0: none). */
EDGEDIFF_MVE_INLINE void store_tile(float32x4_t acc[6], int32_t n_co, elem_t *out_a,
                                    elem_t *out_b, int32_t n_a, int32_t n_b, int32_t plane,
                                    int32_t act) {
    const mve_pred16_t ma = vctp32q((uint32_t)n_a), mb = vctp32q((uint32_t)n_b);
    for (int32_t k = 0; k < n_co; ++k) {
        vstrwq_p_f32(H(out_a + k * plane), edgediff_mve_act_f32(acc[k], act), ma);
        if (n_b) {
            vstrwq_p_f32(H(out_b + k * plane), edgediff_mve_act_f32(acc[3 + k], act), mb);
        }
    }
}

EDGEDIFF_MVE_INLINE void conv3x3(const conv2d_params_t *p, const elem_t *in,
                                 const elem_t *weight, const elem_t *bias, elem_t *out,
                                 const int32_t stride, const int32_t nvx) {
    const int32_t c_in = p->c_in, h_in = p->h_in, w_in = p->w_in;
    const int32_t c_out = p->c_out, h_out = p->h_out, w_out = p->w_out;
    const int32_t plane = h_out * w_out, act = p->act;
    /* stride 1: padded row P[0 .. nvx*8+1]; stride 2: even half then odd half */
    const int32_t half = nvx * LANES + 2;
    const int32_t rs = stride == 1 ? nvx * LANES + 2 : 2 * half;
    const int32_t o1 = stride == 1 ? 1 : half, o2 = stride == 1 ? 2 : 1;
    const int32_t rows = (nvx == 1 && h_out > 1) ? 2 : 1; /* output rows per band */
    const int32_t nb = (rows - 1) * stride + 3;             /* input rows per band */
    const int32_t cs = nb * rs;
    elem_t band[EDGEDIFF_MVE_CONV_SCRATCH_BYTES / sizeof(elem_t)] __attribute__((aligned(16)));
    for (int32_t i = 0; i < c_in * cs; i += LANES) {
        vst1q_f32(H(band + i), vdupq_n_f32(0.0f));
    }
    for (int32_t y = 0; y < h_out; y += rows) {
        for (int32_t j = 0; j < nb; ++j) {
            const int32_t iy = y * stride - 1 + j;
            const int32_t valid = iy >= 0 && iy < h_in;
            for (int32_t ci = 0; ci < c_in; ++ci) {
                prepare_row(band + ci * cs + j * rs, valid ? in + (ci * h_in + iy) * w_in : 0,
                            w_in, stride, half);
            }
        }
        const int32_t nvec = (h_out - y < rows ? h_out - y : rows) * nvx;
        for (int32_t v = 0; v < nvec; v += 2) {
            const int32_t vb = v + 1 < nvec ? v + 1 : v;
            const int32_t ra = v / nvx, xa = (v % nvx) * LANES;
            const int32_t rb = vb / nvx, xb = (vb % nvx) * LANES;
            const elem_t *pa = band + ra * stride * rs + xa, *pb = band + rb * stride * rs + xb;
            elem_t *out_a = out + (y + ra) * w_out + xa, *out_b = out + (y + rb) * w_out + xb;
            const int32_t n_a = w_out - xa < LANES ? w_out - xa : LANES;
            const int32_t n_b = vb == v ? 0 : (w_out - xb < LANES ? w_out - xb : LANES);
            for (int32_t co = 0; co < c_out; co += 3) {
                const int32_t n_co = c_out - co < 3 ? c_out - co : 3;
                const elem_t *w0 = weight + co * c_in * 9;
                const elem_t *w1 = n_co > 1 ? w0 + c_in * 9 : w0;
                const elem_t *w2 = n_co > 2 ? w1 + c_in * 9 : w1;
                float32x4_t acc[6];
                for (int32_t k = 0; k < 3; ++k) {
                    const float b = bias && k < n_co ? bias[co + k] : 0.0f;
                    acc[k] = acc[3 + k] = vdupq_n_f32(b);
                }
                tile3x3(pa, pb, w0, w1, w2, c_in, cs, rs, o1, o2, acc);
                store_tile(acc, n_co, out_a + co * plane, out_b + co * plane, n_a, n_b, plane,
                           act);
            }
        }
    }
}

/* 1x1: out[co][s] = bias + sum_ci w[co][ci] * in[ci][s] over the contiguous plane. */
static void conv1x1(const conv2d_params_t *p, const elem_t *in, const elem_t *weight,
                    const elem_t *bias, elem_t *out) {
    const int32_t c_in = p->c_in, c_out = p->c_out, act = p->act;
    const int32_t plane = p->h_out * p->w_out;
    for (int32_t s = 0; s < plane; s += 2 * LANES) {
        const int32_t n_a = plane - s < LANES ? plane - s : LANES;
        const int32_t n_b = plane - s - LANES <= 0 ? 0
                            : (plane - s - LANES < LANES ? plane - s - LANES : LANES);
        const int32_t full = n_b == LANES;
        const mve_pred16_t ma = vctp32q((uint32_t)n_a), mb = vctp32q((uint32_t)n_b);
        for (int32_t co = 0; co < c_out; co += 3) {
            const int32_t n_co = c_out - co < 3 ? c_out - co : 3;
            const elem_t *w0 = weight + co * c_in;
            const elem_t *w1 = n_co > 1 ? w0 + c_in : w0;
            const elem_t *w2 = n_co > 2 ? w1 + c_in : w1;
            float32x4_t acc[6];
            for (int32_t k = 0; k < 3; ++k) {
                const float b = bias && k < n_co ? bias[co + k] : 0.0f;
                acc[k] = acc[3 + k] = vdupq_n_f32(b);
            }
            float32x4_t a0 = acc[0], a1 = acc[1], a2 = acc[2];
            float32x4_t b0 = acc[3], b1 = acc[4], b2 = acc[5];
            const elem_t *x = in + s;
            if (full) {
                for (int32_t ci = 0; ci < c_in; ++ci) {
                    const float s0 = w0[ci], s1 = w1[ci], s2 = w2[ci];
                    const float32x4_t va = vld1q_f32(CH(x));
                    a0 = vfmaq_n_f32(a0, va, s0);
                    a1 = vfmaq_n_f32(a1, va, s1);
                    a2 = vfmaq_n_f32(a2, va, s2);
                    const float32x4_t vb = vld1q_f32(CH(x + LANES));
                    b0 = vfmaq_n_f32(b0, vb, s0);
                    b1 = vfmaq_n_f32(b1, vb, s1);
                    b2 = vfmaq_n_f32(b2, vb, s2);
                    x += plane;
                }
            } else {
                for (int32_t ci = 0; ci < c_in; ++ci) {
                    const float s0 = w0[ci], s1 = w1[ci], s2 = w2[ci];
                    const float32x4_t va = vldrwq_z_f32(CH(x), ma);
                    a0 = vfmaq_n_f32(a0, va, s0);
                    a1 = vfmaq_n_f32(a1, va, s1);
                    a2 = vfmaq_n_f32(a2, va, s2);
                    const float32x4_t vb = vldrwq_z_f32(CH(x + LANES), mb);
                    b0 = vfmaq_n_f32(b0, vb, s0);
                    b1 = vfmaq_n_f32(b1, vb, s1);
                    b2 = vfmaq_n_f32(b2, vb, s2);
                    x += plane;
                }
            }
            acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = b0, acc[4] = b1, acc[5] = b2;
            store_tile(acc, n_co, out + co * plane + s, out + co * plane + s + LANES, n_a, n_b,
                       plane, act);
        }
    }
}

void conv2d_f32_mve(const conv2d_params_t *p, const float *in, const float *weight,
                    const float *bias, float *out) {
    for (int32_t n = 0; n < p->n; ++n) {
        const elem_t *in_n = in + n * p->c_in * p->h_in * p->w_in;
        elem_t *out_n = out + n * p->c_out * p->h_out * p->w_out;
        if (p->kernel_h == 1) {
            conv1x1(p, in_n, weight, bias, out_n);
            continue;
        }
        const int32_t nvx = (p->w_out + LANES - 1) / LANES;
        /* constant strides and tap offsets for the common widths, so the inner loop
         * addresses with immediates */
        if (p->stride_h == 1) {
            if (nvx == 2) {
                conv3x3(p, in_n, weight, bias, out_n, 1, 2);
            } else if (nvx == 4) {
                conv3x3(p, in_n, weight, bias, out_n, 1, 4);
            } else {
                conv3x3(p, in_n, weight, bias, out_n, 1, nvx);
            }
        } else {
            if (nvx == 2) {
                conv3x3(p, in_n, weight, bias, out_n, 2, 2);
            } else {
                conv3x3(p, in_n, weight, bias, out_n, 2, nvx);
            }
        }
    }
}
