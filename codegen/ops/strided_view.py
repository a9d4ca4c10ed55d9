"""Strided views: how a data-movement op reads its input, as (shape, strides, offset).

Slicing, selecting, splitting, permuting, transposing, expanding, repeating and the pixel
shuffles all read element `offset + sum_d idx_d * strides_d` of the dense row-major input
for each output index, in row-major output order. Capture turns each of those ATen ops
into one such view, and one strided-copy kernel runs them all (codegen/ops/strided_copy.py).
Pure integer bookkeeping, no torch: the views are checked against torch in the tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from codegen.kernels.limits import limit
from codegen.ops.capture_util import UnsupportedOpError

# Dims the strided-copy kernel walks (EDGEDIFF_STRIDED_RANK in kernels.h): a 2-D pixel
# shuffle needs 5 after merging ([n*c, h, i, w, j]); 6 leaves room for a repeat.
STRIDED_RANK = limit("STRIDED_RANK")


def dense_strides(shape) -> list[int]:
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= int(size)
    return strides[::-1]


@dataclass(frozen=True)
class View:
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    offset: int = 0

    @classmethod
    def dense(cls, shape) -> View:
        return cls(tuple(int(s) for s in shape), tuple(dense_strides(shape)), 0)

    def _dim(self, dim: int) -> int:
        return int(dim) % len(self.shape) if self.shape else 0

    def slice(self, dim: int, start: int | None, end: int | None, step: int = 1) -> View:
        """torch's slice: start/end clamped to the dim (negative counts from the end)."""
        d = self._dim(dim)
        size = self.shape[d]
        if step <= 0:
            raise UnsupportedOpError(f"slice step {step}: only positive steps are supported")
        start = 0 if start is None else int(start)
        end = size if end is None else int(end)
        start = min(max(start + size if start < 0 else start, 0), size)
        end = min(max(end + size if end < 0 else end, start), size)
        length = (end - start + step - 1) // step
        shape = self.shape[:d] + (length,) + self.shape[d + 1:]
        strides = self.strides[:d] + (self.strides[d] * step,) + self.strides[d + 1:]
        return View(shape, strides, self.offset + start * self.strides[d])

    def select(self, dim: int, index: int) -> View:
        d = self._dim(dim)
        index = int(index) + self.shape[d] if int(index) < 0 else int(index)
        return View(self.shape[:d] + self.shape[d + 1:], self.strides[:d] + self.strides[d + 1:],
                    self.offset + index * self.strides[d])

    def permute(self, dims) -> View:
        dims = [self._dim(d) for d in dims]
        return View(tuple(self.shape[d] for d in dims), tuple(self.strides[d] for d in dims), self.offset)

    def transpose(self, a: int, b: int) -> View:
        dims = list(range(len(self.shape)))
        a, b = self._dim(a), self._dim(b)
        dims[a], dims[b] = dims[b], dims[a]
        return self.permute(dims)

    def expand(self, sizes) -> View:
        """torch's expand: new leading dims and size-1 dims broadcast (stride 0); -1 keeps."""
        extra = len(sizes) - len(self.shape)
        shape, strides = [], []
        for i, want in enumerate(int(s) for s in sizes):
            have = self.shape[i - extra] if i >= extra else 1
            stride = self.strides[i - extra] if i >= extra else 0
            if want == -1 or want == have:
                shape.append(have)
                strides.append(stride)
            elif have == 1:
                shape.append(want)
                strides.append(0)
            else:
                raise UnsupportedOpError(f"cannot expand size {have} to {want}")
        return View(tuple(shape), tuple(strides), self.offset)

    def split_dim(self, dim: int, sizes) -> View:
        """Dim `dim` read as len(sizes) dims (row-major), e.g. C as (c, r, r)."""
        d = self._dim(dim)
        inner = dense_strides(sizes)
        return View(self.shape[:d] + tuple(int(s) for s in sizes) + self.shape[d + 1:],
                    self.strides[:d] + tuple(s * self.strides[d] for s in inner) + self.strides[d + 1:],
                    self.offset)

    def coalesced(self) -> View:
        """The same elements in the same order over the fewest dims: size-1 dims dropped,
        neighbours merged where the outer one steps over the whole inner one."""
        shape, strides = [], []
        for size, stride in zip(self.shape, self.strides):
            if size == 1:
                continue
            if shape and strides[-1] == stride * size:
                shape[-1] *= size
                strides[-1] = stride
                continue
            shape.append(size)
            strides.append(stride)
        return View(tuple(shape) or (1,), tuple(strides) or (1,), self.offset)


def repeat(view: View, repeats) -> View:
    """torch's repeat: output dim d is repeats[d] copies of input dim d, i.e. the dims
    (repeats[d], size[d]) with strides (0, stride[d])."""
    repeats = [int(r) for r in repeats]
    v = view.expand([1] * (len(repeats) - len(view.shape)) + list(view.shape))
    shape, strides = [], []
    for r, size, stride in zip(repeats, v.shape, v.strides):
        shape += [r, size]
        strides += [0, stride]
    return View(tuple(shape), tuple(strides), v.offset)


def pixel_shuffle(view: View, r: int) -> View:
    """out[.., c, h*r + i, w*r + j] = in[.., c*r*r + i*r + j, h, w]: iterate (c, h, i, w, j)."""
    *lead, c, h, w = view.shape
    v = view.split_dim(-3, [c // (r * r), r, r])  # (.., c, i, j, h, w)
    k = len(lead)
    return v.permute(list(range(k)) + [k, k + 3, k + 1, k + 4, k + 2])


def pixel_unshuffle(view: View, r: int) -> View:
    """out[.., c*r*r + i*r + j, h, w] = in[.., c, h*r + i, w*r + j]: iterate (c, i, j, h, w)."""
    *lead, c, h, w = view.shape
    v = view.split_dim(-1, [w // r, r]).split_dim(-3, [h // r, r])  # (.., c, h, i, w, j)
    k = len(lead)
    return v.permute(list(range(k)) + [k, k + 2, k + 4, k + 1, k + 3])
