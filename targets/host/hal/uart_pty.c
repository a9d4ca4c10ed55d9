/* hal_uart_getc/putc over a pseudo-terminal (posix_openpt). The program keeps its own handle
 * on the slave side, so a client may open and close /dev/pts/N as often as it likes (as with
 * a QEMU pty or a USB serial adapter) without the master ever seeing a hangup.
 *
 * Output is buffered and flushed before every wait for input: the firmware only waits for
 * input after a complete reply, so nothing is held back, and a reply costs one write().
 *
 * No orphans: while waiting for input the HAL wakes every 200 ms and exits as soon as the
 * process that started it is gone (the launcher also sets PDEATHSIG and kills the process
 * group); a read or write error on the pty exits as well. */
#define _GNU_SOURCE /* posix_openpt, ptsname, cfmakeraw */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "hal.h"
#include "uart_pty.h"

#define POLL_MS 200

static int master_fd = -1;
static int slave_fd = -1;
static pid_t launcher;
static uint8_t rx_buf[4096];
static size_t rx_pos;
static size_t rx_len;
static uint8_t tx_buf[4096];
static size_t tx_len;

static void fail(const char *what)
{
    perror(what);
    exit(1);
}

void uart_pty_init(void)
{
    master_fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (master_fd < 0 || grantpt(master_fd) != 0 || unlockpt(master_fd) != 0) {
        fail("posix_openpt");
    }
    const char *name = ptsname(master_fd);
    if (name == NULL) {
        fail("ptsname");
    }
    slave_fd = open(name, O_RDWR | O_NOCTTY);
    struct termios raw;
    if (slave_fd < 0 || tcgetattr(slave_fd, &raw) != 0) {
        fail("open pty slave");
    }
    cfmakeraw(&raw); /* no echo, no line editing, no CR/LF mapping: a byte pipe */
    if (tcsetattr(slave_fd, TCSANOW, &raw) != 0) {
        fail("tcsetattr");
    }
    launcher = getppid();
    printf("char device redirected to %s (label serial0)\n", name);
    fflush(stdout);
}

static void flush_tx(void)
{
    size_t done = 0;
    while (done < tx_len) {
        ssize_t n = write(master_fd, tx_buf + done, tx_len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            exit(0); /* the pty is gone */
        }
        done += (size_t)n;
    }
    tx_len = 0;
}

uint8_t hal_uart_getc(void)
{
    if (rx_pos < rx_len) {
        return rx_buf[rx_pos++];
    }
    flush_tx();
    for (;;) {
        struct pollfd pfd = {.fd = master_fd, .events = POLLIN, .revents = 0};
        int ready = poll(&pfd, 1, POLL_MS);
        if (getppid() != launcher) {
            exit(0); /* whoever started the board has gone */
        }
        if (ready < 0 && errno != EINTR) {
            exit(1);
        }
        if (ready <= 0) {
            continue;
        }
        ssize_t n = read(master_fd, rx_buf, sizeof rx_buf);
        if (n > 0) {
            rx_len = (size_t)n;
            rx_pos = 1;
            return rx_buf[0];
        }
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        exit(0); /* end of file or error: the pty is gone */
    }
}

void hal_uart_putc(uint8_t byte)
{
    if (tx_len == sizeof tx_buf) {
        flush_tx();
    }
    tx_buf[tx_len++] = byte;
}
