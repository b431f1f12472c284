"""The findings part of ``trtlint analyze``'s terminal report: grouped by rule, then by name
scope, worst rule first, a shared fix printed once, long groups cut short."""

from __future__ import annotations

from rich.console import Console
from typer.testing import CliRunner

from trtlint.cli import app
from trtlint.findings import Finding
from trtlint.views.findings_rich import findings_renderable, findings_tree

from test_rules_helpers import GRAPHS

runner = CliRunner()


def render(renderable, width: int = 200) -> str:
    console = Console(width=width, no_color=True, record=True, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def sample() -> list[Finding]:
    return [
        Finding("TRT501", "info", "small engine", "a/b/node1", "grow it"),
        Finding("TRT102", "warning", "Reshape stays in TensorFlow", "net/block/reshape",
                "keep the batch"),
        Finding("TRT102", "warning", "Transpose stays in TensorFlow", "net/head/transpose",
                "keep the batch"),
        Finding("TRT301", "error", "QuantizeV2 will crash", "post/q/quantize", "do not quantize"),
        Finding("TRT403", "info", "static engines", None, "set max_batch_size"),
    ]


def test_rules_are_ordered_worst_first_and_counted():
    text = render(findings_renderable(sample()))
    assert text.splitlines()[0].startswith("Findings: 1 error, 2 warnings, 2 info")
    order = [text.index(rule) for rule in ("TRT301", "TRT102", "TRT403", "TRT501")]
    assert order == sorted(order)


def test_findings_grouped_by_scope_with_the_node_named():
    text = render(findings_renderable(sample()))
    assert "net/block" in text and "net/head" in text
    assert "reshape: Reshape stays in TensorFlow" in text
    # a rule's findings all share one fix: printed once, under the rule
    assert text.count("keep the batch") == 1


def test_model_level_findings_need_no_scope_heading():
    text = render(findings_renderable([Finding("TRT403", "info", "static engines", None, "x")]))
    assert "(model)" not in text and "static engines" in text


def test_long_groups_are_cut_with_a_pointer_to_json():
    many = [Finding("TRT505", "warning", f"tensor {i}", f"s{i % 3}/n{i}", f"fix {i}")
            for i in range(30)]
    text = render(findings_tree(many, per_rule=5))
    assert "... and 25 more (--format json lists all)" in text
    assert len([line for line in text.splitlines() if "[!]" in line]) == 5


def test_no_findings():
    assert "No findings." in render(findings_renderable([]))


def test_analyze_prints_findings_under_the_tables():
    result = runner.invoke(app, ["analyze", str(GRAPHS / "ssd_inception_v2_like_quantized_area.pb"),
                                 "--no-color"], terminal_width=160)
    assert result.exit_code in (0, 1), result.output
    out = result.stdout
    assert "Findings:" in out
    assert out.index("Findings:") > out.index("Predicted engines")
    assert "TRT301 quantize-empty-input" in out
    assert out.index("TRT301") < out.index("TRT201")      # the error before the warnings
