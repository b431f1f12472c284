"""Which rejection TF-TRT 2.17 reports first when several apply (the reason a node is
listed with): FusedBatchNorm checks its inputs' kinds (x a tensor, scale/offset/mean/
variance weights) before is_training (corpus 009)."""

import numpy as np


def _bn(x_const: bool, scale_tensor: bool, training: bool):
    def build(tf):
        v1 = tf.compat.v1
        x = v1.placeholder(tf.float32, [None, 4, 4, 3], name="x")
        h = tf.nn.relu(x * 2.0, name="pre")
        if x_const:
            h = tf.constant(np.ones((2, 4, 4, 3), "float32"), name="x_const")
        ones = np.ones(3, "float32")
        scale = tf.nn.relu(tf.reduce_mean(x, axis=[0, 1, 2]), name="scale_t") if scale_tensor \
            else tf.constant(ones, name="scale")
        y = tf.raw_ops.FusedBatchNormV3(x=h, scale=scale, offset=tf.constant(ones * 0),
                                        mean=tf.constant(ones * 0) if not training else tf.constant([], tf.float32),
                                        variance=tf.constant(ones) if not training else tf.constant([], tf.float32),
                                        is_training=training, name="bn")[0]
        tf.identity(tf.nn.relu(y * 3.0, name="post") + x, name="out")
        return ["out"]
    return build


PROBES = {
    "bn_training_with_tensor_scale": _bn(False, True, True),
    "bn_const_x": _bn(True, False, False),
    "bn_const_x_training": _bn(True, False, True),
}
