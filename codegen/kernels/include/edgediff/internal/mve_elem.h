/* Element-type parameters of the shared MVE loops (binary_mve.h, conv2d_mve.h): internal to
 * codegen/kernels/mve/. A kernel file defines EDGEDIFF_MVE_ELEM_F32 or EDGEDIFF_MVE_ELEM_F16
 * and includes this header; the loops are then written once over these names, which expand
 * to the FP32 (4 lanes) or FP16 (8 lanes) intrinsics of arm_mve.h. Nothing here converts:
 * every operation works in the element precision (FP16 kernels that accumulate in FP32
 * spell that out themselves).
 *
 *   elem_t / scalar_t / vec_t   storage element, arithmetic scalar, vector (LANES lanes)
 *   offsets_t                   unsigned vector of gather offsets, LANES lanes
 *   EDGEDIFF_MVE_VCTP(n)        tail predicate for n remaining elements
 *   EDGEDIFF_MVE_LD / _LD_Z / _ST / _ST_P     (zeroing-predicated) load, (predicated) store
 *   EDGEDIFF_MVE_DUP, _ZERO, _ADD[_N], _SUB[_N], _MUL[_N], _FMA_N, _ACT
 *   EDGEDIFF_MVE_IDUP(start, step) / _GATHER_Z(base, offsets, m)   shifted-offset gathers */
#ifndef EDGEDIFF_MVE_ELEM_H
#define EDGEDIFF_MVE_ELEM_H

#define EDGEDIFF_MVE_IMPL
#include "edgediff/kernels_mve.h"

#if defined(EDGEDIFF_MVE_ELEM_F32)

#define EDGEDIFF_LANES 4
typedef float elem_t;
typedef float scalar_t;
typedef float32x4_t vec_t;
typedef uint32x4_t offsets_t;

#define EDGEDIFF_MVE_VCTP(n) vctp32q(n)
#define EDGEDIFF_MVE_LD(p) vld1q_f32(p)
#define EDGEDIFF_MVE_LD_Z(p, m) vldrwq_z_f32(p, m)
#define EDGEDIFF_MVE_ST(p, v) vst1q_f32(p, v)
#define EDGEDIFF_MVE_ST_P(p, v, m) vstrwq_p_f32(p, v, m)
#define EDGEDIFF_MVE_DUP(s) vdupq_n_f32(s)
#define EDGEDIFF_MVE_ADD(x, y) vaddq_f32(x, y)
#define EDGEDIFF_MVE_ADD_N(v, s) vaddq_n_f32(v, s)
#define EDGEDIFF_MVE_SUB(x, y) vsubq_f32(x, y)
#define EDGEDIFF_MVE_SUB_N(v, s) vsubq_n_f32(v, s)
#define EDGEDIFF_MVE_MUL(x, y) vmulq_f32(x, y)
#define EDGEDIFF_MVE_MUL_N(v, s) vmulq_n_f32(v, s)
#define EDGEDIFF_MVE_FMA_N(acc, v, s) vfmaq_n_f32(acc, v, s)
#define EDGEDIFF_MVE_ACT(v, act) edgediff_mve_act_f32(v, act)
#define EDGEDIFF_MVE_IDUP(start, step) vidupq_n_u32(start, step)
#define EDGEDIFF_MVE_GATHER_Z(p, offsets, m) vldrwq_gather_shifted_offset_z_f32(p, offsets, m)

#elif defined(EDGEDIFF_MVE_ELEM_F16)

#define EDGEDIFF_LANES 8
typedef edgediff_f16_t elem_t;
typedef _Float16 scalar_t;
typedef float16x8_t vec_t;
typedef uint16x8_t offsets_t;

/* arm_mve.h spells halves __fp16 (float16_t); the same IEEE binary16 bits as _Float16. */
#define EDGEDIFF_CH(p) ((const float16_t *)(const void *)(p))
#define EDGEDIFF_H(p) ((float16_t *)(void *)(p))

#define EDGEDIFF_MVE_VCTP(n) vctp16q(n)
#define EDGEDIFF_MVE_LD(p) vld1q_f16(EDGEDIFF_CH(p))
#define EDGEDIFF_MVE_LD_Z(p, m) vldrhq_z_f16(EDGEDIFF_CH(p), m)
#define EDGEDIFF_MVE_ST(p, v) vst1q_f16(EDGEDIFF_H(p), v)
#define EDGEDIFF_MVE_ST_P(p, v, m) vstrhq_p_f16(EDGEDIFF_H(p), v, m)
#define EDGEDIFF_MVE_DUP(s) vdupq_n_f16(s)
#define EDGEDIFF_MVE_ADD(x, y) vaddq_f16(x, y)
#define EDGEDIFF_MVE_ADD_N(v, s) vaddq_n_f16(v, s)
#define EDGEDIFF_MVE_SUB(x, y) vsubq_f16(x, y)
#define EDGEDIFF_MVE_SUB_N(v, s) vsubq_n_f16(v, s)
#define EDGEDIFF_MVE_MUL(x, y) vmulq_f16(x, y)
#define EDGEDIFF_MVE_MUL_N(v, s) vmulq_n_f16(v, s)
#define EDGEDIFF_MVE_FMA_N(acc, v, s) vfmaq_n_f16(acc, v, s)
#define EDGEDIFF_MVE_ACT(v, act) edgediff_mve_act_f16(v, act)
#define EDGEDIFF_MVE_IDUP(start, step) vidupq_n_u16(start, step)
#define EDGEDIFF_MVE_GATHER_Z(p, offsets, m) \
    vldrhq_gather_shifted_offset_z_f16(EDGEDIFF_CH(p), offsets, m)

#else
#error "define EDGEDIFF_MVE_ELEM_F32 or EDGEDIFF_MVE_ELEM_F16 before including mve_elem.h"
#endif

#define EDGEDIFF_MVE_ZERO EDGEDIFF_MVE_DUP((scalar_t)0.0f)

#endif /* EDGEDIFF_MVE_ELEM_H */
