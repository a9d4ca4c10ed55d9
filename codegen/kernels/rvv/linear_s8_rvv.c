/* int8 fully connected layer for RVV 1.0 (VLEN=128), any shape: the weights packed once per
 * call (internal/gemm_s8_rvv.h: blocks of 4 outputs x 16-byte vectors of the input row, zero
 * past in_features; the input offset folded into one int32 per output as offset * sum(w) +
 * bias), two input rows at a time copied into columns in scratch (zero past the row: nothing
 * past the tensor is read), then blocks of 4 outputs x 2 rows (vwmul + vwredsum) and the 4
 * outputs of a row requantized as one vector and stored together. Exact int32 sums in
 * another order: same bytes as ref/linear_s8.c. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels_rvv.h"
#include "edgediff/internal/gemm_s8_rvv.h"

/* Row `src` of `depth` bytes into `column` as whole vectors, zeros past depth. */
static inline __attribute__((always_inline)) void copy_row(const int8_t *src, int32_t depth,
                                                           int32_t vectors, int8_t *column) {
    for (int32_t i = 0; i < vectors * 16; i += 16) {
        vse8_v_i8m1(column + i, vmv_v_x_i8m1(0, 16), 16);
    }
    for (int32_t i = 0; i < depth;) {
        const size_t vl = vsetvl_e8m1((size_t)(depth - i));
        vse8_v_i8m1(column + i, vle8_v_i8m1(src + i, vl), vl);
        i += (int32_t)vl;
    }
}

void edgediff_linear_s8_rvv(const linear_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    const linear_params_t *g = &p->linear;
    const int32_t depth = g->in_features, c_out = g->out_features;
    const int32_t vectors = edgediff_linear_s8_rvv_vectors(p);
    const quant_s8_params_t q = p->q;
    int8_t *packed = (int8_t *)scratch;
    int32_t *params = (int32_t *)((char *)scratch + edgediff_linear_s8_rvv_weight_bytes(p));
    int8_t *col0 = (int8_t *)params + edgediff_scratch_round((c_out + 3) / 4 * 64);
    int8_t *col1 = col0 + vectors * 16 + 16;
    edgediff_s8_rvv_pack(weight, c_out, depth, 1, vectors, q.input_offset, bias, multiplier, shift,
                         packed, params);
    __asm__ volatile("csrwi vxrm, 0"); /* vsmul and vssra: round to nearest, ties up */
    for (int32_t r = 0; r < g->rows; r += 2) {
        const int two = r + 1 < g->rows;
        copy_row(in + r * depth, depth, vectors, col0);
        copy_row(in + (two ? r + 1 : r) * depth, depth, vectors, col1);
        int8_t *o = out + r * c_out;
        const int8_t *w = packed;
        for (int32_t co = 0; co < c_out; co += 4) {
            int32_t sums[8];
            edgediff_s8_rvv_dot_4x2(w, col0, col1, vectors, sums);
            w += vectors * 64;
            const int32_t *c = params + co * 4;
            const size_t live = (size_t)(c_out - co < 4 ? c_out - co : 4);
            edgediff_s8_rvv_store4(vle32_v_i32m1(sums, 4), c, &q, o + co, 1, live);
            if (two) {
                edgediff_s8_rvv_store4(vle32_v_i32m1(sums + 4, 4), c, &q, o + c_out + co, 1, live);
            }
        }
    }
}
