"""Kernel cases of the op families added for bring-your-own-model (#13), one module per family.

Each module has `add_cases(b: CaseBuilder)` (tests/kernel_cases.py) that adds independent
cases: graph inputs (and constant weights) in, one graph output per case. They all go into
one firmware image per target and precision (tests/kernel_cases_ops.py), next to the image of
tests/kernel_cases.py, whose RAM on cortex-m55 is nearly full.
"""

FAMILIES: list = []  # modules with add_cases(b); each family appends its import here

from tests.cases import shape  # noqa: E402  (data movement and resize)

FAMILIES.append(shape)
from tests.cases import reduce  # noqa: E402

FAMILIES.append(reduce)
from tests.cases import conv_transpose  # noqa: E402

FAMILIES.append(conv_transpose)
from tests.cases import elementwise  # noqa: E402  (elementwise math and activations)

FAMILIES.append(elementwise)
from tests.cases import attention  # noqa: E402  (matmul and fused attention)

FAMILIES.append(attention)
from tests.cases import simd13  # noqa: E402  (SIMD conv1d and layer norm overrides)

FAMILIES.append(simd13)
from tests.cases import fpu_conv  # noqa: E402  (scalar FPU convolutions, #14)

FAMILIES.append(fpu_conv)
from tests.cases import fpu_gather  # noqa: E402  (scalar FPU conv1d, depthwise, transposed, #14)

FAMILIES.append(fpu_gather)
