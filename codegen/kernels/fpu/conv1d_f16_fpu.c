/* FP16-storage 1xK convolution (nn.Conv1d; any conv2d with a 1xK kernel, groups 1) for
 * cores with a scalar FPU: the tiles of conv1d_f32_fpu on rows and weights widened once
 * into FP32 scratch; ACCUMULATION: FP32 (fused multiply-adds), one rounding to half per
 * output. Scheme: internal/conv1d_fpu.h. */
#define EDGEDIFF_FPU_F16
#define EDGEDIFF_CONV1D_FPU_NAME edgediff_conv1d_f16_fpu
#include "edgediff/internal/conv1d_fpu.h"
