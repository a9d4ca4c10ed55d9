"""The C symbol of a kernel function.

Kernel functions are named by what they do (`conv2d_f32`, `add_f16_mve`): the catalog,
the manifest, tolerances and reports use these names, and each is also the stem of the
function's source file. In C every public kernel symbol carries one library prefix, as
CMSIS-NN's carry `arm_`, so that a kernel such as `add_f32` cannot clash with a function of
the user's firmware. Everything that writes or looks up a C symbol goes through
kernel_symbol(), so the prefix lives in this one place.
"""

from __future__ import annotations

SYMBOL_PREFIX = "edgediff_"


def kernel_symbol(function: str) -> str:
    """The C name of kernel `function`, e.g. conv2d_f32 -> edgediff_conv2d_f32."""
    return SYMBOL_PREFIX + function
