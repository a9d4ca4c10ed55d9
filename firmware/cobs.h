/* Consistent Overhead Byte Stuffing: removes every 0x00 so that 0x00 can delimit frames. */
#ifndef EDGEDIFF_COBS_H
#define EDGEDIFF_COBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Upper bound of the encoded size of len bytes (without the 0x00 delimiter). */
#define COBS_MAX_ENCODED(len) ((len) + (len) / 254u + 1u)

/* Encode len bytes of src into dst (room for COBS_MAX_ENCODED(len)); returns encoded size. */
size_t cobs_encode(const uint8_t *src, size_t len, uint8_t *dst);

/* Decode src (no delimiter) into dst of capacity cap; false on malformed input or overflow. */
bool cobs_decode(const uint8_t *src, size_t len, uint8_t *dst, size_t cap, size_t *decoded_len);

#endif
