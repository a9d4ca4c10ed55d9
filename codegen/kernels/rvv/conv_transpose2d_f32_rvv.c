/* RVV FP32 transposed convolution (conv_transpose1d as height 1): any stride, padding,
 * output_padding and groups whose phases have at most 64 taps (overrides/rvv.py). Gather
 * form, vectorised over the outputs of one phase of a row, 4 output channels per pass;
 * ACCUMULATION: FP32. Scheme: internal/conv_transpose2d_simd.h (frame) and
 * internal/conv_transpose2d_rvv.h (vector loop). */
#define EDGEDIFF_CT_NAME edgediff_conv_transpose2d_f32_rvv
#include "edgediff/internal/conv_transpose2d_rvv.h"
