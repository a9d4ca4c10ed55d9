/* Zbb overrides (RISC-V bit manipulation, for cpop): same signatures as the reference
 * kernels in kernels.h, suffix _zbb. Declared for every target (plain C types), defined
 * only in codegen/kernels/zbb/, which builds for targets whose -march has Zbb. */
#ifndef EDGEDIFF_KERNELS_ZBB_H
#define EDGEDIFF_KERNELS_ZBB_H

#include "edgediff/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Any kernel size, stride and padding; equal to the reference bit for bit. */
void edgediff_binary_conv2d_f32_zbb(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const float *scale, const float *bias,
                                    const float *shift_in, const float *slope,
                                    const float *shift_out, const float *res_scale,
                                    const float *residual, float *out);
void edgediff_binary_conv2d_f16_zbb(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const edgediff_f16_t *scale,
                                    const edgediff_f16_t *bias, const edgediff_f16_t *shift_in,
                                    const edgediff_f16_t *slope, const edgediff_f16_t *shift_out,
                                    const edgediff_f16_t *res_scale, const edgediff_f16_t *residual,
                                    edgediff_f16_t *out);

#ifdef __cplusplus
}
#endif

#endif /* EDGEDIFF_KERNELS_ZBB_H */
