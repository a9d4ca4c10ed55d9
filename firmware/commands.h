/* Request handlers: one valid request in, exactly one reply (OK or ERR) out. */
#ifndef EDGEDIFF_COMMANDS_H
#define EDGEDIFF_COMMANDS_H

#include "frame.h"
#include "reply.h"

/* Forget inputs, outputs and counters and paint the stack afresh (boot and RESET). */
void commands_reset(void);

void commands_handle(const frame_t *request, reply_t *reply);

/* Called by the main loop once the reply is on the wire: a handler's deferred action, such as
 * leaving for the bootloader (or, in the bootloader, for the app) after acknowledging. */
void commands_after_reply(void);

#endif
