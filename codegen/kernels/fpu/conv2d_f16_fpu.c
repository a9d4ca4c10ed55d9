/* FP16-storage 3x3 convolution for cores with a scalar FPU (rv32 F/Zfh, Cortex-M4/M7/M33):
 * pad 1, stride 1 or 2, groups 1. Each input row is widened into a float ring once per
 * block of 4 output channels and the block's weights once per layer, then an FP32 tile loop like
 * conv2d_f32_fpu's runs; ACCUMULATION: FP32 (fused multiply-adds), one rounding to half per
 * output. Scheme: internal/conv2d_fpu.h. */
#include "edgediff/kernels.h"

#define EDGEDIFF_CONV_FPU_ELEM edgediff_f16_t
#define EDGEDIFF_CONV_FPU_NAME edgediff_conv2d_f16_fpu
#define EDGEDIFF_CONV_FPU_HALF
#include "edgediff/internal/conv2d_fpu.h"
