"""``--format markdown``: a report to paste into (or post as) a pull-request comment.

Layout: a summary table with one row per model (engines, coverage, what stays in
TensorFlow, findings by severity), then for each model its findings grouped by rule,
worst rule first, and the predicted engines in a collapsed ``<details>`` block.

Node names and messages are user data.  Everything taken from the model goes through
:func:`md_text` or :func:`md_code`, so a name with ``|`` cannot split a table cell,
``*``/``_`` cannot start emphasis, a backtick cannot close a code span early and
``<``/``>`` cannot open HTML.  Long lists are cut (GitHub comments stop at 65,536
characters) with a line saying how many were left out.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from ..findings.model import SEVERITY_RANK
from ..outcome import ModelOutcome, OutcomeInput, as_outcomes

MAX_ENGINE_ROWS = 30
MAX_FINDINGS_PER_RULE = 25

# ASCII punctuation that can open or close inline markdown (emphasis, code, links,
# strikethrough, table cells).  CommonMark lets any ASCII punctuation be backslash-
# escaped; < > & become entities instead, so no HTML survives.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# At the start of a line these would make a heading, a list item or a block quote.
_LINE_START = re.compile(r"^(\s*)(\d*)([#+=.)-])")
_NEWLINES = re.compile(r"[\r\n]+")


def md_text(text: Any) -> str:
    """Escape free text for inline markdown (table cells included)."""
    s = _NEWLINES.sub(" ", str(text))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2) + "\\" + m.group(3), s, count=1)


def md_code(text: Any, in_table: bool = False) -> str:
    """A code span that shows ``text`` literally, whatever backticks it contains.

    The fence is one backtick longer than the longest run inside; content that starts
    or ends with a backtick gets a space on both sides (which CommonMark strips).  In a
    table a ``|`` must still be written ``\\|``: GFM splits cells before it parses
    code spans, and renders ``\\|`` there as ``|``.
    """
    s = _NEWLINES.sub(" ", str(text))
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ")):
        s = f" {s} "
    if in_table:
        s = s.replace("|", "\\|")
    return f"{fence}{s}{fence}"


def _pct(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _mode(target: dict[str, Any]) -> str:
    if target.get("dynamic_shape"):
        return "explicit batch"
    if target.get("max_batch_size"):
        return f"implicit batch, static engines (max batch {target['max_batch_size']})"
    return "implicit batch, dynamic engines"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def summary_table(outcomes: list[ModelOutcome]) -> list[str]:
    lines = [_row(["model", "target", "engines", "nodes in engines", "FLOPs in engines",
                   "stay in TensorFlow", "errors", "warnings", "info"]),
             _row(["---", "---", "---:", "---:", "---:", "---", "---:", "---:", "---:"])]
    for o in outcomes:
        if o.report is None:
            lines.append(_row([md_code(o.path, True), "could not analyse: "
                               + md_text(o.error or ""), "", "", "", "", "", "", ""]))
            continue
        r = o.report
        t = r["target"]
        built = sum(1 for s in r["segments"] if s["will_build"])
        failed = len(r["segments"]) - built
        engines = str(built) + (f" (+{failed} fall back)" if failed else "")
        # Coverage is measured on the graph TF-TRT sees (after grappler), whose size the
        # report does not carry; so: the share, then the node count behind it.
        converted = sum(len(s["nodes"]) for s in r["segments"] if s["will_build"])
        nodes = f"{_pct(r['coverage']['nodes'])} ({converted} nodes)"
        unconv = r["unconverted"]
        stay = f"{unconv['count']} ops of {len(unconv['types'])} types" \
            if r.get("tensorrt_pass_runs", True) else "no TF-TRT conversion (see the notes)"
        counts = o.counts()
        lines.append(_row([
            md_code(o.path, True),
            md_text(f"{t['profile']} {t['precision']}, {_mode(t)}"),
            engines, nodes, _pct(r["coverage"]["flops"]), stay,
            str(counts["error"]), str(counts["warning"]), str(counts["info"])]))
    return lines


def engines_section(outcome: ModelOutcome) -> list[str]:
    segments = (outcome.report or {}).get("segments", [])
    if not segments:
        report = outcome.report or {}
        if report.get("tensorrt_pass_runs", True) is False:
            # why the pass does not run (or fails) is in the notes
            return ["No TensorRT engine: " + md_text("; ".join(report.get("notes", []))), ""]
        return ["No TensorRT engine is predicted: every node stays in TensorFlow.", ""]
    lines = ["<details>", f"<summary>Predicted engines ({len(segments)})</summary>", "",
             _row(["engine", "nodes", "effective", "inputs", "outputs", "builds"]),
             _row(["---", "---:", "---:", "---:", "---:", "---"])]
    for seg in segments[:MAX_ENGINE_ROWS]:
        builds = "yes" if seg["will_build"] else "no: " + md_text(seg.get("reason") or "")
        lines.append(_row([md_code(seg["name"], True), str(len(seg["nodes"])),
                           str(seg["effective_nodes"]), str(len(seg["inputs"])),
                           str(len(seg["outputs"])), builds]))
    if len(segments) > MAX_ENGINE_ROWS:
        lines += ["", f"... and {len(segments) - MAX_ENGINE_ROWS} more engines."]
    lines += ["", "</details>", ""]
    return lines


def _rule_title(rule_id: str) -> str:
    from ..findings import rule_by_id

    rule = rule_by_id(rule_id)
    if rule is None:
        return md_text(rule_id)
    summary = rule.summary()
    name = f" {md_code(rule.name)}" if rule.name else ""
    tail = f": {md_text(summary)}" if summary and summary != rule.name else ""
    return f"{md_text(rule_id)}{name}{tail}"


def findings_section(outcome: ModelOutcome) -> list[str]:
    if not outcome.findings:
        note = "No findings."
        if outcome.baselined:
            note += f" ({outcome.baselined} baselined finding(s) not shown.)"
        return [note, ""]
    groups: dict[str, list] = {}
    for f in outcome.findings:
        groups.setdefault(f.rule, []).append(f)
    order = sorted(groups, key=lambda rid: (-max(SEVERITY_RANK.get(f.severity, 0)
                                                 for f in groups[rid]), rid))
    lines: list[str] = []
    for rid in order:
        items = groups[rid]
        worst = max(items, key=lambda f: SEVERITY_RANK.get(f.severity, 0)).severity
        lines += [f"**{_rule_title(rid)}** ({worst}, {len(items)})", ""]
        for f in sorted(items, key=lambda f: (-SEVERITY_RANK.get(f.severity, 0),
                                              f.node or ""))[:MAX_FINDINGS_PER_RULE]:
            where = f"{md_code(f.node)}: " if f.node else ""
            # a backslash before the newline is a hard line break inside the list item
            fix = f"\\\n  *Fix:* {md_text(f.fix)}" if f.fix else ""
            lines.append(f"- {where}{md_text(f.message)}{fix}")
        if len(items) > MAX_FINDINGS_PER_RULE:
            lines.append(f"- ... and {len(items) - MAX_FINDINGS_PER_RULE} more")
        lines.append("")
    if outcome.baselined:
        lines += [f"{outcome.baselined} finding(s) already in the baseline are not shown.", ""]
    return lines


def render_markdown(items: OutcomeInput) -> str:
    """The whole markdown document for one or several models."""
    outcomes = as_outcomes(items)
    lines = ["## trtlint: TF-TRT conversion report", ""]
    lines += summary_table(outcomes)
    lines.append("")
    for o in outcomes:
        lines += [f"### {md_code(o.path)}", ""]
        if o.error is not None:
            lines += [f"Could not analyse this model: {md_text(o.error)}", ""]
            continue
        lines += findings_section(o)
        lines += engines_section(o)
    return "\n".join(lines).rstrip("\n") + "\n"
