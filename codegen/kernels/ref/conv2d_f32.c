/* Reference 2-D convolution: direct loop nest, zero padding, grouped and dilated; the
 * loop is internal/conv2d_ref.h (written once for FP32 and FP16). This kernel is the
 * baseline every speed-up is measured against. */
#define EDGEDIFF_CONV2D_REF_ELEM float
#define EDGEDIFF_CONV2D_REF_NAME edgediff_conv2d_f32
#include "edgediff/internal/conv2d_ref.h"
