/* COBS codec used by the frame layer; see cobs.h. */
#include "cobs.h"

size_t cobs_encode(const uint8_t *src, size_t len, uint8_t *dst)
{
    size_t code_at = 0;
    size_t out = 1;
    uint8_t code = 1;
    for (size_t i = 0; i < len; i++) {
        if (src[i] == 0) {
            dst[code_at] = code;
            code_at = out++;
            code = 1;
            continue;
        }
        dst[out++] = src[i];
        if (++code == 0xFF) {
            dst[code_at] = code;
            code_at = out++;
            code = 1;
        }
    }
    dst[code_at] = code;
    return out;
}

bool cobs_decode(const uint8_t *src, size_t len, uint8_t *dst, size_t cap, size_t *decoded_len)
{
    size_t in = 0;
    size_t out = 0;
    while (in < len) {
        uint8_t code = src[in++];
        if (code == 0) {
            return false;
        }
        for (uint8_t k = 1; k < code; k++) {
            if (in >= len || out >= cap || src[in] == 0) {
                return false;
            }
            dst[out++] = src[in++];
        }
        if (code != 0xFF && in < len) {
            if (out >= cap) {
                return false;
            }
            dst[out++] = 0;
        }
    }
    *decoded_len = out;
    return true;
}
