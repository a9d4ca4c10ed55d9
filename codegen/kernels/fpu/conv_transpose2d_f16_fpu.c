/* FP16-storage transposed convolution (nn.ConvTranspose2d / 1d) for cores with a scalar
 * FPU: the tiles of conv_transpose2d_f32_fpu on input rows and weights widened once into
 * FP32 scratch; ACCUMULATION: FP32 (fused multiply-adds), one rounding to half per output.
 * Scheme: internal/conv_transpose2d_fpu.h. */
#define EDGEDIFF_FPU_F16
#define EDGEDIFF_CT_FPU_NAME edgediff_conv_transpose2d_f16_fpu
#include "edgediff/internal/conv_transpose2d_fpu.h"
