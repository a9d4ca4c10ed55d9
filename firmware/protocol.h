/* Wire codes of the EdgeDiff serial protocol, defined once for C.
 * sdk/runner/protocol.py holds the same numbers; tests/test_protocol.py parses this
 * header and fails when the two disagree. */
#ifndef EDGEDIFF_PROTOCOL_H
#define EDGEDIFF_PROTOCOL_H

/* 2: STACK (the stack high-water mark), RUN_UNTIL and READ_ARENA (sdk validate --layers). */
#define PROTO_VERSION 2
#define PROTO_MAX_PAYLOAD 1024

/* Request types (host -> device). */
#define MSG_HELLO 0x01
#define MSG_WRITE 0x02
#define MSG_RUN 0x03
#define MSG_READ 0x04
#define MSG_COUNTERS 0x05
#define MSG_RESET 0x06
#define MSG_TENSOR 0x07
#define MSG_SAMPLE 0x08
#define MSG_RUN_UNTIL 0x09
#define MSG_READ_ARENA 0x0A
#define MSG_STACK 0x0B
/* Flashing: the app answers BOOTLOADER (acknowledge, then jump back to the bootloader); the
 * bootloader answers HELLO, RESET and BOOTLOADER too, so a host can always find out where it is. */
#define MSG_INFO 0x10
#define MSG_ERASE 0x11
#define MSG_PROGRAM 0x12
#define MSG_VERIFY 0x13
#define MSG_COMMIT 0x14
#define MSG_BOOT 0x15
#define MSG_BOOTLOADER 0x16
/* The app answers CONFIRM: was_trial:u8; when 1 it then jumps to the bootloader, which makes the
 * trial image permanent and boots it again (firmware/bootloader/slots.h). */
#define MSG_CONFIRM 0x17

/* Reply types (device -> host); a reply carries the seq of its request. */
#define MSG_OK 0x80
#define MSG_ERR 0x81
/* Link-level, not a reply: the device received bytes up to a 0x00 that were not a valid frame
 * (COBS, length or CRC), so the host may re-send at once instead of waiting for its timeout.
 * Its seq is 0 and its payload the frame_status_t code; a host that ignores it still works. */
#define MSG_NAK 0x82

/* ERR payload: code:u8 followed by short ASCII text. */
#define ERR_UNKNOWN_TYPE 0x01
#define ERR_BAD_PAYLOAD 0x02
#define ERR_BAD_INDEX 0x03
#define ERR_SHAPE_MISMATCH 0x04
#define ERR_OUT_OF_RANGE 0x05
#define ERR_INPUT_INCOMPLETE 0x06
#define ERR_NO_OUTPUT 0x07
#define ERR_INTERNAL 0x08
#define ERR_NOT_FINITE 0x09
#define ERR_NO_SAMPLER 0x0A
/* Bootloader errors. */
#define ERR_FLASH 0x10
#define ERR_VERIFY 0x11
#define ERR_NO_IMAGE 0x12
#define ERR_NO_BOOTLOADER 0x13

#endif
