/* Scalar int8 overrides for RV32IM cores (ISA feature `rv32im`: rv32, fe310 and hifive1-revb,
 * and rv32v for the layers its RVV kernels refuse): same signatures as the reference *_s8
 * kernels in kernels.h, suffix _rv32im, plus a last argument `void *scratch` of
 * edgediff_<kernel>_get_buffer_size(&params) bytes (edgediff/scratch.h). Plain C (no F, V or
 * P extension), so the host can run them too; defined in codegen/kernels/rv32im/.
 * overrides/rv32im.py holds the Python twins of the size rules. */
#ifndef EDGEDIFF_KERNELS_RV32IM_H
#define EDGEDIFF_KERNELS_RV32IM_H

#include "edgediff/kernels.h"
#include "edgediff/scratch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* conv2d_s8_rv32im: groups 1, dilation 1, any kernel, stride and padding. Scratch: the
 * weights of one block of 4 output channels, [c_in][kernel_h][kernel_w][4] int8, then their
 * sums per kernel row, [kernel_h][4] int32. */
static inline int32_t edgediff_conv2d_s8_rv32im_packed_bytes(const conv2d_s8_params_t *p) {
    return edgediff_scratch_round(4 * p->conv.c_in * p->conv.kernel_h * p->conv.kernel_w);
}
static inline int32_t edgediff_conv2d_s8_rv32im_get_buffer_size(const conv2d_s8_params_t *p) {
    return edgediff_conv2d_s8_rv32im_packed_bytes(p)
           + edgediff_scratch_round(4 * p->conv.kernel_h * (int32_t)sizeof(int32_t));
}
void edgediff_conv2d_s8_rv32im(const conv2d_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out,
                               void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* EDGEDIFF_KERNELS_RV32IM_H */
