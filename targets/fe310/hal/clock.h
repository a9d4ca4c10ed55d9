/* The FE310's core clock (and the UART's tlclk): the 16 MHz crystal, PLL bypassed. */
#ifndef EDGEDIFF_FE310_CLOCK_H
#define EDGEDIFF_FE310_CLOCK_H

#define EDGEDIFF_UART_CLOCK_HZ 16000000u

void clock_use_crystal(void);

#endif
