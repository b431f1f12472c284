"""Control flow: TF1 Switch/Merge/Enter/Exit/NextIteration loops, TensorArrays,
TensorLists, and functional While/If/Case.

TF1 control-flow ops forward their input unchanged, so they forward its shape, value
and handle data.  ``Merge`` is handled by the driver (``infer.py``), which also
settles loop-carried shapes.  A TensorArray's element shape travels with its handle
(handle data) so that reads and gathers inside a loop know what they return.

Functional ``While``/``If``/``Case`` take their output shapes from the
``output_shapes`` attr when the exporter recorded it; a ``While`` without it is
assumed to keep its loop variables' shapes (TensorFlow's own convention).
"""

from __future__ import annotations

from ...graph.tensors import Shape
from ..handles import EMPTY, join_items, tensor_list
from ..registry import forwards_shape, shape_fn
from ..util import (ShapeError, concatenate, merge, merge_dim, relax, subshape,
                    with_rank_at_least)


def _forward_everything(ctx, outputs: int = 1):
    v = ctx.input_partial(0)
    h = ctx.input_handle(0)
    for i in range(outputs):
        if v is not None:
            ctx.set_value(i, v)
        if h is not None:
            ctx.set_handle(i, h)


forwards_shape("Switch", "RefSwitch", "_SwitchN", "Enter", "RefEnter", "Exit", "RefExit", "NextIteration",
               "RefNextIteration", "LoopCond")


@shape_fn("Switch", "RefSwitch")
def switch(ctx):
    ctx.with_rank(1, 0)
    _forward_everything(ctx, 2)
    s = ctx.input_shape(0)
    return [s, s]


@shape_fn("_SwitchN")
def switch_n(ctx):
    # The N-way Switch a lowered Case makes: every output is the data input.
    ctx.with_rank(1, 0)
    outputs = max(1, int(ctx.attr("num_outs", 1) or 1))
    _forward_everything(ctx, outputs)
    return [ctx.input_shape(0)] * outputs


@shape_fn("Enter", "RefEnter", "Exit", "RefExit", "NextIteration", "RefNextIteration",
          "LoopCond")
def forward_frame(ctx):
    # TensorFlow itself forgets a non-constant Enter's shape; the tensor is forwarded
    # unchanged, so its shape is the input's.
    _forward_everything(ctx)
    return [ctx.input_shape(0)]


# -- TensorArray (TF1 dynamic_rnn, while_loop) -------------------------------------------
def _element_shape_attr(ctx):
    s = ctx.attr("element_shape")
    return tuple(s) if s is not None else None


def _ta_element(ctx, i: int = 0):
    h = ctx.input_handle(i)
    if h is not None and h[0] == "tensor_array":
        return h[1]
    return None


@shape_fn("TensorArrayV3", "TensorArrayV2", "TensorArray")
def tensor_array(ctx):
    ctx.with_rank(0, 0)
    # A TensorArray that cannot grow keeps the size it was made with.
    size = None if ctx.attr("dynamic_size", False) else ctx.input_scalar(0)
    element = _element_shape_attr(ctx)
    if ctx.grappler:
        # TensorFlow gives the handle an element shape only when it is fully known or
        # all elements are declared identical; its unknown dims are made here, once,
        # and every read returns them.
        if ctx.op != "TensorArrayV3":
            return [(2,)] if ctx.op == "TensorArrayV2" else [None]
        identical = bool(ctx.attr("identical_element_shapes", False))
        if element is None:
            if identical:  # an element shape of unknown rank, with an identity
                ctx.set_handle(0, ("tensor_array", None, None, ctx.new_shape_id()))
        else:
            element = tuple(ctx.new_dim() if d < 0 else d for d in element)
            if identical or all(d >= 0 for d in element):
                ctx.set_handle(0, ("tensor_array", element, None, None))
        return [(2,), ()]
    ctx.set_handle(0, ("tensor_array", element, None if size is None else int(size)))
    if ctx.op == "TensorArrayV3":
        return [(2,), ()]
    return [(2,)]


@shape_fn("TensorArrayGradV3", "TensorArrayGradWithShape")
def tensor_array_grad(ctx):
    h = ctx.input_handle(0)
    if h is not None:
        ctx.set_handle(0, h)
    return [(2,), ()]


@shape_fn("TensorArrayGradV2", "TensorArrayGrad")
def tensor_array_grad_v2(ctx):
    return [(2,)]


def _ta_element_ref(ctx) -> tuple:
    """Grappler: the element shape a TensorArray handle carries, as a merge operand
    (("u", None) when the handle carries none)."""
    h = ctx.input_handle(0)
    if h is None or h[0] != "tensor_array":
        return ("u", None)
    if h[1] is not None:
        return ("k", h[1])
    return ("u", h[3] if len(h) > 3 else None)


@shape_fn("TensorArrayReadV3", "TensorArrayReadV2", "TensorArrayRead")
def tensor_array_read(ctx):
    if ctx.grappler:
        if ctx.op != "TensorArrayReadV3":
            return [None]
        kind, element = _ta_element_ref(ctx)
        return [element if kind == "k" else ctx.unknown_shape_as(0, element)]
    return [_ta_element(ctx)]


@shape_fn("TensorArrayGatherV3", "TensorArrayGatherV2", "TensorArrayGather")
def tensor_array_gather(ctx):
    indices = ctx.with_rank(1, 1)
    if ctx.grappler:
        if ctx.op != "TensorArrayGatherV3":
            return [None]
        h = ctx.input_handle(0)
        elem = h[1] if h is not None and h[0] == "tensor_array" else _element_shape_attr(ctx)
        return [concatenate(indices, elem)]
    elem = merge(_element_shape_attr(ctx), _ta_element(ctx))
    return [concatenate(indices, elem)]


@shape_fn("TensorArrayConcatV3", "TensorArrayConcatV2", "TensorArrayConcat")
def tensor_array_concat(ctx):
    if ctx.grappler:
        return [None, (-1,)] if ctx.op != "TensorArrayConcat" else [None, None]
    rest = ctx.attr("element_shape_except0")
    rest = tuple(rest) if rest is not None else None
    return [concatenate((-1,), rest), (-1,)]


@shape_fn("TensorArrayWriteV3", "TensorArrayWriteV2", "TensorArrayWrite",
          "TensorArrayScatterV3", "TensorArrayScatterV2", "TensorArrayScatter",
          "TensorArraySplitV3", "TensorArraySplitV2", "TensorArraySplit")
def tensor_array_scalar(ctx):
    if ctx.grappler:
        _state_element(ctx)
    return [()]


def _state_element(ctx) -> None:
    """What a write or scatter states (grappler unifies): the value is an element
    (write), or the indices count the value's rows and each row is an element
    (scatter)."""
    element = _ta_element_ref(ctx)
    has_element = ctx.input_handle(0) is not None and (element[0] == "k" or
                                                       element[1] is not None)
    if ctx.op == "TensorArrayWriteV3":
        if has_element:
            ctx.merge_shapes(element, ctx.input_shape_ref(2))
    elif ctx.op == "TensorArrayScatterV3":
        indices = ctx.with_rank(1, 1)
        value = ctx.input_shape(2)
        if value is None:
            return
        if len(value) < 1:
            raise ShapeError("scattered value must have rank >= 1")
        merge_dim(value[0], indices[0])
        if has_element:
            ctx.merge_shapes(element, ("k", tuple(value[1:])))


@shape_fn("TensorArraySizeV3", "TensorArraySizeV2", "TensorArraySize")
def tensor_array_size(ctx):
    h = ctx.input_handle(0)
    if h is not None and h[0] == "tensor_array" and h[2] is not None:
        ctx.set_value(0, [h[2]])  # what TensorArray.stack() gathers: range(size)
    return [()]


@shape_fn("TensorArrayCloseV3", "TensorArrayCloseV2", "TensorArrayClose")
def tensor_array_close(ctx):
    return []


# -- TensorList (TF2 while loops) --------------------------------------------------------
def _list(ctx, i: int = 0):
    """The list handle data of input ``i`` (see ``handles.py``), or None."""
    h = ctx.input_handle(i)
    return h if h is not None and h[0] == "tensor_list" else None


def _tl_element(ctx, i: int = 0) -> Shape:
    """Shape of an element: the declared shape sharpened by what was written."""
    h = _list(ctx, i)
    if h is None:
        return None
    return h[1] if h[3] == EMPTY else merge(h[1], h[3])


def _tl_length(ctx, i: int = 0) -> int:
    h = _list(ctx, i)
    return h[2] if h is not None and h[2] is not None else -1


@shape_fn("TensorListReserve", "EmptyTensorList")
def tensor_list_reserve(ctx):
    elem = ctx.shape_from_tensor(0, scalar_means_unknown=True)
    length = ctx.input_scalar(1) if ctx.op == "TensorListReserve" else 0
    ctx.set_handle(0, tensor_list(elem, None if length is None or int(length) < 0
                                  else int(length)))
    return [()]


@shape_fn("TensorListFromTensor")
def tensor_list_from_tensor(ctx):
    t = with_rank_at_least(ctx.input_shape(0), 1)
    declared = ctx.shape_from_tensor(1, scalar_means_unknown=True)
    length = None if t is None or t[0] < 0 else t[0]
    ctx.set_handle(0, tensor_list(declared, length, subshape(t, 1)))
    return [()]


@shape_fn("TensorListSetItem", "TensorListPushBack", "TensorListResize",
          "TensorListScatterIntoExistingList")
def tensor_list_update(ctx):
    h = _list(ctx)
    if h is not None:
        _, elem, length, items = h
        if ctx.op == "TensorListSetItem":
            items = join_items(items, ctx.input_shape(2))
            if ctx.attr("resize_if_index_out_of_bounds", False):
                length = None
        elif ctx.op == "TensorListPushBack":
            items = join_items(items, ctx.input_shape(1))
            length = None if length is None else length + 1
        elif ctx.op == "TensorListResize":
            size = ctx.input_scalar(1)
            length = None if size is None else int(size)
        else:  # scattering: data-dependent indices and items
            length, items = None, None
        ctx.set_handle(0, tensor_list(elem, length, items))
    return [()]


@shape_fn("TensorListGetItem")
def tensor_list_get_item(ctx):
    declared = ctx.shape_from_tensor(2, scalar_means_unknown=True)
    return [merge(_tl_element(ctx), declared)]


@shape_fn("TensorListPopBack")
def tensor_list_pop_back(ctx):
    h = _list(ctx)
    declared = ctx.shape_from_tensor(1, scalar_means_unknown=True)
    item = merge(_tl_element(ctx), declared)
    if h is not None:
        length = None if h[2] is None or h[2] <= 0 else h[2] - 1
        ctx.set_handle(0, tensor_list(h[1], length, h[3]))
    return [(), item]


@shape_fn("TensorListStack")
def tensor_list_stack(ctx):
    elem = merge(_tl_element(ctx), ctx.shape_from_tensor(1, scalar_means_unknown=True))
    n = int(ctx.attr("num_elements", -1))
    n = merge_dim(n if n >= 0 else -1, _tl_length(ctx))
    return [concatenate((n,), elem)]


@shape_fn("TensorListGather")
def tensor_list_gather(ctx):
    indices = ctx.with_rank(1, 1)
    elem = merge(_tl_element(ctx), ctx.shape_from_tensor(2, scalar_means_unknown=True))
    return [concatenate(indices, elem)]


@shape_fn("TensorListLength")
def tensor_list_length(ctx):
    n = _tl_length(ctx)
    if n >= 0:
        ctx.set_value(0, [n])
    return [()]


@shape_fn("TensorListElementShape")
def tensor_list_element_shape(ctx):
    elem = _tl_element(ctx)
    if elem is None:
        return [(-1,)]
    ctx.set_value(0, [d if d >= 0 else None for d in elem])
    return [(len(elem),)]


# -- functional control flow -------------------------------------------------------------
def _declared_outputs(ctx):
    shapes = ctx.attr("output_shapes")
    if not shapes:
        return None
    return [tuple(s) if s is not None else None for s in shapes]


@shape_fn("While", "StatelessWhile", "_While")
def while_op(ctx):
    declared = _declared_outputs(ctx)
    if declared is not None:
        return declared
    n = ctx.num_outputs if ctx.num_outputs is not None else ctx.num_inputs
    return [ctx.input_shape(i) for i in range(n)]


@shape_fn("If", "StatelessIf", "Case", "StatelessCase", "_If")
def if_op(ctx):
    declared = _declared_outputs(ctx)
    if declared is not None:
        return declared
    return None


@shape_fn("OptionalFromValue", "OptionalNone", "OptionalHasValue")
def optional_scalar(ctx):
    return [()]


@shape_fn("OptionalGetValue", "IteratorGetNext", "IteratorGetNextSync")
def declared_output_shapes(ctx):
    declared = _declared_outputs(ctx)
    return declared


@shape_fn("Merge", "RefMerge")
def merge_op(ctx):
    """A ``Merge`` outside the driver: the relaxation of its inputs, and the index of
    the input that arrived.  (``infer.py`` handles Merge itself, back edges included.)"""
    shapes = ctx.input_shapes()
    out = shapes[0] if shapes else None
    for s in shapes[1:]:
        out = relax(out, s)
    return [out, ()]
