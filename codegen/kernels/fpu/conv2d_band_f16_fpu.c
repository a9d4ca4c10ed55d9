/* FP16-storage 3x3 convolution near FP32 speed, for the layers whose scratch can hold float
 * copies (cores with a scalar FPU: rv32 F/Zfh, Cortex-M4/M7/M33): pad 1, stride 1,
 * groups 1. Every weight is widened once per layer into the scratch (torch's layout,
 * [co][ci][3][3]) and every input row once per layer into a ring of 3 float rows of all
 * input channels ([slot][ci][x], row iy in slot iy % 3: one new row per output row); each
 * output row is then the FP32 kernel's register tiles
 * (internal/conv2d_fpu_tile.h: 4 output channels x 4 pixels, 1.42 instructions per MAC)
 * over every block of output channels, each sum rounded once to half on store. So an input
 * half is converted once per layer, not once per tile of output channels as in
 * conv2d_f16_fpu (which widens each input half in its load and needs far less scratch:
 * the memory planner takes this kernel only where its scratch does not grow the arena,
 * codegen/plan.py). ACCUMULATION: FP32 with fused multiply-adds, as conv2d_f32_fpu (the
 * operands are the halves' exact float values). Measured (zoo unet, 16 -> 16 channels at
 * 16 x 16): 1.59 instructions per MAC on rv32 (conv2d_f32_fpu 1.52, conv2d_f16_fpu 1.66),
 * 1.57 on Cortex-M4 (1.49; conv2d_f16_fpu 1.56 there, its pair loads and stores already
 * halve the conversions, so on Arm this kernel gains nothing). */
#include <math.h>
#include <stddef.h>

#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"
#include "edgediff/kernels_fpu.h"
#include "edgediff/internal/fpu_math.h"

#define EDGEDIFF_CF32_OUT_T edgediff_f16_t
#include "edgediff/internal/conv2d_fpu_tile.h"

/* d[i] = (float)s[i] for i < n: four per iteration (on Arm two pair loads, after an
 * unaligned first half), the last ones one at a time. */
static void edgediff_cb16_widen(float *d, const edgediff_f16_t *s, int32_t n) {
    const edgediff_f16_t *end = s + n;
#if EDGEDIFF_FPU_PAIRS
    if (s != end && ((uintptr_t)s & 3) != 0) {
        *d++ = (float)*s++;
    }
    for (; end - s >= 4; s += 4, d += 4) {
        const float p0 = edgediff_fpu_pair_load(s), p1 = edgediff_fpu_pair_load(s + 2);
        d[0] = edgediff_fpu_pair_lo(p0);
        d[1] = edgediff_fpu_pair_hi(p0);
        d[2] = edgediff_fpu_pair_lo(p1);
        d[3] = edgediff_fpu_pair_hi(p1);
    }
#else
    for (; end - s >= 4; s += 4, d += 4) {
        const float a = (float)s[0], b = (float)s[1], c = (float)s[2], e = (float)s[3];
        d[0] = a;
        d[1] = b;
        d[2] = c;
        d[3] = e;
    }
#endif
    for (; s != end; ++s, ++d) {
        *d = (float)*s;
    }
}

/* Output pixel (y, x) of channel c from the ring, bounds tested: the pixels past the last
 * full tile of a row. rows[k]: kernel row k's ring row of channel 0 (NULL: padding). */
static float edgediff_cb16_pixel(const conv2d_params_t *p, const float *const rows[3],
                                 const float *w, float sum, int32_t x) {
    const int32_t s = p->stride_h;
    for (int32_t ci = 0; ci < p->c_in; ++ci) {
        for (int32_t ky = 0; ky < 3; ++ky) {
            for (int32_t kx = 0; kx < 3; ++kx) {
                const int32_t ix = x * s - 1 + kx;
                if (rows[ky] && ix >= 0 && ix < p->w_in) {
                    sum = fmaf(rows[ky][ci * p->w_in + ix], w[(ci * 3 + ky) * 3 + kx], sum);
                }
            }
        }
    }
    return sum;
}

/* Output row y of CO (4 or 1) channels from the ring: the tiles (border variants inlined),
 * then the pixels past the last full tile. t->r, t->step: the ring rows at column 0. */
EDGEDIFF_CF32_INLINE void edgediff_cb16_row(edgediff_cf32_tile_t *t, const conv2d_params_t *p,
                                            const float *const rows[3], edgediff_f16_t *out_y,
                                            const int CO, const int S) {
    const int32_t w_in = p->w_in, w_out = p->w_out, full = w_out & ~3;
    for (int32_t x = 0; x < full; x += 4) {
        const int32_t left = x == 0, right = (x + 3) * S + 1 >= w_in;
        for (int32_t k = 0; k < 3; ++k) {
            t->r[k] = rows[k] ? rows[k] + x * S - 1 + left : edgediff_cf32_zeros;
        }
        t->out = out_y + x;
        if (!left && !right) {
            edgediff_cf32_tile(t, CO, S, 0, 0);
        } else if (!right) {
            edgediff_cf32_tile(t, CO, S, 1, 0);
        } else if (!left) {
            edgediff_cf32_tile(t, CO, S, 0, 1);
        } else {
            edgediff_cf32_tile(t, CO, S, 1, 1);
        }
    }
    for (int32_t x = full; x < w_out; ++x) {
        for (int32_t c = 0; c < CO; ++c) {
            const float v = edgediff_cb16_pixel(p, rows, t->w + c * t->wstep, t->bias[c], x);
            out_y[c * t->plane + x] = (edgediff_f16_t)edgediff_cf32_act(v, p->act);
        }
    }
}

typedef void (*edgediff_cb16_row_fn)(edgediff_cf32_tile_t *t, const conv2d_params_t *p,
                                     const float *const rows[3], edgediff_f16_t *out_y);
#define EDGEDIFF_CB16_ROW(name, CO, S)                                                   \
    static __attribute__((noinline)) void name(edgediff_cf32_tile_t *t,                \
                                               const conv2d_params_t *p,               \
                                               const float *const rows[3],             \
                                               edgediff_f16_t *out_y) {                \
        edgediff_cb16_row(t, p, rows, out_y, CO, S);                                   \
    }
/* Stride 1 only (overrides/fpu.py conv3x3_band_applies: at stride 2 an input row serves
 * half as many MACs and widening it costs more than the lean kernel's conversions). */
EDGEDIFF_CB16_ROW(edgediff_cb16_row4s1, 4, 1)
EDGEDIFF_CB16_ROW(edgediff_cb16_row1s1, 1, 1)

void edgediff_conv2d_band_f16_fpu(const conv2d_params_t *p, const edgediff_f16_t *in,
                                  const edgediff_f16_t *weight, const edgediff_f16_t *bias,
                                  edgediff_f16_t *out, void *scratch) {
    const int32_t s = p->stride_h, c_in = p->c_in, h_in = p->h_in, w_in = p->w_in;
    const int32_t plane_in = h_in * w_in, plane = p->h_out * p->w_out;
    float *wf = (float *)scratch;
    float *ring = wf + edgediff_conv2d_band_f16_fpu_weights(p);
    const int32_t slot = c_in * w_in; /* one ring row of every input channel */
    edgediff_cb16_widen(wf, weight, p->c_out * c_in * 9);
    edgediff_cf32_tile_t t;
    t.wstep = c_in * 9;
    t.c_in = c_in;
    t.plane = plane;
    t.act = p->act;
    const edgediff_cb16_row_fn block = edgediff_cb16_row4s1, single = edgediff_cb16_row1s1;
    for (int32_t n = 0; n < p->n; ++n) {
        const edgediff_f16_t *in_n = in + n * c_in * plane_in;
        int32_t have = -1; /* the last input row widened into the ring */
        for (int32_t y = 0; y < p->h_out; ++y) {
            const float *rows[3];
            for (int32_t k = 0; k < 3; ++k) {
                const int32_t iy = y * s - 1 + k;
                const int32_t inside = iy >= 0 && iy < h_in;
                if (inside && iy > have) {
                    float *dst = ring + (iy % 3) * slot;
                    for (int32_t ci = 0; ci < c_in; ++ci) {
                        edgediff_cb16_widen(dst + ci * w_in, in_n + ci * plane_in + iy * w_in, w_in);
                    }
                    have = iy;
                }
                rows[k] = inside ? ring + (iy % 3) * slot : NULL;
                t.step[k] = inside ? w_in : 0;
            }
            for (int32_t co0 = 0, co = 4; co0 < p->c_out; co0 += co) {
                co = p->c_out - co0 >= 4 ? 4 : 1;
                float b[4];
                for (int32_t c = 0; c < co; ++c) {
                    b[c] = bias ? (float)bias[co0 + c] : 0.0f;
                }
                t.bias = b;
                t.w = wf + co0 * t.wstep;
                edgediff_f16_t *out_y = out + (n * p->c_out + co0) * plane + y * p->w_out;
                (co == 4 ? block : single)(&t, p, rows, out_y);
            }
        }
    }
}
