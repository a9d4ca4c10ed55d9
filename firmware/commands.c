/* Command handlers; payload layouts are documented in sdk/runner/protocol.py. */
#include "commands.h"

#include <string.h>

#include "boot_handoff.h"
#include "bytes_le.h"
#include "hal.h"
#include "io_tensors.h"
#include "layer_counters.h"
#include "model.h"
#include "noise.h"
#include "sampler.h"
#include "stack_watermark.h"

#ifndef EDGEDIFF_BUILD_ID
#define EDGEDIFF_BUILD_ID "unversioned"
#endif

#define BYTES_PER_FLOAT 4u
#define COUNTERS_HEADER_BYTES 6u

static bool io_layout_ok;
static bool enter_bootloader; /* after the reply to BOOTLOADER is sent */
static bool confirm_trial; /* after the reply to CONFIRM is sent */
static bool outputs_valid;

void commands_reset(void)
{
    io_layout_ok = io_tensors_init();
    outputs_valid = false;
    layer_counters_clear();
    stack_paint();
}

static void put_tensor_spec(reply_t *reply, const model_tensor_spec_t *spec)
{
    reply_put_str8(reply, spec->name);
    reply_put_u8(reply, spec->dtype);
    reply_put_u8(reply, spec->rank);
    for (uint32_t d = 0; d < spec->rank; d++) {
        reply_put_u32(reply, spec->dims[d]);
    }
}

static void put_shape_text(reply_t *reply, const model_tensor_spec_t *spec)
{
    reply_put_text(reply, "[");
    for (uint32_t d = 0; d < spec->rank; d++) {
        if (d > 0) {
            reply_put_text(reply, ",");
        }
        reply_put_decimal(reply, spec->dims[d]);
    }
    reply_put_text(reply, "]");
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
    reply_put_u32(reply, MODEL_ARENA_BYTES);
    reply_put_u16(reply, MODEL_NUM_LAYERS);
    reply_put_u8(reply, MODEL_NUM_INPUTS);
    reply_put_u8(reply, MODEL_NUM_OUTPUTS);
    reply_put_str8(reply, hal_target_name());
    reply_put_str8(reply, EDGEDIFF_BUILD_ID);
    reply_put_str8(reply, MODEL_HASH);
    /* What the bootloader checked before starting this image (booted 0 and zeros without one),
     * so the host can compare it with the build's image, not only the build id. */
    uint32_t image_bytes;
    uint32_t image_crc;
    reply_put_u8(reply, boot_handoff_image(&image_bytes, &image_crc) ? 1 : 0);
    reply_put_u32(reply, image_bytes);
    reply_put_u32(reply, image_crc);
}

/* TENSOR: kind:u8 (0 input, 1 output) index:u8 -> one tensor spec. Asked per tensor, so a
 * model with many inputs and outputs never outgrows one frame. */
static void handle_tensor(const frame_t *request, reply_t *reply)
{
    if (request->len != 2 || request->payload[0] > 1) {
        reply_err(reply, ERR_BAD_PAYLOAD, "TENSOR takes kind:u8 (0 input, 1 output) index:u8");
        return;
    }
    const bool output = request->payload[0] == 1;
    const uint32_t index = request->payload[1];
    if (index >= (output ? MODEL_NUM_OUTPUTS : MODEL_NUM_INPUTS)) {
        reply_err(reply, ERR_BAD_INDEX, output ? "no such output" : "no such input");
        return;
    }
    reply_ok(reply);
    put_tensor_spec(reply, output ? &model_output_specs[index] : &model_input_specs[index]);
    if (reply->overflow) {
        reply_err(reply, ERR_INTERNAL, "tensor spec exceeds the max payload");
    }
}

static bool shape_matches(const model_tensor_spec_t *spec, uint8_t rank, const uint8_t *dims)
{
    if (rank != spec->rank) {
        return false;
    }
    for (uint32_t d = 0; d < rank; d++) {
        if (get_u32_le(&dims[4 * d]) != spec->dims[d]) {
            return false;
        }
    }
    return true;
}

/* Index (within the chunk of count floats) of the first NaN or infinity, or count if none.
 * Tested on the bits (exponent all ones) so it needs no libm and no FPU. */
static uint32_t first_non_finite(const uint8_t *data, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if ((get_u32_le(&data[BYTES_PER_FLOAT * i]) & 0x7F800000u) == 0x7F800000u) {
            return i;
        }
    }
    return count;
}

/* WRITE: index:u8 rank:u8 dims:u32[rank] offset:u32 data (4-byte elements: float32, or int32
 * for a MODEL_DTYPE_I32 input, whose bytes the model reads as int32)
 * A float chunk holding a NaN or infinity is refused whole (ERR_NOT_FINITE naming the input and the
 * flat element index), so RUN never computes on it and then reports INPUT_INCOMPLETE. */
static void handle_write(const frame_t *request, reply_t *reply)
{
    const uint8_t *p = request->payload;
    if (request->len < 2) {
        reply_err(reply, ERR_BAD_PAYLOAD, "WRITE needs index, rank, dims, offset");
        return;
    }
    uint8_t index = p[0];
    uint8_t rank = p[1];
    if (index >= MODEL_NUM_INPUTS) {
        reply_err(reply, ERR_BAD_INDEX, "input index out of range, model has ");
        reply_put_decimal(reply, MODEL_NUM_INPUTS);
        return;
    }
    size_t header = 2u + 4u * rank + 4u;
    if (rank > 4 || request->len < header) {
        reply_err(reply, ERR_BAD_PAYLOAD, "WRITE needs index, rank<=4, dims, offset");
        return;
    }
    const model_tensor_spec_t *spec = &model_input_specs[index];
    if (!shape_matches(spec, rank, &p[2])) {
        reply_err(reply, ERR_SHAPE_MISMATCH, spec->name);
        reply_put_text(reply, ": model expects shape ");
        put_shape_text(reply, spec);
        return;
    }
    uint32_t offset = get_u32_le(&p[2 + 4 * rank]);
    uint32_t len = request->len - (uint32_t)header;
    if (offset % BYTES_PER_FLOAT || len % BYTES_PER_FLOAT) {
        reply_err(reply, ERR_BAD_PAYLOAD, "offset and length must be whole floats");
        return;
    }
    uint32_t tensor_bytes = spec->count * BYTES_PER_FLOAT;
    if (offset > tensor_bytes || len > tensor_bytes - offset) {
        reply_err(reply, ERR_OUT_OF_RANGE, spec->name);
        reply_put_text(reply, ": offset+length beyond tensor of ");
        reply_put_decimal(reply, tensor_bytes);
        reply_put_text(reply, " bytes");
        return;
    }
    /* An int32 input (MODEL_DTYPE_I32, a timestep) has no NaN: any bits are a value. */
    uint32_t bad = spec->dtype == MODEL_DTYPE_F32 ? first_non_finite(&p[header], len / BYTES_PER_FLOAT)
                                                  : len / BYTES_PER_FLOAT;
    if (bad < len / BYTES_PER_FLOAT) {
        uint32_t bits = get_u32_le(&p[header + BYTES_PER_FLOAT * bad]);
        reply_err(reply, ERR_NOT_FINITE, spec->name);
        reply_put_text(reply, (bits & 0x007FFFFFu) ? ": NaN at element " : ": infinity at element ");
        reply_put_decimal(reply, offset / BYTES_PER_FLOAT + bad);
        return;
    }
    memcpy((uint8_t *)io_input(index) + offset, &p[header], len);
    io_mark_written(index, offset / BYTES_PER_FLOAT, len / BYTES_PER_FLOAT);
    reply_ok(reply);
}

static bool inputs_complete(uint32_t count, reply_t *reply)
{
    for (uint32_t i = 0; i < count; i++) {
        if (!io_input_complete(i)) {
            reply_err(reply, ERR_INPUT_INCOMPLETE, model_input_specs[i].name);
            reply_put_text(reply, ": not fully written since the last RUN");
            return false;
        }
    }
    return true;
}

#define RUN_ALL_LAYERS (-1)

/* One model call on the inputs the host wrote, layers 0..last_layer (RUN_ALL_LAYERS: the whole
 * model), with the per-layer counters cleared first; returns the instructions it retired. */
static uint64_t timed_run(int32_t last_layer)
{
    const float *inputs[MODEL_NUM_INPUTS];
    float *outputs[MODEL_NUM_OUTPUTS];
    for (uint32_t i = 0; i < MODEL_NUM_INPUTS; i++) {
        inputs[i] = io_input(i);
    }
    for (uint32_t i = 0; i < MODEL_NUM_OUTPUTS; i++) {
        outputs[i] = io_output(i);
    }
    layer_counters_clear();
    uint64_t start = hal_instruction_count();
    if (last_layer == RUN_ALL_LAYERS) {
        model_run_v(inputs, outputs);
    } else {
        model_run_until(inputs, outputs, last_layer);
    }
    return hal_instruction_count() - start;
}

/* RUN: steps:u16 seed:u32 (reserved, the layout of the architecture sketch) -> instructions:u64
 * One model call on the inputs the host wrote; SAMPLE runs a whole sampler. */
static void handle_run(const frame_t *request, reply_t *reply)
{
    if (request->len != 6) {
        reply_err(reply, ERR_BAD_PAYLOAD, "RUN needs steps:u16 seed:u32");
        return;
    }
    if (!inputs_complete(MODEL_NUM_INPUTS, reply)) {
        return;
    }

    uint64_t instructions = timed_run(RUN_ALL_LAYERS);
    io_forget_written();
    outputs_valid = true;
    reply_ok(reply);
    reply_put_u64(reply, instructions);
}

/* SAMPLE: noise:u8 (0: input 0 as the host wrote it, 1: the on-device generator) seed:u32
 *   -> instructions:u64; the sample is output 0. The model's step input is the sampler's. */
static void handle_sample(const frame_t *request, reply_t *reply)
{
    if (request->len != 5 || request->payload[0] > 1) {
        reply_err(reply, ERR_BAD_PAYLOAD, "SAMPLE needs noise:u8 (0 host, 1 device) seed:u32");
        return;
    }
#if MODEL_SAMPLER_STEPS > 0
    const bool device_noise = request->payload[0] == 1;
    if (!device_noise && !inputs_complete(1, reply)) {
        return;
    }
    if (device_noise) {
        noise_fill_gaussian(get_u32_le(&request->payload[1]), io_input(0), MODEL_SAMPLER_VALUES);
    }
    layer_counters_clear();
    uint64_t start = hal_instruction_count();
    model_sample(io_input(0), io_output(0));
    uint64_t instructions = hal_instruction_count() - start;

    io_forget_written();
    outputs_valid = true;
    reply_ok(reply);
    reply_put_u64(reply, instructions);
#else
    reply_err(reply, ERR_NO_SAMPLER, "this image has no sampler: build a diffusion checkpoint (.pt)");
#endif
}

/* READ: index:u8 offset:u32 length:u16 -> data */
static void handle_read(const frame_t *request, reply_t *reply)
{
    const uint8_t *p = request->payload;
    if (request->len != 7) {
        reply_err(reply, ERR_BAD_PAYLOAD, "READ needs index:u8 offset:u32 length:u16");
        return;
    }
    uint8_t index = p[0];
    if (index >= MODEL_NUM_OUTPUTS) {
        reply_err(reply, ERR_BAD_INDEX, "output index out of range, model has ");
        reply_put_decimal(reply, MODEL_NUM_OUTPUTS);
        return;
    }
    if (!outputs_valid) {
        reply_err(reply, ERR_NO_OUTPUT, "no RUN since boot or RESET");
        return;
    }
    uint32_t offset = get_u32_le(&p[1]);
    uint32_t len = get_u16_le(&p[5]);
    uint32_t tensor_bytes = model_output_specs[index].count * BYTES_PER_FLOAT;
    if (len > PROTO_MAX_PAYLOAD || offset > tensor_bytes || len > tensor_bytes - offset) {
        reply_err(reply, ERR_OUT_OF_RANGE, "READ beyond tensor or max payload");
        return;
    }
    reply_ok(reply);
    reply_put_bytes(reply, (const uint8_t *)io_output(index) + offset, len);
}

/* RUN_UNTIL: last_layer:u16 -> instructions:u64
 * Layers 0..last_layer on the inputs the host wrote, for reading an intermediate tensor back
 * with READ_ARENA (sdk validate --layers). The inputs stay written (no layer writes into them),
 * so the host writes a sample once and runs up to each layer in turn. */
static void handle_run_until(const frame_t *request, reply_t *reply)
{
    if (request->len != 2) {
        reply_err(reply, ERR_BAD_PAYLOAD, "RUN_UNTIL needs last_layer:u16");
        return;
    }
    uint32_t last = get_u16_le(request->payload);
    if (last >= MODEL_NUM_LAYERS) {
        reply_err(reply, ERR_BAD_INDEX, "layer index out of range, model has ");
        reply_put_decimal(reply, MODEL_NUM_LAYERS);
        return;
    }
    if (!inputs_complete(MODEL_NUM_INPUTS, reply)) {
        return;
    }
    uint64_t instructions = timed_run((int32_t)last);

    outputs_valid = true; /* what the layers run wrote; a tensor of a later layer is stale */
    reply_ok(reply);
    reply_put_u64(reply, instructions);
}

/* READ_ARENA: offset:u32 length:u16 -> data, bytes of the model's arena as the last RUN or
 * RUN_UNTIL left them (where each tensor lives is the build's memory plan). */
static void handle_read_arena(const frame_t *request, reply_t *reply)
{
    if (request->len != 6) {
        reply_err(reply, ERR_BAD_PAYLOAD, "READ_ARENA needs offset:u32 length:u16");
        return;
    }
    if (!outputs_valid) {
        reply_err(reply, ERR_NO_OUTPUT, "no RUN since boot or RESET");
        return;
    }
    uint32_t offset = get_u32_le(request->payload);
    uint32_t len = get_u16_le(&request->payload[4]);
    if (len > PROTO_MAX_PAYLOAD || offset > MODEL_ARENA_BYTES || len > MODEL_ARENA_BYTES - offset) {
        reply_err(reply, ERR_OUT_OF_RANGE, "READ_ARENA beyond max payload or arena of ");
        reply_put_decimal(reply, MODEL_ARENA_BYTES);
        reply_put_text(reply, " bytes");
        return;
    }
    reply_ok(reply);
    if (len > 0) {
        reply_put_bytes(reply, model_arena_base() + offset, len);
    }
}

/* COUNTERS: start:u16 -> total:u16 start:u16 count:u16 instructions:u64[count] */
static void handle_counters(const frame_t *request, reply_t *reply)
{
    if (request->len != 2) {
        reply_err(reply, ERR_BAD_PAYLOAD, "COUNTERS needs start:u16");
        return;
    }
    if (!outputs_valid) {
        reply_err(reply, ERR_NO_OUTPUT, "no RUN since boot or RESET");
        return;
    }
    uint32_t start = get_u16_le(request->payload);
    if (start > MODEL_NUM_LAYERS) {
        reply_err(reply, ERR_OUT_OF_RANGE, "start beyond layer count ");
        reply_put_decimal(reply, MODEL_NUM_LAYERS);
        return;
    }
    uint32_t count = MODEL_NUM_LAYERS - start;
    uint32_t fits = (PROTO_MAX_PAYLOAD - COUNTERS_HEADER_BYTES) / 8u;
    if (count > fits) {
        count = fits;
    }
    reply_ok(reply);
    reply_put_u16(reply, MODEL_NUM_LAYERS);
    reply_put_u16(reply, (uint16_t)start);
    reply_put_u16(reply, (uint16_t)count);
    for (uint32_t i = 0; i < count; i++) {
        reply_put_u64(reply, layer_counters_get(start + i));
    }
}

/* STACK: () -> reserved:u32 used:u32, the stack high-water mark since boot or the last RESET
 * (firmware/stack_watermark.c); reserved 0 where the target has no stack region to measure. */
static void handle_stack(const frame_t *request, reply_t *reply)
{
    if (request->len != 0) {
        reply_err(reply, ERR_BAD_PAYLOAD, "STACK takes no payload");
        return;
    }
    uint32_t reserved;
    uint32_t used;
    (void)stack_used(&reserved, &used);
    reply_ok(reply);
    reply_put_u32(reply, reserved);
    reply_put_u32(reply, used);
}

static void handle_reset(const frame_t *request, reply_t *reply)
{
    if (request->len != 0) {
        reply_err(reply, ERR_BAD_PAYLOAD, "RESET takes no payload");
        return;
    }
    commands_reset();
    reply_ok(reply);
}

/* BOOTLOADER: () -> (); then the board leaves for the bootloader, which stays there. */
static void handle_bootloader(const frame_t *request, reply_t *reply)
{
    if (request->len != 0) {
        reply_err(reply, ERR_BAD_PAYLOAD, "BOOTLOADER takes no payload");
        return;
    }
    if (!boot_handoff_bootloader_present()) {
        reply_err(reply, ERR_NO_BOOTLOADER, "this image was not started by the bootloader");
        return;
    }
    enter_bootloader = true;
    reply_ok(reply);
}

/* CONFIRM: () -> was_trial:u8; a trial image then has the bootloader make it permanent (it
 * boots this image again). Apps may also confirm themselves once their own self-test passes
 * (boot_handoff_confirm). */
static void handle_confirm(const frame_t *request, reply_t *reply)
{
    if (request->len != 0) {
        reply_err(reply, ERR_BAD_PAYLOAD, "CONFIRM takes no payload");
        return;
    }
    if (!boot_handoff_bootloader_present()) {
        reply_err(reply, ERR_NO_BOOTLOADER, "this image was not started by the bootloader");
        return;
    }
    confirm_trial = boot_handoff_on_trial();
    reply_ok(reply);
    reply_put_u8(reply, confirm_trial ? 1 : 0);
}

void commands_after_reply(void)
{
    if (confirm_trial) {
        confirm_trial = false;
        boot_handoff_confirm();
    }
    if (enter_bootloader) {
        enter_bootloader = false;
        boot_handoff_enter_bootloader();
    }
}

void commands_handle(const frame_t *request, reply_t *reply)
{
    if (!io_layout_ok) {
        reply_err(reply, ERR_INTERNAL, "MODEL_IO_FLOATS is smaller than the tensor specs");
        return;
    }
    switch (request->type) {
    case MSG_HELLO:
        handle_hello(request, reply);
        break;
    case MSG_WRITE:
        handle_write(request, reply);
        break;
    case MSG_RUN:
        handle_run(request, reply);
        break;
    case MSG_SAMPLE:
        handle_sample(request, reply);
        break;
    case MSG_READ:
        handle_read(request, reply);
        break;
    case MSG_COUNTERS:
        handle_counters(request, reply);
        break;
    case MSG_RESET:
        handle_reset(request, reply);
        break;
    case MSG_TENSOR:
        handle_tensor(request, reply);
        break;
    case MSG_BOOTLOADER:
        handle_bootloader(request, reply);
        break;
    case MSG_CONFIRM:
        handle_confirm(request, reply);
        break;
    case MSG_RUN_UNTIL:
        handle_run_until(request, reply);
        break;
    case MSG_READ_ARENA:
        handle_read_arena(request, reply);
        break;
    case MSG_STACK:
        handle_stack(request, reply);
        break;
    default:
        reply_err(reply, ERR_UNKNOWN_TYPE, "unknown request type");
        break;
    }
}
