/* Reference 2-D convolution: direct loop nest, zero padding, grouped and dilated. */
#include "edgediff/kernel_util.h"
#include "edgediff/kernels.h"

void conv2d_f32(const conv2d_params_t *p, const float *in, const float *weight,
                const float *bias, float *out) {
    const int32_t cin_per_group = p->c_in / p->groups;
    const int32_t cout_per_group = p->c_out / p->groups;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co = 0; co < p->c_out; ++co) {
            const int32_t ci_first = (co / cout_per_group) * cin_per_group;
            const float *w_co = weight + co * cin_per_group * p->kernel_h * p->kernel_w;
            float *out_plane = out + (n * p->c_out + co) * p->h_out * p->w_out;
            for (int32_t y = 0; y < p->h_out; ++y) {
                for (int32_t x = 0; x < p->w_out; ++x) {
                    float acc = bias ? bias[co] : 0.0f;
                    for (int32_t ci = 0; ci < cin_per_group; ++ci) {
                        const float *in_plane =
                            in + (n * p->c_in + ci_first + ci) * p->h_in * p->w_in;
                        const float *w_ci = w_co + ci * p->kernel_h * p->kernel_w;
                        for (int32_t ky = 0; ky < p->kernel_h; ++ky) {
                            const int32_t iy = y * p->stride_h - p->pad_h + ky * p->dilation_h;
                            if (iy < 0 || iy >= p->h_in) {
                                continue;
                            }
                            for (int32_t kx = 0; kx < p->kernel_w; ++kx) {
                                const int32_t ix =
                                    x * p->stride_w - p->pad_w + kx * p->dilation_w;
                                if (ix < 0 || ix >= p->w_in) {
                                    continue;
                                }
                                acc += in_plane[iy * p->w_in + ix] * w_ci[ky * p->kernel_w + kx];
                            }
                        }
                    }
                    out_plane[y * p->w_out + x] = edgediff_apply_act(acc, p->act);
                }
            }
        }
    }
}
