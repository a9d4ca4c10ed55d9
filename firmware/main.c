/* Firmware main loop: collect bytes up to each 0x00, decode, answer exactly once.
 * Frames that fail COBS, length or CRC checks are dropped (the host retries on timeout);
 * frames longer than the buffer are discarded up to the next 0x00, which resynchronises.
 * A request identical to the previous one (same type, seq and CRC) is a host retry: it gets
 * the saved reply again instead of running twice. */
#include <stdbool.h>

#include "commands.h"
#include "frame.h"
#include "hal.h"

static uint8_t rx_wire[FRAME_MAX_WIRE];
static uint8_t rx_raw[FRAME_MAX_RAW];
static uint8_t tx_wire[FRAME_MAX_WIRE];
static size_t tx_len;
static reply_t reply;

static struct {
    bool valid;
    uint8_t type;
    uint8_t seq;
    uint32_t crc;
} last_request;

/* Returns the frame's length without its delimiter, or 0 for an empty or oversized frame. */
static size_t receive_frame(void)
{
    size_t len = 0;
    bool oversized = false;
    for (;;) {
        uint8_t byte = hal_uart_getc();
        if (byte == 0) {
            return oversized ? 0 : len;
        }
        if (len < sizeof rx_wire) {
            rx_wire[len++] = byte;
        } else {
            oversized = true;
        }
    }
}

static bool is_retry(const frame_t *request)
{
    return last_request.valid && last_request.type == request->type &&
           last_request.seq == request->seq && last_request.crc == request->crc;
}

int main(void)
{
    hal_init();
    commands_reset();
    for (;;) {
        size_t len = receive_frame();
        frame_t request;
        if (len == 0 || frame_decode(rx_wire, len, rx_raw, &request) != FRAME_OK) {
            continue;
        }
        if (!is_retry(&request)) {
            commands_handle(&request, &reply);
            tx_len = frame_encode(reply.type, request.seq, reply.payload, reply.len, tx_wire);
            last_request.valid = true;
            last_request.type = request.type;
            last_request.seq = request.seq;
            last_request.crc = request.crc;
        }
        for (size_t i = 0; i < tx_len; i++) {
            hal_uart_putc(tx_wire[i]);
        }
    }
}
