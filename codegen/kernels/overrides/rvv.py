"""Kernel overrides for targets with the `rvv` ISA feature (sources in codegen/kernels/rvv/).

Each entry: base function -> [Override(function, feature, applies, half_accumulation)],
in order of preference; `applies` gets the kernel's parameter fields (the C struct).
"""

from __future__ import annotations

from codegen.kernels.catalog_types import Override

OVERRIDES: dict[str, list[Override]] = {}
