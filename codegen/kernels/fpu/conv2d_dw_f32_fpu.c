/* FP32 depthwise convolution (groups == channels) for cores with a scalar FPU: tiles of 8
 * outputs of one channel on its zero-padded plane in scratch; ACCUMULATION: FP32, fused
 * multiply-adds. Scheme: internal/conv2d_dw_fpu.h. */
#define EDGEDIFF_DW_FPU_NAME edgediff_conv2d_dw_f32_fpu
#include "edgediff/internal/conv2d_dw_fpu.h"
