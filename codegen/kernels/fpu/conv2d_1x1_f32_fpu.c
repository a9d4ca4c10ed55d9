/* FP32 pointwise (1x1, stride 1, pad 0) convolution for cores with a scalar FPU: a GEMM in
 * register-blocked tiles of 4 output channels x 4 pixels; ACCUMULATION: FP32, fused
 * multiply-adds. Scheme: internal/conv2d_1x1_fpu.h. */
#include "edgediff/kernels.h"

#define EDGEDIFF_PW_FPU_ELEM float
#define EDGEDIFF_PW_FPU_NAME edgediff_conv2d_1x1_f32_fpu
#include "edgediff/internal/conv2d_1x1_fpu.h"
