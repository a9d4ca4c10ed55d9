/* Scalar FPU overrides (a core with a hardware FP32 FPU and no vector unit: RISC-V F/Zfh,
 * Armv7E-M FPv4-SP, Armv8-M FPv5): same signatures as the reference kernels in kernels.h,
 * suffix _fpu; a kernel that needs working memory takes it as one more, last, argument
 * `void *scratch` of edgediff_<kernel>_get_buffer_size(&params) bytes (edgediff/scratch.h).
 * Declared for every target (plain C types), defined only in codegen/kernels/fpu/; the
 * size functions are inline here, so the host can compile them too. FP16 storage widens
 * each element once per reuse (not once per multiply-add) and computes in FP32; every
 * multiply-add is fused (__builtin_fmaf, internal/fpu_math.h). */
#ifndef EDGEDIFF_KERNELS_FPU_H
#define EDGEDIFF_KERNELS_FPU_H

#include "edgediff/kernels.h"
#include "edgediff/scratch.h"

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif

#endif /* EDGEDIFF_KERNELS_FPU_H */
