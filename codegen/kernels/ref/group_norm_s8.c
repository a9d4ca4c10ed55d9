/* Reference int8 group norm: EdgeDiff's integer arithmetic, the C twin of
 * codegen/int8/group_norm.py (docs/INT8.md). Per (sample, group): exact sums of d = q - z_in
 * and d^2, D = M*S2 - S1^2 + eps_term (M^2 (var + eps) in input steps^2), 1/sqrt(D) by a
 * fixed-point Newton iteration, then per element n = round((M*d - S1) * Y * 2^(-26-j)) (the
 * normalised value in Q.20), gamma/s_out by the channel's multiplier (into 1/256 output
 * steps), + beta, one rounding shift, + z_out, clamp. Integer only: no float, no division.
 * Reads a group's statistics before writing it, and each element before writing it. */
#include "edgediff/kernels.h"
#include "edgediff/internal/group_norm_s8.h"
#include "edgediff/internal/requantize_s8.h"

void edgediff_group_norm_s8(const group_norm_s8_params_t *p, const int8_t *in,
                            const int32_t *multiplier, const int32_t *shift,
                            const int32_t *bias, int8_t *out) {
    const int32_t per_group = p->channels / p->groups;
    const int32_t m = per_group * p->spatial;
    for (int32_t b = 0; b < p->n; ++b) {
        for (int32_t g = 0; g < p->groups; ++g) {
            const int32_t base = (b * p->channels + g * per_group) * p->spatial;
            int32_t s1 = 0;
            int64_t s2 = 0;
            for (int32_t i = 0; i < m; ++i) {
                const int32_t d = (int32_t)in[base + i] + p->input_offset;
                s1 += d;
                s2 += (int64_t)(d * d);
            }
            int64_t dd = (int64_t)m * s2 - (int64_t)s1 * (int64_t)s1 + p->eps_term;
            dd = dd < 1 ? 1 : dd;
            int32_t j;
            const int32_t y = edgediff_inv_sqrt_s8((uint64_t)dd, &j);
            const int32_t rshift = 26 + j;
            const int64_t half = (int64_t)1 << (rshift - 1);
            for (int32_t k = 0; k < per_group; ++k) {
                const int32_t ch = g * per_group + k;
                for (int32_t s = 0; s < p->spatial; ++s) {
                    const int32_t idx = base + k * p->spatial + s;
                    const int32_t c = m * ((int32_t)in[idx] + p->input_offset) - s1;
                    const int32_t norm = (int32_t)(((int64_t)c * (int64_t)y + half) >> rshift);
                    const int32_t v = edgediff_requantize(norm, multiplier[ch], shift[ch]);
                    const int32_t q = edgediff_rounding_shift_right(
                        (int32_t)((uint32_t)v + (uint32_t)bias[ch]), 8);
                    out[idx] = edgediff_output_s8(q, p->output_offset, p->act_min, p->act_max);
                }
            }
        }
    }
}
