"""What the ops' capturers share: the error they raise and ATen's int-or-pair arguments.

Kept apart from codegen/capture.py (which imports torch) so an op's entry can be read and
tested without torch.
"""

from __future__ import annotations


class UnsupportedOpError(Exception):
    """The model uses an op EdgeDiff cannot lower; the message says where and what to do."""


def pair(v) -> list[int]:
    return [int(v), int(v)] if isinstance(v, int) else [int(x) for x in v]
