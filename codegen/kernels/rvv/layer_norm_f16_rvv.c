/* RVV FP16 layer norm, any [outer][size][inner]: along the row for nn.LayerNorm (inner 1),
 * over 8 pixels at a time for the channels LayerNorm of an image (inner > 1); halves widened,
 * FP32 statistics and affine step, one rounding to half per output. Scheme:
 * internal/layer_norm_rvv.h. */
#define EDGEDIFF_LN_F16
#define EDGEDIFF_LN_NAME edgediff_layer_norm_f16_rvv
#include "edgediff/internal/layer_norm_rvv.h"
