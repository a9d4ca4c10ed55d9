/* Reference FP16 table lookup: the shared loop in kernel_util.h, copying halves bit for bit. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_table_row_f16(const table_row_params_t *p, const edgediff_f16_t *table,
                            const float *index, edgediff_f16_t *out) {
    edgediff_table_row(p, table, index, out, edgediff_move_f16);
}
