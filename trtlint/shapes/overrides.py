"""``--input-shape NAME=1x300x300x3``: the user's shapes for a model's placeholders.

A graph exported with ``[?, ?, ?, 3]`` inputs leaves TF-TRT (and trtlint) guessing;
telling it the shape the model will really be fed with changes what is predicted.

Syntax (one option per placeholder, repeatable)::

    image_tensor=1x300x300x3     dims separated by 'x' (or ','); ?, -1 = unknown dim
    image_tensor:0=?x300x300x3   the tensor name form is accepted too
    keep_prob=scalar             rank 0 (so does an empty right-hand side: keep_prob=)
"""

from __future__ import annotations

import re

from ..errors import UsageError
from ..graph.model import Graph
from ..graph.tensors import Shape, format_shape

_PLACEHOLDER_OPS = ("Placeholder", "PlaceholderWithDefault", "PlaceholderV2")
_UNKNOWN_TOKENS = {"?", "-1"}
_SPLIT = re.compile(r"[x×,]")


def parse_input_shape(text: str) -> tuple[str, tuple[int, ...]]:
    """``"image_tensor=1x300x300x3"`` -> ``("image_tensor", (1, 300, 300, 3))``.

    Unknown dims (``?`` or ``-1``) become -1; ``NAME=scalar`` and ``NAME=`` mean rank 0.
    Raises :class:`~trtlint.errors.UsageError` on anything else.
    """
    name, sep, dims_text = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise UsageError(f"--input-shape {text!r}: expected NAME=DIMS, e.g. "
                         f"image_tensor=1x300x300x3")
    if name.endswith(":0"):
        name = name[:-2]
    elif re.search(r":\d+$", name):
        raise UsageError(f"--input-shape {text!r}: a placeholder has one output, ':0'")
    body = dims_text.strip().strip("[]()").strip()
    if body == "" or body.lower() == "scalar":
        return name, ()
    dims = []
    for token in _SPLIT.split(body):
        token = token.strip()
        if token in _UNKNOWN_TOKENS:
            dims.append(-1)
        elif token.isdigit():
            dims.append(int(token))
        else:
            raise UsageError(f"--input-shape {text!r}: {token!r} is not a dimension "
                             f"(use a non-negative integer, or ? / -1 for unknown)")
    return name, tuple(dims)


def parse_input_shapes(texts) -> dict[str, tuple[int, ...]]:
    """Parse repeated ``--input-shape`` options; naming one placeholder twice is an error."""
    out: dict[str, tuple[int, ...]] = {}
    for text in texts or ():
        name, shape = parse_input_shape(text)
        if name in out and out[name] != shape:
            raise UsageError(f"--input-shape given twice for {name!r} with different shapes")
        out[name] = shape
    return out


def placeholder_names(graph: Graph) -> list[str]:
    return [n.name for n in graph if n.op in _PLACEHOLDER_OPS]


def check_overrides(graph: Graph, overrides: dict[str, Shape]) -> dict[str, Shape]:
    """Check that every override names a placeholder whose declared shape allows it.

    Returns the overrides with names normalised (``name:0`` -> ``name``) and with
    the dims the user left unknown filled in from the declaration."""
    checked: dict[str, Shape] = {}
    for raw_name, shape in overrides.items():
        name = raw_name[:-2] if raw_name.endswith(":0") else raw_name
        node = graph.get(name)
        if node is None or node.op not in _PLACEHOLDER_OPS:
            names = placeholder_names(graph)
            listing = ", ".join(names[:20]) + (f", ... ({len(names)} in all)" if len(names) > 20 else "")
            what = "no node" if node is None else f"a {node.op} node, not a placeholder"
            raise UsageError(f"--input-shape {name}: {what} named {name!r}; the graph's "
                             f"placeholders are: {listing or '(none)'}")
        declared = node.attr("shape")
        if shape is not None and isinstance(declared, tuple) and len(declared) > 0:
            if len(declared) != len(shape) or any(
                    d >= 0 and s >= 0 and d != s for d, s in zip(declared, shape)):
                raise UsageError(f"--input-shape {name}={format_shape(shape)}: the placeholder "
                                 f"is declared {format_shape(declared)}")
            # What the user leaves unknown, the declaration may still tell.
            shape = tuple(s if s >= 0 else d for s, d in zip(shape, declared))
        checked[name] = tuple(shape) if shape is not None else None
    return checked
