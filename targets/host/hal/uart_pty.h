/* The host target's UART: a pseudo-terminal this process opens for itself. */
#ifndef EDGEDIFF_UART_PTY_H
#define EDGEDIFF_UART_PTY_H

/* Open a raw pty and print "char device redirected to /dev/pts/N (label serial0)" on stdout,
 * the line QEMU prints for -serial pty, so the same launcher finds the port. */
void uart_pty_init(void);

#endif
