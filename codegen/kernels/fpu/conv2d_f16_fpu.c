/* FP16-storage 3x3 convolution for cores with a scalar FPU (rv32 F/Zfh, Cortex-M4/M7/M33):
 * pad 1, stride 1 or 2, groups 1. The tiles read the input halves where they lie, each
 * widened in its load once per tile of output channels (flh + fcvt.s.h on rv32 Zfh; on Arm
 * one vldr and vcvtb/vcvtt per two halves when the rows are 4-byte aligned, else ldrh +
 * vmov + vcvtb per half). The weights of one block of output channels are widened into
 * the scratch once per layer, packed [ci][ky][kx][co], for the first input channels up to
 * EDGEDIFF_FPU_CONV_F16_W_BYTES (edgediff_conv2d_f16_fpu_widened); the tiles read the
 * rest as halves in place (one conversion per weight load; on Arm, 2-channel blocks with
 * aligned halves, two input channels per step from 9 pair loads per output channel), so
 * the scratch stays small where the arena peaks. ACCUMULATION: FP32 with fused multiply-adds (fmaf: one rounding
 * per multiply-add where the reference rounds twice, so Higham's gamma_K bound of the
 * reference's error analysis still bounds it); the bias seeds the sum, the activation acts
 * on the FP32 sum, one rounding to half per output.
 *
 * Tiles (CO output channels x PX consecutive output pixels of one row, all accumulators,
 * the input values of a kernel row and the CO weights of a tap in FP registers): stride 1
 * takes 2 x 8 (16 accumulators, 10 input values per kernel row: 10 half loads, or 6 pair
 * loads, and 6 weight loads per 48 FMAs; each widened input value serves 2 channels x up
 * to 3 taps), stride 2 takes 4 x 4 (9 input values, 12 weight loads per 48 FMAs). Fewer
 * channels left than the block: 1-channel (stride 2: 2, then 1) tiles. The padding costs
 * no test in the loop (as conv2d_f32_fpu): a kernel row above or below the input reads a
 * row of zeros whose channel step is 0, the first (last) tile of a row is a variant that
 * takes the padding column as the constant 0 (a right border only ever hides the tile's
 * last input column, since (w_out - 1) * S + 1 <= w_in); pixels past the last full tile
 * are computed one at a time with bounds tests. Measured inner loop (one input channel,
 * 144 MACs, widened weights): 228 instructions on rv32, 205-217 on Cortex-M4 with pair
 * loads (conv2d_f32_fpu: 205). */
#include "edgediff/internal/conv2d_f16_fpu.h"

void edgediff_conv2d_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch) {
    edgediff_cf16_conv(p, in, weight, bias, out, scratch, edgediff_conv2d_f16_fpu_widened(p));
}
