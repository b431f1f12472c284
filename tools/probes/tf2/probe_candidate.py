"""Generic candidate checks that run before (or around) every converter.

What is probed: "Op type X is not supported." for ops without a converter; the
tensor-input validation done for every non-Const input (dtype convertible to a
TRT type, unknown rank, rank above the TRT maximum, scalars / rank-1 tensors in
implicit batch mode, empty tensors); Const nodes of various dtypes; a converter
that needs a tensor but gets a Const.
"""
from probe_lib import ACCEPT, Case, main


def ident(dtype, shape):
    return lambda tf, p, n: tf.raw_ops.Identity(input=p(shape, getattr(tf, dtype)), name=n)


def relu_on(shape):
    return lambda tf, p, n: tf.raw_ops.Relu(features=p(shape), name=n)


def const(dtype, value, shape=None):
    def b(tf, p, n):
        c = tf.constant(value, dtype=getattr(tf, dtype), shape=shape, name=n)
        return c
    return b


CASES = [
    Case("unsupported_op", lambda tf, p, n: tf.raw_ops.Cumsum(x=p([None, 4]), axis=tf.constant(1), name=n),
         "Cumsum has no converter", {"implicit": "Op type Cumsum is not supported."}),
    Case("ident_f32", ident("float32", [None, 4]), "", {"implicit": ACCEPT}),
    Case("ident_f16", ident("float16", [None, 4]), ""),
    Case("ident_i32", ident("int32", [None, 4]), ""),
    Case("ident_i64", ident("int64", [None, 4]), ""),
    Case("ident_i8", ident("int8", [None, 4]), ""),
    Case("ident_u8", ident("uint8", [None, 4]), ""),
    Case("ident_bool", ident("bool", [None, 4]), ""),
    Case("ident_f64", ident("float64", [None, 4]), ""),
    Case("ident_bf16", ident("bfloat16", [None, 4]), ""),
    Case("relu_unknown_rank", relu_on(None), "input rank unknown"),
    Case("relu_rank1", relu_on([None]), "rank-1 input"),
    Case("relu_rank1_static", relu_on([4]), "rank-1 static input"),
    Case("relu_scalar", relu_on([]), "scalar input"),
    Case("relu_rank8", relu_on([None] + [2] * 7), "rank 8"),
    Case("relu_rank9", relu_on([None] + [2] * 8), "rank 9"),
    Case("relu_rank10", relu_on([None] + [2] * 9), "rank 10"),
    Case("relu_empty", relu_on([None, 0, 3]), "a zero non-batch dim"),
    Case("relu_empty_batch", relu_on([0, 3]), "zero batch dim"),
    Case("relu_dyn_nonbatch", relu_on([None, None, 3]), "unknown non-batch dim"),
    Case("relu_on_const", lambda tf, p, n: tf.raw_ops.Relu(features=tf.constant(1.0, shape=[2, 3]), name=n),
         "Relu of a Const"),
    Case("const_f32", const("float32", 1.0, [2, 3]), ""),
    Case("const_f32_scalar", const("float32", 1.0), ""),
    Case("const_i32", const("int32", 1, [2, 3]), ""),
    Case("const_i64", const("int64", 1, [2, 3]), ""),
    Case("const_f16", const("float16", 1.0, [2, 3]), ""),
    Case("const_f64", const("float64", 1.0, [2, 3]), ""),
    Case("const_bool", const("bool", True, [2, 3]), ""),
    Case("const_i8", const("int8", 1, [2, 3]), ""),
    Case("const_u8", const("uint8", 1, [2, 3]), ""),
    Case("const_string", const("string", "a", [2]), ""),
    Case("const_empty", const("float32", 1.0, [0, 3]), "zero-element const"),
    Case("add_i64_const", lambda tf, p, n: tf.raw_ops.AddV2(x=p([None, 3]), y=tf.constant(1.0, shape=[1, 3]), name=n),
         "reference add"),
]

if __name__ == "__main__":
    main(CASES, ("implicit", "dynamic"), "Generic candidate checks")
