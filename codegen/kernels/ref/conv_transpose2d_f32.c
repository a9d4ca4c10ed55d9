/* Reference transposed 2-D convolution (conv_transpose1d as height 1), gather form: each
 * output sums the input taps that reach it; the loop is internal/conv_transpose2d_ref.h
 * (written once for FP32 and FP16). The baseline the ISA overrides are measured against. */
#define EDGEDIFF_CONV_T_REF_ELEM float
#define EDGEDIFF_CONV_T_REF_NAME edgediff_conv_transpose2d_f32
#include "edgediff/internal/conv_transpose2d_ref.h"
