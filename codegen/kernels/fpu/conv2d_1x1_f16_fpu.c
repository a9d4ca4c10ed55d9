/* FP16-storage pointwise (1x1, stride 1, pad 0) convolution for cores with a scalar FPU:
 * the tiles of conv2d_1x1_f32_fpu on halves widened as loaded (each value serves 4 MACs;
 * on Arm two halves per 32-bit load where the rows are aligned);
 * ACCUMULATION: FP32 (fused multiply-adds), one rounding to half per output. Scheme:
 * internal/conv2d_1x1_fpu.h. */
#include "edgediff/kernels.h"

#define EDGEDIFF_PW_FPU_ELEM edgediff_f16_t
#define EDGEDIFF_PW_FPU_NAME edgediff_conv2d_1x1_f16_fpu
#define EDGEDIFF_PW_FPU_HALF
#include "edgediff/internal/conv2d_1x1_fpu.h"
