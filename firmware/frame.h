/* Frames on the wire: COBS(type:u8 seq:u8 len:u16-LE payload crc32:u32-LE) then 0x00.
 * The CRC covers type..payload, so a frame that decodes cleanly is exactly what the peer sent. */
#ifndef EDGEDIFF_FRAME_H
#define EDGEDIFF_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "cobs.h"
#include "protocol.h"

#define FRAME_HEADER_BYTES 4u
#define FRAME_CRC_BYTES 4u
#define FRAME_MAX_RAW (FRAME_HEADER_BYTES + PROTO_MAX_PAYLOAD + FRAME_CRC_BYTES)
/* Encoded frame plus its 0x00 delimiter. */
#define FRAME_MAX_WIRE (COBS_MAX_ENCODED(FRAME_MAX_RAW) + 1u)

typedef struct {
    uint8_t type;
    uint8_t seq;
    uint16_t len;
    const uint8_t *payload; /* points into the caller's decode buffer */
    uint32_t crc;
} frame_t;

typedef enum {
    FRAME_OK = 0,
    FRAME_BAD_COBS = 1,
    FRAME_TOO_SHORT = 2,
    FRAME_TOO_LONG = 3,
    FRAME_BAD_LENGTH = 4,
    FRAME_BAD_CRC = 5,
} frame_status_t;

/* Build and encode a frame into wire (FRAME_MAX_WIRE bytes), delimiter included; returns its
 * size, or 0 when len exceeds PROTO_MAX_PAYLOAD. */
size_t frame_encode(uint8_t type, uint8_t seq, const uint8_t *payload, uint16_t len, uint8_t *wire);

/* Decode wire bytes (without the delimiter) using scratch (FRAME_MAX_RAW bytes). */
frame_status_t frame_decode(const uint8_t *wire, size_t wire_len, uint8_t *scratch, frame_t *frame);

#endif
