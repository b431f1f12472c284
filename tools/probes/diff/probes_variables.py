"""TF1 graphs that were not frozen: VariableV2 inputs (corpus 022, 036).

TF 2.17 converts a VariableV2 to weights like a Const (its converter takes float/half
only), so Conv2D/MatMul on ``<var>/read`` are candidates.  ``var_with_assign``: the
variable also feeds an Assign (its initializer) outside the segment, so the segment
would output the variable's ref-typed tensor.
"""

import numpy as np


def _mlp(tf, with_assign: bool, int64_counter: bool, resource: bool = False):
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 8], name="x")
    w = v1.Variable(np.ones((8, 8), "float32"), name="w", use_resource=resource)
    b = v1.Variable(np.zeros((8,), "float32"), name="b", use_resource=resource)
    y = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), b), name="relu")
    y = tf.tanh(tf.matmul(y, w) * 2.0, name="tanh")
    outputs = [tf.identity(y, name="out").op.name]
    if int64_counter:
        step = v1.Variable(0, dtype=tf.int64, name="step", use_resource=resource)
        outputs.append(tf.identity(tf.cast(step + 1, tf.float32), name="step_out").op.name)
    if not with_assign:
        # drop the initializers: keep only what the outputs need
        return outputs
    outputs.append(v1.global_variables_initializer().name)
    return outputs


PROBES = {
    "var_read_only": lambda tf: _mlp(tf, False, False),
    "var_with_assign": lambda tf: _mlp(tf, True, False),
    "var_int64_counter": lambda tf: _mlp(tf, False, True),
    # resource variables (VarHandleOp/ReadVariableOp) in a graph that was not frozen
    "resource_var_read_only": lambda tf: _mlp(tf, False, False, resource=True),
}
