"""EdgeDiff C kernel library: headers, reference kernels and per-ISA overrides.

Pure Python on purpose (no torch): the code generator only needs file paths from here.
"""

from codegen.kernels.registry import (
    INCLUDE_DIR,
    KERNEL_ROOT,
    REF_DIR,
    all_reference_functions,
    select_kernel_sources,
)

__all__ = [
    "INCLUDE_DIR",
    "KERNEL_ROOT",
    "REF_DIR",
    "all_reference_functions",
    "select_kernel_sources",
]
