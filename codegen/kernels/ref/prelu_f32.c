/* Reference PReLU (f32): the shared loop in kernel_util.h. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_prelu_f32(const prelu_params_t *p, const float *in, const float *slope, float *out) {
    edgediff_prelu(p, in, slope, out, edgediff_load_f32, edgediff_store_f32);
}
