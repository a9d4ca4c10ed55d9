/* Reference PReLU (f16): the shared loop in kernel_util.h. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_prelu_f16(const prelu_params_t *p, const edgediff_f16_t *in,
                        const edgediff_f16_t *slope, edgediff_f16_t *out) {
    edgediff_prelu(p, in, slope, out, edgediff_load_f16, edgediff_store_f16);
}
