/* Internal to the scalar FPU kernels; not part of the API. Element access for the
 * templates (group_norm_fpu.h, binary_fpu.h, linear_fpu.h): a kernel file defines
 * EDGEDIFF_FPU_F16 (halves) or nothing (floats) and includes this first. Widening a half
 * is exact (one fcvt.s.h on Zfh, vcvtb on FPv4/FPv5); a store rounds once. */
#ifndef EDGEDIFF_FPU_ELEM_H
#define EDGEDIFF_FPU_ELEM_H

#include "edgediff/kernels.h"

#ifdef EDGEDIFF_FPU_F16
typedef edgediff_f16_t elem_t;
#define EDGEDIFF_FPU_LOAD(p) ((float)*(p))
#define EDGEDIFF_FPU_STORE(p, v) (*(p) = (edgediff_f16_t)(v))
#else
typedef float elem_t;
#define EDGEDIFF_FPU_LOAD(p) (*(p))
#define EDGEDIFF_FPU_STORE(p, v) (*(p) = (v))
#endif

#endif /* EDGEDIFF_FPU_ELEM_H */
