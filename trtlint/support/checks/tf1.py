"""The predicates of the TF-TRT 1.13 and 1.15 profiles (rules/tf1.13.toml,
rules/tf1.15.toml).  Importing this module registers them all."""

from __future__ import annotations

from . import tf1_engine, tf1_generic, tf1_math, tf1_shapes  # noqa: F401

__all__ = ["tf1_engine", "tf1_generic", "tf1_math", "tf1_shapes"]
