"""Graphs on which TF-TRT 2.17 itself aborts (corpus 022, dynamic shape without grappler).

``sum_of_scalar_empty_axis``: Sum over a scalar with an empty int32 axis Const (what
tf.losses builds for its weighted mean).  In dynamic-shape mode TF-TRT's reduce
validator reads the empty axis weights with the wrong type: "Check failed: dtype() ==
expected_dtype (1 vs. 3) int32 expected, got float" and the process aborts.  With
grappler on, constant folding or the shape pass removes the pattern first.
"""


def _sum_of_scalar(tf):
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 8], name="x")
    s = tf.reduce_sum(tf.nn.relu(x * 2.0), name="total")            # scalar
    t = tf.raw_ops.Sum(input=s, axis=tf.constant([], tf.int32, name="no_axes"), name="again")
    tf.identity(t * 3.0 + 1.0, name="out")
    return ["out"]


PROBES = {"sum_of_scalar_empty_axis": _sum_of_scalar}
