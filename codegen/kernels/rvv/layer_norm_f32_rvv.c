/* RVV FP32 layer norm, any [outer][size][inner]: along the row for nn.LayerNorm (inner 1),
 * over 8 pixels at a time for the channels LayerNorm of an image (inner > 1); FP32
 * statistics. Scheme: internal/layer_norm_rvv.h. */
#define EDGEDIFF_LN_NAME edgediff_layer_norm_f32_rvv
#include "edgediff/internal/layer_norm_rvv.h"
