/* MVE FP16 transposed convolution (conv_transpose1d as height 1): any stride, padding,
 * output_padding and groups whose phases have at most 64 taps (overrides/mve.py). Gather
 * form, vectorised over the outputs of one phase of a row (8 halves per load, widened),
 * 2 output channels per pass; ACCUMULATION: FP32, one rounding to half per output. Scheme:
 * internal/conv_transpose2d_simd.h (frame) and internal/conv_transpose2d_mve.h (vector
 * loop). */
#pragma GCC optimize("no-schedule-insns")
#define EDGEDIFF_CT_F16
#define EDGEDIFF_CT_NAME edgediff_conv_transpose2d_f16_mve
#include "edgediff/internal/conv_transpose2d_mve.h"
