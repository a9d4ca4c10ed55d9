/* The scalar-FPU 3x3 convolution over a ring of widened rows, used by fpu/conv2d_f16_fpu.c
 * (the FP32 kernel, fpu/conv2d_f32_fpu.c, reads its input in place and needs none of this;
 * the FP32 paths here are kept for an element type that must be copied); internal to
 * codegen/kernels. The includer defines EDGEDIFF_CONV_FPU_ELEM (float or edgediff_f16_t)
 * and EDGEDIFF_CONV_FPU_NAME, and EDGEDIFF_CONV_FPU_HALF for halves.
 *
 * Shapes: 3x3, pad 1, stride 1 or 2 (the same both ways), groups 1, dilation 1
 * (overrides/fpu.py). ACCUMULATION: FP32 with fused multiply-adds (fmaf: one rounding per
 * multiply-add where the reference rounds twice, so Higham's gamma_K bound of the
 * reference's error analysis still bounds it), the bias seeds the sum, the activation acts
 * on the FP32 sum, one rounding to the element type on store.
 *
 * Scheme. For a block of 4 output channels and a chunk of input channels (as many as the
 * band budget holds, usually all), the block's weights are packed into scratch as
 * [ci][ky][kx][4] floats (FP16: widened once here), and the input rows the current output
 * row needs are kept in a ring of 3 zero-padded float rows per input channel (each input
 * row copied, FP16: widened, once per block; rows above and below the input are zeros), so
 * the inner loop has no borders or bounds checks. A tile is 4 output channels x 4
 * consecutive output pixels of one row: 16 accumulators, the 6 (stride 2: 9) input values
 * of a kernel row and one weight in FP registers; per input channel and kernel row it
 * costs 6 (9) loads + 12 weight loads + 48 FMAs. A last block of fewer than 4 channels runs
 * one channel at a time over 8 pixels (8 accumulators, all 9 weights in registers). Tiles
 * past w_out read the zero padding and are not stored. With several chunks the sums of a
 * chunk go to the output (FP32) or to FP32 partial sums in scratch (FP16: for a band of
 * output rows, so the scratch stays small; the block's weights are packed again per band)
 * and the next chunk starts from them. */
#if !defined(EDGEDIFF_CONV_FPU_ELEM) || !defined(EDGEDIFF_CONV_FPU_NAME)
#error "define EDGEDIFF_CONV_FPU_ELEM and EDGEDIFF_CONV_FPU_NAME before including this header"
#endif

#include <math.h>
#include <stddef.h>

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

#define EDGEDIFF_FPU_INLINE static inline __attribute__((always_inline))
#define EDGEDIFF_FPU_BLOCK 4
/* Full unrolling of the tile's constant loops (clang spells it differently). */
#ifdef __clang__
#define EDGEDIFF_FPU_UNROLL _Pragma("unroll")
#else
#define EDGEDIFF_FPU_UNROLL _Pragma("GCC unroll 32")
#endif

typedef EDGEDIFF_CONV_FPU_ELEM edgediff_cfpu_elem_t;

/* What every tile of one (block, chunk) pass shares. */
typedef struct {
    const float *band; /* ring rows: channel c's slot k at band + (c * 3 + k) * row */
    const float *w;    /* packed weights [cib][9][co] */
    int32_t row, ring, cib, co, stride;
    int32_t w_out, plane, act, first, last;
    const float *bias;           /* co values, or NULL */
    float *part;                 /* FP32 sums of earlier chunks: see edgediff_cfpu_at */
    int32_t pplane, y0;          /* part's channel stride and first row */
    edgediff_cfpu_elem_t *out;   /* out + (n, co0) plane */
} edgediff_cfpu_pass_t;

/* The accumulators of CO channels x PX pixels starting at pixel x of row y, from the bias
 * (first chunk) or the partial sums (pixels past w_out: the bias). */
EDGEDIFF_FPU_INLINE void edgediff_cfpu_seed(const edgediff_cfpu_pass_t *s, const float *prow,
                                            int32_t x, float *acc, const int CO, const int PX) {
    const int32_t n = s->w_out - x < PX ? s->w_out - x : PX;
    for (int c = 0; c < CO; ++c) {
        const float b = s->bias ? s->bias[c] : 0.0f;
        const float *part = prow + c * s->pplane + x;
        if (s->first) {
            for (int j = 0; j < PX; ++j) {
                acc[c * PX + j] = b;
            }
        } else if (n == PX) {
            for (int j = 0; j < PX; ++j) {
                acc[c * PX + j] = part[j];
            }
        } else {
            for (int j = 0; j < PX; ++j) {
                acc[c * PX + j] = j < n ? part[j] : b;
            }
        }
    }
}

/* Stores the first n pixels of the tile: activation and rounding after the last chunk,
 * FP32 partial sums before. */
EDGEDIFF_FPU_INLINE void edgediff_cfpu_store(const edgediff_cfpu_pass_t *s, float *prow,
                                             edgediff_cfpu_elem_t *orow, int32_t x,
                                             const float *acc, const int CO, const int PX) {
    const int32_t n = s->w_out - x < PX ? s->w_out - x : PX;
    for (int c = 0; c < CO; ++c) {
        const int32_t at = c * s->plane + x;
        const float *a = acc + c * PX;
        if (!s->last) {
            float *part = prow + c * s->pplane + x;
            for (int32_t j = 0; j < n; ++j) {
                part[j] = a[j];
            }
        } else if (s->act == EDGEDIFF_ACT_NONE) {
            for (int32_t j = 0; j < n; ++j) {
                orow[at + j] = (edgediff_cfpu_elem_t)a[j];
            }
        } else if (s->act == EDGEDIFF_ACT_RELU) {
            for (int32_t j = 0; j < n; ++j) {
                orow[at + j] = (edgediff_cfpu_elem_t)edgediff_relu(a[j]);
            }
        } else {
            for (int32_t j = 0; j < n; ++j) {
                orow[at + j] = (edgediff_cfpu_elem_t)edgediff_apply_act(a[j], s->act);
            }
        }
    }
}

/* The tiles' sums over a chunk, written out with named accumulators (compilers keep these
 * in registers; loops over arrays were not reliably unrolled). r0..r2 point at band column
 * x * S of the ring rows of kernel rows 0..2 for the chunk's first channel; w at the
 * packed weights; acc[] holds the tile's sums in and out. */
#define EDGEDIFF_CFPU_Q(c, wv, x0, x1, x2, x3)                                            \
    a##c##0 = fmaf(x0, wv, a##c##0);                                                    \
    a##c##1 = fmaf(x1, wv, a##c##1);                                                    \
    a##c##2 = fmaf(x2, wv, a##c##2);                                                    \
    a##c##3 = fmaf(x3, wv, a##c##3)
/* One tap of a 4-channel tile: its 4 weights times 4 input values. */
#define EDGEDIFF_CFPU_TAP4(wp, x0, x1, x2, x3)                                            \
    do {                                                                                \
        const float w0 = (wp)[0], w1 = (wp)[1], w2 = (wp)[2], w3 = (wp)[3];             \
        EDGEDIFF_CFPU_Q(0, w0, x0, x1, x2, x3);                                         \
        EDGEDIFF_CFPU_Q(1, w1, x0, x1, x2, x3);                                         \
        EDGEDIFF_CFPU_Q(2, w2, x0, x1, x2, x3);                                         \
        EDGEDIFF_CFPU_Q(3, w3, x0, x1, x2, x3);                                         \
    } while (0)
/* One tap of a 1-channel tile: its weight times 8 input values. */
#define EDGEDIFF_CFPU_TAP1(wv, x0, x1, x2, x3, x4, x5, x6, x7)                           \
    EDGEDIFF_CFPU_Q(0, wv, x0, x1, x2, x3);                                             \
    EDGEDIFF_CFPU_Q(1, wv, x4, x5, x6, x7)

#define EDGEDIFF_CFPU_ACC4(X)                                                           \
    X(00, 0) X(01, 1) X(02, 2) X(03, 3) X(10, 4) X(11, 5) X(12, 6) X(13, 7)             \
    X(20, 8) X(21, 9) X(22, 10) X(23, 11) X(30, 12) X(31, 13) X(32, 14) X(33, 15)
#define EDGEDIFF_CFPU_ACC1(X)                                                           \
    X(00, 0) X(01, 1) X(02, 2) X(03, 3) X(10, 4) X(11, 5) X(12, 6) X(13, 7)
#define EDGEDIFF_CFPU_LOAD_ACC(name, i) float a##name = acc[i];
#define EDGEDIFF_CFPU_SAVE_ACC(name, i) acc[i] = a##name;

/* 4 channels x 4 pixels, stride 1: 6 input values per kernel row. */
EDGEDIFF_FPU_INLINE void edgediff_cfpu_tile4_s1(const float *r0, const float *r1,
                                            const float *r2, int32_t ring, const float *w, int32_t cib, float *acc) {
    EDGEDIFF_CFPU_ACC4(EDGEDIFF_CFPU_LOAD_ACC)
    for (int32_t ci = 0; ci < cib; ++ci) {
#define EDGEDIFF_CFPU_ROW(r, wk)                                                        \
    do {                                                                                \
        const float v0 = (r)[0], v1 = (r)[1], v2 = (r)[2], v3 = (r)[3], v4 = (r)[4];    \
        const float v5 = (r)[5];                                                        \
        EDGEDIFF_CFPU_TAP4(wk, v0, v1, v2, v3);                                         \
        EDGEDIFF_CFPU_TAP4((wk) + 4, v1, v2, v3, v4);                                   \
        EDGEDIFF_CFPU_TAP4((wk) + 8, v2, v3, v4, v5);                                   \
    } while (0)
        EDGEDIFF_CFPU_ROW(r0, w);
        EDGEDIFF_CFPU_ROW(r1, w + 12);
        EDGEDIFF_CFPU_ROW(r2, w + 24);
#undef EDGEDIFF_CFPU_ROW
        r0 += ring;
        r1 += ring;
        r2 += ring;
        w += 36;
    }
    EDGEDIFF_CFPU_ACC4(EDGEDIFF_CFPU_SAVE_ACC)
}

/* 4 channels x 4 pixels, stride 2: 9 input values per kernel row. */
EDGEDIFF_FPU_INLINE void edgediff_cfpu_tile4_s2(const float *r0, const float *r1,
                                            const float *r2, int32_t ring, const float *w, int32_t cib, float *acc) {
    EDGEDIFF_CFPU_ACC4(EDGEDIFF_CFPU_LOAD_ACC)
    for (int32_t ci = 0; ci < cib; ++ci) {
#define EDGEDIFF_CFPU_ROW(r, wk)                                                        \
    do {                                                                                \
        const float v0 = (r)[0], v1 = (r)[1], v2 = (r)[2], v3 = (r)[3], v4 = (r)[4];    \
        const float v5 = (r)[5], v6 = (r)[6], v7 = (r)[7], v8 = (r)[8];                 \
        EDGEDIFF_CFPU_TAP4(wk, v0, v2, v4, v6);                                         \
        EDGEDIFF_CFPU_TAP4((wk) + 4, v1, v3, v5, v7);                                   \
        EDGEDIFF_CFPU_TAP4((wk) + 8, v2, v4, v6, v8);                                   \
    } while (0)
        EDGEDIFF_CFPU_ROW(r0, w);
        EDGEDIFF_CFPU_ROW(r1, w + 12);
        EDGEDIFF_CFPU_ROW(r2, w + 24);
#undef EDGEDIFF_CFPU_ROW
        r0 += ring;
        r1 += ring;
        r2 += ring;
        w += 36;
    }
    EDGEDIFF_CFPU_ACC4(EDGEDIFF_CFPU_SAVE_ACC)
}

/* 1 channel x 8 pixels, stride 1: 10 input values and 3 weights per kernel row. */
EDGEDIFF_FPU_INLINE void edgediff_cfpu_tile1_s1(const float *r0, const float *r1,
                                            const float *r2, int32_t ring, const float *w, int32_t cib, float *acc) {
    EDGEDIFF_CFPU_ACC1(EDGEDIFF_CFPU_LOAD_ACC)
    for (int32_t ci = 0; ci < cib; ++ci) {
#define EDGEDIFF_CFPU_ROW(r, wk)                                                        \
    do {                                                                                \
        const float w0 = (wk)[0], w1 = (wk)[1], w2 = (wk)[2];                           \
        const float v0 = (r)[0], v1 = (r)[1], v2 = (r)[2], v3 = (r)[3], v4 = (r)[4];    \
        const float v5 = (r)[5], v6 = (r)[6], v7 = (r)[7], v8 = (r)[8], v9 = (r)[9];    \
        EDGEDIFF_CFPU_TAP1(w0, v0, v1, v2, v3, v4, v5, v6, v7);                         \
        EDGEDIFF_CFPU_TAP1(w1, v1, v2, v3, v4, v5, v6, v7, v8);                         \
        EDGEDIFF_CFPU_TAP1(w2, v2, v3, v4, v5, v6, v7, v8, v9);                         \
    } while (0)
        EDGEDIFF_CFPU_ROW(r0, w);
        EDGEDIFF_CFPU_ROW(r1, w + 3);
        EDGEDIFF_CFPU_ROW(r2, w + 6);
#undef EDGEDIFF_CFPU_ROW
        r0 += ring;
        r1 += ring;
        r2 += ring;
        w += 9;
    }
    EDGEDIFF_CFPU_ACC1(EDGEDIFF_CFPU_SAVE_ACC)
}

/* 1 channel x 8 pixels, stride 2: 17 input values per kernel row, loaded per tap. */
EDGEDIFF_FPU_INLINE void edgediff_cfpu_tile1_s2(const float *r0, const float *r1,
                                            const float *r2, int32_t ring, const float *w, int32_t cib, float *acc) {
    EDGEDIFF_CFPU_ACC1(EDGEDIFF_CFPU_LOAD_ACC)
    for (int32_t ci = 0; ci < cib; ++ci) {
#define EDGEDIFF_CFPU_TAP(r, k)                                                         \
    do {                                                                                \
        const float wv = w[k];                                                          \
        const float *q = (r) + (k) % 3;                                                 \
        EDGEDIFF_CFPU_TAP1(wv, q[0], q[2], q[4], q[6], q[8], q[10], q[12], q[14]);      \
    } while (0)
        EDGEDIFF_CFPU_TAP(r0, 0); EDGEDIFF_CFPU_TAP(r0, 1); EDGEDIFF_CFPU_TAP(r0, 2);
        EDGEDIFF_CFPU_TAP(r1, 3); EDGEDIFF_CFPU_TAP(r1, 4); EDGEDIFF_CFPU_TAP(r1, 5);
        EDGEDIFF_CFPU_TAP(r2, 6); EDGEDIFF_CFPU_TAP(r2, 7); EDGEDIFF_CFPU_TAP(r2, 8);
#undef EDGEDIFF_CFPU_TAP
        r0 += ring;
        r1 += ring;
        r2 += ring;
        w += 9;
    }
    EDGEDIFF_CFPU_ACC1(EDGEDIFF_CFPU_SAVE_ACC)
}

typedef void (*edgediff_cfpu_tile_t)(const float *r0, const float *r1, const float *r2,
                                     int32_t ring, const float *w, int32_t cib, float *acc);

/* Every tile of output row y for one pass (CO channels, PX pixels per tile, stride S). */
EDGEDIFF_FPU_INLINE void edgediff_cfpu_row(const edgediff_cfpu_pass_t *s, int32_t y,
                                           const int32_t slot[3], edgediff_cfpu_tile_t tile,
                                           const int CO, const int PX, const int S) {
    float acc[EDGEDIFF_FPU_BLOCK * 4];
    float *prow = s->part + (y - s->y0) * s->w_out;
    edgediff_cfpu_elem_t *orow = s->out + y * s->w_out;
    int32_t x = 0;
    if (s->first && s->last && (s->act == EDGEDIFF_ACT_NONE || s->act == EDGEDIFF_ACT_RELU)) {
        /* One chunk, full tiles: the sums go from the bias to the output with constant
         * trip counts, so the compiler keeps acc[] in registers. */
        for (; x + PX <= s->w_out; x += PX) {
            for (int c = 0; c < CO; ++c) {
                for (int j = 0; j < PX; ++j) {
                    acc[c * PX + j] = s->bias[c];
                }
            }
            const float *b = s->band + x * S;
            tile(b + slot[0] * s->row, b + slot[1] * s->row, b + slot[2] * s->row, s->ring,
                 s->w, s->cib, acc);
            for (int c = 0; c < CO; ++c) {
                edgediff_cfpu_elem_t *o = orow + c * s->plane + x;
                for (int j = 0; j < PX; ++j) {
                    const float v = acc[c * PX + j];
                    o[j] = (edgediff_cfpu_elem_t)(s->act == EDGEDIFF_ACT_RELU ? edgediff_relu(v) : v);
                }
            }
        }
    }
    for (; x < s->w_out; x += PX) {
        edgediff_cfpu_seed(s, prow, x, acc, CO, PX);
        const float *b = s->band + x * S;
        tile(b + slot[0] * s->row, b + slot[1] * s->row, b + slot[2] * s->row, s->ring, s->w,
             s->cib, acc);
        edgediff_cfpu_store(s, prow, orow, x, acc, CO, PX);
    }
}

/* dst[0..n) = src[0..n) widened to float, or zeros (src NULL). Four at a time, written
 * out: compilers turn a plain copy loop into a call of the C library's memcpy/memset,
 * which picolibc builds for these cores as a byte loop (6 instructions per byte). */
static void edgediff_cfpu_copy(float *dst, const edgediff_cfpu_elem_t *src, int32_t n) {
    int32_t i = 0;
    if (src == NULL) {
        for (; i + 4 <= n; i += 4) {
            dst[i] = 0.0f, dst[i + 1] = 0.0f, dst[i + 2] = 0.0f, dst[i + 3] = 0.0f;
        }
        for (; i < n; ++i) {
            dst[i] = 0.0f;
        }
        return;
    }
    for (; i + 4 <= n; i += 4) {
        const float a = (float)src[i], b = (float)src[i + 1];
        const float c = (float)src[i + 2], d = (float)src[i + 3];
        dst[i] = a, dst[i + 1] = b, dst[i + 2] = c, dst[i + 3] = d;
    }
    for (; i < n; ++i) {
        dst[i] = (float)src[i];
    }
}

/* Copies (widens) input row iy of the chunk's channels into ring slot k (columns 1..w_in),
 * or zeros when iy is outside the input. */
static void edgediff_cfpu_fill(float *band, int32_t row, int32_t cib, int32_t k, int32_t iy,
                               const edgediff_cfpu_elem_t *in, int32_t h_in, int32_t w_in) {
    const int32_t inside = iy >= 0 && iy < h_in;
    for (int32_t c = 0; c < cib; ++c) {
        edgediff_cfpu_copy(band + (c * 3 + k) * row + 1, inside ? in + (c * h_in + iy) * w_in : NULL,
                           w_in);
    }
}

/* One pass: output rows y0..y1-1 of a block of co channels over one chunk of input
 * channels. The ring's padding columns (0 and past w_in) are zeroed once; rows fill the
 * rest. */
static void edgediff_cfpu_pass(edgediff_cfpu_pass_t *s, float *band,
                               const edgediff_cfpu_elem_t *in, int32_t h_in, int32_t w_in,
                               int32_t y0, int32_t y1) {
    for (int32_t r = 0; r < s->cib * 3; ++r) {
        float *dst = band + r * s->row;
        dst[0] = 0.0f;
        edgediff_cfpu_copy(dst + w_in + 1, NULL, s->row - w_in - 1);
    }
    int32_t next = -1; /* the next input row to bring into the ring */
    for (int32_t y = y0; y < y1; ++y) {
        const int32_t top = y * s->stride - 1;
        if (next < top) {
            next = top;
        }
        for (; next <= top + 2; ++next) {
            edgediff_cfpu_fill(band, s->row, s->cib, (next + 1) % 3, next, in, h_in, w_in);
        }
        const int32_t slot[3] = {(top + 1) % 3, (top + 2) % 3, (top + 3) % 3};
        if (s->co == EDGEDIFF_FPU_BLOCK) {
            if (s->stride == 1) {
                edgediff_cfpu_row(s, y, slot, edgediff_cfpu_tile4_s1, EDGEDIFF_FPU_BLOCK, 4, 1);
            } else {
                edgediff_cfpu_row(s, y, slot, edgediff_cfpu_tile4_s2, EDGEDIFF_FPU_BLOCK, 4, 2);
            }
        } else if (s->stride == 1) {
            edgediff_cfpu_row(s, y, slot, edgediff_cfpu_tile1_s1, 1, 8, 1);
        } else {
            edgediff_cfpu_row(s, y, slot, edgediff_cfpu_tile1_s2, 1, 8, 2);
        }
    }
}

void EDGEDIFF_CONV_FPU_NAME(const conv2d_params_t *p, const edgediff_cfpu_elem_t *in,
                            const edgediff_cfpu_elem_t *weight, const edgediff_cfpu_elem_t *bias,
                            edgediff_cfpu_elem_t *out, void *scratch) {
#ifdef EDGEDIFF_CONV_FPU_HALF
    const edgediff_conv2d_fpu_scratch_t sc = edgediff_conv2d_fpu_scratch(p, 1);
#else
    const edgediff_conv2d_fpu_scratch_t sc = edgediff_conv2d_fpu_scratch(p, 0);
#endif
    float *band = (float *)scratch;
    float *packed = (float *)((char *)scratch + sc.weights);
    const int32_t c_in = p->c_in, h_in = p->h_in, w_in = p->w_in, plane = p->h_out * p->w_out;
    edgediff_cfpu_pass_t s;
    s.band = band;
    s.w = packed;
    s.row = sc.row;
    s.ring = 3 * sc.row;
    s.stride = p->stride_h;
    s.w_out = p->w_out;
    s.plane = plane;
    s.act = p->act;
    for (int32_t n = 0; n < p->n; ++n) {
        for (int32_t co0 = 0; co0 < p->c_out; co0 += s.co) {
            s.co = p->c_out - co0 >= EDGEDIFF_FPU_BLOCK ? EDGEDIFF_FPU_BLOCK : 1;
            float b[EDGEDIFF_FPU_BLOCK];
            for (int32_t c = 0; c < s.co; ++c) {
                b[c] = bias ? (float)bias[co0 + c] : 0.0f;
            }
            s.bias = b;
            s.out = out + (n * p->c_out + co0) * plane;
#ifdef EDGEDIFF_CONV_FPU_HALF
            s.part = (float *)((char *)scratch + sc.partial);
            s.pplane = sc.rows * p->w_out;
#else
            s.part = s.out;
            s.pplane = plane;
#endif
            for (int32_t y0 = 0; y0 < p->h_out; y0 += sc.rows) {
                const int32_t y1 = p->h_out - y0 < sc.rows ? p->h_out : y0 + sc.rows;
#ifdef EDGEDIFF_CONV_FPU_HALF
                s.y0 = y0;
#else
                s.y0 = 0;
#endif
                for (int32_t ci0 = 0; ci0 < c_in; ci0 += sc.cib) {
                    s.cib = c_in - ci0 < sc.cib ? c_in - ci0 : sc.cib;
                    s.first = ci0 == 0;
                    s.last = ci0 + s.cib >= c_in;
                    /* [ci][ky][kx][co] from torch's [co][ci][ky][kx] */
                    const edgediff_cfpu_elem_t *src = weight + (co0 * c_in + ci0) * 9;
                    if (s.co == EDGEDIFF_FPU_BLOCK) {
                        const int32_t step = c_in * 9;
                        const edgediff_cfpu_elem_t *s1 = src + step, *s2 = s1 + step, *s3 = s2 + step;
                        for (int32_t k = 0; k < s.cib * 9; ++k) {
                            const float a = (float)src[k], b1 = (float)s1[k];
                            const float c2 = (float)s2[k], d3 = (float)s3[k];
                            packed[4 * k] = a, packed[4 * k + 1] = b1;
                            packed[4 * k + 2] = c2, packed[4 * k + 3] = d3;
                        }
                    } else {
                        edgediff_cfpu_copy(packed, src, s.cib * 9);
                    }
                    edgediff_cfpu_pass(&s, band, in + (n * c_in + ci0) * h_in * w_in, h_in,
                                       w_in, y0, y1);
                }
            }
        }
    }
}

#undef EDGEDIFF_CFPU_Q
#undef EDGEDIFF_CFPU_TAP4
#undef EDGEDIFF_CFPU_TAP1
#undef EDGEDIFF_CFPU_ACC4
#undef EDGEDIFF_CFPU_ACC1
#undef EDGEDIFF_CFPU_LOAD_ACC
#undef EDGEDIFF_CFPU_SAVE_ACC
#undef EDGEDIFF_FPU_INLINE
#undef EDGEDIFF_FPU_BLOCK
#undef EDGEDIFF_FPU_UNROLL
#undef EDGEDIFF_CONV_FPU_ELEM
#undef EDGEDIFF_CONV_FPU_NAME
