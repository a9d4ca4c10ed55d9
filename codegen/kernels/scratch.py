"""What the per-ISA scratch rules share, as include/edgediff/scratch.h writes it in C.

A kernel override that needs working memory names it with `scratch_bytes(params) -> int`
(codegen/kernels/catalog_types.py): the bytes its `edgediff_<kernel>_get_buffer_size()`
returns for those parameters. The memory planner places that many bytes in the arena for
the layer's step (codegen/plan.py). tests/test_kernel_scratch.py compiles the C functions
for the host and checks they equal these rules on many shapes.
"""

from __future__ import annotations

from codegen.kernels.limits import limit

ALIGN = limit("SCRATCH_ALIGN")


def round_up(nbytes: int) -> int:
    """edgediff_scratch_round: nbytes rounded up to the scratch alignment."""
    return -(-nbytes // ALIGN) * ALIGN


def bw_block_channels(c_out: int, per: int, tile: int, elem: int) -> int:
    """edgediff_bw_block_channels: output channels per +-1 table fill of the W1A16 kernels
    (per elements of elem bytes each; at least one channel, a multiple of the conv loop's
    channel tile where the EDGEDIFF_BW_TABLE_BYTES budget allows, balanced over fills)."""
    cb_max = max(limit("BW_TABLE_BYTES") // elem // per, 1)
    if cb_max > tile:
        cb_max -= cb_max % tile
    blocks = -(-c_out // cb_max)
    cb = -(-c_out // blocks)
    if cb % tile and cb + tile - cb % tile <= cb_max:
        cb += tile - cb % tile
    return cb
