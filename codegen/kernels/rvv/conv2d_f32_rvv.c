/* RVV FP32 2-D convolution: 3x3 pad 1 with stride 1 or 2, and 1x1 stride 1 pad 0;
 * dilation 1, groups 1, NCHW (the shapes overrides/rvv.py lets through; everything else
 * keeps the reference).
 *
 * ACCUMULATION: FP32 (vfmacc.vf on floats, 8 lanes per instruction at LMUL 2), like the
 * reference; only the order of the sums differs (bias first, then input channel by input
 * channel, taps in row order), within the FP32 bound.
 *
 * Same structure as the FP16 kernel (conv2d_f16_rvv.c, see there for the details): the
 * output plane is one flat row of h*w positions cut into chunks of up to 8 lanes; a block
 * keeps 2 chunks x up to 6 output channels = 12 accumulators (24 vector registers) and per
 * input channel and tap does 2 loads, 6 scalar weight loads (from weights packed per
 * block) and 12 vfmacc.vf. 3x3 borders need no masks: input rows are copied into a 16 KiB
 * stack buffer three times per channel with zero rows above and below, the copy for the
 * left taps with its last column zeroed and the copy for the right taps with its first
 * column zeroed, so every tap is a plain load (stride 2: an indexed load with per-lane
 * offsets). More input channels than the buffer holds are summed through out (exact,
 * FP32); planes too large for one channel are cut into bands of rows. A fused SiLU is a
 * second pass over the output; ReLU is applied at the store. */
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
#include "conv2d_rvv.h"

static void silu_in_place(elem_t *x, int32_t count) {
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e32m2((size_t)(count - i));
        vse32_v_f32m2(x + i, EDGEDIFF_RVV_SILU(vle32_v_f32m2(x + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}

void edgediff_conv2d_f32_rvv(const conv2d_params_t *p, const float *in, const float *weight,
                             const float *bias, float *out) {
    conv2d(p, in, weight, bias, out);
}
