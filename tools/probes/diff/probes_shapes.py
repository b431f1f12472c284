"""Grappler's symbolic shapes where trtlint's differ (corpus 022, implicit batch).

``maxpool_unknown_rank``: a MaxPool whose input has unknown rank (it is multiplied by a
placeholder of unknown shape, like 022's dropout) feeds a Conv2D.  Grappler refines the
input to rank 4 from MaxPool's WithRank, but its output batch gets a fresh symbol, so
TF-TRT puts MaxPool and the Conv2D after it in different batch classes.
"""

import numpy as np


def _maxpool_unknown_rank(tf):
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 16, 16, 4], name="x")
    keep = v1.placeholder(tf.float32, None, name="keep")        # unknown rank
    y = tf.nn.relu(tf.nn.conv2d(x, np.ones((3, 3, 4, 4), "float32"), 1, "SAME"), name="relu0")
    y = tf.multiply(y, keep, name="dropout")                      # unknown rank from here
    y = tf.nn.max_pool2d(y, 2, 2, "SAME", name="pool")
    y = tf.nn.conv2d(y, np.ones((3, 3, 4, 4), "float32"), 1, "SAME", name="conv1")
    y = tf.nn.relu(y + np.ones(4, "float32"), name="relu1")
    tf.identity(y * 2.0, name="out")
    return ["out"]


PROBES = {"maxpool_unknown_rank": _maxpool_unknown_rank}
