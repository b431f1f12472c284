"""Which ops have shape functions, and the registry's rules (no TensorFlow needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import trtlint.shapes  # noqa: F401  (registers every shape function)
from trtlint.shapes.registry import lookup, registered_ops, shape_fn
from shared_data import CORPUS_MODELS

REPO = Path(__file__).resolve().parent.parent
CORPUS = CORPUS_MODELS

#: ops of the corpus that only exist in custom builds (DeePMD, TF-Text): unknown shapes
CUSTOM_OPS = {"DescrptSeA", "ProdForceSeA", "ProdVirialSeA", "TokenizerFromLogits"}

#: what common vision, detection and NLP graphs need beyond the corpus
COMMON_OPS = """
Conv2D Conv3D DepthwiseConv2dNative Conv2DBackpropInput MaxPool AvgPool MaxPool3D AvgPool3D
FusedBatchNorm FusedBatchNormV3 BiasAdd MatMul BatchMatMulV2 Einsum Relu Relu6 Elu Selu
LeakyRelu Sigmoid Tanh Softmax LogSoftmax Add AddV2 Sub Mul RealDiv Maximum Minimum Pow
Reshape Squeeze ExpandDims Transpose ConcatV2 Pack Unpack Split SplitV Slice StridedSlice
GatherV2 GatherNd Pad PadV2 MirrorPad Tile BroadcastTo ResizeBilinear ResizeNearestNeighbor
CropAndResize NonMaxSuppressionV3 NonMaxSuppressionV4 NonMaxSuppressionV5
CombinedNonMaxSuppression TopKV2 Where Cast Shape Size Rank Fill Range ZerosLike OneHot
Sum Mean Max Min Prod ArgMax All Any Switch Merge Enter Exit NextIteration LoopCond
TensorArrayV3 TensorArrayReadV3 TensorArrayWriteV3 TensorArrayGatherV3 TensorArrayScatterV3
TensorListReserve TensorListGetItem TensorListSetItem TensorListStack While If
QuantizeV2 Dequantize QuantizedConv2D QuantizedMatMul Requantize RequantizationRange
FakeQuantWithMinMaxVars QuantizeAndDequantizeV2 SpaceToBatchND BatchToSpaceND
SpaceToDepth DepthToSpace Cumsum LSTMBlockCell GRUBlockCell SparseToDense
""".split()


def _corpus_ops() -> set[str]:
    ops: set[str] = set()
    for sidecar in CORPUS.glob("*.json"):
        meta = json.loads(sidecar.read_text())
        for key in ("op_histogram", "function_op_histogram"):
            ops.update((meta.get(key) or {}).keys())
    return ops


def test_every_corpus_op_has_a_shape_function():
    ops = _corpus_ops()
    assert len(ops) > 150
    missing = sorted(op for op in ops - CUSTOM_OPS if lookup(op) is None)
    assert not missing


@pytest.mark.parametrize("op", COMMON_OPS)
def test_common_op_has_a_shape_function(op):
    assert lookup(op) is not None


def test_registering_an_op_twice_is_an_error():
    with pytest.raises(ValueError, match="registered twice"):
        shape_fn("Conv2D")(lambda ctx: None)


def test_registry_is_large_and_sorted():
    ops = registered_ops()
    assert ops == sorted(ops)
    assert len(ops) > 500


def test_trt_engine_op_uses_recorded_output_shapes():
    from trtlint.graph.model import Graph, Node, TensorRef
    from trtlint.shapes import infer_shapes

    x = Node("x", "Placeholder", attrs={"dtype": "float32", "shape": (-1, 8)})
    engine = Node("TRTEngineOp_000_000", "TRTEngineOp", [TensorRef("x")],
                  attrs={"OutT": ["float32", "float32"],
                         "output_shapes": [(-1, 4), (-1, 4, 2)]})
    reader = Node("y", "Identity", [TensorRef(engine.name, 1)], attrs={"T": "float32"})
    shapes = infer_shapes(Graph([x, engine, reader]))
    assert shapes.outputs(engine.name) == [(-1, 4), (-1, 4, 2)]
    assert shapes.output_shape("y") == (-1, 4, 2)
    bare = Node("TRTEngineOp_000_001", "TRTEngineOp", [TensorRef("x")],
                attrs={"OutT": ["float32"]})
    assert infer_shapes(Graph([x, bare])).outputs(bare.name) == [None]


def test_shape_inference_never_imports_tensorflow():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from trtlint.load import load_model\n"
        "from trtlint.shapes import infer_shapes\n"
        f"m = load_model({str(CORPUS / '008_cms_deepjet_lstm_whileloop.pb')!r})\n"
        "s = infer_shapes(m.graph)\n"
        "assert s.output_shape('regression_pred/BiasAdd') is not None\n"
        "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n"
        "assert 'numpy' not in sys.modules, 'numpy was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
