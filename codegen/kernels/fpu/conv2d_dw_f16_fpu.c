/* FP16-storage depthwise convolution (groups == channels) for cores with a scalar FPU: the
 * tiles of conv2d_dw_f32_fpu on a plane and weights widened once into FP32 scratch;
 * ACCUMULATION: FP32 (fused multiply-adds), one rounding to half per output. Scheme:
 * internal/conv2d_dw_fpu.h. */
#define EDGEDIFF_FPU_F16
#define EDGEDIFF_DW_FPU_NAME edgediff_conv2d_dw_f16_fpu
#include "edgediff/internal/conv2d_dw_fpu.h"
