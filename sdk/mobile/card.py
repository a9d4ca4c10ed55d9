"""model_card.json: everything an app needs to drive an exported model file.

The tensors are read back from the file through its runtime, so the names, shapes and
dtypes (and int8 scale/zero point) are the ones the app will meet. A diffusion checkpoint's
card also carries its sampling schedule — the model's time per step and the update
coefficients — which is all the app's loop needs (sdk/mobile/sampler.py runs it).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sdk.errors import UserError

CARD = "model_card.json"
FORMAT = "edgediff-model-card/1"

PRECISION_NOTES = {
    ("onnx", "fp32"): "float32 weights, activations and I/O.",
    ("onnx", "fp16"): "float16 weights and activations, float32 inputs and outputs (cast at the "
                      "graph's edges). The time path (sin/cos and everything computing their "
                      "argument) stays float32. onnxruntime's CPU provider runs ops it has no "
                      "float16 kernel for in float32 (it inserts casts); a GPU/NNAPI provider "
                      "computes in float16.",
    ("tflite", "fp32"): "float32 weights, activations and I/O.",
    ("tflite", "fp16"): "float16 weights (conv and fully-connected), dequantized to float32 when "
                        "the model loads: the CPU computes in float32, so only the file halves. "
                        "LiteRT's GPU delegate may compute in float16. This is what "
                        "ai-edge-quantizer's float casting offers; litert-torch has no float16 "
                        "activation mode.",
    ("tflite", "int8"): "int8 weights (per channel) and activations with int8 inputs/outputs: "
                        "quantize inputs and dequantize outputs with their scale and zero point. "
                        "The time path stays float32 (see int8.float_ops). model_float.tflite next "
                        "to it is the float32 model it was calibrated from.",
}

SAMPLER_RULES = {
    "ddim": "x0 = c0*x - c1*out (v) or (x - c1*out)/c0 (eps); eps = c1*x + c0*out (v) or out (eps); "
            "x = c2*clip(x0, -1, 1) + c3*eps",
    "euler": "x = x + c0*out",
}


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sampler_card(plan) -> dict:
    """The schedule as the app's loop reads it: start from standard normal noise shaped like
    the first input, for step in 0..steps-1: out = model(x, step); x = update(x, out,
    coefficients[step]); the sample is clip(x, -1, 1)."""
    return {**plan.to_dict(), "noise": "standard normal, shaped like inputs[0]",
            "update": SAMPLER_RULES[plan.kind], "final_clip": [-1.0, 1.0]}


def model_card(spec, model: str, model_hash: str, target: str, precision: str, path: Path,
               runtime, extra: dict | None = None) -> dict:
    """runtime: the file opened in sdk.mobile.runtimes (its inputs/outputs describe the file)."""
    inputs = [dict(t) for t in runtime.inputs]
    roles = ["state", "step"] if spec.sampler is not None else [f"input {i}" for i in range(len(inputs))]
    for tensor, role in zip(inputs, roles):
        tensor["role"] = role
    return {
        "format": FORMAT, "model": model, "model_name": spec.name, "model_hash": model_hash,
        "target": target, "precision": precision, "precision_notes": PRECISION_NOTES[target, precision],
        "file": path.name, "file_bytes": path.stat().st_size, "file_sha256": file_sha256(path),
        "runtime": {"name": runtime.name, "version": runtime.version},
        "inputs": inputs, "outputs": runtime.outputs,
        "sampler": sampler_card(spec.sampler) if spec.sampler is not None else None,
        **(extra or {}),
    }


def save_card(card: dict, directory: Path) -> Path:
    path = Path(directory) / CARD
    path.write_text(json.dumps(card, indent=1) + "\n")
    return path


def load_card(target: str, root: Path) -> dict:
    path = Path(root) / target / CARD
    if not path.is_file():
        raise UserError(f"no {target} export in {path.parent}: run "
                        f"`sdk build --target {target} --model <model>` first")
    return json.loads(path.read_text())
