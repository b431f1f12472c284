"""Build-time predicates: what TF-TRT checks when it turns a segment into an engine.

Two kinds of context reach them:

* :class:`EngineView` — the engine as a whole: its inputs ``TensorRTInputPH_<k>``
  (numbered as TF-TRT numbers them) with the producers' static shapes.  The
  ``[engine_inputs]`` requirements of a rules file run on it.
* :class:`SegmentNodeContext` — one member node, knowing which nodes share its
  engine; build-stage requirements of the op rules run on it.  Inside an engine an
  Identity of a Const passes weights through, so constness looks through Identity.

Specified in docs/dev/tf1-tftrt.md, sections 5 and 8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ...graph.model import Graph, Node, TensorRef
from ...graph.tensors import Shape, format_shape
from ...shapes import ShapeMap
from ...target import Target
from ..context import NodeContext
from . import Result, _fail, check

#: checks TF-TRT makes when it marks the engine's outputs, after converting every node
OUTPUT_MARKING_CHECKS = frozenset({"output_not_weights"})


@dataclass(frozen=True)
class EngineInput:
    """``TensorRTInputPH_<slot>``: the outside tensor ``ref`` feeding the engine."""

    slot: int
    ref: TensorRef
    shape: Shape
    dtype: Optional[str]


@dataclass
class EngineView:
    """What the engine-level build checks see of one segment."""

    name: str
    members: frozenset[str]
    inputs: list[EngineInput]
    graph: Graph
    shapes: ShapeMap
    target: Target
    #: the node a failing check is about (engine-level checks: the engine)
    node: Optional[Node] = None


class SegmentNodeContext(NodeContext):
    """A member node at build time; ``segment`` holds every member's name."""

    def __init__(self, node: Node, graph: Graph, shapes: ShapeMap, target: Target,
                 segment: frozenset[str]) -> None:
        super().__init__(node, graph, shapes, target)
        self.segment = segment


# -- engine inputs ---------------------------------------------------------------------

@check("engine_input_dims_known")
def engine_input_dims_known(engine: EngineView, p: dict) -> Result:
    """Every engine input has all non-batch dims known (``zero_is_unknown``: and > 0,
    TF-TRT 1.15's static-mode test).  The first failing input is reported, as TF-TRT
    walks its inputs in port order."""
    zero_bad = bool(p.get("zero_is_unknown", False))
    for inp in engine.inputs:
        if inp.shape is None:
            continue
        for d in range(1, len(inp.shape)):
            size = inp.shape[d]
            if size < 0 or (zero_bad and size == 0):
                return _fail(slot=inp.slot, shape=format_shape(inp.shape), dim=d,
                             input=str(inp.ref))
    return None


@check("engine_inputs_same_batch")
def engine_inputs_same_batch(engine: EngineView, p: dict) -> Result:
    """Engine inputs whose dim 0 is known agree on it (TF-TRT's MaybeUpdateBatchSize)."""
    engine_batch: Optional[int] = None
    for inp in engine.inputs:
        if not inp.shape or inp.shape[0] < 0:
            continue
        if engine_batch is None:
            engine_batch = inp.shape[0]
        elif inp.shape[0] != engine_batch:
            return _fail(slot=inp.slot, batch=inp.shape[0], engine_batch=engine_batch,
                         input=str(inp.ref))
    return None


@check("segment_has_inputs")
def segment_has_inputs(engine: EngineView, p: dict) -> Result:
    """An engine needs at least one input tensor (everything constant folded away
    would leave none)."""
    return None if engine.inputs else _fail()


# -- member nodes --------------------------------------------------------------------------

@check("output_not_weights")
def output_not_weights(ctx: NodeContext, p: dict) -> Result:
    """An engine output must be a tensor: a member whose value is a Const's (an
    Identity of a Const) and which feeds a node outside the engine fails."""
    segment = getattr(ctx, "segment", None)
    if segment is None or not ctx.node.inputs or not ctx.input_is_const(0):
        return None
    leaves = any(c.node not in segment for c in ctx.graph.consumers(ctx.node.name))
    return _fail() if leaves else None
