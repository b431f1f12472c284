"""Random TensorFlow graphs for the differential tests: hypothesis strategies and a builder.

A :class:`Program` is drawn without TensorFlow -- placeholders, a pool of constants, a list
of steps, the fetched tensors -- and printed as a readable listing, which is what hypothesis
shows for a (shrunk) failing example::

    x0 = Placeholder(float32, [?, ?, 8])
    c2 = Const(float32, [8, 4])
    t1 = transpose_batch(x0)                       # [?, ?, 8]   batch changes
    t2 = reduce(t1, op=Max, keepdims=False)   after x0 # [?, ?]
    t3 = reshape_fold(t1)                          # [?, 8]   batch changes
    t4 = matmul(t3, c2)                            # [?, 4]
    fetch: t4 (as Identity out_0), t2

(``after x0``: a control dependency on x0's op.)

:func:`build_graph` turns it into a GraphDef with TensorFlow 2.17 in graph mode (TF1 style,
what a frozen graph is), deterministically: the same program gives the same bytes, so the
oracle cache is hit on the next run.

What the steps cover: ops TF-TRT converts (activations, unary math, binary ops against
tensors and shared Consts, MatMul, BiasAdd, Conv2D, MaxPool, reductions -- down to a
scalar --, Softmax, ConcatV2, Pack, ExpandDims, Squeeze, StridedSlice, GatherV2, SelectV2,
Casts) and ops it does not (Cumsum, Cumprod, int64 ArgMax); int32 tensors and shape
arithmetic (Shape -> StridedSlice -> Mul -> Pack -> Reshape, Rank -> Range axes); unknown
dims from ``[?, ?, C]`` placeholders and unknown rank; Reshapes and Transposes that keep or
change the batch dimension; Identity chains; control dependencies; several fetches, bare
or through an Identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from hypothesis import strategies as st

Shape = tuple  # of int or None (unknown)

UNARY = ("Relu", "Tanh", "Sigmoid", "Abs", "Exp", "Neg", "Sqrt", "Relu6", "Softplus")
UNSUPPORTED = ("Cumsum", "Cumprod")
BINARY = ("Add", "Mul", "Sub", "Maximum")
REDUCE = ("Sum", "Mean", "Max")


def _fmt(shape: Optional[Shape]) -> str:
    if shape is None:
        return "<unknown rank>"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


@dataclass(frozen=True)
class Tensor:
    name: str
    shape: Shape
    dtype: str = "float32"


@dataclass(frozen=True)
class Const:
    name: str
    shape: Shape

    def __str__(self) -> str:
        return f"{self.name} = Const(float32, {_fmt(self.shape)})"


@dataclass(frozen=True)
class Step:
    out: str
    op: str                        # a step kind, see _apply in build_graph
    args: tuple                    # tensor / const names
    shape: Shape
    params: tuple = ()             # (key, value) pairs
    after: Optional[str] = None    # control dependency on this tensor's op
    note: str = ""

    def __str__(self) -> str:
        params = "".join(f", {k}={v}" for k, v in self.params)
        text = f"{self.out} = {self.op}({', '.join(self.args)}{params})"
        if self.after:
            text += f"   after {self.after}"
        text = f"{text:<46} # {_fmt(self.shape)}"
        return text + (f"   {self.note}" if self.note else "")


@dataclass
class Program:
    inputs: list[Tensor]
    consts: list[Const]
    steps: list[Step]
    fetch: list[tuple[str, bool]] = field(default_factory=list)   # (tensor, wrapped in Identity)

    def used_consts(self) -> list[Const]:
        used = {a for s in self.steps for a in s.args}
        return [c for c in self.consts if c.name in used]

    def fetch_names(self) -> list[str]:
        """The graph's fetch node names, as :func:`build_graph` names them."""
        return [f"out_{k}" if wrapped else name for k, (name, wrapped) in enumerate(self.fetch)]

    def __repr__(self) -> str:
        lines = [f"{t.name} = Placeholder({t.dtype}, {_fmt(t.shape)})" for t in self.inputs]
        lines += [str(c) for c in self.used_consts()]
        lines += [str(s) for s in self.steps]
        fetched = ", ".join(f"{n} (as Identity out_{k})" if w else n
                            for k, (n, w) in enumerate(self.fetch))
        lines.append(f"fetch: {fetched}")
        return "\n" + "\n".join(lines)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # hypothesis prints a failing example with its own pretty printer, which spells a
        # dataclass out field by field unless it defines this (IPython's) hook
        printer.text(repr(self))


# -- drawing -----------------------------------------------------------------------------------
INPUT_SHAPES = (
    (None, 8), (None, 4), (None, 3, 8), (None, 6, 4), (None, None, 8), (None, None, 4),
    (2, 3, 8), (None, 2, 3, 4), (None, 4, 4, 8), None,       # None: unknown rank
)
CONST_SHAPES = ((), (4,), (8,), (8, 4), (4, 8), (8, 8), (4, 4))


def _known(d) -> bool:
    return d is not None


def _rest(shape: Shape):
    """Product of the non-batch dims, None if one is unknown."""
    out = 1
    for d in shape[1:]:
        if not _known(d):
            return None
        out *= d
    return out


def _candidates(kind: str, pool: list[Tensor], consts: list[Const]) -> list[tuple]:
    """Every (args, shape, dtype) ``kind`` can take from the pool, newest tensors first
    (hypothesis shrinks towards index 0, so shrunk examples stay chains)."""
    out = []
    for i in range(len(pool) - 1, -1, -1):
        t = pool[i]
        s, f = t.shape, t.dtype == "float32"
        r = None if s is None else len(s)
        last = s[-1] if r else None
        if kind == "identity":
            out.append(((t.name,), s, t.dtype))
        if not f:
            if kind == "int_math" and t.dtype == "int32":
                out.append(((t.name,), s, "int32"))
            elif kind == "cast_float":
                out.append(((t.name,), s, "float32"))
            continue
        if kind in ("unary", "unsupported") and (r is None or r >= 1):
            out.append(((t.name,), s, "float32"))
        elif kind == "binary_const":
            for c in consts:
                if c.shape == () or (len(c.shape) == 1 and r and _known(last) and c.shape[0] == last):
                    out.append(((t.name, c.name), s, "float32"))
        elif kind == "binary_pair" and s is not None:
            for u in pool[:i]:
                if u.shape == s and u.dtype == "float32":
                    out.append(((t.name, u.name), s, "float32"))
        elif r is None:
            continue
        elif kind == "matmul" and r == 2 and _known(last):
            for c in consts:
                if len(c.shape) == 2 and c.shape[0] == last:
                    out.append(((t.name, c.name), (s[0], c.shape[1]), "float32"))
        elif kind == "bias_add" and r >= 2 and _known(last):
            for c in consts:
                if c.shape == (last,):
                    out.append(((t.name, c.name), s, "float32"))
        elif kind == "reshape_keep" and r == 3 and _known(s[1]) and _known(s[2]):
            out.append(((t.name,), (s[0], s[1] * s[2]), "float32"))
        elif kind == "reshape_fold" and r == 3 and _known(last):
            out.append(((t.name,), (None, last), "float32"))
        elif kind == "reshape_by_shape" and r >= 2:
            out.append(((t.name,), (s[0], _rest(s)), "float32"))
        elif kind == "reshape_double_batch" and r >= 2:
            out.append(((t.name,), (None, None), "float32"))
        elif kind in ("transpose_keep", "transpose_batch") and r == 3:
            perm = (0, 2, 1) if kind == "transpose_keep" else (1, 0, 2)
            out.append(((t.name,), tuple(s[p] for p in perm), "float32"))
        elif kind == "reduce" and r >= 2:
            out.append(((t.name,), s[:-1], "float32"))
        elif kind == "reduce_all" and r >= 1:
            out.append(((t.name,), (), "float32"))
        elif kind == "softmax" and r >= 2:
            out.append(((t.name,), s, "float32"))
        elif kind == "concat" and r >= 2 and _known(last):
            for u in pool[:i]:
                if u.dtype == "float32" and u.shape is not None and len(u.shape) == r \
                        and u.shape[:-1] == s[:-1] and _known(u.shape[-1]):
                    out.append(((t.name, u.name), s[:-1] + (last + u.shape[-1],), "float32"))
        elif kind == "pack" and r >= 1:
            for u in pool[:i]:
                if u.dtype == "float32" and u.shape == s:
                    out.append(((t.name, u.name), s[:1] + (2,) + s[1:], "float32"))
        elif kind == "expand_dims" and 1 <= r <= 3:
            out.append(((t.name,), s[:1] + (1,) + s[1:], "float32"))
        elif kind == "squeeze" and 1 in s[1:]:
            axis = s.index(1, 1)
            out.append(((t.name,), s[:axis] + s[axis + 1:], "float32"))
        elif kind == "slice" and r >= 2 and _known(s[1]) and s[1] >= 2:
            out.append(((t.name,), s[:1] + (s[1] - 1,) + s[2:], "float32"))
        elif kind == "gather" and r >= 2 and _known(s[1]) and s[1] >= 2:
            out.append(((t.name,), s[:1] + (2,) + s[2:], "float32"))
        elif kind == "conv2d" and r == 4 and _known(last):
            out.append(((t.name,), s[:3] + (4,), "float32"))
        elif kind == "pool" and r == 4 and all(_known(d) and d >= 2 for d in s[1:3]):
            out.append(((t.name,), (s[0], s[1] // 2, s[2] // 2, s[3]), "float32"))
        elif kind == "select" and r >= 1:
            for u in pool[:i]:
                if u.dtype == "float32" and u.shape == s:
                    out.append(((t.name, u.name), s, "float32"))
        elif kind == "argmax" and r >= 2:
            out.append(((t.name,), s[:-1], "int64"))
        elif kind == "cast_int":
            out.append(((t.name,), s, "int32"))
    return out


KINDS = ("unary", "unary", "unsupported", "binary_const", "binary_const", "binary_pair",
         "matmul", "bias_add", "reshape_keep", "reshape_fold", "reshape_by_shape",
         "reshape_double_batch", "transpose_keep", "transpose_batch", "reduce", "reduce_all",
         "softmax", "concat", "pack", "identity", "expand_dims", "squeeze", "slice", "gather",
         "conv2d", "pool", "select", "argmax", "cast_int", "int_math", "cast_float")
NOTES = {"reshape_fold": "batch changes", "reshape_double_batch": "batch changes (int32 math)",
         "transpose_batch": "batch changes", "reshape_by_shape": "int32 shape math",
         "reduce_all": "scalar", "argmax": "int64"}


@st.composite
def programs(draw, min_steps: int = 3, max_steps: int = 12) -> Program:
    """A random graph program (see the module docstring).  At least three steps: with
    grappler on, TF-TRT never sees a graph of fewer than 4 nodes (min_graph_nodes; a
    known difference, see known_differences.toml 005)."""
    n_inputs = draw(st.integers(1, 2))
    inputs = [Tensor(f"x{i}", draw(st.sampled_from(INPUT_SHAPES))) for i in range(n_inputs)]
    consts = [Const(f"c{i}", shape) for i, shape in
              enumerate(draw(st.lists(st.sampled_from(CONST_SHAPES), min_size=1, max_size=4)))]
    pool: list[Tensor] = list(inputs)
    steps: list[Step] = []
    for k in range(1, draw(st.integers(min_steps, max_steps)) + 1):
        kind = draw(st.sampled_from([k for k in KINDS if _candidates(k, pool, consts)]))
        options = _candidates(kind, pool, consts)
        # mostly build on the newest tensors (deep chains make engines), sometimes anywhere
        recent = draw(st.integers(0, 4)) > 0
        args, shape, dtype = options[draw(st.integers(0, min(len(options), 2 if recent else 99) - 1))]
        params: tuple = ()
        if kind == "unary":
            params = (("op", draw(st.sampled_from(UNARY))),)
        elif kind == "unsupported":
            params = (("op", draw(st.sampled_from(UNSUPPORTED))),)
        elif kind in ("binary_const", "binary_pair"):
            params = (("op", draw(st.sampled_from(BINARY))),)
        elif kind == "reduce":
            keep = draw(st.booleans())
            params = (("op", draw(st.sampled_from(REDUCE))), ("keepdims", keep))
            if keep:
                shape = shape + (1,)
        elif kind == "identity":
            params = (("n", draw(st.integers(1, 3))),)
        elif kind == "int_math":
            params = (("op", draw(st.sampled_from(("AddV2", "Mul", "Maximum")))),)
        elif kind == "reduce_all":
            params = (("op", draw(st.sampled_from(REDUCE))),)
        after = None
        if len(pool) > 1 and draw(st.integers(0, 5)) == 0:      # a control dependency, now and then
            after = draw(st.sampled_from([t.name for t in pool if t.name not in args] or [None]))
        name = f"t{k}"
        note = NOTES.get(kind, "") if dtype == "float32" else f"{dtype} {NOTES.get(kind, '')}".strip()
        steps.append(Step(name, kind, args, shape, params, after, note))
        pool.append(Tensor(name, shape, dtype))
    produced = [s.out for s in steps]
    extra = draw(st.lists(st.sampled_from(produced), max_size=2, unique=True))
    fetched = [produced[-1]] + [n for n in extra if n != produced[-1]]
    fetch = [(n, draw(st.booleans())) for n in fetched]
    return Program(inputs, consts, steps, fetch)


# -- building with TensorFlow -------------------------------------------------------------------
def build_graph(program: Program):
    """The program as a ``tf.compat.v1.GraphDef`` (TensorFlow imported here, lazily)."""
    import numpy as np
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        tensors = {t.name: v1.placeholder(tf.float32, None if t.shape is None else list(t.shape),
                                          name=t.name)
                   for t in program.inputs}
        for i, c in enumerate(program.used_consts()):
            values = np.random.RandomState(i).uniform(0.5, 1.5, c.shape).astype("float32")
            tensors[c.name] = tf.constant(values, name=c.name)
        for step in program.steps:
            args = [tensors[a] for a in step.args]
            deps = [tensors[step.after].op] if step.after else []
            with tf.control_dependencies(deps):
                tensors[step.out] = _apply(tf, step, args)
        for k, (name, wrapped) in enumerate(program.fetch):
            if wrapped:
                tf.identity(tensors[name], name=f"out_{k}")
    return graph.as_graph_def()


def _apply(tf, step: Step, args: list):
    import numpy as np

    params = dict(step.params)
    name = step.out
    kind = step.op
    if kind == "unary":
        op = getattr(tf.raw_ops, params["op"])
        key = "features" if params["op"] in ("Relu", "Relu6", "Softplus") else "x"
        return op(**{key: args[0]}, name=name)
    if kind == "unsupported":
        op = getattr(tf.raw_ops, params["op"])
        return op(x=args[0], axis=tf.constant(-1, name=f"{name}/axis"), name=name)
    if kind in ("binary_const", "binary_pair"):
        op = {"Add": tf.raw_ops.AddV2}.get(params["op"]) or getattr(tf.raw_ops, params["op"])
        return op(x=args[0], y=args[1], name=name)
    if kind == "matmul":
        return tf.raw_ops.MatMul(a=args[0], b=args[1], name=name)
    if kind == "bias_add":
        return tf.raw_ops.BiasAdd(value=args[0], bias=args[1], name=name)
    if kind == "reshape_keep":
        return tf.reshape(args[0], [-1, step.shape[1]], name=name)
    if kind == "reshape_fold":
        return tf.reshape(args[0], [-1, step.shape[1]], name=name)
    if kind == "reshape_by_shape":
        shape = tf.shape(args[0], name=f"{name}/shape")
        batch = tf.strided_slice(shape, [0], [1], shrink_axis_mask=1, name=f"{name}/batch")
        target = tf.stack([batch, tf.constant(-1, name=f"{name}/rest")], name=f"{name}/target")
        return tf.reshape(args[0], target, name=name)
    if kind == "reshape_double_batch":
        shape = tf.shape(args[0], name=f"{name}/shape")
        batch = tf.strided_slice(shape, [0], [1], shrink_axis_mask=1, name=f"{name}/batch")
        doubled = tf.multiply(batch, 2, name=f"{name}/doubled")
        target = tf.stack([doubled, tf.constant(-1, name=f"{name}/rest")], name=f"{name}/target")
        return tf.reshape(args[0], target, name=name)
    if kind in ("transpose_keep", "transpose_batch"):
        perm = [0, 2, 1] if kind == "transpose_keep" else [1, 0, 2]
        return tf.transpose(args[0], perm, name=name)
    if kind == "reduce":
        op = getattr(tf.raw_ops, params["op"])
        return op(input=args[0], axis=tf.constant([-1], name=f"{name}/axis"),
                  keep_dims=params["keepdims"], name=name)
    if kind == "softmax":
        return tf.nn.softmax(args[0], name=name)
    if kind == "concat":
        return tf.concat(args, axis=-1, name=name)
    if kind == "identity":
        out = args[0]
        for i in range(params["n"]):
            out = tf.identity(out, name=name if i == params["n"] - 1 else f"{name}/id{i}")
        return out
    if kind == "expand_dims":
        return tf.expand_dims(args[0], 1, name=name)
    if kind == "reduce_all":
        op = getattr(tf.raw_ops, params["op"])
        rank = tf.rank(args[0], name=f"{name}/rank")
        axes = tf.range(0, rank, name=f"{name}/axes")
        return op(input=args[0], axis=axes, keep_dims=False, name=name)
    if kind == "pack":
        return tf.stack(args, axis=1, name=name)
    if kind == "squeeze":
        axis = list(args[0].shape).index(1, 1)
        return tf.squeeze(args[0], [axis], name=name)
    if kind == "slice":
        return tf.identity(args[0][:, 1:], name=name)
    if kind == "gather":
        return tf.gather(args[0], tf.constant([1, 0], name=f"{name}/indices"), axis=1, name=name)
    if kind == "conv2d":
        channels = int(args[0].shape[-1])
        kernel = np.random.RandomState(channels).uniform(0.5, 1.5, (1, 1, channels, 4))
        return tf.nn.conv2d(args[0], tf.constant(kernel.astype("float32"), name=f"{name}/filter"),
                            1, "SAME", name=name)
    if kind == "pool":
        return tf.nn.max_pool2d(args[0], 2, 2, "VALID", name=name)
    if kind == "select":
        cond = tf.greater(args[0], args[1], name=f"{name}/cond")
        return tf.raw_ops.SelectV2(condition=cond, t=args[0], e=args[1], name=name)
    if kind == "argmax":
        return tf.argmax(args[0], axis=-1, output_type=tf.int64, name=name)
    if kind == "cast_int":
        return tf.cast(args[0], tf.int32, name=name)
    if kind == "cast_float":
        return tf.cast(args[0], tf.float32, name=name)
    if kind == "int_math":
        op = getattr(tf.raw_ops, params["op"])
        return op(x=args[0], y=tf.constant(3, name=f"{name}/y"), name=name)
    raise ValueError(f"unknown step kind {kind}")
