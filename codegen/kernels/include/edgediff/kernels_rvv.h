/* RVV overrides: same signatures as the reference kernels in kernels.h, suffix _rvv; a
 * kernel that needs working memory takes it as one more, last, argument `void *scratch`
 * of edgediff_<kernel>_get_buffer_size(&params) bytes (edgediff/scratch.h).
 * Declared for every target (plain C types), defined only in codegen/kernels/rvv/; the
 * size functions are inline here, so the host can compile them too.
 *
 * The sources target RVV 1.0 with VLEN=128 through clang 14's v0.10 intrinsics (no
 * __riscv_ prefix) and use LMUL <= 2, so one vector instruction covers at most 8 floats or
 * 16 halves (comparable to one MVE instruction). Each file states its accumulation
 * precision. The helpers at the end of this header are private to those sources: they are
 * compiled only when a source defines EDGEDIFF_RVV_INTERNAL and the V extension is on. */
#ifndef EDGEDIFF_KERNELS_RVV_H
#define EDGEDIFF_KERNELS_RVV_H

#include "edgediff/kernels.h"
#include "edgediff/scratch.h"

#ifdef __cplusplus
extern "C" {
#endif

/* conv2d_<dtype>_rvv's scratch (conv2d_rvv.h): the band copies of a block of input
 * channels (3x3 only), then from `packed` on the weights of a block of output channels
 * packed per block; bytes in all. elem: element bytes. The 3x3 tiling: output rows per
 * band halved until one channel's copies fit EDGEDIFF_RVV_CONV_BAND_BYTES, then as many
 * input channels per block as fit (up to EDGEDIFF_RVV_CONV_PACK_CI); the last band may
 * be shorter and take more channels, so both band heights count. */
typedef struct {
    int32_t packed, bytes;
} edgediff_conv2d_rvv_scratch_t;

static inline int32_t edgediff_conv2d_rvv_min(int32_t a, int32_t b) {
    return a < b ? a : b;
}

static inline edgediff_conv2d_rvv_scratch_t edgediff_conv2d_rvv_scratch(const conv2d_params_t *p,
                                                                        int32_t elem) {
    const int32_t cb = edgediff_conv2d_rvv_min(p->c_out, EDGEDIFF_RVV_CONV_CB_MAX);
    edgediff_conv2d_rvv_scratch_t s = {0, 0};
    if (p->kernel_h == 1) {
        const int32_t cib = edgediff_conv2d_rvv_min(p->c_in, 9 * EDGEDIFF_RVV_CONV_PACK_CI);
        s.bytes = edgediff_scratch_round(cb * cib * elem);
        return s;
    }
    const int32_t elems = EDGEDIFF_RVV_CONV_BAND_BYTES / elem;
    const int32_t stride = p->stride_h, w = p->w_in, h_out = p->h_out;
    int32_t bh = h_out;
    while (bh > 1 && 3 * ((stride * (bh - 1) + 3) * w + 2) > elems) {
        bh = (bh + 1) / 2;
    }
    int32_t band = 0, cib_max = 0;
    for (int32_t k = 0; k < 2; ++k) {
        const int32_t rows = k == 0 ? bh : h_out % bh;
        if (rows == 0) {
            continue;
        }
        const int32_t chan = 3 * ((stride * (rows - 1) + 3) * w + 2);
        const int32_t cib = edgediff_conv2d_rvv_min(
            p->c_in, edgediff_conv2d_rvv_min(EDGEDIFF_RVV_CONV_PACK_CI, elems / chan));
        band = band > cib * chan ? band : cib * chan;
        cib_max = cib_max > cib ? cib_max : cib;
    }
    s.packed = edgediff_scratch_round(band * elem);
    s.bytes = s.packed + edgediff_scratch_round(cb * 9 * cib_max * elem);
    return s;
}

static inline int32_t edgediff_conv2d_f32_rvv_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_conv2d_rvv_scratch(p, 4).bytes;
}
static inline int32_t edgediff_conv2d_f16_rvv_get_buffer_size(const conv2d_params_t *p) {
    return edgediff_conv2d_rvv_scratch(p, 2).bytes;
}

/* binary_conv2d_<dtype>_rvv: one pixel's receptive field and its valid bits (a word per
 * field word each), then the differing bits of every output channel (int32 each). */
static inline int32_t edgediff_binary_conv2d_rvv_bytes(const binary_conv2d_params_t *p) {
    const int32_t field_words = p->kernel_h * p->kernel_w * p->words;
    return 2 * edgediff_scratch_round(field_words * 4) + edgediff_scratch_round(p->c_out * 4);
}
static inline int32_t edgediff_binary_conv2d_f32_rvv_get_buffer_size(
    const binary_conv2d_params_t *p) {
    return edgediff_binary_conv2d_rvv_bytes(p);
}
static inline int32_t edgediff_binary_conv2d_f16_rvv_get_buffer_size(
    const binary_conv2d_params_t *p) {
    return edgediff_binary_conv2d_rvv_bytes(p);
}

/* W1A16: the +-1 table of one block of output channels (edgediff_bw_block_channels, in
 * blocks of EDGEDIFF_RVV_CONV_CB_MAX), then conv2d_<dtype>_rvv's scratch for that block. */
static inline int32_t edgediff_binary_weight_conv2d_rvv_bytes(const binary_conv2d_params_t *p,
                                                              int32_t elem) {
    const int32_t per = p->c_in * p->kernel_h * p->kernel_w;
    const int32_t cb = edgediff_bw_block_channels(p->c_out, per, EDGEDIFF_RVV_CONV_CB_MAX, elem);
    const conv2d_params_t q = {.n = 1, .c_in = p->c_in, .h_in = p->h_in, .w_in = p->w_in,
                               .c_out = cb, .h_out = p->h_out, .w_out = p->w_out,
                               .kernel_h = p->kernel_h, .kernel_w = p->kernel_w,
                               .stride_h = p->stride_h, .stride_w = p->stride_w,
                               .pad_h = p->pad_h, .pad_w = p->pad_w, .dilation_h = 1,
                               .dilation_w = 1, .groups = 1, .act = EDGEDIFF_ACT_NONE};
    return edgediff_scratch_round(cb * per * elem) + edgediff_conv2d_rvv_scratch(&q, elem).bytes;
}
static inline int32_t edgediff_binary_weight_conv2d_f32_rvv_get_buffer_size(
    const binary_conv2d_params_t *p) {
    return edgediff_binary_weight_conv2d_rvv_bytes(p, 4);
}
static inline int32_t edgediff_binary_weight_conv2d_f16_rvv_get_buffer_size(
    const binary_conv2d_params_t *p) {
    return edgediff_binary_weight_conv2d_rvv_bytes(p, 2);
}

/* 3x3 pad 1 stride 1 or 2, and 1x1 stride 1 pad 0; dilation 1, groups 1 (overrides/rvv.py). */
void edgediff_conv2d_f32_rvv(const conv2d_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out, void *scratch);
void edgediff_conv2d_f16_rvv(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out, void *scratch);

void edgediff_linear_f32_rvv(const linear_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out);
void edgediff_linear_f16_rvv(const linear_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out);

void edgediff_group_norm_f32_rvv(const group_norm_params_t *p, const float *in, const float *gamma,
                                 const float *beta, float *out);
void edgediff_group_norm_f16_rvv(const group_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out);

void edgediff_silu_f32_rvv(const float *in, float *out, int32_t count);
void edgediff_silu_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_relu_f32_rvv(const float *in, float *out, int32_t count);
void edgediff_relu_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);

/* Same-shape operands, or [.., C, H, W] op [.., C, 1, 1] (either side broadcast per channel). */
void edgediff_add_f32_rvv(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_sub_f32_rvv(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_mul_f32_rvv(const binary_params_t *p, const float *a, const float *b, float *out);
void edgediff_add_f16_rvv(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);
void edgediff_sub_f16_rvv(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);
void edgediff_mul_f16_rvv(const binary_params_t *p, const edgediff_f16_t *a,
                          const edgediff_f16_t *b, edgediff_f16_t *out);

void edgediff_concat_f32_rvv(const concat_params_t *p, const float *const *inputs, float *out);
void edgediff_concat_f16_rvv(const concat_params_t *p, const edgediff_f16_t *const *inputs,
                             edgediff_f16_t *out);

/* Integer factors only (h_out = k * h_in, w_out = m * w_in). */
void edgediff_upsample_nearest2d_f32_rvv(const upsample_nearest2d_params_t *p, const float *in,
                                         float *out);
void edgediff_upsample_nearest2d_f16_rvv(const upsample_nearest2d_params_t *p,
                                         const edgediff_f16_t *in, edgediff_f16_t *out);

/* Any kernel size, stride and padding with a receptive field up to 1152 bits
 * (overrides/rvv.py); equal to the reference bit for bit. */
void edgediff_binary_conv2d_f32_rvv(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const float *scale, const float *bias,
                                    const float *shift_in, const float *slope,
                                    const float *shift_out, const float *res_scale,
                                    const float *residual, float *out, void *scratch);
void edgediff_binary_conv2d_f16_rvv(const binary_conv2d_params_t *p, const uint32_t *in,
                                    const uint32_t *weight, const edgediff_f16_t *scale,
                                    const edgediff_f16_t *bias, const edgediff_f16_t *shift_in,
                                    const edgediff_f16_t *slope, const edgediff_f16_t *shift_out,
                                    const edgediff_f16_t *res_scale, const edgediff_f16_t *residual,
                                    edgediff_f16_t *out, void *scratch);
/* W1A16, 3x3 pad 1 stride 1 or 2 or 1x1 stride 1 (overrides/rvv.py): the float convolution
 * of conv2d_*_rvv on +-1 weights expanded per block of output channels, then the
 * output step; accumulates in the element precision. */
void edgediff_binary_weight_conv2d_f32_rvv(const binary_conv2d_params_t *p, const float *in,
                                           const uint32_t *weight, const float *scale,
                                           const float *bias, const float *shift_in,
                                           const float *slope, const float *shift_out,
                                           const float *res_scale, const float *residual,
                                           float *out, void *scratch);
void edgediff_binary_weight_conv2d_f16_rvv(const binary_conv2d_params_t *p,
                                           const edgediff_f16_t *in, const uint32_t *weight,
                                           const edgediff_f16_t *scale, const edgediff_f16_t *bias,
                                           const edgediff_f16_t *shift_in,
                                           const edgediff_f16_t *slope,
                                           const edgediff_f16_t *shift_out,
                                           const edgediff_f16_t *res_scale,
                                           const edgediff_f16_t *residual, edgediff_f16_t *out,
                                           void *scratch);
/* 16 pixels per instruction, any shape; equal to the reference bit for bit. */
void edgediff_sign_pack_f16_rvv(const sign_pack_params_t *p, const edgediff_f16_t *in,
                                const edgediff_f16_t *threshold, uint32_t *out);

void edgediff_cast_f32_to_f16_rvv(const float *in, edgediff_f16_t *out, int32_t count);
void edgediff_cast_f16_to_f32_rvv(const edgediff_f16_t *in, float *out, int32_t count);

/* Any stride, padding and groups with at most 64 taps per phase (overrides/rvv.py); FP32
 * accumulation in both. */
void edgediff_conv_transpose2d_f32_rvv(const conv_transpose2d_params_t *p, const float *in,
                                       const float *weight, const float *bias, float *out);
void edgediff_conv_transpose2d_f16_rvv(const conv_transpose2d_params_t *p,
                                       const edgediff_f16_t *in, const edgediff_f16_t *weight,
                                       const edgediff_f16_t *bias, edgediff_f16_t *out);
/* Fused attention, any shape; FP32 scores, statistics and sums. Scratch: the row of lk FP32
 * scores. */
static inline int32_t edgediff_attention_f32_rvv_get_buffer_size(const attention_params_t *p) {
    return p->lk * 4;
}
static inline int32_t edgediff_attention_f16_rvv_get_buffer_size(const attention_params_t *p) {
    return p->lk * 4;
}
void edgediff_attention_f32_rvv(const attention_params_t *p, const float *q, const float *k,
                                const float *v, float *out, void *scratch);
void edgediff_attention_f16_rvv(const attention_params_t *p, const edgediff_f16_t *q,
                                const edgediff_f16_t *k, const edgediff_f16_t *v,
                                edgediff_f16_t *out, void *scratch);

/* conv2d with a 1xK kernel (nn.Conv1d): kernel_h 1, pad_h 0, any kernel_w, stride and
 * padding; dilation 1, groups 1 (overrides/rvv.py); FP32 accumulation in both. */
void edgediff_conv1d_f32_rvv(const conv2d_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out);
void edgediff_conv1d_f16_rvv(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out);
/* Any [outer][size][inner]: along the row (inner 1) or over the pixels (inner > 1);
 * FP32 statistics in both. */
void edgediff_layer_norm_f32_rvv(const layer_norm_params_t *p, const float *in, const float *gamma,
                                 const float *beta, float *out);
void edgediff_layer_norm_f16_rvv(const layer_norm_params_t *p, const edgediff_f16_t *in,
                                 const edgediff_f16_t *gamma, const edgediff_f16_t *beta,
                                 edgediff_f16_t *out);

/* GELU (erf and tanh forms) and sigmoid: vector exp and a rational erfc fit in FP32 lanes
 * (internal/vector_gelu_rvv.h), any count. */
void edgediff_gelu_f32_rvv(const float *in, float *out, int32_t count);
void edgediff_gelu_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_gelu_tanh_f32_rvv(const float *in, float *out, int32_t count);
void edgediff_gelu_tanh_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);
void edgediff_sigmoid_f32_rvv(const float *in, float *out, int32_t count);
void edgediff_sigmoid_f16_rvv(const edgediff_f16_t *in, edgediff_f16_t *out, int32_t count);

/* conv2d_s8_rvv: groups 1, dilation 1, kernel_h <= EDGEDIFF_S8_CONV_MAX_KH, any kernel,
 * stride and padding (overrides/rvv.py). Its weights and parameters come packed at build
 * time as conv2d_s8_mve's (overrides/mve.py conv_s8_pack): weight is blocks of 4 output
 * channels x 16-byte vectors of the patch (taps kx, ky, channel; zero past it), multiplier
 * is 16 int32 per block (4 channels' bias plus input offset x weight sum, multiplier, left
 * shift, minus the right shift); bias and shift are NULL. Scratch: the kernel_h input rows
 * of an output row, padded, column by column, then the bytes the last patch's last vector
 * reads past the patch (16 * patch_vectors - the patch). */
static inline int32_t edgediff_conv2d_s8_rvv_patch_vectors(const conv2d_s8_params_t *p) {
    return (p->conv.kernel_h * p->conv.kernel_w * p->conv.c_in + 15) / 16;
}
static inline int32_t edgediff_conv2d_s8_rvv_get_buffer_size(const conv2d_s8_params_t *p) {
    const int32_t column = p->conv.kernel_h * p->conv.c_in;
    return edgediff_scratch_round((p->conv.w_in + 2 * p->conv.pad_w) * column
                                  + edgediff_conv2d_s8_rvv_patch_vectors(p) * 16
                                  - p->conv.kernel_w * column);
}
void edgediff_conv2d_s8_rvv(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch);

/* linear_s8_rvv: any shape. Scratch: the packed weights (blocks of 4 outputs x 16-byte
 * vectors of in_features), 4 int32 per output of the blocks, two input rows (+16 each). */
static inline int32_t edgediff_linear_s8_rvv_vectors(const linear_s8_params_t *p) {
    return (p->linear.in_features + 15) / 16;
}
static inline int32_t edgediff_linear_s8_rvv_weight_bytes(const linear_s8_params_t *p) {
    return edgediff_scratch_round((p->linear.out_features + 3) / 4 * edgediff_linear_s8_rvv_vectors(p) * 64);
}
static inline int32_t edgediff_linear_s8_rvv_get_buffer_size(const linear_s8_params_t *p) {
    return edgediff_linear_s8_rvv_weight_bytes(p)
           + edgediff_scratch_round((p->linear.out_features + 3) / 4 * 64)
           + 2 * (edgediff_linear_s8_rvv_vectors(p) * 16 + 16);
}
void edgediff_linear_s8_rvv(const linear_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch);

/* conv2d_dw_s8_rvv: conv2d_s8 with groups == c_in, c_out a multiple of c_in, dilation 1,
 * any kernel, stride and padding. Scratch: one input channel padded with the zero point. */
static inline int32_t edgediff_conv2d_dw_s8_rvv_get_buffer_size(const conv2d_s8_params_t *p) {
    return edgediff_scratch_round((p->conv.h_in + 2 * p->conv.pad_h) * (p->conv.w_in + 2 * p->conv.pad_w));
}
void edgediff_conv2d_dw_s8_rvv(const conv2d_s8_params_t *p, const int8_t *in,
                               const int8_t *weight, const int32_t *bias,
                               const int32_t *multiplier, const int32_t *shift, int8_t *out,
                               void *scratch);

#ifdef __cplusplus
}
#endif

/* ---- Private helpers of the RVV sources ---------------------------------------------- */
#if defined(EDGEDIFF_RVV_INTERNAL) && defined(__riscv_vector)
#include <riscv_vector.h>

#define EDGEDIFF_RVV_INLINE static inline __attribute__((always_inline))

/* SiLU of a vector of floats: silu(x) = x / (1 + e^-x), as the reference writes it.
 *
 * e^t, t = -x clamped to [-87, 88] (so 2^n below stays a normal float; for x < -87 the
 * result is below 1e-36 where the reference gives -0, for x > 87 it is x): range
 * reduction t = n*ln2 + r with n = round(t/ln2) and ln2 split in a high part with 9
 * significant bits (n*ln2_hi exact for |n| <= 127) and a low part, so |r| <= ln2/2 with
 * an error near 2^-32. e^r: degree-6 polynomial 1 + r + c2 r^2 + ... + c6 r^6 whose
 * coefficients were fitted for this kernel (iteratively reweighted least squares on the
 * relative error over [-ln2/2, ln2/2]: 0.07 ulp of approximation error), Horner in float
 * (about one ulp); 2^n is built in the exponent field. Then one add and one divide.
 *
 * The sequence is one asm block: clang 14 gives multiply-add intrinsics a tail-undisturbed
 * policy and the others tail-agnostic, and would put a vsetvli between most of these 20
 * instructions. The asm runs with the vector state the compiler left, which is e32/m2 and
 * the caller's vl because its input t is the result of the vfneg intrinsic just before it
 * (the compiler's idea of the state after it stays true). The polynomial's constants are
 * vector registers set up once per loop (EDGEDIFF_RVV_SILU_SETUP in the caller's scope). */
#define EDGEDIFF_RVV_LOG2E 1.44269504089f
#define EDGEDIFF_RVV_LN2_HI 0.693359375f               /* 355/512 */
#define EDGEDIFF_RVV_LN2_LO (-2.12194440054690583e-4f) /* ln2 - LN2_HI */
#define EDGEDIFF_RVV_EXP_C2 0.4999999403953552f
#define EDGEDIFF_RVV_EXP_C3 0.1666652113199234f
#define EDGEDIFF_RVV_EXP_C4 0.04166838899254799f
#define EDGEDIFF_RVV_EXP_C5 0.008368710987269878f
#define EDGEDIFF_RVV_EXP_C6 0.0013814629055559635f

#define EDGEDIFF_RVV_SILU_SETUP()                                                          \
    const size_t silu_vlmax_ = vsetvlmax_e32m2();                                          \
    const vfloat32m2_t silu_c2_ = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C2, silu_vlmax_);        \
    const vfloat32m2_t silu_c3_ = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C3, silu_vlmax_);        \
    const vfloat32m2_t silu_c4_ = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C4, silu_vlmax_);        \
    const vfloat32m2_t silu_c5_ = vfmv_v_f_f32m2(EDGEDIFF_RVV_EXP_C5, silu_vlmax_);        \
    const vfloat32m2_t silu_one_ = vfmv_v_f_f32m2(1.0f, silu_vlmax_);                      \
    float silu_k_[7] = {88.0f, -87.0f, EDGEDIFF_RVV_LOG2E, EDGEDIFF_RVV_LN2_HI,              \
                        EDGEDIFF_RVV_LN2_LO, EDGEDIFF_RVV_EXP_C6, 1.0f};                   \
    /* opaque to the compiler, so it keeps them in registers instead of reloading them \
     * from the constant pool in the loop */                                               \
    __asm__("" : "+f"(silu_k_[0]), "+f"(silu_k_[1]), "+f"(silu_k_[2]), "+f"(silu_k_[3]),  \
            "+f"(silu_k_[4]), "+f"(silu_k_[5]), "+f"(silu_k_[6]))

/* silu of x (vl floats); needs EDGEDIFF_RVV_SILU_SETUP() in scope. */
#define EDGEDIFF_RVV_SILU(x, vl)                                                           \
    edgediff_rvv_silu_f32m2((x), (vl), silu_c2_, silu_c3_, silu_c4_, silu_c5_, silu_one_, \
                            silu_k_)

EDGEDIFF_RVV_INLINE vfloat32m2_t edgediff_rvv_silu_f32m2(vfloat32m2_t x, size_t vl,
                                                         vfloat32m2_t c2, vfloat32m2_t c3,
                                                         vfloat32m2_t c4, vfloat32m2_t c5,
                                                         vfloat32m2_t one, const float *k) {
    const vfloat32m2_t t = vfneg_v_f32m2(x, vl); /* also sets e32/m2/vl for the asm */
    vfloat32m2_t y, r, q, nf;
    vint32m2_t n;
    __asm__("vfmin.vf    %[r], %[t], %[hi]\n\t"
            "vfmax.vf    %[r], %[r], %[lo]\n\t"
            "vfmul.vf    %[nf], %[r], %[log2e]\n\t"
            "vfcvt.x.f.v %[n], %[nf]\n\t"
            "vfcvt.f.x.v %[nf], %[n]\n\t"
            "vfnmsac.vf  %[r], %[ln2hi], %[nf]\n\t"
            "vfnmsac.vf  %[r], %[ln2lo], %[nf]\n\t"
            "vfmv.v.f    %[q], %[c6]\n\t"
            "vfmadd.vv   %[q], %[r], %[c5]\n\t"
            "vfmadd.vv   %[q], %[r], %[c4]\n\t"
            "vfmadd.vv   %[q], %[r], %[c3]\n\t"
            "vfmadd.vv   %[q], %[r], %[c2]\n\t"
            "vfmadd.vv   %[q], %[r], %[one]\n\t"
            "vfmadd.vv   %[q], %[r], %[one]\n\t"
            "vadd.vx     %[n], %[n], %[bias]\n\t"
            "vsll.vi     %[n], %[n], 23\n\t"
            "vfmul.vv    %[q], %[q], %[n]\n\t"
            "vfadd.vf    %[q], %[q], %[fone]\n\t"
            "vfdiv.vv    %[y], %[x], %[q]"
            : [y] "=&vr"(y), [r] "=&vr"(r), [q] "=&vr"(q), [nf] "=&vr"(nf), [n] "=&vr"(n)
            : [x] "vr"(x), [t] "vr"(t), [c2] "vr"(c2), [c3] "vr"(c3), [c4] "vr"(c4),
              [c5] "vr"(c5), [one] "vr"(one), [hi] "f"(k[0]), [lo] "f"(k[1]),
              [log2e] "f"(k[2]), [ln2hi] "f"(k[3]), [ln2lo] "f"(k[4]), [c6] "f"(k[5]),
              [fone] "f"(k[6]), [bias] "r"(127));
    return y;
}

/* silu of vl halves given as floats widened from f16 m1; result rounded once to half. */
#define EDGEDIFF_RVV_SILU_F16M1(h, vl)                                                     \
    vfncvt_f_f_w_f16m1(EDGEDIFF_RVV_SILU(vfwcvt_f_f_v_f32m2((h), (vl)), (vl)), (vl))

#endif /* EDGEDIFF_RVV_INTERNAL && __riscv_vector */

#endif /* EDGEDIFF_KERNELS_RVV_H */
