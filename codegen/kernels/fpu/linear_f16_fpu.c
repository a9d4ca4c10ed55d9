/* Scalar-FPU fully connected layer, FP16 storage: each input row is widened once into the
 * scratch (in_features floats, edgediff_linear_f16_fpu_get_buffer_size), then the FP32 loop
 * of internal/linear_fpu.h runs on it with the weights widened as they are loaded (each
 * is used once per row); FP32 sums, one rounding per output. */
#define EDGEDIFF_FPU_F16
#include "edgediff/internal/fpu_elem.h"
#include "edgediff/internal/linear_fpu.h"

void edgediff_linear_f16_fpu(const linear_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch) {
    float *x = (float *)scratch;
    for (int32_t r = 0; r < p->rows; ++r) {
        const edgediff_f16_t *row = in + r * p->in_features;
        for (int32_t i = 0; i < p->in_features; ++i) {
            x[i] = (float)row[i];
        }
        linear_row_fpu(p, x, weight, bias, out + r * p->out_features);
    }
}
