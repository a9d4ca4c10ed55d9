/* FP32 3x3 convolution for cores with a scalar FPU (rv32 F, Cortex-M4/M7/M33): pad 1,
 * stride 1 or 2, groups 1. Register-blocked tiles of 4 output channels x 4 pixels over a
 * ring of zero-padded input rows in scratch; ACCUMULATION: FP32, fused multiply-adds.
 * Scheme: internal/conv2d_fpu.h. */
#include "edgediff/kernels.h"

#define EDGEDIFF_CONV_FPU_ELEM float
#define EDGEDIFF_CONV_FPU_NAME edgediff_conv2d_f32_fpu
#include "edgediff/internal/conv2d_fpu.h"
