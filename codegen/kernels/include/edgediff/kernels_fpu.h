/* Scalar FPU overrides (a core with a hardware FP32 unit: rv32 F/Zfh, Cortex-M4 FPv4-SP,
 * Cortex-M7/M33 FPv5, and the vector cores for the shapes their vector kernels refuse):
 * same signatures as the reference kernels in kernels.h, suffix _fpu; a kernel that needs
 * working memory takes it as one more, last, argument `void *scratch` of
 * edgediff_<kernel>_get_buffer_size(&params) bytes (edgediff/scratch.h). Declared for every
 * target (plain C types), defined in codegen/kernels/fpu/; the size functions are inline
 * here, so the host can compile them too.
 *
 * The sources are plain C11 with fmaf (compiled to fmadd.s / vfma.f32): register-blocked
 * loops that keep a tile of FP32 accumulators, the input values of a row and the weights
 * of a tap in FP registers (32 on rv32 F and on FPv4/FPv5), so the inner loop is about one
 * load and one fused multiply-add per MAC. FP16 storage: each half is widened once per
 * reuse (an input value once per tile of output channels, in its load; the weights of a
 * block once per layer, into float scratch; a linear layer's input row once, into float
 * scratch); FP32 accumulation, one rounding on store. Overrides/fpu.py holds the Python twins of the size rules. */
#ifndef EDGEDIFF_KERNELS_FPU_H
#define EDGEDIFF_KERNELS_FPU_H

#include "edgediff/kernels.h"
#include "edgediff/scratch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- conv2d_<dtype>_fpu: 3x3, pad 1, stride 1 or 2 ------------------------------------
 * FP16 (fpu/conv2d_f16_fpu.c): the tiles read the input halves in place; the scratch holds
 * the weights of one block of output channels widened to floats, [ci][ky][kx][co], for as
 * many input channels as EDGEDIFF_FPU_CONV_F16_W_BYTES holds (at least one); the tiles
 * read the rest as halves in place. The block: 2 channels at stride 1 (2 x 8 tiles), 4 at
 * stride 2 (4 x 4 tiles); never more than c_out. */
static inline int32_t edgediff_conv2d_f16_fpu_block(const conv2d_params_t *p) {
    const int32_t block = p->stride_h == 2 ? 4 : 2;
    return p->c_out >= block ? block : (p->c_out >= 2 ? 2 : 1);
}

/* Input channels whose weights the FP16 kernel widens into the scratch. */
static inline int32_t edgediff_conv2d_f16_fpu_widened(const conv2d_params_t *p) {
    const int32_t fit = EDGEDIFF_FPU_CONV_F16_W_BYTES / (edgediff_conv2d_f16_fpu_block(p) * 9 * 4);
    return fit < 1 ? 1 : (fit < p->c_in ? fit : p->c_in);
}

static inline int32_t edgediff_conv2d_f16_fpu_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_scratch_round(edgediff_conv2d_f16_fpu_block(p) *
                                  edgediff_conv2d_f16_fpu_widened(p) * 9 * 4);
}

/* The FP32 kernel needs no scratch: its tiles read the input and the weights in place
 * (fpu/conv2d_f32_fpu.c). */
void edgediff_conv2d_f32_fpu(const conv2d_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out);
void edgediff_conv2d_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch);

/* ---- conv2d_1x1_<dtype>_fpu: pointwise, stride 1, pad 0 (internal/conv2d_1x1_fpu.h) --- */
void edgediff_conv2d_1x1_f32_fpu(const conv2d_params_t *p, const float *in, const float *weight,
                                 const float *bias, float *out);
void edgediff_conv2d_1x1_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                                 edgediff_f16_t *out);

/* conv2d_1x1_band_f16_fpu (fpu/conv2d_1x1_band_f16_fpu.c): the same layers (c_out >= 4)
 * with the weights of a block of output channels (8 where c_out >= 8, else 4) widened into
 * the scratch, c_in floats per channel; taken where that does not grow the arena
 * (codegen/plan.py). */
static inline int32_t edgediff_conv2d_1x1_band_f16_fpu_block(const conv2d_params_t *p) {
    return p->c_out >= 8 ? 8 : 4;
}
static inline int32_t edgediff_conv2d_1x1_band_f16_fpu_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_scratch_round(edgediff_conv2d_1x1_band_f16_fpu_block(p) * p->c_in * 4);
}
void edgediff_conv2d_1x1_band_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                                      const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                                      edgediff_f16_t *out, void *scratch);

/* Blocks of four outputs per pass over the input row; FP32 sums. The FP16 kernel widens
 * each input row once into its scratch: in_features floats. */
void edgediff_linear_f32_fpu(const linear_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out);
void edgediff_linear_f16_fpu(const linear_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch);
static inline int32_t edgediff_linear_f16_fpu_get_buffer_size(const linear_params_t *p) {
    return edgediff_scratch_round(p->in_features * 4);
}

/* FP32 statistics (one pass where safe, else two) and the fused activation; in place safe. */
void edgediff_group_norm_f32_fpu(const group_norm_params_t *p, const float *in,
                                 const float *gamma, const float *beta, float *out);
void edgediff_group_norm_f16_fpu(const group_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out);

void edgediff_silu_f32_fpu(const float *in, float *out, int32_t count);
void edgediff_silu_f16_fpu(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);

/* Innermost dim (dim 2 when dim 3 is 1) stepping each operand by 1 or 0. */
void edgediff_add_f32_fpu(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_sub_f32_fpu(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_mul_f32_fpu(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_add_f16_fpu(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);
void edgediff_sub_f16_fpu(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);
void edgediff_mul_f16_fpu(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);

/* Bit-for-bit copies (halves as halves). Upsampling: exact 2x only. */
void edgediff_concat_f32_fpu(const concat_params_t *p, const float *const *inputs, float *out);
void edgediff_concat_f16_fpu(const concat_params_t *p, const edgediff_f16_t *const *inputs,
                             edgediff_f16_t *out);
void edgediff_upsample_nearest2d_f32_fpu(const upsample_nearest2d_params_t *p, const float *in,
                                         float *out);
void edgediff_upsample_nearest2d_f16_fpu(const upsample_nearest2d_params_t *p,
                                         const edgediff_f16_t *in, edgediff_f16_t *out);

/* ---- The gather kernels: conv1d, depthwise, transposed (internal/gather_fpu.h) ---------
 * Each copies the input rows it reads, zero-padded, into FP32 scratch (FP16 widened there,
 * once per layer row, not per MAC) and the weights of a block of EDGEDIFF_FPU_GATHER_CO
 * output channels (FP32, zero for channels past the last), then runs FP32 register tiles
 * with fused multiply-adds. The layouts below are the kernels' carving of the scratch:
 * floats per padded row, byte offset of the packed weights, total bytes. */
static inline int32_t edgediff_fpu_tiles(int32_t count, int32_t tile) {
    return (count + tile - 1) / tile * tile;
}

/* conv1d_<dtype>_fpu (kernel_h 1, pad_h 0, groups 1): one padded row of every input
 * channel, wide enough for whole tiles of EDGEDIFF_FPU_GATHER_PX outputs; the weights of
 * one block of output channels, [c_in][kernel_w][GATHER_CO]. */
static inline int32_t edgediff_conv1d_fpu_row(const conv2d_params_t *p) {
    return (edgediff_fpu_tiles(p->w_out, EDGEDIFF_FPU_GATHER_PX) - 1) * p->stride_w +
           (p->kernel_w - 1) * p->dilation_w + 1;
}
static inline int32_t edgediff_conv1d_fpu_weights(const conv2d_params_t *p) {
    return edgediff_scratch_round(p->c_in * edgediff_conv1d_fpu_row(p) * 4);
}
static inline int32_t edgediff_conv1d_f32_fpu_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_conv1d_fpu_weights(p) +
           edgediff_scratch_round(p->c_in * p->kernel_w * EDGEDIFF_FPU_GATHER_CO * 4);
}
static inline int32_t edgediff_conv1d_f16_fpu_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_conv1d_f32_fpu_get_buffer_size(p);
}
void edgediff_conv1d_f32_fpu(const conv2d_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out, void *scratch);
void edgediff_conv1d_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch);

/* conv2d_dw_<dtype>_fpu (groups == c_in == c_out): the zero-padded plane of one channel,
 * the rows and columns its outputs read (whole tiles of EDGEDIFF_FPU_DW_PX), then that
 * channel's kernel_h * kernel_w weights. */
static inline int32_t edgediff_conv2d_dw_fpu_row(const conv2d_params_t *p) {
    return (edgediff_fpu_tiles(p->w_out, EDGEDIFF_FPU_DW_PX) - 1) * p->stride_w +
           (p->kernel_w - 1) * p->dilation_w + 1;
}
static inline int32_t edgediff_conv2d_dw_fpu_rows(const conv2d_params_t *p) {
    return (p->h_out - 1) * p->stride_h + (p->kernel_h - 1) * p->dilation_h + 1;
}
static inline int32_t edgediff_conv2d_dw_fpu_weights(const conv2d_params_t *p) {
    return edgediff_scratch_round(edgediff_conv2d_dw_fpu_rows(p) * edgediff_conv2d_dw_fpu_row(p) *
                                  4);
}
static inline int32_t edgediff_conv2d_dw_f32_fpu_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_conv2d_dw_fpu_weights(p) +
           edgediff_scratch_round(p->kernel_h * p->kernel_w * 4);
}
static inline int32_t edgediff_conv2d_dw_f16_fpu_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_conv2d_dw_f32_fpu_get_buffer_size(p);
}
void edgediff_conv2d_dw_f32_fpu(const conv2d_params_t *p, const float *in, const float *weight,
                                const float *bias, float *out, void *scratch);
void edgediff_conv2d_dw_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                                const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                                edgediff_f16_t *out, void *scratch);

/* conv_transpose2d_<dtype>_fpu: the input rows that reach one output row (at most
 * ceil(kernel_h / stride_h)) of every input channel of a group, padded left by
 * ceil(kernel_w / stride_w) - 1 columns and right to whole tiles of EDGEDIFF_FPU_GATHER_PX
 * outputs of a phase; the weights of one block of output channels,
 * [c_in / groups][kernel_h * kernel_w][GATHER_CO]. */
static inline int32_t edgediff_conv_transpose2d_fpu_left(const conv_transpose2d_params_t *p) {
    return (p->kernel_w + p->stride_w - 1) / p->stride_w - 1;
}
static inline int32_t edgediff_conv_transpose2d_fpu_row(const conv_transpose2d_params_t *p) {
    const int32_t phases = p->stride_w < p->w_out ? p->stride_w : p->w_out;
    const int32_t reach = edgediff_fpu_tiles((p->w_out + p->stride_w - 1) / p->stride_w,
                                             EDGEDIFF_FPU_GATHER_PX) +
                          (phases - 1 + p->pad_w) / p->stride_w;
    return edgediff_conv_transpose2d_fpu_left(p) + (reach > p->w_in ? reach : p->w_in);
}
static inline int32_t edgediff_conv_transpose2d_fpu_weights(const conv_transpose2d_params_t *p) {
    const int32_t rows = (p->kernel_h + p->stride_h - 1) / p->stride_h;
    return edgediff_scratch_round(p->c_in / p->groups * rows *
                                  edgediff_conv_transpose2d_fpu_row(p) * 4);
}
static inline int32_t edgediff_conv_transpose2d_f32_fpu_get_buffer_size(
    const conv_transpose2d_params_t *p) {
    return edgediff_conv_transpose2d_fpu_weights(p) +
           edgediff_scratch_round(p->c_in / p->groups * p->kernel_h * p->kernel_w *
                                  EDGEDIFF_FPU_GATHER_CO * 4);
}
static inline int32_t edgediff_conv_transpose2d_f16_fpu_get_buffer_size(
    const conv_transpose2d_params_t *p) {
    return edgediff_conv_transpose2d_f32_fpu_get_buffer_size(p);
}
void edgediff_conv_transpose2d_f32_fpu(const conv_transpose2d_params_t *p, const float *in,
                                       const float *weight, const float *bias, float *out,
                                       void *scratch);
void edgediff_conv_transpose2d_f16_fpu(const conv_transpose2d_params_t *p,
                                       const edgediff_f16_t *in, const edgediff_f16_t *weight,
                                       const edgediff_f16_t *bias, edgediff_f16_t *out,
                                       void *scratch);

/* ---- attention_<dtype>_fpu: fused attention, any shape (internal/attention_fpu.h) -------
 * 4 query rows at a time; FP32 scores, statistics and sums. Scratch, each part 16-byte
 * aligned: 4 rows of lk scores, 4 query rows of d floats, and (FP16, when they take at most
 * EDGEDIFF_FPU_ATTENTION_F16_KV_BYTES) the slice's K and V widened to floats; larger FP16
 * layers widen each half as it is loaded. */
static inline int32_t edgediff_attention_fpu_bytes(const attention_params_t *p, int32_t half) {
    int32_t bytes = edgediff_scratch_round(16 * p->lk) + edgediff_scratch_round(16 * p->d);
    if (half && 4 * p->lk * (p->d + p->dv) <= EDGEDIFF_FPU_ATTENTION_F16_KV_BYTES) {
        bytes += edgediff_scratch_round(4 * p->lk * p->d) + edgediff_scratch_round(4 * p->lk * p->dv);
    }
    return bytes;
}
static inline int32_t edgediff_attention_f32_fpu_get_buffer_size(const attention_params_t *p) {
    return edgediff_attention_fpu_bytes(p, 0);
}
static inline int32_t edgediff_attention_f16_fpu_get_buffer_size(const attention_params_t *p) {
    return edgediff_attention_fpu_bytes(p, 1);
}
void edgediff_attention_f32_fpu(const attention_params_t *p, const float *q, const float *k,
                                const float *v, float *out, void *scratch);
void edgediff_attention_f16_fpu(const attention_params_t *p, const edgediff_f16_t *q,
                                const edgediff_f16_t *k, const edgediff_f16_t *v,
                                edgediff_f16_t *out, void *scratch);

#ifdef __cplusplus
}
#endif

#endif /* EDGEDIFF_KERNELS_FPU_H */
