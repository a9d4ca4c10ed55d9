/* The W1A16 block loop the SIMD binary_weight_conv2d kernels share (mve/, rvv/): per block
 * of output channels, expand their packed signs into the +-1 table (binary_weight_table.h)
 * and run the ISA's float convolution on it into out; then, per output channel, the output
 * step in place. Internal to codegen/kernels. The scratch holds the table, then (from the
 * next aligned byte) the float convolution's own scratch; kernels_<isa>.h sizes both. The
 * includer has defined elem_t, a static bw_output(out, count, co, scale, bias, post,
 * residual) for one channel's sums, and
 *   EDGEDIFF_BW_CONV(q, in, table, out, scratch)  its float convolution (bias NULL) of one
 *                                        block, with the scratch it needs;
 *   EDGEDIFF_BW_TILE                     the output channels that loop computes at once,
 * both undefined at the end of this header. */
#if !defined(EDGEDIFF_BW_CONV) || !defined(EDGEDIFF_BW_TILE)
#error "define EDGEDIFF_BW_CONV and EDGEDIFF_BW_TILE before including this header"
#endif

#include "edgediff/internal/binary_weight_table.h"

static void bw_conv2d_blocks(const binary_conv2d_params_t *p, const elem_t *in,
                             const uint32_t *weight, const elem_t *scale, const elem_t *bias,
                             const edgediff_binary_post_t *post, elem_t *out, void *scratch) {
    const int32_t taps = p->kernel_h * p->kernel_w, per = p->c_in * taps;
    const int32_t plane = p->h_out * p->w_out, c_out = p->c_out;
    const int32_t cb = bw_block_channels(c_out, per, EDGEDIFF_BW_TILE);
    elem_t *const table = (elem_t *)scratch;
    void *const conv_scratch =
        (uint8_t *)scratch + edgediff_scratch_round(cb * per * (int32_t)sizeof(elem_t));
    conv2d_params_t q = bw_conv_params(p);
    for (int32_t n = 0; n < p->n; ++n) {
        const elem_t *in_n = in + n * p->c_in * p->h_in * p->w_in;
        elem_t *out_n = out + n * c_out * plane;
        for (int32_t co0 = 0; co0 < c_out; co0 += cb) {
            q.c_out = c_out - co0 < cb ? c_out - co0 : cb;
            bw_expand_signs(table, weight, co0, q.c_out, p->c_in, taps, p->words);
            EDGEDIFF_BW_CONV(&q, in_n, table, out_n + co0 * plane, conv_scratch);
        }
        for (int32_t co = 0; co < c_out; ++co) {
            const int32_t base = (n * c_out + co) * plane;
            const elem_t *res = post->residual ? (const elem_t *)post->residual + base : 0;
            bw_output(out + base, plane, co, scale, bias, post, res);
        }
    }
}

#undef EDGEDIFF_BW_CONV
#undef EDGEDIFF_BW_TILE
