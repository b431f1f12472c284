"""TRT704: variables that are not frozen into constants."""

from __future__ import annotations

from typing import Iterable

from ..base import Rule
from ..model import Finding
from ._text import plural, some

VARIABLE_OPS = frozenset({"VariableV2", "Variable", "VarHandleOp", "TemporaryVariable"})


class UnfrozenVariables(Rule):
    """The graph still reads its weights from variables.

    TF-TRT converts weights only when they are constants: a Conv2D whose filter comes
    from a ``VariableV2`` (or a ``VarHandleOp``/``ReadVariableOp`` pair) is rejected with
    "The input "filter" for Conv2D must be a constant", and the variables are not even
    initialised in a bare GraphDef.  TF-TRT's TF1 API expects a frozen graph; its TF2 API
    freezes a SavedModel itself (trtlint does the same when loading one).

    Anti-pattern::

        tf.io.write_graph(sess.graph_def, ".", "model.pbtxt")    # variables, no values

    Fix::

        frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
            sess, sess.graph_def, output_names)
        # or convert the SavedModel with TrtGraphConverterV2
    """

    id = "TRT704"
    name = "unfrozen-variables"
    severity = "error"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        variables = [n.name for n in a.graph if n.op in VARIABLE_OPS]
        if not variables:
            return
        blocked = [name for name, d in a.decisions.items()
                   if not d.supported and d.reason is not None
                   and d.reason.category in ("const_input", "weights")]
        yield self.finding(
            f"{plural(len(variables), 'variable')} are not frozen ({some(variables)}): TF-TRT "
            f"needs weights as constants"
            + (f", and {plural(len(blocked), 'node')} wanting constant inputs stay in TensorFlow"
               if blocked else ""),
            node=variables[0], fix="Freeze the graph (convert_variables_to_constants / "
                                   "freeze_graph), or convert the SavedModel with "
                                   "TrtGraphConverterV2.",
            variables=len(variables), blocked=blocked[:50])
