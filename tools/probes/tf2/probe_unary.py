"""Activations and element-wise unary ops: accepted dtypes, Const inputs, attrs.

Each op is tried on a float32, float16 and int32 tensor of shape [N,4] (where
TensorFlow's op definition allows that dtype), plus op-specific attributes
(LeakyRelu alpha, ClipByValue bounds, Cast target types).
"""
from probe_lib import Case, main

UNARY = ["Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cos", "Cosh", "Erf", "Exp",
         "Floor", "Log", "Neg", "Reciprocal", "Round", "Rsqrt", "Sign", "Sin", "Sinh", "Sqrt", "Tan",
         "Square"]
ACTIVATIONS = ["Relu", "Relu6", "Sigmoid", "Tanh", "Elu", "Selu", "Softsign", "Softplus", "LeakyRelu"]
# ops whose TF definition accepts int32
INT_OK = {"Abs", "Neg", "Sign", "Square", "Relu", "Relu6", "Reciprocal"}


def unary(op, dtype, shape=(None, 4)):
    def b(tf, p, n):
        x = p(list(shape), getattr(tf, dtype))
        fn = getattr(tf.raw_ops, op)
        if op in ACTIVATIONS and op not in ("Sigmoid", "Tanh"):
            return fn(features=x, name=n)
        return fn(x=x, name=n)
    return b


CASES = []
for op in UNARY + ACTIVATIONS:
    for dt in ("float32", "float16", "int32"):
        if dt == "int32" and op not in INT_OK:
            continue
        CASES.append(Case(f"{op}_{dt}", unary(op, dt), ""))
CASES += [
    Case("LeakyRelu_alpha2", lambda tf, p, n: tf.raw_ops.LeakyRelu(features=p([None, 4]), alpha=2.0, name=n), "alpha > 1"),
    Case("LeakyRelu_alpha1", lambda tf, p, n: tf.raw_ops.LeakyRelu(features=p([None, 4]), alpha=1.0, name=n), "alpha = 1"),
    Case("LeakyRelu_alphaneg", lambda tf, p, n: tf.raw_ops.LeakyRelu(features=p([None, 4]), alpha=-0.5, name=n), "alpha < 0"),
    Case("Clip_const", lambda tf, p, n: tf.raw_ops.ClipByValue(t=p([None, 4]), clip_value_min=tf.constant(0.0),
                                                               clip_value_max=tf.constant(6.0), name=n), "const bounds"),
    Case("Clip_f16", lambda tf, p, n: tf.raw_ops.ClipByValue(t=p([None, 4], tf.float16), clip_value_min=tf.constant(0.0, tf.float16),
                                                             clip_value_max=tf.constant(6.0, tf.float16), name=n), "fp16"),
    Case("Clip_tensor_min", lambda tf, p, n: tf.raw_ops.ClipByValue(t=p([None, 4]), clip_value_min=p([]),
                                                                   clip_value_max=tf.constant(6.0), name=n), "min is a tensor"),
    Case("Clip_vector_bounds", lambda tf, p, n: tf.raw_ops.ClipByValue(t=p([None, 4]), clip_value_min=tf.constant([0.0] * 4),
                                                                      clip_value_max=tf.constant([6.0] * 4), name=n), "vector bounds"),
    Case("Clip_i32", lambda tf, p, n: tf.raw_ops.ClipByValue(t=p([None, 4], tf.int32), clip_value_min=tf.constant(0),
                                                             clip_value_max=tf.constant(6), name=n), "int32"),
    Case("LogicalNot_bool", lambda tf, p, n: tf.raw_ops.LogicalNot(x=p([None, 4], tf.bool), name=n), ""),
    Case("Relu_rank5", lambda tf, p, n: tf.raw_ops.Relu(features=p([None, 2, 2, 2, 4]), name=n), ""),
    Case("Sqrt_const", lambda tf, p, n: tf.raw_ops.Sqrt(x=tf.constant(1.0, shape=[2, 4]), name=n), "const input"),
    Case("Rsqrt_const", lambda tf, p, n: tf.raw_ops.Rsqrt(x=tf.constant(1.0, shape=[2, 4]), name=n), "const input"),
    Case("Neg_const", lambda tf, p, n: tf.raw_ops.Neg(x=tf.constant(1.0, shape=[2, 4]), name=n), "const input"),
    Case("Reciprocal_const", lambda tf, p, n: tf.raw_ops.Reciprocal(x=tf.constant(1.0, shape=[2, 4]), name=n), "const input"),
    Case("Abs_const", lambda tf, p, n: tf.raw_ops.Abs(x=tf.constant(1.0, shape=[2, 4]), name=n), "const input"),
]
for src, dst in [("float32", "float16"), ("float16", "float32"), ("int32", "float32"), ("float32", "int32"),
                 ("bool", "float32"), ("float32", "bool"), ("int32", "int64"), ("float32", "float64"),
                 ("uint8", "float32"), ("float32", "uint8"), ("bool", "int32"), ("int32", "bool"),
                 ("float16", "int32"), ("int32", "float16"), ("float32", "float32")]:
    CASES.append(Case(f"Cast_{src}_to_{dst}",
                      (lambda s, d: lambda tf, p, n: tf.raw_ops.Cast(x=p([None, 4], getattr(tf, s)),
                                                                     DstT=getattr(tf, d), name=n))(src, dst), ""))
CASES.append(Case("Cast_const", lambda tf, p, n: tf.raw_ops.Cast(x=tf.constant(1, shape=[2, 4]), DstT=tf.float32, name=n),
                  "Const input"))

if __name__ == "__main__":
    main(CASES, ("implicit", "dynamic", "fp16"), "Unary ops and activations")
