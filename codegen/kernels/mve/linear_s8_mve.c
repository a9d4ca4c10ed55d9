/* int8 fully connected layer for Arm MVE (Helium, Cortex-M55), any shape: the weights packed
 * once per call (internal/gemm_s8_mve.h: blocks of 4 outputs x 16-byte vectors of the input
 * row, zero past in_features; the input offset folded into one int32 per output as
 * offset * sum(w) + bias), two input rows at a time copied into columns in scratch (whole
 * vectors, zero past the row: nothing past the tensor is read), then blocks of 4 outputs
 * x 2 rows by VMLADAVA and the 4 outputs of a row requantized as one vector and stored
 * together. Exact int32 sums in another order: same bytes as ref/linear_s8.c. */
#include <arm_mve.h>

#include "edgediff/kernels_mve.h"
#include "edgediff/internal/gemm_s8_mve.h"
#include "edgediff/internal/requantize_s8_mve.h"

/* Row `src` of `depth` bytes into `column` as whole vectors, zeros past depth (which is
 * not read past). */
static inline __attribute__((always_inline)) void copy_row(const int8_t *src, int32_t depth,
                                                           int8_t *column) {
    for (int32_t i = 0; i < depth; i += 16) {
        const mve_pred16_t m = vctp8q(depth - i);
        vstrbq_s8(column + i, vldrbq_z_s8(src + i, m));
    }
}

void edgediff_linear_s8_mve(const linear_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    const linear_params_t *g = &p->linear;
    const int32_t depth = g->in_features, c_out = g->out_features;
    const int32_t vectors = edgediff_linear_s8_mve_vectors(p);
    int8_t *packed = (int8_t *)scratch;
    int32_t *params = (int32_t *)((char *)scratch + edgediff_linear_s8_mve_weight_bytes(p));
    int8_t *col0 = (int8_t *)params + edgediff_scratch_round((c_out + 3) / 4 * 64);
    int8_t *col1 = col0 + vectors * 16 + 16;
    edgediff_s8_mve_pack(weight, c_out, depth, 1, vectors, p->q.input_offset, bias, multiplier,
                         shift, packed, params, (uint16_t *)col0); /* columns free until then */
    const int32_t out_offset = p->q.output_offset;
    const int32x4_t lo = vdupq_n_s32(p->q.act_min), hi = vdupq_n_s32(p->q.act_max);
    for (int32_t r = 0; r < g->rows; r += 2) {
        const int two = r + 1 < g->rows;
        copy_row(in + r * depth, depth, col0);
        copy_row(in + (two ? r + 1 : r) * depth, depth, col1);
        int8_t *o = out + r * c_out;
        const int8_t *w = packed;
        const int32_t *c = params;
        for (int32_t co = 0; co < c_out; co += 4) {
            int32x4_t sa, sb;
            edgediff_s8_mve_dot_4x2(w, col0, col1, vectors, &sa, &sb);
            w += vectors * 64;
            const int32x4_t base = vldrwq_s32(c);
            const int32x4_t mult = vldrwq_s32(c + 4);
            const int32x4_t left = vldrwq_s32(c + 8);
            const int32x4_t neg_right = vldrwq_s32(c + 12);
            c += 16;
            const mve_pred16_t live = vctp32q(c_out - co);
            sa = edgediff_mve_requantize(vaddq_s32(sa, base), mult, left, neg_right);
            sa = vminq_s32(vmaxq_s32(vaddq_n_s32(sa, out_offset), lo), hi);
            vstrbq_p_s32(o + co, sa, live);
            if (two) {
                sb = edgediff_mve_requantize(vaddq_s32(sb, base), mult, left, neg_right);
                sb = vminq_s32(vmaxq_s32(vaddq_n_s32(sb, out_offset), lo), hi);
                vstrbq_p_s32(o + c_out + co, sb, live);
            }
        }
    }
}
