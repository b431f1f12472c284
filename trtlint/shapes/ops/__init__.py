"""Shape functions by op family; importing this package registers them all."""

from . import core  # noqa: F401
