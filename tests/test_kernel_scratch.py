"""Kernel working memory: the C size functions and the Python rules are the same function.

Every kernel with a scratch rule (an override's `Override.scratch_bytes`, or a reference
kernel's: its op entry's `OpSpec.scratch_bytes`; the memory planner uses them) has a C twin,
`edgediff_<function>_get_buffer_size()` inline in kernels.h or kernels_<isa>.h, which the
kernel's own carving of its scratch follows. This test compiles the C functions for the
host and compares them with the Python rules on many random shapes each, so the two cannot
drift apart; checks that the overrides of a reference kernel that takes scratch take it too
(same signature); and checks the limits Python uses are the header's."""

from __future__ import annotations

import random
import re
import subprocess
from dataclasses import dataclass

import pytest

from codegen.kernels.catalog import OVERRIDES
from codegen.kernels.limits import LIMITS, LIMITS_HEADER, read_limits
from codegen.kernels.registry import INCLUDE_DIR, all_reference_functions
from codegen.ops import OPS
from tests.helpers.tools import require_commands

pytestmark = pytest.mark.unit

# The C parameter struct of each kernel family and its fields, in kernels.h order.
CONV_FIELDS = ["n", "c_in", "h_in", "w_in", "c_out", "h_out", "w_out", "kernel_h", "kernel_w",
               "stride_h", "stride_w", "pad_h", "pad_w", "dilation_h", "dilation_w", "groups", "act"]
BINARY_FIELDS = ["n", "c_in", "h_in", "w_in", "c_out", "h_out", "w_out", "kernel_h", "kernel_w",
                 "stride_h", "stride_w", "pad_h", "pad_w", "words"]
# attention_params_t's integer fields (its float `scale` stays 0: no size depends on it)
ATTENTION_FIELDS = ["batch", "lq", "lk", "d", "dv", "causal"]
LINEAR_FIELDS = ["rows", "in_features", "out_features", "act"]
CONV_T_FIELDS = ["n", "c_in", "h_in", "w_in", "c_out", "h_out", "w_out", "kernel_h", "kernel_w",
                 "stride_h", "stride_w", "pad_h", "pad_w", "groups", "act"]
SHAPES_PER_KERNEL = 300


def _family(function: str) -> tuple[str, list[str]]:
    if "_s8" in function:  # int8 kernels: the float family's struct nested in <family>_s8_params_t
        ctype, fields = _family(function.replace("_s8", "_f32"))
        key = _s8_key(function)
        return ctype.replace("_params_t", "_s8_params_t"), [f"{key}.{f}" for f in fields]
    if function.startswith(("binary_conv2d_", "binary_weight_conv2d_")):
        return "binary_conv2d_params_t", BINARY_FIELDS
    if function.startswith(("conv2d_", "conv1d_")):
        return "conv2d_params_t", CONV_FIELDS
    if function.startswith("conv_transpose2d_"):
        return "conv_transpose2d_params_t", CONV_T_FIELDS
    if function.startswith("attention_"):
        return "attention_params_t", ATTENTION_FIELDS
    if function.startswith("linear_"):
        return "linear_params_t", LINEAR_FIELDS
    raise AssertionError(f"{function}: add its parameter struct to this test")


def _s8_key(function: str) -> str:
    return "linear" if function.startswith("linear_") else "conv"


def _nest(function: str, flat: dict) -> dict:
    """An int8 kernel's parameters: the float shape under `conv`/`linear`, and a `q`."""
    return {_s8_key(function): flat,
            "q": dict(input_offset=0, output_offset=0, act_min=-128, act_max=127)}


def _field(p: dict, name: str):
    """p[name], or p["conv"]["n"] for "conv.n"."""
    for part in name.split("."):
        p = p[part]
    return p


@dataclass(frozen=True)
class Reference:
    """A reference kernel with its op entry's scratch rule, shaped like an Override."""

    function: str
    scratch_bytes: object

    def applies(self, params: dict) -> bool:
        return True


def _references_with_scratch() -> list[Reference]:
    refs = set(all_reference_functions())
    return [Reference(f"{op.name}_{dtype}", op.scratch_bytes) for op in OPS.values()
            if op.scratch_bytes is not None for dtype in ("f32", "f16")
            if f"{op.name}_{dtype}" in refs]


def _with_scratch() -> list:
    overrides = [o for lst in OVERRIDES.values() for o in lst if o.scratch_bytes is not None]
    return sorted(overrides + _references_with_scratch(), key=lambda o: o.function)


def _program(overrides) -> str:
    """A host program: reads `<function> <fields...>` lines, prints the C getter's bytes."""
    cases = []
    for o in overrides:
        ctype, fields = _family(o.function)
        reads = " ".join("%d" for _ in fields)
        addresses = ", ".join(f"&p.{f}" for f in fields)
        cases.append(f"""        if (strcmp(name, "{o.function}") == 0) {{
            {ctype} p;
            memset(&p, 0, sizeof p);
            if (scanf("{reads}", {addresses}) != {len(fields)}) return 2;
            printf("%d\\n", (int)edgediff_{o.function}_get_buffer_size(&p));
            continue;
        }}""")
    return ("#include <stdio.h>\n#include <string.h>\n\n#include \"edgediff/kernels.h\"\n\n"
            "int main(void) {\n    char name[64];\n    while (scanf(\"%63s\", name) == 1) {\n"
            + "\n".join(cases) + "\n        return 3;\n    }\n    return 0;\n}\n")


def _conv_shape(rng: random.Random) -> dict:
    k = rng.choice([1, 3])
    stride = 1 if k == 1 else rng.choice([1, 2])
    pad = 0 if k == 1 else 1
    h_in, w_in = rng.randint(1, 70), rng.randint(1, 140)
    return dict(n=rng.randint(1, 2), c_in=rng.randint(1, 700), h_in=h_in, w_in=w_in,
                c_out=rng.randint(1, 700), h_out=(h_in + 2 * pad - k) // stride + 1,
                w_out=(w_in + 2 * pad - k) // stride + 1, kernel_h=k, kernel_w=k,
                stride_h=stride, stride_w=stride, pad_h=pad, pad_w=pad, dilation_h=1,
                dilation_w=1, groups=1, act=rng.choice([0, 1, 2]))


def _binary_shape(rng: random.Random) -> dict:
    kh, kw = rng.randint(1, 5), rng.randint(1, 5)
    sh, sw = rng.randint(1, 3), rng.randint(1, 3)
    ph, pw = rng.randint(0, kh // 2 + 1), rng.randint(0, kw // 2 + 1)
    h_in, w_in = rng.randint(kh, 48), rng.randint(kw, 300)
    c_in = rng.randint(1, 400)
    return dict(n=rng.randint(1, 2), c_in=c_in, h_in=h_in, w_in=w_in, c_out=rng.randint(1, 900),
                h_out=(h_in + 2 * ph - kh) // sh + 1, w_out=(w_in + 2 * pw - kw) // sw + 1,
                kernel_h=kh, kernel_w=kw, stride_h=sh, stride_w=sw, pad_h=ph, pad_w=pw,
                words=-(-c_in // 32))


def _linear_shape(rng: random.Random) -> dict:
    return dict(rows=rng.randint(1, 64), in_features=rng.randint(1, 4000),
                out_features=rng.randint(1, 4000), act=rng.choice([0, 1, 2]))


def _float_conv_shape(rng: random.Random) -> dict:
    """A W1A16 layer: a float convolution's shape with binary_conv2d_params_t's fields."""
    p = _conv_shape(rng)
    return {**{f: p[f] for f in BINARY_FIELDS if f in p}, "words": -(-p["c_in"] // 32)}


def _conv1d_shape(rng: random.Random) -> dict:
    """A 1xK layer (conv1d_*_fpu): any kernel_w, stride, padding and dilation along the row."""
    kw, sw, dw = rng.randint(1, 9), rng.randint(1, 3), rng.randint(1, 3)
    h_in, w_in = rng.randint(1, 4), rng.randint(kw * dw, 300)
    pw = rng.randint(0, kw // 2 + 1)
    return dict(n=rng.randint(1, 2), c_in=rng.randint(1, 64), h_in=h_in, w_in=w_in,
                c_out=rng.randint(1, 64), h_out=h_in,
                w_out=(w_in + 2 * pw - (kw - 1) * dw - 1) // sw + 1,
                kernel_h=1, kernel_w=kw, stride_h=1, stride_w=sw, pad_h=0, pad_w=pw,
                dilation_h=1, dilation_w=dw, groups=1, act=rng.choice([0, 1, 2]))


def _depthwise_shape(rng: random.Random) -> dict:
    """A depthwise layer (conv2d_dw_*_fpu): groups == channels, any kernel and stride."""
    kh, kw = rng.randint(1, 7), rng.randint(1, 7)
    sh, sw, dh, dw = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2), rng.randint(1, 2)
    ph, pw = rng.randint(0, kh // 2 + 1), rng.randint(0, kw // 2 + 1)
    h_in, w_in = rng.randint(kh * dh, 90), rng.randint(kw * dw, 140)
    c = rng.randint(2, 256)
    return dict(n=rng.randint(1, 2), c_in=c, h_in=h_in, w_in=w_in, c_out=c,
                h_out=(h_in + 2 * ph - (kh - 1) * dh - 1) // sh + 1,
                w_out=(w_in + 2 * pw - (kw - 1) * dw - 1) // sw + 1, kernel_h=kh, kernel_w=kw,
                stride_h=sh, stride_w=sw, pad_h=ph, pad_w=pw, dilation_h=dh, dilation_w=dw,
                groups=c, act=rng.choice([0, 1, 2]))


def _conv_t_shape(rng: random.Random) -> dict:
    """A transposed convolution: any kernel, stride, padding, output_padding and groups."""
    kh, kw, sh, sw = rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 4), rng.randint(1, 4)
    ph, pw = rng.randint(0, kh - 1), rng.randint(0, kw - 1)
    g = rng.choice([1, 1, 2, 4])
    h_in, w_in = rng.randint(1, 40), rng.randint(1, 100)
    h_out = (h_in - 1) * sh - 2 * ph + kh + rng.randint(0, sh - 1)
    w_out = (w_in - 1) * sw - 2 * pw + kw + rng.randint(0, sw - 1)
    return dict(n=rng.randint(1, 2), c_in=g * rng.randint(1, 64), h_in=h_in, w_in=w_in,
                c_out=g * rng.randint(1, 64), h_out=max(h_out, 1), w_out=max(w_out, 1),
                kernel_h=kh, kernel_w=kw, stride_h=sh, stride_w=sw, pad_h=ph, pad_w=pw, groups=g,
                act=rng.choice([0, 1, 2]))


def _attention_shape(rng: random.Random) -> dict:
    """Huge and MCU-sized heads alike (attention_f16_fpu takes only the latter)."""
    lq = rng.randint(1, 300)
    small = rng.random() < 0.5
    return dict(batch=rng.randint(1, 8), lq=lq,
                lk=rng.choice([lq, rng.randint(1, 300 if small else 20000)]),
                d=rng.randint(1, 64 if small else 12000), dv=rng.randint(1, 64 if small else 600),
                causal=rng.randint(0, 1))


def _shapes(o, rng: random.Random) -> list[dict]:
    """Random shapes the kernel takes (its predicate), SHAPES_PER_KERNEL of them."""
    make = (_conv1d_shape if o.function.startswith("conv1d_") else
            _depthwise_shape if o.function.startswith("conv2d_dw_") else
            _conv_t_shape if o.function.startswith("conv_transpose2d_") else
            _float_conv_shape if o.function.startswith("binary_weight_") else
            _binary_shape if o.function.startswith("binary_") else
            _attention_shape if o.function.startswith("attention_") else _linear_shape if o.function.startswith("linear_") else
            _conv_shape)
    shapes = []
    for _ in range(200 * SHAPES_PER_KERNEL):
        p = make(rng)
        if "_s8" in o.function:
            p = _nest(o.function, p)
        if o.applies(p):
            shapes.append(p)
            if len(shapes) == SHAPES_PER_KERNEL:
                return shapes
    raise AssertionError(f"{o.function}: too few random shapes pass its predicate")


def test_c_getters_equal_python_rules(tmp_path):
    require_commands("a host build", ["cc"], "apt-get install -y gcc")
    overrides = _with_scratch()
    assert {o.function for o in overrides} >= {"conv2d_f32_mve", "conv2d_f16_rvv",
                                               "binary_conv2d_f16_mve", "binary_conv2d_f32_rvv",
                                               "binary_weight_conv2d_f16_mve",
                                               "binary_weight_conv2d_f32_rvv",
                                               "attention_f32", "attention_f16",
                                               "attention_f16_mve", "attention_f32_rvv",
                                               "linear_f16_fpu", "conv1d_f32_fpu",
                                               "conv1d_f16_fpu", "conv2d_dw_f32_fpu",
                                               "conv2d_dw_f16_fpu", "conv_transpose2d_f32_fpu",
                                               "conv_transpose2d_f16_fpu", "attention_f32_fpu",
                                               "attention_f16_fpu", "conv2d_1x1_band_f16_fpu"}
    source = tmp_path / "getters.c"
    source.write_text(_program(overrides))
    exe = tmp_path / "getters"
    subprocess.run(["cc", "-std=c11", "-O1", "-Wall", "-Wextra", "-Werror", f"-I{INCLUDE_DIR}",
                    str(source), "-o", str(exe)], check=True, capture_output=True, text=True)
    rng = random.Random(12)
    rows = [(o, p) for o in overrides for p in _shapes(o, rng)]
    stdin = "".join(f"{o.function} {' '.join(str(_field(p, f)) for f in _family(o.function)[1])}\n"
                    for o, p in rows)
    result = subprocess.run([str(exe)], input=stdin, capture_output=True, text=True, check=True)
    c_bytes = [int(line) for line in result.stdout.split()]
    assert len(c_bytes) == len(rows)
    for (o, p), c in zip(rows, c_bytes):
        assert o.scratch_bytes(p) == c, (o.function, p)
    assert {"conv2d_s8_dsp", "conv2d_chunked_s8_dsp", "linear_s8_dsp"} <= {o.function for o in overrides}  # int8 structs


def test_overrides_of_a_reference_with_scratch_take_it_too():
    """A reference kernel with a scratch argument and its overrides share one signature, so
    every override of it has a scratch rule (the planner passes the argument either way)."""
    bases = {r.function for r in _references_with_scratch()}
    assert "attention_f32" in bases
    for base in bases:
        for o in OVERRIDES.get(base, []):
            assert o.scratch_bytes is not None, f"{o.function}: {base} takes scratch"


def test_limits_are_the_header_defines(tmp_path):
    """Python reads every define of limits.h, with the value the C compiler sees."""
    require_commands("a host build", ["cc"], "apt-get install -y gcc")
    names = set(re.findall(r"^#define EDGEDIFF_(\w+)", LIMITS_HEADER.read_text(), re.M))
    assert set(read_limits()) == names - {"LIMITS_H"}
    source = tmp_path / "limits.c"
    source.write_text("#include <stdio.h>\n#include \"edgediff/limits.h\"\nint main(void) {\n"
                      + "".join(f'    printf("{n} %d\\n", (int)(EDGEDIFF_{n}));\n' for n in LIMITS)
                      + "    return 0;\n}\n")
    exe = tmp_path / "limits"
    subprocess.run(["cc", "-std=c11", f"-I{INCLUDE_DIR}", str(source), "-o", str(exe)], check=True)
    printed = dict(line.split() for line in subprocess.run(
        [str(exe)], capture_output=True, text=True, check=True).stdout.splitlines())
    assert {n: int(v) for n, v in printed.items()} == LIMITS
