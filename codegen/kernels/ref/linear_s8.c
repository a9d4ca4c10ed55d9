/* Reference int8 fully connected layer, TFLite's FullyConnectedPerChannel: one int32 dot
 * product of (input + input_offset) and a symmetric int8 weight row per output, plus the
 * bias, requantized with that output's multiplier and shift (a per-tensor layer repeats one
 * pair), plus the output zero point, clamped. */
#include "edgediff/kernels.h"
#include "edgediff/internal/requantize_s8.h"

void edgediff_linear_s8(const linear_s8_params_t *p, const int8_t *in, const int8_t *weight,
                        const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                        int8_t *out) {
    const linear_params_t *g = &p->linear;
    for (int32_t r = 0; r < g->rows; ++r) {
        const int8_t *row = in + r * g->in_features;
        for (int32_t o = 0; o < g->out_features; ++o) {
            const int8_t *w = weight + o * g->in_features;
            int32_t acc = 0;
            for (int32_t i = 0; i < g->in_features; ++i) {
                acc += ((int32_t)row[i] + p->q.input_offset) * (int32_t)w[i];
            }
            if (bias) {
                acc += bias[o];
            }
            const int32_t scaled = edgediff_requantize(acc, multiplier[o], shift[o]);
            *out++ = edgediff_output_s8(scaled, p->q.output_offset, p->q.act_min, p->q.act_max);
        }
    }
}
