/* RVV FP16 fused attention (internal/attention_rvv.h): scores of 8 keys per instruction by
 * widening multiply-adds (vfwmacc.vf: half query element times a strided load of 8 key
 * halves, the product exact in FP32), the weighted sum of V on V rows widened to FP32
 * (vfwcvt), 8 output features per instruction, one rounding to half per output.
 * ACCUMULATION: FP32 throughout; softmax statistics FP32. */
#define EDGEDIFF_RVV_INTERNAL
#include <math.h>

#include "edgediff/kernels.h"

typedef edgediff_f16_t elem_t;
#define EDGEDIFF_ATT_KEY_FMA(acc, q, k, stride, vl) \
    vfwmacc_vf_f32m2((acc), (q), vlse16_v_f16m1((k), (stride), (vl)), (vl))
#define EDGEDIFF_ATT_LOAD_W(x, vl) vfwcvt_f_f_v_f32m2(vle16_v_f16m1((x), (vl)), (vl))
#define EDGEDIFF_ATT_STORE_W(y, v, vl) vse16_v_f16m1((y), vfncvt_f_f_w_f16m1((v), (vl)), (vl))
#include "edgediff/internal/attention_rvv.h"

void edgediff_attention_f16_rvv(const attention_params_t *p, const edgediff_f16_t *q,
                                const edgediff_f16_t *k, const edgediff_f16_t *v,
                                edgediff_f16_t *out, void *scratch) {
    attention_rvv(p, q, k, v, out, (float *)scratch);
}
