"""Example model file for `sdk build --model examples/denoiser/model.py`.

Any file works the same way: define `model` (an nn.Module) and `example_input` (a tensor or
a tuple of tensors). Optionally define `sample_inputs(n, seed)` returning n input tuples
that `sdk validate` streams to the board; without it, Gaussian inputs are used; and
`time_steps` when the second input is a timestep taking only the values 0..time_steps-1, so
an int8 build can tabulate the time path (codegen/passes/int8_time_tables.py).
"""

from sdk.models.zoo import unet

_spec = unet()
model = _spec.module
example_input = _spec.example_inputs
sample_inputs = _spec.sample_inputs
time_steps = _spec.time_steps  # timesteps are whole numbers 0..999: an int8 build tabulates them
