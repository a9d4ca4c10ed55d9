/* Reference FP16 transposed 2-D convolution: the loop of internal/conv_transpose2d_ref.h on
 * halves widened to float, FP32 accumulation, one rounding to half per output. */
#define EDGEDIFF_CONV_T_REF_ELEM edgediff_f16_t
#define EDGEDIFF_CONV_T_REF_NAME edgediff_conv_transpose2d_f16
#include "edgediff/internal/conv_transpose2d_ref.h"
