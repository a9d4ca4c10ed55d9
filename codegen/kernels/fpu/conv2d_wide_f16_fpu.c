/* FP16-storage 3x3 convolution for cores with a scalar FPU, as conv2d_f16_fpu (pad 1,
 * stride 1 or 2, groups 1; internal/conv2d_f16_fpu.h), with the weights of every input
 * channel of a block of output channels widened into the scratch once per layer, where
 * conv2d_f16_fpu widens those of the first EDGEDIFF_FPU_CONV_F16_W_BYTES and converts the
 * rest in every weight load (rv32: flh + fcvt.s.h, 18 more instructions per input channel
 * and tile). Its scratch, block x c_in x 9 floats, is up to 2.5x conv2d_f16_fpu's on the
 * zoo UNet's 48- and 64-channel layers: an arena_optional override, so the planner runs it
 * only where that does not grow the arena. ACCUMULATION: FP32, fused multiply-adds, one
 * rounding to half per output (as conv2d_f16_fpu). */
#include "edgediff/internal/conv2d_f16_fpu.h"

void edgediff_conv2d_wide_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                                  const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                                  edgediff_f16_t *out, void *scratch) {
    edgediff_cf16_conv(p, in, weight, bias, out, scratch, p->c_in);
}
