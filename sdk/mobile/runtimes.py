"""An exported model file in its real runtime: onnxruntime (.onnx) or LiteRT (.tflite).

Both look the same to the rest of the SDK: `inputs`/`outputs` describe the file's tensors
as the app sees them (name, shape, dtype, int8 scale/zero point), and calling the runtime
with float32/int32 arrays returns the first output as float32 — an int8 input is
quantized with its own scale and zero point and an int8 output dequantized, exactly what
an app does around an int8 model.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from sdk.errors import UserError
from sdk.mobile.quiet import quiet


def open_runtime(path: Path, threads: int = 1, reference_kernels: bool = False):
    """threads: intra-op threads (1 for comparable latencies on a shared machine).
    reference_kernels (LiteRT): the builtin reference kernels, TFLite Micro's arithmetic,
    instead of the optimized ones (XNNPack) an app gets by default."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path} does not exist: run `sdk build --target {path.suffix[1:]} --model M` first")
    if path.suffix == ".onnx":
        return OnnxRuntime(path, threads)
    if path.suffix == ".tflite":
        return LiteRtRuntime(path, threads, reference_kernels)
    raise UserError(f"{path}: not an .onnx or .tflite file")


def _tensor(name: str, shape, dtype, scale: float = 0.0, zero_point: int = 0) -> dict:
    entry = {"name": name, "shape": [int(s) for s in shape], "dtype": np.dtype(dtype).name}
    if scale:
        entry["quantization"] = {"scale": float(scale), "zero_point": int(zero_point)}
    return entry


def _to_runtime(spec: dict, x: np.ndarray) -> np.ndarray:
    if "quantization" not in spec:
        return np.ascontiguousarray(x, dtype=spec["dtype"])
    q = spec["quantization"]
    info = np.iinfo(spec["dtype"])
    return np.clip(np.round(x / q["scale"]) + q["zero_point"], info.min, info.max).astype(spec["dtype"])


def _from_runtime(spec: dict, y: np.ndarray) -> np.ndarray:
    if "quantization" not in spec:
        return y.astype(np.float32)
    q = spec["quantization"]
    return ((y.astype(np.float32) - q["zero_point"]) * q["scale"]).astype(np.float32)


class OnnxRuntime:
    name = "onnxruntime"

    def __init__(self, path: Path, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.version = ort.__version__
        dtypes = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(int32)": np.int32,
                  "tensor(int64)": np.int64, "tensor(int8)": np.int8}
        self.inputs = [_tensor(i.name, i.shape, dtypes[i.type]) for i in self.session.get_inputs()]
        self.outputs = [_tensor(o.name, o.shape, dtypes[o.type]) for o in self.session.get_outputs()]

    def __call__(self, *arrays: np.ndarray) -> np.ndarray:
        feed = {spec["name"]: _to_runtime(spec, x) for spec, x in zip(self.inputs, arrays)}
        return _from_runtime(self.outputs[0], self.session.run([self.outputs[0]["name"]], feed)[0])


def _argument_order(detail: dict) -> tuple[int, str]:
    """litert-torch names the step function's inputs …args_0, …args_1: keep that order."""
    match = re.search(r"args_(\d+)", detail["name"])
    return (int(match.group(1)) if match else detail["index"], detail["name"])


class LiteRtRuntime:
    name = "LiteRT"

    def __init__(self, path: Path, threads: int, reference_kernels: bool = False):
        from ai_edge_litert import __version__
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        resolver = OpResolverType.BUILTIN_REF if reference_kernels else OpResolverType.AUTO
        with quiet():  # "INFO: Created TensorFlow Lite XNNPACK delegate" on stderr
            self.interpreter = Interpreter(model_path=str(path), num_threads=threads,
                                           experimental_op_resolver_type=resolver)
            self.interpreter.allocate_tensors()
        self.version = __version__
        self._graph_order = [d["index"] for d in self.interpreter.get_input_details()]
        self._in = sorted(self.interpreter.get_input_details(), key=_argument_order)
        self._out = self.interpreter.get_output_details()
        self.inputs = [_tensor(d["name"], d["shape"], d["dtype"], *d["quantization"]) for d in self._in]
        self.outputs = [_tensor(d["name"], d["shape"], d["dtype"], *d["quantization"]) for d in self._out]

    def encode(self, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
        """The arrays as the file's input tensors receive them (dtype, int8 quantization), in
        the file's own input order: what another interpreter of the file (TFLite Micro) takes."""
        by_index = {d["index"]: _to_runtime(spec, x) for d, spec, x in zip(self._in, self.inputs, arrays)}
        return tuple(by_index[i] for i in self._graph_order)

    def decode(self, raw: np.ndarray) -> np.ndarray:
        return _from_runtime(self.outputs[0], raw)

    def __call__(self, *arrays: np.ndarray) -> np.ndarray:
        for index, x in zip(self._graph_order, self.encode(*arrays)):
            self.interpreter.set_tensor(index, x)
        self.interpreter.invoke()
        return self.decode(self.interpreter.get_tensor(self._out[0]["index"]))
