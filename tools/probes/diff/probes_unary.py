"""Unary ops and activations on a scalar tensor: TF-TRT's ConvertUnaryImpl asks for at
least one TensorRT dimension ("At least 1 dimension is required for UNARY operation").
A scalar tensor only exists in dynamic-shape mode (implicit batch rejects rank < 2 first).
"""


def _scalar_then(op_name):
    def build(tf):
        v1 = tf.compat.v1
        x = v1.placeholder(tf.float32, [None, 8], name="x")
        y = tf.nn.relu(x * 2.0, name="pre")
        s = tf.reduce_sum(y, name="total")              # a scalar tensor, inside the engine
        if op_name == "LogicalNot":
            u = tf.raw_ops.LogicalNot(x=tf.greater(s, 1.0), name="op")
            u = tf.cast(u, tf.float32)
        else:
            u = getattr(tf.raw_ops, op_name)(**{("features" if op_name in FEATURES else "x"): s},
                                             name="op")
        z = tf.add(u * 3.0, 1.0, name="post")
        tf.identity(z, name="out")
        return ["out"]
    return build


FEATURES = {"Relu", "Relu6", "Elu", "Selu", "Softsign", "Softplus", "LeakyRelu"}
PROBES = {f"unary_scalar_{op}": _scalar_then(op)
          for op in ("Sqrt", "Exp", "Abs", "Relu", "Sigmoid", "Tanh", "Softplus", "Sign", "LogicalNot",
                     "Square")}
