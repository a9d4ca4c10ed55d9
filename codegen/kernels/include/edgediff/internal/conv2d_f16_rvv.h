/* The RVV FP16 convolution of conv2d_f16_rvv.c (see there), internal to codegen/kernels:
 * conv2d_rvv.h instantiated for edgediff_f16_t, with its one externally visible entry point
 * named by the includer's EDGEDIFF_RVV_CONV2D_NAME (conv2d_rvv.h undefines it after use).
 * conv2d_f16_rvv.c names it edgediff_conv2d_f16_rvv; binary_weight_conv2d_f16_rvv.c
 * compiles the same code under its own name: an externally visible function is not
 * specialised for the caller's constant arguments (a copy specialised for bias NULL broke
 * the ordering of its asm blocks against the compiler's vsetvli and hung or gave wrong
 * sums), and no .c file includes another. */
#ifndef EDGEDIFF_RVV_CONV2D_NAME
#error "define EDGEDIFF_RVV_CONV2D_NAME before including this header"
#endif
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

typedef edgediff_f16_t elem_t;
typedef vfloat16m2_t vec_t;
#define EDGEDIFF_VSETVL(n) vsetvl_e16m2(n)
#define EDGEDIFF_VLMAX() vsetvlmax_e16m2()
#define EDGEDIFF_VLOAD vle16_v_f16m2
#define EDGEDIFF_VSTORE vse16_v_f16m2
#define EDGEDIFF_VSTORE_STRIDED vsse16_v_f16m2
#define EDGEDIFF_VSPLAT vfmv_v_f_f16m2
#define EDGEDIFF_VUNDEF vundefined_f16m2
#define EDGEDIFF_VRELU(v, vl) vfmax_vf_f16m2(v, (elem_t)0.0f, vl)
#define EDGEDIFF_VCHUNK_LANES 16 /* vec_t lanes at VLEN 128 */
#define EDGEDIFF_ASM_VTYPE "e16, m2"
#define EDGEDIFF_ASM_VLOAD "vle16.v"
/* Gather offsets for strided convolutions: 16-bit, as many lanes as vec_t. */
typedef vuint16m2_t idx_t;
#define EDGEDIFF_VID() vid_v_u16m2(vl)
#define EDGEDIFF_VIDX_DIV vdivu_vx_u16m2
#define EDGEDIFF_VIDX_MUL vmul_vx_u16m2
#define EDGEDIFF_VIDX_ADD vadd_vx_u16m2
#define EDGEDIFF_VIDX_SUB vsub_vv_u16m2
#define EDGEDIFF_VIDX_MACC vmacc_vx_u16m2
#define EDGEDIFF_VIDX_UNDEF vundefined_u16m2
#include "edgediff/internal/conv2d_rvv.h"

/* Widened to FP32 for the SiLU (kernels_rvv.h), one rounding back to half. */
static void silu_in_place(elem_t *x, int32_t count) {
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m1((size_t)(count - i));
        vse16_v_f16m1(x + i, EDGEDIFF_RVV_SILU_F16M1(vle16_v_f16m1(x + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}
