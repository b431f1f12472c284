"""TRT706: an op writes a resource variable that freezing turns into a constant."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding


class FrozenVariableWritten(Rule):
    """An op writes a resource variable, so freezing the model for TF-TRT fails.

    TF-TRT converts a frozen graph: every variable becomes a constant.  An op that
    assigns to a resource variable (``AssignVariableOp``, ``AssignAddVariableOp``, also
    the initializers a TF1 SavedModel's ``main_op`` runs) is then left without a
    variable to write.  TensorFlow refuses the result: ``convert_variables_to_constants_v2``
    (TrtGraphConverterV2) raises "expected type resource != float", and after TF1's
    TrtGraphConverter freezing TF-TRT's pass fails with "TensorRTOptimizer failed ...
    incompatible with expected resource".  Either way no engine is built, and trtlint
    predicts none.

    Anti-pattern::

        @tf.function(input_signature=[...])
        def serve(self, x):
            self.calls.assign_add(1)          # state updated in the serving signature
            return self.model(x)

    Fix::

        @tf.function(input_signature=[...])
        def serve(self, x):
            return self.model(x)              # keep counters and other state outside
                                              # the signature you convert
    """

    id = "TRT706"
    name = "frozen-variable-written"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        g = analysis.model.graph  # the graph as frozen, before grappler
        for node, index, producer in analysis.frozen_writes:
            op = g[node].op if node in g.nodes else "?"
            source = g[producer] if producer in g.nodes else None
            variable = (source.attrs.get("_frozen_variable") if source is not None else None) \
                or producer
            yield self.finding(
                f"{op} {node} writes variable {variable} (input {index}), which freezing "
                f"turns into a constant: TensorFlow refuses the frozen graph, so the "
                f"conversion (or TF-TRT's pass) fails and no engine is built",
                node=node, fix="Remove the state update from the signature you convert "
                               "(serve a separate signature for it), or assign the variable "
                               "before export instead of at serving time.",
                variable=variable, producer=producer, input=index)
