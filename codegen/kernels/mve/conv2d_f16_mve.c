/* FP16 2-D convolution for Arm MVE (Helium), NCHW, groups = 1, dilation 1:
 *   - 3x3, pad 1, stride 1 or 2;
 *   - 1x1, pad 0, stride 1.
 *
 * Accumulation precision: FP16. Every product is a fused multiply-add into an FP16 vector
 * accumulator (vfmaq_n_f16), so the error grows like K * 2^-11 * sum|w*x| for K = c_in*9
 * products instead of the reference's FP32 K * 2^-24; the override is registered with
 * half_accumulation=True so validation widens its bound accordingly. The trade: 8 MACs per
 * instruction instead of 4 (FP32 lanes) and no widening converts in the inner loop. The
 * bias seeds the accumulator; a fused SiLU is evaluated in FP32 (widened lanes), ReLU in FP16.
 *
 * 3x3 scheme: outputs are vectorized along x (8 lanes). For each band of output rows the
 * needed input rows of all input channels are copied once into a zero-padded band in the
 * kernel's scratch (stride 2: split into even and odd columns), so the three taps of a
 * kernel row are three unit-stride loads at fixed offsets and the inner loop has no borders, predicates or
 * bounds checks. A tile is 3 output channels x 2 output vectors (two x blocks of one row, or
 * the same x block of two rows when a row is one vector): 6 accumulators in Q registers; per
 * input channel and kernel row it costs 6 vector loads + 9 weight loads + 18 FMAs for 144
 * MACs. Lanes past w_out compute garbage from the padding and are never stored (tail-
 * predicated stores).
 *
 * 1x1 scheme: the plane is contiguous, so the tile is 3 output channels x 2 vectors of 8
 * spatial positions; the last tile uses zeroing predicated loads, never reading past the
 * input plane. */
/* GCC 12 schedule-before-allocation hoists every load of the unrolled tile ahead of its
 * FMAs and spills; without it the tile stays in registers (about 109 instructions per
 * input channel for 54 vector FMAs). The tile needs all 8 Q registers (6 accumulators, 2
 * loads), and GCC's default (Chaitin-Briggs) allocator then adds vector register copies in
 * some instances depending on where the band pointer comes from (2 per input channel in
 * the 8x8 stride-1 loop once the band moved from the stack to the scratch argument); the
 * priority allocator colours every instance's loop without copies (105-107 instructions
 * per input channel at 8x8): the zoo UNet on cortex-m55 runs 1.4% (FP16) and 1.2% (FP32)
 * fewer instructions than with the default allocator, 1x1 layers up to 3% more. */
#pragma GCC optimize("no-schedule-insns", "ira-algorithm=priority")

#define EDGEDIFF_MVE_ELEM_F16
#include "edgediff/internal/conv2d_mve.h"

void edgediff_conv2d_f16_mve(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch) {
    /* own 3x3 instances for w_out of 1-8 and 9-16 at stride 1, 1-8 at stride 2 */
    conv2d_mve(p, in, weight, bias, out, 1, 2, 1, scratch);
}
