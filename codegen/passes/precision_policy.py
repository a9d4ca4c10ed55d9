"""PrecisionPolicy: which layers run in FP32 and which in FP16 (a default and per-layer
overrides by node name or glob, as `sdk bench` lists them). assign_precision applies it."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from codegen.ir import Graph

PRECISIONS = {"fp32": "f32", "fp16": "f16", "int8": "i8"}


@dataclass
class PrecisionPolicy:
    default: str = "fp32"
    layers: dict[str, str] = field(default_factory=dict)  # node name or glob -> fp32|fp16|int8

    def __post_init__(self):
        for where, value in [("default", self.default), *self.layers.items()]:
            if value not in PRECISIONS:
                raise ValueError(f"precision {value!r} for {where} is not one of {', '.join(PRECISIONS)}")

    def for_node(self, name: str) -> str:
        for pattern, value in self.layers.items():
            if name == pattern or fnmatch.fnmatchcase(name, pattern):
                return PRECISIONS[value]
        return PRECISIONS[self.default]

    def uses(self, precision: str) -> bool:
        """Does the policy name `precision` (fp32|fp16|int8) anywhere?"""
        return precision in (self.default, *self.layers.values())

    def unmatched_patterns(self, graph: Graph) -> list[str]:
        """Overrides that name no node: almost always a typo the user wants to hear about."""
        names = [n.name for n in graph.nodes]
        return [p for p in self.layers if not any(fnmatch.fnmatchcase(n, p) for n in names)]
