"""Einsum and batched linear algebra.

``Einsum`` labels every axis of every operand; an output axis takes the size its label
has in the inputs (an ellipsis broadcasts like element-wise ops).
"""

from __future__ import annotations

from typing import Optional

from ..registry import shape_fn
from ..util import ShapeError, broadcast_all, merge_dim, with_rank_at_least


def _parse_operand(labels: str, shape, ell_dims: list):
    """Map each label of one operand to its dim; collect the ellipsis part."""
    dims: dict[str, int] = {}
    if shape is None:
        return None
    if "..." in labels:
        before, after = labels.split("...")
        n_ell = len(shape) - len(before) - len(after)
        if n_ell < 0:
            raise ShapeError("einsum operand rank too small")
        ell_dims.append(tuple(shape[len(before):len(before) + n_ell]))
        parts = list(zip(before, shape[:len(before)])) + \
            list(zip(after, shape[len(shape) - len(after):]))
    else:
        if len(labels) != len(shape):
            raise ShapeError("einsum labels do not match the operand's rank")
        parts = list(zip(labels, shape))
    for label, d in parts:
        dims[label] = merge_dim(dims.get(label, -1), d)
    return dims


@shape_fn("Einsum")
def einsum(ctx):
    equation = ctx.attr("equation", "").replace(" ", "")
    if equation.count("->") != 1:
        raise ShapeError("an Einsum equation has exactly one '->'")
    lhs, out_labels = equation.split("->")
    operands = lhs.split(",")
    if len(operands) != ctx.num_inputs:
        raise ShapeError("einsum operand count mismatch")
    label_dims: dict[str, int] = {}
    ell_parts: list = []
    for i, labels in enumerate(operands):
        dims = _parse_operand(labels, ctx.input_shape(i), ell_parts)
        if dims is None:
            continue
        for label, d in dims.items():
            label_dims[label] = merge_dim(label_dims.get(label, -1), d)
    ellipsis: Optional[tuple] = ()
    if "..." in out_labels:
        if any("..." in labels and ctx.input_shape(i) is None
               for i, labels in enumerate(operands)):
            return [None]
        ellipsis = broadcast_all(ell_parts) if ell_parts else ()
    out = []
    for part in out_labels.split("...") if "..." in out_labels else [out_labels]:
        out.append([label_dims.get(c, -1) for c in part])
    if "..." in out_labels:
        if ellipsis is None:
            return [None]
        return [tuple(out[0]) + tuple(ellipsis) + tuple(out[1])]
    return [tuple(out[0])]


@shape_fn("MatrixTriangularSolve", "MatrixSolve", "BandedTriangularSolve")
def matrix_solve(ctx):
    with_rank_at_least(ctx.input_shape(0), 2)
    return [with_rank_at_least(ctx.input_shape(1), 2)]


@shape_fn("MatrixDeterminant")
def matrix_determinant(ctx):
    s = with_rank_at_least(ctx.input_shape(0), 2)
    return [None if s is None else tuple(s[:-2])]


@shape_fn("Roll")
def roll(ctx):
    return [ctx.input_shape(0)]


@shape_fn("Bucketize")
def bucketize(ctx):
    return [ctx.input_shape(0)]


@shape_fn("Cross")
def cross(ctx):
    a = with_rank_at_least(ctx.input_shape(0), 1)
    return [a]


@shape_fn("Diag")
def diag(ctx):
    s = ctx.input_shape(0)
    return [None if s is None else tuple(s) + tuple(s)]


@shape_fn("DiagPart")
def diag_part(ctx):
    s = ctx.input_shape(0)
    if s is None or len(s) % 2:
        return [None]
    return [tuple(s[:len(s) // 2])]
