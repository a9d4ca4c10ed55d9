/* RVV FP32 2-D convolution: 3x3 pad 1 with stride 1 or 2, and 1x1 stride 1 pad 0;
 * dilation 1, groups 1, NCHW (the shapes overrides/rvv.py lets through; everything else
 * keeps the reference).
 *
 * ACCUMULATION: FP32 (vfmacc.vf on floats, 8 lanes per instruction at LMUL 2), like the
 * reference; only the order of the sums differs (bias first, then input channel by input
 * channel, taps in row order), within the FP32 bound.
 *
 * Same structure as the FP16 kernel (conv2d_f16_rvv.c, see there for the details): the
 * output plane is one flat row of h*w positions cut into chunks of up to 8 lanes; a block
 * keeps 2 chunks x up to 6 output channels = 12 accumulators (24 vector registers) and per
 * input channel and tap does 2 loads, 6 scalar weight loads (from weights packed per
 * block) and 12 vfmacc.vf. 3x3 borders need no masks: input rows are copied into the kernel's
 * scratch (tiled to a 16 KiB band budget) three times per channel with zero rows above and below, the copy for the
 * left taps with its last column zeroed and the copy for the right taps with its first
 * column zeroed, so every tap is a plain load (stride 2: an indexed load with per-lane
 * offsets). More input channels than the buffer holds are summed through out (exact,
 * FP32); planes too large for one channel are cut into bands of rows. A fused SiLU is a
 * second pass over the output; ReLU is applied at the store. */
#define EDGEDIFF_RVV_CONV2D_NAME edgediff_conv2d_f32_rvv
#include "edgediff/internal/conv2d_f32_rvv.h"
