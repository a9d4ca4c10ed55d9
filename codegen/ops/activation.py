"""The activations an op can apply in its output step (the `act` attr) and their C enum."""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("none", "relu", "silu")
ACT_ENUM = {"none": "EDGEDIFF_ACT_NONE", "relu": "EDGEDIFF_ACT_RELU", "silu": "EDGEDIFF_ACT_SILU"}


def silu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-x.astype(np.float64))).astype(np.float32)


def apply_activation(x: np.ndarray, act: str) -> np.ndarray:
    if act == "relu":
        return np.maximum(x, 0).astype(x.dtype)
    if act == "silu":
        return silu(x).astype(x.dtype)
    return x


def act_field(node) -> str:
    """The C enum of the node's fused activation, for its parameter struct."""
    return ACT_ENUM[node.attrs.get("act", "none")]
