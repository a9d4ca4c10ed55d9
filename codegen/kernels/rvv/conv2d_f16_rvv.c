/* RVV FP16 2-D convolution: 3x3 pad 1 with stride 1 or 2, and 1x1 stride 1 pad 0;
 * dilation 1, groups 1, NCHW (the shapes overrides/rvv.py lets through; everything else keeps the
 * reference).
 *
 * ACCUMULATION: FP16. Products and sums are vfmacc.vf on halves (16 lanes per instruction
 * at LMUL 2), so each output is the FP16 sum of its c_in*k*k products, with one rounding
 * per multiply-add. That doubles the lanes per instruction over FP32 accumulation
 * (vfwmacc would need LMUL 4 for 16 lanes) at the price of an error bound of
 * (K+1) * 2^-11 * sum|w*x| instead of (K+1) * 2^-24 (K = c_in*k*k); registered with
 * half_accumulation=True so tolerances use the FP16 bound.
 *
 * Layout of the work: the output plane is treated as one flat row of h*w positions, cut
 * into chunks of up to 16 lanes (two 8-wide rows per chunk, say). A block keeps 2 chunks x
 * up to 6 output channels = 12 accumulators (24 vector registers) and, per input channel
 * and tap, does 2 loads, 6 scalar weight loads and 12 vfmacc.vf.
 * 3x3 borders need no mask and no per-element test: the input channels are first copied
 * into a stack buffer, three times each, with one zero row above and below (and a zero
 * guard element at each end); the copy read by the left taps (kx = 0) has its last column
 * zeroed, the copy read by the right taps (kx = 2) its first column. In the flat layout a
 * left tap at x = 0 reads the previous row's last element, which is then 0, and a right
 * tap at x = w-1 the next row's first, also 0; so every tap is one plain vector load at a
 * constant offset, whatever the width (stride 2: an indexed load with per-lane offsets).
 * The buffer (16 KiB) holds as many input channels as fit; with more channels the
 * partial sums go through out (stored in FP16, consistent with FP16 accumulation), and
 * planes too large for one channel are cut into bands of rows.
 * A fused SiLU runs as a second pass over the finished output (widened to FP32, see
 * kernels_rvv.h); ReLU is applied at the store. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels.h"

typedef edgediff_f16_t elem_t;
typedef vfloat16m2_t vec_t;
#define VSETVL(n) vsetvl_e16m2(n)
#define VLMAX() vsetvlmax_e16m2()
#define VLOAD vle16_v_f16m2
#define VSTORE vse16_v_f16m2
#define VSTORE_STRIDED vsse16_v_f16m2
#define VSPLAT vfmv_v_f_f16m2
#define VUNDEF vundefined_f16m2
#define VRELU(v, vl) vfmax_vf_f16m2(v, (elem_t)0.0f, vl)
#define VCHUNK_LANES 16 /* vec_t lanes at VLEN 128 */
#define ASM_VTYPE "e16, m2"
#define ASM_VLOAD "vle16.v"
/* Gather offsets for strided convolutions: 16-bit, as many lanes as vec_t. */
typedef vuint16m2_t idx_t;
#define VID() vid_v_u16m2(vl)
#define VIDX_DIV vdivu_vx_u16m2
#define VIDX_MUL vmul_vx_u16m2
#define VIDX_ADD vadd_vx_u16m2
#define VIDX_SUB vsub_vv_u16m2
#define VIDX_MACC vmacc_vx_u16m2
#define VIDX_UNDEF vundefined_u16m2
#include "conv2d_rvv.h"

/* Widened to FP32 for the SiLU (kernels_rvv.h), one rounding back to half. */
static void silu_in_place(elem_t *x, int32_t count) {
    EDGEDIFF_RVV_SILU_SETUP();
    for (int32_t i = 0; i < count;) {
        const size_t vl = vsetvl_e16m1((size_t)(count - i));
        vse16_v_f16m1(x + i, EDGEDIFF_RVV_SILU_F16M1(vle16_v_f16m1(x + i, vl), vl), vl);
        i += (int32_t)vl;
    }
}

void edgediff_conv2d_f16_rvv(const conv2d_params_t *p, const edgediff_f16_t *in,
                             const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                             edgediff_f16_t *out) {
    conv2d(p, in, weight, bias, out);
}
