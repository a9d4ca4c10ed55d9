"""`--precision` and `--precision-config`: the policy the precision pass applies.

A config file (TOML) sets the default and per-layer overrides by node name or glob, using
the layer names `sdk bench` prints:

    default = "fp16"
    [layers]
    "conv2d_15" = "fp32"      # keep the last convolution in FP32
    "group_norm*" = "fp32"
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from codegen.passes import PrecisionPolicy
from sdk.errors import UserError


def load_policy(precision: str | None, config: Path | None = None) -> PrecisionPolicy:
    default, layers = precision or "fp32", {}
    if config is not None:
        try:
            data = tomllib.loads(Path(config).read_text())
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise UserError(f"cannot read precision config {config}: {e}") from None
        unknown = set(data) - {"default", "layers"}
        if unknown:
            raise UserError(f"{config}: unknown keys {sorted(unknown)}; expected `default` and [layers]")
        default = precision or data.get("default", "fp32")
        layers = dict(data.get("layers", {}))
    try:
        return PrecisionPolicy(default, layers)
    except ValueError as e:
        raise UserError(f"{config or '--precision'}: {e}") from None


def describe(policy: PrecisionPolicy) -> str:
    return policy.default + (f" (+{len(policy.layers)} layer overrides)" if policy.layers else "")
