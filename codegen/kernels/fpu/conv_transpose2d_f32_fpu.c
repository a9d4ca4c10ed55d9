/* FP32 transposed convolution (nn.ConvTranspose2d / 1d) for cores with a scalar FPU: per
 * phase of the output, tiles of 4 output channels x 4 outputs on zero-padded input rows in
 * scratch; ACCUMULATION: FP32, fused multiply-adds. Scheme: internal/conv_transpose2d_fpu.h. */
#define EDGEDIFF_CT_FPU_NAME edgediff_conv_transpose2d_f32_fpu
#include "edgediff/internal/conv_transpose2d_fpu.h"
