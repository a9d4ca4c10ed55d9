/* Reference int8 -> int8 rescaling, TFLite's QUANTIZE between two int8 tensors (Requantize):
 * (q + input_offset) times input_scale / output_scale, plus the output zero point, clamped.
 * What a concat operand or a skip connection needs when its scale differs from its reader's. */
#include "edgediff/kernels.h"
#include "edgediff/internal/requantize_s8.h"

void edgediff_requantize_s8(const requantize_s8_params_t *p, const int8_t *in, int8_t *out) {
    for (int32_t i = 0; i < p->count; ++i) {
        const int32_t v = edgediff_requantize((int32_t)in[i] + p->input_offset, p->multiplier,
                                              p->shift);
        out[i] = edgediff_output_s8(v, p->output_offset, -128, 127);
    }
}
