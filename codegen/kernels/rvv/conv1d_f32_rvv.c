/* RVV FP32 1xK convolution: conv2d with kernel_h 1 and pad_h 0 (nn.Conv1d is captured as one
 * of height 1), any kernel width, stride and padding; dilation 1, groups 1 (overrides/rvv.py).
 * Vectorised over the outputs of a row: 8 floats per load (vlse32 for stride > 1), 4 output
 * channels per pass; ACCUMULATION: FP32. Scheme: internal/conv1d_simd.h (frame) and
 * internal/conv1d_rvv.h (vector loop). */
#define EDGEDIFF_C1_NAME edgediff_conv1d_f32_rvv
#include "edgediff/internal/conv1d_rvv.h"
