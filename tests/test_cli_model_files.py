"""The forms a model file's `model` may take, and the one message (exit status 2, no stack
trace) `sdk build` prints for a model file it cannot load or capture. Through sdk.cli.main
on the host board: the accepted forms are built and validated against torch."""

from __future__ import annotations

import pytest

from tests.helpers.cli import sdk

pytestmark = pytest.mark.usefixtures("wide_console")  # no message is wrapped

TARGET = "host"

HEADER = """\
import collections
import dataclasses
import torch
from torch import nn

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 1, 3, padding=1)

    def forward(self, x):
        return self.conv2(torch.relu(self.conv1(x)))


example_input = torch.randn(1, 1, 8, 8)
"""

# diffusers-style outputs, without diffusers: UNet2DOutput is a dataclass with `sample`
OUTPUT_FORMS = {
    "export_module": "model = torch.export.export(Net().eval(), (example_input,)).module()\n",
    "exported_program": "model = torch.export.export(Net().eval(), (example_input,))\n",
    "dataclass_sample": """\
@dataclasses.dataclass
class UNet2DOutput:
    sample: torch.Tensor
    noise: torch.Tensor
    steps: int


class Wrapped(Net):
    def forward(self, x):
        y = super().forward(x)
        return UNet2DOutput(sample=y, noise=x, steps=4)


model = Wrapped()
""",
    "dict_one_tensor": """\
class Wrapped(Net):
    def forward(self, x):
        return collections.OrderedDict(denoised=super().forward(x), cache=None)


model = Wrapped()
""",
    "tuple_one_tensor": """\
class Wrapped(Net):
    def forward(self, x):
        return (super().forward(x),)


model = Wrapped()
""",
}


def _write(tmp_path, body: str, name: str = "net.py"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def _build(capsys, tmp_path, model):
    return sdk(capsys, "--build-dir", tmp_path / "b", "build", "--target", TARGET, "--model", model)


def _line(path, text: str) -> int:
    return path.read_text().splitlines().index(text) + 1


@pytest.mark.kernel
@pytest.mark.hil
@pytest.mark.slow
@pytest.mark.parametrize("form", OUTPUT_FORMS)
def test_accepted_model_forms_build_and_match_torch(capsys, tmp_path, form):
    model = _write(tmp_path, OUTPUT_FORMS[form])
    code, out = _build(capsys, tmp_path, model)
    assert code == 0, out
    code, out = sdk(capsys, "--build-dir", tmp_path / "b", "validate", "--target", TARGET,
                    "--emulator", "--samples", 2)
    assert code == 0 and "PASS" in out, out


def _assert_one_message(code: int, out: str, tmp_path) -> None:
    assert code == 2, out
    assert "Traceback" not in out
    assert not (tmp_path / "b" / TARGET).exists()


@pytest.mark.unit
def test_model_file_that_raises_on_import_shows_the_users_frames(capsys, tmp_path):
    helper = tmp_path / "net_constants.py"
    helper.write_text("def scale():\n    return 1 / 0\n\n\nSCALE = scale()\n")
    model = _write(tmp_path, "import net_constants\nmodel = Net()\n")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert f"{model} failed to load: ZeroDivisionError: division by zero" in out
    assert f"at {model}:{_line(model, 'import net_constants')} in <module>: import net_constants" in out
    assert f"at {helper}:2 in scale: return 1 / 0" in out
    assert "importlib" not in out and "/sdk/" not in out  # none of our frames


@pytest.mark.unit
def test_model_file_with_a_syntax_error_names_the_line(capsys, tmp_path):
    model = _write(tmp_path, "model = Net(\n")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert f"{model} failed to load: SyntaxError" in out
    assert f"at {model}:{_line(model, 'model = Net(')}: model = Net(" in out


@pytest.mark.unit
def test_output_with_several_tensors_and_no_sample_lists_the_fields(capsys, tmp_path):
    model = _write(tmp_path, """\
class Wrapped(Net):
    def forward(self, x):
        y = super().forward(x)
        return {"mean": y, "logvar": y * 2, "steps": 3}


model = Wrapped()
""")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert ("the model's forward returns a dict with 2 tensors and none named `sample` "
            "(fields: mean: tensor [1, 1, 8, 8], logvar: tensor [1, 1, 8, 8], steps: int)") in out
    assert "return it alone, or name it `sample`" in out


@pytest.mark.unit
def test_forward_branching_on_tensor_values_says_where(capsys, tmp_path):
    model = _write(tmp_path, """\
class Branchy(Net):
    def forward(self, x):
        if x.mean() > 0:
            return super().forward(x)
        return x


model = Branchy()
""")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert "torch.export cannot capture the model" in out
    assert f"at {model}:{_line(model, '        if x.mean() > 0:')} in forward: if x.mean() > 0:" in out
    assert "must not branch on tensor values" in out


@pytest.mark.unit
def test_example_input_the_forward_cannot_take(capsys, tmp_path):
    model = _write(tmp_path, "model = Net()\nexample_input = torch.randn(1, 3, 8, 8)\n")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert f"{model}: model(*example_input) failed: RuntimeError: Given groups=1" in out


@pytest.mark.unit
def test_model_given_as_its_class(capsys, tmp_path):
    model = _write(tmp_path, "model = Net\n")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert f"{model}: `model` is the class Net, not a model: create one, e.g. model = Net()" in out


@pytest.mark.unit
def test_prelu_of_a_1d_tensor_is_refused_with_its_source_line(capsys, tmp_path):
    model = _write(tmp_path, """\
class Flat(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = nn.PReLU()

    def forward(self, x):
        return self.act(x.reshape(-1))


model = Flat()
""")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert f"{model}:{_line(model, '        return self.act(x.reshape(-1))')}" in out
    assert "prelu of a 1-D tensor (it has no channel dim): reshape it to [1, N] first" in out


@pytest.mark.unit
def test_model_that_computes_nothing(capsys, tmp_path):
    model = _write(tmp_path, "model = nn.Sequential(nn.Dropout(0.1), nn.Flatten(2))\n")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert "the model computes nothing: its output is its input (at most reshaped)" in out


@pytest.mark.unit
def test_output_of_more_than_4_dims(capsys, tmp_path):
    model = _write(tmp_path, """\
class Split(Net):
    def forward(self, x):
        return super().forward(x).reshape(1, 1, 2, 4, 8)


model = Split()
""")
    code, out = _build(capsys, tmp_path, model)
    _assert_one_message(code, out, tmp_path)
    assert "model output reshape has 5 dims; model inputs and outputs have at most 4" in out
