/* The RVV FP32 convolution of conv2d_f32_rvv.c (see there), internal to codegen/kernels:
 * conv2d_rvv.h instantiated for float; the entry point is named as in conv2d_f16_rvv.h. */
#ifndef EDGEDIFF_RVV_CONV2D_NAME
#error "define EDGEDIFF_RVV_CONV2D_NAME before including this header"
#endif
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

typedef float elem_t;
typedef vfloat32m2_t vec_t;
#define EDGEDIFF_VSETVL(n) vsetvl_e32m2(n)
#define EDGEDIFF_VLMAX() vsetvlmax_e32m2()
#define EDGEDIFF_VLOAD vle32_v_f32m2
#define EDGEDIFF_VSTORE vse32_v_f32m2
#define EDGEDIFF_VSTORE_STRIDED vsse32_v_f32m2
#define EDGEDIFF_VSPLAT vfmv_v_f_f32m2
#define EDGEDIFF_VUNDEF vundefined_f32m2
#define EDGEDIFF_VRELU(v, vl) vfmax_vf_f32m2(v, 0.0f, vl)
#define EDGEDIFF_VCHUNK_LANES 8 /* vec_t lanes at VLEN 128 */
#define EDGEDIFF_ASM_VTYPE "e32, m2"
#define EDGEDIFF_ASM_VLOAD "vle32.v"
/* Gather offsets for strided convolutions: 16-bit, as many lanes as vec_t. */
typedef vuint16m1_t idx_t;
#define EDGEDIFF_VID() vid_v_u16m1(vl)
#define EDGEDIFF_VIDX_DIV vdivu_vx_u16m1
#define EDGEDIFF_VIDX_MUL vmul_vx_u16m1
#define EDGEDIFF_VIDX_ADD vadd_vx_u16m1
#define EDGEDIFF_VIDX_SUB vsub_vv_u16m1
#define EDGEDIFF_VIDX_MACC vmacc_vx_u16m1
#define EDGEDIFF_VIDX_UNDEF vundefined_u16m1
#include "edgediff/internal/conv2d_rvv.h"

static void silu_in_place(elem_t *x, int32_t count) {
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vse32_v_f32m2(x + i, EDGEDIFF_RVV_SILU(vle32_v_f32m2(x + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}
