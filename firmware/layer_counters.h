/* Per-layer instruction counts, fed by the generated model through model_layer_mark(). */
#ifndef EDGEDIFF_LAYER_COUNTERS_H
#define EDGEDIFF_LAYER_COUNTERS_H

#include <stdint.h>

/* Forget the counts of the previous inference. */
void layer_counters_clear(void);

/* Instructions layer spent in the last inference (0 if it did not run). */
uint64_t layer_counters_get(uint32_t layer);

#endif
