/* The reference transposed convolution, written once for both element types; internal to
 * codegen/kernels/ref/conv_transpose2d_f32.c and conv_transpose2d_f16.c. The includer defines
 * EDGEDIFF_CONV_T_REF_ELEM (float or edgediff_f16_t) and EDGEDIFF_CONV_T_REF_NAME (the
 * kernel's public name); both are undefined at the end of this header.
 *
 * Gather form (kernels.h): for each output pixel the taps that reach it are found per axis
 * (transpose_taps.h), so the inner loops carry no divisibility or bounds tests, and its sum
 * is kept in a float and stored once. Elements widen to float (exact for halves), products
 * and sums are FP32 and each output is rounded once to the element type. */
#if !defined(EDGEDIFF_CONV_T_REF_ELEM) || !defined(EDGEDIFF_CONV_T_REF_NAME)
#error "define EDGEDIFF_CONV_T_REF_ELEM and EDGEDIFF_CONV_T_REF_NAME before including this header"
#endif

#include "edgediff/internal/kernel_util.h"
#include "edgediff/internal/transpose_taps.h"
#include "edgediff/kernels.h"

void EDGEDIFF_CONV_T_REF_NAME(const conv_transpose2d_params_t *p,
                              const EDGEDIFF_CONV_T_REF_ELEM *in,
                              const EDGEDIFF_CONV_T_REF_ELEM *weight,
                              const EDGEDIFF_CONV_T_REF_ELEM *bias, EDGEDIFF_CONV_T_REF_ELEM *out) {
    typedef EDGEDIFF_CONV_T_REF_ELEM elem_t;
    const int32_t h_in = p->h_in, w_in = p->w_in, h_out = p->h_out, w_out = p->w_out;
    const int32_t kh = p->kernel_h, kw = p->kernel_w;
    const int32_t stride_h = p->stride_h, stride_w = p->stride_w;
    const int32_t cin_per_group = p->c_in / p->groups;
    const int32_t cout_per_group = p->c_out / p->groups;
    const int32_t ci_step = cout_per_group * kh * kw; /* weight elements per input channel */
    const int32_t act = p->act;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; ++co) {
            const int32_t ci_first = (co / cout_per_group) * cin_per_group;
            const elem_t *w_co = weight + ci_first * ci_step + (co % cout_per_group) * kh * kw;
            const elem_t *in_group = in + (n * p->c_in + ci_first) * h_in * w_in;
            elem_t *out_plane = out + (n * p->c_out + co) * h_out * w_out;
            const float b = bias ? (float)bias[co] : 0.0f;
            for (int32_t y = 0; y < h_out; ++y) {
                int32_t ky0 = 0, iy0 = 0;
                const int32_t n_ky =
                    edgediff_transpose_taps(y, p->pad_h, stride_h, kh, h_in, &ky0, &iy0);
                for (int32_t x = 0; x < w_out; ++x) {
                    int32_t kx0 = 0, ix0 = 0;
                    const int32_t n_kx =
                        edgediff_transpose_taps(x, p->pad_w, stride_w, kw, w_in, &kx0, &ix0);
                    float acc = b;
                    for (int32_t ci = 0; ci < cin_per_group; ++ci) {
                        const elem_t *in_plane = in_group + ci * h_in * w_in;
                        const elem_t *w_ci = w_co + ci * ci_step;
                        for (int32_t t = 0; t < n_ky; ++t) {
                            const elem_t *in_row = in_plane + (iy0 - t) * w_in + ix0;
                            const elem_t *w_row = w_ci + (ky0 + t * stride_h) * kw + kx0;
                            for (int32_t u = 0; u < n_kx; ++u) {
                                acc += (float)in_row[-u] * (float)w_row[u * stride_w];
                            }
                        }
                    }
                    out_plane[y * w_out + x] = (elem_t)edgediff_apply_act(acc, act);
                }
            }
        }
    }
}

#undef EDGEDIFF_CONV_T_REF_ELEM
#undef EDGEDIFF_CONV_T_REF_NAME
