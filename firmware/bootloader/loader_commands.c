/* The bootloader's command set, behind the same main loop, framing and replies as the app
 * (firmware/main.c implements the loop; this file is the bootloader's commands.h).
 *
 * Flash rules the host cannot break: ERASE, PROGRAM, VERIFY and COMMIT work on the staging slot
 * only (slots.h: the one not holding the confirmed app, which no command writes); any ERASE or
 * PROGRAM first invalidates the staging slot's header, so a body is never changed under a valid
 * header; PROGRAM writes only erased words (or words already holding the same value, so a
 * retried chunk is harmless) and reads every word back; COMMIT writes the header only after the
 * body's CRC and records check, magic word last, then records the image as a trial; BOOT starts
 * a trial once, in test mode, and the app must confirm it (CONFIRM) or it is reverted.
 * No read-back: VERIFY answers only for whole VERIFY_BLOCK-byte blocks, whose 32-bit CRC cannot
 * be inverted to the block's bytes, and INFO only for the whole image.
 * Payloads (offsets relative to the staging slot's body):
 *   HELLO   () -> as the app's, with 0 tensors, model hash "bootloader" and booted 0 (no image)
 *   INFO    () -> capacity:u32 sector:u32 state:u8 body_bytes:u32 body_crc:u32 build_id:str8 state_text:str8
 *                 (the confirmed app's slot), then highest_counter:u32 key_id:8 bytes
 *                 hash_instructions:u32 verify_instructions:u32 header_crc:u32 (the security
 *                 counter this board has booted, the key it trusts, what the signature check of
 *                 the confirmed app's image in this INFO cost, and the CRC-32 of its whole
 *                 stored header, signature included, 0 when unreadable), then trial:u8
 *                 body_bytes:u32 body_crc:u32 build_id:str8 of a committed trial not yet started
 *                 (trial 0 and zeros without one)
 *   ERASE   offset:u32 length:u32 -> ()     every sector touching the range
 *   PROGRAM offset:u32 data -> ()           offset and length multiples of 4
 *   VERIFY  offset:u32 length:u32 -> crc32:u32   offset and length multiples of VERIFY_BLOCK
 *   COMMIT  header:140 bytes (magic ignored) -> ()   refused with the image_status_text reason
 *   BOOT    () -> ()  then the trial (or the confirmed app) starts; ERR NO_IMAGE (and stay) if
 *                     it does not check */
#include <stdbool.h>
#include <string.h>

#include "boot_handoff.h"
#include "bytes_le.h"
#include "commands.h"
#include "crc32.h"
#include "hal.h"
#include "image.h"
#include "loader_hal.h"
#include "image_features.h"
#include "recovery.h"
#include "slots.h"

#ifndef EDGEDIFF_BUILD_ID
#define EDGEDIFF_BUILD_ID "unversioned"
#endif

/* The bootloader's reset entry (_start, Reset_Handler), where the app jumps to come back. */
extern void EDGEDIFF_RESET_ENTRY(void);

/* The smallest range VERIFY answers for: a CRC-32 over 4 KiB says nothing usable about its bytes. */
#define VERIFY_BLOCK 4096u

static bool boot_pending;
static uint32_t boot_slot;
static bool boot_trial;
static bool reverted; /* this entry dropped an unconfirmed trial: INFO says so */

static void put_hex(reply_t *reply, uint32_t value)
{
    static const char digits[] = "0123456789abcdef";
    char text[11] = "0x";
    for (int i = 0; i < 8; i++) {
        text[2 + i] = digits[(value >> (28 - 4 * i)) & 0xF];
    }
    text[10] = 0;
    reply_put_text(reply, text);
}

/* At every entry (power-on, or the app jumping back; main calls this once): protect our own
 * code, settle a trial the app confirmed or left unconfirmed, then, unless the app asked us to
 * stay or the host takes over in the recovery window, boot the confirmed app. */
void commands_reset(void)
{
    hal_protect_bootloader();
    boot_handoff_request_t request = boot_handoff_take_request();
    boot_handoff_publish((uintptr_t)&EDGEDIFF_RESET_ENTRY);
    reverted = slots_settle(request == BOOT_HANDOFF_CONFIRM);
    uint32_t active = slots_active();
    if (request == BOOT_HANDOFF_STAY || slot_check(active) != IMAGE_OK) {
        return;
    }
    /* A confirm just came from the running app: no host is waiting to take over. */
    if (request != BOOT_HANDOFF_CONFIRM && recovery_window_listen()) {
        return;
    }
    slots_boot(active, false);
}

void commands_after_reply(void)
{
    if (boot_pending) {
        boot_pending = false;
        slots_boot(boot_slot, boot_trial);
    }
}

static bool header_blank(void)
{
    for (uint32_t i = 0; i < IMAGE_HEADER_BYTES; i++) {
        if (FLASH_AT(IMAGE_HEADER_OFFSET)[i] != 0xFF) {
            return false;
        }
    }
    return true;
}

static bool invalidate_header(reply_t *reply)
{
    slot_select(slots_staging());
    if (!header_blank() && !flash_erase_sector(IMAGE_HEADER_OFFSET)) {
        reply_err(reply, ERR_FLASH, "erasing the image header failed");
        return false;
    }
    return true;
}

/* offset:u32 length:u32 within the body; false (ERR set) otherwise. */
static bool body_range(const frame_t *request, reply_t *reply, uint32_t *offset, uint32_t *len)
{
    if (request->len != 8) {
        reply_err(reply, ERR_BAD_PAYLOAD, "needs offset:u32 length:u32");
        return false;
    }
    *offset = get_u32_le(request->payload);
    *len = get_u32_le(&request->payload[4]);
    slot_select(slots_staging());
    if (*offset > IMAGE_BODY_CAPACITY || *len > IMAGE_BODY_CAPACITY - *offset) {
        reply_err(reply, ERR_OUT_OF_RANGE, "beyond the flash body of ");
        reply_put_decimal(reply, IMAGE_BODY_CAPACITY);
        reply_put_text(reply, " bytes");
        return false;
    }
    return true;
}

static void handle_hello(const frame_t *request, reply_t *reply)
{
    if (request->len != 0) {
        reply_err(reply, ERR_BAD_PAYLOAD, "HELLO takes no payload");
        return;
    }
    reply_ok(reply);
    reply_put_u8(reply, PROTO_VERSION);
    reply_put_u16(reply, PROTO_MAX_PAYLOAD);
    reply_put_u32(reply, 0);
    reply_put_u16(reply, 0);
    reply_put_u8(reply, 0);
    reply_put_u8(reply, 0);
    reply_put_str8(reply, hal_target_name());
    reply_put_str8(reply, EDGEDIFF_BUILD_ID);
    reply_put_str8(reply, "bootloader");
    reply_put_u8(reply, 0); /* no image started: INFO describes the stored one */
    reply_put_u32(reply, 0);
    reply_put_u32(reply, 0);
}

static void handle_info(reply_t *reply)
{
    image_status_t state = slot_check(slots_active());
    /* Taken now: the trial's check below would overwrite the signature check's cost. */
    uint8_t key_id[IMAGE_KEY_ID_BYTES];
    uint32_t hash_instructions, verify_instructions;
    image_signature_key_id(key_id);
    image_signature_cost(&hash_instructions, &verify_instructions);
    uint8_t header[IMAGE_HEADER_BYTES];
    for (uint32_t i = 0; i < IMAGE_HEADER_BYTES; i++) {
        header[i] = FLASH_AT(IMAGE_HEADER_OFFSET)[i];
    }
    bool readable = get_u32_le(header) == IMAGE_MAGIC && image_check_header(header) == IMAGE_OK;
    char build_id[IMAGE_BUILD_ID_BYTES + 1] = {0};
    if (readable) {
        memcpy(build_id, &header[IMAGE_OFF_BUILD_ID], IMAGE_BUILD_ID_BYTES);
    }
    reply_ok(reply);
    reply_put_u32(reply, IMAGE_BODY_CAPACITY);
    reply_put_u32(reply, EDGEDIFF_FLASH_SECTOR);
    reply_put_u8(reply, (uint8_t)state);
    reply_put_u32(reply, readable ? get_u32_le(&header[IMAGE_OFF_BODY_BYTES]) : 0);
    reply_put_u32(reply, readable ? get_u32_le(&header[IMAGE_OFF_BODY_CRC]) : 0);
    reply_put_str8(reply, build_id);
    if (reverted && state == IMAGE_OK) {
        reply_put_str8(reply, "valid image; an unconfirmed trial image was reverted");
    } else {
        reply_put_str8(reply, image_status_text(state));
    }
    reply_put_u32(reply, image_counter_highest());
    for (uint32_t i = 0; i < IMAGE_KEY_ID_BYTES; i++) {
        reply_put_u8(reply, key_id[i]);
    }
    reply_put_u32(reply, hash_instructions);
    reply_put_u32(reply, verify_instructions);
    reply_put_u32(reply, readable ? crc32_update(0, header, IMAGE_HEADER_BYTES) : 0);
    uint32_t trial = slots_pending_trial(); /* selects the trial's slot when there is one */
    for (uint32_t i = 0; i < IMAGE_HEADER_BYTES; i++) {
        header[i] = trial != SLOT_NONE ? FLASH_AT(IMAGE_HEADER_OFFSET)[i] : 0;
    }
    memset(build_id, 0, sizeof build_id);
    memcpy(build_id, &header[IMAGE_OFF_BUILD_ID], IMAGE_BUILD_ID_BYTES);
    reply_put_u8(reply, trial != SLOT_NONE ? 1 : 0);
    reply_put_u32(reply, get_u32_le(&header[IMAGE_OFF_BODY_BYTES]));
    reply_put_u32(reply, get_u32_le(&header[IMAGE_OFF_BODY_CRC]));
    reply_put_str8(reply, build_id);
}

static void handle_erase(const frame_t *request, reply_t *reply)
{
    uint32_t offset;
    uint32_t len;
    if (!body_range(request, reply, &offset, &len) || !invalidate_header(reply)) {
        return;
    }
    uint32_t first = offset / EDGEDIFF_FLASH_SECTOR;
    uint32_t end = len == 0 ? first : (offset + len - 1u) / EDGEDIFF_FLASH_SECTOR + 1u;
    for (uint32_t sector = first; sector < end; sector++) {
        if (!flash_erase_sector(IMAGE_BODY_OFFSET + sector * EDGEDIFF_FLASH_SECTOR)) {
            reply_err(reply, ERR_FLASH, "erase failed at body offset ");
            reply_put_decimal(reply, sector * EDGEDIFF_FLASH_SECTOR);
            return;
        }
    }
    reply_ok(reply);
}

static void handle_program(const frame_t *request, reply_t *reply)
{
    if (request->len < 8 || (request->len - 4u) % 4u != 0) {
        reply_err(reply, ERR_BAD_PAYLOAD, "PROGRAM needs offset:u32 and whole 32-bit words");
        return;
    }
    uint32_t offset = get_u32_le(request->payload);
    uint32_t len = request->len - 4u;
    const uint8_t *data = &request->payload[4];
    slot_select(slots_staging());
    if (offset % 4u != 0 || offset > IMAGE_BODY_CAPACITY || len > IMAGE_BODY_CAPACITY - offset) {
        reply_err(reply, ERR_OUT_OF_RANGE, "PROGRAM offset unaligned or beyond the flash body");
        return;
    }
    if (!invalidate_header(reply)) {
        return;
    }
    /* Check every word first (reads need read-array mode), then program runs of words that
     * differ in one driver call each, then read everything back. */
    const uint32_t base = IMAGE_BODY_OFFSET + offset;
    for (uint32_t i = 0; i < len; i += 4u) {
        uint32_t now = get_u32_le((const uint8_t *)FLASH_AT(base + i));
        if (now != get_u32_le(&data[i]) && now != 0xFFFFFFFFu) {
            reply_err(reply, ERR_FLASH, "flash not erased at body offset ");
            reply_put_decimal(reply, offset + i);
            return;
        }
    }
    uint32_t i = 0;
    while (i < len) {
        uint32_t run = i;
        while (run < len && get_u32_le((const uint8_t *)FLASH_AT(base + run)) != get_u32_le(&data[run])) {
            run += 4u;
        }
        if (run > i && !flash_program(base + i, &data[i], run - i)) {
            reply_err(reply, ERR_FLASH, "program failed at body offset ");
            reply_put_decimal(reply, offset + i);
            return;
        }
        i = run == i ? i + 4u : run;
    }
    for (i = 0; i < len; i += 4u) {
        if (get_u32_le((const uint8_t *)FLASH_AT(base + i)) != get_u32_le(&data[i])) {
            reply_err(reply, ERR_FLASH, "read-back mismatch at body offset ");
            reply_put_decimal(reply, offset + i);
            return;
        }
    }
    reply_ok(reply);
}

static void handle_verify(const frame_t *request, reply_t *reply)
{
    uint32_t offset;
    uint32_t len;
    if (!body_range(request, reply, &offset, &len)) {
        return;
    }
    if (offset % VERIFY_BLOCK != 0 || len % VERIFY_BLOCK != 0 || len == 0) {
        reply_err(reply, ERR_OUT_OF_RANGE, "VERIFY answers only whole blocks of ");
        reply_put_decimal(reply, VERIFY_BLOCK);
        reply_put_text(reply, " bytes at multiples of it (no read-back)");
        return;
    }
    reply_ok(reply);
    reply_put_u32(reply, image_body_crc(offset, len));
}

static void handle_commit(const frame_t *request, reply_t *reply)
{
    if (request->len >= IMAGE_OFF_FORMAT + 4u &&
        get_u32_le(&request->payload[IMAGE_OFF_FORMAT]) == IMAGE_FORMAT_UNSIGNED) {
        reply_err(reply, ERR_BAD_PAYLOAD, image_status_text(IMAGE_UNSIGNED));
        return;
    }
    if (request->len != IMAGE_HEADER_BYTES) {
        reply_err(reply, ERR_BAD_PAYLOAD, "COMMIT needs the 140-byte image header");
        return;
    }
    const uint8_t *header = request->payload;
    slot_select(slots_staging());
    image_status_t status = image_features_check(header);
    if (status == IMAGE_OK) {
        status = image_check_header(header);
    }
    if (status == IMAGE_OK) {
        status = image_check_body(header);
    }
    if (status == IMAGE_BAD_CRC) {
        uint32_t body_bytes = get_u32_le(&header[IMAGE_OFF_BODY_BYTES]);
        reply_err(reply, ERR_VERIFY, "body in flash has CRC ");
        put_hex(reply, image_body_crc(0, body_bytes));
        reply_put_text(reply, ", the header says ");
        put_hex(reply, get_u32_le(&header[IMAGE_OFF_BODY_CRC]));
        return;
    }
    if (status != IMAGE_OK) {
        reply_err(reply, ERR_BAD_PAYLOAD, image_status_text(status));
        if (status == IMAGE_ROLLBACK) {
            reply_put_text(reply, " (image ");
            reply_put_decimal(reply, get_u32_le(&header[IMAGE_OFF_SECURITY_COUNTER]));
            reply_put_text(reply, ", board ");
            reply_put_decimal(reply, image_counter_highest());
            reply_put_text(reply, ")");
        }
        return;
    }
    if (!invalidate_header(reply)) {
        return;
    }
    uint8_t magic[4];
    put_u32_le(magic, IMAGE_MAGIC);
    if (!flash_program(IMAGE_HEADER_OFFSET + 4u, &header[4], IMAGE_HEADER_BYTES - 4u) ||
        !flash_program(IMAGE_HEADER_OFFSET, magic, 4u) || image_check_stored() != IMAGE_OK) {
        reply_err(reply, ERR_FLASH, "writing the image header failed");
        return;
    }
    if (!slots_mark_trial()) {
        reply_err(reply, ERR_FLASH, "writing the slot state failed");
        return;
    }
    reply_ok(reply);
}

static void handle_boot(reply_t *reply)
{
    image_status_t status;
    boot_slot = slots_for_boot(&status, &boot_trial);
    if (boot_slot == SLOT_NONE) {
        reply_err(reply, ERR_NO_IMAGE, image_status_text(status));
        reply_put_text(reply, "; staying in the bootloader");
        return;
    }
    boot_pending = true;
    reply_ok(reply);
}

void commands_handle(const frame_t *request, reply_t *reply)
{
    bool empty = request->len == 0;
    switch (request->type) {
    case MSG_HELLO:
        handle_hello(request, reply);
        return;
    case MSG_ERASE:
        handle_erase(request, reply);
        return;
    case MSG_PROGRAM:
        handle_program(request, reply);
        return;
    case MSG_VERIFY:
        handle_verify(request, reply);
        return;
    case MSG_COMMIT:
        handle_commit(request, reply);
        return;
    case MSG_INFO:
    case MSG_BOOT:
    case MSG_RESET:
    case MSG_BOOTLOADER:
        break;
    default:
        reply_err(reply, ERR_UNKNOWN_TYPE, "the bootloader does not know this request; BOOT first");
        return;
    }
    if (!empty) {
        reply_err(reply, ERR_BAD_PAYLOAD, "takes no payload");
    } else if (request->type == MSG_INFO) {
        handle_info(reply);
    } else if (request->type == MSG_BOOT) {
        handle_boot(reply);
    } else {
        reply_ok(reply); /* RESET, BOOTLOADER: nothing to do, we are the bootloader */
    }
}
