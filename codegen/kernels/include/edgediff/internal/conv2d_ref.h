/* The reference 2-D convolution, written once for both element types; internal to
 * codegen/kernels/ref/conv2d_f32.c and conv2d_f16.c. The includer defines
 * EDGEDIFF_CONV2D_REF_ELEM (float or edgediff_f16_t) and EDGEDIFF_CONV2D_REF_NAME (the
 * kernel's public name); both are undefined at the end of this header.
 *
 * Direct loop nest, zero padding, grouped and dilated. For each output pixel the kernel
 * window is first clipped to the input (so the inner loops carry no bounds checks); the
 * parameters are read into locals once, so the compiler need not reload them after every
 * store to out. Elements widen to float (exact for halves), products and sums are FP32 and
 * each output is rounded once to the element type. A row window (conv2d_params_t rows > 0:
 * tiled execution) computes only output rows [row0, row0 + rows), clipped to the image's
 * height, so each output is summed as in the whole call.
 *
 * Typed element pointers rather than kernel_util.h's generic loops over untyped tensors:
 * arm-none-eabi-gcc 12 compiles the generic form of this loop 36% slower (measured: UNet
 * reference FP32 on cortex-m55, 110 M vs 149 M instructions), and this kernel is the
 * baseline every speed-up is measured against. */
#if !defined(EDGEDIFF_CONV2D_REF_ELEM) || !defined(EDGEDIFF_CONV2D_REF_NAME)
#error "define EDGEDIFF_CONV2D_REF_ELEM and EDGEDIFF_CONV2D_REF_NAME before including this header"
#endif

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void EDGEDIFF_CONV2D_REF_NAME(const conv2d_params_t *p, const EDGEDIFF_CONV2D_REF_ELEM *in,
                              const EDGEDIFF_CONV2D_REF_ELEM *weight,
                              const EDGEDIFF_CONV2D_REF_ELEM *bias, EDGEDIFF_CONV2D_REF_ELEM *out) {
    typedef EDGEDIFF_CONV2D_REF_ELEM elem_t;
    const int32_t h_in = p->h_in, w_in = p->w_in, h_out = p->h_out, w_out = p->w_out;
    const int32_t kh = p->kernel_h, kw = p->kernel_w;
    const int32_t stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t dil_h = p->dilation_h, dil_w = p->dilation_w;
    const int32_t cin_per_group = p->c_in / p->groups;
    const int32_t cout_per_group = p->c_out / p->groups;
    const int32_t act = p->act;
    /* the row window (conv2d_params_t): image rows, buffer origins and plane heights */
    const int32_t y_first = p->rows ? p->row0 : 0, y_end = p->rows ? p->row0 + p->rows : h_out;
    const int32_t in_first = p->rows ? p->in_row0 : 0, in_step = (p->rows ? p->in_rows : h_in) * w_in;
    const int32_t out_first = p->rows ? p->out_row0 : 0, out_step = (p->rows ? p->out_rows : h_out) * w_out;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; ++co) {
            const int32_t ci_first = (co / cout_per_group) * cin_per_group;
            const elem_t *w_co = weight + co * cin_per_group * kh * kw;
            const elem_t *in_group = in + (n * p->c_in + ci_first) * in_step;
            elem_t *out_plane = out + (n * p->c_out + co) * out_step;
            const float b = bias ? (float)bias[co] : 0.0f;
            for (int32_t y = y_first; y < y_end; ++y) {
                const int32_t iy0 = y * stride_h - p->pad_h;
                int32_t ky_first, ky_end;
                edgediff_clip_taps(iy0, dil_h, kh, h_in, &ky_first, &ky_end);
                for (int32_t x = 0; x < w_out; ++x) {
                    const int32_t ix0 = x * stride_w - p->pad_w;
                    int32_t kx_first, kx_end;
                    edgediff_clip_taps(ix0, dil_w, kw, w_in, &kx_first, &kx_end);
                    float acc = b;
                    for (int32_t ci = 0; ci < cin_per_group; ++ci) {
                        const elem_t *in_rows = in_group + ci * in_step;
                        const elem_t *w_ci = w_co + ci * kh * kw;
                        for (int32_t ky = ky_first; ky < ky_end; ++ky) {
                            const elem_t *in_row = in_rows + (iy0 + ky * dil_h - in_first) * w_in + ix0;
                            const elem_t *w_row = w_ci + ky * kw;
                            for (int32_t kx = kx_first; kx < kx_end; ++kx) {
                                acc += (float)in_row[kx * dil_w] * (float)w_row[kx];
                            }
                        }
                    }
                    out_plane[(y - out_first) * w_out + x] = (elem_t)edgediff_apply_act(acc, act);
                }
            }
        }
    }
}

#undef EDGEDIFF_CONV2D_REF_ELEM
#undef EDGEDIFF_CONV2D_REF_NAME
