"""The loader's lowering of functional control flow, against TensorFlow and TF-TRT 2.17.

TF-TRT 2.x never sees a functional ``While``/``If``/``Case``: ``TrtGraphConverterV2``
freezes the signature with ``convert_variables_to_constants_v2``, whose grappler pass
inlines every call and lowers those ops into TF1 control flow (see
trtlint/load/lower.py).  trtlint's SavedModel loader does the same without TensorFlow.
Here small TF2 SavedModels, built with TensorFlow in the test (in a fresh process, so
their bytes -- and the oracle's cache -- are the same every run), each exercise one shape
of control flow: a cond on a computed predicate, a three-way switch_case, loops with
several variables (one changing shape), loops in loops, conds and cases in loop bodies,
a loop in a cond in a loop, loops reading and assigning a resource variable,
``maximum_iterations``, branches returning different dtypes, a loop inside a called
tf.function, a signature fetching only part of a loop's results, stateful ops giving the
ops control inputs, TensorArrays, device scopes, Keras GRU/LSTM layers, and ops that ask
not to be lowered.  Each is checked three ways:

* the lowering itself: trtlint's inliner output against the graph TensorFlow's
  inline-and-lower grappler pass returns inside ``convert_variables_to_constants_v2``
  (before variables are frozen): names and order, ops, devices, data and control inputs,
  the attrs the lowering sets;
* the frozen signature TF-TRT receives (``compare_signature`` of
  tests/test_loader_vs_tf.py; TensorFlow's address-dependent choices in
  ``lift_to_graph`` pinned by ``deterministic_lift``);
* trtlint's ``analyze`` (profile tf2, implicit batch and dynamic shape) against TF-TRT
  2.17's real segmentation (the CPU oracle): the same engines, and the same verdict for
  every node except the ``unused_control_flow_input`` Placeholders, whose number
  TensorFlow chooses nondeterministically (tests/differential/known_differences.toml,
  tf2_module_while).  Where trtlint differs for reasons outside the loader, the test is
  a strict xfail saying why.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pytest

if __name__ == "__main__":  # run as the model builder: the helpers sit next to this file
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from differential.compare import diff_analysis, predict
from differential.configs import Config
from oracle import run_oracle_many
from test_loader_vs_tf import (LOWERED_OPS, LOWERING_ATTRS, UNUSED_LOOP_INPUT, _data_input,
                               _without_lowering, compare_signature, differences, tensorflow,
                               tf_attr)

pytestmark = pytest.mark.tensorflow

FEATURES = 8


# -- the models ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoweringCase:
    """One SavedModel: how to build it, the functional ops its freezing lowers (op
    types), whether TensorFlow can freeze it at all, and whether TF-TRT's segmentation
    of it is compared (and why that comparison is known to fail, if it is)."""

    name: str
    build: Callable[[Path], None]
    lowered: tuple
    oracle: bool = False
    freezes: bool = True
    oracle_xfail: Optional[str] = None


def _save(module, target: Path, signatures=None) -> None:
    tf = tensorflow()
    tf.saved_model.save(module, str(target), signatures=signatures)


def _weights(shape, seed: int):
    import numpy as np

    return np.random.default_rng(seed).normal(0.0, 0.3, shape).astype("float32")


def build_cond_on_tensor(target: Path) -> None:
    # The predicate is computed from the input: If with a non-Placeholder predicate.
    tf = tensorflow()

    class CondModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(_weights([FEATURES, FEATURES], 1), name="kernel")

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def serve(self, x):
            h = tf.matmul(x, self.kernel)
            y = tf.cond(tf.reduce_sum(h) > 0.0,
                        lambda: tf.nn.relu(h * 2.0) + 1.0,
                        lambda: tf.nn.sigmoid(h) - tf.matmul(h, self.kernel))
            return {"y": tf.nn.softmax(y)}

    module = CondModel()
    _save(module, target, {"serving_default": module.serve})


def build_switch_case(target: Path) -> None:
    tf = tensorflow()

    class CaseModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(_weights([FEATURES, FEATURES], 2), name="kernel")

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.int32, name="branch")])
        def serve(self, x, branch):
            h = tf.matmul(x, self.kernel)
            y = tf.switch_case(branch, [lambda: tf.nn.relu(h),
                                        lambda: tf.nn.tanh(h) * 3.0,
                                        lambda: tf.matmul(h, self.kernel) + 1.0])
            return {"y": y + x}

    module = CaseModel()
    _save(module, target, {"serving_default": module.serve})


def build_while_shape_invariants(target: Path) -> None:
    # Four loop variables: a counter, a tensor of fixed shape, one that grows along
    # axis 0 (declared with shape_invariants) and a loop-invariant one.
    tf = tensorflow()

    class GrowModel(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([4, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.int32, name="n")])
        def serve(self, x, n):
            def cond(i, h, acc, scale):
                return i < n

            def body(i, h, acc, scale):
                h = tf.nn.relu(h * scale + 1.0)
                return i + 1, h, tf.concat([acc, h[:1]], axis=0), scale

            i, h, acc, _ = tf.while_loop(
                cond, body, [tf.constant(0), x, tf.zeros([0, FEATURES]), tf.constant(0.5)],
                shape_invariants=[tf.TensorShape([]), tf.TensorShape([4, FEATURES]),
                                  tf.TensorShape([None, FEATURES]), tf.TensorShape([])])
            return {"h": h, "acc": acc, "steps": i}

    module = GrowModel()
    _save(module, target, {"serving_default": module.serve})


def build_nested_while(target: Path) -> None:
    tf = tensorflow()

    class NestedModel(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def serve(self, x):
            def outer_body(i, h):
                def inner_body(j, g):
                    return j + 1, tf.nn.relu(g - 0.25) * 1.5

                _, h = tf.while_loop(lambda j, g: j < i + 1, inner_body, [tf.constant(0), h])
                return i + 1, h + 1.0

            _, y = tf.while_loop(lambda i, h: i < 3, outer_body, [tf.constant(0), x])
            return {"y": y}

    module = NestedModel()
    _save(module, target, {"serving_default": module.serve})


def build_cond_in_while(target: Path) -> None:
    tf = tensorflow()

    class CondLoopModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(_weights([FEATURES, FEATURES], 5), name="kernel")

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def serve(self, x):
            h0 = tf.nn.relu(tf.matmul(x, self.kernel) + 0.5)

            def body(i, h):
                h = tf.cond(i % 2 == 0, lambda: tf.nn.relu(h - 1.0), lambda: tf.sigmoid(h) * 2.0)
                return i + 1, h

            _, y = tf.while_loop(lambda i, h: i < 4, body, [tf.constant(0), h0])
            return {"y": tf.nn.softmax(tf.matmul(y, self.kernel))}

    module = CondLoopModel()
    _save(module, target, {"serving_default": module.serve})


def build_while_reads_variable(target: Path) -> None:
    # The body reads a resource variable captured from the module: the While takes the
    # resource as a loop variable (an is_constant Enter after lowering, frozen to a Const).
    tf = tensorflow()

    class ReadModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(_weights([FEATURES, FEATURES], 6), name="kernel")
            self.bias = tf.Variable(_weights([FEATURES], 7), name="bias")

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def serve(self, x):
            def body(i, h):
                return i + 1, tf.nn.relu(tf.matmul(h, self.kernel) + self.bias)

            _, y = tf.while_loop(lambda i, h: i < 3, body, [tf.constant(0), x])
            return {"y": y}

    module = ReadModel()
    _save(module, target, {"serving_default": module.serve})


def build_while_assigns_variable(target: Path) -> None:
    # The body assigns to a resource variable (a stateful loop): the freezing keeps the
    # AssignAddVariableOp, reading the variable's frozen handle.
    tf = tensorflow()

    class AssignModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.total = tf.Variable(tf.zeros([FEATURES]), name="total")

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def serve(self, x):
            def body(i, h):
                self.total.assign_add(tf.reduce_sum(h, axis=0))
                return i + 1, tf.nn.relu(h) * 0.5

            _, y = tf.while_loop(lambda i, h: i < 3, body, [tf.constant(0), x])
            return {"y": y + self.total}

    module = AssignModel()
    _save(module, target, {"serving_default": module.serve})


def build_while_maximum_iterations(target: Path) -> None:
    tf = tensorflow()

    class BoundedModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(_weights([FEATURES, FEATURES], 8), name="kernel")

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.float32, name="limit")])
        def serve(self, x, limit):
            h0 = tf.matmul(x, self.kernel)
            _, y = tf.while_loop(lambda t, h: t < limit,
                                 lambda t, h: (t + 1.0, tf.nn.elu(h) + 0.1),
                                 [tf.constant(0.0), h0], maximum_iterations=5)
            return {"y": tf.matmul(y, self.kernel)}

    module = BoundedModel()
    _save(module, target, {"serving_default": module.serve})


def build_cond_mixed_dtypes(target: Path) -> None:
    # Each branch returns (float32, int32, bool): one Merge per output, each with its
    # own T.
    tf = tensorflow()

    class MixedModel(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.bool, name="flag")])
        def serve(self, x, flag):
            y, count, positive = tf.cond(
                flag,
                lambda: (tf.nn.relu(x), tf.shape(x)[0], tf.reduce_all(x > 0.0)),
                lambda: (x * 2.0, tf.constant(7), tf.reduce_any(x > 1.0)))
            return {"y": y, "count": count, "positive": positive}

    module = MixedModel()
    _save(module, target, {"serving_default": module.serve})


def build_loop_in_called_function(target: Path) -> None:
    # serve calls refine (a tf.function) which holds the loop: the call is inlined, then
    # the While found in its body is lowered; the body calls another tf.function.
    tf = tensorflow()

    class CallModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(_weights([FEATURES, FEATURES], 9), name="kernel")

        @tf.function
        def step(self, h):
            return tf.nn.relu(tf.matmul(h, self.kernel) - 0.1)

        @tf.function
        def refine(self, h, n):
            _, h = tf.while_loop(lambda i, g: i < n, lambda i, g: (i + 1, self.step(g)),
                                 [tf.constant(0), h])
            return h

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.int32, name="n")])
        def serve(self, x, n):
            return {"y": tf.nn.softmax(self.refine(tf.matmul(x, self.kernel), n))}

    module = CallModel()
    _save(module, target, {"serving_default": module.serve})


def build_partial_fetch(target: Path) -> None:
    # The loop computes three results; the "partial" signature fetches one of them
    # (the freezing prunes what only the others need), "all" fetches all three.
    tf = tensorflow()

    class PartialModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(_weights([FEATURES, FEATURES], 10), name="kernel")

        def _loop(self, x):
            def body(i, h, total, largest):
                h = tf.nn.relu(tf.matmul(h, self.kernel))
                return i + 1, h, total + tf.reduce_sum(h), tf.maximum(largest, tf.reduce_max(h))

            return tf.while_loop(lambda i, h, total, largest: i < 3, body,
                                 [tf.constant(0), x, tf.constant(0.0), tf.constant(-1.0)])

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def partial(self, x):
            _, h, _, _ = self._loop(x)
            return {"h": tf.nn.tanh(h)}

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def everything(self, x):
            steps, h, total, largest = self._loop(x)
            return {"h": tf.nn.tanh(h), "total": total, "largest": largest, "steps": steps}

    module = PartialModel()
    _save(module, target, {"serving_default": module.partial, "all": module.everything})


def build_stateful_control(target: Path) -> None:
    # Stateful ops everywhere (tf.print, random ops, a variable read): automatic control
    # dependencies give the If and the While control inputs (the While's gather in a
    # LoopControlInputs NoOp) and the branches control outputs.
    tf = tensorflow()

    class StatefulModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.scale = tf.Variable(tf.ones([FEATURES]), name="scale")

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.bool, name="flag")])
        def serve(self, x, flag):
            tf.print("start", tf.shape(x))
            y = tf.cond(flag, lambda: x + self.scale + tf.random.uniform([FEATURES], seed=1),
                        lambda: x - self.scale)

            def body(i, h):
                tf.print("step", i)
                return i + 1, tf.nn.relu(h) * self.scale

            _, z = tf.while_loop(lambda i, h: i < 2, body, [0, y])
            k = tf.switch_case(tf.cast(tf.reduce_sum(x) > 0.0, tf.int32),
                               [lambda: z * 2.0, lambda: z + tf.random.normal([FEATURES], seed=2)])
            return {"k": k}

    module = StatefulModel()
    _save(module, target, {"serving_default": module.serve})


def build_case_in_while(target: Path) -> None:
    # A Case lowered inside a loop body (a _SwitchN in a frame), a loop with a
    # parallel_iterations of its own, and a loop whose only variable is its counter.
    tf = tensorflow()

    class CaseLoopModel(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def serve(self, x):
            def body(i, h):
                h = tf.switch_case(i % 3, [lambda: h + 1.0, lambda: tf.nn.relu(h),
                                           lambda: h * 0.5])
                return i + 1, h

            _, y = tf.while_loop(lambda i, h: i < 5, body, [0, x], parallel_iterations=3)
            (n,) = tf.while_loop(lambda j: j < 4, lambda j: (j + 1,), [tf.constant(0)])
            return {"y": y, "n": n}

    module = CaseLoopModel()
    _save(module, target, {"serving_default": module.serve})


def build_tensor_array_loop(target: Path) -> None:
    # tf.map_fn and a TensorArray written in a loop: variant (TensorList) loop variables.
    tf = tensorflow()

    class ArrayModel(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x")])
        def serve(self, x):
            y = tf.map_fn(lambda row: tf.nn.relu(row * 2.0) + 1.0, x)
            ta = tf.TensorArray(tf.float32, size=3)

            def body(i, ta):
                return i + 1, ta.write(i, tf.reduce_sum(x) * tf.cast(i, tf.float32))

            _, ta = tf.while_loop(lambda i, ta: i < 3, body, [0, ta])
            return {"y": y, "sums": ta.stack()}

    module = ArrayModel()
    _save(module, target, {"serving_default": module.serve})


def build_cond_in_cond(target: Path) -> None:
    # A cond in a cond's branch, a branch returning its input unchanged, and a cond
    # whose branches take no input at all (only constants).
    tf = tensorflow()

    class CondCondModel(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.bool, name="a"),
                                      tf.TensorSpec([], tf.bool, name="b")])
        def serve(self, x, a, b):
            y = tf.cond(a, lambda: tf.cond(b, lambda: x * 2.0, lambda: x),
                        lambda: tf.constant(1.0) + x)
            c = tf.cond(b, lambda: tf.constant(3.0), lambda: tf.constant(4.0))
            return {"y": y * c}

    module = CondCondModel()
    _save(module, target, {"serving_default": module.serve})


def build_deep_nesting(target: Path) -> None:
    # A loop inside a cond branch inside a loop body, and an autograph ``for`` over
    # tf.range accumulating into a dynamically sized TensorArray.
    tf = tensorflow()

    class DeepModel(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.int32, name="n")])
        def serve(self, x, n):
            def outer(i, h):
                def with_loop():
                    _, g = tf.while_loop(lambda j, g: j < n,
                                         lambda j, g: (j + 1, tf.nn.relu(g) - 0.5), [0, h])
                    return g

                return i + 1, tf.cond(i > 1, with_loop, lambda: h * 2.0)

            _, y = tf.while_loop(lambda i, h: i < 3, outer, [0, x])
            acc = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
            for k in tf.range(n):
                acc = acc.write(k, tf.reduce_mean(y) + tf.cast(k, tf.float32))
            return {"y": y, "acc": acc.stack()}

    module = DeepModel()
    _save(module, target, {"serving_default": module.serve})


def build_keras_rnn(target: Path) -> None:
    # Keras 3 GRU and LSTM layers (their time loops are While ops with many loop
    # variables and captured weights), exported the way Keras exports for serving.
    import keras

    keras.utils.set_random_seed(11)
    sequence = keras.Input((5, FEATURES), name="sequence")
    hidden = keras.layers.GRU(4, return_sequences=True)(sequence)
    scores = keras.layers.Dense(3)(keras.layers.LSTM(6)(hidden))
    keras.Model(sequence, scores).export(str(target))


def build_devices(target: Path) -> None:
    # Device scopes: a cond placed on the CPU, a loop placed on a GPU whose body reads a
    # variable (the reads have no device of their own).  Inlining places the forwarders
    # and body nodes by grappler's multi-device rules.
    tf = tensorflow()

    class PlacedModel(tf.Module):
        def __init__(self):
            super().__init__()
            self.kernel = tf.Variable(_weights([FEATURES, FEATURES], 12), name="kernel")

        @tf.function(input_signature=[tf.TensorSpec([None, FEATURES], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.bool, name="flag")])
        def serve(self, x, flag):
            with tf.device("/device:CPU:0"):
                h = tf.matmul(x, self.kernel)
                y = tf.cond(flag, lambda: tf.nn.relu(h), lambda: h * 2.0)
            with tf.device("/device:GPU:0"):
                _, z = tf.while_loop(lambda i, g: i < 3,
                                     lambda i, g: (i + 1, tf.matmul(g, self.kernel)), [0, y])
            return {"z": z}

    module = PlacedModel()
    _save(module, target, {"serving_default": module.serve})


#: Keras initialises Dense biases to zeros
ZERO_BIAS_CAUSE = (
    "not the lowering (the graphs match TensorFlow's node for node): the Dense layer's bias "
    "is zeros, and TF-TRT's grappler, which sees the frozen values, simplifies BiasAdd(x, 0) "
    "to an Identity and leaves the bias Const out of the engine; trtlint freezes variables as "
    "Consts without their values (they stay in variables/), so it keeps the BiasAdd and puts "
    "the bias in the engine (implicit batch: a 4-node engine TF-TRT does not build).  "
    "TF-TRT's log shows the BiasAdd as an Identity.  Implicit batch also differs on "
    "lstm_1/zeros_1 (a Fill TF-TRT keeps and rejects, trtlint's grappler emulation "
    "removes; not diagnosed).")


CASES = [
    LoweringCase("cond_on_tensor", build_cond_on_tensor, ("If",), oracle=True),
    LoweringCase("switch_case", build_switch_case, ("Case",), oracle=True),
    LoweringCase("while_shape_invariants", build_while_shape_invariants, ("StatelessWhile",),
                 oracle=True),
    LoweringCase("nested_while", build_nested_while, ("StatelessWhile", "StatelessWhile"),
                 oracle=True),
    LoweringCase("cond_in_while", build_cond_in_while, ("StatelessWhile", "StatelessIf"),
                 oracle=True),
    LoweringCase("while_reads_variable", build_while_reads_variable, ("While",), oracle=True),
    LoweringCase("while_assigns_variable", build_while_assigns_variable, ("While",),
                 freezes=False),
    LoweringCase("while_maximum_iterations", build_while_maximum_iterations, ("StatelessWhile",),
                 oracle=True),
    LoweringCase("cond_mixed_dtypes", build_cond_mixed_dtypes, ("StatelessIf",), oracle=True),
    LoweringCase("loop_in_called_function", build_loop_in_called_function, ("While",),
                 oracle=True),
    LoweringCase("partial_fetch", build_partial_fetch, ("While",), oracle=True),
    LoweringCase("stateful_control", build_stateful_control, ("If", "While", "StatelessCase"),
                 oracle=True),
    LoweringCase("case_in_while", build_case_in_while,
                 ("StatelessWhile", "StatelessWhile", "StatelessCase"), oracle=True),
    LoweringCase("tensor_array_loop", build_tensor_array_loop,
                 ("StatelessWhile", "StatelessWhile"), oracle=True),
    LoweringCase("cond_in_cond", build_cond_in_cond,
                 ("StatelessIf", "StatelessIf", "StatelessIf"), oracle=True),
    LoweringCase("deep_nesting", build_deep_nesting,
                 ("StatelessIf", "StatelessWhile", "StatelessWhile", "StatelessWhile"),
                 oracle=True),
    LoweringCase("devices", build_devices, ("StatelessIf", "While")),
    LoweringCase("keras_rnn", build_keras_rnn, ("While", "While"), oracle=True,
                 oracle_xfail=ZERO_BIAS_CAUSE),
]
BY_NAME = {case.name: case for case in CASES}
#: models whose functional ops are marked not to be lowered (copies of these cases)
NOT_LOWERED = ("cond_in_while", "stateful_control", "loop_in_called_function")


def build_all(root: Path) -> None:
    """Build every case under ``root`` (run in a fresh process, see :func:`saved_models`)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for case in CASES:
        case.build(root / case.name)
    for name in NOT_LOWERED:
        _without_lowering(root / name, root / f"{name}_not_lowered")


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory) -> Path:
    """Every case's SavedModel, built once for the module, in a fresh Python process:
    TensorFlow names traced functions from a process-wide counter, so only a fresh
    process makes the same bytes every run (and the oracle's cache, keyed on the
    model's bytes, serves them)."""
    root = tmp_path_factory.mktemp("lowering")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", PYTHONHASHSEED="0")
    done = subprocess.run([sys.executable, __file__, "build", str(root)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return root


@pytest.fixture(scope="module")
def tf_loaded():
    return tensorflow()


# -- the lowering itself: trtlint's inliner against TensorFlow's inline pass --------------------
def our_lowered_graph(directory: Path, key: str) -> list:
    """trtlint's signature graph right after inlining and lowering (before the variables
    are frozen and the graph pruned), in grappler's output order."""
    from trtlint.load.functions import FunctionBody
    from trtlint.load.lower import LoweringInliner, grappler_sorted
    from trtlint.load.savedmodel import (_pick_meta_graph, _pick_signature, _registry_for,
                                         read_saved_model)

    sm, where = read_saved_model(directory)
    meta = _pick_meta_graph(sm, None, where)
    _, sig = _pick_signature(meta, key, where)
    registry = _registry_for(meta)
    library = {f.signature.name: f for f in meta.graph_def.library.function}
    call_name = next(iter(sig.outputs.values())).name.split(":")[0]
    call = next(n for n in meta.graph_def.node if n.name == call_name)
    inliner = LoweringInliner(library, registry)
    body = FunctionBody(library[call.attr["f"].func.name], registry, "", None, library,
                        inliner=inliner)
    return grappler_sorted(body.nodes)


def tf_lowered_graph(directory: Path, key: str):
    """TensorFlow's signature graph after the grappler pass that
    ``convert_variables_to_constants_v2`` runs (inline + lower, variables not frozen yet):
    what the lowering alone makes, even for a model whose freezing then fails."""
    tf = tensorflow()
    from tensorflow.python.framework.convert_to_constants import (
        _FunctionConverterDataInEager)

    loaded = tf.saved_model.load(str(directory))
    return _FunctionConverterDataInEager(func=loaded.signatures[key], lower_control_flow=True,
                                         aggressive_inlining=False).graph_def


def lowering_differences(ours: list, graph_def) -> list[str]:
    """Node names and order, ops, devices, data inputs, control inputs (as sets), and
    the attrs the lowering sets, of the two lowered graphs.  Not colocation (``_class``):
    grappler rewrites the groups (ReassignColocation) and trtlint keeps only what decides
    devices in the end (see test_frozen_devices_follow_colocation_like_tensorflows_import)."""
    problems = []
    names_ours, names_tf = [n.name for n in ours], [n.name for n in graph_def.node]
    if names_ours != names_tf:
        only_tf = sorted(set(names_tf) - set(names_ours))
        only_ours = sorted(set(names_ours) - set(names_tf))
        first = next((i for i, (a, b) in enumerate(zip(names_ours, names_tf)) if a != b),
                     min(len(names_ours), len(names_tf)))
        problems.append(f"node lists differ from #{first}: only TensorFlow {only_tf[:6]}, "
                        f"only ours {only_ours[:6]}")
    theirs = {n.name: n for n in graph_def.node}
    for node in ours:
        nd = theirs.get(node.name)
        if nd is None:
            continue
        data = [_data_input(t) for t in nd.input if not t.startswith("^")]
        controls = sorted({t[1:] for t in nd.input if t.startswith("^")})
        if node.op != nd.op:
            problems.append(f"{node.name}: op ours {node.op}, TensorFlow {nd.op}")
        if node.device != nd.device:
            problems.append(f"{node.name}: device ours {node.device!r}, TensorFlow "
                            f"{nd.device!r}")
        if [f"{r.node}:{r.index}" for r in node.inputs] != data:
            problems.append(f"{node.name}: data inputs ours {[str(r) for r in node.inputs]}, "
                            f"TensorFlow {data}")
        if sorted(set(node.control_inputs)) != controls:
            problems.append(f"{node.name}: control inputs ours {sorted(set(node.control_inputs))}"
                            f", TensorFlow {controls}")
        for attr in ("T",) + LOWERING_ATTRS:
            if attr in nd.attr and nd.attr[attr].WhichOneof("value") in ("type", "s", "i", "b"):
                problems += differences(node.attrs.get(attr), tf_attr(nd.attr[attr]),
                                        f"{node.name}.{attr}")
    return problems


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_lowering_matches_tensorflows_inline_pass(name, saved_models, tf_loaded):
    directory = saved_models / name
    ours = our_lowered_graph(directory, "serving_default")
    theirs = tf_lowered_graph(directory, "serving_default")
    problems = lowering_differences(ours, theirs)
    assert not problems, f"{name}:\n" + "\n".join(problems[:25])
    # What was lowered: no functional control flow is left, on either side.
    assert not LOWERED_OPS & {n.op for n in theirs.node}
    assert not LOWERED_OPS & {n.op for n in ours}
    assert len(ours) == len(theirs.node) > 20


# -- the frozen signature: what TF-TRT receives ---------------------------------------------------
FROZEN_SIGNATURES = [(c.name, "serving_default") for c in CASES if c.freezes] + \
    [("partial_fetch", "all")] + [(f"{n}_not_lowered", "serving_default") for n in NOT_LOWERED]


@pytest.mark.parametrize("name,key", FROZEN_SIGNATURES,
                         ids=[f"{n}[{k}]" for n, k in FROZEN_SIGNATURES])
def test_frozen_signature_matches_tensorflow(name, key, saved_models, tf_loaded):
    report = compare_signature(name, saved_models / name, key)
    assert report.reference == "convert_variables_to_constants_v2"
    assert report.nodes > 10
    assert not report.problems, f"{report.case}:\n" + "\n".join(report.problems[:25])


@pytest.mark.parametrize("name", [c.name for c in CASES if c.freezes])
def test_each_functional_op_is_lowered_once(name, saved_models):
    from trtlint.load import load_model

    model = load_model(saved_models / name)
    ops = model.graph.op_histogram()
    assert not LOWERED_OPS & set(ops)
    assert sorted(c.op for c in model.lowered_control_flow) == sorted(BY_NAME[name].lowered)
    # Every lowered op leaves a NoOp under its own name (grappler's keep_node_fetchable
    # is false) unless the prune copy dropped it, and its nodes live under its name.
    for lowered in model.lowered_control_flow:
        assert any(n.startswith(lowered.name + "/") for n in model.graph.nodes)
        if lowered.name in model.graph:
            assert model.graph[lowered.name].op == "NoOp"
    loops = sum(1 for c in model.lowered_control_flow if c.op in ("While", "StatelessWhile"))
    assert ops.get("LoopCond", 0) == loops


def test_a_loop_variable_that_is_a_resource_enters_as_a_constant(saved_models):
    # The captured kernel and bias are resource loop variables: one is_constant Enter
    # each, no Merge/Switch/Exit for them, and after freezing they read (through the
    # call's input forwarder) the variables' Consts.
    from trtlint.load import load_model

    graph = load_model(saved_models / "while_reads_variable").graph
    enters = [n for n in graph if n.op == "Enter"]
    constant = [n for n in enters if n.attrs["is_constant"]]
    assert len(constant) == 2
    sources = set()
    for enter in constant:
        source = graph[enter.inputs[0].node]
        while source.op == "Identity":
            source = graph[source.inputs[0].node]
        sources.add((source.op, source.attrs.get("_frozen_variable")))
    assert {op for op, _ in sources} == {"Const"}
    assert len({var for _, var in sources}) == 2
    assert {n.attrs["T"] for n in constant} == {"float32"}
    assert graph.op_histogram()["Merge"] == graph.op_histogram()["Exit"] == \
        len(enters) - len(constant)


def test_shape_invariant_loop_keeps_every_variable(saved_models):
    # Four loop variables plus TensorFlow's counter and bound: six Enters and Merges,
    # every Enter in the same frame, the growing one a float32 like the others.
    from trtlint.load import load_model

    graph = load_model(saved_models / "while_shape_invariants").graph
    enters = [n for n in graph if n.op == "Enter"]
    assert len(enters) == 6 and graph.op_histogram()["Merge"] == 6
    assert {n.attrs["frame_name"] for n in enters} == {"PartitionedCall/while"}
    assert sorted(n.attrs["T"] for n in enters) == ["float32"] * 3 + ["int32"] * 3


def test_fetching_part_of_a_loop_keeps_the_loop_whole(saved_models):
    # Both signatures run the same stateful loop (it reads a variable).  The "partial"
    # one fetches only h, yet the prune copy keeps every Exit -- the loop's NoOp, which
    # the outputs wait for, waits for them all -- and only h's Exit has a data consumer.
    from trtlint.load import load_model

    def exits_read(graph) -> tuple[int, int]:
        exits = [n.name for n in graph if n.op == "Exit"]
        return len(exits), sum(1 for e in exits if graph.consumers(e))

    partial = load_model(saved_models / "partial_fetch", signature="serving_default").graph
    everything = load_model(saved_models / "partial_fetch", signature="all").graph
    assert exits_read(partial) == (6, 1)
    assert exits_read(everything) == (6, 4)


def test_a_cond_with_outputs_of_several_dtypes_merges_each_with_its_own_type(saved_models):
    from trtlint.load import load_model

    graph = load_model(saved_models / "cond_mixed_dtypes").graph
    merges = sorted(n.attrs["T"] for n in graph if n.op == "Merge"
                    and "/output/" in n.name)
    assert merges == ["bool", "float32", "int32"]


def test_inlined_nodes_are_placed_like_grapplers_multi_device_placer(saved_models):
    # The devices model compares devices node for node above; here the rules by name:
    # input forwarders on their source's device, output forwarders unplaced, body nodes
    # without a device on the call's, and a body node's own device completed (not
    # replaced) by the call's job, replica and task.
    from trtlint.load.functions import body_node_device

    nodes = our_lowered_graph(saved_models / "devices", "serving_default")
    graph = {n.name: n for n in nodes}
    body = [n for n in nodes if "/while/body/" in n.name and not n.name.startswith("Func/")]
    assert body and {n.device for n in body} == {"/device:GPU:0"}
    outputs = [n for n in nodes if n.name.startswith("Func/") and "/output/_" in n.name]
    assert outputs and {n.device for n in outputs} == {""}
    assert all(n.attrs["_class"] == ["loc:@" + n.inputs[0].node] for n in outputs)
    then_inputs = [n for n in nodes if n.name.startswith("Func/StatefulPartitionedCall/cond/")
                   and "/input/_" in n.name]
    assert then_inputs
    for forwarder in then_inputs:
        assert forwarder.device == graph[forwarder.inputs[0].node].device
    assert body_node_device("", "/device:GPU:0") == "/device:GPU:0"
    assert body_node_device("/device:CPU:0", "/device:GPU:0") == "/device:CPU:0"
    assert body_node_device("/device:CPU:0", "/job:worker/replica:0/task:1/device:GPU:0") == \
        "/job:worker/replica:0/task:1/device:CPU:0"
    assert body_node_device("/job:ps/device:CPU:0", "/job:worker/task:1") == \
        "/job:ps/task:1/device:CPU:0"


def frozen_device_differences(directory: Path) -> list[tuple[str, str, str, str]]:
    """(node, op, our device, TensorFlow's) where the frozen signature graphs differ."""
    from trtlint.load import load_model

    from test_loader_vs_tf import tf_frozen_signature

    graph = load_model(directory).graph
    gd = tf_frozen_signature(directory, "serving_default", ["serve"])[0]
    return [(nd.name, graph[nd.name].op, graph[nd.name].device, nd.device) for nd in gd.node
            if nd.name in graph and graph[nd.name].device != nd.device]


def test_frozen_devices_follow_colocation_like_tensorflows_import(saved_models, tf_loaded):
    # Importing the frozen GraphDef puts each colocated forwarder on the device of the
    # node it reads (the output forwarders of the GPU loop's body land on the GPU); the
    # prune copy then drops the colocation attrs.  Variable readers aside (next test),
    # every device is TensorFlow's.
    from trtlint.load import load_model

    differing = frozen_device_differences(saved_models / "devices")
    assert all(name.endswith("/ReadVariableOp") for name, *_ in differing), differing
    graph = load_model(saved_models / "devices").graph
    outputs = [n for n in graph if n.name.startswith("Func/StatefulPartitionedCall/while/body/")
               and "/output/_" in n.name]
    assert outputs and {n.device for n in outputs} == {"/device:GPU:0"}
    assert not any("_class" in n.attrs for n in graph)


@pytest.mark.xfail(strict=True, reason=(
    "trtlint/load/freeze.py keeps a ReadVariableOp's device when it turns it into an "
    "Identity; convert_variables_to_constants_v2 (_ReadVariable) builds the Identity anew "
    "with only its data input, T and _class, so the device (and any control input) is "
    "gone: StatefulPartitionedCall/while/body/_14/while/MatMul/ReadVariableOp is "
    "'/device:GPU:0' here, '' in TensorFlow"))
def test_frozen_variable_readers_lose_their_device(saved_models, tf_loaded):
    assert frozen_device_differences(saved_models / "devices") == []


def test_not_lowered_ops_stay_functional(saved_models):
    # _lower_using_switch_merge=False: the While and If reach TF-TRT as they are.
    from trtlint.load import load_model

    for name in NOT_LOWERED:
        model = load_model(saved_models / f"{name}_not_lowered")
        ops = model.graph.op_histogram()
        assert LOWERED_OPS & set(ops), name
        assert model.lowered_control_flow == []
        assert not {"Enter", "Merge", "Switch", "LoopCond"} & set(ops), name


# -- a loop that assigns a variable: TensorFlow cannot freeze it ------------------------------------
def test_tensorflow_cannot_freeze_a_loop_that_assigns_a_variable(saved_models, tf_loaded):
    # The lowering is the same (test_lowering_matches_tensorflows_inline_pass); then the
    # freezing turns the variable's handle into a float Const that AssignAddVariableOp
    # cannot take, and TensorFlow refuses the graph.
    tf = tensorflow()
    from tensorflow.python.framework.convert_to_constants import (
        convert_variables_to_constants_v2)

    loaded = tf.saved_model.load(str(saved_models / "while_assigns_variable"))
    with pytest.raises(ValueError, match="AssignAddVariableOp.*incompatible with expected "
                                         "resource"):
        convert_variables_to_constants_v2(loaded.signatures["serving_default"])


@pytest.mark.oracle
def test_tftrt_fails_to_convert_a_loop_that_assigns_a_variable(saved_models):
    [result] = run_oracle_many([(saved_models / "while_assigns_variable", {})])
    assert result.get("error_kind") == "conversion"
    assert "expected type resource != float" in result["error"]


def test_trtlint_says_a_loop_that_assigns_a_variable_cannot_be_converted(saved_models):
    from trtlint.analysis import analyze
    from trtlint.load import load_model
    from trtlint.target import make_target

    analysis = analyze(load_model(saved_models / "while_assigns_variable"), make_target("tf2"))
    assert any(f.rule == "TRT706" and f.severity == "error" and "AssignAddVariableOp" in f.message
               for f in analysis.findings)
    assert not analysis.tensorrt_pass_runs and not analysis.segments


# -- against TF-TRT 2.17 -------------------------------------------------------------------------
ORACLE_MODELS = [c.name for c in CASES if c.oracle] + [f"{n}_not_lowered" for n in NOT_LOWERED]
ORACLE_CONFIGS = (Config(dynamic_shape=False), Config(dynamic_shape=True))


@pytest.fixture(scope="module")
def oracle_results(saved_models) -> dict:
    """TF-TRT's result for every compared model and config, asked in one batch."""
    requests = [(saved_models / name, config.oracle_flags())
                for name in ORACLE_MODELS for config in ORACLE_CONFIGS]
    results = run_oracle_many(requests)
    return {(name, config.name): result for (name, config), result in
            zip([(n, c) for n in ORACLE_MODELS for c in ORACLE_CONFIGS], results)}


def _unused_inputs(names) -> int:
    return sum(1 for n in names if UNUSED_LOOP_INPUT.fullmatch(n))


def tftrt_differences(diff, analysis, result) -> list[str]:
    """What differs between trtlint and TF-TRT, leaving out the unused_control_flow_input
    Placeholders (TensorFlow's number of them is not deterministic)."""
    if diff.error is not None:
        return [diff.error]
    problems = [f"engine only in {e.side}: {e.name} {sorted(e.nodes)}"
                for e in diff.only_ours + diff.only_theirs]
    for d in diff.decisions + diff.reasons:
        if not UNUSED_LOOP_INPUT.fullmatch(d.node):
            problems.append(f"node {d.node} ({d.op}): trtlint {d.ours!r} / TF-TRT {d.theirs!r}")
    ours_unused = _unused_inputs(n for n, d in analysis.decisions.items() if not d.supported)
    theirs_unused = _unused_inputs(result.get("rejected_nodes") or {})
    for op, (ours, theirs) in diff.type_counts.items():
        if op == "Placeholder" and ours - ours_unused == theirs - theirs_unused:
            continue
        problems.append(f"unconverted {op}: trtlint {ours} / TF-TRT {theirs}")
    if (diff.unconverted_ours or 0) - ours_unused != (diff.unconverted_theirs or 0) - theirs_unused:
        problems.append(f"unconverted (less unused loop inputs): trtlint "
                        f"{diff.unconverted_ours} - {ours_unused} / TF-TRT "
                        f"{diff.unconverted_theirs} - {theirs_unused}")
    return problems


def _oracle_params():
    params = []
    for name in ORACLE_MODELS:
        case = BY_NAME.get(name)
        for config in ORACLE_CONFIGS:
            marks = [pytest.mark.oracle]
            if case is not None and case.oracle_xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=case.oracle_xfail))
            params.append(pytest.param(name, config, marks=marks, id=f"{name}-{config.name}"))
    return params


@pytest.mark.parametrize("name,config", _oracle_params())
def test_analysis_matches_tftrt(name, config, saved_models, oracle_results):
    result = oracle_results[(name, config.name)]
    assert "error" not in result, result.get("error")
    analysis = predict(saved_models / name, config)
    diff = diff_analysis(analysis, result, model=name, config=config.name)
    problems = tftrt_differences(diff, analysis, result)
    assert not problems, f"{name} [{config.name}]:\n" + "\n".join(problems[:25])


@pytest.mark.oracle
def test_some_compared_models_build_engines(saved_models, oracle_results):
    # The comparison above is not only about rejections: TF-TRT builds engines for
    # several of these models, in loop bodies and cond branches too.
    with_engines = {name for (name, _), result in oracle_results.items()
                    if result.get("segments")}
    assert {"cond_on_tensor", "nested_while", "tensor_array_loop", "while_shape_invariants",
            "cond_mixed_dtypes"} <= with_engines
    members = [m for result in oracle_results.values()
               for s in result.get("segments") or [] for m in s["members"]]
    assert any("/while/body/" in m for m in members)
    assert any("/cond/then/" in m for m in members)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "build":
        build_all(Path(sys.argv[2]))
    else:
        sys.exit(f"usage: {sys.argv[0]} build DIRECTORY")
