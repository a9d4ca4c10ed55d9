"""`sdk build --target onnx|tflite`: the step function as one self-contained model file.

build/<target>/ gets model.onnx or model.tflite (weights inside, no external data) and
model_card.json (sdk/mobile/card.py). What is exported is always sdk.mobile.step's
StepFunction, so a diffusion checkpoint takes the step index as on the MCU.

- ONNX: torch.onnx's dynamo exporter (torch.export, the capture the MCU path also uses),
  opset 18; fp16 through sdk/mobile/onnx_fp16.py.
- TFLite: litert-torch (no TensorFlow); fp16 is ai-edge-quantizer's float casting of the
  weights; int8 is sdk/mobile/int8.py on the float file, kept as model_float.tflite.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import torch

from codegen.capture import UnsupportedOpError
from sdk.compile.manifest import DEFAULT_BUILD_ROOT, build_dir, model_reference
from sdk.compile.staging import staged_build
from sdk.errors import UserError
from sdk.mobile.card import model_card, save_card
from sdk.mobile.quiet import quiet
from sdk.mobile.runtimes import open_runtime
from sdk.mobile.step import StepFunction, example_inputs
from sdk.mobile.unsupported import converter_error
from sdk.models import ModelSpec, load_model

PRECISIONS = {"onnx": ("fp32", "fp16"), "tflite": ("fp32", "fp16", "int8")}
OPSET = 18
CALIBRATION_SEED = 1  # not validation's seed 0: calibration and test inputs differ


def input_names(spec: ModelSpec) -> list[str]:
    """The forward() parameter names (x, t for the zoo UNet); a sampler build's second input
    is the step index."""
    params = [p.name for p in inspect.signature(spec.module.forward).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = params[:len(spec.example_inputs)]
    if len(names) < len(spec.example_inputs):
        names = [f"input_{i}" for i in range(len(spec.example_inputs))]
    return names[:1] + ["step"] if spec.sampler is not None else names


def export_onnx(spec: ModelSpec, path: Path, precision: str) -> None:
    import onnx

    from sdk.mobile.onnx_fp16 import to_float16

    with quiet():
        program = torch.onnx.export(StepFunction(spec).eval(), example_inputs(spec), dynamo=True,
                                    opset_version=OPSET, input_names=input_names(spec),
                                    output_names=["output"], verbose=False)
    proto = program.model_proto
    onnx.save(to_float16(proto) if precision == "fp16" else proto, path)


def export_tflite(spec: ModelSpec, path: Path) -> None:
    with quiet():
        import litert_torch

        litert_torch.convert(StepFunction(spec).eval(), example_inputs(spec)).export(str(path))


def tflite_weights_to_float16(src: Path, dst: Path) -> None:
    with quiet():
        from ai_edge_quantizer import qtyping, quantizer, recipe_manager
        from ai_edge_quantizer.algorithm_manager import AlgorithmName

        recipe = recipe_manager.RecipeManager()
        recipe.add_weight_only_config(regex=".*", operation_name=qtyping.TFLOperationName.ALL_SUPPORTED,
                                      num_bits=16, algorithm_key=AlgorithmName.FLOAT_CASTING)
        quantizer.Quantizer(str(src), recipe.get_quantization_recipe()).quantize().export_model(
            str(dst), overwrite=True)


def tflite_int8(spec: ModelSpec, float_path: Path, path: Path) -> dict:
    from sdk.mobile.int8 import quantize_tflite
    from sdk.quant.calibration import calibration_inputs, calibration_size, covers_tails

    calibration = calibration_inputs(spec, calibration_size(spec), CALIBRATION_SEED)
    with quiet():
        return quantize_tflite(float_path, calibration, path, cover_tails=covers_tails(spec))


def source_hash(spec: ModelSpec) -> tuple[str, str]:
    """The model hash `sdk build --precision fp32` puts in build.json (the IR after the
    passes), so a phone export and an MCU build of the same model can be matched; a model
    the MCU path cannot lower falls back to a hash of the torch weights."""
    from sdk.compile.lower import lower

    try:
        graph, _ = lower(spec)
        return graph.content_hash(), "edgediff IR (as sdk build --precision fp32)"
    except UnsupportedOpError:
        import hashlib

        digest = hashlib.sha256()
        for name, tensor in sorted(spec.module.state_dict().items()):
            digest.update(name.encode() + tensor.detach().cpu().numpy().tobytes())
        return digest.hexdigest()[:16], "torch state_dict"


def export(model_ref: str, target: str, precision: str = "fp32",
           root: Path = DEFAULT_BUILD_ROOT) -> dict:
    """Export, open the file in its runtime once, write the card; returns the card."""
    if precision not in PRECISIONS[target]:
        raise UserError(f"--target {target} takes --precision {' or '.join(PRECISIONS[target])}, "
                        f"not {precision}")
    spec = load_model(model_ref)
    with staged_build(build_dir(target, root)) as out:  # replaced whole, or not at all
        return _export_into(out, spec, model_ref, target, precision)


def _export_into(out: Path, spec: ModelSpec, model_ref: str, target: str, precision: str) -> dict:
    path = out / f"model.{target}"
    extra = {}
    try:
        if target == "onnx":
            export_onnx(spec, path, precision)
        else:
            float_path = out / "model_float.tflite" if precision != "fp32" else path
            export_tflite(spec, float_path)
            if precision == "fp16":
                tflite_weights_to_float16(float_path, path)
            elif precision == "int8":
                extra["int8"] = tflite_int8(spec, float_path, path)
            if precision != "int8":
                (out / "model_float.tflite").unlink(missing_ok=True)
    except UserError:
        raise
    except Exception as e:  # the converters raise anything; the message names the op
        raise converter_error(e, target, model_ref) from None
    model_hash, hash_source = source_hash(spec)
    card = model_card(spec, model_reference(model_ref), model_hash, target, precision, path,
                      open_runtime(path), {"model_hash_source": hash_source, **extra})
    save_card(card, out)
    return card
