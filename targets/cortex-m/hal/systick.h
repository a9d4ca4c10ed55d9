/* Instruction counting from SysTick under QEMU -icount (see systick.c). */
#ifndef EDGEDIFF_SYSTICK_H
#define EDGEDIFF_SYSTICK_H

/* Start SysTick from the processor clock with its wrap interrupt; call once, early. */
void systick_start(void);

/* The SysTick exception handler (vector 15). */
void SysTick_Handler(void);

#endif
