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


@check("ref_output_inside")
def ref_output_inside(ctx: NodeContext, p: dict) -> Result:
    """A member's tensor may not leave the engine for an input that takes a reference
    (a TF1 VariableV2 read by its Assign initializer or an Apply* optimizer op): the
    segment's function would need a ``_Retval`` of a ref type, TF 2.17 fails to
    register it and leaves the whole segment to TensorFlow.  Consumers that take the
    value (Identity, SaveV2, ...) are fine."""
    segment = getattr(ctx, "segment", None)
    if segment is None:
        return None
    for consumer in ctx.graph.consumers(ctx.node.name):
        if consumer.node not in segment and \
                input_takes_ref(ctx.graph, ctx.graph[consumer.node], consumer.dst_index):
            return _fail(consumer=consumer.node)
    return None


def input_takes_ref(graph, node, slot: int) -> bool:
    """Whether data input ``slot`` of ``node`` is a reference argument of its op."""
    entry = graph.registry.get(node.op) if graph.registry is not None else None
    if entry is None:
        return False
    start = 0
    for arg in entry["in"]:
        if "number_attr" in arg:
            size = node.attrs.get(arg["number_attr"])
        elif "type_list_attr" in arg:
            types = node.attrs.get(arg["type_list_attr"])
            size = len(types) if isinstance(types, list) else None
        else:
            size = 1
        if not isinstance(size, int):
            return False                 # cannot tell where the later arguments start
        if start <= slot < start + size:
            return bool(arg.get("is_ref"))
        start += size
    return False
