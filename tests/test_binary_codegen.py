"""1-bit layers in the compiler: the packed-sign reference arithmetic, and the pass that
lowers binarized convolutions (±alpha weights, sign inputs) to XOR-popcount ops."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from codegen import binary
from codegen.interpret import run_graph
from codegen.ir import Graph, Node, Tensor
from codegen.passes import CompileOptions, lower_binary_conv

pytestmark = pytest.mark.unit


def random_signs(rng, shape) -> np.ndarray:
    return np.where(rng.standard_normal(shape) < 0, -1.0, 1.0).astype(np.float32)


@pytest.mark.parametrize("channels", [1, 31, 32, 33, 70])
def test_packing_round_trips_and_leaves_unused_bits_zero(channels):
    rng = np.random.default_rng(channels)
    signs = random_signs(rng, (2, channels, 3, 4))
    packed = binary.pack_signs(signs < 0)
    assert packed.shape == (2, 3, 4, binary.words_for(channels)) and packed.dtype == np.uint32
    np.testing.assert_array_equal(binary.unpack_signs(packed, channels), signs)
    if channels % 32:
        assert not (packed[..., -1] >> np.uint32(channels % 32)).any()


@pytest.mark.parametrize("stride, padding", [((1, 1), (1, 1)), ((2, 1), (1, 0)), ((2, 2), (0, 0))])
def test_binary_dot_is_the_float_convolution_of_signs_with_zero_padding(stride, padding):
    rng = np.random.default_rng(1)
    a, w = random_signs(rng, (2, 37, 7, 6)), random_signs(rng, (5, 37, 3, 3))
    want = torch.nn.functional.conv2d(torch.from_numpy(a), torch.from_numpy(w), stride=stride,
                                      padding=padding).numpy()
    got = binary.binary_dot(binary.pack_signs(a < 0), binary.pack_weights(w), 37, stride, padding,
                            want.shape[2:])
    np.testing.assert_array_equal(got, want)  # small integers: exact in float32 too


def _binarized_conv_graph(rng, with_sign: bool) -> Graph:
    """x → [sub(beta) → sign] → conv2d(±alpha weights, bias), as a binarized layer exports."""
    c = 40
    g = Graph(tensors={"x": Tensor("x", (1, c, 6, 6))}, nodes=[], inputs=["x"], outputs=["y"])
    alpha = rng.uniform(0.1, 1.0, (8, 1, 1, 1)).astype(np.float32)
    g.add_constant("w", alpha * random_signs(rng, (8, c, 3, 3)))
    g.add_constant("b", rng.standard_normal(8).astype(np.float32))
    x = "x"
    if with_sign:
        g.add_constant("beta", (0.1 * rng.standard_normal((1, c, 1, 1))).astype(np.float32))
        g.tensors["shifted"] = Tensor("shifted", (1, c, 6, 6))
        g.tensors["signs"] = Tensor("signs", (1, c, 6, 6))
        g.nodes += [Node("sub", "sub", ["x", "beta"], ["shifted"], {"act": "none"}),
                    Node("sign", "sign", ["shifted"], ["signs"])]
        x = "signs"
    g.tensors["y"] = Tensor("y", (1, 8, 3, 3))
    g.nodes.append(Node("conv", "conv2d", [x, "w", "b"], ["y"],
                        {"stride": [2, 2], "padding": [1, 1], "dilation": [1, 1], "groups": 1, "act": "none"}))
    return g


@pytest.mark.parametrize("with_sign, ops", [(True, ["sign_pack", "binary_conv2d"]),
                                            (False, ["binary_weight_conv2d"])])
def test_binarized_conv_is_lowered_and_computes_the_same(with_sign, ops):
    rng = np.random.default_rng(2)
    graph = _binarized_conv_graph(rng, with_sign)
    x = rng.standard_normal((1, 40, 6, 6)).astype(np.float32)
    before = run_graph(graph, [x])[0]
    lowered = lower_binary_conv.run(graph, CompileOptions())
    lowered.validate()
    assert [n.op for n in lowered.nodes] == ops
    assert lowered.constants["conv_weight_bits"].dtype == np.uint32  # 1 bit per weight
    after = run_graph(lowered, [x])[0]
    # float32(dot)·alpha + bias rounds twice where the float graph rounds once
    np.testing.assert_allclose(after, before, rtol=0, atol=4 * np.finfo(np.float32).eps * np.abs(before).max())


def test_convs_that_are_not_binary_stay_float():
    rng = np.random.default_rng(3)
    graph = _binarized_conv_graph(rng, with_sign=True)
    graph.constants["w"][0, 0, 0, 0] *= 1.5  # one weight off ±alpha: a float conv
    assert [n.op for n in lower_binary_conv.run(graph, CompileOptions()).nodes] == ["sub", "sign", "conv2d"]


@pytest.mark.parametrize("name, binary_op", [("unet_w1a1", "binary_conv2d"),
                                             ("unet_w1a16", "binary_weight_conv2d")])
def test_binarized_zoo_unet_lowers_every_binarized_conv(name, binary_op):
    from sdk.compile.lower import lower
    from sdk.models import load_model

    graph, _ = lower(load_model(name))
    ops = [n.op for n in graph.nodes]
    # 11 binarized convs (ResBlock 3x3 and downsample); stem, out conv and 1x1 skips stay float
    assert ops.count(binary_op) == 11 and ops.count("conv2d") == 5
    assert ops.count("sign_pack") == (11 if binary_op == "binary_conv2d" else 0)


def _rprelu_shortcut_graph(rng, second_reader: bool = False, with_sign: bool = True,
                           slopes: int = 8) -> Graph:
    """A lowered binary conv (W1A1, or W1A16 without the sign) followed by RPReLU (sub,
    prelu, add) and a learnable-scaled shortcut add(·, mul(scale, r)), as a binarized block
    exports; second_reader: the prelu's output is also a graph output (so the chain may fold
    only up to the prelu); slopes: 8 (one per channel) or 1 (shared, as nn.PReLU())."""
    graph = lower_binary_conv.run(_binarized_conv_graph(rng, with_sign=with_sign), CompileOptions())
    shape = graph.tensors["y"].shape
    graph.tensors["r"] = Tensor("r", shape)
    graph.inputs.append("r")
    for name, value in [("gamma", rng.standard_normal((1, 8, 1, 1))),
                        ("slope", rng.uniform(-0.5, 0.5, slopes)),
                        ("zeta", rng.standard_normal((1, 8, 1, 1))),
                        ("scale", rng.uniform(-1, 1, (1, 8, 1, 1)))]:
        graph.add_constant(name, value.astype(np.float32))
    chain = [("sub", ["y", "gamma"]), ("prelu", ["t_sub", "slope"]), ("add", ["t_prelu", "zeta"]),
             ("mul", ["scale", "r"]), ("add", ["t_add", "t_mul"])]
    outputs = ["t_sub", "t_prelu", "t_add", "t_mul", "out"]
    for (op, inputs), out in zip(chain, outputs):
        graph.tensors[out] = Tensor(out, shape)
        attrs = {"spatial": shape[2] * shape[3]} if op == "prelu" else {"act": "none"}
        graph.nodes.append(Node(out, op, inputs, [out], attrs))
    graph.outputs = ["out"] + (["t_prelu"] if second_reader else [])
    return graph


@pytest.mark.parametrize("with_sign, ops", [(True, ["sign_pack", "binary_conv2d"]),
                                            (False, ["binary_weight_conv2d"])])
def test_rprelu_and_scaled_shortcut_fold_into_the_binary_conv_bit_for_bit(with_sign, ops):
    """The folded output step rounds each step to float32 as the unfused ops do: the same
    bits, and one node where there were six."""
    from codegen.passes import fold_binary_output

    rng = np.random.default_rng(4)
    graph = _rprelu_shortcut_graph(rng, with_sign=with_sign)
    inputs = [rng.standard_normal(graph.tensors[n].shape).astype(np.float32) for n in graph.inputs]
    before = run_graph(graph, inputs)[0]
    folded = fold_binary_output.run(graph, CompileOptions())
    folded.validate()
    assert [n.op for n in folded.nodes] == ops
    conv = folded.nodes[-1]
    assert conv.outputs == ["out"] and conv.inputs[4:] == ["gamma_flat", "slope", "zeta_flat",
                                                           "scale_flat", "r"]
    np.testing.assert_array_equal(run_graph(folded, inputs)[0].view(np.uint32), before.view(np.uint32))


def test_a_shared_prelu_slope_folds_repeated_per_channel_bit_for_bit():
    from codegen.passes import fold_binary_output

    rng = np.random.default_rng(6)
    graph = _rprelu_shortcut_graph(rng, slopes=1)
    inputs = [rng.standard_normal(graph.tensors[n].shape).astype(np.float32) for n in graph.inputs]
    before, shared = run_graph(graph, inputs)[0], graph.constants["slope"]
    folded = fold_binary_output.run(graph, CompileOptions())
    folded.validate()
    assert [n.op for n in folded.nodes] == ["sign_pack", "binary_conv2d"]
    np.testing.assert_array_equal(folded.constants[folded.nodes[-1].inputs[5]], np.repeat(shared, 8))
    np.testing.assert_array_equal(run_graph(folded, inputs)[0].view(np.uint32), before.view(np.uint32))


def test_folding_stops_at_a_tensor_with_another_reader():
    from codegen.passes import fold_binary_output

    rng = np.random.default_rng(5)
    graph = _rprelu_shortcut_graph(rng, second_reader=True)
    inputs = [rng.standard_normal(graph.tensors[n].shape).astype(np.float32) for n in graph.inputs]
    before = run_graph(graph, inputs)
    folded = fold_binary_output.run(graph, CompileOptions())
    folded.validate()
    assert [n.op for n in folded.nodes] == ["sign_pack", "binary_conv2d", "add", "mul", "add"]
    assert folded.nodes[1].outputs == ["t_prelu"]  # the graph output ends the chain
    assert folded.nodes[1].inputs[4:] == ["gamma_flat", "slope", "", "", ""]
    for got, want in zip(run_graph(folded, inputs), before):
        np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def test_binarized_zoo_unet_folds_every_rprelu():
    from sdk.compile.lower import lower
    from sdk.models import load_model

    graph, _ = lower(load_model("unet_w1a1"))
    ops = [n.op for n in graph.nodes]
    assert "prelu" not in ops and "sub" not in ops
    convs = [n for n in graph.nodes if n.op == "binary_conv2d"]
    assert all(n.inputs[5] for n in convs)  # every one has its slope
    assert sum(bool(n.inputs[8]) for n in convs) >= 7  # and the 7 scaled shortcuts
