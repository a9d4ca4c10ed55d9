/* FP32 1xK convolution (nn.Conv1d; any conv2d with a 1xK kernel, groups 1) for cores with
 * a scalar FPU: tiles of 4 output channels x 4 outputs on zero-padded rows in scratch;
 * ACCUMULATION: FP32, fused multiply-adds. Scheme: internal/conv1d_fpu.h. */
#define EDGEDIFF_CONV1D_FPU_NAME edgediff_conv1d_f32_fpu
#include "edgediff/internal/conv1d_fpu.h"
