/* Request handlers: one valid request in, exactly one reply (OK or ERR) out. */
#ifndef EDGEDIFF_COMMANDS_H
#define EDGEDIFF_COMMANDS_H

#include "frame.h"
#include "reply.h"

/* Forget inputs, outputs and counters (boot and RESET). */
void commands_reset(void);

void commands_handle(const frame_t *request, reply_t *reply);

#endif
