/* int8 2-D convolution for RVV 1.0 (VLEN=128): groups 1, dilation 1, any kernel
 * (kernel_h <= EDGEDIFF_S8_CONV_MAX_KH), stride and padding (overrides/rvv.py). The layout
 * of conv2d_s8_mve: the kernel_h input rows an output row reads are copied into scratch
 * column by column (column x holds row 0's c_in channels, then row 1's, ..., still int8;
 * the padding columns and the rows outside the image the input zero point), so the patch
 * of an output pixel (kernel_w columns from x * stride_w) is one contiguous run of kernel_w
 * * kernel_h * c_in bytes, read in place as whole 16-byte vectors. The weights come packed
 * from flash in the same tap order (kx, ky, channel; overrides/mve.py conv_s8_pack, at
 * build time), in blocks of 4 output channels, zero past the patch, so the up to 15 bytes
 * a patch's last vector reads past it (the next column, or the scratch's slack of as many
 * bytes) add nothing. The input offset is not added per tap: sum((x + offset) * w) =
 * sum(x * w) + offset * sum(w), the padding included (there x + offset = 0, as the
 * reference skips it); offset * sum(w) + bias is one int32 per channel, packed with the
 * requantization's parameters at build time (the `multiplier` argument, 16 int32 per block;
 * `bias` and `shift` are NULL). A dot product step is 16 int8 products widened to int16
 * (vwmul) and summed into an int32 (vwredsum), for blocks of 4 output channels x 2 pixels;
 * the 4 channels' sums of a pixel then go through the requantization as one vector
 * (internal/gemm_s8_rvv.h). Exact int32 sums in another order: same bytes as
 * ref/conv2d_s8.c. */
#define EDGEDIFF_RVV_INTERNAL
#include "edgediff/kernels_rvv.h"
#include "edgediff/internal/gemm_s8_rvv.h"

/* n contiguous bytes of the zero point from dst on */
static void fill_zero_point(int8_t *dst, int32_t n, int8_t zero_point) {
    for (int32_t i = 0; i < n;) {
        const size_t vl = vsetvl_e8m4((size_t)(n - i));
        vse8_v_i8m4(dst + i, vmv_v_x_i8m4(zero_point, vl), vl);
        i += (int32_t)vl;
    }
}

/* Input row iy as row ky of the columns (the zero point outside the image); the padding
 * columns already hold the zero point. A channel's w_in bytes are one strided store, a
 * column apart. */
static void fill_row(const conv2d_params_t *g, const int8_t *image, int8_t zero_point,
                     int32_t iy, int32_t ky, int8_t *ring) {
    const int32_t c = g->c_in, column = g->kernel_h * c, w_in = g->w_in;
    int8_t *body = ring + g->pad_w * column + ky * c;
    const int inside = iy >= 0 && iy < g->h_in;
    const int32_t plane = g->h_in * w_in;
    const int8_t *src = image + (inside ? iy : 0) * w_in;
    for (int32_t ci = 0; ci < c; ++ci, src += plane) {
        int8_t *dst = body + ci;
        for (int32_t ix = 0; ix < w_in;) {
            const size_t vl = vsetvl_e8m4((size_t)(w_in - ix));
            const vint8m4_t v = inside ? vle8_v_i8m4(src + ix, vl) : vmv_v_x_i8m4(zero_point, vl);
            vsse8_v_i8m4(dst + ix * column, column, v, vl);
            ix += (int32_t)vl;
        }
    }
}

void edgediff_conv2d_s8_rvv(const conv2d_s8_params_t *p, const int8_t *in, const int8_t *weight,
                            const int32_t *bias, const int32_t *multiplier, const int32_t *shift,
                            int8_t *out, void *scratch) {
    (void)bias;
    (void)shift;
    const conv2d_params_t *g = &p->conv;
    const int32_t vectors = edgediff_conv2d_s8_rvv_patch_vectors(p);
    const int32_t column = g->kernel_h * g->c_in;
    const int32_t step = g->stride_w * column; /* bytes from one output pixel's patch to the next */
    const int32_t plane_out = g->h_out * g->w_out;
    const int8_t zero_point = (int8_t)(-p->q.input_offset);
    const int32_t c_out = g->c_out, w_out = g->w_out, block_bytes = vectors * 64;
    const quant_s8_params_t q = p->q;
    int8_t *ring = (int8_t *)scratch;
    /* the padding columns (and the slack) hold the zero point for the whole call */
    fill_zero_point(ring, (g->w_in + 2 * g->pad_w) * column + vectors * 16 - g->kernel_w * column,
                    zero_point);
    /* vsmul and vssra round to nearest, ties up (vxrm = rnu) */
    __asm__ volatile("csrwi vxrm, 0");
    for (int32_t n = 0; n < g->n; ++n) {
        const int8_t *image = in + n * g->c_in * g->h_in * g->w_in;
        int8_t *dst = out + n * c_out * plane_out;
        for (int32_t oy = 0; oy < g->h_out; ++oy) {
            for (int32_t ky = 0; ky < g->kernel_h; ++ky) {
                fill_row(g, image, zero_point, oy * g->stride_h - g->pad_h + ky, ky, ring);
            }
            for (int32_t ox = 0; ox < w_out; ox += 2) {
                const int two = ox + 1 < w_out;
                /* one pixel: its patch twice (the second result is not stored) */
                const int8_t *a = ring + ox * step;
                const int8_t *b = two ? a + step : a;
                int8_t *o = dst + oy * w_out + ox;
                const int8_t *w = weight;
                const int32_t *c = multiplier;
                for (int32_t co = 0; co < c_out; co += 4) {
                    int32_t sums[8];
                    edgediff_s8_rvv_dot_4x2(w, a, b, vectors, sums);
                    w += block_bytes;
                    const size_t live = (size_t)(c_out - co < 4 ? c_out - co : 4);
                    edgediff_s8_rvv_store4(vle32_v_i32m1(sums, 4), c, &q, o, plane_out, live);
                    if (two) {
                        edgediff_s8_rvv_store4(vle32_v_i32m1(sums + 4, 4), c, &q, o + 1, plane_out,
                                               live);
                    }
                    c += 16;
                    o += 4 * plane_out;
                }
            }
        }
    }
}
