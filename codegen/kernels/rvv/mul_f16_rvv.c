/* RVV FP16 broadcasting mul for the shapes overrides/rvv.py lets through: both operands
 * dense in out_shape (one flat loop), or one dense and the other constant over the last two
 * dims ([N, C, H, W] * [N, C, 1, 1]: one scalar per plane).
 * Without activation or with ReLU: FP16 arithmetic, 16 halves per instruction; IEEE
 * mul of two halves rounded to half is the correctly rounded result, the same bits as the
 * reference's float mul rounded once. With SiLU: widened to FP32, mul, SiLU (vector expf,
 * kernels_rvv.h), one rounding, as the reference (a rounding before the SiLU would be
 * amplified by its conditioning for large negative inputs). out may alias a dense operand. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"
#include "edgediff/internal/binary_rvv.h"

void edgediff_mul_f16_rvv(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out) {
    edgediff_rvv_binary_f16(EDGEDIFF_RVV_MUL, p, a, b, out);
}
