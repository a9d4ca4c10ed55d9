/* Wire codes of the EdgeDiff serial protocol, defined once for C.
 * sdk/runner/protocol.py holds the same numbers; tests/test_protocol.py parses this
 * header and fails when the two disagree. */
#ifndef EDGEDIFF_PROTOCOL_H
#define EDGEDIFF_PROTOCOL_H

#define PROTO_VERSION 1
#define PROTO_MAX_PAYLOAD 1024

/* Request types (host -> device). */
#define MSG_HELLO 0x01
#define MSG_WRITE 0x02
#define MSG_RUN 0x03
#define MSG_READ 0x04
#define MSG_COUNTERS 0x05
#define MSG_RESET 0x06
#define MSG_TENSOR 0x07

/* Reply types (device -> host); a reply carries the seq of its request. */
#define MSG_OK 0x80
#define MSG_ERR 0x81

/* ERR payload: code:u8 followed by short ASCII text. */
#define ERR_UNKNOWN_TYPE 0x01
#define ERR_BAD_PAYLOAD 0x02
#define ERR_BAD_INDEX 0x03
#define ERR_SHAPE_MISMATCH 0x04
#define ERR_OUT_OF_RANGE 0x05
#define ERR_INPUT_INCOMPLETE 0x06
#define ERR_NO_OUTPUT 0x07
#define ERR_INTERNAL 0x08

#endif
