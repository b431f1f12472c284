"""TF2/Keras models frozen the TF2 way, against TensorFlow and against their own runs.

Keras layers (MobileNetV2 blocks, multi-head attention, LayerNormalization, LSTM/GRU
lowered to TF1 while loops by freezing, transposed convs, resizing, padding and
cropping) produce graphs unlike the TF1 exports of the corpus.  Each model is frozen
with ``convert_variables_to_constants_v2`` on dynamic input shapes, compared node by
node with TensorFlow's import-time inference, and run with full tracing to check the
dims only we know (with and without ``--input-shape`` overrides).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from test_shapes_runtime import _fully_known, contradictions, executed_shapes
from test_shapes_vs_tf import compare_shapes, read_graph_def, tf_static_shapes

pytestmark = [pytest.mark.tensorflow, pytest.mark.slow]


def _mobilenet(keras):
    return keras.applications.MobileNetV2(weights=None, include_top=False, alpha=0.35,
                                          input_shape=(None, None, 3)), \
        [None, None, None, 3], (1, 96, 128, 3), "float32"


def _transformer(keras):
    inp = keras.Input((None,), dtype="int32")
    x = keras.layers.Embedding(100, 32)(inp)
    x = keras.layers.LayerNormalization()(x + keras.layers.MultiHeadAttention(4, 8)(x, x))
    x = keras.layers.Dense(64, activation="gelu")(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    return keras.Model(inp, keras.layers.Dense(5)(x)), [None, None], (2, 7), "int32"


def _recurrent(keras):
    inp = keras.Input((None, 8))
    x = keras.layers.LSTM(16, return_sequences=True)(inp)
    x = keras.layers.GRU(8)(x)
    return keras.Model(inp, keras.layers.Dense(3)(x)), [None, None, 8], (2, 5, 8), "float32"


def _unet(keras):
    inp = keras.Input((None, None, 3))
    c1 = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inp)
    c2 = keras.layers.Conv2D(16, 3, padding="same")(keras.layers.MaxPooling2D()(c1))
    up = keras.layers.Conv2DTranspose(8, 2, strides=2, padding="same")(c2)
    x = keras.layers.UpSampling2D()(keras.layers.Concatenate()([up, c1]))
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.SeparableConv2D(4, 3, dilation_rate=2, padding="same")(x)
    x = keras.layers.ZeroPadding2D(((1, 2), (3, 4)))(x)
    x = keras.layers.Cropping2D(((1, 0), (0, 2)))(x)
    x = keras.layers.Resizing(64, 48)(x)
    return keras.Model(inp, x), [None, None, None, 3], (1, 32, 40, 3), "float32"


MODELS = {"mobilenet_v2": _mobilenet, "transformer": _transformer,
          "lstm_gru": _recurrent, "unet": _unet}


@pytest.fixture(scope="module")
def frozen_models(tmp_path_factory) -> dict:
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    out = {}
    directory = tmp_path_factory.mktemp("keras")
    for name, make in MODELS.items():
        keras.utils.set_random_seed(0)
        model, spec, feed_shape, dtype = make(keras)
        fn = tf.function(lambda x, model=model: model(x))
        concrete = fn.get_concrete_function(tf.TensorSpec(spec, dtype))
        path = directory / f"{name}.pb"
        graph_def = convert_variables_to_constants_v2(concrete).graph.as_graph_def()
        path.write_bytes(graph_def.SerializeToString())
        out[name] = (path, feed_shape, dtype)
    return out


@pytest.mark.parametrize("name", list(MODELS))
def test_keras_model_shapes(frozen_models, name):
    from trtlint.load import load_model
    from trtlint.shapes import infer_shapes

    path, feed_shape, dtype = frozen_models[name]
    model = load_model(path)
    agreement = compare_shapes(name, tf_static_shapes(read_graph_def(Path(path))),
                               infer_shapes(model.graph), model.graph)
    assert agreement.outputs > 50
    assert not agreement.contradictions, agreement.contradictions[:5]
    assert not agreement.under, agreement.under[:5]

    inputs = [s.name for s in model.inputs if not s.name.startswith("unused_control_flow")]
    assert len(inputs) == 1
    feeds = {inputs[0]: (feed_shape, dtype)}
    seen = executed_shapes(path, feeds, [s.name for s in model.outputs])
    for overrides in (None, {inputs[0]: feed_shape}):
        shapes = infer_shapes(model.graph, overrides)
        checked, bad = contradictions(seen, model.graph, shapes)
        assert checked > 50
        assert not bad, bad[:5]
    # with the input shape given, nearly every executed tensor has a fully known shape
    executed = [key for key in seen if key[0] in model.graph and
                model.graph.output_dtype(_ref(*key)) not in ("resource", "variant")]
    unknown = [k for k in executed if not _fully_known(shapes.output_shape(*k))]
    assert len(unknown) <= len(executed) * 0.15, unknown[:10]
    if name == "lstm_gru":
        # The LSTM's outputs are stacked from a TensorList written in a loop: the items
        # written fix the batch dim the list was declared without.
        stacks = [n.name for n in model.graph if n.op == "TensorListStack" and "lstm" in n.name]
        assert stacks and all(shapes.output_shape(n) == (feed_shape[1], feed_shape[0], 16)
                              for n in stacks)


def _ref(name, index):
    from trtlint.graph.model import TensorRef

    return TensorRef(name, index)
