/* The bootloader's two reset words at the core's boot address (address 0, seen as 0x10000000
 * on the AN547; 0x10000000 itself on the AN505): initial SP and Reset_Handler. The bootloader
 * itself lives in RAM the app never uses (bootloader.ld), because an app copied to its link
 * address overwrites this spot. */
#include <stdint.h>

extern uint32_t __stack_top;
extern void Reset_Handler(void);

typedef void (*vector_t)(void);

__attribute__((section(".reset_stub"), used)) const vector_t reset_stub[2] = {
    (vector_t)(uintptr_t)&__stack_top,
    Reset_Handler,
};
