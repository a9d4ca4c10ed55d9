/* Stack high-water mark: how deep the stack has ever been since it was last painted.
 * stack_paint() fills the unused part of the stack region (from the target's linker script,
 * through hal_stack_region) with a known word; stack_used() scans from the far end (the
 * lowest address: the stack grows down) up to the first word that is no longer the pattern.
 * Everything above it has been written at some time, so reserved - untouched is the deepest
 * the stack went, frames, spills and interrupts included. */
#ifndef EDGEDIFF_STACK_WATERMARK_H
#define EDGEDIFF_STACK_WATERMARK_H

#include <stdbool.h>
#include <stdint.h>

/* Paint the region below the caller's frame (boot and RESET, from commands_reset). */
void stack_paint(void);

/* Bytes reserved for the stack and bytes of it ever used since the last paint; false (both
 * 0) where the target has no stack region of its own (the host target, a process). */
bool stack_used(uint32_t *reserved_bytes, uint32_t *used_bytes);

#endif
