/* Internal to the RVV convolutions (conv2d_f16_rvv.h, conv2d_f32_rvv.h); not part of the
 * API. The 3x3 and 1x1 convolutions both element types share (layout of the work: see the
 * file comment of conv2d_f16_rvv.c), written once over the element type. A small template:
 * the including file defines EDGEDIFF_RVV_INTERNAL, includes edgediff/kernels.h, then
 * defines (every macro with the EDGEDIFF_ prefix)
 *   elem_t, vec_t            element type and its LMUL 2 vector type;
 *   VSETVL(n), VLMAX(), VLOAD, VSTORE, VSTORE_STRIDED, VSPLAT, VUNDEF, VRELU(v, vl)
 *                            the intrinsics on vec_t;
 *   VCHUNK_LANES             lanes of one vec_t at VLEN 128 (16 halves, 8 floats);
 *   ASM_VTYPE, ASM_VLOAD     SEW/LMUL and unit-stride load of the asm inner loop
 *                            ("e16, m2" and "vle16.v" for FP16);
 *   idx_t, VID(), VIDX_DIV, VIDX_MUL, VIDX_ADD, VIDX_SUB, VIDX_MACC, VIDX_UNDEF
 *                            16-bit gather offsets, as many lanes as vec_t;
 * includes this header once, and defines silu_in_place() (declared here: the fused SiLU,
 * a second pass over the finished output). conv2d() is then the kernel. */
#ifndef EDGEDIFF_RVV_CONV2D_RVV_H
#define EDGEDIFF_RVV_CONV2D_RVV_H

static void silu_in_place(elem_t *x, int32_t count);

/* The tiling budgets (edgediff/limits.h): band copies per block of input channels at most
 * EDGEDIFF_SCRATCH_ELEMS elements, EDGEDIFF_CB_MAX output channels per block and packed
 * weights of EDGEDIFF_PACK_CI input channels (x 9 taps). Both buffers live in the
 * kernel's scratch, laid out by edgediff_conv2d_rvv_scratch() (kernels_rvv.h). */
#define EDGEDIFF_SCRATCH_ELEMS ((int32_t)(EDGEDIFF_RVV_CONV_BAND_BYTES / sizeof(elem_t)))
#define EDGEDIFF_CB_MAX EDGEDIFF_RVV_CONV_CB_MAX
#define EDGEDIFF_PACK_CI EDGEDIFF_RVV_CONV_PACK_CI

/* The inner loop of a block is written as asm: clang 14 gives the vfmacc intrinsic a
 * tail-undisturbed policy and loads a tail-agnostic one, and puts a vsetvli between every
 * load and multiply-add (and after any asm). Every vector instruction of a block runs with
 * the same SEW/LMUL/vl, set by a vsetvli at the top of each input-channel iteration whose
 * result every load takes as an input, so nothing the compiler schedules in between can
 * leave another vtype behind. The tail past vl is never read. The loads name the bytes
 * they read so the compiler orders them after the buffer is filled. */
typedef struct {
    elem_t e[EDGEDIFF_VCHUNK_LANES];
} vchunk_t;
#define EDGEDIFF_VSETVL_ASM(tok, vl) \
    __asm__ volatile("vsetvli %0, %1, " EDGEDIFF_ASM_VTYPE ", ta, mu" : "=r"(tok) : "r"(vl))
#define EDGEDIFF_VFMACC_ASM(acc, w, x) \
    __asm__("vfmacc.vf %0, %1, %2" : "+vr"(acc) : "f"(w), "vr"(x))
#define EDGEDIFF_VLOAD_ASM(x, ptr)         \
    __asm__(EDGEDIFF_ASM_VLOAD " %0, (%1)" \
            : "=vr"(x)                     \
            : "r"(ptr), "r"(tok), "m"(*(const vchunk_t *)(ptr)))
/* Indexed (gather) load for strided convolutions: byte offsets in idx (idx_t), 16-bit
 * indices; the asm names the whole band budget as the memory it reads. */
typedef struct {
    elem_t e[EDGEDIFF_SCRATCH_ELEMS];
} scratch_t;
#define EDGEDIFF_VGATHER_ASM(x, ptr, idx) \
    __asm__("vluxei16.v %0, (%1), %2" : "=vr"(x) : "r"(ptr), "vr"(idx), "r"(tok), "m"(*region))

/* ---- accumulator block helpers (j = output channel in block, k = chunk 0/1) ---------- */
#define EDGEDIFF_DECL_ACC(j) vec_t a##j##0 = EDGEDIFF_VUNDEF(), a##j##1 = EDGEDIFF_VUNDEF();
#define EDGEDIFF_INIT_ACC(j)                                                 \
    if (cb > j) {                                                            \
        if (from_out) {                                                      \
            a##j##0 = EDGEDIFF_VLOAD(dst + j * out_plane, vl);               \
            if (two) a##j##1 = EDGEDIFF_VLOAD(dst + j * out_plane + vl, vl); \
        } else {                                                             \
            const elem_t b_ = bias ? bias[j] : (elem_t)0.0f;                 \
            a##j##0 = EDGEDIFF_VSPLAT(b_, vl);                               \
            if (two) a##j##1 = EDGEDIFF_VSPLAT(b_, vl);                      \
        }                                                                    \
    }
#define EDGEDIFF_MAC(j, wv)                            \
    if (cb > j) {                                      \
        const elem_t w_ = (wv);                        \
        EDGEDIFF_VFMACC_ASM(a##j##0, w_, x0);          \
        if (two) EDGEDIFF_VFMACC_ASM(a##j##1, w_, x1); \
    }
#define EDGEDIFF_STORE_ACC(j)                                            \
    if (cb > j) {                                                        \
        if (relu) {                                                      \
            a##j##0 = EDGEDIFF_VRELU(a##j##0, vl);                       \
            if (two) a##j##1 = EDGEDIFF_VRELU(a##j##1, vl);              \
        }                                                                \
        EDGEDIFF_VSTORE(dst + j * out_plane, a##j##0, vl);               \
        if (two) EDGEDIFF_VSTORE(dst + j * out_plane + vl, a##j##1, vl); \
    }
#define EDGEDIFF_FOR_CB(M) M(0) M(1) M(2) M(3) M(4) M(5)

/* One 3x3 tap for all channels of the block: chunk loads at src (and src + vl). */
#define EDGEDIFF_TAP(src, t)                                                \
    {                                                                       \
        const elem_t *s_ = (src);                                           \
        vec_t x0, x1;                                                       \
        if (gather) {                                                       \
            EDGEDIFF_VGATHER_ASM(x0, s_, idx0);                             \
            if (two)                                                        \
                EDGEDIFF_VGATHER_ASM(x1, s_, idx1);                         \
            else                                                            \
                x1 = x0;                                                    \
        } else {                                                            \
            EDGEDIFF_VLOAD_ASM(x0, s_);                                     \
            if (two)                                                        \
                EDGEDIFF_VLOAD_ASM(x1, s_ + vl);                            \
            else                                                            \
                x1 = x0;                                                    \
        }                                                                   \
        EDGEDIFF_MAC(0, wk[(t) * cb]) EDGEDIFF_MAC(1, wk[(t) * cb + 1])     \
        EDGEDIFF_MAC(2, wk[(t) * cb + 2]) EDGEDIFF_MAC(3, wk[(t) * cb + 3]) \
        EDGEDIFF_MAC(4, wk[(t) * cb + 4]) EDGEDIFF_MAC(5, wk[(t) * cb + 5]) \
    }

/* cb output channels x (1 + two) chunks of vl lanes. Contiguous (stride 1): s is channel 0
 * of the buffer advanced to the chunk's first position, chunk 1 follows at + vl. Gathered
 * (stride 2): s is channel 0 of the buffer and idx0/idx1 hold each lane's byte offset.
 * wk: packed weights [ci][tap][cb]; dst: out[co0] + chunk position. */
EDGEDIFF_RVV_INLINE void conv3x3_block(const int cb, const int two, const int gather,
                                       const elem_t *s, const scratch_t *region,
                                       int32_t copy_stride, int32_t row, size_t vl,
                                       idx_t idx0, idx_t idx1, const elem_t *wk, int32_t n_ci,
                                       elem_t *dst, int32_t out_plane, const elem_t *bias,
                                       int from_out, int relu) {
    EDGEDIFF_FOR_CB(EDGEDIFF_DECL_ACC)
    EDGEDIFF_FOR_CB(EDGEDIFF_INIT_ACC)
    const int32_t row2 = 2 * row;
    /* s as an opaque pointer: seen as the scratch argument plus offsets, clang 14's loop
     * strength reduction kept the base and stepped all 18 tap offsets each input channel
     * (18 adds) instead of stepping s once. */
    __asm__("" : "+r"(s));
    for (int32_t ci = 0; ci < n_ci; ++ci) {
        size_t tok;
        EDGEDIFF_VSETVL_ASM(tok, vl);
        const elem_t *sa = s;                       /* left taps: last column zeroed */
        const elem_t *sc = s + copy_stride + 1;     /* centre taps */
        const elem_t *sb = s + 2 * copy_stride + 2; /* right taps: first column zeroed */
        EDGEDIFF_TAP(sa, 0) EDGEDIFF_TAP(sc, 1) EDGEDIFF_TAP(sb, 2)
        EDGEDIFF_TAP(sa + row, 3) EDGEDIFF_TAP(sc + row, 4) EDGEDIFF_TAP(sb + row, 5)
        EDGEDIFF_TAP(sa + row2, 6) EDGEDIFF_TAP(sc + row2, 7) EDGEDIFF_TAP(sb + row2, 8)
        s += 3 * copy_stride;
        wk += 9 * cb;
    }
    EDGEDIFF_FOR_CB(EDGEDIFF_STORE_ACC)
}

/* cb output channels x (1 + two) chunks of a 1x1 convolution at flat position o.
 * src: in[ci0] + o; wk: packed weights [ci][cb]; dst: out[co0] + o. */
EDGEDIFF_RVV_INLINE void conv1x1_block(const int cb, const int two, const elem_t *src,
                                       int32_t plane, size_t vl, const elem_t *wk,
                                       int32_t n_ci, elem_t *dst, int32_t out_plane,
                                       const elem_t *bias, int from_out, int relu) {
    const int gather = 0;
    const scratch_t *region = (const scratch_t *)0;
    const idx_t idx0 = EDGEDIFF_VIDX_UNDEF(), idx1 = idx0;
    (void)region;
    EDGEDIFF_FOR_CB(EDGEDIFF_DECL_ACC)
    EDGEDIFF_FOR_CB(EDGEDIFF_INIT_ACC)
    for (int32_t ci = 0; ci < n_ci; ++ci) {
        size_t tok;
        EDGEDIFF_VSETVL_ASM(tok, vl);
        EDGEDIFF_TAP(src, 0)
        src += plane;
        wk += cb;
    }
    EDGEDIFF_FOR_CB(EDGEDIFF_STORE_ACC)
}

/* Dispatch on the block's channel count so each variant is compiled with constants. */
#define EDGEDIFF_DISPATCH_CB(cb, call_with_cb) \
    switch (cb) {                              \
    case 6: call_with_cb(6); break;            \
    case 5: call_with_cb(5); break;            \
    case 4: call_with_cb(4); break;            \
    case 3: call_with_cb(3); break;            \
    case 2: call_with_cb(2); break;            \
    default: call_with_cb(1); break;           \
    }

/* Copies input rows top .. top+rows-1 of channel plane `src` three times into the buffer
 * (copy A at dst, C and B after it, copy_stride = rows * w + 2 apart), rows outside the
 * image as zeros; then zeroes column w-1 of copy A and column 0 of copy B. */
static void fill_band(elem_t *dst, const elem_t *src, int32_t h, int32_t w, int32_t top,
                      int32_t rows, int32_t copy_stride) {
    const size_t vlmax = EDGEDIFF_VLMAX();
    const vec_t zero = EDGEDIFF_VSPLAT((elem_t)0.0f, vlmax);
    elem_t *a = dst, *c = dst + copy_stride, *b = dst + 2 * copy_stride;
    const int32_t first = top < 0 ? 0 : top;
    const int32_t end = top + rows > h ? h : top + rows;
    /* Flat layout of each copy: guard element, then row `top` at 1, ..., guard. */
    const int32_t lead = 1 + (first - top) * w; /* guard + zero rows above the image */
    const int32_t body = end > first ? (end - first) * w : 0;
    const int32_t total = copy_stride;
    for (int32_t i = 0; i < lead;) {
        const size_t vl = EDGEDIFF_VSETVL((size_t)(lead - i));
        EDGEDIFF_VSTORE(a + i, zero, vl);
        EDGEDIFF_VSTORE(c + i, zero, vl);
        EDGEDIFF_VSTORE(b + i, zero, vl);
        i += (int32_t)vl;
    }
    const elem_t *s = src + first * w;
    for (int32_t i = 0; i < body;) {
        const size_t vl = EDGEDIFF_VSETVL((size_t)(body - i));
        const vec_t v = EDGEDIFF_VLOAD(s + i, vl);
        EDGEDIFF_VSTORE(a + lead + i, v, vl);
        EDGEDIFF_VSTORE(c + lead + i, v, vl);
        EDGEDIFF_VSTORE(b + lead + i, v, vl);
        i += (int32_t)vl;
    }
    for (int32_t i = lead + body; i < total;) {
        const size_t vl = EDGEDIFF_VSETVL((size_t)(total - i));
        EDGEDIFF_VSTORE(a + i, zero, vl);
        EDGEDIFF_VSTORE(c + i, zero, vl);
        EDGEDIFF_VSTORE(b + i, zero, vl);
        i += (int32_t)vl;
    }
    /* Column w-1 of copy A and column 0 of copy B, every row of the band. */
    const ptrdiff_t stride = (ptrdiff_t)(w * (int32_t)sizeof(elem_t));
    for (int32_t r = 0; r < rows;) {
        const size_t vl = EDGEDIFF_VSETVL((size_t)(rows - r));
        EDGEDIFF_VSTORE_STRIDED(a + 1 + r * w + (w - 1), stride, zero, vl);
        EDGEDIFF_VSTORE_STRIDED(b + 1 + r * w, stride, zero, vl);
        r += (int32_t)vl;
    }
}

/* packed[i][j] = weight of output channel j at flat index i (i < count): each output
 * channel's run of count weights (starting at src, co_stride apart) is stored with a
 * stride of cb elements, so a block reads all its weights at constant offsets. */
static void pack_weights(elem_t *packed, const elem_t *src, int32_t co_stride, int32_t cb,
                         int32_t count) {
    const ptrdiff_t stride = (ptrdiff_t)(cb * (int32_t)sizeof(elem_t));
    for (int32_t j = 0; j < cb; ++j) {
        for (int32_t i = 0; i < count;) {
            const size_t vl = EDGEDIFF_VSETVL((size_t)(count - i));
            EDGEDIFF_VSTORE_STRIDED(packed + i * cb + j, stride,
                                    EDGEDIFF_VLOAD(src + j * co_stride + i, vl), vl);
            i += (int32_t)vl;
        }
    }
}

/* Byte offset in a channel's copy of the window origin of each lane: output position
 * q = first + lane, at (q / w_out, q % w_out), reads from (2 * that) in a row of w. */
EDGEDIFF_RVV_INLINE idx_t stride2_offsets(int32_t first, int32_t w_out, int32_t w, size_t vl) {
    const idx_t q = EDGEDIFF_VIDX_ADD(EDGEDIFF_VID(), (uint16_t)first, vl);
    const idx_t oy = EDGEDIFF_VIDX_DIV(q, (uint16_t)w_out, vl);
    const idx_t ox = EDGEDIFF_VIDX_SUB(q, EDGEDIFF_VIDX_MUL(oy, (uint16_t)w_out, vl), vl);
    const idx_t base = EDGEDIFF_VIDX_MACC(ox, (uint16_t)w, oy, vl); /* ox + w * oy */
    return EDGEDIFF_VIDX_MUL(base, (uint16_t)(2 * sizeof(elem_t)), vl);
}

/* 3x3, pad 1, stride 1 or 2. The output is cut into bands of rows; per band the input
 * rows it needs are copied (3 copies per channel, see the file comment) for as many input
 * channels as the buffer holds, and each block of output channels accumulates over them. */
static void conv3x3(const conv2d_params_t *p, const elem_t *in, const elem_t *weight,
                    const elem_t *bias, elem_t *out, void *scratch) {
    elem_t *const buffer = (elem_t *)scratch;
    const scratch_t *const region = (const scratch_t *)scratch;
    elem_t *const packed =
        (elem_t *)((uint8_t *)scratch + edgediff_conv2d_rvv_scratch(p, sizeof(elem_t)).packed);
    const int32_t h = p->h_in, w = p->w_in, c_in = p->c_in, c_out = p->c_out;
    const int32_t h_out = p->h_out, w_out = p->w_out, stride = p->stride_h;
    const int32_t plane = h * w, out_plane = h_out * w_out;
    const int relu_act = p->act == EDGEDIFF_ACT_RELU;
    /* Output rows per band: all if one channel's input rows fit, else halve. */
    int32_t bh = h_out;
    while (bh > 1 && 3 * ((stride * (bh - 1) + 3) * w + 2) > EDGEDIFF_SCRATCH_ELEMS) {
        bh = (bh + 1) / 2;
    }
    const int32_t vlmax = (int32_t)EDGEDIFF_VLMAX();
    for (int32_t n = 0; n < p->n; ++n) {
        const elem_t *in_n = in + n * c_in * plane;
        elem_t *out_n = out + n * c_out * out_plane;
        for (int32_t y0 = 0; y0 < h_out; y0 += bh) {
            const int32_t rows = h_out - y0 < bh ? h_out - y0 : bh;
            const int32_t in_rows = stride * (rows - 1) + 3;
            const int32_t copy_stride = in_rows * w + 2;
            const int32_t chan_stride = 3 * copy_stride;
            const int32_t fit = EDGEDIFF_SCRATCH_ELEMS / chan_stride;
            const int32_t cib_max = fit < EDGEDIFF_PACK_CI ? fit : EDGEDIFF_PACK_CI;
            const int32_t band = rows * w_out;
            for (int32_t ci0 = 0; ci0 < c_in; ci0 += cib_max) {
                const int32_t cib = c_in - ci0 < cib_max ? c_in - ci0 : cib_max;
                for (int32_t c = 0; c < cib; ++c) {
                    fill_band(buffer + c * chan_stride, in_n + (ci0 + c) * plane, h, w,
                              stride * y0 - 1, in_rows, copy_stride);
                }
                const int from_out = ci0 > 0;
                const int relu = relu_act && ci0 + cib == c_in;
                for (int32_t co0 = 0; co0 < c_out; co0 += EDGEDIFF_CB_MAX) {
                    const int32_t cb =
                        c_out - co0 < EDGEDIFF_CB_MAX ? c_out - co0 : EDGEDIFF_CB_MAX;
                    pack_weights(packed, weight + (co0 * c_in + ci0) * 9, c_in * 9, cb, cib * 9);
                    const elem_t *bs = bias ? bias + co0 : (const elem_t *)0;
                    elem_t *dst0 = out_n + co0 * out_plane + y0 * w_out;
                    int32_t o = 0;
                    if (stride == 1) {
#define EDGEDIFF_CALL3(CB, TWO, VL)                                                               \
    conv3x3_block(CB, TWO, 0, buffer + o, region, copy_stride, w, (size_t)(VL),                   \
                  EDGEDIFF_VIDX_UNDEF(), EDGEDIFF_VIDX_UNDEF(), packed, cib, dst0 + o, out_plane, \
                  bs, from_out, relu)
#define EDGEDIFF_FULL3(CB) EDGEDIFF_CALL3(CB, 1, vlmax)
#define EDGEDIFF_PAIR3(CB) EDGEDIFF_CALL3(CB, 1, rest / 2)
#define EDGEDIFF_ONE3(CB) EDGEDIFF_CALL3(CB, 0, vl1)
                        while (band - o >= 2 * vlmax) {
                            EDGEDIFF_DISPATCH_CB(cb, EDGEDIFF_FULL3)
                            o += 2 * vlmax;
                        }
                        const int32_t rest = band - o;
                        if (rest > 0 && rest % 2 == 0) {
                            EDGEDIFF_DISPATCH_CB(cb, EDGEDIFF_PAIR3)
                        } else {
                            while (o < band) {
                                const int32_t vl1 = band - o < vlmax ? band - o : vlmax;
                                EDGEDIFF_DISPATCH_CB(cb, EDGEDIFF_ONE3)
                                o += vl1;
                            }
                        }
                    } else {
#define EDGEDIFF_CALLS(CB, TWO, VL)                                                       \
    conv3x3_block(CB, TWO, 1, buffer, region, copy_stride, w, (size_t)(VL), idx0, idx1,   \
                  packed, cib, dst0 + o, out_plane, bs, from_out, relu)
#define EDGEDIFF_FULLS(CB) EDGEDIFF_CALLS(CB, 1, vlmax)
#define EDGEDIFF_ONES(CB) EDGEDIFF_CALLS(CB, 0, vl1)
                        while (band - o >= 2 * vlmax) {
                            const idx_t idx0 = stride2_offsets(o, w_out, w, (size_t)vlmax);
                            const idx_t idx1 = stride2_offsets(o + vlmax, w_out, w, (size_t)vlmax);
                            EDGEDIFF_DISPATCH_CB(cb, EDGEDIFF_FULLS)
                            o += 2 * vlmax;
                        }
                        while (o < band) {
                            const int32_t vl1 = band - o < vlmax ? band - o : vlmax;
                            const idx_t idx0 = stride2_offsets(o, w_out, w, (size_t)vl1);
                            const idx_t idx1 = idx0;
                            EDGEDIFF_DISPATCH_CB(cb, EDGEDIFF_ONES)
                            o += vl1;
                        }
                    }
                }
            }
        }
    }
}

static void conv1x1(const conv2d_params_t *p, const elem_t *in, const elem_t *weight,
                    const elem_t *bias, elem_t *out, void *scratch) {
    const int32_t c_in = p->c_in, c_out = p->c_out;
    const int32_t plane = p->h_in * p->w_in;
    const int relu_act = p->act == EDGEDIFF_ACT_RELU;
    const int32_t vlmax = (int32_t)EDGEDIFF_VLMAX();
    elem_t *const packed = (elem_t *)scratch;
    const int32_t cib_max = 9 * EDGEDIFF_PACK_CI;
    for (int32_t n = 0; n < p->n; ++n) {
        const elem_t *in_n = in + n * c_in * plane;
        elem_t *out_n = out + n * c_out * plane;
        for (int32_t ci0 = 0; ci0 < c_in; ci0 += cib_max) {
        const int32_t cib = c_in - ci0 < cib_max ? c_in - ci0 : cib_max;
        const int from_out = ci0 > 0;
        const int relu = relu_act && ci0 + cib == c_in;
        const elem_t *src0 = in_n + ci0 * plane;
        for (int32_t co0 = 0; co0 < c_out; co0 += EDGEDIFF_CB_MAX) {
            const int32_t cb = c_out - co0 < EDGEDIFF_CB_MAX ? c_out - co0 : EDGEDIFF_CB_MAX;
            pack_weights(packed, weight + co0 * c_in + ci0, c_in, cb, cib);
            const elem_t *bs = bias ? bias + co0 : (const elem_t *)0;
            elem_t *dst0 = out_n + co0 * plane;
            int32_t o = 0;
#define EDGEDIFF_CALL1(CB, TWO, VL)                                                         \
    conv1x1_block(CB, TWO, src0 + o, plane, (size_t)(VL), packed, cib, dst0 + o, plane, bs, \
                  from_out, relu)
#define EDGEDIFF_FULL1(CB) EDGEDIFF_CALL1(CB, 1, vlmax)
#define EDGEDIFF_PAIR1(CB) EDGEDIFF_CALL1(CB, 1, rest / 2)
#define EDGEDIFF_ONE1(CB) EDGEDIFF_CALL1(CB, 0, vl1)
            while (plane - o >= 2 * vlmax) {
                EDGEDIFF_DISPATCH_CB(cb, EDGEDIFF_FULL1)
                o += 2 * vlmax;
            }
            const int32_t rest = plane - o;
            if (rest > 0 && rest % 2 == 0) {
                EDGEDIFF_DISPATCH_CB(cb, EDGEDIFF_PAIR1)
            } else {
                while (o < plane) {
                    const int32_t vl1 = plane - o < vlmax ? plane - o : vlmax;
                    EDGEDIFF_DISPATCH_CB(cb, EDGEDIFF_ONE1)
                    o += vl1;
                }
            }
        }
        }
    }
}

static inline void conv2d(const conv2d_params_t *p, const elem_t *in, const elem_t *weight,
                          const elem_t *bias, elem_t *out, void *scratch) {
    if (p->kernel_h == 1) {
        conv1x1(p, in, weight, bias, out, scratch);
    } else {
        conv3x3(p, in, weight, bias, out, scratch);
    }
    if (p->act == EDGEDIFF_ACT_SILU) {
        silu_in_place(out, p->n * p->c_out * p->h_out * p->w_out);
    }
}

/* The kernel's one externally visible entry point, named by the includer
 * (EDGEDIFF_RVV_CONV2D_NAME; conv2d_f16_rvv.h says why there are two names). Declared
 * first: the binary_weight copy has no public prototype. */
void EDGEDIFF_RVV_CONV2D_NAME(const conv2d_params_t *p, const elem_t *in, const elem_t *weight,
                              const elem_t *bias, elem_t *out, void *scratch);
void EDGEDIFF_RVV_CONV2D_NAME(const conv2d_params_t *p, const elem_t *in, const elem_t *weight,
                              const elem_t *bias, elem_t *out, void *scratch) {
    conv2d(p, in, weight, bias, out, scratch);
}

/* The includer's parameters end here. */
#undef EDGEDIFF_RVV_CONV2D_NAME
#undef EDGEDIFF_ASM_VLOAD
#undef EDGEDIFF_ASM_VTYPE
#undef EDGEDIFF_VCHUNK_LANES
#undef EDGEDIFF_VID
#undef EDGEDIFF_VIDX_ADD
#undef EDGEDIFF_VIDX_DIV
#undef EDGEDIFF_VIDX_MACC
#undef EDGEDIFF_VIDX_MUL
#undef EDGEDIFF_VIDX_SUB
#undef EDGEDIFF_VIDX_UNDEF
#undef EDGEDIFF_VLMAX
#undef EDGEDIFF_VLOAD
#undef EDGEDIFF_VRELU
#undef EDGEDIFF_VSETVL
#undef EDGEDIFF_VSPLAT
#undef EDGEDIFF_VSTORE
#undef EDGEDIFF_VSTORE_STRIDED
#undef EDGEDIFF_VUNDEF

/* This header's own macros end here (the includer's code does not use them). */
#undef EDGEDIFF_CALL1
#undef EDGEDIFF_CALL3
#undef EDGEDIFF_CALLS
#undef EDGEDIFF_DECL_ACC
#undef EDGEDIFF_DISPATCH_CB
#undef EDGEDIFF_FOR_CB
#undef EDGEDIFF_FULL1
#undef EDGEDIFF_FULL3
#undef EDGEDIFF_FULLS
#undef EDGEDIFF_INIT_ACC
#undef EDGEDIFF_MAC
#undef EDGEDIFF_ONE1
#undef EDGEDIFF_ONE3
#undef EDGEDIFF_ONES
#undef EDGEDIFF_PACK_CI
#undef EDGEDIFF_PAIR1
#undef EDGEDIFF_PAIR3
#undef EDGEDIFF_SCRATCH_ELEMS
#undef EDGEDIFF_STORE_ACC
#undef EDGEDIFF_TAP
#undef EDGEDIFF_VFMACC_ASM
#undef EDGEDIFF_VGATHER_ASM
#undef EDGEDIFF_VLOAD_ASM
#undef EDGEDIFF_VSETVL_ASM

#endif /* EDGEDIFF_RVV_CONV2D_RVV_H */
