/* Reference int8 table lookup: the shared loop in kernel_util.h, copying bytes. An int8 build
 * reads its time path from such tables (codegen/passes/int8_time_tables.py): the bytes were
 * quantized at build time, so the board and the numpy reference agree by construction. */
#include "edgediff/internal/kernel_util.h"
#include "edgediff/kernels.h"

static inline void edgediff_move_i8(void *dst, int32_t dst_index, const void *src, int32_t src_index) {
    ((int8_t *)dst)[dst_index] = ((const int8_t *)src)[src_index];
}

void edgediff_table_row_i8(const table_row_params_t *p, const int8_t *table, const float *index,
                           int8_t *out) {
    edgediff_table_row(p, table, index, out, edgediff_move_i8);
}
