/* The RVV F32 convolution of conv2d_f32_rvv.c (see there), internal to codegen/kernels:
 * conv2d_rvv.h instantiated for float elements, and one externally visible entry point
 * named by the includer's EDGEDIFF_RVV_CONV2D_NAME (undefined here after use).
 * conv2d_f32_rvv.c names it edgediff_conv2d_f32_rvv; binary_weight_conv2d_f32_rvv.c
 * compiles the same code under its own name: an externally visible function is not
 * specialised for the caller's constant arguments (a copy specialised for bias NULL broke
 * the ordering of its asm blocks against the compiler's vsetvli and hung or gave wrong
 * sums), and no .c file includes another. */
#ifndef EDGEDIFF_RVV_CONV2D_NAME
#error "define EDGEDIFF_RVV_CONV2D_NAME before including this header"
#endif
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

typedef float elem_t;
typedef vfloat32m2_t vec_t;
#define VSETVL(n) vsetvl_e32m2(n)
#define VLMAX() vsetvlmax_e32m2()
#define VLOAD vle32_v_f32m2
#define VSTORE vse32_v_f32m2
#define VSTORE_STRIDED vsse32_v_f32m2
#define VSPLAT vfmv_v_f_f32m2
#define VUNDEF vundefined_f32m2
#define VRELU(v, vl) vfmax_vf_f32m2(v, 0.0f, vl)
#define VCHUNK_LANES 8 /* vec_t lanes at VLEN 128 */
#define ASM_VTYPE "e32, m2"
#define ASM_VLOAD "vle32.v"
/* Gather offsets for strided convolutions: 16-bit, as many lanes as vec_t. */
typedef vuint16m1_t idx_t;
#define VID() vid_v_u16m1(vl)
#define VIDX_DIV vdivu_vx_u16m1
#define VIDX_MUL vmul_vx_u16m1
#define VIDX_ADD vadd_vx_u16m1
#define VIDX_SUB vsub_vv_u16m1
#define VIDX_MACC vmacc_vx_u16m1
#define VIDX_UNDEF vundefined_u16m1
#include "edgediff/internal/conv2d_rvv.h"

static void silu_in_place(elem_t *x, int32_t count) {
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vse32_v_f32m2(x + i, EDGEDIFF_RVV_SILU(vle32_v_f32m2(x + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}

/* Declared here: the binary_weight copy has no public prototype. */
void EDGEDIFF_RVV_CONV2D_NAME(const conv2d_params_t *p, const float *in,
                              const float *weight, const float *bias, float *out);
void EDGEDIFF_RVV_CONV2D_NAME(const conv2d_params_t *p, const float *in,
                              const float *weight, const float *bias, float *out) {
    conv2d(p, in, weight, bias, out);
}
#undef EDGEDIFF_RVV_CONV2D_NAME
