/* Static, aligned storage for the model's input and output tensors, and which input
 * elements the host has written since the last RUN. */
#ifndef EDGEDIFF_IO_TENSORS_H
#define EDGEDIFF_IO_TENSORS_H

#include <stdbool.h>
#include <stdint.h>

/* Lay the tensors out in the buffer; false when MODEL_IO_FLOATS is too small for the specs. */
bool io_tensors_init(void);

float *io_input(uint32_t index);
float *io_output(uint32_t index);

/* Record that floats [first, first+count) of input index were written. */
void io_mark_written(uint32_t index, uint32_t first, uint32_t count);

/* True when every element of input index was written since the last io_forget_written(). */
bool io_input_complete(uint32_t index);

void io_forget_written(void);

#endif
