"""The damage real logs suffer on their way to us, applied to real logs: the parser must
read the same facts and engines from the damaged copy as from the original.

Variants: CRLF line ends; a terminal's hard wrap at several widths (also with CRLF); the
timestamp cut off every line; a markdown blockquote; an indented code block; absl-style
prefixes instead of TensorFlow's; a script's prints interleaved between messages; UTF-16
as Windows redirection writes it; gzip."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Callable

import pytest

from trtlint.logs import LogReport, parse_log, read_log
from shared_data import CORPUS_LOGS

ROOT = Path(__file__).resolve().parents[1]
CORPUS = CORPUS_LOGS
LOGS = sorted(CORPUS.glob("*.log")) + sorted((ROOT / "fixtures" / "logs").glob("*.log"))

_GLOG = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: ", re.M)
_GLOG_PARTS = re.compile(r"^(\d{4})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d\.\d+): ([IWEF]) (?:\S+/)?"
                         r"([^/\s]+:\d+)\]", re.M)
PRINT = "step 15/30, image shape : (1, 320, 320, 3)"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")


def hard_wrap(text: str, width: int) -> str:
    """What a terminal does to lines longer than its width (no character lost)."""
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return "\n".join(out)


def with_prints(text: str) -> str:
    """A script's print before every other prefixed message."""
    out = []
    for i, line in enumerate(text.split("\n")):
        if i % 2 and _GLOG.match(line):
            out.append(PRINT)
        out.append(line)
    return "\n".join(out)


def as_absl(text: str) -> str:
    """I0618 16:32:41.029296 140710008563520 convert_graph.cc:763] ... (basename only)."""
    return _GLOG_PARTS.sub(lambda m: f"{m[5]}{m[2]}{m[3]} {m[4]} 140710008563520 {m[6]}]", text)


VARIANTS: dict[str, Callable[[str], str]] = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "wrap60": lambda t: hard_wrap(t, 60),
    "wrap80": lambda t: hard_wrap(t, 80),
    "wrap100": lambda t: hard_wrap(t, 100),
    "wrap133": lambda t: hard_wrap(t, 133),
    "wrap80_crlf": lambda t: hard_wrap(t, 80).replace("\n", "\r\n"),
    "no_timestamps": lambda t: _GLOG.sub("", t),
    "blockquote": lambda t: "\n".join("> " + x for x in t.split("\n")),
    "indented": lambda t: "\n".join("    " + x for x in t.split("\n")),
    "absl_prefix": as_absl,
    "interleaved_prints": with_prints,
}


def _comparable(report: LogReport) -> tuple:
    engines = [{**e.to_json(), "line": None} for e in report.engines]
    return report.facts, engines


def _applicable() -> list:
    """(log, variant) pairs where the variant changes the log (a one-line log without a
    timestamp has nothing to wrap at 133 columns or to strip)."""
    cases = []
    for log in LOGS:
        text = log.read_text(encoding="utf-8")
        for name in sorted(VARIANTS):
            if VARIANTS[name](text) != text:
                cases.append(pytest.param(log, name, id=f"{log.stem}-{name}"))
    return cases


@pytest.mark.parametrize("log,variant", _applicable())
def test_variant_reads_the_same(log: Path, variant: str):
    text = log.read_text(encoding="utf-8")
    damaged = VARIANTS[variant](text)
    assert _comparable(parse_log(damaged)) == _comparable(parse_log(text))


def test_most_variants_apply_to_most_logs():
    assert len(_applicable()) >= 0.9 * len(LOGS) * len(VARIANTS)


@needs_corpus
def test_wrap_actually_splits_messages():
    """Guard against a vacuous wrap test: at width 80 most corpus lines are cut."""
    text = (CORPUS / "000_seed_ssd_inception_v2.log").read_text(encoding="utf-8")
    wrapped = hard_wrap(text, 80)
    assert wrapped.count("\n") > 3 * text.count("\n")

    def whole_engine_lines(t: str) -> int:
        return sum(1 for x in t.split("\n") if "TensorRT node" in x and "Fallback to TF" in x)

    assert whole_engine_lines(text) == 2 and whole_engine_lines(wrapped) == 0


@needs_corpus
def test_a_line_wrapped_at_a_space_is_rejoined():
    """The original of corpus 030: the tracker cut "... by " / "StatefulPartitionedCall/
    X/Y/TRTEngineOp_5." (the only wrapped line, so no wrap width can be measured)."""
    text = (CORPUS / "030_tf21_titanv_no_tf_gpus_wrapped.log").read_text(encoding="utf-8")
    cut = text.replace("4 nodes by StatefulPartitionedCall", "4 nodes by \nStatefulPartitionedCall")
    assert cut != text
    assert parse_log(cut).facts == parse_log(text).facts
    assert parse_log(cut).facts["replaced_segments"][0]["name"] == \
        "StatefulPartitionedCall/X/Y/TRTEngineOp_5"


def test_a_print_after_a_message_ending_in_a_space_stays_apart():
    """"Running on device 0 " and "Segment consists of nodes: a, b, " end in a space as
    TF prints them; a print on the next line is not part of them."""
    text = (ROOT / "fixtures" / "logs" / "tf217_poets_dynamic_shape.log").read_text("utf-8")
    lines = text.split("\n")
    at = next(i for i, x in enumerate(lines) if "Segment consists of nodes:" in x)
    assert lines[at].endswith(", ")
    lines.insert(at + 1, PRINT)
    report = parse_log("\n".join(lines))
    assert report.facts == parse_log(text).facts
    assert not any("step" in n for e in report.engines for n in (e.node_names or []))


@needs_corpus
def test_utf16_and_gzip_files(tmp_path: Path):
    log = CORPUS / "002_2024_report_tail_replaced_and_cannot_replace.log"
    expected = read_log(log).facts
    utf16 = tmp_path / "windows.log"
    utf16.write_bytes(log.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-16"))
    assert read_log(utf16).facts == expected
    packed = tmp_path / "convert.log.gz"
    packed.write_bytes(gzip.compress(log.read_bytes()))
    assert read_log(packed).facts == expected
