/* MVE FP16 1xK convolution: conv2d with kernel_h 1 and pad_h 0 (nn.Conv1d is captured as one
 * of height 1), any kernel width, stride and padding; dilation 1, groups 1 (overrides/mve.py).
 * Vectorised over the outputs of a row: 8 halves per load (a gather for stride > 1), widened,
 * 2 output channels per pass; ACCUMULATION: FP32, one rounding to half per output. Scheme:
 * internal/conv1d_simd.h (frame) and internal/conv1d_mve.h (vector loop). */
#pragma GCC optimize("no-schedule-insns")
#define EDGEDIFF_C1_F16
#define EDGEDIFF_C1_NAME edgediff_conv1d_f16_mve
#include "edgediff/internal/conv1d_mve.h"
