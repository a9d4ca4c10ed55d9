/*
 * The RVV vector GELU (erf and tanh forms) and sigmoid of rvv/gelu_*_rvv.c, gelu_tanh_*_rvv.c
 * and sigmoid_*_rvv.c, on e32/m2 vectors (8 floats); the method and constants are in
 * vector_gelu_consts.h. Not part of the public API; include after defining
 * EDGEDIFF_RVV_INTERNAL (as kernels_rvv.h's helpers).
 *
 * Each function is inline asm after one intrinsic, as kernels_rvv.h's SiLU and for the same
 * reason: clang 14 gives multiply-add intrinsics a tail-undisturbed policy and the others
 * tail-agnostic and would put a vsetvli between most of these instructions. The asm runs in
 * the vector state the intrinsic before it left (e32, m2, the caller's vl). Polynomials with
 * a vector argument and scalar coefficients use the power form (Estrin: p01 + a^2 p23 +
 * a^4 p45, vfmacc.vf); e^r's Horner steps take vector coefficients set up once per loop
 * (EDGEDIFF_RVV_VG_SETUP in the caller's scope), which leaves enough registers for m2.
 */
#ifndef EDGEDIFF_VECTOR_GELU_RVV_H
#define EDGEDIFF_VECTOR_GELU_RVV_H

#include <riscv_vector.h>

#include "edgediff/internal/vector_gelu_consts.h"

#define EDGEDIFF_VG_INLINE static inline __attribute__((always_inline))

/* The loop-invariant vector coefficients of e^r, in the caller's scope. */
#define EDGEDIFF_RVV_VG_SETUP()                                                            \
    const size_t vg_vlmax_ = vsetvlmax_e32m2();                                            \
    const vfloat32m2_t vg_c2_ = vfmv_v_f_f32m2(EDGEDIFF_VG_EXP_C2, vg_vlmax_);              \
    const vfloat32m2_t vg_c3_ = vfmv_v_f_f32m2(EDGEDIFF_VG_EXP_C3, vg_vlmax_);              \
    const vfloat32m2_t vg_c4_ = vfmv_v_f_f32m2(EDGEDIFF_VG_EXP_C4, vg_vlmax_);              \
    const vfloat32m2_t vg_c5_ = vfmv_v_f_f32m2(EDGEDIFF_VG_EXP_C5, vg_vlmax_);              \
    const vfloat32m2_t vg_one_ = vfmv_v_f_f32m2(1.0f, vg_vlmax_)

/* fn (edgediff_rvv_gelu_f32m2, ...) of x (vl floats); needs EDGEDIFF_RVV_VG_SETUP() in scope. */
#define EDGEDIFF_RVV_VG(fn, x, vl) fn((x), (vl), vg_c2_, vg_c3_, vg_c4_, vg_c5_, vg_one_)

#define EDGEDIFF_RVV_VG_PARAMS                                                             \
    vfloat32m2_t c2, vfloat32m2_t c3, vfloat32m2_t c4, vfloat32m2_t c5, vfloat32m2_t one

/* p = e^r * 2^(n + 64) from r (reduced, in %[r]) and n (int, in %[n]): the asm text shared
 * by the three functions; operands c2..c5, one, c6, bias, named alike in each. */
#define EDGEDIFF_RVV_VG_EXP_POLY                                                           \
    "vfmv.v.f    %[p], %[c6]\n\t"                                                          \
    "vfmadd.vv   %[p], %[r], %[c5]\n\t"                                                    \
    "vfmadd.vv   %[p], %[r], %[c4]\n\t"                                                    \
    "vfmadd.vv   %[p], %[r], %[c3]\n\t"                                                    \
    "vfmadd.vv   %[p], %[r], %[c2]\n\t"                                                    \
    "vfmadd.vv   %[p], %[r], %[one]\n\t"                                                   \
    "vfmadd.vv   %[p], %[r], %[one]\n\t"                                                   \
    "vadd.vx     %[n], %[n], %[bias]\n\t"                                                  \
    "vsll.vi     %[n], %[n], 23\n\t"                                                       \
    "vfmul.vv    %[p], %[p], %[n]\n\t"

#define EDGEDIFF_RVV_VG_EXP_OPERANDS                                                       \
    [c2] "vr"(c2), [c3] "vr"(c3), [c4] "vr"(c4), [c5] "vr"(c5), [one] "vr"(one),             \
        [c6] "f"(EDGEDIFF_VG_EXP_C6), [bias] "r"(EDGEDIFF_VG_EXP_BIAS)

/* x Phi(x), 8 lanes. */
EDGEDIFF_VG_INLINE vfloat32m2_t edgediff_rvv_gelu_f32m2(vfloat32m2_t x, size_t vl,
                                                        EDGEDIFF_RVV_VG_PARAMS) {
    vfloat32m2_t a = vfabs_v_f32m2(x, vl); /* also sets e32/m2/vl for the asm */
    vfloat32m2_t hh, a4, rp, rq, t, y, r, nf;
    vint32m2_t n;
    /* a = min(|x|, 15), hh = fl(a^2), R = P4(a) / Q5(a) */
    __asm__("vfmin.vf    %[a], %[a], %[amax]\n\t"
            "vfmul.vv    %[hh], %[a], %[a]\n\t"
            "vfmul.vv    %[a4], %[hh], %[hh]\n\t"
            "vfmv.v.f    %[rp], %[p0]\n\t"
            "vfmacc.vf   %[rp], %[p1], %[a]\n\t"
            "vfmv.v.f    %[t], %[p2]\n\t"
            "vfmacc.vf   %[t], %[p3], %[a]\n\t"
            "vfmacc.vv   %[rp], %[hh], %[t]\n\t"
            "vfmacc.vf   %[rp], %[p4], %[a4]\n\t"
            "vfmv.v.f    %[rq], %[q0]\n\t"
            "vfmacc.vf   %[rq], %[q1], %[a]\n\t"
            "vfmv.v.f    %[t], %[q2]\n\t"
            "vfmacc.vf   %[t], %[q3], %[a]\n\t"
            "vfmacc.vv   %[rq], %[hh], %[t]\n\t"
            "vfmv.v.f    %[t], %[q4]\n\t"
            "vfmacc.vf   %[t], %[q5], %[a]\n\t"
            "vfmacc.vv   %[rq], %[a4], %[t]\n\t"
            "vfdiv.vv    %[rp], %[rp], %[rq]"
            : [a] "+vr"(a), [hh] "=&vr"(hh), [a4] "=&vr"(a4), [rp] "=&vr"(rp), [rq] "=&vr"(rq),
              [t] "=&vr"(t)
            : [amax] "f"(EDGEDIFF_VG_GELU_A_MAX), [p0] "f"(EDGEDIFF_VG_P0),
              [p1] "f"(EDGEDIFF_VG_P1), [p2] "f"(EDGEDIFF_VG_P2), [p3] "f"(EDGEDIFF_VG_P3),
              [p4] "f"(EDGEDIFF_VG_P4), [q0] "f"(EDGEDIFF_VG_Q0), [q1] "f"(EDGEDIFF_VG_Q1),
              [q2] "f"(EDGEDIFF_VG_Q2), [q3] "f"(EDGEDIFF_VG_Q3), [q4] "f"(EDGEDIFF_VG_Q4),
              [q5] "f"(EDGEDIFF_VG_Q5));
    /* r = -a^2/2 - n ln2 (a^2 = hh + lo, lo exact), g = R e^r 2^(n+64); then x < 0: x g 2^-64
     * (x clamped to -15, so -inf gives -0, the limit), else x (1 - g 2^-64). */
    __asm__("vfmul.vf    %[r], %[hh], %[mhalf]\n\t"
            "vfmsac.vv   %[hh], %[a], %[a]\n\t" /* hh := a*a - hh, the exact low part */
            "vfmul.vf    %[nf], %[r], %[log2e]\n\t"
            "vfcvt.x.f.v %[n], %[nf]\n\t"
            "vfcvt.f.x.v %[nf], %[n]\n\t"
            "vfnmsac.vf  %[r], %[ln2hi], %[nf]\n\t"
            "vfnmsac.vf  %[r], %[ln2lo], %[nf]\n\t"
            "vfnmsac.vf  %[r], %[half], %[hh]\n\t"
            EDGEDIFF_RVV_VG_EXP_POLY
            "vfmul.vv    %[p], %[p], %[rp]\n\t"
            "vfmax.vf    %[nf], %[x], %[mamax]\n\t"
            "vfmul.vv    %[nf], %[nf], %[p]\n\t"
            "vfmul.vf    %[nf], %[nf], %[tiny]\n\t"
            "vfmadd.vf   %[p], %[mtiny], %[one]\n\t"
            "vfmul.vv    %[p], %[p], %[x]\n\t"
            "vmflt.vf    v0, %[x], %[zero]\n\t"
            "vmerge.vvm  %[y], %[p], %[nf], v0"
            : [y] "=&vr"(y), [r] "=&vr"(r), [nf] "=&vr"(nf), [n] "=&vr"(n), [p] "=&vr"(t),
              [hh] "+vr"(hh)
            : [x] "vr"(x), [a] "vr"(a), [rp] "vr"(rp), EDGEDIFF_RVV_VG_EXP_OPERANDS,
              [mhalf] "f"(-0.5f), [half] "f"(0.5f), [log2e] "f"(EDGEDIFF_VG_LOG2E),
              [ln2hi] "f"(EDGEDIFF_VG_LN2_HI), [ln2lo] "f"(EDGEDIFF_VG_LN2_LO),
              [mamax] "f"(-EDGEDIFF_VG_GELU_A_MAX), [tiny] "f"(EDGEDIFF_VG_TWO_M64),
              [mtiny] "f"(-EDGEDIFF_VG_TWO_M64), [zero] "f"(0.0f)
            : "v0");
    return y;
}

/* x sigmoid(s) (gelu_tanh: s = x (K1 + K3 x^2)) or sigmoid(x) (sigmoid: s = x, num = 1):
 * e = e^-|s| as p = e 2^64, d = 1 + e; s >= 0: num / d, else (num_c p / d) 2^-64 with num_c
 * = max(num, -X_MAX). */
EDGEDIFF_VG_INLINE vfloat32m2_t edgediff_rvv_gelu_tanh_f32m2(vfloat32m2_t x, size_t vl,
                                                             EDGEDIFF_RVV_VG_PARAMS) {
    vfloat32m2_t t = vfmul_vv_f32m2(x, x, vl); /* also sets e32/m2/vl for the asm */
    vfloat32m2_t y, r, nf, p, d;
    vint32m2_t n;
    __asm__("vfmv.v.f    %[r], %[k1]\n\t"
            "vfmacc.vf   %[r], %[k3], %[t]\n\t"
            "vfmul.vv    %[r], %[r], %[x]\n\t"   /* s = 2z */
            "vfsgnj.vf   %[r], %[r], %[mone]\n\t" /* -|s| */
            "vfmax.vf    %[r], %[r], %[msmax]\n\t"
            "vfmul.vf    %[nf], %[r], %[log2e]\n\t"
            "vfcvt.x.f.v %[n], %[nf]\n\t"
            "vfcvt.f.x.v %[nf], %[n]\n\t"
            "vfnmsac.vf  %[r], %[ln2hi], %[nf]\n\t"
            "vfnmsac.vf  %[r], %[ln2lo], %[nf]\n\t"
            EDGEDIFF_RVV_VG_EXP_POLY
            "vfmul.vf    %[d], %[p], %[tiny]\n\t"
            "vfadd.vf    %[d], %[d], %[fone]\n\t"
            "vfdiv.vv    %[nf], %[x], %[d]\n\t"
            "vfmax.vf    %[t], %[x], %[mxmax]\n\t"
            "vfmul.vv    %[t], %[t], %[p]\n\t"
            "vfdiv.vv    %[t], %[t], %[d]\n\t"
            "vfmul.vf    %[t], %[t], %[tiny]\n\t"
            "vmflt.vf    v0, %[x], %[zero]\n\t"
            "vmerge.vvm  %[y], %[nf], %[t], v0"
            : [y] "=&vr"(y), [r] "=&vr"(r), [nf] "=&vr"(nf), [n] "=&vr"(n), [p] "=&vr"(p),
              [d] "=&vr"(d), [t] "+vr"(t)
            : [x] "vr"(x), EDGEDIFF_RVV_VG_EXP_OPERANDS, [k1] "f"(EDGEDIFF_VG_K1),
              [k3] "f"(EDGEDIFF_VG_K3), [mone] "f"(-1.0f), [msmax] "f"(-EDGEDIFF_VG_S_MAX),
              [log2e] "f"(EDGEDIFF_VG_LOG2E), [ln2hi] "f"(EDGEDIFF_VG_LN2_HI),
              [ln2lo] "f"(EDGEDIFF_VG_LN2_LO), [tiny] "f"(EDGEDIFF_VG_TWO_M64), [fone] "f"(1.0f),
              [mxmax] "f"(-EDGEDIFF_VG_X_MAX), [zero] "f"(0.0f)
            : "v0");
    return y;
}

EDGEDIFF_VG_INLINE vfloat32m2_t edgediff_rvv_sigmoid_f32m2(vfloat32m2_t x, size_t vl,
                                                           EDGEDIFF_RVV_VG_PARAMS) {
    vfloat32m2_t r = vfabs_v_f32m2(x, vl); /* also sets e32/m2/vl for the asm */
    vfloat32m2_t y, nf, p, d;
    vint32m2_t n;
    __asm__("vfneg.v     %[r], %[r]\n\t"
            "vfmax.vf    %[r], %[r], %[msmax]\n\t"
            "vfmul.vf    %[nf], %[r], %[log2e]\n\t"
            "vfcvt.x.f.v %[n], %[nf]\n\t"
            "vfcvt.f.x.v %[nf], %[n]\n\t"
            "vfnmsac.vf  %[r], %[ln2hi], %[nf]\n\t"
            "vfnmsac.vf  %[r], %[ln2lo], %[nf]\n\t"
            EDGEDIFF_RVV_VG_EXP_POLY
            "vfmul.vf    %[d], %[p], %[tiny]\n\t"
            "vfadd.vf    %[d], %[d], %[fone]\n\t"
            "vfrdiv.vf   %[nf], %[d], %[fone]\n\t"
            "vfdiv.vv    %[p], %[p], %[d]\n\t"
            "vfmul.vf    %[p], %[p], %[tiny]\n\t"
            "vmflt.vf    v0, %[x], %[zero]\n\t"
            "vmerge.vvm  %[y], %[nf], %[p], v0\n\t"
            "vmfne.vv    v0, %[x], %[x]\n\t" /* NaN in, NaN out (the clamp dropped it) */
            "vmerge.vvm  %[y], %[y], %[x], v0"
            : [y] "=&vr"(y), [r] "+vr"(r), [nf] "=&vr"(nf), [n] "=&vr"(n), [p] "=&vr"(p),
              [d] "=&vr"(d)
            : [x] "vr"(x), EDGEDIFF_RVV_VG_EXP_OPERANDS, [msmax] "f"(-EDGEDIFF_VG_SIG_MAX),
              [log2e] "f"(EDGEDIFF_VG_LOG2E), [ln2hi] "f"(EDGEDIFF_VG_LN2_HI),
              [ln2lo] "f"(EDGEDIFF_VG_LN2_LO), [tiny] "f"(EDGEDIFF_VG_TWO_M64), [fone] "f"(1.0f),
              [zero] "f"(0.0f)
            : "v0");
    return y;
}

#undef EDGEDIFF_VG_INLINE
#endif /* EDGEDIFF_VECTOR_GELU_RVV_H */
