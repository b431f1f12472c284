"""Named predicates that rules/*.toml refer to.

A predicate looks at one node (through a :class:`NodeContext`) with the parameters
of its rule entry and returns ``None`` when the condition holds, or a dict of values
to format the rule's message with when it does not.  Predicates say *what* is
checked; which op needs which check, in which mode, with which message, is data.

    @check("const_input")
    def const_input(ctx, p):
        return None if ctx.input_is_const(p["input"]) else {"input": p["input"]}
"""

from __future__ import annotations

from typing import Callable, Optional

from ..context import NodeContext

Result = Optional[dict]
Predicate = Callable[[NodeContext, dict], Result]

_CHECKS: dict[str, Predicate] = {}
_MESSAGES: dict[str, tuple[str, ...]] = {}


def check(name: str, messages: tuple[str, ...] = ()) -> Callable[[Predicate], Predicate]:
    """Register a predicate; ``messages`` are its default texts (TF-TRT's wording), used
    when a rule entry gives none (a predicate picks one with ``which``)."""

    def register(fn: Predicate) -> Predicate:
        if name in _CHECKS:
            raise ValueError(f"predicate {name} registered twice")
        _CHECKS[name] = fn
        if messages:
            _MESSAGES[name] = tuple(messages)
        return fn

    return register


def default_messages(name: str) -> tuple[str, ...]:
    return _MESSAGES.get(name, ())


def lookup(name: str) -> Optional[Predicate]:
    return _CHECKS.get(name)


def known_checks() -> list[str]:
    return sorted(_CHECKS)


def _fail(**values) -> dict:
    return values


def axis_value(ctx: NodeContext, p: dict) -> Optional[list[int]]:
    """The axis (or axes) a rule talks about: an attr or a constant input."""
    if "attr" in p:
        v = ctx.attr(p["attr"])
    else:
        v = ctx.input_value(p["input"])
    if v is None:
        return None
    return list(v) if isinstance(v, (list, tuple)) else [v]



# Importing the predicate modules registers them.
from . import generic, broadcast, nn, shape_ops, misc  # noqa: E402,F401
