"""A converter's failure as a message the user can act on.

torch.onnx and litert-torch fail with pages of stack trace; the facts are in the text:
the aten/prims op ("No ONNX function found for <OpOverload(op='prims.erf_inv'…",
"Lowering not found: aten.erfinv.default", "…target=torch.ops.aten._fft_r2c.default"),
the FX node ("translating node %erf_inv", "While executing %erfinv") and, from
litert-torch, the user's source line ("File …, line N, in forward").
"""

from __future__ import annotations

import re

from sdk.errors import UserError

OP_PATTERNS = (r"No ONNX function found for <OpOverload\(op='([\w.]+)'(?:, overload='(\w+)')?",
               r"Lowering not found: ([\w.]+)",
               r"target=torch\.ops\.([\w.]+)")
NODE_PATTERNS = (r"translating node %(\w+)", r"While executing %(\w+)")
SOURCE_PATTERN = r'File "([^"]+)", line (\d+), in (\w+)'


def _text(error: BaseException) -> str:
    """The error and what caused it (torch.onnx keeps the op in the cause)."""
    parts = []
    while error is not None and len(parts) < 8:
        parts.append(f"{type(error).__name__}: {error}")
        error = error.__cause__ or error.__context__
    return "\n".join(parts)


def _first(patterns: tuple[str, ...], text: str) -> re.Match | None:
    for pattern in patterns:
        match = re.search(pattern, text)
        if match:
            return match
    return None


def converter_error(error: BaseException, target: str, model: str) -> UserError:
    text = _text(error)
    op = _first(OP_PATTERNS, text)
    node = _first(NODE_PATTERNS, text)
    sources = [m for m in re.finditer(SOURCE_PATTERN, text) if "site-packages" not in m.group(1)]
    converter = {"onnx": "torch.onnx", "tflite": "litert-torch"}[target]
    other = {"onnx": "tflite", "tflite": "onnx"}[target]
    if op is None:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return UserError(f"{converter} could not convert {model}: {first_line}. Simplify the model "
                         f"or build it for an MCU target (`sdk build --target host --model {model}`)")
    name = re.sub(r"\.default$", "", ".".join(p for p in op.groups() if p))
    where = f" at node %{node.group(1)}" if node else ""
    if sources:
        where += f" ({sources[-1].group(1)}:{sources[-1].group(2)}, in {sources[-1].group(3)})"
    return UserError(f"{converter} cannot lower op {name}{where} of {model} to {target}. Workarounds: "
                     f"rewrite that part with ops {target} supports (elementwise math, conv, matmul, "
                     f"norms), try `sdk build --target {other}`, or build for an MCU target "
                     f"(`sdk build --target host --model {model}`)")
