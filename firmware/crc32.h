/* CRC-32 (IEEE 802.3, reflected 0xEDB88320), bit-identical to Python's zlib.crc32. */
#ifndef EDGEDIFF_CRC32_H
#define EDGEDIFF_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: start with crc = 0, feed chunks in order. */
uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t len);

#endif
