"""The cases of TF-TRT's segment_test.cc (TF 2.10-2.17 text), as data.

Source: ``tensorflow/compiler/tf2tensorrt/segment/segment_test.cc``, the version with
``OkStatus()`` (tensorflow/tensorflow@5f3dac2e, stored id 26552347), whose tests are the
ones TF 2.17 ships.  Each ``TEST_F`` builds a graph with the C++ ops API and calls
``SegmentGraph`` one or more times with:

* a candidate set (its candidate function accepts exactly those node names),
* an input-edge and an output-edge candidate set (which segment-boundary edges are
  acceptable), and
* SegmentOptions: ``minimum_segment_size`` 2 (the struct's default), and either
  ``DisableImplicitBatchMode()`` (explicit batch) or
  ``EnableImplicitBatchModeForStaticEngine(max_batch)`` (implicit batch, static engines:
  no unknown non-batch dims) -- these need shapes, which the test infers statically.

The expectation is the ordered list of segments (node-name sets) in the order
SegmentGraph returns them (by root name).

How a case runs in trtlint (``approach``):

``segmenter``
    The graph is rebuilt with TensorFlow and loaded by trtlint, and
    ``trtlint.segments.tf2.segment_graph`` is called with a decisions dict: a node is a
    candidate when it is in the test's set *and* passes the checks that SegmentGraph
    itself runs before calling the candidate function (device type, implicit-batch
    rank, unknown non-batch dims) -- trtlint keeps those in its candidate validator,
    so we ask the validator for them alone.

What TF 2.17 does in production differs from these unit tests in one respect: its
``OutputEdgeValidator`` refuses a segment output that comes from a Const (input edges
are always accepted).  trtlint's segmenter models that validator; runs whose
expectation depends on another edge-candidate choice cannot be expressed (see
``NOT_EXPRESSIBLE``) and one run whose answer changes under the production validator
records both answers.

``production`` variants re-check the graphs end to end: the non-candidates become ops
TF-TRT has no converter for (``Igamma``), the feed gets a known shape, an ``Identity``
fetch is added after every sink (TF-TRT never puts a fetch node in an engine), and the
graph goes through trtlint's whole pipeline and through TF 2.17's TF-TRT (the oracle)
without grappler.  Explicit-batch cases run in dynamic shape mode.  Implicit-batch cases
run in implicit batch mode with dynamic engines (the oracle cannot build static ones);
we only do that for graphs without unknown non-batch dims, where the static-engine
check has nothing to refuse, and there the candidates come from the real converters.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

SOURCE = "tensorflow/compiler/tf2tensorrt/segment/segment_test.cc"
TF_VERSION = "2.10-2.17"

ALL5 = frozenset({"add0", "add1", "add2", "add3", "add4"})
ALL9 = frozenset(f"add{i}" for i in range(9))
ALL8 = frozenset(f"add{i}" for i in range(8))


@dataclass(frozen=True)
class SegmentCase:
    """One ``RunTest`` call of a ``TEST_F``."""

    test: str                                   # TEST_F name
    run: int                                    # 1-based RunTest call within it
    build: Callable                             # build(tf, devices) creates the graph
    candidates: frozenset
    expected: tuple                             # ordered segments, each a frozenset
    implicit_batch: bool = False                # EnableImplicitBatchModeForStaticEngine
    maximum_batch_size: int = 1000
    devices: tuple = ()                         # ((node, device), ...) placements
    #: the answer under TF 2.17's production edge validators, where it differs
    tf217: Optional[tuple] = None
    tf217_note: str = ""
    #: builds the production variant (see module docstring); returns the fetch names
    production: Optional[Callable] = None
    #: what the production variant gives when real converters choose other candidates
    #: than the test's candidate function (None: the same as ``truth()``)
    production_expected: Optional[tuple] = None
    note: str = ""
    profile: str = "tf2"                        # the trtlint profile that must hold it
    source: str = SOURCE
    tf_version: str = TF_VERSION

    @property
    def id(self) -> str:
        suffix = "" if self.profile == "tf2" else f"@{self.profile}"
        return f"{self.test}#{self.run}{suffix}"

    def truth(self) -> tuple:
        return self.tf217 if self.tf217 is not None else self.expected

    def production_truth(self) -> tuple:
        return self.production_expected if self.production_expected is not None else self.truth()


def _segments(*sets) -> tuple:
    return tuple(frozenset(s) for s in sets)


def add(tf, x, y, name):
    """``ops::Add``: the Add op (not AddV2), as the C++ test builds it."""
    return tf.raw_ops.Add(x=x, y=y, name=name)


def placed(tf, devices: dict, name: str):
    """A device scope for ``name`` when the case assigns it one."""
    return tf.device(devices[name]) if name in devices else _NoScope()


class _NoScope:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- graphs ------------------------------------------------------------------------------

def simple_graph(tf, devices=None, non_candidates=(), feed_shape=None):
    """Simple / WithDeviceAssignments / AvoidCycle::

               feed
              //  \\\\
           add0    add1
            | \\    /
            |  add2
            | /   \\\\
           add3    add4
    """
    devices = devices or {}
    feed = tf.compat.v1.placeholder(tf.float32, feed_shape, name="feed")

    def op(x, y, name):
        with placed(tf, devices, name):
            if name in non_candidates:
                return tf.math.igamma(x, y, name=name)
            return add(tf, x, y, name)

    add0 = op(feed, feed, "add0")
    add1 = op(feed, feed, "add1")
    add2 = op(add0, add1, "add2")
    op(add0, add2, "add3")
    op(add2, add2, "add4")


def multiple_graph(tf, non_candidates=(), feed_shape=None):
    """Multiple::

                  feed
               //  ||  \\\\
            add0  add1  add7
            |  \\  /     / \\\\
            |  add2    /   \\\\
            |   || \\   |   ||
            |   ||  add5  add8
            |  /  \\ /  \\   /
            add3  add4  add6
    """
    feed = tf.compat.v1.placeholder(tf.float32, feed_shape, name="feed")

    def op(x, y, name):
        return tf.math.igamma(x, y, name=name) if name in non_candidates else add(tf, x, y, name)

    add0 = op(feed, feed, "add0")
    add1 = op(feed, feed, "add1")
    add7 = op(feed, feed, "add7")
    add2 = op(add0, add1, "add2")
    add5 = op(add2, add7, "add5")
    add8 = op(add7, add7, "add8")
    op(add0, add2, "add3")
    op(add2, add5, "add4")
    op(add5, add8, "add6")


def big_if_else_graph(tf, non_candidates=(), feed_shape=None):
    """BigIfElse: add0 splits into add1-add2-add3 and add4-add5-add6, joined by add7."""
    feed = tf.compat.v1.placeholder(tf.float32, feed_shape, name="feed")

    def op(x, y, name):
        return tf.math.igamma(x, y, name=name) if name in non_candidates else add(tf, x, y, name)

    add0 = op(feed, feed, "add0")
    add1 = op(add0, add0, "add1")
    add2 = op(add1, add1, "add2")
    add3 = op(add2, add2, "add3")
    add4 = op(add0, add0, "add4")
    add5 = op(add4, add4, "add5")
    add6 = op(add5, add5, "add6")
    op(add3, add6, "add7")


def identity_graph(tf, feed_shape=None):
    """IdentityOps: feed -> identity0 -> identity1 -> identity2 -> identity3."""
    x = tf.compat.v1.placeholder(tf.float32, feed_shape, name="feed")
    for i in range(4):
        x = tf.identity(x, name=f"identity{i}")


def exclude_add_dynamic_graph(tf):
    """ExcludeAddWithDynamicNonBatchDimension: feed-2 [-1, -1, 3] makes add-2 dynamic."""
    c = tf.constant([1.0], shape=[])
    feed_0 = tf.compat.v1.placeholder(tf.float32, [None, 2, 3], name="feed-1")
    feed_1 = tf.compat.v1.placeholder(tf.float32, [None, None, 3], name="feed-2")
    add_0 = add(tf, feed_0, c, "add-0")
    add(tf, add_0, feed_0, "add-1")
    add(tf, c, feed_1, "add-2")


def exclude_reshape_dynamic_graph(tf):
    """ExcludeReshapeWithDynamicNonBatchDimensionInOutput: Reshape to [6, -1]."""
    c = tf.constant([1.0], shape=[])
    feed_0 = tf.compat.v1.placeholder(tf.float32, [None, 2, 3], name="feed-1")
    add_0 = add(tf, feed_0, c, "add-0")
    reshape = tf.raw_ops.Reshape(tensor=add_0, shape=tf.constant([6, -1]), name="reshape")
    add(tf, reshape, c, "add-1")


def two_inputs_const_graph(tf, shape_0, shape_1, fetch_identities=False):
    """RankOneCannotUseImplicitBatch / TwoChainsDiffBatchSizes: input-k + const-scalar."""
    input_0 = tf.compat.v1.placeholder(tf.float32, shape_0, name="input-0")
    input_1 = tf.compat.v1.placeholder(tf.float32, shape_1, name="input-1")
    c = tf.constant(1.0, name="const-scalar")
    out_0 = add(tf, input_0, c, "output-0")
    out_1 = add(tf, input_1, c, "output-1")
    if fetch_identities:
        return [tf.identity(out_0, name="fetch-0").op.name, tf.identity(out_1, name="fetch-1").op.name]
    return None


def same_rank_static_graph(tf, fetch_identities=False):
    """SameRankImplicitBroadcastingStaticBatchSize."""
    input_0 = tf.compat.v1.placeholder(tf.float32, [2, 3, 1], name="input-0")
    input_1 = tf.compat.v1.placeholder(tf.float32, [1, 3, 4], name="input-1")
    input_2 = tf.compat.v1.placeholder(tf.float32, [2, 3, 4], name="input-2")
    multiple = tf.raw_ops.Mul(x=input_2, y=input_2, name="multiple")
    out_0 = add(tf, input_0, multiple, "output-0")
    out_1 = add(tf, input_1, multiple, "output-1")
    if fetch_identities:
        return [tf.identity(out_0, name="fetch-0").op.name, tf.identity(out_1, name="fetch-1").op.name]
    return None


def broadcast_batch_graph(tf, const_shape, fetch_identities=False):
    """SameRankImplicitBroadcastingDynamicBatchSize ([1, 1] const) and
    IncompatibleBatchSizes ([2, 2] const): input-0 [-1, 2] + const-val."""
    input_0 = tf.compat.v1.placeholder(tf.float32, [None, 2], name="input-0")
    tf.compat.v1.placeholder(tf.float32, [1, 2] if const_shape == [1, 1] else [2, 2],
                             name="input-1")
    c = tf.constant(1.0, shape=const_shape, name="const-val")
    add_0 = add(tf, input_0, c, "add-0")
    out = add(tf, input_0, add_0, "output-0")
    if fetch_identities:
        return [tf.identity(out, name="fetch-0").op.name]
    return None


# -- production variants -------------------------------------------------------------------

FEED = [None, 8]


def with_fetches(tf, sinks):
    """An Identity fetch after each sink, named ``fetch_<sink>``."""
    graph = tf.compat.v1.get_default_graph()
    return [tf.identity(graph.get_tensor_by_name(f"{s}:0"), name=f"fetch_{s}").op.name
            for s in sinks]


def production_simple(non_candidates=(), sinks=("add3", "add4")):
    def build(tf):
        simple_graph(tf, non_candidates=non_candidates, feed_shape=FEED)
        return with_fetches(tf, sinks)
    return build


def production_multiple(non_candidates):
    def build(tf):
        multiple_graph(tf, non_candidates=non_candidates, feed_shape=FEED)
        return with_fetches(tf, ["add3", "add4", "add6"])
    return build


def production_big_if_else(non_candidates):
    def build(tf):
        big_if_else_graph(tf, non_candidates=non_candidates, feed_shape=FEED)
        return with_fetches(tf, ["add7"])
    return build


def production_identities(tf):
    identity_graph(tf, feed_shape=FEED)
    return with_fetches(tf, ["identity3"])


def production_devices(devices):
    def build(tf):
        simple_graph(tf, devices=devices, feed_shape=FEED)
        return with_fetches(tf, ["add3", "add4"])
    return build


# -- the cases -------------------------------------------------------------------------------

GPU0, GPU1, GPU_ANY = "/device:GPU:0", "/device:GPU:1", "/device:GPU:*"
GPU0_GPU1 = (("add0", GPU0), ("add1", GPU0), ("add2", GPU0), ("add3", GPU1), ("add4", GPU1))
GPU0_ANY = (("add0", GPU0), ("add1", GPU0), ("add2", GPU0), ("add3", GPU_ANY),
            ("add4", GPU_ANY))


def _simple(tf, devices=()):
    simple_graph(tf, devices=dict(devices))


CASES: list[SegmentCase] = [
    SegmentCase("Empty", 1, lambda tf, devices=(): None, frozenset(), _segments()),
    SegmentCase("Simple", 1, _simple, ALL5, _segments(ALL5),
                production=production_simple(),
                note="all Add ops are candidates: one segment"),
    SegmentCase("Simple", 2, _simple, ALL5 - {"add1"}, _segments(ALL5 - {"add1"}),
                production=production_simple(non_candidates=("add1",))),
    SegmentCase("WithDeviceAssignments", 1, _simple, ALL5, _segments(ALL5),
                production=production_devices({})),
    SegmentCase("WithDeviceAssignments", 2, _simple, ALL5, _segments(ALL5 - {"add1"}),
                devices=(("add1", "/device:CPU:0"),),
                production=production_devices({"add1": "/device:CPU:0"}),
                note="add1 on the CPU leaves the cluster"),
    SegmentCase("WithDeviceAssignments", 3, _simple, ALL5,
                _segments({"add0", "add1", "add2"}), devices=GPU0_GPU1,
                production=production_devices(dict(GPU0_GPU1)),
                note="add3 and add4 on GPU:1 cannot join the GPU:0 cluster; not connected "
                     "to each other, each is alone and below minimum_segment_size"),
    SegmentCase("WithDeviceAssignments", 4, _simple, ALL5, _segments(ALL5), devices=GPU0_ANY,
                production=production_devices(dict(GPU0_ANY)),
                note="GPU:* is compatible with GPU:0"),
    SegmentCase("AvoidCycle", 1, _simple, ALL5 - {"add2"}, _segments(),
                production=production_simple(non_candidates=("add2",)),
                note="add0 and add3 cannot merge around the non-candidate add2"),
    SegmentCase("Multiple", 1, lambda tf, devices=(): multiple_graph(tf), ALL9 - {"add5"},
                _segments({"add0", "add1", "add2", "add3"}, {"add6", "add8"}),
                production=production_multiple(("add5",))),
    SegmentCase("BigIfElse", 1, lambda tf, devices=(): big_if_else_graph(tf), ALL8 - {"add2"},
                _segments({"add0", "add1"}, {"add3", "add4", "add5", "add6", "add7"}),
                production=production_big_if_else(("add2",))),
    SegmentCase("IdentityOps", 1, lambda tf, devices=(): identity_graph(tf),
                frozenset(f"identity{i}" for i in range(4)), _segments(),
                production=production_identities,
                note="Identity ops are not effective nodes: no segment"),
    SegmentCase("ExcludeAddWithDynamicNonBatchDimension", 1,
                lambda tf, devices=(): exclude_add_dynamic_graph(tf),
                frozenset({"add-0", "add-1", "add-2"}), _segments({"add-0", "add-1"}),
                implicit_batch=True),
    SegmentCase("ExcludeReshapeWithDynamicNonBatchDimensionInOutput", 1,
                lambda tf, devices=(): exclude_reshape_dynamic_graph(tf),
                frozenset({"add-0", "reshape", "add-1"}), _segments(), implicit_batch=True),
    SegmentCase("RankOneCannotUseImplicitBatch", 1,
                lambda tf, devices=(): two_inputs_const_graph(tf, [3], [3]),
                frozenset({"const-scalar", "output-0", "output-1"}), _segments(),
                implicit_batch=True,
                production=lambda tf: two_inputs_const_graph(tf, [3], [3], True)),
    SegmentCase("TwoChainsDiffBatchSizes", 1,
                lambda tf, devices=(): two_inputs_const_graph(tf, [2, 3], [5, 3]),
                frozenset({"const-scalar", "output-0", "output-1"}),
                _segments({"output-0", "const-scalar"}), implicit_batch=True,
                tf217=_segments(),
                production=lambda tf: two_inputs_const_graph(tf, [2, 3], [5, 3], True),
                tf217_note="the test accepts every output edge; TF 2.17's OutputEdgeValidator "
                           "refuses const-scalar as an output of the segment (it also feeds "
                           "output-1, batch 5), so it leaves the segment and output-0 alone "
                           "is below minimum_segment_size 2"),
    SegmentCase("TwoChainsDiffBatchSizes", 2,
                lambda tf, devices=(): two_inputs_const_graph(tf, [2, 3], [5, 3]),
                frozenset({"const-scalar", "output-0", "output-1"}),
                _segments({"output-0", "const-scalar"}), implicit_batch=True,
                maximum_batch_size=1, tf217=_segments(),
                tf217_note="as run 1: maximum_batch_size does not change segmentation"),
    SegmentCase("SameRankImplicitBroadcastingStaticBatchSize", 1,
                lambda tf, devices=(): same_rank_static_graph(tf),
                frozenset({"multiple", "output-0", "output-1"}),
                _segments({"multiple", "output-0", "output-1"}), implicit_batch=True,
                production=lambda tf: same_rank_static_graph(tf, True)),
    SegmentCase("SameRankImplicitBroadcastingDynamicBatchSize", 1,
                lambda tf, devices=(): broadcast_batch_graph(tf, [1, 1]),
                frozenset({"const-val", "add-0", "output-0"}),
                _segments({"const-val", "add-0", "output-0"}), implicit_batch=True,
                production=lambda tf: broadcast_batch_graph(tf, [1, 1], True)),
    SegmentCase("IncompatibleBatchSizes", 1,
                lambda tf, devices=(): broadcast_batch_graph(tf, [2, 2]),
                frozenset({"const-val", "add-0", "output-0"}), _segments(),
                implicit_batch=True,
                production=lambda tf: broadcast_batch_graph(tf, [2, 2], True)),
]

#: RunTest calls whose edge-candidate sets differ from the candidate set in a way that
#: TF 2.17 never uses (its input validator accepts every edge; its output validator only
#: refuses Const outputs).  trtlint models 2.17's validators, not a free choice of them.
NOT_EXPRESSIBLE: list[tuple[str, str]] = [
    ("Simple#3", "add2 is not an input candidate: its inputs from outside the segment "
                 "(add1) are refused, so add0 and add2 leave -> {add3, add4}"),
    ("Simple#4", "add2 is not an input candidate but has no input from outside the "
                 "segment: same answer as Simple#1 (the parameter varied has no effect)"),
    ("Simple#5", "add1 is not an input candidate: it leaves the segment (its input is the "
                 "feed, outside)"),
    ("Simple#6", "add3 is not an output candidate, but its only output is the sink: no "
                 "effect (the parameter varied has no effect)"),
    ("Multiple#2", "add6 is not an input candidate: all its direct and indirect inputs "
                   "leave the segment -> {add3, add4}"),
    ("Multiple#3", "add0 is not an output candidate: all its direct and indirect outputs "
                   "leave the segment -> {add1, add7, add8}"),
]


# -- the TF 1.x texts ------------------------------------------------------------------------
#
# TF 1.13's contrib/tensorrt/segment/segment_test.cc (stored id 531973172) and the
# tf2tensorrt copy TF 1.14-2.0 shipped (SegmentNodesVector, stored id 71533746) hold the
# first five TEST_Fs with the same graphs and expectations, and SegmentGraph has no
# implicit-batch or device logic yet.  They run through trtlint's TF 1.x segmenter
# (segments/tf1.py) for the tf1.13 and tf1.15 profiles, candidate sets as given.  The
# runs with free edge-candidate sets are not expressible there either.

TF1_SOURCES = {
    "tf1.13": ("tensorflow/contrib/tensorrt/segment/segment_test.cc", "1.13"),
    "tf1.15": ("tensorflow/compiler/tf2tensorrt/segment/segment_test.cc", "1.14-2.0"),
}
TF1_TESTS = ("Empty", "Simple", "AvoidCycle", "Multiple", "BigIfElse")


def _tf1_cases() -> list[SegmentCase]:
    from dataclasses import replace

    out = []
    for profile, (source, version) in TF1_SOURCES.items():
        for case in CASES:
            if case.test in TF1_TESTS:
                out.append(replace(case, profile=profile, source=source, tf_version=version,
                                   production=None))
    return out


TF1_CASES: list[SegmentCase] = _tf1_cases()
