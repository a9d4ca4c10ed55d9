/* Reference table lookup: the shared loop in kernel_util.h, copying floats bit for bit. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

void edgediff_table_row_f32(const table_row_params_t *p, const float *table, const float *index,
                            float *out) {
    edgediff_table_row(p, table, index, out, edgediff_move_f32);
}
