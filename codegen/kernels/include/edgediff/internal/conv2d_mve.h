/* The 3x3 and 1x1 convolution loops of conv2d_f16_mve.c and conv2d_f32_mve.c (schemes and
 * accumulation precision in their file comments), internal to codegen/kernels/mve/: include
 * mve_elem.h (element type) first; the accumulators are vec_t, so they accumulate in the
 * element precision. The kernel file chooses which widths get their own 3x3 instance and
 * includes this header after `#pragma GCC optimize("no-schedule-insns", ...)`, which
 * then applies to these functions too: GCC 12 schedule-before-allocation hoists every load
 * of the unrolled tile ahead of its FMAs and spills. */
#ifndef EDGEDIFF_CONV2D_MVE_H
#define EDGEDIFF_CONV2D_MVE_H

#include "edgediff/internal/mve_elem.h"

/* Zero-padded copy of one input row (src NULL: the row is padding). stride 1: P[1 + i] =
 * src[i]; stride 2: even columns of the padded row at P[0..], odd ones at P[half..]:
 * P[1 + j] = src[2j + 1], P[half + j] = src[2j]. Other entries stay as zeroed. */
static void prepare_row(elem_t *dst, const elem_t *src, int32_t w_in, int32_t stride,
                        int32_t half) {
    if (stride == 1) {
        for (int32_t i = 0; i < w_in; i += EDGEDIFF_LANES) {
            const mve_pred16_t m = EDGEDIFF_MVE_VCTP((uint32_t)(w_in - i));
            const vec_t v = src ? EDGEDIFF_MVE_LD_Z(src + i, m) : EDGEDIFF_MVE_ZERO;
            EDGEDIFF_MVE_ST_P(dst + 1 + i, v, m);
        }
        return;
    }
    const offsets_t even = EDGEDIFF_MVE_IDUP(0, 2);
    const int32_t n_odd = w_in / 2, n_even = (w_in + 1) / 2;
    for (int32_t j = 0; j < n_even; j += EDGEDIFF_LANES) {
        const mve_pred16_t m_odd = EDGEDIFF_MVE_VCTP((uint32_t)(n_odd > j ? n_odd - j : 0));
        const mve_pred16_t m_even = EDGEDIFF_MVE_VCTP((uint32_t)(n_even - j));
        vec_t vo = EDGEDIFF_MVE_ZERO, ve = vo;
        if (src) {
            vo = EDGEDIFF_MVE_GATHER_Z(src + 2 * j + 1, even, m_odd);
            ve = EDGEDIFF_MVE_GATHER_Z(src + 2 * j, even, m_even);
        }
        EDGEDIFF_MVE_ST_P(dst + 1 + j, vo, m_odd);
        EDGEDIFF_MVE_ST_P(dst + half + j, ve, m_even);
    }
}

/* One 3x3 tile: 3 output channels (weights w0..w2, each [c_in][3][3]) x 2 output vectors
 * whose kernel-row-0 inputs start at pa / pb in the band. Taps sit at offsets 0, O1, O2 of a
 * prepared row; kernel rows are RS apart; input channels CS apart. */
EDGEDIFF_MVE_INLINE void tile3x3(const elem_t *pa, const elem_t *pb, const elem_t *w0,
                                 const elem_t *w1, const elem_t *w2, int32_t c_in,
                                 const int32_t cs, const int32_t rs, const int32_t o1,
                                 const int32_t o2, vec_t acc[6]) {
    vec_t a0 = acc[0], a1 = acc[1], a2 = acc[2], b0 = acc[3], b1 = acc[4], b2 = acc[5];
    for (int32_t ci = 0; ci < c_in; ++ci) {
#define EDGEDIFF_TAP(ROW, OFF, WI)                                 \
    do {                                                           \
        const scalar_t s0 = w0[WI], s1 = w1[WI], s2 = w2[WI];      \
        const vec_t va = EDGEDIFF_MVE_LD(pa + (ROW) * rs + (OFF)); \
        a0 = EDGEDIFF_MVE_FMA_N(a0, va, s0);                       \
        a1 = EDGEDIFF_MVE_FMA_N(a1, va, s1);                       \
        a2 = EDGEDIFF_MVE_FMA_N(a2, va, s2);                       \
        const vec_t vb = EDGEDIFF_MVE_LD(pb + (ROW) * rs + (OFF)); \
        b0 = EDGEDIFF_MVE_FMA_N(b0, vb, s0);                       \
        b1 = EDGEDIFF_MVE_FMA_N(b1, vb, s1);                       \
        b2 = EDGEDIFF_MVE_FMA_N(b2, vb, s2);                       \
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
EDGEDIFF_MVE_INLINE void store_tile(vec_t acc[6], int32_t n_co, elem_t *out_a,
                                    elem_t *out_b, int32_t n_a, int32_t n_b, int32_t plane,
                                    int32_t act) {
    const mve_pred16_t ma = EDGEDIFF_MVE_VCTP((uint32_t)n_a), mb = EDGEDIFF_MVE_VCTP((uint32_t)n_b);
    for (int32_t k = 0; k < n_co; ++k) {
        EDGEDIFF_MVE_ST_P(out_a + k * plane, EDGEDIFF_MVE_ACT(acc[k], act), ma);
        if (n_b) {
            EDGEDIFF_MVE_ST_P(out_b + k * plane, EDGEDIFF_MVE_ACT(acc[3 + k], act), mb);
        }
    }
}

/* band: the scratch, edgediff_conv2d_mve_band_bytes() (kernels_mve.h) bytes. */
EDGEDIFF_MVE_INLINE void conv3x3(const conv2d_params_t *p, const elem_t *in,
                                 const elem_t *weight, const elem_t *bias, elem_t *out,
                                 const int32_t stride, const int32_t nvx, elem_t *band) {
    const int32_t c_in = p->c_in, h_in = p->h_in, w_in = p->w_in;
    const int32_t c_out = p->c_out, h_out = p->h_out, w_out = p->w_out;
    const int32_t plane = h_out * w_out, act = p->act;
    /* stride 1: padded row P[0 .. nvx*8+1]; stride 2: even half then odd half */
    const int32_t half = nvx * EDGEDIFF_LANES + 2;
    const int32_t rs = stride == 1 ? nvx * EDGEDIFF_LANES + 2 : 2 * half;
    const int32_t o1 = stride == 1 ? 1 : half, o2 = stride == 1 ? 2 : 1;
    const int32_t rows = (nvx == 1 && h_out > 1) ? 2 : 1; /* output rows per band */
    const int32_t nb = (rows - 1) * stride + 3;             /* input rows per band */
    const int32_t cs = nb * rs;
    for (int32_t i = 0; i < c_in * cs; i += EDGEDIFF_LANES) {
        EDGEDIFF_MVE_ST(band + i, EDGEDIFF_MVE_ZERO);
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
            const int32_t ra = v / nvx, xa = (v % nvx) * EDGEDIFF_LANES;
            const int32_t rb = vb / nvx, xb = (vb % nvx) * EDGEDIFF_LANES;
            const elem_t *pa = band + ra * stride * rs + xa, *pb = band + rb * stride * rs + xb;
            elem_t *out_a = out + (y + ra) * w_out + xa, *out_b = out + (y + rb) * w_out + xb;
            const int32_t n_a = w_out - xa < EDGEDIFF_LANES ? w_out - xa : EDGEDIFF_LANES;
            const int32_t n_b =
                vb == v ? 0 : (w_out - xb < EDGEDIFF_LANES ? w_out - xb : EDGEDIFF_LANES);
            for (int32_t co = 0; co < c_out; co += 3) {
                const int32_t n_co = c_out - co < 3 ? c_out - co : 3;
                const elem_t *w0 = weight + co * c_in * 9;
                const elem_t *w1 = n_co > 1 ? w0 + c_in * 9 : w0;
                const elem_t *w2 = n_co > 2 ? w1 + c_in * 9 : w1;
                vec_t acc[6];
                for (int32_t k = 0; k < 3; ++k) {
                    const scalar_t b = bias && k < n_co ? bias[co + k] : (scalar_t)0.0f;
                    acc[k] = acc[3 + k] = EDGEDIFF_MVE_DUP(b);
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
    for (int32_t s = 0; s < plane; s += 2 * EDGEDIFF_LANES) {
        const int32_t n_a = plane - s < EDGEDIFF_LANES ? plane - s : EDGEDIFF_LANES;
        const int32_t n_b =
            plane - s - EDGEDIFF_LANES <= 0
                ? 0
                : (plane - s - EDGEDIFF_LANES < EDGEDIFF_LANES ? plane - s - EDGEDIFF_LANES
                                                               : EDGEDIFF_LANES);
        const int32_t full = n_b == EDGEDIFF_LANES;
        const mve_pred16_t ma = EDGEDIFF_MVE_VCTP((uint32_t)n_a),
                           mb = EDGEDIFF_MVE_VCTP((uint32_t)n_b);
        for (int32_t co = 0; co < c_out; co += 3) {
            const int32_t n_co = c_out - co < 3 ? c_out - co : 3;
            const elem_t *w0 = weight + co * c_in;
            const elem_t *w1 = n_co > 1 ? w0 + c_in : w0;
            const elem_t *w2 = n_co > 2 ? w1 + c_in : w1;
            vec_t acc[6];
            for (int32_t k = 0; k < 3; ++k) {
                const scalar_t b = bias && k < n_co ? bias[co + k] : (scalar_t)0.0f;
                acc[k] = acc[3 + k] = EDGEDIFF_MVE_DUP(b);
            }
            vec_t a0 = acc[0], a1 = acc[1], a2 = acc[2];
            vec_t b0 = acc[3], b1 = acc[4], b2 = acc[5];
            const elem_t *x = in + s;
            if (full) {
                for (int32_t ci = 0; ci < c_in; ++ci) {
                    const scalar_t s0 = w0[ci], s1 = w1[ci], s2 = w2[ci];
                    const vec_t va = EDGEDIFF_MVE_LD(x);
                    a0 = EDGEDIFF_MVE_FMA_N(a0, va, s0);
                    a1 = EDGEDIFF_MVE_FMA_N(a1, va, s1);
                    a2 = EDGEDIFF_MVE_FMA_N(a2, va, s2);
                    const vec_t vb = EDGEDIFF_MVE_LD(x + EDGEDIFF_LANES);
                    b0 = EDGEDIFF_MVE_FMA_N(b0, vb, s0);
                    b1 = EDGEDIFF_MVE_FMA_N(b1, vb, s1);
                    b2 = EDGEDIFF_MVE_FMA_N(b2, vb, s2);
                    x += plane;
                }
            } else {
                for (int32_t ci = 0; ci < c_in; ++ci) {
                    const scalar_t s0 = w0[ci], s1 = w1[ci], s2 = w2[ci];
                    const vec_t va = EDGEDIFF_MVE_LD_Z(x, ma);
                    a0 = EDGEDIFF_MVE_FMA_N(a0, va, s0);
                    a1 = EDGEDIFF_MVE_FMA_N(a1, va, s1);
                    a2 = EDGEDIFF_MVE_FMA_N(a2, va, s2);
                    const vec_t vb = EDGEDIFF_MVE_LD_Z(x + EDGEDIFF_LANES, mb);
                    b0 = EDGEDIFF_MVE_FMA_N(b0, vb, s0);
                    b1 = EDGEDIFF_MVE_FMA_N(b1, vb, s1);
                    b2 = EDGEDIFF_MVE_FMA_N(b2, vb, s2);
                    x += plane;
                }
            }
            acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = b0, acc[4] = b1, acc[5] = b2;
            store_tile(acc, n_co, out + co * plane + s, out + co * plane + s + EDGEDIFF_LANES, n_a,
                       n_b, plane, act);
        }
    }
}

/* The kernel for each image of the batch: 1x1 or 3x3. The 3x3 loop is instantiated with
 * constant strides and tap offsets for the common widths, so the inner loop addresses with
 * immediates: nvx_s1a and nvx_s1b vectors per output row at stride 1, nvx_s2 at stride 2
 * (constants of the calling kernel); other widths share one generic instance per stride.
 * scratch: the 3x3 loop's band of zero-padded input rows (kernels_mve.h sizes it). */
EDGEDIFF_MVE_INLINE void conv2d_mve(const conv2d_params_t *p, const elem_t *in,
                                    const elem_t *weight, const elem_t *bias, elem_t *out,
                                    const int32_t nvx_s1a, const int32_t nvx_s1b,
                                    const int32_t nvx_s2, void *scratch) {
    if (p->kernel_h == 1) { /* its own loop: the scratch pointer is not live in it */
        for (int32_t n = 0; n < p->n; ++n) {
            conv1x1(p, in + n * p->c_in * p->h_in * p->w_in, weight, bias,
                    out + n * p->c_out * p->h_out * p->w_out);
        }
        return;
    }
    elem_t *const band = (elem_t *)scratch;
    for (int32_t n = 0; n < p->n; ++n) {
        const elem_t *in_n = in + n * p->c_in * p->h_in * p->w_in;
        elem_t *out_n = out + n * p->c_out * p->h_out * p->w_out;
        const int32_t nvx = (p->w_out + EDGEDIFF_LANES - 1) / EDGEDIFF_LANES;
        if (p->stride_h == 1) {
            if (nvx == nvx_s1a) {
                conv3x3(p, in_n, weight, bias, out_n, 1, nvx_s1a, band);
            } else if (nvx == nvx_s1b) {
                conv3x3(p, in_n, weight, bias, out_n, 1, nvx_s1b, band);
            } else {
                conv3x3(p, in_n, weight, bias, out_n, 1, nvx, band);
            }
        } else {
            if (nvx == nvx_s2) {
                conv3x3(p, in_n, weight, bias, out_n, 2, nvx_s2, band);
            } else {
                conv3x3(p, in_n, weight, bias, out_n, 2, nvx, band);
            }
        }
    }
}

/* This header's own macros end here (the includer's code does not use them). */
#undef EDGEDIFF_TAP

#endif /* EDGEDIFF_CONV2D_MVE_H */
