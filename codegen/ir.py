"""The graph IR: the one contract between the PyTorch front end and the C back end.

A Graph is a topologically ordered list of Nodes over named Tensors. Constants (weights)
live in the graph as numpy arrays. The IR serializes to a single JSON file (constants as
base64 little-endian bytes) so a build can be inspected, diffed and replayed without torch.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# u32: 1-bit sign tensors packed 32 per word (codegen/binary.py); i8: int8 layers
# (codegen/passes/quantize_int8.py), their parameters in the nodes' attrs.
DTYPES = {"f32": np.float32, "f16": np.float16, "i32": np.int32, "u32": np.uint32, "i8": np.int8}
FORMAT_VERSION = 1


@dataclass
class Tensor:
    """A value in the graph. layout is filled in by the layout pass (e.g. "NCHW")."""

    name: str
    shape: tuple[int, ...]
    dtype: str = "f32"
    layout: str | None = None

    @property
    def numel(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        return self.numel * np.dtype(DTYPES[self.dtype]).itemsize


@dataclass
class Node:
    """One operation. inputs may contain "" for an absent optional operand (e.g. no bias).
    source names the model code that produced it, for error messages."""

    name: str
    op: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass
class Graph:
    tensors: dict[str, Tensor]
    nodes: list[Node]
    inputs: list[str]
    outputs: list[str]
    constants: dict[str, np.ndarray] = field(default_factory=dict)

    # --- queries -------------------------------------------------------------------------
    def is_constant(self, name: str) -> bool:
        return name in self.constants

    def producer(self, tensor: str) -> Node | None:
        return next((n for n in self.nodes if tensor in n.outputs), None)

    def consumers(self, tensor: str) -> list[Node]:
        return [n for n in self.nodes if tensor in n.inputs]

    def add_constant(self, name: str, value: np.ndarray) -> str:
        value = np.ascontiguousarray(value)
        dtype = next(k for k, v in DTYPES.items() if np.dtype(v) == value.dtype)
        self.tensors[name] = Tensor(name, tuple(value.shape), dtype)
        self.constants[name] = value
        return name

    def remove_unused(self) -> None:
        """Drop constants and tensors that no node or graph output refers to."""
        used = set(self.inputs) | set(self.outputs)
        for node in self.nodes:
            used.update(node.inputs)
            used.update(node.outputs)
        self.tensors = {k: v for k, v in self.tensors.items() if k in used}
        self.constants = {k: v for k, v in self.constants.items() if k in used}

    def validate(self) -> None:
        """Every tensor referenced exists, is defined once, and before it is used."""
        defined = set(self.inputs) | set(self.constants)
        for node in self.nodes:
            for name in node.inputs:
                if name and name not in defined:
                    raise ValueError(f"node {node.name} ({node.op}) reads {name!r} before it is defined")
            for name in node.outputs:
                if name in defined:
                    raise ValueError(f"tensor {name!r} is defined twice (again by {node.name})")
                if name not in self.tensors:
                    raise ValueError(f"node {node.name} writes unknown tensor {name!r}")
                defined.add(name)
        for name in self.outputs:
            if name not in defined:
                raise ValueError(f"graph output {name!r} is never defined")

    # --- serialization -------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format_version": FORMAT_VERSION,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "tensors": [{"name": t.name, "shape": list(t.shape), "dtype": t.dtype,
                         "layout": t.layout} for t in self.tensors.values()],
            "nodes": [{"name": n.name, "op": n.op, "inputs": n.inputs, "outputs": n.outputs,
                       "attrs": n.attrs, "source": n.source} for n in self.nodes],
            "constants": {k: {"dtype": self.tensors[k].dtype, "shape": list(v.shape),
                              "data": base64.b64encode(v.astype(v.dtype.newbyteorder("<")).tobytes()).decode()}
                          for k, v in sorted(self.constants.items())},
        }

    @classmethod
    def from_dict(cls, d: dict) -> Graph:
        if d.get("format_version") != FORMAT_VERSION:
            raise ValueError(f"IR format version {d.get('format_version')} is not {FORMAT_VERSION}")
        tensors = {t["name"]: Tensor(t["name"], tuple(t["shape"]), t["dtype"], t["layout"])
                   for t in d["tensors"]}
        nodes = [Node(n["name"], n["op"], list(n["inputs"]), list(n["outputs"]), dict(n["attrs"]),
                      n["source"]) for n in d["nodes"]]
        constants = {}
        for k, c in d["constants"].items():
            dtype = np.dtype(DTYPES[c["dtype"]]).newbyteorder("<")
            constants[k] = np.frombuffer(base64.b64decode(c["data"]), dtype=dtype).astype(
                DTYPES[c["dtype"]]).reshape(c["shape"])
        return cls(tensors, nodes, list(d["inputs"]), list(d["outputs"]), constants)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def save(self, path: Path) -> None:
        Path(path).write_text(self.to_json())

    @classmethod
    def load(cls, path: Path) -> Graph:
        return cls.from_dict(json.loads(Path(path).read_text()))

    def content_hash(self) -> str:
        """16 hex chars identifying the model: same graph and weights, same hash, wherever
        the model's source file lives (source locations are left out)."""
        d = self.to_dict()
        for node in d["nodes"]:
            node["source"] = ""
        text = json.dumps(d, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]
