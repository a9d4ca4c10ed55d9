/* Reference FP16 2-D convolution: the FP32 reference loop (internal/conv2d_ref.h) on halves
 * widened to float, FP32 accumulation, one rounding to half per output. */
#define EDGEDIFF_CONV2D_REF_ELEM edgediff_f16_t
#define EDGEDIFF_CONV2D_REF_NAME edgediff_conv2d_f16
#include "edgediff/internal/conv2d_ref.h"
