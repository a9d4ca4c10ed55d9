/* One static float buffer holds all I/O tensors back to back; a bitmap (one bit per input
 * float) tells RUN whether the host has filled every input since the previous RUN. Every
 * element is 4 bytes: an int32 input (MODEL_DTYPE_I32) is written bytewise (WRITE's memcpy)
 * into its slots, and model_run_v hands the model those bytes as int32. */
#include "io_tensors.h"

#include <string.h>

#include "model.h"

static float io_floats[MODEL_IO_FLOATS] __attribute__((aligned(16)));
static uint8_t written_bits[(MODEL_IO_FLOATS + 7u) / 8u];
static uint32_t input_offset[MODEL_NUM_INPUTS];
static uint32_t input_written[MODEL_NUM_INPUTS];
static uint32_t output_offset[MODEL_NUM_OUTPUTS];

bool io_tensors_init(void)
{
    uint32_t next = 0;
    for (uint32_t i = 0; i < MODEL_NUM_INPUTS; i++) {
        input_offset[i] = next;
        next += model_input_specs[i].count;
    }
    for (uint32_t i = 0; i < MODEL_NUM_OUTPUTS; i++) {
        output_offset[i] = next;
        next += model_output_specs[i].count;
    }
    io_forget_written();
    return next <= MODEL_IO_FLOATS;
}

float *io_input(uint32_t index)
{
    return &io_floats[input_offset[index]];
}

float *io_output(uint32_t index)
{
    return &io_floats[output_offset[index]];
}

void io_mark_written(uint32_t index, uint32_t first, uint32_t count)
{
    for (uint32_t bit = input_offset[index] + first; bit < input_offset[index] + first + count; bit++) {
        uint8_t mask = (uint8_t)(1u << (bit % 8u));
        if (!(written_bits[bit / 8u] & mask)) {
            written_bits[bit / 8u] |= mask;
            input_written[index]++;
        }
    }
}

bool io_input_complete(uint32_t index)
{
    return input_written[index] == model_input_specs[index].count;
}

void io_forget_written(void)
{
    memset(written_bits, 0, sizeof written_bits);
    memset(input_written, 0, sizeof input_written);
}
