/* Overrides for cores without an FPU (ISA feature `nofpu`: fe310): the float32 <-> int8
 * boundary of an int8 model on the IEEE-754 bits, same signatures and bytes as the reference
 * kernels in kernels.h, suffix _nofpu. Declared for every target, defined only in
 * codegen/kernels/nofpu/. */
#ifndef EDGEDIFF_KERNELS_NOFPU_H
#define EDGEDIFF_KERNELS_NOFPU_H

#include "edgediff/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

void edgediff_quantize_f32_to_s8_nofpu(const quantize_s8_params_t *p, const float *in, int8_t *out);
void edgediff_dequantize_s8_to_f32_nofpu(const quantize_s8_params_t *p, const int8_t *in, float *out);

#ifdef __cplusplus
}
#endif

#endif /* EDGEDIFF_KERNELS_NOFPU_H */
