"""`sdk validate --layers`: where a failing build first leaves its tolerance.

One validation sample is written to the board once; then, for each layer L in turn, the board
runs layers 0..L (RUN_UNTIL) and the host reads L's output back from where the memory plan put
it (READ_ARENA, or the output buffer), before any later layer can reuse those bytes. Each
tensor is compared with the lowered graph run in numpy (sdk/verify/layer_reference.py):

  error / scale  with  scale = max |reference| over the layer's output and its activation inputs

(an input's scale, because an elementwise op that cancels, x − y with x ≈ y, turns its
inputs' roundings into an error far larger than its own output; relative to the output alone
a correct layer would fail). The limit of layer L is the output tolerance of the layers up to
L (sdk/verify/tolerance.py layer_tolerances): 1e-4 in FP32, the FP16 roundings that reached L
in FP16. A NaN or ±inf on one side only fails the layer whatever its errors. Integer tensors
(packed signs) must match bit for bit, except where the build takes signs of FP16 values:
there a value near zero may flip (sdk/verify/flip_envelope.py), and the row is shown, not judged.

The graph itself is compared with torch once, on the output (the lowering row): when every
layer agrees with the graph but the graph's output differs from torch, the bug is in
capture or a pass, not on the board. Running up to every layer costs about N²/2 layer runs
for N layers, a few full inferences' worth per ten layers.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
from rich.progress import Progress

from sdk.compile.manifest import BuildIdentity, BuildManifest
from sdk.models import load_model
from sdk.runner.client import DeviceClient
from sdk.verify.flip_envelope import takes_half_signs
from sdk.verify.layer_reference import FLOAT_DTYPES, decode, load_lowered, reference_values
from sdk.verify.metrics import compare
from sdk.verify.tolerance import layer_tolerances, output_tolerance
from sdk.verify.validate import check_model_unchanged

NO_SOURCE = "no source line (inserted by the compiler)"


@dataclass
class LayerRow:
    """One layer's output on the board against the reference."""

    index: int
    name: str
    op: str
    shape: list[int]
    dtype: str
    location: str  # "arena+OFFSET" or "output N"
    max_abs_error: float
    scale: float
    error_rel: float  # max_abs_error / scale; integer tensors: the fraction of elements that differ
    limit: float
    judged: bool  # False: shown, not judged (packed signs of FP16 values may flip)
    passed: bool
    nonfinite_elements: int
    source: str


@dataclass(kw_only=True)
class LayerReport(BuildIdentity):
    port: str
    seed: int
    rows: list[dict]
    lowering: dict  # the graph's output vs torch: max_rel_error, limit, passed
    first_failure: dict | None  # the first judged row out of its limit
    passed: bool
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def layer_row(index: int, layer: dict, device: np.ndarray, reference: np.ndarray,
              input_references: list[np.ndarray], limit: float, signs_may_flip: bool,
              location: str, source: str) -> LayerRow:
    """Compare one layer's board tensor with its reference (see the module docstring)."""
    common = {"index": index, "name": layer["name"], "op": layer["op"], "shape": list(reference.shape),
              "location": location, "source": source or NO_SOURCE}
    if reference.dtype.kind not in "f":
        differ = int(np.count_nonzero(device != reference))
        judged = not signs_may_flip
        return LayerRow(**common, dtype=str(reference.dtype), max_abs_error=float(differ), scale=float(reference.size),
                        error_rel=differ / max(reference.size, 1), limit=0.0, judged=judged,
                        passed=differ == 0 or not judged, nonfinite_elements=0)
    errors = compare(device, reference)
    finite = [np.abs(x[np.isfinite(x)]).max(initial=0.0) for x in [reference, *input_references]]
    scale = float(max(finite)) or 1.0
    error_rel = errors["max_abs_error"] / scale
    passed = errors["nonfinite_elements"] == 0 and error_rel <= limit
    return LayerRow(**common, dtype=layer["dtype"], max_abs_error=errors["max_abs_error"], scale=scale,
                    error_rel=error_rel, limit=limit, judged=True, passed=passed,
                    nonfinite_elements=errors["nonfinite_elements"])


def first_failure(rows: list[LayerRow]) -> LayerRow | None:
    return next((row for row in rows if row.judged and not row.passed), None)


def validate_layers(manifest: BuildManifest, client: DeviceClient, seed: int = 0) -> LayerReport:
    spec = load_model(manifest.model)
    check_model_unchanged(spec, manifest)
    graph, locations = load_lowered(manifest.directory)
    inputs = next(spec.input_chunks(1, seed))[0]
    arrays = [x.numpy() for x in inputs]
    values = reference_values(graph, arrays)
    nodes = {node.name: node for node in graph.nodes}
    limits = layer_tolerances(manifest.layers)
    signs_may_flip = takes_half_signs(manifest.layers)

    for index, x in enumerate(arrays):
        client.write_input(index, np.asarray(x, dtype=np.float32))  # once: RUN_UNTIL keeps them
    rows = []
    # a tiled stage's inner tensors only ever hold a band of rows (codegen/tile.py): not read back
    banded = set((manifest.tiling or {}).get("band_tensor_rows", {}))
    with Progress(transient=True) as progress:
        task = progress.add_task(f"reading {len(manifest.layers)} layers back from {client.port_name}",
                                 total=len(manifest.layers))
        for index, layer in enumerate(manifest.layers):
            node = nodes[layer["name"]]
            tensor = graph.tensors[node.outputs[0]]
            if tensor.name in banded:
                progress.advance(task)
                continue
            client.run_until(index)
            location = locations[tensor.name]
            if location.kind == "arena":
                device = decode(client.read_arena(location.where, tensor.nbytes), tensor.dtype, tensor.shape)
                where = f"arena+{location.where}"
            else:
                device = client.read_output(location.where).reshape(tensor.shape)
                where = f"output {location.where}"
            activations = [values[name] for name in node.inputs
                           if name and not graph.is_constant(name) and graph.tensors[name].dtype in FLOAT_DTYPES]
            rows.append(layer_row(index, layer, device, values[tensor.name], activations, limits[index],
                                  signs_may_flip, where, node.source))
            progress.advance(task)

    lowering = lowering_check(values[graph.outputs[0]], spec.reference(inputs).numpy(),
                              output_tolerance(manifest.layers))
    failure = first_failure(rows)
    notes = []
    if banded:
        notes.append(f"{len(banded)} layers inside the tiled stage keep only a band of rows of their "
                     "output: not read back (the stage's output is)")
    if failure is None and not lowering["passed"]:
        notes.append("every layer on the board agrees with the lowered graph, but the graph's output "
                     "differs from torch: the model was lowered wrong (capture or a pass), not computed wrong")
    return LayerReport(**asdict(manifest.identity), port=client.port_name, seed=seed,
                       rows=[asdict(row) for row in rows], lowering=lowering,
                       first_failure=asdict(failure) if failure else None,
                       passed=failure is None and lowering["passed"], notes=notes)


def lowering_check(graph_output: np.ndarray, torch_output: np.ndarray, limit: float) -> dict:
    """The lowered graph's output (numpy) against torch's, relative to the output scale."""
    errors = compare(graph_output.reshape(torch_output.shape), torch_output)
    passed = errors["nonfinite_elements"] == 0 and errors["max_rel_error"] <= limit
    return {"max_rel_error": errors["max_rel_error"], "limit": limit, "passed": bool(passed)}


def describe_failure(row: dict | None) -> str:
    """'first layer out of tolerance: NAME (op) at SOURCE', or that none is."""
    if row is None:
        return "every layer within its tolerance"
    where = f"first layer out of tolerance: {row['name']} ({row['op']}) at {row['source']} — "
    if row["nonfinite_elements"]:
        return where + f"{row['nonfinite_elements']:,} elements NaN/inf on one side only (board vs graph)"
    if row["limit"] == 0:
        return where + f"{int(row['max_abs_error']):,} of {int(row['scale']):,} words differ (must be exact)"
    ratio = row["error_rel"] / row["limit"]
    return where + f"error {row['error_rel']:.2e} of scale, {ratio:.3g}× its limit {row['limit']:.1e}"
