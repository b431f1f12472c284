"""TRT702: batch norms that are not folded (or run in training mode)."""

from __future__ import annotations

from typing import Iterable, Optional

from ...insights import constant_nodes, engine_of
from ..base import Rule
from ..model import Finding
from ._text import plural, some

FUSED_BN = frozenset({"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
LINEAR_OPS = frozenset({"Conv2D", "DepthwiseConv2dNative", "MatMul", "Conv3D"})


def const_operand(a, node) -> Optional[int]:
    """Index of the operand computed from constants only, if exactly one is."""
    constant = constant_nodes(a)
    consts = [i for i, ref in enumerate(node.inputs[:2]) if ref.node in constant]
    return consts[0] if len(consts) == 1 else None


def unfolded_scale_shift(a, linear) -> Optional[list[str]]:
    """``linear -> Mul(const) -> Add/AddV2/Sub/BiasAdd(const)``: a batch norm written out as
    arithmetic after a conv/matmul; returns [mul, add] names."""
    g = a.graph
    users = g.consumers(linear.name)
    if len(users) != 1 or g[users[0].node].op != "Mul":
        return None
    mul = g[users[0].node]
    if const_operand(a, mul) is None:
        return None
    after = g.consumers(mul.name)
    if len(after) != 1:
        return None
    add = g[after[0].node]
    if add.op not in ("Add", "AddV2", "Sub", "BiasAdd") or const_operand(a, add) is None:
        return None
    return [mul.name, add.name]


class UnfoldedBatchNorm(Rule):
    """A batch norm runs in training mode or is not folded into the convolution before it.

    ``FusedBatchNorm*`` with ``is_training=True`` computes batch statistics at inference
    time; TF-TRT refuses it ("FusedBatchNormV3 only supports is_training=false") and the
    outputs depend on the batch.  A batch norm written out as ``Mul``/``Add`` after a
    Conv2D (``tf.nn.batch_normalization``, optimize_for_inference leftovers) converts, but
    costs an extra scale layer per convolution where folding it into the weights costs
    nothing; a ``Rsqrt`` of a non-constant variance means the statistics are computed at
    run time.

    Anti-pattern::

        y = tf.compat.v1.layers.batch_normalization(conv, training=True)   # exported as is
        y = tf.nn.batch_normalization(conv, mean, var, beta, gamma, 1e-3)  # unfused

    Fix::

        y = tf.compat.v1.layers.batch_normalization(conv, training=False)
        # fold into the conv weights before export:
        transform_graph ... --transforms='fold_batch_norms fold_old_batch_norms'
    """

    id = "TRT702"
    name = "unfolded-batch-norm"
    severity = "warning"

    def check(self, analysis) -> Iterable[Finding]:
        a = analysis
        g = a.graph
        training = [n.name for n in g if n.op in FUSED_BN and n.attr("is_training") is True]
        if training:
            yield self.finding(
                f"{plural(len(training), 'FusedBatchNorm node')} run in training mode "
                f"(is_training=True): they normalise with batch statistics at inference and "
                f"TF-TRT does not convert them: {some(training)}",
                node=training[0], fix="Export with training=False so the moving mean and "
                                      "variance are used (and the node converts).",
                nodes=training)
        unfolded = []
        for node in g:
            if node.op in LINEAR_OPS:
                pair = unfolded_scale_shift(a, node)
                if pair:
                    unfolded.append((node.name, pair))
        if unfolded:
            engines = engine_of(a)
            inside = sum(1 for linear, _ in unfolded if linear in engines)
            yield self.finding(
                f"{plural(len(unfolded), 'convolution or matmul', 'convolutions or matmuls')} followed by a separate constant "
                f"scale and shift (an unfolded batch norm): {some(u[1][0] for u in unfolded)}; "
                f"{inside} of them in engines",
                node=unfolded[0][1][0], severity="info",
                fix="Fold batch norms into the weights before export (transform_graph "
                    "fold_batch_norms / fold_old_batch_norms, or the converter of your "
                    "framework).", nodes=[u[1] for u in unfolded])
        runtime = [n.name for n in g if n.op == "Rsqrt" and "batchnorm" in n.name.lower()
                   and n.inputs and n.inputs[0].node not in constant_nodes(a)]
        if runtime:
            yield self.finding(
                f"{plural(len(runtime), 'batch norm Rsqrt')} of a non-constant variance survive "
                f"constant folding: the statistics are computed at run time (training graph or "
                f"unfrozen variables): {some(runtime)}",
                node=runtime[0], fix="Freeze the graph in inference mode so the variance is a "
                                     "constant and folds away.", nodes=runtime)
