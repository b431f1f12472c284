"""TRT203: functional control flow (While/If/Case ops with function bodies)."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural, some

FUNCTIONAL_OPS = {
    "While": ("body", "cond"), "StatelessWhile": ("body", "cond"),
    "If": ("then_branch", "else_branch"), "StatelessIf": ("then_branch", "else_branch"),
    "Case": ("branches",), "StatelessCase": ("branches",),
}


def function_names(value) -> list[str]:
    """Function names from a decoded ``func`` / ``list(func)`` attr."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [n for v in value for n in function_names(v)]
    if isinstance(value, str):
        return [value]
    name = getattr(value, "name", None)
    if isinstance(name, str):
        return [name]
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return [value["name"]]
    return []


class FunctionalControlFlow(Rule):
    """A functional While/If/Case op runs its bodies as TensorFlow functions.

    TF 2.x writes ``tf.while_loop``/``tf.cond`` inside ``tf.function`` as While/If ops
    whose bodies are functions in the graph's library.  TF-TRT has no converter for them
    and does not look inside the bodies, so every node of the loop body or branch runs
    in TensorFlow, however convertible it is.  The finding names the bodies and how
    many nodes they hold.

    Anti-pattern::

        @tf.function
        def step(x, n):
            return tf.while_loop(lambda i, x: i < n, body, [0, x])   # While op

    Fix::

        # unroll a loop with a static trip count, or keep it outside the converted model
        for _ in range(4):
            x = body_step(x)
    """

    id = "TRT203"
    name = "functional-control-flow"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        library = a.graph.library or {}
        for node in a.graph:
            keys = FUNCTIONAL_OPS.get(node.op)
            if keys is None:
                continue
            bodies = [f for k in keys for f in function_names(node.attr(k))]
            sizes = {f: len(library[f].node_def) for f in bodies
                     if f in library and hasattr(library[f], "node_def")}
            inside = sum(sizes.values())
            body_text = some(f"{f} ({plural(n, 'node')})" for f, n in sizes.items()) if sizes \
                else some(bodies) or "its function bodies"
            yield self.finding(
                f"{node.op} {node.name} stays in TensorFlow with its bodies {body_text}: TF-TRT "
                f"does not convert inside functional control flow"
                + (f" ({plural(inside, 'node')} in all)" if inside else ""),
                node=node.name, fix="Unroll loops with a static trip count, hoist loop-invariant "
                                    "work out of the body, or keep the loop outside the model "
                                    "you convert.",
                functions=bodies, body_nodes=inside)
