"""String ops, tf.Example parsing and lookup tables (the front ends of served models).

Lookup tables carry the shapes of their keys and values as handle data, so that
``LookupTableFindV2`` knows it returns one value per key.
"""

from __future__ import annotations

from ..registry import shape_fn
from ..util import (ShapeError, add_dim, concatenate, merge, num_elements, sub_dim,
                    with_rank_at_most)


@shape_fn("StaticRegexReplace", "RegexReplace", "StaticRegexFullMatch", "RegexFullMatch",
          "StringToHashBucketFast", "StringToHashBucketStrong", "StringToHashBucket",
          "AsString", "StringLower", "StringUpper", "StringStrip", "StringLength",
          "StringToNumber", "DecodeBase64", "EncodeBase64", "UnicodeScript",
          "UnicodeTranscode")
def string_unchanged(ctx):
    return [ctx.input_shape(0)]


@shape_fn("StringJoin")
def string_join(ctx):
    shapes = ctx.input_shapes()
    if all(s is not None and len(s) == 0 for s in shapes):
        return [()]
    out = None
    for s in shapes:
        if s is not None and len(s) != 0:
            out = merge(out, s)
    return [out]


@shape_fn("Substr")
def substr(ctx):
    from ..util import broadcast

    return [broadcast(ctx.input_shape(0), ctx.input_shape(1))]


@shape_fn("StringSplit", "StringSplitV2")
def string_split(ctx):
    ctx.with_rank(0, 1)
    return [(-1, 2), (-1,), (2,)]


@shape_fn("StringNGrams")
def string_ngrams(ctx):
    ctx.with_rank(0, 1)
    splits = ctx.with_rank(1, 1)
    return [(-1,), splits]


@shape_fn("UnicodeDecode", "UnicodeDecodeWithOffsets")
def unicode_decode(ctx):
    n = add_dim(num_elements(ctx.input_shape(0)), 1)
    out = [(n,), (-1,)]
    if ctx.op == "UnicodeDecodeWithOffsets":
        out.append((-1,))
    return out


@shape_fn("UnicodeEncode")
def unicode_encode(ctx):
    ctx.with_rank(0, 1)
    splits = ctx.with_rank(1, 1)
    return [(sub_dim(splits[0], 1) if splits[0] >= 1 else -1,)]


# -- tf.Example parsing ------------------------------------------------------------------
def _sparse_outputs(n: int, dense_rank: int) -> list:
    rank = dense_rank if dense_rank >= 0 else -1
    return [(-1, rank)] * n + [(-1,)] * n + [(rank,)] * n


@shape_fn("ParseExampleV2")
def parse_example_v2(ctx):
    serialized = with_rank_at_most(ctx.input_shape(0), 1)
    with_rank_at_most(ctx.input_shape(1), 1)
    num_sparse = int(ctx.attr("num_sparse", 0))
    dense_shapes = ctx.attr("dense_shapes") or []
    ragged_values = ctx.attr("ragged_value_types") or []
    rank = -1 if serialized is None else len(serialized) + 1
    out = _sparse_outputs(num_sparse, rank)
    for s in dense_shapes:
        out.append(concatenate(serialized, tuple(s) if s is not None else None))
    n_ragged = len(ragged_values)
    out.extend([(-1,)] * n_ragged)
    if serialized is None:
        splits = (-1,)
    elif len(serialized) == 0:
        splits = (2,)
    else:
        splits = (add_dim(serialized[0], 1),)
    out.extend([splits] * n_ragged)
    return out


@shape_fn("ParseExample")
def parse_example(ctx):
    serialized = ctx.with_rank(0, 1)
    num_sparse = int(ctx.attr("Nsparse", 0))
    dense_shapes = ctx.attr("dense_shapes") or []
    out = _sparse_outputs(num_sparse, 2)
    for s in dense_shapes:
        out.append(concatenate(serialized, tuple(s) if s is not None else None))
    return out


@shape_fn("ParseSingleExample")
def parse_single_example(ctx):
    ctx.with_rank(0, 0)
    num_sparse = int(ctx.attr("num_sparse", 0))
    dense_shapes = ctx.attr("dense_shapes") or []
    out = _sparse_outputs(num_sparse, 1)
    for s in dense_shapes:
        out.append(tuple(s) if s is not None else None)
    return out


@shape_fn("DecodeCSV")
def decode_csv(ctx):
    n = ctx.num_outputs or 0
    return [ctx.input_shape(0)] * n


# -- lookup tables -----------------------------------------------------------------------
@shape_fn("HashTableV2", "MutableHashTableV2", "MutableDenseHashTableV2")
def hash_table(ctx):
    ctx.set_handle(0, ("table", (), ()))
    return [()]


@shape_fn("MutableHashTableOfTensorsV2")
def hash_table_of_tensors(ctx):
    value_shape = ctx.attr("value_shape")
    ctx.set_handle(0, ("table", (), tuple(value_shape) if value_shape is not None else None))
    return [()]


@shape_fn("HashTable", "MutableHashTable", "MutableHashTableOfTensors",
          "MutableDenseHashTable")
def hash_table_v1(ctx):
    return [(2,)]


@shape_fn("LookupTableFindV2")
def lookup_table_find(ctx):
    ctx.with_rank(0, 0)
    h = ctx.input_handle(0)
    keys = ctx.input_shape(1)
    if h is None or h[0] != "table" or keys is None or h[1] is None or h[2] is None:
        return [None]
    key_rank = len(h[1])
    if len(keys) < key_rank:
        raise ShapeError("keys rank below the table's key rank")
    return [tuple(keys[:len(keys) - key_rank]) + tuple(h[2])]


@shape_fn("LookupTableFind")
def lookup_table_find_v1(ctx):
    return [None]


@shape_fn("LookupTableSizeV2", "LookupTableSize")
def lookup_table_size(ctx):
    return [()]


@shape_fn("LookupTableExportV2")
def lookup_table_export(ctx):
    return [None, None]
