/* Building a reply payload with bounds checks, so no handler can write past PROTO_MAX_PAYLOAD. */
#ifndef EDGEDIFF_REPLY_H
#define EDGEDIFF_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

typedef struct {
    uint8_t type;
    uint16_t len;
    bool overflow; /* a put did not fit; the payload is truncated */
    uint8_t payload[PROTO_MAX_PAYLOAD];
} reply_t;

/* Start an OK reply with an empty payload. */
void reply_ok(reply_t *reply);

/* Start an ERR reply: code then text; append more text with reply_put_text/_decimal. */
void reply_err(reply_t *reply, uint8_t code, const char *text);

void reply_put_u8(reply_t *reply, uint8_t value);
void reply_put_u16(reply_t *reply, uint16_t value);
void reply_put_u32(reply_t *reply, uint32_t value);
void reply_put_u64(reply_t *reply, uint64_t value);
void reply_put_bytes(reply_t *reply, const void *data, size_t len);
/* Length-prefixed string (u8 length, truncated to 255 bytes). */
void reply_put_str8(reply_t *reply, const char *text);
/* Raw ASCII without a length prefix, for ERR texts. */
void reply_put_text(reply_t *reply, const char *text);
void reply_put_decimal(reply_t *reply, uint32_t value);

#endif
