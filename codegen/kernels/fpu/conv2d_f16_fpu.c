/* FP16-storage 3x3 convolution for cores with a scalar FPU (rv32 F/Zfh, Cortex-M4/M7/M33):
 * pad 1, stride 1 or 2, groups 1 (the code: internal/conv2d_f16_fpu.h). The tiles read the
 * input halves where they lie, each widened in its load once per tile (flh + fcvt.s.h on
 * rv32 Zfh; on Arm one vldr and vcvtb/vcvtt per two halves when the rows are 4-byte
 * aligned, else ldrh + vmov + vcvtb per half). The weights of one block of output channels
 * are widened into the scratch once per layer, packed [ci][ky][kx][co], for the first input
 * channels up to EDGEDIFF_FPU_CONV_F16_W_BYTES (edgediff_conv2d_f16_fpu_widened); the tiles
 * read the rest as halves in place (one conversion per weight load; on Arm, 2-channel
 * blocks with aligned halves, two input channels per step from 9 pair loads per output
 * channel), so the scratch stays small where the arena peaks (conv2d_wide_f16_fpu widens
 * them all where the arena has room). ACCUMULATION: FP32 with fused multiply-adds (fmaf:
 * one rounding per multiply-add where the reference rounds twice, so Higham's gamma_K bound
 * of the reference's error analysis still bounds it); the bias seeds the sum, the
 * activation acts on the FP32 sum, one rounding to half per output.
 *
 * Tiles (all accumulators, the input values in use and the weights of the taps in use in
 * FP registers). Stride 1, an even number of output rows and at least 4 input channels:
 * two-row tiles, 2 output channels x 2 rows x 4 pixels (16 accumulators): the 4 input rows
 * under both output rows, 6 values each, streamed value by value into every tap that meets
 * them, with the 12 weights of the two kernel rows an input row feeds in registers; each
 * widened input value serves 2 rows x 2 channels x up to 3 taps, 24 conversions per input
 * channel for 144 MACs. Otherwise, stride 1: 2 x 8 (one row; 10 input values per kernel
 * row, 30 conversions per input channel); stride 2: 4 x 4 (9 input values, 12 weight loads
 * per 48 FMAs). Fewer channels left than the block: 1-channel (stride 2: 2, then 1) tiles.
 * The padding costs no test in the loop (as conv2d_f32_fpu): a kernel row above or below
 * the input reads a row of zeros whose channel step is 0, the first (last) tile of a row is
 * a variant that takes the padding column as the constant 0 (a right border only ever hides
 * the tile's last input column, since (w_out - 1) * S + 1 <= w_in); pixels past the last
 * full tile are computed one at a time with bounds tests. Measured inner loop (one input
 * channel, 144 MACs, widened weights, a tile off the borders): two-row 217 instructions on
 * rv32, 209 on Cortex-M4 with pair loads (2 x 8: 232 and 217; conv2d_f32_fpu: 205). */
#include "edgediff/internal/conv2d_f16_fpu.h"

void edgediff_conv2d_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch) {
    edgediff_cf16_conv(p, in, weight, bias, out, scratch, edgediff_conv2d_f16_fpu_widened(p));
}
