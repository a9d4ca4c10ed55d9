/* Implements model_layer_mark(): the delta between consecutive marks is one layer's cost
 * (including the mark call itself, a few instructions). */
#include "layer_counters.h"

#include "hal.h"
#include "model.h"

static uint64_t layer_instructions[MODEL_NUM_LAYERS];
static uint64_t previous_mark;

void layer_counters_clear(void)
{
    for (uint32_t i = 0; i < MODEL_NUM_LAYERS; i++) {
        layer_instructions[i] = 0;
    }
}

uint64_t layer_counters_get(uint32_t layer)
{
    return layer < MODEL_NUM_LAYERS ? layer_instructions[layer] : 0;
}

void model_layer_mark(int32_t layer)
{
    uint64_t now = hal_instruction_count();
    if (layer > 0 && layer <= MODEL_NUM_LAYERS) {
        layer_instructions[layer - 1] = now - previous_mark;
    }
    previous_mark = now;
}
