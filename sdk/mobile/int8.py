"""Static int8 TFLite for TFLite Micro: per-channel int8 weights, calibrated int8 activations.

The graph is full-integer where the kernels allow it, with int8 inputs and outputs (the
TFLite Micro convention: an app quantizes its input with the input tensor's scale and
zero point and dequantizes the output; a diffusion app does this around its own float
sampler update every step). The step index stays int32.

Kept in float: the time path, i.e. every op that depends only on the step index (table
lookup, sin/cos embedding, time MLP, each block's embedding projection). It runs once per
step on 32 numbers, but int8 would wreck it: the model time spans 0..999, so an int8
table of times is off by ±2 time units and sin(t·f) of a quantized t·f (range ±1000
radians, step ≈ 8 radians) is noise. A model without a sampler takes a float timestep
instead; the quantizer makes every float graph input int8, so that timestep arrives
rounded to its range/255 and is dequantized into the same float path.

Concatenation skips: TFLite's int8 CONCATENATION copies bytes, so every operand must
carry the output's scale. The quantizer keeps each producer at its own calibrated scale
and inserts a requantize (QUANTIZE int8→int8) where it differs, so a narrow-range skip
keeps its resolution up to the concat; `concat_scales` in the summary shows both.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from ai_edge_litert.tools import flatbuffer_utils
from ai_edge_quantizer import calibrator, qtyping, quantizer, recipe, recipe_manager

from sdk.errors import UserError
from sdk.quant.ranges import covered_range

SIGNATURE = "serving_default"


def quantize_tflite(float_tflite: Path, calibration: list[tuple[np.ndarray, ...]], out: Path,
                    float_time_path: bool = True, envelope: bool = True,
                    cover_tails: bool = False) -> dict:
    """Quantize `float_tflite` with `calibration` (sdk/quant/calibration.py) into `out`;
    returns the summary (see summarize). float_time_path and envelope (min/max over the whole
    calibration set, not the quantizer's moving average) are the shipped recipe; turning
    either off is only for measuring what they buy (docs/MOBILE_INT8.md). cover_tails
    extends each range to the calls the model will see (sdk/quant/ranges.py): the export
    sets it for a model without a sampler (sdk/quant/calibration.covers_tails)."""
    float_tflite, out = Path(float_tflite), Path(out)
    names = _input_names(float_tflite, calibration)
    q = quantizer.Quantizer(float_tflite)
    q.load_quantization_recipe(recipe.static_wi8_ai8())  # channelwise symmetric weights
    scopes = _time_path_scopes(float_tflite.read_bytes()) if float_time_path else []
    if scopes:
        q.update_quantization_recipe(regex="^(?:" + "|".join(map(re.escape, scopes)) + ")$",
                                     operation_name=qtyping.TFLOperationName.ALL_SUPPORTED,
                                     algorithm_key="no_quantize")
    data = {SIGNATURE: [dict(zip(names, inputs)) for inputs in calibration]}
    try:
        times = _float_time_inputs(float_tflite.read_bytes()) if cover_tails else None
        ranges = (_calibrate(float_tflite, q.get_quantization_recipe(), data, times) if envelope
                  else q.calibrate(data, num_threads=1))
        result = q.quantize(ranges, enable_progress_report=False)
    except (ValueError, RuntimeError) as e:
        raise UserError(f"ai-edge-quantizer could not quantize {float_tflite}: {e}. The op it "
                        "names has no static int8 rule: replace it in the model with one that "
                        "has (docs/MOBILE_INT8.md lists what quantizes) or ship the float "
                        ".tflite") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(_for_tflite_micro(result.quantized_model))
    return summarize(out)


def _calibrate(path: Path, quant_recipe: list, data: dict, times: set[str] | None) -> dict:
    """Each tensor's range from its per-input min/max over the whole calibration set: their
    envelope (times None), or extended to cover the calls the model will see
    (sdk/quant/ranges.py). The quantizer's default is a moving average (0.95) of per-sample
    ranges, which forgets the early steps' wide ranges by the time the late steps are seen:
    the timestep drift calibration must cover.

    When extending, a float timestep input (`times`, one value per call) keeps its min/max:
    a time is bounded by the schedule, which the calibration draws cover to about one time
    unit, and the extrapolation, which takes every tail as unbounded, would widen 0..999 to
    0..1231 and coarsen the int8 time (zoo unet: its largest error, a 2-unit shift of t
    moves its output by up to 0.22)."""
    recipes = recipe_manager.RecipeManager()
    recipes.load_quantization_recipe(quant_recipe)
    calib = calibrator.Calibrator(str(path), num_threads=1, qsv_update_func=_keep_extremes)
    calib.calibrate(data, recipes)
    return {name: _envelope(qsv) if times is None or name in times else _covered(qsv)
            for name, qsv in calib.get_model_qsvs().items()}


def _keep_extremes(qsv: dict, new: dict) -> dict:
    """The calibrator's update: the running min/max plus every input's, for ranges.py. The
    first input's qsv is stored as it comes, without this call."""
    if "mins" not in qsv:  # a dict of our own from here on, the lists grow in place
        qsv = {**qsv, "mins": [qsv["min"]], "maxs": [qsv["max"]]}
    qsv["mins"].append(new["min"])
    qsv["maxs"].append(new["max"])
    qsv["min"], qsv["max"] = np.minimum(qsv["min"], new["min"]), np.maximum(qsv["max"], new["max"])
    return qsv


def _envelope(qsv: dict) -> dict:
    return {k: v for k, v in qsv.items() if k not in ("mins", "maxs")}


def _covered(qsv: dict) -> dict:
    if "mins" not in qsv:  # one calibration input: nothing to extrapolate from
        return qsv
    low, high = covered_range(np.stack(qsv["mins"]), np.stack(qsv["maxs"]))
    rest = {k: v for k, v in qsv.items() if k not in ("min", "max", "mins", "maxs")}
    return {**rest, "min": low.astype(np.asarray(qsv["min"]).dtype),
            "max": high.astype(np.asarray(qsv["max"]).dtype)}


def _input_names(path: Path, calibration: list[tuple[np.ndarray, ...]]) -> list[str]:
    runner = Interpreter(str(path)).get_signature_runner(SIGNATURE)
    details = runner.get_input_details()
    names = sorted(details, key=lambda name: details[name]["index"])  # positional order
    for name, detail in details.items():
        if detail["dtype"] == np.int64:
            raise UserError(f"{path}: input {name} is int64, which TFLite Micro rejects; "
                            "export the step index as int32 (sdk.mobile.step.export_inputs)")
    if not calibration or len(calibration[0]) != len(names):
        raise UserError(f"{path} takes {len(names)} inputs ({', '.join(names)}); the "
                        f"calibration set must be a non-empty list of {len(names)}-tuples")
    return names


def _float_time_inputs(model_bytes: bytes) -> set[str]:
    """Names of the float graph inputs with one value per sample: a timestep."""
    graph = flatbuffer_utils.convert_bytearray_to_object(model_bytes).subgraphs[0]
    return {graph.tensors[i].name.decode() for i in graph.inputs
            if graph.tensors[i].type == schema.TensorType.FLOAT32 and len(graph.tensors[i].shape) <= 1}


def _time_path_scopes(model_bytes: bytes) -> list[str]:
    """Quantizer scopes (output names + ';') of the ops that see only constants and the
    time inputs: integer ones (a step index) or float ones with one value per sample (a
    timestep, for models without a sampler)."""
    model = flatbuffer_utils.convert_bytearray_to_object(model_bytes)
    graph = model.subgraphs[0]
    constant = {i for i, t in enumerate(graph.tensors) if _has_data(model, t)}
    stepwise = {i for i in graph.inputs if graph.tensors[i].type != schema.TensorType.FLOAT32
                or len(graph.tensors[i].shape) <= 1}
    scopes = []
    for op in graph.operators:
        inputs = [i for i in op.inputs if i >= 0]
        if inputs and all(i in constant or i in stepwise for i in inputs) \
                and any(i in stepwise for i in inputs):
            stepwise.update(op.outputs)
            scopes.append(";".join(graph.tensors[i].name.decode() for i in op.outputs) + ";")
    return scopes


def _has_data(model, tensor) -> bool:
    data = model.buffers[tensor.buffer].data
    return data is not None and len(data) > 0


def _for_tflite_micro(model_bytes: bytes) -> bytes:
    """Drop torch's negative-index wrap, where(i < 0, i + n, i), in front of the table
    lookup: it lowers to an int32 SELECT, which TFLite Micro does not implement (its
    SELECT_V2 takes int8/int16/float only), and a step index in [0, steps) never wraps."""
    model = flatbuffer_utils.convert_bytearray_to_object(model_bytes)
    graph = model.subgraphs[0]
    code = {i: c.builtinCode for i, c in enumerate(model.operatorCodes)}
    producer = {o: op for op in graph.operators for o in op.outputs}
    for op in [op for op in graph.operators if code[op.opcodeIndex] == schema.BuiltinOperator.SELECT]:
        cond, index = producer.get(op.inputs[0]), op.inputs[2]
        if cond is None or code[cond.opcodeIndex] != schema.BuiltinOperator.LESS \
                or cond.inputs[0] != index:
            raise UserError("the model has a SELECT (torch.where on integers), which TFLite "
                            "Micro cannot run; compute it on float tensors")
        for user in graph.operators:
            user.inputs = [index if i == op.outputs[0] else i for i in user.inputs]
        for dead in (op, cond, producer.get(op.inputs[1])):  # the wrap: SELECT, LESS, ADD
            used = set(graph.outputs) | {i for other in graph.operators if other is not dead
                                         for i in other.inputs}
            if dead is not None and not used & set(dead.outputs):
                graph.operators.remove(dead)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def summarize(path: Path) -> dict:
    """float_ops: op names with a float32 input or output (QUANTIZE/DEQUANTIZE are the
    float↔int8 edges); ops: counts; io: each input/output's name, shape, dtype, scale,
    zero point; concat_scales: per CONCATENATION, each input's own scale (before any
    requantize), the scale the kernel sees, and the output scale."""
    interp = Interpreter(str(path))
    tensors = {t["index"]: t for t in interp.get_tensor_details()}
    ops = interp._get_ops_details()
    producer = {o: op for op in ops for o in op["outputs"]}

    def is_float(i: int) -> bool:
        return i >= 0 and tensors[i]["dtype"] == np.float32

    def source(i: int) -> int:
        op = producer.get(i)
        requantize = op is not None and op["op_name"] == "QUANTIZE" and not is_float(op["inputs"][0])
        return op["inputs"][0] if requantize else i

    concat_scales = []
    for op in ops:
        if op["op_name"] == "CONCATENATION" and not any(map(is_float, op["inputs"])):
            concat_scales.append({
                "output": tensors[op["outputs"][0]]["name"],
                "inputs": [_scale(tensors[source(i)]) for i in op["inputs"]],
                "operands": [_scale(tensors[i]) for i in op["inputs"]],
                "output_scale": _scale(tensors[op["outputs"][0]])})
    return {
        "float_ops": sorted({op["op_name"] for op in ops
                             if any(map(is_float, [*op["inputs"], *op["outputs"]]))}),
        "ops": dict(sorted(Counter(op["op_name"] for op in ops).items())),
        "io": {"inputs": [_io(d) for d in interp.get_input_details()],
               "outputs": [_io(d) for d in interp.get_output_details()]},
        "concat_scales": concat_scales,
    }


def _scale(tensor: dict) -> float:
    return float(tensor["quantization"][0])


def _io(detail: dict) -> dict:
    scale, zero_point = detail["quantization"]
    return {"name": detail["name"], "shape": [int(s) for s in detail["shape"]],
            "dtype": np.dtype(detail["dtype"]).name, "scale": float(scale),
            "zero_point": int(zero_point)}


def quantize_inputs(io: dict, inputs: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """Float inputs → the model's input dtypes (int8 with the input's scale/zero point)."""
    return tuple(_to(d, x) for d, x in zip(io["inputs"], inputs))


def _to(detail: dict, x: np.ndarray) -> np.ndarray:
    if detail["dtype"] != "int8":
        return np.asarray(x, dtype=detail["dtype"])
    q = np.round(np.asarray(x, np.float32) / detail["scale"]) + detail["zero_point"]
    return np.clip(q, -128, 127).astype(np.int8)


def dequantize_outputs(io: dict, outputs: list[np.ndarray]) -> list[np.ndarray]:
    return [(y.astype(np.float32) - d["zero_point"]) * np.float32(d["scale"])
            if d["dtype"] == "int8" else y for d, y in zip(io["outputs"], outputs)]


class LiteRT:
    """A .tflite in LiteRT with its reference kernels (what TFLite Micro also implements;
    the default resolver's optimized int8 kernels round differently)."""

    def __init__(self, path: Path, reference: bool = True):
        resolver = OpResolverType.BUILTIN_REF if reference else OpResolverType.AUTO
        self.interp = Interpreter(str(path), experimental_op_resolver_type=resolver, num_threads=1)
        self.interp.allocate_tensors()

    def __call__(self, inputs: tuple[np.ndarray, ...]) -> list[np.ndarray]:
        for detail, x in zip(self.interp.get_input_details(), inputs):
            self.interp.set_tensor(detail["index"], x)
        self.interp.invoke()
        return [self.interp.get_tensor(d["index"]).copy() for d in self.interp.get_output_details()]
