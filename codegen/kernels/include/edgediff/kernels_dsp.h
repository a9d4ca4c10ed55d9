/* int8 overrides for cores with the Arm DSP extension (feature `dsp`: Cortex-M4, M7, M33):
 * same signatures as the reference *_s8 kernels in kernels.h, suffix _dsp, plus a last
 * argument `void *scratch` of edgediff_<kernel>_get_buffer_size(&params) bytes
 * (edgediff/scratch.h): two int16 columns of the depth (conv: c_in * kernel_h * kernel_w,
 * linear: in_features) rounded up to 4. Defined in codegen/kernels/dsp/ with ACLE SMLAD /
 * SXTB16 (internal/gemm_s8_dsp.h; plain C of the same arithmetic elsewhere, so the host can
 * run them). overrides/dsp.py holds the Python twins of the size rules. */
#ifndef EDGEDIFF_KERNELS_DSP_H
#define EDGEDIFF_KERNELS_DSP_H

#include "edgediff/kernels.h"
#include "edgediff/scratch.h"

#ifdef __cplusplus
extern "C" {
#endif

static inline int32_t edgediff_s8_dsp_columns_bytes(int32_t depth) {
    return edgediff_scratch_round(2 * ((depth + 3) & ~3) * (int32_t)sizeof(int16_t));
}

/* conv2d_1x1_s8_dsp: 1x1 stride 1 pad 0; groups 1. Its `weight` is not torch's tensor but the
 * int16 weights packed at build time (codegen/kernels/overrides/dsp_pointwise_pack.py: per
 * channel pair, per group of 4 input channels, 4 weights of each channel); bias, multiplier and
 * shift are torch's. Scratch: the two pixels' input columns, widened to int16. */
static inline int32_t edgediff_conv2d_1x1_s8_dsp_get_buffer_size(const conv2d_s8_params_t *p) {
    return edgediff_s8_dsp_columns_bytes(p->conv.c_in);
}
void edgediff_conv2d_1x1_s8_dsp(const conv2d_s8_params_t *p, const int8_t *in,
                                const int8_t *weight, const int32_t *bias,
                                const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                void *scratch);

/* conv2d_s8_dsp: 3x3 pad 1 stride 1 or 2, groups 1, dilation 1. Its `weight` is not torch's
 * tensor but the layer's blob packed at build time (codegen/kernels/overrides/dsp_conv_pack.py:
 * per pair of output channels the sums' start, the int16 weights in the order of the columns
 * and the requantization); bias, multiplier and shift are in the blob and not read. Scratch:
 * the column of two output pixels, 16 bytes per step of 2 x 2 tap pairs. */
static inline int32_t edgediff_conv2d_s8_dsp_steps(const conv2d_s8_params_t *p) {
    const int32_t slots = 9 * ((p->conv.c_in + 1) / 2);  /* tap pairs per pixel */
    const int32_t steps = (slots + 1) / 2;
    return (steps + 8) / 9 * 9;  /* the inner loop runs 9 steps per iteration */
}
static inline int32_t edgediff_conv2d_s8_dsp_get_buffer_size(const conv2d_s8_params_t *p) {
    return edgediff_scratch_round(16 * edgediff_conv2d_s8_dsp_steps(p));
}
void edgediff_conv2d_s8_dsp(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch);

static inline int32_t edgediff_linear_s8_dsp_get_buffer_size(const linear_s8_params_t *p) {
    return edgediff_s8_dsp_columns_bytes(p->linear.in_features);
}
void edgediff_linear_s8_dsp(const linear_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch);

/* conv2d_chunked_s8_dsp: conv2d_s8_dsp's shapes with stride 1 and more than
 * EDGEDIFF_CONV2D_CHUNKED_S8_DSP_CHUNK input channels, in less scratch: the column of one
 * chunk of input channels (16 bytes per step of it) and 4 int32 sums per output channel pair.
 * Its `weight` is the blob of codegen/kernels/overrides/dsp_conv_chunked_pack.py (every channel
 * pair's 12-word header, then the int16 weights chunk by chunk); bias, multiplier and shift are
 * in the blob and not read. */
#define EDGEDIFF_CONV2D_CHUNKED_S8_DSP_CHUNK 16
static inline int32_t edgediff_conv2d_chunked_s8_dsp_chunk_steps(int32_t channels) {
    const int32_t steps = (9 * ((channels + 1) / 2) + 1) / 2;
    return (steps + 8) / 9 * 9;
}
static inline int32_t edgediff_conv2d_chunked_s8_dsp_get_buffer_size(const conv2d_s8_params_t *p) {
    const int32_t c = p->conv.c_in < EDGEDIFF_CONV2D_CHUNKED_S8_DSP_CHUNK
                          ? p->conv.c_in : EDGEDIFF_CONV2D_CHUNKED_S8_DSP_CHUNK;
    return edgediff_scratch_round(16 * edgediff_conv2d_chunked_s8_dsp_chunk_steps(c)
                                  + 16 * ((p->conv.c_out + 1) / 2));
}
void edgediff_conv2d_chunked_s8_dsp(const conv2d_s8_params_t *p, const int8_t *in,
                                    const int8_t *weight, const int32_t *bias,
                                    const int32_t *multiplier, const int32_t *shift, int8_t *out,
                                    void *scratch);

#ifdef __cplusplus
}
#endif

#endif
