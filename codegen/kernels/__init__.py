"""EdgeDiff C kernel library: headers, reference kernels and per-ISA overrides.

Pure Python on purpose (no torch): the code generator only needs names and paths here.
"""

from codegen.kernels.registry import (INCLUDE_DIR, KERNEL_ROOT, REF_DIR, all_reference_functions,
                                      kernel_source, kernel_sources)
from codegen.kernels.symbol import SYMBOL_PREFIX, kernel_symbol

__all__ = ["INCLUDE_DIR", "KERNEL_ROOT", "REF_DIR", "SYMBOL_PREFIX", "all_reference_functions",
           "kernel_source", "kernel_sources", "kernel_symbol"]
