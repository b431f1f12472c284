"""``--input-shape NAME=1x300x300x3``: parsing, checking against the graph, effect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from trtlint.errors import UsageError
from trtlint.load import load_model
from trtlint.shapes import infer_shapes
from trtlint.shapes.overrides import check_overrides, parse_input_shape, parse_input_shapes
from shared_data import CORPUS_MODELS

CORPUS = CORPUS_MODELS
POETS = CORPUS / "030_poets_retrained_optimized.pb"      # input: unknown rank
MOBILENET = CORPUS / "028_mobilenet_v1_025_128_frozen.pb"  # input: [1,128,128,3]


@pytest.mark.parametrize("text,expected", [
    ("image_tensor=1x300x300x3", ("image_tensor", (1, 300, 300, 3))),
    ("image_tensor=?x300x300x3", ("image_tensor", (-1, 300, 300, 3))),
    ("image_tensor=-1x-1x-1x3", ("image_tensor", (-1, -1, -1, 3))),
    ("image_tensor:0=1,300,300,3", ("image_tensor", (1, 300, 300, 3))),
    ("scope/input=[8, 16]", ("scope/input", (8, 16))),
    ("keep_prob=scalar", ("keep_prob", ())),
    ("keep_prob=", ("keep_prob", ())),
    ("x=0x3", ("x", (0, 3))),
])
def test_parse_input_shape(text, expected):
    assert parse_input_shape(text) == expected


@pytest.mark.parametrize("text,complaint", [
    ("image_tensor", "expected NAME=DIMS"),
    ("=1x2", "expected NAME=DIMS"),
    ("x=1xax3", "'a' is not a dimension"),
    ("x=1x-2", "'-2' is not a dimension"),
    ("x=1.5x2", "'1.5' is not a dimension"),
    ("x:1=1x2", "one output"),
])
def test_parse_input_shape_rejects_bad_syntax(text, complaint):
    with pytest.raises(UsageError) as err:
        parse_input_shape(text)
    assert complaint in str(err.value)


def test_parse_input_shapes_repeated_option():
    assert parse_input_shapes(["a=1x2", "b=3", "a=1x2"]) == {"a": (1, 2), "b": (3,)}
    with pytest.raises(UsageError, match="given twice"):
        parse_input_shapes(["a=1x2", "a=2x2"])


def test_override_naming_no_placeholder_lists_the_placeholders():
    graph = load_model(POETS).graph
    with pytest.raises(UsageError) as err:
        check_overrides(graph, {"image": (1, 224, 224, 3)})
    message = str(err.value)
    assert "no node named 'image'" in message
    assert "input, input_1/BottleneckInputPlaceholder" in message
    with pytest.raises(UsageError, match="a Conv2D node, not a placeholder"):
        check_overrides(graph, {"MobilenetV1/MobilenetV1/Conv2d_0/convolution": (1,)})


def test_override_must_fit_the_declared_shape():
    graph = load_model(MOBILENET).graph
    with pytest.raises(UsageError, match=r"declared \[1,128,128,3\]"):
        check_overrides(graph, {"input": (1, 224, 224, 3)})
    with pytest.raises(UsageError, match="declared"):
        check_overrides(graph, {"input": (1, 128, 128)})
    # unknown dims the user leaves open are filled from the declaration
    assert check_overrides(graph, {"input:0": (-1, -1, -1, 3)}) == {"input": (1, 128, 128, 3)}


def test_override_reaches_the_whole_graph():
    graph = load_model(POETS).graph
    conv = "MobilenetV1/MobilenetV1/Conv2d_0/convolution"
    plain = infer_shapes(graph)
    assert plain.output_shape(conv) == (-1, -1, -1, 8)  # the input's rank is unknown
    fed = infer_shapes(graph, {"input": (1, 128, 128, 3)})
    assert fed.output_shape("input") == (1, 128, 128, 3)
    assert fed.output_shape(conv) == (1, 64, 64, 8)
    assert fed.output_shape("MobilenetV1/Logits/AvgPool_1a/AvgPool") == (1, 1, 1, 256)
    # The classifier head reads a PlaceholderWithDefault whose declared batch is unknown.
    assert fed.output_shape("final_result") == (-1, 6)


def _trtlint(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trtlint", *args], capture_output=True,
                          text=True, timeout=120)


def test_cli_reports_unknown_placeholder_in_one_line():
    result = _trtlint("analyze", str(POETS), "--input-shape", "image=1x224x224x3",
                      "--format", "json")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "--input-shape image" in lines[0] and "input_1/BottleneckInputPlaceholder" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_reports_bad_syntax_in_one_line():
    result = _trtlint("analyze", str(POETS), "--input-shape", "input=1xfoo", "--format", "json")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "'foo' is not a dimension" in result.stderr
