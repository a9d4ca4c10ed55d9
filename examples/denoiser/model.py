"""Example model file for `sdk build --model examples/denoiser/model.py`.

Any file works the same way: define `model` (an nn.Module) and `example_input` (a tensor or
a tuple of tensors). Optionally define `sample_inputs(n, seed)` returning n input tuples
that `sdk validate` streams to the board; without it, Gaussian inputs are used.
"""

from sdk.models.zoo import unet

_spec = unet()
model = _spec.module
example_input = _spec.example_inputs
sample_inputs = _spec.sample_inputs
