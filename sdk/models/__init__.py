"""Model zoo and the loader for a user's own model file."""

from sdk.models.loader import load_model
from sdk.models.spec import ModelSpec
from sdk.models.zoo import ZOO

__all__ = ["load_model", "ModelSpec", "ZOO"]
