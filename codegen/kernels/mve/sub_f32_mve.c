/* FP32 broadcasting subtraction for Arm MVE (Helium), for the UNet's shapes: each operand is
 * either dense in the two innermost dims or constant over them (a [1,C,1,1] per-channel
 * operand, a scalar), with any strides on the two outer dims (the predicate in
 * overrides/mve.py checks this). Rows of shape[2]*shape[3] elements are processed 4 lanes at a
 * time; a constant operand is a vector-by-scalar op. Same FP32 arithmetic as the reference. A
 * fused ReLU / SiLU acts on the result vector (SiLU ~3 ulp). out may alias a dense operand
 * (each vector is read before it is written). */
#pragma GCC optimize("no-schedule-insns")

#define EDGEDIFF_MVE_ELEM_F32
#include "edgediff/internal/binary_mve.h"

void edgediff_sub_f32_mve(const binary_params_t *p, const float *a, const float *b, float *out) {
    binary_mve(p, a, b, out, MVE_BINARY_SUB);
}
