/* The span of the RVV transposed convolutions (conv_transpose2d_f32_rvv.c, _f16_rvv.c; the
 * frame and the scheme are internal/conv_transpose2d_simd.h), internal to codegen/kernels.
 * The includer defines EDGEDIFF_CT_F16 for halves (else floats) and EDGEDIFF_CT_NAME.
 *
 * ACCUMULATION: FP32 in both. Up to 8 outputs of a span per vector (e32, LMUL 2) times 4
 * output channels: per input channel and tap, one unit-stride load (8 floats, or 8 halves
 * that vfwmacc.vf widens: a product of two halves is exact in FP32), 4 scalar weights and
 * 4 multiply-adds into FP32 accumulators seeded with the bias. A span of one channel
 * (depthwise) runs a one-accumulator copy of the loop. The activation (ReLU; SiLU by
 * kernels_rvv.h's vector expf) is applied in FP32, then one rounding to the element type
 * and a store with the output stride of the phase (stride_w elements). */
#ifndef EDGEDIFF_CT_NAME
#error "define EDGEDIFF_CT_NAME before including this header"
#endif
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

#ifdef EDGEDIFF_CT_F16
#define EDGEDIFF_CT_ELEM edgediff_f16_t
#define EDGEDIFF_CT_LOAD(p, vl) vle16_v_f16m1(p, vl)
#define EDGEDIFF_CT_FMA(acc, w, v, vl) vfwmacc_vf_f32m2(acc, w, v, vl)
#define EDGEDIFF_CT_NARROW(v, vl) vfncvt_f_f_w_f16m1(v, vl)
#define EDGEDIFF_CT_STORE(p, v, vl) vse16_v_f16m1(p, v, vl)
#define EDGEDIFF_CT_STORE_STRIDED(p, bytes, v, vl) vsse16_v_f16m1(p, bytes, v, vl)
typedef vfloat16m1_t edgediff_ct_in_t;
#else
#define EDGEDIFF_CT_ELEM float
#define EDGEDIFF_CT_LOAD(p, vl) vle32_v_f32m2(p, vl)
#define EDGEDIFF_CT_FMA(acc, w, v, vl) vfmacc_vf_f32m2(acc, w, v, vl)
#define EDGEDIFF_CT_NARROW(v, vl) (v)
#define EDGEDIFF_CT_STORE(p, v, vl) vse32_v_f32m2(p, v, vl)
#define EDGEDIFF_CT_STORE_STRIDED(p, bytes, v, vl) vsse32_v_f32m2(p, bytes, v, vl)
typedef vfloat32m2_t edgediff_ct_in_t;
#endif
#define EDGEDIFF_CT_BLOCK 4
#include "edgediff/internal/conv_transpose2d_simd.h"

/* Activation, rounding and the (strided) store of one output vector. */
EDGEDIFF_RVV_INLINE void edgediff_ct_store(const edgediff_ct_span_t *s, int32_t c, int32_t j,
                                           vfloat32m2_t acc, size_t vl) {
    if (s->act == EDGEDIFF_ACT_RELU) {
        acc = vfmax_vf_f32m2(acc, 0.0f, vl);
    } else if (s->act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        acc = EDGEDIFF_RVV_SILU(acc, vl);
    }
    EDGEDIFF_CT_ELEM *dst = s->out + c * s->out_plane + j * s->out_step;
    if (s->out_step == 1) {
        EDGEDIFF_CT_STORE(dst, EDGEDIFF_CT_NARROW(acc, vl), vl);
    } else {
        const ptrdiff_t bytes = (ptrdiff_t)s->out_step * (ptrdiff_t)sizeof(EDGEDIFF_CT_ELEM);
        EDGEDIFF_CT_STORE_STRIDED(dst, bytes, EDGEDIFF_CT_NARROW(acc, vl), vl);
    }
}

/* The span's loop for `block` output channels (1 or EDGEDIFF_CT_BLOCK, a constant once
 * inlined). */
EDGEDIFF_RVV_INLINE void edgediff_ct_span_block(const edgediff_ct_span_t *s, const int32_t block) {
    const int32_t w0 = s->w_co[0], w1 = s->w_co[1], w2 = s->w_co[2], w3 = s->w_co[3];
    for (int32_t j = s->j_first; j < s->j_end;) {
        const size_t vl = vsetvl_e32m2((size_t)(s->j_end - j));
        vfloat32m2_t a0 = vfmv_v_f_f32m2(s->bias[0], vl), a1 = a0, a2 = a0, a3 = a0;
        if (block > 1) {
            a1 = vfmv_v_f_f32m2(s->bias[1], vl);
            a2 = vfmv_v_f_f32m2(s->bias[2], vl);
            a3 = vfmv_v_f_f32m2(s->bias[3], vl);
        }
        const EDGEDIFF_CT_ELEM *in = s->in + j, *weight = s->weight;
        for (int32_t i = 0; i < s->c_in; ++i) {
            for (int32_t k = 0; k < s->taps; ++k) {
                const edgediff_ct_in_t v = EDGEDIFF_CT_LOAD(in + s->in_off[k], vl);
                const EDGEDIFF_CT_ELEM *w = weight + s->w_off[k];
                a0 = EDGEDIFF_CT_FMA(a0, w[w0], v, vl);
                if (block > 1) {
                    a1 = EDGEDIFF_CT_FMA(a1, w[w1], v, vl);
                    a2 = EDGEDIFF_CT_FMA(a2, w[w2], v, vl);
                    a3 = EDGEDIFF_CT_FMA(a3, w[w3], v, vl);
                }
            }
            in += s->in_plane;
            weight += s->w_channel;
        }
        edgediff_ct_store(s, 0, j, a0, vl);
        if (block > 1) { /* n_co >= 2 here */
            edgediff_ct_store(s, 1, j, a1, vl);
            if (s->n_co > 2) {
                edgediff_ct_store(s, 2, j, a2, vl);
            }
            if (s->n_co > 3) {
                edgediff_ct_store(s, 3, j, a3, vl);
            }
        }
        j += (int32_t)vl;
    }
}

static void edgediff_ct_span(const edgediff_ct_span_t *s) {
    if (s->n_co == 1) {
        edgediff_ct_span_block(s, 1);
    } else {
        edgediff_ct_span_block(s, EDGEDIFF_CT_BLOCK);
    }
}
