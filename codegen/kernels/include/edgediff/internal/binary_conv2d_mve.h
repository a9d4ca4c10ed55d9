/* Internal to binary_conv2d_f16_mve.c and binary_conv2d_f32_mve.c; not part of the API.
 * The loop both output types share. The including file includes kernels_mve.h with
 * EDGEDIFF_MVE_IMPL, then defines
 *   elem_t                         the output, scale and bias element type;
 *   LOAD, STORE                    edgediff_load_<t> / edgediff_store_<t> (kernel_util.h);
 *   store4_p(out, y, m)            y rounded to elem_t, lane j to out[j], lanes off in m
 *                                  skipped;
 *   load4_z(base, m)               base[0..3] as floats, lanes off in m 0;
 *   EDGEDIFF_VECTOR_POST                    1 when the folded steps may run on vectors (below);
 * and includes this header. binary_conv2d_mve() is then the kernel.
 *
 * MVE has no per-lane popcount (no VCNT as in Neon), and SWAR on uint8x16 lanes takes ten
 * instructions per 128 bits. A byte gather does it in one: VLDRB.U8 Qd, [table, Qm] loads
 * table[Qm[i]] for each of the 16 bytes, and table[b] is the popcount of b. That is fewer
 * instructions, which `sdk bench` counts; it is not one cycle: each of the gather's 16
 * bytes is its own access.
 *
 * Work: lanes are 4 neighbouring output pixels of one output channel, so the receptive
 * fields are gathered straight from the packed input rows (no receptive-field copies): per
 * tap and word, one word gather (VLDRW with shifted offsets: the 4 pixels' words are
 * stride_w * words apart) reads the 4 pixels' activation words, one VEOR with the tap's
 * weight word (replicated to 4 lanes once per pair of channels), the popcount gather and a
 * VADD of the 16 byte counts into byte accumulators; two output channels share each
 * activation gather (count_tap, written out: GCC 12 spills the C version's vectors). The
 * byte counts move to 32-bit lanes (two widening steps) once per pixel when the field has
 * at most 31 words, else after each row of taps: a byte never exceeds 31 * 8 = 248. Each
 * valid tap adds c_in - 2 * (differing bits); rows of taps outside the input are skipped.
 * Taps in the zero padding must count nothing. The padded path (the UNets' layers) copies
 * the input rows once with zero words around them, so every gather reads inside the copy,
 * unpredicated: a tap in the padding reads 0, and the few x-vectors with such taps (a row's
 * ends) take a copy of the weights with 0 in those lanes, so their XOR is 0. Layers whose
 * rows or fields do not fit its buffers take the predicated path: the lanes of those taps
 * are off in a predicate, the gather zeroes them and a predicated VEOR keeps them 0.
 *
 * The output step, per vector of 4 pixels of one channel, is edgediff_binary_output
 * lane-wise: float(dot) * scale, then + bias, two instructions, each rounded. MVE's FP32
 * vector arithmetic may flush subnormals and return the default NaN (QEMU runs it with
 * the standard FPSCR value), so it equals the scalar steps only where neither can occur:
 * every scale and bias 0 or of magnitude in [2^-100, 2^100]. Then each product (|dot| >= 1)
 * and each nonzero sum (a multiple of 2^-123) is a normal float. Halves always are; a layer
 * with another float scale or bias runs the reference loop instead.
 *
 * The folded steps (edgediff_binary_post: RPReLU's shifts and slope, the scaled shortcut)
 * run lane-wise on the output vector for f16 (EDGEDIFF_VECTOR_POST): every operand is a half, so
 * each exact intermediate is 0 or at least 2^-72 in magnitude (a product or sum of values
 * whose ulps are no smaller) and none is subnormal; the vector steps then give the scalar
 * bits. For f32 (any operand may be subnormal) they run in scalar code on the 4 dots. */
#ifndef EDGEDIFF_MVE_BINARY_CONV2D_MVE_H
#define EDGEDIFF_MVE_BINARY_CONV2D_MVE_H

#include <math.h>

#include "edgediff/internal/binary_util.h"

#define EDGEDIFF_LANES 4 /* output pixels per vector */
/* kw * words: byte counts summed per row of taps stay <= 248 (edgediff/limits.h) */
#define EDGEDIFF_MAX_ROW_WORDS EDGEDIFF_MVE_BINARY_MAX_ROW_WORDS
/* The padded path (edgediff/limits.h): its copy of the input rows, its largest receptive
 * field and its weight tables (clean, and one per border x-vector). The working arrays
 * live in the scratch, laid out by edgediff_binary_conv2d_mve_scratch() (kernels_mve.h). */
#define EDGEDIFF_MAX_PADDED_WORDS EDGEDIFF_MVE_BINARY_MAX_PADDED_WORDS
#define EDGEDIFF_MAX_PADDED_FIELD EDGEDIFF_MVE_BINARY_MAX_PADDED_FIELD
#define EDGEDIFF_MAX_BORDERS EDGEDIFF_MVE_BINARY_MAX_BORDERS

/* popcount of every byte value, as 4 bits, then 6, then 8 */
#define EDGEDIFF_POP2(n) n, n + 1, n + 1, n + 2
#define EDGEDIFF_POP4(n) \
    EDGEDIFF_POP2(n), EDGEDIFF_POP2(n + 1), EDGEDIFF_POP2(n + 1), EDGEDIFF_POP2(n + 2)
#define EDGEDIFF_POP6(n) \
    EDGEDIFF_POP4(n), EDGEDIFF_POP4(n + 1), EDGEDIFF_POP4(n + 1), EDGEDIFF_POP4(n + 2)
static const uint8_t popcount_table[256] = {EDGEDIFF_POP6(0), EDGEDIFF_POP6(1), EDGEDIFF_POP6(1),
                                            EDGEDIFF_POP6(2)};

/* The byte counts of the bits set in x. */
EDGEDIFF_MVE_INLINE uint8x16_t count_bytes(uint32x4_t x) {
    return vldrbq_gather_offset_u8(popcount_table, vreinterpretq_u8_u32(x));
}

/* acc + the 4 byte counts of each 32-bit lane of bytes, summed (VMOVLB/VMOVLT widen the
 * even / odd lanes: bytes to halfwords, then halfwords to words). */
EDGEDIFF_MVE_INLINE uint32x4_t sum_lanes(uint32x4_t acc, uint8x16_t bytes) {
    const uint16x8_t pairs = vaddq_u16(vmovlbq_u8(bytes), vmovltq_u8(bytes));
    return vaddq_u32(acc, vaddq_u32(vmovlbq_u16(pairs), vmovltq_u16(pairs)));
}

/* Whether the vector output step computes the scalar one's bits for v (see above). */
static inline int32_t vector_exact(float v) {
    const float a = fabsf(v);
    return a == 0.0f || (a >= 0x1p-100f && a <= 0x1p100f);
}

static inline int32_t params_exact(int32_t c_out, const elem_t *scale, const elem_t *bias) {
    int32_t exact = 1;
    for (int32_t co = 0; co < c_out; ++co) {
        exact &= vector_exact(EDGEDIFF_LOAD(scale, co)) &
                 (bias ? vector_exact(EDGEDIFF_LOAD(bias, co)) : 1);
    }
    return exact;
}

/* One tap word of every lane, unpredicated: d0 (and d1 when two) += the byte counts of
 * the differing bits of the 4 pixels' words (gathered at base + offsets words) and the
 * weight word at *w0 (*w1), which move on a vector. Written out because GCC 12 spills the
 * C version's vectors across the unrolled taps, doubling the instructions. */
EDGEDIFF_MVE_INLINE void count_tap(const uint32_t *base, uint32x4_t offsets, const uint32_t **w0,
                                   const uint32_t **w1, int32_t two, uint8x16_t *d0,
                                   uint8x16_t *d1) {
    uint32x4_t a, w, t;
    uint8x16_t u;
    if (!two) {
        *w1 += EDGEDIFF_LANES; /* as the caller's pointers move together */
    }
    if (two) {
        __asm__("vldrw.u32 %q[a], [%[base], %q[off], uxtw #2]\n\t"
                "vldrw.u32 %q[w], [%[w0]], #16\n\t"
                "veor %q[t], %q[a], %q[w]\n\t"
                "vldrw.u32 %q[w], [%[w1]], #16\n\t"
                "vldrb.u8 %q[u], [%[table], %q[t]]\n\t"
                "veor %q[t], %q[a], %q[w]\n\t"
                "vadd.i8 %q[d0], %q[d0], %q[u]\n\t"
                "vldrb.u8 %q[u], [%[table], %q[t]]\n\t"
                "vadd.i8 %q[d1], %q[d1], %q[u]"
                : [a] "=&w"(a), [w] "=&w"(w), [t] "=&w"(t), [u] "=&w"(u), [d0] "+w"(*d0),
                  [d1] "+w"(*d1), [w0] "+r"(*w0), [w1] "+r"(*w1)
                : [base] "r"(base), [off] "w"(offsets), [table] "r"(popcount_table)
                : "memory");
    } else {
        __asm__("vldrw.u32 %q[a], [%[base], %q[off], uxtw #2]\n\t"
                "vldrw.u32 %q[w], [%[w0]], #16\n\t"
                "veor %q[t], %q[a], %q[w]\n\t"
                "vldrb.u8 %q[u], [%[table], %q[t]]\n\t"
                "vadd.i8 %q[d0], %q[d0], %q[u]"
                : [a] "=&w"(a), [w] "=&w"(w), [t] "=&w"(t), [u] "=&w"(u), [d0] "+w"(*d0),
                  [w0] "+r"(*w0)
                : [base] "r"(base), [off] "w"(offsets), [table] "r"(popcount_table)
                : "memory");
    }
}

/* One row of taps (input row `row`, weights of the row at w0 / w1, each word replicated to
 * 4 lanes) for the x-vector whose 4 pixels' first words are `offsets` words into the row:
 * byte counts of the differing bits added to d0 (channel 0) and d1 (channel 1, when two).
 * whole: every lane of every tap valid; else lanes[kx] says which are. */
EDGEDIFF_MVE_INLINE void count_row(const uint32_t *row, uint32x4_t offsets, const uint32_t **w0,
                                   const uint32_t **w1, int32_t kw, int32_t words,
                                   const mve_pred16_t *lanes, int32_t whole, int32_t two,
                                   uint8x16_t *d0, uint8x16_t *d1) {
    const uint32x4_t zero = vdupq_n_u32(0);
#pragma GCC unroll 4
    for (int32_t kx = 0; kx < kw; ++kx) {
        const mve_pred16_t m = whole ? 0xFFFF : lanes[kx];
#pragma GCC unroll 2
        for (int32_t i = 0; i < words; ++i) {
            /* the tap's word moves the base, not the offsets: fewer vector registers live */
            const uint32_t *base = row + kx * words + i;
            if (whole) {
                count_tap(base, offsets, w0, w1, two, d0, d1);
                continue;
            }
            if (m) {
                const uint32x4_t a = vldrwq_gather_shifted_offset_z_u32(base, offsets, m);
                *d0 = vaddq_u8(*d0, count_bytes(veorq_m_u32(zero, a, vldrwq_u32(*w0), m)));
                if (two) {
                    *d1 = vaddq_u8(*d1, count_bytes(veorq_m_u32(zero, a, vldrwq_u32(*w1), m)));
                }
            }
            *w0 += EDGEDIFF_LANES;
            *w1 += EDGEDIFF_LANES;
        }
    }
}

/* The differing bits of the x-vector's 4 pixels (lanes) for rows [ky_first, ky_end) of
 * taps, per channel, added to differ0 / differ1. rows: input row iy0 + ky_first's first
 * word. The byte counts move to 32-bit lanes once at the end when the whole field fits a
 * byte (kh * kw * words <= 31 words: at most 248 bits per byte), else after every row. */
EDGEDIFF_MVE_INLINE void count_field(const uint32_t *rows, int32_t row_words, int32_t ky_first,
                                     int32_t ky_end, uint32x4_t offsets, const uint32_t *w0,
                                     const uint32_t *w1, int32_t kw, int32_t words,
                                     int32_t per_row, const mve_pred16_t *lanes, int32_t whole,
                                     int32_t two, uint32x4_t *differ0, uint32x4_t *differ1) {
    const int32_t tap_row =
        kw * words * EDGEDIFF_LANES; /* replicated weight words per row of taps */
    uint8x16_t d0 = vdupq_n_u8(0), d1 = vdupq_n_u8(0);
    /* the rows' weights are consecutive: the pointers run on from row to row */
    w0 += ky_first * tap_row;
    w1 += ky_first * tap_row;
    for (int32_t ky = ky_first; ky < ky_end; ++ky, rows += row_words) {
        count_row(rows, offsets, &w0, &w1, kw, words, lanes, whole, two, &d0, &d1);
        if (per_row) {
            *differ0 = sum_lanes(*differ0, d0);
            d0 = vdupq_n_u8(0);
            if (two) {
                *differ1 = sum_lanes(*differ1, d1);
                d1 = vdupq_n_u8(0);
            }
        }
    }
    if (!per_row) {
        *differ0 = sum_lanes(*differ0, d0);
        if (two) {
            *differ1 = sum_lanes(*differ1, d1);
        }
    }
}

/* One output channel's output step operands as floats. An absent step gets its exact
 * identity, so the vector step runs without branches: bias and shift_out -0 (y + -0 = y
 * for every y, -0 included), shift_in +0 (y - +0 = y), slope 1, res_scale 1. */
typedef struct {
    float scale, bias, shift_in, slope, shift_out, res_scale;
} channel_t;

static inline channel_t load_channel(int32_t co, const elem_t *scale, const elem_t *bias,
                                     const edgediff_binary_post_t *post) {
    channel_t c;
    c.scale = EDGEDIFF_LOAD(scale, co);
    c.bias = bias ? EDGEDIFF_LOAD(bias, co) : -0.0f;
    c.shift_in = post->shift_in ? EDGEDIFF_LOAD(post->shift_in, co) : 0.0f;
    c.slope = post->slope ? EDGEDIFF_LOAD(post->slope, co) : 1.0f;
    c.shift_out = post->shift_out ? EDGEDIFF_LOAD(post->shift_out, co) : -0.0f;
    c.res_scale = post->res_scale ? EDGEDIFF_LOAD(post->res_scale, co) : 1.0f;
    return c;
}

/* The output step of 4 pixels of channel co (first: the first pixel's output index) from
 * their dots; lanes off in m (past w_out) are not stored. The folded steps run one
 * instruction each, each rounded (exact for halves: see above), when post (a constant in
 * each instantiation) says any is there. */
EDGEDIFF_MVE_INLINE void output4(int32x4_t dot, int32_t co, int32_t first, const channel_t *c,
                                 const elem_t *bias, const edgediff_binary_post_t *post,
                                 int32_t has_post, elem_t *out, mve_pred16_t m) {
#if !EDGEDIFF_VECTOR_POST
    if (has_post) { /* scalar output step: see above */
        int32_t dots[EDGEDIFF_LANES];
        vst1q_s32(dots, dot);
        for (int32_t j = 0; j < EDGEDIFF_LANES; ++j) {
            if ((m >> (4 * j)) & 1) {
                const float v = edgediff_binary_output(dots[j], c->scale, bias, co, EDGEDIFF_LOAD);
                EDGEDIFF_STORE(out, first + j,
                               edgediff_binary_post(v, co, first + j, post, EDGEDIFF_LOAD));
            }
        }
        return;
    }
#else
    (void)bias;
    (void)co;
#endif
    float32x4_t y = vaddq_n_f32(vmulq_n_f32(vcvtq_f32_s32(dot), c->scale), c->bias);
#if EDGEDIFF_VECTOR_POST
    if (has_post) {
        y = vsubq_n_f32(y, c->shift_in);
        y = vpselq_f32(y, vmulq_n_f32(y, c->slope), vcmpgtq_n_f32(y, 0.0f));
        y = vaddq_n_f32(y, c->shift_out);
        if (post->residual) {
            const float32x4_t r = load4_z((const elem_t *)post->residual + first, m);
            y = vaddq_f32(y, vmulq_n_f32(r, c->res_scale));
        }
    }
#endif
    store4_p(out + first, y, m);
}

/* The weight words of channels co and co + 1 (two), each replicated to the 4 lanes of a
 * vector, into `tables` tables [table][channel][field]; in table t only the lanes that
 * word_lanes[t * field_words + i] has (the valid lanes of word i's tap), 0 in the others. */
static inline void replicate(const uint32_t *weight, int32_t field_words, int32_t two,
                             int32_t tables, const mve_pred16_t *word_lanes, uint32_t *to) {
    const uint32x4_t zero = vdupq_n_u32(0);
    const uint32_t *w1 = weight + (two ? field_words : 0);
    for (int32_t t = 0; t < tables; ++t, word_lanes += field_words) {
        uint32_t *to0 = to + t * 2 * field_words * EDGEDIFF_LANES,
                 *to1 = to0 + field_words * EDGEDIFF_LANES;
        for (int32_t i = 0; i < field_words; ++i) {
            const mve_pred16_t m = word_lanes[i];
            vstrwq_u32(to0 + i * EDGEDIFF_LANES, vdupq_m_n_u32(zero, weight[i], m));
            vstrwq_u32(to1 + i * EDGEDIFF_LANES, vdupq_m_n_u32(zero, w1[i], m));
        }
    }
}

/* What the loops over output rows need, in one place. */
typedef struct {
    const binary_conv2d_params_t *p;
    const uint32_t *source; /* input rows: the padded copy or the input (of batch n) */
    int32_t row_words, per_row, x_vectors, table;
    const uint32_t *offsets, *wbuf;
    const int32_t *x_taps;
    const mve_pred16_t *lanes;
    const uint8_t *whole, *border;
    const elem_t *bias;
    const edgediff_binary_post_t *post;
    elem_t *out;
} conv_t;

/* Every output row of channels co and co + 1 (two) of batch n. kw, words, padded, two and
 * has_post are constants in each instantiation (see binary_conv2d_mve), so the loops over
 * taps unroll and the output step has no branches. */
EDGEDIFF_MVE_INLINE void conv_rows(const conv_t *k, int32_t n, int32_t co, int32_t kw,
                                   int32_t words, int32_t padded, int32_t two, int32_t has_post,
                                   const channel_t *c0, const channel_t *c1) {
    const binary_conv2d_params_t *p = k->p;
    const int32_t c_out = p->c_out, w_out = p->w_out, plane = p->h_out * w_out;
    const int32_t field_words = p->kernel_h * kw * words;
    for (int32_t y = 0; y < p->h_out; ++y) {
        const int32_t iy0 = y * p->stride_h - p->pad_h;
        int32_t ky_first, ky_end;
        edgediff_clip_taps(iy0, 1, p->kernel_h, p->h_in, &ky_first, &ky_end);
        const uint32_t *rows = k->source + (iy0 + ky_first) * k->row_words;
        /* each valid tap adds c_in - 2 * (differing bits) */
        const int32_t agree_per_tap = (ky_end - ky_first) * p->c_in;
        const int32_t first = (n * c_out + co) * plane + y * w_out;
        for (int32_t v = 0; v < k->x_vectors; ++v) {
            const uint32x4_t off = vldrwq_u32(k->offsets + v * EDGEDIFF_LANES);
            const uint32_t *w0 = k->wbuf + (padded ? k->border[v] * k->table : 0);
            const uint32_t *w1 = w0 + field_words * EDGEDIFF_LANES;
            const mve_pred16_t *lanes = k->lanes + v * kw;
            uint32x4_t d0 = vdupq_n_u32(0), d1 = vdupq_n_u32(0);
            if (padded || k->whole[v]) {
                count_field(rows, k->row_words, ky_first, ky_end, off, w0, w1, kw, words,
                            k->per_row, lanes, 1, two, &d0, &d1);
            } else {
                count_field(rows, k->row_words, ky_first, ky_end, off, w0, w1, kw, words,
                            k->per_row, lanes, 0, two, &d0, &d1);
            }
            const int32x4_t agree =
                vmulq_n_s32(vldrwq_s32(k->x_taps + v * EDGEDIFF_LANES), agree_per_tap);
            const mve_pred16_t store = vctp32q((uint32_t)(w_out - v * EDGEDIFF_LANES));
            output4(vsubq_s32(agree, vreinterpretq_s32_u32(vshlq_n_u32(d0, 1))), co,
                    first + v * EDGEDIFF_LANES, c0, k->bias, k->post, has_post, k->out, store);
            if (two) {
                output4(vsubq_s32(agree, vreinterpretq_s32_u32(vshlq_n_u32(d1, 1))), co + 1,
                        first + plane + v * EDGEDIFF_LANES, c1, k->bias, k->post, has_post, k->out,
                        store);
            }
        }
    }
}

/* conv_rows with two and has_post as constants. */
EDGEDIFF_MVE_INLINE void conv_rows_any(const conv_t *k, int32_t n, int32_t co, int32_t kw,
                                       int32_t words, int32_t padded, int32_t two,
                                       int32_t has_post, const channel_t *c0,
                                       const channel_t *c1) {
    if (two && has_post) {
        conv_rows(k, n, co, kw, words, padded, 1, 1, c0, c1);
    } else if (two) {
        conv_rows(k, n, co, kw, words, padded, 1, 0, c0, c1);
    } else if (has_post) {
        conv_rows(k, n, co, kw, words, padded, 0, 1, c0, c1);
    } else {
        conv_rows(k, n, co, kw, words, padded, 0, 0, c0, c1);
    }
}

/* Instantiations: the padded path with a row of taps as constants for the UNets' 3x3
 * layers (up to 64 input channels, the whole field in byte counts), else variables. */
static void conv_pair(const conv_t *k, int32_t n, int32_t co, int32_t padded, int32_t two,
                      int32_t has_post, const channel_t *c0, const channel_t *c1) {
    const int32_t kw = k->p->kernel_w, words = k->p->words;
    if (padded && kw == 3 && words == 1 && !k->per_row) {
        conv_rows_any(k, n, co, 3, 1, 1, two, has_post, c0, c1);
    } else if (padded && kw == 3 && words == 2 && !k->per_row) {
        conv_rows_any(k, n, co, 3, 2, 1, two, has_post, c0, c1);
    } else if (padded) {
        conv_rows_any(k, n, co, kw, words, 1, two, has_post, c0, c1);
    } else {
        conv_rows_any(k, n, co, kw, words, 0, two, has_post, c0, c1);
    }
}

static inline void binary_conv2d_mve(const binary_conv2d_params_t *p, const uint32_t *in,
                                     const uint32_t *weight, const elem_t *scale,
                                     const elem_t *bias, const edgediff_binary_post_t *post,
                                     elem_t *out, void *scratch) {
    if (!params_exact(p->c_out, scale, bias)) {
        edgediff_binary_conv2d(p, in, weight, scale, bias, post, out, EDGEDIFF_LOAD,
                               EDGEDIFF_STORE);
        return;
    }
    const int32_t c_out = p->c_out, w_out = p->w_out, words = p->words;
    const int32_t kh = p->kernel_h, kw = p->kernel_w, w_in = p->w_in;
    const int32_t field_words = kh * kw * words; /* = a channel's weights */
    const int32_t x_vectors = (w_out + EDGEDIFF_LANES - 1) / EDGEDIFF_LANES;
    const int32_t per_row = field_words > EDGEDIFF_MAX_ROW_WORDS; /* see count_field */
    /* Per x-vector: valid taps per lane along x (0 past w_out), predicates of the valid
     * lanes per kx, whether every lane before w_out has all its taps (clean) and, if not,
     * which masked weight table it takes in the padded path (border). */
    const edgediff_binary_conv2d_mve_scratch_t at = edgediff_binary_conv2d_mve_scratch(p);
    uint8_t *const base = (uint8_t *)scratch;
    int32_t *const x_taps = (int32_t *)(base + at.x_taps);
    mve_pred16_t *const lanes = (mve_pred16_t *)(base + at.lanes);
    uint8_t *const whole = base + at.whole, *const border = base + at.border;
    int32_t borders = 0;
    for (int32_t v = 0; v < x_vectors; ++v) {
        int32_t clean = 1;
        whole[v] = 1;
        for (int32_t kx = 0; kx < kw; ++kx) {
            lanes[v * kw + kx] = 0;
        }
        for (int32_t j = 0; j < EDGEDIFF_LANES; ++j) {
            const int32_t x = v * EDGEDIFF_LANES + j, ix0 = x * p->stride_w - p->pad_w;
            int32_t kx_first, kx_end;
            edgediff_clip_taps(ix0, 1, kw, w_in, &kx_first, &kx_end);
            x_taps[v * EDGEDIFF_LANES + j] = x < w_out ? kx_end - kx_first : 0;
            whole[v] &= x < w_out && kx_end - kx_first == kw;
            clean &= x >= w_out || kx_end - kx_first == kw;
            for (int32_t kx = kx_first; kx < kx_end && x < w_out; ++kx) {
                lanes[v * kw + kx] |= (mve_pred16_t)(0xFu << (4 * j));
            }
        }
        border[v] = (uint8_t)(clean ? 0 : ++borders);
    }
    /* The padded path: rows copied with pad_w zero pixels on the left and enough on the
     * right for every lane's taps, so every gather reads inside the copy, unpredicated; a
     * tap in the padding reads 0 and meets weights masked to 0 in its lane (a table per
     * border x-vector), so it counts nothing. Lanes past w_out count garbage, never stored.
     * Otherwise (large fields, many border vectors, wide inputs) the predicated path. */
    int32_t right = (x_vectors * EDGEDIFF_LANES - 1) * p->stride_w - p->pad_w + kw - w_in;
    right = right > 0 ? right : 0;
    const int32_t padded_row = (w_in + p->pad_w + right) * words;
    const int32_t padded = field_words <= EDGEDIFF_MAX_PADDED_FIELD &&
                           borders <= EDGEDIFF_MAX_BORDERS &&
                           p->h_in * padded_row <= EDGEDIFF_MAX_PADDED_WORDS;
    const int32_t row_words = padded ? padded_row : w_in * words;
    /* lane j's first-tap word in a row: in the copy pixel x * stride_w, in the input
     * x * stride_w - pad_w (lanes left of the input wrap around; they are never valid) */
    uint32_t *const offsets = (uint32_t *)(base + at.offsets);
    for (int32_t x = 0; x < x_vectors * EDGEDIFF_LANES; ++x) {
        offsets[x] = (uint32_t)((x * p->stride_w - (padded ? 0 : p->pad_w)) * words);
    }
    /* per weight table (clean, then each border x-vector's) the lanes of each field word */
    mve_pred16_t *const word_lanes = (mve_pred16_t *)(base + at.word_lanes);
    for (int32_t t = 0, v = 0; t <= (padded ? borders : 0); ++t) {
        while (t && border[v] != t) {
            ++v;
        }
        for (int32_t i = 0; i < field_words; ++i) {
            const int32_t kx = i / words % kw;
            word_lanes[t * field_words + i] = t ? lanes[v * kw + kx] : 0xFFFF;
        }
    }
    uint32_t *const copy = (uint32_t *)(base + at.copy);
    /* replicated weights of two channels: tables [clean, border 1 ...][channel][field] */
    uint32_t *const wbuf = (uint32_t *)(base + at.wbuf);
    const int32_t has_post = edgediff_binary_has_post(post);
    conv_t k = {p,       in,   row_words, per_row, x_vectors, 2 * field_words * EDGEDIFF_LANES,
                offsets, wbuf, x_taps,    lanes,   whole,     border,
                bias,    post, out};
    for (int32_t n = 0; n < p->n; ++n) {
        k.source = in + n * p->h_in * w_in * words;
        if (padded) {
            for (int32_t iy = 0; iy < p->h_in; ++iy) {
                uint32_t *row = copy + iy * padded_row;
                for (int32_t i = 0; i < padded_row; ++i) {
                    const int32_t at = i - p->pad_w * words;
                    row[i] = at >= 0 && at < w_in * words ? k.source[iy * w_in * words + at] : 0;
                }
            }
            k.source = copy;
        }
        for (int32_t co = 0; co < c_out; co += 2) {
            const int32_t two = co + 1 < c_out;
            replicate(weight + co * field_words, field_words, two, padded ? 1 + borders : 1,
                      word_lanes, wbuf);
            const channel_t c0 = load_channel(co, scale, bias, post);
            const channel_t c1 = load_channel(two ? co + 1 : co, scale, bias, post);
            conv_pair(&k, n, co, padded, two, has_post, &c0, &c1);
        }
    }
}

/* This header's own macros end here (the includer's code does not use them). */
#undef EDGEDIFF_LANES
#undef EDGEDIFF_MAX_BORDERS
#undef EDGEDIFF_MAX_PADDED_FIELD
#undef EDGEDIFF_MAX_PADDED_WORDS
#undef EDGEDIFF_MAX_ROW_WORDS
#undef EDGEDIFF_POP2
#undef EDGEDIFF_POP4
#undef EDGEDIFF_POP6

#endif /* EDGEDIFF_MVE_BINARY_CONV2D_MVE_H */
