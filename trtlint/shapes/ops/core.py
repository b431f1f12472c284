"""Sources, pass-throughs and the ops that describe shapes (Shape, Size, Rank, Fill).

Sources
    ``Const`` knows its shape; ``Placeholder`` its declared shape (but see
    :func:`placeholder`); variables their ``shape`` attr.
Pass-throughs
    ``Identity`` and friends forward shape, value and handle data unchanged.
Shape ops
    ``Shape``/``Size``/``Rank`` record their *value* too, so that the shape arithmetic
    built on them (``Shape -> StridedSlice -> Pack -> Reshape``) folds.
"""

from __future__ import annotations

from ..registry import forwards_shape, shape_fn
from ..util import is_fully_defined, num_elements
from .folding import cast_value


def _output_dtype(ctx, i: int = 0):
    from ...graph.model import TensorRef

    return ctx.graph.output_dtype(TensorRef(ctx.node.name, i))


@shape_fn("Const", "HostConst")
def const(ctx):
    value = ctx.node.value
    if value is None:
        if ctx.node.attrs.get("_scalar") is not None:  # a scalar the loader made up
            return [()]
        # a frozen variable whose value lives in variables/
        shape = ctx.attr("_variable_shape")
        return [tuple(shape) if shape is not None else None]
    # The value itself is decoded lazily by ShapeContext.input_value when a consumer
    # asks for it: most constants are weights nobody folds.
    return [value.shape]


@shape_fn("Placeholder", "PlaceholderV2")
def placeholder(ctx):
    shape = ctx.attr("shape")
    if shape is None:
        return [None]
    shape = tuple(shape)
    # GraphDefs written before producer version 22 could not tell "scalar" from
    # "unknown" in this attr; TensorFlow reads an empty shape there as unknown.  A
    # GraphDef without versions counts as producer 0.
    producer = ctx.graph.producer or 0
    if len(shape) == 0 and producer <= 21:
        return [None]
    return [shape]


@shape_fn("PlaceholderWithDefault")
def placeholder_with_default(ctx):
    # The declared shape, not the default's: a fed value may differ from the default.
    # TensorFlow still merges the two (a compatibility check), which grappler takes as
    # "the same dims": the output's unknown dims become the default's.
    shape = ctx.attr("shape")
    if shape is None:
        if not ctx.grappler:
            return [None]
        # merged with an unknown rank, the output is the default's shape
        return [ctx.same_shape(0, 0)]
    out = tuple(ctx.new_dim() if d < 0 else d for d in shape)
    ctx.merge_shapes(ctx.input_shape_ref(0), ("k", out))
    return [out]


@shape_fn("VariableV2", "Variable", "TemporaryVariable")
def variable(ctx):
    shape = ctx.attr("shape")
    if shape is None:
        return [None]
    shape = tuple(shape)
    if ctx.op == "Variable" and len(shape) == 0:
        return [None]  # legacy Variable: an empty shape means "unknown"
    return [shape]


@shape_fn("VarHandleOp", "_VarHandlesOp")
def var_handle(ctx):
    shape = ctx.attr("shape")
    ctx.set_handle(0, ("shape", tuple(shape) if shape is not None else None))
    return [()]


@shape_fn("ReadVariableOp", "_ReadVariablesOp")
def read_variable(ctx):
    handle = ctx.input_handle(0)
    if handle is not None and handle[0] == "shape":
        return [handle[1]]
    return [None]


@shape_fn("VarIsInitializedOp", "IsVariableInitialized", "DestroyResourceOp")
def scalar_bool(ctx):
    return [()] if ctx.num_outputs != 0 else []


# -- pass-through ----------------------------------------------------------------------
_FORWARDING = ("Identity", "Snapshot", "StopGradient", "PreventGradient", "CheckNumerics",
               "CheckNumericsV2", "RefIdentity", "DebugIdentity", "DebugIdentityV2",
               "DeepCopy", "_Retval", "Print", "DisableCopyOnRead", "GuaranteeConst")


forwards_shape(*_FORWARDING)
forwards_shape("Cast", "ZerosLike", "OnesLike")
forwards_shape("IdentityN", each=True)


@shape_fn(*_FORWARDING)
def forward(ctx):
    v = ctx.input_partial(0)
    if v is not None:
        ctx.set_value(0, v)
    h = ctx.input_handle(0)
    if h is not None:
        ctx.set_handle(0, h)
    if ctx.op == "DisableCopyOnRead":
        return []
    return [ctx.input_shape(0)]


@shape_fn("IdentityN")
def identity_n(ctx):
    n = ctx.num_outputs if ctx.num_outputs is not None else ctx.num_inputs
    out = []
    for i in range(n):
        out.append(ctx.input_shape(i))
        v = ctx.input_partial(i)
        if v is not None:
            ctx.set_value(i, v)
        h = ctx.input_handle(i)
        if h is not None:
            ctx.set_handle(i, h)
    return out


@shape_fn("EnsureShape")
def ensure_shape(ctx):
    declared = ctx.attr("shape")
    declared_ref = ("k", tuple(declared)) if declared is not None else ("u", None)
    kind, out = ctx.merge_shapes(ctx.input_shape_ref(0), declared_ref)
    if kind == "u":
        out = ctx.same_shape(0, 0)
    v = ctx.input_partial(0)
    if v is not None:
        ctx.set_value(0, v)
    return [out]


@shape_fn("Cast")
def cast(ctx):
    v = ctx.input_partial(0)
    if v is not None:
        try:
            cv = cast_value(v, ctx.attr("DstT"))
        except (ValueError, OverflowError):
            cv = None
        if cv is not None:
            ctx.set_value(0, cv)
    return [ctx.input_shape(0)]


# -- shapes as values ------------------------------------------------------------------
@shape_fn("Shape")
def shape_op(ctx):
    s = ctx.input_shape(0)
    if s is None:
        return [(-1,)]
    ctx.set_value(0, [d if d >= 0 else None for d in s])
    return [(len(s),)]


@shape_fn("ShapeN")
def shape_n(ctx):
    out = []
    for i in range(ctx.num_inputs):
        s = ctx.input_shape(i)
        if s is None:
            out.append((-1,))
            continue
        ctx.set_value(i, [d if d >= 0 else None for d in s])
        out.append((len(s),))
    return out


@shape_fn("Size")
def size_op(ctx):
    n = num_elements(ctx.input_shape(0))
    if n >= 0:
        ctx.set_value(0, [n])
    return [()]


@shape_fn("Rank")
def rank_op(ctx):
    s = ctx.input_shape(0)
    if s is not None:
        ctx.set_value(0, [len(s)])
    return [()]


@shape_fn("Fill")
def fill(ctx):
    ctx.with_rank(1, 0)
    shape = ctx.shape_from_tensor(0)
    if is_fully_defined(shape):
        fill_value = ctx.input_partial(1)
        n = num_elements(shape)
        if fill_value is not None and n <= 1024:
            ctx.set_value(0, list(fill_value) * n)
    return [shape]


@shape_fn("ZerosLike", "OnesLike")
def zeros_like(ctx):
    shape = ctx.input_shape(0)
    if is_fully_defined(shape):
        n = num_elements(shape)
        dtype = _output_dtype(ctx)
        if n <= 1024 and dtype is not None:
            one = 0 if ctx.op == "ZerosLike" else 1
            v = cast_value([one] * n, dtype)
            if v is not None:
                ctx.set_value(0, v)
    h = ctx.input_handle(0)
    if h is not None:
        ctx.set_handle(0, h)
    return [shape]


@shape_fn("Empty")
def empty(ctx):
    return [ctx.shape_from_tensor(0)]


# -- ops without outputs ---------------------------------------------------------------
@shape_fn("NoOp", "Assert", "SaveV2", "Save", "SaveSlices", "PrintV2", "ControlTrigger",
          "MergeV2Checkpoints", "AssignVariableOp", "AssignAddVariableOp",
          "AssignSubVariableOp", "InitializeTableV2", "InitializeTableFromTextFileV2",
          "LookupTableImportV2", "LookupTableInsertV2", "LookupTableRemoveV2",
          "ResourceScatterAdd", "ResourceScatterUpdate", "ResourceApplyGradientDescent",
          "ResourceApplyAdam", "ResourceApplyMomentum", "WriteScalarSummary",
          "WriteHistogramSummary", "WriteImageSummary", "WriteAudioSummary",
          "WriteSummary", "WriteGraphSummary", "FlushSummaryWriter", "CreateSummaryFileWriter",
          "CloseSummaryWriter", "InitializeTableFromTextFile", "InitializeTable",
          "LookupTableImport", "LookupTableInsert", "TPUReplicateMetadata")
def no_outputs(ctx):
    return []


# -- variables and their updates -------------------------------------------------------
def _merged_inputs(ctx, first: int, second: int):
    """The shape of ``Merge(input(first), input(second))`` as an output of this node."""
    a, b = ctx.input_shape_ref(first), ctx.input_shape_ref(second)
    kind, out = ctx.merge_shapes(a, b)
    if kind == "k":
        return out
    return ctx.same_shape(0, first if b[0] == "u" else second)


@shape_fn("Assign")
def assign(ctx):
    if ctx.attr("validate_shape", True):
        return [_merged_inputs(ctx, 0, 1)]
    return [ctx.same_shape(0, 1)]


@shape_fn("AssignAdd", "AssignSub", "ScatterUpdate", "ScatterAdd", "ScatterSub",
          "ScatterMul", "ScatterDiv", "ScatterMin", "ScatterMax", "ScatterNdUpdate",
          "ScatterNdAdd", "ScatterNdSub", "CountUpTo")
def ref_update(ctx):
    if ctx.op in ("AssignAdd", "AssignSub"):
        return [_merged_inputs(ctx, 0, 1)]
    return [ctx.same_shape(0, 0)]


def _apply_shape(*merge_inputs):
    def fn(ctx):
        cur = ctx.input_shape_ref(0)
        for i in merge_inputs:
            cur = ctx.merge_shapes(cur, ctx.input_shape_ref(i))
        return [cur[1] if cur[0] == "k" else ctx.same_shape(0, 0)]

    return fn


shape_fn("ApplyGradientDescent")(_apply_shape(2))
shape_fn("ApplyMomentum")(_apply_shape(1, 3))
shape_fn("ApplyAdam")(_apply_shape(1, 2, 9))
shape_fn("ApplyAdagrad")(_apply_shape(1, 3))
shape_fn("ApplyRMSProp")(_apply_shape(1, 2, 7))
shape_fn("ApplyFtrl", "ApplyFtrlV2")(_apply_shape(1, 2, 3))
shape_fn("ApplyAdadelta")(_apply_shape(1, 2, 6))
shape_fn("ApplyProximalGradientDescent")(_apply_shape(4))
shape_fn("ApplyCenteredRMSProp")(_apply_shape(1, 2, 3, 8))
