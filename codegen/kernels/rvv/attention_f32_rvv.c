/* RVV FP32 fused attention (internal/attention_rvv.h): 8 keys per instruction for the
 * scores (strided loads of key columns, vfmacc.vf by the query element), 8 output features
 * per instruction for the weighted sum of V. ACCUMULATION: FP32, scores in the reference's
 * order; softmax statistics FP32. */
#define EDGEDIFF_RVV_INTERNAL
#include <math.h>

#include "edgediff/kernels.h"

typedef float elem_t;
#define EDGEDIFF_ATT_KEY_FMA(acc, q, k, stride, vl) \
    vfmacc_vf_f32m2((acc), (q), vlse32_v_f32m2((k), (stride), (vl)), (vl))
#define EDGEDIFF_ATT_LOAD_W(x, vl) vle32_v_f32m2((x), (vl))
#define EDGEDIFF_ATT_STORE_W(y, v, vl) vse32_v_f32m2((y), (v), (vl))
#include "edgediff/internal/attention_rvv.h"

void edgediff_attention_f32_rvv(const attention_params_t *p, const float *q, const float *k,
                                const float *v, float *out, void *scratch) {
    attention_rvv(p, q, k, v, out, (float *)scratch);
}
