/* int8 2-D convolution for RVV 1.0 (VLEN=128): groups 1, dilation 1, any kernel
 * (kernel_h <= EDGEDIFF_S8_CONV_MAX_KH), stride and padding (overrides/rvv.py). The layout
 * of conv2d_s8_mve: a ring of kernel_h input rows in scratch, channels innermost, the
 * padding and the rows outside the image the input zero point; each output pixel's patch
 * (kernel_h runs of kernel_w * c_in bytes) gathered into one contiguous column; the weights
 * packed once per call in that order (zero past the patch). The input offset is not added
 * per tap: sum((x + offset) * w) = sum(x * w) + offset * sum(w), the padding included (there
 * x + offset = 0, as the reference skips it); offset * sum(w) + bias is one int32 per
 * channel. A dot product step is 16 int8 products widened to int16 (vwmul) and summed into
 * an int32 (vwredsum), for blocks of 4 output channels x 2 pixels; the 4 channels' sums of
 * a pixel then go through the requantization as one vector (internal/gemm_s8_rvv.h). Exact int32 sums in
 * another order: same bytes as ref/conv2d_s8.c. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels_rvv.h"
#include "edgediff/internal/gemm_s8_rvv.h"

/* Input row iy (the zero point outside the image) as a padded HWC row. */
static void fill_row(const conv2d_params_t *g, const int8_t *image, int8_t zero_point, int32_t iy,
                     int8_t *row) {
    const int32_t c = g->c_in;
    const int32_t bytes = (g->w_in + 2 * g->pad_w) * c + 16;
    if (iy < 0 || iy >= g->h_in) {
        for (int32_t i = 0; i < bytes;) {
            const size_t vl = vsetvl_e8m1((size_t)(bytes - i));
            vse8_v_i8m1(row + i, vmv_v_x_i8m1(zero_point, vl), vl);
            i += (int32_t)vl;
        }
        return;
    }
    const int32_t pad = g->pad_w * c;
    for (int32_t i = 0; i < pad; ++i) {
        row[i] = zero_point;
        row[pad + g->w_in * c + i] = zero_point;
    }
    /* a channel's row: a strided store c bytes apart */
    const int32_t plane = g->h_in * g->w_in;
    for (int32_t ci = 0; ci < c; ++ci) {
        const int8_t *src = image + ci * plane + iy * g->w_in;
        int8_t *dst = row + pad + ci;
        for (int32_t ix = 0; ix < g->w_in;) {
            const size_t vl = vsetvl_e8m1((size_t)(g->w_in - ix));
            vsse8_v_i8m1(dst + ix * c, c, vle8_v_i8m1(src + ix, vl), vl);
            ix += (int32_t)vl;
        }
    }
}

/* The patches of two output pixels (first kernel rows at rows[ky] + at and + at + step) as
 * contiguous columns, in whole 16-byte vectors (a run's last one spills into the next
 * run's place, written next, or the column's slack; it reads into the ring row's slack). */
static inline __attribute__((always_inline)) void gather2(const int8_t *const *rows,
                                                          int32_t kernel_h, int32_t run,
                                                          int32_t at, int32_t step,
                                                          int8_t *col0, int8_t *col1) {
    for (int32_t ky = 0; ky < kernel_h; ++ky) {
        const int8_t *s0 = rows[ky] + at;
        const int8_t *s1 = s0 + step;
        int8_t *d0 = col0 + ky * run;
        int8_t *d1 = col1 + ky * run;
        for (int32_t i = 0; i < run; i += 16) {
            vse8_v_i8m1(d0 + i, vle8_v_i8m1(s0 + i, 16), 16);
            vse8_v_i8m1(d1 + i, vle8_v_i8m1(s1 + i, 16), 16);
        }
    }
}

void edgediff_conv2d_s8_rvv(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    const conv2d_params_t *g = &p->conv;
    const int32_t vectors = edgediff_conv2d_s8_rvv_patch_vectors(p);
    const int32_t row_bytes = edgediff_conv2d_s8_rvv_row_bytes(p);
    const int32_t step = g->stride_w * g->c_in;
    const int32_t plane_out = g->h_out * g->w_out;
    const int8_t zero_point = (int8_t)(-p->q.input_offset);
    const int32_t c_out = g->c_out, w_out = g->w_out, kernel_h = g->kernel_h;
    const int32_t run = g->kernel_w * g->c_in;
    const quant_s8_params_t q = p->q;
    int8_t *packed = (int8_t *)scratch;
    int32_t *params = (int32_t *)(packed + edgediff_conv2d_s8_rvv_weight_bytes(p));
    int8_t *ring = (int8_t *)params + edgediff_scratch_round((c_out + 3) / 4 * 64);
    int8_t *col0 = ring + edgediff_conv2d_s8_rvv_ring_bytes(p);
    int8_t *col1 = col0 + vectors * 16 + 16;
    edgediff_s8_rvv_pack(weight, c_out, g->c_in, g->kernel_h * g->kernel_w, vectors,
                         p->q.input_offset, bias, multiplier, shift, packed, params);
    /* vsmul and vssra round to nearest, ties up (vxrm = rnu) */
    __asm__ volatile("csrwi vxrm, 0");
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * g->h_in * g->w_in;
        int8_t *dst = out + n * c_out * plane_out;
        int32_t held[EDGEDIFF_S8_CONV_MAX_KH];
        const int8_t *rows[EDGEDIFF_S8_CONV_MAX_KH];
        for (int32_t k = 0; k < kernel_h; ++k) {
            held[k] = INT32_MIN;
        }
        for (int32_t oy = 0; oy < g->h_out; ++oy) {
            for (int32_t ky = 0; ky < kernel_h; ++ky) {
                const int32_t iy = oy * g->stride_h - g->pad_h + ky;
                const int32_t slot = (iy + g->pad_h) % kernel_h;
                int8_t *row = ring + slot * row_bytes;
                if (held[slot] != iy) {
                    fill_row(g, image, zero_point, iy, row);
                    held[slot] = iy;
                }
                rows[ky] = row;
            }
            for (int32_t ox = 0; ox < w_out; ox += 2) {
                const int two = ox + 1 < w_out;
                gather2(rows, kernel_h, run, ox * step, two ? step : 0, col0, col1);
                int8_t *o = dst + oy * w_out + ox;
                const int8_t *w = packed;
                for (int32_t co = 0; co < c_out; co += 4) {
                    int32_t sums[8];
                    edgediff_s8_rvv_dot_4x2(w, col0, col1, vectors, sums);
                    w += vectors * 64;
                    const int32_t *c = params + co * 4;
                    const size_t live = (size_t)(c_out - co < 4 ? c_out - co : 4);
                    edgediff_s8_rvv_store4(vle32_v_i32m1(sums, 4), c, &q, o, plane_out, live);
                    if (two) {
                        edgediff_s8_rvv_store4(vle32_v_i32m1(sums + 4, 4), c, &q, o + 1, plane_out,
                                               live);
                    }
                    o += 4 * plane_out;
                }
            }
        }
    }
}
