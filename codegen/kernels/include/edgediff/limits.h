/* The limits and tiling budgets of the optimized kernels, in one place.
 *
 * The kernels read them here, and the Python side reads this file too
 * (codegen/kernels/limits.py parses every `#define EDGEDIFF_<NAME> <integer>` line): the
 * override predicates (which kernel can take a layer) and the scratch rules (how much
 * working memory a layer's kernel gets in the arena) use these numbers, never copies. So a
 * value here is a plain decimal integer, one per line.
 *
 * Working memory is not a limit: a kernel that needs some takes a `void *scratch` sized
 * per layer by its `edgediff_<kernel>_get_buffer_size()` (kernels_<isa>.h), placed in the
 * model's arena by the memory planner. What stays here are register counts, counter
 * widths and the budgets a kernel tiles its work by (the same budget gives the same
 * tiling, so the same instructions). */
#ifndef EDGEDIFF_LIMITS_H
#define EDGEDIFF_LIMITS_H

/* Every part of a kernel's scratch starts at this alignment (vector loads); the arena
 * places each layer's scratch at the same alignment. */
#define EDGEDIFF_SCRATCH_ALIGN 16

/* conv2d_*_rvv: band of input rows copied per block of input channels (three copies per
 * channel) is tiled to at most this many bytes ... */
#define EDGEDIFF_RVV_CONV_BAND_BYTES 16384
/* ... output channels per block (12 accumulators of 2 vector registers each) ... */
#define EDGEDIFF_RVV_CONV_CB_MAX 6
/* ... input channels of packed weights per block ... */
#define EDGEDIFF_RVV_CONV_PACK_CI 32
/* ... and input rows of at most this many elements: one output row's band must fit the
 * band budget, which the gathers' 16-bit offsets and the inner loop's asm memory operand
 * cover. */
#define EDGEDIFF_RVV_CONV_MAX_W_IN 128

/* binary_weight_conv2d_*_{mve,rvv}: output channels whose +-1 weights are expanded at
 * once fill at most this many bytes (at least one channel always). */
#define EDGEDIFF_BW_TABLE_BYTES 16384

/* binary_conv2d_*_mve: per-byte popcount accumulators hold at most 31 words of a row of
 * taps (31 * 8 = 248 <= 255): kernel_w * words <= this. */
#define EDGEDIFF_MVE_BINARY_MAX_ROW_WORDS 31
/* Its unpredicated (padded) path: input rows copied with zero words around them when the
 * copy has at most this many words, ... */
#define EDGEDIFF_MVE_BINARY_MAX_PADDED_WORDS 2048
/* ... the receptive field at most this many words ... */
#define EDGEDIFF_MVE_BINARY_MAX_PADDED_FIELD 64
/* ... and at most this many x-vectors with taps in the padding (one weight table each). */
#define EDGEDIFF_MVE_BINARY_MAX_BORDERS 4

/* binary_conv2d_*_rvv: the receptive field stays in this many mask registers of 128 bits
 * (kernel_h * kernel_w * words <= 4 * this). */
#define EDGEDIFF_RVV_BINARY_MAX_MASKS 9

/* attention_f16_mve: one gather loads a column of 8 key rows at 16-bit element offsets
 * (key * d, key < 8), so 7 * d <= 65535. */
#define EDGEDIFF_MVE_ATTENTION_F16_MAX_D 9362

/* conv_transpose2d_*_{mve,rvv}: the taps reaching one output (ceil(kernel_h / stride_h) *
 * ceil(kernel_w / stride_w)) fit tables of this many entries, kept with the span on the
 * stack (3 x 256 bytes): as arrays at fixed offsets the vector loops walk them with one
 * register, which the same tables in the arena (a pointer each) cost 5-13% more
 * instructions of these kernels. */
#define EDGEDIFF_CT_MAX_TAPS 64

/* Array sizes of the kernels' parameter structs (kernels.h), which the code generator fills:
 * the rank of broadcasting binary ops and pads (shapes right-aligned, padded with 1), the
 * inputs of one concat, the dims of a strided copy (a pixel shuffle needs 6 after merging),
 * the batch dims of a matmul. */
#define EDGEDIFF_MAX_RANK 4
#define EDGEDIFF_MAX_CONCAT 8
#define EDGEDIFF_STRIDED_RANK 6
#define EDGEDIFF_MATMUL_BATCH_DIMS 2

/* conv2d_f16_fpu widens the weights of a block of output channels into its scratch for as
 * many input channels as this holds (the tiles read the rest as halves, one conversion per
 * weight load): a wide layer's block (2 x 64 channels: 4,608 bytes) is where the FP16 zoo
 * UNet's arena peaks, and this keeps its scratch inside the 43 KB goal. */
#define EDGEDIFF_FPU_CONV_F16_W_BYTES 1872

/* The gather kernels of the scalar FPU (conv1d_, conv_transpose2d_ and conv2d_dw_<dtype>_fpu)
 * work on zero-padded FP32 copies of their input rows (FP16 widened there once) and FP32
 * packed weights in their scratch; a layer whose scratch would pass _GATHER_BYTES keeps the
 * reference kernel. Their tap tables (kernel_w taps of a conv1d, the taps of one phase of a
 * transposed convolution) live on the stack: at most _MAX_TAPS entries. Register tiles:
 * _GATHER_CO output channels x _GATHER_PX pixels (conv1d, transposed), _DW_PX pixels of
 * one channel (depthwise); the scratch rows are padded to whole tiles. */
#define EDGEDIFF_FPU_GATHER_BYTES 32768
#define EDGEDIFF_FPU_MAX_TAPS 64
#define EDGEDIFF_FPU_GATHER_CO 4
#define EDGEDIFF_FPU_GATHER_PX 4
#define EDGEDIFF_FPU_DW_PX 8

/* attention_f16_fpu widens a batch slice's K and V to floats once, in its scratch
 * (lk * (d + dv) floats), where that is at most this many bytes; past it, each half is
 * widened as it is loaded (once per block of 4 query rows). */
#define EDGEDIFF_FPU_ATTENTION_F16_KV_BYTES 8192

/* The int8 vector convolutions (conv2d_s8_mve, conv2d_s8_rvv) keep a ring of kernel_h input
 * rows in their scratch, indexed from a table on the stack: at most this many rows. */
#define EDGEDIFF_S8_CONV_MAX_KH 8

/* conv2d_s8_mve scatters 8 input pixels a column (kernel_h * c_in bytes) apart with 16-bit
 * offsets: columns of at most this many bytes (7 * 9362 < 65536). */
#define EDGEDIFF_S8_CONV_MAX_COLUMN 9362

#endif /* EDGEDIFF_LIMITS_H */
