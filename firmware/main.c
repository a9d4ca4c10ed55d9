/* Firmware main loop: collect bytes up to each 0x00, decode, answer exactly once.
 * Frames that fail COBS, length or CRC checks are dropped and answered with a NAK (seq 0), so
 * the host re-sends at once rather than after its timeout; frames longer than the buffer are
 * discarded up to the next 0x00, which resynchronises.
 * A request identical to the previous one (same type, seq and CRC) is a host retry: it gets
 * the saved reply again instead of running twice. A handler's deferred action (leaving for the
 * bootloader or the app) runs only once its reply is on the wire. */
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

/* Returns the frame's length without its delimiter, 0 for an empty frame, or
 * FRAME_MAX_WIRE + 1 for one longer than the buffer (its bytes are not kept). */
static size_t receive_frame(void)
{
    size_t len = 0;
    bool oversized = false;
    for (;;) {
        uint8_t byte = hal_uart_getc();
        if (byte == 0) {
            return oversized ? FRAME_MAX_WIRE + 1u : len;
        }
        if (len < sizeof rx_wire) {
            rx_wire[len++] = byte;
        } else {
            oversized = true;
        }
    }
}

static void send_wire(const uint8_t *wire, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        hal_uart_putc(wire[i]);
    }
}

/* Uses its own buffer so the saved reply in tx_wire survives for a host retry. */
static void send_nak(uint8_t status)
{
    static uint8_t nak_wire[16];
    send_wire(nak_wire, frame_encode(MSG_NAK, 0, &status, 1, nak_wire));
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
        if (len == 0) {
            continue;
        }
        frame_status_t status = len > FRAME_MAX_WIRE ? FRAME_TOO_LONG
                                                     : frame_decode(rx_wire, len, rx_raw, &request);
        if (status != FRAME_OK) {
            send_nak((uint8_t)status);
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
        send_wire(tx_wire, tx_len);
        commands_after_reply();
    }
}
