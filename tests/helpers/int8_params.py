"""The parameter dicts the kernel catalog's predicates read for an int8 conv (the C struct's
fields): a 4→4 3×3 pad 1 layer on a 6×6 image, with the given fields changed."""

from __future__ import annotations


def conv_params(**changes) -> dict:
    geom = dict(n=1, c_in=4, h_in=6, w_in=6, c_out=4, h_out=6, w_out=6, kernel_h=3, kernel_w=3,
                stride_h=1, stride_w=1, pad_h=1, pad_w=1, dilation_h=1, dilation_w=1, groups=1,
                act=0)
    geom.update(changes)
    return {"conv": geom, "q": dict(input_offset=0, output_offset=0, act_min=-128, act_max=127)}
