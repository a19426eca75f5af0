"""Machine translation: providers, limits, masking, cache and the engine that ties them."""

from traduco.mt.engine import Engine, Result, Usage
from traduco.mt.adapters import PROVIDERS, check_settings, language_code

__all__ = ["Engine", "Result", "Usage", "check_settings", "PROVIDERS", "language_code"]
