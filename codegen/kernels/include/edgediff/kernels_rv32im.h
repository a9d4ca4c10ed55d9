/* Scalar int8 overrides for RV32IM cores (ISA feature `rv32im`: rv32, fe310 and hifive1-revb,
 * and rv32v for the layers its RVV kernels refuse): same signatures as the reference *_s8
 * kernels in kernels.h, suffix _rv32im, without scratch (an integer-only board's 16 KiB
 * have none to spare). Plain C (no F, V or P extension), so the host can run them too;
 * defined in codegen/kernels/rv32im/. */
#ifndef EDGEDIFF_KERNELS_RV32IM_H
#define EDGEDIFF_KERNELS_RV32IM_H

#include "edgediff/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* conv2d_s8_rv32im: dilation 1; any kernel, stride, padding and groups; no scratch. */
void edgediff_conv2d_s8_rv32im(const conv2d_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out);
/* linear_s8_rv32im: any shape; no scratch. */
void edgediff_linear_s8_rv32im(const linear_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out);

#ifdef __cplusplus
}
#endif

#endif /* EDGEDIFF_KERNELS_RV32IM_H */
