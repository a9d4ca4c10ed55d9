/* int8 fully connected layer for DSP cores (Cortex-M4/M7/M33): two input rows at a time are
 * widened into int16 columns in scratch with the input offset added, then every output, two
 * at a time, is one SMLAD dot product per pair of inputs (internal/gemm_s8_dsp.h). Same bytes
 * as ref/linear_s8.c. */
#include "edgediff/kernels_dsp.h"
#include "edgediff/internal/gemm_s8_dsp.h"

static void fill_column(const int8_t *row, int32_t count, int32_t offset, int16_t *col) {
    int32_t k = 0;
    for (; k < count; ++k) {
        col[edgediff_s8_dsp_slot(k)] = (int16_t)((int32_t)row[k] + offset);
    }
    for (; k < edgediff_s8_dsp_depth(count); ++k) {
        col[edgediff_s8_dsp_slot(k)] = 0;
    }
}

void edgediff_linear_s8_dsp(const linear_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    const linear_params_t *g = &p->linear;
    const int32_t depth = g->in_features;
    int16_t *col0 = (int16_t *)scratch;
    int16_t *col1 = col0 + edgediff_s8_dsp_depth(depth);
    for (int32_t r = 0; r < g->rows; r += 2) {
        const int32_t pixels = r + 1 < g->rows ? 2 : 1;
        fill_column(in + r * depth, depth, p->q.input_offset, col0);
        if (pixels == 2) {
            fill_column(in + (r + 1) * depth, depth, p->q.input_offset, col1);
        }
        edgediff_gemm_s8_dsp(col0, pixels == 2 ? col1 : col0, pixels, depth, weight,
                             g->out_features, bias, multiplier, shift, &p->q,
                             out + r * g->out_features, 1, g->out_features);
    }
}
