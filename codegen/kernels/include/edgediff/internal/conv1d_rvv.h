/* The span of the RVV 1xK convolutions (conv1d_f32_rvv.c, _f16_rvv.c; the frame and the
 * scheme are internal/conv1d_simd.h), internal to codegen/kernels. The includer defines
 * EDGEDIFF_C1_F16 for halves (else floats) and EDGEDIFF_C1_NAME.
 *
 * ACCUMULATION: FP32 in both. Up to 8 outputs of a span per vector (e32, LMUL 2) times 4
 * output channels: per input channel and tap, one load (unit stride, or vlse with the
 * convolution's stride; 8 floats, or 8 halves that vfwmacc.vf widens: a product of two
 * halves is exact in FP32), 4 scalar weights and 4 multiply-adds into FP32 accumulators
 * seeded with the bias. The activation (ReLU; SiLU by kernels_rvv.h's vector expf) is
 * applied in FP32, then one rounding to the element type and a unit-stride store. */
#ifndef EDGEDIFF_C1_NAME
#error "define EDGEDIFF_C1_NAME before including this header"
#endif
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

#ifdef EDGEDIFF_C1_F16
#define EDGEDIFF_C1_ELEM edgediff_f16_t
#define EDGEDIFF_C1_LOAD(p, vl) vle16_v_f16m1(p, vl)
#define EDGEDIFF_C1_LOAD_STRIDED(p, bytes, vl) vlse16_v_f16m1(p, bytes, vl)
#define EDGEDIFF_C1_FMA(acc, w, v, vl) vfwmacc_vf_f32m2(acc, w, v, vl)
#define EDGEDIFF_C1_NARROW(v, vl) vfncvt_f_f_w_f16m1(v, vl)
#define EDGEDIFF_C1_STORE(p, v, vl) vse16_v_f16m1(p, v, vl)
typedef vfloat16m1_t edgediff_c1_in_t;
#else
#define EDGEDIFF_C1_ELEM float
#define EDGEDIFF_C1_LOAD(p, vl) vle32_v_f32m2(p, vl)
#define EDGEDIFF_C1_LOAD_STRIDED(p, bytes, vl) vlse32_v_f32m2(p, bytes, vl)
#define EDGEDIFF_C1_FMA(acc, w, v, vl) vfmacc_vf_f32m2(acc, w, v, vl)
#define EDGEDIFF_C1_NARROW(v, vl) (v)
#define EDGEDIFF_C1_STORE(p, v, vl) vse32_v_f32m2(p, v, vl)
typedef vfloat32m2_t edgediff_c1_in_t;
#endif
#define EDGEDIFF_C1_BLOCK 4
#include "edgediff/internal/conv1d_simd.h"

/* Activation, rounding and the store of one output vector. */
EDGEDIFF_RVV_INLINE void edgediff_c1_store(const edgediff_c1_span_t *s, int32_t c, int32_t x,
                                           vfloat32m2_t acc, size_t vl) {
    if (s->act == EDGEDIFF_ACT_RELU) {
        acc = vfmax_vf_f32m2(acc, 0.0f, vl);
    } else if (s->act == EDGEDIFF_ACT_SILU) {
        EDGEDIFF_RVV_SILU_SETUP();
        acc = EDGEDIFF_RVV_SILU(acc, vl);
    }
    EDGEDIFF_C1_STORE(s->out + c * s->out_plane + x, EDGEDIFF_C1_NARROW(acc, vl), vl);
}

/* The span's loop for `block` output channels (1 or EDGEDIFF_C1_BLOCK) and the stride form
 * (both constants once inlined). */
EDGEDIFF_RVV_INLINE void edgediff_c1_span_block(const edgediff_c1_span_t *s, const int32_t block,
                                                const int32_t strided) {
    const int32_t w0 = s->w_co[0], w1 = s->w_co[1], w2 = s->w_co[2], w3 = s->w_co[3];
    const int32_t taps = s->taps;
    const ptrdiff_t bytes = (ptrdiff_t)s->stride * (ptrdiff_t)sizeof(EDGEDIFF_C1_ELEM);
    for (int32_t x = s->x_first; x < s->x_end;) {
        const size_t vl = vsetvl_e32m2((size_t)(s->x_end - x));
        vfloat32m2_t a0 = vfmv_v_f_f32m2(s->bias[0], vl), a1 = a0, a2 = a0, a3 = a0;
        if (block > 1) {
            a1 = vfmv_v_f_f32m2(s->bias[1], vl);
            a2 = vfmv_v_f_f32m2(s->bias[2], vl);
            a3 = vfmv_v_f_f32m2(s->bias[3], vl);
        }
        const EDGEDIFF_C1_ELEM *in = s->in + x * s->stride - s->pad, *w = s->weight;
        for (int32_t i = 0; i < s->c_in; ++i) {
            for (int32_t k = 0; k < taps; ++k) {
                const edgediff_c1_in_t v = strided ? EDGEDIFF_C1_LOAD_STRIDED(in + k, bytes, vl)
                                                   : EDGEDIFF_C1_LOAD(in + k, vl);
                a0 = EDGEDIFF_C1_FMA(a0, w[w0 + k], v, vl);
                if (block > 1) {
                    a1 = EDGEDIFF_C1_FMA(a1, w[w1 + k], v, vl);
                    a2 = EDGEDIFF_C1_FMA(a2, w[w2 + k], v, vl);
                    a3 = EDGEDIFF_C1_FMA(a3, w[w3 + k], v, vl);
                }
            }
            in += s->in_plane;
            w += taps;
        }
        edgediff_c1_store(s, 0, x, a0, vl);
        if (block > 1) { /* n_co >= 2 here */
            edgediff_c1_store(s, 1, x, a1, vl);
            if (s->n_co > 2) {
                edgediff_c1_store(s, 2, x, a2, vl);
            }
            if (s->n_co > 3) {
                edgediff_c1_store(s, 3, x, a3, vl);
            }
        }
        x += (int32_t)vl;
    }
}

static void edgediff_c1_span(const edgediff_c1_span_t *s) {
    if (s->stride == 1) {
        if (s->n_co == 1) {
            edgediff_c1_span_block(s, 1, 0);
        } else {
            edgediff_c1_span_block(s, EDGEDIFF_C1_BLOCK, 0);
        }
    } else if (s->n_co == 1) {
        edgediff_c1_span_block(s, 1, 1);
    } else {
        edgediff_c1_span_block(s, EDGEDIFF_C1_BLOCK, 1);
    }
}
