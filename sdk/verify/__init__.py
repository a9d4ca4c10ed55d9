"""Stage 3, verify: device outputs against the torch reference — errors, the tolerances
derived from the kernels a build recorded, the FP16 sign-flip envelope, the on-board
sampler check."""
