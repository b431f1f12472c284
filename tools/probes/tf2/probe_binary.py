"""Element-wise binary ops: dtypes, tensor/const operands, broadcasting rules.

Shapes probed (x is always a Placeholder with a free batch dim):
  same        x[N,3]   y[N,3]  (two tensors)
  const_vec   x[N,3]   y=Const[3]
  const_batch x[N,3]   y=Const[1,3]   (const with a leading 1)
  const_rank3 x[N,3]   y=Const[1,1,3] (const of higher rank than the tensor)
  tensor_b1   x[N,3]   y[1,3]  (tensor that broadcasts over the batch dim)
  const_first y=Const[3] on the LEFT
  const_const both Const
"""
from probe_lib import Case, main

ARITH = ["Add", "AddV2", "Sub", "Mul", "Div", "RealDiv", "FloorDiv", "Maximum", "Minimum", "Pow",
         "SquaredDifference"]
COMPARE = ["Equal", "Greater", "GreaterEqual", "Less", "LessEqual"]
LOGICAL = ["LogicalAnd", "LogicalOr"]


def bin_op(op, kind, dtype="float32"):
    def b(tf, p, n):
        dt = getattr(tf, dtype)
        one = True if dtype == "bool" else 1
        fn = getattr(tf.raw_ops, op)
        if kind == "same":
            x, y = p([None, 3], dt), p([None, 3], dt)
        elif kind == "const_vec":
            x, y = p([None, 3], dt), tf.constant(one, dt, shape=[3])
        elif kind == "const_batch":
            x, y = p([None, 3], dt), tf.constant(one, dt, shape=[1, 3])
        elif kind == "const_rank3":
            x, y = p([None, 3], dt), tf.constant(one, dt, shape=[1, 1, 3])
        elif kind == "tensor_b1":
            x, y = p([None, 3], dt), p([1, 3], dt)
        elif kind == "const_first":
            x, y = tf.constant(one, dt, shape=[3]), p([None, 3], dt)
        elif kind == "const_const":
            x, y = tf.constant(one, dt, shape=[2, 3]), tf.constant(one, dt, shape=[2, 3])
        elif kind == "scalar_const":
            x, y = p([None, 3], dt), tf.constant(one, dt)
        elif kind == "infeasible":
            x, y = p([None, 3], dt), tf.constant(one, dt, shape=[4])
        elif kind == "dyn_dims":
            x, y = p([None, None, 3], dt), p([None, 5, 1], dt)
        elif kind == "rank_diff_tensors":
            x, y = p([None, 4, 3], dt), p([None, 3], dt)
        else:
            raise ValueError(kind)
        return fn(x=x, y=y, name=n)
    return b


CASES = []
for op in ARITH:
    for kind in ("same", "const_vec", "const_batch", "const_rank3", "tensor_b1", "const_first", "const_const",
                 "scalar_const", "dyn_dims", "rank_diff_tensors"):
        CASES.append(Case(f"{op}_{kind}", bin_op(op, kind), kind))
    CASES.append(Case(f"{op}_f16", bin_op(op, "same", "float16"), "float16"))
    CASES.append(Case(f"{op}_i32", bin_op(op, "same", "int32"), "int32"))
for op in COMPARE:
    for kind in ("same", "const_vec", "tensor_b1"):
        CASES.append(Case(f"{op}_{kind}", bin_op(op, kind), kind))
    CASES.append(Case(f"{op}_i32", bin_op(op, "same", "int32"), "int32"))
    CASES.append(Case(f"{op}_f16", bin_op(op, "same", "float16"), "float16"))
for op in LOGICAL:
    CASES.append(Case(f"{op}_same", bin_op(op, "same", "bool"), "bool"))
    CASES.append(Case(f"{op}_const_vec", bin_op(op, "const_vec", "bool"), "bool"))
CASES.append(Case("AddN_3", lambda tf, p, n: tf.raw_ops.AddN(inputs=[p([None, 3]), p([None, 3]), p([None, 3])], name=n), ""))
CASES.append(Case("AddN_const", lambda tf, p, n: tf.raw_ops.AddN(inputs=[p([None, 3]), tf.constant(1.0, shape=[1, 3])], name=n), "one Const"))
CASES.append(Case("AddN_const_nobatch", lambda tf, p, n: tf.raw_ops.AddN(inputs=[p([2, 3]), tf.constant(1.0, shape=[2, 3])], name=n), "static shapes, Const [2,3]"))
CASES.append(Case("AddN_i32", lambda tf, p, n: tf.raw_ops.AddN(inputs=[p([None, 3], tf.int32), p([None, 3], tf.int32)], name=n), ""))
CASES.append(Case("AddN_f16", lambda tf, p, n: tf.raw_ops.AddN(inputs=[p([None, 3], tf.float16), p([None, 3], tf.float16)], name=n), ""))
CASES.append(Case("BiasAdd_NHWC", lambda tf, p, n: tf.raw_ops.BiasAdd(value=p([None, 4, 4, 3]), bias=tf.constant(1.0, shape=[3]), name=n), ""))
CASES.append(Case("BiasAdd_NCHW", lambda tf, p, n: tf.raw_ops.BiasAdd(value=p([None, 3, 4, 4]), bias=tf.constant(1.0, shape=[3]), data_format="NCHW", name=n), ""))
CASES.append(Case("BiasAdd_rank2", lambda tf, p, n: tf.raw_ops.BiasAdd(value=p([None, 3]), bias=tf.constant(1.0, shape=[3]), name=n), ""))
CASES.append(Case("BiasAdd_tensor_bias", lambda tf, p, n: tf.raw_ops.BiasAdd(value=p([None, 4, 4, 3]), bias=p([3]), name=n), "bias is a tensor"))
CASES.append(Case("BiasAdd_i32", lambda tf, p, n: tf.raw_ops.BiasAdd(value=p([None, 4, 4, 3], tf.int32), bias=tf.constant(1, shape=[3]), name=n), ""))
CASES.append(Case("BiasAdd_f16", lambda tf, p, n: tf.raw_ops.BiasAdd(value=p([None, 4, 4, 3], tf.float16), bias=tf.constant(1, tf.float16, shape=[3]), name=n), ""))
CASES.append(Case("BiasAdd_rank5", lambda tf, p, n: tf.raw_ops.BiasAdd(value=p([None, 2, 4, 4, 3]), bias=tf.constant(1.0, shape=[3]), name=n), ""))

if __name__ == "__main__":
    main(CASES, ("implicit", "dynamic"), "Binary element-wise ops")
