/* Working memory of the optimized kernels: what the per-ISA size functions share.
 *
 * A kernel that needs scratch takes it as a trailing `void *scratch` argument and says how
 * many bytes it needs for a layer with `edgediff_<kernel>_get_buffer_size(&params)`
 * (declared in kernels_<isa>.h, as CMSIS-NN's arm_*_get_buffer_size): the memory planner
 * (codegen/plan.py) gives each layer's scratch a slot of the model's arena that is live only
 * during that layer, so no kernel keeps large arrays on the stack. The scratch pointer is
 * EDGEDIFF_SCRATCH_ALIGN-aligned and each part a kernel carves from it starts aligned; a
 * size of 0 means the kernel takes NULL. The same rules are written once more in Python,
 * next to each override (codegen/kernels/overrides/<isa>.py `scratch_bytes`), and
 * tests/test_kernel_scratch.py compiles these functions for the host and checks the two
 * agree. Plain C: every target and the host can include it. */
#ifndef EDGEDIFF_SCRATCH_H
#define EDGEDIFF_SCRATCH_H

#include <stdint.h>

#include "edgediff/limits.h"

/* bytes rounded up to the scratch alignment (where the next part may start). */
static inline int32_t edgediff_scratch_round(int32_t bytes) {
    return (bytes + EDGEDIFF_SCRATCH_ALIGN - 1) / EDGEDIFF_SCRATCH_ALIGN * EDGEDIFF_SCRATCH_ALIGN;
}

/* The W1A16 kernels' output channels per table fill (binary_weight_table.h): as many as
 * EDGEDIFF_BW_TABLE_BYTES holds (per = c_in * taps elements of elem bytes each, at least
 * one channel), balanced over the fills, and a multiple of the conv loop's channel tile
 * `tile` where the budget allows, so no fill ends in a short tile. */
static inline int32_t edgediff_bw_block_channels(int32_t c_out, int32_t per, int32_t tile,
                                                 int32_t elem) {
    int32_t cb_max = EDGEDIFF_BW_TABLE_BYTES / elem / per;
    if (cb_max < 1) {
        cb_max = 1;
    }
    if (cb_max > tile) {
        cb_max -= cb_max % tile;
    }
    const int32_t blocks = (c_out + cb_max - 1) / cb_max;
    int32_t cb = (c_out + blocks - 1) / blocks;
    if (cb % tile && cb + tile - cb % tile <= cb_max) {
        cb += tile - cb % tile;
    }
    return cb;
}

#endif /* EDGEDIFF_SCRATCH_H */
