/* RVV FP32 broadcasting add, 8 floats per instruction, for the shapes overrides/rvv.py
 * lets through: both operands dense in out_shape (one flat loop), or one dense and the other
 * constant over the last two dims ([N, C, H, W] + [N, C, 1, 1]: one scalar per plane).
 * One FP32 rounding as the reference; fused activation (SiLU: vector expf of
 * kernels_rvv.h). out may alias a dense operand (each vector is read before it is written). */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"
#include "edgediff/internal/binary_rvv.h"

void edgediff_add_f32_rvv(const binary_params_t *p, const float *a, const float *b, float *out) {
    edgediff_rvv_binary_f32(EDGEDIFF_RVV_ADD, p, a, b, out);
}
