/* Frame build/parse on top of COBS and CRC-32; see frame.h for the layout. */
#include "frame.h"

#include <string.h>

#include "bytes_le.h"
#include "crc32.h"

size_t frame_encode(uint8_t type, uint8_t seq, const uint8_t *payload, uint16_t len, uint8_t *wire)
{
    uint8_t raw[FRAME_MAX_RAW];
    if (len > PROTO_MAX_PAYLOAD) {
        return 0;
    }
    raw[0] = type;
    raw[1] = seq;
    put_u16_le(&raw[2], len);
    if (len > 0) {
        memcpy(&raw[FRAME_HEADER_BYTES], payload, len);
    }
    size_t body = FRAME_HEADER_BYTES + len;
    put_u32_le(&raw[body], crc32_update(0, raw, body));
    size_t encoded = cobs_encode(raw, body + FRAME_CRC_BYTES, wire);
    wire[encoded] = 0;
    return encoded + 1;
}

frame_status_t frame_decode(const uint8_t *wire, size_t wire_len, uint8_t *scratch, frame_t *frame)
{
    size_t raw_len;
    if (!cobs_decode(wire, wire_len, scratch, FRAME_MAX_RAW, &raw_len)) {
        return wire_len > FRAME_MAX_WIRE ? FRAME_TOO_LONG : FRAME_BAD_COBS;
    }
    if (raw_len < FRAME_HEADER_BYTES + FRAME_CRC_BYTES) {
        return FRAME_TOO_SHORT;
    }
    uint16_t len = get_u16_le(&scratch[2]);
    if (len > PROTO_MAX_PAYLOAD) {
        return FRAME_TOO_LONG;
    }
    if (raw_len != FRAME_HEADER_BYTES + len + FRAME_CRC_BYTES) {
        return FRAME_BAD_LENGTH;
    }
    size_t body = FRAME_HEADER_BYTES + len;
    uint32_t crc = get_u32_le(&scratch[body]);
    if (crc != crc32_update(0, scratch, body)) {
        return FRAME_BAD_CRC;
    }
    frame->type = scratch[0];
    frame->seq = scratch[1];
    frame->len = len;
    frame->payload = &scratch[FRAME_HEADER_BYTES];
    frame->crc = crc;
    return FRAME_OK;
}
