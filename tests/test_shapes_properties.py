"""Property tests of the shape algebra against NumPy's own indexing and broadcasting.

``strided_slice_plan`` re-implements TensorFlow's canonicalisation of a strided slice
(masks, ellipsis, new axes, negative strides, clamping); NumPy implements the same
Python slicing semantics, so every random slice must give the same result shape and
the same elements.  No TensorFlow needed.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trtlint.shapes.ops.slicing import _strided_values, strided_slice_plan
from trtlint.shapes.ops.folding import elementwise, transpose_values
from trtlint.shapes.util import broadcast

dims = st.integers(min_value=0, max_value=5)
shapes = st.lists(dims, min_size=1, max_size=4).map(tuple)


@st.composite
def index_item(draw):
    kind = draw(st.sampled_from(["slice", "slice", "int", "newaxis"]))
    if kind == "int":
        return draw(st.integers(-6, 5))
    if kind == "newaxis":
        return None
    bound = st.one_of(st.none(), st.integers(-7, 7))
    step = draw(st.one_of(st.none(), st.sampled_from([-3, -2, -1, 1, 2, 3])))
    return slice(draw(bound), draw(bound), step)


@st.composite
def slicing(draw):
    shape = draw(shapes)
    items = draw(st.lists(index_item(), min_size=0, max_size=len(shape) + 1))
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), Ellipsis)
    return shape, tuple(items)


def spec_of(items):
    """The StridedSlice operands TensorFlow's ``__getitem__`` makes of a Python index."""
    begin, end, strides = [], [], []
    begin_mask = end_mask = ellipsis_mask = new_axis_mask = shrink_mask = 0
    for k, item in enumerate(items):
        bit = 1 << k
        if item is Ellipsis:
            begin.append(0), end.append(0), strides.append(1)
            ellipsis_mask |= bit
        elif item is None:
            begin.append(0), end.append(0), strides.append(1)
            new_axis_mask |= bit
        elif isinstance(item, slice):
            begin.append(0 if item.start is None else item.start)
            end.append(0 if item.stop is None else item.stop)
            strides.append(1 if item.step is None else item.step)
            begin_mask |= bit if item.start is None else 0
            end_mask |= bit if item.stop is None else 0
        else:
            begin.append(item), end.append(item + 1), strides.append(1)
            shrink_mask |= bit
    return begin, end, strides, begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_mask


def _numpy_result(shape, items):
    x = np.arange(int(np.prod(shape))).reshape(shape)
    try:
        return x[items]
    except IndexError:
        return None


@settings(max_examples=400, deadline=None)
@given(slicing())
def test_strided_slice_matches_numpy(case):
    shape, items = case
    expected = _numpy_result(shape, items)
    begin, end, strides, *masks = spec_of(items)
    if items.count(Ellipsis) > 1:
        return
    try:
        final, ranges = strided_slice_plan(shape, begin, end, strides, *masks)
    except ValueError:
        assert expected is None
        return
    if expected is None:
        return  # an out-of-range integer index: TensorFlow rejects it too
    assert final == expected.shape
    values = _strided_values(list(range(int(np.prod(shape)))), shape, ranges)
    assert values == expected.reshape(-1).tolist()


@settings(max_examples=300, deadline=None)
@given(slicing())
def test_strided_slice_with_unknown_dims_never_contradicts(case):
    """Forgetting any dim of the input may lose dims of the result, never change them."""
    shape, items = case
    expected = _numpy_result(shape, items)
    if expected is None or items.count(Ellipsis) > 1:
        return
    begin, end, strides, *masks = spec_of(items)
    for forget in range(len(shape)):
        partial = tuple(-1 if k == forget else d for k, d in enumerate(shape))
        final, _ = strided_slice_plan(partial, begin, end, strides, *masks)
        assert len(final) == expected.ndim
        assert all(f in (-1, e) for f, e in zip(final, expected.shape))
        # without begin/end values, only masked or shrunk dims may be known
        final, _ = strided_slice_plan(shape, None, None, strides, *masks)
        assert all(f in (-1, e) for f, e in zip(final, expected.shape))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([1, 2, 3]), min_size=0, max_size=3),
       st.lists(st.sampled_from([1, 2, 3]), min_size=0, max_size=3))
def test_broadcast_and_elementwise_fold_match_numpy(a, b):
    a, b = tuple(a), tuple(b)
    try:
        expected = np.broadcast_shapes(a, b)
    except ValueError:
        return
    assert broadcast(a, b) == expected
    va = np.arange(int(np.prod(a))).reshape(a)
    vb = np.arange(int(np.prod(b))).reshape(b) * 10
    folded = elementwise(lambda x, y: x + y, va.reshape(-1).tolist(), a,
                         vb.reshape(-1).tolist(), b, expected)
    assert folded == (va + vb).reshape(-1).tolist()
    # an unknown dim broadcasts to unknown unless the other side pins it above 1
    unknown_a = tuple(-1 for _ in a)
    assert all(d in (-1, e) for d, e in zip(broadcast(unknown_a, b), expected))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4).flatmap(
    lambda s: st.tuples(st.just(tuple(s)), st.permutations(range(len(s))))))
def test_transpose_values_match_numpy(case):
    shape, perm = case
    x = np.arange(int(np.prod(shape))).reshape(shape)
    assert transpose_values(x.reshape(-1).tolist(), shape, perm) == \
        x.transpose(perm).reshape(-1).tolist()
