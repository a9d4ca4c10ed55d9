/* RVV FP16 2-D convolution: 3x3 pad 1 with stride 1 or 2, and 1x1 stride 1 pad 0;
 * dilation 1, groups 1, NCHW (the shapes overrides/rvv.py lets through; everything else keeps the
 * reference).
 *
 * ACCUMULATION: FP16. Products and sums are vfmacc.vf on halves (16 lanes per instruction
 * at LMUL 2), so each output is the FP16 sum of its c_in*k*k products, with one rounding
 * per multiply-add. That doubles the lanes per instruction over FP32 accumulation
 * (vfwmacc would need LMUL 4 for 16 lanes) at the price of an error bound of
 * (K+1) * 2^-11 * sum|w*x| instead of (K+1) * 2^-24 (K = c_in*k*k); registered with
 * half_accumulation=True so tolerances use the FP16 bound.
 *
 * Layout of the work: the output plane is treated as one flat row of h*w positions, cut
 * into chunks of up to 16 lanes (two 8-wide rows per chunk, say). A block keeps 2 chunks x
 * up to 6 output channels = 12 accumulators (24 vector registers) and, per input channel
 * and tap, does 2 loads, 6 scalar weight loads and 12 vfmacc.vf.
 * 3x3 borders need no mask and no per-element test: the input channels are first copied
 * into the kernel's scratch, three times each, with one zero row above and below (and a zero
 * guard element at each end); the copy read by the left taps (kx = 0) has its last column
 * zeroed, the copy read by the right taps (kx = 2) its first column. In the flat layout a
 * left tap at x = 0 reads the previous row's last element, which is then 0, and a right
 * tap at x = w-1 the next row's first, also 0; so every tap is one plain vector load at a
 * constant offset, whatever the width (stride 2: an indexed load with per-lane offsets).
 * The band budget (16 KiB, edgediff/limits.h) holds as many input channels as fit; with more channels the
 * partial sums go through out (stored in FP16, consistent with FP16 accumulation), and
 * planes too large for one channel are cut into bands of rows.
 * A fused SiLU runs as a second pass over the finished output (widened to FP32, see
 * kernels_rvv.h); ReLU is applied at the store. */
#define EDGEDIFF_RVV_CONV2D_NAME edgediff_conv2d_f16_rvv
#include "edgediff/internal/conv2d_f16_rvv.h"
