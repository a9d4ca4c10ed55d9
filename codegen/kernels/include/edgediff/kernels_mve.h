/* MVE overrides: same signatures as the reference kernels in kernels.h, suffix _mve; a
 * kernel that needs working memory takes it as one more, last, argument `void *scratch`
 * of edgediff_<kernel>_get_buffer_size(&params) bytes (edgediff/scratch.h).
 * Declared for every target (plain C types), defined only in codegen/kernels/mve/; the
 * size functions are inline here, so the host can compile them too.
 *
 * The second half of this header (compiled only when a kernel source defines
 * EDGEDIFF_MVE_IMPL before including it) holds the vector helpers the MVE kernel files
 * share: exp, SiLU and activation epilogues on float32x4_t / float16x8_t. */
#ifndef EDGEDIFF_KERNELS_MVE_H
#define EDGEDIFF_KERNELS_MVE_H

#include "edgediff/kernels.h"
#include "edgediff/scratch.h"

/* The 3x3 convolutions' scratch: the zero-padded input rows of one band of output rows, all
 * input channels (conv2d_mve.h), plus one vector of slack for its vector-wide zeroing;
 * elem: element bytes. The 1x1 convolution needs none. */
static inline int32_t edgediff_conv2d_mve_band_bytes(int32_t c_in, int32_t h_out, int32_t w_out,
                                                     int32_t kernel_h, int32_t stride,
                                                     int32_t elem) {
    if (kernel_h == 1) {
        return 0;
    }
    const int32_t lanes = 16 / elem;
    const int32_t nvx = (w_out + lanes - 1) / lanes;
    const int32_t half = nvx * lanes + 2;
    const int32_t row = stride == 1 ? nvx * lanes + 2 : 2 * half;
    const int32_t rows_out = nvx == 1 && h_out > 1 ? 2 : 1;
    const int32_t rows_in = (rows_out - 1) * stride + 3;
    return (c_in * rows_in * row + lanes) * elem;
}

static inline int32_t edgediff_conv2d_f32_mve_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_conv2d_mve_band_bytes(p->c_in, p->h_out, p->w_out, p->kernel_h, p->stride_h, 4);
}
static inline int32_t edgediff_conv2d_f16_mve_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_conv2d_mve_band_bytes(p->c_in, p->h_out, p->w_out, p->kernel_h, p->stride_h, 2);
}

/* binary_conv2d_<dtype>_mve's working arrays, as byte offsets into its scratch (each
 * aligned), and their total: per x-vector of 4 output pixels its valid taps per lane and
 * first words (int32 each), its predicates per kx, whole and border flags; per weight
 * table the lanes of each field word, the padded path's copy of the input rows and the
 * replicated weights of two channels. A layer the padded path may take (field and copy
 * within edgediff/limits.h) gets its copy and 1 + EDGEDIFF_MVE_BINARY_MAX_BORDERS tables. */
typedef struct {
    int32_t x_taps, offsets, lanes, whole, border, word_lanes, copy, wbuf, bytes;
} edgediff_binary_conv2d_mve_scratch_t;

static inline edgediff_binary_conv2d_mve_scratch_t edgediff_binary_conv2d_mve_scratch(
    const binary_conv2d_params_t *p) {
    const int32_t x_vectors = (p->w_out + 3) / 4;
    const int32_t field_words = p->kernel_h * p->kernel_w * p->words;
    int32_t right = (x_vectors * 4 - 1) * p->stride_w - p->pad_w + p->kernel_w - p->w_in;
    right = right > 0 ? right : 0;
    const int32_t padded_row = (p->w_in + p->pad_w + right) * p->words;
    const int32_t may_pad = field_words <= EDGEDIFF_MVE_BINARY_MAX_PADDED_FIELD &&
                            p->h_in * padded_row <= EDGEDIFF_MVE_BINARY_MAX_PADDED_WORDS;
    const int32_t tables = may_pad ? 1 + EDGEDIFF_MVE_BINARY_MAX_BORDERS : 1;
    edgediff_binary_conv2d_mve_scratch_t s;
    int32_t at = 0;
    s.x_taps = at, at += edgediff_scratch_round(x_vectors * 4 * 4);
    s.offsets = at, at += edgediff_scratch_round(x_vectors * 4 * 4);
    s.lanes = at, at += edgediff_scratch_round(x_vectors * p->kernel_w * 2);
    s.whole = at, at += edgediff_scratch_round(x_vectors);
    s.border = at, at += edgediff_scratch_round(x_vectors);
    s.word_lanes = at, at += edgediff_scratch_round(tables * field_words * 2);
    s.copy = at, at += edgediff_scratch_round(may_pad ? p->h_in * padded_row * 4 : 0);
    s.wbuf = at, at += edgediff_scratch_round(tables * 2 * field_words * 4 * 4);
    s.bytes = at;
    return s;
}

static inline int32_t edgediff_binary_conv2d_f32_mve_get_buffer_size(
    const binary_conv2d_params_t *p) {
    return edgediff_binary_conv2d_mve_scratch(p).bytes;
}
static inline int32_t edgediff_binary_conv2d_f16_mve_get_buffer_size(
    const binary_conv2d_params_t *p) {
    return edgediff_binary_conv2d_mve_scratch(p).bytes;
}

/* W1A16: the +-1 table of one block of output channels (edgediff_bw_block_channels, in
 * blocks of conv2d_mve.h's tile of 3 channels), then the 3x3 band of conv2d_<dtype>_mve. */
static inline int32_t edgediff_binary_weight_conv2d_mve_bytes(const binary_conv2d_params_t *p,
                                                              int32_t elem) {
    const int32_t per = p->c_in * p->kernel_h * p->kernel_w;
    const int32_t cb = edgediff_bw_block_channels(p->c_out, per, 3, elem);
    return edgediff_scratch_round(cb * per * elem) +
           edgediff_conv2d_mve_band_bytes(p->c_in, p->h_out, p->w_out, p->kernel_h, p->stride_h,
                                          elem);
}
static inline int32_t edgediff_binary_weight_conv2d_f32_mve_get_buffer_size(
    const binary_conv2d_params_t *p) {
    return edgediff_binary_weight_conv2d_mve_bytes(p, 4);
}
static inline int32_t edgediff_binary_weight_conv2d_f16_mve_get_buffer_size(
    const binary_conv2d_params_t *p) {
    return edgediff_binary_weight_conv2d_mve_bytes(p, 2);
}

void edgediff_conv2d_f32_mve(const conv2d_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out, void *scratch);
void edgediff_conv2d_f16_mve(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch);
void edgediff_linear_f32_mve(const linear_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out);
void edgediff_linear_f16_mve(const linear_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out);
void edgediff_group_norm_f32_mve(const group_norm_params_t *p, const float *in, const float *gamma,
                                 const float *beta, float *out);
void edgediff_group_norm_f16_mve(const group_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out);
void edgediff_silu_f32_mve(const float *in, float *out, int32_t count);
void edgediff_silu_f16_mve(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_add_f32_mve(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_sub_f32_mve(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_mul_f32_mve(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_add_f16_mve(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);
void edgediff_sub_f16_mve(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);
void edgediff_mul_f16_mve(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);
void edgediff_concat_f32_mve(const concat_params_t *p, const float *const *inputs, float *out);
void edgediff_concat_f16_mve(const concat_params_t *p, const edgediff_f16_t *const *inputs,
                             edgediff_f16_t *out);
void edgediff_upsample_nearest2d_f32_mve(const upsample_nearest2d_params_t *p, const float *in,
                                         float *out);
void edgediff_upsample_nearest2d_f16_mve(const upsample_nearest2d_params_t *p,
                                         const edgediff_f16_t *in, edgediff_f16_t *out);
/* Any kernel size, stride and padding with kernel_w * words within
 * EDGEDIFF_MVE_BINARY_MAX_ROW_WORDS (overrides/mve.py); equal to the reference bit for bit. */
void edgediff_binary_conv2d_f32_mve(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const float *scale, const float *bias,
                                    const float *shift_in, const float *slope,
                                    const float *shift_out, const float *res_scale,
                                    const float *residual, float *out, void *scratch);
void edgediff_binary_conv2d_f16_mve(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const edgediff_f16_t *scale,
                                    const edgediff_f16_t *bias, const edgediff_f16_t *shift_in,
                                    const edgediff_f16_t *slope, const edgediff_f16_t *shift_out,
                                    const edgediff_f16_t *res_scale, const edgediff_f16_t *residual,
                                    edgediff_f16_t *out, void *scratch);
/* W1A16, 3x3 pad 1 stride 1 or 2 or 1x1 stride 1 (overrides/mve.py): the float convolution
 * of conv2d_<dtype>_mve on +-1 weights expanded per block of output channels, then the
 * output step; accumulates in the element precision. */
void edgediff_binary_weight_conv2d_f32_mve(const binary_conv2d_params_t *p, const float *in,
                                           const uint32_t *weight, const float *scale,
                                           const float *bias, const float *shift_in,
                                           const float *slope, const float *shift_out,
                                           const float *res_scale, const float *residual,
                                           float *out, void *scratch);
void edgediff_binary_weight_conv2d_f16_mve(const binary_conv2d_params_t *p,
                                           const edgediff_f16_t *in, const uint32_t *weight,
                                           const edgediff_f16_t *scale, const edgediff_f16_t *bias,
                                           const edgediff_f16_t *shift_in,
                                           const edgediff_f16_t *slope,
                                           const edgediff_f16_t *shift_out,
                                           const edgediff_f16_t *res_scale,
                                           const edgediff_f16_t *residual, edgediff_f16_t *out,
                                           void *scratch);
/* 8 pixels per vector, any shape; equal to the reference bit for bit. */
void edgediff_sign_pack_f16_mve(const sign_pack_params_t *p, const edgediff_f16_t *in,
                                const edgediff_f16_t *threshold, uint32_t *out);
void edgediff_cast_f32_to_f16_mve(const float *in, edgediff_f16_t *out, int32_t count);
void edgediff_cast_f16_to_f32_mve(const edgediff_f16_t *in, float *out, int32_t count);
/* Any stride, padding and groups with at most 64 taps per phase (overrides/mve.py); FP32
 * accumulation in both. */
void edgediff_conv_transpose2d_f32_mve(const conv_transpose2d_params_t *p, const float *in,
                                       const float *weight, const float *bias, float *out);
void edgediff_conv_transpose2d_f16_mve(const conv_transpose2d_params_t *p,
                                       const edgediff_f16_t *in, const edgediff_f16_t *weight,
                                       const edgediff_f16_t *bias, edgediff_f16_t *out);
/* Fused attention, any shape (FP16: head dims up to EDGEDIFF_MVE_ATTENTION_F16_MAX_D, its
 * gathers' 16-bit offsets; overrides/mve.py); FP32 scores, statistics and sums. Scratch: the
 * row of lk FP32 scores, then the query row widened to d floats. */
static inline int32_t edgediff_attention_mve_bytes(const attention_params_t *p) {
    return edgediff_scratch_round(p->lk * 4) + p->d * 4;
}
static inline int32_t edgediff_attention_f32_mve_get_buffer_size(const attention_params_t *p) {
    return edgediff_attention_mve_bytes(p);
}
static inline int32_t edgediff_attention_f16_mve_get_buffer_size(const attention_params_t *p) {
    return edgediff_attention_mve_bytes(p);
}
void edgediff_attention_f32_mve(const attention_params_t *p, const float *q, const float *k,
                                const float *v, float *out, void *scratch);
void edgediff_attention_f16_mve(const attention_params_t *p, const edgediff_f16_t *q,
                                const edgediff_f16_t *k, const edgediff_f16_t *v,
                                edgediff_f16_t *out, void *scratch);
/* conv2d with a 1xK kernel (nn.Conv1d): kernel_h 1, pad_h 0, any kernel_w, stride and
 * padding; dilation 1, groups 1 (overrides/mve.py); FP32 accumulation in both. */
void edgediff_conv1d_f32_mve(const conv2d_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out);
void edgediff_conv1d_f16_mve(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out);
/* Any [outer][size][inner]: along the row (inner 1) or over the pixels (inner > 1);
 * FP32 statistics in both. */
void edgediff_layer_norm_f32_mve(const layer_norm_params_t *p, const float *in, const float *gamma,
                                 const float *beta, float *out);
void edgediff_layer_norm_f16_mve(const layer_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out);
/* GELU (erf and tanh forms) and sigmoid: vector exp and a rational erfc fit in FP32 lanes
 * (internal/vector_gelu_mve.h), any count. */
void edgediff_gelu_f32_mve(const float *in, float *out, int32_t count);
void edgediff_gelu_f16_mve(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_gelu_tanh_f32_mve(const float *in, float *out, int32_t count);
void edgediff_gelu_tanh_f16_mve(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_sigmoid_f32_mve(const float *in, float *out, int32_t count);
void edgediff_sigmoid_f16_mve(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);

/* ---- int8 (same bytes as the reference *_s8 kernels in kernels.h) ------------------------ */
/* conv2d_s8_mve: groups 1, dilation 1, kernel_h <= EDGEDIFF_S8_CONV_MAX_KH, kernel_h * c_in
 * <= EDGEDIFF_S8_CONV_MAX_COLUMN, any kernel, stride and padding (overrides/mve.py). Its
 * weights and parameters come packed at build time (overrides/mve.py conv_s8_pack): weight
 * is blocks of 4 output channels x 16-byte vectors of the patch (taps kx, ky, channel; zero
 * past it), multiplier is 16 int32 per block (4 channels' bias plus input offset x weight
 * sum, multiplier, left shift, minus the right shift); bias and shift are NULL. Scratch:
 * the kernel_h input rows of an output row, padded, column by column, then the bytes the
 * last patch's last vector reads past the patch (16 * patch_vectors - the patch). */
static inline int32_t edgediff_conv2d_s8_mve_patch_vectors(const conv2d_s8_params_t *p) {
    return (p->conv.kernel_h * p->conv.kernel_w * p->conv.c_in + 15) / 16;
}
static inline int32_t edgediff_conv2d_s8_mve_get_buffer_size(const conv2d_s8_params_t *p) {
    const int32_t column = p->conv.kernel_h * p->conv.c_in;
    return edgediff_scratch_round((p->conv.w_in + 2 * p->conv.pad_w) * column
                                  + edgediff_conv2d_s8_mve_patch_vectors(p) * 16
                                  - p->conv.kernel_w * column);
}
void edgediff_conv2d_s8_mve(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch);

/* add_s8_mve: each operand dense or constant over the two inner dims (same shape, or
 * [N,C,1,1] onto [N,C,H,W]); sub_s8 runs it too. */
void edgediff_add_s8_mve(const binary_s8_params_t *p, const int8_t *a, const int8_t *b,
                         int8_t *out);

/* linear_s8_mve: any shape. Scratch: the packed weights (blocks of 4 outputs x 16-byte
 * vectors of in_features), 4 int32 per output of the blocks, two input rows (+16 each). */
static inline int32_t edgediff_linear_s8_mve_vectors(const linear_s8_params_t *p) {
    return (p->linear.in_features + 15) / 16;
}
static inline int32_t edgediff_linear_s8_mve_weight_bytes(const linear_s8_params_t *p) {
    return edgediff_scratch_round((p->linear.out_features + 3) / 4 * edgediff_linear_s8_mve_vectors(p) * 64);
}
static inline int32_t edgediff_linear_s8_mve_get_buffer_size(const linear_s8_params_t *p) {
    return edgediff_linear_s8_mve_weight_bytes(p)
           + edgediff_scratch_round((p->linear.out_features + 3) / 4 * 64)
           + 2 * (edgediff_linear_s8_mve_vectors(p) * 16 + 16);
}
void edgediff_linear_s8_mve(const linear_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch);

/* conv2d_dw_s8_mve: conv2d_s8 with groups == c_in, c_out a multiple of c_in, dilation 1,
 * any kernel, stride and padding. Scratch: one input channel padded with the zero point. */
static inline int32_t edgediff_conv2d_dw_s8_mve_get_buffer_size(const conv2d_s8_params_t *p) {
    return edgediff_scratch_round((p->conv.h_in + 2 * p->conv.pad_h) * (p->conv.w_in + 2 * p->conv.pad_w));
}
void edgediff_conv2d_dw_s8_mve(const conv2d_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out,
                               void *scratch);

/* group_norm_s8_mve: any shape; ref/group_norm_s8.c's integer arithmetic, same bytes. */
void edgediff_group_norm_s8_mve(const group_norm_s8_params_t *p, const int8_t *in,
                                const int32_t *multiplier, const int32_t *shift,
                                const int32_t *bias, int8_t *out);

/* requantize_s8_mve: any count; ref/requantize_s8.c lane by lane, same bytes. */
void edgediff_requantize_s8_mve(const requantize_s8_params_t *p, const int8_t *in,
                                int8_t *out);

/* lut_s8_mve: any count; a VLDRB gather of 16 table entries per step, same bytes. */
void edgediff_lut_s8_mve(const int8_t *table, const int8_t *in, int8_t *out, int32_t count);
/* concat_i8_mve: any shape; 16-byte vector copies. */
void edgediff_concat_i8_mve(const concat_params_t *p, const int8_t *const *inputs, int8_t *out);
/* upsample_nearest2d_i8_mve: exact 2x in both dims; byte gathers, 16 output bytes per step. */
void edgediff_upsample_nearest2d_i8_mve(const upsample_nearest2d_params_t *p, const int8_t *in,
                                        int8_t *out);

#endif /* EDGEDIFF_KERNELS_MVE_H */

/* ---- Internal helpers of the MVE kernel sources ------------------------------------------ */
#if defined(EDGEDIFF_MVE_IMPL) && !defined(EDGEDIFF_KERNELS_MVE_IMPL_H)
#define EDGEDIFF_KERNELS_MVE_IMPL_H

#include <arm_mve.h>

#define EDGEDIFF_MVE_INLINE static inline __attribute__((always_inline))

/* Vector FP16 <-> FP32 conversions (VCVTB/VCVTT). The assembler shipped with Debian's
 * arm-none-eabi binutils encodes the MVE forms of these with doubled Q register numbers
 * (invalid or wrong instructions; QEMU raises UNDEFINED), so vcvtbq_* / vcvttq_* from
 * arm_mve.h cannot be used. These emit the architectural encoding
 * base | Qd << 13 | Qm << 1 themselves, the register numbers found by the assembler's
 * string compare on the operands the compiler allocated. */
#define EDGEDIFF_MVE_QQ_INST(base)                                                         \
    ".irp qd,0,1,2,3,4,5,6,7\n.ifc %q0,q\\qd\n.irp qm,0,1,2,3,4,5,6,7\n.ifc %q1,q\\qm\n"   \
    ".inst.w " base " | (\\qd << 13) | (\\qm << 1)\n.endif\n.endr\n.endif\n.endr\n"

/* Even (bottom) lanes of an FP16 vector widened to FP32. */
EDGEDIFF_MVE_INLINE float32x4_t edgediff_mve_widen_b(float16x8_t x) {
    float32x4_t y;
    __asm__(EDGEDIFF_MVE_QQ_INST("0xFE3F0E01") : "=&w"(y) : "w"(x)); /* vcvtb.f32.f16 */
    return y;
}

/* Odd (top) lanes of an FP16 vector widened to FP32. */
EDGEDIFF_MVE_INLINE float32x4_t edgediff_mve_widen_t(float16x8_t x) {
    float32x4_t y;
    __asm__(EDGEDIFF_MVE_QQ_INST("0xFE3F1E01") : "=&w"(y) : "w"(x)); /* vcvtt.f32.f16 */
    return y;
}

/* Two FP32 vectors rounded to nearest even into the even / odd lanes of one FP16 vector. */
EDGEDIFF_MVE_INLINE float16x8_t edgediff_mve_narrow(float32x4_t even, float32x4_t odd) {
    float16x8_t y = vreinterpretq_f16_f32(even); /* every lane is overwritten */
    __asm__(EDGEDIFF_MVE_QQ_INST("0xEE3F0E01") : "+&w"(y) : "w"(even)); /* vcvtb.f16.f32 */
    __asm__(EDGEDIFF_MVE_QQ_INST("0xEE3F1E01") : "+w"(y) : "w"(odd));   /* vcvtt.f16.f32 */
    return y;
}

/* Sum of the 4 lanes, pairwise: (l0 + l1) + (l2 + l3). */
static inline float edgediff_mve_sum_lanes_f32(float32x4_t v) {
    return (vgetq_lane_f32(v, 0) + vgetq_lane_f32(v, 1)) +
           (vgetq_lane_f32(v, 2) + vgetq_lane_f32(v, 3));
}

/* e^x for x <= 0, FP32, about 1.5 ulp: n = round(x / ln 2), r = x - n ln 2 (Cody-Waite,
 * two constants), e^r by a degree-6 polynomial fitted on [-ln2/2, ln2/2], scaled by 2^n
 * through the exponent field. x is clamped to -86.5 (e^x is then ~2.6e-38 instead of a
 * smaller or subnormal value), so the exponent arithmetic never leaves the normal range. */
EDGEDIFF_MVE_INLINE float32x4_t edgediff_mve_exp_neg_f32(float32x4_t x) {
    x = vmaxnmq_f32(x, vdupq_n_f32(-86.5f));
    const float32x4_t n = vrndnq_f32(vmulq_n_f32(x, 1.44269504f));
    float32x4_t r = vfmaq_n_f32(x, n, -0.693145751953125f);
    r = vfmaq_n_f32(r, n, -1.42860677e-06f);
    float32x4_t q = vdupq_n_f32(1.35867088e-03f);
    q = vfmasq_n_f32(q, r, 8.37127957e-03f);
    q = vfmasq_n_f32(q, r, 4.16729748e-02f);
    q = vfmasq_n_f32(q, r, 1.66664943e-01f);
    q = vfmasq_n_f32(q, r, 4.99999702e-01f);
    q = vfmasq_n_f32(q, r, 1.0f);
    q = vfmasq_n_f32(q, r, 1.0f);
    const int32x4_t scale = vshlq_n_s32(vcvtq_s32_f32(n), 23);
    return vreinterpretq_f32_s32(vaddq_s32(vreinterpretq_s32_f32(q), scale));
}

/* silu(x) = x * sigmoid(x), FP32, within ~3 ulp: e = e^-|x| (never overflows), then
 * sigmoid = 1/(1+e) for x >= 0 and e/(1+e) for x < 0. MVE has no divide or reciprocal
 * estimate: 1/(1+e) starts from the linear minimax 24/17 - 8/17 d on [1, 2] (error 1/17)
 * and takes three Newton steps; the final quotient gets one residual correction, so the
 * division is nearly correctly rounded. */
EDGEDIFF_MVE_INLINE float32x4_t edgediff_mve_silu_f32(float32x4_t x) {
    const float32x4_t e = edgediff_mve_exp_neg_f32(vnegq_f32(vabsq_f32(x)));
    const float32x4_t d = vaddq_n_f32(e, 1.0f);
    const float32x4_t nd = vnegq_f32(d);
    float32x4_t r = vfmaq_n_f32(vdupq_n_f32(24.0f / 17.0f), d, -8.0f / 17.0f);
    r = vmulq_f32(r, vfmaq_f32(vdupq_n_f32(2.0f), nd, r));
    r = vmulq_f32(r, vfmaq_f32(vdupq_n_f32(2.0f), nd, r));
    r = vmulq_f32(r, vfmaq_f32(vdupq_n_f32(2.0f), nd, r));
    /* numerator: x for x >= 0, x * e for x < 0 */
    const mve_pred16_t neg = vcmpltq_n_f32(x, 0.0f);
    const float32x4_t num = vpselq_f32(vmulq_f32(x, e), x, neg);
    float32x4_t q = vmulq_f32(num, r);
    const float32x4_t res = vfmaq_f32(num, nd, q); /* num - q * d, exact-ish residual */
    return vfmaq_f32(q, res, r);
}

/* FP16 SiLU through FP32: widen the even and odd lanes, silu_f32, narrow once. Accurate to
 * the one rounding to half plus ~3 FP32 ulp. */
EDGEDIFF_MVE_INLINE float16x8_t edgediff_mve_silu_f16_accurate(float16x8_t x) {
    const float32x4_t lo = edgediff_mve_silu_f32(edgediff_mve_widen_b(x));
    const float32x4_t hi = edgediff_mve_silu_f32(edgediff_mve_widen_t(x));
    return edgediff_mve_narrow(lo, hi);
}

/* FP16 SiLU in FP16 arithmetic (8 lanes per instruction), for outputs that tolerate a few
 * FP16 ulp (group norm's fused activation): e = e^-|x| by a degree-4 polynomial and 2^n built
 * in the exponent field (n = -15 gives 0, so e flushes to 0 below x ~ -10: silu(x) is then
 * -0 instead of a value < 4.4e-4 in magnitude), reciprocal of 1+e by a linear start and two
 * Newton steps. Relative error a few FP16 ulp for |x| < 10. */
EDGEDIFF_MVE_INLINE float16x8_t edgediff_mve_silu_f16_fast(float16x8_t x) {
    const float16x8_t t = vmaxnmq_f16(vnegq_f16(vabsq_f16(x)), vdupq_n_f16((_Float16)-10.25f));
    const float16x8_t n = vrndnq_f16(vmulq_n_f16(t, (_Float16)1.442695f));
    float16x8_t r = vfmaq_n_f16(t, n, (_Float16)-0.693359375f);
    r = vfmaq_n_f16(r, n, (_Float16)2.12192535e-4f);
    float16x8_t q = vdupq_n_f16((_Float16)0.041917530f);
    q = vfmasq_n_f16(q, r, (_Float16)0.167921610f);
    q = vfmasq_n_f16(q, r, (_Float16)0.499988691f);
    q = vfmasq_n_f16(q, r, (_Float16)0.999962278f);
    q = vfmasq_n_f16(q, r, (_Float16)1.0f);
    const int16x8_t bits = vshlq_n_s16(vaddq_n_s16(vcvtq_s16_f16(n), 15), 10);
    const float16x8_t e = vmulq_f16(q, vreinterpretq_f16_s16(bits));
    const float16x8_t d = vaddq_n_f16(e, (_Float16)1.0f);
    const float16x8_t nd = vnegq_f16(d);
    float16x8_t rc = vfmaq_n_f16(vdupq_n_f16((_Float16)(24.0f / 17.0f)), d,
                                 (_Float16)(-8.0f / 17.0f));
    rc = vmulq_f16(rc, vfmaq_f16(vdupq_n_f16((_Float16)2.0f), nd, rc));
    rc = vmulq_f16(rc, vfmaq_f16(vdupq_n_f16((_Float16)2.0f), nd, rc));
    const mve_pred16_t neg = vcmpltq_n_f16(x, (_Float16)0.0f);
    const float16x8_t num = vpselq_f16(vmulq_f16(x, e), x, neg);
    return vmulq_f16(num, rc);
}

/* The fused activation of an output vector (act is loop-invariant; the branch predicts). */
EDGEDIFF_MVE_INLINE float32x4_t edgediff_mve_act_f32(float32x4_t v, int32_t act) {
    if (act == EDGEDIFF_ACT_RELU) {
        return vmaxnmq_f32(v, vdupq_n_f32(0.0f));
    }
    if (act == EDGEDIFF_ACT_SILU) {
        return edgediff_mve_silu_f32(v);
    }
    return v;
}

EDGEDIFF_MVE_INLINE float16x8_t edgediff_mve_act_f16(float16x8_t v, int32_t act) {
    if (act == EDGEDIFF_ACT_RELU) {
        return vmaxnmq_f16(v, vdupq_n_f16((_Float16)0.0f));
    }
    if (act == EDGEDIFF_ACT_SILU) {
        return edgediff_mve_silu_f16_accurate(v);
    }
    return v;
}

#endif /* EDGEDIFF_MVE_IMPL */
