/* Reply payload writer; see reply.h. */
#include "reply.h"

#include <string.h>

#include "bytes_le.h"

void reply_ok(reply_t *reply)
{
    reply->type = MSG_OK;
    reply->len = 0;
    reply->overflow = false;
}

void reply_err(reply_t *reply, uint8_t code, const char *text)
{
    reply->type = MSG_ERR;
    reply->len = 0;
    reply->overflow = false;
    reply_put_u8(reply, code);
    reply_put_text(reply, text);
}

static uint8_t *reserve(reply_t *reply, size_t len)
{
    if (len > (size_t)PROTO_MAX_PAYLOAD - reply->len) {
        reply->overflow = true;
        return NULL;
    }
    uint8_t *at = &reply->payload[reply->len];
    reply->len = (uint16_t)(reply->len + len);
    return at;
}

void reply_put_u8(reply_t *reply, uint8_t value)
{
    uint8_t *at = reserve(reply, 1);
    if (at) {
        *at = value;
    }
}

void reply_put_u16(reply_t *reply, uint16_t value)
{
    uint8_t *at = reserve(reply, 2);
    if (at) {
        put_u16_le(at, value);
    }
}

void reply_put_u32(reply_t *reply, uint32_t value)
{
    uint8_t *at = reserve(reply, 4);
    if (at) {
        put_u32_le(at, value);
    }
}

void reply_put_u64(reply_t *reply, uint64_t value)
{
    uint8_t *at = reserve(reply, 8);
    if (at) {
        put_u64_le(at, value);
    }
}

void reply_put_bytes(reply_t *reply, const void *data, size_t len)
{
    uint8_t *at = reserve(reply, len);
    if (at && len > 0) {
        memcpy(at, data, len);
    }
}

void reply_put_str8(reply_t *reply, const char *text)
{
    size_t len = strlen(text);
    if (len > 255) {
        len = 255;
    }
    reply_put_u8(reply, (uint8_t)len);
    reply_put_bytes(reply, text, len);
}

void reply_put_text(reply_t *reply, const char *text)
{
    reply_put_bytes(reply, text, strlen(text));
}

void reply_put_decimal(reply_t *reply, uint32_t value)
{
    char digits[10];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    while (n > 0) {
        reply_put_u8(reply, (uint8_t)digits[--n]);
    }
}
