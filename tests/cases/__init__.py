"""Kernel cases of the op families added for bring-your-own-model (#13), one module per family.

Each module has `add_cases(b: CaseBuilder)` (tests/kernel_cases.py) that adds independent
cases: graph inputs (and constant weights) in, one graph output per case. They all go into
one firmware image per target and precision (tests/kernel_cases_ops.py), next to the image of
tests/kernel_cases.py, whose RAM on cortex-m55 is nearly full.
"""

from tests.cases import attention

FAMILIES: list = [attention]  # modules with add_cases(b); each family appends its import here
