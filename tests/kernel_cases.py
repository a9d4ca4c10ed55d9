"""Many kernel cases in one graph, so one firmware image per target and precision tests
every kernel through the real build, board and serial path.

Each case is an independent op reading graph inputs (and constant weights) and writing
its own graph output; a 1-bit case is a chain (sign_pack, then binary_conv2d) whose last
op writes the output, since packed signs are no graph output. Shapes are chosen to reach
the corners optimized kernels special-case: widths that are not a multiple of the vector
length, borders, stride 2, depthwise, broadcasting, fused activations, channel counts that
leave a partial last word of packed signs.
"""

from __future__ import annotations

import numpy as np

from codegen.binary import pack_signs, words_for
from codegen.ir import Graph, Node, Tensor
from codegen.ops import evaluate, macs


class CaseBuilder:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.graph = Graph(tensors={}, nodes=[], inputs=[], outputs=[])
        self.input_values: list[np.ndarray] = []

    def input(self, name: str, shape) -> str:
        value = self.rng.standard_normal(shape).astype(np.float32)
        self.graph.tensors[name] = Tensor(name, tuple(shape))
        self.graph.inputs.append(name)
        self.input_values.append(value)
        return name

    def weight(self, name: str, shape, scale: float) -> str:
        return self.graph.add_constant(name, (self.rng.standard_normal(shape) * scale).astype(np.float32))

    def packed_weight(self, name: str, shape) -> str:
        """Random ±1 conv weights [c_out, c_in, kh, kw], packed to [c_out, kh, kw, words]."""
        return self.graph.add_constant(name, pack_signs(self.rng.standard_normal(shape) < 0))

    def op(self, name: str, op: str, inputs: list[str], out_shape, dtype: str = "f32",
           output: bool = True, **attrs) -> str:
        """output=False: an intermediate of a chained case (e.g. packed signs), no graph output."""
        self.graph.tensors[name] = Tensor(name, tuple(out_shape), dtype)
        self.graph.nodes.append(Node(name, op, inputs, [name], attrs))
        if output:
            self.graph.outputs.append(name)
        return name


def _conv(b: CaseBuilder, name, c_in, c_out, h, w, k, stride=1, pad=1, groups=1, act="none",
          bias=True):
    x = b.input(f"{name}_x", (1, c_in, h, w))
    wt = b.weight(f"{name}_w", (c_out, c_in // groups, k, k), 1 / np.sqrt(c_in // groups * k * k))
    bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
    h_out, w_out = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
    b.op(name, "conv2d", [x, wt, bs], (1, c_out, h_out, w_out), stride=[stride, stride],
         padding=[pad, pad], dilation=[1, 1], groups=groups, act=act)


def _out_size(size: int, k: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - k) // stride + 1


def _pair(v) -> tuple[int, int]:
    return (v, v) if isinstance(v, int) else tuple(v)


def _binary_conv(b: CaseBuilder, name, c_in, c_out, h, w, k, stride=1, pad=1, threshold=True,
                 bias=True, scale=(0.05, 1.0), specials=False, post=()):
    """W1A1: sign_pack(x, threshold) then binary_conv2d; k and pad: int or (h, w) pair.
    scale: the range the per-channel scales are drawn from. specials: the first pixels of
    the first channel hold 0, -0 (not below 0) and +-1e-7 (subnormal halves, which a
    flushing vector compare would see as 0; the device takes no inf or NaN), and the last
    pixel of every channel equals its threshold (not below it). post: the folded output
    steps to give it (fold_binary_output.py), any of "shift_in", "slope", "shift_out",
    "res_scale", "residual" (a graph input whose first values are subnormal halves)."""
    (kh, kw), (ph, pw) = _pair(k), _pair(pad)
    x = b.input(f"{name}_x", (1, c_in, h, w))
    t = b.weight(f"{name}_t", (c_in,), 0.3) if threshold else ""
    if specials:
        value = b.input_values[-1]
        value.flat[:4] = [0.0, -0.0, -1e-7, 1e-7]
        value[0, :, -1, -1] = b.graph.constants[t] if threshold else 0.0
    signs = b.op(f"{name}_signs", "sign_pack", [x, t], (1, h, w, words_for(c_in)), dtype="u32",
                 output=False)
    wt = b.packed_weight(f"{name}_w", (c_out, c_in, kh, kw))
    alpha = b.graph.add_constant(f"{name}_scale", b.rng.uniform(*scale, c_out).astype(np.float32))
    bs = b.weight(f"{name}_b", (c_out,), 0.1 * scale[1]) if bias else ""
    out_size = [_out_size(h, kh, stride, ph), _out_size(w, kw, stride, pw)]
    folded = []
    for step in POST_STEPS:
        if step not in post:
            folded.append("")
        elif step == "residual":
            folded.append(b.input(f"{name}_residual", (1, c_out, *out_size)))
            b.input_values[-1].flat[:3] = [1e-7, -3e-7, 0.0]
        elif step == "slope":
            folded.append(b.graph.add_constant(f"{name}_slope",
                                               b.rng.uniform(-0.5, 0.5, c_out).astype(np.float32)))
        else:
            folded.append(b.weight(f"{name}_{step}", (c_out,), 0.5 * scale[1]))
    b.op(name, "binary_conv2d", [signs, wt, alpha, bs] + folded, (1, c_out, *out_size),
         channels=c_in, stride=[stride, stride], padding=[ph, pw], out_size=out_size)


POST_STEPS = ("shift_in", "slope", "shift_out", "res_scale", "residual")


def _binary_weight_conv(b: CaseBuilder, name, c_in, c_out, h, w, k, stride=1, pad=1, bias=True,
                        post=()):
    """W1A16: float input, constant packed ±1 weights. post: the folded output steps, as in
    _binary_conv (shift_in kept small against the sums, so the bound's magnitudes, which
    subtract it, stay above the error)."""
    x = b.input(f"{name}_x", (1, c_in, h, w))
    wt = b.packed_weight(f"{name}_w", (c_out, c_in, k, k))
    scales = b.rng.uniform(0.05, 0.5, c_out).astype(np.float32)
    alpha = b.graph.add_constant(f"{name}_scale", scales)
    bs = b.weight(f"{name}_b", (c_out,), 0.1) if bias else ""
    out_size = [_out_size(h, k, stride, pad), _out_size(w, k, stride, pad)]
    folded = []
    for step in POST_STEPS:
        if step not in post:
            folded.append("")
        elif step == "residual":
            folded.append(b.input(f"{name}_residual", (1, c_out, *out_size)))
        elif step == "slope":
            folded.append(b.graph.add_constant(f"{name}_slope",
                                               b.rng.uniform(-0.5, 0.5, c_out).astype(np.float32)))
        else:
            folded.append(b.weight(f"{name}_{step}", (c_out,), 1e-3 if step == "shift_in" else 0.5))
    b.op(name, "binary_weight_conv2d", [x, wt, alpha, bs] + folded, (1, c_out, *out_size),
         channels=c_in, stride=[stride, stride], padding=[pad, pad], out_size=out_size)


def kernel_case_graph(seed: int = 0) -> tuple[Graph, list[np.ndarray]]:
    b = CaseBuilder(seed)
    _conv(b, "conv3x3", 16, 16, 16, 16, 3, act="silu")
    _conv(b, "conv3x3_odd", 5, 12, 9, 13, 3, bias=False)
    _conv(b, "conv3x3_wide_out", 8, 32, 8, 8, 3, act="relu")
    _conv(b, "conv1x1", 32, 16, 8, 8, 1, pad=0)
    _conv(b, "conv1x1_odd", 7, 9, 5, 11, 1, pad=0, act="silu")
    _conv(b, "conv3x3_s2", 16, 16, 16, 16, 3, stride=2)
    _conv(b, "conv_depthwise", 8, 8, 10, 10, 3, groups=8)
    # conv2d_f32_fpu's other paths: 1-channel tiles and pixels past the last full tile
    # (c_out 6, w 6); a stride-2 tile on the right border (odd width 15) and a 1-channel
    # remainder of 3; one tile on both borders, a padding row above and below (h 1).
    _conv(b, "conv3x3_tail", 3, 6, 5, 6, 3, act="relu")
    _conv(b, "conv3x3_s2_odd", 5, 7, 7, 15, 3, stride=2, act="silu")
    _conv(b, "conv3x3_narrow", 3, 5, 1, 4, 3)
    # conv2d_f16_fpu: more input channels than its scratch widens weights for (30 > 26 at
    # stride 1: the rest read as halves, in the tiles and the tail pixels), an odd c_out
    # (a 1-channel block), an even width (pair loads on Arm) with 2 pixels past the tile.
    _conv(b, "conv3x3_wide_in", 30, 5, 4, 10, 3, act="silu")

    x = b.input("linear_x", (1, 32))
    b.op("linear", "linear", [x, b.weight("linear_w", (32, 32), 0.2), b.weight("linear_b", (32,), 0.1)],
         (1, 32), act="silu")
    x = b.input("linear_odd_x", (3, 13))
    b.op("linear_odd", "linear", [x, b.weight("linear_odd_w", (7, 13), 0.3), ""], (3, 7), act="none")

    x = b.input("gn_x", (1, 16, 8, 8))
    b.op("group_norm", "group_norm", [x, b.weight("gn_g", (16,), 1.0), b.weight("gn_b", (16,), 0.5)],
         (1, 16, 8, 8), groups=4, eps=1e-5, act="silu")
    x = b.input("gn_odd_x", (1, 6, 5, 7))
    b.op("group_norm_odd", "group_norm", [x, "", ""], (1, 6, 5, 7), groups=3, eps=1e-5, act="none")

    x = b.input("silu_x", (1, 3, 7, 5))
    b.op("silu", "silu", [x], (1, 3, 7, 5))
    x = b.input("relu_x", (1, 37))
    b.op("relu", "relu", [x], (1, 37))

    x, y = b.input("add_x", (1, 16, 8, 8)), b.input("add_bias", (1, 16, 1, 1))
    b.op("add_broadcast", "add", [x, y], (1, 16, 8, 8), act="none")
    x, y = b.input("add_same_x", (1, 5, 3, 3)), b.input("add_same_y", (1, 5, 3, 3))
    b.op("add_same", "add", [x, y], (1, 5, 3, 3), act="silu")
    # a broadcast add over odd planes (25): every other channel's row starts at an odd half,
    # so the FP16 pair loop on Arm peels one element, then takes pairs and an odd last one
    x, y = b.input("add_odd_x", (1, 3, 5, 5)), b.input("add_odd_bias", (1, 3, 1, 1))
    b.op("add_broadcast_odd", "add", [x, y], (1, 3, 5, 5), act="relu")
    x, y = b.input("mul_x", (1, 9, 4, 4)), b.input("mul_y", (1, 9, 4, 4))
    b.op("mul", "mul", [x, y], (1, 9, 4, 4), act="none")
    x, y = b.input("sub_x", (1, 1, 16, 16)), b.input("sub_y", (1, 1, 16, 16))
    b.op("sub", "sub", [x, y], (1, 1, 16, 16), act="none")

    x, y = b.input("cat_x", (1, 16, 8, 8)), b.input("cat_y", (1, 8, 8, 8))
    b.op("concat", "concat", [x, y], (1, 24, 8, 8), axis=1)
    x = b.input("up_x", (1, 8, 5, 7))
    b.op("upsample", "upsample_nearest2d", [x], (1, 8, 10, 14), size=[10, 14])

    # torch.prelu's two forms: one slope per channel, one shared (nn.PReLU()'s default).
    # Small: the image's I/O buffer leaves little RAM free on cortex-m55.
    x = b.input("prelu_x", (2, 5, 1, 3))
    b.op("prelu", "prelu", [x, b.weight("prelu_slope", (5,), 0.5)], (2, 5, 1, 3))
    x = b.input("prelu_shared_x", (2, 3, 2, 2))
    b.op("prelu_shared", "prelu", [x, b.weight("prelu_shared_slope", (1,), 0.5)], (2, 3, 2, 2))
    x = b.input("prelu_shared_nc_x", (3, 5))
    b.op("prelu_shared_nc", "prelu", [x, b.weight("prelu_shared_nc_slope", (1,), 0.5)], (3, 5))
    # a batch norm not after a conv becomes x * scale[c] + shift[c] (lower_batch_norm.py):
    # constants [C, 1, 1] broadcast over N, H, W; [C] over the N of an [N, C] input
    x = b.input("mul_channel_x", (2, 3, 2, 3))
    b.op("mul_channel", "mul", [x, b.weight("mul_channel_s", (3, 1, 1), 1.0)], (2, 3, 2, 3), act="none")
    x = b.input("add_channel_nc_x", (3, 5))
    b.op("add_channel_nc", "add", [x, b.weight("add_channel_nc_s", (5,), 1.0)], (3, 5), act="none")

    # the scalar FPU kernels' paths (codegen/kernels/fpu/): a group mean 30 standard
    # deviations from 0 (the second statistics pass, which a one-pass variance would fail
    # by 8x) with a fused ReLU; SiLU past its clamp (|x| > 87); each operand of a binary op
    # a vector or a scalar (a channel-first operand, a broadcast over channels, a column per
    # row, a scalar with a scalar); a concat whose slabs leave the output misaligned for
    # words; an upsampling that is not 2x (the reference)
    x = b.input("gn_offset_x", (1, 8, 4, 5))
    b.input_values[-1] += 30.0
    b.op("group_norm_offset", "group_norm", [x, b.weight("gn_offset_g", (8,), 1.0), ""],
         (1, 8, 4, 5), groups=2, eps=1e-5, act="relu")
    x = b.input("silu_wide_x", (1, 23))
    b.input_values[-1] *= 60.0
    b.input_values[-1][0, :2] = [-100.0, 100.0]
    b.op("silu_wide", "silu", [x], (1, 23))
    x, y = b.input("sub_first_x", (1, 6, 1, 1)), b.input("sub_first_y", (1, 6, 3, 5))
    b.op("sub_first", "sub", [x, y], (1, 6, 3, 5), act="none")
    x, y = b.input("add_rows_x", (1, 3, 4, 5)), b.input("add_rows_y", (1, 1, 4, 5))
    b.op("add_rows", "add", [x, y], (1, 3, 4, 5), act="relu")
    x, y = b.input("mul_col_x", (1, 3, 4, 5)), b.input("mul_col_y", (1, 3, 4, 1))
    b.op("mul_col", "mul", [x, y], (1, 3, 4, 5), act="silu")
    x, y = b.input("mul_scalars_x", (1, 4, 1, 1)), b.input("mul_scalars_y", (1, 1, 1, 1))
    b.op("mul_scalars", "mul", [x, y], (1, 4, 1, 1), act="none")
    x, y = b.input("cat_odd_x", (1, 3, 3)), b.input("cat_odd_y", (1, 2, 3))
    b.op("concat_odd", "concat", [x, y], (1, 5, 3), axis=1)
    x = b.input("up3_x", (1, 2, 3, 4))
    b.op("upsample_3x", "upsample_nearest2d", [x], (1, 2, 9, 12), size=[9, 12])
    _binary_conv(b, "bconv3x3", 32, 8, 8, 8, 3)
    # rows of 20 fields of 28 words: the MVE kernel's 8 KiB buffer takes 3 rows at a time
    _binary_conv(b, "bconv3x3_odd", 70, 7, 7, 20, 3, threshold=False, bias=False)
    _binary_conv(b, "bconv3x3_s2", 64, 5, 9, 10, 3, stride=2)
    _binary_conv(b, "bconv3x3_p0", 33, 3, 6, 5, 3, pad=0)  # fewer channels than a block
    _binary_conv(b, "bconv1x1", 33, 6, 5, 6, 1, pad=0)
    _binary_conv(b, "bconv1x3", 16, 4, 1, 12, (1, 3), pad=(0, 1))  # the 1-D UNet's convs
    # scales ~1e-6: the FP16 outputs are subnormal halves, which a flushing vector unit loses
    _binary_conv(b, "bconv_tiny", 48, 8, 6, 6, 3, scale=(1e-7, 4e-6))
    # subnormal FP32 scales and biases (the MVE kernel's reference path); 0 in FP16
    _binary_conv(b, "bconv_subnormal", 16, 4, 4, 5, 3, scale=(1e-39, 1e-38))
    # pixels not a multiple of the MVE kernel's 8 (3x13), a partial second word, specials
    _binary_conv(b, "bconv_specials", 40, 4, 3, 13, 1, pad=0, specials=True)
    _binary_conv(b, "bconv_specials_t0", 20, 3, 5, 3, 1, pad=0, threshold=False, specials=True)
    # MVE: a field over 31 words (byte counts summed per row of taps), and input rows too
    # many to copy padded (its predicated path)
    _binary_conv(b, "bconv3x3_w4", 100, 3, 5, 5, 3, post=("slope", "shift_out"))
    _binary_conv(b, "bconv_tall", 1, 3, 36, 60, 3)
    # the folded RPReLU and scaled shortcut: whole blocks, a partial block, fewer than one
    _binary_conv(b, "bconv_post", 16, 8, 8, 8, 3, post=POST_STEPS)
    _binary_conv(b, "bconv_post_s2", 40, 5, 9, 10, 3, stride=2, post=("shift_in", "slope", "shift_out"))
    _binary_conv(b, "bconv_slope_res", 20, 3, 5, 7, 3, bias=False, post=("slope", "residual"))
    _binary_weight_conv(b, "bwconv3x3", 12, 5, 6, 7, 3)
    _binary_weight_conv(b, "bwconv1x1_s2", 40, 6, 7, 7, 1, stride=2, pad=0, bias=False)
    # the MVE / RVV kernels: blocks of output channels (the last one partial), a partial
    # second word of signs, stride 2 with odd sizes, widths not a multiple of the vector
    # length, 1x1, and the folded steps
    _binary_weight_conv(b, "bwconv3x3_blocks", 64, 13, 8, 8, 3)
    _binary_weight_conv(b, "bwconv3x3_s2_post", 40, 7, 9, 11, 3, stride=2, post=POST_STEPS)
    _binary_weight_conv(b, "bwconv3x3_wide_post", 8, 4, 5, 21, 3,
                        post=("slope", "shift_out", "res_scale", "residual"))
    _binary_weight_conv(b, "bwconv1x1_post", 33, 6, 5, 7, 1, pad=0, bias=False,
                        post=("slope", "residual"))
    return b.graph, b.input_values


def stored(value: np.ndarray, dtype: str) -> np.ndarray:
    """A value as the device stores it: rounded to FP16 in an FP16 build; packed signs
    (uint32) are bits, the same in every build."""
    if value.dtype == np.uint32:
        return value
    return value.astype(np.float16 if dtype == "f16" else np.float32)


def expected_outputs(graph: Graph, inputs: list[np.ndarray], dtype: str) -> dict[str, np.ndarray]:
    """Each case's output in float64 (or as codegen/binary.py computes it, for the 1-bit ops)
    from its inputs, weights and intermediates as the device stores them: what an exact
    kernel would produce."""
    values = {name: stored(v, dtype) for name, v in zip(graph.inputs, inputs)}
    values.update({name: stored(v, dtype) for name, v in graph.constants.items()})
    exact = {}
    for node in graph.nodes:
        exact[node.outputs[0]] = evaluate(node.op, [values[t] if t else None for t in node.inputs],
                                          node.attrs)
        values[node.outputs[0]] = stored(exact[node.outputs[0]], dtype)
    return {name: exact[name] for name in graph.outputs}


def case_accumulation(graph: Graph, output: str) -> int:
    """Products summed per output of the case (K of its dot product), 1 if none."""
    node = next(n for n in graph.nodes if n.outputs[0] == output)
    shapes = [graph.tensors[t].shape if t else () for t in node.inputs]
    out_shape = graph.tensors[output].shape
    return max(macs(node.op, shapes, out_shape, node.attrs) // int(np.prod(out_shape)), 1)
