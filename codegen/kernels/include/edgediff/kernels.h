/*
 * EdgeDiff kernel library: the one header generated model code includes.
 *
 * Every op has a portable reference kernel (codegen/kernels/ref/<name>.c), simple and
 * obviously correct; optimized overrides for an ISA keep the same signature and live in
 * their own files (<name>_<isa>.c), selected by the target's features at build time.
 * Tensors are dense, row-major, NCHW for 4-D activations. Parameters come in const
 * structs so generated code stays a flat list of calls. All math is float, never double:
 * double is software-emulated on RV32IMAFC.
 */
#ifndef EDGEDIFF_KERNELS_H
#define EDGEDIFF_KERNELS_H

#include <stdint.h>

#include "edgediff/limits.h" /* struct array sizes: EDGEDIFF_MAX_RANK, _MAX_CONCAT, ... */

#ifdef __cplusplus
extern "C" {
#endif

/* Activation fused into the producing op's output step. */
typedef enum {
    EDGEDIFF_ACT_NONE = 0,
    EDGEDIFF_ACT_RELU = 1,
    EDGEDIFF_ACT_SILU = 2,
} edgediff_act_t;

/* out[n][co][y][x] = act(bias[co] + sum over ci in group, ky, kx of
 *   in[n][ci][y*stride - pad + ky*dilation][x*stride - pad + kx*dilation]
 *   * weight[co][ci'][ky][kx])
 * Zero padding. weight is [c_out][c_in/groups][kernel_h][kernel_w]. bias may be NULL. */
typedef struct {
    int32_t n, c_in, h_in, w_in;
    int32_t c_out, h_out, w_out;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t dilation_h, dilation_w;
    int32_t groups;
    int32_t act; /* edgediff_act_t, stored as int32_t so the layout is the same on every ABI */
    /* A row window, for tiled execution (codegen/tile.py): with rows > 0 the kernel computes
     * output rows [row0, row0 + rows) only; the input buffer holds image rows from in_row0
     * on, in_rows rows per channel plane, the output buffer rows from out_row0 on, out_rows
     * per plane. h_in and h_out stay the image's, so the padding is the image's and every
     * output is summed as in the whole call. rows == 0 (every untiled call): the whole
     * tensor, dense. Read by the reference and the scalar FPU 3x3 kernels only (the ones
     * codegen/tile.py tiles). */
    int32_t row0, rows, in_row0, in_rows, out_row0, out_rows;
} conv2d_params_t;
void edgediff_conv2d_f32(const conv2d_params_t *p, const float *in, const float *weight,
                         const float *bias, float *out);

/* out[r][o] = act(bias[o] + sum_i in[r][i] * weight[o][i]); weight is [out_features][in_features].
 * bias may be NULL. rows = product of all leading dimensions. */
typedef struct {
    int32_t rows, in_features, out_features;
    int32_t act; /* edgediff_act_t, stored as int32_t so the layout is the same on every ABI */
} linear_params_t;
void edgediff_linear_f32(const linear_params_t *p, const float *in, const float *weight,
                         const float *bias, float *out);

/* Group norm over (channels/groups) x spatial elements per group and sample, then
 * out = act(gamma[c] * (x - mean) / sqrt(var + eps) + beta[c]); biased variance as torch.
 * spatial = product of all dims after the channel dim. gamma/beta may be NULL (1 and 0). */
typedef struct {
    int32_t n, channels, spatial, groups;
    float eps;
    int32_t act; /* edgediff_act_t, stored as int32_t so the layout is the same on every ABI */
} group_norm_params_t;
void edgediff_group_norm_f32(const group_norm_params_t *p, const float *in, const float *gamma,
                             const float *beta, float *out);

/* Elementwise unary ops over count elements. out may equal in (in place). */
void edgediff_silu_f32(const float *in, float *out, int32_t count);
void edgediff_relu_f32(const float *in, float *out, int32_t count);
void edgediff_sin_f32(const float *in, float *out, int32_t count);
void edgediff_cos_f32(const float *in, float *out, int32_t count);

/* Broadcasting binary ops, numpy rules, right-aligned to EDGEDIFF_MAX_RANK dims.
 * Shapes are padded on the left with 1; a stride of 0 broadcasts that dim.
 * out[i0][i1][i2][i3] = act(a[sum ik*a_strides[k]] OP b[sum ik*b_strides[k]]).
 * out may equal a or b when that operand is not broadcast. */
typedef struct {
    int32_t out_shape[EDGEDIFF_MAX_RANK];
    int32_t a_strides[EDGEDIFF_MAX_RANK];
    int32_t b_strides[EDGEDIFF_MAX_RANK];
    int32_t act; /* edgediff_act_t, stored as int32_t so the layout is the same on every ABI */
} binary_params_t;
void edgediff_add_f32(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_sub_f32(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_mul_f32(const binary_params_t *p, const float *a, const float *b, float *out);

/* Concatenate count inputs along one axis. With the tensor viewed as [outer][axis*inner],
 * input k contributes inner_sizes[k] = (its axis length * product of dims after the axis)
 * contiguous elements per outer index. */
typedef struct {
    int32_t outer;
    int32_t count;
    int32_t inner_sizes[EDGEDIFF_MAX_CONCAT];
} concat_params_t;
void edgediff_concat_f32(const concat_params_t *p, const float *const *inputs, float *out);

/* Nearest-neighbour 2-D resize, torch semantics for interpolate(size=...) with integer and
 * non-integer factors: src_y = min((int)floorf((float)y * ((float)h_in / (float)h_out)),
 * h_in - 1), same for x. The scale is rounded to float exactly as torch does; the exact
 * integer ratio floor(y * h_in / h_out) picks different rows for some sizes (e.g. 26 -> 22). */
typedef struct {
    int32_t n, channels, h_in, w_in, h_out, w_out;
} upsample_nearest2d_params_t;
void edgediff_upsample_nearest2d_f32(const upsample_nearest2d_params_t *p, const float *in,
                                     float *out);

/* Plain copy, used when a graph output aliases a graph input or a constant. */
void edgediff_copy_f32(const float *in, float *out, int32_t count);

/* out = table[row], row = (int)index[0] clamped to [0, rows): a build-time table looked up
 * at run time (e.g. a diffusion model's time embedding for each step of a fixed schedule).
 * The index stays float32 in every precision (an exact small integer). */
typedef struct {
    int32_t rows, row_size;
} table_row_params_t;
void edgediff_table_row_f32(const table_row_params_t *p, const float *table, const float *index,
                            float *out);

/* out = in where in > 0, else slope[c * slope_stride] * in; c is the channel (dim 1),
 * spatial = the product of the dims after it. slope_stride 1: one slope per channel;
 * 0: one slope shared by all channels (torch.prelu's two forms). out may equal in. */
typedef struct {
    int32_t n, channels, spatial, slope_stride;
} prelu_params_t;
void edgediff_prelu_f32(const prelu_params_t *p, const float *in, const float *slope, float *out);

/* +1 where in >= 0, else -1 (the binarized layers' activation when it is not packed). */
void edgediff_sign_f32(const float *in, float *out, int32_t count);

/* ---- 1-bit (binary) layers --------------------------------------------------------------
 * A sign tensor stores +-1 as bits (1 = -1, 0 = +1) packed along channels: for pixel
 * (n, y, x), channel c is bit c % 32 of word c / 32, words = ceil(channels / 32), unused
 * high bits 0; the tensor is uint32_t [n][h][w][words]. codegen/binary.py is the numpy
 * reference every kernel below equals bit for bit. */

/* out[n][y][x] = the signs of in[n][.][y][x] - threshold[c] (bit 1 where in < threshold,
 * compared in float). threshold may be NULL (0). */
typedef struct {
    int32_t n, channels, h, w, words;
} sign_pack_params_t;
void edgediff_sign_pack_f32(const sign_pack_params_t *p, const float *in, const float *threshold,
                            uint32_t *out);

/* Binary convolution of packed signs with packed weights [c_out][kernel_h][kernel_w][words]:
 *   dot = sum over taps inside the input of (c_in - 2 * popcount(in XOR weight)) over words
 * (a tap in the zero padding contributes 0: zero is neither +1 nor -1), then
 *   out[n][co][y][x] = (float)dot * scale[co] + bias[co]   (bias may be NULL),
 * rounded after the product and after the sum (never an FMA), so every target gives the
 * same bits. Same parameters serve binary_weight_conv2d, whose input is float NCHW.
 *
 * The output step then applies what codegen/passes/fold_binary_output.py folded into it
 * from the elementwise ops that followed the conv (RPReLU and a learnable-scaled shortcut);
 * each pointer may be NULL, which skips its step:
 *   y = y - shift_in[co];  y = y > 0 ? y : slope[co] * y;  y = y + shift_out[co];
 *   y = y + res_scale[co] * residual[n][co][y][x]   (res_scale NULL: y + residual),
 * every operation rounded to float (the bits the unfused FP32 ops give), then one rounding
 * to the output type. residual has the output's shape and may not alias out. */
typedef struct {
    int32_t n, c_in, h_in, w_in;
    int32_t c_out, h_out, w_out;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t words;
} binary_conv2d_params_t;
void edgediff_binary_conv2d_f32(const binary_conv2d_params_t *p, const uint32_t *in,
                                const uint32_t *weight, const float *scale, const float *bias,
                                const float *shift_in, const float *slope, const float *shift_out,
                                const float *res_scale, const float *residual, float *out);

/* W1A16: a float input [n][c_in][h_in][w_in] with 1-bit weights (packed as above, bit 1 =
 * -1): out = scale[co] * sum over valid taps and channels of (+-in) + bias[co], float
 * accumulation. bias may be NULL. */
void edgediff_binary_weight_conv2d_f32(const binary_conv2d_params_t *p, const float *in,
                                       const uint32_t *weight, const float *scale,
                                       const float *bias, const float *shift_in, const float *slope,
                                       const float *shift_out, const float *res_scale,
                                       const float *residual, float *out);

/* Transposed convolution (nn.ConvTranspose2d; conv_transpose1d with h = 1), gather form:
 *   out[n][co][y][x] = act(bias[co] + sum over ci in co's group, ky, kx with
 *     y + pad_h - ky = iy * stride_h, x + pad_w - kx = ix * stride_w, 0 <= iy < h_in,
 *     0 <= ix < w_in of in[n][ci][iy][ix] * weight[ci][co % (c_out/groups)][ky][kx])
 * weight is torch's [c_in][c_out/groups][kernel_h][kernel_w]; bias may be NULL. Dilation 1;
 * output_padding is implied by h_out, w_out. Each output is written once. */
typedef struct {
    int32_t n, c_in, h_in, w_in;
    int32_t c_out, h_out, w_out;
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t pad_h, pad_w;
    int32_t groups;
    int32_t act; /* edgediff_act_t */
} conv_transpose2d_params_t;
void edgediff_conv_transpose2d_f32(const conv_transpose2d_params_t *p, const float *in,
                                   const float *weight, const float *bias, float *out);

/* ---- FP16 --------------------------------------------------------------------------
 * IEEE binary16 storage for weights and activations (half the flash and arena). Every
 * target compiler has _Float16 (Arm gcc needs -mfp16-format=ieee; on Cortex-M4 it is
 * storage only and converts with vcvtb). The reference kernels load halves, compute in
 * float (FP32 accumulation) and round once on store; optimized overrides state their
 * accumulation precision in their file comment. Same parameter structs as FP32. */
typedef _Float16 edgediff_f16_t;

void edgediff_conv2d_f16(const conv2d_params_t *p, const edgediff_f16_t *in,
                         const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                         edgediff_f16_t *out);
void edgediff_linear_f16(const linear_params_t *p, const edgediff_f16_t *in,
                         const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                         edgediff_f16_t *out);
void edgediff_group_norm_f16(const group_norm_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                             edgediff_f16_t *out);
void edgediff_silu_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_relu_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_add_f16(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                      edgediff_f16_t *out);
void edgediff_sub_f16(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                      edgediff_f16_t *out);
void edgediff_mul_f16(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                      edgediff_f16_t *out);
void edgediff_concat_f16(const concat_params_t *p, const edgediff_f16_t *const *inputs,
                         edgediff_f16_t *out);
void edgediff_upsample_nearest2d_f16(const upsample_nearest2d_params_t *p, const edgediff_f16_t *in,
                                     edgediff_f16_t *out);
void edgediff_copy_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_table_row_f16(const table_row_params_t *p, const edgediff_f16_t *table,
                            const float *index, edgediff_f16_t *out);
void edgediff_prelu_f16(const prelu_params_t *p, const edgediff_f16_t *in,
                        const edgediff_f16_t *slope, edgediff_f16_t *out);
void edgediff_sign_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_sign_pack_f16(const sign_pack_params_t *p, const edgediff_f16_t *in,
                            const edgediff_f16_t *threshold, uint32_t *out);
void edgediff_binary_conv2d_f16(const binary_conv2d_params_t *p, const uint32_t *in,
                                const uint32_t *weight, const edgediff_f16_t *scale,
                                const edgediff_f16_t *bias, const edgediff_f16_t *shift_in,
                                const edgediff_f16_t *slope, const edgediff_f16_t *shift_out,
                                const edgediff_f16_t *res_scale, const edgediff_f16_t *residual,
                                edgediff_f16_t *out);
void edgediff_binary_weight_conv2d_f16(const binary_conv2d_params_t *p, const edgediff_f16_t *in,
                                       const uint32_t *weight, const edgediff_f16_t *scale,
                                       const edgediff_f16_t *bias, const edgediff_f16_t *shift_in,
                                       const edgediff_f16_t *slope, const edgediff_f16_t *shift_out,
                                       const edgediff_f16_t *res_scale,
                                       const edgediff_f16_t *residual, edgediff_f16_t *out);
void edgediff_conv_transpose2d_f16(const conv_transpose2d_params_t *p, const edgediff_f16_t *in,
                                   const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                                   edgediff_f16_t *out);

/* Precision boundaries: round to nearest even (f32 -> f16; overflow gives +-inf), exact
 * widening. */
void edgediff_cast_f32_to_f16(const float *in, edgediff_f16_t *out, int32_t count);
void edgediff_cast_f16_to_f32(const edgediff_f16_t *in, float *out, int32_t count);
/* An integer model input (int32 on the wire) to float, where the model converts it. */
void edgediff_cast_i32_to_f32(const int32_t *in, float *out, int32_t count);

/* ---- Data movement and resize (slice/split/permute/expand/repeat/pixel shuffle, pad,
 * linear and bilinear interpolation) -------------------------------------------------------
 * Same parameter structs for FP32 and FP16. The copies and pads move elements bit for bit
 * (FP16 copies halves); upsample_linear computes in float and rounds once on store. */

/* out[i0]..[i5] (dense, row-major) = in[offset + sum_d id * strides[d]]: every view op
 * (slice, narrow, select, split pieces, expand, repeat, permute, transpose, pixel
 * shuffle/unshuffle) as one gather. Unused leading dims have shape 1. out may not alias in. */
typedef struct {
    int32_t shape[EDGEDIFF_STRIDED_RANK];
    int32_t strides[EDGEDIFF_STRIDED_RANK];
    int32_t offset;
} strided_copy_params_t;
void edgediff_strided_copy_f32(const strided_copy_params_t *p, const float *in, float *out);
void edgediff_strided_copy_f16(const strided_copy_params_t *p, const edgediff_f16_t *in,
                               edgediff_f16_t *out);

/* Pad (or crop, with negative pads) each dim: for output index o of dim d, i = o - before[d];
 * outside [0, in_shape[d]) the element is `value` (mode 0, constant), in[-i] or
 * in[2(size-1) - i] (1, reflect: the edge is not repeated) or the nearest edge (2,
 * replicate). Shapes right-aligned to EDGEDIFF_MAX_RANK dims. */
typedef enum {
    EDGEDIFF_PAD_CONSTANT = 0,
    EDGEDIFF_PAD_REFLECT = 1,
    EDGEDIFF_PAD_REPLICATE = 2,
} edgediff_pad_mode_t;
typedef struct {
    int32_t in_shape[EDGEDIFF_MAX_RANK];
    int32_t out_shape[EDGEDIFF_MAX_RANK];
    int32_t before[EDGEDIFF_MAX_RANK];
    int32_t mode; /* edgediff_pad_mode_t */
    float value;
} pad_params_t;
void edgediff_pad_f32(const pad_params_t *p, const float *in, float *out);
void edgediff_pad_f16(const pad_params_t *p, const edgediff_f16_t *in, edgediff_f16_t *out);

/* Bilinear resize of planes [h_in][w_in] to [h_out][w_out] (linear 1-D: h_in = h_out = 1),
 * torch's CPU arithmetic in float: per dim, src = scale * d (align_corners) or
 * max(fmaf(scale, d + 0.5, -0.5), 0) (fused, as torch's CPU build computes it);
 * i0 = min(floor(src), in - 1), i1 = i0 + (i0 < in - 1), l1 = clamp(src - i0, 0, 1),
 * l0 = 1 - l1; a dim of unchanged size copies (l0 = 1, l1 = 0).
 * t(y) = in[y][x0] * l0x + in[y][x1] * l1x; out = t(y0) * l0y + t(y1) * l1y. scale_h and
 * scale_w are torch's (codegen/ops/upsample_linear.py computes them at build time). */
typedef struct {
    int32_t planes, h_in, w_in, h_out, w_out;
    float scale_h, scale_w;
    int32_t align_corners;
} upsample_linear_params_t;
void edgediff_upsample_linear_f32(const upsample_linear_params_t *p, const float *in, float *out);
void edgediff_upsample_linear_f16(const upsample_linear_params_t *p, const edgediff_f16_t *in,
                                  edgediff_f16_t *out);
/* ---- Reductions, softmax, layer norm, pooling ---------------------------------------------
 * Statistics (sums, means, variances, softmax's sum of exponentials) accumulate in float in
 * the FP16 kernels too; each output is rounded once on store. */

/* out = the sum, mean or variance of in over the dims flagged in reduce[], in_shape
 * right-aligned to EDGEDIFF_MAX_RANK dims (padded on the left with 1). out is dense over the
 * kept dims in order (keepdim does not change the bytes). Variance is two-pass (mean, then
 * sum of squared deviations) divided by M - correction (torch's correction: 0 biased, 1
 * unbiased). */
typedef enum {
    EDGEDIFF_REDUCE_SUM = 0,
    EDGEDIFF_REDUCE_MEAN = 1,
    EDGEDIFF_REDUCE_VAR = 2,
} edgediff_reduce_t;
typedef struct {
    int32_t in_shape[EDGEDIFF_MAX_RANK];
    int32_t reduce[EDGEDIFF_MAX_RANK]; /* 1: the dim is reduced */
    int32_t mode;                      /* edgediff_reduce_t */
    int32_t correction;
} reduce_params_t;
void edgediff_reduce_f32(const reduce_params_t *p, const float *in, float *out);

/* Softmax over the middle dim of in viewed as [outer][size][inner]:
 * out = exp(x - max) / sum exp(x - max) (the max subtracted, so no exp overflows). */
typedef struct {
    int32_t outer, size, inner;
} softmax_params_t;
void edgediff_softmax_f32(const softmax_params_t *p, const float *in, float *out);

/* Layer norm over the middle dim of in viewed as [outer][size][inner] (size = the product
 * of the normalised dims; inner = 1 for nn.LayerNorm, H*W to normalise the channels of an
 * NCHW image at each pixel): out = act(gamma[i] * (x - mean) / sqrt(var + eps) + beta[i]),
 * biased variance, two passes as group norm. gamma/beta (size values) may be NULL. */
typedef struct {
    int32_t outer, size, inner;
    float eps;
    int32_t act; /* edgediff_act_t */
} layer_norm_params_t;
void edgediff_layer_norm_f32(const layer_norm_params_t *p, const float *in, const float *gamma,
                             const float *beta, float *out);

/* 2-D pooling of planes = N*C planes (1-D pooling: h_in = h_out = kernel_h = 1), torch's
 * windows: start = o*stride - pad, end = min(start + kernel, size + pad), then clipped to
 * the input. avg: sum / divisor, divisor = divisor_override if nonzero, else the clipped
 * window (count_include_pad 0) or the unclipped one (1). max: the largest input in the
 * clipped window (a NaN wins, as in torch). */
typedef struct {
    int32_t planes, h_in, w_in, h_out, w_out;
    int32_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
    int32_t count_include_pad, divisor_override;
} pool2d_params_t;
void edgediff_avg_pool2d_f32(const pool2d_params_t *p, const float *in, float *out);
void edgediff_max_pool2d_f32(const pool2d_params_t *p, const float *in, float *out);
void edgediff_reduce_f16(const reduce_params_t *p, const edgediff_f16_t *in, edgediff_f16_t *out);
void edgediff_softmax_f16(const softmax_params_t *p, const edgediff_f16_t *in, edgediff_f16_t *out);
void edgediff_layer_norm_f16(const layer_norm_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                             edgediff_f16_t *out);
void edgediff_avg_pool2d_f16(const pool2d_params_t *p, const edgediff_f16_t *in,
                             edgediff_f16_t *out);
void edgediff_max_pool2d_f16(const pool2d_params_t *p, const edgediff_f16_t *in,
                             edgediff_f16_t *out);
/* ---- Elementwise math (codegen/ops/elementwise_unary.py, elementwise_param.py) ----------
 * One value in, one out, over count elements; out may equal in. torch's semantics, also for
 * inputs outside an op's domain (log, sqrt, rsqrt of x < 0 give NaN, log(0) = -inf, NaN in
 * gives NaN out). FP16 kernels compute the FP32 kernel's float value and round it once. */
void edgediff_neg_f32(const float *in, float *out, int32_t count);
void edgediff_abs_f32(const float *in, float *out, int32_t count);
void edgediff_exp_f32(const float *in, float *out, int32_t count);
void edgediff_log_f32(const float *in, float *out, int32_t count);
void edgediff_sqrt_f32(const float *in, float *out, int32_t count);
void edgediff_rsqrt_f32(const float *in, float *out, int32_t count);
void edgediff_reciprocal_f32(const float *in, float *out, int32_t count);
void edgediff_square_f32(const float *in, float *out, int32_t count);
void edgediff_tanh_f32(const float *in, float *out, int32_t count);
void edgediff_sigmoid_f32(const float *in, float *out, int32_t count);
void edgediff_gelu_f32(const float *in, float *out, int32_t count);      /* erf form */
void edgediff_gelu_tanh_f32(const float *in, float *out, int32_t count); /* approximate='tanh' */
void edgediff_hardswish_f32(const float *in, float *out, int32_t count);
void edgediff_mish_f32(const float *in, float *out, int32_t count);
void edgediff_neg_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_abs_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_exp_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_log_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_sqrt_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_rsqrt_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_reciprocal_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_square_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_tanh_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_sigmoid_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_gelu_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_gelu_tanh_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_hardswish_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_mish_f16(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);

/* Elementwise ops with a scalar parameter, over count elements; out may equal in.
 * clamp: min(max(x, min), max); a missing bound is +-EDGEDIFF_INFINITY; NaN stays NaN.
 * leaky_relu: x where x > 0, else negative_slope * x.  elu: x where x > 0, else
 * alpha * (e^x - 1).  pow: powf(x, exponent) (the ops entry lowers exponents 2, 0.5, -0.5
 * and -1 to square, sqrt, rsqrt and reciprocal, as torch's own kernel does). */
#define EDGEDIFF_INFINITY (__builtin_inff())
typedef struct {
    int32_t count;
    float min, max;
} clamp_params_t;
typedef struct {
    int32_t count;
    float negative_slope;
} leaky_relu_params_t;
typedef struct {
    int32_t count;
    float alpha;
} elu_params_t;
typedef struct {
    int32_t count;
    float exponent;
} pow_params_t;
void edgediff_clamp_f32(const clamp_params_t *p, const float *in, float *out);
void edgediff_leaky_relu_f32(const leaky_relu_params_t *p, const float *in, float *out);
void edgediff_elu_f32(const elu_params_t *p, const float *in, float *out);
void edgediff_pow_f32(const pow_params_t *p, const float *in, float *out);
void edgediff_clamp_f16(const clamp_params_t *p, const edgediff_f16_t *in, edgediff_f16_t *out);
void edgediff_leaky_relu_f16(const leaky_relu_params_t *p, const edgediff_f16_t *in,
                             edgediff_f16_t *out);
void edgediff_elu_f16(const elu_params_t *p, const edgediff_f16_t *in, edgediff_f16_t *out);
void edgediff_pow_f16(const pow_params_t *p, const edgediff_f16_t *in, edgediff_f16_t *out);

/* Broadcasting true division a / b (binary_params_t as add/sub/mul), correctly rounded; the
 * FP16 one gives the correctly rounded half quotient. */
void edgediff_div_f32(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_div_f16(const binary_params_t *p, const edgediff_f16_t *a, const edgediff_f16_t *b,
                      edgediff_f16_t *out);
/* ---- matmul and attention (FP32 and FP16, same parameter structs) ----------------------
 * out[b0][b1][m][n] = sum_k a[b0*as[0] + b1*as[1]][m][k] * b[b0*bs[0] + b1*bs[1]][k][n], for
 * dense a [.., M, K] and b [.., K, N]; a batch stride of 0 broadcasts that operand. FP32
 * accumulation, one rounding per output. */
typedef struct {
    int32_t batch[EDGEDIFF_MATMUL_BATCH_DIMS];
    int32_t a_batch_strides[EDGEDIFF_MATMUL_BATCH_DIMS];
    int32_t b_batch_strides[EDGEDIFF_MATMUL_BATCH_DIMS];
    int32_t m, k, n;
} matmul_params_t;
void edgediff_matmul_f32(const matmul_params_t *p, const float *a, const float *b, float *out);
void edgediff_matmul_f16(const matmul_params_t *p, const edgediff_f16_t *a,
                         const edgediff_f16_t *b, edgediff_f16_t *out);

/* Scaled dot-product attention, fused: for each of `batch` (batch x heads) slices of
 * q [lq][d], k [lk][d], v [lk][dv] and each query row i,
 *   out[i] = sum_j softmax_j(scale * q[i] . k[j]) v[j]
 * over keys j < lk (causal: j <= i, torch's top-left is_causal mask). The kernels keep one
 * row of lk scores in FP32 at a time, in their scratch (the last argument, 16-byte aligned,
 * of edgediff_attention_<dtype>_get_buffer_size() bytes: lk floats; the SIMD kernels' own
 * getters are in kernels_<isa>.h); statistics and sums are FP32 in every precision, one
 * rounding per output. */
typedef struct {
    int32_t batch, lq, lk, d, dv;
    float scale;
    int32_t causal;
} attention_params_t;
static inline int32_t edgediff_attention_f32_get_buffer_size(const attention_params_t *p) {
    return p->lk * (int32_t)sizeof(float);
}
static inline int32_t edgediff_attention_f16_get_buffer_size(const attention_params_t *p) {
    return p->lk * (int32_t)sizeof(float);
}
void edgediff_attention_f32(const attention_params_t *p, const float *q, const float *k,
                            const float *v, float *out, void *scratch);
void edgediff_attention_f16(const attention_params_t *p, const edgediff_f16_t *q,
                            const edgediff_f16_t *k, const edgediff_f16_t *v, edgediff_f16_t *out,
                            void *scratch);

/* ---- int8 (TFLite's quantized arithmetic; codegen/int8 is the numpy reference) ----------
 * Activations int8, asymmetric (a zero point per tensor); weights int8, symmetric, one scale
 * per output channel; biases int32 at scale s_in * s_w. A real multiplier is an int32
 * significand in [2^30, 2^31) and a shift, M = multiplier * 2^(shift - 31) (TFLite's
 * QuantizeMultiplier); conv and linear take one pair per output channel. Every kernel gives
 * the same bytes as TFLite Micro's reference kernel (tests/test_int8_tflm.py,
 * tests/test_int8_kernels.py); docs/INT8.md has the arithmetic. NCHW like the float kernels. */
typedef struct {
    int32_t input_offset;     /* minus the input zero point */
    int32_t output_offset;    /* the output zero point */
    int32_t act_min, act_max; /* the fused activation as an int8 clamp (TFLite's range) */
} quant_s8_params_t;
/* conv.act is ignored (the clamp is q.act_min/act_max). depthwise_conv2d_s8: groups == c_in,
 * weight [c_out][1][kernel_h][kernel_w], c_out a multiple of c_in. bias may be NULL. */
typedef struct {
    conv2d_params_t conv;
    quant_s8_params_t q;
} conv2d_s8_params_t;
void edgediff_conv2d_s8(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                        const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                        int8_t *out);
void edgediff_depthwise_conv2d_s8(const conv2d_s8_params_t *p, const int8_t *in,
                                  const int8_t *weight, const int32_t *bias,
                                  const int32_t *multiplier, const int32_t *shift, int8_t *out);
/* linear.act is ignored. multiplier/shift: out_features pairs. bias may be NULL. */
typedef struct {
    linear_params_t linear;
    quant_s8_params_t q;
} linear_s8_params_t;
void edgediff_linear_s8(const linear_s8_params_t *p, const int8_t *in, const int8_t *weight,
                        const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                        int8_t *out);
/* Broadcasting add/mul (shape as binary_params_t; shape.act ignored). ADD rescales each
 * input (inputK_multiplier/shift, after a left shift of left_shift = 20) then the sum
 * (output_*); MUL uses only output_multiplier/shift. Offsets: minus the input zero points. */
typedef struct {
    binary_params_t shape;
    int32_t input1_offset, input2_offset, output_offset;
    int32_t left_shift;
    int32_t input1_multiplier, input1_shift;
    int32_t input2_multiplier, input2_shift;
    int32_t output_multiplier, output_shift;
    int32_t act_min, act_max;
} binary_s8_params_t;
void edgediff_add_s8(const binary_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out);
void edgediff_mul_s8(const binary_s8_params_t *p, const int8_t *a, const int8_t *b, int8_t *out);
/* float <-> int8 over count elements: q = clamp(round(x / scale) + zero_point),
 * x = scale * (q - zero_point). */
typedef struct {
    int32_t count;
    float scale;
    int32_t zero_point;
} quantize_s8_params_t;
void edgediff_quantize_f32_to_s8(const quantize_s8_params_t *p, const float *in, int8_t *out);
void edgediff_dequantize_s8_to_f32(const quantize_s8_params_t *p, const int8_t *in, float *out);
/* int8 -> int8 at another scale: clamp(requantize(q + input_offset) + output_offset). */
typedef struct {
    int32_t count, input_offset, output_offset, multiplier, shift;
} requantize_s8_params_t;
void edgediff_requantize_s8(const requantize_s8_params_t *p, const int8_t *in, int8_t *out);
/* out[i] = table[in[i] + 128]: any int8 -> int8 elementwise op as a 256-entry table. */
void edgediff_lut_s8(const int8_t *table, const int8_t *in, int8_t *out, int32_t count);
/* Softmax over rows of depth int8 values; output scale 1/256, zero point -128. The input
 * multiplier/shift (shift >= 0) and diff_min are TFLite's (codegen/int8/softmax.py
 * softmax_params: beta * input scale * 2^26). */
typedef struct {
    int32_t rows, depth;
    int32_t input_multiplier, input_left_shift, diff_min;
} softmax_s8_params_t;
void edgediff_softmax_s8(const softmax_s8_params_t *p, const int8_t *in, int8_t *out);
/* int8 group norm, EdgeDiff's integer arithmetic (docs/INT8.md; TFLite has none): per
 * channel multiplier/shift (gamma / s_out * 2^-12) and bias (beta / s_out * 2^8); eps_term =
 * round(eps / s_in^2 * M^2), M = channels / groups * spatial <= 2^20 elements per group. */
typedef struct {
    int32_t n, channels, spatial, groups;
    int32_t input_offset, output_offset, act_min, act_max;
    int64_t eps_term;
} group_norm_s8_params_t;
void edgediff_group_norm_s8(const group_norm_s8_params_t *p, const int8_t *in,
                            const int32_t *multiplier, const int32_t *shift,
                            const int32_t *bias, int8_t *out);
/* int8 concat and nearest resize: byte copies (inputs already at the output's parameters). */
void edgediff_concat_i8(const concat_params_t *p, const int8_t *const *inputs, int8_t *out);
void edgediff_upsample_nearest2d_i8(const upsample_nearest2d_params_t *p, const int8_t *in,
                                    int8_t *out);
/* int8 table lookup (an int8 build's time path, quantized per timestep at build time). */
void edgediff_table_row_i8(const table_row_params_t *p, const int8_t *table, const float *index,
                           int8_t *out);

/* ISA overrides (declarations only; their sources build only for targets with the feature). */
#include "edgediff/kernels_mve.h"
#include "edgediff/kernels_rvv.h"
#include "edgediff/kernels_zbb.h"
#include "edgediff/kernels_fpu.h"
#include "edgediff/kernels_dsp.h"
#include "edgediff/kernels_nofpu.h"
#include "edgediff/kernels_rv32im.h"

#ifdef __cplusplus
}
#endif

#endif /* EDGEDIFF_KERNELS_H */
